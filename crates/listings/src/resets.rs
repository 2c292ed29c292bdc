//! Resetting a forgotten password by an e-mailed link: single use, valid for an hour,
//! limited per account and per address, and never telling whether an address has an
//! account (asking for an unknown one answers exactly as for a known one).

use crate::audit;
use crate::auth::{hash_password, hash_token, new_token, revoke_sessions};
use crate::entities::{password_reset, user};
use crate::error::{ListingsError, Result};
use crate::mail::{self, MailKind, NewMail};
use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use techex_core::text::{check_password_strength, parse_email};
use techex_core::{msg, new_id};

/// How long a link works.
pub const LINK_MINUTES: i64 = 60;
/// Links sent to one account within an hour; more requests are quietly dropped.
pub const PER_ACCOUNT_PER_HOUR: u64 = 3;
/// Requests from one address within an hour; more are refused (429), whatever the
/// addresses asked about.
pub const PER_ADDRESS_PER_HOUR: u64 = 10;

/// The page a reset link opens (the server puts its address in front).
pub fn link_path(token: &str) -> String {
    format!("/reset-password?token={token}")
}

/// Asks for a reset link for `email`, from the client address `ip`. A known, active
/// account within its limit gets a mail; every other case returns the same `Ok(())`.
pub async fn request<C: ConnectionTrait>(db: &C, email: &str, ip: &str) -> Result<()> {
    let email = parse_email(email).map_err(|e| ListingsError::invalid("email", e))?;
    let now = Utc::now();
    let hour_ago = now - Duration::hours(1);
    let from_address = password_reset::Entity::find()
        .filter(password_reset::Column::Ip.eq(ip))
        .filter(password_reset::Column::CreatedAt.gt(hour_ago))
        .count(db)
        .await?;
    if from_address >= PER_ADDRESS_PER_HOUR {
        return Err(ListingsError::RateLimited { retry_after_secs: 3600 });
    }
    let Some(found) = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(db).await? else {
        // Recorded against the address all the same, so probing for accounts is limited
        // like asking for links.
        record(db, None, ip).await?;
        return Ok(());
    };
    if found.status != "active" {
        record(db, None, ip).await?;
        return Ok(());
    }
    let for_account = password_reset::Entity::find()
        .filter(password_reset::Column::UserId.eq(found.id))
        // Links sent (a request that sent nothing expires as it is made).
        .filter(Expr::col(password_reset::Column::ExpiresAt).gt(Expr::col(password_reset::Column::CreatedAt)))
        .filter(password_reset::Column::CreatedAt.gt(hour_ago))
        .count(db)
        .await?;
    if for_account >= PER_ACCOUNT_PER_HOUR {
        record(db, Some(found.id), ip).await?;
        return Ok(());
    }
    let token = new_token("txr_");
    let reset = password_reset::ActiveModel {
        id: Set(new_id()),
        user_id: Set(Some(found.id)),
        token_hash: Set(hash_token(&token)),
        ip: Set(ip.chars().take(64).collect()),
        created_at: Set(now),
        expires_at: Set(now + Duration::minutes(LINK_MINUTES)),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    let message = msg::MAIL_PASSWORD_RESET
        .with("name", found.display_name.clone())
        .with("path", link_path(&token))
        .with("minutes", LINK_MINUTES);
    mail::enqueue(
        db,
        NewMail {
            kind: MailKind::PasswordReset,
            recipient: found.email.clone(),
            language: found.language.clone(),
            message: Some(message),
            notification_id: None,
            dedupe_key: format!("password_reset:{}", reset.id),
        },
    )
    .await?;
    audit::record(db, None, "user.password_reset_requested", "user", found.id, None, None).await?;
    Ok(())
}

/// A request that sends nothing: a spent row with a hash nobody holds, so that the
/// address's limit counts it like any other.
async fn record<C: ConnectionTrait>(db: &C, user: Option<uuid::Uuid>, ip: &str) -> Result<()> {
    let now = Utc::now();
    password_reset::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user),
        token_hash: Set(hash_token(&new_token("txr_"))),
        ip: Set(ip.chars().take(64).collect()),
        created_at: Set(now),
        expires_at: Set(now),
        used_at: Set(Some(now)),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Sets a new password with a reset link's token: the link is used up, every session of
/// the account ends. 404 for a token that never was; 409 for one used or expired.
pub async fn confirm<C: ConnectionTrait>(db: &C, token: &str, password: &str) -> Result<user::Model> {
    let found = password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(hash_token(token.trim())))
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("password reset link"))?;
    if found.used_at.is_some() {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_THIS_LINK_HAS_ALREADY_BEEN_USED_ASK.into()));
    }
    let now = Utc::now();
    if found.expires_at < now {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_THIS_LINK_HAS_EXPIRED_ASK_FOR_A.into()));
    }
    let account = match found.user_id {
        Some(id) => user::Entity::find_by_id(id).one(db).await?,
        None => None,
    }
    .ok_or(ListingsError::NotFound("password reset link"))?;
    if account.status != "active" {
        return Err(ListingsError::NotFound("password reset link"));
    }
    check_password_strength(password, &account.email).map_err(|e| ListingsError::invalid("password", e))?;
    // Used up first, guarded: of two uses at once, one wins.
    let spent = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(now))
        .filter(password_reset::Column::Id.eq(found.id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if spent.rows_affected != 1 {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_THIS_LINK_HAS_ALREADY_BEEN_USED_ASK.into()));
    }
    let hash = hash_password(password.to_string()).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(user::Column::Version, Expr::col(user::Column::Version).add(1))
        .filter(user::Column::Id.eq(account.id))
        .exec(db)
        .await?;
    revoke_sessions(db, account.id, None).await?;
    audit::record(db, None, "user.password_reset", "user", account.id, None, None).await?;
    Ok(account)
}
