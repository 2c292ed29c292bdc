//! Passwords, logins and sessions.
//!
//! Passwords are hashed with argon2id off the async threads. A login returns a random
//! token of which only the SHA-256 is stored, so a database leak yields no usable
//! token. Failed logins are counted in the database, so the limits hold across every
//! `serve` process behind a load balancer.
//!
//! Throttling stops guessing without handing anyone a lockout (OWASP's authentication
//! cheat sheet): past each limit an attempt must wait a delay that doubles with every
//! further failure (from [`BASE_DELAY_SECS`] up to the window), and the limits are scoped
//! so that strangers' failures never hold back an account's owner where the owner signed
//! in before:
//! - per (account, address): the guesses at one account from one place;
//! - per address, across accounts: one place spraying many accounts — not applied to an
//!   address the account has signed in from;
//! - per account, counting only failures from addresses that never signed in to it: many
//!   places guessing one account — not applied to an address the account knows.
//!
//! Every refused (throttled) attempt is audited as `login.throttled`.

use crate::entities::{known_login_address, login_attempt, organization, session, user};
use crate::error::{ListingsError, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use techex_core::domain::OrgKind;
use techex_core::{Actor, RoleSet, new_id};

/// Limits and lifetimes of logins.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How long a login stays valid.
    pub session_ttl: Duration,
    /// Failed attempts allowed within `window` per account and address, and per account
    /// from addresses that never signed in to it, before delays begin.
    pub max_failures_per_account: u64,
    /// Failed attempts allowed per client address within `window` (across accounts)
    /// before delays begin.
    pub max_failures_per_address: u64,
    /// How long failures are remembered; also the longest delay.
    pub window: Duration,
}

/// The delay after the first failure past a limit; each further failure doubles it, up
/// to the window.
pub const BASE_DELAY_SECS: i64 = 30;

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            session_ttl: Duration::hours(12),
            max_failures_per_account: 5,
            max_failures_per_address: 20,
            window: Duration::minutes(15),
        }
    }
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The secret to present as `Authorization: Bearer` or in the session cookie.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: user::Model,
}

/// Where a login came from and what it is for.
#[derive(Debug, Clone, Default)]
pub struct LoginContext {
    pub ip: String,
    pub user_agent: Option<String>,
    /// `bearer` or `cookie`.
    pub kind: &'static str,
}

/// Hashes a password with argon2id (on a blocking thread).
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|e| ListingsError::Internal(format!("password hashing task failed: {e}")))?
}

/// Hashes a password with argon2id on the current thread (for seeding and tools).
pub fn hash_password_blocking(password: &str) -> Result<String> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| ListingsError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ListingsError::Internal(format!("password hashing failed: {e}")))
}

pub(crate) async fn verify_password(hash: String, password: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .map_err(|e| ListingsError::Internal(format!("password verification task failed: {e}")))
}

/// A hash of a password nobody has, verified when the account does not exist so
/// that a wrong e-mail takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$W1V2B4+Jd5SQ0l0TKmMZC2qHrcMkQzaJmgqsRGlc0Q0";

/// A fresh random secret token with a recognizable prefix.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The failures of a scope within the window: how many, and when the last was.
async fn recent_failures<C: ConnectionTrait>(
    db: &C,
    scope: sea_orm::Condition,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>)> {
    let filter = login_attempt::Entity::find()
        .filter(scope)
        .filter(login_attempt::Column::Succeeded.eq(false))
        .filter(login_attempt::Column::At.gt(since));
    let count = filter.clone().count(db).await?;
    let last = filter.order_by_desc(login_attempt::Column::At).one(db).await?.map(|a| a.at);
    Ok((count, last))
}

/// How long an attempt must still wait after `failures` failures (the last at `last`)
/// against a `limit`: nothing below the limit, then a delay from the last failure that
/// doubles with each failure past the limit, at most the window.
pub fn wait_after(
    failures: u64,
    limit: u64,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Duration,
) -> Option<u64> {
    if failures < limit {
        return None;
    }
    let doublings = u32::try_from((failures - limit).min(20)).unwrap_or(20);
    let delay = Duration::seconds(BASE_DELAY_SECS.saturating_mul(1_i64 << doublings)).min(window);
    let until = last? + delay;
    (until > now).then(|| u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1))
}

/// The addresses an account has signed in from.
async fn known_addresses<C: ConnectionTrait>(db: &C, user_id: uuid::Uuid) -> Result<Vec<String>> {
    Ok(known_login_address::Entity::find()
        .filter(known_login_address::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|known| known.ip)
        .collect())
}

/// Remembers that the account signed in from this address.
async fn remember_address<C: ConnectionTrait>(db: &C, user_id: uuid::Uuid, ip: &str) -> Result<()> {
    use sea_orm::sea_query::OnConflict;
    let now = Utc::now();
    known_login_address::Entity::insert(known_login_address::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        ip: Set(ip.to_string()),
        first_at: Set(now),
        last_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([known_login_address::Column::UserId, known_login_address::Column::Ip])
            .update_column(known_login_address::Column::LastAt)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Which limit holds an attempt back, if any, and for how long.
async fn throttle<C: ConnectionTrait>(
    db: &C,
    settings: &AuthSettings,
    email: &str,
    ip: &str,
    account: Option<&user::Model>,
) -> Result<Option<(&'static str, u64)>> {
    use sea_orm::Condition;
    let now = Utc::now();
    let since = now - settings.window;
    let known = match account {
        Some(user) => known_addresses(db, user.id).await?,
        None => Vec::new(),
    };
    let from_known_address = known.iter().any(|k| k == ip);
    let pair = Condition::all().add(login_attempt::Column::Email.eq(email)).add(login_attempt::Column::Ip.eq(ip));
    let mut scopes = vec![("account_address", pair, settings.max_failures_per_account)];
    if !from_known_address {
        scopes.push((
            "address",
            Condition::all().add(login_attempt::Column::Ip.eq(ip)),
            settings.max_failures_per_address,
        ));
        let mut strangers = Condition::all().add(login_attempt::Column::Email.eq(email));
        if !known.is_empty() {
            strangers = strangers.add(login_attempt::Column::Ip.is_not_in(known));
        }
        scopes.push(("account", strangers, settings.max_failures_per_account));
    }
    for (rule, scope, limit) in scopes {
        let (failures, last) = recent_failures(db, scope, since).await?;
        if let Some(wait) = wait_after(failures, limit, last, now, settings.window) {
            return Ok(Some((rule, wait)));
        }
    }
    Ok(None)
}

async fn record_attempt<C: ConnectionTrait>(db: &C, email: &str, ip: &str, succeeded: bool) -> Result<()> {
    login_attempt::ActiveModel {
        id: Set(new_id()),
        email: Set(email.to_string()),
        ip: Set(ip.to_string()),
        succeeded: Set(succeeded),
        at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Checks an e-mail and password and opens a session.
///
/// Wrong e-mail and wrong password give the same error. An attempt that a limit holds
/// back (see the module's scheme) is refused with the time to wait, whether or not the
/// password is right, and audited; it is not counted as a failure.
pub async fn login<C: ConnectionTrait>(
    db: &C,
    settings: &AuthSettings,
    email: &str,
    password: &str,
    context: &LoginContext,
) -> Result<LoginOutcome> {
    let email = email.trim().to_lowercase();
    let now = Utc::now();
    let found = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(db).await?;
    if let Some((rule, retry_after_secs)) = throttle(db, settings, &email, &context.ip, found.as_ref()).await? {
        crate::audit::record(
            db,
            None,
            "login.throttled",
            "user",
            found.as_ref().map_or_else(uuid::Uuid::nil, |u| u.id),
            None,
            Some(serde_json::json!({"email": email, "ip": context.ip, "rule": rule,
                                    "retry_after_secs": retry_after_secs})),
        )
        .await?;
        tracing::warn!(ip = %context.ip, rule, retry_after_secs, "login throttled");
        return Err(ListingsError::RateLimited { retry_after_secs });
    }

    let (hash, candidate) = match &found {
        Some(user) if user.status == "active" => (user.password_hash.clone(), Some(user.clone())),
        _ => (DUMMY_HASH.to_string(), None),
    };
    let password_ok = verify_password(hash, password.to_string()).await?;
    let Some(user) = candidate.filter(|_| password_ok) else {
        record_attempt(db, &email, &context.ip, false).await?;
        return Err(ListingsError::Unauthenticated("wrong e-mail or password".into()));
    };
    record_attempt(db, &email, &context.ip, true).await?;
    remember_address(db, user.id, &context.ip).await?;

    let token = new_token("txs_");
    let expires_at = now + settings.session_ttl;
    session::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user.id),
        token_hash: Set(hash_token(&token)),
        kind: Set(context.kind.to_string()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        ip: Set(Some(context.ip.clone())),
        user_agent: Set(context.user_agent.clone()),
    }
    .insert(db)
    .await?;
    let mut active: user::ActiveModel = user.clone().into();
    active.last_login_at = Set(Some(now));
    let user = active.update(db).await?;
    Ok(LoginOutcome { token, expires_at, user })
}

/// The user behind a token, with the organization they act for.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub actor: Actor,
    pub user: user::Model,
    pub organization: organization::Model,
    pub session_id: uuid::Uuid,
}

/// Resolves a token to an actor; expired, revoked and unknown tokens are refused alike.
pub async fn authenticate<C: ConnectionTrait>(db: &C, token: &str) -> Result<Authenticated> {
    let refused = || ListingsError::Unauthenticated("the token is invalid, expired or revoked".into());
    let now = Utc::now();
    let session = session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .filter(|s| s.revoked_at.is_none() && s.expires_at > now)
        .ok_or_else(refused)?;
    let user = user::Entity::find_by_id(session.user_id)
        .one(db)
        .await?
        .filter(|u| u.status == "active")
        .ok_or_else(refused)?;
    let organization = organization::Entity::find_by_id(user.organization_id).one(db).await?.ok_or_else(refused)?;
    let actor = actor_of(&user, &organization);
    Ok(Authenticated { actor, user, organization, session_id: session.id })
}

/// Builds the actor a user is when acting for their organization.
pub fn actor_of(user: &user::Model, organization: &organization::Model) -> Actor {
    Actor {
        user_id: user.id,
        organization_id: organization.id,
        organization_kind: OrgKind::parse(&organization.kind).unwrap_or(OrgKind::Enterprise),
        organization_verified: organization.verified_at.is_some(),
        roles: RoleSet::from_stored(&user.roles),
    }
}

/// Ends one session.
pub async fn logout<C: ConnectionTrait>(db: &C, session_id: uuid::Uuid) -> Result<()> {
    if let Some(found) = session::Entity::find_by_id(session_id).one(db).await? {
        let mut active: session::ActiveModel = found.into();
        active.revoked_at = Set(Some(Utc::now()));
        active.update(db).await?;
    }
    Ok(())
}

/// Ends every session of a user except, optionally, one.
pub async fn revoke_sessions<C: ConnectionTrait>(
    db: &C,
    user_id: uuid::Uuid,
    except: Option<uuid::Uuid>,
) -> Result<()> {
    let mut update = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(keep) = except {
        update = update.filter(session::Column::Id.ne(keep));
    }
    update.exec(db).await?;
    Ok(())
}

/// Deletes login attempts and sessions that no longer matter.
pub async fn prune<C: ConnectionTrait>(db: &C, settings: &AuthSettings) -> Result<u64> {
    let now = Utc::now();
    let attempts = login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::At.lt(now - settings.window - Duration::hours(1)))
        .exec(db)
        .await?
        .rows_affected;
    let sessions = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(now - Duration::days(7)))
        .exec(db)
        .await?
        .rows_affected;
    Ok(attempts + sessions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hashes_verify_only_the_right_password() -> Result<()> {
        let hash = hash_password_blocking("techex-demo")?;
        assert!(hash.starts_with("$argon2id$"));
        let parsed = PasswordHash::new(&hash).map_err(|e| ListingsError::Internal(e.to_string()))?;
        assert!(Argon2::default().verify_password(b"techex-demo", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"techex-demo!", &parsed).is_err());
        Ok(())
    }

    #[test]
    fn dummy_hash_is_a_valid_argon2_hash() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn tokens_are_unique_and_stored_hashed() {
        let first = new_token("txs_");
        let second = new_token("txs_");
        assert_ne!(first, second);
        assert_eq!(hash_token(&first).len(), 64);
        assert_ne!(hash_token(&first), first);
    }
}
