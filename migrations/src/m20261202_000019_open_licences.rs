//! Patent open licensing (专利开放许可, Patent Law arts. 50–52): a patentee's declaration
//! that anyone may take an ordinary licence on published terms, reviewed by the center
//! before it is public; and each licence taken under it, which is a deal agreed by notice
//! and the contract drafted from it (`contracts.open_licence_id`).

use crate::helpers::{fk, index, versioned};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                versioned(
                    Table::create()
                        .table("open_licences")
                        .col(pk_uuid("id"))
                        .col(uuid("achievement_id"))
                        .col(uuid("organization_id"))
                        .col(string_len("status", 32))
                        .col(string_len("currency", 3))
                        .col(big_integer_null("fee_minor"))
                        .col(integer_null("royalty_bps"))
                        .col(big_integer_null("royalty_minimum_minor"))
                        .col(string_len_null("royalty_period", 16))
                        .col(boolean("entry_fee_credited").default(false))
                        .col(integer("term_years"))
                        .col(string("territory"))
                        .col(string_len("representative", 100))
                        .col(text_null("conditions"))
                        .col(uuid_null("evaluation_report_id"))
                        .col(text_null("review_reason"))
                        .col(uuid_null("reviewed_by"))
                        .col(timestamp_with_time_zone_null("reviewed_at"))
                        .col(timestamp_with_time_zone_null("published_at"))
                        .col(timestamp_with_time_zone_null("withdrawn_at"))
                        .col(string_null("live_key").unique_key())
                        .col(uuid("created_by"))
                        .foreign_key(&mut fk("open_licences", "achievement_id", "achievements"))
                        .foreign_key(&mut fk("open_licences", "organization_id", "organizations"))
                        .foreign_key(&mut fk("open_licences", "evaluation_report_id", "documents"))
                        .foreign_key(&mut fk("open_licences", "created_by", "users")),
                )
                .take(),
            )
            .await?;
        manager.create_index(index("open_licences", &["achievement_id"])).await?;
        manager.create_index(index("open_licences", &["status"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("open_licence_grants")
                    .col(pk_uuid("id"))
                    .col(uuid("open_licence_id"))
                    .col(uuid("licensee_org_id"))
                    .col(uuid("contract_id"))
                    .col(boolean("anonymous").default(false))
                    .col(uuid("taken_by"))
                    .col(timestamp_with_time_zone("taken_at"))
                    .foreign_key(&mut fk("open_licence_grants", "open_licence_id", "open_licences"))
                    .foreign_key(&mut fk("open_licence_grants", "licensee_org_id", "organizations"))
                    .foreign_key(&mut fk("open_licence_grants", "contract_id", "contracts"))
                    .foreign_key(&mut fk("open_licence_grants", "taken_by", "users"))
                    .take(),
            )
            .await?;
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
        manager.alter_table(Table::alter().table("contracts").add_column(uuid_null("open_licence_id")).take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("contracts").drop_column("open_licence_id").take()).await?;
        manager.drop_table(Table::drop().table("open_licence_grants").take()).await?;
        manager.drop_table(Table::drop().table("open_licences").take()).await
    }
}
