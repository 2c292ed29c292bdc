//! The listings domain: organizations and their members, sessions, achievements and
//! demands with their review workflow, documents and NDAs, the audit log, and the
//! import and export of achievement portfolios.
//!
//! Every function takes any `C: ConnectionTrait`, so the caller decides the
//! transaction; a transition's row change, audit entry and outbox row commit together.

pub mod achievements;
pub mod audit;
pub mod auth;
pub mod blobs;
pub mod center;
pub mod confirmations;
pub mod demands;
pub mod documents;
pub mod entities;
pub mod error;
pub mod history;
pub mod licences;
pub mod mail;
pub mod members;
pub mod nda;
pub mod notifications;
pub mod open_licences;
pub mod organizations;
mod patching;
pub mod portfolio;
pub mod reference;
pub mod resets;
pub mod sweeper;
pub mod versioned;

pub use error::{ListingsError, Result};

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Starts a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing
/// when it upgrades a read lock; on PostgreSQL it is a plain transaction.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
