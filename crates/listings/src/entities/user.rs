use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub organization_id: Uuid,
    /// Comma-separated role codes (see `techex_core::RoleSet`).
    pub roles: String,
    /// `active` or `disabled`.
    pub status: String,
    /// `zh` or `en` (see `techex_core::domain::Language`).
    pub language: String,
    /// Whether notifications also go by e-mail (when the server sends e-mail).
    pub email_notifications: bool,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
