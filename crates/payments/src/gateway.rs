//! The payment service provider behind a small trait, so the rest of techex never sees
//! Stripe types. `StripeGateway` talks to Stripe — or to localstripe in tests — through
//! async-stripe's typed requests, reading replies into our own small types (the parts
//! techex needs, tolerant of fields an older API version leaves out).

use std::collections::HashMap;
use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_connect::transfer::CreateTransfer;
use stripe_core::customer::CreateCustomer;
use stripe_core::payment_intent::{CancelPaymentIntent, ConfirmPaymentIntent, ListPaymentIntent, UpdatePaymentIntent};
use stripe_core::payment_intent::{CreatePaymentIntent, RetrievePaymentIntent};
use stripe_core::refund::CreateRefund;
use stripe_core::setup_intent::{CreateSetupIntent, RetrieveSetupIntent};

/// What went wrong talking to the provider.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the payment provider refused: {0}")]
    Refused(String),
    #[error("the payment provider is unreachable: {0}")]
    Unavailable(String),
    #[error("payment provider configuration: {0}")]
    Config(String),
}

pub type GatewayResult<T> = Result<T, GatewayError>;

/// A payment intent as techex needs it.
#[derive(Debug, Clone, PartialEq, Eq, miniserde::Deserialize)]
pub struct Intent {
    pub id: String,
    /// `requires_payment_method`, `requires_confirmation`, `processing`, `succeeded`, `canceled`, …
    pub status: String,
    pub amount: i64,
    pub currency: String,
    pub client_secret: Option<String>,
    pub customer: Option<String>,
    pub metadata: Option<HashMap<String, String>>,
}

#[derive(Debug, miniserde::Deserialize)]
struct IdOnly {
    id: String,
}

/// A new payment intent.
#[derive(Debug, Clone)]
pub struct NewIntent {
    pub amount_minor: i64,
    pub currency: String,
    pub customer: String,
    /// Identifies the intent in the provider's records (`milestone`, `contract`).
    pub metadata: HashMap<String, String>,
    /// Derived from the milestone and the attempt: a retry never charges twice.
    pub idempotency_key: String,
}

/// A setup intent: how the buyer's browser saves a card with Stripe.js
/// (`confirmCardSetup`) before techex charges it.
#[derive(Debug, Clone, PartialEq, Eq, miniserde::Deserialize)]
pub struct Setup {
    pub id: String,
    pub status: String,
    pub client_secret: Option<String>,
    pub customer: Option<String>,
    /// The card's payment method once confirmed (`pm_…`).
    pub payment_method: Option<String>,
}

/// One page of payment intents, newest first.
#[derive(Debug, Clone, miniserde::Deserialize)]
pub struct IntentPage {
    pub data: Vec<Intent>,
    pub has_more: bool,
}

/// A Connect transfer from the platform's balance to a connected account.
#[derive(Debug, Clone)]
pub struct NewTransfer {
    pub amount_minor: i64,
    pub currency: String,
    /// The connected account (`acct_…`).
    pub destination: String,
    /// Groups the transfers of one contract with its payments.
    pub transfer_group: String,
    pub metadata: HashMap<String, String>,
    /// Derived from the milestone, the beneficiary and the destination's revision.
    pub idempotency_key: String,
}

/// A transfer as techex needs it.
#[derive(Debug, Clone, PartialEq, Eq, miniserde::Deserialize)]
pub struct Transfer {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub destination: Option<String>,
}

/// The provider operations techex uses.
#[async_trait::async_trait]
pub trait Gateway: Send + Sync {
    async fn create_customer(&self, name: &str, idempotency_key: &str) -> GatewayResult<String>;
    async fn create_intent(&self, new: NewIntent) -> GatewayResult<Intent>;
    async fn retrieve_intent(&self, id: &str) -> GatewayResult<Intent>;
    /// Sets the card on an intent and confirms it (charging the card, or asking the
    /// browser for authentication: `requires_action`).
    async fn confirm_intent(&self, id: &str, payment_method: &str, idempotency_key: &str) -> GatewayResult<Intent>;
    async fn create_setup_intent(
        &self,
        customer: &str,
        metadata: HashMap<String, String>,
        idempotency_key: &str,
    ) -> GatewayResult<Setup>;
    async fn retrieve_setup_intent(&self, id: &str) -> GatewayResult<Setup>;
    /// Cancels an intent that has not succeeded, so that it can no longer charge.
    async fn cancel_intent(&self, id: &str, idempotency_key: &str) -> GatewayResult<Intent>;
    /// A page of the account's payment intents (after `starting_after`), for reconciling.
    async fn list_intents(&self, starting_after: Option<&str>) -> GatewayResult<IntentPage>;
    async fn refund(&self, intent: &str, amount_minor: i64, idempotency_key: &str) -> GatewayResult<String>;
    /// Pays out to a connected account (Stripe Connect).
    async fn create_transfer(&self, new: NewTransfer) -> GatewayResult<Transfer>;
}

/// Stripe through async-stripe.
pub struct StripeGateway {
    client: stripe::Client,
    /// Connect calls (transfers) go here: Stripe itself in production, a separate test
    /// double in tests, since localstripe has no Connect.
    connect: stripe::Client,
}

fn client(secret_key: &str, base_url: &str) -> GatewayResult<stripe::Client> {
    stripe::ClientBuilder::new(secret_key)
        .url(base_url.trim_end_matches('/'))
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .map_err(|e| GatewayError::Config(e.to_string()))
}

impl StripeGateway {
    /// A client for `base_url` (`https://api.stripe.com`, or localstripe's address).
    pub fn new(secret_key: &str, base_url: &str) -> GatewayResult<Self> {
        Self::with_connect(secret_key, base_url, base_url)
    }

    /// A client whose Connect calls go to `connect_base_url`.
    pub fn with_connect(secret_key: &str, base_url: &str, connect_base_url: &str) -> GatewayResult<Self> {
        Ok(StripeGateway { client: client(secret_key, base_url)?, connect: client(secret_key, connect_base_url)? })
    }
}

fn key(value: &str) -> GatewayResult<RequestStrategy> {
    IdempotencyKey::new(value)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| GatewayError::Config(format!("idempotency key: {e}")))
}

fn failed(error: stripe::StripeError) -> GatewayError {
    match error {
        stripe::StripeError::Stripe(errors, status) if status < 500 => {
            GatewayError::Refused(errors.message.clone().unwrap_or_else(|| format!("status {status}")))
        }
        other => GatewayError::Unavailable(other.to_string()),
    }
}

fn currency(code: &str) -> GatewayResult<stripe_types::Currency> {
    code.to_ascii_lowercase().parse().map_err(|_| GatewayError::Config(format!("currency {code}")))
}

#[async_trait::async_trait]
impl Gateway for StripeGateway {
    async fn create_customer(&self, name: &str, idempotency_key: &str) -> GatewayResult<String> {
        let reply: IdOnly = CreateCustomer::new()
            .name(name)
            .build()
            .customize::<IdOnly>()
            .request_strategy(key(idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failed)?;
        Ok(reply.id)
    }

    async fn create_intent(&self, new: NewIntent) -> GatewayResult<Intent> {
        CreatePaymentIntent::new(new.amount_minor, currency(&new.currency)?)
            .customer(new.customer)
            .metadata(new.metadata)
            .build()
            .customize::<Intent>()
            .request_strategy(key(&new.idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failed)
    }

    async fn retrieve_intent(&self, id: &str) -> GatewayResult<Intent> {
        RetrievePaymentIntent::new(id).build().customize::<Intent>().send(&self.client).await.map_err(failed)
    }

    async fn confirm_intent(&self, id: &str, payment_method: &str, idempotency_key: &str) -> GatewayResult<Intent> {
        UpdatePaymentIntent::new(id)
            .payment_method(payment_method)
            .build()
            .customize::<Intent>()
            .request_strategy(key(&format!("{idempotency_key}-card"))?)
            .send(&self.client)
            .await
            .map_err(failed)?;
        ConfirmPaymentIntent::new(id)
            .build()
            .customize::<Intent>()
            .request_strategy(key(idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failed)
    }

    async fn cancel_intent(&self, id: &str, idempotency_key: &str) -> GatewayResult<Intent> {
        CancelPaymentIntent::new(id)
            .build()
            .customize::<Intent>()
            .request_strategy(key(idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failed)
    }

    async fn create_setup_intent(
        &self,
        customer: &str,
        metadata: HashMap<String, String>,
        idempotency_key: &str,
    ) -> GatewayResult<Setup> {
        CreateSetupIntent::new()
            .customer(customer)
            .metadata(metadata)
            .build()
            .customize::<Setup>()
            .request_strategy(key(idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failed)
    }

    async fn retrieve_setup_intent(&self, id: &str) -> GatewayResult<Setup> {
        RetrieveSetupIntent::new(id).build().customize::<Setup>().send(&self.client).await.map_err(failed)
    }

    async fn list_intents(&self, starting_after: Option<&str>) -> GatewayResult<IntentPage> {
        let mut request = ListPaymentIntent::new().limit(100);
        if let Some(after) = starting_after {
            request = request.starting_after(after);
        }
        request.build().customize::<IntentPage>().send(&self.client).await.map_err(failed)
    }

    async fn create_transfer(&self, new: NewTransfer) -> GatewayResult<Transfer> {
        CreateTransfer::new(currency(&new.currency)?, new.destination)
            .amount(new.amount_minor)
            .transfer_group(new.transfer_group)
            .metadata(new.metadata)
            .build()
            .customize::<Transfer>()
            .request_strategy(key(&new.idempotency_key)?)
            .send(&self.connect)
            .await
            .map_err(failed)
    }

    async fn refund(&self, intent: &str, amount_minor: i64, idempotency_key: &str) -> GatewayResult<String> {
        let reply: IdOnly = CreateRefund::new()
            .payment_intent(intent)
            .amount(amount_minor)
            .build()
            .customize::<IdOnly>()
            .request_strategy(key(idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failed)?;
        Ok(reply.id)
    }
}
