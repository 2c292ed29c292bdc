//! Payouts: once the buyer accepts a milestone, the seller's share and the broker's
//! commission leave the platform by Stripe Connect transfers to their connected accounts.
//!
//! ```text
//! (accept) → awaiting_account ─(account registered)→ pending ─transfer→ sent
//!                                                      ↑ unreachable: retried later, same key
//!                                                      └ refused → failed ─(account changed)→ pending
//! ```
//! The payout rows are written in the acceptance's transaction, so a crash can lose no
//! payout. Transfers are made after that commit, outside any transaction, each with an
//! idempotency key derived from the milestone, the beneficiary and the destination's
//! revision: a retry after a crash or a timeout never pays twice. A sent transfer posts
//! `payable → provider_balance` in the transaction that marks the payout sent, guarded so
//! that it posts once even when two servers send the same payout.

use crate::entities::{payout, payout_account};
use crate::gateway::{Gateway, GatewayError, NewTransfer};
use crate::ledger;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use std::collections::HashMap;
use techex_contracts::entities::{contract, milestone};
use techex_core::domain::PayoutStatus;
use techex_core::{Actor, new_id};
use techex_listings::{ListingsError, Result, audit, begin_write};
use utoipa::ToSchema;
use uuid::Uuid;

/// Who a payout account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A seller organization.
    Organization(Uuid),
    /// A broker, by user id.
    Broker(Uuid),
}

impl Owner {
    fn kind(self) -> &'static str {
        match self {
            Owner::Organization(_) => "organization",
            Owner::Broker(_) => "broker",
        }
    }

    fn id(self) -> Uuid {
        match self {
            Owner::Organization(id) | Owner::Broker(id) => id,
        }
    }
}

/// A payout as its parties see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutView {
    pub id: Uuid,
    /// `seller` or `broker`.
    pub beneficiary: String,
    pub amount_minor: i64,
    pub currency: String,
    /// `awaiting_account` (no connected account yet), `pending`, `sent`, `failed`.
    pub status: String,
    pub destination: Option<String>,
    pub transfer_id: Option<String>,
    pub transfer_group: String,
    pub failure_reason: Option<String>,
    pub attempts: i32,
}

impl From<payout::Model> for PayoutView {
    fn from(row: payout::Model) -> Self {
        PayoutView {
            id: row.id,
            beneficiary: row.beneficiary,
            amount_minor: row.amount_minor,
            currency: row.currency,
            status: row.status,
            destination: row.destination,
            transfer_id: row.transfer_id,
            transfer_group: row.transfer_group,
            failure_reason: row.failure_reason,
            attempts: row.attempts,
        }
    }
}

/// A connected account as its owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutAccountView {
    pub stripe_account_id: String,
    pub updated_at: DateTime<Utc>,
}

/// The transfer group of a contract's payments and payouts.
pub fn transfer_group(contract: Uuid) -> String {
    format!("techex-contract-{contract}")
}

/// The idempotency key of a payout's transfer.
pub fn idempotency_key(milestone: Uuid, beneficiary: &str, revision: i32) -> String {
    format!("techex-milestone-{milestone}-payout-{beneficiary}-{revision}")
}

/// Checks a Stripe connected account id (`acct_` and letters or digits).
pub fn valid_account_id(input: &str) -> std::result::Result<String, techex_core::Message> {
    let value = input.trim();
    let rest = value.strip_prefix("acct_").ok_or(techex_core::msg::STRIPE_ACCOUNT_INVALID)?;
    if rest.is_empty() || rest.len() > 64 || !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(techex_core::msg::STRIPE_ACCOUNT_INVALID.into());
    }
    Ok(value.to_string())
}

async fn account_of<C: ConnectionTrait>(db: &C, owner: Owner) -> Result<Option<payout_account::Model>> {
    Ok(payout_account::Entity::find()
        .filter(payout_account::Column::OwnerKind.eq(owner.kind()))
        .filter(payout_account::Column::OwnerId.eq(owner.id()))
        .one(db)
        .await?)
}

/// The connected account of an owner, if registered.
pub async fn get_account<C: ConnectionTrait>(db: &C, owner: Owner) -> Result<Option<PayoutAccountView>> {
    Ok(account_of(db, owner)
        .await?
        .map(|a| PayoutAccountView { stripe_account_id: a.stripe_account_id, updated_at: a.updated_at }))
}

/// Registers (or replaces) the connected account an owner is paid to. Payouts waiting for
/// an account, or refused by the previous one, are queued again towards the new one (with
/// a new revision, so the provider sees a new request, not a replay of the refusal),
/// claimed for the caller for a lease (see [`send_queued`]). Returns the ids of the
/// payouts now due.
pub async fn set_account<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    owner: Owner,
    stripe_account_id: &str,
) -> Result<(PayoutAccountView, Vec<Uuid>)> {
    let account = valid_account_id(stripe_account_id).map_err(|e| ListingsError::invalid("stripe_account_id", e))?;
    let now = Utc::now();
    let previous = account_of(db, owner).await?;
    payout_account::Entity::insert(payout_account::ActiveModel {
        id: Set(new_id()),
        owner_kind: Set(owner.kind().into()),
        owner_id: Set(owner.id()),
        stripe_account_id: Set(account.clone()),
        updated_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([payout_account::Column::OwnerKind, payout_account::Column::OwnerId])
            .update_columns([
                payout_account::Column::StripeAccountId,
                payout_account::Column::UpdatedBy,
                payout_account::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let beneficiary = match owner {
        Owner::Organization(_) => "seller",
        Owner::Broker(_) => "broker",
    };
    let waiting = payout::Entity::find()
        .filter(payout::Column::OwnerId.eq(owner.id()))
        .filter(payout::Column::Beneficiary.eq(beneficiary))
        .filter(payout::Column::Status.is_in([PayoutStatus::AwaitingAccount.as_str(), PayoutStatus::Failed.as_str()]))
        .all(db)
        .await?;
    let mut due = Vec::new();
    for row in waiting {
        // A refused transfer is retried under a new key; one never attempted keeps its own.
        let revision = if row.status == PayoutStatus::Failed.as_str() { row.revision + 1 } else { row.revision };
        payout::Entity::update_many()
            .col_expr(payout::Column::Destination, Expr::value(account.clone()))
            .col_expr(payout::Column::Revision, Expr::value(revision))
            .col_expr(payout::Column::Status, Expr::value(PayoutStatus::Pending.as_str()))
            .col_expr(payout::Column::FailureReason, Expr::value(Option::<String>::None))
            .col_expr(payout::Column::NextAttemptAt, Expr::value(now + Duration::seconds(LEASE_SECS)))
            .col_expr(payout::Column::UpdatedAt, Expr::value(now))
            .filter(payout::Column::Id.eq(row.id))
            .filter(payout::Column::Status.eq(row.status.clone()))
            .exec(db)
            .await?;
        due.push(row.id);
    }
    audit::record(
        db,
        Some(actor),
        "payout_account.set",
        owner.kind(),
        owner.id(),
        previous.map(|p| serde_json::json!({"stripe_account_id": p.stripe_account_id})),
        Some(serde_json::json!({"stripe_account_id": account, "payouts_queued": due.len()})),
    )
    .await?;
    Ok((PayoutAccountView { stripe_account_id: account, updated_at: now }, due))
}

/// Writes the payouts of an accepted milestone, in the acceptance's transaction: the
/// seller's share and, when there is one, the broker's commission. They are born claimed
/// by the accepting server for a lease, so the sweepers leave them to it (see
/// [`send_queued`]); if it dies first, the lease lapses and a sweeper sends them.
pub async fn schedule<C: ConnectionTrait>(
    db: &C,
    c: &contract::Model,
    ms: &milestone::Model,
    seller_amount: i64,
    broker_commission: i64,
) -> Result<Vec<Uuid>> {
    let mut shares = vec![("seller", Owner::Organization(c.seller_org_id), seller_amount)];
    if let Some(broker) = c.broker_id.filter(|_| broker_commission > 0) {
        shares.push(("broker", Owner::Broker(broker), broker_commission));
    }
    let now = Utc::now();
    let mut ids = Vec::new();
    for (beneficiary, owner, amount) in shares.into_iter().filter(|(_, _, amount)| *amount > 0) {
        let destination = account_of(db, owner).await?.map(|a| a.stripe_account_id);
        let ledger_account = match owner {
            Owner::Organization(id) => ledger::seller_payable(id),
            Owner::Broker(id) => ledger::broker_payable(id),
        };
        let id = new_id();
        payout::ActiveModel {
            id: Set(id),
            milestone_id: Set(ms.id),
            contract_id: Set(c.id),
            beneficiary: Set(beneficiary.into()),
            owner_id: Set(owner.id()),
            ledger_account: Set(ledger_account),
            amount_minor: Set(amount),
            currency: Set(ms.currency.clone()),
            transfer_group: Set(transfer_group(c.id)),
            revision: Set(1),
            status: Set(if destination.is_some() {
                PayoutStatus::Pending.as_str()
            } else {
                PayoutStatus::AwaitingAccount.as_str()
            }
            .into()),
            destination: Set(destination),
            transfer_id: Set(None),
            failure_reason: Set(None),
            attempts: Set(0),
            next_attempt_at: Set(now + Duration::seconds(LEASE_SECS)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await
        .map_err(|e| {
            ListingsError::from_db_unique(e, techex_core::msg::REFUSED_THE_PAYOUTS_OF_THIS_MILESTONE_ALREADY_EXIST)
        })?;
        ids.push(id);
    }
    Ok(ids)
}

/// The payouts of a milestone.
pub async fn of_milestone<C: ConnectionTrait>(db: &C, milestone_id: Uuid) -> Result<Vec<PayoutView>> {
    Ok(payout::Entity::find()
        .filter(payout::Column::MilestoneId.eq(milestone_id))
        .order_by_asc(payout::Column::Beneficiary)
        .all(db)
        .await?
        .into_iter()
        .map(PayoutView::from)
        .collect())
}

/// How long to wait before trying an unreachable provider again: doubling from 5 s, at
/// most an hour.
fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(0, 10)).unwrap_or(10);
    Duration::seconds((5_i64 << exponent).min(3600))
}

/// What sending one payout did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Sent(String),
    AlreadySent,
    Refused(String),
    RetryLater(String),
    NotDue,
}

/// How long a server that claimed a payout has to send it before another may.
const LEASE_SECS: i64 = 60;

/// Sends one pending payout: the transfer, then (in one transaction) the payout marked
/// sent and the ledger journal `payable → provider_balance`, once. The payout is first
/// claimed for a minute (its next attempt moved on), so the server that queued it and the
/// sweepers do not all call the provider at once; `force` (reconcile) claims it even
/// while it waits out a backoff. A claim that dies with its process lapses, and the retry
/// uses the same idempotency key.
pub async fn send(db: &DatabaseConnection, gateway: &dyn Gateway, id: Uuid, force: bool) -> Result<Sent> {
    let Some(row) = payout::Entity::find_by_id(id).one(db).await? else {
        return Ok(Sent::NotDue);
    };
    if row.status == PayoutStatus::Sent.as_str() {
        return Ok(Sent::AlreadySent);
    }
    let Some(destination) = row.destination.clone().filter(|_| row.status == PayoutStatus::Pending.as_str()) else {
        return Ok(Sent::NotDue);
    };
    let now = Utc::now();
    let mut claim = payout::Entity::update_many()
        .col_expr(payout::Column::NextAttemptAt, Expr::value(now + Duration::seconds(LEASE_SECS)))
        .filter(payout::Column::Id.eq(row.id))
        .filter(payout::Column::Status.eq(PayoutStatus::Pending.as_str()))
        .filter(payout::Column::Revision.eq(row.revision));
    if !force {
        claim = claim.filter(payout::Column::NextAttemptAt.lte(now));
    }
    if claim.exec(db).await?.rows_affected == 0 {
        return Ok(Sent::NotDue);
    }
    let result = gateway
        .create_transfer(NewTransfer {
            amount_minor: row.amount_minor,
            currency: row.currency.clone(),
            destination: destination.clone(),
            transfer_group: row.transfer_group.clone(),
            metadata: HashMap::from([
                ("techex_milestone".to_string(), row.milestone_id.to_string()),
                ("techex_contract".to_string(), row.contract_id.to_string()),
                ("techex_beneficiary".to_string(), row.beneficiary.clone()),
            ]),
            idempotency_key: idempotency_key(row.milestone_id, &row.beneficiary, row.revision),
        })
        .await;
    let transaction = begin_write(db).await?;
    let now = Utc::now();
    let outcome = match result {
        Ok(transfer) => {
            let marked = payout::Entity::update_many()
                .col_expr(payout::Column::Status, Expr::value(PayoutStatus::Sent.as_str()))
                .col_expr(payout::Column::TransferId, Expr::value(transfer.id.clone()))
                .col_expr(payout::Column::FailureReason, Expr::value(Option::<String>::None))
                .col_expr(payout::Column::Attempts, Expr::value(row.attempts + 1))
                .col_expr(payout::Column::UpdatedAt, Expr::value(now))
                .filter(payout::Column::Id.eq(row.id))
                .filter(payout::Column::Status.eq(PayoutStatus::Pending.as_str()))
                .filter(payout::Column::Revision.eq(row.revision))
                .exec(&transaction)
                .await?;
            if marked.rows_affected == 0 {
                // Another server recorded this very transfer (same key) first.
                transaction.rollback().await?;
                return Ok(Sent::AlreadySent);
            }
            ledger::post(
                &transaction,
                "payout",
                &row.currency,
                Some(row.contract_id),
                Some(row.milestone_id),
                &[(row.ledger_account.clone(), row.amount_minor), (ledger::PROVIDER.into(), -row.amount_minor)],
            )
            .await?;
            audit::record(
                &transaction,
                None,
                "payout.sent",
                "milestone",
                row.milestone_id,
                None,
                Some(serde_json::json!({"beneficiary": row.beneficiary, "amount_minor": row.amount_minor,
                    "destination": destination, "transfer": transfer.id})),
            )
            .await?;
            Sent::Sent(transfer.id)
        }
        Err(GatewayError::Refused(message)) => {
            payout::Entity::update_many()
                .col_expr(payout::Column::Status, Expr::value(PayoutStatus::Failed.as_str()))
                .col_expr(payout::Column::FailureReason, Expr::value(message.clone()))
                .col_expr(payout::Column::Attempts, Expr::value(row.attempts + 1))
                .col_expr(payout::Column::UpdatedAt, Expr::value(now))
                .filter(payout::Column::Id.eq(row.id))
                .filter(payout::Column::Status.eq(PayoutStatus::Pending.as_str()))
                .filter(payout::Column::Revision.eq(row.revision))
                .exec(&transaction)
                .await?;
            audit::record(
                &transaction,
                None,
                "payout.refused",
                "milestone",
                row.milestone_id,
                None,
                Some(serde_json::json!({"beneficiary": row.beneficiary, "reason": message})),
            )
            .await?;
            Sent::Refused(message)
        }
        Err(other) => {
            let message = other.to_string();
            payout::Entity::update_many()
                .col_expr(payout::Column::FailureReason, Expr::value(message.clone()))
                .col_expr(payout::Column::Attempts, Expr::value(row.attempts + 1))
                .col_expr(payout::Column::NextAttemptAt, Expr::value(now + backoff(row.attempts)))
                .col_expr(payout::Column::UpdatedAt, Expr::value(now))
                .filter(payout::Column::Id.eq(row.id))
                .filter(payout::Column::Status.eq(PayoutStatus::Pending.as_str()))
                .exec(&transaction)
                .await?;
            Sent::RetryLater(message)
        }
    };
    transaction.commit().await?;
    Ok(outcome)
}

/// Sends the given payouts, logging (not failing on) what the provider says: a payout
/// that could not be sent stays queued for the sweeper.
pub async fn send_all(db: &DatabaseConnection, gateway: &dyn Gateway, ids: &[Uuid]) {
    for id in ids {
        match send(db, gateway, *id, false).await {
            Ok(Sent::RetryLater(reason)) => tracing::warn!(payout = %id, %reason, "payout deferred"),
            Ok(Sent::Refused(reason)) => tracing::warn!(payout = %id, %reason, "payout refused"),
            Ok(outcome) => tracing::debug!(payout = %id, ?outcome, "payout"),
            Err(error) => tracing::error!(payout = %id, %error, "payout failed"),
        }
    }
}

/// Sends the payouts this server has just queued (and so holds the lease of): the
/// sweepers wait for the lease, so the caller's answer says what became of them. What
/// cannot be sent yet stays queued for the sweeper.
pub async fn send_queued(db: &DatabaseConnection, gateway: &dyn Gateway, ids: &[Uuid]) {
    for id in ids {
        match send(db, gateway, *id, true).await {
            Ok(Sent::RetryLater(reason)) => tracing::warn!(payout = %id, %reason, "payout deferred"),
            Ok(Sent::Refused(reason)) => tracing::warn!(payout = %id, %reason, "payout refused"),
            Ok(outcome) => tracing::debug!(payout = %id, ?outcome, "payout"),
            Err(error) => tracing::error!(payout = %id, %error, "payout failed"),
        }
    }
}

/// The pending payouts whose time has come (oldest first).
pub async fn due(db: &DatabaseConnection, limit: u64) -> Result<Vec<Uuid>> {
    Ok(payout::Entity::find()
        .select_only()
        .column(payout::Column::Id)
        .filter(payout::Column::Status.eq(PayoutStatus::Pending.as_str()))
        .filter(payout::Column::NextAttemptAt.lte(Utc::now()))
        .order_by_asc(payout::Column::NextAttemptAt)
        .limit(limit)
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// The payouts not yet sent, for the reconciliation report.
pub async fn unsent(db: &DatabaseConnection) -> Result<Vec<payout::Model>> {
    Ok(payout::Entity::find()
        .filter(payout::Column::Status.ne(PayoutStatus::Sent.as_str()))
        .order_by_asc(payout::Column::CreatedAt)
        .limit(10_000)
        .all(db)
        .await?)
}

/// Sends due payouts every `interval` until the process stops (every `serve` runs one;
/// the idempotency keys and the guarded update make concurrent sweepers harmless).
pub async fn run(db: DatabaseConnection, gateway: std::sync::Arc<dyn Gateway>, interval: std::time::Duration) {
    techex_listings::sweeper::every("payouts", "due payouts sent", interval, None, || async {
        let ids = due(&db, 100).await?;
        send_all(&db, gateway.as_ref(), &ids).await;
        Ok::<usize, ListingsError>(ids.len())
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_checked() {
        assert_eq!(valid_account_id(" acct_1Abc "), Ok("acct_1Abc".to_string()));
        for bad in ["", "acct_", "cus_123", "acct_12 3", "acct_é", &format!("acct_{}", "a".repeat(65))] {
            assert!(valid_account_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(0), Duration::seconds(5));
        assert_eq!(backoff(1), Duration::seconds(10));
        assert_eq!(backoff(30), Duration::seconds(3600));
    }

    #[test]
    fn keys_change_with_the_revision() {
        let id = Uuid::nil();
        assert_ne!(idempotency_key(id, "seller", 1), idempotency_key(id, "seller", 2));
        assert_ne!(idempotency_key(id, "seller", 1), idempotency_key(id, "broker", 1));
    }
}
