//! Confirming an organization administrator's e-mail address by a mailed link, as a
//! password reset is done (`resets`): a token of 32 random bytes, stored hashed on the
//! account, valid for two days and used once (a guarded update, so of two uses one
//! wins). Registering an organization mails the first link; the signed-in administrator
//! may ask for another (which replaces the previous one) a few times an hour. Accounts
//! made otherwise (an invitation, whose link proved the address; `admin create`; the
//! demo) are confirmed when they are made.

use crate::audit;
use crate::auth::{hash_token, new_token};
use crate::entities::{mail as queued, user};
use crate::error::{ListingsError, Result};
use crate::mail::{self, MailKind, NewMail};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use techex_core::{Actor, msg, new_id};

/// How long a link works.
pub const LINK_HOURS: i64 = 48;
/// Links mailed to one account within an hour, the registration's included; asking for
/// more is refused (429).
pub const LINKS_PER_HOUR: usize = 3;

const NOT_FOUND: &str = "e-mail confirmation link";

/// The page a confirmation link opens (the server puts its address in front).
pub fn link_path(token: &str) -> String {
    format!("/confirm-email?token={token}")
}

fn dedupe_prefix(user_id: uuid::Uuid) -> String {
    format!("email_confirmation:{user_id}:")
}

/// Gives `account` a new link (replacing any earlier one) and queues its mail, in the
/// caller's transaction.
pub(crate) async fn send_link<C: ConnectionTrait>(db: &C, account: &user::Model, now: DateTime<Utc>) -> Result<()> {
    let token = new_token("txc_");
    user::Entity::update_many()
        .col_expr(user::Column::EmailTokenHash, Expr::value(hash_token(&token)))
        .col_expr(user::Column::EmailTokenExpiresAt, Expr::value(now + Duration::hours(LINK_HOURS)))
        .filter(user::Column::Id.eq(account.id))
        .exec(db)
        .await?;
    let message = msg::MAIL_CONFIRM_EMAIL
        .with("name", account.display_name.clone())
        .with("path", link_path(&token))
        .with("hours", LINK_HOURS);
    mail::enqueue(
        db,
        NewMail {
            kind: MailKind::EmailConfirmation,
            recipient: account.email.clone(),
            language: account.language.clone(),
            message: Some(message),
            notification_id: None,
            dedupe_key: format!("{}{}", dedupe_prefix(account.id), new_id()),
        },
    )
    .await?;
    Ok(())
}

/// Mails the signed-in user a new confirmation link. 409 when the address is confirmed
/// already; 429 past `LINKS_PER_HOUR` links within the hour.
pub async fn resend<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<()> {
    let account = user::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(ListingsError::NotFound("user"))?;
    if account.email_confirmed_at.is_some() {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_YOUR_E_MAIL_ADDRESS_IS_CONFIRMED_ALREADY.into()));
    }
    let now = Utc::now();
    let recent = queued::Entity::find()
        .filter(queued::Column::DedupeKey.starts_with(dedupe_prefix(account.id)))
        .filter(queued::Column::CreatedAt.gt(now - Duration::hours(1)))
        .order_by_asc(queued::Column::CreatedAt)
        .all(db)
        .await?;
    if recent.len() >= LINKS_PER_HOUR {
        // Free again when the oldest link of the hour leaves it.
        let free_at = recent.first().map_or(now, |oldest| oldest.created_at) + Duration::hours(1);
        let retry_after_secs = u64::try_from(std::cmp::max((free_at - now).num_seconds(), 1)).unwrap_or(3600);
        return Err(ListingsError::RateLimited { retry_after_secs });
    }
    send_link(db, &account, now).await?;
    audit::record(db, Some(actor), "user.email_confirmation_sent", "user", account.id, None, None).await?;
    Ok(())
}

/// Confirms the address of the account a link's token was mailed to. 404 for a token
/// that never was (or was replaced by a newer link); 409 for one used already; 410 for
/// one past its two days.
pub async fn confirm<C: ConnectionTrait>(db: &C, token: &str) -> Result<user::Model> {
    let hash = hash_token(token.trim());
    let account = user::Entity::find()
        .filter(user::Column::EmailTokenHash.eq(hash.as_str()))
        .one(db)
        .await?
        .filter(|account| account.status == "active")
        .ok_or(ListingsError::NotFound(NOT_FOUND))?;
    if account.email_confirmed_at.is_some() {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_THIS_LINK_HAS_ALREADY_BEEN_USED_YOUR.into()));
    }
    let now = Utc::now();
    if account.email_token_expires_at.is_none_or(|expires| expires < now) {
        return Err(ListingsError::Gone(techex_core::msg::REFUSED_THIS_LINK_HAS_EXPIRED_ASK_FOR_A.into()));
    }
    // Guarded: of two uses at once, one wins.
    let confirmed = user::Entity::update_many()
        .col_expr(user::Column::EmailConfirmedAt, Expr::value(now))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(user::Column::Version, Expr::col(user::Column::Version).add(1))
        .filter(user::Column::Id.eq(account.id))
        .filter(user::Column::EmailTokenHash.eq(hash.as_str()))
        .filter(user::Column::EmailConfirmedAt.is_null())
        .exec(db)
        .await?;
    if confirmed.rows_affected != 1 {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_THIS_LINK_HAS_ALREADY_BEEN_USED_YOUR.into()));
    }
    audit::record(db, None, "user.email_confirmed", "user", account.id, None, None).await?;
    user::Entity::find_by_id(account.id).one(db).await?.ok_or(ListingsError::NotFound(NOT_FOUND))
}
