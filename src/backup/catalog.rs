//! What tables the database holds, read from its own catalog (`sqlite_master` and
//! `PRAGMA`s on SQLite, `information_schema` and `pg_constraint` on PostgreSQL), so
//! that a table added by a later migration is backed up without anyone listing it here.

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// sea-orm-migration's bookkeeping table: not dumped, but its last row is the schema
/// version written into the manifest.
pub const MIGRATIONS_TABLE: &str = "seaql_migrations";

/// How a column's values are carried in a backup, whatever the backend stores. Each kind
/// is read and written through the same Rust type the application's entities use, so a
/// value comes back exactly as the application wrote it, on either backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A JSON string, hyphenated (SQLite stores 16 bytes, PostgreSQL `uuid`).
    Uuid,
    /// An RFC 3339 string in UTC (SQLite stores text, PostgreSQL `timestamptz`).
    Timestamp,
    /// A calendar date, `YYYY-MM-DD` (SQLite stores text, PostgreSQL `date`).
    Date,
    /// The JSON value itself (SQLite stores text, PostgreSQL `json`/`jsonb`).
    Json,
    Bool,
    /// A JSON integer; SQLite has one integer type, PostgreSQL three.
    SmallInt,
    Int,
    BigInt,
    Float,
    Text,
    /// Lowercase hex.
    Bytes,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// One application table.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// Tables this one refers to by foreign key (itself excluded).
    pub references: BTreeSet<String>,
}

/// Double-quotes an identifier for either backend.
pub fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn sqlite_kind(table: &str, column: &str, declared: &str) -> anyhow::Result<Kind> {
    let declared = declared.to_ascii_lowercase();
    Ok(match declared.as_str() {
        "uuid_text" => Kind::Uuid,
        "timestamp_with_timezone_text" | "timestamp_text" | "datetime_text" => Kind::Timestamp,
        "date_text" => Kind::Date,
        "json_text" | "jsonb_text" => Kind::Json,
        "boolean" | "bool" => Kind::Bool,
        "integer" | "bigint" | "int" | "smallint" | "tinyint" => Kind::BigInt,
        "float" | "double" | "real" => Kind::Float,
        "text" | "" => Kind::Text,
        "blob" => Kind::Bytes,
        other if other.starts_with("varchar") || other.starts_with("char") || other.starts_with("text") => Kind::Text,
        other => bail!("column {table}.{column} has the type `{other}`, which backup does not know how to carry"),
    })
}

fn postgres_kind(table: &str, column: &str, data_type: &str) -> anyhow::Result<Kind> {
    Ok(match data_type {
        "uuid" => Kind::Uuid,
        "timestamp with time zone" => Kind::Timestamp,
        "date" => Kind::Date,
        "json" | "jsonb" => Kind::Json,
        "boolean" => Kind::Bool,
        "smallint" => Kind::SmallInt,
        "integer" => Kind::Int,
        "bigint" => Kind::BigInt,
        "double precision" | "real" => Kind::Float,
        "text" | "character varying" | "character" => Kind::Text,
        "bytea" => Kind::Bytes,
        other => bail!("column {table}.{column} has the type `{other}`, which backup does not know how to carry"),
    })
}

async fn strings<C: ConnectionTrait>(db: &C, sql: &str) -> anyhow::Result<Vec<Vec<String>>> {
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = Vec::new();
        for index in 0..row.column_names().len() {
            values.push(row.try_get_by_index::<Option<String>>(index)?.unwrap_or_default());
        }
        out.push(values);
    }
    Ok(out)
}

/// Every application table of the database (the migrations table excluded), by name.
pub async fn read<C: ConnectionTrait>(db: &C) -> anyhow::Result<BTreeMap<String, Table>> {
    let mut tables = BTreeMap::new();
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let names = strings(
                db,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            )
            .await?;
            for name in names.into_iter().filter_map(|row| row.into_iter().next()) {
                if name == MIGRATIONS_TABLE {
                    continue;
                }
                let table_info = format!("SELECT name, type FROM pragma_table_info({})", sql_string(&name));
                let mut columns = Vec::new();
                for row in strings(db, &table_info).await? {
                    let [column, declared] = <[String; 2]>::try_from(row)
                        .map_err(|_| anyhow::anyhow!("unexpected answer from pragma_table_info"))?;
                    let kind = sqlite_kind(&name, &column, &declared)?;
                    columns.push(Column { name: column, kind });
                }
                let keys = format!("SELECT \"table\" FROM pragma_foreign_key_list({})", sql_string(&name));
                let references = strings(db, &keys).await?.into_iter().filter_map(|r| r.into_iter().next()).collect();
                tables.insert(name.clone(), Table { name, columns, references });
            }
        }
        DbBackend::Postgres => {
            let columns = strings(
                db,
                "SELECT c.table_name::text, c.column_name::text, c.data_type::text \
                 FROM information_schema.columns c JOIN information_schema.tables t \
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 ORDER BY c.table_name, c.ordinal_position",
            )
            .await?;
            for row in columns {
                let [table, column, data_type] =
                    <[String; 3]>::try_from(row).map_err(|_| anyhow::anyhow!("unexpected answer from the catalog"))?;
                if table == MIGRATIONS_TABLE {
                    continue;
                }
                let kind = postgres_kind(&table, &column, &data_type)?;
                tables
                    .entry(table.clone())
                    .or_insert_with(|| Table { name: table, columns: Vec::new(), references: BTreeSet::new() })
                    .columns
                    .push(Column { name: column, kind });
            }
            let keys = strings(
                db,
                "SELECT c.relname::text, r.relname::text FROM pg_constraint k \
                 JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE k.contype = 'f' AND n.nspname = current_schema()",
            )
            .await?;
            for row in keys {
                let [table, referenced] =
                    <[String; 2]>::try_from(row).map_err(|_| anyhow::anyhow!("unexpected answer from the catalog"))?;
                if let Some(entry) = tables.get_mut(&table) {
                    entry.references.insert(referenced);
                }
            }
        }
        other => bail!("backup supports SQLite and PostgreSQL, not {other:?}"),
    }
    for table in tables.values_mut() {
        let own = table.name.clone();
        table.references.remove(&own);
    }
    Ok(tables)
}

/// A SQL string literal.
pub fn sql_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The tables in an order where each comes after every table it refers to, so rows can
/// be inserted with the foreign keys checked as they go. Ties are broken by name, so the
/// order is the same on every run.
pub fn foreign_key_order(tables: &BTreeMap<String, Table>) -> anyhow::Result<Vec<String>> {
    let mut placed: Vec<String> = Vec::with_capacity(tables.len());
    let mut placed_set = BTreeSet::new();
    while placed.len() < tables.len() {
        let ready: Vec<String> = tables
            .values()
            .filter(|t| !placed_set.contains(&t.name))
            .filter(|t| t.references.iter().all(|r| placed_set.contains(r) || !tables.contains_key(r)))
            .map(|t| t.name.clone())
            .collect();
        if ready.is_empty() {
            let left: Vec<&str> =
                tables.keys().filter(|name| !placed_set.contains(*name)).map(String::as_str).collect();
            bail!("the foreign keys between {} form a cycle; cannot order the restore", left.join(", "));
        }
        for name in ready {
            placed_set.insert(name.clone());
            placed.push(name);
        }
    }
    Ok(placed)
}

/// The last migration applied to the database, or `None` when none was.
pub async fn schema_version<C: ConnectionTrait>(db: &C) -> anyhow::Result<Option<String>> {
    let backend = db.get_database_backend();
    let exists = match backend {
        DbBackend::Postgres => format!("SELECT to_regclass({})::text", sql_string(MIGRATIONS_TABLE)),
        _ => format!("SELECT name FROM sqlite_master WHERE type = 'table' AND name = {}", sql_string(MIGRATIONS_TABLE)),
    };
    let found = strings(db, &exists).await?;
    if found.first().and_then(|r| r.first()).is_none_or(String::is_empty) {
        return Ok(None);
    }
    let sql = format!("SELECT version FROM {} ORDER BY version DESC LIMIT 1", quoted(MIGRATIONS_TABLE));
    let last = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .context("cannot read the applied migrations")?
        .map(|row| row.try_get_by_index::<String>(0))
        .transpose()?;
    Ok(last)
}

/// The last migration this binary knows.
pub fn binary_schema_version() -> String {
    use techex_migrations::MigratorTrait;
    techex_migrations::Migrator::migrations().last().map(|m| m.name().to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, references: &[&str]) -> (String, Table) {
        (
            name.to_string(),
            Table {
                name: name.to_string(),
                columns: Vec::new(),
                references: references.iter().map(|r| r.to_string()).collect(),
            },
        )
    }

    #[test]
    fn tables_come_after_the_tables_they_refer_to() {
        let tables: BTreeMap<_, _> = [
            table("contracts", &["deals", "organizations"]),
            table("deals", &["organizations"]),
            table("organizations", &[]),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            foreign_key_order(&tables).ok(),
            Some(vec!["organizations".into(), "deals".into(), "contracts".into()])
        );
    }

    #[test]
    fn a_cycle_is_refused_by_name() {
        let tables: BTreeMap<_, _> = [table("a", &["b"]), table("b", &["a"])].into_iter().collect();
        let error = foreign_key_order(&tables).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("a, b"), "{error}");
    }
}
