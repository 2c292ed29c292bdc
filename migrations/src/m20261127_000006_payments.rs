//! Milestone payments: the provider's customer per buying organization, one payment row
//! per attempt to pay a milestone, the provider's events (each applied once, by id), and
//! the double-entry ledger.

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
                    .table("payment_customers")
                    .col(uuid("organization_id").primary_key())
                    .col(string("stripe_customer_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("payment_customers", "organization_id", "organizations"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("milestone_payments")
                    .col(pk_uuid("id"))
                    .col(uuid("milestone_id"))
                    .col(integer("attempt"))
                    .col(string_null("payment_intent_id").unique_key())
                    .col(text_null("client_secret"))
                    .col(big_integer("amount_minor"))
                    .col(string_len("currency", 3))
                    .col(string_len("status", 20))
                    .col(string("idempotency_key"))
                    .col(text_null("failure_reason"))
                    .col(string_null("refund_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("milestone_payments", "milestone_id", "milestones"))
                    .take(),
            )
            .await?;
        manager.create_index(index("milestone_payments", &["milestone_id", "attempt"]).unique().take()).await?;
        manager
            .create_table(
                Table::create()
                    .table("stripe_events")
                    .col(string("id").primary_key())
                    .col(string("event_type"))
                    .col(string_null("payment_intent_id"))
                    .col(string_len("outcome", 32))
                    .col(timestamp_with_time_zone("received_at"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("ledger_entries")
                    .col(pk_uuid("id"))
                    .col(uuid("journal_id"))
                    .col(string("account"))
                    .col(big_integer("amount_minor"))
                    .col(string_len("currency", 3))
                    .col(string_len("event", 32))
                    .col(uuid_null("contract_id"))
                    .col(uuid_null("milestone_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ledger_entries", &["journal_id"])).await?;
        manager.create_index(index("ledger_entries", &["account"])).await?;
        manager.create_index(index("ledger_entries", &["milestone_id"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["ledger_entries", "stripe_events", "milestone_payments", "payment_customers"] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
