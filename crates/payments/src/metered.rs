//! Counts and times every call to the payment provider, whatever the gateway.
//!
//! Series: `techex_stripe_requests_total{operation, outcome}` (outcome `ok`, `refused`,
//! `unavailable` or `config`) and `techex_stripe_request_duration_seconds{operation}`.

use crate::gateway::{
    Gateway, GatewayError, GatewayResult, Intent, IntentPage, NewIntent, NewTransfer, Setup, Transfer,
};
use std::collections::HashMap;
use std::future::Future;

/// A gateway that records metrics around another.
pub struct Metered<G> {
    inner: G,
}

impl<G: Gateway> Metered<G> {
    pub fn new(inner: G) -> Metered<G> {
        Metered { inner }
    }
}

async fn observe<T>(operation: &'static str, call: impl Future<Output = GatewayResult<T>>) -> GatewayResult<T> {
    let started = std::time::Instant::now();
    let outcome = call.await;
    let label = match &outcome {
        Ok(_) => "ok",
        Err(GatewayError::Refused(_)) => "refused",
        Err(GatewayError::Unavailable(_)) => "unavailable",
        Err(GatewayError::Config(_)) => "config",
    };
    metrics::histogram!("techex_stripe_request_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("techex_stripe_requests_total", "operation" => operation, "outcome" => label).increment(1);
    outcome
}

#[async_trait::async_trait]
impl<G: Gateway> Gateway for Metered<G> {
    async fn create_customer(&self, name: &str, idempotency_key: &str) -> GatewayResult<String> {
        observe("create_customer", self.inner.create_customer(name, idempotency_key)).await
    }

    async fn create_intent(&self, new: NewIntent) -> GatewayResult<Intent> {
        observe("create_intent", self.inner.create_intent(new)).await
    }

    async fn retrieve_intent(&self, id: &str) -> GatewayResult<Intent> {
        observe("retrieve_intent", self.inner.retrieve_intent(id)).await
    }

    async fn confirm_intent(&self, id: &str, payment_method: &str, idempotency_key: &str) -> GatewayResult<Intent> {
        observe("confirm_intent", self.inner.confirm_intent(id, payment_method, idempotency_key)).await
    }

    async fn create_setup_intent(
        &self,
        customer: &str,
        metadata: HashMap<String, String>,
        idempotency_key: &str,
    ) -> GatewayResult<Setup> {
        observe("create_setup_intent", self.inner.create_setup_intent(customer, metadata, idempotency_key)).await
    }

    async fn retrieve_setup_intent(&self, id: &str) -> GatewayResult<Setup> {
        observe("retrieve_setup_intent", self.inner.retrieve_setup_intent(id)).await
    }

    async fn cancel_intent(&self, id: &str, idempotency_key: &str) -> GatewayResult<Intent> {
        observe("cancel_intent", self.inner.cancel_intent(id, idempotency_key)).await
    }

    async fn list_intents(&self, starting_after: Option<&str>) -> GatewayResult<IntentPage> {
        observe("list_intents", self.inner.list_intents(starting_after)).await
    }

    async fn refund(&self, intent: &str, amount_minor: i64, idempotency_key: &str) -> GatewayResult<String> {
        observe("refund", self.inner.refund(intent, amount_minor, idempotency_key)).await
    }

    async fn create_transfer(&self, new: NewTransfer) -> GatewayResult<Transfer> {
        observe("create_transfer", self.inner.create_transfer(new)).await
    }
}
