//! Patent open licensing (专利开放许可, Patent Law arts. 50–52): the patentee of a granted
//! patent declares that anyone may take an ordinary licence on published terms — a lump
//! sum, or a running royalty on net sales with an optional entry fee and annual minimum.
//! The center reviews a declaration before it is public; the patentee may withdraw it,
//! and licences already taken stand. The limits a declaration must keep (a fee cap, a
//! royalty cap, the longest term) are a data file the center edits
//! (`data/open_licence_limits.json`, or its own copy named by configuration).
//!
//! ```text
//! pending_review ─approve→ published ─withdraw→ withdrawn
//!        ├─reject→ rejected
//!        └─withdraw→ withdrawn
//! ```
//!
//! Taking a licence drafts a contract, so it lives with contracts
//! (`techex_contracts::open_licence`); this module owns the declaration, and `view` what
//! visitors, licensees, the patentee and the center see of it.

use crate::achievements::OwnerBrief;
use crate::audit;
use crate::entities::{achievement, document, open_licence, open_licence_grant, organization};
use crate::error::{ListingsError, Result, check_version};
use crate::notifications::{Audience, NewNotification, notify_members};
use crate::versioned::Versioned;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde::{Deserialize, Serialize};
use std::path::Path;
use techex_core::domain::{
    AchievementKind, AchievementStatus, DisclosureTier, OpenLicenceStatus, RoyaltyBase, RoyaltyPeriod, TransactionMode,
};
use techex_core::message::MessageKey;
use techex_core::money::{format_major, validate_amount_minor};
use techex_core::pagination::Page;
use techex_core::text::{optional_text, required_text};
use techex_core::{Actor, Currency, FieldErrors, PageRequest, Role, msg, new_id};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

mod view;

pub use view::*;

const ENTITY: &str = "open_licence";

/// The limits a declaration must keep, as the center sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// What the file is about (not used).
    #[serde(default, skip_serializing)]
    pub about: Option<String>,
    /// The largest lump-sum fee, minor units.
    pub max_fee_minor: i64,
    /// The largest entry fee when a royalty is also declared, minor units.
    pub max_entry_fee_minor: i64,
    /// The highest royalty on net sales, basis points.
    pub max_royalty_bps: i32,
    /// The highest royalty on profit, basis points (a file without it gets 40%).
    #[serde(default = "default_max_profit_royalty_bps")]
    pub max_profit_royalty_bps: i32,
    /// The largest annual minimum royalty, minor units.
    pub max_royalty_minimum_minor: i64,
    /// The longest term, years.
    pub max_term_years: i32,
}

fn default_max_profit_royalty_bps() -> i32 {
    4_000
}

const SHIPPED_LIMITS: &str = include_str!("../../data/open_licence_limits.json");

impl Limits {
    /// The limits shipped with techex.
    pub fn shipped() -> Limits {
        serde_json::from_str(SHIPPED_LIMITS).unwrap_or(Limits {
            about: None,
            max_fee_minor: 2_000_000_000,
            max_entry_fee_minor: 2_000_000_000,
            max_royalty_bps: 2_000,
            max_profit_royalty_bps: default_max_profit_royalty_bps(),
            max_royalty_minimum_minor: 2_000_000_000,
            max_term_years: 20,
        })
    }

    /// The center's file when one is configured (read at each declaration, so an edit
    /// takes effect without a restart), else the shipped limits.
    pub fn load(path: Option<&Path>) -> Result<Limits> {
        let Some(path) = path else { return Ok(Limits::shipped()) };
        let text = std::fs::read_to_string(path)?;
        serde_json::from_str(&text)
            .map_err(|e| ListingsError::Internal(format!("open-licence limits {}: {e}", path.display())))
    }
}

/// A declaration as the patentee submits it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Declare {
    /// Always `ordinary_license`: exclusive and sole licences are never open.
    #[serde(default = "ordinary")]
    pub mode: TransactionMode,
    #[serde(default)]
    pub currency: Currency,
    /// The licence fee, minor units: a lump sum, or the entry fee with a royalty.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub fee_minor: Option<i64>,
    /// The running royalty, basis points of its base.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10000)]
    pub royalty_bps: Option<i32>,
    /// What the royalty is a share of: the licensee's `net_sales` (default with a royalty)
    /// or its `profit` on the licensed products; each has its own cap.
    #[serde(default)]
    pub royalty_base: Option<RoyaltyBase>,
    /// The least royalty a year, minor units.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub royalty_minimum_minor: Option<i64>,
    /// How often sales are reported and royalties paid (default `quarter` with a royalty).
    #[serde(default)]
    pub royalty_period: Option<RoyaltyPeriod>,
    /// Whether the entry fee is credited against the royalties that fall due.
    #[serde(default)]
    pub entry_fee_credited: bool,
    /// Term of each licence, years.
    #[schema(minimum = 1, maximum = 50)]
    pub term_years: i32,
    #[schema(max_length = 200)]
    pub territory: String,
    /// The patentee's legal or authorised representative, named in each licence contract.
    #[schema(max_length = 100)]
    pub representative: String,
    /// Other conditions of the licence, in words.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub conditions: Option<String>,
    /// The patent evaluation report among the achievement's public documents (required
    /// for a utility model or design).
    #[serde(default)]
    pub evaluation_report_id: Option<Uuid>,
}

fn ordinary() -> TransactionMode {
    TransactionMode::OrdinaryLicense
}

fn status_of(model: &open_licence::Model) -> Result<OpenLicenceStatus> {
    OpenLicenceStatus::parse(&model.status).map_err(|_| ListingsError::Internal("unknown open-licence status".into()))
}

fn snapshot(model: &open_licence::Model) -> serde_json::Value {
    serde_json::json!({
        "status": model.status, "version": model.version, "fee_minor": model.fee_minor,
        "royalty_bps": model.royalty_bps, "royalty_base": model.royalty_base, "royalty_minimum_minor": model.royalty_minimum_minor,
        "royalty_period": model.royalty_period, "term_years": model.term_years, "territory": model.territory,
        "review_reason": model.review_reason,
    })
}

fn owner_member(actor: &Actor, org: Uuid) -> bool {
    actor.belongs_to(org) && (actor.has(Role::Member) || actor.has(Role::OrgAdmin))
}

/// The patentee's members and the center's reviewers see every declaration; others see
/// the published and withdrawn ones.
fn privileged(actor: Option<&Actor>, model: &open_licence::Model) -> bool {
    actor.is_some_and(|a| a.belongs_to(model.organization_id) || a.can_review())
}

fn visible(actor: Option<&Actor>, model: &open_licence::Model) -> bool {
    privileged(actor, model)
        || matches!(status_of(model), Ok(OpenLicenceStatus::Published | OpenLicenceStatus::Withdrawn))
}

fn above_cap(max: String) -> techex_core::Message {
    msg::OPEN_LICENCE_ABOVE_CAP.with("max", max)
}

/// Checks a declaration's terms against the law and the center's limits, field by field.
fn check_terms(input: &mut Declare, limits: &Limits) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if input.mode != TransactionMode::OrdinaryLicense {
        errors.add("mode", msg::OPEN_LICENCE_ORDINARY_ONLY);
    }
    let royalty = input.royalty_bps.is_some();
    if let Some(fee) = input.fee_minor {
        let cap = if royalty { limits.max_entry_fee_minor } else { limits.max_fee_minor };
        match validate_amount_minor(fee) {
            Err(message) => errors.add("fee_minor", message),
            Ok(()) if fee > cap => errors.add("fee_minor", above_cap(format_major(cap))),
            Ok(()) => {}
        }
    }
    if let Some(rate) = input.royalty_bps {
        let cap = match input.royalty_base {
            Some(RoyaltyBase::Profit) => limits.max_profit_royalty_bps,
            _ => limits.max_royalty_bps,
        };
        if rate < 1 {
            errors.add("royalty_bps", msg::bps_range(1, cap));
        } else if rate > cap {
            errors.add("royalty_bps", above_cap(format!("{}%", cap / 100)));
        }
    } else if input.royalty_base.is_some() {
        errors.add("royalty_base", msg::ROYALTY_BASE_NEEDS_RATE);
    }
    if let Some(minimum) = input.royalty_minimum_minor {
        if !royalty {
            errors.add("royalty_minimum_minor", msg::ROYALTY_MINIMUM_NEEDS_RATE);
        } else {
            match validate_amount_minor(minimum) {
                Err(message) => errors.add("royalty_minimum_minor", message),
                Ok(()) if minimum > limits.max_royalty_minimum_minor => {
                    errors.add("royalty_minimum_minor", above_cap(format_major(limits.max_royalty_minimum_minor)))
                }
                Ok(()) => {}
            }
        }
    }
    if input.royalty_period.is_some() && !royalty {
        errors.add("royalty_period", msg::OPEN_LICENCE_PERIOD_NEEDS_RATE);
    }
    if royalty && input.royalty_period.is_none() {
        input.royalty_period = Some(RoyaltyPeriod::Quarter);
    }
    if input.entry_fee_credited && !(royalty && input.fee_minor.is_some_and(|f| f > 0)) {
        errors.add("entry_fee_credited", msg::OPEN_LICENCE_CREDIT_NEEDS_FEE);
    }
    let priced = input.fee_minor.is_some_and(|f| f > 0) || input.royalty_bps.is_some_and(|r| r > 0);
    if !priced && !errors.0.iter().any(|e| e.field == "fee_minor" || e.field == "royalty_bps") {
        errors.add("fee_minor", msg::OPEN_LICENCE_NEEDS_PRICE);
    }
    if !(1..=limits.max_term_years).contains(&input.term_years) {
        errors.add("term_years", msg::YEARS_OUT_OF_RANGE.with("min", 1).with("max", limits.max_term_years));
    }
    match required_text(&input.territory, 200) {
        Ok(text) => input.territory = text,
        Err(message) => errors.add("territory", message),
    }
    match required_text(&input.representative, 100) {
        Ok(text) => input.representative = text,
        Err(message) => errors.add("representative", message),
    }
    match optional_text(input.conditions.as_deref(), 5000) {
        Ok(text) => input.conditions = text,
        Err(message) => errors.add("conditions", message),
    }
    errors
}

/// Declares an open licence of a published, granted patent (the owner's members). The
/// declaration waits for the center's review; one may be pending or published per patent.
pub async fn declare<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    achievement_id: Uuid,
    mut input: Declare,
    limits: &Limits,
) -> Result<open_licence::Model> {
    let subject = achievement::Entity::find_by_id(achievement_id)
        .one(db)
        .await?
        .filter(|a| {
            actor.belongs_to(a.organization_id)
                || actor.can_review()
                || a.status == AchievementStatus::Published.as_str()
        })
        .ok_or(ListingsError::NotFound("achievement"))?;
    if !owner_member(actor, subject.organization_id) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_PATENTEE_DECLARES_AN_OPEN_LICENCE.into(),
        ));
    }
    let mut errors = check_terms(&mut input, limits);
    let kind = AchievementKind::parse(&subject.kind).ok();
    if subject.status != AchievementStatus::Published.as_str() {
        errors.add("achievement_id", msg::OPEN_LICENCE_NEEDS_PUBLISHED);
    } else if !kind.is_some_and(AchievementKind::is_patent) {
        errors.add("achievement_id", msg::OPEN_LICENCE_NOT_PATENT);
    } else if !subject.patent_granted {
        errors.add("achievement_id", msg::OPEN_LICENCE_NOT_GRANTED);
    } else {
        // The law asks a utility model or design for its evaluation report; an invention
        // may name one too. Either way it must be a public document of this achievement.
        let needs_report = matches!(kind, Some(AchievementKind::UtilityModel | AchievementKind::DesignPatent));
        match input.evaluation_report_id {
            None if needs_report => errors.add("evaluation_report_id", msg::OPEN_LICENCE_EVALUATION_REQUIRED),
            None => {}
            Some(id) => {
                let report = document::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .filter(|d| d.achievement_id == subject.id && d.tier == DisclosureTier::Public.as_str());
                if report.is_none() {
                    errors.add("evaluation_report_id", msg::OPEN_LICENCE_EVALUATION_UNKNOWN);
                }
            }
        }
    }
    errors.into_result()?;
    let now = Utc::now();
    let created = open_licence::ActiveModel {
        id: Set(new_id()),
        achievement_id: Set(subject.id),
        organization_id: Set(subject.organization_id),
        status: Set(OpenLicenceStatus::PendingReview.as_str().into()),
        currency: Set(input.currency.code().into()),
        fee_minor: Set(input.fee_minor.filter(|f| *f > 0)),
        royalty_bps: Set(input.royalty_bps),
        royalty_base: Set(input
            .royalty_bps
            .map(|_| input.royalty_base.unwrap_or(RoyaltyBase::NetSales).as_str().to_string())),
        royalty_minimum_minor: Set(input.royalty_minimum_minor.filter(|m| *m > 0)),
        royalty_period: Set(input.royalty_period.map(|p| p.as_str().to_string())),
        entry_fee_credited: Set(input.entry_fee_credited),
        term_years: Set(input.term_years),
        territory: Set(input.territory),
        representative: Set(input.representative),
        conditions: Set(input.conditions),
        evaluation_report_id: Set(input.evaluation_report_id),
        review_reason: Set(None),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        published_at: Set(None),
        withdrawn_at: Set(None),
        live_key: Set(Some(subject.id.to_string())),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(|e| ListingsError::from_db_unique(e, techex_core::msg::REFUSED_THIS_PATENT_ALREADY_HAS_AN_OPEN_LICENCE))?;
    audit::record(db, Some(actor), "open_licence.declare", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    Ok(created)
}

/// How a declaration is saved: its id and version columns.
const ROWS: Versioned<open_licence::Entity> =
    Versioned { entity: ENTITY, id: open_licence::Column::Id, version: open_licence::Column::Version };

async fn locked<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<open_licence::Model> {
    open_licence::Entity::find_by_id(id).lock_exclusive().one(db).await?.ok_or(ListingsError::NotFound(ENTITY))
}

async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: open_licence::ActiveModel,
    current: &open_licence::Model,
) -> Result<open_licence::Model> {
    active.updated_at = Set(Utc::now());
    ROWS.save(db, active, current.id, current.version).await
}

fn refuse(action: &'static str, model: &open_licence::Model) -> ListingsError {
    ListingsError::InvalidTransition { entity: ENTITY, action, state: model.status.clone() }
}

/// The center's decision on a pending declaration.
#[derive(Debug, Clone)]
pub enum Decision {
    Approve,
    Reject(String),
}

/// Publishes or returns a pending declaration (reviewers and platform admins); the
/// patentee's members are told either way.
pub async fn review<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    decision: Decision,
) -> Result<open_licence::Model> {
    let current = locked(db, id).await?;
    if !visible(Some(actor), &current) {
        return Err(ListingsError::NotFound(ENTITY));
    }
    if !actor.can_review() {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_CENTER_S_REVIEWERS_REVIEW_OPEN.into()));
    }
    check_version(expected_version, current.version)?;
    if status_of(&current)? != OpenLicenceStatus::PendingReview {
        return Err(refuse(if matches!(decision, Decision::Approve) { "approve" } else { "reject" }, &current));
    }
    let now = Utc::now();
    let mut active: open_licence::ActiveModel = current.clone().into();
    active.reviewed_by = Set(Some(actor.user_id));
    active.reviewed_at = Set(Some(now));
    let (action, kind, message) = match &decision {
        Decision::Approve => {
            active.status = Set(OpenLicenceStatus::Published.as_str().into());
            active.published_at = Set(Some(now));
            active.review_reason = Set(None);
            ("open_licence.approve", "open_licence_published", msg::NOTICE_OPEN_LICENCE_PUBLISHED)
        }
        Decision::Reject(reason) => {
            let reason = required_text(reason, 2000).map_err(|m| ListingsError::invalid("reason", m))?;
            active.status = Set(OpenLicenceStatus::Rejected.as_str().into());
            active.review_reason = Set(Some(reason));
            active.live_key = Set(None);
            ("open_licence.reject", "open_licence_rejected", msg::NOTICE_OPEN_LICENCE_REJECTED)
        }
    };
    let updated = save(db, active, &current).await?;
    audit::record(db, Some(actor), action, ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated))).await?;
    audit::enqueue_search_update(db, "achievement", updated.achievement_id, "upsert").await?;
    let key = updated.version.to_string();
    notify_patentee(db, &updated, kind, message, updated.review_reason.clone(), &key).await?;
    Ok(updated)
}

/// Withdraws a pending or published declaration (the patentee's members); licences
/// already taken stand.
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<open_licence::Model> {
    let current = locked(db, id).await?;
    if !visible(Some(actor), &current) {
        return Err(ListingsError::NotFound(ENTITY));
    }
    if !owner_member(actor, current.organization_id) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_PATENTEE_WITHDRAWS_ITS_DECLARATION.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    if !matches!(status_of(&current)?, OpenLicenceStatus::PendingReview | OpenLicenceStatus::Published) {
        return Err(refuse("withdraw", &current));
    }
    let mut active: open_licence::ActiveModel = current.clone().into();
    active.status = Set(OpenLicenceStatus::Withdrawn.as_str().into());
    active.withdrawn_at = Set(Some(Utc::now()));
    active.live_key = Set(None);
    let updated = save(db, active, &current).await?;
    audit::record(
        db,
        Some(actor),
        "open_licence.withdraw",
        ENTITY,
        id,
        Some(snapshot(&current)),
        Some(snapshot(&updated)),
    )
    .await?;
    audit::enqueue_search_update(db, "achievement", updated.achievement_id, "upsert").await?;
    Ok(updated)
}

/// Tells the patentee's active members what became of a declaration (or of a licence
/// taken under it).
pub async fn notify_patentee<C: ConnectionTrait>(
    db: &C,
    model: &open_licence::Model,
    kind: &str,
    message: MessageKey,
    body: Option<String>,
    key: &str,
) -> Result<()> {
    let notice = NewNotification {
        user_id: Uuid::nil(),
        kind: kind.into(),
        message: message.into(),
        body,
        entity_type: Some(ENTITY.into()),
        entity_id: Some(model.id),
        dedupe_key: format!("open_licence:{}:{kind}:{key}", model.id),
    };
    notify_members(db, model.organization_id, Audience::Members, None, &notice).await?;
    Ok(())
}

/// Records a licence taken under a declaration, in the transaction that opens its deal:
/// with its contract when drafted at once, without while an invited broker has not
/// accepted yet (`attach_contract` completes it). A second licence of one organization
/// under one declaration is a 409.
pub async fn record_grant<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    model: &open_licence::Model,
    deal_id: Uuid,
    contract_id: Option<Uuid>,
    anonymous: bool,
) -> Result<open_licence_grant::Model> {
    let grant = open_licence_grant::ActiveModel {
        id: Set(new_id()),
        open_licence_id: Set(model.id),
        licensee_org_id: Set(actor.organization_id),
        contract_id: Set(contract_id),
        deal_id: Set(Some(deal_id)),
        anonymous: Set(anonymous),
        taken_by: Set(actor.user_id),
        taken_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map_err(|e| {
        ListingsError::from_db_unique(e, techex_core::msg::REFUSED_YOUR_ORGANIZATION_ALREADY_TOOK_A_LICENCE_UNDER)
    })?;
    audit::record(
        db,
        Some(actor),
        "open_licence.take",
        ENTITY,
        model.id,
        None,
        Some(serde_json::json!({"licensee_org_id": actor.organization_id, "deal_id": deal_id, "contract_id": contract_id})),
    )
    .await?;
    Ok(grant)
}

/// The licence whose deal waits for its broker, if the deal is one.
pub async fn pending_for_deal<C: ConnectionTrait>(db: &C, deal_id: Uuid) -> Result<Option<open_licence_grant::Model>> {
    Ok(open_licence_grant::Entity::find()
        .filter(open_licence_grant::Column::DealId.eq(deal_id))
        .filter(open_licence_grant::Column::ContractId.is_null())
        .one(db)
        .await?)
}

/// Whether a deal is a licence taken by notice (drafted or waiting for its broker): its
/// terms are the declaration's and are not negotiated.
pub async fn is_by_notice<C: ConnectionTrait>(db: &C, deal_id: Uuid) -> Result<bool> {
    Ok(open_licence_grant::Entity::find().filter(open_licence_grant::Column::DealId.eq(deal_id)).count(db).await? > 0)
}

/// Completes a licence taken with a broker once its contract is drafted.
pub async fn attach_contract<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    grant: &open_licence_grant::Model,
    contract_id: Uuid,
) -> Result<()> {
    let updated = open_licence_grant::Entity::update_many()
        .col_expr(open_licence_grant::Column::ContractId, sea_orm::sea_query::Expr::value(contract_id))
        .filter(open_licence_grant::Column::Id.eq(grant.id))
        .filter(open_licence_grant::Column::ContractId.is_null())
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_THIS_LICENCE_ALREADY_HAS_ITS_CONTRACT.into()));
    }
    audit::record(
        db,
        Some(actor),
        "open_licence.contract",
        ENTITY,
        grant.open_licence_id,
        None,
        Some(serde_json::json!({"licensee_org_id": grant.licensee_org_id, "contract_id": contract_id})),
    )
    .await?;
    Ok(())
}

/// Releases the licence of a deal that closed (cancelled or expired) before its broker
/// accepted: the notice lapses and the organization may take a licence again.
pub async fn release_pending<C: ConnectionTrait>(db: &C, deal_id: Uuid) -> Result<()> {
    open_licence_grant::Entity::delete_many()
        .filter(open_licence_grant::Column::DealId.eq(deal_id))
        .filter(open_licence_grant::Column::ContractId.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Whether a published declaration opens the achievement's patent for licensing: then
/// its owner may grant no exclusive or sole licence (Patent Law art. 51).
pub async fn is_open<C: ConnectionTrait>(db: &C, achievement_id: Uuid) -> Result<bool> {
    Ok(open_licence::Entity::find()
        .filter(open_licence::Column::LiveKey.eq(achievement_id.to_string()))
        .filter(open_licence::Column::Status.eq(OpenLicenceStatus::Published.as_str()))
        .count(db)
        .await?
        > 0)
}

/// Whether the organization already holds (or is taking) a licence under a declaration.
pub async fn already_taken<C: ConnectionTrait>(db: &C, open_licence_id: Uuid, org: Uuid) -> Result<bool> {
    Ok(open_licence_grant::Entity::find()
        .filter(open_licence_grant::Column::OpenLicenceId.eq(open_licence_id))
        .filter(open_licence_grant::Column::LicenseeOrgId.eq(org))
        .count(db)
        .await?
        > 0)
}
