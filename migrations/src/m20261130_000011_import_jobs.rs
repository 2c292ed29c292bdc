//! Portfolio imports run as jobs when the client asks (`Prefer: respond-async`): their
//! progress and, once done, their per-row report.

use crate::helpers::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("import_jobs")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(uuid("user_id"))
                    .col(string_len("file_name", 255))
                    .col(string_len("status", 16))
                    .col(integer("total_rows"))
                    .col(integer("done_rows"))
                    .col(json_null("report"))
                    .col(string_null("error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .take(),
            )
            .await?;
        manager.create_index(index("import_jobs", &["organization_id"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("import_jobs").take()).await?;
        Ok(())
    }
}
