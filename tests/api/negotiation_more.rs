//! The rest of the negotiation surface: answering demands, the broker proposing terms
//! for a side, attachments that stay in their channel, idle deals expiring, and lapsed
//! first-refusal windows.

use crate::helpers::{TestApp, spawn_app};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use techex_negotiation::entities::{deal, first_refusal};
use uuid::Uuid;

fn offer(lump_sum: i64, mode: &str) -> Value {
    json!({
        "terms": {"mode": mode, "lump_sum_minor": lump_sum, "territory": "山东省", "term_years": 3},
        "valid_until": (Utc::now() + Duration::days(5)).to_rfc3339()
    })
}

async fn published_demand(app: &TestApp) -> String {
    let id = app
        .post(
            "/api/v1/demands",
            Some(&app.buyer),
            json!({"title_zh": "寻求高通量反渗透膜技术", "description_zh": "用于海水淡化项目，日产水一万吨。", "field": "new_materials"}),
        )
        .await
        .expect(201)
        .id();
    app.post_empty(&format!("/api/v1/demands/{id}/submit"), Some(&app.buyer)).await.expect(200);
    app.post_empty(&format!("/api/v1/demands/{id}/approve"), Some(&app.reviewer)).await.expect(200);
    id
}

async fn wait_for(app: &TestApp, path: &str, who: &crate::helpers::Account, key: &str, wanted: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let body = app.get(path, Some(who)).await.expect(200).body;
        if body[key] == wanted {
            return body;
        }
        assert!(started.elapsed() < crate::helpers::BACKSTOP, "{path} never reached {key}={wanted}: {body}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn sellers_and_brokers_answer_demands_and_brokers_propose_terms_for_a_side() {
    let app = spawn_app().await;
    let demand = published_demand(&app).await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    // The seller answers with its achievement.
    let answered = app
        .post(
            "/api/v1/deals",
            Some(&app.seller),
            json!({"demand_id": demand, "achievement_id": achievement, "inquiry": "我校膜材料可满足需求。"}),
        )
        .await
        .expect(201);
    assert_eq!(answered.body["buyer"]["name"], "潍坊海科新材料有限公司");
    assert_eq!(answered.body["my_role"], "seller");
    app.post("/api/v1/deals", Some(&app.buyer), json!({"demand_id": demand, "inquiry": "x"}))
        .await
        .expect_problem(403, "forbidden");
    // A broker answers with someone else's achievement and mediates it from the start.
    let other = app.published_achievement(&app.other_seller, json!({"inventors": []})).await;
    app.post("/api/v1/deals", Some(&app.broker), json!({"demand_id": demand, "inquiry": "推荐中国海洋大学的成果。"}))
        .await
        .expect_problem(422, "validation_failed");
    let brokered = app
        .post(
            "/api/v1/deals",
            Some(&app.broker),
            json!({"demand_id": demand, "achievement_id": other, "inquiry": "推荐中国海洋大学的成果。"}),
        )
        .await
        .expect(201);
    let id = brokered.id();
    assert_eq!(brokered.body["status"], "brokered");
    assert_eq!(brokered.body["my_role"], "broker");
    assert_eq!(brokered.body["seller"]["name"], "中国海洋大学");

    // The broker proposes terms on the buyer's behalf: the seller does not see them until
    // the buyer confirms.
    app.post(&format!("/api/v1/deals/{id}/offers"), Some(&app.broker), offer(9_000_000, "ordinary_license"))
        .await
        .expect_problem(422, "validation_failed");
    let mut proposal = offer(9_000_000, "ordinary_license");
    proposal["on_behalf_of"] = json!("buyer");
    let proposed = app.post(&format!("/api/v1/deals/{id}/offers"), Some(&app.broker), proposal).await.expect(201);
    assert_eq!(proposed.body["status"], "proposed");
    assert_eq!(proposed.body["by_broker"], true);
    let seller_sees = app.get(&format!("/api/v1/deals/{id}/offers"), Some(&app.other_seller)).await.expect(200);
    assert_eq!(seller_sees.body.as_array().map(Vec::len), Some(0));
    app.get(&format!("/api/v1/offers/{}", proposed.id()), Some(&app.other_seller))
        .await
        .expect_problem(404, "not_found");
    // Nor in the deal's timeline (the same rule); the buyer and the broker see it there.
    let proposal_steps = |timeline: &Value| {
        timeline.as_array().map(|t| t.iter().filter(|e| e["entity_id"] == proposed.id().as_str()).count()).unwrap_or(0)
    };
    let timeline = app.get(&format!("/api/v1/deals/{id}/timeline"), Some(&app.other_seller)).await.expect(200);
    assert_eq!(proposal_steps(&timeline.body), 0, "hidden from the other side: {}", timeline.body);
    for who in [&app.buyer, &app.broker] {
        let timeline = app.get(&format!("/api/v1/deals/{id}/timeline"), Some(who)).await.expect(200);
        assert_eq!(proposal_steps(&timeline.body), 1, "{}", timeline.body);
    }
    app.post_empty(&format!("/api/v1/offers/{}/accept", proposed.id()), Some(&app.other_seller))
        .await
        .expect_problem(404, "not_found");
    app.post_empty(&format!("/api/v1/offers/{}/confirm", proposed.id()), Some(&app.broker))
        .await
        .expect_problem(403, "forbidden");
    let confirmed =
        app.post_empty(&format!("/api/v1/offers/{}/confirm", proposed.id()), Some(&app.buyer)).await.expect(200);
    assert_eq!(confirmed.body["status"], "pending");
    // The broker proposes a counter for the seller; the seller confirms it, which counters.
    let mut counter = offer(11_000_000, "ordinary_license");
    counter["on_behalf_of"] = json!("seller");
    let proposed_counter =
        app.post(&format!("/api/v1/offers/{}/counter", proposed.id()), Some(&app.broker), counter).await.expect(201);
    assert_eq!(proposed_counter.body["status"], "proposed");
    let still = app.get(&format!("/api/v1/offers/{}", proposed.id()), Some(&app.buyer)).await.expect(200);
    assert_eq!(still.body["status"], "pending", "a proposal does not counter until its side confirms");
    app.post_empty(&format!("/api/v1/offers/{}/confirm", proposed_counter.id()), Some(&app.other_seller))
        .await
        .expect(200);
    let countered = app.get(&format!("/api/v1/offers/{}", proposed.id()), Some(&app.buyer)).await.expect(200);
    assert_eq!(countered.body["status"], "countered");
    let agreed =
        app.post_empty(&format!("/api/v1/offers/{}/accept", proposed_counter.id()), Some(&app.buyer)).await.expect(200);
    assert_eq!(agreed.body["agreement"]["terms"]["lump_sum_minor"], 11_000_000);
    assert_eq!(agreed.body["agreement"]["broker_id"], app.broker.user_id.to_string());
    assert_eq!(agreed.body["agreement"]["commission_bps"], 300, "the broker's default rate");
}

#[tokio::test]
async fn attachments_stay_in_their_channel() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let id = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "?"}))
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/deals/{id}/broker"), Some(&app.seller), json!({"broker_id": app.broker.user_id}))
        .await
        .expect(200);
    app.post_empty(&format!("/api/v1/deals/{id}/broker/accept"), Some(&app.broker)).await.expect(200);
    let upload = |channel: &'static str, who: &crate::helpers::Account| {
        let form = reqwest::multipart::Form::new().text("channel", channel).part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n% price analysis\n".to_vec()).file_name("报价分析.pdf"),
        );
        app.request(reqwest::Method::POST, &format!("/api/v1/deals/{id}/attachments"), Some(who)).multipart(form).send()
    };
    let response = upload("caucus_seller", &app.seller).await.expect("upload");
    assert_eq!(response.status(), 201);
    let attachment: Value = response.json().await.expect("json");
    let attachment_id = attachment["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(attachment["content_type"], "application/pdf");
    assert_eq!(
        upload("caucus_seller", &app.buyer).await.expect("upload").status(),
        404,
        "the buyer has no such channel"
    );
    // Shared in the seller's caucus, it is the seller's and the broker's only.
    app.post(
        &format!("/api/v1/deals/{id}/messages"),
        Some(&app.seller),
        json!({"channel": "joint", "body": "见附件", "attachment_id": attachment_id}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let posted = app
        .post(
            &format!("/api/v1/deals/{id}/messages"),
            Some(&app.seller),
            json!({"channel": "caucus_seller", "body": "见附件", "attachment_id": attachment_id}),
        )
        .await
        .expect(201);
    assert_eq!(posted.body["attachment"]["filename"], "报价分析.pdf");
    let path = format!("/api/v1/deals/{id}/attachments/{attachment_id}");
    let download = app.request(reqwest::Method::GET, &path, Some(&app.broker)).send().await.expect("download");
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), b"%PDF-1.4\n% price analysis\n");
    app.get(&path, Some(&app.buyer)).await.expect_problem(404, "not_found");
    app.get(&path, Some(&app.other_seller)).await.expect_problem(404, "not_found");
}

#[tokio::test]
async fn idle_deals_expire_and_lapsed_windows_clear_the_way() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": ["钱七"]})).await;
    let idle = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "?"}))
        .await
        .expect(201)
        .id();
    let idle_id = Uuid::parse_str(&idle).expect("uuid");
    deal::Entity::update_many()
        .col_expr(deal::Column::LastActivityAt, Expr::value(Utc::now() - Duration::days(91)))
        .filter(deal::Column::Id.eq(idle_id))
        .exec(&app.db)
        .await
        .expect("age the deal");
    let expired = wait_for(&app, &format!("/api/v1/deals/{idle}"), &app.buyer, "status", "expired").await;
    assert!(expired["closed_reason"].as_str().is_some_and(|r| r.contains("activity")));
    // Its live key is free again: the buyer may ask anew.
    let id = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "重新咨询"}))
        .await
        .expect(201)
        .id();

    // A first-refusal window that closes without a claim lets the assignment go ahead.
    let offer_id = app
        .post(&format!("/api/v1/deals/{id}/offers"), Some(&app.buyer), offer(8_000_000, "assignment"))
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/deals/{id}/first-refusal"),
        Some(&app.seller),
        json!({"offer_id": offer_id, "window_days": 1}),
    )
    .await
    .expect(201);
    app.post_empty(&format!("/api/v1/offers/{offer_id}/accept"), Some(&app.seller))
        .await
        .expect_problem(409, "conflict");
    first_refusal::Entity::update_many()
        .col_expr(first_refusal::Column::ClosesAt, Expr::value(Utc::now() - Duration::seconds(1)))
        .filter(first_refusal::Column::DealId.eq(Uuid::parse_str(&id).expect("uuid")))
        .exec(&app.db)
        .await
        .expect("close the window");
    let started = std::time::Instant::now();
    loop {
        let notices = app.get(&format!("/api/v1/deals/{id}/first-refusal"), Some(&app.seller)).await.expect(200);
        let timeline = app.get(&format!("/api/v1/deals/{id}/timeline"), Some(&app.seller)).await.expect(200);
        let lapsed_once =
            timeline.body.as_array().map(|t| t.iter().filter(|e| e["action"] == "first_refusal.lapse").count());
        if notices.body[0]["status"] == "lapsed" && lapsed_once == Some(1) {
            break;
        }
        assert!(started.elapsed() < crate::helpers::BACKSTOP, "the window did not lapse: {}", notices.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let agreed = app.post_empty(&format!("/api/v1/offers/{offer_id}/accept"), Some(&app.seller)).await.expect(200);
    assert_eq!(agreed.body["status"], "agreed");
}

#[tokio::test]
async fn scheduled_auctions_refuse_early_bids_and_cancel_only_before_any_bid() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let opens = Utc::now() + Duration::hours(1);
    let created = app
        .post(
            "/api/v1/auctions",
            Some(&app.seller),
            json!({"achievement_id": achievement, "starting_price_minor": 1_000_000, "increment_minor": 100_000,
                   "opens_at": opens.to_rfc3339(), "closes_at": (opens + Duration::days(2)).to_rfc3339(),
                   "terms": {"mode": "ordinary_license", "territory": "中国", "term_years": 2}}),
        )
        .await
        .expect(201);
    assert_eq!(created.body["status"], "scheduled");
    let id = created.id();
    app.post(&format!("/api/v1/auctions/{id}/bids"), Some(&app.buyer), json!({"amount_minor": 1_000_000}))
        .await
        .expect_problem(409, "invalid_transition");
    app.post(&format!("/api/v1/auctions/{id}/cancel"), Some(&app.buyer), json!({"reason": "x"}))
        .await
        .expect_problem(403, "forbidden");
    let cancelled = app
        .post(&format!("/api/v1/auctions/{id}/cancel"), Some(&app.seller), json!({"reason": "改为协议转让"}))
        .await
        .expect(200);
    assert_eq!(cancelled.body["status"], "cancelled");
    // The achievement may be put up again.
    let again = app
        .post(
            "/api/v1/auctions",
            Some(&app.seller),
            json!({"achievement_id": achievement, "starting_price_minor": 1_000_000, "increment_minor": 100_000,
                   "opens_at": Utc::now().to_rfc3339(), "closes_at": (Utc::now() + Duration::days(1)).to_rfc3339(),
                   "terms": {"mode": "ordinary_license", "territory": "中国", "term_years": 2}}),
        )
        .await
        .expect(201);
    let again_id = again.id();
    app.post(&format!("/api/v1/auctions/{again_id}/bids"), Some(&app.buyer), json!({"amount_minor": 1_000_000}))
        .await
        .expect(201);
    app.post(&format!("/api/v1/auctions/{again_id}/cancel"), Some(&app.seller), json!({"reason": "x"}))
        .await
        .expect_problem(409, "invalid_transition");
}

#[tokio::test]
async fn the_broker_directory_and_profiles_are_pages_in_both_languages() {
    let app = spawn_app().await;
    let page = |path: String| {
        let app = &app;
        async move {
            let response = app.client.get(app.url(&path)).send().await.expect("page");
            (response.status().as_u16(), response.text().await.unwrap_or_default())
        }
    };
    let (status, zh) = page("/brokers?lang=zh".into()).await;
    assert_eq!(status, 200);
    assert!(zh.contains("技术经纪人") && zh.contains(&format!("/brokers/{}", app.broker.user_id)), "{zh}");
    assert!(zh.contains("高级技术经纪人"));
    let (_, en) = page(format!("/brokers/{}?lang=en", app.broker.user_id)).await;
    assert!(en.contains("SD-JJR-2026-0001") && en.contains("Certificate No.") && en.contains("Senior"), "{en}");
    let (_, filtered) = page("/brokers?field=hydrogen_energy".into()).await;
    assert!(!filtered.contains(&format!("/brokers/{}", app.broker.user_id)), "filtered by field");
    let profile = app.get(&format!("/api/v1/brokers/{}", app.broker2.user_id), None).await.expect(200);
    app.post_if_match(
        &format!("/api/v1/brokers/{}/suspend", app.broker2.user_id),
        &app.admin,
        profile.version(),
        Some(json!({"reason": "年检"})),
    )
    .await
    .expect(200);
    let (status, _) = page(format!("/brokers/{}", app.broker2.user_id)).await;
    assert_eq!(status, 404, "a suspended broker has no public page");
}

#[tokio::test]
async fn hostile_input_gets_problems_never_a_500() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "?"}))
        .await
        .expect(201)
        .id();
    let offer = app
        .post(&format!("/api/v1/deals/{deal}/offers"), Some(&app.buyer), offer(1_000_000, "ordinary_license"))
        .await
        .expect(201)
        .id();
    let paths = [
        "/api/v1/deals".to_string(),
        format!("/api/v1/deals/{deal}/broker"),
        format!("/api/v1/deals/{deal}/messages"),
        format!("/api/v1/deals/{deal}/messages/read"),
        format!("/api/v1/deals/{deal}/offers"),
        format!("/api/v1/deals/{deal}/cancel"),
        format!("/api/v1/deals/{deal}/first-refusal"),
        format!("/api/v1/offers/{offer}/counter"),
        format!("/api/v1/offers/{offer}/reject"),
        "/api/v1/auctions".to_string(),
        "/api/v1/brokers".to_string(),
        "/api/v1/contracts".to_string(),
        format!("/api/v1/achievements/{achievement}/feedback"),
    ];
    let bodies = ["", "{}", "[]", "\"x\"", "{not json", "{\"inquiry\": 5}", "{\"terms\": {\"mode\": null}}"];
    for path in &paths {
        for body in bodies {
            if path.ends_with("/messages/read") && body == "{}" {
                continue; // every field has a default: marks the joint channel read
            }
            let response = app
                .request(reqwest::Method::POST, path, Some(&app.buyer))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            let content_type =
                response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            assert!((400..500).contains(&status), "POST {path} with {body:?} gave {status}");
            assert_eq!(content_type, "application/problem+json", "POST {path} with {body:?}");
        }
    }
    for path in
        ["/api/v1/deals/not-a-uuid", "/api/v1/offers/123/accept", "/api/v1/auctions/%00", "/api/v1/contracts/zz/sign"]
    {
        let response = app.request(reqwest::Method::POST, path, Some(&app.buyer)).send().await.expect("request");
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{path} gave {status}");
    }
    let deep = format!("/api/v1/deals/{deal}/messages?channel={}&limit=100000", "x".repeat(5000));
    let status = app.get(&deep, Some(&app.buyer)).await.status.as_u16();
    assert!((400..500).contains(&status), "{status}");
    // Nothing moved.
    let now = app.get(&format!("/api/v1/deals/{deal}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(now.body["status"], "negotiating");
    let offers = app.get(&format!("/api/v1/deals/{deal}/offers"), Some(&app.buyer)).await.expect(200);
    assert_eq!(offers.body.as_array().map(Vec::len), Some(1));
}
