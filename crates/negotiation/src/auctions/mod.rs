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
//!
//! Creating and bidding are here; what visitors see in `view`, closing in `closing`.

use crate::deals::{self, Agreement};
use crate::entities::{auction, bid, deal};
use crate::terms::{Improvements, Terms};
use crate::{Result, refuse};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use techex_core::domain::{AchievementStatus, AuctionStatus, DealStatus, TransactionMode};
use techex_core::money::validate_amount_minor;
use techex_core::pagination::Page;
use techex_core::text::{optional_text, required_text};
use techex_core::{Actor, Currency, FieldErrors, MessageKey, PageRequest, Role, msg, new_id};
use techex_listings::achievements::OwnerBrief;
use techex_listings::entities::{achievement, organization};
use techex_listings::error::check_version;
use techex_listings::notifications::{Audience, NewNotification};
use techex_listings::versioned::Versioned;
use techex_listings::{ListingsError, audit};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub mod calendar;
mod closing;
mod view;

pub use calendar::working_days_after;
pub use closing::*;
pub use view::*;

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
    /// The public result notice (成交公示) of a sold auction.
    pub result: Option<ResultNotice>,
    pub version: i32,
}

/// The public result notice of a sold auction (成交公示): who won and at what price,
/// published for a period after the close during which anyone may object to the center
/// in writing, as trading centers announce concluded public biddings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultNotice {
    /// The winning organization: the transferee or licensee.
    pub buyer: OwnerBrief,
    pub final_price_minor: i64,
    pub closed_at: DateTime<Utc>,
    /// The last day of the publicity period: five working days after the day of the close
    /// (weekends and China's public holidays skipped, the weekend days worked in their place
    /// counted).
    pub publicity_ends_on: chrono::NaiveDate,
    /// Whether the publicity period is still running.
    pub in_publicity: bool,
}

/// Working days of an auction's result notice.
pub const PUBLICITY_WORKING_DAYS: u32 = 5;

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
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_OWNER_OR_THE_CENTER_FOR.into()));
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
    if matches!(terms.mode, TransactionMode::ExclusiveLicense | TransactionMode::SoleLicense)
        && techex_listings::open_licences::is_open(db, subject.id).await?
    {
        errors.add("terms.mode", techex_core::msg::OPEN_LICENCE_BLOCKS_EXCLUSIVE);
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
    .map_err(|e| {
        ListingsError::from_db_unique(e, techex_core::msg::REFUSED_THIS_ACHIEVEMENT_IS_ALREADY_UP_FOR_BIDDING)
    })?;
    audit::record(db, Some(actor), "auction.create", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    Ok(created)
}

async fn locked<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<auction::Model> {
    auction::Entity::find_by_id(id).lock_exclusive().one(db).await?.ok_or(ListingsError::NotFound(ENTITY))
}

/// How a auction is saved: its id and version columns.
const AUCTION_ROWS: Versioned<auction::Entity> =
    Versioned { entity: ENTITY, id: auction::Column::Id, version: auction::Column::Version };

async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: auction::ActiveModel,
    current: &auction::Model,
) -> Result<auction::Model> {
    active.updated_at = Set(Utc::now());
    AUCTION_ROWS.save(db, active, current.id, current.version).await
}

/// Places a bid. Under the auction's lock: the bid must come while the auction is open,
/// from a verified organization other than the seller, and reach the minimum bid; a bid
/// in the last minutes extends the close.
pub async fn place_bid<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid, input: PlaceBid) -> Result<bid::Model> {
    let current = locked(db, id).await?;
    let now = Utc::now();
    if actor.belongs_to(current.seller_org_id) {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_THE_SELLER_DOES_NOT_BID_ON_ITS.into()));
    }
    if !(actor.has(Role::Member) || actor.has(Role::OrgAdmin))
        || actor.organization_kind == techex_core::domain::OrgKind::Center
    {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_MEMBERS_OF_A_BUYING_ORGANIZATION_BID.into(),
        ));
    }
    if !actor.organization_verified {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_YOUR_ORGANIZATION_MUST_BE_VERIFIED_BEFORE_IT.into(),
        ));
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
    .map_err(|e| ListingsError::from_db_unique(e, techex_core::msg::REFUSED_ANOTHER_BID_WAS_PLACED_AT_THE_SAME))?;
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
        notify_org(db, &updated, org, "auction_outbid", msg::NOTICE_AUCTION_OUTBID, &format!("outbid:{}", created.id))
            .await?;
    }
    Ok(created)
}

async fn notify_org<C: ConnectionTrait>(
    db: &C,
    model: &auction::Model,
    org: Uuid,
    kind: &str,
    message: MessageKey,
    key: &str,
) -> Result<()> {
    let notice = NewNotification {
        user_id: Uuid::nil(),
        kind: kind.into(),
        message: message.into(),
        body: None,
        entity_type: Some(ENTITY.into()),
        entity_id: Some(model.id),
        dedupe_key: format!("auction:{}:{key}", model.id),
    };
    techex_listings::notifications::notify_members(db, org, Audience::Members, None, &notice).await?;
    Ok(())
}
