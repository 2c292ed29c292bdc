//! Public bidding: concurrent bidders, the minimum bid, extensions in the last seconds,
//! late bids refused, and the winner's deal agreed at the close.

use crate::helpers::spawn_app;
use chrono::{Duration, Utc};
use serde_json::json;

#[tokio::test]
async fn an_auction_runs_to_close_with_concurrent_bidders() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let opens = Utc::now();
    let closes = opens + Duration::seconds(4);
    let body = json!({
        "achievement_id": achievement,
        "starting_price_minor": 10_000_000,
        "reserve_minor": 12_000_000,
        "increment_minor": 500_000,
        "opens_at": opens.to_rfc3339(),
        "closes_at": closes.to_rfc3339(),
        "extension_window_secs": 2,
        "extension_secs": 3,
        "terms": {"mode": "ordinary_license", "territory": "山东省", "term_years": 3}
    });
    app.post("/api/v1/auctions", Some(&app.buyer), body.clone()).await.expect_problem(403, "forbidden");
    let mut bad = body.clone();
    bad["closes_at"] = json!((opens - Duration::seconds(1)).to_rfc3339());
    let reply = app.post("/api/v1/auctions", Some(&app.seller), bad).await.expect_problem(422, "validation_failed");
    assert_eq!(reply.error_fields(), ["closes_at"]);
    let created = app.post("/api/v1/auctions", Some(&app.seller), body.clone()).await.expect(201);
    let id = created.id();
    assert_eq!(created.body["status"], "open");
    assert_eq!(created.body["reserve_minor"], 12_000_000, "the seller sees its reserve");
    app.post("/api/v1/auctions", Some(&app.seller), body).await.expect_problem(409, "conflict");
    let public = app.get(&format!("/api/v1/auctions/{id}"), None).await.expect(200);
    assert!(public.body["reserve_minor"].is_null(), "the reserve is hidden from bidders");

    let bids = format!("/api/v1/auctions/{id}/bids");
    app.post(&bids, Some(&app.seller), json!({"amount_minor": 20_000_000})).await.expect_problem(403, "forbidden");
    let low = app
        .post(&bids, Some(&app.buyer), json!({"amount_minor": 9_000_000}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(low.error_fields(), ["amount_minor"]);

    // Three bidders at once, several rounds: every accepted bid is kept, numbered in order,
    // each at least the increment above the one before.
    let bidders = [app.buyer.clone(), app.buyer2.clone(), app.other_seller.clone()];
    let mut accepted = 0;
    for round in 0..4_i64 {
        let mut tasks = Vec::new();
        for (n, who) in bidders.iter().enumerate() {
            let amount = 10_000_000 + round * 1_600_000 + n as i64 * 500_000;
            let request = app.request(reqwest::Method::POST, &bids, Some(who)).json(&json!({"amount_minor": amount}));
            tasks.push(tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()).unwrap_or(0) }));
        }
        for task in tasks {
            match task.await.unwrap_or(0) {
                201 => accepted += 1,
                422 => {}
                other => panic!("unexpected bid status {other}"),
            }
        }
    }
    let listed = app.get(&bids, Some(&app.seller)).await.expect(200);
    let rows = listed.body.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), accepted, "no accepted bid is lost");
    let mut by_sequence: Vec<(i64, i64)> =
        rows.iter().map(|b| (b["sequence"].as_i64().unwrap_or(0), b["amount_minor"].as_i64().unwrap_or(0))).collect();
    by_sequence.sort();
    for (index, pair) in by_sequence.windows(2).enumerate() {
        assert_eq!(pair[1].0, pair[0].0 + 1, "sequences are contiguous at {index}");
        assert!(pair[1].1 >= pair[0].1 + 500_000, "each bid beats the last by the increment: {by_sequence:?}");
    }
    assert!(rows[0]["bidder"]["name"].is_string(), "the seller sees who bid");
    let for_bidder = app.get(&bids, Some(&app.buyer)).await.expect(200);
    assert!(for_bidder.body[0]["bidder"].is_null(), "bidders do not see each other");

    // A bid in the last seconds extends the close.
    let state = app.get(&format!("/api/v1/auctions/{id}"), Some(&app.buyer)).await.expect(200);
    let closes_at = chrono::DateTime::parse_from_rfc3339(state.body["closes_at"].as_str().unwrap_or_default())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(closes);
    let wait = (closes_at - Utc::now() - Duration::milliseconds(1200)).to_std().unwrap_or_default();
    tokio::time::sleep(wait).await;
    let minimum = state.body["minimum_bid_minor"].as_i64().unwrap_or(0);
    let last = app.post(&bids, Some(&app.buyer2), json!({"amount_minor": minimum + 1_000_000})).await.expect(201);
    assert!(last.body["extensions"].as_i64().unwrap_or(0) >= 1, "extended: {}", last.body);
    assert!(last.body["closes_at"].as_str() > state.body["closes_at"].as_str());
    assert_eq!(last.body["leading"], true);
    let winning_amount = minimum + 1_000_000;

    // After the close: late bids are refused; the winner's deal is agreed at the price.
    let started = std::time::Instant::now();
    let closed = loop {
        let now = app.get(&format!("/api/v1/auctions/{id}"), Some(&app.buyer2)).await.expect(200);
        if now.body["status"] == "closed" {
            break now;
        }
        assert!(started.elapsed() < crate::helpers::BACKSTOP, "the auction did not close: {}", now.body);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    app.post(&bids, Some(&app.buyer), json!({"amount_minor": winning_amount * 2}))
        .await
        .expect_problem(409, "invalid_transition");
    assert_eq!(closed.body["high_amount_minor"], winning_amount);
    let deal_id = closed.body["deal_id"].as_str().unwrap_or_default().to_string();
    let deal = app.get(&format!("/api/v1/deals/{deal_id}"), Some(&app.buyer2)).await.expect(200);
    assert_eq!(deal.body["status"], "agreed");
    assert_eq!(deal.body["agreement"]["source"], "auction");
    assert_eq!(deal.body["agreement"]["terms"]["lump_sum_minor"], winning_amount);
    assert_eq!(deal.body["agreement"]["terms"]["mode"], "ordinary_license");
    app.get(&format!("/api/v1/deals/{deal_id}"), Some(&app.buyer)).await.expect_problem(404, "not_found");
    let loser = app.get(&format!("/api/v1/auctions/{id}"), Some(&app.buyer)).await.expect(200);
    assert!(loser.body["deal_id"].is_null());
    // The result notice (成交公示) is public: the winner, the price, five working days.
    let public = app.get(&format!("/api/v1/auctions/{id}"), None).await.expect(200);
    let notice = &public.body["result"];
    assert_eq!(notice["buyer"]["id"], app.buyer2.organization_id.to_string(), "{notice}");
    assert_eq!(notice["final_price_minor"], winning_amount);
    assert_eq!(notice["in_publicity"], true);
    let closed_on = chrono::DateTime::parse_from_rfc3339(notice["closed_at"].as_str().unwrap_or_default())
        .map(|t| t.date_naive())
        .expect("closed_at");
    assert_eq!(notice["publicity_ends_on"], techex_negotiation::auctions::working_days_after(closed_on, 5).to_string());
    let page = app
        .request(reqwest::Method::GET, &format!("/auctions/{id}?lang=zh"), None)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    assert!(page.contains("成交公示") && page.contains("公示期至"), "the page shows the notice");
    let open_one = app.get("/api/v1/auctions?status=open", None).await.expect(200);
    assert!(
        open_one.body["items"].as_array().is_some_and(|items| items.iter().all(|a| a["result"].is_null())),
        "no notice before a close"
    );
    // A licence leaves the achievement on the market.
    let listed = app.get(&format!("/api/v1/achievements/{achievement}"), None).await.expect(200);
    assert_eq!(listed.body["status"], "published");
}

#[tokio::test]
async fn an_auction_without_a_bid_at_the_reserve_is_unsold() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let opens = Utc::now();
    let created = app
        .post(
            "/api/v1/auctions",
            Some(&app.seller),
            json!({
                "achievement_id": achievement, "starting_price_minor": 1_000_000, "reserve_minor": 5_000_000,
                "increment_minor": 100_000, "opens_at": opens.to_rfc3339(),
                "closes_at": (opens + Duration::seconds(2)).to_rfc3339(), "extension_window_secs": 0,
                "terms": {"mode": "sole_license", "territory": "中国", "term_years": 2}
            }),
        )
        .await
        .expect(201);
    let id = created.id();
    app.post(&format!("/api/v1/auctions/{id}/bids"), Some(&app.buyer), json!({"amount_minor": 1_000_000}))
        .await
        .expect(201);
    let reply = app.get(&format!("/api/v1/auctions/{id}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(reply.body["reserve_met"], false);
    // Wait for the close itself (the sweeper, or a read past the closing time).
    let started = std::time::Instant::now();
    let closed = loop {
        let now = app.get(&format!("/api/v1/auctions/{id}"), None).await.expect(200);
        if now.body["status"] != "open" {
            break now;
        }
        assert!(started.elapsed() < crate::helpers::BACKSTOP, "the auction did not close: {}", now.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(closed.body["status"], "unsold");
    assert!(closed.body["deal_id"].is_null());
    let deals = app.get("/api/v1/deals", Some(&app.buyer)).await.expect(200);
    assert_eq!(deals.body["items"].as_array().map(Vec::len), Some(0));
}
