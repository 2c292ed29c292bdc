//! A lost version race answers 412 on every versioned resource: many writers send the
//! same `If-Match` version at once; exactly one wins and every other is told its version
//! is out of date (never a 409, which would say the state forbids it, nor a 500).

use crate::contracts::agreed_deal;
use crate::helpers::{Account, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const WRITERS: usize = 6;

/// Sends `WRITERS` requests at once, each with `If-Match: "version"` and the body made
/// for its index; returns their statuses.
async fn race(
    app: &TestApp,
    method: Method,
    path: &str,
    who: &Account,
    version: i64,
    body: impl Fn(usize) -> Value,
) -> Vec<u16> {
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let request = app
            .request(method.clone(), path, Some(who))
            .header("If-Match", format!("\"{version}\""))
            .json(&body(writer));
        tasks.push(tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()).unwrap_or(0) }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap_or(0));
    }
    statuses
}

fn one_wins_the_rest_are_stale(what: &str, statuses: &[u16]) {
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{what}: exactly one writer wins: {statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 412),
        "{what}: every other writer is told its version is stale (412): {statuses:?}"
    );
}

#[tokio::test]
async fn a_lost_version_race_is_412_on_every_resource() {
    let app = spawn_app().await;

    // An achievement and a demand, edited by their owners.
    let achievement = app.draft_achievement(&app.seller, json!({})).await;
    let path = format!("/api/v1/achievements/{achievement}");
    let version = app.get(&path, Some(&app.seller)).await.expect(200).version();
    let statuses =
        race(&app, Method::PATCH, &path, &app.seller, version, |i| json!({"title_zh": format!("并发改名{i}")})).await;
    one_wins_the_rest_are_stale("achievement", &statuses);
    assert_eq!(app.get(&path, Some(&app.seller)).await.expect(200).version(), version + 1);

    let demand = app
        .post(
            "/api/v1/demands",
            Some(&app.buyer),
            json!({"title_zh": "寻求高效海水淡化膜技术", "description_zh": "日处理万吨级的反渗透膜。",
                   "field": "energy_environment", "region": "青岛", "budget_max_minor": 500_000_000}),
        )
        .await
        .expect(201)
        .id();
    let path = format!("/api/v1/demands/{demand}");
    let version = app.get(&path, Some(&app.buyer)).await.expect(200).version();
    let statuses =
        race(&app, Method::PATCH, &path, &app.buyer, version, |i| json!({"budget_max_minor": 600_000_000 + i as i64}))
            .await;
    one_wins_the_rest_are_stale("demand", &statuses);

    // The seller's organization profile, edited by its administrator.
    let path = format!("/api/v1/organizations/{}", app.seller.organization_id);
    let version = app.get(&path, Some(&app.seller)).await.expect(200).version();
    let statuses =
        race(&app, Method::PATCH, &path, &app.seller, version, |i| json!({"description": format!("第{i}版单位简介")}))
            .await;
    one_wins_the_rest_are_stale("organization", &statuses);

    // A broker's profile, edited by the center.
    let path = format!("/api/v1/brokers/{}", app.broker2.user_id);
    let version = app.get(&path, None).await.expect(200).version();
    let statuses =
        race(&app, Method::PATCH, &path, &app.admin, version, |i| json!({"bio_zh": format!("第{i}版简介")})).await;
    one_wins_the_rest_are_stale("broker", &statuses);

    // A contract amended by both parties at once, and its deal.
    let deal = agreed_deal(&app).await;
    let drafted = app.post("/api/v1/contracts", Some(&app.broker), json!({"deal_id": deal})).await.expect(201);
    let path = format!("/api/v1/contracts/{}", drafted.id());
    let statuses = race(
        &app,
        Method::PATCH,
        &path,
        &app.seller,
        drafted.version(),
        |i| json!({"seller_representative": format!("代表{i}"), "change_note": "并发修改"}),
    )
    .await;
    one_wins_the_rest_are_stale("contract", &statuses);

    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let open = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "请问许可条件？"}))
        .await
        .expect(201);
    let path = format!("/api/v1/deals/{}/cancel", open.id());
    let statuses =
        race(&app, Method::POST, &path, &app.buyer, open.version(), |i| json!({"reason": format!("第{i}次取消")}))
            .await;
    one_wins_the_rest_are_stale("deal", &statuses);
}
