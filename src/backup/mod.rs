//! `techex backup` and `techex restore`: a logical export of the database that reads and
//! writes the same on SQLite and PostgreSQL, plus the documents its rows name.
//!
//! A backup directory holds `manifest.json` (techex and schema version, time, source
//! backend, each table's file with its row count, SHA-256 and column kinds, each
//! document's hash and size), `tables/<table>.jsonl` (one JSON object per row) and
//! `documents/ab/<sha256>`.

pub mod blobs;
pub mod catalog;
pub mod dump;
pub mod manifest;
pub mod restore;
pub mod values;

pub use dump::backup;
pub use restore::restore;
