//! Deals: a buyer's inquiry on a published achievement (or a seller's or broker's answer
//! to a published demand), the broker who mediates it, and its life to agreed terms.
//!
//! ```text
//! inquiry ─broker accepts→ brokered ─first offer→ negotiating ─offer accepted→ agreed → contracted
//!    └────────────── first offer ──────────────────┘
//! any open state ─cancel(reason)→ cancelled ; ─no activity for the inactivity period→ expired
//! ```
//! Who may see a deal: the seller's and the buyer's organization, the broker (the brief
//! once invited, everything once accepted), and platform admins (not the room). Everyone
//! else gets "not found".
//!
//! Opening and the state machine are here; brokers' invitations in `brokering`, what a
//! participant sees in `view`, notifications in `notices`, expiry in `expiry`.

use crate::entities::{broker, deal, offer};
use crate::terms::Terms;
use crate::{Result, brokers, refuse};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use techex_core::domain::{AchievementStatus, DealStatus, DemandStatus, Side, TransactionMode};
use techex_core::pagination::Page;
use techex_core::text::required_text;
use techex_core::{Actor, Message, PageRequest, Role, msg, new_id};
use techex_listings::achievements::OwnerBrief;
use techex_listings::entities::{achievement, demand, user};
use techex_listings::error::check_version;
use techex_listings::notifications::{NewNotification, notify};
use techex_listings::versioned::Versioned;
use techex_listings::{ListingsError, audit};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

mod brokering;
mod by_notice;
mod expiry;
mod notices;
mod view;

pub use brokering::*;
pub use by_notice::*;
pub use expiry::*;
pub(crate) use notices::*;
pub use view::*;

pub(crate) const ENTITY: &str = "deal";

/// How the actor takes part in a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Seller,
    Buyer,
    /// The broker who accepted to mediate.
    Broker,
    /// A broker invited but who has not answered yet: sees the brief only.
    InvitedBroker,
    /// Platform administrators: the deal and its offers, never the room.
    Center,
}

impl Party {
    pub fn side(self) -> Option<Side> {
        match self {
            Party::Seller => Some(Side::Seller),
            Party::Buyer => Some(Side::Buyer),
            _ => None,
        }
    }
}

fn acts_for(actor: &Actor, org: Uuid) -> bool {
    actor.belongs_to(org) && (actor.has(Role::Member) || actor.has(Role::OrgAdmin))
}

/// The actor's part in a deal, if any.
pub fn party_of(actor: &Actor, deal: &deal::Model) -> Option<Party> {
    if acts_for(actor, deal.seller_org_id) {
        return Some(Party::Seller);
    }
    if acts_for(actor, deal.buyer_org_id) {
        return Some(Party::Buyer);
    }
    if deal.broker_id == Some(actor.user_id) {
        match deal.broker_status.as_deref() {
            Some("accepted") => return Some(Party::Broker),
            Some("invited") => return Some(Party::InvitedBroker),
            _ => {}
        }
    }
    actor.is_platform_admin().then_some(Party::Center)
}

pub(crate) fn status_of(model: &deal::Model) -> DealStatus {
    DealStatus::parse(&model.status).unwrap_or(DealStatus::Cancelled)
}

/// Loads a deal the actor takes part in, with the part; "not found" otherwise.
pub async fn load<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<(deal::Model, Party)> {
    let model = deal::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    let party = party_of(actor, &model).ok_or(ListingsError::NotFound(ENTITY))?;
    Ok((model, party))
}

/// Loads a deal for a write and locks its row until the transaction ends (PostgreSQL
/// `FOR UPDATE`; SQLite's write transaction is exclusive already). Every transition of a
/// deal or its offers takes this lock first, so concurrent ones run one after another
/// and always in the same lock order (no deadlocks).
pub async fn load_locked<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<(deal::Model, Party)> {
    let model = deal::Entity::find_by_id(id).lock_exclusive().one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    let party = party_of(actor, &model).ok_or(ListingsError::NotFound(ENTITY))?;
    Ok((model, party))
}

/// Re-reads a deal (after a change in the same transaction).
pub(crate) async fn get_fresh<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<deal::Model> {
    deal::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))
}

/// Loads a deal for a room or offer action: invited brokers and the center are refused.
pub(crate) async fn load_participant<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<(deal::Model, Party)> {
    let (model, party) = load(db, actor, id).await?;
    match party {
        Party::Seller | Party::Buyer | Party::Broker => Ok((model, party)),
        Party::InvitedBroker => Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ACCEPT_THE_INVITATION_TO_MEDIATE_BEFORE_TAKING.into(),
        )),
        Party::Center => Err(ListingsError::NotFound(ENTITY)),
    }
}

/// Opening a deal.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenDeal {
    /// The published achievement asked about (a buyer's inquiry), or offered in answer
    /// to `demand_id`.
    #[serde(default)]
    pub achievement_id: Option<Uuid>,
    /// The published demand answered (by a seller, or by a broker with `achievement_id`).
    #[serde(default)]
    pub demand_id: Option<Uuid>,
    /// The first message: what the buyer wants to know or the seller proposes.
    pub inquiry: String,
    /// A broker to invite right away.
    #[serde(default)]
    pub broker_id: Option<Uuid>,
    /// The commission proposed to that broker, basis points (default: the broker's own).
    #[serde(default)]
    pub commission_bps: Option<i32>,
}

/// Inviting (or, for the center, assigning) a broker.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBroker {
    pub broker_id: Uuid,
    /// The commission proposed, basis points (default: the broker's own rate).
    #[serde(default)]
    pub commission_bps: Option<i32>,
}

/// The agreed terms of a deal, frozen when an offer is accepted or an auction closes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Agreement {
    /// `offer`, `auction` or `open_licence`.
    pub source: String,
    pub offer_id: Option<Uuid>,
    pub auction_id: Option<Uuid>,
    /// The open-licence declaration a licence was taken under by notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_licence_id: Option<Uuid>,
    pub terms: Terms,
    pub seller_org_id: Uuid,
    pub buyer_org_id: Uuid,
    pub broker_id: Option<Uuid>,
    /// The broker's commission on the price, basis points.
    pub commission_bps: Option<i32>,
    /// Who accepted (absent when an auction closed on its own).
    pub accepted_by: Option<Uuid>,
    pub agreed_at: DateTime<Utc>,
}

/// The broker of a deal as the parties see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DealBroker {
    pub id: Uuid,
    pub display_name: String,
    /// `invited`, `accepted` or `declined`.
    pub status: String,
    pub commission_bps: Option<i32>,
}

/// What the deal is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subject {
    /// `achievement` or `demand`.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Uuid,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
}

/// A deal as one participant sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DealView {
    pub id: Uuid,
    pub status: DealStatus,
    pub version: i32,
    /// The viewer's part.
    pub my_role: Party,
    pub achievement: Option<Subject>,
    pub demand: Option<Subject>,
    pub auction_id: Option<Uuid>,
    /// The open-licence declaration when the deal is a licence taken by notice: its terms
    /// are the declaration's and take no offers.
    pub open_licence_id: Option<Uuid>,
    pub seller: OwnerBrief,
    pub buyer: OwnerBrief,
    pub inquiry: String,
    pub broker: Option<DealBroker>,
    pub agreement: Option<Agreement>,
    pub agreed_at: Option<DateTime<Utc>>,
    pub closed_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Unread messages per channel the viewer can read.
    pub unread: HashMap<String, u64>,
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn snapshot(model: &deal::Model) -> serde_json::Value {
    serde_json::json!({
        "status": model.status, "version": model.version, "broker_id": model.broker_id,
        "broker_status": model.broker_status, "commission_bps": model.commission_bps,
        "agreed_offer_id": model.agreed_offer_id, "closed_reason": model.closed_reason,
    })
}

fn live_key(achievement: Option<Uuid>, demand: Option<Uuid>, seller: Uuid, buyer: Uuid) -> String {
    match (achievement, demand) {
        (Some(a), _) => format!("a:{a}:{buyer}"),
        (None, Some(d)) => format!("d:{d}:{seller}"),
        (None, None) => format!("x:{seller}:{buyer}"),
    }
}

async fn published_achievement<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<achievement::Model> {
    achievement::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|a| a.status == AchievementStatus::Published.as_str())
        .ok_or_else(|| ListingsError::invalid("achievement_id", techex_core::msg::ACHIEVEMENT_UNKNOWN))
}

/// Checks that a broker may be put on a deal between these organizations.
async fn check_broker<C: ConnectionTrait>(
    db: &C,
    broker_id: Uuid,
    commission: Option<i32>,
    seller: Uuid,
    buyer: Uuid,
) -> Result<(broker::Model, i32)> {
    let broker = brokers::get(db, broker_id)
        .await
        .map_err(|_| ListingsError::invalid("broker_id", techex_core::msg::BROKER_UNKNOWN))?;
    if !brokers::is_active(&broker) {
        return Err(ListingsError::invalid("broker_id", techex_core::msg::BROKER_SUSPENDED));
    }
    if !brokers::is_available(&broker) {
        return Err(ListingsError::invalid("broker_id", techex_core::msg::BROKER_CERTIFICATE_EXPIRED));
    }
    let person = user::Entity::find_by_id(broker_id).one(db).await?;
    if person.is_some_and(|p| p.organization_id == seller || p.organization_id == buyer) {
        return Err(ListingsError::invalid("broker_id", techex_core::msg::BROKER_NOT_INDEPENDENT));
    }
    let rate = commission.unwrap_or(broker.commission_bps);
    if !(0..=3000).contains(&rate) {
        return Err(ListingsError::invalid("commission_bps", techex_core::msg::bps_range(0, 3000)));
    }
    Ok((broker, rate))
}

/// Opens a deal: an inquiry on an achievement, or an answer to a demand.
pub async fn open<C: ConnectionTrait>(db: &C, actor: &Actor, input: OpenDeal) -> Result<deal::Model> {
    let inquiry = required_text(&input.inquiry, 5000).map_err(|e| ListingsError::invalid("inquiry", e))?;
    if !actor.organization_verified {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_YOUR_ORGANIZATION_IS_NOT_VERIFIED_YET_A.into()));
    }
    let acting_broker =
        actor.has(Role::Broker) && brokers::get(db, actor.user_id).await.ok().is_some_and(|b| brokers::is_active(&b));
    let (seller, buyer, achievement_id, demand_id, mediator) = match (input.achievement_id, input.demand_id) {
        (Some(achievement_id), None) => {
            if !(actor.has(Role::Member) || actor.has(Role::OrgAdmin)) {
                return Err(ListingsError::Forbidden(
                    techex_core::msg::REFUSED_ONLY_MEMBERS_OF_AN_ORGANIZATION_SEND_INQUIRIES.into(),
                ));
            }
            let subject = published_achievement(db, achievement_id).await?;
            if actor.belongs_to(subject.organization_id) {
                return Err(ListingsError::Forbidden(
                    techex_core::msg::REFUSED_YOUR_ORGANIZATION_OWNS_THIS_ACHIEVEMENT.into(),
                ));
            }
            (subject.organization_id, actor.organization_id, Some(achievement_id), None, None)
        }
        (offered, Some(demand_id)) => {
            let need = demand::Entity::find_by_id(demand_id)
                .one(db)
                .await?
                .filter(|d| d.status == DemandStatus::Published.as_str())
                .ok_or_else(|| ListingsError::invalid("demand_id", techex_core::msg::DEMAND_UNKNOWN))?;
            let offered = match offered {
                Some(id) => Some(published_achievement(db, id).await?),
                None => None,
            };
            let seller_member = actor.organization_kind.may_list_achievements()
                && (actor.has(Role::Member) || actor.has(Role::OrgAdmin));
            let (seller, mediator) = match &offered {
                Some(a) if actor.belongs_to(a.organization_id) && seller_member => (a.organization_id, None),
                Some(a) if acting_broker => (a.organization_id, Some(actor.user_id)),
                Some(_) => {
                    return Err(ListingsError::invalid("achievement_id", techex_core::msg::DEAL_OFFER_OWN_ACHIEVEMENT));
                }
                None if seller_member => (actor.organization_id, None),
                None if acting_broker => {
                    return Err(ListingsError::invalid(
                        "achievement_id",
                        techex_core::msg::DEAL_BROKER_NAMES_ACHIEVEMENT,
                    ));
                }
                None => {
                    return Err(ListingsError::Forbidden(
                        techex_core::msg::REFUSED_YOUR_ORGANIZATION_DOES_NOT_OFFER_TECHNOLOGY.into(),
                    ));
                }
            };
            if seller == need.organization_id {
                return Err(ListingsError::Forbidden(
                    techex_core::msg::REFUSED_THIS_DEMAND_IS_YOUR_OWN_ORGANIZATION_S.into(),
                ));
            }
            (seller, need.organization_id, offered.map(|a| a.id), Some(demand_id), mediator)
        }
        (None, None) => {
            return Err(ListingsError::invalid("achievement_id", techex_core::msg::DEAL_SUBJECT_REQUIRED));
        }
    };
    let invited = match (mediator, input.broker_id) {
        (Some(_), Some(_)) => {
            return Err(ListingsError::invalid("broker_id", techex_core::msg::BROKER_IS_SELF));
        }
        (None, Some(id)) => Some(check_broker(db, id, input.commission_bps, seller, buyer).await?),
        (Some(id), None) => Some(check_broker(db, id, input.commission_bps, seller, buyer).await?),
        (None, None) => None,
    };
    let now = Utc::now();
    let (broker_id, broker_status, commission, status) = match (&invited, mediator) {
        (Some((b, rate)), Some(_)) => (Some(b.id), Some("accepted"), Some(*rate), DealStatus::Brokered),
        (Some((b, rate)), None) => (Some(b.id), Some("invited"), Some(*rate), DealStatus::Inquiry),
        (None, _) => (None, None, None, DealStatus::Inquiry),
    };
    let created = deal::ActiveModel {
        id: Set(new_id()),
        achievement_id: Set(achievement_id),
        demand_id: Set(demand_id),
        auction_id: Set(None),
        seller_org_id: Set(seller),
        buyer_org_id: Set(buyer),
        opened_by: Set(actor.user_id),
        status: Set(status.as_str().into()),
        inquiry: Set(inquiry),
        broker_id: Set(broker_id),
        broker_status: Set(broker_status.map(str::to_string)),
        broker_invited_by: Set(broker_id.map(|_| actor.user_id)),
        commission_bps: Set(commission),
        live_key: Set(Some(live_key(achievement_id, demand_id, seller, buyer))),
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
    .await
    .map_err(|e| ListingsError::from_db_unique(e, techex_core::msg::REFUSED_THERE_IS_ALREADY_A_LIVE_DEAL_BETWEEN))?;
    audit::record(db, Some(actor), "deal.open", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    let opener_side = if actor.belongs_to(buyer) {
        Some(Side::Buyer)
    } else if actor.belongs_to(seller) {
        Some(Side::Seller)
    } else {
        None
    };
    for side in [Side::Seller, Side::Buyer] {
        if Some(side) != opener_side {
            notify_side(db, &created, side, Some(actor), "deal_opened", msg::NOTICE_DEAL_OPENED.into()).await?;
        }
    }
    if let Some(id) = broker_id.filter(|_| mediator.is_none()) {
        notify_user(db, &created, id, "broker_invited", msg::NOTICE_BROKER_INVITED.into(), "invite").await?;
    }
    Ok(created)
}

/// How a deal is saved: its id and version columns.
const DEAL_ROWS: Versioned<deal::Entity> =
    Versioned { entity: ENTITY, id: deal::Column::Id, version: deal::Column::Version };

/// Writes a changed deal if nobody changed it since `current` was read.
pub(crate) async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: deal::ActiveModel,
    current: &deal::Model,
) -> Result<deal::Model> {
    let now = Utc::now();
    active.updated_at = Set(now);
    active.last_activity_at = Set(now);
    DEAL_ROWS.save(db, active, current.id, current.version).await
}

/// Records activity on a deal (a message) without changing its version.
pub(crate) async fn touch<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<()> {
    deal::Entity::update_many()
        .col_expr(deal::Column::LastActivityAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(deal::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Cancels a deal with a reason: either party, the broker, or the center; open deals and
/// agreed ones not yet under contract. Pending offers are withdrawn with it.
pub async fn cancel<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<deal::Model> {
    let (current, party) = load_locked(db, actor, id).await?;
    if party == Party::InvitedBroker {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_AN_INVITED_BROKER_DECLINES_THE_INVITATION_INSTEAD.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    let status = status_of(&current);
    if !(status.is_open() || status == DealStatus::Agreed) {
        return Err(refuse(ENTITY, "cancel", &current.status));
    }
    if status == DealStatus::Agreed && party == Party::Broker {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_AGREED_TERMS_ARE_CANCELLED_BY_A_PARTY.into()));
    }
    let reason = required_text(reason, 2000).map_err(|e| ListingsError::invalid("reason", e))?;
    let updated = close(db, Some(actor), &current, DealStatus::Cancelled, &reason).await?;
    for side in [Side::Seller, Side::Buyer] {
        notify_side(db, &updated, side, Some(actor), "deal_cancelled", msg::NOTICE_DEAL_CANCELLED.into()).await?;
    }
    Ok(updated)
}

/// Ends a deal as cancelled or expired: frees its live key, withdraws what is pending.
pub(crate) async fn close<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    current: &deal::Model,
    target: DealStatus,
    reason: &str,
) -> Result<deal::Model> {
    let now = Utc::now();
    let mut active: deal::ActiveModel = current.clone().into();
    active.status = Set(target.as_str().into());
    active.live_key = Set(None);
    active.closed_reason = Set(Some(reason.to_string()));
    active.closed_at = Set(Some(now));
    let updated = save(db, active, current).await?;
    offer::Entity::update_many()
        .col_expr(offer::Column::Status, sea_orm::sea_query::Expr::value("withdrawn"))
        .col_expr(offer::Column::DecisionReason, sea_orm::sea_query::Expr::value(format!("the deal was {target}")))
        .col_expr(offer::Column::DecidedAt, sea_orm::sea_query::Expr::value(now))
        .col_expr(offer::Column::Version, sea_orm::sea_query::Expr::col(offer::Column::Version).add(1))
        .filter(offer::Column::DealId.eq(current.id))
        .filter(offer::Column::Status.is_in(["pending", "proposed"]))
        .exec(db)
        .await?;
    crate::refusal::close_for_deal(db, current.id).await?;
    techex_listings::open_licences::release_pending(db, current.id).await?;
    let action = if target == DealStatus::Expired { "deal.expire" } else { "deal.cancel" };
    audit::record(db, actor, action, ENTITY, current.id, Some(snapshot(current)), Some(snapshot(&updated))).await?;
    Ok(updated)
}

/// Freezes terms into the deal's agreement and moves it to `agreed`. The deal row's
/// version guard and the unique accepted offer make this happen once per deal. An
/// assignment takes the achievement off the market and ends its other deals.
pub(crate) async fn agree<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    current: &deal::Model,
    agreement: Agreement,
) -> Result<deal::Model> {
    if !status_of(current).is_open() {
        return Err(refuse(ENTITY, "agree terms on", &current.status));
    }
    let mode = agreement.terms.mode;
    let mut active: deal::ActiveModel = current.clone().into();
    active.status = Set(DealStatus::Agreed.as_str().into());
    active.agreed_offer_id = Set(agreement.offer_id);
    active.agreed_at = Set(Some(agreement.agreed_at));
    active.agreement =
        Set(Some(serde_json::to_value(&agreement).map_err(|e| ListingsError::Internal(format!("agreement: {e}")))?));
    if current.broker_status.as_deref() != Some("accepted") {
        active.commission_bps = Set(None);
    }
    let updated = save(db, active, current).await?;
    audit::record(db, actor, "deal.agree", ENTITY, current.id, Some(snapshot(current)), Some(snapshot(&updated)))
        .await?;
    if mode == TransactionMode::Assignment
        && let Some(achievement_id) = current.achievement_id
    {
        let published = achievement::Entity::find_by_id(achievement_id)
            .one(db)
            .await?
            .is_some_and(|a| a.status == AchievementStatus::Published.as_str());
        if published {
            techex_listings::achievements::mark_traded(db, actor, achievement_id).await?;
        }
        let others = deal::Entity::find()
            .filter(deal::Column::AchievementId.eq(achievement_id))
            .filter(deal::Column::Id.ne(current.id))
            .filter(deal::Column::Status.is_in(["inquiry", "brokered", "negotiating"]))
            .all(db)
            .await?;
        for other in others {
            close(db, actor, &other, DealStatus::Cancelled, "the achievement was assigned in another deal").await?;
        }
    }
    for side in [Side::Seller, Side::Buyer] {
        notify_side(db, &updated, side, None, "deal_agreed", msg::NOTICE_DEAL_AGREED.into()).await?;
    }
    if let Some(broker) = updated.broker_id.filter(|_| updated.broker_status.as_deref() == Some("accepted")) {
        notify_user(db, &updated, broker, "deal_agreed", msg::NOTICE_DEAL_AGREED.into(), "agreed").await?;
    }
    Ok(updated)
}
