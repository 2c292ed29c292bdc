//! A broker invited to mediate a deal, and the broker's answer.

use super::*;

/// Invites a broker (either party), or assigns one (platform admins).
pub async fn invite_broker<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    input: InviteBroker,
) -> Result<deal::Model> {
    let (current, party) = load_locked(db, actor, id).await?;
    if !matches!(party, Party::Seller | Party::Buyer | Party::Center) {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_PARTIES_OR_THE_CENTER_CHOOSE.into()));
    }
    check_version(expected_version, current.version)?;
    if !status_of(&current).is_open() {
        return Err(refuse(ENTITY, "invite a broker to", &current.status));
    }
    // A licence taken by notice under an open licence has a broker only if the licensee
    // invites one (while it waits for that broker's answer): never the patentee's choice
    // nor the center's.
    if party != Party::Buyer && techex_listings::open_licences::pending_for_deal(db, id).await?.is_some() {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_LICENSEE_INVITES_A_BROKER.into()));
    }
    if current.broker_status.as_deref() == Some("accepted") {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_THIS_DEAL_ALREADY_HAS_A_BROKER.into()));
    }
    let (broker, rate) =
        check_broker(db, input.broker_id, input.commission_bps, current.seller_org_id, current.buyer_org_id).await?;
    let mut active: deal::ActiveModel = current.clone().into();
    active.broker_id = Set(Some(broker.id));
    active.broker_status = Set(Some("invited".into()));
    active.broker_invited_by = Set(Some(actor.user_id));
    active.commission_bps = Set(Some(rate));
    let updated = save(db, active, &current).await?;
    let action = if party == Party::Center { "deal.assign_broker" } else { "deal.invite_broker" };
    audit::record(db, Some(actor), action, ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated))).await?;
    notify_user(db, &updated, broker.id, "broker_invited", msg::NOTICE_BROKER_INVITED.into(), "invite").await?;
    Ok(updated)
}

/// The invited broker accepts (agreeing to the proposed commission) or declines.
pub async fn answer_invitation<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    accept: bool,
) -> Result<deal::Model> {
    let (current, party) = load_locked(db, actor, id).await?;
    if party != Party::InvitedBroker {
        return Err(match party {
            Party::Broker => refuse(ENTITY, "answer an invitation of", "already brokered"),
            _ => ListingsError::Forbidden(
                techex_core::msg::REFUSED_ONLY_THE_INVITED_BROKER_ANSWERS_THE_INVITATION.into(),
            ),
        });
    }
    check_version(expected_version, current.version)?;
    if !status_of(&current).is_open() {
        return Err(refuse(ENTITY, "take on", &current.status));
    }
    if accept {
        let profile = brokers::get(db, actor.user_id).await?;
        if !brokers::is_active(&profile) {
            return Err(ListingsError::Forbidden(
                techex_core::msg::REFUSED_A_SUSPENDED_BROKER_CANNOT_TAKE_ON_NEW.into(),
            ));
        }
        if !brokers::is_available(&profile) {
            return Err(ListingsError::Forbidden(
                techex_core::msg::REFUSED_A_BROKER_WHOSE_CERTIFICATE_HAS_EXPIRED_CANNOT.into(),
            ));
        }
    }
    let mut active: deal::ActiveModel = current.clone().into();
    active.broker_status = Set(Some(if accept { "accepted" } else { "declined" }.into()));
    if accept && status_of(&current) == DealStatus::Inquiry {
        active.status = Set(DealStatus::Brokered.as_str().into());
    }
    let updated = save(db, active, &current).await?;
    let action = if accept { "deal.broker_accept" } else { "deal.broker_decline" };
    audit::record(db, Some(actor), action, ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated))).await?;
    let message = if accept { msg::NOTICE_BROKER_ACCEPTED } else { msg::NOTICE_BROKER_DECLINED };
    for side in [Side::Seller, Side::Buyer] {
        notify_side(db, &updated, side, Some(actor), action, message.into()).await?;
    }
    Ok(updated)
}
