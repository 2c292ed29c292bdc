//! The sea-orm entities of payments.

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod customer {
    use sea_orm::entity::prelude::*;

    /// The provider's customer of a buying organization.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_customers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub organization_id: Uuid,
        pub stripe_customer_id: String,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod payment {
    use sea_orm::entity::prelude::*;

    /// One attempt to pay a milestone.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "milestone_payments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub milestone_id: Uuid,
        pub attempt: i32,
        #[sea_orm(unique)]
        pub payment_intent_id: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub client_secret: Option<String>,
        pub amount_minor: i64,
        pub currency: String,
        /// `creating`, `requires_payment`, `succeeded`, `failed`, `refunded`.
        pub status: String,
        pub idempotency_key: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub failure_reason: Option<String>,
        pub refund_id: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod event {
    use sea_orm::entity::prelude::*;

    /// A provider event, recorded once by its id.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stripe_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub event_type: String,
        pub payment_intent_id: Option<String>,
        pub outcome: String,
        pub received_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod ledger_entry {
    use sea_orm::entity::prelude::*;

    /// One leg of a balanced journal: debits positive, credits negative.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ledger_entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub journal_id: Uuid,
        pub account: String,
        pub amount_minor: i64,
        pub currency: String,
        pub event: String,
        pub contract_id: Option<Uuid>,
        pub milestone_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod payout_account {
    use sea_orm::entity::prelude::*;

    /// The Stripe Connect account a seller organization (`organization`) or a broker
    /// (`broker`, by user id) is paid to.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payout_accounts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub owner_kind: String,
        pub owner_id: Uuid,
        pub stripe_account_id: String,
        pub updated_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod payout {
    use sea_orm::entity::prelude::*;

    /// What an accepted milestone owes one beneficiary (`seller` or `broker`), and the
    /// Connect transfer that pays it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payouts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub milestone_id: Uuid,
        pub contract_id: Uuid,
        pub beneficiary: String,
        /// The seller organization or the broker's user id.
        pub owner_id: Uuid,
        pub ledger_account: String,
        pub amount_minor: i64,
        pub currency: String,
        pub transfer_group: String,
        /// Bumped when the destination changes after a refusal: part of the idempotency key.
        pub revision: i32,
        pub destination: Option<String>,
        /// `awaiting_account`, `pending`, `sent`, `failed`.
        pub status: String,
        pub transfer_id: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub failure_reason: Option<String>,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    no_relations!();
}
