//! Verifying the provider's webhook signature and reading its events. The signature is an
//! HMAC-SHA256 of `"{t}.{raw body}"` with the endpoint's secret, sent as
//! `Stripe-Signature: t=…,v1=…`; a stale timestamp or a wrong signature is refused before
//! the body is even parsed.

use crate::milestones::ProviderEvent;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Why a webhook delivery is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Header,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("the signature does not match")]
    Signature,
    #[error("the event is not valid JSON: {0}")]
    Body(String),
}

/// Checks a delivery's signature at time `now` (seconds) with a tolerance in seconds.
pub fn verify(body: &[u8], header: &str, secret: &str, now: i64, tolerance: i64) -> Result<(), WebhookError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::Header)?;
    if signatures.is_empty() {
        return Err(WebhookError::Header);
    }
    if (now - timestamp).abs() > tolerance {
        return Err(WebhookError::Stale);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| WebhookError::Header)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let valid = signatures.iter().any(|s| hex::decode(s).is_ok_and(|bytes| mac.clone().verify_slice(&bytes).is_ok()));
    if valid { Ok(()) } else { Err(WebhookError::Signature) }
}

/// The header a delivery of `body` signed at `timestamp` carries (for tests and tools).
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Reads the parts of an event techex uses.
pub fn parse(body: &[u8]) -> Result<ProviderEvent, WebhookError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| WebhookError::Body(e.to_string()))?;
    let id = value["id"].as_str().ok_or_else(|| WebhookError::Body("no event id".into()))?.to_string();
    let kind = value["type"].as_str().ok_or_else(|| WebhookError::Body("no event type".into()))?.to_string();
    let object = &value["data"]["object"];
    let is_intent = object["object"].as_str() == Some("payment_intent");
    Ok(ProviderEvent {
        id,
        kind,
        intent_id: if is_intent { object["id"].as_str().map(str::to_string) } else { None },
        intent_status: if is_intent { object["status"].as_str().map(str::to_string) } else { None },
        failure: object["last_payment_error"]["message"].as_str().map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_with_a_tolerance() {
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"object":"payment_intent","id":"pi_1"}}}"#;
        let header = sign(body, "whsec_x", 1_000);
        assert_eq!(verify(body, &header, "whsec_x", 1_100, 300), Ok(()));
        assert_eq!(verify(body, &header, "whsec_y", 1_100, 300), Err(WebhookError::Signature));
        assert_eq!(verify(b"{}", &header, "whsec_x", 1_100, 300), Err(WebhookError::Signature));
        assert_eq!(verify(body, &header, "whsec_x", 2_000, 300), Err(WebhookError::Stale));
        assert_eq!(verify(body, "nonsense", "whsec_x", 1_000, 300), Err(WebhookError::Header));
        let event = parse(body).expect("parses");
        assert_eq!(event.intent_id.as_deref(), Some("pi_1"));
    }
}
