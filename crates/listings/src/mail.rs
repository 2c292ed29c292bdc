//! The mail queue (`mail_outbox`). A mail is written in the same transaction as what it
//! tells (a notification, a password reset, an invitation, an address to confirm), so a change that commits
//! always has its mail and a rolled-back one never does; the domain says what to tell
//! (a message key and its values, or the notification), the server words it in the
//! recipient's language when it sends.
//!
//! Any `serve` process with SMTP settings sends: it claims a due mail for a while
//! (`claim`: a guarded update, so two processes never send one mail at once), sends it,
//! then marks it sent — emptying its message, which may carry a link's secret — or
//! schedules another attempt with a growing delay, giving up after `MAX_ATTEMPTS`. A
//! process killed between sending and marking leaves the claim to expire and the mail is
//! sent again: delivery is at least once, and every attempt carries the same
//! `Message-ID` (the row's id) so that mail systems recognise the repeat.

use crate::entities::mail;
use crate::error::{ListingsError, Result};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use techex_core::{Message, new_id};
use uuid::Uuid;

/// Attempts before a mail is given up on (with the delays of `retry_delay`, over about
/// four hours).
pub const MAX_ATTEMPTS: i32 = 10;

/// How long a sender may work on a mail before another process may take it over.
pub const CLAIM: Duration = Duration::seconds(120);

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// A notification, worded as the application shows it.
    Notification,
    PasswordReset,
    Invitation,
    EmailConfirmation,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Notification => "notification",
            MailKind::PasswordReset => "password_reset",
            MailKind::Invitation => "invitation",
            MailKind::EmailConfirmation => "email_confirmation",
        }
    }
}

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub kind: MailKind,
    pub recipient: String,
    /// `zh` or `en`.
    pub language: String,
    /// What to say, for kinds other than notifications.
    pub message: Option<Message>,
    pub notification_id: Option<Uuid>,
    /// A mail with the same key is queued once.
    pub dedupe_key: String,
}

/// Queues a mail unless one with its key exists; whether it was new.
pub async fn enqueue<C: ConnectionTrait>(db: &C, new: NewMail) -> Result<bool> {
    let now = Utc::now();
    let message = match &new.message {
        Some(message) => Some(serde_json::to_string(message).map_err(|e| ListingsError::Internal(e.to_string()))?),
        None => None,
    };
    let row = mail::ActiveModel {
        id: Set(new_id()),
        kind: Set(new.kind.as_str().to_string()),
        recipient: Set(new.recipient),
        language: Set(new.language),
        message: Set(message),
        notification_id: Set(new.notification_id),
        dedupe_key: Set(new.dedupe_key),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        sent_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
    };
    let inserted = mail::Entity::insert(row)
        .on_conflict(OnConflict::column(mail::Column::DedupeKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    if inserted > 0 {
        metrics::counter!("techex_mail_queued_total", "kind" => new.kind.as_str()).increment(1);
    }
    Ok(inserted > 0)
}

/// Mails that may be sent at `now`: not sent, not given up, due, not claimed by a live
/// sender; oldest first.
pub async fn due<C: ConnectionTrait>(db: &C, now: DateTime<Utc>, limit: u64) -> Result<Vec<mail::Model>> {
    Ok(mail::Entity::find()
        .filter(mail::Column::SentAt.is_null())
        .filter(mail::Column::FailedAt.is_null())
        .filter(mail::Column::NextAttemptAt.lte(now))
        .filter(Condition::any().add(mail::Column::ClaimedUntil.is_null()).add(mail::Column::ClaimedUntil.lt(now)))
        .order_by_asc(mail::Column::NextAttemptAt)
        .order_by_asc(mail::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Claims a due mail for this sender until `now + CLAIM`, counting the attempt; false
/// when another sender has it (or it was sent meanwhile).
pub async fn claim<C: ConnectionTrait>(db: &C, id: Uuid, now: DateTime<Utc>) -> Result<bool> {
    let claimed = mail::Entity::update_many()
        .col_expr(mail::Column::ClaimedUntil, Expr::value(now + CLAIM))
        .col_expr(mail::Column::Attempts, Expr::col(mail::Column::Attempts).add(1))
        .filter(mail::Column::Id.eq(id))
        .filter(mail::Column::SentAt.is_null())
        .filter(mail::Column::FailedAt.is_null())
        .filter(Condition::any().add(mail::Column::ClaimedUntil.is_null()).add(mail::Column::ClaimedUntil.lt(now)))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Marks a mail sent and forgets what it said.
pub async fn mark_sent<C: ConnectionTrait>(db: &C, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    mail::Entity::update_many()
        .col_expr(mail::Column::SentAt, Expr::value(now))
        .col_expr(mail::Column::Message, Expr::value(Option::<String>::None))
        .col_expr(mail::Column::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(mail::Column::LastError, Expr::value(Option::<String>::None))
        .filter(mail::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The wait before attempt `attempts + 1`: 30 s doubling, at most four hours.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 20) - 1;
    Duration::seconds(std::cmp::min(30_i64 << doublings, 4 * 3600))
}

/// Records a failed attempt (`attempts` counts it): another one later, or, after the
/// last attempt or for a mail that can never be sent (`permanent`), none. Whether it was
/// given up on.
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    attempts: i32,
    error: &str,
    permanent: bool,
    now: DateTime<Utc>,
) -> Result<bool> {
    let give_up = permanent || attempts >= MAX_ATTEMPTS;
    let error: String = error.chars().take(1000).collect();
    let mut update = mail::Entity::update_many()
        .col_expr(mail::Column::LastError, Expr::value(error))
        .col_expr(mail::Column::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(mail::Column::NextAttemptAt, Expr::value(now + retry_delay(attempts)));
    if give_up {
        update = update
            .col_expr(mail::Column::FailedAt, Expr::value(now))
            .col_expr(mail::Column::Message, Expr::value(Option::<String>::None));
    }
    update.filter(mail::Column::Id.eq(id)).exec(db).await?;
    Ok(give_up)
}

/// Mails waiting to be sent (not sent, not given up).
pub async fn waiting<C: ConnectionTrait>(db: &C) -> Result<u64> {
    Ok(mail::Entity::find()
        .filter(mail::Column::SentAt.is_null())
        .filter(mail::Column::FailedAt.is_null())
        .count(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_four_hours() {
        assert_eq!(retry_delay(1), Duration::seconds(30));
        assert_eq!(retry_delay(2), Duration::seconds(60));
        assert_eq!(retry_delay(5), Duration::seconds(480));
        assert_eq!(retry_delay(MAX_ATTEMPTS), Duration::seconds(4 * 3600));
        assert_eq!(retry_delay(0), Duration::seconds(30));
    }
}
