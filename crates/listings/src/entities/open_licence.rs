use sea_orm::entity::prelude::*;

/// A patentee's declaration that anyone may take an ordinary licence of a granted patent
/// on the published terms (专利开放许可声明, Patent Law art. 50).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "open_licences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub achievement_id: Uuid,
    /// The patentee: the organization that owns the achievement.
    pub organization_id: Uuid,
    /// `pending_review`, `published`, `rejected` or `withdrawn`.
    pub status: String,
    pub currency: String,
    /// The licence fee: a lump sum, or the entry fee when a royalty is also declared.
    pub fee_minor: Option<i64>,
    /// The running royalty, basis points of its base.
    pub royalty_bps: Option<i32>,
    /// What the royalty is a share of: `net_sales` (also when empty) or `profit`.
    pub royalty_base: Option<String>,
    /// The least royalty a year, minor units.
    pub royalty_minimum_minor: Option<i64>,
    /// `quarter` or `year`: how often sales are reported and royalties paid.
    pub royalty_period: Option<String>,
    /// Whether the entry fee is credited against the royalties that fall due.
    pub entry_fee_credited: bool,
    pub term_years: i32,
    pub territory: String,
    /// Who signs for the patentee: its legal or authorised representative, named in every
    /// contract drafted under the declaration.
    pub representative: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub conditions: Option<String>,
    /// The patent evaluation report (专利权评价报告) among the achievement's public
    /// documents: required for utility models and designs.
    pub evaluation_report_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub review_reason: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub published_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
    /// The achievement's id while the declaration is pending or published: one live
    /// declaration per patent.
    #[sea_orm(unique)]
    pub live_key: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
