//! The payment service provider behind a small trait, so the rest of techex never sees
//! Stripe types. `StripeGateway` (in `stripe.rs`) talks to Stripe — or to localstripe in
//! tests — reading replies into the small types below: the parts techex needs, tolerant
//! of fields an older API version leaves out.

use serde::Deserialize;
use std::collections::HashMap;

pub use crate::stripe::StripeGateway;

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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Setup {
    pub id: String,
    pub status: String,
    pub client_secret: Option<String>,
    pub customer: Option<String>,
    /// The card's payment method once confirmed (`pm_…`).
    pub payment_method: Option<String>,
}

/// One page of payment intents, newest first.
#[derive(Debug, Clone, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
