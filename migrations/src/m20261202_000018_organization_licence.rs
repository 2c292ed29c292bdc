//! An organization applying to the center uploads its business licence (营业执照): one
//! row per organization naming the stored file (the bytes are in the document store,
//! named by their SHA-256); a new upload replaces the row.

use crate::helpers::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("organization_licences")
                    .col(pk_uuid("organization_id"))
                    .col(string("filename"))
                    .col(string("content_type"))
                    .col(big_integer("size_bytes"))
                    .col(string_len("sha256", 64))
                    .col(uuid("uploaded_by"))
                    .col(timestamp_with_time_zone("uploaded_at"))
                    .foreign_key(&mut fk("organization_licences", "organization_id", "organizations"))
                    .foreign_key(&mut fk("organization_licences", "uploaded_by", "users"))
                    .take(),
            )
            .await?;
        manager.create_index(index("organization_licences", &["sha256"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("organization_licences").take()).await
    }
}
