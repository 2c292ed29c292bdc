//! The indexer: follows the outbox into this process's index.
//!
//! Each round reads the outbox rows after the index's checkpoint, loads the current
//! state of the entities they name (the outbox says *that* something changed, the
//! database says *what* it is now), replaces or removes their documents, and commits
//! together with the position of the last row. Applying a row twice gives the same
//! index, so after a crash the indexer simply resumes from the committed checkpoint:
//! nothing is lost and nothing is doubled. On PostgreSQL a `LISTEN` wakes it as soon as
//! a change commits; on SQLite it polls every 100 ms.

use crate::document::{achievement_document, demand_document};
use crate::error::{Result, SearchError};
use crate::index::{SCHEMA_VERSION, SearchIndex};
use crate::service::SearchService;
use sea_orm::{ColumnTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use techex_listings::entities::{achievement, demand, organization, outbox, outbox_meta};
use uuid::Uuid;

/// How many outbox rows one round applies at most.
pub const DEFAULT_BATCH: u64 = 1000;

/// The result of one round.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    /// Outbox rows applied.
    pub rows: usize,
    /// Achievements now searchable that the round upserted (for saved-search alerts).
    pub published_achievements: Vec<Uuid>,
    /// The checkpoint after the round.
    pub position: i64,
}

/// Loads the current state of the entities and builds their documents; `None` means
/// the entity must not be in the index (absent or not published).
async fn load_documents(
    db: &DatabaseConnection,
    index: &SearchIndex,
    rows: &[outbox::Model],
) -> Result<Vec<(Uuid, Option<tantivy::TantivyDocument>, bool)>> {
    let mut achievement_ids: Vec<Uuid> = Vec::new();
    let mut demand_ids: Vec<Uuid> = Vec::new();
    for row in rows {
        let list = if row.entity_type == "demand" { &mut demand_ids } else { &mut achievement_ids };
        if !list.contains(&row.entity_id) {
            list.push(row.entity_id);
        }
    }
    let achievements: HashMap<Uuid, achievement::Model> = if achievement_ids.is_empty() {
        HashMap::new()
    } else {
        achievement::Entity::find()
            .filter(achievement::Column::Id.is_in(achievement_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect()
    };
    let demands: HashMap<Uuid, demand::Model> = if demand_ids.is_empty() {
        HashMap::new()
    } else {
        demand::Entity::find()
            .filter(demand::Column::Id.is_in(demand_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect()
    };
    let mut owner_ids: Vec<Uuid> = achievements.values().map(|a| a.organization_id).collect();
    owner_ids.extend(demands.values().map(|d| d.organization_id));
    owner_ids.sort();
    owner_ids.dedup();
    let owners: HashMap<Uuid, organization::Model> = if owner_ids.is_empty() {
        HashMap::new()
    } else {
        organization::Entity::find()
            .filter(organization::Column::Id.is_in(owner_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect()
    };
    let mut documents = Vec::new();
    for id in achievement_ids {
        let document = achievements
            .get(&id)
            .filter(|a| a.status == "published")
            .and_then(|a| owners.get(&a.organization_id).map(|o| achievement_document(&index.fields, a, o)));
        documents.push((id, document, true));
    }
    for id in demand_ids {
        let document = demands
            .get(&id)
            .filter(|d| d.status == "published")
            .and_then(|d| owners.get(&d.organization_id).map(|o| demand_document(&index.fields, d, o)));
        documents.push((id, document, false));
    }
    Ok(documents)
}

/// Reads the next rows after `position`.
async fn next_rows(db: &DatabaseConnection, position: i64, batch: u64) -> Result<Vec<outbox::Model>> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Position.gt(position))
        .order_by_asc(outbox::Column::Position)
        .limit(batch)
        .all(db)
        .await?)
}

/// Applies one round of outbox rows to the index and commits. `commit = false` leaves
/// the changes uncommitted (to simulate a crash in tests).
pub async fn apply_round(db: &DatabaseConnection, index: Arc<SearchIndex>, batch: u64, commit: bool) -> Result<Round> {
    let checkpoint = index.checkpoint()?;
    let rows = next_rows(db, checkpoint.position, batch).await?;
    let Some(last) = rows.last().map(|r| r.position) else {
        return Ok(Round { position: checkpoint.position, ..Round::default() });
    };
    let documents = load_documents(db, &index, &rows).await?;
    let published_achievements: Vec<Uuid> = documents
        .iter()
        .filter(|(_, doc, is_achievement)| doc.is_some() && *is_achievement)
        .map(|(id, _, _)| *id)
        .collect();
    let count = rows.len();
    let writer = index.clone();
    tokio::task::spawn_blocking(move || -> Result<()> {
        for (id, document, _) in documents {
            let key = id.to_string();
            match document {
                Some(document) => writer.upsert(&key, document)?,
                None => writer.delete(&key)?,
            }
        }
        if commit { writer.commit(last) } else { Ok(()) }
    })
    .await
    .map_err(|e| SearchError::Internal(format!("indexing task failed: {e}")))??;
    Ok(Round { rows: count, published_achievements, position: if commit { last } else { checkpoint.position } })
}

/// Whether the index must be rebuilt: another schema version, or its checkpoint is
/// older than what the outbox still holds.
pub async fn needs_rebuild(db: &DatabaseConnection, index: &SearchIndex) -> Result<bool> {
    let checkpoint = index.checkpoint()?;
    if checkpoint.position > 0 && checkpoint.schema_version != SCHEMA_VERSION {
        return Ok(true);
    }
    let pruned = outbox_meta::Entity::find_by_id(1).one(db).await?.map_or(0, |m| m.pruned_through);
    Ok(checkpoint.position < pruned)
}

/// Waits until the outbox may hold something new.
enum Waker {
    Listen(sea_orm::sqlx::postgres::PgListener),
    Poll(Duration),
}

impl Waker {
    async fn new(db: &DatabaseConnection) -> Waker {
        if db.get_database_backend() == DatabaseBackend::Postgres {
            let pool = db.get_postgres_connection_pool();
            match sea_orm::sqlx::postgres::PgListener::connect_with(pool).await {
                Ok(mut listener) => match listener.listen(techex_listings::audit::OUTBOX_CHANNEL).await {
                    Ok(()) => return Waker::Listen(listener),
                    Err(error) => tracing::warn!(%error, "cannot LISTEN for outbox changes; polling instead"),
                },
                Err(error) => tracing::warn!(%error, "cannot LISTEN for outbox changes; polling instead"),
            }
            return Waker::Poll(Duration::from_millis(250));
        }
        Waker::Poll(Duration::from_millis(100))
    }

    async fn wait(&mut self) {
        match self {
            Waker::Poll(interval) => tokio::time::sleep(*interval).await,
            Waker::Listen(listener) => {
                // A periodic wake-up as well, in case a notification is ever missed.
                if let Ok(Err(error)) = tokio::time::timeout(Duration::from_secs(2), listener.recv()).await {
                    tracing::warn!(%error, "outbox listener failed; polling instead");
                    *self = Waker::Poll(Duration::from_millis(250));
                }
            }
        }
    }
}

/// Follows the outbox until `shutdown` resolves.
pub async fn run(
    db: DatabaseConnection,
    service: SearchService,
    batch: u64,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut waker = Waker::new(&db).await;
    let mut failures: u32 = 0;
    loop {
        if *shutdown.borrow() {
            break;
        }
        if let Err(error) = service.follow_current() {
            tracing::warn!(%error, "cannot open the rebuilt search index");
        }
        let index = service.index();
        let outcome = async {
            if needs_rebuild(&db, &index).await? {
                tracing::warn!("the search index is behind the pruned outbox or of another schema; rebuilding");
                crate::rebuild::rebuild_into_service(&db, &service, |_, _| {}).await?;
                return Ok(Round::default());
            }
            apply_round(&db, index, batch, true).await
        }
        .await;
        match outcome {
            Ok(round) if round.rows > 0 => {
                failures = 0;
                tracing::debug!(rows = round.rows, position = round.position, "search index caught up a round");
                if !round.published_achievements.is_empty() {
                    let index = service.index();
                    if let Err(error) = crate::saved::alert(&db, &index, &round.published_achievements).await {
                        tracing::warn!(%error, "saved-search alerts failed for this round");
                    }
                }
                continue;
            }
            Ok(_) => failures = 0,
            Err(error) => {
                failures += 1;
                tracing::error!(%error, failures, "search indexing round failed; retrying");
                tokio::time::sleep(Duration::from_millis(200 * u64::from(failures.min(25)))).await;
            }
        }
        tokio::select! {
            () = waker.wait() => {}
            _ = shutdown.changed() => {}
        }
    }
}
