use crate::helpers::{spawn_app, spawn_app_with};
use serde_json::json;

#[tokio::test]
async fn health_readiness_and_the_openapi_document() {
    let app = spawn_app().await;
    app.get("/health", None).await.expect(200);
    let ready = app.get("/ready", None).await.expect(200);
    assert_eq!(ready.body["status"], "ok");
    let openapi = app.get("/api/openapi.json", None).await.expect(200);
    assert!(openapi.body["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")));
    for path in [
        "/api/v1/brokers",
        "/api/v1/deals",
        "/api/v1/deals/{id}/messages",
        "/api/v1/offers/{id}/accept",
        "/api/v1/offers/{id}/diff",
        "/api/v1/auctions/{id}/bids",
        "/api/v1/contracts/{id}/sign",
        "/api/v1/stats/contracts",
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/organizations",
        "/api/v1/organizations/{id}/verify",
        "/api/v1/achievements",
        "/api/v1/achievements/{id}",
        "/api/v1/achievements/{id}/submit",
        "/api/v1/achievements/{id}/approve",
        "/api/v1/achievements/{id}/reject",
        "/api/v1/achievements/{id}/withdraw",
        "/api/v1/achievements/{id}/documents",
        "/api/v1/demands",
        "/api/v1/demands/{id}/submit",
        "/health",
        "/ready",
    ] {
        assert!(openapi.body["paths"].get(path).is_some(), "{path} is missing from the OpenAPI document");
    }
    assert!(openapi.body["components"]["schemas"].get("Problem").is_some());
    // Every `{name}` of every path is a declared, required path parameter of each of its
    // operations, so the browsable docs and generated clients can fill it in.
    let mut checked = 0;
    for (path, item) in openapi.body["paths"].as_object().into_iter().flatten() {
        let names: Vec<&str> =
            path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect();
        for (method, operation) in item.as_object().into_iter().flatten() {
            for name in &names {
                let declared = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["in"] == "path" && p["name"] == *name && p["required"] == true);
                assert!(declared, "{method} {path} does not declare its path parameter {name}");
                checked += 1;
            }
        }
    }
    assert!(checked > 80, "the paths with parameters were checked ({checked})");
    let docs = app.client.get(app.url("/api/docs")).send().await.expect("docs");
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.unwrap_or_default();
    assert!(html.contains("/static/vendor/swagger-ui/swagger-ui-bundle.js"));
    assert!(!html.contains("http://") && !html.contains("https://"), "the docs page loads nothing from outside");
    let bundle =
        app.client.get(app.url("/static/vendor/swagger-ui/swagger-ui-bundle.js")).send().await.expect("bundle");
    assert_eq!(bundle.status(), 200);
}

#[tokio::test]
async fn every_response_carries_security_headers_and_a_request_id() {
    let app = spawn_app().await;
    for path in ["/", "/api/v1/achievements", "/api/v1/nothing-here", "/api/v1/me"] {
        let response = app.client.get(app.url(path)).send().await.expect("request");
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert!(headers.contains_key("content-security-policy"), "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
        assert!(headers.get("x-request-id").is_some_and(|v| !v.is_empty()), "{path}");
    }
    let echoed =
        app.client.get(app.url("/health")).header("x-request-id", "trace-me-42").send().await.expect("request");
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-42");
    app.get("/api/v1/nothing-here", None).await.expect_problem(404, "not_found");
}

#[tokio::test]
async fn cors_is_closed_unless_configured() {
    let closed = spawn_app().await;
    let preflight = closed
        .client
        .request(reqwest::Method::OPTIONS, closed.url("/api/v1/achievements"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("preflight");
    assert!(preflight.headers().get("access-control-allow-origin").is_none());

    let open = spawn_app_with(|config| config.cors_origins = vec!["https://portal.example.cn".into()]).await;
    let allowed = open
        .client
        .request(reqwest::Method::OPTIONS, open.url("/api/v1/achievements"))
        .header("origin", "https://portal.example.cn")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("preflight");
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://portal.example.cn");
    let refused = open
        .client
        .get(open.url("/api/v1/achievements"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("request");
    assert!(refused.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn pages_show_published_achievements_in_both_languages() {
    let app = spawn_app().await;
    let id = app.published_achievement(&app.seller, json!({})).await;
    let draft = app.draft_achievement(&app.seller, json!({"title_zh": "尚未发布的秘密成果"})).await;
    let home = app.client.get(app.url("/")).header("accept-language", "zh-CN,zh;q=0.9").send().await.expect("home");
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap_or_default();
    assert!(html.contains("一种基于深度学习的海水淡化膜材料制备方法"));
    assert!(!html.contains("尚未发布的秘密成果"));
    assert!(html.contains("lang=\"zh-CN\""));
    let english = app.client.get(app.url(&format!("/achievements/{id}?lang=en"))).send().await.expect("page");
    assert!(english.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap_or("").starts_with("lang=en")));
    let html = english.text().await.unwrap_or_default();
    assert!(html.contains("Preparation of a desalination membrane material guided by deep learning"));
    assert!(html.contains("lang=\"en\""));
    assert!(!html.contains("30,000,000") && !html.contains("300,000"), "the floor price never reaches a page");
    let hidden = app.client.get(app.url(&format!("/achievements/{draft}"))).send().await.expect("page");
    assert_eq!(hidden.status(), 404);
    let reference = app.get("/api/v1/reference/fields", None).await.expect(200);
    assert!(reference.body.as_array().is_some_and(|f| f.iter().filter(|x| x["priority"] == true).count() >= 11));
    // The center adds a field; names are texts like any other (a NUL byte, which
    // PostgreSQL cannot store, is a 422 naming the field, never a 500).
    let field = |name_zh: &str| json!({"code": "quantum_tech", "name_zh": name_zh, "name_en": "Quantum technology"});
    let refused = app
        .post("/api/v1/reference/fields", Some(&app.admin), field("量子\u{0}科技"))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["name_zh"]);
    app.post("/api/v1/reference/fields", Some(&app.admin), field(" ")).await.expect_problem(422, "validation_failed");
    app.post("/api/v1/reference/fields", Some(&app.seller), field("量子科技")).await.expect_problem(403, "forbidden");
    let added = app.post("/api/v1/reference/fields", Some(&app.admin), field(" 量子科技 ")).await.expect(201);
    assert_eq!(added.body["name_zh"], "量子科技");
    app.post("/api/v1/reference/fields", Some(&app.admin), field("量子科技")).await.expect_problem(409, "conflict");
    let regions = app.get("/api/v1/reference/regions", None).await.expect(200);
    assert!(
        regions
            .body
            .as_array()
            .is_some_and(|r| { r.iter().any(|x| x["code"] == "370200" && x["name_zh"] == "青岛市") })
    );
}

#[tokio::test]
async fn the_audit_log_is_for_platform_admins() {
    let app = spawn_app().await;
    let id = app.published_achievement(&app.seller, json!({})).await;
    app.get("/api/v1/audit", Some(&app.seller)).await.expect_problem(403, "forbidden");
    let log = app.get(&format!("/api/v1/audit?entity_id={id}"), Some(&app.admin)).await.expect(200);
    let actions: Vec<&str> = log.body["items"]
        .as_array()
        .map(|i| i.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(actions, ["achievement.approve", "achievement.submit", "achievement.create"], "newest first");
    app.get(&format!("/api/v1/achievements/{id}/history"), Some(&app.buyer)).await.expect_problem(404, "not_found");
}
