//! Reading the audit log: an entity's history for those who may see it, and the whole
//! log for platform administrators.

use crate::entities::audit_log;
use crate::error::{ListingsError, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use techex_core::pagination::Page;
use techex_core::{Actor, PageRequest};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One audit entry as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_user_id: Option<Uuid>,
    pub actor_org_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(m: audit_log::Model) -> Self {
        AuditEntry {
            id: m.id,
            at: m.at,
            actor_user_id: m.actor_user_id,
            actor_org_id: m.actor_org_id,
            action: m.action,
            entity_type: m.entity_type,
            entity_id: m.entity_id,
            before: m.before,
            after: m.after,
        }
    }
}

/// The history of one entity, oldest first. The caller has already checked that the
/// actor may see the entity's history.
pub async fn of_entity<C: ConnectionTrait>(db: &C, entity_type: &str, entity_id: Uuid) -> Result<Vec<AuditEntry>> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::EntityType.eq(entity_type))
        .filter(audit_log::Column::EntityId.eq(entity_id))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(AuditEntry::from)
        .collect())
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub action: Option<String>,
    /// Entries on or after this day (UTC).
    pub from: Option<chrono::NaiveDate>,
    /// Entries on or before this day (UTC).
    pub to: Option<chrono::NaiveDate>,
}

/// The audit log, newest first (platform administrators).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditEntry>> {
    if !actor.is_platform_admin() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_PLATFORM_ADMINISTRATORS_READ_THE_WHOLE_AUDIT.into(),
        ));
    }
    ListingsError::check_date_range(filter.from, filter.to)?;
    let mut query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
    if let Some(entity_type) = &filter.entity_type {
        query = query.filter(audit_log::Column::EntityType.eq(entity_type.as_str()));
    }
    if let Some(entity_id) = filter.entity_id {
        query = query.filter(audit_log::Column::EntityId.eq(entity_id));
    }
    if let Some(user) = filter.actor_user_id {
        query = query.filter(audit_log::Column::ActorUserId.eq(user));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::Column::Action.eq(action.as_str()));
    }
    if let Some(from) = filter.from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        query = query.filter(audit_log::Column::At.gte(from.and_utc()));
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)) {
        query = query.filter(audit_log::Column::At.lt(to.and_utc()));
    }
    if let Some(cursor) = page.after {
        query = query.filter(audit_log::Column::Id.lt(cursor.0));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |e| e.id).map(AuditEntry::from))
}
