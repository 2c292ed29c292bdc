//! What a participant reads of offers: one, a deal's list, and what an offer changes.

use super::*;

/// One offer as the actor may see it.
pub async fn get_view<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<OfferView> {
    let found = offer::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    let (_, party) = deals::load(db, actor, found.deal_id).await.map_err(|_| ListingsError::NotFound(ENTITY))?;
    if !may_see(party, &found) {
        return Err(ListingsError::NotFound(ENTITY));
    }
    view(found)
}

/// The offers of a deal in the order they were made.
pub async fn list<C: ConnectionTrait>(db: &C, actor: &Actor, deal_id: Uuid) -> Result<Vec<OfferView>> {
    let (_, party) = deals::load(db, actor, deal_id).await?;
    if party == Party::InvitedBroker {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ACCEPT_THE_INVITATION_TO_SEE_THE_OFFERS.into()));
    }
    let rows = offer::Entity::find()
        .filter(offer::Column::DealId.eq(deal_id))
        .order_by_asc(offer::Column::Sequence)
        .all(db)
        .await?;
    rows.into_iter().filter(|o| may_see(party, o)).map(view).collect()
}

/// An offer beside the one it counters, with the fields that changed.
pub async fn diff_view<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<OfferDiff> {
    let offer = get_view(db, actor, id).await?;
    let countered = match offer.counters_id {
        Some(previous) => Some(get_view(db, actor, previous).await?),
        None => None,
    };
    let mut changes = match &countered {
        Some(before) => diff(&before.terms, &offer.terms),
        None => Vec::new(),
    };
    if let Some(before) = &countered
        && before.valid_until != offer.valid_until
    {
        changes.push(TermChange {
            field: "valid_until".into(),
            before: serde_json::json!(before.valid_until),
            after: serde_json::json!(offer.valid_until),
        });
    }
    Ok(OfferDiff { offer, countered, changes })
}
