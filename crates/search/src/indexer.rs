//! The indexer: follows the outbox into this process's index.
//!
//! Each round reads the outbox rows after the index's checkpoint, loads the current
//! state of the entities they name (the outbox says *that* something changed, the
//! database says *what* it is now), replaces or removes their documents, and commits
//! together with the position of the last row. Applying a row twice gives the same
//! index, so after a crash the indexer simply resumes from the committed checkpoint:
//! nothing is lost and nothing is doubled. On PostgreSQL a `LISTEN` wakes it as soon as
//! a change commits; on SQLite it polls every 100 ms.

use crate::document::{IndexedAchievement, Labels, achievement_document, demand_document};
use crate::error::{Result, SearchError};
use crate::index::{SCHEMA_VERSION, SearchIndex};
use crate::service::SearchService;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
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
    let started = std::time::Instant::now();
    let mut achievement_ids: Vec<Uuid> = Vec::new();
    let mut demand_ids: Vec<Uuid> = Vec::new();
    for row in rows {
        let list = if row.entity_type == "demand" { &mut demand_ids } else { &mut achievement_ids };
        if !list.contains(&row.entity_id) {
            list.push(row.entity_id);
        }
    }
    // The entities are selected through the outbox rows themselves (a sub-query on the
    // position range), not through a list of thousands of ids.
    let first = rows.first().map_or(0, |r| r.position);
    let last = rows.last().map_or(0, |r| r.position);
    let changed = |entity_type: &str| {
        Query::select()
            .column(outbox::Column::EntityId)
            .from(outbox::Entity)
            .and_where(Expr::col(outbox::Column::Position).gte(first))
            .and_where(Expr::col(outbox::Column::Position).lte(last))
            .and_where(Expr::col(outbox::Column::EntityType).eq(entity_type))
            .to_owned()
    };
    let achievements: HashMap<Uuid, IndexedAchievement> = if achievement_ids.is_empty() {
        HashMap::new()
    } else {
        achievement::Entity::find()
            .select_only()
            .columns(IndexedAchievement::COLUMNS)
            .filter(Expr::col((achievement::Entity, achievement::Column::Id)).in_subquery(changed("achievement")))
            .into_model::<IndexedAchievement>()
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
            .filter(Expr::col((demand::Entity, demand::Column::Id)).in_subquery(changed("demand")))
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect()
    };
    tracing::debug!(millis = started.elapsed().as_millis() as u64, "loaded the changed entities");
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
    tracing::debug!(millis = started.elapsed().as_millis() as u64, "loaded the owners");
    let labels = Labels::load(db).await?;
    let mut documents = Vec::new();
    for id in achievement_ids {
        let document = achievements
            .get(&id)
            .filter(|a| a.status == "published")
            .and_then(|a| owners.get(&a.organization_id).map(|o| achievement_document(&index.fields, a, o, &labels)));
        documents.push((id, document, true));
    }
    for id in demand_ids {
        let document = demands
            .get(&id)
            .filter(|d| d.status == "published")
            .and_then(|d| owners.get(&d.organization_id).map(|o| demand_document(&index.fields, d, o, &labels)));
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

/// A batch of outbox rows read from the database with the documents they call for.
struct Loaded {
    rows: usize,
    last: i64,
    documents: Vec<(Uuid, Option<tantivy::TantivyDocument>, bool)>,
}

async fn load_after(db: &DatabaseConnection, index: &SearchIndex, position: i64, batch: u64) -> Result<Option<Loaded>> {
    let started = std::time::Instant::now();
    let rows = next_rows(db, position, batch).await?;
    let Some(last) = rows.last().map(|r| r.position) else { return Ok(None) };
    let documents = load_documents(db, index, &rows).await?;
    tracing::debug!(rows = rows.len(), millis = started.elapsed().as_millis() as u64, "loaded an outbox round");
    Ok(Some(Loaded { rows: rows.len(), last, documents }))
}

/// Writes a loaded batch into the index and, when asked, commits it with its position.
async fn write(index: Arc<SearchIndex>, loaded: Loaded, commit: bool) -> Result<Vec<Uuid>> {
    tokio::task::spawn_blocking(move || -> Result<Vec<Uuid>> {
        let started = std::time::Instant::now();
        let mut published = Vec::new();
        for (id, document, is_achievement) in loaded.documents {
            let key = id.to_string();
            match document {
                Some(document) => {
                    index.upsert(&key, document)?;
                    if is_achievement {
                        published.push(id);
                    }
                }
                None => index.delete(&key)?,
            }
        }
        let added = started.elapsed();
        if commit {
            index.commit(loaded.last)?;
        }
        tracing::debug!(
            added_millis = added.as_millis() as u64,
            total_millis = started.elapsed().as_millis() as u64,
            "wrote an outbox round"
        );
        Ok(published)
    })
    .await
    .map_err(|e| SearchError::Internal(format!("indexing task failed: {e}")))?
}

/// Applies one round of outbox rows to the index and commits. `commit = false` leaves
/// the changes uncommitted (to simulate a crash in tests).
pub async fn apply_round(db: &DatabaseConnection, index: Arc<SearchIndex>, batch: u64, commit: bool) -> Result<Round> {
    let checkpoint = index.checkpoint()?;
    let Some(loaded) = load_after(db, &index, checkpoint.position, batch).await? else {
        return Ok(Round { position: checkpoint.position, ..Round::default() });
    };
    let (rows, last) = (loaded.rows, loaded.last);
    let published_achievements = write(index, loaded, commit).await?;
    Ok(Round { rows, published_achievements, position: if commit { last } else { checkpoint.position } })
}

/// Applies every outbox row there is, round after round, reading the next round from
/// the database while the current one is indexed and committed. Returns the rounds.
pub async fn catch_up(db: &DatabaseConnection, index: Arc<SearchIndex>, batch: u64) -> Result<Round> {
    let mut total = Round { position: index.checkpoint()?.position, ..Round::default() };
    let mut next = load_after(db, &index, total.position, batch).await?;
    while let Some(loaded) = next {
        let (rows, last) = (loaded.rows, loaded.last);
        let (written, prefetched) =
            tokio::join!(write(index.clone(), loaded, true), load_after(db, &index, last, batch));
        total.published_achievements.extend(written?);
        total.rows += rows;
        total.position = last;
        next = prefetched?;
    }
    Ok(total)
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
            catch_up(&db, index, batch).await
        }
        .await;
        match &outcome {
            Ok(round) => {
                service.mark_indexer_round();
                metrics::counter!("techex_indexer_rounds_total", "outcome" => "ok").increment(1);
                metrics::counter!("techex_indexer_rows_applied_total").increment(round.rows as u64);
            }
            Err(_) => metrics::counter!("techex_indexer_rounds_total", "outcome" => "error").increment(1),
        }
        match outcome {
            Ok(round) if round.rows > 0 => {
                failures = 0;
                tracing::debug!(rows = round.rows, position = round.position, "search index caught up a round");
                if !round.published_achievements.is_empty() {
                    let index = service.index();
                    if let Err(error) =
                        crate::saved::alert(&db, &index, &service.synonyms(), &round.published_achievements).await
                    {
                        tracing::warn!(%error, "saved-search alerts failed for this round");
                    }
                }
                continue;
            }
            Ok(_) => failures = 0,
            Err(error) => {
                failures += 1;
                tracing::error!(%error, failures, "search indexing round failed; retrying");
                tokio::time::sleep(Duration::from_millis(200 * u64::from(Ord::min(failures, 25)))).await;
            }
        }
        tokio::select! {
            () = waker.wait() => {}
            _ = shutdown.changed() => {}
        }
    }
}
