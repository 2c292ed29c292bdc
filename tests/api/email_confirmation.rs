//! An organization's first administrator confirms the e-mail address by the link mailed
//! after registering: through the API (the mail read from aiosmtpd's Maildir, see
//! `mail.rs`), once, within 48 hours, with new links a few times an hour; and in the
//! browser, from `/confirm-email` and `/my/organization`, while the center's desk shows
//! whether each applicant's administrator did. The tests without a mail server read the
//! link from the mail queue, so they run on every backend whether or not SMTP is there.

use crate::account_pages::{Browser, input_value};
use crate::helpers::{Account, PASSWORD, TestApp, spawn_app};
use crate::mail::{applicant, link, token_of, unique, with_smtp};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use techex_listings::entities::{mail as queued, user};

const LINK: &str = "/confirm-email?token=";

fn registration(code_prefix: &str, email: &str, language: Option<&str>) -> Value {
    let code = techex_core::CreditCode::from_prefix(code_prefix).map(|c| c.to_string()).unwrap_or_default();
    let mut admin = json!({"email": email, "display_name": "孙工", "password": "confirm-test-2026!"});
    if let Some(language) = language {
        admin["language"] = json!(language);
    }
    json!({"name": format!("邮箱确认测试单位{code_prefix}"), "kind": "enterprise", "credit_code": code,
           "region": "370600", "admin": admin})
}

async fn signed_in(app: &TestApp, email: &str) -> Account {
    let login = app
        .post("/api/v1/auth/login", None, json!({"email": email, "password": "confirm-test-2026!"}))
        .await
        .expect(200);
    Account {
        email: email.into(),
        token: login.body["token"].as_str().unwrap_or_default().to_string(),
        user_id: uuid::Uuid::nil(),
        organization_id: uuid::Uuid::nil(),
    }
}

/// The token of the newest confirmation link queued for `email` (the queue keeps the
/// message until the mail is sent, and these tests run without SMTP), and how many
/// links were queued for it.
async fn queued_link(app: &TestApp, email: &str) -> (String, usize) {
    let rows = queued::Entity::find()
        .filter(queued::Column::Recipient.eq(email))
        .filter(queued::Column::Kind.eq("email_confirmation"))
        .order_by_desc(queued::Column::CreatedAt)
        .all(&app.db)
        .await
        .unwrap();
    let newest = rows.first().and_then(|row| row.message.clone()).expect("a confirmation mail is queued");
    let message: Value = serde_json::from_str(&newest).unwrap();
    let path = message["args"]["path"].as_str().unwrap_or_default().to_string();
    assert!(path.starts_with(LINK), "{path}");
    (token_of(&path), rows.len())
}

async fn confirmed(app: &TestApp, account: &Account) -> bool {
    let me = app.get("/api/v1/me", Some(account)).await.expect(200);
    me.body["user"]["email_confirmed"].as_bool().expect("email_confirmed is a boolean")
}

#[tokio::test]
async fn a_registered_administrator_confirms_the_address_once_by_the_mailed_link() {
    let Some((app, inbox)) = with_smtp().await else { return };
    let email = unique("confirm");
    let (_, _, account) = applicant(&app, &email, "91370600MA3HX2631").await;
    assert!(!confirmed(&app, &account).await, "a new administrator has not proved the address yet");
    assert!(confirmed(&app, &app.seller).await, "accounts made otherwise count as confirmed");

    let mail = &inbox.wait_for(&email, LINK, 1).await[0];
    assert!(mail.contains("周工") && mail.contains("48 小时"), "worded in the user's language (zh): {mail}");
    assert!(mail.contains("Subject:"), "{mail}");
    assert!(mail.contains(&format!("{}{LINK}", app.address)), "the link is absolute, on this server: {mail}");
    let token = token_of(&link(mail, LINK));

    app.post("/api/v1/auth/confirm-email", None, json!({"token": "txc_nothing"}))
        .await
        .expect_problem(404, "not_found");
    app.post("/api/v1/auth/confirm-email", None, json!({"token": token})).await.expect(204);
    assert!(confirmed(&app, &account).await);
    app.post("/api/v1/auth/confirm-email", None, json!({"token": token})).await.expect_problem(409, "conflict");
    app.post_empty("/api/v1/me/confirm-email/resend", Some(&account)).await.expect_problem(409, "conflict");

    // An administrator who applied in English is written to in English.
    let english = unique("confirm-en");
    app.post("/api/v1/organizations", None, registration("91370600MA3HX2632", &english, Some("en"))).await.expect(201);
    let mail = &inbox.wait_for(&english, LINK, 1).await[0];
    assert!(mail.contains("Confirm your e-mail address") && mail.contains("within 48 hours"), "{mail}");
}

#[tokio::test]
async fn two_uses_of_one_link_at_once_confirm_once() {
    let app = spawn_app().await;
    let email = unique("race");
    let registered =
        app.post("/api/v1/organizations", None, registration("91370600MA3HX2633", &email, None)).await.expect(201);
    assert_eq!(registered.body["admin"]["email_confirmed"], false);
    let (token, _) = queued_link(&app, &email).await;
    let body = json!({"token": token});
    let (first, second) = tokio::join!(
        app.post("/api/v1/auth/confirm-email", None, body.clone()),
        app.post("/api/v1/auth/confirm-email", None, body.clone())
    );
    let mut statuses = [first.status.as_u16(), second.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 409], "one use wins, the other is told the link was used");
    let audited = app.get("/api/v1/audit?action=user.email_confirmed", Some(&app.admin)).await.expect(200);
    assert_eq!(audited.body["items"].as_array().map(Vec::len), Some(1), "{}", audited.body);
}

#[tokio::test]
async fn an_expired_link_is_gone_and_a_new_one_replaces_it() {
    let app = spawn_app().await;
    let email = unique("expired");
    app.post("/api/v1/organizations", None, registration("91370600MA3HX2634", &email, None)).await.expect(201);
    let account = signed_in(&app, &email).await;
    let (old_token, _) = queued_link(&app, &email).await;

    // Two days and a minute later.
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    user::Entity::update_many()
        .col_expr(user::Column::EmailTokenExpiresAt, Expr::value(past))
        .filter(user::Column::Email.eq(email.as_str()))
        .exec(&app.db)
        .await
        .unwrap();
    let gone =
        app.post("/api/v1/auth/confirm-email", None, json!({"token": old_token})).await.expect_problem(410, "gone");
    assert!(gone.body["detail"].as_str().is_some_and(|d| d.contains("expired")), "{}", gone.body);
    assert!(!confirmed(&app, &account).await);

    app.post_empty("/api/v1/me/confirm-email/resend", Some(&account)).await.expect(202);
    let (new_token, links) = queued_link(&app, &email).await;
    assert_eq!(links, 2);
    assert_ne!(new_token, old_token);
    app.post("/api/v1/auth/confirm-email", None, json!({"token": old_token})).await.expect_problem(404, "not_found");
    app.post("/api/v1/auth/confirm-email", None, json!({"token": new_token})).await.expect(204);
    assert!(confirmed(&app, &account).await);
}

#[tokio::test]
async fn new_links_are_limited_to_three_an_hour() {
    let app = spawn_app().await;
    let email = unique("limit");
    app.post("/api/v1/organizations", None, registration("91370600MA3HX2635", &email, None)).await.expect(201);
    let account = signed_in(&app, &email).await;
    app.post_empty("/api/v1/me/confirm-email/resend", None).await.expect_problem(401, "unauthenticated");

    // The registration's link and two more; the fourth within the hour is refused.
    app.post_empty("/api/v1/me/confirm-email/resend", Some(&account)).await.expect(202);
    app.post_empty("/api/v1/me/confirm-email/resend", Some(&account)).await.expect(202);
    let refused =
        app.post_empty("/api/v1/me/confirm-email/resend", Some(&account)).await.expect_problem(429, "rate_limited");
    let retry_after = refused.headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    assert!(retry_after.is_some_and(|secs: u64| secs > 3500 && secs <= 3600), "{retry_after:?}");
    let (token, links) = queued_link(&app, &email).await;
    assert_eq!(links, 3, "nothing queued for the refused request");

    // The last link works; afterwards there is nothing to resend.
    app.post("/api/v1/auth/confirm-email", None, json!({"token": token})).await.expect(204);
    app.post_empty("/api/v1/me/confirm-email/resend", Some(&account)).await.expect_problem(409, "conflict");
}

#[tokio::test]
async fn the_address_is_confirmed_in_the_browser_and_the_desk_shows_it() {
    let app = spawn_app().await;
    let email = unique("pages");
    let code = techex_core::CreditCode::from_prefix("91370600MA3HX2636").map(|c| c.to_string()).unwrap_or_default();
    let mut applicant = Browser::new(&app);
    applicant.get("/register?lang=zh").await;
    let registered = applicant
        .post(
            "/register?lang=zh",
            &[
                ("name", "日照海岳科技有限公司"),
                ("kind", "enterprise"),
                ("credit_code", &code),
                ("region", "370600"),
                ("admin_name", "孙工"),
                ("email", &email),
                ("password", "confirm-test-2026!"),
                ("password_repeat", "confirm-test-2026!"),
            ],
        )
        .await;
    assert_eq!(registered.status, 303);

    // The organization page asks for the confirmation, in the page's language only.
    let home = applicant.get("/my/organization?lang=zh").await;
    assert!(home.html.contains("id=\"email-unconfirmed\"") && home.html.contains("您的电子邮箱尚未确认"));
    assert!(!home.html.contains("not yet confirmed"), "no English on a Chinese page");
    let mut center = Browser::new(&app);
    center.sign_in(&app.admin.email, PASSWORD).await;
    let desk = center.get("/center/organizations?lang=en").await;
    assert!(desk.html.contains(&email) && desk.html.contains("e-mail not yet confirmed"), "{}", desk.html);

    // A new link, sent from the page; the page says so.
    let sent = applicant.post("/my/organization/confirm-email?lang=zh", &[]).await;
    assert_eq!((sent.status, sent.location.as_str()), (303, "/my/organization?done=confirmation_sent"));
    let home = applicant.get("/my/organization?done=confirmation_sent&lang=zh").await;
    assert!(home.html.contains("新的邮箱确认链接已发出"), "{}", home.html);
    let (token, links) = queued_link(&app, &email).await;
    assert_eq!(links, 2, "the registration's link and the new one");

    // Opening the link changes nothing; its button confirms, once.
    let mut reader = Browser::new(&app);
    let form = reader.get(&format!("{LINK}{token}&lang=zh")).await;
    assert_eq!(form.status, 200);
    assert!(form.html.contains("id=\"confirm-email-submit\"") && form.html.contains("确认我的邮箱"));
    assert!(!form.html.contains("Confirm my e-mail address"), "no English on a Chinese page");
    assert_eq!(input_value(&form.html, "token"), token);
    assert!(applicant.get("/my/organization?lang=zh").await.html.contains("id=\"email-unconfirmed\""));
    let forged = reader.post_without_csrf("/confirm-email", &[("token", token.as_str())]).await;
    assert_eq!(forged, 403, "a post without the CSRF field does nothing");
    let done = reader.post("/confirm-email?lang=zh", &[("token", &token)]).await;
    assert_eq!(done.status, 200);
    assert!(done.html.contains("id=\"email-confirmed\"") && done.html.contains("您的电子邮箱已确认"));
    let again = reader.post("/confirm-email?lang=en", &[("token", &token)]).await;
    assert_eq!(again.status, 409);
    assert!(again.html.contains("This link has been used"));
    let unknown = Browser::new(&app).get("/confirm-email?lang=en").await;
    assert_eq!(unknown.status, 404, "a link without its token");
    let mut stranger = Browser::new(&app);
    stranger.get("/confirm-email?token=txc_nothing&lang=en").await;
    let refused = stranger.post("/confirm-email?lang=en", &[("token", "txc_nothing")]).await;
    assert_eq!(refused.status, 404);
    assert!(refused.html.contains("This link is not valid"));

    // Confirmed: the notice is gone, the desk says so.
    let home = applicant.get("/my/organization?lang=zh").await;
    assert!(!home.html.contains("id=\"email-unconfirmed\""));
    let desk = center.get("/center/organizations?lang=zh").await;
    assert!(desk.html.contains("邮箱已确认") && !desk.html.contains("邮箱尚未确认"), "{}", desk.html);
}
