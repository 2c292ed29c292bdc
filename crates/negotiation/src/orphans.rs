//! The orphan sweep of the document store. An upload writes its bytes before the row
//! that names them commits, so a failed or abandoned request (a refused row, a crash, a
//! dropped connection) can leave bytes that no row names. The sweep deletes those, once
//! they are older than a grace period that covers any upload still in flight.
//!
//! The rows that name a blob: `documents.sha256` and `organization_licences.sha256` (the
//! listings crate) and `deal_attachments.sha256` (this crate) — this is the highest crate
//! that sees them all.
//! Contract versions and NDA acceptances also hold SHA-256s, but of texts kept in the
//! database, not of stored blobs.
//!
//! Order matters: the store is listed first, then the rows are read, then each candidate
//! is looked at again just before it is deleted. An upload that writes the same bytes
//! after the listing refreshes the object's time, so that last look keeps it; only a
//! write landing in the instant between that look and the delete could lose its bytes,
//! and only for bytes identical to an orphan older than the grace period.

use crate::Result;
use crate::entities::attachment;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use std::collections::BTreeSet;
use techex_listings::blobs::BlobStore;
use techex_listings::entities::{document, organization_licence};

/// What one sweep saw and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Blobs in the store.
    pub examined: usize,
    /// Blobs a row names, kept.
    pub named: usize,
    /// Orphans younger than the grace period, kept for now.
    pub young: usize,
    /// Orphans deleted.
    pub deleted: usize,
}

impl techex_listings::sweeper::Swept for SweepReport {
    fn did_something(&self) -> bool {
        self.deleted > 0
    }
}

/// Every SHA-256 that a row names as a stored blob (documents, organizations' licences
/// and deal attachments).
pub async fn all_named<C: ConnectionTrait>(db: &C) -> Result<BTreeSet<String>> {
    let documents: Vec<String> =
        document::Entity::find().select_only().column(document::Column::Sha256).distinct().into_tuple().all(db).await?;
    let attachments: Vec<String> = attachment::Entity::find()
        .select_only()
        .column(attachment::Column::Sha256)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let licences: Vec<String> = organization_licence::Entity::find()
        .select_only()
        .column(organization_licence::Column::Sha256)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(documents.into_iter().chain(attachments).chain(licences).collect())
}

/// Whether a row names this blob.
pub async fn is_named<C: ConnectionTrait>(db: &C, sha256: &str) -> Result<bool> {
    let in_documents = document::Entity::find().filter(document::Column::Sha256.eq(sha256)).one(db).await?;
    if in_documents.is_some() {
        return Ok(true);
    }
    let in_attachments = attachment::Entity::find().filter(attachment::Column::Sha256.eq(sha256)).one(db).await?;
    if in_attachments.is_some() {
        return Ok(true);
    }
    let in_licences =
        organization_licence::Entity::find().filter(organization_licence::Column::Sha256.eq(sha256)).one(db).await?;
    Ok(in_licences.is_some())
}

/// Deletes the blobs that no row names and that were last written before `now - grace`.
pub async fn sweep<C: ConnectionTrait>(
    db: &C,
    store: &BlobStore,
    grace: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<SweepReport> {
    let cutoff = now - grace;
    let blobs = store.list().await?;
    let named = all_named(db).await?;
    let mut report = SweepReport { examined: blobs.len(), ..SweepReport::default() };
    for blob in blobs {
        if named.contains(&blob.sha256) {
            report.named += 1;
            continue;
        }
        if blob.last_modified >= cutoff {
            report.young += 1;
            continue;
        }
        // Looked at again just before the delete: an upload of the same bytes since the
        // listing has refreshed its time, and its row may be about to commit.
        match store.meta(&blob.sha256).await? {
            Some(current) if current.last_modified < cutoff => {}
            Some(_) => {
                report.young += 1;
                continue;
            }
            None => continue,
        }
        if is_named(db, &blob.sha256).await? {
            report.named += 1;
            continue;
        }
        store.delete(&blob.sha256).await?;
        tracing::info!(sha256 = %blob.sha256, size = blob.size, last_modified = %blob.last_modified, "deleted an orphaned blob");
        report.deleted += 1;
    }
    metrics::counter!("techex_orphan_blobs_deleted_total").increment(report.deleted as u64);
    Ok(report)
}

/// Sweeps every `every` until `stop` says so; each run is counted in
/// `techex_sweeper_runs_total{sweeper="orphan_blobs"}`.
pub async fn run(
    db: DatabaseConnection,
    store: BlobStore,
    every: std::time::Duration,
    grace: chrono::Duration,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    techex_listings::sweeper::every("orphan_blobs", "orphaned documents deleted", every, Some(stop), || {
        sweep(&db, &store, grace, Utc::now())
    })
    .await;
}
