//! `manifest.json`: what a backup holds and how to check it was not changed.

use crate::backup::catalog::Column;
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// The layout version of a backup directory; a restore refuses other layouts.
pub const FORMAT: u32 = 1;

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
