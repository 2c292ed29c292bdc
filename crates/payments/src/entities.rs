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
