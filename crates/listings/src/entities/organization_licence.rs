use sea_orm::entity::prelude::*;

/// The business licence (营业执照) an organization uploaded with its application; the
/// bytes live in the document store under their SHA-256. One per organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization_licences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: Uuid,
    pub filename: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, as detected from the bytes.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
