//! The one versioned update: every entity with a `version` column is written through
//! [`save`], which bumps the version only if nobody changed the row since it was read,
//! and answers a lost race as [`ListingsError::Stale`] (412), whatever the entity.

use crate::error::{ListingsError, Result};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter, Value};
use uuid::Uuid;

/// The columns that identify and version an entity's rows.
pub struct Versioned<E: EntityTrait> {
    /// The entity's name in errors (`deal`, `contract`).
    pub entity: &'static str,
    pub id: E::Column,
    pub version: E::Column,
}

impl<E: EntityTrait> Versioned<E> {
    /// Writes `active` over the row `id` read at `version`, as `version + 1`, and returns
    /// the row as written; 412 when the row moved on meanwhile, 404 when it is gone.
    pub async fn save<C: ConnectionTrait>(
        &self,
        db: &C,
        active: E::ActiveModel,
        id: Uuid,
        version: i32,
    ) -> Result<E::Model>
    where
        E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    {
        self.save_unique(db, active, id, version, None).await
    }

    /// [`save`](Self::save) for a row with a unique column: a write that would repeat
    /// another row's value is a 409 saying `duplicate`.
    pub async fn save_unique<C: ConnectionTrait>(
        &self,
        db: &C,
        mut active: E::ActiveModel,
        id: Uuid,
        version: i32,
        duplicate: Option<&str>,
    ) -> Result<E::Model>
    where
        E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    {
        active.set(self.version, Value::Int(Some(version + 1)));
        let result = E::update_many()
            .set(active)
            .filter(self.id.eq(id))
            .filter(self.version.eq(version))
            .exec(db)
            .await
            .map_err(|error| match duplicate {
                Some(message) => ListingsError::from_db_unique(error, message),
                None => ListingsError::Db(error),
            })?;
        let reloaded = E::find().filter(self.id.eq(id)).one(db).await?.ok_or(ListingsError::NotFound(self.entity))?;
        if result.rows_affected != 1 {
            let current = match reloaded.get(self.version) {
                Value::Int(Some(current)) => current,
                _ => version + 1,
            };
            return Err(ListingsError::Stale { given: version, current });
        }
        Ok(reloaded)
    }
}
