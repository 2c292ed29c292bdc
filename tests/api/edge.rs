//! The HTTP edge answers every failure as documented: problem+json for 405, 413, 414 and
//! a top-level array body; HSTS only over https; no control characters in pages.

use crate::helpers::{Reply, spawn_app, spawn_app_with};

#[tokio::test]
async fn errors_made_by_layers_are_problems() {
    let app = spawn_app().await;
    // An over-long URI: 414 problem+json, not an empty body.
    let long = format!("/api/v1/achievements?q={}", "a".repeat(10 * 1024));
    app.get(&long, None).await.expect_problem(414, "uri_too_long");
    // A method the resource does not have: 405 problem+json with `Allow`.
    let reply = Reply::from(app.request(reqwest::Method::PUT, "/health", None).send().await.expect("request")).await;
    let reply = reply.expect_problem(405, "method_not_allowed");
    assert!(reply.headers.contains_key("allow"));
    // A top-level array is about the whole document, not `//0`.
    let reply = app
        .post("/api/v1/achievements", Some(&app.seller), serde_json::json!([{"title_zh": "x"}]))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["pointer"], "", "{}", reply.body);
    // A body missing a field names the field.
    let reply = app.post("/api/v1/auth/login", None, serde_json::json!({"email": "a@b.test"})).await.expect(422);
    assert_eq!(reply.body["errors"][0]["field"], "password", "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["pointer"], "/password");
    // Not JSON at all is still a 400.
    let reply = Reply::from(
        app.request(reqwest::Method::POST, "/api/v1/auth/login", None)
            .header("content-type", "application/json")
            .body("[1, 2")
            .send()
            .await
            .expect("request"),
    )
    .await;
    reply.expect_problem(400, "malformed_request");
}

#[tokio::test]
async fn hsts_is_sent_only_over_https_and_subdomains_only_when_configured() {
    let plain = spawn_app().await;
    let reply = plain.get("/health", None).await.expect(200);
    assert!(!reply.headers.contains_key("strict-transport-security"), "no HSTS on plain http");

    let https = spawn_app_with(|config| config.public_url = Some("https://techex.example.cn".into())).await;
    let reply = https.get("/health", None).await.expect(200);
    assert_eq!(reply.headers["strict-transport-security"], "max-age=31536000");

    let subdomains = spawn_app_with(|config| {
        config.public_url = Some("https://techex.example.cn".into());
        config.hsts_include_subdomains = true;
    })
    .await;
    let reply = subdomains.get("/health", None).await.expect(200);
    assert_eq!(reply.headers["strict-transport-security"], "max-age=31536000; includeSubDomains");
}

#[tokio::test]
async fn control_characters_never_reach_a_page() {
    let app = spawn_app().await;
    for path in ["/search?q=a%00b%07c", "/?q=%00", "/achievements?q=x%00y"] {
        let response = app.client.get(app.url(path)).send().await.expect("page");
        let bytes = response.bytes().await.expect("body");
        assert!(!bytes.contains(&0), "NUL in {path}");
        assert!(!bytes.contains(&7), "BEL in {path}");
    }
    // Stored texts never hold them: they are refused on the way in.
    let mut body = crate::helpers::achievement_body();
    body["title_zh"] = serde_json::json!("海水\u{0}淡化\u{1b}膜");
    app.post("/api/v1/achievements", Some(&app.seller), body).await.expect_problem(422, "validation_failed");
}

#[tokio::test]
async fn the_way_to_sign_in_keeps_the_page_its_query_and_its_language() {
    let app = spawn_app().await;
    let location = |response: &reqwest::Response| {
        response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    };
    let english = app
        .request(reqwest::Method::GET, "/center/audit?from=2026-01-01&lang=en", None)
        .send()
        .await
        .expect("audit page");
    assert_eq!(english.status().as_u16(), 303);
    assert_eq!(location(&english), "/sign-in?next=%2Fcenter%2Faudit%3Ffrom%3D2026-01-01%26lang%3Den&lang=en");
    let sign_in = app.request(reqwest::Method::GET, &location(&english), None).send().await.expect("sign-in page");
    assert_eq!(sign_in.status().as_u16(), 200);
    let html = sign_in.text().await.unwrap_or_default();
    assert!(html.contains("lang=\"en\""), "the sign-in page is in the reader's language: {html}");
    // Without a query nothing changes; a language that is not one of the site's is dropped.
    let plain = app.request(reqwest::Method::GET, "/dashboard", None).send().await.expect("dashboard");
    assert_eq!(location(&plain), "/sign-in?next=%2Fdashboard");
    let odd = app.request(reqwest::Method::GET, "/dashboard?lang=xx", None).send().await.expect("dashboard");
    assert_eq!(location(&odd), "/sign-in?next=%2Fdashboard%3Flang%3Dxx");
}
