//! Deals idle past the inactivity period expire; a contracted deal is closed.

use super::*;

/// Open deals without activity since `before`.
pub async fn due_inactive<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<Vec<Uuid>> {
    Ok(deal::Entity::find()
        .filter(deal::Column::Status.is_in(["inquiry", "brokered", "negotiating"]))
        .filter(deal::Column::LastActivityAt.lt(before))
        .limit(200)
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect())
}

/// Expires one inactive deal under its lock, once; returns whether it did.
pub async fn expire_one<C: ConnectionTrait>(db: &C, id: Uuid, before: DateTime<Utc>) -> Result<bool> {
    let Some(current) = deal::Entity::find_by_id(id).lock_exclusive().one(db).await? else {
        return Ok(false);
    };
    if !status_of(&current).is_open() || current.last_activity_at >= before {
        return Ok(false);
    }
    let updated = close(db, None, &current, DealStatus::Expired, "no activity for the inactivity period").await?;
    for side in [Side::Seller, Side::Buyer] {
        notify_side(db, &updated, side, None, "deal_expired", msg::NOTICE_DEAL_EXPIRED.into()).await?;
    }
    Ok(true)
}

/// Moves an agreed deal to `contracted` once its contract is signed by every party.
/// Called by the contracts domain in its transaction.
pub async fn mark_contracted<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<deal::Model> {
    let current =
        deal::Entity::find_by_id(id).lock_exclusive().one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    if status_of(&current) != DealStatus::Agreed {
        return Err(refuse(ENTITY, "contract", &current.status));
    }
    let mut active: deal::ActiveModel = current.clone().into();
    active.status = Set(DealStatus::Contracted.as_str().into());
    let updated = save(db, active, &current).await?;
    audit::record(db, actor, "deal.contract", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated))).await?;
    Ok(updated)
}
