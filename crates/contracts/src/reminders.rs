//! Reminders of milestone payments. Every `serve` process sweeps, on the deadline
//! sweeper's cadence, the unpaid milestones of registered contracts whose due date has
//! come: the buyer's members are told a payment is due; once it is unpaid longer than the
//! contract's cure period, the buyer is told it is overdue and the seller's members that
//! they may terminate by notice (Civil Code art. 563). Each notification has a key of its
//! milestone and step, so any number of sweeps and processes tell each person once.

use crate::Result;
use crate::contracts::{ContractNotice, current_content, notify_organization};
use crate::entities::{contract, milestone};
use chrono::{NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashMap;
use techex_core::domain::{ContractStatus, MilestoneStatus};
use techex_core::msg;

/// What one sweep sent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReminderReport {
    /// New "payment due" notifications.
    pub due: u32,
    /// New "overdue past the cure period" notifications (buyer and seller).
    pub overdue: u32,
}

impl techex_listings::sweeper::Swept for ReminderReport {
    fn did_something(&self) -> bool {
        !self.is_empty()
    }
}

impl ReminderReport {
    pub fn is_empty(&self) -> bool {
        self.due == 0 && self.overdue == 0
    }
}

fn yuan(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// Sends the reminders due on `today`.
pub async fn sweep<C: ConnectionTrait>(db: &C, today: NaiveDate) -> Result<ReminderReport> {
    let due = milestone::Entity::find()
        .filter(
            milestone::Column::Status
                .is_in([MilestoneStatus::Scheduled.as_str(), MilestoneStatus::PaymentPending.as_str()]),
        )
        .filter(milestone::Column::DueDate.lte(today))
        .all(db)
        .await?;
    let mut report = ReminderReport::default();
    let mut contracts: HashMap<uuid::Uuid, Option<(contract::Model, i32)>> = HashMap::new();
    for m in due {
        let Some(due_date) = m.due_date else { continue };
        if let std::collections::hash_map::Entry::Vacant(slot) = contracts.entry(m.contract_id) {
            let found = match contract::Entity::find_by_id(m.contract_id).one(db).await? {
                Some(c) if ContractStatus::parse(&c.status).is_ok_and(ContractStatus::is_in_force) => {
                    let cure = current_content(db, &c).await?.0.clauses.cure_period_days;
                    Some((c, cure))
                }
                _ => None,
            };
            slot.insert(found);
        }
        let Some(Some((contract, cure))) = contracts.get(&m.contract_id) else { continue };
        let worded = |key: techex_core::MessageKey| {
            key.with("milestone", m.title.as_str())
                .with("amount", yuan(m.amount_minor))
                .with("currency", m.currency.as_str())
                .with("due", due_date.to_string())
        };
        let notice = ContractNotice {
            kind: "milestone_due",
            message: worded(msg::NOTICE_MILESTONE_DUE),
            body: None,
            key: format!("milestone:{}:due", m.id),
        };
        report.due += notify_organization(db, contract, contract.buyer_org_id, &notice).await?;
        if crate::lifecycle::overdue_past_cure(Some(due_date), today, *cure) {
            let to_buyer = ContractNotice {
                kind: "milestone_overdue",
                message: worded(msg::NOTICE_MILESTONE_OVERDUE),
                body: None,
                key: format!("milestone:{}:overdue", m.id),
            };
            let to_seller = ContractNotice {
                kind: "milestone_overdue",
                message: worded(msg::NOTICE_MILESTONE_OVERDUE_SELLER),
                body: None,
                key: format!("milestone:{}:overdue", m.id),
            };
            report.overdue += notify_organization(db, contract, contract.buyer_org_id, &to_buyer).await?;
            report.overdue += notify_organization(db, contract, contract.seller_org_id, &to_seller).await?;
        }
    }
    Ok(report)
}

/// Sweeps every `every` until `stop` turns true.
pub async fn run(db: DatabaseConnection, every: std::time::Duration, stop: tokio::sync::watch::Receiver<bool>) {
    techex_listings::sweeper::every("payment_reminders", "payment reminders sent", every, Some(stop), || {
        sweep(&db, Utc::now().date_naive())
    })
    .await;
}
