//! The tables the search domain owns.

pub mod saved_search {
    use sea_orm::entity::prelude::*;

    /// A user's saved search; `query` holds its parameters as JSON.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "saved_searches")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub organization_id: Uuid,
        pub name: String,
        #[sea_orm(column_type = "Text")]
        pub query: String,
        /// Whether newly published matches notify the user.
        pub alerts: bool,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
