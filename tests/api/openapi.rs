//! The OpenAPI document tells the truth: every error is a documented problem, the enums
//! list the codes the API accepts, the constraints it enforces are stated, and a sweep of
//! each resource's success and error cases answers as documented (`TestApp::send` checks
//! each answer against the document, as it does for the whole suite).

use crate::conformance::OpenApiDocument;
use crate::helpers::{TestApp, spawn_app};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Whether serde reads every value as the type (the API's own parser of the enum).
fn accepts<T: DeserializeOwned>(values: &[String]) -> Result<(), String> {
    for value in values {
        serde_json::from_value::<T>(json!(value)).map_err(|e| format!("`{value}` is refused: {e}"))?;
    }
    Ok(())
}

/// For a type the API only sends: whether its variants serialize to exactly the values.
fn emits<T: serde::Serialize>(values: &[String], variants: &[T]) -> Result<(), String> {
    let sent: Vec<String> = variants
        .iter()
        .map(|v| serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)))
        .map(Option::unwrap_or_default)
        .collect();
    if sent == values { Ok(()) } else { Err(format!("the API sends {sent:?}, the schema lists {values:?}")) }
}

/// The Rust type behind each enum schema of the document, checked to read its values.
fn check_enum_type(name: &str, values: &[String]) -> Result<(), String> {
    use techex_core::domain::*;
    match name {
        "OrgKind" => accepts::<OrgKind>(values),
        "AchievementKind" => accepts::<AchievementKind>(values),
        "Maturity" => accepts::<Maturity>(values),
        "TransactionMode" => accepts::<TransactionMode>(values),
        "AchievementStatus" => accepts::<AchievementStatus>(values),
        "DemandStatus" => accepts::<DemandStatus>(values),
        "DisclosureTier" => accepts::<DisclosureTier>(values),
        "DealStatus" => accepts::<DealStatus>(values),
        "OfferStatus" => accepts::<OfferStatus>(values),
        "Side" => accepts::<Side>(values),
        "BrokerLevel" => accepts::<BrokerLevel>(values),
        "AuctionStatus" => accepts::<AuctionStatus>(values),
        "FeedbackReason" => accepts::<FeedbackReason>(values),
        "Language" => accepts::<Language>(values),
        "ContractStatus" => accepts::<ContractStatus>(values),
        "MilestoneStatus" => accepts::<MilestoneStatus>(values),
        "OpenLicenceStatus" => accepts::<OpenLicenceStatus>(values),
        "RoyaltyPeriod" => accepts::<RoyaltyPeriod>(values),
        "RoyaltyBase" => accepts::<RoyaltyBase>(values),
        "RoyaltyReportStatus" => accepts::<RoyaltyReportStatus>(values),
        "Currency" => accepts::<techex_core::Currency>(values),
        "Role" => accepts::<techex_core::roles::Role>(values),
        "Party" => {
            use techex_negotiation::deals::Party;
            emits(values, &[Party::Seller, Party::Buyer, Party::Broker, Party::InvitedBroker, Party::Center])
        }
        "Improvements" => accepts::<techex_negotiation::terms::Improvements>(values),
        "ContractType" => accepts::<techex_contracts::content::ContractType>(values),
        "Grouping" => accepts::<techex_contracts::stats::Grouping>(values),
        "ContractRole" => {
            use techex_contracts::contracts::ContractRole;
            emits(values, &[ContractRole::Seller, ContractRole::Buyer, ContractRole::Broker, ContractRole::Registrar])
        }
        other => Err(format!("the enum schema {other} has no type in this test's table; add it")),
    }
}

fn is_snake_case_code(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_lowercase())
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The enum schema a parameter's schema refers to (`$ref`, or inside `oneOf`).
fn referenced_schema(schema: &Value) -> Option<String> {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference.strip_prefix("#/components/schemas/").map(str::to_string);
    }
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .flat_map(|key| schema[*key].as_array().into_iter().flatten())
        .find_map(referenced_schema)
}

#[tokio::test]
async fn every_enum_schema_lists_the_snake_case_codes_the_api_accepts() {
    let app = spawn_app().await;
    let document = app.openapi().await;
    let enums = document.enum_schemas();
    assert!(enums.len() >= 13, "the document's enum schemas: {enums:?}");
    for (name, values) in &enums {
        assert!(!values.is_empty(), "{name} lists no values");
        for value in values {
            let iso_currency = name == "Currency" && value.len() == 3 && value.chars().all(|c| c.is_ascii_uppercase());
            assert!(is_snake_case_code(value) || iso_currency, "{name} lists `{value}`, not a snake_case code");
        }
        if let Err(refused) = check_enum_type(name, values) {
            panic!("{name}: {refused}");
        }
    }
    // Over the wire: every value of every enum query parameter of a list is accepted,
    // and a variant name is not.
    let mut sent = 0;
    let paths = document.value()["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in paths.iter().filter(|(path, _)| !path.contains('{')) {
        let Some(parameters) = item["get"]["parameters"].as_array() else {
            continue;
        };
        for parameter in parameters.iter().filter(|p| p["in"] == "query") {
            let Some(schema) = referenced_schema(&parameter["schema"]) else {
                continue;
            };
            let Some((_, values)) = enums.iter().find(|(name, _)| *name == schema) else {
                continue;
            };
            let name = parameter["name"].as_str().unwrap_or_default();
            for value in values {
                app.get(&format!("{path}?{name}={value}"), Some(&app.admin)).await.expect(200);
                sent += 1;
            }
            app.get(&format!("{path}?{name}=NotACode"), Some(&app.admin)).await.expect(400);
        }
    }
    assert!(sent >= 30, "enum query parameters were tried over the wire ({sent})");
}

#[tokio::test]
async fn every_error_response_of_the_document_is_a_problem() {
    let app = spawn_app().await;
    let document = app.openapi().await;
    let mut operations = 0;
    let mut problems = 0;
    for (path, item) in document.value()["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            operations += 1;
            let responses = operation["responses"].as_object().cloned().unwrap_or_default();
            for (status, response) in &responses {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                let content = response["content"].as_object().cloned().unwrap_or_default();
                let keys: Vec<&String> = content.keys().collect();
                assert_eq!(keys, ["application/problem+json"], "{method} {path} {status}");
                assert_eq!(content["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem");
                problems += 1;
            }
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.as_object().is_some_and(|r| !r.is_empty())));
            if secured {
                assert!(responses.contains_key("401"), "{method} {path} takes a token but documents no 401");
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path} names a resource but documents no 404");
            }
            let json_body = operation["requestBody"]["content"].get("application/json").is_some();
            for status in ["400", "413", "415", "422"] {
                assert!(!json_body || responses.contains_key(status), "{method} {path} takes JSON: {status}");
            }
            let if_match = operation["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["in"] == "header" && p["name"] == "If-Match"));
            assert!(!if_match || responses.contains_key("412"), "{method} {path} takes If-Match: 412");
        }
    }
    assert!(operations > 120, "{operations} operations");
    assert!(problems > 600, "{problems} error responses");
    // Multipart bodies say what they carry.
    for path in ["/api/v1/achievements/{id}/documents", "/api/v1/deals/{id}/attachments", "/api/v1/achievements/import"]
    {
        let body = &document.value()["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"];
        assert!(body["schema"]["$ref"].is_string(), "{path}: {body}");
    }
    // The constraints the API enforces are stated.
    let schemas = &document.value()["components"]["schemas"];
    assert_eq!(schemas["AchievementInput"]["properties"]["title_zh"]["maxLength"], 200);
    assert_eq!(schemas["AchievementInput"]["properties"]["asking_price_minor"]["minimum"], 0);
    assert_eq!(schemas["DemandInput"]["properties"]["budget_min_minor"]["minimum"], 0);
    let limit = document.value()["paths"]["/api/v1/achievements"]["get"]["parameters"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "limit").cloned())
        .unwrap_or_default();
    assert_eq!((limit["schema"]["minimum"].as_i64(), limit["schema"]["maximum"].as_i64()), (Some(1), Some(100)));
}

/// A raw request with a body of the given media type, checked against the document.
async fn raw(app: &TestApp, method: Method, path: &str, token: Option<&str>, media: &str, body: &str) -> u16 {
    let mut request = app.client.request(method.clone(), app.url(path)).header("content-type", media);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    app.send(method, path, request.body(body.to_string())).await.status.as_u16()
}

/// Each request below is checked by `TestApp::send` against the document: the status
/// must be documented for its operation, errors as problem+json. The statuses are also
/// asserted, so a request that stops producing its case is noticed.
#[tokio::test]
async fn representative_answers_of_each_resource_are_documented() {
    let app = spawn_app().await;
    let seller = &app.seller;
    let token = seller.token.clone();
    let achievements = "/api/v1/achievements";
    // Achievements: success, every extractor's failure, and the domain's.
    app.get(&format!("{achievements}?limit=5"), None).await.expect(200);
    app.get(&format!("{achievements}?limit=0"), None).await.expect(400);
    app.get(&format!("{achievements}?limit=many"), None).await.expect(400);
    app.get(achievements, Some(&crate::helpers::Account { token: "nope".into(), ..seller.clone() })).await.expect(401);
    app.post(achievements, None, json!({})).await.expect(401);
    assert_eq!(raw(&app, Method::POST, achievements, Some(&token), "text/plain", "hello").await, 415);
    assert_eq!(raw(&app, Method::POST, achievements, Some(&token), "application/json", "{\"title_zh\":").await, 400);
    app.post(achievements, Some(seller), json!({"kind": "InventionPatent"})).await.expect(422);
    app.post(achievements, Some(seller), json!({"title_zh": "长".repeat(201)})).await.expect(422);
    app.post(achievements, Some(seller), json!({"title_zh": "价", "asking_price_minor": -1})).await.expect(422);
    let huge = format!("{{\"title_zh\":\"{}\"}}", "x".repeat(4 << 20));
    assert_eq!(raw(&app, Method::POST, achievements, Some(&token), "application/json", &huge).await, 413);
    let id = app.draft_achievement(seller, json!({})).await;
    let one = format!("{achievements}/{id}");
    app.get(&one, Some(seller)).await.expect(200);
    app.get(&format!("{achievements}/not-an-id"), None).await.expect(404);
    app.get(&format!("{achievements}/{}", uuid::Uuid::new_v4()), None).await.expect(404);
    app.patch(&one, seller, Some(99), json!({"title_zh": "新"})).await.expect(412);
    let garbage = app.request(Method::PATCH, &one, Some(seller)).header("If-Match", "yesterday").json(&json!({}));
    app.send(Method::PATCH, &one, garbage).await.expect(400);
    app.patch(&one, &app.other_seller, None, json!({"title_zh": "新"})).await.expect(404);
    app.post_empty(&format!("{one}/approve"), Some(seller)).await.expect(403);
    app.post_empty(&format!("{one}/withdraw"), Some(seller)).await.expect(409);
    app.post_empty(&format!("{one}/submit"), Some(seller)).await.expect(200);
    app.post(&format!("{one}/reject"), Some(&app.reviewer), json!({})).await.expect(422);
    app.post_empty(&format!("{one}/approve"), Some(&app.reviewer)).await.expect(200);
    app.get(&format!("{one}/history"), Some(seller)).await.expect(200);
    app.get(&format!("{one}/documents"), None).await.expect(200);
    let upload = app.request(Method::POST, &format!("{one}/documents"), Some(seller)).body("not a form");
    app.send(Method::POST, &format!("{one}/documents"), upload).await.expect(400);
    // Demands.
    let demand = app
        .post("/api/v1/demands", Some(&app.buyer), json!({"title_zh": "需求", "field": "new_materials"}))
        .await
        .expect(201)
        .id();
    app.get(&format!("/api/v1/demands/{demand}"), Some(&app.buyer)).await.expect(200);
    app.post("/api/v1/demands", Some(&app.buyer), json!({"budget_min_minor": -5})).await.expect(422);
    app.post_empty(&format!("/api/v1/demands/{demand}/approve"), Some(&app.buyer)).await.expect(403);
    app.get("/api/v1/demands?status=published", None).await.expect(200);
    app.get("/api/v1/demands?owner=nobody", None).await.expect(422);
    app.get("/api/v1/achievements?owner=nobody", None).await.expect(422);
    app.post_empty(&format!("/api/v1/demands/{demand}/submit"), Some(&app.buyer)).await.expect(422);
    // Search, saved searches, notifications.
    app.get("/api/v1/search?q=膜", None).await.expect(200);
    app.get("/api/v1/search?limit=101", None).await.expect(400);
    app.get("/api/v1/search?price_min=-1", None).await.expect(400);
    app.get("/api/v1/search?q=%22open", None).await.expect(400);
    app.post("/api/v1/saved-searches", Some(&app.buyer), json!({"nonsense": true})).await.expect(422);
    app.get("/api/v1/notifications?limit=3", Some(&app.buyer)).await.expect(200);
    app.get("/api/v1/notifications", None).await.expect(401);
    app.get(&format!("/api/v1/achievements/{id}/similar"), None).await.expect(200);
    // Deals and offers.
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": id, "inquiry": "想了解许可条件"}))
        .await
        .expect(201)
        .id();
    app.get(&format!("/api/v1/deals/{deal}"), Some(&app.buyer)).await.expect(200);
    app.get(&format!("/api/v1/deals/{deal}"), Some(&app.buyer2)).await.expect(404);
    app.get(&format!("/api/v1/offers/{}", uuid::Uuid::new_v4()), Some(&app.buyer)).await.expect(404);
    app.get("/api/v1/deals", None).await.expect(401);
    let nothing = json!({"achievement_id": uuid::Uuid::new_v4(), "inquiry": "还在吗"});
    app.post("/api/v1/deals", Some(&app.buyer), nothing).await.expect(422);
    let auction = json!({"achievement_id": uuid::Uuid::new_v4(), "starting_price_minor": 100, "increment_minor": 10,
        "opens_at": "2030-01-01T00:00:00Z", "closes_at": "2030-01-02T00:00:00Z",
        "terms": {"mode": "assignment", "territory": "中国大陆", "term_years": 5}});
    app.post("/api/v1/auctions", Some(seller), auction).await.expect(404);
    // Brokers, organizations, session, reference, statistics.
    app.get("/api/v1/brokers", None).await.expect(200);
    app.post(
        "/api/v1/brokers",
        Some(seller),
        json!({"user_id": seller.user_id, "certificate_number": "X",
        "level": "senior", "fields": [], "commission_bps": 100}),
    )
    .await
    .expect(403);
    app.get("/api/v1/organizations", None).await.expect(200);
    app.get(&format!("/api/v1/organizations/{}", seller.organization_id), None).await.expect(200);
    app.post_empty(&format!("/api/v1/organizations/{}/verify", seller.organization_id), Some(seller)).await.expect(403);
    app.post("/api/v1/auth/login", None, json!({"email": seller.email, "password": "wrong-password-1"}))
        .await
        .expect(401);
    app.get("/api/v1/me", Some(seller)).await.expect(200);
    app.get("/api/v1/reference/fields", None).await.expect(200);
    app.get("/api/v1/stats/deals", Some(seller)).await.expect(403);
    let csv = app.request(Method::GET, "/api/v1/stats/deals?format=csv", Some(&app.admin));
    let reply = app.send(Method::GET, "/api/v1/stats/deals?format=csv", csv).await.expect(200);
    assert!(reply.headers["content-type"].to_str().unwrap_or("").starts_with("text/csv"));
    app.get("/api/v1/stats/deals", Some(&app.admin)).await.expect(200);
    app.get("/api/v1/audit", Some(seller)).await.expect(403);
    app.get("/api/v1/contracts", Some(seller)).await.expect(200);
    app.get(&format!("/api/v1/contracts/{}", uuid::Uuid::new_v4()), Some(seller)).await.expect(404);
}

#[tokio::test]
async fn an_undocumented_answer_is_caught() {
    let app = spawn_app().await;
    let document: &OpenApiDocument = app.openapi().await;
    assert!(document.check("GET", "/api/v1/me", 200, "application/json").is_ok());
    let mismatch = document.check("GET", "/api/v1/me", 409, "application/problem+json");
    assert!(mismatch.is_err_and(|m| m.contains("/api/v1/me")), "GET /me never conflicts");
    assert!(document.check("GET", "/api/v1/me", 401, "application/json").is_err(), "a problem as JSON");
}
