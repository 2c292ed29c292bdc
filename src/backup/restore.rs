//! `techex restore DIR`: the whole backup is checked before anything is written; then
//! into an empty database the schema is migrated, the documents stored (before the rows
//! naming them, as the application does), every row inserted in one transaction in
//! foreign-key order, and the search index rebuilt from the restored database.

use crate::backup::blobs::Blobs;
use crate::backup::catalog::{self, Table, quoted, sql_string};
use crate::backup::manifest::{self, Manifest};
use crate::backup::values;
use crate::cli::RestoreArgs;
use crate::settings::Settings;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::Path;

/// Values bound per INSERT, well under SQLite's and PostgreSQL's limits.
const VALUES_PER_INSERT: usize = 4000;

/// `techex restore DIR`
pub async fn restore(settings: Settings, args: &RestoreArgs) -> anyhow::Result<()> {
    let source = &args.source;
    let manifest = Manifest::read(source)?;
    let known = catalog::binary_schema_version();
    if manifest.schema_version != known {
        bail!(
            "the backup's schema is {} but this techex's is {known}; restore with techex {} (which wrote it) \
             and let a newer techex migrate afterwards",
            manifest.schema_version,
            manifest.techex_version
        );
    }
    manifest.verify(source)?;
    let database = techex_server::db::connect(&settings)
        .await
        .with_context(|| format!("cannot connect to {}", settings.redacted_database_url()))?;
    refuse_unless_empty(&database).await?;
    techex_server::db::migrate(&database).await.context("cannot migrate the database")?;
    let tables = catalog::read(&database).await?;
    check_tables(&manifest, &tables)?;
    copy_documents(&Blobs::open(&settings)?, source, &manifest).await?;
    let started = std::time::Instant::now();
    insert_rows(&database, source, &manifest, &tables).await?;
    tracing::info!(
        tables = manifest.tables.len(),
        rows = manifest.tables.iter().map(|t| t.rows).sum::<u64>(),
        documents = manifest.documents.len(),
        seconds = started.elapsed().as_secs_f64(),
        "database restored; rebuilding the search index"
    );
    rebuild_index(&settings, &database).await
}

/// The tables the migrations fill by themselves (reference data, singletons), found by
/// migrating a scratch in-memory database: they do not make a database "not empty", and
/// the backup's rows replace theirs.
async fn seeded_tables() -> anyhow::Result<BTreeSet<String>> {
    let mut options = ConnectOptions::new("sqlite::memory:");
    options.max_connections(1).min_connections(1).sqlx_logging(false);
    let scratch = Database::connect(options).await?;
    techex_server::db::migrate(&scratch).await?;
    let mut seeded = BTreeSet::new();
    for name in catalog::read(&scratch).await?.into_keys() {
        if count(&scratch, &name).await? > 0 {
            seeded.insert(name);
        }
    }
    scratch.close().await.ok();
    Ok(seeded)
}

async fn count<C: ConnectionTrait>(db: &C, table: &str) -> anyhow::Result<u64> {
    let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .context("COUNT(*) returned no row")?;
    Ok(u64::try_from(row.try_get_by_index::<i64>(0)?).unwrap_or(0))
}

async fn refuse_unless_empty(database: &DatabaseConnection) -> anyhow::Result<()> {
    let seeded = seeded_tables().await?;
    let mut holding = Vec::new();
    for name in catalog::read(database).await?.into_keys().filter(|n| !seeded.contains(n)) {
        let rows = count(database, &name).await?;
        if rows > 0 {
            holding.push(format!("{name}: {rows}"));
        }
    }
    if !holding.is_empty() {
        bail!(
            "the target database already holds data ({}); restore only into an empty database — nothing was changed",
            holding.join(", ")
        );
    }
    Ok(())
}

/// The backup's tables and columns must be the target's (the kinds may differ: SQLite
/// has one integer type where PostgreSQL has three, and the target's decide).
fn check_tables(manifest: &Manifest, tables: &BTreeMap<String, Table>) -> anyhow::Result<()> {
    let in_backup: BTreeSet<&str> = manifest.tables.iter().map(|t| t.name.as_str()).collect();
    let in_target: BTreeSet<&str> = tables.keys().map(String::as_str).collect();
    if in_backup != in_target {
        let missing: Vec<_> = in_target.difference(&in_backup).collect();
        let extra: Vec<_> = in_backup.difference(&in_target).collect();
        bail!("the backup's tables differ from the schema's: missing {missing:?}, unknown {extra:?}");
    }
    for entry in &manifest.tables {
        let Some(table) = tables.get(&entry.name) else { continue };
        let backup: BTreeSet<&str> = entry.columns.iter().map(|c| c.name.as_str()).collect();
        let target: BTreeSet<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        if backup != target {
            bail!("the columns of table {} differ between the backup and the schema", entry.name);
        }
    }
    Ok(())
}

async fn copy_documents(blobs: &Blobs, source: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let progress = ProgressBar::new(manifest.documents.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} restoring documents [{bar:40}] {pos}/{len} ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    for document in &manifest.documents {
        let path = manifest::document_path(source, &document.sha256);
        let bytes = tokio::fs::read(&path).await.with_context(|| format!("cannot read {}", path.display()))?;
        if manifest::hash_bytes(&bytes) != document.sha256 {
            bail!("document {} changed while it was being restored", path.display());
        }
        blobs.write(&document.sha256, &bytes).await?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(())
}

async fn insert_rows(
    database: &DatabaseConnection,
    source: &Path,
    manifest: &Manifest,
    tables: &BTreeMap<String, Table>,
) -> anyhow::Result<()> {
    let order = catalog::foreign_key_order(tables)?;
    let total = manifest.tables.iter().map(|t| t.rows).sum();
    let progress = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{spinner} restoring rows [{bar:40}] {pos}/{len} {msg} ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let transaction = database.begin().await?;
    // Only the tables the migrations fill hold rows now; the backup's replace them.
    for name in order.iter().rev() {
        transaction.execute_unprepared(&format!("DELETE FROM {}", quoted(name))).await?;
    }
    for name in &order {
        let (Some(table), Some(entry)) = (tables.get(name), manifest.tables.iter().find(|t| &t.name == name)) else {
            continue;
        };
        progress.set_message(name.clone());
        insert_table(&transaction, table, &source.join(&entry.file), &progress)
            .await
            .with_context(|| format!("cannot restore table {name}"))?;
    }
    // Each table holds the backup's rows, no more (reference data left over) and no
    // fewer, or nothing is committed.
    for entry in &manifest.tables {
        let counted = count(&transaction, &entry.name).await?;
        if counted != entry.rows {
            bail!(
                "table {} would hold {counted} rows, the backup holds {}; nothing was restored",
                entry.name,
                entry.rows
            );
        }
    }
    if database.get_database_backend() == DbBackend::Postgres {
        reset_sequences(&transaction).await?;
    }
    transaction.commit().await?;
    progress.finish_and_clear();
    Ok(())
}

async fn insert_table<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    file: &Path,
    progress: &ProgressBar,
) -> anyhow::Result<()> {
    let rows_per_insert = (VALUES_PER_INSERT / table.columns.len().max(1)).max(1);
    let reader = std::io::BufReader::new(std::fs::File::open(file)?);
    let mut batch: Vec<Vec<Expr>> = Vec::with_capacity(rows_per_insert);
    for (number, line) in reader.lines().enumerate() {
        let line = line?;
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&line).with_context(|| format!("row {} is not a JSON object", number + 1))?;
        if object.len() != table.columns.len() {
            bail!("row {} has {} columns, the table {}", number + 1, object.len(), table.columns.len());
        }
        let mut row = Vec::with_capacity(table.columns.len());
        for column in &table.columns {
            let value = object
                .get(&column.name)
                .with_context(|| format!("row {} has no column {}", number + 1, column.name))?;
            let bound = values::bind(value, column.kind)
                .with_context(|| format!("row {}, column {}: `{value}`", number + 1, column.name))?;
            row.push(Expr::val(bound));
        }
        batch.push(row);
        if batch.len() == rows_per_insert {
            insert_batch(db, table, std::mem::take(&mut batch)).await?;
            progress.inc(rows_per_insert as u64);
        }
    }
    let left = batch.len() as u64;
    insert_batch(db, table, batch).await?;
    progress.inc(left);
    Ok(())
}

async fn insert_batch<C: ConnectionTrait>(db: &C, table: &Table, rows: Vec<Vec<Expr>>) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new(table.name.as_str()))
        .columns(table.columns.iter().map(|c| Alias::new(c.name.as_str())));
    for row in rows {
        insert.values(row)?;
    }
    db.execute(&insert).await?;
    Ok(())
}

/// Moves each PostgreSQL sequence past the largest restored value of its column, so the
/// next row the application inserts gets a fresh number. (SQLite's AUTOINCREMENT follows
/// explicit inserts by itself.)
async fn reset_sequences<C: ConnectionTrait>(db: &C) -> anyhow::Result<()> {
    let owned = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')",
        ))
        .await?;
    for row in owned {
        let table: String = row.try_get_by_index(0)?;
        let column: String = row.try_get_by_index(1)?;
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence({}, {}), COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
            sql_string(&quoted(&table)),
            sql_string(&column),
            quoted(&column),
            quoted(&table)
        );
        db.execute_unprepared(&sql).await.with_context(|| format!("cannot reset the sequence of {table}.{column}"))?;
        tracing::debug!(table, column, "sequence reset");
    }
    Ok(())
}

async fn rebuild_index(settings: &Settings, database: &DatabaseConnection) -> anyhow::Result<()> {
    let root = settings.index_root();
    let progress = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} indexing [{bar:40}] {pos}/{len} documents ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let (name, documents) = techex_search::rebuild::rebuild(database, &root, |done, total| {
        progress.set_length(total);
        progress.set_position(done);
    })
    .await
    .context("the database is restored, but the search index could not be rebuilt; run `techex reindex`")?;
    progress.finish_and_clear();
    tracing::info!(documents, index = %root.join(&name).display(), "restore finished; search index rebuilt");
    Ok(())
}
