use crate::helpers::{PASSWORD, Reply, TestApp, spawn_app, spawn_app_with};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use techex_listings::entities::session;

#[tokio::test]
async fn login_me_and_logout() {
    let app = spawn_app().await;
    let login = app
        .post("/api/v1/auth/login", None, json!({"email": " SELLER@sdu.test ", "password": PASSWORD}))
        .await
        .expect(200);
    let token = login.body["token"].as_str().unwrap_or_default().to_string();
    assert_eq!(login.body["token_type"], "Bearer");
    assert!(login.body["expires_at"].is_string());

    // Only a hash of the token is stored.
    let sessions = session::Entity::find().all(&app.db).await.expect("sessions");
    assert!(sessions.iter().all(|s| s.token_hash != token && s.token_hash.len() == 64));

    let me = app.request(reqwest::Method::GET, "/api/v1/me", None).bearer_auth(&token).send().await.expect("me");
    let me: serde_json::Value = me.json().await.expect("json");
    assert_eq!(me["user"]["email"], "seller@sdu.test");
    assert_eq!(me["organization"]["name"], "山东大学");

    let logout = app
        .request(reqwest::Method::POST, "/api/v1/auth/logout", None)
        .bearer_auth(&token)
        .send()
        .await
        .expect("logout");
    assert_eq!(logout.status(), 204);
    let after = app.request(reqwest::Method::GET, "/api/v1/me", None).bearer_auth(&token).send().await.expect("me");
    assert_eq!(after.status(), 401);
    app.get("/api/v1/me", None).await.expect_problem(401, "unauthenticated");
    let garbage = app
        .request(reqwest::Method::GET, "/api/v1/achievements", None)
        .bearer_auth("txs_forged")
        .send()
        .await
        .expect("list");
    assert_eq!(garbage.status(), 401, "a bad token is refused, not ignored");
}

#[tokio::test]
async fn wrong_passwords_and_unknown_accounts_look_the_same() {
    let app = spawn_app().await;
    let wrong =
        app.post("/api/v1/auth/login", None, json!({"email": "seller@sdu.test", "password": "nope-nope-nope"})).await;
    let unknown =
        app.post("/api/v1/auth/login", None, json!({"email": "ghost@sdu.test", "password": "nope-nope-nope"})).await;
    let wrong = wrong.expect_problem(401, "unauthenticated");
    let unknown = unknown.expect_problem(401, "unauthenticated");
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
}

/// A login from a given client address (the servers of these tests trust `X-Forwarded-For`).
async fn login_from(app: &TestApp, address: &str, email: &str, password: &str) -> Reply {
    Reply::from(
        app.request(reqwest::Method::POST, "/api/v1/auth/login", None)
            .header("x-forwarded-for", address)
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login"),
    )
    .await
}

async fn throttled_audits(app: &TestApp) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use techex_listings::entities::audit_log;
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("login.throttled"))
        .count(&app.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn guessing_is_throttled_but_the_owner_still_signs_in_where_they_did_before() {
    let app = spawn_app_with(|config| {
        config.login_max_failures_per_account = 3;
        config.login_max_failures_per_address = 6;
        config.trust_forwarded_for = true;
    })
    .await;
    // Every fixture account signed in from 127.0.0.1. An attacker guesses the seller's
    // password from elsewhere: past the limit even the right password waits there.
    let attacker = "203.0.113.7";
    for _ in 0..3 {
        login_from(&app, attacker, "seller@sdu.test", "guess-guess-1").await.expect(401);
    }
    let held = login_from(&app, attacker, "seller@sdu.test", PASSWORD).await.expect_problem(429, "rate_limited");
    let retry: u64 = held.headers["retry-after"].to_str().unwrap_or("0").parse().unwrap_or(0);
    assert!(retry > 0 && retry <= 30, "the first delay is short: retry-after {retry}");
    // Another stranger's address is held back too: the account-wide limit counts
    // failures from addresses that never signed in to it...
    login_from(&app, "198.51.100.9", "seller@sdu.test", PASSWORD).await.expect_problem(429, "rate_limited");
    // ...but the owner, where they signed in before, signs in.
    login_from(&app, "127.0.0.1", "seller@sdu.test", PASSWORD).await.expect(200);
    app.post("/api/v1/auth/login", None, json!({"email": "seller@sdu.test", "password": PASSWORD})).await.expect(200);

    // Spraying many accounts from one address: past the address limit it waits, for
    // every account — except where an account's owner signed in before.
    for email in ["a@x.test", "b@x.test", "c@x.test"] {
        login_from(&app, attacker, email, "guess-guess-1").await.expect(401);
    }
    login_from(&app, attacker, "buyer@haike.test", PASSWORD).await.expect_problem(429, "rate_limited");
    login_from(&app, attacker, "admin@center.test", PASSWORD).await.expect_problem(429, "rate_limited");
    login_from(&app, "127.0.0.1", "admin@center.test", PASSWORD).await.expect(200);
    login_from(&app, "127.0.0.1", "buyer@haike.test", PASSWORD).await.expect(200);

    // An address where the owner signed in is known from then on: the buyer signs in
    // from a new place once, and strangers' failures no longer hold that place back.
    login_from(&app, "192.0.2.50", "buyer@haike.test", PASSWORD).await.expect(200);
    for stranger in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
        login_from(&app, stranger, "buyer@haike.test", "guess-guess-1").await.expect(401);
    }
    login_from(&app, "192.0.2.5", "buyer@haike.test", PASSWORD).await.expect_problem(429, "rate_limited");
    login_from(&app, "192.0.2.50", "buyer@haike.test", PASSWORD).await.expect(200);

    // Each refused attempt was audited.
    assert_eq!(throttled_audits(&app).await, 5, "one audit entry per throttled attempt");
}

#[test]
fn delays_grow_with_each_failure_past_the_limit() {
    use techex_listings::auth::wait_after;
    let now = chrono::Utc::now();
    let window = chrono::Duration::minutes(15);
    assert_eq!(wait_after(2, 3, Some(now), now, window), None, "below the limit");
    let waits: Vec<u64> =
        (3..9).map(|failures| wait_after(failures, 3, Some(now), now, window).unwrap_or_default()).collect();
    assert_eq!(waits, [30, 60, 120, 240, 480, 900], "doubling from 30 s, at most the window");
    let later = now + chrono::Duration::seconds(31);
    assert_eq!(wait_after(3, 3, Some(now), later, window), None, "the delay has passed");
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_refused() {
    let app = spawn_app().await;
    // Expire the buyer's session in the database.
    let sessions = session::Entity::find().all(&app.db).await.expect("sessions");
    for found in sessions.into_iter().filter(|s| s.user_id == app.buyer.user_id) {
        let mut active: session::ActiveModel = found.into();
        active.expires_at = sea_orm::Set(chrono::Utc::now() - chrono::Duration::minutes(1));
        sea_orm::ActiveModelTrait::update(active, &app.db).await.expect("expire");
    }
    app.get("/api/v1/me", Some(&app.buyer)).await.expect_problem(401, "unauthenticated");

    // Changing the password ends the other sessions.
    let second = app
        .post("/api/v1/auth/login", None, json!({"email": "seller@sdu.test", "password": PASSWORD}))
        .await
        .expect(200);
    let second_token = second.body["token"].as_str().unwrap_or_default().to_string();
    app.post(
        "/api/v1/me/password",
        Some(&app.seller),
        json!({"current_password": "wrong-password-1", "new_password": "new-password-2026"}),
    )
    .await
    .expect_problem(422, "validation_failed");
    app.post(
        "/api/v1/me/password",
        Some(&app.seller),
        json!({"current_password": PASSWORD, "new_password": "new-password-2026"}),
    )
    .await
    .expect(204);
    app.get("/api/v1/me", Some(&app.seller)).await.expect(200);
    let revoked =
        app.request(reqwest::Method::GET, "/api/v1/me", None).bearer_auth(&second_token).send().await.expect("me");
    assert_eq!(revoked.status(), 401);
    let remaining = session::Entity::find()
        .filter(session::Column::UserId.eq(app.seller.user_id))
        .filter(session::Column::RevokedAt.is_null())
        .all(&app.db)
        .await
        .expect("sessions");
    assert_eq!(remaining.len(), 1);
}
