//! Stripe's REST API for the eleven calls techex makes, over the workspace's reqwest.
//!
//! This replaced async-stripe (issue 17): its generated types for the whole API were three
//! crates and about 400 of the release build's 2,288 unit-seconds, on the critical path,
//! while techex reads five small objects. Stripe's protocol is plain: form-encoded bodies
//! (`metadata[key]=value`), the secret key as a bearer token, a pinned `Stripe-Version`,
//! an `Idempotency-Key` on every write, and `{"error": {"message": …}}` on failure.
//!
//! Each request is sent once: a write that may have reached Stripe is retried by its caller
//! with the same idempotency key, which Stripe answers with the first reply.

use crate::gateway::{
    Gateway, GatewayError, GatewayResult, Intent, IntentPage, NewIntent, NewTransfer, Setup, Transfer,
};
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::time::Duration;

/// The API version every request asks for: the replies' shape does not change under us
/// when the account's default version moves.
pub const STRIPE_VERSION: &str = "2026-09-30.endive";

const TIMEOUT: Duration = Duration::from_secs(20);

/// One Stripe account at one base URL.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: Url,
    bearer: String,
}

#[derive(Deserialize)]
struct ErrorReply {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

/// A form body: pairs in order, nested keys written as Stripe reads them.
#[derive(Default)]
struct Form(Vec<(String, String)>);

impl Form {
    fn field(mut self, name: &str, value: impl ToString) -> Form {
        self.0.push((name.to_owned(), value.to_string()));
        self
    }

    fn metadata(mut self, metadata: HashMap<String, String>) -> Form {
        let mut pairs: Vec<_> = metadata.into_iter().collect();
        pairs.sort();
        self.0.extend(pairs.into_iter().map(|(key, value)| (format!("metadata[{key}]"), value)));
        self
    }
}

fn api(secret_key: &str, base_url: &str) -> GatewayResult<Api> {
    if secret_key.trim().is_empty() {
        return Err(GatewayError::Config("the secret key is empty".to_owned()));
    }
    let mut base =
        Url::parse(base_url.trim()).map_err(|e| GatewayError::Config(format!("base URL {base_url:?}: {e}")))?;
    if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
        return Err(GatewayError::Config(format!("base URL {base_url:?} is not an http(s) address")));
    }
    base.set_query(None);
    let http = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("techex/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| GatewayError::Config(e.to_string()))?;
    Ok(Api { http, base, bearer: format!("Bearer {}", secret_key.trim()) })
}

/// A currency as Stripe writes it: three ASCII letters, lower case.
fn currency(code: &str) -> GatewayResult<String> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(code.to_ascii_lowercase())
    } else {
        Err(GatewayError::Config(format!("currency {code:?}")))
    }
}

/// What a failed reply means for techex: Stripe's refusal of this request (a card
/// declined, an amount too large, an unknown id) or a failure worth trying again later
/// (Stripe's own errors, rate limiting, a conflicting concurrent idempotent request).
fn failure(status: StatusCode, body: &[u8]) -> GatewayError {
    let reply = serde_json::from_slice::<ErrorReply>(body).ok();
    let message = reply
        .as_ref()
        .and_then(|r| r.error.message.clone().or_else(|| r.error.kind.clone()))
        .unwrap_or_else(|| format!("status {}", status.as_u16()));
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::CONFLICT {
        GatewayError::Unavailable(format!("{message} (status {})", status.as_u16()))
    } else {
        GatewayError::Refused(message)
    }
}

impl Api {
    fn url(&self, path: &[&str]) -> GatewayResult<Url> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| GatewayError::Config("base URL cannot take a path".to_owned()))?
            .pop_if_empty()
            .push("v1")
            .extend(path);
        Ok(url)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        form: Form,
        idempotency_key: Option<&str>,
    ) -> GatewayResult<T> {
        let url = self.url(path)?;
        let mut request = self
            .http
            .request(method.clone(), url)
            .header(reqwest::header::AUTHORIZATION, &self.bearer)
            .header("Stripe-Version", STRIPE_VERSION);
        if let Some(key) = idempotency_key {
            if key.is_empty() || key.len() > 255 {
                return Err(GatewayError::Config(format!("idempotency key of {} bytes", key.len())));
            }
            request = request.header("Idempotency-Key", key);
        }
        request = if method == Method::GET { request.query(&form.0) } else { request.form(&form.0) };
        let response = request.send().await.map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        if !status.is_success() {
            return Err(failure(status, &body));
        }
        serde_json::from_slice(&body)
            .map_err(|e| GatewayError::Unavailable(format!("unreadable reply from the payment provider: {e}")))
    }
}

/// Stripe (or localstripe) over HTTP.
pub struct StripeGateway {
    api: Api,
    /// Connect calls (transfers) go here: Stripe itself in production, a separate test
    /// double in tests, since localstripe has no Connect.
    connect: Api,
}

impl StripeGateway {
    /// A client for `base_url` (`https://api.stripe.com`, or localstripe's address).
    pub fn new(secret_key: &str, base_url: &str) -> GatewayResult<Self> {
        Self::with_connect(secret_key, base_url, base_url)
    }

    /// A client whose Connect calls go to `connect_base_url`.
    pub fn with_connect(secret_key: &str, base_url: &str, connect_base_url: &str) -> GatewayResult<Self> {
        Ok(StripeGateway { api: api(secret_key, base_url)?, connect: api(secret_key, connect_base_url)? })
    }
}

#[async_trait::async_trait]
impl Gateway for StripeGateway {
    async fn create_customer(&self, name: &str, idempotency_key: &str) -> GatewayResult<String> {
        let form = Form::default().field("name", name);
        let reply: IdOnly = self.api.call(Method::POST, &["customers"], form, Some(idempotency_key)).await?;
        Ok(reply.id)
    }

    async fn create_intent(&self, new: NewIntent) -> GatewayResult<Intent> {
        let form = Form::default()
            .field("amount", new.amount_minor)
            .field("currency", currency(&new.currency)?)
            .field("customer", new.customer)
            .metadata(new.metadata);
        self.api.call(Method::POST, &["payment_intents"], form, Some(&new.idempotency_key)).await
    }

    async fn retrieve_intent(&self, id: &str) -> GatewayResult<Intent> {
        self.api.call(Method::GET, &["payment_intents", id], Form::default(), None).await
    }

    async fn confirm_intent(&self, id: &str, payment_method: &str, idempotency_key: &str) -> GatewayResult<Intent> {
        let card = Form::default().field("payment_method", payment_method);
        let card_key = format!("{idempotency_key}-card");
        let _: Intent = self.api.call(Method::POST, &["payment_intents", id], card, Some(&card_key)).await?;
        self.api.call(Method::POST, &["payment_intents", id, "confirm"], Form::default(), Some(idempotency_key)).await
    }

    async fn create_setup_intent(
        &self,
        customer: &str,
        metadata: HashMap<String, String>,
        idempotency_key: &str,
    ) -> GatewayResult<Setup> {
        let form = Form::default().field("customer", customer).metadata(metadata);
        self.api.call(Method::POST, &["setup_intents"], form, Some(idempotency_key)).await
    }

    async fn retrieve_setup_intent(&self, id: &str) -> GatewayResult<Setup> {
        self.api.call(Method::GET, &["setup_intents", id], Form::default(), None).await
    }

    async fn cancel_intent(&self, id: &str, idempotency_key: &str) -> GatewayResult<Intent> {
        self.api.call(Method::POST, &["payment_intents", id, "cancel"], Form::default(), Some(idempotency_key)).await
    }

    async fn list_intents(&self, starting_after: Option<&str>) -> GatewayResult<IntentPage> {
        let mut query = Form::default().field("limit", 100);
        if let Some(after) = starting_after {
            query = query.field("starting_after", after);
        }
        self.api.call(Method::GET, &["payment_intents"], query, None).await
    }

    async fn refund(&self, intent: &str, amount_minor: i64, idempotency_key: &str) -> GatewayResult<String> {
        let form = Form::default().field("payment_intent", intent).field("amount", amount_minor);
        let reply: IdOnly = self.api.call(Method::POST, &["refunds"], form, Some(idempotency_key)).await?;
        Ok(reply.id)
    }

    async fn create_transfer(&self, new: NewTransfer) -> GatewayResult<Transfer> {
        let form = Form::default()
            .field("amount", new.amount_minor)
            .field("currency", currency(&new.currency)?)
            .field("destination", new.destination)
            .field("transfer_group", new.transfer_group)
            .metadata(new.metadata);
        self.connect.call(Method::POST, &["transfers"], form, Some(&new.idempotency_key)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::{body_string, header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn intent_json(status: &str) -> serde_json::Value {
        serde_json::json!({
            "id": "pi_1", "object": "payment_intent", "status": status, "amount": 1250,
            "currency": "cny", "client_secret": "pi_1_secret", "customer": "cus_1",
            "metadata": {"milestone": "m1"}, "a_field_techex_does_not_read": [1, 2]
        })
    }

    #[tokio::test]
    async fn a_payment_intent_is_created_with_stripes_form_encoding_headers_and_key() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/payment_intents"))
            .and(header("authorization", "Bearer sk_test_1"))
            .and(header("stripe-version", STRIPE_VERSION))
            .and(header("idempotency-key", "milestone-1-attempt-0"))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(body_string(
                "amount=1250&currency=cny&customer=cus_1&metadata%5Bcontract%5D=c+1&metadata%5Bmilestone%5D=m1",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(intent_json("requires_payment_method")))
            .expect(1)
            .mount(&server)
            .await;
        let gateway = StripeGateway::new("sk_test_1", &server.uri()).expect("client");
        let metadata =
            HashMap::from([("milestone".to_owned(), "m1".to_owned()), ("contract".to_owned(), "c 1".to_owned())]);
        let intent = gateway
            .create_intent(NewIntent {
                amount_minor: 1250,
                currency: "CNY".to_owned(),
                customer: "cus_1".to_owned(),
                metadata,
                idempotency_key: "milestone-1-attempt-0".to_owned(),
            })
            .await
            .expect("created");
        assert_eq!(intent.id, "pi_1");
        assert_eq!(intent.status, "requires_payment_method");
        assert_eq!(intent.amount, 1250);
        assert_eq!(intent.metadata.and_then(|m| m.get("milestone").cloned()).as_deref(), Some("m1"));
    }

    #[tokio::test]
    async fn ids_are_one_path_segment_and_lists_page_by_query() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/payment_intents/pi_a%2F..%2Fcustomers"))
            .respond_with(ResponseTemplate::new(404).set_body_json(
                serde_json::json!({"error": {"type": "invalid_request_error", "message": "No such payment_intent"}}),
            ))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1/payment_intents"))
            .and(query_param("limit", "100"))
            .and(query_param("starting_after", "pi_9"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"object": "list", "data": [intent_json("succeeded")], "has_more": false}),
            ))
            .expect(1)
            .mount(&server)
            .await;
        // A base URL with a path prefix keeps it (a proxy in front of Stripe).
        let gateway = StripeGateway::new("sk_test_1", &format!("{}/", server.uri())).expect("client");
        match gateway.retrieve_intent("pi_a/../customers").await {
            Err(GatewayError::Refused(message)) => assert_eq!(message, "No such payment_intent"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        let page = gateway.list_intents(Some("pi_9")).await.expect("listed");
        assert_eq!(page.data.len(), 1);
        assert!(!page.has_more);
    }

    #[tokio::test]
    async fn declines_are_refusals_and_stripes_own_trouble_is_unavailability() {
        let server = MockServer::start().await;
        for (id, status) in [("pi_declined", 402), ("pi_limited", 429), ("pi_busy", 409), ("pi_down", 503)] {
            Mock::given(method("POST"))
                .and(path(format!("/v1/payment_intents/{id}/cancel")))
                .respond_with(ResponseTemplate::new(status).set_body_json(
                    serde_json::json!({"error": {"type": "card_error", "message": format!("{id} says no")}}),
                ))
                .mount(&server)
                .await;
        }
        Mock::given(method("POST"))
            .and(path("/v1/payment_intents/pi_garbled/cancel"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy error</html>"))
            .mount(&server)
            .await;
        let gateway = StripeGateway::new("sk_test_1", &server.uri()).expect("client");
        assert!(
            matches!(gateway.cancel_intent("pi_declined", "k").await, Err(GatewayError::Refused(m)) if m == "pi_declined says no")
        );
        for id in ["pi_limited", "pi_busy", "pi_down", "pi_garbled"] {
            assert!(
                matches!(gateway.cancel_intent(id, "k").await, Err(GatewayError::Unavailable(_))),
                "{id} should be worth retrying"
            );
        }
        // Nothing listens here: unreachable, not refused.
        let closed = StripeGateway::new("sk_test_1", "http://127.0.0.1:9").expect("client");
        assert!(matches!(closed.retrieve_setup_intent("seti_1").await, Err(GatewayError::Unavailable(_))));
    }

    #[test]
    fn bad_configuration_is_named_before_any_call() {
        assert!(matches!(StripeGateway::new("", "https://api.stripe.com"), Err(GatewayError::Config(_))));
        assert!(matches!(StripeGateway::new("sk", "not a url"), Err(GatewayError::Config(_))));
        assert!(matches!(StripeGateway::new("sk", "ftp://example.com"), Err(GatewayError::Config(_))));
        assert_eq!(currency("CNY").expect("valid"), "cny");
        assert!(currency("yuan").is_err());
        assert!(currency("c1y").is_err());
    }
}
