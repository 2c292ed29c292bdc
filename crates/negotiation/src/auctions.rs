//! Public bidding (挂牌竞价): the seller (or the center for it) puts a published
//! achievement up with a starting price, a reserve, a bid increment, an opening and a
//! closing time, and an extension when a bid lands in the last minutes. Verified buyers
//! bid; every bid takes the auction's row lock, so bids are numbered in the order they
//! were accepted and none is lost. At the close the highest bid at or above the reserve
//! becomes the agreed terms of a deal with that buyer; otherwise the auction is unsold.
//!
//! ```text
//! scheduled ─opens_at→ open ─closes_at→ closed (winner → deal agreed) | unsold
//!     └──────────── cancel (no bid yet) ──→ cancelled
//! ```

use crate::deals::{self, Agreement};
use crate::entities::{auction, bid, deal};
use crate::terms::{Improvements, Terms};
use crate::{Result, moved_first, refuse};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use techex_core::domain::{AchievementStatus, AuctionStatus, DealStatus, TransactionMode};
use techex_core::money::validate_amount_minor;
use techex_core::pagination::Page;
use techex_core::text::{optional_text, required_text};
use techex_core::{Actor, Currency, FieldErrors, PageRequest, Role, new_id};
use techex_listings::achievements::OwnerBrief;
use techex_listings::entities::{achievement, organization};
use techex_listings::error::check_version;
use techex_listings::notifications::{NewNotification, notify};
use techex_listings::{ListingsError, audit};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const ENTITY: &str = "auction";

/// The terms a winning bid buys, besides its price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuctionTerms {
    pub mode: TransactionMode,
    #[schema(max_length = 200)]
    pub territory: String,
    #[schema(minimum = 1, maximum = 50)]
    pub term_years: i32,
    #[serde(default)]
    pub exclusive: bool,
    #[serde(default = "each_own")]
    pub improvements: Improvements,
    #[serde(default)]
    pub notes: Option<String>,
}

fn each_own() -> Improvements {
    Improvements::EachOwn
}

/// Putting an achievement up for bidding.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAuction {
    pub achievement_id: Uuid,
    #[serde(default)]
    pub currency: Currency,
    /// The lowest first bid, minor units.
    #[schema(minimum = 1, maximum = 10_000_000_000_000_i64)]
    pub starting_price_minor: i64,
    /// The lowest price the seller sells at (default: the starting price); below it at
    /// the close, the auction is unsold.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10_000_000_000_000_i64)]
    pub reserve_minor: Option<i64>,
    /// The least a bid must add to the highest one, minor units.
    #[schema(minimum = 1, maximum = 10_000_000_000_000_i64)]
    pub increment_minor: i64,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// A bid this many seconds before the close extends it (default 300).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 3600)]
    pub extension_window_secs: Option<i32>,
    /// By how much, from the bid (default 300).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 3600)]
    pub extension_secs: Option<i32>,
    pub terms: AuctionTerms,
}

/// A bid.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceBid {
    pub amount_minor: i64,
}

/// A bid as shown (bidders are named to the seller and the center; others see only
/// whether a bid is their own).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BidView {
    pub id: Uuid,
    pub sequence: i32,
    pub amount_minor: i64,
    pub mine: bool,
    /// The bidder's number in this auction (1 for the first organization to bid, and so
    /// on): the public history tells bidders apart without naming them.
    pub bidder_number: i32,
    pub bidder: Option<OwnerBrief>,
    pub created_at: DateTime<Utc>,
}

/// An auction as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuctionView {
    pub id: Uuid,
    pub achievement_id: Uuid,
    pub achievement_title_zh: Option<String>,
    pub achievement_title_en: Option<String>,
    pub seller: OwnerBrief,
    /// The status now (a scheduled auction past its opening shows as open).
    pub status: AuctionStatus,
    pub currency: String,
    pub starting_price_minor: i64,
    /// Shown to the seller and the center only.
    pub reserve_minor: Option<i64>,
    /// Whether the highest bid meets the reserve.
    pub reserve_met: bool,
    pub increment_minor: i64,
    /// The least the next bid may be.
    pub minimum_bid_minor: i64,
    pub terms: AuctionTerms,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub original_closes_at: DateTime<Utc>,
    pub extension_window_secs: i32,
    pub extension_secs: i32,
    pub extensions: i32,
    pub high_amount_minor: Option<i64>,
    pub bid_count: i32,
    /// Whether the viewer's organization holds the highest bid.
    pub leading: bool,
    /// The deal with the winner (to the seller, the winner and the center).
    pub deal_id: Option<Uuid>,
    pub closed_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

fn stored_status(model: &auction::Model) -> AuctionStatus {
    AuctionStatus::parse(&model.status).unwrap_or(AuctionStatus::Cancelled)
}

fn effective_status(model: &auction::Model, now: DateTime<Utc>) -> AuctionStatus {
    match stored_status(model) {
        AuctionStatus::Scheduled if model.opens_at <= now => AuctionStatus::Open,
        other => other,
    }
}

fn terms_of(model: &auction::Model) -> Result<AuctionTerms> {
    serde_json::from_value(model.terms.clone()).map_err(|e| ListingsError::Internal(format!("auction terms: {e}")))
}

fn minimum_bid(model: &auction::Model) -> i64 {
    match model.high_amount_minor {
        Some(high) => high.saturating_add(model.increment_minor),
        None => model.starting_price_minor,
    }
}

fn snapshot(model: &auction::Model) -> serde_json::Value {
    serde_json::json!({
        "status": model.status, "closes_at": model.closes_at, "high_amount_minor": model.high_amount_minor,
        "high_bidder_org_id": model.high_bidder_org_id, "bid_count": model.bid_count, "extensions": model.extensions,
        "deal_id": model.deal_id, "version": model.version,
    })
}

fn privileged(actor: Option<&Actor>, model: &auction::Model) -> bool {
    actor.is_some_and(|a| a.belongs_to(model.seller_org_id) || a.is_platform_admin())
}

async fn views<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    models: Vec<auction::Model>,
) -> Result<Vec<AuctionView>> {
    let orgs = techex_listings::achievements::owners_by_id(db, models.iter().map(|m| m.seller_org_id)).await?;
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
            closed_reason: m.closed_reason,
            closed_at: m.closed_at,
            version: m.version,
        });
    }
    Ok(out)
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

/// Puts a published achievement up for bidding: its owner's members, or platform admins.
pub async fn create<C: ConnectionTrait>(db: &C, actor: &Actor, input: CreateAuction) -> Result<auction::Model> {
    let subject = achievement::Entity::find_by_id(input.achievement_id)
        .one(db)
        .await?
        .filter(|a| actor.belongs_to(a.organization_id) || actor.is_platform_admin() || a.status == "published")
        .ok_or(ListingsError::NotFound("achievement"))?;
    let owner_member =
        actor.belongs_to(subject.organization_id) && (actor.has(Role::Member) || actor.has(Role::OrgAdmin));
    if !(owner_member || actor.is_platform_admin()) {
        return Err(ListingsError::Forbidden(
            "only the owner (or the center for it) puts an achievement up for bidding".into(),
        ));
    }
    if subject.status != AchievementStatus::Published.as_str() {
        return Err(ListingsError::invalid("achievement_id", techex_core::msg::AUCTION_NEEDS_PUBLISHED));
    }
    let now = Utc::now();
    let mut errors = FieldErrors::new();
    errors.check("starting_price_minor", validate_amount_minor(input.starting_price_minor));
    if input.starting_price_minor == 0 {
        errors.add("starting_price_minor", techex_core::msg::AMOUNT_NOT_POSITIVE);
    }
    let reserve = input.reserve_minor.unwrap_or(input.starting_price_minor);
    errors.check("reserve_minor", validate_amount_minor(reserve));
    if reserve < input.starting_price_minor {
        errors.add("reserve_minor", techex_core::msg::AUCTION_RESERVE_BELOW_START);
    }
    if input.increment_minor <= 0 {
        errors.add("increment_minor", techex_core::msg::AMOUNT_NOT_POSITIVE);
    } else {
        errors.check("increment_minor", validate_amount_minor(input.increment_minor));
    }
    if input.opens_at < now - Duration::minutes(5) {
        errors.add("opens_at", techex_core::msg::DATE_IN_PAST);
    }
    if input.closes_at <= input.opens_at {
        errors.add("closes_at", techex_core::msg::AUCTION_CLOSES_BEFORE_OPENING);
    } else if input.closes_at - input.opens_at > Duration::days(90) {
        errors.add("closes_at", techex_core::msg::AUCTION_TOO_LONG.with("max", 90));
    }
    let window = input.extension_window_secs.unwrap_or(300);
    let extension = input.extension_secs.unwrap_or(300);
    if !(0..=3600).contains(&window) {
        errors.add("extension_window_secs", techex_core::msg::SECONDS_OUT_OF_RANGE.with("min", 0).with("max", 3600));
    }
    if !(0..=3600).contains(&extension) {
        errors.add("extension_secs", techex_core::msg::SECONDS_OUT_OF_RANGE.with("min", 0).with("max", 3600));
    }
    let mut terms = input.terms;
    match required_text(&terms.territory, 200) {
        Ok(text) => terms.territory = text,
        Err(message) => errors.add("terms.territory", message),
    }
    if !(1..=crate::terms::MAX_TERM_YEARS).contains(&terms.term_years) {
        errors.add(
            "terms.term_years",
            techex_core::msg::YEARS_OUT_OF_RANGE.with("min", 1).with("max", crate::terms::MAX_TERM_YEARS),
        );
    }
    if matches!(
        terms.mode,
        TransactionMode::Equity | TransactionMode::JointDevelopment | TransactionMode::TechnicalService
    ) {
        errors.add("terms.mode", techex_core::msg::AUCTION_MODE);
    }
    match optional_text(terms.notes.as_deref(), 5000) {
        Ok(text) => terms.notes = text,
        Err(message) => errors.add("terms.notes", message),
    }
    if matches!(terms.mode, TransactionMode::Assignment | TransactionMode::ExclusiveLicense) {
        terms.exclusive = true;
    }
    if terms.mode == TransactionMode::Assignment && !subject.inventors.0.is_empty() {
        errors.add("terms.mode", techex_core::msg::AUCTION_INVENTORS_FIRST_REFUSAL);
    }
    errors.into_result()?;
    let status = if input.opens_at <= now { AuctionStatus::Open } else { AuctionStatus::Scheduled };
    let created = auction::ActiveModel {
        id: Set(new_id()),
        achievement_id: Set(subject.id),
        seller_org_id: Set(subject.organization_id),
        created_by: Set(actor.user_id),
        status: Set(status.as_str().into()),
        currency: Set(input.currency.code().into()),
        starting_price_minor: Set(input.starting_price_minor),
        reserve_minor: Set(reserve),
        increment_minor: Set(input.increment_minor),
        terms: Set(serde_json::to_value(&terms).map_err(|e| ListingsError::Internal(e.to_string()))?),
        opens_at: Set(input.opens_at),
        closes_at: Set(input.closes_at),
        original_closes_at: Set(input.closes_at),
        extension_window_secs: Set(window),
        extension_secs: Set(extension),
        extensions: Set(0),
        high_bid_id: Set(None),
        high_amount_minor: Set(None),
        high_bidder_org_id: Set(None),
        bid_count: Set(0),
        deal_id: Set(None),
        live_key: Set(Some(subject.id.to_string())),
        closed_reason: Set(None),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(|e| ListingsError::from_db_unique(e, "this achievement is already up for bidding"))?;
    audit::record(db, Some(actor), "auction.create", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    Ok(created)
}

async fn locked<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<auction::Model> {
    auction::Entity::find_by_id(id).lock_exclusive().one(db).await?.ok_or(ListingsError::NotFound(ENTITY))
}

async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: auction::ActiveModel,
    current: &auction::Model,
) -> Result<auction::Model> {
    active.version = Set(current.version + 1);
    active.updated_at = Set(Utc::now());
    let result = auction::Entity::update_many()
        .set(active)
        .filter(auction::Column::Id.eq(current.id))
        .filter(auction::Column::Version.eq(current.version))
        .exec(db)
        .await?;
    moved_first(result.rows_affected, "the auction")?;
    auction::Entity::find_by_id(current.id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))
}

/// Places a bid. Under the auction's lock: the bid must come while the auction is open,
/// from a verified organization other than the seller, and reach the minimum bid; a bid
/// in the last minutes extends the close.
pub async fn place_bid<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid, input: PlaceBid) -> Result<bid::Model> {
    let current = locked(db, id).await?;
    let now = Utc::now();
    if actor.belongs_to(current.seller_org_id) {
        return Err(ListingsError::Forbidden("the seller does not bid on its own auction".into()));
    }
    if !(actor.has(Role::Member) || actor.has(Role::OrgAdmin))
        || actor.organization_kind == techex_core::domain::OrgKind::Center
    {
        return Err(ListingsError::Forbidden("only members of a buying organization bid".into()));
    }
    if !actor.organization_verified {
        return Err(ListingsError::Forbidden("your organization must be verified before it bids".into()));
    }
    match effective_status(&current, now) {
        AuctionStatus::Open if current.closes_at > now => {}
        AuctionStatus::Scheduled => return Err(refuse(ENTITY, "bid on", "scheduled (not open yet)")),
        AuctionStatus::Open => return Err(refuse(ENTITY, "bid on", "closed (the bidding time is over)")),
        other => return Err(refuse(ENTITY, "bid on", other.as_str())),
    }
    validate_amount_minor(input.amount_minor).map_err(|e| ListingsError::invalid("amount_minor", e))?;
    let minimum = minimum_bid(&current);
    if input.amount_minor < minimum {
        return Err(ListingsError::invalid("amount_minor", techex_core::msg::BID_TOO_LOW.with("minimum", minimum)));
    }
    let sequence = current.bid_count + 1;
    let created = bid::ActiveModel {
        id: Set(new_id()),
        auction_id: Set(id),
        sequence: Set(sequence),
        bidder_org_id: Set(actor.organization_id),
        bidder_user_id: Set(actor.user_id),
        amount_minor: Set(input.amount_minor),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| ListingsError::from_db_unique(e, "another bid was placed at the same moment; retry"))?;
    let previous_leader = current.high_bidder_org_id;
    let mut active: auction::ActiveModel = current.clone().into();
    active.status = Set(AuctionStatus::Open.as_str().into());
    active.high_bid_id = Set(Some(created.id));
    active.high_amount_minor = Set(Some(created.amount_minor));
    active.high_bidder_org_id = Set(Some(actor.organization_id));
    active.bid_count = Set(sequence);
    let window = Duration::seconds(i64::from(current.extension_window_secs));
    if current.closes_at - now <= window && current.extension_secs > 0 {
        let extended = now + Duration::seconds(i64::from(current.extension_secs));
        if extended > current.closes_at {
            active.closes_at = Set(extended);
            active.extensions = Set(current.extensions + 1);
        }
    }
    let updated = save(db, active, &current).await?;
    audit::record(
        db,
        Some(actor),
        "auction.bid",
        ENTITY,
        id,
        Some(snapshot(&current)),
        Some(serde_json::json!({"bid_id": created.id, "sequence": sequence, "amount_minor": created.amount_minor,
            "closes_at": updated.closes_at, "extensions": updated.extensions})),
    )
    .await?;
    if let Some(org) = previous_leader.filter(|o| *o != actor.organization_id) {
        notify_org(
            db,
            &updated,
            org,
            "auction_outbid",
            "您的出价已被超过 / You were outbid",
            &format!("outbid:{}", created.id),
        )
        .await?;
    }
    Ok(created)
}

async fn notify_org<C: ConnectionTrait>(
    db: &C,
    model: &auction::Model,
    org: Uuid,
    kind: &str,
    title: &str,
    key: &str,
) -> Result<()> {
    use techex_listings::entities::user;
    let members = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org))
        .filter(user::Column::Status.eq("active"))
        .all(db)
        .await?;
    for member in members {
        notify(
            db,
            NewNotification {
                user_id: member.id,
                kind: kind.into(),
                title: title.into(),
                body: None,
                link: Some(format!("/auctions/{}", model.id)),
                entity_type: Some(ENTITY.into()),
                entity_id: Some(model.id),
                dedupe_key: format!("auction:{}:{key}:{}", model.id, member.id),
            },
        )
        .await?;
    }
    Ok(())
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
        return Err(ListingsError::Forbidden("only the seller or the center cancels an auction".into()));
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
            notify_org(db, &updated, buyer, "auction_won", "您已竞得 / You won the bidding", "won").await?;
            notify_org(
                db,
                &updated,
                current.seller_org_id,
                "auction_closed",
                "竞价已成交 / Your bidding closed with a winner",
                "closed",
            )
            .await?;
            updated
        }
        _ => {
            active.status = Set(AuctionStatus::Unsold.as_str().into());
            let reason = if current.bid_count == 0 { "no bids" } else { "the highest bid did not reach the reserve" };
            active.closed_reason = Set(Some(reason.into()));
            let updated = save(db, active, &current).await?;
            notify_org(
                db,
                &updated,
                current.seller_org_id,
                "auction_unsold",
                "竞价流拍 / Your bidding closed unsold",
                "unsold",
            )
            .await?;
            updated
        }
    };
    audit::record(db, None, "auction.close", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated))).await?;
    Ok(Some(updated))
}

/// The deal of a won auction, opened and agreed in one step.
async fn open_won_deal<C: ConnectionTrait>(
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
