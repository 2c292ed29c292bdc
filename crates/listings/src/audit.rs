//! The append-only audit log: every transition writes one entry in the transaction
//! that makes the change, so an entry exists exactly when the change does.

use crate::entities::{audit_log, outbox};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use techex_core::{Actor, new_id};
use uuid::Uuid;

/// Appends an audit entry. `before`/`after` are the relevant state, as JSON.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    action: &str,
    entity_type: &str,
    entity_id: Uuid,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        id: Set(new_id()),
        at: Set(Utc::now()),
        actor_user_id: Set(actor.map(|a| a.user_id)),
        actor_org_id: Set(actor.map(|a| a.organization_id)),
        action: Set(action.to_string()),
        entity_type: Set(entity_type.to_string()),
        entity_id: Set(entity_id),
        before: Set(before),
        after: Set(after),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Appends an outbox row telling search that an entity changed (`upsert`) or must
/// disappear (`delete`). Called in the transaction of the change.
pub async fn enqueue_search_update<C: ConnectionTrait>(
    db: &C,
    entity_type: &str,
    entity_id: Uuid,
    op: &str,
) -> Result<(), DbErr> {
    outbox::ActiveModel {
        position: sea_orm::NotSet,
        entity_type: Set(entity_type.to_string()),
        entity_id: Set(entity_id),
        op: Set(op.to_string()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}
