//! E-mail: a durable queue of mails (written in the transaction of what they tell, sent
//! by any `serve` process that has SMTP settings), password resets by an e-mailed link,
//! and each user's choice to receive notifications by e-mail.

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
                    .table("mail_outbox")
                    .col(pk_uuid("id"))
                    .col(string_len("kind", 40))
                    .col(string_len("recipient", 254))
                    .col(string_len("language", 8))
                    // What to say (a message key and its values), worded when sent;
                    // emptied once sent, as it may carry a link's secret.
                    .col(text_null("message"))
                    .col(uuid_null("notification_id"))
                    .col(string_len_uniq("dedupe_key", 200))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("claimed_until"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone_null("failed_at"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .take(),
            )
            .await?;
        manager.create_index(index("mail_outbox", &["sent_at", "next_attempt_at"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("password_resets")
                    .col(pk_uuid("id"))
                    // None for a request about no account, kept for the address's limit.
                    .col(uuid_null("user_id"))
                    .col(string_len_uniq("token_hash", 128))
                    .col(string_len("ip", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .foreign_key(&mut fk("password_resets", "user_id", "users"))
                    .take(),
            )
            .await?;
        manager.create_index(index("password_resets", &["user_id", "created_at"])).await?;
        manager.create_index(index("password_resets", &["ip", "created_at"])).await?;
        manager
            .alter_table(Table::alter().table("users").add_column(boolean("email_notifications").default(true)).take())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("users").drop_column("email_notifications").take()).await?;
        manager.drop_table(Table::drop().table("password_resets").take()).await?;
        manager.drop_table(Table::drop().table("mail_outbox").take()).await
    }
}
