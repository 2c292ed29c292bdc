//! The transitions of a contract in force and of its milestones that other crates cause:
//! payments moves money and calls these, never writing a contract or a milestone itself.
//! Each guarded update checks the row it changed, and each transition is audited here.
//!
//! ```text
//! contract:  registered ─(first milestone paid)→ performing ─(every milestone settled)→ completed
//! milestone: scheduled ⇄ payment_pending → paid → accepted | refunded;  scheduled → cancelled
//! ```

use crate::entities::{contract, milestone};
use crate::{ListingsError, Result};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use techex_core::Actor;
use techex_core::domain::{ContractStatus, MilestoneStatus};
use techex_listings::audit;
use techex_listings::versioned::Versioned;
use uuid::Uuid;

/// Whether a payment due on `due` is, on `today`, unpaid longer than the contract's cure
/// period: the buyer is in default and the seller may terminate by notice (Civil Code
/// art. 563). A milestone without a due date is never overdue. The one statement of the
/// rule: reminders, the notice, the payments that notice cancels and the dashboard use it.
pub fn overdue_past_cure(due: Option<NaiveDate>, today: NaiveDate, cure_period_days: i32) -> bool {
    due.is_some_and(|due| (today - due).num_days() > i64::from(cure_period_days))
}

/// A milestone's status as stored; an unknown one is an internal error, not a guess.
pub fn milestone_status(ms: &milestone::Model) -> Result<MilestoneStatus> {
    MilestoneStatus::parse(&ms.status)
        .map_err(|_| ListingsError::Internal(format!("milestone {} has an unknown status {:?}", ms.id, ms.status)))
}

/// A contract's status as stored.
pub fn contract_status(c: &contract::Model) -> Result<ContractStatus> {
    ContractStatus::parse(&c.status)
        .map_err(|_| ListingsError::Internal(format!("contract {} has an unknown status {:?}", c.id, c.status)))
}

/// Moves a milestone (as read, at its version) to `to`: 409 when the milestone's state
/// does not allow it, 412 when someone changed it since it was read.
pub async fn move_milestone<C: ConnectionTrait>(db: &C, ms: &milestone::Model, to: MilestoneStatus) -> Result<()> {
    let from = milestone_status(ms)?;
    if !from.can_become(to) {
        return Err(ListingsError::InvalidTransition { entity: "milestone", action: "move", state: ms.status.clone() });
    }
    let result = milestone::Entity::update_many()
        .col_expr(milestone::Column::Status, Expr::value(to.as_str()))
        .col_expr(milestone::Column::Version, Expr::value(ms.version + 1))
        .col_expr(milestone::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(milestone::Column::Id.eq(ms.id))
        .filter(milestone::Column::Version.eq(ms.version))
        .filter(milestone::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        let current = milestone::Entity::find_by_id(ms.id).one(db).await?.map_or(ms.version + 1, |m| m.version);
        return Err(ListingsError::Stale { given: ms.version, current });
    }
    Ok(())
}

/// The first payment of a registered contract arrived: it is now being performed. Does
/// nothing for a contract already performing (or beyond).
pub async fn begin_performance<C: ConnectionTrait>(db: &C, contract_id: Uuid) -> Result<()> {
    let c = contract::Entity::find_by_id(contract_id).one(db).await?.ok_or(ListingsError::NotFound("contract"))?;
    if contract_status(&c)? != ContractStatus::Registered {
        return Ok(());
    }
    change_status(db, None, &c, ContractStatus::Performing, "contract.perform").await
}

/// Completes a contract in force once every one of its milestones is settled (accepted or
/// refunded) and it has no running royalty; otherwise does nothing.
pub async fn complete_if_settled<C: ConnectionTrait>(db: &C, contract_id: Uuid) -> Result<()> {
    let settled: Vec<&str> = MilestoneStatus::ALL.iter().filter(|s| s.is_settled()).map(|s| s.as_str()).collect();
    let open = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(contract_id))
        .filter(milestone::Column::Status.is_not_in(settled))
        .count(db)
        .await?;
    if open > 0 {
        return Ok(());
    }
    let c = contract::Entity::find_by_id(contract_id).one(db).await?.ok_or(ListingsError::NotFound("contract"))?;
    if !contract_status(&c)?.is_in_force() {
        return Ok(());
    }
    // A running royalty keeps the contract in force for its term: settling what is due
    // so far does not complete it.
    if crate::contracts::content_of(db, &c).await?.terms.royalty_bps.is_some_and(|r| r > 0) {
        return Ok(());
    }
    change_status(db, None, &c, ContractStatus::Completed, "contract.complete").await
}

/// A guarded status change of a contract (through the one versioned save) with its
/// audit entry; 412 when the contract changed since it was read.
async fn change_status<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    c: &contract::Model,
    to: ContractStatus,
    action: &str,
) -> Result<()> {
    let active = contract::ActiveModel {
        status: Set(to.as_str().to_string()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    let rows: Versioned<contract::Entity> =
        Versioned { entity: "contract", id: contract::Column::Id, version: contract::Column::Version };
    let changed = rows.save(db, active, c.id, c.version).await?;
    audit::record(
        db,
        actor,
        action,
        "contract",
        c.id,
        Some(json!({"status": c.status, "version": c.version})),
        Some(json!({"status": changed.status, "version": changed.version})),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
    }

    #[test]
    fn overdue_only_after_the_whole_cure_period() {
        assert!(!overdue_past_cure(Some(day(1)), day(31), 30), "30 days late with 30 days to cure is not yet default");
        assert!(overdue_past_cure(Some(day(1)), day(31), 29));
        assert!(!overdue_past_cure(None, day(31), 0), "no due date, never overdue");
        assert!(!overdue_past_cure(Some(day(10)), day(1), 0), "not yet due");
    }

    #[test]
    fn milestones_move_only_along_their_lifecycle() {
        use MilestoneStatus::*;
        assert!(Scheduled.can_become(PaymentPending) && PaymentPending.can_become(Scheduled));
        assert!(Scheduled.can_become(Paid) && PaymentPending.can_become(Paid));
        assert!(Paid.can_become(Accepted) && Paid.can_become(Refunded));
        assert!(Scheduled.can_become(Cancelled));
        for settled in [Accepted, Refunded, Cancelled] {
            assert!(MilestoneStatus::ALL.iter().all(|to| !settled.can_become(*to)), "{settled} is final");
        }
        assert!(!Paid.can_become(Cancelled), "money held is refunded, never dropped");
        assert!(!PaymentPending.can_become(Cancelled), "an open intent is cancelled first");
    }
}
