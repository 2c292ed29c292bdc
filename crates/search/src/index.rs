//! One search index on disk: its writer, its reader and the outbox position it has
//! applied, which is stored in the payload of every commit — atomically with the
//! documents it describes, so a crash can never separate them.

use crate::analysis;
use crate::error::{Result, SearchError};
use crate::schema::{self, Fields};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Bumped whenever the schema or the analysis changes: an index of another version is
/// rebuilt from the database.
pub const SCHEMA_VERSION: u32 = 5;

/// Memory budget of the index writer (the part of a batch held before a flush).
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// Every search pays for each segment (its term lookups, scorers and facet ordinals)
/// while the catalogue changes slowly: segments of a size are merged as soon as three
/// have gathered (tantivy waits for eight), so a large index serves from a few segments.
fn merge_policy() -> tantivy::merge_policy::LogMergePolicy {
    let mut policy = tantivy::merge_policy::LogMergePolicy::default();
    policy.set_min_num_segments(3);
    policy
}

/// What every commit records besides the documents.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Checkpoint {
    /// The last outbox position whose change is in the index.
    pub position: i64,
    pub schema_version: u32,
}

/// An open index.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    /// The outbox position whose changes searches see: set only after the reader has
    /// reloaded, so a caller told "caught up" finds the documents (the commit's
    /// checkpoint on disk comes a moment earlier).
    visible: std::sync::atomic::AtomicI64,
    pub fields: Fields,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating an empty one when there is none.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema::build();
        let directory = tantivy::directory::MmapDirectory::open(dir)?;
        // Hits read their stored card from the document store; small blocks keep the
        // decompression of a random document cheap.
        let settings = tantivy::IndexSettings { docstore_blocksize: 4096, ..tantivy::IndexSettings::default() };
        let index = Index::builder().schema(schema).settings(settings).open_or_create(directory)?;
        analysis::register(&index)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        writer.set_merge_policy(Box::new(merge_policy()));
        let position = index
            .load_metas()?
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str::<Checkpoint>(p).ok())
            .map_or(0, |c| c.position);
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            writer: Mutex::new(writer),
            visible: std::sync::atomic::AtomicI64::new(position),
            fields,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// The checkpoint of the last commit (zero for a new index).
    pub fn checkpoint(&self) -> Result<Checkpoint> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.as_deref().and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default())
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter<TantivyDocument>>> {
        self.writer.lock().map_err(|_| SearchError::Internal("the index writer lock is poisoned".into()))
    }

    /// Replaces the document of an entity (or adds it).
    pub fn upsert(&self, id: &str, document: TantivyDocument) -> Result<()> {
        let writer = self.lock()?;
        writer.delete_term(Term::from_field_text(self.fields.id, id));
        writer.add_document(document)?;
        Ok(())
    }

    /// Removes the document of an entity, if any.
    pub fn delete(&self, id: &str) -> Result<()> {
        let writer = self.lock()?;
        writer.delete_term(Term::from_field_text(self.fields.id, id));
        Ok(())
    }

    /// Removes every document (before a rebuild in place).
    pub fn clear(&self) -> Result<()> {
        self.lock()?.delete_all_documents()?;
        Ok(())
    }

    /// Commits the pending changes with the outbox position they bring the index to,
    /// then makes them visible to searches.
    pub fn commit(&self, position: i64) -> Result<()> {
        let payload = serde_json::to_string(&Checkpoint { position, schema_version: SCHEMA_VERSION })
            .map_err(|e| SearchError::Internal(e.to_string()))?;
        {
            let mut writer = self.lock()?;
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
        }
        self.reader.reload()?;
        self.visible.store(position, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// The outbox position whose changes searches already see.
    pub fn visible_position(&self) -> i64 {
        self.visible.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Drops changes that were not committed (as a crash would).
    pub fn rollback(&self) -> Result<()> {
        self.lock()?.rollback()?;
        Ok(())
    }

    /// Closes the index, waiting for its background segment merges to end.
    pub fn close(self) -> Result<()> {
        let writer =
            self.writer.into_inner().map_err(|_| SearchError::Internal("the index writer lock is poisoned".into()))?;
        writer.wait_merging_threads()?;
        Ok(())
    }

    /// Number of searchable documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Every id in the index of one type (`achievement` or `demand`), sorted.
    pub fn ids(&self, doc_type: &str) -> Result<Vec<String>> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(self.fields.doc_type, doc_type), IndexRecordOption::Basic);
        let addresses = searcher.search(&query, &DocSetCollector)?;
        let mut ids = Vec::with_capacity(addresses.len());
        for address in addresses {
            let document: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = document.get_first(self.fields.id).and_then(|v| v.as_str()) {
                ids.push(id.to_string());
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Size of the index files on disk, in bytes.
    pub fn size_on_disk(&self) -> u64 {
        fn walk(path: &Path) -> u64 {
            std::fs::read_dir(path)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok())
                        .map(|e| match e.metadata() {
                            Ok(m) if m.is_dir() => walk(&e.path()),
                            Ok(m) => m.len(),
                            Err(_) => 0,
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(&self.dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Labels, achievement_document};
    use crate::fixtures::{test_owner, test_row};

    #[test]
    fn three_commits_are_merged_into_fewer_segments() {
        let dir = tempfile::tempdir().expect("dir");
        let index = SearchIndex::open_or_create(dir.path()).expect("index");
        let now = chrono::Utc::now();
        let owner = test_owner(now);
        for position in 1..=3 {
            let mut row = test_row(owner.id, now);
            row.title_zh = Some(format!("第{position}项成果"));
            let document = achievement_document(&index.fields, &row, &owner, &Labels::default());
            index.upsert(&row.id.to_string(), document).expect("upsert");
            index.commit(position).expect("commit");
        }
        index.close().expect("close after the merges");
        let reopened = SearchIndex::open_or_create(dir.path()).expect("reopen");
        let segments = reopened.searcher().segment_readers().len();
        assert!(segments < 3, "three segments of a size are merged, {segments} left");
        assert_eq!(reopened.num_docs(), 3);
    }
}
