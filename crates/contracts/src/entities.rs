//! The sea-orm entities of the contracts domain.

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod contract {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contracts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub deal_id: Uuid,
        pub contract_type: String,
        pub status: String,
        pub seller_org_id: Uuid,
        pub buyer_org_id: Uuid,
        pub broker_id: Option<Uuid>,
        pub title_zh: String,
        pub title_en: String,
        /// The number of the current version.
        pub current_number: i32,
        /// SHA-256 of the current version's canonical text.
        pub sha256: String,
        pub currency: String,
        #[sea_orm(unique)]
        pub registration_number: Option<String>,
        pub registered_amount_minor: Option<i64>,
        pub tax_relief: Option<bool>,
        pub registered_by: Option<Uuid>,
        pub registered_at: Option<DateTimeUtc>,
        #[sea_orm(column_type = "Text", nullable)]
        pub return_reason: Option<String>,
        pub signed_at: Option<DateTimeUtc>,
        /// `seller` or `buyer` while a termination by agreement awaits the other side.
        pub termination_proposed_by: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub termination_reason: Option<String>,
        pub terminated_at: Option<DateTimeUtc>,
        /// `agreement`, `buyer_default` or `seller_default` once terminated.
        pub termination_ground: Option<String>,
        /// `seller` or `buyer`: the side whose notice or agreement ended the contract.
        pub terminated_by: Option<String>,
        /// The open-licence declaration the licence was taken under by notice: the
        /// licensor's consent is the declaration, so only the licensee signs.
        pub open_licence_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }
    no_relations!();
}

pub mod contract_version {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contract_versions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub contract_id: Uuid,
        pub number: i32,
        #[sea_orm(column_type = "Json")]
        pub content: Json,
        #[sea_orm(column_type = "Text")]
        pub text: String,
        pub sha256: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub change_note: Option<String>,
        #[sea_orm(column_type = "Json")]
        pub changes: Json,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod signature {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contract_signatures")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub contract_id: Uuid,
        /// The version signed.
        pub number: i32,
        /// `seller` (甲方), `buyer` (乙方) or `broker` (丙方).
        pub party: String,
        pub signer_id: Uuid,
        pub signer_name: String,
        pub sha256: String,
        pub signed_at: DateTimeUtc,
        pub voided_at: Option<DateTimeUtc>,
        #[sea_orm(column_type = "Text", nullable)]
        pub void_reason: Option<String>,
    }
    no_relations!();
}

pub mod milestone {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "milestones")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub contract_id: Uuid,
        pub sequence: i32,
        pub title: String,
        pub amount_minor: i64,
        pub currency: String,
        pub due_days_after_signing: i32,
        pub due_date: Option<Date>,
        #[sea_orm(column_type = "Text", nullable)]
        pub acceptance_criteria: Option<String>,
        pub status: String,
        /// The accepted royalty report this milestone pays (none for the agreed schedule).
        pub royalty_report_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }
    no_relations!();
}

pub mod royalty_report {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "royalty_reports")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub contract_id: Uuid,
        /// `2027-Q1` for a quarter, `2027` for a year.
        pub period: String,
        pub period_start: Date,
        pub period_end: Date,
        pub net_sales_minor: i64,
        /// The period's profit on the licensed products, for a royalty on profit (a loss
        /// is negative and owes nothing).
        pub profit_minor: Option<i64>,
        pub units: Option<i64>,
        pub currency: String,
        pub royalty_bps: i32,
        /// Rate × net sales, rounded down to the fen.
        pub royalty_minor: i64,
        /// The part of the entry fee credited against this royalty.
        pub credit_minor: i64,
        /// What the annual minimum adds at the year's last period.
        pub true_up_minor: i64,
        /// royalty − credit + true-up.
        pub amount_due_minor: i64,
        pub due_on: Date,
        /// `submitted`, `accepted`, `disputed` or `superseded`.
        pub status: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub dispute_reason: Option<String>,
        /// The disputed report this one corrects.
        pub supersedes_id: Option<Uuid>,
        /// The milestone that pays it, once accepted (none when nothing is due).
        pub milestone_id: Option<Uuid>,
        /// `contract:period` while submitted or accepted: one live report per period.
        #[sea_orm(unique)]
        pub live_key: Option<String>,
        pub submitted_by: Uuid,
        pub decided_by: Option<Uuid>,
        pub decided_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }
    no_relations!();
}
