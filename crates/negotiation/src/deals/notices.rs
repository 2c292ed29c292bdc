//! Notifications about a deal to a side's members or to one user.

use super::*;
use techex_listings::notifications::{Audience, notify_members};

/// Sends a notification about a deal to every member of one side (except the actor).
pub(crate) async fn notify_side<C: ConnectionTrait>(
    db: &C,
    deal: &deal::Model,
    side: Side,
    actor: Option<&Actor>,
    kind: &str,
    message: Message,
) -> Result<()> {
    let org = match side {
        Side::Seller => deal.seller_org_id,
        Side::Buyer => deal.buyer_org_id,
    };
    let notice = NewNotification {
        user_id: Uuid::nil(),
        kind: kind.chars().take(32).collect(),
        message,
        body: None,
        entity_type: Some(ENTITY.into()),
        entity_id: Some(deal.id),
        dedupe_key: format!("deal:{}:{kind}:{}", deal.id, deal.version),
    };
    notify_members(db, org, Audience::Members, actor.map(|a| a.user_id), &notice).await?;
    Ok(())
}

/// One notification about a deal; `key` makes it happen once.
pub(crate) async fn notify_user<C: ConnectionTrait>(
    db: &C,
    deal: &deal::Model,
    user_id: Uuid,
    kind: &str,
    message: Message,
    key: &str,
) -> Result<()> {
    notify(
        db,
        NewNotification {
            user_id,
            kind: kind.chars().take(32).collect(),
            message,
            body: None,
            entity_type: Some(ENTITY.into()),
            entity_id: Some(deal.id),
            dedupe_key: format!("deal:{}:{key}:{user_id}", deal.id),
        },
    )
    .await?;
    Ok(())
}
