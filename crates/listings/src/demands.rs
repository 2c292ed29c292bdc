//! Technology demands: what enterprises need, reviewed like achievements.
//!
//! ```text
//! draft ─submit→ pending_review ─approve→ published ─fulfil→ fulfilled
//!   ↑                  │                      └─close→ closed
//!   └──edit── rejected ←reject
//! ```
//! Published and fulfilled demands are public; the rest only to the owner and to the
//! center's reviewers.

use crate::audit;
use crate::entities::{StringList, demand};
use crate::error::{ListingsError, Result, check_version};
use crate::patching::{apply_amount, apply_texts, clean_list, merged};
use crate::reference::{resolve_field, resolve_region};
use crate::versioned::Versioned;
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use techex_core::domain::{DemandStatus, TransactionMode};
use techex_core::pagination::Page;
use techex_core::text::required_text;
use techex_core::{Actor, Currency, FieldErrors, PageRequest, Patch, Role, msg, new_id};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const ENTITY: &str = "demand";

/// The fields of a demand; on update absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DemandInput {
    #[schema(value_type = Option<String>, max_length = 200)]
    pub title_zh: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 200)]
    pub title_en: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub description_zh: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub description_en: Patch<String>,
    /// Industry field code.
    pub field: Option<String>,
    #[schema(max_items = 20)]
    pub keywords: Option<Vec<String>>,
    /// Lower end of the budget, minor units.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub budget_min_minor: Patch<i64>,
    /// Upper end of the budget, minor units.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub budget_max_minor: Patch<i64>,
    pub currency: Option<Currency>,
    pub desired_modes: Option<Vec<TransactionMode>>,
    /// Last day the demand is open (YYYY-MM-DD), today or later.
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Patch<NaiveDate>,
    /// Region code or name; defaults to the organization's region.
    pub region: Option<String>,
}

/// A demand as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DemandView {
    pub id: Uuid,
    pub status: DemandStatus,
    pub version: i32,
    pub owner: crate::achievements::OwnerBrief,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub description_zh: Option<String>,
    pub description_en: Option<String>,
    pub field: String,
    pub keywords: Vec<String>,
    pub budget_min_minor: Option<i64>,
    pub budget_max_minor: Option<i64>,
    pub currency: String,
    pub desired_modes: Vec<TransactionMode>,
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<NaiveDate>,
    pub region: String,
    /// Shown to the owner and reviewers.
    pub rejection_reason: Option<String>,
    pub published_at: Option<chrono::DateTime<Utc>>,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

fn status_of(model: &demand::Model) -> DemandStatus {
    DemandStatus::parse(&model.status).unwrap_or(DemandStatus::Draft)
}

/// Builds the view of a demand for a viewer.
pub fn view(model: demand::Model, owner: &crate::entities::organization::Model, actor: Option<&Actor>) -> DemandView {
    let privileged = actor.is_some_and(|a| a.belongs_to(model.organization_id) || a.can_review());
    DemandView {
        id: model.id,
        status: status_of(&model),
        version: model.version,
        owner: owner.into(),
        desired_modes: model.desired_modes.0.iter().filter_map(|m| TransactionMode::parse(m).ok()).collect(),
        title_zh: model.title_zh,
        title_en: model.title_en,
        description_zh: model.description_zh,
        description_en: model.description_en,
        field: model.field_code,
        keywords: model.keywords.0,
        budget_min_minor: model.budget_min_minor,
        budget_max_minor: model.budget_max_minor,
        currency: model.currency,
        deadline: model.deadline,
        region: model.region,
        rejection_reason: if privileged { model.rejection_reason } else { None },
        published_at: model.published_at,
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

fn visible_to(actor: Option<&Actor>, model: &demand::Model) -> bool {
    let status = status_of(model);
    if matches!(status, DemandStatus::Published | DemandStatus::Fulfilled) {
        return true;
    }
    match actor {
        Some(actor) if actor.belongs_to(model.organization_id) => true,
        Some(actor) => actor.can_review(),
        None => false,
    }
}

fn acts_for_owner(actor: &Actor, model: &demand::Model) -> bool {
    actor.belongs_to(model.organization_id) && (actor.has(Role::Member) || actor.has(Role::OrgAdmin))
}

/// Loads a demand the actor may see, or "not found".
pub async fn get<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<demand::Model> {
    demand::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|model| visible_to(actor, model))
        .ok_or(ListingsError::NotFound(ENTITY))
}

/// Loads a demand with its owner as the actor sees it.
pub async fn get_view<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<DemandView> {
    let model = get(db, actor, id).await?;
    let owners = crate::achievements::owners_by_id(db, std::iter::once(model.organization_id)).await?;
    let owner = owners.get(&model.organization_id).ok_or(ListingsError::Internal("demand without owner".into()))?;
    Ok(view(model, owner, actor))
}

async fn apply<C: ConnectionTrait>(
    db: &C,
    input: &DemandInput,
    current: Option<&demand::Model>,
    active: &mut demand::ActiveModel,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    apply_texts(
        &mut errors,
        [
            ("title_zh", &input.title_zh, 200, &mut active.title_zh),
            ("title_en", &input.title_en, 200, &mut active.title_en),
            ("description_zh", &input.description_zh, 20_000, &mut active.description_zh),
            ("description_en", &input.description_en, 20_000, &mut active.description_en),
        ],
    );
    if let Some(field) = &input.field
        && let Some(code) = errors.check("field", resolve_field(db, field).await)
    {
        active.field_code = Set(code);
    }
    if let Some(keywords) = &input.keywords {
        active.keywords = Set(StringList(clean_list(&mut errors, "keywords", keywords, 20, 64)));
    }
    apply_amount(&mut errors, "budget_min_minor", &input.budget_min_minor, &mut active.budget_min_minor);
    apply_amount(&mut errors, "budget_max_minor", &input.budget_max_minor, &mut active.budget_max_minor);
    if let Some(currency) = input.currency {
        active.currency = Set(currency.code().into());
    }
    if let Some(modes) = &input.desired_modes {
        let mut codes: Vec<String> = Vec::new();
        for mode in modes {
            if !codes.iter().any(|c| c == mode.as_str()) {
                codes.push(mode.as_str().into());
            }
        }
        active.desired_modes = Set(StringList(codes));
    }
    match input.deadline {
        Patch::Absent => {}
        Patch::Null => active.deadline = Set(None),
        Patch::Value(date) if date < Utc::now().date_naive() => errors.add("deadline", msg::DATE_IN_PAST),
        Patch::Value(date) => active.deadline = Set(Some(date)),
    }
    if let Some(region) = &input.region
        && let Some(code) = errors.check("region", resolve_region(db, region).await)
    {
        active.region = Set(code);
    }
    let min = merged(&active.budget_min_minor, current.map(|c| c.budget_min_minor)).flatten();
    let max = merged(&active.budget_max_minor, current.map(|c| c.budget_max_minor)).flatten();
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        errors.add("budget_max_minor", msg::BUDGET_INVERTED);
    }
    let has_title = merged(&active.title_zh, current.map(|c| c.title_zh.clone())).flatten().is_some()
        || merged(&active.title_en, current.map(|c| c.title_en.clone())).flatten().is_some();
    let title_already_wrong = errors.0.iter().any(|e| e.field.starts_with("title"));
    if !has_title && !title_already_wrong {
        errors.add("title_zh", msg::TITLE_REQUIRED);
    }
    errors.into_result()
}

/// Creates a draft demand for the actor's organization.
pub async fn create<C: ConnectionTrait>(db: &C, actor: &Actor, input: DemandInput) -> Result<demand::Model> {
    if !actor.organization_kind.may_post_demands() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_KIND_DOES_NOT_POST.with("kind", actor.organization_kind.as_str()),
        ));
    }
    if !(actor.has(Role::Member) || actor.has(Role::OrgAdmin)) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_MEMBERS_OF_THE_ORGANIZATION_MAY_POST.into(),
        ));
    }
    let org = crate::entities::organization::Entity::find_by_id(actor.organization_id)
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("organization"))?;
    let now = Utc::now();
    let mut active = demand::ActiveModel {
        id: Set(new_id()),
        organization_id: Set(org.id),
        created_by: Set(actor.user_id),
        status: Set(DemandStatus::Draft.as_str().into()),
        title_zh: Set(None),
        title_en: Set(None),
        description_zh: Set(None),
        description_en: Set(None),
        field_code: Set("other".into()),
        keywords: Set(StringList::default()),
        budget_min_minor: Set(None),
        budget_max_minor: Set(None),
        currency: Set(Currency::CNY.code().into()),
        desired_modes: Set(StringList::default()),
        deadline: Set(None),
        region: Set(org.region.clone()),
        rejection_reason: Set(None),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        published_at: Set(None),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    apply(db, &input, None, &mut active).await?;
    let created = active.insert(db).await?;
    audit::record(db, Some(actor), "demand.create", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    Ok(created)
}

fn snapshot(model: &demand::Model) -> serde_json::Value {
    serde_json::json!({
        "status": model.status, "version": model.version, "title_zh": model.title_zh, "title_en": model.title_en,
        "field": model.field_code, "budget_min_minor": model.budget_min_minor,
        "budget_max_minor": model.budget_max_minor, "deadline": model.deadline,
        "rejection_reason": model.rejection_reason,
    })
}

/// How a demand is saved: its id and version columns.
const DEMAND_ROWS: Versioned<demand::Entity> =
    Versioned { entity: ENTITY, id: demand::Column::Id, version: demand::Column::Version };

async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: demand::ActiveModel,
    current: &demand::Model,
) -> Result<demand::Model> {
    active.updated_at = Set(Utc::now());
    DEMAND_ROWS.save(db, active, current.id, current.version).await
}

async fn finish<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    before: &demand::Model,
    after: &demand::Model,
    search_op: Option<&str>,
) -> Result<()> {
    audit::record(db, Some(actor), action, ENTITY, after.id, Some(snapshot(before)), Some(snapshot(after))).await?;
    if let Some(op) = search_op {
        audit::enqueue_search_update(db, ENTITY, after.id, op).await?;
    }
    Ok(())
}

fn refuse(action: &'static str, current: &demand::Model) -> ListingsError {
    ListingsError::InvalidTransition { entity: ENTITY, action, state: current.status.clone() }
}

/// Edits a draft or rejected demand (a rejected one becomes a draft again).
pub async fn update<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    input: DemandInput,
) -> Result<demand::Model> {
    let current = get(db, Some(actor), id).await?;
    if !acts_for_owner(actor, &current) {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_OWNING_ORGANIZATION_MAY_EDIT_A.into()));
    }
    check_version(expected_version, current.version)?;
    if !matches!(status_of(&current), DemandStatus::Draft | DemandStatus::Rejected) {
        return Err(refuse("edit", &current));
    }
    let mut active: demand::ActiveModel = current.clone().into();
    apply(db, &input, Some(&current), &mut active).await?;
    active.status = Set(DemandStatus::Draft.as_str().into());
    let updated = save(db, active, &current).await?;
    finish(db, actor, "demand.update", &current, &updated, None).await?;
    Ok(updated)
}

/// Sends a draft demand for review.
pub async fn submit<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<demand::Model> {
    let current = get(db, Some(actor), id).await?;
    if !acts_for_owner(actor, &current) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_OWNING_ORGANIZATION_MAY_SUBMIT_THIS.into(),
        ));
    }
    if !actor.organization_verified {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_NOT_VERIFIED_TO_PUBLISH.into()));
    }
    check_version(expected_version, current.version)?;
    if status_of(&current) != DemandStatus::Draft {
        return Err(refuse("submit", &current));
    }
    let mut errors = FieldErrors::new();
    if current.description_zh.is_none() && current.description_en.is_none() {
        errors.add("description_zh", msg::DESCRIPTION_REQUIRED);
    }
    if current.deadline.is_some_and(|d| d < Utc::now().date_naive()) {
        errors.add("deadline", msg::DEADLINE_PASSED);
    }
    errors.into_result()?;
    let mut active: demand::ActiveModel = current.clone().into();
    active.status = Set(DemandStatus::PendingReview.as_str().into());
    let updated = save(db, active, &current).await?;
    finish(db, actor, "demand.submit", &current, &updated, None).await?;
    Ok(updated)
}

fn ensure_reviewer(actor: &Actor, current: &demand::Model, action: &str) -> Result<()> {
    if !actor.can_review() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_REVIEWERS.with("action", action.to_string()).with("what", "demands"),
        ));
    }
    if actor.belongs_to(current.organization_id) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_REVIEWER_OWN_ORGANIZATION
                .with("action", action.to_string())
                .with("what", "demand"),
        ));
    }
    Ok(())
}

/// Publishes a demand under review (center reviewers).
pub async fn approve<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<demand::Model> {
    let current = get(db, Some(actor), id).await?;
    ensure_reviewer(actor, &current, "approve")?;
    check_version(expected_version, current.version)?;
    if status_of(&current) != DemandStatus::PendingReview {
        return Err(refuse("approve", &current));
    }
    let now = Utc::now();
    let mut active: demand::ActiveModel = current.clone().into();
    active.status = Set(DemandStatus::Published.as_str().into());
    active.rejection_reason = Set(None);
    active.reviewed_by = Set(Some(actor.user_id));
    active.reviewed_at = Set(Some(now));
    active.published_at = Set(Some(now));
    let updated = save(db, active, &current).await?;
    finish(db, actor, "demand.approve", &current, &updated, Some("upsert")).await?;
    Ok(updated)
}

/// Returns a demand under review to its owner with a reason (center reviewers).
pub async fn reject<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<demand::Model> {
    let current = get(db, Some(actor), id).await?;
    ensure_reviewer(actor, &current, "reject")?;
    check_version(expected_version, current.version)?;
    if status_of(&current) != DemandStatus::PendingReview {
        return Err(refuse("reject", &current));
    }
    let reason = required_text(reason, 2000).map_err(|e| ListingsError::invalid("reason", e))?;
    let mut active: demand::ActiveModel = current.clone().into();
    active.status = Set(DemandStatus::Rejected.as_str().into());
    active.rejection_reason = Set(Some(reason));
    active.reviewed_by = Set(Some(actor.user_id));
    active.reviewed_at = Set(Some(Utc::now()));
    let updated = save(db, active, &current).await?;
    finish(db, actor, "demand.reject", &current, &updated, None).await?;
    Ok(updated)
}

/// Ends a published demand: `fulfilled` when the need was met, otherwise `closed`.
pub async fn finish_demand<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    fulfilled: bool,
) -> Result<demand::Model> {
    let current = get(db, Some(actor), id).await?;
    if !acts_for_owner(actor, &current) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_OWNING_ORGANIZATION_MAY_CLOSE_THIS.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    let action = if fulfilled { "fulfil" } else { "close" };
    if status_of(&current) != DemandStatus::Published {
        return Err(refuse(action, &current));
    }
    let mut active: demand::ActiveModel = current.clone().into();
    let target = if fulfilled { DemandStatus::Fulfilled } else { DemandStatus::Closed };
    active.status = Set(target.as_str().into());
    active.closed_at = Set(Some(Utc::now()));
    let updated = save(db, active, &current).await?;
    finish(db, actor, if fulfilled { "demand.fulfil" } else { "demand.close" }, &current, &updated, Some("delete"))
        .await?;
    Ok(updated)
}

/// Deletes a demand that never went public.
pub async fn delete<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let current = get(db, Some(actor), id).await?;
    if !acts_for_owner(actor, &current) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_OWNING_ORGANIZATION_MAY_DELETE_A.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    let deletable =
        matches!(status_of(&current), DemandStatus::Draft | DemandStatus::Rejected) && current.published_at.is_none();
    if !deletable {
        return Err(refuse("delete", &current));
    }
    demand::Entity::delete_many()
        .filter(demand::Column::Id.eq(id))
        .filter(demand::Column::Version.eq(current.version))
        .exec(db)
        .await?;
    audit::record(db, Some(actor), "demand.delete", ENTITY, id, Some(snapshot(&current)), None).await?;
    Ok(())
}

/// Filters of the demand list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DemandFilter {
    /// Owning organization id, or `mine`.
    pub owner: Option<String>,
    pub field: Option<String>,
    pub status: Option<DemandStatus>,
    pub region: Option<String>,
}

/// Lists demands the actor may see, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    filter: &DemandFilter,
    page: PageRequest,
) -> Result<Page<DemandView>> {
    let public = [DemandStatus::Published.as_str(), DemandStatus::Fulfilled.as_str()];
    let mut visibility = Condition::any().add(demand::Column::Status.is_in(public));
    if let Some(actor) = actor {
        visibility = visibility.add(demand::Column::OrganizationId.eq(actor.organization_id));
        if actor.can_review() {
            visibility = Condition::all();
        }
    }
    let mut query = demand::Entity::find().filter(visibility).order_by_desc(demand::Column::Id);
    match filter.owner.as_deref() {
        None | Some("") => {}
        Some("mine") => {
            let Some(actor) = actor else {
                return Err(ListingsError::Unauthenticated("`owner=mine` needs a signed-in user".into()));
            };
            query = query.filter(demand::Column::OrganizationId.eq(actor.organization_id));
        }
        Some(other) => {
            let owner =
                Uuid::parse_str(other).map_err(|_| ListingsError::invalid("owner", techex_core::msg::OWNER_INVALID))?;
            query = query.filter(demand::Column::OrganizationId.eq(owner));
        }
    }
    if let Some(field) = &filter.field {
        query = query.filter(demand::Column::FieldCode.eq(field.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(demand::Column::Status.eq(status.as_str()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(demand::Column::Region.eq(region.as_str()));
    }
    if let Some(cursor) = page.after {
        query = query.filter(demand::Column::Id.lt(cursor.0));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let page = Page::from_rows(rows, page.limit, |m| m.id);
    let owners = crate::achievements::owners_by_id(db, page.items.iter().map(|m| m.organization_id)).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for model in page.items {
        let Some(owner) = owners.get(&model.organization_id) else {
            continue;
        };
        items.push(view(model, owner, actor));
    }
    Ok(Page { items, next_cursor: page.next_cursor })
}
