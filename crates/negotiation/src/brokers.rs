//! The broker registry: platform admins certify users as technology brokers (certificate
//! number, level, fields, agency, default commission) and suspend or reinstate them; a
//! broker keeps their own profile; everyone sees active brokers with their track record.

use crate::Result;
use crate::entities::{broker, deal};
use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use techex_core::domain::{BrokerLevel, DealStatus, OrgKind};
use techex_core::pagination::Page;
use techex_core::text::{optional_text, required_text};
use techex_core::{Actor, FieldErrors, PageRequest, Patch, Role, RoleSet};
use techex_listings::achievements::OwnerBrief;
use techex_listings::entities::{StringList, organization, user};
use techex_listings::error::check_version;
use techex_listings::reference::resolve_field;
use techex_listings::versioned::Versioned;
use techex_listings::{ListingsError, audit};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const ENTITY: &str = "broker";

/// Certifying a user as a broker (platform admins).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertifyBroker {
    pub user_id: Uuid,
    /// The certificate number issued by the provincial technology market association.
    pub certificate_number: String,
    pub level: BrokerLevel,
    /// Industry field codes of expertise.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Default commission in basis points (0–3000).
    #[schema(minimum = 0, maximum = 3000)]
    pub commission_bps: i32,
    #[serde(default)]
    pub bio_zh: Option<String>,
    #[serde(default)]
    pub bio_en: Option<String>,
    /// The last day the certificate is valid (`YYYY-MM-DD`), not in the past; none when
    /// the certificate does not say.
    #[serde(default)]
    pub certificate_expires_on: Option<NaiveDate>,
}

/// Changes to a broker's profile; absent fields stay. `level` only by platform admins.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct UpdateBroker {
    pub level: Option<BrokerLevel>,
    pub fields: Option<Vec<String>>,
    /// Default commission in basis points (0–3000).
    #[schema(minimum = 0, maximum = 3000)]
    pub commission_bps: Option<i32>,
    #[schema(value_type = Option<String>)]
    pub bio_zh: Patch<String>,
    #[schema(value_type = Option<String>)]
    pub bio_en: Patch<String>,
    /// The last day the certificate is valid (platform admins; not in the past); `null`
    /// clears it.
    #[schema(value_type = Option<NaiveDate>)]
    pub certificate_expires_on: Patch<NaiveDate>,
}

/// What a broker has done on the platform.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct TrackRecord {
    /// Deals the broker accepted to mediate.
    pub deals_mediated: u64,
    /// Of those, deals that reached agreed terms (agreed or contracted).
    pub deals_closed: u64,
    /// Deals still being negotiated.
    pub deals_open: u64,
    /// Sum of the agreed lump sums, minor units, per currency.
    pub value_minor: HashMap<String, i64>,
}

/// A broker as shown to others.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BrokerView {
    pub id: Uuid,
    pub display_name: String,
    pub certificate_number: String,
    pub level: BrokerLevel,
    pub fields: Vec<String>,
    pub agency: Option<OwnerBrief>,
    pub commission_bps: i32,
    pub bio_zh: Option<String>,
    pub bio_en: Option<String>,
    /// `active` or `suspended`.
    pub status: String,
    /// Shown to the broker and platform admins.
    pub suspended_reason: Option<String>,
    pub certified_at: chrono::DateTime<Utc>,
    /// The last day the certificate is valid; none when not recorded.
    pub certificate_expires_on: Option<NaiveDate>,
    /// Whether the certificate's last day has passed: the broker is not offered for new
    /// deals until it is renewed.
    pub certificate_expired: bool,
    pub track_record: TrackRecord,
    pub version: i32,
}

/// Filters of the broker directory.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BrokerFilter {
    /// Industry field code of expertise.
    pub field: Option<String>,
    pub level: Option<BrokerLevel>,
    /// `active` (default) or `suspended` (platform admins), or `all`.
    pub status: Option<String>,
}

fn snapshot(model: &broker::Model) -> serde_json::Value {
    serde_json::json!({
        "certificate_number": model.certificate_number, "level": model.level, "fields": model.fields.0,
        "commission_bps": model.commission_bps, "status": model.status,
        "suspended_reason": model.suspended_reason, "version": model.version,
        "certificate_expires_on": model.certificate_expires_on,
    })
}

fn check_commission(errors: &mut FieldErrors, field: &str, bps: i32) {
    if !(0..=3000).contains(&bps) {
        errors.add(field, techex_core::msg::bps_range(0, 3000));
    }
}

async fn check_fields<C: ConnectionTrait>(db: &C, errors: &mut FieldErrors, fields: &[String]) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        if let Some(code) = errors.check(&format!("fields[{index}]"), resolve_field(db, field).await)
            && !codes.contains(&code)
        {
            codes.push(code);
        }
    }
    if codes.len() > 12 {
        errors.add("fields", techex_core::msg::TOO_MANY_ENTRIES.with("max", 12));
    }
    codes
}

/// Loads a broker profile.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<broker::Model> {
    broker::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))
}

/// Whether a broker is not suspended.
pub fn is_active(model: &broker::Model) -> bool {
    model.status == "active"
}

/// Whether the certificate's last day is before `today`.
pub fn certificate_expired(model: &broker::Model, today: NaiveDate) -> bool {
    model.certificate_expires_on.is_some_and(|last_day| last_day < today)
}

/// Whether a broker may be invited to and take on new deals today: not suspended and the
/// certificate not expired.
pub fn is_available(model: &broker::Model) -> bool {
    is_active(model) && !certificate_expired(model, Utc::now().date_naive())
}

fn check_expiry(errors: &mut FieldErrors, expires_on: Option<NaiveDate>) {
    if expires_on.is_some_and(|last_day| last_day < Utc::now().date_naive()) {
        errors.add("certificate_expires_on", techex_core::msg::DATE_IN_PAST);
    }
}

/// Certifies a user as a broker (platform admins): creates the profile and grants the
/// broker role.
pub async fn certify<C: ConnectionTrait>(db: &C, actor: &Actor, input: CertifyBroker) -> Result<broker::Model> {
    if !actor.is_platform_admin() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_PLATFORM_ADMINISTRATORS_CERTIFY_BROKERS.into(),
        ));
    }
    let person = user::Entity::find_by_id(input.user_id)
        .one(db)
        .await?
        .filter(|u| u.status == "active")
        .ok_or_else(|| ListingsError::invalid("user_id", techex_core::msg::USER_UNKNOWN))?;
    let mut errors = FieldErrors::new();
    let certificate = errors.check("certificate_number", required_text(&input.certificate_number, 64));
    check_commission(&mut errors, "commission_bps", input.commission_bps);
    let fields = check_fields(db, &mut errors, &input.fields).await;
    let bio_zh = errors.check("bio_zh", optional_text(input.bio_zh.as_deref(), 4000)).flatten();
    let bio_en = errors.check("bio_en", optional_text(input.bio_en.as_deref(), 4000)).flatten();
    check_expiry(&mut errors, input.certificate_expires_on);
    errors.into_result()?;
    let certificate = certificate.unwrap_or_default();
    if broker::Entity::find_by_id(person.id).one(db).await?.is_some() {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_THIS_USER_IS_ALREADY_A_CERTIFIED_BROKER.into()));
    }
    let org = organization::Entity::find_by_id(person.organization_id)
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("organization"))?;
    let agency = (OrgKind::parse(&org.kind).ok() == Some(OrgKind::BrokerAgency)).then_some(org.id);
    let now = Utc::now();
    let created = broker::ActiveModel {
        id: Set(person.id),
        certificate_number: Set(certificate),
        level: Set(input.level.as_str().into()),
        fields: Set(StringList(fields)),
        agency_id: Set(agency),
        commission_bps: Set(input.commission_bps),
        bio_zh: Set(bio_zh),
        bio_en: Set(bio_en),
        status: Set("active".into()),
        suspended_reason: Set(None),
        certified_by: Set(actor.user_id),
        certified_at: Set(now),
        certificate_expires_on: Set(input.certificate_expires_on),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(|e| {
        ListingsError::from_db_unique(e, techex_core::msg::REFUSED_THIS_CERTIFICATE_NUMBER_IS_ALREADY_REGISTERED)
    })?;
    let roles = RoleSet::from_stored(&person.roles);
    if !roles.contains(Role::Broker) {
        let mut granted = roles.roles().to_vec();
        granted.push(Role::Broker);
        let mut active: user::ActiveModel = person.clone().into();
        active.roles = Set(RoleSet::new(granted).to_stored());
        active.updated_at = Set(now);
        // Guarded by the version read above: a concurrent change of the person's roles
        // or status makes this certification fail (412) instead of being overwritten.
        USER_ROWS.save(db, active, person.id, person.version).await?;
    }
    audit::record(db, Some(actor), "broker.certify", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    Ok(created)
}

/// How a broker is saved: its id and version columns.
/// How the certified person's roles are saved: the user row's id and version columns.
const USER_ROWS: Versioned<user::Entity> =
    Versioned { entity: "user", id: user::Column::Id, version: user::Column::Version };

const BROKER_ROWS: Versioned<broker::Entity> =
    Versioned { entity: ENTITY, id: broker::Column::Id, version: broker::Column::Version };

async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: broker::ActiveModel,
    current: &broker::Model,
) -> Result<broker::Model> {
    active.updated_at = Set(Utc::now());
    BROKER_ROWS.save(db, active, current.id, current.version).await
}

/// Edits a broker profile: the broker their own (fields, commission, biography), platform
/// admins any (and the level).
pub async fn update<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    input: UpdateBroker,
) -> Result<broker::Model> {
    let current = get(db, id).await?;
    let admin = actor.is_platform_admin();
    if !admin && actor.user_id != id {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_BROKER_OR_A_PLATFORM_ADMINISTRATOR.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    let mut errors = FieldErrors::new();
    let mut active: broker::ActiveModel = current.clone().into();
    if let Some(level) = input.level {
        if admin {
            active.level = Set(level.as_str().into());
        } else {
            errors.add("level", techex_core::msg::BROKER_LEVEL_ADMIN_ONLY);
        }
    }
    if let Some(fields) = &input.fields {
        active.fields = Set(StringList(check_fields(db, &mut errors, fields).await));
    }
    if let Some(bps) = input.commission_bps {
        check_commission(&mut errors, "commission_bps", bps);
        active.commission_bps = Set(bps);
    }
    match input.certificate_expires_on {
        Patch::Absent => {}
        _ if !admin => errors.add("certificate_expires_on", techex_core::msg::BROKER_CERTIFICATE_ADMIN_ONLY),
        Patch::Null => active.certificate_expires_on = Set(None),
        Patch::Value(last_day) => {
            check_expiry(&mut errors, Some(last_day));
            active.certificate_expires_on = Set(Some(last_day));
        }
    }
    for (field, patch, target) in
        [("bio_zh", &input.bio_zh, &mut active.bio_zh), ("bio_en", &input.bio_en, &mut active.bio_en)]
    {
        match patch {
            Patch::Absent => {}
            Patch::Null => *target = Set(None),
            Patch::Value(text) => {
                if let Some(value) = errors.check(field, optional_text(Some(text), 4000)) {
                    *target = Set(value);
                }
            }
        }
    }
    errors.into_result()?;
    let updated = save(db, active, &current).await?;
    audit::record(db, Some(actor), "broker.update", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated)))
        .await?;
    Ok(updated)
}

/// Suspends (`reason` given) or reinstates (`None`) a broker (platform admins). A
/// suspended broker cannot take new deals; deals already mediated continue.
pub async fn set_suspended<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: Option<&str>,
) -> Result<broker::Model> {
    if !actor.is_platform_admin() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_PLATFORM_ADMINISTRATORS_SUSPEND_OR_REINSTATE_BROKERS.into(),
        ));
    }
    let current = get(db, id).await?;
    check_version(expected_version, current.version)?;
    let mut active: broker::ActiveModel = current.clone().into();
    let action = match reason {
        Some(reason) => {
            if !is_active(&current) {
                return Err(crate::refuse(ENTITY, "suspend", &current.status));
            }
            let reason = required_text(reason, 2000).map_err(|e| ListingsError::invalid("reason", e))?;
            active.status = Set("suspended".into());
            active.suspended_reason = Set(Some(reason));
            "broker.suspend"
        }
        None => {
            if is_active(&current) {
                return Err(crate::refuse(ENTITY, "reinstate", &current.status));
            }
            active.status = Set("active".into());
            active.suspended_reason = Set(None);
            "broker.reinstate"
        }
    };
    let updated = save(db, active, &current).await?;
    audit::record(db, Some(actor), action, ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated))).await?;
    Ok(updated)
}

/// The track records of some brokers, from their deals.
pub async fn track_records<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, TrackRecord>> {
    let mut records: HashMap<Uuid, TrackRecord> = ids.iter().map(|id| (*id, TrackRecord::default())).collect();
    if ids.is_empty() {
        return Ok(records);
    }
    let deals = deal::Entity::find()
        .filter(deal::Column::BrokerId.is_in(ids.to_vec()))
        .filter(deal::Column::BrokerStatus.eq("accepted"))
        .all(db)
        .await?;
    for deal in deals {
        let Some(record) = deal.broker_id.and_then(|id| records.get_mut(&id)) else {
            continue;
        };
        record.deals_mediated += 1;
        match DealStatus::parse(&deal.status) {
            Ok(DealStatus::Agreed | DealStatus::Contracted) => {
                record.deals_closed += 1;
                if let Some(terms) = deal.agreement.as_ref().and_then(|a| a.get("terms")) {
                    let currency = terms.get("currency").and_then(|c| c.as_str()).unwrap_or("CNY").to_string();
                    let amount = terms.get("lump_sum_minor").and_then(|v| v.as_i64()).unwrap_or(0);
                    let total = record.value_minor.entry(currency).or_insert(0);
                    *total = total.saturating_add(amount);
                }
            }
            Ok(status) if status.is_open() => record.deals_open += 1,
            _ => {}
        }
    }
    Ok(records)
}

async fn views<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    models: Vec<broker::Model>,
) -> Result<Vec<BrokerView>> {
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let people: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let agencies = techex_listings::achievements::owners_by_id(db, models.iter().filter_map(|m| m.agency_id)).await?;
    let mut records = track_records(db, &ids).await?;
    let today = Utc::now().date_naive();
    Ok(models
        .into_iter()
        .map(|m| {
            let privileged = actor.is_some_and(|a| a.is_platform_admin() || a.user_id == m.id);
            let expired = certificate_expired(&m, today);
            BrokerView {
                id: m.id,
                display_name: people.get(&m.id).map(|u| u.display_name.clone()).unwrap_or_default(),
                certificate_number: m.certificate_number,
                level: BrokerLevel::parse(&m.level).unwrap_or(BrokerLevel::Junior),
                fields: m.fields.0,
                agency: m.agency_id.and_then(|id| agencies.get(&id)).map(OwnerBrief::from),
                commission_bps: m.commission_bps,
                bio_zh: m.bio_zh,
                bio_en: m.bio_en,
                status: m.status,
                suspended_reason: if privileged { m.suspended_reason } else { None },
                certified_at: m.certified_at,
                certificate_expires_on: m.certificate_expires_on,
                certificate_expired: expired,
                track_record: records.remove(&m.id).unwrap_or_default(),
                version: m.version,
            }
        })
        .collect())
}

/// One broker's public profile (suspended ones to platform admins and themselves only).
pub async fn get_view<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<BrokerView> {
    let model = get(db, id).await?;
    let privileged = actor.is_some_and(|a| a.is_platform_admin() || a.user_id == id);
    if !is_active(&model) && !privileged {
        return Err(ListingsError::NotFound(ENTITY));
    }
    views(db, actor, vec![model]).await?.pop().ok_or(ListingsError::NotFound(ENTITY))
}

/// The broker directory, most recently certified first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    filter: &BrokerFilter,
    page: PageRequest,
) -> Result<Page<BrokerView>> {
    let admin = actor.is_some_and(Actor::is_platform_admin);
    let mut query = broker::Entity::find().order_by_desc(broker::Column::Id);
    match filter.status.as_deref().unwrap_or("active") {
        "active" => query = query.filter(broker::Column::Status.eq("active")),
        "suspended" if admin => query = query.filter(broker::Column::Status.eq("suspended")),
        "all" if admin => {}
        "suspended" | "all" => {
            return Err(ListingsError::Forbidden(
                techex_core::msg::REFUSED_ONLY_PLATFORM_ADMINISTRATORS_LIST_SUSPENDED_BROKERS.into(),
            ));
        }
        _ => {
            return Err(ListingsError::invalid(
                "status",
                techex_core::msg::VALUE_NOT_ONE_OF
                    .with("input", filter.status.as_deref().unwrap_or_default())
                    .with("allowed", "active, suspended, all"),
            ));
        }
    }
    if let Some(level) = filter.level {
        query = query.filter(broker::Column::Level.eq(level.as_str()));
    }
    if let Some(cursor) = page.after {
        query = query.filter(broker::Column::Id.lt(cursor.0));
    }
    // Fields of expertise live in a JSON list; the directory is small, so filter here.
    let rows: Vec<broker::Model> =
        query.limit(if filter.field.is_some() { 1000 } else { page.limit + 1 }).all(db).await?;
    let rows: Vec<broker::Model> = match &filter.field {
        Some(field) => {
            rows.into_iter().filter(|b| b.fields.0.iter().any(|f| f == field)).take(page.limit as usize + 1).collect()
        }
        None => rows,
    };
    let page = Page::from_rows(rows, page.limit, |m| m.id);
    Ok(Page { items: views(db, actor, page.items).await?, next_cursor: page.next_cursor })
}
