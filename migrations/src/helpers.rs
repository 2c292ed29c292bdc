//! Column and constraint helpers every migration shares, so each table is declared the
//! same way on SQLite and PostgreSQL.

use sea_orm_migration::{prelude::*, schema::*};

/// `created_at`/`updated_at` in UTC, and the optimistic-lock version.
pub fn versioned(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(integer("version").default(1))
}

/// A foreign key `from_table.from_col → to_table.id` that refuses deleting the target.
pub fn fk(from_table: &'static str, from_col: &'static str, to_table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{from_col}"))
        .from(from_table, from_col)
        .to(to_table, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

/// An index named `idx_<table>_<columns>`.
pub fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(format!("idx_{table}_{}", columns.join("_"))).table(table);
    for column in columns {
        statement.col(*column);
    }
    statement.take()
}
