//! Ending a contract in force: by agreement of both parties, or by one party's notice on
//! the other's default (Civil Code art. 563), and the notifications that go with it.

use super::*;

/// A contract ends only when none of its milestones holds or is about to hold the
/// buyer's money (`payment_pending`, `paid`): those are accepted or rejected first.
pub(super) async fn ensure_no_money_held<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<()> {
    use sea_orm::PaginatorTrait;
    let held = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(id))
        .filter(
            milestone::Column::Status.is_in([MilestoneStatus::PaymentPending.as_str(), MilestoneStatus::Paid.as_str()]),
        )
        .count(db)
        .await?;
    if held > 0 {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_A_MILESTONE_IS_PAID_OR_BEING_PAID.into()));
    }
    Ok(())
}

/// The milestones not yet paid fall away when a contract ends.
pub(super) async fn cancel_unpaid_milestones<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<()> {
    milestone::Entity::update_many()
        .col_expr(milestone::Column::Status, sea_orm::sea_query::Expr::value(MilestoneStatus::Cancelled.as_str()))
        .filter(milestone::Column::ContractId.eq(id))
        .filter(milestone::Column::Status.eq(MilestoneStatus::Scheduled.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

pub(super) fn termination_side(role: ContractRole) -> Result<&'static str> {
    match role {
        ContractRole::Seller => Ok("seller"),
        ContractRole::Buyer => Ok("buyer"),
        _ => Err(ListingsError::Forbidden(techex_core::msg::REFUSED_THE_SELLER_AND_THE_BUYER_TERMINATE_THEIR.into())),
    }
}

/// The contract a party may end (registered or performing, at the expected version), locked,
/// with the party's side.
pub(super) async fn open_for_termination<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<(contract::Model, &'static str)> {
    let (current, role) = load(db, actor, id, true).await?;
    let side = termination_side(role)?;
    check_version(expected_version, current.version)?;
    if !contract_status(&current)?.is_in_force() {
        return Err(refuse("terminate", &current));
    }
    Ok((current, side))
}

/// The reason a party gives for ending a contract, trimmed (required, at most 2,000
/// characters).
pub fn termination_reason(reason: &str) -> Result<String> {
    required_text(reason, 2000).map_err(|e| ListingsError::invalid("reason", e))
}

/// One party proposes to end a registered contract by agreement (Civil Code art. 562),
/// with its reason; the other party agrees or declines. Milestones paid or being paid
/// are settled first (accepted or rejected), so no money is left in escrow.
pub async fn propose_termination<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<contract::Model> {
    let (current, side) = open_for_termination(db, actor, id, expected_version).await?;
    if current.termination_proposed_by.is_some() {
        return Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_A_TERMINATION_IS_ALREADY_PROPOSED_ANSWER_OR.into(),
        ));
    }
    let reason = termination_reason(reason)?;
    ensure_no_money_held(db, id).await?;
    let mut active: contract::ActiveModel = current.clone().into();
    active.termination_proposed_by = Set(Some(side.into()));
    active.termination_reason = Set(Some(reason));
    let updated = save(db, active, &current).await?;
    audit::record(
        db,
        Some(actor),
        "contract.termination_propose",
        ENTITY,
        id,
        Some(snapshot(&current)),
        Some(snapshot(&updated)),
    )
    .await?;
    Ok(updated)
}

/// Answers a proposed termination: the other party agrees (the contract is `terminated`
/// and its unpaid milestones `cancelled`) or declines; the proposer may withdraw it
/// (`agree = false`).
pub async fn answer_termination<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    agree: bool,
) -> Result<contract::Model> {
    let (current, role) = load(db, actor, id, true).await?;
    let side = termination_side(role)?;
    check_version(expected_version, current.version)?;
    let Some(proposer) = current.termination_proposed_by.clone() else {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_NO_TERMINATION_IS_PROPOSED.into()));
    };
    if agree && proposer == side {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_THE_OTHER_PARTY_AGREES_TO_THE_TERMINATION.into(),
        ));
    }
    let mut active: contract::ActiveModel = current.clone().into();
    active.termination_proposed_by = Set(None);
    let action = if agree {
        ensure_no_money_held(db, id).await?;
        cancel_unpaid_milestones(db, id).await?;
        active.status = Set(ContractStatus::Terminated.as_str().into());
        active.terminated_at = Set(Some(Utc::now()));
        active.termination_ground = Set(Some("agreement".into()));
        active.terminated_by = Set(Some(proposer.clone()));
        "contract.terminate"
    } else {
        active.termination_reason = Set(None);
        if proposer == side { "contract.termination_withdraw" } else { "contract.termination_decline" }
    };
    let updated = save(db, active, &current).await?;
    audit::record(db, Some(actor), action, ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated))).await?;
    Ok(updated)
}

/// What entitles a party to terminate by notice, if anything: for the seller a milestone
/// unpaid more than the cure period after its due date (`buyer_default`), for the buyer a
/// delivery that failed acceptance and was refunded (`seller_default`).
pub(super) fn breach_ground(
    side: &str,
    milestones: &[milestone::Model],
    cure_period_days: i32,
    today: chrono::NaiveDate,
) -> std::result::Result<&'static str, techex_core::Message> {
    if side == "seller" {
        let overdue = milestones.iter().any(|m| {
            m.status == MilestoneStatus::Scheduled.as_str()
                && crate::lifecycle::overdue_past_cure(m.due_date, today, cure_period_days)
        });
        if overdue {
            Ok("buyer_default")
        } else {
            Err(techex_core::msg::REFUSED_BUYER_NOT_IN_DEFAULT.with("days", cure_period_days))
        }
    } else if milestones.iter().any(|m| m.status == MilestoneStatus::Refunded.as_str()) {
        Ok("seller_default")
    } else {
        Err(techex_core::msg::REFUSED_SELLER_NOT_IN_DEFAULT.into())
    }
}

/// One party terminates a registered contract by notice for the other's breach (Civil
/// Code arts. 563, 565): the seller when a milestone is unpaid more than the contract's
/// cure period after its due date, the buyer when a delivery failed acceptance and was
/// refunded. The contract is `terminated` at once (the notice reaches the other party
/// through techex), its unpaid milestones `cancelled`, any pending proposal to terminate
/// by agreement superseded, and the other side notified. Refused while a milestone holds
/// money, and without a ground.
pub async fn give_termination_notice<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<contract::Model> {
    let (current, side) = open_for_termination(db, actor, id, expected_version).await?;
    let reason = termination_reason(reason)?;
    ensure_no_money_held(db, id).await?;
    let milestones = milestone::Entity::find().filter(milestone::Column::ContractId.eq(id)).all(db).await?;
    let cure = current_content(db, &current).await?.0.clauses.cure_period_days;
    let ground = breach_ground(side, &milestones, cure, Utc::now().date_naive()).map_err(ListingsError::Conflict)?;
    cancel_unpaid_milestones(db, id).await?;
    let mut active: contract::ActiveModel = current.clone().into();
    active.status = Set(ContractStatus::Terminated.as_str().into());
    active.terminated_at = Set(Some(Utc::now()));
    active.termination_proposed_by = Set(None);
    active.termination_reason = Set(Some(reason));
    active.termination_ground = Set(Some(ground.into()));
    active.terminated_by = Set(Some(side.into()));
    let updated = save(db, active, &current).await?;
    audit::record(
        db,
        Some(actor),
        "contract.terminate_notice",
        ENTITY,
        id,
        Some(snapshot(&current)),
        Some(snapshot(&updated)),
    )
    .await?;
    let other_org = if side == "seller" { updated.buyer_org_id } else { updated.seller_org_id };
    let notice = ContractNotice {
        kind: "contract_terminated",
        message: msg::NOTICE_CONTRACT_TERMINATED.into(),
        body: updated.termination_reason.clone(),
        key: format!("terminated:{}", updated.version),
    };
    notify_organization(db, &updated, other_org, &notice).await?;
    if let Some(broker) = updated.broker_id {
        notify_member(db, &updated, broker, &notice).await?;
    }
    Ok(updated)
}

/// A notification about a contract: what kind, its words, and the key that makes it
/// happen once per user.
pub(crate) struct ContractNotice<'a> {
    pub(crate) kind: &'a str,
    pub(crate) message: Message,
    pub(crate) body: Option<String>,
    pub(crate) key: String,
}

/// Notifies the active members of an organization about a contract; returns how many
/// notifications were new.
pub(crate) async fn notify_organization<C: ConnectionTrait>(
    db: &C,
    contract: &contract::Model,
    organization_id: Uuid,
    notice: &ContractNotice<'_>,
) -> Result<u32> {
    use techex_listings::notifications::{Audience, notify_members};
    notify_members(db, organization_id, Audience::Members, None, &template(contract, notice)).await
}

/// One notification about a contract to one user; whether it was new.
pub(crate) async fn notify_member<C: ConnectionTrait>(
    db: &C,
    contract: &contract::Model,
    user_id: Uuid,
    notice: &ContractNotice<'_>,
) -> Result<bool> {
    let mut one = template(contract, notice);
    one.user_id = user_id;
    one.dedupe_key = format!("{}:{user_id}", one.dedupe_key);
    techex_listings::notifications::notify(db, one).await
}

/// A contract notice before it has a reader: `notify_members` fills in each reader and
/// ends the dedupe key with the reader's id, as `notify_member` does for one user.
fn template(
    contract: &contract::Model,
    notice: &ContractNotice<'_>,
) -> techex_listings::notifications::NewNotification {
    techex_listings::notifications::NewNotification {
        user_id: Uuid::nil(),
        kind: notice.kind.into(),
        message: notice.message.clone(),
        body: notice.body.clone(),
        entity_type: Some(ENTITY.into()),
        entity_id: Some(contract.id),
        dedupe_key: format!("contract:{}:{}", contract.id, notice.key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn milestone(status: &str, due: Option<NaiveDate>) -> milestone::Model {
        milestone::Model {
            id: Uuid::nil(),
            contract_id: Uuid::nil(),
            sequence: 1,
            title: "首付".into(),
            amount_minor: 100,
            currency: "CNY".into(),
            due_days_after_signing: 0,
            due_date: due,
            acceptance_criteria: None,
            status: status.into(),
            royalty_report_id: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    #[test]
    fn the_seller_may_give_notice_only_after_the_cure_period_and_the_buyer_only_after_a_refund() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        let due = |days: i64| Some(today - chrono::Duration::days(days));
        // Exactly the cure period overdue is still within it; a day more is a default.
        assert!(breach_ground("seller", &[milestone("scheduled", due(30))], 30, today).is_err());
        assert_eq!(breach_ground("seller", &[milestone("scheduled", due(31))], 30, today), Ok("buyer_default"));
        // Paid, accepted or undated milestones are no default of the buyer.
        for status in ["paid", "accepted", "refunded", "cancelled"] {
            assert!(breach_ground("seller", &[milestone(status, due(90))], 30, today).is_err(), "{status}");
        }
        assert!(breach_ground("seller", &[milestone("scheduled", None)], 30, today).is_err());
        // The buyer needs a delivery that failed acceptance and was refunded.
        assert!(breach_ground("buyer", &[milestone("scheduled", due(90))], 30, today).is_err());
        assert_eq!(breach_ground("buyer", &[milestone("refunded", due(0))], 30, today), Ok("seller_default"));
    }
}
