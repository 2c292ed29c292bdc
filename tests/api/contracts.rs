//! Technology contracts over HTTP: drafted from an agreed deal, amended (signatures
//! voided), signed over the text's SHA-256 by the three parties, pre-checked, registered.

use crate::helpers::{Account, TestApp, spawn_app};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// An agreed exclusive licence of a granted patent, mediated by the broker; returns the deal id.
pub(crate) async fn agreed_deal(app: &TestApp) -> String {
    let achievement = app.published_achievement(&app.seller, json!({"inventors": [], "patent_granted": true})).await;
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "许可条件？"}))
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/deals/{deal}/broker"),
        Some(&app.buyer),
        json!({"broker_id": app.broker.user_id, "commission_bps": 500}),
    )
    .await
    .expect(200);
    app.post_empty(&format!("/api/v1/deals/{deal}/broker/accept"), Some(&app.broker)).await.expect(200);
    let offer = app
        .post(
            &format!("/api/v1/deals/{deal}/offers"),
            Some(&app.seller),
            json!({
                "terms": {"mode": "exclusive_license", "lump_sum_minor": 30_000_000, "royalty_bps": 250,
                          "milestones": [
                              {"title": "签约首付", "amount_minor": 10_000_000, "due_days_after_signing": 0},
                              {"title": "工艺包交付", "amount_minor": 20_000_000, "due_days_after_signing": 60, "acceptance_criteria": "中试合格"}],
                          "territory": "中国大陆", "term_years": 6},
                "valid_until": (Utc::now() + Duration::days(3)).to_rfc3339()
            }),
        )
        .await
        .expect(201)
        .id();
    app.post_empty(&format!("/api/v1/offers/{offer}/accept"), Some(&app.buyer)).await.expect(200);
    deal
}

fn sha(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub(crate) async fn sign(app: &TestApp, id: &str, who: &Account, hash: &str) -> crate::helpers::Reply {
    app.post(&format!("/api/v1/contracts/{id}/sign"), Some(who), json!({"sha256": hash})).await
}

fn blockers(view: &Value) -> Vec<String> {
    view["precheck"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter(|x| x["severity"] == "blocker")
                .filter_map(|x| x["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_agreed_deal_becomes_a_signed_and_registered_contract() {
    let app = spawn_app().await;
    let deal = agreed_deal(&app).await;
    app.post("/api/v1/contracts", Some(&app.other_seller), json!({"deal_id": deal}))
        .await
        .expect_problem(422, "validation_failed");
    let drafted = app.post("/api/v1/contracts", Some(&app.broker), json!({"deal_id": deal})).await.expect(201);
    let id = drafted.id();
    app.post("/api/v1/contracts", Some(&app.seller), json!({"deal_id": deal})).await.expect_problem(409, "conflict");
    let body = &drafted.body;
    assert_eq!(body["contract_type"], "licence_exclusive");
    assert_eq!(body["status"], "draft");
    assert_eq!(body["required_signatures"], json!(["seller", "buyer", "broker"]));
    assert_eq!(body["milestones"].as_array().map(Vec::len), Some(2));
    assert_eq!(body["milestones"][1]["amount_minor"], 20_000_000);
    assert_eq!(body["content"]["commission_bps"], 500);
    assert!(blockers(body).contains(&"parties".to_string()), "representatives are missing: {}", body["precheck"]);

    // The readable document and the canonical text with its hash.
    let text = app
        .request(reqwest::Method::GET, &format!("/api/v1/contracts/{id}/document?format=text"), Some(&app.buyer))
        .send()
        .await
        .expect("text");
    let header_hash =
        text.headers().get("x-content-sha256").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let text = text.text().await.unwrap_or_default();
    assert_eq!(sha(&text), header_hash);
    assert_eq!(header_hash, body["sha256"].as_str().unwrap_or_default());
    for expected in [
        "专利实施许可合同（独占）",
        "丙方（技术经纪人",
        "SD-JJR-2026-0001",
        "入门费加提成",
        "2.5%",
        "300000.00 CNY",
        "第八条 争议解决",
    ] {
        assert!(text.contains(expected), "the text lacks {expected}:\n{text}");
    }
    let html = app
        .request(reqwest::Method::GET, &format!("/api/v1/contracts/{id}/document"), Some(&app.seller))
        .send()
        .await
        .expect("html");
    assert!(
        html.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("text/html"))
    );
    let html = html.text().await.unwrap_or_default();
    assert!(html.contains("<h2>第三条 价款与支付"));
    assert!(!html.contains("签署记录"), "nobody has signed yet");
    assert!(html.contains("@media print"), "the document prints on A4");

    // Nobody else reads or signs it.
    app.get(&format!("/api/v1/contracts/{id}"), Some(&app.other_seller)).await.expect_problem(404, "not_found");
    sign(&app, &id, &app.other_seller, &header_hash).await.expect_problem(404, "not_found");

    // Amend: fill in the representatives.
    let amended = app
        .patch(
            &format!("/api/v1/contracts/{id}"),
            &app.seller,
            Some(drafted.version()),
            json!({"seller_representative": "张成", "buyer_representative": "刘采", "change_note": "补充授权代表"}),
        )
        .await
        .expect(200);
    assert_eq!(amended.body["current_number"], 2);
    assert_ne!(amended.body["sha256"], body["sha256"]);
    assert!(blockers(&amended.body) == ["signatures"], "{}", amended.body["precheck"]);
    let changes = &amended.body["versions"][1]["changes"];
    assert_eq!(changes.as_array().map(Vec::len), Some(2), "{changes}");
    let current = amended.body["sha256"].as_str().unwrap_or_default().to_string();

    // A signature binds the text read: the old hash is refused.
    sign(&app, &id, &app.seller, &header_hash).await.expect_problem(409, "conflict");
    let signed = sign(&app, &id, &app.seller, &current).await.expect(200);
    assert_eq!(signed.body["status"], "signing");
    sign(&app, &id, &app.seller, &current).await.expect_problem(409, "conflict");
    sign(&app, &id, &app.buyer, &current).await.expect(200);
    // Any change after a signature voids them.
    let version = app.get(&format!("/api/v1/contracts/{id}"), Some(&app.buyer)).await.expect(200).version();
    let voided = app
        .patch(&format!("/api/v1/contracts/{id}"), &app.buyer, Some(version), json!({"confidentiality_years": 8}))
        .await
        .expect(200);
    assert_eq!(voided.body["status"], "draft");
    assert_eq!(voided.body["signatures"].as_array().map(Vec::len), Some(0));
    assert_eq!(voided.body["voided_signatures"].as_array().map(Vec::len), Some(2));
    let current = voided.body["sha256"].as_str().unwrap_or_default().to_string();
    for who in [&app.seller, &app.buyer, &app.broker] {
        sign(&app, &id, who, &current).await.expect(200);
    }
    let done = app.get(&format!("/api/v1/contracts/{id}"), Some(&app.seller)).await.expect(200);
    assert_eq!(done.body["status"], "signed");
    // The document shows the three signatures of its version, each over its hash.
    let html = app
        .request(reqwest::Method::GET, &format!("/api/v1/contracts/{id}/document"), Some(&app.buyer))
        .send()
        .await
        .expect("html")
        .text()
        .await
        .unwrap_or_default();
    let block = html.split("签署记录").nth(1).and_then(|b| b.split("</table>").next()).unwrap_or_default();
    for party in ["甲方 / Seller", "乙方 / Buyer", "丙方 / Broker"] {
        assert!(block.contains(party), "{party} in {block}");
    }
    assert_eq!(block.matches(&current).count(), 3, "each signature over the current hash: {block}");
    let first = app
        .request(reqwest::Method::GET, &format!("/api/v1/contracts/{id}/document?version=1"), Some(&app.buyer))
        .send()
        .await
        .expect("html")
        .text()
        .await
        .unwrap_or_default();
    assert!(!first.contains("签署记录"), "the first version was never signed");
    assert!(done.body["milestones"][1]["due_date"].is_string(), "due dates are fixed at signing");
    let deal_now = app.get(&format!("/api/v1/deals/{deal}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(deal_now.body["status"], "contracted");

    // Registration by the center.
    app.post_empty(&format!("/api/v1/contracts/{id}/register"), Some(&app.seller))
        .await
        .expect_problem(403, "forbidden");
    let registered =
        app.post_empty(&format!("/api/v1/contracts/{id}/register"), Some(&app.registrar)).await.expect(200);
    assert_eq!(registered.body["status"], "registered");
    let number = registered.body["registration_number"].as_str().unwrap_or_default();
    assert_eq!(number.len(), 16, "{number}");
    assert!(number.starts_with(&format!("{}370100", Utc::now().format("%Y"))), "{number}");
    assert_eq!(registered.body["registered_amount_minor"], 30_000_000);
    assert_eq!(registered.body["tax_relief"], true);
    // The center's statistics see it.
    let by_month = app.get("/api/v1/stats/contracts", Some(&app.registrar)).await.expect(200);
    assert_eq!(
        by_month.body,
        json!([{"key": Utc::now().format("%Y-%m").to_string(), "contracts": 1, "amount_minor": 30_000_000, "currency": "CNY"}])
    );
    for (by, key) in [("type", "licence_exclusive"), ("field", "new_materials"), ("region", "370100")] {
        let grouped = app.get(&format!("/api/v1/stats/contracts?by={by}"), Some(&app.admin)).await.expect(200);
        assert_eq!(grouped.body[0]["key"], key, "by {by}");
    }
    let tomorrow = (Utc::now() + Duration::days(1)).format("%Y-%m-%d");
    let later = app.get(&format!("/api/v1/stats/contracts?from={tomorrow}"), Some(&app.admin)).await.expect(200);
    assert_eq!(later.body, json!([]));
    let deals = app.get("/api/v1/stats/deals", Some(&app.admin)).await.expect(200);
    assert_eq!(deals.body["contracted"], 1);
    let league = app.get("/api/v1/stats/brokers", Some(&app.admin)).await.expect(200);
    assert_eq!(league.body[0]["broker_id"], app.broker.user_id.to_string());
    assert_eq!(league.body[0]["registered_amount_minor"], 30_000_000);
    assert_eq!(league.body[0]["contracts_registered"], 1);
    let timing = app.get("/api/v1/stats/registration-time", Some(&app.admin)).await.expect(200);
    assert_eq!(timing.body["contracts"], 1);
    let csv = app
        .request(reqwest::Method::GET, "/api/v1/stats/brokers?format=csv", Some(&app.admin))
        .send()
        .await
        .expect("csv");
    assert!(csv.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("text/csv")));
    let csv = csv.text().await.unwrap_or_default();
    assert!(
        csv.lines().nth(1).is_some_and(|row| row.contains("SD-JJR-2026-0001") && row.ends_with("300000.00")),
        "{csv}"
    );
    app.get("/api/v1/stats/contracts", Some(&app.seller)).await.expect_problem(403, "forbidden");
    app.get("/api/v1/stats/contracts?by=colour", Some(&app.admin)).await.expect_problem(400, "malformed_request");
    // A range that ends before it begins is refused alike wherever a list takes one.
    for path in ["/api/v1/stats/contracts", "/api/v1/stats/brokers", "/api/v1/stats/registration-time", "/api/v1/audit"]
    {
        app.get(&format!("{path}?from=2026-06-01&to=2026-05-31"), Some(&app.admin))
            .await
            .expect_problem(422, "validation_failed");
        app.get(&format!("{path}?from=2026-06-01&to=2026-06-01"), Some(&app.admin)).await.expect(200);
    }

    let version = registered.version();
    app.patch(&format!("/api/v1/contracts/{id}"), &app.seller, Some(version), json!({"penalty_bps": 500}))
        .await
        .expect_problem(409, "invalid_transition");
}

#[tokio::test]
async fn restrictive_clauses_are_caught_before_registration_and_returned() {
    let app = spawn_app().await;
    let deal = agreed_deal(&app).await;
    let drafted = app.post("/api/v1/contracts", Some(&app.seller), json!({"deal_id": deal})).await.expect(201);
    let id = drafted.id();
    let amended = app
        .patch(
            &format!("/api/v1/contracts/{id}"),
            &app.seller,
            None,
            json!({"seller_representative": "张成", "buyer_representative": "刘采",
                   "special_terms": "乙方不得改进该技术。", "penalty_bps": 5000}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(amended.error_fields(), ["penalty_bps"]);
    let amended = app
        .patch(&format!("/api/v1/contracts/{id}"), &app.seller, None,
            json!({"seller_representative": "张成", "buyer_representative": "刘采", "special_terms": "乙方不得改进该技术。"}))
        .await
        .expect(200);
    assert!(blockers(&amended.body).contains(&"restrictive_clause".to_string()), "{}", amended.body["precheck"]);
    let hash = amended.body["sha256"].as_str().unwrap_or_default().to_string();
    for who in [&app.seller, &app.buyer, &app.broker] {
        sign(&app, &id, who, &hash).await.expect(200);
    }
    let refused = app
        .post_empty(&format!("/api/v1/contracts/{id}/register"), Some(&app.registrar))
        .await
        .expect_problem(409, "conflict");
    let detail = refused.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("restrictive_clause (precheck-forbids-improving)"), "{detail}");
    let returned = app
        .post(
            &format!("/api/v1/contracts/{id}/return"),
            Some(&app.registrar),
            json!({"reason": "含限制技术进步的条款，请删除第九条"}),
        )
        .await
        .expect(200);
    assert_eq!(returned.body["status"], "draft");
    assert_eq!(returned.body["signatures"].as_array().map(Vec::len), Some(0));
    assert!(returned.body["return_reason"].as_str().is_some_and(|r| r.contains("第九条")));
    let fixed = app
        .patch(&format!("/api/v1/contracts/{id}"), &app.buyer, Some(returned.version()), json!({"special_terms": null}))
        .await
        .expect(200);
    assert_eq!(blockers(&fixed.body), ["signatures"]);
}
