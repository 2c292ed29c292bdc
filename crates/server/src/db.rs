//! Connecting to the database and bringing its schema up to date.

use crate::config::Config;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;
use techex_migrations::Migrator;

/// Connects to the configured database. SQLite runs in WAL mode with a busy timeout,
/// so readers never wait for the writer and writers queue instead of failing.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    if config.is_sqlite() {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| DbErr::Custom(format!("cannot create data directory {}: {e}", config.data_dir.display())))?;
    }
    let mut options = ConnectOptions::new(config.database_url.clone());
    options
        .max_connections(config.max_db_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(15))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// Applies pending migrations; a no-op on an up-to-date database.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Begins a write transaction for a request (on SQLite `BEGIN IMMEDIATE`, so writers
/// queue on the busy timeout instead of failing when they upgrade a read lock).
pub async fn begin(state: &crate::state::AppState) -> crate::error::ApiResult<sea_orm::DatabaseTransaction> {
    techex_listings::begin_write(&state.db).await.map_err(crate::error::ApiError::from)
}

/// Commits a request's transaction.
pub async fn commit(transaction: sea_orm::DatabaseTransaction) -> crate::error::ApiResult<()> {
    transaction.commit().await.map_err(crate::error::ApiError::from)
}
