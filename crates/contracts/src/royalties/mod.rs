//! Running royalties (Civil Code art. 846): a contract priced with a royalty on the
//! licensee's net sales is reported period by period — quarters, or years where the open
//! licence says so — from the day it was signed until its term ends. The licensee files
//! net sales (and units) once a period has ended, periods in order; techex computes the
//! royalty (rate × net sales, rounded down to the fen), credits the entry fee against it
//! when the contract says so, and at the last period of each calendar year trues up to the
//! annual minimum (pro rata for a year the contract covers in part). The licensor accepts
//! the report — it becomes a milestone of the contract, due 30 days after the period,
//! paid through Stripe like any other and released to the licensor (less the broker's
//! commission) once paid — or disputes it with a reason; a corrected report supersedes a
//! disputed one.
//!
//! ```text
//! submitted ─accept→ accepted (a milestone when anything is due)
//!     └─dispute(reason)→ disputed ─a corrected report filed→ superseded
//! ```

use crate::Result;
use crate::content::Content;
use crate::contracts::{ContractNotice, ContractRole, current_content, load, notify_organization};
use crate::entities::{contract, milestone, royalty_report};
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QueryTrait, Set};
use serde::{Deserialize, Serialize};
use techex_core::domain::{ContractStatus, MilestoneStatus, RoyaltyBase, RoyaltyPeriod, RoyaltyReportStatus};
use techex_core::money::{MAX_AMOUNT_MINOR, format_major};
use techex_core::text::required_text;
use techex_core::{Actor, FieldErrors, Message, msg, new_id};
use techex_listings::error::check_version;
use techex_listings::versioned::Versioned;
use techex_listings::{ListingsError, audit};
use utoipa::ToSchema;
use uuid::Uuid;

mod periods;
mod view;

pub use periods::*;
pub use view::*;

const ENTITY: &str = "royalty_report";

/// A report filed by the licensee.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileReport {
    /// `2027-Q1` (quarters) or `2027` (years), as the contract reports.
    #[schema(example = "2027-Q1")]
    pub period: String,
    /// Net sales of the licensed products in the period, minor units (fen).
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub net_sales_minor: i64,
    /// The period's profit on the licensed products, minor units: required when the
    /// royalty is a share of profit (a loss is negative and owes nothing), refused
    /// otherwise.
    #[serde(default)]
    #[schema(minimum = -10_000_000_000_000_i64, maximum = 10_000_000_000_000_i64)]
    pub profit_minor: Option<i64>,
    /// Units sold, if counted.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub units: Option<i64>,
}

fn no_royalty(model: &contract::Model) -> ListingsError {
    ListingsError::InvalidTransition { entity: "contract", action: "report royalties on", state: model.status.clone() }
}

/// The contract and its royalty terms, for a party, the broker or the center.
async fn royalty_contract<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    lock: bool,
) -> Result<(contract::Model, ContractRole, RoyaltyTerms)> {
    let (model, role) = load(db, actor, id, lock).await?;
    let (content, _) = current_content(db, &model).await?;
    let terms = RoyaltyTerms::of(&content, &model).ok_or_else(|| no_royalty(&model))?;
    Ok((model, role, terms))
}

async fn reports_of<C: ConnectionTrait>(db: &C, contract_id: Uuid) -> Result<Vec<royalty_report::Model>> {
    Ok(royalty_report::Entity::find()
        .filter(royalty_report::Column::ContractId.eq(contract_id))
        .order_by_asc(royalty_report::Column::PeriodStart)
        .order_by_asc(royalty_report::Column::CreatedAt)
        .all(db)
        .await?)
}

fn live(row: &royalty_report::Model) -> bool {
    row.status == RoyaltyReportStatus::Submitted.as_str() || row.status == RoyaltyReportStatus::Accepted.as_str()
}

/// The first period without an accepted report.
fn next_unaccepted(terms: &RoyaltyTerms, reports: &[royalty_report::Model]) -> Option<Period> {
    terms
        .periods()
        .into_iter()
        .find(|p| !reports.iter().any(|r| r.period == p.code && r.status == RoyaltyReportStatus::Accepted.as_str()))
}

/// The licensee files (or, after a dispute, corrects) the report of a period that has
/// ended; periods go in order, each accepted before the next is filed.
pub async fn file<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    contract_id: Uuid,
    input: FileReport,
) -> Result<royalty_report::Model> {
    let (model, role, terms) = royalty_contract(db, actor, contract_id, true).await?;
    if role != ContractRole::Buyer {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_THE_LICENSEE_REPORTS_ITS_SALES.into()));
    }
    if !ContractStatus::parse(&model.status).is_ok_and(ContractStatus::is_in_force) {
        return Err(no_royalty(&model));
    }
    let mut errors = FieldErrors::new();
    if !(0..=MAX_AMOUNT_MINOR).contains(&input.net_sales_minor) {
        errors.add(
            "net_sales_minor",
            if input.net_sales_minor < 0 { msg::AMOUNT_NEGATIVE.into() } else { Message::from(msg::AMOUNT_TOO_LARGE) },
        );
    }
    match (terms.base, input.profit_minor) {
        (RoyaltyBase::Profit, None) => errors.add("profit_minor", msg::ROYALTY_PROFIT_REQUIRED),
        (RoyaltyBase::Profit, Some(profit)) if profit.abs() > MAX_AMOUNT_MINOR => {
            errors.add("profit_minor", msg::AMOUNT_TOO_LARGE)
        }
        (RoyaltyBase::NetSales, Some(_)) => errors.add("profit_minor", msg::ROYALTY_PROFIT_NOT_BASE),
        _ => {}
    }
    if input.units.is_some_and(|u| u < 0) {
        errors.add("units", msg::NUMBER_OUT_OF_RANGE.with("min", 0).with("max", i64::MAX));
    }
    let today = Utc::now().date_naive();
    let reports = reports_of(db, model.id).await?;
    let period = match Period::parse(&input.period, terms.period) {
        Err(message) => {
            errors.add("period", message);
            None
        }
        Ok(period) => {
            let in_term = terms.periods().iter().any(|p| p.code == period.code);
            if !in_term {
                let last = terms.periods().last().map_or(terms.end, |p| p.end);
                errors.add(
                    "period",
                    msg::ROYALTY_PERIOD_OUTSIDE_TERM
                        .with("start", Period::containing(terms.start, terms.period).start.to_string())
                        .with("end", last.to_string()),
                );
            } else if period.end >= today {
                errors.add("period", msg::ROYALTY_PERIOD_NOT_ENDED.with("end", period.end.to_string()));
            } else if let Some(first) = next_unaccepted(&terms, &reports).filter(|p| p.start < period.start) {
                errors.add("period", msg::ROYALTY_EARLIER_PERIOD_FIRST.with("period", first.code));
            }
            Some(period)
        }
    };
    errors.into_result()?;
    let Some(period) = period else { return Err(ListingsError::Internal("a period without errors".into())) };
    if reports.iter().any(|r| r.period == period.code && live(r)) {
        return Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_PERIOD_REPORTED.with("period", period.code.clone()),
        ));
    }
    let earlier: Vec<Earlier> = reports
        .iter()
        .filter(|r| r.status == RoyaltyReportStatus::Accepted.as_str() && r.period_start < period.start)
        .map(|r| Earlier { year: r.period_start.year(), royalty_minor: r.royalty_minor, credit_minor: r.credit_minor })
        .collect();
    let computed = compute(&terms, &period, terms.base_amount(input.net_sales_minor, input.profit_minor), &earlier);
    let disputed = reports
        .iter()
        .filter(|r| r.period == period.code && r.status == RoyaltyReportStatus::Disputed.as_str())
        .max_by_key(|r| r.created_at);
    let now = Utc::now();
    let created = royalty_report::ActiveModel {
        id: Set(new_id()),
        contract_id: Set(model.id),
        period: Set(period.code.clone()),
        period_start: Set(period.start),
        period_end: Set(period.end),
        net_sales_minor: Set(input.net_sales_minor),
        profit_minor: Set(input.profit_minor),
        units: Set(input.units),
        currency: Set(model.currency.clone()),
        royalty_bps: Set(terms.bps),
        royalty_minor: Set(computed.royalty_minor),
        credit_minor: Set(computed.credit_minor),
        true_up_minor: Set(computed.true_up_minor),
        amount_due_minor: Set(computed.amount_due_minor),
        due_on: Set(period.due_on()),
        status: Set(RoyaltyReportStatus::Submitted.as_str().into()),
        dispute_reason: Set(None),
        supersedes_id: Set(disputed.map(|d| d.id)),
        milestone_id: Set(None),
        live_key: Set(Some(format!("{}:{}", model.id, period.code))),
        submitted_by: Set(actor.user_id),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(|e| ListingsError::from_db_unique(e, techex_core::msg::REFUSED_THIS_PERIOD_IS_ALREADY_REPORTED))?;
    if let Some(old) = disputed {
        let mut active: royalty_report::ActiveModel = old.clone().into();
        active.status = Set(RoyaltyReportStatus::Superseded.as_str().into());
        save(db, active, old).await?;
    }
    audit::record(db, Some(actor), "royalty.report", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    let notice = ContractNotice {
        kind: "royalty_reported",
        message: msg::NOTICE_ROYALTY_REPORTED.with("period", period.code.clone()),
        body: None,
        key: format!("royalty:{}", created.id),
    };
    notify_organization(db, &model, model.seller_org_id, &notice).await?;
    Ok(created)
}

fn snapshot(row: &royalty_report::Model) -> serde_json::Value {
    serde_json::json!({
        "status": row.status, "version": row.version, "period": row.period, "net_sales_minor": row.net_sales_minor, "profit_minor": row.profit_minor,
        "royalty_minor": row.royalty_minor, "credit_minor": row.credit_minor, "true_up_minor": row.true_up_minor,
        "amount_due_minor": row.amount_due_minor, "dispute_reason": row.dispute_reason, "milestone_id": row.milestone_id,
    })
}

const ROWS: Versioned<royalty_report::Entity> =
    Versioned { entity: ENTITY, id: royalty_report::Column::Id, version: royalty_report::Column::Version };

async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: royalty_report::ActiveModel,
    current: &royalty_report::Model,
) -> Result<royalty_report::Model> {
    active.updated_at = Set(Utc::now());
    ROWS.save(db, active, current.id, current.version).await
}

/// A report and its contract, for the licensor's decision.
async fn for_decision<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    action: &'static str,
) -> Result<(royalty_report::Model, contract::Model)> {
    let row = royalty_report::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    let (model, role) = load(db, actor, row.contract_id, true).await.map_err(|_| ListingsError::NotFound(ENTITY))?;
    if role != ContractRole::Seller {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_THE_LICENSOR_ACCEPTS_OR_DISPUTES_A_ROYALTY.into(),
        ));
    }
    let row = royalty_report::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    check_version(expected_version, row.version)?;
    if row.status != RoyaltyReportStatus::Submitted.as_str() {
        return Err(ListingsError::InvalidTransition { entity: ENTITY, action, state: row.status.clone() });
    }
    Ok((row, model))
}

/// The licensor accepts a report: what it owes becomes a milestone of the contract, due
/// 30 days after the period.
pub async fn accept<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<royalty_report::Model> {
    let (row, model) = for_decision(db, actor, id, expected_version, "accept").await?;
    let milestone_id = if row.amount_due_minor > 0 {
        let last = milestone::Entity::find()
            .filter(milestone::Column::ContractId.eq(model.id))
            .order_by_desc(milestone::Column::Sequence)
            .one(db)
            .await?
            .map_or(0, |m| m.sequence);
        let signed = model.signed_at.map_or(row.due_on, |s| s.date_naive());
        let now = Utc::now();
        let created = milestone::ActiveModel {
            id: Set(new_id()),
            contract_id: Set(model.id),
            sequence: Set(last + 1),
            title: Set(row.period.clone()),
            amount_minor: Set(row.amount_due_minor),
            currency: Set(row.currency.clone()),
            due_days_after_signing: Set(i32::try_from((row.due_on - signed).num_days().clamp(0, 36_600)).unwrap_or(0)),
            due_date: Set(Some(row.due_on)),
            acceptance_criteria: Set(None),
            status: Set(MilestoneStatus::Scheduled.as_str().into()),
            royalty_report_id: Set(Some(row.id)),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(db)
        .await?;
        Some(created.id)
    } else {
        None
    };
    let mut active: royalty_report::ActiveModel = row.clone().into();
    active.status = Set(RoyaltyReportStatus::Accepted.as_str().into());
    active.milestone_id = Set(milestone_id);
    active.decided_by = Set(Some(actor.user_id));
    active.decided_at = Set(Some(Utc::now()));
    let updated = save(db, active, &row).await?;
    audit::record(db, Some(actor), "royalty.accept", ENTITY, id, Some(snapshot(&row)), Some(snapshot(&updated)))
        .await?;
    let notice = ContractNotice {
        kind: "royalty_accepted",
        message: msg::NOTICE_ROYALTY_ACCEPTED
            .with("period", updated.period.clone())
            .with("amount", format_major(updated.amount_due_minor))
            .with("currency", updated.currency.clone())
            .with("due", updated.due_on.to_string()),
        body: None,
        key: format!("royalty:{}:accepted", updated.id),
    };
    notify_organization(db, &model, model.buyer_org_id, &notice).await?;
    Ok(updated)
}

/// The licensor disputes a report with a reason; the licensee files a corrected one.
pub async fn dispute<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<royalty_report::Model> {
    let reason = required_text(reason, 2000).map_err(|m| ListingsError::invalid("reason", m))?;
    let (row, model) = for_decision(db, actor, id, expected_version, "dispute").await?;
    let mut active: royalty_report::ActiveModel = row.clone().into();
    active.status = Set(RoyaltyReportStatus::Disputed.as_str().into());
    active.dispute_reason = Set(Some(reason.clone()));
    active.live_key = Set(None);
    active.decided_by = Set(Some(actor.user_id));
    active.decided_at = Set(Some(Utc::now()));
    let updated = save(db, active, &row).await?;
    audit::record(db, Some(actor), "royalty.dispute", ENTITY, id, Some(snapshot(&row)), Some(snapshot(&updated)))
        .await?;
    let notice = ContractNotice {
        kind: "royalty_disputed",
        message: msg::NOTICE_ROYALTY_DISPUTED.with("period", updated.period.clone()),
        body: Some(reason),
        key: format!("royalty:{}:disputed", updated.id),
    };
    notify_organization(db, &model, model.buyer_org_id, &notice).await?;
    Ok(updated)
}
