//! Brokers, deals with their room (messages, attachments, read markers), offers, the
//! employee inventors' first refusal, auctions with bids, and buyers' feedback and
//! listing views.
//!
//! Uniqueness carries the rules that must hold under concurrency: `deals.live_key` (one
//! live deal per buyer and achievement), `offers.accepted_deal_id` (one accepted offer per
//! deal, ever), `auctions.live_key` (one live auction per achievement), and the per-parent
//! `sequence` of offers and bids (nothing reordered).

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
                        .table("brokers")
                        .col(pk_uuid("id"))
                        .col(string_len_uniq("certificate_number", 64))
                        .col(string_len("level", 16))
                        .col(json("fields"))
                        .col(uuid_null("agency_id"))
                        .col(integer("commission_bps"))
                        .col(text_null("bio_zh"))
                        .col(text_null("bio_en"))
                        .col(string_len("status", 16))
                        .col(text_null("suspended_reason"))
                        .col(uuid("certified_by"))
                        .col(timestamp_with_time_zone("certified_at"))
                        .foreign_key(&mut fk("brokers", "id", "users"))
                        .foreign_key(&mut fk("brokers", "agency_id", "organizations")),
                )
                .take(),
            )
            .await?;
        manager
            .create_table(
                versioned(
                    Table::create()
                        .table("auctions")
                        .col(pk_uuid("id"))
                        .col(uuid("achievement_id"))
                        .col(uuid("seller_org_id"))
                        .col(uuid("created_by"))
                        .col(string_len("status", 16))
                        .col(string_len("currency", 3))
                        .col(big_integer("starting_price_minor"))
                        .col(big_integer("reserve_minor"))
                        .col(big_integer("increment_minor"))
                        .col(json("terms"))
                        .col(timestamp_with_time_zone("opens_at"))
                        .col(timestamp_with_time_zone("closes_at"))
                        .col(timestamp_with_time_zone("original_closes_at"))
                        .col(integer("extension_window_secs"))
                        .col(integer("extension_secs"))
                        .col(integer("extensions").default(0))
                        .col(uuid_null("high_bid_id"))
                        .col(big_integer_null("high_amount_minor"))
                        .col(uuid_null("high_bidder_org_id"))
                        .col(integer("bid_count").default(0))
                        .col(uuid_null("deal_id"))
                        .col(string_null("live_key").unique_key())
                        .col(text_null("closed_reason"))
                        .col(timestamp_with_time_zone_null("closed_at"))
                        .foreign_key(&mut fk("auctions", "achievement_id", "achievements"))
                        .foreign_key(&mut fk("auctions", "seller_org_id", "organizations")),
                )
                .take(),
            )
            .await?;
        manager.create_index(index("auctions", &["status", "closes_at"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("bids")
                    .col(pk_uuid("id"))
                    .col(uuid("auction_id"))
                    .col(integer("sequence"))
                    .col(uuid("bidder_org_id"))
                    .col(uuid("bidder_user_id"))
                    .col(big_integer("amount_minor"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("bids", "auction_id", "auctions"))
                    .take(),
            )
            .await?;
        manager.create_index(index("bids", &["auction_id", "sequence"]).unique().take()).await?;
        manager
            .create_table(
                versioned(
                    Table::create()
                        .table("deals")
                        .col(pk_uuid("id"))
                        .col(uuid_null("achievement_id"))
                        .col(uuid_null("demand_id"))
                        .col(uuid_null("auction_id"))
                        .col(uuid("seller_org_id"))
                        .col(uuid("buyer_org_id"))
                        .col(uuid("opened_by"))
                        .col(string_len("status", 16))
                        .col(text("inquiry"))
                        .col(uuid_null("broker_id"))
                        .col(string_len_null("broker_status", 16))
                        .col(uuid_null("broker_invited_by"))
                        .col(integer_null("commission_bps"))
                        .col(string_null("live_key").unique_key())
                        .col(uuid_null("agreed_offer_id"))
                        .col(json_null("agreement"))
                        .col(timestamp_with_time_zone_null("agreed_at"))
                        .col(text_null("closed_reason"))
                        .col(timestamp_with_time_zone_null("closed_at"))
                        .col(timestamp_with_time_zone("last_activity_at"))
                        .foreign_key(&mut fk("deals", "achievement_id", "achievements"))
                        .foreign_key(&mut fk("deals", "demand_id", "demands"))
                        .foreign_key(&mut fk("deals", "seller_org_id", "organizations"))
                        .foreign_key(&mut fk("deals", "buyer_org_id", "organizations"))
                        .foreign_key(&mut fk("deals", "broker_id", "brokers")),
                )
                .take(),
            )
            .await?;
        for columns in [&["seller_org_id"][..], &["buyer_org_id"], &["broker_id"], &["achievement_id"], &["status"]] {
            manager.create_index(index("deals", columns)).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("deal_attachments")
                    .col(pk_uuid("id"))
                    .col(uuid("deal_id"))
                    .col(string_len("channel", 16))
                    .col(string("filename"))
                    .col(string("content_type"))
                    .col(big_integer("size_bytes"))
                    .col(string_len("sha256", 64))
                    .col(uuid("uploaded_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("deal_attachments", "deal_id", "deals"))
                    .take(),
            )
            .await?;
        manager.create_index(index("deal_attachments", &["deal_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("deal_messages")
                    .col(pk_uuid("id"))
                    .col(uuid("deal_id"))
                    .col(string_len("channel", 16))
                    .col(uuid("author_id"))
                    .col(string_len("author_side", 16))
                    .col(text("body"))
                    .col(uuid_null("attachment_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("deal_messages", "deal_id", "deals"))
                    .foreign_key(&mut fk("deal_messages", "attachment_id", "deal_attachments"))
                    .take(),
            )
            .await?;
        manager.create_index(index("deal_messages", &["deal_id", "channel"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("deal_reads")
                    .col(pk_uuid("id"))
                    .col(uuid("deal_id"))
                    .col(uuid("user_id"))
                    .col(string_len("channel", 16))
                    .col(uuid("last_read_id"))
                    .col(timestamp_with_time_zone("read_at"))
                    .foreign_key(&mut fk("deal_reads", "deal_id", "deals"))
                    .take(),
            )
            .await?;
        manager.create_index(index("deal_reads", &["deal_id", "user_id", "channel"]).unique().take()).await?;
        manager
            .create_table(
                versioned(
                    Table::create()
                        .table("offers")
                        .col(pk_uuid("id"))
                        .col(uuid("deal_id"))
                        .col(integer("sequence"))
                        .col(string_len("side", 8))
                        .col(uuid("proposed_by"))
                        .col(boolean("by_broker"))
                        .col(string_len("status", 16))
                        .col(uuid_null("counters_id"))
                        .col(json("terms"))
                        .col(timestamp_with_time_zone("valid_until"))
                        .col(uuid_null("decided_by"))
                        .col(timestamp_with_time_zone_null("decided_at"))
                        .col(text_null("decision_reason"))
                        .col(uuid_null("accepted_deal_id").unique_key())
                        .foreign_key(&mut fk("offers", "deal_id", "deals")),
                )
                .take(),
            )
            .await?;
        manager.create_index(index("offers", &["deal_id", "sequence"]).unique().take()).await?;
        manager.create_index(index("offers", &["status", "valid_until"])).await?;
        manager
            .create_table(
                versioned(
                    Table::create()
                        .table("first_refusals")
                        .col(pk_uuid("id"))
                        .col(uuid("deal_id"))
                        .col(uuid("offer_id"))
                        .col(uuid("achievement_id"))
                        .col(json("inventors"))
                        .col(string_len("status", 16))
                        .col(timestamp_with_time_zone("opens_at"))
                        .col(timestamp_with_time_zone("closes_at"))
                        .col(timestamp_with_time_zone_null("closed_at"))
                        .col(string_null("live_key").unique_key())
                        .foreign_key(&mut fk("first_refusals", "deal_id", "deals"))
                        .foreign_key(&mut fk("first_refusals", "offer_id", "offers")),
                )
                .take(),
            )
            .await?;
        manager.create_index(index("first_refusals", &["deal_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("achievement_feedback")
                    .col(pk_uuid("id"))
                    .col(uuid("achievement_id"))
                    .col(uuid("organization_id"))
                    .col(uuid("user_id"))
                    .col(string_len("reason", 32))
                    .col(text_null("comment"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("achievement_feedback", "achievement_id", "achievements"))
                    .take(),
            )
            .await?;
        manager
            .create_index(index("achievement_feedback", &["achievement_id", "organization_id"]).unique().take())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("achievement_views")
                    .col(pk_uuid("id"))
                    .col(uuid("achievement_id"))
                    .col(string_len("day", 10))
                    .col(big_integer("views").default(0))
                    .foreign_key(&mut fk("achievement_views", "achievement_id", "achievements"))
                    .take(),
            )
            .await?;
        manager.create_index(index("achievement_views", &["achievement_id", "day"]).unique().take()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "achievement_views",
            "achievement_feedback",
            "first_refusals",
            "offers",
            "deal_reads",
            "deal_messages",
            "deal_attachments",
            "deals",
            "bids",
            "auctions",
            "brokers",
        ] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
