//! Paying, accepting and rejecting milestones, and applying the provider's events.
//!
//! ```text
//! scheduled ─pay→ payment_pending ─(payment_intent.succeeded)→ paid ─accept→ accepted
//!                     ↑ (payment_failed: stays, with the reason)     └─reject→ refunded
//! ```
//! A call to the provider never runs inside a database transaction: the payment row is
//! written first (with the idempotency key the call will use), the provider is called,
//! and the outcome is written after. A crash in between leaves a row that the next
//! attempt, the webhook or `techex payments reconcile` completes — with the same key,
//! so nothing is charged twice.

use crate::entities::{customer, event, payment};
use crate::gateway::{Gateway, GatewayError, NewIntent};
use crate::ledger;
use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use std::collections::HashMap;
use techex_contracts::contracts::{ContractRole, role_of};
use techex_contracts::entities::{contract, milestone};
use techex_core::text::required_text;
use techex_core::{Actor, new_id};
use techex_listings::entities::organization;
use techex_listings::{ListingsError, Result, audit, begin_write};
use utoipa::ToSchema;
use uuid::Uuid;

fn provider_error(error: GatewayError) -> ListingsError {
    match error {
        GatewayError::Refused(message) => ListingsError::Conflict(format!("the payment provider refused: {message}")),
        other => ListingsError::Unavailable(format!("{other}; try again shortly")),
    }
}

/// What the buyer's page needs to collect the payment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentView {
    pub milestone_id: Uuid,
    pub milestone_status: String,
    pub payment_intent_id: Option<String>,
    /// For Stripe.js `confirmCardPayment`.
    pub client_secret: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    /// `creating`, `requires_payment`, `succeeded`, `failed`, `refunded`.
    pub status: String,
    pub failure_reason: Option<String>,
    /// The transfers to the seller and the broker once the milestone is accepted.
    pub payouts: Vec<crate::payouts::PayoutView>,
    /// After paying with a saved card: the intent's status at the provider
    /// (`succeeded`; `requires_action` — the page completes authentication with
    /// Stripe.js `confirmCardPayment`; `requires_payment_method` — declined).
    pub intent_status: Option<String>,
}

/// A setup intent for the buyer's browser to save a card with (Stripe.js
/// `confirmCardSetup`), before paying the milestone with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CardSetup {
    pub setup_intent_id: String,
    pub client_secret: String,
}

fn view(ms: &milestone::Model, row: Option<&payment::Model>) -> PaymentView {
    PaymentView {
        milestone_id: ms.id,
        milestone_status: ms.status.clone(),
        payment_intent_id: row.and_then(|r| r.payment_intent_id.clone()),
        client_secret: row.and_then(|r| r.client_secret.clone()),
        amount_minor: ms.amount_minor,
        currency: ms.currency.clone(),
        status: row.map(|r| r.status.clone()).unwrap_or_else(|| "none".into()),
        failure_reason: row.and_then(|r| r.failure_reason.clone()),
        payouts: Vec::new(),
        intent_status: None,
    }
}

async fn load<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    lock: bool,
) -> Result<(milestone::Model, contract::Model, ContractRole)> {
    let mut query = milestone::Entity::find_by_id(id);
    if lock {
        query = query.lock_exclusive();
    }
    let ms = query.one(db).await?.ok_or(ListingsError::NotFound("milestone"))?;
    let c = contract::Entity::find_by_id(ms.contract_id).one(db).await?.ok_or(ListingsError::NotFound("milestone"))?;
    let role = role_of(actor, &c).ok_or(ListingsError::NotFound("milestone"))?;
    Ok((ms, c, role))
}

async fn latest<C: ConnectionTrait>(db: &C, milestone_id: Uuid) -> Result<Option<payment::Model>> {
    Ok(payment::Entity::find()
        .filter(payment::Column::MilestoneId.eq(milestone_id))
        .order_by_desc(payment::Column::Attempt)
        .one(db)
        .await?)
}

fn refuse(action: &'static str, ms: &milestone::Model) -> ListingsError {
    ListingsError::InvalidTransition { entity: "milestone", action, state: ms.status.clone() }
}

/// The provider customer of the buyer's organization, created once.
async fn customer_of(db: &DatabaseConnection, gateway: &dyn Gateway, organization_id: Uuid) -> Result<String> {
    if let Some(row) = customer::Entity::find_by_id(organization_id).one(db).await? {
        return Ok(row.stripe_customer_id);
    }
    let org = organization::Entity::find_by_id(organization_id)
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("organization"))?;
    let id = gateway
        .create_customer(&org.name, &format!("techex-org-{organization_id}-customer"))
        .await
        .map_err(provider_error)?;
    customer::Entity::insert(customer::ActiveModel {
        organization_id: Set(organization_id),
        stripe_customer_id: Set(id),
        created_at: Set(Utc::now()),
    })
    .on_conflict(OnConflict::column(customer::Column::OrganizationId).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    let row =
        customer::Entity::find_by_id(organization_id).one(db).await?.ok_or(ListingsError::NotFound("customer"))?;
    Ok(row.stripe_customer_id)
}

/// Checks that the milestone exists for the actor (else `NotFound`, as for anyone who may
/// not see it) and that the actor is its buyer (else `Forbidden`): what every payment
/// action of the buyer checks first, before even whether payments are on.
pub async fn ensure_buyer<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<()> {
    let (_, _, role) = load(db, actor, id, false).await?;
    if role != ContractRole::Buyer {
        return Err(ListingsError::Forbidden("the buyer pays, and accepts or rejects, the milestones".into()));
    }
    Ok(())
}

/// The buyer's milestone, payable now: its contract is registered (or performing) and the
/// milestone not yet paid.
async fn payable(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(milestone::Model, contract::Model)> {
    let (ms, c, role) = load(db, actor, id, false).await?;
    if role != ContractRole::Buyer {
        return Err(ListingsError::Forbidden("the buyer pays the milestones".into()));
    }
    if !matches!(c.status.as_str(), "registered" | "performing") {
        return Err(ListingsError::InvalidTransition {
            entity: "contract",
            action: "pay a milestone of",
            state: c.status,
        });
    }
    if !matches!(ms.status.as_str(), "scheduled" | "payment_pending") {
        return Err(refuse("pay", &ms));
    }
    Ok((ms, c))
}

/// A setup intent for the buyer's card (a fresh one per call: saving a card moves no money).
pub async fn card_setup(db: &DatabaseConnection, gateway: &dyn Gateway, actor: &Actor, id: Uuid) -> Result<CardSetup> {
    let (_, c) = payable(db, actor, id).await?;
    let customer = customer_of(db, gateway, c.buyer_org_id).await?;
    let setup = gateway
        .create_setup_intent(
            &customer,
            HashMap::from([("techex_milestone".to_string(), id.to_string())]),
            &format!("techex-milestone-{id}-setup-{}", new_id()),
        )
        .await
        .map_err(provider_error)?;
    let client_secret =
        setup.client_secret.ok_or_else(|| ListingsError::Unavailable("the provider sent no client secret".into()))?;
    Ok(CardSetup { setup_intent_id: setup.id, client_secret })
}

/// Pays a due milestone. Without a card, it starts (or resumes) the payment: the buyer
/// gets a payment intent's client secret for Stripe.js. With the setup intent of a card the
/// buyer's browser saved (`setup_intent`), techex charges that card on the intent and, when
/// the provider says it succeeded, records the payment at once (the webhook then finds it
/// applied). Paying again while an intent is open returns the same intent; nothing is
/// charged twice.
pub async fn pay(
    db: &DatabaseConnection,
    gateway: &dyn Gateway,
    actor: &Actor,
    id: Uuid,
    setup_intent: Option<&str>,
) -> Result<PaymentView> {
    let opened = open_intent(db, gateway, actor, id).await?;
    let Some(setup_id) = setup_intent.map(str::trim) else {
        return Ok(opened);
    };
    if opened.status == "succeeded" {
        return Ok(opened);
    }
    let intent_id = opened
        .payment_intent_id
        .clone()
        .ok_or_else(|| ListingsError::Conflict("the payment is still being set up; try again shortly".into()))?;
    let (_, c) = payable(db, actor, id).await?;
    let customer = customer_of(db, gateway, c.buyer_org_id).await?;
    let setup = gateway.retrieve_setup_intent(setup_id).await.map_err(|error| match error {
        GatewayError::Refused(_) => ListingsError::invalid("setup_intent", techex_core::msg::CARD_UNKNOWN),
        other => provider_error(other),
    })?;
    if setup.customer.as_deref() != Some(customer.as_str()) {
        return Err(ListingsError::invalid("setup_intent", techex_core::msg::CARD_NOT_YOURS));
    }
    let Some(card) = setup.payment_method.filter(|_| setup.status == "succeeded") else {
        return Err(ListingsError::invalid("setup_intent", techex_core::msg::CARD_NOT_CONFIRMED));
    };
    let row = latest(db, id).await?.ok_or(ListingsError::NotFound("payment"))?;
    let intent = gateway
        .confirm_intent(&intent_id, &card, &format!("techex-milestone-{id}-confirm-{}-{setup_id}", row.attempt))
        .await
        .map_err(provider_error)?;
    if intent.status == "succeeded" {
        record_success(db, row.id, &intent_id, "payment.confirm").await?;
    }
    let mut view = status(db, actor, id).await?;
    view.intent_status = Some(intent.status);
    Ok(view)
}

/// Records what the provider said: the intent succeeded. Applying it twice changes nothing.
async fn record_success(db: &DatabaseConnection, payment_id: Uuid, intent_id: &str, action: &str) -> Result<()> {
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

/// Opens (or finds) the payment intent of a due milestone.
async fn open_intent(db: &DatabaseConnection, gateway: &dyn Gateway, actor: &Actor, id: Uuid) -> Result<PaymentView> {
    let (_, c) = payable(db, actor, id).await?;
    let customer = customer_of(db, gateway, c.buyer_org_id).await?;
    // Reserve the attempt (and its idempotency key) before calling the provider.
    let transaction = begin_write(db).await?;
    let (ms, _, _) = load(&transaction, actor, id, true).await?;
    if !matches!(ms.status.as_str(), "scheduled" | "payment_pending") {
        return Err(refuse("pay", &ms));
    }
    let row = match latest(&transaction, id).await? {
        Some(row) if row.status == "requires_payment" || row.status == "succeeded" => {
            return Ok(view(&ms, Some(&row)));
        }
        Some(row) if row.status == "creating" => row,
        previous => {
            let attempt = previous.map_or(1, |p| p.attempt + 1);
            let now = Utc::now();
            payment::ActiveModel {
                id: Set(new_id()),
                milestone_id: Set(id),
                attempt: Set(attempt),
                payment_intent_id: Set(None),
                client_secret: Set(None),
                amount_minor: Set(ms.amount_minor),
                currency: Set(ms.currency.clone()),
                status: Set("creating".into()),
                idempotency_key: Set(format!("techex-milestone-{id}-pay-{attempt}")),
                failure_reason: Set(None),
                refund_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&transaction)
            .await
            .map_err(|e| {
                ListingsError::from_db_unique(e, "another payment of this milestone started at the same moment")
            })?
        }
    };
    transaction.commit().await?;
    let intent = gateway
        .create_intent(NewIntent {
            amount_minor: row.amount_minor,
            currency: row.currency.clone(),
            customer,
            metadata: HashMap::from([
                ("techex_milestone".to_string(), id.to_string()),
                ("techex_contract".to_string(), c.id.to_string()),
                ("techex_attempt".to_string(), row.attempt.to_string()),
            ]),
            idempotency_key: row.idempotency_key.clone(),
        })
        .await
        .map_err(provider_error)?;
    let transaction = begin_write(db).await?;
    let (ms, _, _) = load(&transaction, actor, id, true).await?;
    payment::Entity::update_many()
        .col_expr(payment::Column::PaymentIntentId, Expr::value(intent.id.clone()))
        .col_expr(payment::Column::ClientSecret, Expr::value(intent.client_secret.clone()))
        .col_expr(payment::Column::Status, Expr::value("requires_payment"))
        .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(payment::Column::Id.eq(row.id))
        .filter(payment::Column::Status.eq("creating"))
        .exec(&transaction)
        .await?;
    if ms.status == "scheduled" {
        set_status(&transaction, &ms, "payment_pending").await?;
    }
    audit::record(
        &transaction,
        Some(actor),
        "milestone.pay",
        "milestone",
        id,
        Some(serde_json::json!({"status": ms.status})),
        Some(serde_json::json!({"status": "payment_pending", "payment_intent": intent.id, "attempt": row.attempt})),
    )
    .await?;
    let ms = milestone::Entity::find_by_id(id).one(&transaction).await?.ok_or(ListingsError::NotFound("milestone"))?;
    let row = payment::Entity::find_by_id(row.id).one(&transaction).await?;
    transaction.commit().await?;
    Ok(view(&ms, row.as_ref()))
}

async fn set_status<C: ConnectionTrait>(db: &C, ms: &milestone::Model, to: &str) -> Result<()> {
    let result = milestone::Entity::update_many()
        .col_expr(milestone::Column::Status, Expr::value(to))
        .col_expr(milestone::Column::Version, Expr::value(ms.version + 1))
        .col_expr(milestone::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(milestone::Column::Id.eq(ms.id))
        .filter(milestone::Column::Version.eq(ms.version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(ListingsError::Conflict("the milestone changed meanwhile".into()));
    }
    Ok(())
}

/// The state of a milestone's payment, for its parties.
pub async fn status<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<PaymentView> {
    let (ms, _, _) = load(db, actor, id, false).await?;
    let row = latest(db, id).await?;
    let mut view = view(&ms, row.as_ref());
    view.payouts = crate::payouts::of_milestone(db, id).await?;
    Ok(view)
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
async fn settle_success<C: ConnectionTrait>(db: &C, row: &payment::Model) -> Result<&'static str> {
    if row.status == "succeeded" || row.status == "refunded" {
        return Ok("already_applied");
    }
    let ms = milestone::Entity::find_by_id(row.milestone_id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("milestone"))?;
    let c = contract::Entity::find_by_id(ms.contract_id).one(db).await?.ok_or(ListingsError::NotFound("contract"))?;
    payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value("succeeded"))
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
    if matches!(ms.status.as_str(), "scheduled" | "payment_pending") {
        set_status(db, &ms, "paid").await?;
        if c.status == "registered" {
            contract::Entity::update_many()
                .col_expr(contract::Column::Status, Expr::value("performing"))
                .col_expr(contract::Column::Version, Expr::value(c.version + 1))
                .filter(contract::Column::Id.eq(c.id))
                .filter(contract::Column::Version.eq(c.version))
                .exec(db)
                .await?;
        }
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
                .col_expr(payment::Column::Status, Expr::value("failed"))
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
    if view.my_role != ContractRole::Seller || !matches!(view.status.as_str(), "registered" | "performing") {
        return Ok(Vec::new());
    }
    techex_listings::error::check_version(expected_version, view.version)?;
    techex_contracts::contracts::termination_reason(reason)?;
    let today = Utc::now().date_naive();
    let cure = i64::from(view.content.clauses.cure_period_days);
    let mut cancelled = Vec::new();
    for m in view.milestones.iter().filter(|m| m.status == "payment_pending") {
        if m.due_date.is_none_or(|due| (today - due).num_days() <= cure) {
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
            .col_expr(payment::Column::Status, Expr::value("canceled"))
            .col_expr(
                payment::Column::FailureReason,
                Expr::value("cancelled before the seller's notice of termination"),
            )
            .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(payment::Column::Id.eq(row.id))
            .filter(payment::Column::Status.is_in(["requires_payment", "failed"]))
            .exec(&transaction)
            .await?;
        if updated.rows_affected == 1 && ms.status == "payment_pending" {
            set_status(&transaction, &ms, "scheduled").await?;
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

/// The buyer accepts a paid milestone: escrow is released to the seller, less the broker's
/// commission (basis points of the amount, rounded down to the fen), and their payouts are
/// queued (returned, to be sent once this transaction commits). When every milestone is
/// settled the contract is completed.
pub async fn accept<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<(PaymentView, Vec<Uuid>)> {
    let (ms, c, role) = load(db, actor, id, true).await?;
    if role != ContractRole::Buyer {
        return Err(ListingsError::Forbidden("the buyer accepts the milestones".into()));
    }
    if ms.status != "paid" {
        return Err(refuse("accept", &ms));
    }
    let content = techex_contracts::contracts::get_view(db, actor, c.id).await?.content;
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
    set_status(db, &ms, "accepted").await?;
    audit::record(db, Some(actor), "milestone.accept", "milestone", id, Some(serde_json::json!({"status": "paid"})),
        Some(serde_json::json!({"status": "accepted", "seller": ms.amount_minor - commission, "broker_commission": commission})))
        .await?;
    let payouts = crate::payouts::schedule(db, &c, &ms, ms.amount_minor - commission, commission).await?;
    complete_if_settled(db, &c).await?;
    let row = latest(db, id).await?;
    let ms = milestone::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound("milestone"))?;
    Ok((view(&ms, row.as_ref()), payouts))
}

async fn complete_if_settled<C: ConnectionTrait>(db: &C, c: &contract::Model) -> Result<()> {
    let open = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(c.id))
        .filter(milestone::Column::Status.is_not_in(["accepted", "refunded"]))
        .count(db)
        .await?;
    if open == 0 {
        let current = contract::Entity::find_by_id(c.id).one(db).await?.ok_or(ListingsError::NotFound("contract"))?;
        contract::Entity::update_many()
            .col_expr(contract::Column::Status, Expr::value("completed"))
            .col_expr(contract::Column::Version, Expr::value(current.version + 1))
            .filter(contract::Column::Id.eq(c.id))
            .filter(contract::Column::Version.eq(current.version))
            .exec(db)
            .await?;
        audit::record(
            db,
            None,
            "contract.complete",
            "contract",
            c.id,
            Some(serde_json::json!({"status": current.status})),
            Some(serde_json::json!({"status": "completed"})),
        )
        .await?;
    }
    Ok(())
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
        return Err(ListingsError::Forbidden("the buyer rejects a delivered milestone".into()));
    }
    let window = techex_contracts::contracts::get_view(db, actor, c.id).await?.content.clauses.rejection_window_days;
    if ms.status != "paid" {
        return Err(refuse("reject", &ms));
    }
    let row = payment::Entity::find()
        .filter(payment::Column::MilestoneId.eq(id))
        .filter(payment::Column::Status.is_in(["succeeded", "refunded"]))
        .one(db)
        .await?
        .ok_or(ListingsError::Conflict("no successful payment of this milestone".into()))?;
    if Utc::now() - row.updated_at > Duration::days(i64::from(window)) {
        return Err(ListingsError::Conflict(format!(
            "the contract lets the buyer reject a milestone within {window} days of paying it"
        )));
    }
    let intent = row.payment_intent_id.clone().ok_or(ListingsError::Internal("payment without intent".into()))?;
    let refund = gateway
        .refund(&intent, row.amount_minor, &format!("techex-milestone-{id}-refund-{}", row.attempt))
        .await
        .map_err(provider_error)?;
    let transaction = begin_write(db).await?;
    let (ms, c, _) = load(&transaction, actor, id, true).await?;
    if ms.status != "paid" {
        return Err(refuse("reject", &ms));
    }
    payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value("refunded"))
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
    set_status(&transaction, &ms, "refunded").await?;
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
    complete_if_settled(&transaction, &c).await?;
    let ms = milestone::Entity::find_by_id(id).one(&transaction).await?.ok_or(ListingsError::NotFound("milestone"))?;
    let row = payment::Entity::find_by_id(row.id).one(&transaction).await?;
    transaction.commit().await?;
    Ok(view(&ms, row.as_ref()))
}

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
async fn provider_intents(gateway: &dyn Gateway) -> Result<HashMap<(String, String), crate::gateway::Intent>> {
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
async fn adopt(db: &DatabaseConnection, row: &payment::Model, intent: &crate::gateway::Intent) -> Result<()> {
    let transaction = begin_write(db).await?;
    let adopted = payment::Entity::update_many()
        .col_expr(payment::Column::PaymentIntentId, Expr::value(intent.id.clone()))
        .col_expr(payment::Column::ClientSecret, Expr::value(intent.client_secret.clone()))
        .col_expr(payment::Column::Status, Expr::value("requires_payment"))
        .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(payment::Column::Id.eq(row.id))
        .filter(payment::Column::Status.eq("creating"))
        .exec(&transaction)
        .await?;
    if adopted.rows_affected == 1 {
        let ms = milestone::Entity::find_by_id(row.milestone_id)
            .lock_exclusive()
            .one(&transaction)
            .await?
            .ok_or(ListingsError::NotFound("milestone"))?;
        if ms.status == "scheduled" {
            set_status(&transaction, &ms, "payment_pending").await?;
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
        .filter(payment::Column::Status.is_in(["creating", "requires_payment", "failed"]))
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
