//! Milestone payments against localstripe: pay → webhook → paid → accept (escrow to the
//! seller and the broker's commission) or reject (refund); the ledger balances after
//! every step; webhooks with bad signatures, replays and out-of-order events; paying twice
//! charges once; only the buyer pays.

use crate::contracts::{agreed_deal, sign};
use crate::helpers::{BACKSTOP, TestApp, WEBHOOK_SECRET, spawn_app, spawn_app_with, stripe_url};
use crate::stripe_hub::register_webhook;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Stripe Connect's `POST /v1/transfers`, as a test double (localstripe has no Connect):
/// answers like Stripe with a transfer echoing the request; an account named
/// `acct_closed` is refused as Stripe refuses a closed account.
struct ConnectDouble {
    sequence: AtomicUsize,
}

impl Respond for ConnectDouble {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form = form_of(request);
        if form.get("destination").map(String::as_str) == Some("acct_closed") {
            return ResponseTemplate::new(400).set_body_json(json!({"error": {
                "type": "invalid_request_error", "message": "The destination account is closed."}}));
        }
        let n = self.sequence.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json(json!({
            "id": format!("tr_test{n}"), "object": "transfer",
            "amount": form.get("amount").and_then(|a| a.parse::<i64>().ok()),
            "currency": form.get("currency"), "destination": form.get("destination"),
            "transfer_group": form.get("transfer_group"),
        }))
    }
}

fn form_of(request: &Request) -> HashMap<String, String> {
    url::form_urlencoded::parse(&request.body).into_owned().collect()
}

/// A Connect double that answers every transfer.
async fn connect_double() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/transfers"))
        .respond_with(ConnectDouble { sequence: AtomicUsize::new(0) })
        .mount(&server)
        .await;
    server
}

/// The transfers the double received: (idempotency key, form fields).
async fn transfers(server: &MockServer) -> Vec<(String, HashMap<String, String>)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/v1/transfers")
        .map(|r| {
            let key = r.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            (key, form_of(r))
        })
        .collect()
}

async fn spawn_with_connect(connect: &MockServer) -> TestApp {
    let uri = connect.uri();
    spawn_app_with(move |config| config.stripe_connect_api_base = Some(uri)).await
}

/// A registered contract of an agreed exclusive licence (30 万: 10 万 on signing, 20 万
/// on delivery; broker commission 5%); returns its id and the two milestone ids.
pub(crate) async fn registered_contract(app: &TestApp) -> (String, String, String) {
    registered_contract_with(app, json!({})).await
}

/// The same, with more clauses amended before signing.
async fn registered_contract_with(app: &TestApp, clauses: Value) -> (String, String, String) {
    let deal = agreed_deal(app).await;
    let drafted = app.post("/api/v1/contracts", Some(&app.seller), json!({"deal_id": deal})).await.expect(201);
    let id = drafted.id();
    let amended = app
        .patch(&format!("/api/v1/contracts/{id}"), &app.seller, None, {
            let mut amendment = json!({"seller_representative": "张成", "buyer_representative": "刘采"});
            if let (Some(into), Some(extra)) = (amendment.as_object_mut(), clauses.as_object()) {
                into.extend(extra.clone());
            }
            amendment
        })
        .await
        .expect(200);
    let hash = amended.body["sha256"].as_str().unwrap_or_default().to_string();
    for who in [&app.seller, &app.buyer, &app.broker] {
        sign(app, &id, who, &hash).await.expect(200);
    }
    let registered =
        app.post_empty(&format!("/api/v1/contracts/{id}/register"), Some(&app.registrar)).await.expect(200);
    let milestone = |n: usize| registered.body["milestones"][n]["id"].as_str().unwrap_or_default().to_string();
    (id, milestone(0), milestone(1))
}

/// Runs `techex payments reconcile [--repair]` against the test's database and returns
/// what it printed.
fn reconcile_cli(app: &TestApp, repair: bool, connect: Option<&str>) -> String {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_techex"));
    command
        .env("TECHEX_DATA_DIR", app.data_dir.path())
        .env("DATABASE_URL", &app.database_url)
        .env("TECHEX_STRIPE_SECRET_KEY", "sk_test_techex")
        .env("TECHEX_STRIPE_API_BASE", stripe_url())
        .env("RUST_LOG", "warn")
        .args(["payments", "reconcile"]);
    if let Some(connect) = connect {
        command.env("TECHEX_STRIPE_CONNECT_API_BASE", connect);
    }
    if repair {
        command.arg("--repair");
    }
    let output = command.output().expect("run techex");
    assert!(output.status.success(), "reconcile failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn localstripe() -> reqwest::Client {
    reqwest::Client::new()
}

/// The buyer's card payment, as Stripe.js would make it.
pub(crate) async fn confirm_card(intent: &str) {
    let base = stripe_url();
    let update = localstripe()
        .post(format!("{base}/v1/payment_intents/{intent}"))
        .basic_auth("sk_test_techex", Some(""))
        .form(&[("payment_method", "pm_card_visa")])
        .send()
        .await
        .expect("update the intent");
    assert!(update.status().is_success(), "{}", update.text().await.unwrap_or_default());
    let confirm = localstripe()
        .post(format!("{base}/v1/payment_intents/{intent}/confirm"))
        .basic_auth("sk_test_techex", Some(""))
        .send()
        .await
        .expect("confirm the intent");
    let body: Value = confirm.json().await.unwrap_or_default();
    assert_eq!(body["status"], "succeeded", "{body}");
}

/// How long a test lets localstripe's own delivery (a second's delay, then the hub) take
/// before it delivers the event itself.
const DRIVE_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

/// Waits until the milestone reaches `wanted` on Stripe's word. The word normally comes
/// through localstripe's delivery; when it has not come after `DRIVE_AFTER` (a busy
/// machine, or another process's endpoint registration killing localstripe's delivery
/// loop), the test posts the intent's current state at localstripe as a signed event
/// itself — exactly what Stripe would send, verified by the server like any delivery.
pub(crate) async fn wait_for_status(app: &TestApp, milestone: &str, wanted: &str) -> Value {
    wait_on_stripe(app, milestone, wanted, true).await
}

/// Waits, like `wait_for_status`, but only ever on localstripe's own delivery: for the
/// test that proves that delivery reaches the server.
async fn wait_for_delivery(app: &TestApp, milestone: &str, wanted: &str) -> Value {
    wait_on_stripe(app, milestone, wanted, false).await
}

async fn wait_on_stripe(app: &TestApp, milestone: &str, wanted: &str, drive: bool) -> Value {
    let started = std::time::Instant::now();
    let mut driven = false;
    loop {
        let view = app.get(&format!("/api/v1/milestones/{milestone}/payment"), Some(&app.buyer)).await.expect(200);
        if view.body["milestone_status"] == wanted {
            return view.body;
        }
        assert!(started.elapsed() < BACKSTOP, "milestone never became {wanted}: {}", view.body);
        if drive && !driven && started.elapsed() > DRIVE_AFTER {
            let intent = view.body["payment_intent_id"].as_str().unwrap_or_default().to_string();
            eprintln!("no delivery from localstripe for {intent} after {DRIVE_AFTER:?}; delivering it");
            deliver_intent_state(app, &intent).await;
            driven = true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Waits until the server has recorded a `payment_intent.succeeded` event of the intent
/// (delivering it itself after `DRIVE_AFTER`, like `wait_for_status`).
async fn wait_event_recorded(app: &TestApp, intent: &str) {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use techex_payments::entities::event;
    let started = std::time::Instant::now();
    let mut driven = false;
    loop {
        let recorded = event::Entity::find()
            .filter(event::Column::PaymentIntentId.eq(intent))
            .filter(event::Column::EventType.eq("payment_intent.succeeded"))
            .count(&app.db)
            .await
            .expect("count events");
        if recorded > 0 {
            return;
        }
        assert!(started.elapsed() < BACKSTOP, "no event of {intent} was ever recorded");
        if !driven && started.elapsed() > DRIVE_AFTER {
            deliver_intent_state(app, intent).await;
            driven = true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Posts the intent's state at localstripe to the server as a signed
/// `payment_intent.succeeded` (or `.payment_failed`) event.
pub(crate) async fn deliver_intent_state(app: &TestApp, intent: &str) {
    let object: Value = localstripe()
        .get(format!("{}/v1/payment_intents/{intent}", stripe_url()))
        .basic_auth("sk_test_techex", Some(""))
        .send()
        .await
        .expect("retrieve the intent")
        .json()
        .await
        .expect("intent json");
    let kind =
        if object["status"] == "succeeded" { "payment_intent.succeeded" } else { "payment_intent.payment_failed" };
    let event = json!({"id": format!("evt_driven_{}", uuid::Uuid::now_v7().simple()), "object": "event",
        "type": kind, "data": {"object": object}})
    .to_string();
    let signed = techex_payments::webhook::sign(event.as_bytes(), WEBHOOK_SECRET, chrono::Utc::now().timestamp());
    post_event(app, &event, &signed).await.expect(200);
}

pub(crate) async fn ledger(app: &TestApp, contract: &str) -> Value {
    let balances = app.get(&format!("/api/v1/contracts/{contract}/ledger"), Some(&app.seller)).await.expect(200).body;
    assert_eq!(balances["totals"]["CNY"].as_i64().unwrap_or(0), 0, "the ledger sums to zero: {balances}");
    balances
}

fn balance(ledger: &Value, account: &str) -> i64 {
    ledger["accounts"][account]["CNY"].as_i64().unwrap_or(0)
}

async fn post_event(app: &TestApp, body: &str, signature: &str) -> crate::helpers::Reply {
    crate::helpers::Reply::from(
        app.client
            .post(app.url("/api/v1/payments/stripe/webhook"))
            .header("content-type", "application/json")
            .header("stripe-signature", signature)
            .body(body.to_string())
            .send()
            .await
            .expect("webhook"),
    )
    .await
}

#[tokio::test]
async fn milestones_are_paid_through_stripe_released_on_acceptance_and_refunded_on_rejection() {
    let connect = connect_double().await;
    let app = spawn_with_connect(&connect).await;
    let _webhook = register_webhook(&app);
    let (contract, first, second) = registered_contract(&app).await;
    let seller = app.seller.organization_id;
    let broker = app.broker.user_id;

    // The seller's administrators register where its money goes; nobody else may.
    let account_path = format!("/api/v1/organizations/{seller}/payout-account");
    app.put(&account_path, &app.other_seller, json!({"stripe_account_id": "acct_1Intruder"}))
        .await
        .expect_problem(404, "not_found");
    app.put(&account_path, &app.seller_colleague, json!({"stripe_account_id": "acct_1Colleague"}))
        .await
        .expect_problem(403, "forbidden");
    for bad in ["cus_123", "acct_", "acct_12 34", ""] {
        let reply = app.put(&account_path, &app.seller, json!({"stripe_account_id": bad})).await;
        assert_eq!(reply.expect_problem(422, "validation_failed").error_fields(), vec!["stripe_account_id"]);
    }
    app.get(&account_path, Some(&app.seller)).await.expect_problem(404, "not_found");
    let set = app.put(&account_path, &app.seller, json!({"stripe_account_id": "acct_1SellerSDU"})).await.expect(200);
    assert_eq!(set.body["stripe_account_id"], "acct_1SellerSDU");
    assert_eq!(
        app.get(&account_path, Some(&app.seller)).await.expect(200).body["stripe_account_id"],
        "acct_1SellerSDU"
    );

    // A non-party reads nothing of the contract, its money or its milestones, and no party
    // registers it but the center.
    for path in [
        format!("/api/v1/contracts/{contract}"),
        format!("/api/v1/contracts/{contract}/document"),
        format!("/api/v1/contracts/{contract}/ledger"),
        format!("/api/v1/milestones/{first}/payment"),
    ] {
        app.get(&path, Some(&app.other_seller)).await.expect_problem(404, "not_found");
    }
    app.post_empty(&format!("/api/v1/contracts/{contract}/register"), Some(&app.buyer))
        .await
        .expect_problem(403, "forbidden");
    app.post_empty(&format!("/api/v1/milestones/{first}/accept"), Some(&app.other_seller))
        .await
        .expect_problem(404, "not_found");

    // Only the buyer pays; nobody else even sees the milestone.
    app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.seller))
        .await
        .expect_problem(403, "forbidden");
    app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.other_seller))
        .await
        .expect_problem(404, "not_found");
    let paying = app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    let intent = paying.body["payment_intent_id"].as_str().unwrap_or_default().to_string();
    assert!(intent.starts_with("pi_"), "{}", paying.body);
    assert!(paying.body["client_secret"].is_string());
    assert_eq!(paying.body["milestone_status"], "payment_pending");
    assert_eq!(paying.body["amount_minor"], 10_000_000);
    // Paying again — with or without a client's own idempotency key, the same or another —
    // returns the same intent: one charge.
    for client_key in ["retry-a", "retry-b", "retry-a"] {
        let again = crate::helpers::Reply::from(
            app.request(reqwest::Method::POST, &format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer))
                .header("idempotency-key", client_key)
                .send()
                .await
                .expect("request"),
        )
        .await
        .expect(200);
        assert_eq!(again.body["payment_intent_id"], intent.as_str());
    }
    let again = app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    assert_eq!(again.body["payment_intent_id"], intent.as_str());
    assert_eq!(intents_of(&first).await.len(), 1, "Stripe holds one intent for the milestone");

    confirm_card(&intent).await;
    wait_for_delivery(&app, &first, "paid").await;
    let after_payment = ledger(&app, &contract).await;
    assert_eq!(balance(&after_payment, "provider_balance"), 10_000_000);
    assert_eq!(balance(&after_payment, &format!("escrow:{contract}")), -10_000_000, "held for the buyer");
    let view = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(view.body["status"], "performing");
    app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer))
        .await
        .expect_problem(409, "invalid_transition");

    // A forged delivery is refused; a replay and a late failure change nothing.
    let forged = json!({"id": "evt_forged", "type": "payment_intent.succeeded",
        "data": {"object": {"object": "payment_intent", "id": intent, "status": "succeeded"}}})
    .to_string();
    let now = chrono::Utc::now().timestamp();
    post_event(&app, &forged, &techex_payments::webhook::sign(forged.as_bytes(), "whsec_wrong", now))
        .await
        .expect_problem(400, "invalid_signature");
    post_event(&app, &forged, &techex_payments::webhook::sign(forged.as_bytes(), WEBHOOK_SECRET, now - 3600))
        .await
        .expect_problem(400, "invalid_signature");
    let replay = json!({"id": "evt_replay_1", "type": "payment_intent.succeeded",
        "data": {"object": {"object": "payment_intent", "id": intent, "status": "succeeded"}}})
    .to_string();
    let signed = techex_payments::webhook::sign(replay.as_bytes(), WEBHOOK_SECRET, now);
    assert_eq!(post_event(&app, &replay, &signed).await.expect(200).body["outcome"], "already_applied");
    assert_eq!(post_event(&app, &replay, &signed).await.expect(200).body["outcome"], "duplicate");
    let late_failure = json!({"id": "evt_late_failure", "type": "payment_intent.payment_failed",
        "data": {"object": {"object": "payment_intent", "id": intent, "status": "requires_payment_method",
                            "last_payment_error": {"message": "card declined"}}}})
    .to_string();
    let signed = techex_payments::webhook::sign(late_failure.as_bytes(), WEBHOOK_SECRET, now);
    assert_eq!(post_event(&app, &late_failure, &signed).await.expect(200).body["outcome"], "stale");
    assert_eq!(ledger(&app, &contract).await, after_payment, "the ledger did not move");

    // Acceptance releases the escrow: 5% to the broker (rounded down to the fen), the rest to the seller.
    app.post_empty(&format!("/api/v1/milestones/{first}/accept"), Some(&app.seller))
        .await
        .expect_problem(403, "forbidden");
    let accepted = app.post_empty(&format!("/api/v1/milestones/{first}/accept"), Some(&app.buyer)).await.expect(200);
    assert_eq!(accepted.body["milestone_status"], "accepted");
    // The seller's share went out at once by a Connect transfer; the broker has no
    // connected account yet, so the commission waits for one.
    let payouts = &accepted.body["payouts"];
    assert_eq!(payouts[0]["beneficiary"], "broker");
    assert_eq!(payouts[0]["status"], "awaiting_account");
    assert_eq!(payouts[0]["amount_minor"], 500_000);
    assert_eq!(payouts[1]["beneficiary"], "seller");
    assert_eq!(payouts[1]["status"], "sent", "{payouts}");
    assert_eq!(payouts[1]["amount_minor"], 9_500_000);
    assert_eq!(payouts[1]["transfer_group"], format!("techex-contract-{contract}"));
    let sent = transfers(&connect).await;
    assert_eq!(sent.len(), 1, "one transfer: {sent:?}");
    let (key, form) = &sent[0];
    assert_eq!(key, &format!("techex-milestone-{first}-payout-seller-1"));
    assert_eq!(form.get("amount").map(String::as_str), Some("9500000"));
    assert_eq!(form.get("currency").map(String::as_str), Some("cny"));
    assert_eq!(form.get("destination").map(String::as_str), Some("acct_1SellerSDU"));
    assert_eq!(form.get("transfer_group"), Some(&format!("techex-contract-{contract}")));
    assert_eq!(form.get("metadata[techex_milestone]"), Some(&first));
    assert_eq!(payouts[1]["transfer_id"], "tr_test0");
    let released = ledger(&app, &contract).await;
    assert_eq!(balance(&released, &format!("escrow:{contract}")), 0);
    assert_eq!(balance(&released, &format!("seller_payable:{seller}")), 0, "paid out");
    assert_eq!(balance(&released, &format!("broker_payable:{broker}")), -500_000, "still owed to the broker");
    assert_eq!(balance(&released, "provider_balance"), 500_000, "what Stripe still holds");

    // Only the broker sets their own account; then the commission goes out.
    let broker_path = format!("/api/v1/brokers/{broker}/payout-account");
    app.put(&broker_path, &app.broker2, json!({"stripe_account_id": "acct_1Broker2"}))
        .await
        .expect_problem(404, "not_found");
    app.put(&broker_path, &app.broker, json!({"stripe_account_id": "acct_1BrokerWang"})).await.expect(200);
    let view = app.get(&format!("/api/v1/milestones/{first}/payment"), Some(&app.seller)).await.expect(200);
    assert_eq!(view.body["payouts"][0]["status"], "sent", "{}", view.body);
    let sent = transfers(&connect).await;
    assert_eq!(sent.len(), 2);
    let (key, form) = &sent[1];
    assert_eq!(key, &format!("techex-milestone-{first}-payout-broker-1"));
    assert_eq!(form.get("amount").map(String::as_str), Some("500000"), "5% of 10万, rounded down to the fen");
    assert_eq!(form.get("destination").map(String::as_str), Some("acct_1BrokerWang"));
    let released = ledger(&app, &contract).await;
    assert_eq!(balance(&released, &format!("broker_payable:{broker}")), 0);
    assert_eq!(balance(&released, "provider_balance"), 0, "Stripe paid in 10万 and transferred 9.5万 + 0.5万");

    // The second milestone is paid, then rejected: refunded through Stripe.
    let paying = app.post_empty(&format!("/api/v1/milestones/{second}/pay"), Some(&app.buyer)).await.expect(200);
    let intent = paying.body["payment_intent_id"].as_str().unwrap_or_default().to_string();
    confirm_card(&intent).await;
    wait_for_status(&app, &second, "paid").await;
    assert_eq!(balance(&ledger(&app, &contract).await, "provider_balance"), 20_000_000);
    app.post(&format!("/api/v1/milestones/{second}/reject"), Some(&app.buyer), json!({"reason": ""}))
        .await
        .expect_problem(422, "validation_failed");
    let refunded = app
        .post(
            &format!("/api/v1/milestones/{second}/reject"),
            Some(&app.buyer),
            json!({"reason": "工艺包未通过中试验收"}),
        )
        .await
        .expect(200);
    assert_eq!(refunded.body["milestone_status"], "refunded");
    assert_eq!(refunded.body["status"], "refunded");
    let settled = ledger(&app, &contract).await;
    assert_eq!(balance(&settled, "provider_balance"), 0, "the refund left the provider balance");
    assert_eq!(transfers(&connect).await.len(), 2, "nothing is paid out of a refunded milestone");
    assert_eq!(balance(&settled, &format!("escrow:{contract}")), 0);
    let view = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.buyer)).await.expect(200);
    // Every scheduled milestone is settled, but the 2.5% running royalty keeps the licence
    // in force for its term: royalties are still to be reported.
    assert_eq!(view.body["status"], "performing", "a running royalty keeps the contract in force");
    let whole = app.get("/api/v1/payments/ledger", Some(&app.admin)).await.expect(200);
    assert_eq!(whole.body["totals"]["CNY"], 0);
    app.get("/api/v1/payments/ledger", Some(&app.buyer)).await.expect_problem(403, "forbidden");
}

#[tokio::test]
async fn a_lost_webhook_is_made_good_by_reconcile_exactly_once() {
    // This server registers no webhook: Stripe's word never reaches it, as when the
    // process died between Stripe's charge and its own write.
    let app = spawn_app().await;
    let (contract, first, _) = registered_contract(&app).await;
    let paying = app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    let intent = paying.body["payment_intent_id"].as_str().unwrap_or_default().to_string();
    confirm_card(&intent).await;
    let pending = app.get(&format!("/api/v1/milestones/{first}/payment"), Some(&app.buyer)).await.expect(200);
    assert_eq!(pending.body["milestone_status"], "payment_pending");

    let reconcile = |repair: bool| reconcile_cli(&app, repair, None);
    let report = reconcile(false);
    assert!(report.contains(&intent) && report.contains("techex=requires_payment stripe=succeeded"), "{report}");
    assert_eq!(
        app.get(&format!("/api/v1/milestones/{first}/payment"), Some(&app.buyer)).await.expect(200).body["milestone_status"],
        "payment_pending"
    );
    let repaired = reconcile(true);
    assert!(repaired.contains("repaired"), "{repaired}");
    assert_eq!(
        app.get(&format!("/api/v1/milestones/{first}/payment"), Some(&app.buyer)).await.expect(200).body["milestone_status"],
        "paid"
    );
    assert!(reconcile(true).contains("0 difference(s)"), "nothing left to repair");
    let balances = ledger(&app, &contract).await;
    assert_eq!(balance(&balances, "provider_balance"), 10_000_000, "recorded once, not twice");
    // A webhook arriving late changes nothing either.
    let late = json!({"id": "evt_late_success", "type": "payment_intent.succeeded",
        "data": {"object": {"object": "payment_intent", "id": intent, "status": "succeeded"}}})
    .to_string();
    let signed = techex_payments::webhook::sign(late.as_bytes(), WEBHOOK_SECRET, chrono::Utc::now().timestamp());
    assert_eq!(post_event(&app, &late, &signed).await.expect(200).body["outcome"], "already_applied");
    assert_eq!(ledger(&app, &contract).await, balances);
}

#[tokio::test]
async fn payouts_survive_an_outage_and_a_refusing_account_without_paying_twice() {
    let connect = MockServer::start().await;
    // Stripe is down for the first transfer; after that it answers.
    Mock::given(method("POST"))
        .and(path("/v1/transfers"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"error": {"type": "api_error", "message": "Stripe is having a bad day"}})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&connect)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/transfers"))
        .respond_with(ConnectDouble { sequence: AtomicUsize::new(0) })
        .with_priority(2)
        .mount(&connect)
        .await;
    let app = spawn_with_connect(&connect).await;
    let _webhook = register_webhook(&app);
    let (contract, first, _) = registered_contract(&app).await;
    let seller = app.seller.organization_id;
    let broker = app.broker.user_id;
    app.put(
        &format!("/api/v1/organizations/{seller}/payout-account"),
        &app.seller,
        json!({"stripe_account_id": "acct_1SellerSDU"}),
    )
    .await
    .expect(200);
    let broker_path = format!("/api/v1/brokers/{broker}/payout-account");
    app.put(&broker_path, &app.broker, json!({"stripe_account_id": "acct_closed"})).await.expect(200);

    let paying = app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    confirm_card(paying.body["payment_intent_id"].as_str().unwrap_or_default()).await;
    wait_for_status(&app, &first, "paid").await;
    let accepted = app.post_empty(&format!("/api/v1/milestones/{first}/accept"), Some(&app.buyer)).await.expect(200);
    assert_eq!(accepted.body["milestone_status"], "accepted", "the acceptance stands whatever Stripe says");
    let payouts = &accepted.body["payouts"];
    assert_eq!(payouts[1]["beneficiary"], "seller");
    assert_eq!(payouts[1]["status"], "pending", "queued again after the outage: {payouts}");
    assert_eq!(payouts[1]["attempts"], 1);
    assert_eq!(payouts[0]["beneficiary"], "broker");
    assert_eq!(payouts[0]["status"], "failed");
    assert!(payouts[0]["failure_reason"].as_str().unwrap_or("").contains("closed"), "{payouts}");
    let owed = ledger(&app, &contract).await;
    assert_eq!(balance(&owed, &format!("seller_payable:{seller}")), -9_500_000, "nothing left yet");
    assert_eq!(balance(&owed, "provider_balance"), 10_000_000);

    // Reconcile (or the sweeper, whichever comes first) sends it with the same key.
    let report = reconcile_cli(&app, true, Some(&connect.uri()));
    assert!(report.contains("payout:broker"), "the refused payout is reported: {report}");
    let view = app.get(&format!("/api/v1/milestones/{first}/payment"), Some(&app.buyer)).await.expect(200);
    assert_eq!(view.body["payouts"][1]["status"], "sent", "{}", view.body);
    let seller_key = format!("techex-milestone-{first}-payout-seller-1");
    let sent = transfers(&connect).await;
    assert_eq!(sent.iter().filter(|(key, _)| *key == seller_key).count(), 2, "retried under the same key: {sent:?}");

    // A new account for the broker: a new request (revision 2), not a replay of the refusal.
    app.put(&broker_path, &app.broker, json!({"stripe_account_id": "acct_1BrokerNew"})).await.expect(200);
    let view = app.get(&format!("/api/v1/milestones/{first}/payment"), Some(&app.buyer)).await.expect(200);
    assert_eq!(view.body["payouts"][0]["status"], "sent", "{}", view.body);
    let sent = transfers(&connect).await;
    let broker_keys: Vec<&str> =
        sent.iter().filter(|(key, _)| key.contains("payout-broker")).map(|(key, _)| key.as_str()).collect();
    assert_eq!(
        broker_keys,
        vec![
            format!("techex-milestone-{first}-payout-broker-1").as_str(),
            format!("techex-milestone-{first}-payout-broker-2").as_str()
        ]
    );
    let settled = ledger(&app, &contract).await;
    assert_eq!(balance(&settled, &format!("seller_payable:{seller}")), 0);
    assert_eq!(balance(&settled, &format!("broker_payable:{broker}")), 0);
    assert_eq!(balance(&settled, "provider_balance"), 0, "each payout posted once");
    let report = reconcile_cli(&app, true, Some(&connect.uri()));
    assert!(report.contains("0 difference(s)"), "nothing left: {report}");
    assert_eq!(transfers(&connect).await.len(), sent.len(), "a second reconcile sends nothing");
}

/// A proxy in front of localstripe that passes every request on, except that it keeps
/// the reply to the first `POST /v1/payment_intents` for itself: it hands the created
/// intent to the test and never answers, so the server can be killed after Stripe made
/// the intent and before the server could write it down.
async fn swallowing_proxy() -> (String, tokio::sync::mpsc::Receiver<Value>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let (tell, told) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let tell = tell.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0_u8; 8192];
                // One request per connection: read the head, then the body it announces.
                let (head, body) = loop {
                    let Ok(n) = socket.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buffer[..end]).to_string();
                        let length = head
                            .lines()
                            .find_map(|l| {
                                let (name, value) = l.split_once(':')?;
                                name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
                            })
                            .unwrap_or(0_usize);
                        while buffer.len() < end + 4 + length {
                            let Ok(n) = socket.read(&mut chunk).await else { return };
                            if n == 0 {
                                return;
                            }
                            buffer.extend_from_slice(&chunk[..n]);
                        }
                        break (head, buffer[end + 4..end + 4 + length].to_vec());
                    }
                };
                let mut lines = head.lines();
                let request_line = lines.next().unwrap_or_default().to_string();
                let mut parts = request_line.split_whitespace();
                let verb = parts.next().unwrap_or("GET").to_string();
                let target = parts.next().unwrap_or("/").to_string();
                let mut forward = reqwest::Client::new().request(
                    reqwest::Method::from_bytes(verb.as_bytes()).expect("method"),
                    format!("{}{target}", stripe_url()),
                );
                for line in lines {
                    if let Some((name, value)) = line.split_once(':')
                        && !["host", "content-length", "connection"]
                            .contains(&name.trim().to_ascii_lowercase().as_str())
                    {
                        forward = forward.header(name.trim(), value.trim());
                    }
                }
                let Ok(reply) = forward.body(body).send().await else { return };
                let status = reply.status().as_u16();
                let bytes = reply.bytes().await.unwrap_or_default();
                if verb == "POST" && target == "/v1/payment_intents" {
                    let intent: Value = serde_json::from_slice(&bytes).unwrap_or_default();
                    let _ = tell.send(intent).await;
                    // Hold the connection: the server never hears back.
                    tokio::time::sleep(std::time::Duration::from_secs(600)).await;
                    return;
                }
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    bytes.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&bytes).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (address, told)
}

/// The intents localstripe holds for a milestone.
async fn intents_of(milestone: &str) -> Vec<Value> {
    let mut found = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut request = localstripe()
            .get(format!("{}/v1/payment_intents", stripe_url()))
            .basic_auth("sk_test_techex", Some(""))
            .query(&[("limit", "100")]);
        if let Some(after) = &after {
            request = request.query(&[("starting_after", after.as_str())]);
        }
        let page: Value = request.send().await.expect("list intents").json().await.expect("json");
        let data = page["data"].as_array().cloned().unwrap_or_default();
        after = data.last().and_then(|i| i["id"].as_str()).map(str::to_string);
        found.extend(data.into_iter().filter(|i| i["metadata"]["techex_milestone"] == milestone));
        if page["has_more"] != true || after.is_none() {
            return found;
        }
    }
}

#[tokio::test]
async fn a_server_killed_between_stripe_and_its_own_write_loses_nothing_and_charges_once() {
    let app = spawn_app().await;
    let _webhook = register_webhook(&app);
    let (contract, first, _) = registered_contract(&app).await;
    let (proxy, mut created) = swallowing_proxy().await;

    // A second server process, talking to Stripe through the proxy.
    let data_dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_techex"))
        .args(["serve", "--no-demo", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &app.database_url)
        .env("TECHEX_DATA_DIR", data_dir.path())
        .env("TECHEX_STRIPE_SECRET_KEY", "sk_test_techex")
        .env("TECHEX_STRIPE_API_BASE", &proxy)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start techex serve");
    let base = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    while !reqwest::get(format!("{base}/health")).await.is_ok_and(|r| r.status().is_success()) {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the second server never came up");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let token = app.buyer.token.clone();
    let url = format!("{base}/api/v1/milestones/{first}/pay");
    let paying = tokio::spawn(async move { reqwest::Client::new().post(url).bearer_auth(token).send().await });
    let intent = tokio::time::timeout(std::time::Duration::from_secs(30), created.recv())
        .await
        .expect("Stripe created the intent")
        .expect("intent");
    let intent_id = intent["id"].as_str().unwrap_or_default().to_string();
    assert!(intent_id.starts_with("pi_"), "{intent}");
    // kill -9: the process dies with Stripe's reply in the air.
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    assert!(paying.await.expect("join").is_err(), "the buyer's request died with the server");

    // techex knows an attempt began but not its intent.
    let view = app.get(&format!("/api/v1/milestones/{first}/payment"), Some(&app.buyer)).await.expect(200);
    assert_eq!(view.body["status"], "creating", "{}", view.body);
    assert_eq!(view.body["milestone_status"], "scheduled");
    assert!(view.body["payment_intent_id"].is_null());

    let report = reconcile_cli(&app, false, None);
    assert!(
        report
            .contains(&format!("milestone {first} payment {intent_id} techex=creating stripe=requires_payment_method")),
        "{report}"
    );
    let repaired = reconcile_cli(&app, true, None);
    assert!(repaired.contains("repaired"), "{repaired}");
    let view = app.get(&format!("/api/v1/milestones/{first}/payment"), Some(&app.buyer)).await.expect(200);
    assert_eq!(view.body["payment_intent_id"], intent_id.as_str(), "the orphan intent is adopted");
    assert_eq!(view.body["milestone_status"], "payment_pending");

    // Paying again returns that intent: Stripe holds one intent for the milestone.
    let again = app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    assert_eq!(again.body["payment_intent_id"], intent_id.as_str());
    assert_eq!(again.body["client_secret"], intent["client_secret"]);
    confirm_card(&intent_id).await;
    wait_for_status(&app, &first, "paid").await;
    assert_eq!(intents_of(&first).await.len(), 1, "one intent, one charge");
    let balances = ledger(&app, &contract).await;
    assert_eq!(balance(&balances, "provider_balance"), 10_000_000, "recorded once");
    assert_eq!(balance(&balances, &format!("escrow:{contract}")), -10_000_000);
    assert!(reconcile_cli(&app, true, None).contains("0 difference(s)"), "nothing left to repair");
}

/// What localstripe's stand-in Stripe.js does in `confirmCardSetup` with the card typed
/// into its card element: confirm the setup intent with the card's details.
async fn save_card(client_secret: &str, setup_intent: &str, number: &str) {
    let response = localstripe()
        .post(format!("{}/v1/setup_intents/{setup_intent}/confirm", stripe_url()))
        .body(
            json!({"key": "pk_test_techex", "use_stripe_sdk": true, "client_secret": client_secret,
                   "payment_method_data": {"type": "card",
                       "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}})
            .to_string(),
        )
        .send()
        .await
        .expect("confirm the setup intent");
    let mut body: Value = response.json().await.unwrap_or_default();
    if body["status"] == "requires_action" {
        // The stand-in's 3-D Secure dialog, answered "Complete authentication".
        body = localstripe()
            .post(format!("{}/v1/setup_intents/{setup_intent}/confirm", stripe_url()))
            .body(json!({"key": "pk_test_techex", "use_stripe_sdk": true, "client_secret": client_secret}).to_string())
            .send()
            .await
            .expect("authenticate the setup")
            .json()
            .await
            .unwrap_or_default();
    }
    assert_eq!(body["status"], "succeeded", "{body}");
}

#[tokio::test]
async fn a_card_saved_by_the_browser_pays_a_milestone_with_or_without_3d_secure() {
    let app = spawn_app().await;
    let _webhook = register_webhook(&app);
    let (contract, first, second) = registered_contract(&app).await;

    app.post_empty(&format!("/api/v1/milestones/{first}/card-setup"), Some(&app.seller))
        .await
        .expect_problem(403, "forbidden");
    let setup = app.post_empty(&format!("/api/v1/milestones/{first}/card-setup"), Some(&app.buyer)).await.expect(200);
    assert_eq!(setup.body["publishable_key"], "pk_test_techex");
    assert_eq!(setup.body["stripe_js_url"], format!("{}/js.stripe.com/v3/", stripe_url()));
    let seti = setup.body["setup_intent_id"].as_str().unwrap_or_default().to_string();
    save_card(setup.body["client_secret"].as_str().unwrap_or_default(), &seti, "4242424242424242").await;
    let paid = app
        .post(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer), json!({"setup_intent": seti}))
        .await
        .expect(200);
    assert_eq!(paid.body["intent_status"], "succeeded", "{}", paid.body);
    assert_eq!(paid.body["milestone_status"], "paid", "recorded at once, without waiting for the webhook");
    let balances = ledger(&app, &contract).await;
    assert_eq!(balance(&balances, "provider_balance"), 10_000_000);
    // The webhook arrives afterwards and finds it applied; paying again is refused.
    wait_event_recorded(&app, paid.body["payment_intent_id"].as_str().unwrap_or_default()).await;
    assert_eq!(ledger(&app, &contract).await, balances, "recorded once");
    app.post(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer), json!({"setup_intent": seti}))
        .await
        .expect_problem(409, "invalid_transition");

    // A card saved for another customer is not ours to charge; bodies are checked.
    let stranger: Value = localstripe()
        .post(format!("{}/v1/customers", stripe_url()))
        .basic_auth("sk_test_techex", Some(""))
        .form(&[("name", "局外人")])
        .send()
        .await
        .expect("customer")
        .json()
        .await
        .expect("json");
    let foreign: Value = localstripe()
        .post(format!("{}/v1/setup_intents", stripe_url()))
        .basic_auth("sk_test_techex", Some(""))
        .form(&[("customer", stranger["id"].as_str().unwrap_or_default())])
        .send()
        .await
        .expect("setup intent")
        .json()
        .await
        .expect("json");
    save_card(
        foreign["client_secret"].as_str().unwrap_or_default(),
        foreign["id"].as_str().unwrap_or_default(),
        "4242424242424242",
    )
    .await;
    let refused = app
        .post(&format!("/api/v1/milestones/{second}/pay"), Some(&app.buyer), json!({"setup_intent": foreign["id"]}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), vec!["setup_intent"]);
    app.post(&format!("/api/v1/milestones/{second}/pay"), Some(&app.buyer), json!({"setup_intent": 7}))
        .await
        .expect_problem(422, "validation_failed");
    app.post(&format!("/api/v1/milestones/{second}/pay"), Some(&app.buyer), json!({"card": "4242"}))
        .await
        .expect_problem(422, "validation_failed");

    // A card that asks for 3-D Secure: the page completes it with confirmCardPayment.
    let setup = app.post_empty(&format!("/api/v1/milestones/{second}/card-setup"), Some(&app.buyer)).await.expect(200);
    let seti = setup.body["setup_intent_id"].as_str().unwrap_or_default().to_string();
    save_card(setup.body["client_secret"].as_str().unwrap_or_default(), &seti, "4000002760003184").await;
    let asked = app
        .post(&format!("/api/v1/milestones/{second}/pay"), Some(&app.buyer), json!({"setup_intent": seti}))
        .await
        .expect(200);
    assert_eq!(asked.body["intent_status"], "requires_action", "{}", asked.body);
    assert_eq!(asked.body["milestone_status"], "payment_pending");
    let intent = asked.body["payment_intent_id"].as_str().unwrap_or_default();
    let secret = asked.body["client_secret"].as_str().unwrap_or_default();
    let authenticated = localstripe()
        .post(format!("{}/v1/payment_intents/{intent}/_authenticate?success=true", stripe_url()))
        .body(json!({"key": "pk_test_techex", "client_secret": secret}).to_string())
        .send()
        .await
        .expect("authenticate");
    assert!(authenticated.status().is_success(), "{}", authenticated.text().await.unwrap_or_default());
    wait_for_status(&app, &second, "paid").await;
    assert_eq!(balance(&ledger(&app, &contract).await, "provider_balance"), 30_000_000);
}

#[tokio::test]
async fn the_rejection_window_is_the_one_the_contract_agrees() {
    let app = spawn_app().await;
    let _webhook = register_webhook(&app);
    let deal = agreed_deal(&app).await;
    let drafted = app.post("/api/v1/contracts", Some(&app.seller), json!({"deal_id": deal})).await.expect(201);
    assert_eq!(drafted.body["content"]["clauses"]["rejection_window_days"], 30, "30 days unless agreed otherwise");
    assert!(drafted.body["sha256"].is_string());
    for bad in [0, 181, -3] {
        let refused = app
            .patch(
                &format!("/api/v1/contracts/{}", drafted.id()),
                &app.seller,
                None,
                json!({"rejection_window_days": bad}),
            )
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), vec!["rejection_window_days"]);
        let refused = app
            .patch(&format!("/api/v1/contracts/{}", drafted.id()), &app.seller, None, json!({"cure_period_days": bad}))
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), vec!["cure_period_days"]);
    }
    assert_eq!(drafted.body["content"]["clauses"]["cure_period_days"], 30, "a 30-day cure period unless agreed");

    let (contract, first, second) = registered_contract_with(&app, json!({"rejection_window_days": 1})).await;
    let text = app
        .client
        .get(app.url(&format!("/api/v1/contracts/{contract}/document?format=text")))
        .bearer_auth(&app.buyer.token)
        .send()
        .await
        .expect("document")
        .text()
        .await
        .unwrap_or_default();
    assert!(
        text.contains("支付某期款项后 1 日内") && text.contains("Within 1 day of paying"),
        "the clause is in the text"
    );
    for milestone in [&first, &second] {
        let paying = app.post_empty(&format!("/api/v1/milestones/{milestone}/pay"), Some(&app.buyer)).await.expect(200);
        confirm_card(paying.body["payment_intent_id"].as_str().unwrap_or_default()).await;
        wait_for_status(&app, milestone, "paid").await;
    }
    // The first payment was two days ago: past the agreed window.
    {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        use techex_payments::entities::payment;
        let id = uuid::Uuid::parse_str(&first).expect("uuid");
        payment::Entity::update_many()
            .col_expr(payment::Column::UpdatedAt, Expr::value(chrono::Utc::now() - chrono::Duration::days(2)))
            .filter(payment::Column::MilestoneId.eq(id))
            .exec(&app.db)
            .await
            .expect("backdate the payment");
    }
    let late = app
        .post(&format!("/api/v1/milestones/{first}/reject"), Some(&app.buyer), json!({"reason": "迟到的异议"}))
        .await
        .expect_problem(409, "conflict");
    assert!(late.body["detail"].as_str().unwrap_or("").contains("within 1 days"), "{}", late.body);
    assert_eq!(balance(&ledger(&app, &contract).await, "provider_balance"), 30_000_000, "nothing was refunded");
    // Inside the window the second is refunded.
    app.post(&format!("/api/v1/milestones/{second}/reject"), Some(&app.buyer), json!({"reason": "未通过中试"}))
        .await
        .expect(200);
    assert_eq!(balance(&ledger(&app, &contract).await, "provider_balance"), 10_000_000);
}

#[tokio::test]
async fn a_contract_ends_by_agreement_once_no_money_is_held() {
    let app = spawn_app().await;
    let _webhook = register_webhook(&app);
    let (contract, first, second) = registered_contract(&app).await;
    let path = format!("/api/v1/contracts/{contract}/termination");
    app.post(&path, Some(&app.broker), json!({"reason": "经纪人无权解除"})).await.expect_problem(403, "forbidden");
    app.post(&path, Some(&app.other_seller), json!({"reason": "x"})).await.expect_problem(404, "not_found");
    app.post(&path, Some(&app.seller), json!({"reason": " "})).await.expect_problem(422, "validation_failed");
    app.post_empty(&format!("{path}/agree"), Some(&app.buyer)).await.expect_problem(409, "conflict");

    // A milestone being paid holds it up: settle it first.
    let paying = app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    app.post(&path, Some(&app.seller), json!({"reason": "市场变化"})).await.expect_problem(409, "conflict");
    confirm_card(paying.body["payment_intent_id"].as_str().unwrap_or_default()).await;
    wait_for_status(&app, &first, "paid").await;
    app.post(&path, Some(&app.seller), json!({"reason": "市场变化"})).await.expect_problem(409, "conflict");
    app.post_empty(&format!("/api/v1/milestones/{first}/accept"), Some(&app.buyer)).await.expect(200);
    // The next milestone falls due in 60 days: not yet among the buyer's tasks.
    let dashboard = app
        .request(reqwest::Method::GET, "/dashboard?lang=en", Some(&app.buyer))
        .send()
        .await
        .expect("dashboard")
        .text()
        .await
        .unwrap_or_default();
    assert!(!dashboard.contains("todo_pay_milestone"), "{dashboard}");

    let proposed =
        app.post(&path, Some(&app.seller), json!({"reason": "甲方产线调整，双方协商解除"})).await.expect(200);
    assert_eq!(proposed.body["termination_proposed_by"], "seller");
    app.post(&path, Some(&app.buyer), json!({"reason": "again"})).await.expect_problem(409, "conflict");
    app.post_empty(&format!("{path}/agree"), Some(&app.seller)).await.expect_problem(403, "forbidden");
    // Declined, then proposed again and agreed.
    let declined = app.post_empty(&format!("{path}/decline"), Some(&app.buyer)).await.expect(200);
    assert!(declined.body["termination_proposed_by"].is_null());
    app.post(&path, Some(&app.seller), json!({"reason": "甲方产线调整，双方协商解除"})).await.expect(200);
    let stale = proposed.version();
    app.post_if_match(&format!("{path}/agree"), &app.buyer, stale, None)
        .await
        .expect_problem(412, "precondition_failed");
    let ended = app.post_empty(&format!("{path}/agree"), Some(&app.buyer)).await.expect(200);
    assert_eq!(ended.body["status"], "terminated");
    assert!(ended.body["terminated_at"].is_string());
    assert_eq!(ended.body["milestones"][0]["status"], "accepted", "what was delivered stays accepted");
    assert_eq!(ended.body["milestones"][1]["status"], "cancelled");
    app.post_empty(&format!("/api/v1/milestones/{second}/pay"), Some(&app.buyer))
        .await
        .expect_problem(409, "invalid_transition");
    let balances = ledger(&app, &contract).await;
    assert_eq!(balance(&balances, &format!("escrow:{contract}")), 0, "nothing is left in escrow");
    let (status, page) = {
        let response = app
            .request(reqwest::Method::GET, &format!("/contracts/{contract}?lang=en"), Some(&app.seller))
            .send()
            .await
            .expect("page");
        (response.status().as_u16(), response.text().await.unwrap_or_default())
    };
    assert_eq!(status, 200);
    assert!(page.contains("The contract was ended by agreement") && page.contains("Cancelled"), "{page}");
}

#[tokio::test]
async fn a_party_terminates_by_notice_only_for_the_other_partys_breach() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    use techex_contracts::entities::milestone;
    let app = spawn_app().await;
    let _webhook = register_webhook(&app);

    // The seller's notice: a payment overdue past the cure period (amended to 10 days).
    let (contract, first, second) = registered_contract_with(&app, json!({"cure_period_days": 10})).await;
    let notice = format!("/api/v1/contracts/{contract}/termination/notice");
    let text = app.contract_text(&contract, &app.buyer).await;
    assert!(text.contains("逾期超过 10 日") && text.contains("more than 10 days after its due date"), "{text}");
    app.post(&notice, Some(&app.broker), json!({"reason": "x"})).await.expect_problem(403, "forbidden");
    app.post(&notice, Some(&app.other_seller), json!({"reason": "x"})).await.expect_problem(404, "not_found");
    app.post(&notice, Some(&app.seller), json!({"reason": ""})).await.expect_problem(422, "validation_failed");
    let early =
        app.post(&notice, Some(&app.seller), json!({"reason": "乙方逾期付款"})).await.expect_problem(409, "conflict");
    assert!(early.body["detail"].as_str().unwrap_or("").contains("not in default"), "{}", early.body);
    app.post(&notice, Some(&app.buyer), json!({"reason": "x"})).await.expect_problem(409, "conflict");
    // The first milestone fell due 11 days ago, the second 9 days ago: one is past the cure period.
    for (id, days) in [(&first, 11), (&second, 9)] {
        milestone::Entity::update_many()
            .col_expr(
                milestone::Column::DueDate,
                Expr::value((chrono::Utc::now() - chrono::Duration::days(days)).date_naive()),
            )
            .filter(milestone::Column::Id.eq(uuid::Uuid::parse_str(id).expect("uuid")))
            .exec(&app.db)
            .await
            .expect("backdate the due date");
    }
    // The reminders: both milestones are due for the buyer; the one past the cure period
    // is overdue for the buyer and the seller. A second sweep tells nobody twice.
    let today = chrono::Utc::now().date_naive();
    let sent = techex_contracts::reminders::sweep(&app.db, today).await.expect("sweep");
    assert!(sent.due >= 2 && sent.overdue >= 2, "{sent:?}");
    assert!(techex_contracts::reminders::sweep(&app.db, today).await.expect("sweep").is_empty());
    let kinds = |body: &Value, kind: &str| {
        body["items"].as_array().map_or(0, |items| items.iter().filter(|n| n["kind"] == kind).count())
    };
    let buyer_news = app.get("/api/v1/notifications", Some(&app.buyer)).await.expect(200).body;
    assert_eq!((kinds(&buyer_news, "milestone_due"), kinds(&buyer_news, "milestone_overdue")), (2, 1), "{buyer_news}");
    let seller_news = app.get("/api/v1/notifications", Some(&app.seller)).await.expect(200).body;
    assert_eq!((kinds(&seller_news, "milestone_due"), kinds(&seller_news, "milestone_overdue")), (0, 1));
    assert!(seller_news.to_string().contains("you may terminate by notice"));
    let stranger_news = app.get("/api/v1/notifications", Some(&app.other_seller)).await.expect(200).body;
    assert_eq!(kinds(&stranger_news, "milestone_overdue"), 0, "nobody else is told");

    // The seller's dashboard says so; the buyer's asks for the payment.
    let dashboard = |who| app.request(reqwest::Method::GET, "/dashboard?lang=en", Some(who)).send();
    let seller_page = dashboard(&app.seller).await.expect("dashboard").text().await.unwrap_or_default();
    assert!(seller_page.contains("task todo_overdue_payment"), "{seller_page}");
    let buyer_page = dashboard(&app.buyer).await.expect("dashboard").text().await.unwrap_or_default();
    assert!(
        buyer_page.contains("Pay the next milestone") && !buyer_page.contains("todo_overdue_payment"),
        "{buyer_page}"
    );
    // The buyer starts paying the overdue milestone and leaves the card form: the payment
    // cannot block the notice, nor charge after it.
    let paying = app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    let intent = paying.body["payment_intent_id"].as_str().unwrap_or_default().to_string();
    let current = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.seller)).await.expect(200).version();
    app.post_if_match(&notice, &app.seller, current - 1, Some(json!({"reason": "乙方逾期付款"})))
        .await
        .expect_problem(412, "precondition_failed");
    app.post(&notice, Some(&app.seller), json!({"reason": " "})).await.expect_problem(422, "validation_failed");
    let open = intents_of(&first).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["status"], "requires_payment_method", "a refused notice cancels nothing");
    let ended =
        app.post(&notice, Some(&app.seller), json!({"reason": "乙方逾期付款，经催告仍未支付"})).await.expect(200);
    let held = intents_of(&first).await;
    assert_eq!(
        (held.len(), held[0]["id"].as_str(), held[0]["status"].as_str()),
        (1, Some(intent.as_str()), Some("canceled"))
    );
    assert_eq!(ended.body["status"], "terminated");
    assert_eq!(ended.body["termination_ground"], "buyer_default");
    assert_eq!(ended.body["terminated_by"], "seller");
    assert_eq!(ended.body["milestones"][0]["status"], "cancelled");
    assert_eq!(ended.body["milestones"][1]["status"], "cancelled");
    app.post(&notice, Some(&app.seller), json!({"reason": "again"})).await.expect_problem(409, "invalid_transition");
    app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer))
        .await
        .expect_problem(409, "invalid_transition");
    let told = app.get("/api/v1/notifications", Some(&app.buyer)).await.expect(200);
    assert!(told.body.to_string().contains("contract_terminated"), "the buyer is told: {}", told.body);
    let page = app
        .request(reqwest::Method::GET, &format!("/contracts/{contract}?lang=en"), Some(&app.buyer))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    assert!(page.contains("Terminated by the seller&#x27;s notice: a payment was overdue"), "{page}");

    // The buyer's notice: a delivery that failed acceptance and was refunded.
    let (contract, first, _) = registered_contract(&app).await;
    let notice = format!("/api/v1/contracts/{contract}/termination/notice");
    let paying = app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    confirm_card(paying.body["payment_intent_id"].as_str().unwrap_or_default()).await;
    wait_for_status(&app, &first, "paid").await;
    app.post(&notice, Some(&app.buyer), json!({"reason": "x"})).await.expect_problem(409, "conflict");
    app.post(&format!("/api/v1/milestones/{first}/reject"), Some(&app.buyer), json!({"reason": "中试未达标"}))
        .await
        .expect(200);
    app.post(&notice, Some(&app.seller), json!({"reason": "x"})).await.expect_problem(409, "conflict");
    let ended = app.post(&notice, Some(&app.buyer), json!({"reason": "交付验收不合格"})).await.expect(200);
    assert_eq!(
        (ended.body["termination_ground"].as_str(), ended.body["terminated_by"].as_str()),
        (Some("seller_default"), Some("buyer"))
    );
    assert_eq!(ended.body["milestones"][0]["status"], "refunded", "the refund stands");
    assert_eq!(ended.body["milestones"][1]["status"], "cancelled");
    let balances = ledger(&app, &contract).await;
    assert_eq!(balance(&balances, &format!("escrow:{contract}")), 0, "nothing is left in escrow");
    // The center sees how the registered contracts ended.
    let by_status = app.get("/api/v1/stats/contracts?by=status", Some(&app.admin)).await.expect(200).body;
    let count = |key: &str| {
        by_status
            .as_array()
            .into_iter()
            .flatten()
            .find(|g| g["key"] == key)
            .map_or(0, |g| g["contracts"].as_i64().unwrap_or(0))
    };
    assert_eq!((count("terminated_buyer_default"), count("terminated_seller_default")), (1, 1), "{by_status}");
    app.get("/api/v1/stats/contracts?by=mood", Some(&app.admin)).await.expect_problem(400, "malformed_request");
}

#[tokio::test]
async fn with_payments_off_the_payment_routes_check_the_milestone_and_the_caller_first() {
    let app = spawn_app_with(|config| config.stripe_secret_key = None).await;
    let (_, first, _) = registered_contract(&app).await;
    let random = uuid::Uuid::now_v7();
    for action in ["pay", "card-setup"] {
        app.post_empty(&format!("/api/v1/milestones/{random}/{action}"), Some(&app.buyer))
            .await
            .expect_problem(404, "not_found");
        app.post_empty(&format!("/api/v1/milestones/{first}/{action}"), Some(&app.other_seller))
            .await
            .expect_problem(404, "not_found");
        app.post_empty(&format!("/api/v1/milestones/{first}/{action}"), Some(&app.seller))
            .await
            .expect_problem(403, "forbidden");
        app.post_empty(&format!("/api/v1/milestones/{first}/{action}"), Some(&app.buyer))
            .await
            .expect_problem(503, "unavailable");
    }
    let reason = json!({"reason": "验收不合格"});
    app.post(&format!("/api/v1/milestones/{random}/reject"), Some(&app.buyer), reason.clone())
        .await
        .expect_problem(404, "not_found");
    app.post(&format!("/api/v1/milestones/{first}/reject"), Some(&app.seller), reason.clone())
        .await
        .expect_problem(403, "forbidden");
    // A step the milestone's state does not allow is 409 whether or not payments are on:
    // an unpaid milestone cannot be rejected, an accepted one neither paid nor rejected.
    app.post(&format!("/api/v1/milestones/{first}/reject"), Some(&app.buyer), reason.clone())
        .await
        .expect_problem(409, "invalid_transition");
    {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use techex_contracts::entities::milestone;
        milestone::Entity::update_many()
            .col_expr(milestone::Column::Status, Expr::value("accepted"))
            .filter(milestone::Column::Id.eq(uuid::Uuid::parse_str(&first).expect("uuid")))
            .exec(&app.db)
            .await
            .expect("accept the milestone behind the API's back");
    }
    for action in ["pay", "card-setup"] {
        app.post_empty(&format!("/api/v1/milestones/{first}/{action}"), Some(&app.buyer))
            .await
            .expect_problem(409, "invalid_transition");
    }
    app.post(&format!("/api/v1/milestones/{first}/reject"), Some(&app.buyer), reason.clone())
        .await
        .expect_problem(409, "invalid_transition");
    // The refusal says why in Chinese too, from the milestone and its state.
    let chinese = app
        .request_without_language(
            reqwest::Method::POST,
            &format!("/api/v1/milestones/{first}/reject"),
            Some(&app.buyer),
        )
        .header("Accept-Language", "zh-CN")
        .json(&reason)
        .send()
        .await
        .expect("reject in Chinese");
    assert_eq!(chinese.status().as_u16(), 409);
    let body: Value = chinese.json().await.expect("problem");
    assert_eq!(body["detail"], "该里程碑已验收，不能进行此操作", "{body}");
}
