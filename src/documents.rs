//! `techex documents sweep` and `techex documents migrate`: the document store from the
//! command line.

use crate::cli::{DocumentsAction, DocumentsArgs};
use crate::settings::Settings;
use anyhow::{Context, bail};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use techex_listings::blobs::{BlobError, BlobMeta, BlobStore};

pub async fn run(settings: Settings, args: &DocumentsArgs) -> anyhow::Result<()> {
    match &args.action {
        DocumentsAction::Sweep { grace_secs } => sweep(settings, *grace_secs).await,
        DocumentsAction::Migrate { from, to, parallel } => {
            migrate(settings, from.clone(), to.clone(), (*parallel).max(1)).await
        }
    }
}

/// `techex documents sweep [--grace-secs N]`
async fn sweep(settings: Settings, grace_secs: Option<u64>) -> anyhow::Result<()> {
    let database = crate::commands::open(&settings).await?;
    let store = settings.blob_store().context("cannot open the document store")?;
    let grace_secs = grace_secs.unwrap_or(settings.documents_orphan_grace_secs);
    let grace = chrono::Duration::seconds(i64::try_from(grace_secs).unwrap_or(i64::MAX / 1000));
    tracing::info!(store = store.description(), grace_secs, "sweeping orphaned blobs");
    let report = techex_negotiation::orphans::sweep(&database, &store, grace, chrono::Utc::now())
        .await
        .context("the orphan sweep failed")?;
    println!(
        "{} blob(s) examined: {} named by a row, {} orphan(s) younger than {grace_secs} s kept, {} deleted",
        report.examined, report.named, report.young, report.deleted
    );
    Ok(())
}

/// What became of one blob in a migration.
enum Outcome {
    Copied,
    AlreadyThere,
    Failed,
}

/// `techex documents migrate [--from DIR] [--to URL]`
async fn migrate(
    settings: Settings,
    from: Option<std::path::PathBuf>,
    to: Option<String>,
    parallel: usize,
) -> anyhow::Result<()> {
    let source_dir = from.unwrap_or_else(|| settings.data_dir.join("documents"));
    if !source_dir.is_dir() {
        bail!("{} is not a directory of documents", source_dir.display());
    }
    let mut target_settings = settings.documents.clone();
    if let Some(url) = to {
        target_settings.url = Some(url);
    }
    if target_settings.url.is_none() {
        bail!("name the store to copy into: --to s3://bucket/prefix (or set TECHEX_DOCUMENTS_URL)");
    }
    let source = BlobStore::local(&source_dir).context("cannot open the source directory")?;
    let target = BlobStore::open(&target_settings, &settings.data_dir).context("cannot open the target store")?;
    if target.description() == source.description() {
        bail!("the source and the target are the same store ({})", source.description());
    }
    let blobs = source.list().await.context("cannot list the source directory")?;
    let present: HashMap<String, u64> = target
        .list()
        .await
        .with_context(|| format!("cannot list {}", target.description()))?
        .into_iter()
        .map(|b| (b.sha256, b.size))
        .collect();
    tracing::info!(
        from = source.description(),
        to = target.description(),
        blobs = blobs.len(),
        already = present.len(),
        "copying documents"
    );
    let progress = ProgressBar::new(blobs.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} copying [{bar:40}] {pos}/{len} blobs ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let outcomes: Vec<Outcome> = futures::stream::iter(blobs)
        .map(|blob| {
            let (source, target, present, progress) = (&source, &target, &present, &progress);
            async move {
                let outcome = copy_one(source, target, present, &blob).await;
                progress.inc(1);
                outcome
            }
        })
        .buffer_unordered(parallel)
        .collect()
        .await;
    progress.finish_and_clear();
    let copied = outcomes.iter().filter(|o| matches!(o, Outcome::Copied)).count();
    let skipped = outcomes.iter().filter(|o| matches!(o, Outcome::AlreadyThere)).count();
    let failed = outcomes.iter().filter(|o| matches!(o, Outcome::Failed)).count();
    tracing::info!(copied, skipped, failed, to = target.description(), "documents copied");
    println!("{copied} blob(s) copied, {skipped} already there, {failed} failed");
    missing_named(&settings, &target).await?;
    if failed > 0 {
        bail!("{failed} blob(s) could not be copied (see the log); run the migration again once fixed");
    }
    Ok(())
}

/// Copies one blob unless the target holds it already; the bytes are checked against
/// their name when read from the source and again when written.
async fn copy_one(source: &BlobStore, target: &BlobStore, present: &HashMap<String, u64>, blob: &BlobMeta) -> Outcome {
    if present.get(&blob.sha256) == Some(&blob.size) {
        return Outcome::AlreadyThere;
    }
    let bytes = match source.get(&blob.sha256).await {
        Ok(bytes) => bytes,
        Err(error @ BlobError::Corrupt { .. }) => {
            tracing::error!(sha256 = %blob.sha256, %error, "a source blob does not match its hash; not copied");
            return Outcome::Failed;
        }
        Err(error) => {
            tracing::error!(sha256 = %blob.sha256, %error, "cannot read a source blob");
            return Outcome::Failed;
        }
    };
    match target.put(&blob.sha256, bytes).await {
        Ok(()) => {
            tracing::debug!(sha256 = %blob.sha256, size = blob.size, "copied");
            Outcome::Copied
        }
        Err(error) => {
            tracing::error!(sha256 = %blob.sha256, %error, "cannot write a blob to the target");
            Outcome::Failed
        }
    }
}

/// Warns about blobs that rows name but the target does not hold (documents whose bytes
/// were missing from the source too).
async fn missing_named(settings: &Settings, target: &BlobStore) -> anyhow::Result<()> {
    let database = crate::commands::open(settings).await?;
    let named = techex_negotiation::orphans::all_named(&database).await.context("cannot read the documents' rows")?;
    let held: std::collections::HashSet<String> =
        target.list().await.context("cannot list the target")?.into_iter().map(|b| b.sha256).collect();
    let missing: Vec<&String> = named.iter().filter(|sha| !held.contains(*sha)).collect();
    if missing.is_empty() {
        tracing::info!(named = named.len(), "the target holds every blob a row names");
        return Ok(());
    }
    for sha256 in &missing {
        tracing::warn!(sha256 = %sha256, "a row names a blob the target does not hold");
    }
    println!("warning: {} blob(s) named by rows are in neither the source nor the target", missing.len());
    Ok(())
}
