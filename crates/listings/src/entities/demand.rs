use super::StringList;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "demands")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Uuid,
    pub status: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description_en: Option<String>,
    pub field_code: String,
    #[sea_orm(column_type = "Json")]
    pub keywords: StringList,
    pub budget_min_minor: Option<i64>,
    pub budget_max_minor: Option<i64>,
    pub currency: String,
    #[sea_orm(column_type = "Json")]
    pub desired_modes: StringList,
    pub deadline: Option<Date>,
    pub region: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub rejection_reason: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub published_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
