//! Cancelling before the first bid, and closing at the deadline: the winner gets a deal
//! at the winning bid, or the auction is unsold.

use super::*;

/// Cancels an auction before any bid (the seller or the center), with a reason.
pub async fn cancel<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<auction::Model> {
    let current = locked(db, id).await?;
    if !privileged(Some(actor), &current) {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_SELLER_OR_THE_CENTER_CANCELS.into()));
    }
    check_version(expected_version, current.version)?;
    if !matches!(stored_status(&current), AuctionStatus::Scheduled | AuctionStatus::Open) || current.bid_count > 0 {
        let state = if current.bid_count > 0 { "open with bids" } else { current.status.as_str() };
        return Err(refuse(ENTITY, "cancel", state));
    }
    let reason = required_text(reason, 2000).map_err(|e| ListingsError::invalid("reason", e))?;
    let mut active: auction::ActiveModel = current.clone().into();
    active.status = Set(AuctionStatus::Cancelled.as_str().into());
    active.live_key = Set(None);
    active.closed_reason = Set(Some(reason));
    active.closed_at = Set(Some(Utc::now()));
    let updated = save(db, active, &current).await?;
    audit::record(db, Some(actor), "auction.cancel", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated)))
        .await?;
    Ok(updated)
}

/// Auctions past their close that have not been settled.
pub async fn due<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Vec<Uuid>> {
    Ok(auction::Entity::find()
        .filter(auction::Column::Status.is_in(["scheduled", "open"]))
        .filter(auction::Column::ClosesAt.lte(now))
        .limit(100)
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect())
}

/// Settles the auction first when its close has passed, so a read never shows a finished
/// auction as open (the scheduler would do the same a moment later); in a transaction of
/// its own.
pub async fn settle_if_due(db: &sea_orm::DatabaseConnection, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    let due = auction::Entity::find_by_id(id).one(db).await?.is_some_and(|a| {
        matches!(stored_status(&a), AuctionStatus::Scheduled | AuctionStatus::Open) && a.closes_at <= now
    });
    if due {
        let transaction = techex_listings::begin_write(db).await?;
        settle(&transaction, id, now).await?;
        transaction.commit().await?;
    }
    Ok(())
}

/// Settles an auction past its close, exactly once (under its lock): the highest bid at
/// or above the reserve wins and becomes a deal with agreed terms; otherwise unsold.
/// Returns the settled auction, or `None` when it is not due (or already settled).
pub async fn settle<C: ConnectionTrait>(db: &C, id: Uuid, now: DateTime<Utc>) -> Result<Option<auction::Model>> {
    let current = locked(db, id).await?;
    if !matches!(stored_status(&current), AuctionStatus::Scheduled | AuctionStatus::Open) || current.closes_at > now {
        return Ok(None);
    }
    let mut active: auction::ActiveModel = current.clone().into();
    active.live_key = Set(None);
    active.closed_at = Set(Some(now));
    let winner = current.high_amount_minor.filter(|amount| *amount >= current.reserve_minor);
    let updated = match (winner, current.high_bid_id, current.high_bidder_org_id) {
        (Some(amount), Some(bid_id), Some(buyer)) => {
            let winning = bid::Entity::find_by_id(bid_id).one(db).await?.ok_or(ListingsError::NotFound("bid"))?;
            let deal = open_won_deal(db, &current, &winning, buyer, amount, now).await?;
            active.status = Set(AuctionStatus::Closed.as_str().into());
            active.deal_id = Set(Some(deal.id));
            active.closed_reason = Set(Some(format!("won by bid #{} at {amount}", winning.sequence)));
            let updated = save(db, active, &current).await?;
            notify_org(db, &updated, buyer, "auction_won", msg::NOTICE_AUCTION_WON, "won").await?;
            notify_org(db, &updated, current.seller_org_id, "auction_closed", msg::NOTICE_AUCTION_SOLD, "closed")
                .await?;
            updated
        }
        _ => {
            active.status = Set(AuctionStatus::Unsold.as_str().into());
            let reason = if current.bid_count == 0 { "no bids" } else { "the highest bid did not reach the reserve" };
            active.closed_reason = Set(Some(reason.into()));
            let updated = save(db, active, &current).await?;
            notify_org(db, &updated, current.seller_org_id, "auction_unsold", msg::NOTICE_AUCTION_UNSOLD, "unsold")
                .await?;
            updated
        }
    };
    audit::record(db, None, "auction.close", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated))).await?;
    Ok(Some(updated))
}

/// The deal of a won auction, opened and agreed in one step.
pub(super) async fn open_won_deal<C: ConnectionTrait>(
    db: &C,
    auction: &auction::Model,
    winning: &bid::Model,
    buyer: Uuid,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<deal::Model> {
    let fixed = terms_of(auction)?;
    let currency = Currency::parse(&auction.currency).unwrap_or_default();
    let terms = Terms {
        mode: fixed.mode,
        currency,
        lump_sum_minor: Some(amount),
        royalty_bps: None,
        royalty_base: None,
        royalty_minimum_minor: None,
        equity_bps: None,
        milestones: Vec::new(),
        territory: fixed.territory,
        term_years: fixed.term_years,
        exclusive: fixed.exclusive,
        improvements: fixed.improvements,
        notes: fixed.notes,
    }
    .with_default_schedule();
    organization::Entity::find_by_id(buyer).one(db).await?.ok_or(ListingsError::NotFound("organization"))?;
    let created = deal::ActiveModel {
        id: Set(new_id()),
        achievement_id: Set(Some(auction.achievement_id)),
        demand_id: Set(None),
        auction_id: Set(Some(auction.id)),
        seller_org_id: Set(auction.seller_org_id),
        buyer_org_id: Set(buyer),
        opened_by: Set(winning.bidder_user_id),
        status: Set(DealStatus::Negotiating.as_str().into()),
        inquiry: Set(format!("挂牌竞价成交 / Won at public bidding (bid #{})", winning.sequence)),
        broker_id: Set(None),
        broker_status: Set(None),
        broker_invited_by: Set(None),
        commission_bps: Set(None),
        live_key: Set(None),
        agreed_offer_id: Set(None),
        agreement: Set(None),
        agreed_at: Set(None),
        closed_reason: Set(None),
        closed_at: Set(None),
        last_activity_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await?;
    audit::record(db, None, "deal.open", deals::ENTITY, created.id, None, Some(deals::snapshot(&created))).await?;
    let agreement = Agreement {
        source: "auction".into(),
        offer_id: None,
        auction_id: Some(auction.id),
        open_licence_id: None,
        terms,
        seller_org_id: auction.seller_org_id,
        buyer_org_id: buyer,
        broker_id: None,
        commission_bps: None,
        accepted_by: None,
        agreed_at: now,
    };
    deals::agree(db, None, &created, agreement).await
}
