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

/// Opens the licensee's deal under a published declaration, agreed as it opens. The
/// caller holds the declaration (share-locked) and has checked the licensee.
pub async fn open_by_notice<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    declaration: &open_licence::Model,
) -> Result<deal::Model> {
    let now = Utc::now();
    let created = deal::ActiveModel {
        id: Set(new_id()),
        achievement_id: Set(Some(declaration.achievement_id)),
        demand_id: Set(None),
        auction_id: Set(None),
        seller_org_id: Set(declaration.organization_id),
        buyer_org_id: Set(actor.organization_id),
        opened_by: Set(actor.user_id),
        status: Set(DealStatus::Negotiating.as_str().into()),
        inquiry: Set("开放许可 · Open licence".into()),
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
    audit::record(db, Some(actor), "deal.open", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    let agreement = Agreement {
        source: "open_licence".into(),
        offer_id: None,
        auction_id: None,
        open_licence_id: Some(declaration.id),
        terms: open_licence_terms(declaration),
        seller_org_id: declaration.organization_id,
        buyer_org_id: actor.organization_id,
        broker_id: None,
        commission_bps: None,
        accepted_by: Some(actor.user_id),
        agreed_at: now,
    };
    agree(db, Some(actor), &created, agreement).await
}
