use sea_orm::entity::prelude::*;

/// A mail waiting to be sent, sent, or given up on (`mail_outbox`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `notification`, `password_reset`, `invitation`.
    pub kind: String,
    pub recipient: String,
    /// `zh` or `en`: the language it is worded in.
    pub language: String,
    /// The message (key and values, as JSON) for kinds that are not notifications;
    /// `None` once sent.
    pub message: Option<String>,
    pub notification_id: Option<Uuid>,
    #[sea_orm(unique)]
    pub dedupe_key: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// A sender working on it until then; another may take it over afterwards.
    pub claimed_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    /// Given up on after the last attempt.
    pub failed_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
