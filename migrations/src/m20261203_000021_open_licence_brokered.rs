//! A licensee may take an open licence with a broker (专利开放许可 through a 技术经纪人):
//! the notice is given at once, but the deal waits for the broker's acceptance before it
//! is agreed and the contract drafted. A licence taken so has a deal and no contract yet,
//! so `open_licence_grants` gains `deal_id` and its `contract_id` may be empty until the
//! broker accepts.
//!
//! SQLite cannot relax a NOT NULL column in place, so the table is rebuilt (the same
//! way on both databases): a new table, the rows copied with the deal of their contract,
//! the old table dropped and the new one renamed. No other table refers to it. The
//! rebuild runs in one transaction on every database (`use_transaction`): atomic, and on
//! one SQLite connection, whose schema then knows the drop when the rename comes (across
//! pooled connections the rename saw the dropped table still there).

use crate::helpers::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn grants_table(name: &'static str, pending_allowed: bool) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(name)
        .col(pk_uuid("id"))
        .col(uuid("open_licence_id"))
        .col(uuid("licensee_org_id"))
        .col(if pending_allowed { uuid_null("contract_id") } else { uuid("contract_id") })
        .col(boolean("anonymous").default(false))
        .col(uuid("taken_by"))
        .col(timestamp_with_time_zone("taken_at"))
        .foreign_key(&mut fk(name, "open_licence_id", "open_licences"))
        .foreign_key(&mut fk(name, "licensee_org_id", "organizations"))
        .foreign_key(&mut fk(name, "contract_id", "contracts"))
        .foreign_key(&mut fk(name, "taken_by", "users"));
    if pending_allowed {
        table.col(uuid_null("deal_id")).foreign_key(&mut fk(name, "deal_id", "deals"));
    }
    table.take()
}

async fn finish(manager: &SchemaManager<'_>, temporary: &'static str, with_deal: bool) -> Result<(), DbErr> {
    manager.drop_table(Table::drop().table("open_licence_grants").take()).await?;
    manager.rename_table(Table::rename().table(temporary, "open_licence_grants").take()).await?;
    manager
        .create_index(
            Index::create()
                .name("idx_open_licence_grants_licence_licensee")
                .table("open_licence_grants")
                .col("open_licence_id")
                .col("licensee_org_id")
                .unique()
                .take(),
        )
        .await?;
    if with_deal {
        manager.create_index(index("open_licence_grants", &["deal_id"])).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // PostgreSQL keeps the temporary name in the primary key's index, so each way
        // builds under its own name.
        manager.create_table(grants_table("open_licence_grants_next", true)).await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO open_licence_grants_next \
                 (id, open_licence_id, licensee_org_id, deal_id, contract_id, anonymous, taken_by, taken_at) \
                 SELECT g.id, g.open_licence_id, g.licensee_org_id, c.deal_id, g.contract_id, g.anonymous, \
                 g.taken_by, g.taken_at FROM open_licence_grants g LEFT JOIN contracts c ON c.id = g.contract_id",
            )
            .await?;
        finish(manager, "open_licence_grants_next", true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(grants_table("open_licence_grants_prev", false)).await?;
        // Licences still waiting for their broker have no contract: they cannot go back.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO open_licence_grants_prev \
                 (id, open_licence_id, licensee_org_id, contract_id, anonymous, taken_by, taken_at) \
                 SELECT id, open_licence_id, licensee_org_id, contract_id, anonymous, taken_by, taken_at \
                 FROM open_licence_grants WHERE contract_id IS NOT NULL",
            )
            .await?;
        finish(manager, "open_licence_grants_prev", false).await
    }
}
