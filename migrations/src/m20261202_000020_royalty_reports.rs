//! Running royalties (Civil Code art. 846): per period the licensee of a contract with a
//! running royalty reports its net sales; techex computes the royalty (the entry fee
//! credited, the annual minimum trued up), the licensor accepts or disputes it, a
//! corrected report supersedes a disputed one, and an accepted report becomes a milestone
//! of the contract that is paid like any other (`milestones.royalty_report_id`).

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
                        .table("royalty_reports")
                        .col(pk_uuid("id"))
                        .col(uuid("contract_id"))
                        .col(string_len("period", 8))
                        .col(date("period_start"))
                        .col(date("period_end"))
                        .col(big_integer("net_sales_minor"))
                        .col(big_integer_null("units"))
                        .col(string_len("currency", 3))
                        .col(integer("royalty_bps"))
                        .col(big_integer("royalty_minor"))
                        .col(big_integer("credit_minor"))
                        .col(big_integer("true_up_minor"))
                        .col(big_integer("amount_due_minor"))
                        .col(date("due_on"))
                        .col(string_len("status", 16))
                        .col(text_null("dispute_reason"))
                        .col(uuid_null("supersedes_id"))
                        .col(uuid_null("milestone_id"))
                        .col(string_null("live_key").unique_key())
                        .col(uuid("submitted_by"))
                        .col(uuid_null("decided_by"))
                        .col(timestamp_with_time_zone_null("decided_at"))
                        .foreign_key(&mut fk("royalty_reports", "contract_id", "contracts"))
                        .foreign_key(&mut fk("royalty_reports", "submitted_by", "users")),
                )
                .take(),
            )
            .await?;
        manager.create_index(index("royalty_reports", &["contract_id", "period"])).await?;
        manager.alter_table(Table::alter().table("milestones").add_column(uuid_null("royalty_report_id")).take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("milestones").drop_column("royalty_report_id").take()).await?;
        manager.drop_table(Table::drop().table("royalty_reports").take()).await
    }
}
