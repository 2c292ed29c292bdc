//! The index follows the database: across server processes, through crashes.

use crate::helpers::{TestApp, spawn_app};
use crate::search::urlencode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use techex_listings::entities::achievement;

async fn ids_from(client: &reqwest::Client, address: &str, query: &str) -> Vec<String> {
    let body: Value = client
        .get(format!("{address}/api/v1/search?q={}", urlencode(query)))
        .send()
        .await
        .expect("search")
        .json()
        .await
        .expect("json");
    body["hits"]
        .as_array()
        .map(|h| h.iter().filter_map(|x| x["id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Waits until `query` finds `expected` on the server at `address` (the other server's
/// indexer follows the outbox: LISTEN on PostgreSQL, a 100 ms poll on SQLite). How fast
/// is the benchmark's to measure; here a busy machine must not fail the test.
async fn found_on(client: &reqwest::Client, address: &str, query: &str, expected: &str) {
    let started = Instant::now();
    while !ids_from(client, address, query).await.iter().any(|id| id == expected) {
        assert!(started.elapsed() < crate::helpers::BACKSTOP, "{query} never found {expected} on {address}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn two_servers_on_one_database_see_each_others_writes() {
    let app = spawn_app().await;
    let (peer, _running) = app.spawn_peer().await;
    // Written through the first server, found on the second.
    let first = app.publish_plain(&app.seller, json!({"title_zh": "一种盐碱地改良剂"})).await;
    found_on(&app.client, &peer, "盐碱地", &first).await;
    // Written through the second server, found on the first.
    let token = app.seller.token.clone();
    let created: Value = app
        .client
        .post(format!("{peer}/api/v1/achievements"))
        .bearer_auth(&token)
        .json(&json!({"title_zh": "盐碱地耐盐水稻品种", "abstract_zh": "样品", "kind": "plant_variety", "field": "smart_agriculture",
                      "maturity": "pilot", "trl": 6, "transaction_modes": ["assignment"], "asking_price_minor": 1_000_000}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let second = created["id"].as_str().expect("id").to_string();
    for (who, action) in [(&token, "submit"), (&app.reviewer.token, "approve")] {
        let response = app
            .client
            .post(format!("{peer}/api/v1/achievements/{second}/{action}"))
            .bearer_auth(who)
            .send()
            .await
            .expect(action);
        assert_eq!(response.status(), 200, "{action}");
    }
    found_on(&app.client, &app.address, "盐碱地", &second).await;
    found_on(&app.client, &peer, "盐碱地", &first).await;
}

/// Inserts published achievements with their outbox rows straight into the database.
async fn bulk_publish(app: &TestApp, count: usize) -> Vec<String> {
    let transaction = techex_listings::begin_write(&app.db).await.expect("begin");
    let mut ids = Vec::with_capacity(count);
    for index in 0..count {
        let id = techex_core::new_id();
        achievement::ActiveModel::from(techex::bootstrap::published_achievement(
            id,
            app.seller.organization_id,
            app.seller.user_id,
            format!("批量成果 {index} 号"),
        ))
        .insert(&transaction)
        .await
        .expect("insert");
        techex_listings::audit::enqueue_search_update(&transaction, "achievement", id, "upsert").await.expect("outbox");
        ids.push(id.to_string());
    }
    transaction.commit().await.expect("commit");
    ids
}

async fn published_ids(app: &TestApp) -> Vec<String> {
    let mut ids: Vec<String> = achievement::Entity::find()
        .filter(achievement::Column::Status.eq("published"))
        .all(&app.db)
        .await
        .expect("achievements")
        .into_iter()
        .map(|a| a.id.to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn an_uncommitted_round_is_lost_and_replayed_exactly() {
    let app = spawn_app().await;
    bulk_publish(&app, 30).await;
    let root = tempfile::tempdir().expect("dir");
    let db = app.db.clone();
    {
        let service = techex_search::SearchService::open(root.path()).expect("open");
        let round = techex_search::indexer::apply_round(&db, service.index(), 10, true).await.expect("round");
        assert_eq!(round.rows, 10);
        // The next round dies before its commit.
        techex_search::indexer::apply_round(&db, service.index(), 10, false).await.expect("round");
        assert_eq!(service.index().checkpoint().expect("checkpoint").position, round.position);
    }
    let service = techex_search::SearchService::open(root.path()).expect("reopen");
    let index = service.index();
    assert_eq!(index.num_docs(), 10, "only the committed round survived");
    loop {
        let round = techex_search::indexer::apply_round(&db, index.clone(), 7, true).await.expect("round");
        if round.rows == 0 {
            break;
        }
    }
    assert_eq!(index.ids("achievement").expect("ids"), published_ids(&app).await);
    let head = techex_search::rebuild::outbox_head(&db).await.expect("head");
    assert_eq!(index.checkpoint().expect("checkpoint").position, head);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(app: &TestApp, data_dir: &std::path::Path, port: u16) -> Server {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_techex"))
        .args(["serve", "--no-demo", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &app.database_url)
        .env("TECHEX_DATA_DIR", data_dir)
        .env("TECHEX_INDEX_BATCH", "15")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start techex serve");
    Server(child)
}

async fn status(client: &reqwest::Client, port: u16) -> Option<Value> {
    let response = client.get(format!("http://127.0.0.1:{port}/api/v1/search/status")).send().await.ok()?;
    response.json().await.ok()
}

#[tokio::test]
async fn killing_the_server_mid_indexing_loses_and_doubles_nothing() {
    let app = spawn_app().await;
    bulk_publish(&app, 600).await;
    let data_dir = tempfile::tempdir().expect("dir");
    let client = Arc::new(reqwest::Client::new());
    let port = free_port();
    let mut server = start_server(&app, data_dir.path(), port);
    // Wait for the first commits, then kill -9 while the indexer is still working.
    let started = Instant::now();
    let killed_at = loop {
        assert!(started.elapsed() < Duration::from_secs(60), "the server never started indexing");
        if let Some(status) = status(&client, port).await
            && status["position"].as_i64().unwrap_or(0) > 0
        {
            server.0.kill().expect("kill -9");
            server.0.wait().expect("reap");
            break status;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(killed_at["lag"].as_i64().unwrap_or(0) > 0, "killed too late to test a crash mid-way: {killed_at}");
    drop(server);

    // Restart on the same index directory: it resumes from its last commit.
    let port = free_port();
    let server = start_server(&app, data_dir.path(), port);
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < Duration::from_secs(60), "the restarted server did not catch up");
        if let Some(status) = status(&client, port).await
            && status["lag"] == 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(server);
    let service = techex_search::SearchService::open(&data_dir.path().join("search")).expect("open the index");
    let index = service.index();
    let indexed = index.ids("achievement").expect("ids");
    let mut unique = indexed.clone();
    unique.dedup();
    assert_eq!(unique.len(), indexed.len(), "no document is doubled");
    assert_eq!(indexed, published_ids(&app).await, "the index holds exactly the published achievements");
}
