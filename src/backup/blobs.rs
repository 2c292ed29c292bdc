//! The document store as backup and restore see it: read the bytes of a hash, write the
//! bytes of a hash, through the server's [`BlobStore`] (a local directory or S3), which
//! checks every hash on the way in and out.

use anyhow::Context;
use techex_listings::blobs::BlobStore;
use techex_server::Config;

/// The store documents are kept in, as configured for `serve`.
#[derive(Debug, Clone)]
pub struct Blobs {
    store: BlobStore,
}

impl Blobs {
    pub fn open(config: &Config) -> anyhow::Result<Blobs> {
        Ok(Blobs { store: config.blob_store().context("cannot open the document store")? })
    }

    /// The bytes stored under `sha256`, checked against it.
    pub async fn read(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        let bytes = self.store.get(sha256).await.with_context(|| format!("cannot read document {sha256}"))?;
        Ok(bytes.to_vec())
    }

    /// Stores `bytes` under `sha256` (the store refuses bytes that do not hash to it) and
    /// reads them back to check the store holds exactly them.
    pub async fn write(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.store
            .put(sha256, techex_listings::blobs::Bytes::copy_from_slice(bytes))
            .await
            .with_context(|| format!("cannot store document {sha256}"))?;
        self.read(sha256).await.map(|_| ()).with_context(|| {
            format!("another object already stands under document {sha256}; move it away and restore again")
        })
    }
}
