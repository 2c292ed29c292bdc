use sea_orm::entity::prelude::*;

/// A licence taken by notice under an open-licence declaration: the licensee and the
/// contract drafted for it. One per licensee and declaration.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "open_licence_grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub open_licence_id: Uuid,
    pub licensee_org_id: Uuid,
    pub contract_id: Uuid,
    /// The licensee asked not to be named in the public list of licences granted.
    pub anonymous: bool,
    pub taken_by: Uuid,
    pub taken_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
