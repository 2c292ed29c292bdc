//! Reconciling with the provider: interrupted attempts adopted, missed successes settled.

use super::*;

/// One difference between techex and the provider.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Discrepancy {
    pub milestone_id: Uuid,
    /// `payment`, `payout:seller` or `payout:broker`.
    pub subject: String,
    /// The payment intent or transfer concerned, when there is one.
    pub provider_id: Option<String>,
    pub local_status: String,
    pub provider_status: String,
    pub repaired: bool,
}

/// Payment intents techex created, by (milestone, attempt), from the provider's list —
/// fetched only when some attempt never learnt its intent (a crash between the call and
/// the write, or a timeout).
pub(super) async fn provider_intents(
    gateway: &dyn Gateway,
) -> Result<HashMap<(String, String), crate::gateway::Intent>> {
    let mut found = HashMap::new();
    let mut after: Option<String> = None;
    for _ in 0..50 {
        let page = gateway.list_intents(after.as_deref()).await.map_err(provider_error)?;
        after = page.data.last().map(|i| i.id.clone());
        for intent in page.data {
            let metadata = intent.metadata.clone().unwrap_or_default();
            if let (Some(milestone), Some(attempt)) = (metadata.get("techex_milestone"), metadata.get("techex_attempt"))
            {
                found.insert((milestone.clone(), attempt.clone()), intent);
            }
        }
        if !page.has_more || after.is_none() {
            break;
        }
    }
    Ok(found)
}

/// Adopts the intent an interrupted attempt created: the row learns its id and secret,
/// so paying again returns it (never a second intent), and a success is settled.
pub(super) async fn adopt(
    db: &DatabaseConnection,
    row: &payment::Model,
    intent: &crate::gateway::Intent,
) -> Result<()> {
    let transaction = begin_write(db).await?;
    if attach_intent(&transaction, row.id, intent).await? {
        let ms = milestone::Entity::find_by_id(row.milestone_id)
            .lock_exclusive()
            .one(&transaction)
            .await?
            .ok_or(ListingsError::NotFound("milestone"))?;
        if ms.status == MilestoneStatus::Scheduled.as_str() {
            move_milestone(&transaction, &ms, MilestoneStatus::PaymentPending).await?;
        }
        if intent.status == "succeeded" {
            let current = payment::Entity::find_by_id(row.id)
                .one(&transaction)
                .await?
                .ok_or(ListingsError::NotFound("payment"))?;
            settle_success(&transaction, &current).await?;
        }
        audit::record(
            &transaction,
            None,
            "payment.reconcile",
            "milestone",
            row.milestone_id,
            Some(serde_json::json!({"status": "creating"})),
            Some(serde_json::json!({"payment_intent": intent.id, "adopted": true})),
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// Compares techex with the provider and reports what differs; with `repair`, applies
/// what the provider says happened exactly as the webhook would (a success never
/// delivered), adopts intents created by an attempt that never recorded them, and sends
/// the payouts still owed (with their own idempotency keys: nothing is paid twice).
pub async fn reconcile(db: &DatabaseConnection, gateway: &dyn Gateway, repair: bool) -> Result<Vec<Discrepancy>> {
    let open = payment::Entity::find()
        .filter(payment::Column::Status.is_in([
            PaymentStatus::Creating.as_str(),
            PaymentStatus::RequiresPayment.as_str(),
            PaymentStatus::Failed.as_str(),
        ]))
        .order_by_asc(payment::Column::CreatedAt)
        .limit(10_000)
        .all(db)
        .await?;
    let mut found = Vec::new();
    let mut listed = None;
    for row in open {
        let Some(intent_id) = row.payment_intent_id.clone() else {
            if listed.is_none() {
                listed = Some(provider_intents(gateway).await?);
            }
            let intent = listed
                .as_ref()
                .and_then(|all| all.get(&(row.milestone_id.to_string(), row.attempt.to_string())))
                .cloned();
            match intent {
                Some(intent) => {
                    if repair {
                        adopt(db, &row, &intent).await?;
                    }
                    found.push(Discrepancy {
                        milestone_id: row.milestone_id,
                        subject: "payment".into(),
                        provider_id: Some(intent.id),
                        local_status: row.status,
                        provider_status: intent.status,
                        repaired: repair,
                    });
                }
                // Still being created, or the call never reached the provider: the next
                // attempt to pay reuses the row and its key.
                None => found.push(Discrepancy {
                    milestone_id: row.milestone_id,
                    subject: "payment".into(),
                    provider_id: None,
                    local_status: row.status,
                    provider_status: "none".into(),
                    repaired: false,
                }),
            }
            continue;
        };
        let intent = gateway.retrieve_intent(&intent_id).await.map_err(provider_error)?;
        if intent.status != "succeeded" {
            continue;
        }
        if repair {
            record_success(db, row.id, &intent_id, "payment.reconcile").await?;
        }
        found.push(Discrepancy {
            milestone_id: row.milestone_id,
            subject: "payment".into(),
            provider_id: Some(intent_id),
            local_status: row.status,
            provider_status: intent.status,
            repaired: repair,
        });
    }
    for payout in crate::payouts::unsent(db).await? {
        let mut local_status = payout.status.clone();
        let mut provider_id = None;
        let mut repaired = false;
        if repair && payout.status == "pending" {
            match crate::payouts::send(db, gateway, payout.id, true).await? {
                crate::payouts::Sent::Sent(transfer) => {
                    provider_id = Some(transfer);
                    repaired = true;
                }
                crate::payouts::Sent::Refused(reason) | crate::payouts::Sent::RetryLater(reason) => {
                    local_status = format!("pending ({reason})");
                }
                crate::payouts::Sent::AlreadySent | crate::payouts::Sent::NotDue => {}
            }
        }
        found.push(Discrepancy {
            milestone_id: payout.milestone_id,
            subject: format!("payout:{}", payout.beneficiary),
            provider_id,
            local_status,
            provider_status: if repaired { "sent".into() } else { "not sent".into() },
            repaired,
        });
    }
    Ok(found)
}
