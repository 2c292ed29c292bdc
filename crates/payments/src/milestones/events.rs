//! The provider's word: a success recorded (once) and events applied by their id.

use super::*;

/// Records what the provider said: the intent succeeded. Applying it twice changes nothing.
pub(super) async fn record_success(
    db: &DatabaseConnection,
    payment_id: Uuid,
    intent_id: &str,
    action: &str,
) -> Result<()> {
    let transaction = begin_write(db).await?;
    if let Some(current) = payment::Entity::find_by_id(payment_id).lock_exclusive().one(&transaction).await?
        && settle_success(&transaction, &current).await? == "paid"
    {
        audit::record(
            &transaction,
            None,
            action,
            "milestone",
            current.milestone_id,
            None,
            Some(serde_json::json!({"payment_intent": intent_id})),
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// A provider event, as techex reads it.
#[derive(Debug, Clone)]
pub struct ProviderEvent {
    pub id: String,
    pub kind: String,
    pub intent_id: Option<String>,
    pub intent_status: Option<String>,
    pub failure: Option<String>,
}

/// Records the success of a payment intent: payment succeeded, milestone paid, money into
/// escrow. Applying it again changes nothing.
pub(super) async fn settle_success<C: ConnectionTrait>(db: &C, row: &payment::Model) -> Result<&'static str> {
    if row.status == PaymentStatus::Succeeded.as_str() || row.status == PaymentStatus::Refunded.as_str() {
        return Ok("already_applied");
    }
    let ms = milestone::Entity::find_by_id(row.milestone_id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("milestone"))?;
    let c = contract::Entity::find_by_id(ms.contract_id).one(db).await?.ok_or(ListingsError::NotFound("contract"))?;
    payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value(PaymentStatus::Succeeded.as_str()))
        .col_expr(payment::Column::FailureReason, Expr::value(Option::<String>::None))
        .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(payment::Column::Id.eq(row.id))
        .exec(db)
        .await?;
    ledger::post(
        db,
        "payment",
        &row.currency,
        Some(c.id),
        Some(ms.id),
        &[(ledger::PROVIDER.into(), row.amount_minor), (ledger::escrow(c.id), -row.amount_minor)],
    )
    .await?;
    if matches!(lifecycle::milestone_status(&ms)?, MilestoneStatus::Scheduled | MilestoneStatus::PaymentPending) {
        move_milestone(db, &ms, MilestoneStatus::Paid).await?;
        lifecycle::begin_performance(db, c.id).await?;
        audit::record(
            db,
            None,
            "milestone.paid",
            "milestone",
            ms.id,
            Some(serde_json::json!({"status": ms.status})),
            Some(serde_json::json!({"status": "paid", "payment_intent": row.payment_intent_id})),
        )
        .await?;
        // A royalty pays for sales already made: nothing to deliver or accept, so it goes
        // to the licensor (and the broker) at once; the payout sweeper sends it.
        if ms.royalty_report_id.is_some() {
            let paid =
                milestone::Entity::find_by_id(ms.id).one(db).await?.ok_or(ListingsError::NotFound("milestone"))?;
            super::settlement::release(db, None, &paid, &c).await?;
        }
        Ok("paid")
    } else {
        // A second successful attempt for a milestone already paid: the money sits in
        // escrow and shows in the ledger for the center to refund.
        audit::record(
            db,
            None,
            "milestone.overpaid",
            "milestone",
            ms.id,
            None,
            Some(serde_json::json!({"payment_intent": row.payment_intent_id})),
        )
        .await?;
        Ok("overpaid")
    }
}

/// Applies a provider event once (by its id), whatever order events arrive in: a success
/// is final; a failure after a success changes nothing. Returns what happened.
pub async fn apply_event(db: &DatabaseConnection, event_in: &ProviderEvent) -> Result<String> {
    let transaction = begin_write(db).await?;
    let inserted = event::Entity::insert(event::ActiveModel {
        id: Set(event_in.id.clone()),
        event_type: Set(event_in.kind.clone()),
        payment_intent_id: Set(event_in.intent_id.clone()),
        outcome: Set("received".into()),
        received_at: Set(Utc::now()),
    })
    .on_conflict(OnConflict::column(event::Column::Id).do_nothing().to_owned())
    .exec_without_returning(&transaction)
    .await?;
    if inserted == 0 {
        transaction.rollback().await?;
        return Ok("duplicate".into());
    }
    let row = match &event_in.intent_id {
        Some(intent) => {
            payment::Entity::find()
                .filter(payment::Column::PaymentIntentId.eq(intent.as_str()))
                .lock_exclusive()
                .one(&transaction)
                .await?
        }
        None => None,
    };
    let outcome: String = match (event_in.kind.as_str(), row) {
        (_, None) => "not_ours".into(),
        ("payment_intent.succeeded", Some(row)) => settle_success(&transaction, &row).await?.into(),
        ("payment_intent.payment_failed", Some(row))
            if matches!(row.status.as_str(), "creating" | "requires_payment" | "failed") =>
        {
            payment::Entity::update_many()
                .col_expr(payment::Column::Status, Expr::value(PaymentStatus::Failed.as_str()))
                .col_expr(
                    payment::Column::FailureReason,
                    Expr::value(event_in.failure.clone().unwrap_or_else(|| "the payment failed".into())),
                )
                .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(payment::Column::Id.eq(row.id))
                .exec(&transaction)
                .await?;
            "failed".into()
        }
        ("payment_intent.payment_failed", Some(_)) => "stale".into(),
        _ => "ignored".into(),
    };
    event::Entity::update_many()
        .col_expr(event::Column::Outcome, Expr::value(outcome.clone()))
        .filter(event::Column::Id.eq(event_in.id.as_str()))
        .exec(&transaction)
        .await?;
    transaction.commit().await?;
    Ok(outcome)
}
