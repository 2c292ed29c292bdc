//! The search index a process serves from, and how it finds and swaps it.
//!
//! Under the search root (`<data dir>/search` by default) each index lives in a directory
//! of its own, and the file `CURRENT` names the active one. A rebuild writes a fresh
//! directory and then replaces `CURRENT` atomically (write, then rename); the serving
//! process notices and switches to it. Directories no longer named by `CURRENT` are
//! removed by the process that switches away from them, or at start-up.

use crate::error::Result;
use crate::index::SearchIndex;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

const CURRENT: &str = "CURRENT";

/// The index a process searches and feeds, behind a swappable handle.
#[derive(Clone)]
pub struct SearchService {
    root: PathBuf,
    current: Arc<RwLock<(String, Arc<SearchIndex>)>>,
    pool: crate::gate::Pool,
    synonyms: crate::synonyms::SynonymSource,
    /// When this process's indexer last finished a round (Unix milliseconds; 0 = never).
    last_round_millis: Arc<AtomicI64>,
}

/// The name of the active index directory under `root`, if one was chosen.
pub fn current_name(root: &Path) -> Option<String> {
    std::fs::read_to_string(root.join(CURRENT)).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Makes `name` the active index directory, atomically.
pub fn set_current(root: &Path, name: &str) -> Result<()> {
    let temporary = root.join(format!("{CURRENT}.{}.tmp", uuid::Uuid::now_v7().simple()));
    std::fs::write(&temporary, name)?;
    std::fs::File::open(&temporary)?.sync_all()?;
    std::fs::rename(&temporary, root.join(CURRENT))?;
    if let Ok(directory) = std::fs::File::open(root) {
        directory.sync_all().ok();
    }
    Ok(())
}

/// A new, unused index directory name.
pub fn fresh_name() -> String {
    format!("index-{}", uuid::Uuid::now_v7().simple())
}

/// Removes index directories other than `keep` (left over from rebuilds).
pub fn remove_stale(root: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("index-")
            && name != keep
            && entry.path().is_dir()
            && let Err(error) = std::fs::remove_dir_all(entry.path())
        {
            tracing::warn!(%error, directory = %name, "cannot remove an old index directory");
        }
    }
}

impl SearchService {
    /// Opens the active index under `root` (creating root, index and `CURRENT` as needed).
    pub fn open(root: &Path) -> Result<SearchService> {
        std::fs::create_dir_all(root)?;
        let mut name = match current_name(root) {
            Some(name) => name,
            None => {
                let name = fresh_name();
                set_current(root, &name)?;
                name
            }
        };
        let index = match SearchIndex::open_or_create(&root.join(&name)) {
            Ok(index) => index,
            // An index of an older schema: start a fresh one, which the indexer fills
            // from the database (replaying the outbox, or rebuilding when it was pruned).
            Err(crate::SearchError::Index(tantivy::TantivyError::SchemaError(reason))) => {
                tracing::warn!(index = %name, %reason, "the search index has another schema; starting a new one");
                name = fresh_name();
                set_current(root, &name)?;
                SearchIndex::open_or_create(&root.join(&name))?
            }
            Err(other) => return Err(other),
        };
        remove_stale(root, &name);
        Ok(SearchService {
            root: root.to_path_buf(),
            current: Arc::new(RwLock::new((name, Arc::new(index)))),
            pool: crate::gate::Pool::per_core(),
            synonyms: crate::synonyms::SynonymSource::builtin(),
            last_round_millis: Arc::new(AtomicI64::new(0)),
        })
    }

    /// Uses these synonyms for every search (the shipped ones by default).
    pub fn with_synonyms(mut self, synonyms: crate::synonyms::SynonymSource) -> SearchService {
        self.synonyms = synonyms;
        self
    }

    /// The synonyms searches use now.
    pub fn synonyms(&self) -> Arc<crate::synonyms::Synonyms> {
        self.synonyms.get()
    }

    /// Runs a search on the current index in the search pool (one thread per core,
    /// first come first served).
    pub async fn search(&self, request: crate::SearchRequest) -> Result<crate::SearchResults> {
        let index = self.index();
        let synonyms = self.synonyms.get();
        let started = std::time::Instant::now();
        let outcome = self
            .pool
            .run_async(move || index.search_with(&request, &synonyms))
            .await
            .unwrap_or_else(|| Err(crate::SearchError::Internal("the search pool stopped".into())));
        metrics::histogram!("techex_search_duration_seconds").record(started.elapsed().as_secs_f64());
        if outcome.is_err() {
            metrics::counter!("techex_search_errors_total").increment(1);
        }
        outcome
    }

    /// Notes that the indexer finished a round (applied what there was, possibly nothing).
    pub fn mark_indexer_round(&self) {
        self.last_round_millis.store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
    }

    /// Seconds since the indexer last finished a round, `None` before its first.
    pub fn seconds_since_indexer_round(&self) -> Option<f64> {
        let millis = self.last_round_millis.load(Ordering::Relaxed);
        if millis == 0 {
            return None;
        }
        let elapsed = chrono::Utc::now().timestamp_millis().saturating_sub(millis);
        Some(elapsed.max(0) as f64 / 1000.0)
    }

    /// Runs other CPU-bound index work (matching) in the search pool.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(Arc<SearchIndex>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let index = self.index();
        self.pool
            .run_async(move || work(index))
            .await
            .unwrap_or_else(|| Err(crate::SearchError::Internal("the search pool stopped".into())))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The index to use now.
    pub fn index(&self) -> Arc<SearchIndex> {
        match self.current.read() {
            Ok(guard) => guard.1.clone(),
            Err(poisoned) => poisoned.into_inner().1.clone(),
        }
    }

    fn current_in_memory(&self) -> String {
        match self.current.read() {
            Ok(guard) => guard.0.clone(),
            Err(poisoned) => poisoned.into_inner().0.clone(),
        }
    }

    /// Switches to the index `CURRENT` names if another process (`techex reindex`)
    /// replaced it; returns whether it switched.
    pub fn follow_current(&self) -> Result<bool> {
        let Some(name) = current_name(&self.root) else { return Ok(false) };
        if name == self.current_in_memory() {
            return Ok(false);
        }
        let index = SearchIndex::open_or_create(&self.root.join(&name))?;
        let previous = {
            let mut guard = match self.current.write() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            std::mem::replace(&mut *guard, (name.clone(), Arc::new(index)))
        };
        drop(previous);
        remove_stale(&self.root, &name);
        tracing::info!(index = %name, "switched to the rebuilt search index");
        Ok(true)
    }

    /// Replaces the active index with a freshly built one in `name` (used by rebuilds
    /// inside the serving process).
    pub fn install(&self, name: &str, index: SearchIndex) -> Result<()> {
        set_current(&self.root, name)?;
        {
            let mut guard = match self.current.write() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            *guard = (name.to_string(), Arc::new(index));
        }
        remove_stale(&self.root, name);
        Ok(())
    }
}
