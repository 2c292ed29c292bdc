//! What the pages need to show: an achievement waiting for review and signed contracts,
//! made through the API as the parties would.

use crate::helpers::{Account, TestApp};
use chrono::{Duration, Utc};
use serde_json::json;

/// The Chinese and English words of the achievement the tests review and search for.
pub const TITLE_ZH: &str = "耐盐碱小麦新品种选育方法";
pub const TITLE_EN: &str = "Breeding salt-tolerant wheat varieties";

/// A complete achievement of the seller, submitted for review; returns its id.
pub async fn pending_achievement(app: &TestApp) -> String {
    let id = app
        .draft_achievement(
            &app.seller,
            json!({
                "title_zh": TITLE_ZH,
                "title_en": TITLE_EN,
                "summary_zh": "盐碱地亩产提高两成的小麦育种技术",
                "abstract_zh": "本成果提供一种耐盐碱小麦新品种的分子标记辅助选育方法。",
                "abstract_en": "A marker-assisted method for breeding salt-tolerant wheat for saline-alkali land.",
                "keywords": ["耐盐碱", "小麦", "wheat"],
                "field": "smart_agriculture",
            }),
        )
        .await;
    app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller)).await.expect(200);
    id
}

/// An agreed exclusive licence of a granted patent, mediated by the broker; returns the
/// deal id (as in the API suite's contract tests).
async fn agreed_deal(app: &TestApp, lump_sum_minor: i64) -> String {
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
                "terms": {"mode": "exclusive_license", "lump_sum_minor": lump_sum_minor,
                          "milestones": [{"title": "签约付款", "amount_minor": lump_sum_minor, "due_days_after_signing": 0}],
                          "territory": "中国大陆", "term_years": 5},
                "valid_until": (Utc::now() + Duration::days(3)).to_rfc3339()
            }),
        )
        .await
        .expect(201)
        .id();
    app.post_empty(&format!("/api/v1/offers/{offer}/accept"), Some(&app.buyer)).await.expect(200);
    deal
}

/// A contract drafted, completed and signed by the three parties; returns its id.
pub async fn signed_contract(app: &TestApp, lump_sum_minor: i64) -> String {
    let deal = agreed_deal(app, lump_sum_minor).await;
    let drafted = app.post("/api/v1/contracts", Some(&app.broker), json!({"deal_id": deal})).await.expect(201);
    let id = drafted.id();
    let amended = app
        .patch(
            &format!("/api/v1/contracts/{id}"),
            &app.seller,
            Some(drafted.version()),
            json!({"seller_representative": "张成", "buyer_representative": "刘采"}),
        )
        .await
        .expect(200);
    let hash = amended.body["sha256"].as_str().unwrap_or_default().to_string();
    let parties: [&Account; 3] = [&app.seller, &app.buyer, &app.broker];
    for who in parties {
        app.post(&format!("/api/v1/contracts/{id}/sign"), Some(who), json!({"sha256": hash})).await.expect(200);
    }
    id
}

/// A contract signed and registered through the API, so the dashboard has figures.
pub async fn registered_contract(app: &TestApp, lump_sum_minor: i64) -> String {
    let id = signed_contract(app, lump_sum_minor).await;
    app.post_empty(&format!("/api/v1/contracts/{id}/register"), Some(&app.registrar)).await.expect(200);
    id
}
