//! Payouts: the Stripe Connect account each seller organization and broker is paid to,
//! and one payout (a Connect transfer) per beneficiary of an accepted milestone.

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
                    .table("payout_accounts")
                    .col(pk_uuid("id"))
                    .col(string_len("owner_kind", 16))
                    .col(uuid("owner_id"))
                    .col(string("stripe_account_id"))
                    .col(uuid("updated_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .take(),
            )
            .await?;
        manager.create_index(index("payout_accounts", &["owner_kind", "owner_id"]).unique().take()).await?;
        manager
            .create_table(
                Table::create()
                    .table("payouts")
                    .col(pk_uuid("id"))
                    .col(uuid("milestone_id"))
                    .col(uuid("contract_id"))
                    .col(string_len("beneficiary", 16))
                    .col(uuid("owner_id"))
                    .col(string("ledger_account"))
                    .col(big_integer("amount_minor"))
                    .col(string_len("currency", 3))
                    .col(string("transfer_group"))
                    .col(integer("revision"))
                    .col(string_null("destination"))
                    .col(string_len("status", 20))
                    .col(string_null("transfer_id"))
                    .col(text_null("failure_reason"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("payouts", "milestone_id", "milestones"))
                    .take(),
            )
            .await?;
        manager.create_index(index("payouts", &["milestone_id", "beneficiary"]).unique().take()).await?;
        manager.create_index(index("payouts", &["status", "next_attempt_at"])).await?;
        manager.create_index(index("payouts", &["owner_id"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["payouts", "payout_accounts"] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
