//! The addresses each account has signed in from successfully. Login throttling lets an
//! account's owner sign in from such an address whatever strangers did to the account
//! (the account-wide limit counts only failures from addresses never used by its owner).

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
                    .table("known_login_addresses")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string("ip"))
                    .col(timestamp_with_time_zone("first_at"))
                    .col(timestamp_with_time_zone("last_at"))
                    .foreign_key(&mut fk("known_login_addresses", "user_id", "users"))
                    .take(),
            )
            .await?;
        manager.create_index(index("known_login_addresses", &["user_id", "ip"]).unique().take()).await?;
        manager.create_index(index("login_attempts", &["email", "ip", "at"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_login_attempts_email_ip_at").table("login_attempts").to_owned())
            .await?;
        manager.drop_table(Table::drop().table("known_login_addresses").take()).await?;
        Ok(())
    }
}
