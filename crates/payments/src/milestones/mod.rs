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
//!
//! Paying is here; the provider's events in `events`, acceptance and rejection in
//! `settlement`, the seller's notice in `notice`, reconciliation in `reconcile`.

use crate::entities::{customer, event, payment};
use crate::gateway::{Gateway, GatewayError, NewIntent};
use crate::ledger;
use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use std::collections::HashMap;
use techex_contracts::contracts::{ContractRole, role_of};
use techex_contracts::entities::{contract, milestone};
use techex_contracts::lifecycle::{self, move_milestone, overdue_past_cure};
use techex_core::domain::{ContractStatus, MilestoneStatus, PaymentStatus};
use techex_core::text::required_text;
use techex_core::{Actor, new_id};
use techex_listings::entities::organization;
use techex_listings::{ListingsError, Result, audit, begin_write};
use utoipa::ToSchema;
use uuid::Uuid;

mod events;
mod notice;
mod reconcile;
mod settlement;

pub use events::*;
pub use notice::*;
pub use reconcile::*;
pub use settlement::*;

fn provider_error(error: GatewayError) -> ListingsError {
    match error {
        GatewayError::Refused(message) => {
            ListingsError::Conflict(techex_core::msg::REFUSED_PAYMENT_PROVIDER.with("message", message))
        }
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

/// What the buyer is about to do with a milestone through the payment provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuyerStep {
    /// Pay it, or save a card to pay it with.
    Pay,
    /// Reject it after paying: a refund.
    Reject,
}

/// Checks, before even whether payments are on, what the step itself checks: that the
/// milestone exists for the actor (else `NotFound`, as for anyone who may not see it),
/// that the actor is its buyer (else `Forbidden`) and that its state allows the step
/// (else an invalid transition, 409). So a server without payments answers 503 only to a
/// request that would otherwise have gone to the provider.
pub async fn ensure_buyer_may(db: &DatabaseConnection, actor: &Actor, id: Uuid, step: BuyerStep) -> Result<()> {
    match step {
        BuyerStep::Pay => payable(db, actor, id).await.map(|_| ()),
        BuyerStep::Reject => {
            let (ms, _, role) = load(db, actor, id, false).await?;
            if role != ContractRole::Buyer {
                return Err(ListingsError::Forbidden(
                    techex_core::msg::REFUSED_THE_BUYER_REJECTS_A_DELIVERED_MILESTONE.into(),
                ));
            }
            if ms.status != MilestoneStatus::Paid.as_str() {
                return Err(refuse("reject", &ms));
            }
            Ok(())
        }
    }
}

/// The buyer's milestone, payable now: its contract is registered (or performing) and the
/// milestone not yet paid.
async fn payable(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(milestone::Model, contract::Model)> {
    let (ms, c, role) = load(db, actor, id, false).await?;
    if role != ContractRole::Buyer {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_THE_BUYER_PAYS_THE_MILESTONES.into()));
    }
    if !lifecycle::contract_status(&c)?.is_in_force() {
        return Err(ListingsError::InvalidTransition {
            entity: "contract",
            action: "pay a milestone of",
            state: c.status,
        });
    }
    if !matches!(lifecycle::milestone_status(&ms)?, MilestoneStatus::Scheduled | MilestoneStatus::PaymentPending) {
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
        .ok_or_else(|| ListingsError::Conflict(techex_core::msg::REFUSED_THE_PAYMENT_IS_STILL_BEING_SET_UP.into()))?;
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

/// Records on an attempt still `creating` the intent the provider made for it (its id and
/// client secret); whether this call did (a second caller finds it done).
pub(super) async fn attach_intent<C: ConnectionTrait>(
    db: &C,
    payment_id: Uuid,
    intent: &crate::gateway::Intent,
) -> Result<bool> {
    let attached = payment::Entity::update_many()
        .col_expr(payment::Column::PaymentIntentId, Expr::value(intent.id.clone()))
        .col_expr(payment::Column::ClientSecret, Expr::value(intent.client_secret.clone()))
        .col_expr(payment::Column::Status, Expr::value(PaymentStatus::RequiresPayment.as_str()))
        .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(payment::Column::Id.eq(payment_id))
        .filter(payment::Column::Status.eq(PaymentStatus::Creating.as_str()))
        .exec(db)
        .await?;
    Ok(attached.rows_affected == 1)
}

/// Opens (or finds) the payment intent of a due milestone.
async fn open_intent(db: &DatabaseConnection, gateway: &dyn Gateway, actor: &Actor, id: Uuid) -> Result<PaymentView> {
    let (_, c) = payable(db, actor, id).await?;
    let customer = customer_of(db, gateway, c.buyer_org_id).await?;
    // Reserve the attempt (and its idempotency key) before calling the provider.
    let transaction = begin_write(db).await?;
    let (ms, _, _) = load(&transaction, actor, id, true).await?;
    if !matches!(lifecycle::milestone_status(&ms)?, MilestoneStatus::Scheduled | MilestoneStatus::PaymentPending) {
        return Err(refuse("pay", &ms));
    }
    let row = match latest(&transaction, id).await? {
        Some(row)
            if row.status == PaymentStatus::RequiresPayment.as_str()
                || row.status == PaymentStatus::Succeeded.as_str() =>
        {
            return Ok(view(&ms, Some(&row)));
        }
        Some(row) if row.status == PaymentStatus::Creating.as_str() => row,
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
                status: Set(PaymentStatus::Creating.as_str().into()),
                idempotency_key: Set(format!("techex-milestone-{id}-pay-{attempt}")),
                failure_reason: Set(None),
                refund_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&transaction)
            .await
            .map_err(|e| {
                ListingsError::from_db_unique(e, techex_core::msg::REFUSED_ANOTHER_PAYMENT_OF_THIS_MILESTONE_STARTED_AT)
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
    attach_intent(&transaction, row.id, &intent).await?;
    if ms.status == MilestoneStatus::Scheduled.as_str() {
        move_milestone(&transaction, &ms, MilestoneStatus::PaymentPending).await?;
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

/// The state of a milestone's payment, for its parties.
pub async fn status<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<PaymentView> {
    let (ms, _, _) = load(db, actor, id, false).await?;
    let row = latest(db, id).await?;
    let mut view = view(&ms, row.as_ref());
    view.payouts = crate::payouts::of_milestone(db, id).await?;
    Ok(view)
}
