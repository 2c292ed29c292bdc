use crate::helpers::spawn_app;
use serde_json::{Value, json};

fn registration(code: &str, email: &str) -> Value {
    json!({
        "name": "青岛蓝海生物科技有限公司",
        "name_en": "Qingdao Blue Sea Biotech Co., Ltd.",
        "kind": "enterprise",
        "credit_code": code,
        "region": "青岛市",
        "website": "https://bluesea.example.cn",
        "admin": {"email": email, "display_name": "王经理", "password": "blue-sea-2026!"}
    })
}

fn valid_code() -> String {
    techex_core::CreditCode::from_prefix("91370200MA3C5XYW1").map(|c| c.to_string()).unwrap_or_default()
}

#[tokio::test]
async fn an_organization_registers_is_verified_and_invites_members() {
    let app = spawn_app().await;
    let registered = app
        .post("/api/v1/organizations", None, registration(&valid_code(), "Wang@BlueSea.example.cn"))
        .await
        .expect(201);
    let org_id = registered.body["organization"]["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(registered.body["organization"]["verified"], false);
    assert_eq!(registered.body["organization"]["region"], "370200");
    assert_eq!(registered.body["admin"]["email"], "wang@bluesea.example.cn");
    assert_eq!(registered.body["admin"]["roles"], json!(["member", "org_admin"]));
    assert!(registered.body["admin"].get("password_hash").is_none());

    // Unverified organizations are visible to their members and admins only.
    app.get(&format!("/api/v1/organizations/{org_id}"), None).await.expect_problem(404, "not_found");
    let queue = app.get("/api/v1/organizations?verified=false", Some(&app.admin)).await.expect(200);
    assert!(queue.body["items"].as_array().is_some_and(|i| i.iter().any(|o| o["id"] == org_id.as_str())));

    let login = app
        .post("/api/v1/auth/login", None, json!({"email": "wang@bluesea.example.cn", "password": "blue-sea-2026!"}))
        .await
        .expect(200);
    let token = login.body["token"].as_str().unwrap_or_default().to_string();
    let admin = crate::helpers::Account {
        email: "wang@bluesea.example.cn".into(),
        token,
        user_id: uuid::Uuid::nil(),
        organization_id: uuid::Uuid::nil(),
    };
    app.post_empty(&format!("/api/v1/organizations/{org_id}/verify"), Some(&admin))
        .await
        .expect_problem(403, "forbidden");
    app.post_empty(&format!("/api/v1/organizations/{org_id}/verify"), Some(&app.reviewer))
        .await
        .expect_problem(404, "not_found");
    let verified =
        app.post_empty(&format!("/api/v1/organizations/{org_id}/verify"), Some(&app.admin)).await.expect(200);
    assert_eq!(verified.body["verified"], true);
    app.post_empty(&format!("/api/v1/organizations/{org_id}/verify"), Some(&app.admin))
        .await
        .expect_problem(409, "invalid_transition");
    app.get(&format!("/api/v1/organizations/{org_id}"), None).await.expect(200);

    // The organization's admin invites a colleague, who accepts and signs in.
    let invited = app
        .post(
            &format!("/api/v1/organizations/{org_id}/invitations"),
            Some(&admin),
            json!({"email": "li@bluesea.example.cn"}),
        )
        .await
        .expect(201);
    let invitation = invited.body["token"].as_str().unwrap_or_default().to_string();
    app.post(
        &format!("/api/v1/organizations/{org_id}/invitations"),
        Some(&admin),
        json!({"email": "x@bluesea.example.cn", "roles": ["reviewer"]}),
    )
    .await
    .expect_problem(403, "forbidden");
    app.post(
        &format!("/api/v1/organizations/{org_id}/invitations"),
        Some(&app.buyer),
        json!({"email": "y@bluesea.example.cn"}),
    )
    .await
    .expect_problem(403, "forbidden");
    app.post(
        "/api/v1/invitations/accept",
        None,
        json!({"token": invitation, "display_name": "李工", "password": "short"}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let joined = app
        .post(
            "/api/v1/invitations/accept",
            None,
            json!({"token": invitation, "display_name": "李工", "password": "li-gong-2026!"}),
        )
        .await
        .expect(201);
    assert_eq!(joined.body["roles"], json!(["member"]));
    app.post(
        "/api/v1/invitations/accept",
        None,
        json!({"token": invitation, "display_name": "李工", "password": "li-gong-2026!"}),
    )
    .await
    .expect_problem(409, "conflict");
    app.post("/api/v1/auth/login", None, json!({"email": "li@bluesea.example.cn", "password": "li-gong-2026!"}))
        .await
        .expect(200);
    let members = app.get(&format!("/api/v1/organizations/{org_id}/members"), Some(&admin)).await.expect(200);
    assert_eq!(members.body.as_array().map(Vec::len), Some(2));
    app.get(&format!("/api/v1/organizations/{org_id}/members"), Some(&app.buyer))
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn registration_validates_codes_passwords_and_duplicates() {
    let app = spawn_app().await;
    let mut bad = registration("91370200MA3C5XYW10", "a@b.cn");
    bad["admin"]["password"] = json!("password");
    bad["website"] = json!("bluesea.cn");
    let reply = app.post("/api/v1/organizations", None, bad).await.expect_problem(422, "validation_failed");
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["admin.password", "credit_code", "website"]);
    assert!(reply.body["errors"].as_array().is_some_and(|e| e.iter().any(|x| x["pointer"] == "/admin/password")));

    let wrong_kind = app.post("/api/v1/organizations", None, json!({"name": "x", "kind": "pirate", "credit_code": valid_code(), "region": "370100", "admin": {"email": "a@b.cn", "display_name": "a", "password": "long-enough-1"}})).await;
    assert_eq!(wrong_kind.expect_problem(422, "validation_failed").error_fields(), ["kind"]);
    // A field missing from a nested object is named where it is missing, not at its parent.
    let no_email = app.post("/api/v1/organizations", None, json!({"name": "x", "kind": "enterprise", "credit_code": valid_code(), "region": "370100", "admin": {"display_name": "a", "password": "long-enough-1"}})).await;
    let no_email = no_email.expect_problem(422, "validation_failed");
    assert_eq!(no_email.error_fields(), ["admin.email"]);
    assert_eq!(no_email.body["errors"][0]["pointer"], "/admin/email", "{}", no_email.body);

    app.post("/api/v1/organizations", None, registration(&valid_code(), "first@bluesea.example.cn")).await.expect(201);
    app.post("/api/v1/organizations", None, registration(&valid_code(), "second@bluesea.example.cn"))
        .await
        .expect_problem(409, "conflict");
    let other_code =
        techex_core::CreditCode::from_prefix("91370200MA3C5XYW2").map(|c| c.to_string()).unwrap_or_default();
    app.post("/api/v1/organizations", None, registration(&other_code, "first@bluesea.example.cn"))
        .await
        .expect_problem(409, "conflict");
    // The reason of a refusal is given in Chinese too, not only the problem's title.
    for (lang, reason) in [
        ("zh-CN", "已有机构使用此统一社会信用代码注册"),
        ("en", "an organization with this credit code is already registered"),
    ] {
        let again = app
            .request_without_language(reqwest::Method::POST, "/api/v1/organizations", None)
            .header("Accept-Language", lang)
            .json(&registration(&valid_code(), "third@bluesea.example.cn"))
            .send()
            .await
            .expect("register again");
        assert_eq!(again.status().as_u16(), 409);
        let body: serde_json::Value = again.json().await.expect("problem");
        assert_eq!(body["detail"], reason, "{body}");
    }
    let mut center = registration(&other_code, "c@bluesea.example.cn");
    center["kind"] = json!("center");
    app.post("/api/v1/organizations", None, center).await.expect_problem(422, "validation_failed");
}

#[tokio::test]
async fn changing_an_organizations_identity_withdraws_its_verification() {
    let app = spawn_app().await;
    let path = format!("/api/v1/organizations/{}", app.buyer.organization_id);
    let current = app.get(&path, Some(&app.buyer)).await.expect(200);
    let renamed = app
        .patch(&path, &app.buyer, Some(current.version()), json!({"website": "https://haike.example.cn"}))
        .await
        .expect(200);
    assert_eq!(renamed.body["verified"], true);
    app.patch(&path, &app.seller, None, json!({"website": "https://evil.example.cn"}))
        .await
        .expect_problem(403, "forbidden");
    let renamed = app
        .patch(&path, &app.buyer, Some(renamed.version()), json!({"name": "潍坊海科新材料股份有限公司"}))
        .await
        .expect(200);
    assert_eq!(renamed.body["verified"], false);
}
