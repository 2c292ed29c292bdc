//! Organizations, users, sessions, invitations, achievements, demands, documents,
//! NDA acceptances, the audit log and the search outbox.

use crate::helpers::{fk, index, versioned};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("regions")
                    .col(string_len("code", 12).primary_key())
                    .col(string("name_zh"))
                    .col(string("name_en"))
                    .col(string_len_null("parent_code", 12))
                    .col(integer("sort_order").default(0))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("industry_fields")
                    .col(string_len("code", 64).primary_key())
                    .col(string("name_zh"))
                    .col(string("name_en"))
                    .col(boolean("priority").default(false))
                    .col(integer("sort_order").default(0))
                    .take(),
            )
            .await?;

        let mut organizations = Table::create();
        organizations
            .table("organizations")
            .col(pk_uuid("id"))
            .col(string("name"))
            .col(string_null("name_en"))
            .col(string_len("kind", 32))
            .col(string_len_uniq("credit_code", 18))
            .col(string_len("region", 12))
            .col(string_null("website"))
            .col(text_null("description"))
            .col(text_null("description_en"))
            .col(timestamp_with_time_zone_null("verified_at"))
            .col(uuid_null("verified_by"));
        versioned(&mut organizations);
        manager.create_table(organizations).await?;

        let mut users = Table::create();
        users
            .table("users")
            .col(pk_uuid("id"))
            .col(string_uniq("email"))
            .col(string("display_name"))
            .col(string("password_hash"))
            .col(uuid("organization_id"))
            .col(string("roles"))
            .col(string_len("status", 16).default("active"))
            .col(timestamp_with_time_zone_null("last_login_at"))
            .foreign_key(&mut fk("users", "organization_id", "organizations"));
        versioned(&mut users);
        manager.create_table(users).await?;
        manager.create_index(index("users", &["organization_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_uniq("token_hash"))
                    .col(string_len("kind", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(string_null("ip"))
                    .col(string_null("user_agent"))
                    .foreign_key(&mut fk("sessions", "user_id", "users"))
                    .take(),
            )
            .await?;
        manager.create_index(index("sessions", &["user_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("login_attempts")
                    .col(pk_uuid("id"))
                    .col(string("email"))
                    .col(string("ip"))
                    .col(boolean("succeeded"))
                    .col(timestamp_with_time_zone("at"))
                    .take(),
            )
            .await?;
        manager.create_index(index("login_attempts", &["email", "at"])).await?;
        manager.create_index(index("login_attempts", &["ip", "at"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("invitations")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(string("email"))
                    .col(string("roles"))
                    .col(string_uniq("token_hash"))
                    .col(uuid("invited_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("accepted_at"))
                    .col(uuid_null("accepted_user_id"))
                    .foreign_key(&mut fk("invitations", "organization_id", "organizations"))
                    .take(),
            )
            .await?;
        manager.create_index(index("invitations", &["organization_id"])).await?;

        let mut achievements = Table::create();
        achievements
            .table("achievements")
            .col(pk_uuid("id"))
            .col(uuid("organization_id"))
            .col(uuid("created_by"))
            .col(string_len("status", 32))
            .col(integer("content_revision").default(1))
            .col(integer_null("approved_revision"))
            .col(string_null("title_zh"))
            .col(string_null("title_en"))
            .col(string_null("summary_zh"))
            .col(string_null("summary_en"))
            .col(text_null("abstract_zh"))
            .col(text_null("abstract_en"))
            .col(text_null("description_zh"))
            .col(text_null("description_en"))
            .col(text_null("advantage_zh"))
            .col(text_null("advantage_en"))
            .col(json("application_scenarios"))
            .col(string_len("kind", 32))
            .col(string_len_null("patent_number", 20).unique_key())
            .col(boolean("patent_granted").default(false))
            .col(json("ipc_codes"))
            .col(string_len("field_code", 64))
            .col(string_len_null("maturity", 32))
            .col(small_integer_null("trl"))
            .col(json("transaction_modes"))
            .col(big_integer_null("asking_price_minor"))
            .col(big_integer_null("floor_price_minor"))
            .col(string_len("currency", 3))
            .col(boolean("price_negotiable").default(false))
            .col(json("inventors"))
            .col(json("keywords"))
            .col(string_len("region", 12))
            .col(boolean("nda_required").default(true))
            .col(text_null("rejection_reason"))
            .col(uuid_null("reviewed_by"))
            .col(timestamp_with_time_zone_null("reviewed_at"))
            .col(timestamp_with_time_zone_null("published_at"))
            .foreign_key(&mut fk("achievements", "organization_id", "organizations"))
            .foreign_key(&mut fk("achievements", "created_by", "users"));
        versioned(&mut achievements);
        manager.create_table(achievements).await?;
        manager.create_index(index("achievements", &["organization_id"])).await?;
        manager.create_index(index("achievements", &["status"])).await?;
        manager.create_index(index("achievements", &["field_code"])).await?;

        let mut demands = Table::create();
        demands
            .table("demands")
            .col(pk_uuid("id"))
            .col(uuid("organization_id"))
            .col(uuid("created_by"))
            .col(string_len("status", 32))
            .col(string_null("title_zh"))
            .col(string_null("title_en"))
            .col(text_null("description_zh"))
            .col(text_null("description_en"))
            .col(string_len("field_code", 64))
            .col(json("keywords"))
            .col(big_integer_null("budget_min_minor"))
            .col(big_integer_null("budget_max_minor"))
            .col(string_len("currency", 3))
            .col(json("desired_modes"))
            .col(date_null("deadline"))
            .col(string_len("region", 12))
            .col(text_null("rejection_reason"))
            .col(uuid_null("reviewed_by"))
            .col(timestamp_with_time_zone_null("reviewed_at"))
            .col(timestamp_with_time_zone_null("published_at"))
            .col(timestamp_with_time_zone_null("closed_at"))
            .foreign_key(&mut fk("demands", "organization_id", "organizations"))
            .foreign_key(&mut fk("demands", "created_by", "users"));
        versioned(&mut demands);
        manager.create_table(demands).await?;
        manager.create_index(index("demands", &["organization_id"])).await?;
        manager.create_index(index("demands", &["status"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("documents")
                    .col(pk_uuid("id"))
                    .col(uuid("achievement_id"))
                    .col(uuid("organization_id"))
                    .col(string_len("tier", 16))
                    .col(string("title"))
                    .col(string("filename"))
                    .col(string("content_type"))
                    .col(big_integer("size_bytes"))
                    .col(string_len("sha256", 64))
                    .col(uuid("uploaded_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("documents", "achievement_id", "achievements"))
                    .take(),
            )
            .await?;
        manager.create_index(index("documents", &["achievement_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("nda_acceptances")
                    .col(pk_uuid("id"))
                    .col(uuid("achievement_id"))
                    .col(uuid("organization_id"))
                    .col(uuid("user_id"))
                    .col(string_len("nda_sha256", 64))
                    .col(timestamp_with_time_zone("accepted_at"))
                    .col(string_null("ip"))
                    .foreign_key(&mut fk("nda_acceptances", "achievement_id", "achievements"))
                    .foreign_key(&mut fk("nda_acceptances", "organization_id", "organizations"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index("nda_acceptances", &["achievement_id", "organization_id", "nda_sha256"]).unique().take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .col(pk_uuid("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(uuid_null("actor_user_id"))
                    .col(uuid_null("actor_org_id"))
                    .col(string_len("action", 64))
                    .col(string_len("entity_type", 32))
                    .col(uuid("entity_id"))
                    .col(json_null("before"))
                    .col(json_null("after"))
                    .take(),
            )
            .await?;
        manager.create_index(index("audit_log", &["entity_type", "entity_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(big_pk_auto("position"))
                    .col(string_len("entity_type", 32))
                    .col(uuid("entity_id"))
                    .col(string_len("op", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "outbox",
            "audit_log",
            "nda_acceptances",
            "documents",
            "demands",
            "achievements",
            "invitations",
            "login_attempts",
            "sessions",
            "users",
            "organizations",
            "industry_fields",
            "regions",
        ] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
