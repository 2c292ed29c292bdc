//! What a visitor, a bidder and the seller see of an auction and its bids.

use super::*;

pub(super) async fn views<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    models: Vec<auction::Model>,
) -> Result<Vec<AuctionView>> {
    let orgs = techex_listings::achievements::owners_by_id(
        db,
        models.iter().flat_map(|m| std::iter::once(m.seller_org_id).chain(m.high_bidder_org_id)),
    )
    .await?;
    let ids: Vec<Uuid> = models.iter().map(|m| m.achievement_id).collect();
    let titles: std::collections::HashMap<Uuid, (Option<String>, Option<String>)> = if ids.is_empty() {
        Default::default()
    } else {
        achievement::Entity::find()
            .filter(achievement::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, (a.title_zh, a.title_en)))
            .collect()
    };
    let now = Utc::now();
    let mut out = Vec::with_capacity(models.len());
    for m in models {
        let Some(seller) = orgs.get(&m.seller_org_id) else {
            continue;
        };
        let leading = actor.is_some_and(|a| m.high_bidder_org_id == Some(a.organization_id));
        let sees_deal = privileged(actor, &m) || leading;
        let (title_zh, title_en) = titles.get(&m.achievement_id).cloned().unwrap_or_default();
        out.push(AuctionView {
            id: m.id,
            achievement_id: m.achievement_id,
            achievement_title_zh: title_zh,
            achievement_title_en: title_en,
            seller: seller.into(),
            status: effective_status(&m, now),
            currency: m.currency.clone(),
            starting_price_minor: m.starting_price_minor,
            reserve_minor: privileged(actor, &m).then_some(m.reserve_minor),
            reserve_met: m.high_amount_minor.is_some_and(|h| h >= m.reserve_minor),
            increment_minor: m.increment_minor,
            minimum_bid_minor: minimum_bid(&m),
            terms: terms_of(&m)?,
            opens_at: m.opens_at,
            closes_at: m.closes_at,
            original_closes_at: m.original_closes_at,
            extension_window_secs: m.extension_window_secs,
            extension_secs: m.extension_secs,
            extensions: m.extensions,
            high_amount_minor: m.high_amount_minor,
            bid_count: m.bid_count,
            leading,
            deal_id: if sees_deal { m.deal_id } else { None },
            result: result_notice(&m, &orgs, now),
            closed_reason: m.closed_reason,
            closed_at: m.closed_at,
            version: m.version,
        });
    }
    Ok(out)
}

/// The result notice of a sold auction, once it has closed.
fn result_notice(
    m: &auction::Model,
    orgs: &std::collections::HashMap<Uuid, techex_listings::entities::organization::Model>,
    now: DateTime<Utc>,
) -> Option<ResultNotice> {
    if stored_status(m) != AuctionStatus::Closed {
        return None;
    }
    let buyer = orgs.get(&m.high_bidder_org_id?)?;
    let closed_at = m.closed_at?;
    let publicity_ends_on = working_days_after(closed_at.date_naive(), PUBLICITY_WORKING_DAYS);
    Some(ResultNotice {
        buyer: buyer.into(),
        final_price_minor: m.high_amount_minor?,
        closed_at,
        publicity_ends_on,
        in_publicity: now.date_naive() <= publicity_ends_on,
    })
}

/// One auction (public: anyone may watch a public bidding).
pub async fn get_view<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<AuctionView> {
    let model = auction::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    views(db, actor, vec![model]).await?.pop().ok_or(ListingsError::NotFound(ENTITY))
}

/// Filters of the auction list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuctionFilter {
    pub status: Option<AuctionStatus>,
    pub achievement_id: Option<Uuid>,
}

/// Auctions, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    filter: &AuctionFilter,
    page: PageRequest,
) -> Result<Page<AuctionView>> {
    let mut query = auction::Entity::find().order_by_desc(auction::Column::Id);
    if let Some(status) = filter.status {
        let now = Utc::now();
        query = match status {
            AuctionStatus::Open => query
                .filter(auction::Column::Status.is_in(["scheduled", "open"]))
                .filter(auction::Column::OpensAt.lte(now)),
            AuctionStatus::Scheduled => {
                query.filter(auction::Column::Status.eq("scheduled")).filter(auction::Column::OpensAt.gt(now))
            }
            other => query.filter(auction::Column::Status.eq(other.as_str())),
        };
    }
    if let Some(id) = filter.achievement_id {
        query = query.filter(auction::Column::AchievementId.eq(id));
    }
    if let Some(cursor) = page.after {
        query = query.filter(auction::Column::Id.lt(cursor.0));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let page = Page::from_rows(rows, page.limit, |m| m.id);
    Ok(Page { items: views(db, actor, page.items).await?, next_cursor: page.next_cursor })
}

/// The bids of an auction, highest first.
pub async fn bids<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<Vec<BidView>> {
    let model = auction::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    let rows =
        bid::Entity::find().filter(bid::Column::AuctionId.eq(id)).order_by_desc(bid::Column::Sequence).all(db).await?;
    let named = privileged(actor, &model);
    let orgs = if named {
        techex_listings::achievements::owners_by_id(db, rows.iter().map(|b| b.bidder_org_id)).await?
    } else {
        Default::default()
    };
    let mut numbers: std::collections::HashMap<Uuid, i32> = std::collections::HashMap::new();
    for row in rows.iter().rev() {
        let next = i32::try_from(numbers.len()).unwrap_or(i32::MAX).saturating_add(1);
        numbers.entry(row.bidder_org_id).or_insert(next);
    }
    Ok(rows
        .into_iter()
        .map(|b| BidView {
            id: b.id,
            sequence: b.sequence,
            amount_minor: b.amount_minor,
            mine: actor.is_some_and(|a| a.belongs_to(b.bidder_org_id)),
            bidder_number: numbers.get(&b.bidder_org_id).copied().unwrap_or_default(),
            bidder: orgs.get(&b.bidder_org_id).map(OwnerBrief::from),
            created_at: b.created_at,
        })
        .collect())
}
