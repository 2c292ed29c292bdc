//! Open payments of overdue milestones cancelled before the seller's notice of termination.

use super::*;

/// Before the seller terminates by notice for an overdue payment: the contract's
/// milestones that are `payment_pending` past the cure period have their open intents
/// cancelled at the provider, so that no payment can arrive after the contract ends, and
/// go back to `scheduled` (overdue and unpaid, which is the seller's ground). An intent
/// that succeeded meanwhile is recorded as paid instead, and one still processing is left:
/// either way money is held and the notice is then refused. Does nothing for anyone but
/// the seller of a registered or performing contract, and nothing at all when the notice
/// would be refused for a stale version or a missing reason. Returns the intents cancelled.
pub async fn cancel_overdue_payments(
    db: &DatabaseConnection,
    gateway: &dyn Gateway,
    actor: &Actor,
    contract_id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<Vec<String>> {
    let view = techex_contracts::contracts::get_view(db, actor, contract_id).await?;
    if view.my_role != ContractRole::Seller
        || !ContractStatus::parse(&view.status).is_ok_and(ContractStatus::is_in_force)
    {
        return Ok(Vec::new());
    }
    techex_listings::error::check_version(expected_version, view.version)?;
    techex_contracts::contracts::termination_reason(reason)?;
    let today = Utc::now().date_naive();
    let cure = view.content.clauses.cure_period_days;
    let mut cancelled = Vec::new();
    for m in view.milestones.iter().filter(|m| m.status == MilestoneStatus::PaymentPending.as_str()) {
        if !overdue_past_cure(m.due_date, today, cure) {
            continue;
        }
        let Some(row) = latest(db, m.id).await? else { continue };
        let Some(intent_id) = row.payment_intent_id.clone() else { continue };
        let intent = gateway.retrieve_intent(&intent_id).await.map_err(provider_error)?;
        let intent = match intent.status.as_str() {
            "succeeded" => {
                record_success(db, row.id, &intent_id, "payment.found_before_notice").await?;
                continue;
            }
            "requires_payment_method" | "requires_confirmation" | "requires_action" => gateway
                .cancel_intent(&intent_id, &format!("techex-milestone-{}-cancel-{}", m.id, row.attempt))
                .await
                .map_err(provider_error)?,
            "canceled" => intent,
            _ => continue,
        };
        if intent.status != "canceled" {
            continue;
        }
        let transaction = begin_write(db).await?;
        let ms = milestone::Entity::find_by_id(m.id)
            .lock_exclusive()
            .one(&transaction)
            .await?
            .ok_or(ListingsError::NotFound("milestone"))?;
        let updated = payment::Entity::update_many()
            .col_expr(payment::Column::Status, Expr::value(PaymentStatus::Canceled.as_str()))
            .col_expr(
                payment::Column::FailureReason,
                Expr::value("cancelled before the seller's notice of termination"),
            )
            .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(payment::Column::Id.eq(row.id))
            .filter(
                payment::Column::Status
                    .is_in([PaymentStatus::RequiresPayment.as_str(), PaymentStatus::Failed.as_str()]),
            )
            .exec(&transaction)
            .await?;
        if updated.rows_affected == 1 && ms.status == MilestoneStatus::PaymentPending.as_str() {
            move_milestone(&transaction, &ms, MilestoneStatus::Scheduled).await?;
            audit::record(
                &transaction,
                Some(actor),
                "milestone.payment_cancel",
                "milestone",
                ms.id,
                Some(serde_json::json!({"status": "payment_pending", "payment_intent": intent_id})),
                Some(serde_json::json!({"status": "scheduled"})),
            )
            .await?;
            cancelled.push(intent_id);
        }
        transaction.commit().await?;
    }
    Ok(cancelled)
}

/// Terminates a contract by a party's notice (Civil Code art. 563) as one operation: the
/// seller's open payments of overdue milestones are cancelled at the provider first (when
/// payments are on; calls to the provider never run inside a transaction), then the notice
/// is given in one transaction that checks the ground, the version and that no money is
/// held. Returns the contract as it ended.
pub async fn terminate_by_notice(
    db: &DatabaseConnection,
    gateway: Option<&dyn Gateway>,
    actor: &Actor,
    contract_id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<contract::Model> {
    if let Some(gateway) = gateway {
        cancel_overdue_payments(db, gateway, actor, contract_id, expected_version, reason).await?;
    }
    let transaction = begin_write(db).await?;
    let ended = techex_contracts::contracts::give_termination_notice(
        &transaction,
        actor,
        contract_id,
        expected_version,
        reason,
    )
    .await?;
    transaction.commit().await?;
    Ok(ended)
}
