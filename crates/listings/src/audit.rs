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

/// The PostgreSQL notification channel that wakes the search indexers.
pub const OUTBOX_CHANNEL: &str = "techex_outbox";

/// Key of the transaction-scoped advisory lock that orders outbox writers on PostgreSQL.
const OUTBOX_LOCK: i64 = 0x7465_6368_6578; // "techex"

/// Appends an outbox row telling search that an entity changed (`upsert`) or must
/// disappear (`delete`). Called in the transaction of the change.
///
/// Readers follow the outbox by position, so positions must become visible in order.
/// On PostgreSQL, sequence values are handed out before commit, so a transaction that
/// commits late could expose a smaller position after a reader moved past it; writers
/// therefore take a transaction-scoped advisory lock first, which makes outbox writes
/// commit in position order. SQLite has a single writer, so order is given. The
/// `NOTIFY` is delivered at commit and wakes every listening indexer.
pub async fn enqueue_search_update<C: ConnectionTrait>(
    db: &C,
    entity_type: &str,
    entity_id: Uuid,
    op: &str,
) -> Result<(), DbErr> {
    let postgres = db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    if postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({OUTBOX_LOCK})")).await?;
    }
    outbox::ActiveModel {
        position: sea_orm::NotSet,
        entity_type: Set(entity_type.to_string()),
        entity_id: Set(entity_id),
        op: Set(op.to_string()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    if postgres {
        db.execute_unprepared(&format!("SELECT pg_notify('{OUTBOX_CHANNEL}', '')")).await?;
    }
    Ok(())
}

/// Deletes outbox rows older than `before` and records how far the outbox was pruned,
/// in one transaction. Returns the number of rows removed.
pub async fn prune_outbox<C: ConnectionTrait>(db: &C, before: chrono::DateTime<Utc>) -> Result<u64, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let Some(last) = outbox::Entity::find()
        .filter(outbox::Column::CreatedAt.lt(before))
        .order_by_desc(outbox::Column::Position)
        .one(db)
        .await?
    else {
        return Ok(0);
    };
    let removed =
        outbox::Entity::delete_many().filter(outbox::Column::Position.lte(last.position)).exec(db).await?.rows_affected;
    crate::entities::outbox_meta::Entity::update_many()
        .col_expr(crate::entities::outbox_meta::Column::PrunedThrough, sea_orm::sea_query::Expr::value(last.position))
        .filter(crate::entities::outbox_meta::Column::Id.eq(1))
        .exec(db)
        .await?;
    Ok(removed)
}
