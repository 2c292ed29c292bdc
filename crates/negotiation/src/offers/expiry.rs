//! Offers past their validity expire.

use super::*;

/// Offers past their deadline that are still stored as open.
pub async fn due<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Vec<offer::Model>> {
    Ok(offer::Entity::find()
        .filter(offer::Column::Status.is_in(["pending", "proposed"]))
        .filter(offer::Column::ValidUntil.lte(now))
        .limit(500)
        .all(db)
        .await?)
}

/// Marks one offer expired unless something else changed it first; returns whether it did.
pub async fn expire_one<C: ConnectionTrait>(db: &C, current: &offer::Model, now: DateTime<Utc>) -> Result<bool> {
    let result = offer::Entity::update_many()
        .col_expr(offer::Column::Status, Expr::value("expired"))
        .col_expr(offer::Column::DecidedAt, Expr::value(now))
        .col_expr(offer::Column::Version, Expr::value(current.version + 1))
        .col_expr(offer::Column::UpdatedAt, Expr::value(now))
        .filter(offer::Column::Id.eq(current.id))
        .filter(offer::Column::Version.eq(current.version))
        .filter(offer::Column::Status.eq(current.status.as_str()))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(false);
    }
    let after = serde_json::json!({"status": "expired", "version": current.version + 1});
    audit::record(db, None, "offer.expire", ENTITY, current.id, Some(snapshot(current)), Some(after)).await?;
    Ok(true)
}
