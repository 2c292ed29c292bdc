//! Technology contracts: their versions (each amendment a new canonical text and hash),
//! signatures bound to a version's hash, registration, and the milestone schedule.

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
                        .table("contracts")
                        .col(pk_uuid("id"))
                        .col(uuid_uniq("deal_id"))
                        .col(string_len("contract_type", 48))
                        .col(string_len("status", 16))
                        .col(uuid("seller_org_id"))
                        .col(uuid("buyer_org_id"))
                        .col(uuid_null("broker_id"))
                        .col(string("title_zh"))
                        .col(string("title_en"))
                        .col(integer("current_number"))
                        .col(string_len("sha256", 64))
                        .col(string_len("currency", 3))
                        .col(string_len_null("registration_number", 32).unique_key())
                        .col(big_integer_null("registered_amount_minor"))
                        .col(boolean_null("tax_relief"))
                        .col(uuid_null("registered_by"))
                        .col(timestamp_with_time_zone_null("registered_at"))
                        .col(text_null("return_reason"))
                        .col(timestamp_with_time_zone_null("signed_at"))
                        .foreign_key(&mut fk("contracts", "deal_id", "deals"))
                        .foreign_key(&mut fk("contracts", "seller_org_id", "organizations"))
                        .foreign_key(&mut fk("contracts", "buyer_org_id", "organizations")),
                )
                .take(),
            )
            .await?;
        for columns in [&["seller_org_id"][..], &["buyer_org_id"], &["status"]] {
            manager.create_index(index("contracts", columns)).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("contract_versions")
                    .col(pk_uuid("id"))
                    .col(uuid("contract_id"))
                    .col(integer("number"))
                    .col(json("content"))
                    .col(text("text"))
                    .col(string_len("sha256", 64))
                    .col(text_null("change_note"))
                    .col(json("changes"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("contract_versions", "contract_id", "contracts"))
                    .take(),
            )
            .await?;
        manager.create_index(index("contract_versions", &["contract_id", "number"]).unique().take()).await?;
        manager
            .create_table(
                Table::create()
                    .table("contract_signatures")
                    .col(pk_uuid("id"))
                    .col(uuid("contract_id"))
                    .col(integer("number"))
                    .col(string_len("party", 8))
                    .col(uuid("signer_id"))
                    .col(string("signer_name"))
                    .col(string_len("sha256", 64))
                    .col(timestamp_with_time_zone("signed_at"))
                    .col(timestamp_with_time_zone_null("voided_at"))
                    .col(text_null("void_reason"))
                    .foreign_key(&mut fk("contract_signatures", "contract_id", "contracts"))
                    .take(),
            )
            .await?;
        manager.create_index(index("contract_signatures", &["contract_id", "number", "party"])).await?;
        manager
            .create_table(
                versioned(
                    Table::create()
                        .table("milestones")
                        .col(pk_uuid("id"))
                        .col(uuid("contract_id"))
                        .col(integer("sequence"))
                        .col(string("title"))
                        .col(big_integer("amount_minor"))
                        .col(string_len("currency", 3))
                        .col(integer("due_days_after_signing"))
                        .col(date_null("due_date"))
                        .col(text_null("acceptance_criteria"))
                        .col(string_len("status", 20))
                        .foreign_key(&mut fk("milestones", "contract_id", "contracts")),
                )
                .take(),
            )
            .await?;
        manager.create_index(index("milestones", &["contract_id", "sequence"]).unique().take()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["milestones", "contract_signatures", "contract_versions", "contracts"] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
