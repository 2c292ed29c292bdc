//! `manifest.json`: what a backup holds and how to check it was not changed.

use crate::backup::catalog::Column;
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::{BufRead, Read};
use std::path::Path;

/// The layout version of a backup directory; a restore refuses other layouts.
pub const FORMAT: u32 = 1;

/// The columns whose values name documents in the store. (The other `sha256` columns —
/// contracts, contract versions, signatures, NDA acceptances — hash texts held in the
/// rows themselves, not stored files.)
pub const DOCUMENT_COLUMNS: &[(&str, &str)] =
    &[("documents", "sha256"), ("deal_attachments", "sha256"), ("organization_licences", "sha256")];

/// The name of the manifest inside a backup directory. It is written last, so a backup
/// directory without one is an interrupted backup.
pub const FILE: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The techex that wrote the backup.
    pub techex_version: String,
    /// The last migration applied to the database backed up; a restore needs a techex
    /// whose last migration is this one.
    pub schema_version: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// `sqlite` or `postgres`.
    pub source_backend: String,
    pub tables: Vec<TableEntry>,
    pub documents: Vec<DocumentEntry>,
}

/// One table's file: `tables/<name>.jsonl`, one JSON object per row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableEntry {
    pub name: String,
    pub file: String,
    pub rows: u64,
    /// SHA-256 (hex) of the file.
    pub sha256: String,
    pub columns: Vec<Column>,
}

/// One document: `documents/ab/<sha256>`, named by its content's hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentEntry {
    pub sha256: String,
    pub size: u64,
}

impl Manifest {
    /// Reads the manifest of a backup directory.
    pub fn read(dir: &Path) -> anyhow::Result<Manifest> {
        let path = dir.join(FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("{} is not a techex backup (cannot read {FILE})", dir.display()))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a valid backup manifest", path.display()))?;
        if manifest.format != FORMAT {
            bail!("{} has backup format {}, this techex reads format {FORMAT}", path.display(), manifest.format);
        }
        Ok(manifest)
    }

    /// Checks every file of the backup against the manifest, and that it holds every
    /// document its rows name: a changed, missing or truncated file refuses the restore
    /// before the database is touched.
    pub fn verify(&self, source: &Path) -> anyhow::Result<()> {
        for entry in &self.tables {
            if entry.file != format!("tables/{}.jsonl", entry.name) || entry.name.contains(['/', '\\', '.']) {
                bail!("the manifest names an unexpected file {} for table {}", entry.file, entry.name);
            }
            let path = source.join(&entry.file);
            let (sha256, _) = hash_file(&path)?;
            if sha256 != entry.sha256 {
                bail!(
                    "{} was changed since the backup was written (its SHA-256 differs from the manifest's)",
                    path.display()
                );
            }
            let lines = std::io::BufReader::new(std::fs::File::open(&path)?).lines().count() as u64;
            if lines != entry.rows {
                bail!("{} holds {lines} rows, the manifest says {}", path.display(), entry.rows);
            }
        }
        let held: BTreeSet<&str> = self.documents.iter().map(|d| d.sha256.as_str()).collect();
        for (table, column) in DOCUMENT_COLUMNS {
            let Some(entry) = self.tables.iter().find(|t| t.name == *table) else { continue };
            let path = source.join(&entry.file);
            for (number, line) in std::io::BufReader::new(std::fs::File::open(&path)?).lines().enumerate() {
                let row: serde_json::Value = serde_json::from_str(&line?)
                    .with_context(|| format!("row {} of {} is not JSON", number + 1, path.display()))?;
                if !row[*column].as_str().is_some_and(|sha256| held.contains(sha256)) {
                    bail!(
                        "row {} of {} names document {}, which the backup does not hold",
                        number + 1,
                        path.display(),
                        row[*column]
                    );
                }
            }
        }
        for document in &self.documents {
            if !is_sha256(&document.sha256) {
                bail!("the manifest names a document `{}` that is no SHA-256", document.sha256);
            }
            let path = document_path(source, &document.sha256);
            let (sha256, size) = hash_file(&path)?;
            if sha256 != document.sha256 || size != document.size {
                bail!("document {} was changed since the backup was written", path.display());
            }
        }
        Ok(())
    }
}

/// SHA-256 (hex) and length of a file, read in pieces.
pub fn hash_file(path: &Path) -> anyhow::Result<(String, u64)> {
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer).with_context(|| format!("cannot read {}", path.display()))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// SHA-256 (hex) of bytes.
pub fn hash_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether a text is a SHA-256 in lowercase hex (so it is safe as a file name).
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Where a document lies inside a backup directory.
pub fn document_path(dir: &Path, sha256: &str) -> std::path::PathBuf {
    dir.join("documents").join(sha256.get(..2).unwrap_or("00")).join(sha256)
}
