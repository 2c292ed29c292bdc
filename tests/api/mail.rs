//! E-mail through a real SMTP server: aiosmtpd on loopback, which `scripts/test` starts
//! and names in `TECHEX_TEST_SMTP_URL`, filing every mail into the Maildir
//! `TECHEX_TEST_MAILDIR`, where these tests read them. Without it they fail under CI
//! (`CI` set) or with `TECHEX_E2E_REQUIRED=1`, and are skipped, said on stderr, otherwise.
//! Every test mails addresses of its own, and reads only mails filed after it started.

use crate::account_pages::{Browser, input_value};
use crate::helpers::{Account, TestApp, spawn_app_with};
use crate::inbox::{Inbox, smtp};
pub(crate) use crate::inbox::{link, token_of, unique, with_smtp};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use std::time::{Duration, Instant};
use techex_listings::entities::mail as queued;

/// An organization registered through the API with a fresh administrator; its id,
/// version and the administrator's bearer account.
pub(crate) async fn applicant(app: &TestApp, email: &str, prefix: &str) -> (String, i64, Account) {
    let code = techex_core::CreditCode::from_prefix(prefix).map(|c| c.to_string()).unwrap_or_default();
    let registered = app
        .post(
            "/api/v1/organizations",
            None,
            json!({"name": format!("邮件测试单位{prefix}"), "kind": "enterprise", "credit_code": code, "region": "370600",
                   "admin": {"email": email, "display_name": "周工", "password": "mail-test-2026!"}}),
        )
        .await
        .expect(201);
    let organization = &registered.body["organization"];
    let login =
        app.post("/api/v1/auth/login", None, json!({"email": email, "password": "mail-test-2026!"})).await.expect(200);
    let account = Account {
        email: email.into(),
        token: login.body["token"].as_str().unwrap_or_default().to_string(),
        user_id: uuid::Uuid::nil(),
        organization_id: uuid::Uuid::nil(),
    };
    (
        organization["id"].as_str().unwrap_or_default().to_string(),
        organization["version"].as_i64().unwrap_or(1),
        account,
    )
}

#[tokio::test]
async fn a_forgotten_password_is_reset_once_through_the_mailed_link() {
    let Some((app, inbox)) = with_smtp().await else { return };
    let email = unique("reset");
    let (_, _, account) = applicant(&app, &email, "91370600MA3HX2611").await;

    // Known or not, the answer is the same; a malformed address is a 422.
    app.post("/api/v1/auth/password-reset", None, json!({"email": email})).await.expect(202);
    app.post("/api/v1/auth/password-reset", None, json!({"email": unique("nobody")})).await.expect(202);
    app.post("/api/v1/auth/password-reset", None, json!({"email": "not an address"})).await.expect(422);

    let mails = inbox.wait_for(&email, "/reset-password?token=", 1).await;
    let mail = &mails[0];
    assert!(mail.contains("周工") && mail.contains("60 分钟"), "worded in the user's language (zh): {mail}");
    assert!(mail.contains(&app.address), "the link is absolute, on this server: {mail}");
    let token = token_of(&link(mail, "/reset-password?token="));

    app.post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "password": "short"}))
        .await
        .expect(422);
    app.post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "password": "new-Harbour-2031"}))
        .await
        .expect(204);
    app.post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "password": "again-Harbour-2032"}))
        .await
        .expect_problem(409, "conflict");
    app.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        json!({"token": "txr_nothing", "password": "new-Harbour-2031"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.get("/api/v1/me", Some(&account)).await.expect(401);
    app.post("/api/v1/auth/login", None, json!({"email": email, "password": "mail-test-2026!"})).await.expect(401);
    app.post("/api/v1/auth/login", None, json!({"email": email, "password": "new-Harbour-2031"})).await.expect(200);

    // A sent mail keeps no secret in the queue.
    let rows = queued::Entity::find().filter(queued::Column::Recipient.eq(email.as_str())).all(&app.db).await.unwrap();
    assert!(rows.iter().all(|r| r.sent_at.is_some() && r.message.is_none()), "{rows:?}");

    // Three links an hour per account, then silence; ten requests an hour per address.
    for _ in 0..4 {
        app.post("/api/v1/auth/password-reset", None, json!({"email": email})).await.expect(202);
    }
    let resets = queued::Entity::find()
        .filter(queued::Column::Recipient.eq(email.as_str()))
        .filter(queued::Column::Kind.eq("password_reset"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(resets.len(), 3, "three links within the hour");
    // Six requests so far from this address (links and silent ones alike), four more.
    for _ in 0..4 {
        app.post("/api/v1/auth/password-reset", None, json!({"email": unique("probe")})).await.expect(202);
    }
    app.post("/api/v1/auth/password-reset", None, json!({"email": unique("probe")}))
        .await
        .expect_problem(429, "rate_limited");
}

#[tokio::test]
async fn notifications_and_invitations_are_mailed_in_the_readers_language_unless_turned_off() {
    let Some((app, inbox)) = with_smtp().await else { return };
    let email = unique("notice");
    let (org, version, account) = applicant(&app, &email, "91370600MA3HX2612").await;

    // The center turns the application down: its administrator reads why, in Chinese.
    app.post_if_match(
        &format!("/api/v1/organizations/{org}/reject"),
        &app.admin,
        version,
        Some(json!({"reason": "营业执照照片模糊"})),
    )
    .await
    .expect(200);
    let mail = &inbox.wait_for(&email, "营业执照照片模糊", 1).await[0];
    assert!(mail.contains("平台未通过") && mail.contains("/my/organization"), "{mail}");

    // In English once the administrator says so; not at all once turned off.
    let me = app.get("/api/v1/me", Some(&account)).await.expect(200);
    let user_version = me.body["user"]["version"].as_i64().unwrap_or(1);
    let changed = app.patch("/api/v1/me", &account, Some(user_version), json!({"language": "en"})).await.expect(200);
    assert_eq!(changed.body["language"], "en");
    app.patch("/api/v1/me", &account, Some(user_version), json!({"email_notifications": false}))
        .await
        .expect_problem(412, "precondition_failed");
    let own = app.get(&format!("/api/v1/organizations/{org}"), Some(&account)).await.expect(200);
    let changed_org = app
        .patch(
            &format!("/api/v1/organizations/{org}"),
            &account,
            Some(own.version()),
            json!({"website": "https://a.example.cn"}),
        )
        .await
        .expect(200);
    app.post_if_match(&format!("/api/v1/organizations/{org}/verify"), &app.admin, changed_org.version(), None)
        .await
        .expect(200);
    let mail = &inbox.wait_for(&email, "verified your organization", 1).await[0];
    assert!(mail.contains("Subject:"), "{mail}");
    app.patch("/api/v1/me", &account, None, json!({"email_notifications": false})).await.expect(200);
    app.post_if_match(&format!("/api/v1/organizations/{org}/unverify"), &app.admin, changed_org.version() + 1, None)
        .await
        .expect(200);
    let again = app
        .post_if_match(&format!("/api/v1/organizations/{org}/verify"), &app.admin, changed_org.version() + 2, None)
        .await
        .expect(200);
    assert!(again.body["verified"] == true);
    let notes = app.get("/api/v1/notifications", Some(&account)).await.expect(200);
    let in_app = notes.body["items"]
        .as_array()
        .map_or(0, |items| items.iter().filter(|n| n["kind"] == "organization_verified").count());
    assert_eq!(in_app, 2, "the application still shows both verifications");
    let mailed = queued::Entity::find()
        .filter(queued::Column::Recipient.eq(email.as_str()))
        .filter(queued::Column::Kind.eq("notification"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(mailed.len(), 2, "the rejection and the first verification; none once turned off");

    // An invitation is mailed with its link, in the inviter's language (English now).
    let invitee = unique("invitee");
    app.post(&format!("/api/v1/organizations/{org}/invitations"), Some(&account), json!({"email": invitee}))
        .await
        .expect(201);
    let mail = &inbox.wait_for(&invitee, "/invitations/accept?token=", 1).await[0];
    assert!(mail.contains("invites you to join"), "{mail}");
    let token = token_of(&link(mail, "/invitations/accept?token="));
    app.post(
        "/api/v1/invitations/accept",
        None,
        json!({"token": token, "display_name": "吴工", "password": "Orchard-lane-77"}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn mail_queued_without_smtp_waits_and_a_process_with_smtp_sends_it_once() {
    let Some((url, dir)) = smtp() else { return };
    let inbox = Inbox::open(dir);
    let app = spawn_app_with(|_| {}).await;
    let email = unique("queued");
    applicant(&app, &email, "91370600MA3HX2613").await;
    app.post("/api/v1/auth/password-reset", None, json!({"email": email})).await.expect(202);
    let waiting = queued::Entity::find()
        .filter(queued::Column::Recipient.eq(email.as_str()))
        .filter(queued::Column::Kind.eq("password_reset"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);
    assert!(waiting[0].sent_at.is_none() && waiting[0].message.is_some(), "kept until a process can send it");
    assert!(inbox.to(&email).is_empty(), "nothing is sent without SMTP settings");

    // Two processes with SMTP on the same database: the mail goes out once.
    let (_, _first) = app
        .spawn_peer_with(|config| {
            config.smtp_url = Some(url.clone());
            config.mail_poll_ms = 50;
        })
        .await;
    let (_, _second) = app
        .spawn_peer_with(|config| {
            config.smtp_url = Some(url.clone());
            config.mail_poll_ms = 50;
        })
        .await;
    inbox.wait_for(&email, "/reset-password?token=", 1).await;
    let started = Instant::now();
    loop {
        let row = queued::Entity::find_by_id(waiting[0].id).one(&app.db).await.unwrap().expect("the row");
        if row.sent_at.is_some() {
            assert!(row.message.is_none());
            assert_eq!(row.attempts, 1, "claimed once");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the row is marked sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let resets = inbox.to(&email).into_iter().filter(|m| m.contains("/reset-password?token=")).count();
    assert_eq!(resets, 1, "sent once by one of the two processes");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_from_the_pages() {
    let Some((app, inbox)) = with_smtp().await else { return };
    let email = unique("pages");
    applicant(&app, &email, "91370600MA3HX2614").await;
    let mut visitor = Browser::new(&app);
    let sign_in = visitor.get("/sign-in?lang=en").await;
    assert!(sign_in.html.contains("href=\"/forgot-password\""), "the sign-in page offers the reset");
    let form = visitor.get("/forgot-password?lang=en").await;
    assert_eq!(form.status, 200);
    assert!(!form.html.contains("id=\"mail-off\""), "this server sends mail");
    let malformed = visitor.post("/forgot-password?lang=en", &[("email", "nope")]).await;
    assert_eq!(malformed.status, 422);
    assert!(malformed.html.contains("id=\"f-email-error\""));
    for address in [email.as_str(), "nobody.at.all@mail.example.cn"] {
        let sent = visitor.post("/forgot-password?lang=en", &[("email", address)]).await;
        assert_eq!(sent.status, 200);
        assert!(sent.html.contains("id=\"reset-sent\"") && sent.html.contains("If an account has this address"));
    }

    let mail = &inbox.wait_for(&email, "/reset-password?token=", 1).await[0];
    let path = link(mail, "/reset-password?token=");
    let mut reader = Browser::new(&app);
    let form = reader.get(&format!("{path}&lang=zh")).await;
    assert_eq!(form.status, 200);
    let token = input_value(&form.html, "token");
    let differ = reader
        .post(
            "/reset-password?lang=zh",
            &[("token", &token), ("password", "Kite-2031-river"), ("password_repeat", "x")],
        )
        .await;
    assert_eq!(differ.status, 422);
    assert!(differ.html.contains("两次输入的密码不一致"));
    let done = reader
        .post(
            "/reset-password",
            &[("token", &token), ("password", "Kite-2031-river"), ("password_repeat", "Kite-2031-river")],
        )
        .await;
    assert_eq!((done.status, done.location.as_str()), (303, "/sign-in?reset=done"));
    assert!(reader.get("/sign-in?reset=done&lang=en").await.html.contains("Your password is set"));
    reader.sign_in(&email, "Kite-2031-river").await;
    let spent = Browser::new(&app).get(&path).await;
    assert_eq!(spent.status, 200, "the form shows; using it says the link is spent");
    let mut late = Browser::new(&app);
    late.get(&path).await;
    let refused = late
        .post(
            "/reset-password?lang=en",
            &[("token", &token), ("password", "Other-2031-kite"), ("password_repeat", "Other-2031-kite")],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.html.contains("has been used or has expired"));
}

#[tokio::test]
async fn without_smtp_the_forgotten_password_page_says_no_link_can_be_sent() {
    let app = spawn_app_with(|config| config.smtp_url = None).await;
    let mut visitor = Browser::new(&app);
    let form = visitor.get("/forgot-password?lang=en").await;
    assert_eq!(form.status, 200);
    assert!(form.html.contains("id=\"mail-off\""), "{}", form.html);
    assert!(!form.html.contains("id=\"forgot-submit\""), "no form that cannot do what it says");
    // A form posted anyway (an old tab) is answered with the same notice, never "sent".
    let posted = visitor.post("/forgot-password?lang=en", &[("email", app.buyer.email.as_str())]).await;
    assert_eq!(posted.status, 200);
    assert!(posted.html.contains("id=\"mail-off\"") && !posted.html.contains("id=\"reset-sent\""), "{}", posted.html);
    let queued = queued::Entity::find().all(&app.db).await.expect("mail queue");
    assert!(queued.is_empty(), "nothing is queued for a server that sends no mail");
}
