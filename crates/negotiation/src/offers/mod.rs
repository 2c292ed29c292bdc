//! Offers with structured terms. A party makes an offer for its side, or the broker
//! proposes one on a side's behalf for that side to confirm. The other side accepts,
//! rejects or counters (the counter references the offer it answers and supersedes it);
//! the maker withdraws; an offer past its deadline expires. Accepting freezes the terms
//! into the deal's agreement: exactly one accepted offer per deal, ever.
//!
//! ```text
//! proposed ─confirm→ pending ─accept→ accepted
//!    └─withdraw→ withdrawn   ├─reject→ rejected
//!                            ├─counter→ countered (a new offer answers it)
//!                            ├─withdraw→ withdrawn
//!                            └─deadline→ expired
//! ```
//!
//! Making and deciding offers is here; reading them in `view`, expiry in `expiry`.

use crate::deals::{self, Agreement, Party, load_locked, notify_side, status_of};
use crate::entities::{deal, offer};
use crate::terms::{TermChange, Terms, diff};
use crate::{Result, refuse};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use techex_core::domain::{DealStatus, OfferStatus, Side, TransactionMode};
use techex_core::text::optional_text;
use techex_core::{Actor, msg, new_id};
use techex_listings::error::check_version;
use techex_listings::{ListingsError, audit};
use utoipa::ToSchema;
use uuid::Uuid;

mod expiry;
mod view;

pub use expiry::*;
pub use view::*;

const ENTITY: &str = "offer";

/// Making (or countering with) an offer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MakeOffer {
    pub terms: Terms,
    /// Until when the offer may be accepted (RFC 3339, in the future, within a year).
    pub valid_until: DateTime<Utc>,
    /// For a broker: the side the offer is proposed for (`seller` or `buyer`); that side
    /// confirms it before the other side sees it as pending.
    #[serde(default)]
    pub on_behalf_of: Option<Side>,
}

/// A decision with an optional reason.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Decision {
    pub reason: Option<String>,
}

/// An offer as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferView {
    pub id: Uuid,
    pub deal_id: Uuid,
    /// 1, 2, … in the order offers were made on the deal.
    pub sequence: i32,
    /// Whose offer it is.
    pub side: Side,
    pub proposed_by: Uuid,
    /// Proposed by the broker on the side's behalf.
    pub by_broker: bool,
    /// The status now (a pending offer past its deadline shows as expired).
    pub status: OfferStatus,
    /// The offer this one counters.
    pub counters_id: Option<Uuid>,
    pub terms: Terms,
    pub valid_until: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

/// An offer beside the one it counters.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferDiff {
    pub offer: OfferView,
    pub countered: Option<OfferView>,
    /// The fields that changed, `before` from the countered offer.
    pub changes: Vec<TermChange>,
}

fn stored_status(model: &offer::Model) -> OfferStatus {
    OfferStatus::parse(&model.status).unwrap_or(OfferStatus::Withdrawn)
}

/// The status as of `now`: open offers past their deadline are expired.
pub fn effective_status(model: &offer::Model, now: DateTime<Utc>) -> OfferStatus {
    match stored_status(model) {
        OfferStatus::Pending | OfferStatus::Proposed if model.valid_until <= now => OfferStatus::Expired,
        other => other,
    }
}

fn terms_of(model: &offer::Model) -> Result<Terms> {
    serde_json::from_value(model.terms.clone()).map_err(|e| ListingsError::Internal(format!("stored terms: {e}")))
}

pub fn view(model: offer::Model) -> Result<OfferView> {
    Ok(OfferView {
        status: effective_status(&model, Utc::now()),
        terms: terms_of(&model)?,
        side: Side::parse(&model.side).unwrap_or(Side::Seller),
        id: model.id,
        deal_id: model.deal_id,
        sequence: model.sequence,
        proposed_by: model.proposed_by,
        by_broker: model.by_broker,
        counters_id: model.counters_id,
        valid_until: model.valid_until,
        decided_by: model.decided_by,
        decided_at: model.decided_at,
        decision_reason: model.decision_reason,
        version: model.version,
        created_at: model.created_at,
    })
}

fn snapshot(model: &offer::Model) -> serde_json::Value {
    serde_json::json!({
        "deal_id": model.deal_id, "sequence": model.sequence, "side": model.side, "status": model.status,
        "by_broker": model.by_broker, "counters_id": model.counters_id, "terms": model.terms,
        "valid_until": model.valid_until, "decision_reason": model.decision_reason, "version": model.version,
    })
}

/// The party may see the deal's offers (proposals awaiting a side's confirmation are
/// shown to that side and the broker only). The single rule for an offer, its list and
/// its steps in the deal's timeline.
pub(crate) fn may_see(party: Party, model: &offer::Model) -> bool {
    match party {
        Party::Broker | Party::Center => true,
        Party::Seller | Party::Buyer => {
            stored_status(model) != OfferStatus::Proposed || party.side().map(Side::as_str) == Some(model.side.as_str())
        }
        Party::InvitedBroker => false,
    }
}

/// Loads an offer and its deal (locked), as the actor may see them.
async fn load<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<(offer::Model, deal::Model, Party)> {
    let found = offer::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    let (deal, party) = load_locked(db, actor, found.deal_id).await.map_err(|_| ListingsError::NotFound(ENTITY))?;
    // Re-read under the deal's lock: the row may have changed while we waited.
    let current = offer::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    if !may_see(party, &current) {
        return Err(ListingsError::NotFound(ENTITY));
    }
    Ok((current, deal, party))
}

fn ensure_deal_open(deal: &deal::Model, action: &'static str) -> Result<()> {
    if !status_of(deal).is_open() {
        return Err(refuse(deals::ENTITY, action, &deal.status));
    }
    Ok(())
}

/// Which side the actor makes an offer for, and whether the broker proposes it.
fn maker_side(party: Party, on_behalf_of: Option<Side>) -> Result<(Side, bool)> {
    match (party, on_behalf_of) {
        (Party::Seller | Party::Buyer, requested) => {
            let own = party.side().ok_or(ListingsError::NotFound(ENTITY))?;
            if requested.is_some_and(|s| s != own) {
                return Err(ListingsError::invalid("on_behalf_of", techex_core::msg::OFFER_OWN_SIDE_ONLY));
            }
            Ok((own, false))
        }
        (Party::Broker, Some(side)) => Ok((side, true)),
        (Party::Broker, None) => {
            Err(ListingsError::invalid("on_behalf_of", techex_core::msg::OFFER_BROKER_SIDE_REQUIRED))
        }
        _ => Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_PARTIES_AND_THEIR_BROKER_MAKE.into())),
    }
}

async fn insert<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    deal: &deal::Model,
    input: MakeOffer,
    side: Side,
    by_broker: bool,
    counters: Option<Uuid>,
) -> Result<offer::Model> {
    if techex_listings::open_licences::is_by_notice(db, deal.id).await? {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_A_LICENCE_TAKEN_BY_NOTICE_IS_ON.into()));
    }
    let mut terms = input.terms;
    let now = Utc::now();
    // `valid_until` sits beside `terms` in the body; its error names it there.
    let mut errors = terms.validate(None, now).err().map(|e| e.prefixed("terms")).unwrap_or_default();
    if let Err(message) = crate::terms::check_valid_until(input.valid_until, now) {
        errors.add("valid_until", message);
    }
    // While a patent is open for licensing its owner may grant no exclusive or sole
    // licence (Patent Law art. 51).
    if matches!(terms.mode, TransactionMode::ExclusiveLicense | TransactionMode::SoleLicense)
        && let Some(achievement) = deal.achievement_id
        && techex_listings::open_licences::is_open(db, achievement).await?
    {
        errors.add("terms.mode", techex_core::msg::OPEN_LICENCE_BLOCKS_EXCLUSIVE);
    }
    errors.into_result()?;
    let terms = terms.with_default_schedule();
    let last = offer::Entity::find()
        .filter(offer::Column::DealId.eq(deal.id))
        .order_by_desc(offer::Column::Sequence)
        .one(db)
        .await?
        .map_or(0, |o| o.sequence);
    let status = if by_broker { OfferStatus::Proposed } else { OfferStatus::Pending };
    let created = offer::ActiveModel {
        id: Set(new_id()),
        deal_id: Set(deal.id),
        sequence: Set(last + 1),
        side: Set(side.as_str().into()),
        proposed_by: Set(actor.user_id),
        by_broker: Set(by_broker),
        status: Set(status.as_str().into()),
        counters_id: Set(counters),
        terms: Set(serde_json::to_value(&terms).map_err(|e| ListingsError::Internal(e.to_string()))?),
        valid_until: Set(input.valid_until),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
        accepted_deal_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(|e| ListingsError::from_db_unique(e, techex_core::msg::REFUSED_ANOTHER_OFFER_WAS_MADE_AT_THE_SAME))?;
    let action = if counters.is_some() { "offer.counter" } else { "offer.make" };
    audit::record(db, Some(actor), action, ENTITY, created.id, None, Some(snapshot(&created))).await?;
    // Negotiation starts with the first offer; the deal's version moves with every offer.
    let mut active: deal::ActiveModel = deal.clone().into();
    if matches!(status_of(deal), DealStatus::Inquiry | DealStatus::Brokered) {
        active.status = Set(DealStatus::Negotiating.as_str().into());
    }
    let updated = deals::save(db, active, deal).await?;
    if updated.status != deal.status {
        audit::record(
            db,
            Some(actor),
            "deal.negotiate",
            deals::ENTITY,
            deal.id,
            Some(deals::snapshot(deal)),
            Some(deals::snapshot(&updated)),
        )
        .await?;
    }
    let (to, message) = if by_broker {
        (side, msg::NOTICE_OFFER_PROPOSED_BY_BROKER)
    } else {
        (side.other(), msg::NOTICE_OFFER_RECEIVED)
    };
    notify_side(db, &updated, to, Some(actor), &format!("offer_{}", created.sequence), message.into()).await?;
    Ok(created)
}

/// Makes an offer on a deal.
pub async fn make<C: ConnectionTrait>(db: &C, actor: &Actor, deal_id: Uuid, input: MakeOffer) -> Result<offer::Model> {
    let (deal, party) = load_locked(db, actor, deal_id).await?;
    if matches!(party, Party::InvitedBroker | Party::Center) {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_PARTIES_AND_THEIR_BROKER_MAKE.into()));
    }
    let (side, by_broker) = maker_side(party, input.on_behalf_of)?;
    ensure_deal_open(&deal, "make an offer on")?;
    insert(db, actor, &deal, input, side, by_broker, None).await
}

/// Changes an offer's status if it is still what was read; bumps its version.
async fn transition<C: ConnectionTrait>(
    db: &C,
    current: &offer::Model,
    target: OfferStatus,
    actor: &Actor,
    reason: Option<String>,
    accepted_deal: Option<Uuid>,
) -> Result<offer::Model> {
    let now = Utc::now();
    let mut active: offer::ActiveModel = current.clone().into();
    active.status = Set(target.as_str().into());
    active.version = Set(current.version + 1);
    active.updated_at = Set(now);
    if target != OfferStatus::Pending {
        active.decided_by = Set(Some(actor.user_id));
        active.decided_at = Set(Some(now));
        active.decision_reason = Set(reason);
    }
    active.accepted_deal_id = Set(accepted_deal);
    let result = offer::Entity::update_many()
        .set(active)
        .filter(offer::Column::Id.eq(current.id))
        .filter(offer::Column::Version.eq(current.version))
        .filter(offer::Column::Status.eq(current.status.as_str()))
        .exec(db)
        .await
        .map_err(|e| {
            ListingsError::from_db_unique(e, techex_core::msg::REFUSED_ANOTHER_OFFER_OF_THIS_DEAL_WAS_ACCEPTED)
        })?;
    let reloaded = offer::Entity::find_by_id(current.id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    if result.rows_affected != 1 {
        // Decided by someone else meanwhile: its state refuses this (409); merely edited,
        // the caller's version is stale (412).
        if reloaded.status != current.status {
            return Err(refuse(ENTITY, "decide", &reloaded.status));
        }
        return Err(ListingsError::Stale { given: current.version, current: reloaded.version });
    }
    Ok(reloaded)
}

/// Refuses an action on an offer that is not open any more (with its real status).
fn ensure_open(current: &offer::Model, wanted: OfferStatus, action: &'static str) -> Result<()> {
    let status = effective_status(current, Utc::now());
    if status != wanted {
        return Err(refuse(ENTITY, action, status.as_str()));
    }
    Ok(())
}

/// The counterparty of a pending offer (not its maker, not the broker).
fn ensure_counterparty(party: Party, current: &offer::Model, action: &str) -> Result<()> {
    match party.side() {
        Some(side) if side.as_str() != current.side => Ok(()),
        Some(_) => Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_OFFER_MAKER_CANNOT_ANSWER.with("action", action.to_string()),
        )),
        None => Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_OFFER_BROKER_CANNOT_ANSWER.with("action", action.to_string()),
        )),
    }
}

/// Accepts a pending offer: its terms become the deal's agreement.
pub async fn accept<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<(offer::Model, deal::Model)> {
    let (current, deal, party) = load(db, actor, id).await?;
    ensure_counterparty(party, &current, "accept")?;
    check_version(expected_version, current.version)?;
    ensure_open(&current, OfferStatus::Pending, "accept")?;
    ensure_deal_open(&deal, "accept an offer on")?;
    let terms = terms_of(&current)?;
    crate::refusal::ensure_cleared(db, &deal, &current, &terms).await?;
    let accepted = transition(db, &current, OfferStatus::Accepted, actor, None, Some(deal.id)).await?;
    audit::record(db, Some(actor), "offer.accept", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&accepted)))
        .await?;
    close_others(db, actor, &deal, id, "another offer was accepted").await?;
    let agreement = Agreement {
        source: "offer".into(),
        offer_id: Some(id),
        auction_id: None,
        open_licence_id: None,
        terms,
        seller_org_id: deal.seller_org_id,
        buyer_org_id: deal.buyer_org_id,
        broker_id: deal.broker_id.filter(|_| deal.broker_status.as_deref() == Some("accepted")),
        commission_bps: deal.commission_bps.filter(|_| deal.broker_status.as_deref() == Some("accepted")),
        accepted_by: Some(actor.user_id),
        agreed_at: Utc::now(),
    };
    let agreed = deals::agree(db, Some(actor), &deal, agreement).await?;
    Ok((accepted, agreed))
}

/// Rejects every other open offer of the deal once one is accepted.
async fn close_others<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    deal: &deal::Model,
    accepted: Uuid,
    reason: &str,
) -> Result<()> {
    let others = offer::Entity::find()
        .filter(offer::Column::DealId.eq(deal.id))
        .filter(offer::Column::Id.ne(accepted))
        .filter(offer::Column::Status.is_in(["pending", "proposed"]))
        .all(db)
        .await?;
    for other in others {
        let closed = transition(db, &other, OfferStatus::Rejected, actor, Some(reason.into()), None).await?;
        audit::record(
            db,
            Some(actor),
            "offer.superseded",
            ENTITY,
            other.id,
            Some(snapshot(&other)),
            Some(snapshot(&closed)),
        )
        .await?;
    }
    Ok(())
}

/// Rejects a pending offer (the other side), with an optional reason.
pub async fn reject<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    decision: Decision,
) -> Result<offer::Model> {
    let (current, deal, party) = load(db, actor, id).await?;
    ensure_counterparty(party, &current, "reject")?;
    check_version(expected_version, current.version)?;
    ensure_open(&current, OfferStatus::Pending, "reject")?;
    ensure_deal_open(&deal, "reject an offer on")?;
    let reason = optional_text(decision.reason.as_deref(), 2000).map_err(|e| ListingsError::invalid("reason", e))?;
    let rejected = transition(db, &current, OfferStatus::Rejected, actor, reason, None).await?;
    audit::record(db, Some(actor), "offer.reject", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&rejected)))
        .await?;
    deals::touch(db, deal.id).await?;
    let side = Side::parse(&current.side).unwrap_or(Side::Seller);
    notify_side(
        db,
        &deal,
        side,
        Some(actor),
        &format!("offer_rejected_{}", current.sequence),
        msg::NOTICE_OFFER_REJECTED.into(),
    )
    .await?;
    Ok(rejected)
}

/// Answers a pending offer with a counter-offer that supersedes it. The other side
/// counters for itself; the broker may propose a counter on its behalf (it then waits
/// for that side's confirmation, and the answered offer stays pending until then).
pub async fn counter<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    input: MakeOffer,
) -> Result<offer::Model> {
    let (current, deal, party) = load(db, actor, id).await?;
    let answering = Side::parse(&current.side).unwrap_or(Side::Seller).other();
    let by_broker = match party {
        Party::Broker => {
            if input.on_behalf_of.is_some_and(|s| s != answering) {
                return Err(ListingsError::invalid("on_behalf_of", techex_core::msg::COUNTER_OFFER_SIDE));
            }
            true
        }
        _ => {
            ensure_counterparty(party, &current, "counter")?;
            false
        }
    };
    check_version(expected_version, current.version)?;
    ensure_open(&current, OfferStatus::Pending, "counter")?;
    ensure_deal_open(&deal, "counter an offer on")?;
    if !by_broker {
        let countered = transition(db, &current, OfferStatus::Countered, actor, None, None).await?;
        audit::record(
            db,
            Some(actor),
            "offer.countered",
            ENTITY,
            id,
            Some(snapshot(&current)),
            Some(snapshot(&countered)),
        )
        .await?;
    }
    let deal = deals::get_fresh(db, deal.id).await?;
    insert(db, actor, &deal, input, answering, by_broker, Some(id)).await
}

/// The side confirms terms the broker proposed on its behalf; they become pending (and a
/// counter-proposal supersedes the offer it answers).
pub async fn confirm<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<offer::Model> {
    let (current, deal, party) = load(db, actor, id).await?;
    if party.side().map(Side::as_str) != Some(current.side.as_str()) {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_SIDE_IT_WAS_PROPOSED_FOR.into()));
    }
    check_version(expected_version, current.version)?;
    ensure_open(&current, OfferStatus::Proposed, "confirm")?;
    ensure_deal_open(&deal, "confirm an offer on")?;
    if let Some(answered) = current.counters_id {
        let original = offer::Entity::find_by_id(answered).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
        ensure_open(&original, OfferStatus::Pending, "counter")?;
        let countered = transition(db, &original, OfferStatus::Countered, actor, None, None).await?;
        audit::record(
            db,
            Some(actor),
            "offer.countered",
            ENTITY,
            answered,
            Some(snapshot(&original)),
            Some(snapshot(&countered)),
        )
        .await?;
    }
    let confirmed = transition(db, &current, OfferStatus::Pending, actor, None, None).await?;
    audit::record(db, Some(actor), "offer.confirm", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&confirmed)))
        .await?;
    deals::touch(db, deal.id).await?;
    let side = Side::parse(&current.side).unwrap_or(Side::Seller);
    notify_side(
        db,
        &deal,
        side.other(),
        Some(actor),
        &format!("offer_{}", current.sequence),
        msg::NOTICE_OFFER_RECEIVED.into(),
    )
    .await?;
    Ok(confirmed)
}

/// The maker withdraws an open offer (the broker, a proposal of its own).
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    decision: Decision,
) -> Result<offer::Model> {
    let (current, deal, party) = load(db, actor, id).await?;
    let own_side = party.side().map(Side::as_str) == Some(current.side.as_str());
    let brokers_proposal = party == Party::Broker && current.by_broker;
    if !(own_side || brokers_proposal) {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_SIDE_THAT_MADE_AN_OFFER.into()));
    }
    check_version(expected_version, current.version)?;
    let status = effective_status(&current, Utc::now());
    if !matches!(status, OfferStatus::Pending | OfferStatus::Proposed) {
        return Err(refuse(ENTITY, "withdraw", status.as_str()));
    }
    ensure_deal_open(&deal, "withdraw an offer on")?;
    let reason = optional_text(decision.reason.as_deref(), 2000).map_err(|e| ListingsError::invalid("reason", e))?;
    let withdrawn = transition(db, &current, OfferStatus::Withdrawn, actor, reason, None).await?;
    audit::record(db, Some(actor), "offer.withdraw", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&withdrawn)))
        .await?;
    deals::touch(db, deal.id).await?;
    Ok(withdrawn)
}
