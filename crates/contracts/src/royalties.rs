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
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use techex_core::domain::{ContractStatus, MilestoneStatus, RoyaltyPeriod, RoyaltyReportStatus};
use techex_core::money::{MAX_AMOUNT_MINOR, format_major};
use techex_core::text::required_text;
use techex_core::{Actor, FieldErrors, Message, msg, new_id};
use techex_listings::error::check_version;
use techex_listings::versioned::Versioned;
use techex_listings::{ListingsError, audit};
use utoipa::ToSchema;
use uuid::Uuid;

const ENTITY: &str = "royalty_report";

/// Days after a period ends within which its royalty is reported and paid.
pub const DUE_DAYS: i64 = 30;

/// One reporting period: a calendar quarter or year, clipped to nothing (the first and
/// last periods of a contract are whole calendar periods; the minimum is prorated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub code: String,
    pub start: NaiveDate,
    /// The last day of the period.
    pub end: NaiveDate,
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

impl Period {
    /// The period of `kind` that contains `day`.
    pub fn containing(day: NaiveDate, kind: RoyaltyPeriod) -> Period {
        match kind {
            RoyaltyPeriod::Year => Period::year(day.year()),
            RoyaltyPeriod::Quarter => Period::quarter(day.year(), (day.month() - 1) / 3 + 1),
        }
    }

    fn year(year: i32) -> Period {
        Period { code: format!("{year}"), start: date(year, 1, 1), end: date(year, 12, 31) }
    }

    fn quarter(year: i32, q: u32) -> Period {
        let start = date(year, (q - 1) * 3 + 1, 1);
        let end = if q == 4 { date(year, 12, 31) } else { date(year, q * 3 + 1, 1).pred_opt().unwrap_or(start) };
        Period { code: format!("{year}-Q{q}"), start, end }
    }

    /// Reads `2027-Q1` (quarters) or `2027` (years).
    pub fn parse(code: &str, kind: RoyaltyPeriod) -> Result<Period, Message> {
        let invalid = || {
            let example = if kind == RoyaltyPeriod::Year { "2027" } else { "2027-Q1" };
            msg::ROYALTY_PERIOD_INVALID.with("example", example).with("kind", kind.as_str())
        };
        let code = code.trim();
        match kind {
            RoyaltyPeriod::Year => {
                let year: i32 = code.parse().map_err(|_| invalid())?;
                if !(1900..=9999).contains(&year) || code.len() != 4 {
                    return Err(invalid());
                }
                Ok(Period::year(year))
            }
            RoyaltyPeriod::Quarter => {
                let (year, q) = code.split_once("-Q").ok_or_else(invalid)?;
                let year: i32 = year.parse().map_err(|_| invalid())?;
                let q: u32 = q.parse().map_err(|_| invalid())?;
                if !(1900..=9999).contains(&year) || !(1..=4).contains(&q) || code.len() != 7 {
                    return Err(invalid());
                }
                Ok(Period::quarter(year, q))
            }
        }
    }

    /// The period after this one.
    pub fn next(&self, kind: RoyaltyPeriod) -> Period {
        Period::containing(self.end.succ_opt().unwrap_or(self.end), kind)
    }

    /// When its royalty falls due.
    pub fn due_on(&self) -> NaiveDate {
        self.end + chrono::Duration::days(DUE_DAYS)
    }
}

/// What a contract says about its running royalty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoyaltyTerms {
    pub bps: i32,
    pub minimum_minor: Option<i64>,
    pub entry_fee_minor: Option<i64>,
    /// Whether the entry fee is credited against the royalties.
    pub credited: bool,
    pub period: RoyaltyPeriod,
    /// The day the royalty starts (the contract's signature) and the day its term ends.
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl RoyaltyTerms {
    /// The royalty terms of a contract's content, from the day it was signed; `None`
    /// without a running royalty or a signature.
    pub fn of(content: &Content, model: &contract::Model) -> Option<RoyaltyTerms> {
        let bps = content.terms.royalty_bps.filter(|b| *b > 0)?;
        let start = model.signed_at?.date_naive();
        let period = content
            .open_licence
            .as_ref()
            .and_then(|o| o.royalty_period.as_deref())
            .and_then(|p| RoyaltyPeriod::parse(p).ok())
            .unwrap_or(RoyaltyPeriod::Quarter);
        let years = u32::try_from(content.terms.term_years.max(1)).unwrap_or(1);
        let end = start
            .with_year(start.year() + years as i32)
            .unwrap_or(start + chrono::Duration::days(365 * i64::from(years)));
        Some(RoyaltyTerms {
            bps,
            minimum_minor: content.terms.royalty_minimum_minor.filter(|m| *m > 0),
            entry_fee_minor: content.terms.lump_sum_minor.filter(|f| *f > 0),
            credited: content.open_licence.as_ref().is_some_and(|o| o.entry_fee_credited),
            period,
            start,
            end,
        })
    }

    /// Every period the royalty runs in, in order.
    pub fn periods(&self) -> Vec<Period> {
        let mut all = Vec::new();
        let mut current = Period::containing(self.start, self.period);
        while current.start < self.end && all.len() < 400 {
            let next = current.next(self.period);
            all.push(current);
            current = next;
        }
        all
    }

    /// The annual minimum owed for a calendar year: pro rata to the periods of that year
    /// the royalty runs in.
    fn minimum_for(&self, year: i32) -> i64 {
        let Some(minimum) = self.minimum_minor else { return 0 };
        let per_year: i64 = if self.period == RoyaltyPeriod::Year { 1 } else { 4 };
        let covered = self.periods().iter().filter(|p| p.start.year() == year).count() as i64;
        (i128::from(minimum) * i128::from(covered.min(per_year)) / i128::from(per_year)) as i64
    }
}

/// What one report owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Computed {
    pub royalty_minor: i64,
    pub credit_minor: i64,
    pub true_up_minor: i64,
    pub amount_due_minor: i64,
}

/// An accepted report of an earlier period, as the computation needs it.
#[derive(Debug, Clone, Copy)]
pub struct Earlier {
    pub year: i32,
    pub royalty_minor: i64,
    pub credit_minor: i64,
}

/// The royalty of `net_sales` in `period`, given the accepted reports before it.
pub fn compute(terms: &RoyaltyTerms, period: &Period, net_sales_minor: i64, earlier: &[Earlier]) -> Computed {
    let royalty =
        (i128::from(net_sales_minor) * i128::from(terms.bps) / 10_000).min(i128::from(MAX_AMOUNT_MINOR)) as i64;
    let credit = match (terms.credited, terms.entry_fee_minor) {
        (true, Some(fee)) => {
            let used: i64 = earlier.iter().map(|e| e.credit_minor).sum();
            (fee - used).clamp(0, royalty)
        }
        _ => 0,
    };
    let year = period.start.year();
    let last_of_year = period.end.month() == 12 || terms.periods().last().is_some_and(|p| p.code == period.code);
    let true_up = if last_of_year {
        let earned: i64 = earlier.iter().filter(|e| e.year == year).map(|e| e.royalty_minor).sum::<i64>() + royalty;
        (terms.minimum_for(year) - earned).max(0)
    } else {
        0
    };
    Computed {
        royalty_minor: royalty,
        credit_minor: credit,
        true_up_minor: true_up,
        amount_due_minor: royalty - credit + true_up,
    }
}

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
    /// Units sold, if counted.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub units: Option<i64>,
}

/// A report as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub net_sales_minor: i64,
    pub units: Option<i64>,
    pub currency: String,
    pub royalty_bps: i32,
    #[serde(flatten)]
    pub computed: Computed,
    pub due_on: NaiveDate,
    pub status: RoyaltyReportStatus,
    pub dispute_reason: Option<String>,
    pub supersedes_id: Option<Uuid>,
    pub milestone_id: Option<Uuid>,
    /// Where its payment is, once accepted.
    pub milestone_status: Option<MilestoneStatus>,
    pub created_at: chrono::DateTime<Utc>,
    pub version: i32,
}

/// A contract's royalty: its terms as reported, the reports, and what may be filed next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoyaltyOverview {
    pub contract_id: Uuid,
    pub royalty_bps: i32,
    pub period_kind: RoyaltyPeriod,
    pub minimum_minor: Option<i64>,
    pub entry_fee_credited: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reports: Vec<ReportView>,
    /// The next period the licensee reports, once it has ended (none while it runs or
    /// after the last).
    pub next_period: Option<String>,
    /// When the next period ends (it may be reported after that day).
    pub next_period_ends_on: Option<NaiveDate>,
}

fn view(row: &royalty_report::Model, milestone_status: Option<MilestoneStatus>) -> Result<ReportView> {
    Ok(ReportView {
        id: row.id,
        contract_id: row.contract_id,
        period: row.period.clone(),
        period_start: row.period_start,
        period_end: row.period_end,
        net_sales_minor: row.net_sales_minor,
        units: row.units,
        currency: row.currency.clone(),
        royalty_bps: row.royalty_bps,
        computed: Computed {
            royalty_minor: row.royalty_minor,
            credit_minor: row.credit_minor,
            true_up_minor: row.true_up_minor,
            amount_due_minor: row.amount_due_minor,
        },
        due_on: row.due_on,
        status: RoyaltyReportStatus::parse(&row.status)
            .map_err(|_| ListingsError::Internal("unknown royalty report status".into()))?,
        dispute_reason: row.dispute_reason.clone(),
        supersedes_id: row.supersedes_id,
        milestone_id: row.milestone_id,
        milestone_status,
        created_at: row.created_at,
        version: row.version,
    })
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
        return Err(ListingsError::Forbidden("the licensee reports its sales".into()));
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
        return Err(ListingsError::Conflict(format!("{} is already reported", period.code)));
    }
    let earlier: Vec<Earlier> = reports
        .iter()
        .filter(|r| r.status == RoyaltyReportStatus::Accepted.as_str() && r.period_start < period.start)
        .map(|r| Earlier { year: r.period_start.year(), royalty_minor: r.royalty_minor, credit_minor: r.credit_minor })
        .collect();
    let computed = compute(&terms, &period, input.net_sales_minor, &earlier);
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
    .map_err(|e| ListingsError::from_db_unique(e, "this period is already reported"))?;
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
        "status": row.status, "version": row.version, "period": row.period, "net_sales_minor": row.net_sales_minor,
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
        return Err(ListingsError::Forbidden("the licensor accepts or disputes a royalty report".into()));
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

async fn milestone_statuses<C: ConnectionTrait>(
    db: &C,
    contract_id: Uuid,
) -> Result<std::collections::HashMap<Uuid, MilestoneStatus>> {
    Ok(milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(contract_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| MilestoneStatus::parse(&m.status).ok().map(|s| (m.id, s)))
        .collect())
}

/// One report, for the parties, their broker and the center.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<ReportView> {
    let row = royalty_report::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    load(db, actor, row.contract_id, false).await.map_err(|_| ListingsError::NotFound(ENTITY))?;
    let statuses = milestone_statuses(db, row.contract_id).await?;
    view(&row, row.milestone_id.and_then(|m| statuses.get(&m).copied()))
}

/// A contract's royalty reports and what comes next.
pub async fn overview<C: ConnectionTrait>(db: &C, actor: &Actor, contract_id: Uuid) -> Result<RoyaltyOverview> {
    let (model, _, terms) = royalty_contract(db, actor, contract_id, false).await?;
    let reports = reports_of(db, model.id).await?;
    let statuses = milestone_statuses(db, model.id).await?;
    let next = next_unaccepted(&terms, &reports).filter(|p| !reports.iter().any(|r| r.period == p.code && live(r)));
    Ok(RoyaltyOverview {
        contract_id: model.id,
        royalty_bps: terms.bps,
        period_kind: terms.period,
        minimum_minor: terms.minimum_minor,
        entry_fee_credited: terms.credited,
        starts_on: terms.start,
        ends_on: terms.end,
        next_period_ends_on: next.as_ref().map(|p| p.end),
        next_period: next.map(|p| p.code),
        reports: reports
            .iter()
            .map(|r| view(r, r.milestone_id.and_then(|m| statuses.get(&m).copied())))
            .collect::<Result<_>>()?,
    })
}

/// The royalty a licensor earned, by contract and period (accepted reports).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncomeRow {
    pub contract_id: Uuid,
    pub contract_title_zh: String,
    pub contract_title_en: String,
    pub licensee: String,
    pub licensee_en: Option<String>,
    pub period: String,
    pub net_sales_minor: i64,
    pub royalty_minor: i64,
    pub credit_minor: i64,
    pub true_up_minor: i64,
    pub amount_due_minor: i64,
    pub currency: String,
    pub due_on: NaiveDate,
    /// Whether the licensee has paid it.
    pub paid: bool,
}

/// The accepted royalty reports of the contracts where the actor's organization is the
/// licensor, oldest period first.
pub async fn income<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<Vec<IncomeRow>> {
    use techex_listings::entities::organization;
    let contracts =
        contract::Entity::find().filter(contract::Column::SellerOrgId.eq(actor.organization_id)).all(db).await?;
    let mut rows = Vec::new();
    for c in contracts {
        let reports = royalty_report::Entity::find()
            .filter(royalty_report::Column::ContractId.eq(c.id))
            .filter(royalty_report::Column::Status.eq(RoyaltyReportStatus::Accepted.as_str()))
            .order_by_asc(royalty_report::Column::PeriodStart)
            .all(db)
            .await?;
        if reports.is_empty() {
            continue;
        }
        let statuses = milestone_statuses(db, c.id).await?;
        let licensee = organization::Entity::find_by_id(c.buyer_org_id).one(db).await?;
        for r in reports {
            let paid = r
                .milestone_id
                .and_then(|m| statuses.get(&m))
                .is_some_and(|s| matches!(s, MilestoneStatus::Paid | MilestoneStatus::Accepted))
                || r.amount_due_minor == 0;
            rows.push(IncomeRow {
                contract_id: c.id,
                contract_title_zh: c.title_zh.clone(),
                contract_title_en: c.title_en.clone(),
                licensee: licensee.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
                licensee_en: licensee.as_ref().and_then(|o| o.name_en.clone()),
                period: r.period,
                net_sales_minor: r.net_sales_minor,
                royalty_minor: r.royalty_minor,
                credit_minor: r.credit_minor,
                true_up_minor: r.true_up_minor,
                amount_due_minor: r.amount_due_minor,
                currency: r.currency,
                due_on: r.due_on,
                paid,
            });
        }
    }
    rows.sort_by(|a, b| a.period.cmp(&b.period).then(a.contract_id.cmp(&b.contract_id)));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarterly(minimum: Option<i64>, fee: Option<i64>, credited: bool) -> RoyaltyTerms {
        RoyaltyTerms {
            bps: 300,
            minimum_minor: minimum,
            entry_fee_minor: fee,
            credited,
            period: RoyaltyPeriod::Quarter,
            start: date(2025, 1, 15),
            end: date(2027, 1, 15),
        }
    }

    #[test]
    fn periods_are_calendar_quarters_or_years_from_the_signature_to_the_end_of_term() {
        let terms = quarterly(None, None, false);
        let codes: Vec<String> = terms.periods().into_iter().map(|p| p.code).collect();
        assert_eq!(codes.first().map(String::as_str), Some("2025-Q1"));
        assert_eq!(codes.last().map(String::as_str), Some("2027-Q1"));
        assert_eq!(codes.len(), 9);
        let q2 = Period::parse("2025-Q2", RoyaltyPeriod::Quarter).ok();
        assert_eq!(q2.map(|p| (p.start, p.end)), Some((date(2025, 4, 1), date(2025, 6, 30))));
        assert!(Period::parse("2025-Q5", RoyaltyPeriod::Quarter).is_err());
        assert!(Period::parse("2025", RoyaltyPeriod::Quarter).is_err());
        assert!(Period::parse("2025-Q1", RoyaltyPeriod::Year).is_err());
        assert_eq!(Period::parse("2025", RoyaltyPeriod::Year).map(|p| p.end).ok(), Some(date(2025, 12, 31)));
        assert_eq!(Period::quarter(2025, 4).due_on(), date(2026, 1, 30));
    }

    #[test]
    fn the_royalty_credits_the_entry_fee_and_trues_up_to_the_minimum_at_year_end() {
        let terms = quarterly(Some(1_000_000), Some(50_000), true);
        let q = |n| Period::quarter(2025, n);
        // 3% of 1,000,000 fen of sales: a royalty of 30,000 fen, all of it credited (fee 50,000).
        let first = compute(&terms, &q(1), 1_000_000, &[]);
        assert_eq!(
            first,
            Computed { royalty_minor: 30_000, credit_minor: 30_000, true_up_minor: 0, amount_due_minor: 0 }
        );
        let earlier = vec![Earlier { year: 2025, royalty_minor: 30_000, credit_minor: 30_000 }];
        let second = compute(&terms, &q(2), 1_000_000, &earlier);
        assert_eq!((second.credit_minor, second.amount_due_minor), (20_000, 10_000), "the rest of the fee");
        let mut earlier = earlier;
        earlier.push(Earlier { year: 2025, royalty_minor: 30_000, credit_minor: 20_000 });
        earlier.push(Earlier { year: 2025, royalty_minor: 1, credit_minor: 0 });
        let last = compute(&terms, &q(4), 333, &earlier);
        // Earned 30,000 + 30,000 + 1 + 9 = 60,010 against a minimum of 1,000,000.
        assert_eq!(last.royalty_minor, 9);
        assert_eq!(last.true_up_minor, 1_000_000 - 60_010);
        assert_eq!(last.amount_due_minor, 9 + 1_000_000 - 60_010);
        // Rounded down to the fen; never negative.
        assert_eq!(compute(&quarterly(None, None, false), &q(1), 99, &[]).royalty_minor, 2);
        assert_eq!(compute(&quarterly(None, None, false), &q(1), 0, &[]).amount_due_minor, 0);
    }

    #[test]
    fn a_year_covered_in_part_owes_the_minimum_pro_rata() {
        let mut terms = quarterly(Some(400_000), None, false);
        terms.start = date(2025, 8, 1);
        terms.end = date(2026, 8, 1);
        // 2025: Q3 and Q4 → half the minimum.
        let q4 = compute(&terms, &Period::quarter(2025, 4), 0, &[]);
        assert_eq!(q4.true_up_minor, 200_000);
        // 2026: Q1–Q3, the last period of the term → three quarters.
        let q3 = compute(&terms, &Period::quarter(2026, 3), 0, &[]);
        assert_eq!(q3.true_up_minor, 300_000);
    }
}
