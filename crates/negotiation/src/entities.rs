//! The sea-orm entities of the negotiation domain, one module per table.

/// Declares the boilerplate every entity here shares.
macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod broker {
    use sea_orm::entity::prelude::*;
    use techex_listings::entities::StringList;

    /// A certified technology broker; `id` is the user's id.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "brokers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub certificate_number: String,
        pub level: String,
        #[sea_orm(column_type = "Json")]
        pub fields: StringList,
        pub agency_id: Option<Uuid>,
        pub commission_bps: i32,
        #[sea_orm(column_type = "Text", nullable)]
        pub bio_zh: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub bio_en: Option<String>,
        pub status: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub suspended_reason: Option<String>,
        pub certified_by: Uuid,
        pub certified_at: DateTimeUtc,
        /// The last day the certificate is valid; none when not recorded.
        pub certificate_expires_on: Option<Date>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }
    no_relations!();
}

pub mod deal {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub achievement_id: Option<Uuid>,
        pub demand_id: Option<Uuid>,
        pub auction_id: Option<Uuid>,
        pub seller_org_id: Uuid,
        pub buyer_org_id: Uuid,
        pub opened_by: Uuid,
        pub status: String,
        #[sea_orm(column_type = "Text")]
        pub inquiry: String,
        pub broker_id: Option<Uuid>,
        pub broker_status: Option<String>,
        pub broker_invited_by: Option<Uuid>,
        pub commission_bps: Option<i32>,
        #[sea_orm(unique)]
        pub live_key: Option<String>,
        pub agreed_offer_id: Option<Uuid>,
        #[sea_orm(column_type = "Json", nullable)]
        pub agreement: Option<Json>,
        pub agreed_at: Option<DateTimeUtc>,
        #[sea_orm(column_type = "Text", nullable)]
        pub closed_reason: Option<String>,
        pub closed_at: Option<DateTimeUtc>,
        pub last_activity_at: DateTimeUtc,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }
    no_relations!();
}

pub mod message {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deal_messages")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub deal_id: Uuid,
        pub channel: String,
        pub author_id: Uuid,
        pub author_side: String,
        #[sea_orm(column_type = "Text")]
        pub body: String,
        pub attachment_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod attachment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deal_attachments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub deal_id: Uuid,
        pub channel: String,
        pub filename: String,
        pub content_type: String,
        pub size_bytes: i64,
        pub sha256: String,
        pub uploaded_by: Uuid,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod read_marker {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deal_reads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub deal_id: Uuid,
        pub user_id: Uuid,
        pub channel: String,
        pub last_read_id: Uuid,
        pub read_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod offer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "offers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub deal_id: Uuid,
        pub sequence: i32,
        /// Whose offer it is: `seller` or `buyer`.
        pub side: String,
        pub proposed_by: Uuid,
        pub by_broker: bool,
        pub status: String,
        pub counters_id: Option<Uuid>,
        #[sea_orm(column_type = "Json")]
        pub terms: Json,
        pub valid_until: DateTimeUtc,
        pub decided_by: Option<Uuid>,
        pub decided_at: Option<DateTimeUtc>,
        #[sea_orm(column_type = "Text", nullable)]
        pub decision_reason: Option<String>,
        #[sea_orm(unique)]
        pub accepted_deal_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }
    no_relations!();
}

pub mod first_refusal {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "first_refusals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub deal_id: Uuid,
        pub offer_id: Uuid,
        pub achievement_id: Uuid,
        #[sea_orm(column_type = "Json")]
        pub inventors: Json,
        pub status: String,
        pub opens_at: DateTimeUtc,
        pub closes_at: DateTimeUtc,
        pub closed_at: Option<DateTimeUtc>,
        #[sea_orm(unique)]
        pub live_key: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }
    no_relations!();
}

pub mod auction {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "auctions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub achievement_id: Uuid,
        pub seller_org_id: Uuid,
        pub created_by: Uuid,
        pub status: String,
        pub currency: String,
        pub starting_price_minor: i64,
        pub reserve_minor: i64,
        pub increment_minor: i64,
        #[sea_orm(column_type = "Json")]
        pub terms: Json,
        pub opens_at: DateTimeUtc,
        pub closes_at: DateTimeUtc,
        pub original_closes_at: DateTimeUtc,
        pub extension_window_secs: i32,
        pub extension_secs: i32,
        pub extensions: i32,
        pub high_bid_id: Option<Uuid>,
        pub high_amount_minor: Option<i64>,
        pub high_bidder_org_id: Option<Uuid>,
        pub bid_count: i32,
        pub deal_id: Option<Uuid>,
        #[sea_orm(unique)]
        pub live_key: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub closed_reason: Option<String>,
        pub closed_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }
    no_relations!();
}

pub mod bid {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bids")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub auction_id: Uuid,
        pub sequence: i32,
        pub bidder_org_id: Uuid,
        pub bidder_user_id: Uuid,
        pub amount_minor: i64,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod feedback {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "achievement_feedback")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub achievement_id: Uuid,
        pub organization_id: Uuid,
        pub user_id: Uuid,
        pub reason: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub comment: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod view_count {
    use sea_orm::entity::prelude::*;

    /// Views of an achievement's page per UTC day.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "achievement_views")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub achievement_id: Uuid,
        pub day: String,
        pub views: i64,
    }
    no_relations!();
}
