//! The document store: the bytes of documents and deal attachments, each named by its
//! SHA-256 (`ab/abcdef…`, the first two hex digits a directory), on the `object_store`
//! crate. A local directory by default (`<data_dir>/documents`, the layout techex always
//! used), or an S3-compatible bucket (`s3://bucket/prefix`) that several servers share.
//!
//! The API is five calls by hash: `put`, `get`, `exists`, `list`, `delete`. A name is
//! the hash of the bytes, so `put` refuses bytes that do not hash to it and `get` refuses
//! bytes read back that do not (a tampered or damaged object is never served). Writing the
//! same bytes again is harmless and refreshes the object's time, which is what keeps a
//! fresh upload safe from the orphan sweep's grace period.

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::prefix::PrefixStore;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, PutPayload, RetryConfig};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use bytes::Bytes;

/// Bytes above this size are hashed on a blocking thread, off the async workers.
const HASH_INLINE_LIMIT: usize = 256 * 1024;

/// What can go wrong with the document store.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// A name that is not 64 lowercase hex digits.
    #[error("`{0}` is not a SHA-256 in hex")]
    InvalidName(String),
    /// Bytes handed to `put` that do not hash to the name they were given.
    #[error("the bytes for {expected} hash to {actual}")]
    WrongContent { expected: String, actual: String },
    #[error("blob {0} is not in the document store")]
    NotFound(String),
    /// The stored bytes do not hash to their name: damaged or tampered with.
    #[error("blob {expected} in the document store holds bytes that hash to {actual}")]
    Corrupt { expected: String, actual: String },
    /// The store could not be reached or refused the operation.
    #[error("the document store ({store}) failed: {source}")]
    Unavailable {
        store: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The store's settings are wrong (an unknown URL scheme, a missing bucket).
    #[error("document store settings: {0}")]
    Settings(String),
}

/// Where documents are stored and how to reach an S3-compatible store. Every field is
/// optional: without `url` documents live in `<data_dir>/documents`.
#[derive(Clone, Default)]
pub struct StoreSettings {
    /// `s3://bucket/prefix` for an S3-compatible store, `file:///path` for a local
    /// directory elsewhere than the data directory.
    pub url: Option<String>,
    /// The S3 endpoint (`https://oss-cn-hangzhou.aliyuncs.com`, `http://127.0.0.1:9000`);
    /// AWS's own when unset. Requests use path-style addressing.
    pub s3_endpoint: Option<String>,
    /// The bucket's region [default: `us-east-1`].
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    /// Never logged (`Debug` hides it).
    pub s3_secret_access_key: Option<String>,
    /// Allow a plain-http endpoint (a store on loopback or a private network).
    pub s3_allow_http: bool,
}

impl std::fmt::Debug for StoreSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSettings")
            .field("url", &self.url)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_region", &self.s3_region)
            .field("s3_access_key_id", &self.s3_access_key_id)
            .field("s3_secret_access_key", &self.s3_secret_access_key.as_ref().map(|_| "***"))
            .field("s3_allow_http", &self.s3_allow_http)
            .finish()
    }
}

/// One stored blob, as `list` finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    pub sha256: String,
    pub size: u64,
    pub last_modified: chrono::DateTime<chrono::Utc>,
}

/// The document store of a process: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    /// For a local directory: its root, where `put` writes (and syncs) the file itself.
    local_root: Option<PathBuf>,
    description: String,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore").field("store", &self.description).finish()
    }
}

/// The SHA-256 of bytes, in lowercase hex.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The SHA-256 of bytes, hashed on a blocking thread when they are large.
pub async fn content_hash_off_thread(bytes: &Bytes) -> String {
    if bytes.len() <= HASH_INLINE_LIMIT {
        return content_hash(bytes);
    }
    let owned = bytes.clone();
    match tokio::task::spawn_blocking(move || content_hash(&owned)).await {
        Ok(hash) => hash,
        Err(_) => content_hash(bytes),
    }
}

/// Whether `name` is a SHA-256 in lowercase hex.
pub fn is_sha256(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn key_of(sha256: &str) -> Result<StorePath, BlobError> {
    if !is_sha256(sha256) {
        return Err(BlobError::InvalidName(sha256.chars().take(80).collect()));
    }
    Ok(StorePath::from_iter([&sha256[..2], sha256]))
}

/// The hash a key names, if it is one of ours (`ab/ab…`); anything else in the store is
/// not techex's and is left alone.
fn sha256_of_key(location: &StorePath) -> Option<String> {
    let parts: Vec<_> = location.parts().collect();
    let [directory, name] = parts.as_slice() else {
        return None;
    };
    let name = name.as_ref();
    (is_sha256(name) && name.get(..2) == Some(directory.as_ref())).then(|| name.to_string())
}

impl BlobStore {
    /// The store the settings name: S3 for `s3://…`, a local directory for `file://…`,
    /// else `<data_dir>/documents`.
    pub fn open(settings: &StoreSettings, data_dir: &Path) -> Result<BlobStore, BlobError> {
        match settings.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            None => BlobStore::local(&data_dir.join("documents")),
            Some(url) if url.starts_with("s3://") => BlobStore::s3(url, settings),
            Some(url) if url.starts_with("file://") => BlobStore::local(Path::new(&url["file://".len()..])),
            Some(url) => Err(BlobError::Settings(format!(
                "the documents URL `{url}` is neither s3://bucket/prefix nor file:///directory"
            ))),
        }
    }

    /// A local directory (created when missing).
    pub fn local(root: &Path) -> Result<BlobStore, BlobError> {
        let unavailable = |source: Box<dyn std::error::Error + Send + Sync>| BlobError::Unavailable {
            store: root.display().to_string(),
            source,
        };
        std::fs::create_dir_all(root).map_err(|e| unavailable(Box::new(e)))?;
        let store = LocalFileSystem::new_with_prefix(root).map_err(|e| unavailable(Box::new(e)))?;
        Ok(BlobStore {
            inner: Arc::new(store),
            local_root: Some(root.to_path_buf()),
            description: format!("directory {}", root.display()),
        })
    }

    /// An S3-compatible bucket, `s3://bucket/prefix`. Requests time out and give up
    /// within seconds, so an upload to a store that is down answers 503 promptly instead
    /// of holding the request.
    pub fn s3(url: &str, settings: &StoreSettings) -> Result<BlobStore, BlobError> {
        let rest = url.strip_prefix("s3://").unwrap_or(url);
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let prefix = prefix.trim_matches('/');
        if bucket.is_empty() {
            return Err(BlobError::Settings(format!("the documents URL `{url}` names no bucket")));
        }
        let options = ClientOptions::new()
            .with_connect_timeout(Duration::from_secs(3))
            .with_timeout(Duration::from_secs(60))
            .with_allow_http(settings.s3_allow_http);
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                base: 2.0,
            },
            max_retries: 2,
            retry_timeout: Duration::from_secs(10),
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(settings.s3_region.clone().unwrap_or_else(|| "us-east-1".into()))
            .with_client_options(options)
            .with_retry(retry);
        if let Some(endpoint) = settings.s3_endpoint.as_deref().filter(|e| !e.trim().is_empty()) {
            builder = builder.with_endpoint(endpoint.trim()).with_virtual_hosted_style_request(false);
        }
        if let Some(key) = settings.s3_access_key_id.as_deref() {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = settings.s3_secret_access_key.as_deref() {
            builder = builder.with_secret_access_key(secret);
        }
        let bucket_store = builder.build().map_err(|e| BlobError::Settings(e.to_string()))?;
        let inner: Arc<dyn ObjectStore> =
            if prefix.is_empty() { Arc::new(bucket_store) } else { Arc::new(PrefixStore::new(bucket_store, prefix)) };
        let endpoint = settings.s3_endpoint.as_deref().unwrap_or("aws");
        Ok(BlobStore { inner, local_root: None, description: format!("s3://{bucket}/{prefix} at {endpoint}") })
    }

    /// Where the blobs are, for logs (no credentials).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Whether this is a local directory (not shared between machines).
    pub fn is_local(&self) -> bool {
        self.local_root.is_some()
    }

    fn unavailable(&self, source: impl std::error::Error + Send + Sync + 'static) -> BlobError {
        BlobError::Unavailable { store: self.description.clone(), source: Box::new(source) }
    }

    fn failed(&self, sha256: &str, error: object_store::Error) -> BlobError {
        match error {
            object_store::Error::NotFound { .. } => BlobError::NotFound(sha256.to_string()),
            other => self.unavailable(other),
        }
    }

    /// Stores bytes under their hash. Refuses bytes that do not hash to `sha256`; writes
    /// them again when the blob exists (the same bytes, a fresh time).
    pub async fn put(&self, sha256: &str, bytes: Bytes) -> Result<(), BlobError> {
        let key = key_of(sha256)?;
        let actual = content_hash_off_thread(&bytes).await;
        if actual != sha256 {
            return Err(BlobError::WrongContent { expected: sha256.to_string(), actual });
        }
        if let Some(root) = &self.local_root {
            return write_local(root, sha256, &bytes).await.map_err(|e| self.unavailable(e));
        }
        self.inner.put(&key, PutPayload::from(bytes)).await.map_err(|e| self.failed(sha256, e))?;
        Ok(())
    }

    /// The bytes stored under `sha256`, checked against it: bytes that hash to anything
    /// else are refused (`Corrupt`, logged) and never returned.
    pub async fn get(&self, sha256: &str) -> Result<Bytes, BlobError> {
        let key = key_of(sha256)?;
        let found = self.inner.get(&key).await.map_err(|e| self.failed(sha256, e))?;
        let bytes = found.bytes().await.map_err(|e| self.failed(sha256, e))?;
        let actual = content_hash_off_thread(&bytes).await;
        if actual != sha256 {
            metrics::counter!("techex_document_store_corrupt_reads_total").increment(1);
            tracing::error!(sha256, actual, store = %self.description, "stored bytes do not match their hash; refused");
            return Err(BlobError::Corrupt { expected: sha256.to_string(), actual });
        }
        Ok(bytes)
    }

    /// Whether a blob is stored under `sha256` (its bytes are not read).
    pub async fn exists(&self, sha256: &str) -> Result<bool, BlobError> {
        let key = key_of(sha256)?;
        match self.inner.head(&key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(error) => Err(self.unavailable(error)),
        }
    }

    /// Every blob in the store, in no particular order. Objects that are not named like
    /// a blob (temporary files, other tools' objects) are not listed.
    pub async fn list(&self) -> Result<Vec<BlobMeta>, BlobError> {
        use futures::StreamExt;
        let mut stream = self.inner.list(None);
        let mut found = Vec::new();
        while let Some(item) = stream.next().await {
            let meta = match item {
                Ok(meta) => meta,
                Err(object_store::Error::InvalidPath { source }) => {
                    tracing::debug!(%source, "skipping an object that is not a blob");
                    continue;
                }
                Err(error) => return Err(self.unavailable(error)),
            };
            if let Some(sha256) = sha256_of_key(&meta.location) {
                found.push(BlobMeta { sha256, size: meta.size, last_modified: meta.last_modified });
            }
        }
        Ok(found)
    }

    /// The size and time of one blob, if it is stored.
    pub async fn meta(&self, sha256: &str) -> Result<Option<BlobMeta>, BlobError> {
        let key = key_of(sha256)?;
        match self.inner.head(&key).await {
            Ok(meta) => {
                Ok(Some(BlobMeta { sha256: sha256.to_string(), size: meta.size, last_modified: meta.last_modified }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(self.unavailable(error)),
        }
    }

    /// Deletes a blob; deleting one that is not there is not an error.
    pub async fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        let key = key_of(sha256)?;
        match self.inner.delete(&key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(self.unavailable(error)),
        }
    }
}

/// Writes a blob into a local directory atomically and durably: a temporary file beside
/// it, synced, then renamed over the name.
async fn write_local(root: &Path, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
    let directory = root.join(&sha256[..2]);
    tokio::fs::create_dir_all(&directory).await?;
    let temporary = directory.join(format!(".{sha256}.{}.tmp", techex_core::new_id()));
    tokio::fs::write(&temporary, bytes).await?;
    let written = async {
        tokio::fs::File::open(&temporary).await?.sync_all().await?;
        tokio::fs::rename(&temporary, directory.join(sha256)).await
    };
    if let Err(error) = written.await {
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err(error);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    #[tokio::test]
    async fn a_local_store_keeps_the_old_layout_and_checks_hashes() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = BlobStore::open(&StoreSettings::default(), dir.path()).expect("store");
        store.put(HELLO, Bytes::from_static(b"hello")).await.expect("put");
        let path = dir.path().join("documents").join("2c").join(HELLO);
        assert_eq!(std::fs::read(&path).expect("file"), b"hello");
        assert!(store.exists(HELLO).await.expect("exists"));
        assert_eq!(store.get(HELLO).await.expect("get").as_ref(), b"hello");
        let listed = store.list().await.expect("list");
        assert_eq!(listed.iter().map(|b| b.sha256.as_str()).collect::<Vec<_>>(), [HELLO]);

        std::fs::write(&path, b"jello").expect("tamper");
        assert!(matches!(store.get(HELLO).await, Err(BlobError::Corrupt { .. })));

        let wrong = store.put(HELLO, Bytes::from_static(b"other")).await;
        assert!(matches!(wrong, Err(BlobError::WrongContent { .. })));
        assert!(matches!(store.get("../etc/passwd").await, Err(BlobError::InvalidName(_))));

        store.delete(HELLO).await.expect("delete");
        store.delete(HELLO).await.expect("deleting twice");
        assert!(!store.exists(HELLO).await.expect("exists"));
        assert!(matches!(store.get(HELLO).await, Err(BlobError::NotFound(_))));
    }

    #[test]
    fn urls_name_their_store() {
        let dir = std::path::Path::new("/tmp");
        let settings = |url: &str| StoreSettings { url: Some(url.into()), ..StoreSettings::default() };
        assert!(matches!(BlobStore::open(&settings("ftp://x"), dir), Err(BlobError::Settings(_))));
        assert!(matches!(BlobStore::open(&settings("s3:///prefix"), dir), Err(BlobError::Settings(_))));
        let s3 = BlobStore::open(&settings("s3://bucket/some/prefix/"), dir).expect("s3 store");
        assert!(!s3.is_local());
        assert!(s3.description().starts_with("s3://bucket/some/prefix "), "{}", s3.description());
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let settings = StoreSettings { s3_secret_access_key: Some("hunter2".into()), ..StoreSettings::default() };
        assert!(!format!("{settings:?}").contains("hunter2"));
    }
}
