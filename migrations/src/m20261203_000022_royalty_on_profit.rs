//! A running royalty may be a share of the licensee's profit on the licensed products
//! (利润分成) instead of its net sales: open-licence declarations say which
//! (`open_licences.royalty_base`, empty for net sales; the center's limits cap each base
//! on its own), and a report on a profit royalty carries the period's profit
//! (`royalty_reports.profit_minor`, which may be a loss).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("open_licences").add_column(string_len_null("royalty_base", 16)).take())
            .await?;
        manager
            .alter_table(Table::alter().table("royalty_reports").add_column(big_integer_null("profit_minor")).take())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("royalty_reports").drop_column("profit_minor").take()).await?;
        manager.alter_table(Table::alter().table("open_licences").drop_column("royalty_base").take()).await
    }
}
