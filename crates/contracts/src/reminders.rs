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

/// What one sweep of royalty reports sent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LateReports {
    /// New "your royalty report is late" notifications.
    pub late: u32,
}

impl techex_listings::sweeper::Swept for LateReports {
    fn did_something(&self) -> bool {
        self.late > 0
    }
}

/// Tells the licensees of contracts in force with a running royalty whose next report
/// is past its due day (30 days after the period) that it is late; once per period.
pub async fn sweep_late_reports<C: ConnectionTrait>(db: &C, today: NaiveDate) -> Result<LateReports> {
    use crate::entities::royalty_report;
    use crate::royalties::RoyaltyTerms;
    use techex_core::domain::RoyaltyReportStatus;
    let in_force = contract::Entity::find()
        .filter(
            contract::Column::Status.is_in([ContractStatus::Registered.as_str(), ContractStatus::Performing.as_str()]),
        )
        .all(db)
        .await?;
    let mut report = LateReports::default();
    for c in in_force {
        let content = current_content(db, &c).await?.0;
        let Some(terms) = RoyaltyTerms::of(&content, &c) else { continue };
        let filed = royalty_report::Entity::find()
            .filter(royalty_report::Column::ContractId.eq(c.id))
            .filter(
                royalty_report::Column::Status
                    .is_in([RoyaltyReportStatus::Submitted.as_str(), RoyaltyReportStatus::Accepted.as_str()]),
            )
            .all(db)
            .await?;
        let Some(late) = terms.periods().into_iter().find(|p| !filed.iter().any(|r| r.period == p.code)) else {
            continue;
        };
        if late.due_on() >= today {
            continue;
        }
        let notice = ContractNotice {
            kind: "royalty_report_late",
            message: msg::NOTICE_ROYALTY_REPORT_LATE
                .with("period", late.code.clone())
                .with("due", late.due_on().to_string()),
            body: None,
            key: format!("royalty:{}:late", late.code),
        };
        report.late += notify_organization(db, &c, c.buyer_org_id, &notice).await?;
    }
    Ok(report)
}

/// How often late royalty reports are looked for (they are late by the day).
const LATE_REPORT_SWEEP: std::time::Duration = std::time::Duration::from_secs(3600);

/// Sweeps payment reminders every `every`, and late royalty reports hourly, until `stop`
/// turns true.
pub async fn run(db: DatabaseConnection, every: std::time::Duration, stop: tokio::sync::watch::Receiver<bool>) {
    let late_db = db.clone();
    let late_stop = stop.clone();
    let royalties = techex_listings::sweeper::every(
        "royalty_reminders",
        "late royalty reports reminded",
        LATE_REPORT_SWEEP,
        Some(late_stop),
        move || {
            let db = late_db.clone();
            async move { sweep_late_reports(&db, Utc::now().date_naive()).await }
        },
    );
    let payments =
        techex_listings::sweeper::every("payment_reminders", "payment reminders sent", every, Some(stop), || {
            sweep(&db, Utc::now().date_naive())
        });
    tokio::join!(royalties, payments);
}
