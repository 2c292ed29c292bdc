//! A deal agreed by notice: an organization takes a licence under a published
//! open-licence declaration (专利开放许可, Patent Law art. 51). The declaration stands for
//! the licensor's consent, so there is no negotiation: the deal opens agreed on the
//! declared terms, and its contract is drafted at once.

use super::*;
use techex_listings::entities::open_licence;

/// The terms a licence under a declaration carries: an ordinary licence at the declared
/// fee and royalty, the fee (or entry fee) due in full on signing.
pub fn open_licence_terms(declaration: &open_licence::Model) -> Terms {
    Terms {
        mode: TransactionMode::OrdinaryLicense,
        currency: techex_core::Currency::parse(&declaration.currency).unwrap_or_default(),
        lump_sum_minor: declaration.fee_minor,
        royalty_bps: declaration.royalty_bps,
        royalty_base: declaration
            .royalty_bps
            .and_then(|_| techex_core::domain::RoyaltyBase::parse(declaration.royalty_base.as_deref()?).ok()),
        royalty_minimum_minor: declaration.royalty_minimum_minor,
        equity_bps: None,
        milestones: Vec::new(),
        territory: declaration.territory.clone(),
        term_years: declaration.term_years,
        exclusive: false,
        improvements: crate::terms::Improvements::EachOwn,
        notes: declaration.conditions.clone(),
    }
    .with_default_schedule()
}

/// Opens the licensee's deal under a published declaration. The caller holds the
/// declaration (share-locked) and has checked the licensee. Without a broker the deal is
/// agreed as it opens; with one it waits in `inquiry` for the broker's acceptance
/// (`agree_by_notice` then), the broker invited on the proposed commission.
pub async fn open_by_notice<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    declaration: &open_licence::Model,
    broker: Option<InviteBroker>,
) -> Result<deal::Model> {
    let invited = match broker {
        Some(invite) => Some(
            check_broker(
                db,
                invite.broker_id,
                invite.commission_bps,
                declaration.organization_id,
                actor.organization_id,
            )
            .await?,
        ),
        None => None,
    };
    let now = Utc::now();
    let created = deal::ActiveModel {
        id: Set(new_id()),
        achievement_id: Set(Some(declaration.achievement_id)),
        demand_id: Set(None),
        auction_id: Set(None),
        seller_org_id: Set(declaration.organization_id),
        buyer_org_id: Set(actor.organization_id),
        opened_by: Set(actor.user_id),
        status: Set(if invited.is_some() { DealStatus::Inquiry } else { DealStatus::Negotiating }.as_str().into()),
        inquiry: Set("开放许可 · Open licence".into()),
        broker_id: Set(invited.as_ref().map(|(b, _)| b.id)),
        broker_status: Set(invited.as_ref().map(|_| "invited".to_string())),
        broker_invited_by: Set(invited.as_ref().map(|_| actor.user_id)),
        commission_bps: Set(invited.as_ref().map(|(_, rate)| *rate)),
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
    audit::record(db, Some(actor), "deal.open", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    match invited {
        Some((broker, _)) => {
            notify_user(db, &created, broker.id, "broker_invited", msg::NOTICE_BROKER_INVITED.into(), "invite").await?;
            Ok(created)
        }
        None => agree_by_notice(db, Some(actor), &created, declaration).await,
    }
}

/// Agrees a deal opened by notice on the declared terms: at once without a broker, or
/// when the invited broker accepts (the broker and the commission then go into the
/// agreement, and the broker into the contract as 丙方).
pub async fn agree_by_notice<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    current: &deal::Model,
    declaration: &open_licence::Model,
) -> Result<deal::Model> {
    let brokered = current.broker_status.as_deref() == Some("accepted");
    let agreement = Agreement {
        source: "open_licence".into(),
        offer_id: None,
        auction_id: None,
        open_licence_id: Some(declaration.id),
        terms: open_licence_terms(declaration),
        seller_org_id: current.seller_org_id,
        buyer_org_id: current.buyer_org_id,
        broker_id: current.broker_id.filter(|_| brokered),
        commission_bps: current.commission_bps.filter(|_| brokered),
        accepted_by: Some(current.opened_by),
        agreed_at: Utc::now(),
    };
    agree(db, actor, current, agreement).await
}
