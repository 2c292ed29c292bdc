//! A newly registered organization administrator confirms their e-mail address by a
//! mailed link: when it was confirmed, and the hash and expiry of the link's token (kept
//! after use, so that a second use is told the link was used). Accounts that exist
//! already count as confirmed, as do those made by the demo, by accepting an invitation
//! (its link proved the address) and by `techex admin create`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TOKEN_INDEX: &str = "idx_users_email_token_hash";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(
                Table::alter().table("users").add_column(timestamp_with_time_zone_null("email_confirmed_at")).take(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table("users").add_column(string_len_null("email_token_hash", 128)).take())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(timestamp_with_time_zone_null("email_token_expires_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name(TOKEN_INDEX).table("users").col("email_token_hash").unique().take())
            .await?;
        // Every account so far was made by the demo, an invitation or `admin create`, or
        // before confirmation existed: confirmed since it was made.
        manager
            .exec_stmt(
                Query::update()
                    .table("users")
                    .value("email_confirmed_at", Expr::col("created_at"))
                    .and_where(Expr::col("email_confirmed_at").is_null())
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(TOKEN_INDEX).table("users").to_owned()).await?;
        manager.alter_table(Table::alter().table("users").drop_column("email_token_expires_at").take()).await?;
        manager.alter_table(Table::alter().table("users").drop_column("email_token_hash").take()).await?;
        manager.alter_table(Table::alter().table("users").drop_column("email_confirmed_at").take()).await
    }
}
