use super::StringList;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "achievements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Uuid,
    pub status: String,
    /// Bumped by every content edit; compared with `approved_revision` on re-listing.
    pub content_revision: i32,
    pub approved_revision: Option<i32>,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub summary_zh: Option<String>,
    pub summary_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub abstract_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub abstract_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub advantage_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub advantage_en: Option<String>,
    #[sea_orm(column_type = "Json")]
    pub application_scenarios: StringList,
    pub kind: String,
    #[sea_orm(unique)]
    pub patent_number: Option<String>,
    pub patent_granted: bool,
    #[sea_orm(column_type = "Json")]
    pub ipc_codes: StringList,
    pub field_code: String,
    pub maturity: Option<String>,
    pub trl: Option<i16>,
    #[sea_orm(column_type = "Json")]
    pub transaction_modes: StringList,
    pub asking_price_minor: Option<i64>,
    pub floor_price_minor: Option<i64>,
    pub currency: String,
    pub price_negotiable: bool,
    #[sea_orm(column_type = "Json")]
    pub inventors: StringList,
    #[sea_orm(column_type = "Json")]
    pub keywords: StringList,
    pub region: String,
    pub nda_required: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub rejection_reason: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
