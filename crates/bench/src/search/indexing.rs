//! Indexing: the served index of the scaled corpus, and the outbox indexer against raw
//! tantivy indexing of the same documents.

use super::corpus::{Base, achievement_row, organization_model};
use crate::bar;
use anyhow::bail;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use techex::bootstrap::{NewOrganization, organization_with_member};
use techex::scratch::ScratchDatabase;
use techex_core::Role;
use techex_core::domain::OrgKind;
use techex_listings::entities::{achievement, outbox};
use techex_search::SearchIndex;
use techex_search::document::achievement_document;
use uuid::Uuid;

/// Builds the served index of `n` documents with raw tantivy; returns docs/s.
pub async fn build_tantivy(dir: &Path, bases: &[Base], n: usize, org: Uuid) -> anyhow::Result<(Arc<SearchIndex>, f64)> {
    let index = Arc::new(SearchIndex::open_or_create(dir)?);
    index.clear()?;
    let owner = organization_model(org, true);
    let progress = bar(n as u64, &format!("tantivy: indexing {n} documents"));
    let started = Instant::now();
    let writer = index.clone();
    let bases = bases.to_vec();
    let count = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        for i in 0..n {
            let row = achievement_row(i, &bases[i % bases.len()], org, org);
            writer.upsert(
                &row.id.to_string(),
                achievement_document(&writer.fields, &(&row).into(), &owner, &Default::default()),
            )?;
            if i % 1000 == 0 {
                progress.set_position(i as u64);
            }
        }
        writer.commit(0)?;
        progress.finish_and_clear();
        Ok(n)
    })
    .await??;
    let rate = count as f64 / started.elapsed().as_secs_f64();
    // Let the background merges finish, as they would in a server that has been up a
    // while, and serve from the merged segments.
    let spinner = bar(1, "tantivy: waiting for segment merges");
    Arc::try_unwrap(index).map_err(|_| anyhow::anyhow!("index still shared"))?.close()?;
    spinner.finish_and_clear();
    let index = Arc::new(SearchIndex::open_or_create(dir)?);
    Ok((index, rate))
}

/// Measures the outbox indexer against raw tantivy on the same `n` documents.
pub async fn outbox_vs_raw(
    work: &Path,
    bases: &[Base],
    n: usize,
    postgres: Option<&str>,
) -> anyhow::Result<(f64, f64)> {
    std::fs::create_dir_all(work.join("outbox-db"))?;
    let scratch = match postgres {
        Some(server) => ScratchDatabase::postgres(server, "techex_outbox").await?,
        None => ScratchDatabase::sqlite(&work.join("outbox-db")),
    };
    let outcome = outbox_vs_raw_on(work, bases, n, &scratch.url).await;
    scratch.drop_database().await.ok();
    outcome
}

async fn outbox_vs_raw_on(work: &Path, bases: &[Base], n: usize, url: &str) -> anyhow::Result<(f64, f64)> {
    let mut config = techex_server::Config::with_data_dir(work.join("outbox-db"));
    config.database_url = url.to_string();
    let db = techex_server::db::connect(&config).await?;
    techex_server::db::migrate(&db).await?;
    let code = techex_core::CreditCode::from_prefix("12370000MB0900000").map_err(|e| anyhow::anyhow!(e))?.to_string();
    let (org, user) = organization_with_member(
        &db,
        NewOrganization {
            name: "基准大学",
            kind: OrgKind::University,
            credit_code: &code,
            region: "370100",
            verified: true,
            email: "bench@bench.local",
            password: "bench-password-1",
            roles: &[Role::Member],
        },
    )
    .await?;
    let progress = bar(n as u64, "outbox: writing achievements and outbox rows");
    for chunk_start in (0..n).step_by(500) {
        let transaction = techex_listings::begin_write(&db).await?;
        let models: Vec<achievement::Model> = (chunk_start..(chunk_start + 500).min(n))
            .map(|i| achievement_row(i, &bases[i % bases.len()], org.id, user.id))
            .collect();
        let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
        achievement::Entity::insert_many(models.into_iter().map(achievement::ActiveModel::from))
            .exec(&transaction)
            .await?;
        let now = chrono::Utc::now();
        outbox::Entity::insert_many(ids.into_iter().map(|id| outbox::ActiveModel {
            position: sea_orm::NotSet,
            entity_type: sea_orm::Set("achievement".into()),
            entity_id: sea_orm::Set(id),
            op: sea_orm::Set("upsert".into()),
            created_at: sea_orm::Set(now),
        }))
        .exec(&transaction)
        .await?;
        transaction.commit().await?;
        progress.set_position((chunk_start + 500).min(n) as u64);
    }
    progress.finish_and_clear();
    let written = achievement::Entity::find().count(&db).await?;
    let queued = outbox::Entity::find().count(&db).await?;
    if written as usize != n || queued as usize != n {
        bail!("wrote {written} achievements and {queued} outbox rows instead of {n}");
    }

    // The same documents, the same document builder, 10,000 documents per commit:
    // through the outbox (reading each round from the database while the previous
    // one is indexed, as `serve` does), and straight into tantivy from rows already
    // in memory. Each is measured twice, alternating, and the better run counts: the
    // machine is shared, and the minimum time is the least disturbed one.
    let rows = achievement::Entity::find().all(&db).await?;
    let mut best_outbox: f64 = 0.0;
    let mut best_raw: f64 = 0.0;
    for attempt in 0..2 {
        let raw = Arc::new(SearchIndex::open_or_create(&work.join(format!("raw-index-{attempt}")))?);
        let started = Instant::now();
        let writer = raw.clone();
        let documents = rows.clone();
        let owner = org.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            for (i, row) in documents.iter().enumerate() {
                writer.upsert(
                    &row.id.to_string(),
                    achievement_document(&writer.fields, &row.into(), &owner, &Default::default()),
                )?;
                if (i + 1) % 10_000 == 0 {
                    writer.commit(i as i64)?;
                }
            }
            writer.commit(documents.len() as i64)?;
            Ok(())
        })
        .await??;
        best_raw = best_raw.max(n as f64 / started.elapsed().as_secs_f64());
        Arc::try_unwrap(raw).map_err(|_| anyhow::anyhow!("index still shared"))?.close()?;

        let index = Arc::new(SearchIndex::open_or_create(&work.join(format!("outbox-index-{attempt}")))?);
        let started = Instant::now();
        let round = techex_search::indexer::catch_up(&db, index.clone(), 10_000).await?;
        best_outbox = best_outbox.max(n as f64 / started.elapsed().as_secs_f64());
        if round.rows != n || index.num_docs() as usize != n {
            bail!("the outbox indexer indexed {} of {n} documents", index.num_docs());
        }
        Arc::try_unwrap(index).map_err(|_| anyhow::anyhow!("index still shared"))?.close()?;
    }
    db.close().await.ok();
    Ok((best_outbox, best_raw))
}
