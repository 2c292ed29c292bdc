//! The document store as backup and restore see it: read the bytes of a hash, write the
//! bytes of a hash. This is the one place to change when documents move to another store.

use anyhow::{Context, bail};
use std::path::PathBuf;
use techex_server::Config;

/// The store documents are kept in (today the content-addressed files
/// `<data_dir>/documents/ab/<sha256>`).
#[derive(Debug, Clone)]
pub struct Blobs {
    data_dir: PathBuf,
}

impl Blobs {
    pub fn open(config: &Config) -> Blobs {
        Blobs { data_dir: config.data_dir.clone() }
    }

    /// The bytes stored under `sha256`, checked against it.
    pub async fn read(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        let path = techex_listings::documents::blob_path(&self.data_dir, sha256);
        let bytes = tokio::fs::read(&path).await.with_context(|| format!("cannot read document {}", path.display()))?;
        let found = crate::backup::manifest::hash_bytes(&bytes);
        if found != sha256 {
            bail!("document {} is damaged: its content hashes to {found}", path.display());
        }
        Ok(bytes)
    }

    /// Stores `bytes` under `sha256` (already checked by the caller) and reads them back
    /// to check the store holds exactly them.
    pub async fn write(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
        techex_listings::documents::store_blob(&self.data_dir, sha256, bytes)
            .await
            .with_context(|| format!("cannot store document {sha256}"))?;
        self.read(sha256).await.map(|_| ()).with_context(|| {
            format!("another file already stands under document {sha256}; move it away and restore again")
        })
    }
}
