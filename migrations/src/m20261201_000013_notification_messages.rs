//! Notifications carry a message (a key and its values, as JSON) that the server words in
//! each reader's language, instead of a title fixed in both languages at once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("notifications").add_column(text_null("message")).take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("notifications").drop_column("message").take()).await
    }
}
