//! The buyer accepts a paid milestone (escrow released, payouts queued) or rejects it
//! within the window (refunded).

use super::*;

/// The buyer accepts a paid milestone: escrow is released to the seller, less the broker's
/// commission (basis points of the amount, rounded down to the fen), and their payouts are
/// queued (returned, to be sent once this transaction commits). When every milestone is
/// settled the contract is completed.
pub async fn accept<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<(PaymentView, Vec<Uuid>)> {
    let (ms, c, role) = load(db, actor, id, true).await?;
    if role != ContractRole::Buyer {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_THE_BUYER_ACCEPTS_THE_MILESTONES.into()));
    }
    if ms.status != MilestoneStatus::Paid.as_str() {
        return Err(refuse("accept", &ms));
    }
    let payouts = release(db, Some(actor), &ms, &c).await?;
    let row = latest(db, id).await?;
    let ms = milestone::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound("milestone"))?;
    Ok((view(&ms, row.as_ref()), payouts))
}

/// Releases a paid milestone's escrow to the seller, less the broker's commission, queues
/// their payouts (returned, to be sent once the transaction commits) and completes the
/// contract when everything is settled. The buyer's acceptance does it for a delivery; a
/// royalty is released as soon as it is paid (`actor` is then none).
pub(crate) async fn release<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    ms: &milestone::Model,
    c: &contract::Model,
) -> Result<Vec<Uuid>> {
    let content = techex_contracts::contracts::content_of(db, c).await?;
    let bps = if c.broker_id.is_some() { content.commission_bps.unwrap_or(0) } else { 0 };
    let commission = ledger::commission(ms.amount_minor, bps);
    let mut legs = vec![
        (ledger::escrow(c.id), ms.amount_minor),
        (ledger::seller_payable(c.seller_org_id), -(ms.amount_minor - commission)),
    ];
    if let Some(broker) = c.broker_id.filter(|_| commission > 0) {
        legs.push((ledger::broker_payable(broker), -commission));
    }
    ledger::post(db, "release", &ms.currency, Some(c.id), Some(ms.id), &legs).await?;
    move_milestone(db, ms, MilestoneStatus::Accepted).await?;
    audit::record(db, actor, "milestone.accept", "milestone", ms.id, Some(serde_json::json!({"status": "paid"})),
        Some(serde_json::json!({"status": "accepted", "seller": ms.amount_minor - commission, "broker_commission": commission})))
        .await?;
    let payouts = crate::payouts::schedule(db, c, ms, ms.amount_minor - commission, commission).await?;
    lifecycle::complete_if_settled(db, c.id).await?;
    Ok(payouts)
}

/// The buyer rejects a paid milestone within the window: the payment is refunded through
/// the provider (idempotently) and the escrow goes back.
pub async fn reject(
    db: &DatabaseConnection,
    gateway: &dyn Gateway,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> Result<PaymentView> {
    let reason = required_text(reason, 2000).map_err(|e| ListingsError::invalid("reason", e))?;
    let (ms, c, role) = load(db, actor, id, false).await?;
    if role != ContractRole::Buyer {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_THE_BUYER_REJECTS_A_DELIVERED_MILESTONE.into()));
    }
    let window = techex_contracts::contracts::get_view(db, actor, c.id).await?.content.clauses.rejection_window_days;
    if ms.status != MilestoneStatus::Paid.as_str() {
        return Err(refuse("reject", &ms));
    }
    let row = payment::Entity::find()
        .filter(payment::Column::MilestoneId.eq(id))
        .filter(payment::Column::Status.is_in([PaymentStatus::Succeeded.as_str(), PaymentStatus::Refunded.as_str()]))
        .one(db)
        .await?
        .ok_or(ListingsError::Conflict(techex_core::msg::REFUSED_NO_SUCCESSFUL_PAYMENT_OF_THIS_MILESTONE.into()))?;
    if Utc::now() - row.updated_at > Duration::days(i64::from(window)) {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_REJECTION_WINDOW_PASSED.with("days", window)));
    }
    let intent = row.payment_intent_id.clone().ok_or(ListingsError::Internal("payment without intent".into()))?;
    let refund = gateway
        .refund(&intent, row.amount_minor, &format!("techex-milestone-{id}-refund-{}", row.attempt))
        .await
        .map_err(provider_error)?;
    let transaction = begin_write(db).await?;
    let (ms, c, _) = load(&transaction, actor, id, true).await?;
    if ms.status != MilestoneStatus::Paid.as_str() {
        return Err(refuse("reject", &ms));
    }
    payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value(PaymentStatus::Refunded.as_str()))
        .col_expr(payment::Column::RefundId, Expr::value(refund.clone()))
        .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(payment::Column::Id.eq(row.id))
        .exec(&transaction)
        .await?;
    ledger::post(
        &transaction,
        "refund",
        &ms.currency,
        Some(c.id),
        Some(ms.id),
        &[(ledger::escrow(c.id), ms.amount_minor), (ledger::PROVIDER.into(), -ms.amount_minor)],
    )
    .await?;
    move_milestone(&transaction, &ms, MilestoneStatus::Refunded).await?;
    audit::record(
        &transaction,
        Some(actor),
        "milestone.reject",
        "milestone",
        id,
        Some(serde_json::json!({"status": "paid"})),
        Some(serde_json::json!({"status": "refunded", "refund": refund, "reason": reason})),
    )
    .await?;
    lifecycle::complete_if_settled(&transaction, c.id).await?;
    let ms = milestone::Entity::find_by_id(id).one(&transaction).await?.ok_or(ListingsError::NotFound("milestone"))?;
    let row = payment::Entity::find_by_id(row.id).one(&transaction).await?;
    transaction.commit().await?;
    Ok(view(&ms, row.as_ref()))
}
