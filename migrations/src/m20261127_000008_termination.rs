//! Terminating a registered contract by agreement (Civil Code art. 562): who proposed it,
//! why, and when both sides agreed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for column in [
            string_len_null("termination_proposed_by", 16),
            text_null("termination_reason"),
            timestamp_with_time_zone_null("terminated_at"),
        ] {
            let mut column = column;
            manager.alter_table(Table::alter().table("contracts").add_column(&mut column).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["terminated_at", "termination_reason", "termination_proposed_by"] {
            manager.alter_table(Table::alter().table("contracts").drop_column(column).take()).await?;
        }
        Ok(())
    }
}
