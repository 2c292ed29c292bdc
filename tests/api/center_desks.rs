//! The center's broker desk and user desk: certifying with a certificate's expiry,
//! suspending and reinstating, disabling and enabling users; who may open them.

use crate::account_pages::{Browser, input_value};
use crate::helpers::{PASSWORD, TestApp, spawn_app};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use techex_negotiation::entities::broker;

/// The hidden `version` of the form posting to `action`.
fn version_for(html: &str, action: &str) -> String {
    input_value(html.split(action).nth(1).unwrap_or_default(), "version")
}

async fn admin_browser(app: &TestApp) -> Browser<'_> {
    let mut center = Browser::new(app);
    center.sign_in(&app.admin.email, PASSWORD).await;
    center
}

#[tokio::test]
async fn the_admin_certifies_a_member_with_an_expiry_at_the_broker_desk() {
    let app = spawn_app().await;
    let mut center = admin_browser(&app).await;
    let desk = center.get("/center/brokers?lang=en").await;
    assert_eq!(desk.status, 200);
    assert!(desk.html.contains("href=\"/center/brokers\"") && desk.html.contains("href=\"/center/users\""));
    let expiry = (Utc::now().date_naive() + Duration::days(400)).to_string();
    let yesterday = (Utc::now().date_naive() - Duration::days(1)).to_string();
    let colleague = app.seller_colleague.email.clone();
    let form = |expires: &str| {
        vec![
            ("email", colleague.clone()),
            ("certificate_number", "鲁技经证字 2026-0901".to_string()),
            ("level", "senior".to_string()),
            ("fields", "new_materials".to_string()),
            ("fields", "marine".to_string()),
            ("commission_percent", "2.5".to_string()),
            ("certificate_expires_on", expires.to_string()),
        ]
    };
    let past = form(&yesterday);
    let past_refs: Vec<(&str, &str)> = past.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = center.post("/center/brokers?lang=en", &past_refs).await;
    assert_eq!(refused.status, 422);
    assert!(refused.html.contains("id=\"c-certificate_expires_on-error\""), "the error sits by the date");
    assert!(refused.html.contains(&format!("value=\"{yesterday}\"")), "the form keeps what was typed");
    assert!(refused.html.contains("value=\"marine\" checked"), "the chosen fields stay chosen");
    assert!(broker::Entity::find_by_id(app.seller_colleague.user_id).one(&app.db).await.unwrap().is_none());
    assert_eq!(center.post_without_csrf("/center/brokers", &past_refs).await, 403);

    let good = form(&expiry);
    let good_refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let certified = center.post("/center/brokers?lang=en", &good_refs).await;
    assert_eq!(certified.status, 303, "{}", certified.html);
    let listed = center.get(&certified.location).await;
    assert!(
        listed.html.contains("<span lang=\"zh-CN\">鲁技经证字</span> 2026-0901") && listed.html.contains(&expiry),
        "the certificate, its Chinese marked on the English desk"
    );
    assert!(!listed.html.contains(">senior<"), "the level is a word, not its code");
    let profile = app.get(&format!("/api/v1/brokers/{}", app.seller_colleague.user_id), None).await.expect(200);
    assert_eq!(profile.body["certificate_expires_on"], json!(expiry));
    assert_eq!(profile.body["commission_bps"], 250);
    let directory = Browser::new(&app).get("/brokers?lang=en").await;
    assert!(directory.html.contains(&format!("/brokers/{}", app.seller_colleague.user_id)));
    let public = Browser::new(&app).get(&format!("/brokers/{}?lang=en", app.seller_colleague.user_id)).await;
    assert!(public.html.contains(&expiry), "the public page shows the expiry");

    // The API refuses a past expiry on a change too.
    app.patch(
        &format!("/api/v1/brokers/{}", app.seller_colleague.user_id),
        &app.admin,
        Some(profile.version()),
        json!({"certificate_expires_on": yesterday}),
    )
    .await
    .expect_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_broker_is_suspended_with_a_reason_and_reinstated_at_the_desk() {
    let app = spawn_app().await;
    let mut center = admin_browser(&app).await;
    let id = app.broker2.user_id;
    let desk = center.get("/center/brokers?lang=en").await;
    let suspend = format!("/center/brokers/{id}/suspend");
    let version = version_for(&desk.html, &suspend);
    let no_reason = center.post(&format!("{suspend}?lang=en"), &[("version", &version), ("reason", " ")]).await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.html.contains(&format!("id=\"reason-error-{id}\"")));
    let done = center.post(&format!("{suspend}?lang=en"), &[("version", &version), ("reason", "资格年检未通过")]).await;
    assert_eq!(done.status, 303);
    let after = center.get("/center/brokers?lang=en").await;
    assert!(after.html.contains("资格年检未通过"));
    let row = broker::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.status, "suspended");
    let reinstate = format!("/center/brokers/{id}/reinstate");
    let version = version_for(&after.html, &reinstate);
    assert_eq!(center.post(&format!("{reinstate}?lang=en"), &[("version", &version)]).await.status, 303);
    let row = broker::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.suspended_reason), ("active", None));
}

#[tokio::test]
async fn the_desk_renews_a_brokers_certificate_and_refuses_a_day_that_is_not_one() {
    let app = spawn_app().await;
    let mut center = admin_browser(&app).await;
    let id = app.broker2.user_id;
    let desk = center.get("/center/brokers?lang=en").await;
    let renew = format!("/center/brokers/{id}/expiry");
    let version = version_for(&desk.html, &renew);
    let bad = center.post(&format!("{renew}?lang=zh"), &[("version", &version), ("expires_on", "next year")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.html.contains(&format!("id=\"expiry-error-{id}\"")) && bad.html.contains("YYYY-MM-DD"));
    assert!(bad.html.contains("value=\"next year\""), "what was typed stays");
    assert!(!bad.html.contains(&format!("id=\"reason-error-{id}\"")), "not the suspension's error");
    let past = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    let refused = center.post(&format!("{renew}?lang=en"), &[("version", &version), ("expires_on", &past)]).await;
    assert_eq!(refused.status, 422, "a day in the past");
    let next = (chrono::Utc::now().date_naive() + chrono::Duration::days(730)).to_string();
    let stale = center.post(&format!("{renew}?lang=en"), &[("version", "999"), ("expires_on", &next)]).await;
    assert_eq!(stale.status, 412, "a page left open while someone else changed the broker");
    let done = center.post(&format!("{renew}?lang=en"), &[("version", &version), ("expires_on", &next)]).await;
    assert_eq!((done.status, done.location.as_str()), (303, "/center/brokers?done=renewed"));
    let row = broker::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.certificate_expires_on.map(|d| d.to_string()), Some(next.clone()));
    let after = center.get("/center/brokers?done=renewed&lang=en").await;
    assert!(after.html.contains(&format!("value=\"{next}\"")) && after.html.contains("date is saved"));
    let mut seller = Browser::new(&app);
    seller.sign_in(&app.seller.email, crate::helpers::PASSWORD).await;
    assert_eq!(
        seller.post(&format!("{renew}?lang=en"), &[("version", &version), ("expires_on", &next)]).await.status,
        403
    );
}

#[tokio::test]
async fn a_broker_whose_certificate_expired_is_not_offered_for_a_deal() {
    let app = spawn_app().await;
    let open_deal = || async {
        let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
        app.post(
            "/api/v1/deals",
            Some(&app.buyer),
            json!({"achievement_id": achievement, "inquiry": "想了解许可条件。"}),
        )
        .await
        .expect(201)
        .id()
    };
    let invited_before = open_deal().await;
    app.post(
        &format!("/api/v1/deals/{invited_before}/broker"),
        Some(&app.buyer),
        json!({"broker_id": app.broker2.user_id}),
    )
    .await
    .expect(200);
    broker::Entity::update_many()
        .col_expr(broker::Column::CertificateExpiresOn, Expr::value(Utc::now().date_naive() - Duration::days(1)))
        .filter(broker::Column::Id.eq(app.broker2.user_id))
        .exec(&app.db)
        .await
        .unwrap();
    app.post_empty(&format!("/api/v1/deals/{invited_before}/broker/accept"), Some(&app.broker2))
        .await
        .expect_problem(403, "forbidden");
    let deal = open_deal().await;
    let refused = app
        .post(&format!("/api/v1/deals/{deal}/broker"), Some(&app.buyer), json!({"broker_id": app.broker2.user_id}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), vec!["broker_id".to_string()]);
    let view = app.get(&format!("/api/v1/brokers/{}", app.broker2.user_id), None).await.expect(200);
    assert_eq!(view.body["certificate_expired"], true);
    let mut buyer = Browser::new(&app);
    buyer.sign_in(&app.buyer.email, PASSWORD).await;
    let room = buyer.get(&format!("/deals/{deal}?lang=en")).await;
    assert_eq!(room.status, 200);
    assert!(room.html.contains(&format!("<option value=\"{}\"", app.broker.user_id)), "a valid broker is offered");
    assert!(!room.html.contains(&format!("<option value=\"{}\"", app.broker2.user_id)), "an expired one is not");
}

#[tokio::test]
async fn only_platform_admins_open_the_broker_and_user_desks() {
    let app = spawn_app().await;
    let mut seller = Browser::new(&app);
    seller.sign_in(&app.seller.email, PASSWORD).await;
    for path in ["/center/brokers", "/center/users"] {
        assert_eq!(seller.get(path).await.status, 403, "{path}");
    }
    let page = seller.get("/dashboard?lang=en").await;
    assert!(!page.html.contains("href=\"/center/users\""), "the seller is not shown the desks");
    assert_eq!(
        seller.post("/center/brokers", &[("email", &app.seller.email), ("certificate_number", "X-1")]).await.status,
        403
    );
    assert_eq!(
        seller.post(&format!("/center/users/{}/disable", app.buyer.user_id), &[("version", "1")]).await.status,
        403
    );
    assert_eq!(Browser::new(&app).get("/center/users").await.status, 303, "a visitor is sent to sign in");
}

#[tokio::test]
async fn the_admin_disables_a_user_who_then_cannot_sign_in_and_enables_them_again() {
    let app = spawn_app().await;
    let mut center = admin_browser(&app).await;
    let target = app.other_seller.clone();
    let found = center.get(&format!("/center/users?lang=en&q={}", target.email.to_uppercase())).await;
    assert_eq!(found.status, 200);
    assert!(found.html.contains(&target.email), "found by e-mail in any case");
    assert!(!found.html.contains(&app.buyer.email), "others are not listed");
    assert!(!found.html.contains(">disabled<") && !found.html.contains(">org_admin<"), "words, not codes");
    let disable = format!("/center/users/{}/disable", target.user_id);
    assert!(!found.html.contains(&disable), "disabling asks first");
    let confirm = center.get(&format!("/center/users?lang=en&q={}&confirm={}", target.email, target.user_id)).await;
    assert!(confirm.html.contains("id=\"confirm-disable\""));
    let version = version_for(&confirm.html, &disable);
    let done = center.post(&format!("{disable}?lang=en"), &[("version", &version), ("q", &target.email)]).await;
    assert_eq!(done.status, 303);

    // Neither the API nor the sign-in page lets them in; their token no longer works.
    app.get("/api/v1/me", Some(&target)).await.expect(401);
    let login = app.post("/api/v1/auth/login", None, json!({"email": target.email, "password": PASSWORD})).await;
    assert_eq!(login.status, 401);
    let mut browser = Browser::new(&app);
    assert_eq!(browser.get("/sign-in").await.status, 200);
    let refused = browser.post("/sign-in", &[("email", &target.email), ("password", PASSWORD)]).await;
    assert_ne!(refused.status, 303, "a disabled user is not signed in");

    let list = center.get(&format!("/center/users?lang=en&q={}", target.email)).await;
    assert!(list.html.contains("Disabled"));
    let enable = format!("/center/users/{}/enable", target.user_id);
    let version = version_for(&list.html, &enable);
    assert_eq!(center.post(&format!("{enable}?lang=en"), &[("version", &version)]).await.status, 303);
    app.post("/api/v1/auth/login", None, json!({"email": target.email, "password": PASSWORD})).await.expect(200);
    let mut again = Browser::new(&app);
    again.sign_in(&target.email, PASSWORD).await;
}

#[tokio::test]
async fn a_platform_admin_cannot_disable_themselves_and_unknown_users_are_not_found() {
    let app = spawn_app().await;
    let mut center = admin_browser(&app).await;
    let me = app.admin.user_id;
    let confirm = center.get(&format!("/center/users?lang=en&q={}&confirm={me}", app.admin.email)).await;
    let disable = format!("/center/users/{me}/disable");
    // The desk offers no way to disable oneself; a forged post is refused all the same.
    assert!(!confirm.html.contains(&format!("action=\"{disable}")), "no disable form on one's own row");
    assert!(confirm.html.contains("This is your own account"));
    let refused = center.post(&format!("{disable}?lang=en"), &[("version", "1")]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.html.contains(&format!("id=\"row-error-{me}\"")));
    let unknown = uuid::Uuid::now_v7();
    assert_eq!(center.post(&format!("/center/users/{unknown}/disable"), &[("version", "1")]).await.status, 404);

    // The API: a platform admin changes a user of any organization; not themselves.
    let path = format!("/api/v1/organizations/{}/members/{}", app.buyer2.organization_id, app.buyer2.user_id);
    app.patch(&path, &app.admin, None, json!({"status": "disabled"})).await.expect(200);
    app.patch(&path, &app.admin, None, json!({"status": "active"})).await.expect(200);
    let own = format!("/api/v1/organizations/{}/members/{me}", app.admin.organization_id);
    app.patch(&own, &app.admin, None, json!({"status": "disabled"})).await.expect_problem(409, "conflict");
    let nobody = format!("/api/v1/organizations/{}/members/{unknown}", app.buyer2.organization_id);
    app.patch(&nobody, &app.admin, None, json!({"status": "disabled"})).await.expect_problem(404, "not_found");
}
