//! Terminating a registered contract by one party's notice for the other's breach (Civil
//! Code arts. 563, 565), beside termination by agreement: on which ground the contract
//! ended (`agreement`, `buyer_default`, `seller_default`) and which side ended it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for column in [string_len_null("termination_ground", 16), string_len_null("terminated_by", 16)] {
            let mut column = column;
            manager.alter_table(Table::alter().table("contracts").add_column(&mut column).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["terminated_by", "termination_ground"] {
            manager.alter_table(Table::alter().table("contracts").drop_column(column).take()).await?;
        }
        Ok(())
    }
}
