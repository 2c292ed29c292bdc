//! Throw-away databases for tests and benchmarks: a temporary SQLite file, or a fresh
//! database created on a PostgreSQL server and dropped afterwards.

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database};
use std::path::PathBuf;

/// A database that exists until `drop_database` (PostgreSQL) or the directory goes (SQLite).
#[derive(Debug, Clone)]
pub struct ScratchDatabase {
    /// The URL to connect to.
    pub url: String,
    /// For PostgreSQL: the server URL (maintenance database) and the scratch name.
    postgres: Option<(String, String)>,
}

impl ScratchDatabase {
    /// A SQLite file in `dir`.
    pub fn sqlite(dir: &std::path::Path) -> ScratchDatabase {
        let path: PathBuf = dir.join("techex.db");
        ScratchDatabase { url: format!("sqlite://{}?mode=rwc", path.display()), postgres: None }
    }

    /// Creates a new database on the PostgreSQL server behind `server_url`
    /// (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
    pub async fn postgres(server_url: &str, prefix: &str) -> anyhow::Result<ScratchDatabase> {
        let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
        let server = Database::connect(server_url)
            .await
            .with_context(|| format!("cannot reach PostgreSQL at {}", techex_server::config::redact_url(server_url)))?;
        server
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .context("cannot create a scratch database")?;
        server.close().await.ok();
        let url = replace_database(server_url, &name);
        Ok(ScratchDatabase { url, postgres: Some((server_url.to_string(), name)) })
    }

    /// Drops a PostgreSQL scratch database (no-op for SQLite).
    pub async fn drop_database(&self) -> anyhow::Result<()> {
        if let Some((server_url, name)) = &self.postgres {
            let server = Database::connect(server_url.as_str()).await?;
            server.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
            server.close().await.ok();
        }
        Ok(())
    }
}

/// Replaces the database name of a `postgres://…/name?params` URL.
pub fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{database}?{query}"),
        None => format!("{host_part}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(replace_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(
            replace_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
