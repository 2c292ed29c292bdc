use sea_orm::entity::prelude::*;

/// A password reset link sent by e-mail: its token's hash, single use, expiring.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_resets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `None` for a request about no account (kept for the address's limit).
    pub user_id: Option<Uuid>,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The address that asked for it (rate limits).
    pub ip: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
