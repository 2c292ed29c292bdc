//! A broker's certificate runs until a date the center records when certifying (none for
//! certificates recorded before); a broker whose certificate has expired is not offered
//! for new deals.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("brokers").add_column(date_null("certificate_expires_on")).take())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("brokers").drop_column("certificate_expires_on").take()).await
    }
}
