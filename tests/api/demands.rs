use crate::helpers::spawn_app;
use serde_json::{Value, json};

fn demand_body() -> Value {
    json!({
        "title_zh": "寻求高盐废水零排放处理技术",
        "title_en": "Seeking zero-liquid-discharge treatment for high-salinity wastewater",
        "description_zh": "我公司年产高盐废水约20万吨，需要能耗低、可工程化的蒸发结晶或膜浓缩技术。",
        "field": "energy_environment",
        "keywords": ["高盐废水", "零排放"],
        "budget_min_minor": 100_000_000,
        "budget_max_minor": 300_000_000,
        "desired_modes": ["assignment", "joint_development"],
        "deadline": (chrono::Utc::now().date_naive() + chrono::Duration::days(90)).to_string(),
        "region": "潍坊",
    })
}

#[tokio::test]
async fn a_demand_is_reviewed_published_and_closed_by_its_owner() {
    let app = spawn_app().await;
    let created = app.post("/api/v1/demands", Some(&app.buyer), demand_body()).await.expect(201);
    let id = created.id();
    assert_eq!(created.body["region"], "370700", "region names resolve to codes");
    app.get(&format!("/api/v1/demands/{id}"), None).await.expect_problem(404, "not_found");
    app.post_empty(&format!("/api/v1/demands/{id}/approve"), Some(&app.reviewer))
        .await
        .expect_problem(409, "invalid_transition");
    app.post_empty(&format!("/api/v1/demands/{id}/submit"), Some(&app.buyer)).await.expect(200);
    app.post_empty(&format!("/api/v1/demands/{id}/approve"), Some(&app.buyer)).await.expect_problem(403, "forbidden");
    app.post_empty(&format!("/api/v1/demands/{id}/approve"), Some(&app.reviewer)).await.expect(200);
    let public = app.get(&format!("/api/v1/demands/{id}"), None).await.expect(200);
    assert_eq!(public.body["status"], "published");
    assert_eq!(public.body["owner"]["name"], "潍坊海科新材料有限公司");
    let listed = app.get("/api/v1/demands?field=energy_environment", None).await.expect(200);
    assert!(listed.body["items"].as_array().is_some_and(|i| i.iter().any(|d| d["id"] == id.as_str())));

    app.post_empty(&format!("/api/v1/demands/{id}/close"), Some(&app.seller)).await.expect_problem(403, "forbidden");
    let closed = app.post_empty(&format!("/api/v1/demands/{id}/close"), Some(&app.buyer)).await.expect(200);
    assert_eq!(closed.body["status"], "closed");
    app.get(&format!("/api/v1/demands/{id}"), None).await.expect_problem(404, "not_found");
    app.post_empty(&format!("/api/v1/demands/{id}/fulfil"), Some(&app.buyer))
        .await
        .expect_problem(409, "invalid_transition");
    let history = app.get(&format!("/api/v1/demands/{id}/history"), Some(&app.buyer)).await.expect(200);
    let actions: Vec<&str> =
        history.body.as_array().map(|h| h.iter().filter_map(|e| e["action"].as_str()).collect()).unwrap_or_default();
    assert_eq!(actions, ["demand.create", "demand.submit", "demand.approve", "demand.close"]);
}

#[tokio::test]
async fn demand_input_is_validated_field_by_field() {
    let app = spawn_app().await;
    let mut bad = demand_body();
    bad["budget_min_minor"] = json!(500);
    bad["budget_max_minor"] = json!(100);
    bad["deadline"] = json!("2001-01-01");
    bad["region"] = json!("Atlantis");
    let reply = app.post("/api/v1/demands", Some(&app.buyer), bad).await.expect_problem(422, "validation_failed");
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["budget_max_minor", "deadline", "region"]);
    let wrong_date = app
        .post("/api/v1/demands", Some(&app.buyer), json!({"title_zh": "x", "field": "other", "deadline": "next week"}))
        .await;
    assert_eq!(wrong_date.expect_problem(422, "validation_failed").error_fields(), ["deadline"]);
    // The center does not post demands.
    app.post("/api/v1/demands", Some(&app.reviewer), demand_body()).await.expect_problem(403, "forbidden");
}

#[tokio::test]
async fn a_rejected_demand_is_edited_back_to_draft() {
    let app = spawn_app().await;
    let id = app.post("/api/v1/demands", Some(&app.buyer), demand_body()).await.expect(201).id();
    app.post_empty(&format!("/api/v1/demands/{id}/submit"), Some(&app.buyer)).await.expect(200);
    let rejected = app
        .post(&format!("/api/v1/demands/{id}/reject"), Some(&app.reviewer), json!({"reason": "预算过低"}))
        .await
        .expect(200);
    assert_eq!(rejected.body["rejection_reason"], "预算过低");
    let version = rejected.version();
    app.patch(
        &format!("/api/v1/demands/{id}"),
        &app.buyer,
        Some(version - 1),
        json!({"budget_max_minor": 900_000_000}),
    )
    .await
    .expect_problem(412, "precondition_failed");
    let edited = app
        .patch(&format!("/api/v1/demands/{id}"), &app.buyer, Some(version), json!({"budget_max_minor": 900_000_000}))
        .await
        .expect(200);
    assert_eq!(edited.body["status"], "draft");
    // Other organizations cannot see the draft; the center's reviewers can.
    app.get(&format!("/api/v1/demands/{id}"), Some(&app.seller)).await.expect_problem(404, "not_found");
    app.get(&format!("/api/v1/demands/{id}"), Some(&app.reviewer)).await.expect(200);
}
