//! The pages' forms over HTTP, as a browser posts them: sign-in and sign-out cookies, the
//! CSRF double-submit, who may open the center's desks, and their actions.

use crate::cookies::{Jar, set_cookies, signed_in, value_of};
use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};
use crate::world::{TITLE_ZH, pending_achievement, registered_contract, signed_contract};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use serde_json::json;

fn location(response: &reqwest::Response) -> String {
    response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

#[tokio::test]
async fn signing_in_sets_a_session_cookie_and_signing_out_revokes_it() {
    let app = spawn_app().await;
    let mut jar = Jar::default();
    let form = jar.get(&app, "/sign-in?lang=en").await;
    assert_eq!(form.status(), StatusCode::OK);
    let csrf = jar.csrf();
    let html = form.text().await.unwrap();
    assert!(html.contains(&format!("name=\"csrf_token\" value=\"{csrf}\"")), "the form repeats the CSRF cookie");
    assert!(html.contains("<label for=\"email\">E-mail</label>"));

    // A wrong password: the form again, the error beside the field, no session.
    let wrong = jar
        .post_form(&app, "/sign-in", &[("email", &app.reviewer.email), ("password", "nope"), ("csrf_token", &csrf)])
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!set_cookies(&wrong).contains_key("techex_session"));
    let html = wrong.text().await.unwrap();
    assert!(html.contains("aria-describedby=\"password-error\""), "{html}");
    assert!(html.contains("id=\"password-error\""));
    assert!(html.contains(&format!("value=\"{}\"", app.reviewer.email)), "the e-mail is kept");

    let response = jar
        .post_form(
            &app,
            "/sign-in",
            &[
                ("email", &app.reviewer.email),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
                ("next", "/center/review"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/center/review");
    let cookies = set_cookies(&response);
    let session = &cookies["techex_session"];
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attribute), "{session}");
    }
    assert!(!session.contains("Secure"), "plain http on localhost keeps working: {session}");
    let new_csrf = &cookies["techex_csrf"];
    assert!(!new_csrf.contains("HttpOnly"), "the page's forms read the CSRF token: {new_csrf}");
    assert_ne!(value_of(new_csrf), csrf, "signing in issues a new CSRF token");

    // The cookie is a session of the API too.
    let me = app.client.get(app.url("/api/v1/me")).header(COOKIE, jar.header()).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    // Signing out without the CSRF field is refused and ends nothing.
    let forged = jar.post_form(&app, "/sign-out", &[("csrf_token", "forged")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let still = app.client.get(app.url("/api/v1/me")).header(COOKIE, jar.header()).send().await.unwrap();
    assert_eq!(still.status(), StatusCode::OK);

    let old_cookies = jar.header();
    let out = jar.post_form(&app, "/sign-out", &[("csrf_token", &jar.csrf())]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let cleared = set_cookies(&out);
    assert!(cleared["techex_session"].contains("Max-Age=0"));
    assert!(cleared["techex_csrf"].contains("Max-Age=0"));
    // The old cookie no longer works anywhere: the session was revoked on the server.
    let me = app.client.get(app.url("/api/v1/me")).header(COOKIE, &old_cookies).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    // …and the public pages treat it as a visitor rather than failing.
    let home = app.client.get(app.url("/")).header(COOKIE, &old_cookies).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_in_posts_without_the_csrf_cookie_or_to_foreign_places_are_refused() {
    let app = spawn_app().await;
    // No CSRF cookie at all (a cross-site form): refused, no session opened.
    let forged = app
        .client
        .post(app.url("/sign-in"))
        .form(&[("email", app.reviewer.email.as_str()), ("password", PASSWORD), ("csrf_token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(!set_cookies(&forged).contains_key("techex_session"));

    // `next` leads only to this site.
    for hostile in ["https://evil.test/", "//evil.test/x", "/\\evil.test"] {
        let mut jar = Jar::default();
        jar.get(&app, "/sign-in").await;
        let csrf = jar.csrf();
        let response = jar
            .post_form(
                &app,
                "/sign-in",
                &[("email", &app.seller.email), ("password", PASSWORD), ("csrf_token", &csrf), ("next", hostile)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/", "{hostile}");
    }
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let app = spawn_app_with(|config| config.public_url = Some("https://techex.example.cn".into())).await;
    let mut jar = Jar::default();
    let form = jar.get(&app, "/sign-in").await;
    assert!(set_cookies(&form)["techex_csrf"].contains("Secure"));
    let csrf = jar.csrf();
    let response = jar
        .post_form(&app, "/sign-in", &[("email", &app.seller.email), ("password", PASSWORD), ("csrf_token", &csrf)])
        .await;
    assert!(set_cookies(&response)["techex_session"].contains("; Secure"));
}

#[tokio::test]
async fn too_many_failed_sign_ins_are_shown_in_place() {
    let app = spawn_app_with(|config| config.login_max_failures_per_account = 2).await;
    let mut jar = Jar::default();
    jar.get(&app, "/sign-in?lang=zh").await;
    let csrf = jar.csrf();
    let mut last = None;
    for _ in 0..3 {
        last = Some(
            jar.post_form(
                &app,
                "/sign-in",
                &[("email", &app.buyer.email), ("password", "wrong"), ("csrf_token", &csrf)],
            )
            .await,
        );
    }
    let limited = last.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    let html = limited.text().await.unwrap();
    assert!(html.contains("id=\"form-error\"") && html.contains("尝试次数过多"), "{html}");
    // Empty fields are named in place.
    let empty = jar.post_form(&app, "/sign-in", &[("email", ""), ("password", ""), ("csrf_token", &csrf)]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = empty.text().await.unwrap();
    assert!(html.contains("id=\"email-error\"") && html.contains("id=\"password-error\""));
}

#[tokio::test]
async fn the_center_desks_are_for_the_center_staff_only() {
    let app = spawn_app().await;
    let anonymous = app.client.get(app.url("/center/review?lang=en")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    // Back to the same page in the same language after signing in.
    assert_eq!(location(&anonymous), "/sign-in?next=%2Fcenter%2Freview%3Flang%3Den&lang=en");

    let mut seller = signed_in(&app, &app.seller.email).await;
    for path in ["/center/review", "/center/contracts", "/center/stats", "/center/open-licences"] {
        let refused = seller.get(&app, path).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(refused.text().await.unwrap().contains("<html"), "a page, not JSON");
    }
    let mut registrar = signed_in(&app, &app.registrar.email).await;
    assert_eq!(registrar.get(&app, "/center/review").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(registrar.get(&app, "/center/contracts").await.status(), StatusCode::OK);
    assert_eq!(registrar.get(&app, "/center/stats").await.status(), StatusCode::OK);
    let mut reviewer = signed_in(&app, &app.reviewer.email).await;
    let queue = reviewer.get(&app, "/center/review").await;
    assert_eq!(queue.status(), StatusCode::OK);
    let html = queue.text().await.unwrap();
    assert!(html.contains("href=\"/center/review\""), "the navigation offers the desk");
    assert!(!html.contains("href=\"/center/contracts\""), "but not the registration desk");
}

#[tokio::test]
async fn a_reviewer_rejects_only_with_a_reason_and_approves_from_the_queue() {
    let app = spawn_app().await;
    let id = pending_achievement(&app).await;
    let mut reviewer = signed_in(&app, &app.reviewer.email).await;
    let queue = reviewer.get(&app, "/center/review?lang=zh").await.text().await.unwrap();
    assert!(queue.contains(TITLE_ZH), "the pending achievement is in the queue");
    let csrf = reviewer.csrf();
    let reject = format!("/center/review/achievements/{id}/reject");
    let approve = format!("/center/review/achievements/{id}/approve");

    let empty = reviewer.post_form(&app, &reject, &[("csrf_token", &csrf), ("reason", "  ")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = empty.text().await.unwrap();
    assert!(html.contains(&format!("aria-describedby=\"reason-error-{id}\"")), "{html}");
    assert!(html.contains("请填写理由"));
    let forged = reviewer.post_form(&app, &approve, &[("csrf_token", "forged")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let unknown =
        reviewer.post_form(&app, &format!("/center/review/widgets/{id}/approve"), &[("csrf_token", &csrf)]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let view = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.reviewer)).await.expect(200);
    assert_eq!(view.body["status"], "pending_review", "nothing changed");

    // A version the page showed that is out of date is refused in place.
    let stale = reviewer.post_form(&app, &approve, &[("csrf_token", &csrf), ("version", "999")]).await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);

    let approved =
        reviewer.post_form(&app, &approve, &[("csrf_token", &csrf), ("version", &view.version().to_string())]).await;
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&approved), "/center/review?done=approved");
    let view = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.reviewer)).await.expect(200);
    assert_eq!(view.body["status"], "published");

    // A second one is rejected with its reason.
    let second = pending_achievement(&app).await;
    let rejected = reviewer
        .post_form(
            &app,
            &format!("/center/review/achievements/{second}/reject"),
            &[("csrf_token", &csrf), ("reason", "缺少检测报告")],
        )
        .await;
    assert_eq!(rejected.status(), StatusCode::SEE_OTHER);
    let view = app.get(&format!("/api/v1/achievements/{second}"), Some(&app.seller)).await.expect(200);
    assert_eq!(view.body["status"], "rejected");
    assert_eq!(view.body["rejection_reason"], "缺少检测报告");
}

#[tokio::test]
async fn a_registrar_registers_or_returns_signed_contracts_from_the_desk() {
    let app = spawn_app().await;
    let first = signed_contract(&app, 12_000_000).await;
    let second = signed_contract(&app, 8_000_000).await;
    let mut registrar = signed_in(&app, &app.registrar.email).await;
    let desk = registrar.get(&app, "/center/contracts?lang=en").await.text().await.unwrap();
    assert!(desk.contains(&format!("/api/v1/contracts/{first}/document")), "a link to the document");
    assert!(desk.contains("120,000"), "the amount to be registered");
    let document = registrar.get(&app, &format!("/api/v1/contracts/{first}/document")).await;
    assert_eq!(document.status(), StatusCode::OK, "the document opens with the browser session");
    let csrf = registrar.csrf();

    let no_reason =
        registrar.post_form(&app, &format!("/center/contracts/{second}/return"), &[("csrf_token", &csrf)]).await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text().await.unwrap().contains(&format!("id=\"reason-error-{second}\"")));
    let returned = registrar
        .post_form(
            &app,
            &format!("/center/contracts/{second}/return"),
            &[("csrf_token", &csrf), ("reason", "金额与发票不符")],
        )
        .await;
    assert_eq!(returned.status(), StatusCode::SEE_OTHER);

    let registered =
        registrar.post_form(&app, &format!("/center/contracts/{first}/register"), &[("csrf_token", &csrf)]).await;
    assert_eq!(registered.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&registered), "/center/contracts?done=registered");
    let view = app.get(&format!("/api/v1/contracts/{first}"), Some(&app.registrar)).await.expect(200);
    assert_eq!(view.body["status"], "registered");
    let number = view.body["registration_number"].as_str().unwrap().to_string();
    let desk = registrar.get(&app, "/center/contracts?done=registered").await.text().await.unwrap();
    assert!(desk.contains(&number), "the registered contract is listed with its number");
    let view = app.get(&format!("/api/v1/contracts/{second}"), Some(&app.seller)).await.expect(200);
    assert_eq!(view.body["status"], "draft");
    assert_eq!(view.body["return_reason"], "金额与发票不符");
    // Registering it again changes nothing and says why in place.
    let again =
        registrar.post_form(&app, &format!("/center/contracts/{first}/register"), &[("csrf_token", &csrf)]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_dashboard_draws_its_charts_with_text_alternatives() {
    let app = spawn_app().await;
    registered_contract(&app, 30_000_000).await;
    let mut registrar = signed_in(&app, &app.registrar.email).await;
    let response = registrar.get(&app, "/center/stats?lang=en").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    for expected in [
        "<svg class=\"chart-svg\" role=\"img\" aria-labelledby=\"chart-month-title chart-month-desc\"",
        "<title id=\"chart-field-title\">Registered contract value by industry field</title>",
        "<desc id=\"chart-deals-desc\">",
        "¥300,000",
        "/api/v1/stats/brokers?format=csv",
        "SD-JJR-2026-0001",
        "<title id=\"chart-status-title\">Registered contracts by status</title>",
        "/api/v1/stats/contracts?by=status&amp;format=csv",
    ] {
        assert!(html.contains(expected), "the dashboard lacks {expected}");
    }
    assert!(html.matches("<rect class=\"chart-bar\"").count() >= 3, "bars are drawn");
    // A period in the future: no contracts, a chart that says so.
    let later = registrar.get(&app, "/center/stats?from=2999-01-01&lang=en").await.text().await.unwrap();
    assert!(later.contains("No data for the period chosen."));
    // A date that does not parse is named beside its field.
    let wrong = registrar.get(&app, "/center/stats?from=2026-13-40").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("aria-describedby=\"from-error\""));
    // The CSV exports open with the browser session.
    let csv = registrar.get(&app, "/api/v1/stats/contracts?by=month&format=csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.text().await.unwrap().contains("300000"));
}

#[tokio::test]
async fn a_demand_is_rejected_from_the_queue_with_its_reason() {
    let app = spawn_app().await;
    let demand = app
        .post(
            "/api/v1/demands",
            Some(&app.buyer),
            json!({"title_zh": "寻求高盐废水零排放处理技术", "description_zh": "年产高盐废水约20万吨。",
                   "field": "energy_environment", "keywords": ["高盐废水"], "desired_modes": ["assignment"]}),
        )
        .await
        .expect(201)
        .id();
    app.post_empty(&format!("/api/v1/demands/{demand}/submit"), Some(&app.buyer)).await.expect(200);
    let mut reviewer = signed_in(&app, &app.reviewer.email).await;
    let queue = reviewer.get(&app, "/center/review").await.text().await.unwrap();
    assert!(queue.contains(&format!("id=\"demands-{demand}\"")), "the demand waits in the queue");
    let csrf = reviewer.csrf();
    let rejected = reviewer
        .post_form(
            &app,
            &format!("/center/review/demands/{demand}/reject"),
            &[("csrf_token", &csrf), ("reason", "预算未填写")],
        )
        .await;
    assert_eq!(rejected.status(), StatusCode::SEE_OTHER);
    let view = app.get(&format!("/api/v1/demands/{demand}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(view.body["status"], "rejected");
    assert_eq!(view.body["rejection_reason"], "预算未填写");
}

#[tokio::test]
async fn hostile_form_posts_get_pages_not_failures() {
    let app = spawn_app().await;
    let mut reviewer = signed_in(&app, &app.reviewer.email).await;
    let csrf = reviewer.csrf();
    // Ids that are not ids, unknown queues: a 404 page.
    for path in ["/center/review/achievements/not-a-uuid/approve", "/center/review/x/1/reject"] {
        let response = reviewer.post_form(&app, path, &[("csrf_token", &csrf)]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(response.text().await.unwrap().contains("<html"), "{path}: a page");
    }
    let mut registrar = signed_in(&app, &app.registrar.email).await;
    let registrar_csrf = registrar.csrf();
    let response =
        registrar.post_form(&app, "/center/contracts/%00/register", &[("csrf_token", &registrar_csrf)]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Bodies that are not forms, repeated fields, odd bytes: refused or read, never a 5xx.
    let bodies: [&[u8]; 5] =
        [b"{\"csrf_token\": 1}", b"csrf_token=a&csrf_token=b", b"%ff%fe=%00&&==", b"", &[0xff, 0xfe, 0x00, 0x41]];
    for path in ["/sign-in", "/sign-out", "/center/review/achievements/0190d6f0-0000-7000-8000-000000000000/reject"] {
        for body in bodies {
            let response = app
                .client
                .post(app.url(path))
                .header(COOKIE, reviewer.header())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            assert!(response.status().is_client_error(), "{path} {body:?}: {}", response.status());
        }
    }
    // The session survived all that: none of it signed the reviewer out.
    assert_eq!(reviewer.get(&app, "/center/review").await.status(), StatusCode::OK);
}
