//! Statistics for the center: registered technology contracts by month, field, contract
//! type and region; deals by state; the broker league table; time from inquiry to
//! registration. Figures are computed from the database on request (a provincial center
//! registers thousands of contracts a year, not millions).

use crate::Result;
use crate::entities::contract;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use techex_core::Actor;
use techex_core::domain::OrgKind;
use techex_listings::ListingsError;
use techex_listings::entities::{achievement, demand, user};
use techex_negotiation::entities::{broker, deal};
use utoipa::ToSchema;
use uuid::Uuid;

/// Only the center's staff see the statistics.
pub fn ensure_center(actor: &Actor) -> Result<()> {
    if actor.organization_kind == OrgKind::Center || actor.is_platform_admin() {
        Ok(())
    } else {
        Err(ListingsError::Forbidden(techex_core::msg::REFUSED_THE_STATISTICS_ARE_FOR_THE_TRADING_CENTER.into()))
    }
}

/// A period of registration dates (inclusive).
#[derive(Debug, Clone, Copy, Default)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    fn contains(&self, at: DateTime<Utc>) -> bool {
        let day = at.date_naive();
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

/// One row of a grouping of registered contracts.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ContractGroup {
    /// The month (`2026-11`), field code, contract type or region code.
    pub key: String,
    pub contracts: u64,
    /// Registered technology transaction amount, minor units.
    pub amount_minor: i64,
    pub currency: String,
}

/// How registered contracts are grouped: `month` (the default), `field`, `type`,
/// `region` or `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    #[default]
    Month,
    Field,
    /// The contract type (`type`; `contract_type` is read as the same).
    #[serde(rename = "type", alias = "contract_type")]
    ContractType,
    Region,
    /// Where each registered contract stands now: `registered`, `performing`,
    /// `completed`, or `terminated_<ground>` (`agreement`, `buyer_default`,
    /// `seller_default`): how many ended early, and how.
    Status,
}

async fn registered<C: ConnectionTrait>(db: &C, period: Period) -> Result<Vec<contract::Model>> {
    Ok(contract::Entity::find()
        .filter(contract::Column::Status.is_in(["registered", "performing", "completed", "terminated"]))
        .all(db)
        .await?
        .into_iter()
        .filter(|c| c.registered_at.is_some_and(|at| period.contains(at)))
        .collect())
}

/// Registered contracts grouped, with count and amount; months in order, other
/// groupings largest amount first.
pub async fn contracts_by<C: ConnectionTrait>(
    db: &C,
    grouping: Grouping,
    period: Period,
) -> Result<Vec<ContractGroup>> {
    let rows = registered(db, period).await?;
    let keys: HashMap<Uuid, String> = match grouping {
        Grouping::Month => rows
            .iter()
            .map(|c| (c.id, c.registered_at.map(|t| t.format("%Y-%m").to_string()).unwrap_or_default()))
            .collect(),
        Grouping::ContractType => rows.iter().map(|c| (c.id, c.contract_type.clone())).collect(),
        Grouping::Status => rows
            .iter()
            .map(|c| {
                let key = match (c.status.as_str(), c.termination_ground.as_deref()) {
                    ("terminated", ground) => format!("terminated_{}", ground.unwrap_or("agreement")),
                    (status, _) => status.to_string(),
                };
                (c.id, key)
            })
            .collect(),
        Grouping::Region => {
            let orgs = techex_listings::achievements::owners_by_id(db, rows.iter().map(|c| c.seller_org_id)).await?;
            rows.iter()
                .map(|c| (c.id, orgs.get(&c.seller_org_id).map(|o| o.region.clone()).unwrap_or_default()))
                .collect()
        }
        Grouping::Field => {
            let deals: HashMap<Uuid, deal::Model> = deal::Entity::find()
                .filter(deal::Column::Id.is_in(rows.iter().map(|c| c.deal_id).collect::<Vec<_>>()))
                .all(db)
                .await?
                .into_iter()
                .map(|d| (d.id, d))
                .collect();
            let achievement_ids: Vec<Uuid> = deals.values().filter_map(|d| d.achievement_id).collect();
            let demand_ids: Vec<Uuid> = deals.values().filter_map(|d| d.demand_id).collect();
            let fields: HashMap<Uuid, String> = achievement::Entity::find()
                .filter(achievement::Column::Id.is_in(achievement_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|a| (a.id, a.field_code))
                .chain(
                    demand::Entity::find()
                        .filter(demand::Column::Id.is_in(demand_ids))
                        .all(db)
                        .await?
                        .into_iter()
                        .map(|d| (d.id, d.field_code)),
                )
                .collect();
            rows.iter()
                .map(|c| {
                    let field = deals
                        .get(&c.deal_id)
                        .and_then(|d| d.achievement_id.or(d.demand_id))
                        .and_then(|id| fields.get(&id).cloned())
                        .unwrap_or_else(|| "other".into());
                    (c.id, field)
                })
                .collect()
        }
    };
    let mut groups: BTreeMap<(String, String), (u64, i64)> = BTreeMap::new();
    for c in &rows {
        let key = keys.get(&c.id).cloned().unwrap_or_default();
        let entry = groups.entry((key, c.currency.clone())).or_insert((0, 0));
        entry.0 += 1;
        entry.1 = entry.1.saturating_add(c.registered_amount_minor.unwrap_or(0));
    }
    let mut out: Vec<ContractGroup> = groups
        .into_iter()
        .map(|((key, currency), (contracts, amount_minor))| ContractGroup { key, contracts, amount_minor, currency })
        .collect();
    if grouping != Grouping::Month {
        out.sort_by(|a, b| b.amount_minor.cmp(&a.amount_minor).then(a.key.cmp(&b.key)));
    }
    Ok(out)
}

/// Deals per state.
pub async fn deals_by_state<C: ConnectionTrait>(db: &C) -> Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for d in deal::Entity::find().all(db).await? {
        *counts.entry(d.status).or_insert(0) += 1;
    }
    Ok(counts)
}

/// One broker in the league table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeagueRow {
    pub broker_id: Uuid,
    pub name: String,
    pub certificate_number: String,
    pub level: String,
    pub deals_mediated: u64,
    pub deals_agreed: u64,
    pub contracts_registered: u64,
    /// Registered amount of the contracts mediated, minor units (CNY).
    pub registered_amount_minor: i64,
}

/// Brokers ranked by the registered amount of the contracts they mediated, then by deals.
pub async fn broker_league<C: ConnectionTrait>(db: &C, period: Period) -> Result<Vec<LeagueRow>> {
    let brokers = broker::Entity::find().all(db).await?;
    let names: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(brokers.iter().map(|b| b.id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let mut rows: HashMap<Uuid, LeagueRow> = brokers
        .iter()
        .map(|b| {
            (
                b.id,
                LeagueRow {
                    broker_id: b.id,
                    name: names.get(&b.id).cloned().unwrap_or_default(),
                    certificate_number: b.certificate_number.clone(),
                    level: b.level.clone(),
                    deals_mediated: 0,
                    deals_agreed: 0,
                    contracts_registered: 0,
                    registered_amount_minor: 0,
                },
            )
        })
        .collect();
    for d in deal::Entity::find().filter(deal::Column::BrokerStatus.eq("accepted")).all(db).await? {
        if let Some(row) = d.broker_id.and_then(|id| rows.get_mut(&id)) {
            row.deals_mediated += 1;
            if matches!(d.status.as_str(), "agreed" | "contracted") {
                row.deals_agreed += 1;
            }
        }
    }
    for c in registered(db, period).await? {
        if let Some(row) = c.broker_id.and_then(|id| rows.get_mut(&id)) {
            row.contracts_registered += 1;
            row.registered_amount_minor =
                row.registered_amount_minor.saturating_add(c.registered_amount_minor.unwrap_or(0));
        }
    }
    let mut league: Vec<LeagueRow> = rows.into_values().collect();
    league.sort_by(|a, b| {
        b.registered_amount_minor
            .cmp(&a.registered_amount_minor)
            .then(b.deals_agreed.cmp(&a.deals_agreed))
            .then(b.deals_mediated.cmp(&a.deals_mediated))
            .then(a.name.cmp(&b.name))
    });
    Ok(league)
}

/// Days from the inquiry that opened a deal to the registration of its contract.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct TimeToRegistration {
    pub contracts: u64,
    pub mean_days: Option<f64>,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
}

pub async fn inquiry_to_registration<C: ConnectionTrait>(db: &C, period: Period) -> Result<TimeToRegistration> {
    let rows = registered(db, period).await?;
    let deals: HashMap<Uuid, DateTime<Utc>> = deal::Entity::find()
        .filter(deal::Column::Id.is_in(rows.iter().map(|c| c.deal_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.created_at))
        .collect();
    let mut days: Vec<f64> = rows
        .iter()
        .filter_map(|c| {
            let opened = deals.get(&c.deal_id)?;
            let registered = c.registered_at?;
            Some((registered - *opened).num_seconds() as f64 / 86_400.0)
        })
        .collect();
    days.sort_by(f64::total_cmp);
    let quantile = |q: f64| -> Option<f64> {
        if days.is_empty() {
            return None;
        }
        let index = ((days.len() - 1) as f64 * q).round() as usize;
        days.get(index).map(|d| (d * 10.0).round() / 10.0)
    };
    let mean = (!days.is_empty()).then(|| (days.iter().sum::<f64>() / days.len() as f64 * 10.0).round() / 10.0);
    Ok(TimeToRegistration {
        contracts: days.len() as u64,
        mean_days: mean,
        median_days: quantile(0.5),
        p90_days: quantile(0.9),
    })
}
