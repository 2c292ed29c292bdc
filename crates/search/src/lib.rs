//! Search over published achievements and demands, in Chinese and English.
//!
//! The index is a projection of the database, never a source of truth: each serving
//! process follows the transactional outbox into its own tantivy index (`indexer`), and
//! `rebuild` recreates an index from the database alone. `search` answers queries with
//! facets, highlights and stable pages; `matching` pairs demands with achievements;
//! `saved` turns saved searches into notifications.

pub mod analysis;
pub mod document;
pub mod entities;
pub mod error;
#[cfg(test)]
mod fixtures;
pub mod gate;
pub mod highlight;
pub mod index;
pub mod indexer;
pub mod matching;
pub mod params;
pub mod prepared;
pub mod query;
pub mod rebuild;
pub mod saved;
pub mod schema;
pub mod search;
pub mod service;
pub mod synonyms;
pub mod syntax;

pub use error::{Result, SearchError};
pub use index::SearchIndex;
pub use params::SearchParams;
pub use search::{SearchRequest, SearchResults, Sort};
pub use service::SearchService;
