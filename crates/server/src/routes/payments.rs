//! Milestone payments through Stripe, the webhook, and the ledger.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, CurrentUser};
use crate::routes::{ReasonBody, begin, commit};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use techex_core::Role;
use techex_listings::ListingsError;
use techex_payments::gateway::Gateway;
use techex_payments::ledger::{self, Balances};
use techex_payments::milestones::{self, BuyerStep, CardSetup, PaymentView};
use techex_payments::payouts::{self, Owner, PayoutAccountView};
use techex_payments::webhook;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The payment provider, for a caller who may take the step on the milestone: a milestone
/// the caller cannot see is 404, one whose buyer the caller is not 403, and one whose state
/// does not allow the step 409, whether or not payments are on; only then does a server
/// without payments answer 503.
async fn gateway_for(
    state: &AppState,
    actor: &techex_core::Actor,
    milestone: Uuid,
    step: BuyerStep,
) -> ApiResult<Arc<dyn Gateway>> {
    milestones::ensure_buyer_may(&state.db, actor, milestone, step).await?;
    state.payments.clone().ok_or_else(|| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "payments are not configured on this server")
    })
}

/// How the buyer pays: with nothing, the intent is opened for Stripe.js; with the setup
/// intent of a card saved by `confirmCardSetup`, that card is charged.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PayBody {
    /// `seti_…` of a card the buyer's browser saved through `/card-setup`.
    pub setup_intent: Option<String>,
}

/// Pays a due milestone (the buyer). Without a body: a payment intent whose client secret
/// the page hands to Stripe.js; calling it again returns the same open intent. With
/// `setup_intent`: the saved card is charged on that intent (`intent_status` tells the page
/// whether authentication is still needed); a success is recorded at once.
#[utoipa::path(post, path = "/api/v1/milestones/{id}/pay", tag = "payments", security(("bearer" = [])),
    request_body(content = Option<PayBody>, description = "optional"),
    responses((status = 200, body = PaymentView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem),
              (status = 503, description = "payments are off on this server (only to the milestone's buyer)", body = crate::error::Problem)))]
async fn pay(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    body: Bytes,
) -> ApiResult<Json<PaymentView>> {
    let input: PayBody =
        if body.iter().all(u8::is_ascii_whitespace) { PayBody::default() } else { crate::extract::parse_json(&body)? };
    let gateway = gateway_for(&state, &user.actor, id, BuyerStep::Pay).await?;
    Ok(Json(milestones::pay(&state.db, gateway.as_ref(), &user.actor, id, input.setup_intent.as_deref()).await?))
}

/// A setup intent for saving the buyer's card with Stripe.js (`confirmCardSetup`) before
/// paying the milestone with it; `publishable_key` and `stripe_js_url` are what the page
/// loads Stripe.js with.
#[utoipa::path(post, path = "/api/v1/milestones/{id}/card-setup", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = CardSetupReply), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 503, description = "payments are off on this server (only to the milestone's buyer)", body = crate::error::Problem)))]
async fn card_setup(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<CardSetupReply>> {
    let gateway = gateway_for(&state, &user.actor, id, BuyerStep::Pay).await?;
    let setup = milestones::card_setup(&state.db, gateway.as_ref(), &user.actor, id).await?;
    Ok(Json(CardSetupReply {
        setup,
        publishable_key: state.config.stripe_publishable_key.clone(),
        stripe_js_url: state.config.stripe_js_url.clone(),
    }))
}

/// A card setup and how to load Stripe.js for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardSetupReply {
    #[serde(flatten)]
    pub setup: CardSetup,
    pub publishable_key: Option<String>,
    pub stripe_js_url: String,
}

/// The payment state of a milestone.
#[utoipa::path(get, path = "/api/v1/milestones/{id}/payment", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = PaymentView), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn payment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PaymentView>> {
    Ok(Json(milestones::status(&state.db, &user.actor, id).await?))
}

/// Accepts a paid milestone (the buyer): the escrow goes to the seller and the broker.
#[utoipa::path(post, path = "/api/v1/milestones/{id}/accept", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = PaymentView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn accept(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PaymentView>> {
    let transaction = begin(&state).await?;
    let (_, payouts) = milestones::accept(&transaction, &user.actor, id).await?;
    commit(transaction).await?;
    // The acceptance stands whatever the provider says now: a payout that cannot be sent
    // yet stays queued for the sweeper.
    if let Some(gateway) = state.payments.as_ref() {
        payouts::send_queued(&state.db, gateway.as_ref(), &payouts).await;
    }
    Ok(Json(milestones::status(&state.db, &user.actor, id).await?))
}

/// Rejects a paid milestone within the window (the buyer): the payment is refunded.
#[utoipa::path(post, path = "/api/v1/milestones/{id}/reject", tag = "payments", security(("bearer" = [])),
    request_body = ReasonBody,
    responses((status = 200, body = PaymentView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn reject(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Json<PaymentView>> {
    let gateway = gateway_for(&state, &user.actor, id, BuyerStep::Reject).await?;
    Ok(Json(milestones::reject(&state.db, gateway.as_ref(), &user.actor, id, &body.reason).await?))
}

/// What a webhook delivery did.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOutcome {
    /// `paid`, `failed`, `duplicate`, `already_applied`, `stale`, `not_ours`, `ignored`.
    pub outcome: String,
}

/// Stripe's webhook: the signature is verified (400 with no effect otherwise) and each
/// event is applied once, by its id, in whatever order events arrive. A server without a
/// webhook secret has no webhook (404).
#[utoipa::path(post, path = "/api/v1/payments/stripe/webhook", tag = "payments",
    request_body(content_type = "application/json", description = "a Stripe event, signed"),
    responses((status = 200, body = WebhookOutcome), (status = 400, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
async fn webhook_endpoint(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookOutcome>> {
    let Some(secret) = state.config.stripe_webhook_secret.as_deref() else {
        // Without a webhook secret this server takes no Stripe events: there is nothing
        // here to deliver to (not a fault of the server's, so not a 5xx).
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "this server takes no Stripe webhooks (no webhook secret is configured)",
        ));
    };
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    let now = chrono::Utc::now().timestamp();
    webhook::verify(&body, signature, secret, now, state.config.stripe_webhook_tolerance_secs)
        .map_err(|e| ApiError::bad_request("invalid_signature", e.to_string()))?;
    let event = webhook::parse(&body).map_err(|e| ApiError::bad_request("malformed_request", e.to_string()))?;
    let outcome = milestones::apply_event(&state.db, &event).await?;
    tracing::info!(event = %event.id, kind = %event.kind, %outcome, "stripe event");
    Ok(Json(WebhookOutcome { outcome }))
}

/// The ledger of a contract: balances per account (its parties and the center).
#[utoipa::path(get, path = "/api/v1/contracts/{id}/ledger", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = Balances), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn contract_ledger(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Balances>> {
    techex_contracts::contracts::get_view(&state.db, &user.actor, id).await?;
    Ok(Json(ledger::balances(&state.db, Some(id)).await?))
}

/// The whole ledger's balances (platform admins); `totals` is zero per currency.
#[utoipa::path(get, path = "/api/v1/payments/ledger", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = Balances), (status = 403, body = crate::error::Problem)))]
async fn whole_ledger(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<Json<Balances>> {
    if !user.actor.is_platform_admin() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "the ledger is for platform administrators"));
    }
    Ok(Json(ledger::balances(&state.db, None).await?))
}

/// The connected account to pay out to.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutAccountBody {
    /// A Stripe Connect account id, `acct_…`.
    pub stripe_account_id: String,
}

/// Who may see and set an owner's payout account: an organization's administrators, or
/// the broker themself (platform admins may look). Others learn nothing: 404.
async fn payout_owner(state: &AppState, actor: &techex_core::Actor, owner: Owner, write: bool) -> ApiResult<()> {
    let allowed = match owner {
        Owner::Organization(id) => {
            if !actor.belongs_to(id) && !actor.is_platform_admin() {
                return Err(ListingsError::NotFound("organization").into());
            }
            actor.is_platform_admin() && !write || actor.belongs_to(id) && actor.has(Role::OrgAdmin)
        }
        Owner::Broker(id) => {
            techex_negotiation::brokers::get(&state.db, id).await?;
            if actor.user_id != id && !actor.is_platform_admin() {
                return Err(ListingsError::NotFound("broker").into());
            }
            actor.user_id == id || !write
        }
    };
    if !allowed {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_OWNER_S_ADMINISTRATORS_MANAGE_ITS.into(),
        )
        .into());
    }
    Ok(())
}

async fn read_account(
    state: &AppState,
    user: &techex_listings::auth::Authenticated,
    owner: Owner,
) -> ApiResult<Json<PayoutAccountView>> {
    payout_owner(state, &user.actor, owner, false).await?;
    payouts::get_account(&state.db, owner)
        .await?
        .map(Json)
        .ok_or_else(|| ListingsError::NotFound("payout account").into())
}

async fn write_account(
    state: &AppState,
    user: &techex_listings::auth::Authenticated,
    owner: Owner,
    body: PayoutAccountBody,
) -> ApiResult<Json<PayoutAccountView>> {
    payout_owner(state, &user.actor, owner, true).await?;
    let transaction = begin(state).await?;
    let (view, due) = payouts::set_account(&transaction, &user.actor, owner, &body.stripe_account_id).await?;
    commit(transaction).await?;
    if let Some(gateway) = state.payments.as_ref() {
        payouts::send_queued(&state.db, gateway.as_ref(), &due).await;
    }
    Ok(Json(view))
}

/// The Stripe connected account an organization's payouts go to (its administrators).
#[utoipa::path(get, path = "/api/v1/organizations/{id}/payout-account", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = PayoutAccountView), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn organization_account(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PayoutAccountView>> {
    read_account(&state, &user, Owner::Organization(id)).await
}

/// Sets the organization's connected account; payouts waiting for it are sent.
#[utoipa::path(put, path = "/api/v1/organizations/{id}/payout-account", tag = "payments", security(("bearer" = [])),
    request_body = PayoutAccountBody,
    responses((status = 200, body = PayoutAccountView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn set_organization_account(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PayoutAccountBody>,
) -> ApiResult<Json<PayoutAccountView>> {
    write_account(&state, &user, Owner::Organization(id), body).await
}

/// The Stripe connected account a broker's commissions go to (the broker).
#[utoipa::path(get, path = "/api/v1/brokers/{id}/payout-account", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = PayoutAccountView), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn broker_account(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PayoutAccountView>> {
    read_account(&state, &user, Owner::Broker(id)).await
}

/// Sets the broker's connected account; commissions waiting for it are sent.
#[utoipa::path(put, path = "/api/v1/brokers/{id}/payout-account", tag = "payments", security(("bearer" = [])),
    request_body = PayoutAccountBody,
    responses((status = 200, body = PayoutAccountView), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn set_broker_account(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PayoutAccountBody>,
) -> ApiResult<Json<PayoutAccountView>> {
    write_account(&state, &user, Owner::Broker(id), body).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pay))
        .routes(routes!(card_setup))
        .routes(routes!(payment))
        .routes(routes!(accept))
        .routes(routes!(reject))
        .routes(routes!(webhook_endpoint))
        .routes(routes!(contract_ledger))
        .routes(routes!(whole_ledger))
        .routes(routes!(organization_account, set_organization_account))
        .routes(routes!(broker_account, set_broker_account))
}
