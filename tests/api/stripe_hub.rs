//! One webhook endpoint at localstripe for the whole test process, fanning each event
//! out to the test servers running at that moment.
//!
//! localstripe delivers every event by iterating its global dict of endpoints; an
//! endpoint added while it iterates kills that delivery ("dictionary changed size during
//! iteration"), and endpoints can only be re-pointed, never removed. Registering one per
//! test (and retiring it at the end) therefore lost events and piled up dead endpoints.
//! Here the process registers once, under an id that is stable per checkout and backend
//! (re-registering an existing id only replaces its value, so later runs never change
//! the dict's size), and the tests subscribe to this hub instead. Every event is
//! forwarded, byte for byte with its signature, to every subscribed server; a server
//! answers `not_ours` for intents of other tests.

use crate::helpers::{TestApp, WEBHOOK_SECRET, backend, stripe_url};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

type Subscribers = Arc<Mutex<HashMap<u64, String>>>;

struct Hub {
    subscribers: Subscribers,
    next: AtomicU64,
}

static HUB: OnceLock<Hub> = OnceLock::new();

/// The endpoint id at localstripe: one per checkout and backend, the same in every run.
fn endpoint_id() -> String {
    use sha2::Digest;
    let checkout = env!("CARGO_MANIFEST_DIR");
    let digest = hex::encode(sha2::Sha256::digest(format!("{checkout}|{}", backend()).as_bytes()));
    format!("techex_tests_{}", &digest[..16])
}

fn hub() -> &'static Hub {
    HUB.get_or_init(|| {
        let subscribers: Subscribers = Arc::default();
        let (ready, started) = std::sync::mpsc::channel::<Result<(), String>>();
        let serving = subscribers.clone();
        // The hub outlives every test's runtime, so it runs on a thread and runtime of its own.
        std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = ready.send(Err(format!("no runtime for the webhook hub: {error}")));
                    return;
                }
            };
            runtime.block_on(serve(serving, ready));
        });
        match started.recv() {
            Ok(Ok(())) => {}
            Ok(Err(message)) => panic!("{message}"),
            Err(_) => panic!("the webhook hub did not start"),
        }
        Hub { subscribers, next: AtomicU64::new(0) }
    })
}

async fn serve(subscribers: Subscribers, ready: std::sync::mpsc::Sender<Result<(), String>>) {
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(error) => {
            let _ = ready.send(Err(format!("the webhook hub cannot bind: {error}")));
            return;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let registered = reqwest::Client::new()
        .post(format!("{}/_config/webhooks/{}", stripe_url(), endpoint_id()))
        .form(&[("url", format!("http://127.0.0.1:{port}/events")), ("secret", WEBHOOK_SECRET.to_string())])
        .send()
        .await;
    match registered {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => {
            let _ = ready.send(Err(format!("localstripe refused the webhook endpoint: {}", response.status())));
            return;
        }
        Err(error) => {
            let _ = ready.send(Err(format!(
                "localstripe is not reachable at {} ({error}); scripts/test starts it",
                stripe_url()
            )));
            return;
        }
    }
    let forwarder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(60)).build().unwrap_or_default();
    let router = axum::Router::new().route(
        "/events",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let targets: Vec<String> = subscribers.lock().map(|s| s.values().cloned().collect()).unwrap_or_default();
            let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            for target in targets {
                let request = forwarder
                    .post(target)
                    .header("content-type", "application/json")
                    .header("stripe-signature", signature.clone())
                    .body(body.clone());
                // Each server on its own task: a slow or stopped one holds up nobody.
                tokio::spawn(async move {
                    let _ = request.send().await;
                });
            }
            async { axum::http::StatusCode::OK }
        }),
    );
    let _ = ready.send(Ok(()));
    let _ = axum::serve(listener, router).await;
}

/// A test server's subscription to localstripe's events; ends when dropped.
pub struct Webhook {
    key: u64,
}

impl Drop for Webhook {
    fn drop(&mut self) {
        if let Some(hub) = HUB.get()
            && let Ok(mut subscribers) = hub.subscribers.lock()
        {
            subscribers.remove(&self.key);
        }
    }
}

/// Subscribes this server to the events localstripe delivers.
#[must_use = "the subscription ends when the guard is dropped"]
pub fn register_webhook(app: &TestApp) -> Webhook {
    let hub = hub();
    let key = hub.next.fetch_add(1, Ordering::SeqCst);
    if let Ok(mut subscribers) = hub.subscribers.lock() {
        subscribers.insert(key, app.url("/api/v1/payments/stripe/webhook"));
    }
    Webhook { key }
}
