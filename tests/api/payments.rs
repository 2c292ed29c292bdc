//! Milestone payments against localstripe: pay → webhook → paid → accept (escrow to the
//! seller and the broker's commission) or reject (refund); the ledger balances after
//! every step; webhooks with bad signatures, replays and out-of-order events; paying twice
//! charges once; only the buyer pays.

use crate::contracts::{agreed_deal, sign};
use crate::helpers::{TestApp, WEBHOOK_SECRET, spawn_app, stripe_url};
use serde_json::{Value, json};

/// A registered contract of an agreed exclusive licence (30 万: 10 万 on signing, 20 万
/// on delivery; broker commission 5%); returns its id and the two milestone ids.
async fn registered_contract(app: &TestApp) -> (String, String, String) {
    let deal = agreed_deal(app).await;
    let drafted = app.post("/api/v1/contracts", Some(&app.seller), json!({"deal_id": deal})).await.expect(201);
    let id = drafted.id();
    let amended = app
        .patch(
            &format!("/api/v1/contracts/{id}"),
            &app.seller,
            None,
            json!({"seller_representative": "张成", "buyer_representative": "刘采"}),
        )
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

fn localstripe() -> reqwest::Client {
    reqwest::Client::new()
}

/// Registers this server's webhook endpoint with localstripe (each test its own id).
async fn register_webhook(app: &TestApp) {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let response = localstripe()
        .post(format!("{}/_config/webhooks/{id}", stripe_url()))
        .form(&[("url", app.url("/api/v1/payments/stripe/webhook")), ("secret", WEBHOOK_SECRET.to_string())])
        .send()
        .await
        .unwrap_or_else(|e| panic!("localstripe is not reachable at {} ({e}); scripts/test starts it", stripe_url()));
    assert!(response.status().is_success(), "localstripe refused the webhook registration");
}

/// The buyer's card payment, as Stripe.js would make it.
async fn confirm_card(intent: &str) {
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

async fn wait_for_status(app: &TestApp, milestone: &str, wanted: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let view = app.get(&format!("/api/v1/milestones/{milestone}/payment"), Some(&app.buyer)).await.expect(200);
        if view.body["milestone_status"] == wanted {
            return view.body;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "milestone never became {wanted}: {}",
            view.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

async fn ledger(app: &TestApp, contract: &str) -> Value {
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
    let app = spawn_app().await;
    register_webhook(&app).await;
    let (contract, first, second) = registered_contract(&app).await;

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
    // Paying again returns the same intent: one charge.
    let again = app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    assert_eq!(again.body["payment_intent_id"], intent.as_str());

    confirm_card(&intent).await;
    wait_for_status(&app, &first, "paid").await;
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
    let released = ledger(&app, &contract).await;
    assert_eq!(balance(&released, &format!("escrow:{contract}")), 0);
    let seller = app.seller.organization_id;
    let broker = app.broker.user_id;
    assert_eq!(balance(&released, &format!("seller_payable:{seller}")), -9_500_000);
    assert_eq!(balance(&released, &format!("broker_payable:{broker}")), -500_000);

    // The second milestone is paid, then rejected: refunded through Stripe.
    let paying = app.post_empty(&format!("/api/v1/milestones/{second}/pay"), Some(&app.buyer)).await.expect(200);
    let intent = paying.body["payment_intent_id"].as_str().unwrap_or_default().to_string();
    confirm_card(&intent).await;
    wait_for_status(&app, &second, "paid").await;
    assert_eq!(balance(&ledger(&app, &contract).await, "provider_balance"), 30_000_000);
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
    assert_eq!(balance(&settled, "provider_balance"), 10_000_000, "the refund left the provider balance");
    assert_eq!(balance(&settled, &format!("escrow:{contract}")), 0);
    let view = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(view.body["status"], "completed", "every milestone is settled");
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
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let pending = app.get(&format!("/api/v1/milestones/{first}/payment"), Some(&app.buyer)).await.expect(200);
    assert_eq!(pending.body["milestone_status"], "payment_pending");

    let reconcile = |repair: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_techex"));
        command
            .env("TECHEX_DATA_DIR", app.data_dir.path())
            .env("DATABASE_URL", &app.database_url)
            .env("TECHEX_STRIPE_SECRET_KEY", "sk_test_techex")
            .env("TECHEX_STRIPE_API_BASE", stripe_url())
            .env("RUST_LOG", "warn")
            .args(["payments", "reconcile"]);
        if repair {
            command.arg("--repair");
        }
        let output = command.output().expect("run techex");
        assert!(output.status.success(), "reconcile failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).to_string()
    };
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
