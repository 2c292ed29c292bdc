//! Brokered negotiation over HTTP: inquiry → broker → room → offers → agreement, every
//! wrong actor refused with nothing changed, deadlines, and exactly one agreement under
//! concurrent accepts.

use crate::helpers::{Account, Reply, TestApp, spawn_app};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

fn terms(lump_sum: i64) -> Value {
    json!({
        "mode": "exclusive_license",
        "currency": "CNY",
        "lump_sum_minor": lump_sum,
        "royalty_bps": 300,
        "royalty_minimum_minor": 1_000_000,
        "milestones": [
            {"title": "签约首付 / On signing", "amount_minor": lump_sum / 2, "due_days_after_signing": 0},
            {"title": "中试验收 / Pilot acceptance", "amount_minor": lump_sum - lump_sum / 2, "due_days_after_signing": 180,
             "acceptance_criteria": "中试线连续运行30天"}
        ],
        "territory": "中国大陆 / Mainland China",
        "term_years": 5,
        "improvements": "each_own"
    })
}

fn offer(lump_sum: i64) -> Value {
    json!({"terms": terms(lump_sum), "valid_until": (Utc::now() + Duration::days(7)).to_rfc3339()})
}

/// A published achievement of the seller with no inventors (no first refusal needed).
async fn listing(app: &TestApp) -> String {
    app.published_achievement(&app.seller, json!({"inventors": []})).await
}

async fn open_deal(app: &TestApp, achievement: &str, buyer: &Account) -> Reply {
    app.post(
        "/api/v1/deals",
        Some(buyer),
        json!({"achievement_id": achievement, "inquiry": "我们想了解中试数据和许可条件。"}),
    )
    .await
}

/// A deal with the broker invited by the buyer and accepted; returns its id.
async fn brokered_deal(app: &TestApp) -> String {
    let achievement = listing(app).await;
    let deal = open_deal(app, &achievement, &app.buyer).await.expect(201).id();
    app.post(
        &format!("/api/v1/deals/{deal}/broker"),
        Some(&app.buyer),
        json!({"broker_id": app.broker.user_id, "commission_bps": 500}),
    )
    .await
    .expect(200);
    app.post_empty(&format!("/api/v1/deals/{deal}/broker/accept"), Some(&app.broker)).await.expect(200);
    deal
}

async fn deal(app: &TestApp, id: &str, who: &Account) -> Value {
    app.get(&format!("/api/v1/deals/{id}"), Some(who)).await.expect(200).body
}

#[tokio::test]
async fn a_broker_mediates_from_inquiry_to_agreed_terms() {
    let app = spawn_app().await;
    let achievement = listing(&app).await;
    let opened = open_deal(&app, &achievement, &app.buyer).await.expect(201);
    let id = opened.id();
    assert_eq!(opened.body["status"], "inquiry");
    assert_eq!(opened.body["my_role"], "buyer");
    assert_eq!(opened.body["seller"]["name"], "山东大学");

    app.post(
        &format!("/api/v1/deals/{id}/broker"),
        Some(&app.buyer),
        json!({"broker_id": app.broker.user_id, "commission_bps": 500}),
    )
    .await
    .expect(200);
    let invited = deal(&app, &id, &app.broker).await;
    assert_eq!(invited["my_role"], "invited_broker");
    // An invited broker sees the brief, not the room.
    app.get(&format!("/api/v1/deals/{id}/messages"), Some(&app.broker)).await.expect_problem(403, "forbidden");
    let accepted = app.post_empty(&format!("/api/v1/deals/{id}/broker/accept"), Some(&app.broker)).await.expect(200);
    assert_eq!(accepted.body["status"], "brokered");
    assert_eq!(accepted.body["broker"]["commission_bps"], 500);

    // The room: joint for all, a caucus per side with the broker.
    let post = |who: &Account, channel: &str, body: &str| {
        let path = format!("/api/v1/deals/{id}/messages");
        let message = json!({"channel": channel, "body": body});
        let who = who.clone();
        let app = &app;
        async move { app.post(&path, Some(&who), message).await }
    };
    post(&app.buyer, "joint", "请提供中试报告。").await.expect(201);
    post(&app.seller, "joint", "报告已在保密资料中。").await.expect(201);
    post(&app.broker, "caucus_buyer", "卖方底价可能在四十万左右。").await.expect(201);
    post(&app.seller, "caucus_seller", "我们可以接受分期。").await.expect(201);
    let joint = app.get(&format!("/api/v1/deals/{id}/messages"), Some(&app.broker)).await.expect(200);
    assert_eq!(joint.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(joint.body["items"][1]["author_side"], "seller");
    assert_eq!(joint.body["items"][0]["author_side"], "buyer");
    let broker_view = deal(&app, &id, &app.broker).await;
    assert_eq!(broker_view["unread"]["joint"], 2, "the parties' messages are unread for the broker: {broker_view}");
    assert_eq!(broker_view["unread"]["caucus_seller"], 1);
    assert_eq!(broker_view["unread"]["caucus_buyer"], 0, "its own message is not unread");
    let seller_view = deal(&app, &id, &app.seller).await;
    assert_eq!(seller_view["unread"]["joint"], 0, "posting reads what came before");
    assert!(seller_view["unread"].get("caucus_buyer").is_none(), "the other side's caucus is not even counted");
    post(&app.buyer, "joint", "另外请报价。").await.expect(201);
    assert_eq!(deal(&app, &id, &app.seller).await["unread"]["joint"], 1);
    app.post(&format!("/api/v1/deals/{id}/messages/read"), Some(&app.seller), json!({"channel": "joint"}))
        .await
        .expect(204);
    assert_eq!(deal(&app, &id, &app.seller).await["unread"]["joint"], 0);
    let buyer_caucus =
        app.get(&format!("/api/v1/deals/{id}/messages?channel=caucus_buyer"), Some(&app.buyer)).await.expect(200);
    assert_eq!(buyer_caucus.body["items"][0]["body"], "卖方底价可能在四十万左右。");
    let notes = app.get("/api/v1/notifications", Some(&app.buyer)).await.expect(200);
    let told: Vec<Value> = notes.body["items"]
        .as_array()
        .map(|n| n.iter().filter(|x| x["kind"] == "deal_message").cloned().collect())
        .unwrap_or_default();
    assert!(!told.is_empty(), "the buyer is told of the messages: {}", notes.body);
    for note in &told {
        let title = note["title"].as_str().unwrap_or_default();
        assert!(
            ["New message in the deal room", "New private message with the broker"].contains(&title),
            "in the reader's language only: {note}"
        );
        assert_eq!(note["link"], format!("/deals/{id}"));
    }
    // The notifications page words them in the page's language.
    let page = app.request(reqwest::Method::GET, "/my/alerts?lang=zh", Some(&app.buyer)).send().await.expect("page");
    let page = page.text().await.unwrap_or_default();
    assert!(page.contains("洽谈室有新消息") || page.contains("经纪人私聊有新消息"), "{page}");
    assert!(!page.contains("New message in the deal room") && !page.contains("New private message"), "{page}");

    // Offer, counter, accept.
    let first = app.post(&format!("/api/v1/deals/{id}/offers"), Some(&app.buyer), offer(40_000_000)).await.expect(201);
    assert_eq!(first.body["status"], "pending");
    assert_eq!(first.body["side"], "buyer");
    assert_eq!(deal(&app, &id, &app.buyer).await["status"], "negotiating");
    let mut counter_terms = offer(45_000_000);
    counter_terms["terms"]["term_years"] = json!(8);
    let counter =
        app.post(&format!("/api/v1/offers/{}/counter", first.id()), Some(&app.seller), counter_terms).await.expect(201);
    assert_eq!(counter.body["counters_id"], first.id().as_str());
    assert_eq!(counter.body["side"], "seller");
    let earlier = app.get(&format!("/api/v1/offers/{}", first.id()), Some(&app.buyer)).await.expect(200);
    assert_eq!(earlier.body["status"], "countered");
    let diff = app.get(&format!("/api/v1/offers/{}/diff", counter.id()), Some(&app.buyer)).await.expect(200);
    let changed: Vec<&str> = diff.body["changes"]
        .as_array()
        .map(|c| c.iter().filter_map(|x| x["field"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        changed.contains(&"lump_sum_minor") && changed.contains(&"milestones") && changed.contains(&"term_years"),
        "{changed:?}"
    );
    assert!(!changed.contains(&"territory"));
    assert_eq!(diff.body["changes"][0]["before"], 40_000_000);

    // The countered offer cannot be accepted any more.
    app.post_empty(&format!("/api/v1/offers/{}/accept", first.id()), Some(&app.seller))
        .await
        .expect_problem(409, "invalid_transition");
    let agreed = app.post_empty(&format!("/api/v1/offers/{}/accept", counter.id()), Some(&app.buyer)).await.expect(200);
    assert_eq!(agreed.body["status"], "agreed");
    assert_eq!(agreed.body["agreement"]["terms"]["lump_sum_minor"], 45_000_000);
    assert_eq!(agreed.body["agreement"]["terms"]["term_years"], 8);
    assert_eq!(agreed.body["agreement"]["terms"]["exclusive"], true, "an exclusive licence is exclusive");
    assert_eq!(agreed.body["agreement"]["commission_bps"], 500);
    assert_eq!(agreed.body["agreement"]["offer_id"], counter.id().as_str());

    let timeline = app.get(&format!("/api/v1/deals/{id}/timeline"), Some(&app.seller)).await.expect(200);
    let actions: Vec<&str> =
        timeline.body.as_array().map(|t| t.iter().filter_map(|e| e["action"].as_str()).collect()).unwrap_or_default();
    for expected in [
        "deal.open",
        "deal.invite_broker",
        "deal.broker_accept",
        "offer.make",
        "offer.counter",
        "offer.accept",
        "deal.agree",
    ] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    let seller_caucus_steps =
        timeline.body.as_array().map(|t| t.iter().filter(|e| e["channel"] == "caucus_buyer").count());
    assert_eq!(seller_caucus_steps, Some(0), "the seller's timeline leaves out the buyer's caucus");

    let profile = app.get(&format!("/api/v1/brokers/{}", app.broker.user_id), None).await.expect(200);
    assert_eq!(profile.body["track_record"]["deals_mediated"], 1);
    assert_eq!(profile.body["track_record"]["deals_closed"], 1);
    assert_eq!(profile.body["track_record"]["value_minor"]["CNY"], 45_000_000);
}

#[tokio::test]
async fn wrong_actors_are_refused_and_nothing_changes() {
    let app = spawn_app().await;
    let id = brokered_deal(&app).await;
    app.post(
        &format!("/api/v1/deals/{id}/messages"),
        Some(&app.broker),
        json!({"channel": "caucus_buyer", "body": "私下建议"}),
    )
    .await
    .expect(201);
    let made = app.post(&format!("/api/v1/deals/{id}/offers"), Some(&app.buyer), offer(30_000_000)).await.expect(201);
    let offer_id = made.id();
    let before = deal(&app, &id, &app.buyer).await;

    // The buyer cannot accept its own offer; the broker cannot bind a party.
    app.post_empty(&format!("/api/v1/offers/{offer_id}/accept"), Some(&app.buyer))
        .await
        .expect_problem(403, "forbidden");
    app.post_empty(&format!("/api/v1/offers/{offer_id}/accept"), Some(&app.broker))
        .await
        .expect_problem(403, "forbidden");
    // A third organization sees nothing of the deal.
    app.get(&format!("/api/v1/deals/{id}"), Some(&app.other_seller)).await.expect_problem(404, "not_found");
    app.get(&format!("/api/v1/deals/{id}/messages"), Some(&app.other_seller)).await.expect_problem(404, "not_found");
    app.get(&format!("/api/v1/offers/{offer_id}"), Some(&app.other_seller)).await.expect_problem(404, "not_found");
    app.post_empty(&format!("/api/v1/offers/{offer_id}/accept"), Some(&app.other_seller))
        .await
        .expect_problem(404, "not_found");
    app.post(&format!("/api/v1/deals/{id}/messages"), Some(&app.other_seller), json!({"body": "hello"}))
        .await
        .expect_problem(404, "not_found");
    // The other side never reads (or writes) a caucus.
    app.get(&format!("/api/v1/deals/{id}/messages?channel=caucus_buyer"), Some(&app.seller))
        .await
        .expect_problem(404, "not_found");
    app.post(
        &format!("/api/v1/deals/{id}/messages"),
        Some(&app.seller),
        json!({"channel": "caucus_buyer", "body": "x"}),
    )
    .await
    .expect_problem(404, "not_found");
    // Platform admins oversee deals but do not read the room.
    app.get(&format!("/api/v1/deals/{id}"), Some(&app.admin)).await.expect(200);
    app.get(&format!("/api/v1/deals/{id}/messages"), Some(&app.admin)).await.expect_problem(404, "not_found");

    // A suspended broker cannot take a deal.
    let other = open_deal(&app, &listing(&app).await, &app.buyer).await.expect(201).id();
    app.post(&format!("/api/v1/deals/{other}/broker"), Some(&app.seller), json!({"broker_id": app.broker2.user_id}))
        .await
        .expect(200);
    let profile = app.get(&format!("/api/v1/brokers/{}", app.broker2.user_id), None).await.expect(200);
    app.post_if_match(
        &format!("/api/v1/brokers/{}/suspend", app.broker2.user_id),
        &app.admin,
        profile.version(),
        Some(json!({"reason": "资格年检未通过"})),
    )
    .await
    .expect(200);
    let waiting = deal(&app, &other, &app.seller).await;
    app.post_empty(&format!("/api/v1/deals/{other}/broker/accept"), Some(&app.broker2))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(deal(&app, &other, &app.seller).await["version"], waiting["version"]);
    app.post(&format!("/api/v1/deals/{other}/broker"), Some(&app.seller), json!({"broker_id": app.broker2.user_id}))
        .await
        .expect_problem(422, "validation_failed");
    let directory = app.get("/api/v1/brokers", None).await.expect(200);
    assert!(
        directory.body["items"]
            .as_array()
            .is_some_and(|b| b.iter().all(|x| x["id"] != app.broker2.user_id.to_string()))
    );
    app.post(
        "/api/v1/brokers",
        Some(&app.seller),
        json!({"user_id": app.seller.user_id, "certificate_number": "X", "level": "junior", "commission_bps": 100}),
    )
    .await
    .expect_problem(403, "forbidden");

    let after = deal(&app, &id, &app.buyer).await;
    assert_eq!(after["version"], before["version"], "refused requests changed nothing");
    assert_eq!(after["status"], "negotiating");
    let still = app.get(&format!("/api/v1/offers/{offer_id}"), Some(&app.seller)).await.expect(200);
    assert_eq!(still.body["status"], "pending");
    assert_eq!(still.body["version"], made.body["version"]);
}

#[tokio::test]
async fn expired_and_withdrawn_offers_cannot_be_accepted() {
    let app = spawn_app().await;
    // A second server sweeps deadlines on the same database: each expiry still happens once.
    let (_address, _peer) = app.spawn_peer().await;
    let id = brokered_deal(&app).await;
    let mut short = offer(30_000_000);
    short["valid_until"] = json!((Utc::now() + Duration::milliseconds(1500)).to_rfc3339());
    let expiring = app.post(&format!("/api/v1/deals/{id}/offers"), Some(&app.buyer), short).await.expect(201).id();
    let withdrawn =
        app.post(&format!("/api/v1/deals/{id}/offers"), Some(&app.buyer), offer(31_000_000)).await.expect(201).id();
    app.post_empty(&format!("/api/v1/offers/{withdrawn}/withdraw"), Some(&app.seller))
        .await
        .expect_problem(403, "forbidden");
    app.post(&format!("/api/v1/offers/{withdrawn}/withdraw"), Some(&app.buyer), json!({"reason": "报错了价格"}))
        .await
        .expect(200);
    app.post_empty(&format!("/api/v1/offers/{withdrawn}/accept"), Some(&app.seller))
        .await
        .expect_problem(409, "invalid_transition");
    tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    app.post_empty(&format!("/api/v1/offers/{expiring}/accept"), Some(&app.seller))
        .await
        .expect_problem(409, "invalid_transition");
    // The scheduler stores the expiry once.
    let started = std::time::Instant::now();
    loop {
        let history = app.get(&format!("/api/v1/deals/{id}/timeline"), Some(&app.seller)).await.expect(200);
        let expiries =
            history.body.as_array().map(|t| t.iter().filter(|e| e["action"] == "offer.expire").count()).unwrap_or(0);
        if expiries == 1 {
            break;
        }
        assert!(started.elapsed() < crate::helpers::BACKSTOP, "the offer was not expired by the scheduler");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let history = app.get(&format!("/api/v1/deals/{id}/timeline"), Some(&app.seller)).await.expect(200);
    let expiries = history.body.as_array().map(|t| t.iter().filter(|e| e["action"] == "offer.expire").count());
    assert_eq!(expiries, Some(1), "two sweepers, one expiry");
    let shown = app.get(&format!("/api/v1/offers/{expiring}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(shown.body["status"], "expired");
    assert_eq!(deal(&app, &id, &app.buyer).await["status"], "negotiating", "the deal goes on");
}

#[tokio::test]
async fn concurrent_accepts_make_exactly_one_agreement() {
    let app = spawn_app().await;
    let id = brokered_deal(&app).await;
    // Competing offers from the seller, and many clicks on each at once.
    let mut offers = Vec::new();
    for price in [40_000_000, 41_000_000, 42_000_000] {
        offers.push(
            app.post(&format!("/api/v1/deals/{id}/offers"), Some(&app.seller), offer(price)).await.expect(201).id(),
        );
    }
    let mut tasks = Vec::new();
    for round in 0..6 {
        for offer_id in &offers {
            let path = format!("/api/v1/offers/{offer_id}/accept");
            let request = app.request(reqwest::Method::POST, &path, Some(&app.buyer));
            tasks.push(tokio::spawn(async move {
                let _ = round;
                request.send().await.map(|r| r.status().as_u16()).unwrap_or(0)
            }));
        }
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap_or(0));
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "exactly one accept wins: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), statuses.len() - 1, "all others are 409: {statuses:?}");
    let agreed = deal(&app, &id, &app.seller).await;
    assert_eq!(agreed["status"], "agreed");
    let listed = app.get(&format!("/api/v1/deals/{id}/offers"), Some(&app.seller)).await.expect(200);
    let accepted: Vec<&Value> =
        listed.body.as_array().map(|o| o.iter().filter(|x| x["status"] == "accepted").collect()).unwrap_or_default();
    assert_eq!(accepted.len(), 1);
    assert_eq!(agreed["agreement"]["offer_id"], accepted[0]["id"]);
    let timeline = app.get(&format!("/api/v1/deals/{id}/timeline"), Some(&app.seller)).await.expect(200);
    let count = |action: &str| {
        timeline.body.as_array().map(|t| t.iter().filter(|e| e["action"] == action).count()).unwrap_or(0)
    };
    assert_eq!(count("offer.accept"), 1, "the audit log agrees");
    assert_eq!(count("deal.agree"), 1);
    assert_eq!(count("offer.superseded"), 2);
}

#[tokio::test]
async fn absurd_terms_are_422_with_the_field_named() {
    let app = spawn_app().await;
    let id = brokered_deal(&app).await;
    let path = format!("/api/v1/deals/{id}/offers");
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let cases = [
        ("/terms/royalty_bps", json!(12_000), "terms.royalty_bps"),
        ("/terms/term_years", json!(0), "terms.term_years"),
        ("/valid_until", json!(past), "valid_until"),
        ("/terms/lump_sum_minor", json!(-5), "terms.lump_sum_minor"),
        ("/terms/lump_sum_minor", json!(1e20), "terms.lump_sum_minor"),
        ("/terms/lump_sum_minor", json!(123.45), "terms.lump_sum_minor"),
        ("/terms/milestones/1/amount_minor", json!(1), "terms.milestones"),
        ("/terms/mode", json!("gift"), "terms.mode"),
    ];
    for (pointer, value, field) in cases {
        let mut body = offer(30_000_000);
        if let Some(slot) = body.pointer_mut(pointer) {
            *slot = value;
        }
        let reply = app.post(&path, Some(&app.buyer), body).await.expect_problem(422, "validation_failed");
        assert!(reply.error_fields().iter().any(|f| f == field), "{field} not named in {}", reply.body);
    }
    let offers = app.get(&path, Some(&app.buyer)).await.expect(200);
    assert_eq!(offers.body.as_array().map(Vec::len), Some(0), "nothing was stored");
    assert_eq!(deal(&app, &id, &app.buyer).await["status"], "brokered");
}

#[tokio::test]
async fn one_live_deal_per_buyer_and_achievement_and_no_buying_your_own() {
    let app = spawn_app().await;
    let achievement = listing(&app).await;
    open_deal(&app, &achievement, &app.seller).await.expect_problem(403, "forbidden");
    let first = open_deal(&app, &achievement, &app.buyer).await.expect(201);
    open_deal(&app, &achievement, &app.buyer).await.expect_problem(409, "conflict");
    open_deal(&app, &achievement, &app.buyer2).await.expect(201);
    app.post_if_match(
        &format!("/api/v1/deals/{}/cancel", first.id()),
        &app.buyer,
        first.version(),
        Some(json!({"reason": "预算调整"})),
    )
    .await
    .expect(200);
    open_deal(&app, &achievement, &app.buyer).await.expect(201);
    app.post_if_match(
        &format!("/api/v1/deals/{}/cancel", first.id()),
        &app.buyer,
        first.version() + 1,
        Some(json!({"reason": "again"})),
    )
    .await
    .expect_problem(409, "invalid_transition");
    app.post_if_match(
        &format!("/api/v1/deals/{}/cancel", first.id()),
        &app.buyer,
        first.version(),
        Some(json!({"reason": "again"})),
    )
    .await
    .expect_problem(412, "precondition_failed");
    app.post("/api/v1/deals", Some(&app.unverified), json!({"achievement_id": achievement, "inquiry": "?"}))
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn an_assignment_waits_for_the_inventors_first_refusal() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": ["张伟", "李娜"]})).await;
    let id = open_deal(&app, &achievement, &app.buyer).await.expect(201).id();
    let mut assignment = offer(60_000_000);
    assignment["terms"]["mode"] = json!("assignment");
    let offer_id = app.post(&format!("/api/v1/deals/{id}/offers"), Some(&app.buyer), assignment).await.expect(201).id();
    let refused = app
        .post_empty(&format!("/api/v1/offers/{offer_id}/accept"), Some(&app.seller))
        .await
        .expect_problem(409, "conflict");
    assert!(refused.body["detail"].as_str().is_some_and(|d| d.contains("847")));
    app.post(&format!("/api/v1/deals/{id}/first-refusal"), Some(&app.buyer), json!({"offer_id": offer_id}))
        .await
        .expect_problem(403, "forbidden");
    let notices = app
        .post(&format!("/api/v1/deals/{id}/first-refusal"), Some(&app.seller), json!({"offer_id": offer_id}))
        .await
        .expect(201);
    let notice = notices.body[0]["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(notices.body[0]["status"], "open");
    app.post_empty(&format!("/api/v1/offers/{offer_id}/accept"), Some(&app.seller))
        .await
        .expect_problem(409, "conflict");
    let answer = |inventor: &str| json!({"inventor": inventor, "decision": "waive", "note": "书面放弃"});
    app.post(
        &format!("/api/v1/first-refusals/{notice}/answers"),
        Some(&app.seller),
        json!({"inventor": "王五", "decision": "waive"}),
    )
    .await
    .expect_problem(422, "validation_failed");
    app.post(&format!("/api/v1/first-refusals/{notice}/answers"), Some(&app.seller), answer("张伟")).await.expect(200);
    app.post_empty(&format!("/api/v1/offers/{offer_id}/accept"), Some(&app.seller))
        .await
        .expect_problem(409, "conflict");
    let cleared = app
        .post(&format!("/api/v1/first-refusals/{notice}/answers"), Some(&app.seller), answer("李娜"))
        .await
        .expect(200);
    assert_eq!(cleared.body[0]["status"], "waived");
    let agreed = app.post_empty(&format!("/api/v1/offers/{offer_id}/accept"), Some(&app.seller)).await.expect(200);
    assert_eq!(agreed.body["status"], "agreed");
    // An assignment takes the achievement off the market.
    let listed = app.get(&format!("/api/v1/achievements/{achievement}"), Some(&app.seller)).await.expect(200);
    assert_eq!(listed.body["status"], "traded");

    // A claim ends the deal.
    let second = app.published_achievement(&app.seller, json!({"inventors": ["赵强"]})).await;
    let id = open_deal(&app, &second, &app.buyer).await.expect(201).id();
    let mut assignment = offer(20_000_000);
    assignment["terms"]["mode"] = json!("assignment");
    let offer_id = app.post(&format!("/api/v1/deals/{id}/offers"), Some(&app.buyer), assignment).await.expect(201).id();
    let notices = app
        .post(
            &format!("/api/v1/deals/{id}/first-refusal"),
            Some(&app.seller),
            json!({"offer_id": offer_id, "window_days": 10}),
        )
        .await
        .expect(201);
    let notice = notices.body[0]["id"].as_str().unwrap_or_default().to_string();
    app.post(
        &format!("/api/v1/first-refusals/{notice}/answers"),
        Some(&app.seller),
        json!({"inventor": "赵强", "decision": "claim"}),
    )
    .await
    .expect(200);
    let ended = deal(&app, &id, &app.buyer).await;
    assert_eq!(ended["status"], "cancelled");
    assert!(ended["closed_reason"].as_str().is_some_and(|r| r.contains("847")));
}

#[tokio::test]
async fn buyers_tell_sellers_why_they_pass_and_sellers_see_their_listing_analytics() {
    let app = spawn_app().await;
    let achievement = listing(&app).await;
    for _ in 0..3 {
        app.get(&format!("/api/v1/achievements/{achievement}"), Some(&app.buyer)).await.expect(200);
    }
    app.get(&format!("/api/v1/achievements/{achievement}"), Some(&app.seller)).await.expect(200);
    let page = app.client.get(app.url(&format!("/achievements/{achievement}"))).send().await.expect("page");
    assert_eq!(page.status(), 200);
    open_deal(&app, &achievement, &app.buyer2).await.expect(201);
    let path = format!("/api/v1/achievements/{achievement}/feedback");
    app.post(&path, Some(&app.buyer), json!({"reason": "price", "comment": "高于我们的预算"})).await.expect(204);
    app.post(&path, Some(&app.buyer), json!({"reason": "too_early"})).await.expect(204);
    app.post(&path, Some(&app.other_seller), json!({"reason": "fit"})).await.expect(204);
    app.post(&path, Some(&app.seller), json!({"reason": "fit"})).await.expect_problem(403, "forbidden");
    app.post(&path, Some(&app.buyer), json!({"reason": "boring"})).await.expect_problem(422, "validation_failed");
    let summary = app.get(&path, Some(&app.seller)).await.expect(200);
    assert_eq!(summary.body["counts"], json!({"too_early": 1, "fit": 1}), "one answer per organization, the latest");
    app.get(&path, Some(&app.buyer)).await.expect_problem(403, "forbidden");
    let analytics =
        app.get(&format!("/api/v1/achievements/{achievement}/analytics"), Some(&app.seller)).await.expect(200);
    assert_eq!(analytics.body["views_total"], 4, "API and page views count, the owner's own do not");
    assert_eq!(analytics.body["inquiries"], 1);
    assert_eq!(analytics.body["deals_by_status"]["inquiry"], 1);
    assert_eq!(analytics.body["feedback"]["fit"], 1);
}
