//! Saved searches, notifications, and the outbox's pruning watermark.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("saved_searches")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(uuid("organization_id"))
                    .col(string("name"))
                    .col(text("query"))
                    .col(boolean("alerts").default(true))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_saved_searches_user_id")
                            .from("saved_searches", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_saved_searches_user_id").table("saved_searches").col("user_id").take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("notifications")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_len("kind", 32))
                    .col(string("title"))
                    .col(text_null("body"))
                    .col(string_null("link"))
                    .col(string_len_null("entity_type", 32))
                    .col(uuid_null("entity_id"))
                    .col(string_uniq("dedupe_key"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_user_id")
                            .from("notifications", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_notifications_user_id").table("notifications").col("user_id").take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("outbox_meta")
                    .col(integer("id").primary_key())
                    .col(big_integer("pruned_through").default(0))
                    .take(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("outbox_meta")
                    .columns(["id", "pruned_through"])
                    .values([1.into(), 0i64.into()])
                    .map_err(|e| DbErr::Custom(e.to_string()))?
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("idx_outbox_created_at").table("outbox").col("created_at").take())
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("idx_outbox_created_at").table("outbox").to_owned()).await?;
        for table in ["outbox_meta", "notifications", "saved_searches"] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
