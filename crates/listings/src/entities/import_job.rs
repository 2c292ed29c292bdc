use sea_orm::entity::prelude::*;

/// A portfolio import running (or run) in the background: its progress and its report.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub file_name: String,
    /// `running`, `done` or `failed`.
    pub status: String,
    pub total_rows: i32,
    pub done_rows: i32,
    #[sea_orm(column_type = "Json", nullable)]
    pub report: Option<Json>,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
