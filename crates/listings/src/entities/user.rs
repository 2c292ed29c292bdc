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
    /// When the owner proved the address (a mailed link, an invitation's link); `None`
    /// until then (an organization's first administrator after registering).
    pub email_confirmed_at: Option<DateTimeUtc>,
    /// SHA-256 of the latest confirmation link's token, kept after use so that a second
    /// use is recognised; replaced by a resend.
    pub email_token_hash: Option<String>,
    pub email_token_expires_at: Option<DateTimeUtc>,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
