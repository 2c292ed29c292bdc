//! Achievements: what universities, institutes and enterprises list for trade.
//!
//! Visibility: published and traded achievements are public; every other state is seen
//! only by the owning organization and by the center's reviewers (who oversee the
//! platform). Anyone else gets "not found", so no organization learns that another
//! organization's draft exists.

mod input;
pub(crate) mod view;
mod workflow;

pub use input::AchievementInput;
pub use view::{Access, AchievementSummary, AchievementView, OwnerBrief, summary, view};
pub use workflow::{approve, mark_traded, reject, republish, submit, withdraw};

use crate::audit;
use crate::entities::{StringList, achievement, organization};
use crate::error::{ListingsError, Result, check_version};
use crate::nda;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use std::collections::HashMap;
use techex_core::domain::{AchievementKind, AchievementStatus, Maturity};
use techex_core::pagination::Page;
use techex_core::{Actor, Currency, PageRequest, Role, new_id};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub(crate) const ENTITY: &str = "achievement";

/// Whether the actor may see the achievement at all.
pub fn visible_to(actor: Option<&Actor>, model: &achievement::Model) -> bool {
    let status = view::parse_status(&model.status);
    if matches!(status, AchievementStatus::Published | AchievementStatus::Traded) {
        return true;
    }
    match actor {
        Some(actor) if actor.belongs_to(model.organization_id) => true,
        Some(actor) => actor.can_review(),
        None => false,
    }
}

/// Members who act for the owning organization (not merely belong to it as a broker).
pub(crate) fn acts_for_owner(actor: &Actor, model: &achievement::Model) -> bool {
    actor.belongs_to(model.organization_id) && (actor.has(Role::Member) || actor.has(Role::OrgAdmin))
}

/// Loads an achievement the actor may see, or "not found".
pub async fn get<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<achievement::Model> {
    achievement::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|model| visible_to(actor, model))
        .ok_or(ListingsError::NotFound(ENTITY))
}

/// Works out what the actor may see of a visible achievement.
pub async fn access_of<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    model: &achievement::Model,
) -> Result<Access> {
    let owner = actor.is_some_and(|a| a.belongs_to(model.organization_id));
    let reviewer = actor.is_some_and(|a| a.can_review());
    let nda_accepted = match actor {
        Some(actor) if !owner => nda::has_accepted(db, actor.organization_id, model).await?,
        _ => false,
    };
    let details = owner || reviewer || !model.nda_required || nda_accepted;
    Ok(Access { owner, details, nda_accepted, reviewer })
}

/// Loads an achievement and its owner as the actor sees them.
pub async fn get_view<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<AchievementView> {
    let model = get(db, actor, id).await?;
    let owner = owner_of(db, &model).await?;
    let access = access_of(db, actor, &model).await?;
    Ok(view(model, &owner, access))
}

pub(crate) async fn owner_of<C: ConnectionTrait>(db: &C, model: &achievement::Model) -> Result<organization::Model> {
    organization::Entity::find_by_id(model.organization_id)
        .one(db)
        .await?
        .ok_or(ListingsError::Internal("achievement without organization".into()))
}

/// Creates a draft achievement for the actor's organization.
pub async fn create<C: ConnectionTrait>(db: &C, actor: &Actor, input: AchievementInput) -> Result<achievement::Model> {
    if !actor.organization_kind.may_list_achievements() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_KIND_DOES_NOT_LIST.with("kind", actor.organization_kind.as_str()),
        ));
    }
    if !(actor.has(Role::Member) || actor.has(Role::OrgAdmin)) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_MEMBERS_OF_THE_ORGANIZATION_MAY_LIST.into(),
        ));
    }
    let org = organization::Entity::find_by_id(actor.organization_id)
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("organization"))?;
    // A draft needs only a title; kind and field start as `other` until the seller says.
    let now = Utc::now();
    let mut active = achievement::ActiveModel {
        id: Set(new_id()),
        organization_id: Set(org.id),
        created_by: Set(actor.user_id),
        status: Set(AchievementStatus::Draft.as_str().into()),
        content_revision: Set(1),
        approved_revision: Set(None),
        title_zh: Set(None),
        title_en: Set(None),
        summary_zh: Set(None),
        summary_en: Set(None),
        abstract_zh: Set(None),
        abstract_en: Set(None),
        description_zh: Set(None),
        description_en: Set(None),
        advantage_zh: Set(None),
        advantage_en: Set(None),
        application_scenarios: Set(StringList::default()),
        kind: Set(AchievementKind::Other.as_str().into()),
        patent_number: Set(None),
        patent_granted: Set(false),
        ipc_codes: Set(StringList::default()),
        field_code: Set("other".into()),
        maturity: Set(None),
        trl: Set(None),
        transaction_modes: Set(StringList::default()),
        asking_price_minor: Set(None),
        floor_price_minor: Set(None),
        currency: Set(Currency::CNY.code().into()),
        price_negotiable: Set(false),
        inventors: Set(StringList::default()),
        keywords: Set(StringList::default()),
        region: Set(org.region.clone()),
        nda_required: Set(true),
        rejection_reason: Set(None),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    input::apply(db, &input, None, &mut active).await?;
    if let Some(Some(number)) = current_value(&active.patent_number) {
        ensure_patent_free(db, number, None).await?;
    }
    let created = active.insert(db).await.map_err(|e| {
        ListingsError::from_db_unique(e, techex_core::msg::REFUSED_AN_ACHIEVEMENT_WITH_THIS_PATENT_NUMBER_IS)
    })?;
    audit::record(db, Some(actor), "achievement.create", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    Ok(created)
}

/// The value an active field holds, whether newly set or unchanged.
pub(crate) fn current_value<T: Into<sea_orm::Value>>(value: &sea_orm::ActiveValue<T>) -> Option<&T> {
    match value {
        sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => Some(v),
        sea_orm::ActiveValue::NotSet => None,
    }
}

/// Refuses a patent number another achievement already carries.
pub(crate) async fn ensure_patent_free<C: ConnectionTrait>(db: &C, number: &str, except: Option<Uuid>) -> Result<()> {
    let existing = achievement::Entity::find().filter(achievement::Column::PatentNumber.eq(number)).one(db).await?;
    match existing {
        Some(found) if Some(found.id) != except => Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_PATENT_NUMBER_LISTED.with("number", number.to_string()),
        )),
        _ => Ok(()),
    }
}

/// Finds the actor's organization's achievement with a patent number (for imports).
pub async fn find_by_patent_number<C: ConnectionTrait>(db: &C, number: &str) -> Result<Option<achievement::Model>> {
    Ok(achievement::Entity::find().filter(achievement::Column::PatentNumber.eq(number)).one(db).await?)
}

/// Edits an achievement. Allowed while it is a draft, rejected (it becomes a draft
/// again) or withdrawn; a published achievement must be withdrawn first.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    input: AchievementInput,
) -> Result<achievement::Model> {
    let current = get(db, Some(actor), id).await?;
    if !acts_for_owner(actor, &current) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_OWNING_ORGANIZATION_MAY_EDIT_AN.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    let status = view::parse_status(&current.status);
    if !matches!(status, AchievementStatus::Draft | AchievementStatus::Rejected | AchievementStatus::Withdrawn) {
        return Err(ListingsError::InvalidTransition { entity: ENTITY, action: "edit", state: current.status.clone() });
    }
    let mut active: achievement::ActiveModel = current.clone().into();
    input::apply(db, &input, Some(&current), &mut active).await?;
    if let Some(Some(number)) = current_value(&active.patent_number) {
        ensure_patent_free(db, number, Some(id)).await?;
    }
    if status == AchievementStatus::Rejected {
        active.status = Set(AchievementStatus::Draft.as_str().into());
    }
    active.content_revision = Set(current.content_revision + 1);
    let updated = workflow::save(db, active, &current).await?;
    audit::record(
        db,
        Some(actor),
        "achievement.update",
        ENTITY,
        id,
        Some(snapshot(&current)),
        Some(snapshot(&updated)),
    )
    .await?;
    Ok(updated)
}

/// Deletes an achievement that never went public (draft or rejected, never published).
pub async fn delete<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid, expected_version: Option<i32>) -> Result<()> {
    let current = get(db, Some(actor), id).await?;
    if !acts_for_owner(actor, &current) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_OWNING_ORGANIZATION_MAY_DELETE_AN.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    let status = view::parse_status(&current.status);
    let deletable =
        matches!(status, AchievementStatus::Draft | AchievementStatus::Rejected) && current.published_at.is_none();
    if !deletable {
        return Err(ListingsError::InvalidTransition {
            entity: ENTITY,
            action: "delete",
            state: current.status.clone(),
        });
    }
    crate::documents::delete_all_for(db, id).await?;
    let deleted = achievement::Entity::delete_many()
        .filter(achievement::Column::Id.eq(id))
        .filter(achievement::Column::Version.eq(current.version))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ListingsError::Stale { given: current.version, current: current.version + 1 });
    }
    audit::record(db, Some(actor), "achievement.delete", ENTITY, id, Some(snapshot(&current)), None).await?;
    Ok(())
}

/// The audit snapshot of an achievement: its state and the fields reviewers care about.
pub(crate) fn snapshot(model: &achievement::Model) -> serde_json::Value {
    serde_json::json!({
        "status": model.status,
        "version": model.version,
        "content_revision": model.content_revision,
        "title_zh": model.title_zh,
        "title_en": model.title_en,
        "kind": model.kind,
        "patent_number": model.patent_number,
        "field": model.field_code,
        "asking_price_minor": model.asking_price_minor,
        "rejection_reason": model.rejection_reason,
    })
}

/// Filters of the achievement list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AchievementFilter {
    /// Owning organization id, or `mine` for the caller's organization.
    pub owner: Option<String>,
    pub kind: Option<AchievementKind>,
    /// Industry field code.
    pub field: Option<String>,
    pub status: Option<AchievementStatus>,
    pub maturity: Option<Maturity>,
    /// Region code.
    pub region: Option<String>,
}

/// Lists achievements the actor may see, newest first, with their owners.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    filter: &AchievementFilter,
    page: PageRequest,
) -> Result<Page<AchievementSummary>> {
    let public = [AchievementStatus::Published.as_str(), AchievementStatus::Traded.as_str()];
    let mut visibility = Condition::any().add(achievement::Column::Status.is_in(public));
    if let Some(actor) = actor {
        visibility = visibility.add(achievement::Column::OrganizationId.eq(actor.organization_id));
        if actor.can_review() {
            visibility = Condition::all();
        }
    }
    let mut query = achievement::Entity::find().filter(visibility).order_by_desc(achievement::Column::Id);
    match filter.owner.as_deref() {
        None | Some("") => {}
        Some("mine") => {
            let Some(actor) = actor else {
                return Err(ListingsError::Unauthenticated("`owner=mine` needs a signed-in user".into()));
            };
            query = query.filter(achievement::Column::OrganizationId.eq(actor.organization_id));
        }
        Some(other) => {
            let owner =
                Uuid::parse_str(other).map_err(|_| ListingsError::invalid("owner", techex_core::msg::OWNER_INVALID))?;
            query = query.filter(achievement::Column::OrganizationId.eq(owner));
        }
    }
    if let Some(kind) = filter.kind {
        query = query.filter(achievement::Column::Kind.eq(kind.as_str()));
    }
    if let Some(field) = &filter.field {
        query = query.filter(achievement::Column::FieldCode.eq(field.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(achievement::Column::Status.eq(status.as_str()));
    }
    if let Some(maturity) = filter.maturity {
        query = query.filter(achievement::Column::Maturity.eq(maturity.as_str()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(achievement::Column::Region.eq(region.as_str()));
    }
    if let Some(cursor) = page.after {
        query = query.filter(achievement::Column::Id.lt(cursor.0));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let page = Page::from_rows(rows, page.limit, |m| m.id);
    let owners = owners_by_id(db, page.items.iter().map(|m| m.organization_id)).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for model in page.items {
        let Some(owner) = owners.get(&model.organization_id) else {
            continue;
        };
        items.push(summary(model, owner));
    }
    Ok(Page { items, next_cursor: page.next_cursor })
}

/// Loads the organizations with these ids in one query.
pub async fn owners_by_id<C: ConnectionTrait>(
    db: &C,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, organization::Model>> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let orgs = organization::Entity::find().filter(organization::Column::Id.is_in(ids)).all(db).await?;
    Ok(orgs.into_iter().map(|o| (o.id, o)).collect())
}
