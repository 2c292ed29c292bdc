//! `techex backup DIR`: every application table read at one snapshot and written as JSON
//! lines, then the documents the rows name, then the manifest; the directory appears
//! under its name only when all of it is written.

use crate::backup::blobs::Blobs;
use crate::backup::catalog::{self, Kind, Table, quoted};
use crate::backup::manifest::{self, DOCUMENT_COLUMNS, DocumentEntry, Manifest, TableEntry};
use crate::backup::values;
use crate::cli::BackupArgs;
use crate::settings::Settings;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DbBackend, IsolationLevel, Statement, TransactionTrait,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Rows read per query on SQLite.
const PAGE: usize = 2000;

/// Blocks (8 KiB each by default) read per query on PostgreSQL.
const BLOCKS_PER_QUERY: i64 = 128;

/// `techex backup DIR`
pub async fn backup(settings: Settings, args: &BackupArgs) -> anyhow::Result<()> {
    let target = args.target.clone();
    if target.exists() && std::fs::read_dir(&target).map(|mut d| d.next().is_some()).unwrap_or(true) {
        bail!("{} already exists and is not an empty directory; name a new directory for the backup", target.display());
    }
    let partial = partial_path(&target)?;
    let database = techex_server::db::connect(&settings)
        .await
        .with_context(|| format!("cannot connect to {}", settings.redacted_database_url()))?;
    let started = std::time::Instant::now();
    let written = write_backup(&settings, &database, &partial).await;
    let manifest = match written {
        Ok(manifest) => manifest,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(error);
        }
    };
    if target.exists() {
        std::fs::remove_dir(&target).with_context(|| format!("cannot replace the empty {}", target.display()))?;
    }
    std::fs::rename(&partial, &target)
        .with_context(|| format!("cannot move the finished backup to {}", target.display()))?;
    let rows: u64 = manifest.tables.iter().map(|t| t.rows).sum();
    tracing::info!(
        backup = %target.display(),
        tables = manifest.tables.len(),
        rows,
        documents = manifest.documents.len(),
        schema = %manifest.schema_version,
        seconds = started.elapsed().as_secs_f64(),
        "backup written"
    );
    Ok(())
}

/// A hidden sibling of the target, renamed to it once complete.
fn partial_path(target: &Path) -> anyhow::Result<PathBuf> {
    let name = target
        .file_name()
        .with_context(|| format!("{} does not name a directory", target.display()))?
        .to_string_lossy()
        .to_string();
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !parent.is_dir() {
        bail!("{} does not exist; create it first", parent.display());
    }
    Ok(parent.join(format!(".{name}.partial-{}", std::process::id())))
}

async fn write_backup(settings: &Settings, database: &DatabaseConnection, dir: &Path) -> anyhow::Result<Manifest> {
    std::fs::create_dir_all(dir.join("tables")).with_context(|| format!("cannot create {}", dir.display()))?;
    let backend = database.get_database_backend();
    // PostgreSQL: every table is read at the transaction's one snapshot. SQLite (WAL):
    // the read transaction's snapshot starts at its first read and holds to the end,
    // while the server's writers go on appending to the log.
    let snapshot = match backend {
        DbBackend::Postgres => {
            database.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await?
        }
        _ => database.begin().await?,
    };
    if backend == DbBackend::Postgres {
        let isolation = snapshot
            .query_one_raw(Statement::from_string(backend, "SELECT current_setting('transaction_isolation')"))
            .await?
            .map(|row| row.try_get_by_index::<String>(0))
            .transpose()?
            .unwrap_or_default();
        if isolation != "repeatable read" {
            bail!(
                "the backup's transaction runs at `{isolation}`, not one snapshot; refusing to write an inconsistent copy"
            );
        }
    }
    let schema_version = catalog::schema_version(&snapshot)
        .await?
        .context("the database has no schema yet; there is nothing to back up")?;
    let known = catalog::binary_schema_version();
    if schema_version != known {
        bail!(
            "the database's schema is at {schema_version} but this techex's is at {known}; \
             back up with the techex version that serves this database"
        );
    }
    let tables = catalog::read(&snapshot).await?;
    let progress = ProgressBar::new(tables.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} backing up [{bar:40}] {pos}/{len} tables {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut entries = Vec::with_capacity(tables.len());
    let mut named_documents = BTreeSet::new();
    for table in tables.values() {
        progress.set_message(table.name.clone());
        let entry = dump_table(&snapshot, table, dir, &mut named_documents)
            .await
            .with_context(|| format!("cannot back up table {}", table.name))?;
        tracing::debug!(table = %entry.name, rows = entry.rows, "table written");
        entries.push(entry);
        progress.inc(1);
    }
    snapshot.commit().await?;
    progress.finish_and_clear();
    // A document is stored before the row naming it commits and never changes, so every
    // document named in the snapshot is in the store now.
    let documents = copy_documents(&Blobs::open(settings)?, &named_documents, dir).await?;
    let manifest = Manifest {
        format: manifest::FORMAT,
        techex_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version,
        created_at: chrono::Utc::now(),
        source_backend: match backend {
            DbBackend::Postgres => "postgres".into(),
            _ => "sqlite".into(),
        },
        tables: entries,
        documents,
    };
    let mut file = std::fs::File::create(dir.join(manifest::FILE))?;
    serde_json::to_writer_pretty(&mut file, &manifest)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(manifest)
}

/// A writer that hashes what passes through it.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        Ok(written)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

async fn dump_table<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    dir: &Path,
    named_documents: &mut BTreeSet<String>,
) -> anyhow::Result<TableEntry> {
    let file_name = format!("tables/{}.jsonl", table.name);
    let file = std::fs::File::create(dir.join(&file_name))?;
    let mut out = Hashing { inner: std::io::BufWriter::new(file), hasher: Sha256::new() };
    let document_columns: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| DOCUMENT_COLUMNS.contains(&(table.name.as_str(), c.name.as_str())))
        .map(|(i, _)| i)
        .collect();
    let columns = table.columns.iter().map(|c| quoted(&c.name)).collect::<Vec<_>>().join(", ");
    let backend = db.get_database_backend();
    let name = quoted(&table.name);
    // Pages follow the physical row address, which every table has and which stays put
    // within one snapshot: SQLite's rowid (the table's b-tree key, so `rowid > last` is a
    // seek), PostgreSQL's ctid by ranges of blocks (a TID range scan, no sort). The
    // relation's size is read after the snapshot began, so it covers every row the
    // snapshot sees.
    let blocks = match backend {
        DbBackend::Postgres => relation_blocks(db, &table.name).await?,
        _ => 0,
    };
    let mut next_block = 0i64;
    let mut after_rowid = 0i64;
    let mut rows = 0u64;
    loop {
        let (sql, first_column) = match backend {
            DbBackend::Postgres => {
                if next_block >= blocks {
                    break;
                }
                let end = next_block + BLOCKS_PER_QUERY;
                let sql = format!(
                    "SELECT {columns} FROM {name} WHERE ctid >= '({next_block},0)'::tid AND ctid < '({end},0)'::tid"
                );
                next_block = end;
                (sql, 0)
            }
            _ => (
                format!("SELECT rowid, {columns} FROM {name} WHERE rowid > {after_rowid} ORDER BY rowid LIMIT {PAGE}"),
                1,
            ),
        };
        let page = db.query_all_raw(Statement::from_string(backend, sql)).await?;
        for row in &page {
            let mut object = serde_json::Map::new();
            for (index, column) in table.columns.iter().enumerate() {
                let value = values::read(row, index + first_column, column.kind)
                    .with_context(|| format!("cannot read column {}", column.name))?;
                if document_columns.contains(&index) {
                    let sha256 = value.as_str().unwrap_or_default();
                    if column.kind != Kind::Text || !manifest::is_sha256(sha256) {
                        bail!("{}.{} holds `{value}`, which is no document hash", table.name, column.name);
                    }
                    named_documents.insert(sha256.to_string());
                }
                object.insert(column.name.clone(), value);
            }
            serde_json::to_writer(&mut out, &object)?;
            out.write_all(b"\n")?;
            rows += 1;
        }
        if backend != DbBackend::Postgres {
            let Some(last) = page.last() else { break };
            after_rowid = last.try_get_by_index::<i64>(0)?;
            if page.len() < PAGE {
                break;
            }
        }
    }
    out.flush()?;
    let Hashing { inner, hasher } = out;
    inner.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(TableEntry {
        name: table.name.clone(),
        file: file_name,
        rows,
        sha256: hex::encode(hasher.finalize()),
        columns: table.columns.clone(),
    })
}

/// How many blocks a PostgreSQL table occupies now.
async fn relation_blocks<C: ConnectionTrait>(db: &C, table: &str) -> anyhow::Result<i64> {
    let sql = format!(
        "SELECT (pg_relation_size({}::regclass) + current_setting('block_size')::bigint - 1) \
         / current_setting('block_size')::bigint",
        catalog::sql_string(&quoted(table))
    );
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?
        .context("the table's size is unknown")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

async fn copy_documents(blobs: &Blobs, named: &BTreeSet<String>, dir: &Path) -> anyhow::Result<Vec<DocumentEntry>> {
    let progress = ProgressBar::new(named.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} copying documents [{bar:40}] {pos}/{len} ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut entries = Vec::with_capacity(named.len());
    for sha256 in named {
        let bytes = blobs.read(sha256).await?;
        let path = manifest::document_path(dir, sha256);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = std::fs::File::create(&path)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        entries.push(DocumentEntry { sha256: sha256.clone(), size: bytes.len() as u64 });
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(entries)
}
