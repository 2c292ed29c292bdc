//! Rebuilding an index from the database: into a fresh directory, which then replaces
//! the active one atomically. The checkpoint is the outbox head read *before* the scan,
//! so changes made during the rebuild are replayed after it (replays are harmless).

use crate::document::{IndexedAchievement, Labels, achievement_document, demand_document};
use crate::error::{Result, SearchError};
use crate::index::SearchIndex;
use crate::service::{SearchService, fresh_name, set_current};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use techex_listings::entities::{achievement, demand, organization, outbox};

const PAGE: u64 = 2000;

/// The current head of the outbox (0 when empty).
pub async fn outbox_head(db: &DatabaseConnection) -> Result<i64> {
    Ok(outbox::Entity::find().order_by_desc(outbox::Column::Position).one(db).await?.map_or(0, |r| r.position))
}

/// Builds a complete index of every published achievement and demand in `dir`.
/// `progress(done, total)` is called as documents are added.
pub async fn build_index(db: &DatabaseConnection, dir: &Path, progress: impl Fn(u64, u64)) -> Result<SearchIndex> {
    let head = outbox_head(db).await?;
    let index = Arc::new(SearchIndex::open_or_create(dir)?);
    index.clear()?;
    let owners: HashMap<uuid::Uuid, organization::Model> =
        organization::Entity::find().all(db).await?.into_iter().map(|o| (o.id, o)).collect();
    let labels = Labels::load(db).await?;
    let achievements = achievement::Entity::find().filter(achievement::Column::Status.eq("published"));
    let demands = demand::Entity::find().filter(demand::Column::Status.eq("published"));
    let total = achievements.clone().count(db).await? + demands.clone().count(db).await?;
    let mut done = 0u64;
    let mut after: Option<uuid::Uuid> = None;
    loop {
        let mut page = achievements
            .clone()
            .select_only()
            .columns(IndexedAchievement::COLUMNS)
            .order_by_asc(achievement::Column::Id)
            .limit(PAGE);
        if let Some(last) = after {
            page = page.filter(achievement::Column::Id.gt(last));
        }
        let rows = page.into_model::<IndexedAchievement>().all(db).await?;
        let Some(last) = rows.last().map(|r| r.id) else { break };
        let documents: Vec<_> = rows
            .iter()
            .filter_map(|a| {
                owners.get(&a.organization_id).map(|o| (a.id, achievement_document(&index.fields, a, o, &labels)))
            })
            .collect();
        done += add_all(&index, documents).await?;
        progress(done, total);
        after = Some(last);
    }
    let mut after: Option<uuid::Uuid> = None;
    loop {
        let mut page = demands.clone().order_by_asc(demand::Column::Id).limit(PAGE);
        if let Some(last) = after {
            page = page.filter(demand::Column::Id.gt(last));
        }
        let rows = page.all(db).await?;
        let Some(last) = rows.last().map(|r| r.id) else { break };
        let documents: Vec<_> = rows
            .iter()
            .filter_map(|d| {
                owners.get(&d.organization_id).map(|o| (d.id, demand_document(&index.fields, d, o, &labels)))
            })
            .collect();
        done += add_all(&index, documents).await?;
        progress(done, total);
        after = Some(last);
    }
    let committer = index.clone();
    tokio::task::spawn_blocking(move || committer.commit(head))
        .await
        .map_err(|e| SearchError::Internal(e.to_string()))??;
    Arc::try_unwrap(index).map_err(|_| SearchError::Internal("index still shared after the rebuild".into()))
}

async fn add_all(index: &Arc<SearchIndex>, documents: Vec<(uuid::Uuid, tantivy::TantivyDocument)>) -> Result<u64> {
    let writer = index.clone();
    tokio::task::spawn_blocking(move || -> Result<u64> {
        let count = documents.len() as u64;
        for (id, document) in documents {
            writer.upsert(&id.to_string(), document)?;
        }
        Ok(count)
    })
    .await
    .map_err(|e| SearchError::Internal(e.to_string()))?
}

/// `techex reindex`: builds a fresh index under `root` and makes it the active one.
/// A running server switches to it on its next round.
pub async fn rebuild(db: &DatabaseConnection, root: &Path, progress: impl Fn(u64, u64)) -> Result<(String, u64)> {
    std::fs::create_dir_all(root)?;
    let name = fresh_name();
    let index = build_index(db, &root.join(&name), progress).await?;
    let documents = index.num_docs();
    drop(index);
    set_current(root, &name)?;
    Ok((name, documents))
}

/// Rebuilds inside a serving process and installs the result.
pub async fn rebuild_into_service(
    db: &DatabaseConnection,
    service: &SearchService,
    progress: impl Fn(u64, u64),
) -> Result<()> {
    let name = fresh_name();
    let index = build_index(db, &service.root().join(&name), progress).await?;
    service.install(&name, index)
}
