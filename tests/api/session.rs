use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};
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

#[tokio::test]
async fn failed_logins_are_limited_per_account_and_per_address() {
    let app = spawn_app_with(|config| {
        config.login_max_failures_per_account = 3;
        config.login_max_failures_per_address = 6;
    })
    .await;
    for _ in 0..3 {
        app.post("/api/v1/auth/login", None, json!({"email": "seller@sdu.test", "password": "guess-guess-1"}))
            .await
            .expect(401);
    }
    // Even the right password is refused while the account is locked.
    let locked = app.post("/api/v1/auth/login", None, json!({"email": "seller@sdu.test", "password": PASSWORD})).await;
    let locked = locked.expect_problem(429, "rate_limited");
    let retry: u64 = locked.headers["retry-after"].to_str().unwrap_or("0").parse().unwrap_or(0);
    assert!(retry > 0 && retry <= 15 * 60, "retry-after {retry}");
    // Other accounts still sign in, until the address itself is over its limit.
    app.post("/api/v1/auth/login", None, json!({"email": "buyer@haike.test", "password": PASSWORD})).await.expect(200);
    for email in ["a@x.test", "b@x.test", "c@x.test"] {
        app.post("/api/v1/auth/login", None, json!({"email": email, "password": "guess-guess-1"})).await.expect(401);
    }
    app.post("/api/v1/auth/login", None, json!({"email": "buyer@haike.test", "password": PASSWORD}))
        .await
        .expect_problem(429, "rate_limited");
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
