//! The center's verification desk can turn an application down with a reason: the
//! organization stays unverified, its administrators read why, and editing the profile
//! sends it back to the queue.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(Table::alter().table("organizations").add_column(text_null("rejection_reason")).take())
            .await?;
        manager
            .alter_table(
                Table::alter().table("organizations").add_column(timestamp_with_time_zone_null("rejected_at")).take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("organizations").drop_column("rejected_at").take()).await?;
        manager.alter_table(Table::alter().table("organizations").drop_column("rejection_reason").take()).await
    }
}
