use sea_orm::entity::prelude::*;

/// A licence taken by notice under an open-licence declaration: the licensee, its deal
/// and the contract drafted for it. One per licensee and declaration. A licensee who
/// invited a broker has the deal at once and the contract once the broker accepts; a
/// grant whose deal closes before that is removed with it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "open_licence_grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub open_licence_id: Uuid,
    pub licensee_org_id: Uuid,
    /// Empty while the deal waits for the invited broker.
    pub contract_id: Option<Uuid>,
    /// The deal agreed by notice (empty only for licences taken before brokers could be
    /// invited, whose deal is their contract's).
    pub deal_id: Option<Uuid>,
    /// The licensee asked not to be named in the public list of licences granted.
    pub anonymous: bool,
    pub taken_by: Uuid,
    pub taken_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
