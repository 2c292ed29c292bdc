//! What the parties see of a contract's royalty, and the licensor's income.

use super::*;

/// A report as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub net_sales_minor: i64,
    /// The profit reported, for a royalty on profit.
    pub profit_minor: Option<i64>,
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
    /// What the rate is a share of: the reports give the profit when it is `profit`.
    pub royalty_base: RoyaltyBase,
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
        profit_minor: row.profit_minor,
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
        royalty_base: terms.base,
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

/// Which periods of income to show: those that end on or after `from` and begin on or
/// before `to` (both optional, both dates, inclusive).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IncomeFilter {
    /// Periods ending on or after this date (`YYYY-MM-DD`).
    pub from: Option<NaiveDate>,
    /// Periods beginning on or before this date (`YYYY-MM-DD`).
    pub to: Option<NaiveDate>,
}

impl IncomeFilter {
    /// A range that ends before it begins is refused (422 on `to`).
    pub fn check(&self) -> Result<()> {
        ListingsError::check_date_range(self.from, self.to)
    }
}

/// The accepted royalty reports of the contracts where the actor's organization is the
/// licensor, oldest period first, within the filter's dates.
pub async fn income<C: ConnectionTrait>(db: &C, actor: &Actor, filter: &IncomeFilter) -> Result<Vec<IncomeRow>> {
    filter.check()?;
    use techex_listings::entities::organization;
    let contracts =
        contract::Entity::find().filter(contract::Column::SellerOrgId.eq(actor.organization_id)).all(db).await?;
    let mut rows = Vec::new();
    for c in contracts {
        let reports = royalty_report::Entity::find()
            .filter(royalty_report::Column::ContractId.eq(c.id))
            .filter(royalty_report::Column::Status.eq(RoyaltyReportStatus::Accepted.as_str()))
            .apply_if(filter.from, |q, from| q.filter(royalty_report::Column::PeriodEnd.gte(from)))
            .apply_if(filter.to, |q, to| q.filter(royalty_report::Column::PeriodStart.lte(to)))
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
