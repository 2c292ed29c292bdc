//! `techex backup` of a server under writes, and `techex restore` into a fresh database:
//! every write acknowledged before the backup began is restored, the row counts are the
//! manifest's, the documents byte for byte, and the rebuilt index answers what the
//! restored database holds. A database holding data and a changed backup are refused.

use crate::contracts::agreed_deal;
use crate::helpers::{Account, Reply, TestApp, backend, spawn_app};
use crate::payments::{confirm_card, registered_contract, wait_for_status};
use crate::stripe_hub::register_webhook;
use reqwest::multipart::{Form, Part};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use techex::scratch::ScratchDatabase;

const PDF: &[u8] = b"%PDF-1.4\n% a specification kept in the backup\n%%EOF\n";

fn techex(data_dir: &Path, database_url: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_techex"));
    command
        .env("TECHEX_DATA_DIR", data_dir)
        .env("DATABASE_URL", database_url)
        .env_remove("TECHEX_INDEX_DIR")
        .env("RUST_LOG", "warn");
    command
}

/// A fresh, empty database for a restore: a SQLite file in `dir` or a scratch PostgreSQL
/// database, dropped with the guard (also when the test fails).
async fn fresh_database(dir: &Path) -> Fresh {
    Fresh(match backend() {
        "postgres" => {
            let server = std::env::var("TECHEX_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            ScratchDatabase::postgres(&server, "techex_restore").await.expect("PostgreSQL is required for this suite")
        }
        _ => ScratchDatabase::sqlite(dir),
    })
}

struct Fresh(ScratchDatabase);

impl std::ops::Deref for Fresh {
    type Target = ScratchDatabase;
    fn deref(&self) -> &ScratchDatabase {
        &self.0
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        let scratch = self.0.clone();
        // Drop cannot await: drop the PostgreSQL database from a thread of its own.
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                let _ = runtime.block_on(scratch.drop_database());
            }
        })
        .join();
    }
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_string()))
        .await
        .expect("count")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a number")
}

async fn upload_document(app: &TestApp, achievement: &str) -> String {
    let form = Form::new()
        .part("file", Part::bytes(PDF).file_name("说明书.pdf").mime_str("application/pdf").expect("mime"))
        .text("tier", "public");
    let response = app
        .request(reqwest::Method::POST, &format!("/api/v1/achievements/{achievement}/documents"), Some(&app.seller))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    Reply::from(response).await.expect(201).body["sha256"].as_str().expect("sha256").to_string()
}

async fn attach_to_deal(app: &TestApp, deal: &str) -> String {
    let form = Form::new()
        .text("channel", "joint")
        .part("file", Part::bytes(b"%PDF-1.4\n% the buyer's questions\n".to_vec()).file_name("问题.pdf"));
    let response = app
        .request(reqwest::Method::POST, &format!("/api/v1/deals/{deal}/attachments"), Some(&app.buyer))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    Reply::from(response).await.expect(201).body["sha256"].as_str().expect("sha256").to_string()
}

/// GET on the restored server as a restored account (its sessions are restored too).
async fn restored_get(address: &str, path: &str, who: &Account) -> (u16, Value) {
    let response =
        reqwest::Client::new().get(format!("{address}{path}")).bearer_auth(&who.token).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_backup_under_writes_restores_every_acknowledged_write_with_a_matching_index() {
    let app = spawn_app().await;
    let _webhook = register_webhook(&app);
    // Money on the ledger: a registered contract whose first milestone is paid.
    let (contract, first, _) = registered_contract(&app).await;
    let paying = app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    confirm_card(paying.body["payment_intent_id"].as_str().unwrap_or_default()).await;
    wait_for_status(&app, &first, "paid").await;
    let ledger_path = format!("/api/v1/contracts/{contract}/ledger");
    let ledger = app.get(&ledger_path, Some(&app.seller)).await.expect(200).body;
    assert_ne!(ledger["accounts"], json!({}), "the payment is on the ledger: {ledger}");
    // Documents of both kinds.
    let listed = app.published_achievement(&app.seller, json!({})).await;
    let document = upload_document(&app, &listed).await;
    let deal = agreed_deal(&app).await;
    let attachment = attach_to_deal(&app, &deal).await;

    // A table of many pages (SQLite reads 2,000 rows a query, PostgreSQL 128 blocks).
    let many = match backend() {
        "postgres" => {
            "INSERT INTO login_attempts (id, email, ip, succeeded, at) SELECT gen_random_uuid(), \
             'guess' || g || '@example.test', '192.0.2.1', false, now() FROM generate_series(1, 20000) g"
        }
        _ => {
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000) \
             INSERT INTO login_attempts (id, email, ip, succeeded, at) SELECT randomblob(16), \
             'guess' || n || '@example.test', '192.0.2.1', 0, '2026-11-30T08:00:00+00:00' FROM g"
        }
    };
    app.db.execute_unprepared(many).await.expect("many login attempts");
    // Achievements go on being published while the backup runs.
    let acknowledged: Mutex<Vec<(Instant, String)>> = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    let writer = async {
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) || n < 3 {
            let id = app.publish_plain(&app.seller, json!({"title_zh": format!("备份期间发布的成果{n}")})).await;
            acknowledged.lock().expect("lock").push((Instant::now(), id));
            n += 1;
        }
    };
    let backup_root = tempfile::tempdir().expect("dir");
    let backup_dir = backup_root.path().join("nightly");
    let backup = async {
        // Let some writes land first, so the snapshot falls between writes.
        while acknowledged.lock().expect("lock").len() < 2 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let started = Instant::now();
        let output = techex(app.data_dir.path(), &app.database_url)
            .arg("backup")
            .arg(&backup_dir)
            .output()
            .await
            .expect("run techex backup");
        stop.store(true, Ordering::SeqCst);
        assert!(output.status.success(), "backup failed: {}", String::from_utf8_lossy(&output.stderr));
        started
    };
    let ((), started) = tokio::join!(writer, backup);
    let before: Vec<String> =
        acknowledged.lock().expect("lock").iter().filter(|(at, _)| *at < started).map(|(_, id)| id.clone()).collect();
    assert!(before.len() >= 2, "writes were acknowledged before the backup began");
    assert!(acknowledged.lock().expect("lock").len() > before.len(), "writes went on while the backup ran");

    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(backup_dir.join("manifest.json")).expect("manifest"))
            .expect("manifest json");
    assert_eq!(manifest["source_backend"], backend());
    let documents: Vec<String> = manifest["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["sha256"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(documents.contains(&document) && documents.contains(&attachment), "{documents:?}");

    // Restore into a fresh database and data directory.
    let target_dir = tempfile::tempdir().expect("dir");
    let target = fresh_database(target_dir.path()).await;
    let output = techex(target_dir.path(), &target.url).arg("restore").arg(&backup_dir).output().await.expect("run");
    assert!(output.status.success(), "restore failed: {}", String::from_utf8_lossy(&output.stderr));
    let restored = Database::connect(target.url.as_str()).await.expect("connect");

    // Every table holds the manifest's rows.
    for table in manifest["tables"].as_array().expect("tables") {
        let name = table["name"].as_str().expect("name");
        let rows = count(&restored, &format!("SELECT COUNT(*) FROM \"{name}\"")).await;
        assert_eq!(rows, table["rows"].as_i64().expect("rows"), "rows of {name}");
    }
    // One snapshot: rows written in one transaction are there together or not at all
    // (a table-by-table copy taken while achievements were being created would hold
    // creation entries in the audit log without their achievement, or the reverse).
    let without_entry = "SELECT COUNT(*) FROM achievements a WHERE NOT EXISTS (SELECT 1 FROM audit_log l \
                         WHERE l.entity_id = a.id AND l.action = 'achievement.create')";
    let without_row = "SELECT COUNT(*) FROM audit_log l WHERE l.action = 'achievement.create' \
                       AND NOT EXISTS (SELECT 1 FROM achievements a WHERE a.id = l.entity_id)";
    assert_eq!((count(&restored, without_entry).await, count(&restored, without_row).await), (0, 0));
    // Documents byte for byte: the server's, the backup's and the restored store's.
    for sha256 in &documents {
        let original = std::fs::read(local_blob(app.data_dir.path(), sha256)).expect("blob");
        let restored_blob = std::fs::read(local_blob(target_dir.path(), sha256)).expect("restored blob");
        let in_backup = std::fs::read(backup_dir.join("documents").join(&sha256[..2]).join(sha256)).expect("copy");
        assert_eq!(original, restored_blob);
        assert_eq!(original, in_backup);
    }

    // A server on the restored database: every acknowledged write is there.
    let mut config = techex_server::Config::with_data_dir(target_dir.path().to_path_buf());
    config.database_url = target.url.clone();
    config.addr = "127.0.0.1:0".parse().expect("addr");
    let application = techex_server::Application::build(config).await.expect("the restored server builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let server = tokio::spawn(application.run_with_shutdown(std::future::pending()));
    for id in before.iter().chain([&listed]) {
        let (status, body) = restored_get(&address, &format!("/api/v1/achievements/{id}"), &app.seller).await;
        assert_eq!((status, body["status"].as_str()), (200, Some("published")), "achievement {id}: {body}");
    }
    let (status, view) = restored_get(&address, &format!("/api/v1/contracts/{contract}"), &app.seller).await;
    assert_eq!(status, 200, "{view}");
    let (status, restored_ledger) = restored_get(&address, &ledger_path, &app.seller).await;
    assert_eq!((status, &restored_ledger), (200, &ledger), "the ledger is restored entry for entry");
    let (status, downloaded) = {
        let response = reqwest::get(format!("{address}/api/v1/achievements/{listed}/documents")).await.expect("list");
        (response.status().as_u16(), response.json::<Value>().await.unwrap_or_default())
    };
    assert_eq!((status, downloaded[0]["sha256"].as_str()), (200, Some(document.as_str())));

    // The rebuilt index holds exactly the published achievements of the restored database.
    let published = count(&restored, "SELECT COUNT(*) FROM achievements WHERE status = 'published'").await;
    let search: Value =
        reqwest::get(format!("{address}/api/v1/search?limit=100")).await.expect("search").json().await.expect("json");
    assert_eq!(search["total"].as_i64(), Some(published), "{search}");
    let hits: Vec<&str> = search["hits"].as_array().expect("hits").iter().filter_map(|h| h["id"].as_str()).collect();
    for id in &before {
        assert!(hits.contains(&id.as_str()), "{id} is found on the restored server");
    }
    let status: Value =
        reqwest::get(format!("{address}/api/v1/search/status")).await.expect("status").json().await.expect("json");
    assert_eq!(status["lag"], 0, "the rebuilt index is caught up with the restored outbox: {status}");

    // The restored center goes on working: a new listing takes the next outbox position
    // (PostgreSQL's sequence was moved past the restored ones) and the index follows it.
    let client = reqwest::Client::new();
    let mut body = crate::helpers::plain_body();
    body["title_zh"] = json!("恢复之后发布的成果");
    let created: Value = client
        .post(format!("{address}/api/v1/achievements"))
        .bearer_auth(&app.seller.token)
        .json(&body)
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("created on the restored server").to_string();
    for (step, who) in [("submit", &app.seller), ("approve", &app.reviewer)] {
        let response = client
            .post(format!("{address}/api/v1/achievements/{id}/{step}"))
            .bearer_auth(&who.token)
            .send()
            .await
            .expect("transition");
        assert_eq!(response.status(), 200, "{step}");
    }
    let started = Instant::now();
    loop {
        let found: Value = reqwest::get(format!("{address}/api/v1/search?limit=100"))
            .await
            .expect("search")
            .json()
            .await
            .expect("json");
        if found["total"].as_i64() == Some(published + 1) {
            break;
        }
        assert!(started.elapsed() < crate::helpers::BACKSTOP, "the index never followed the new listing: {found}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    server.abort();
    restored.close().await.ok();
}

#[tokio::test]
async fn restore_refuses_a_database_holding_data_and_a_changed_backup() {
    let app = spawn_app().await;
    let listed = app.published_achievement(&app.seller, json!({})).await;
    upload_document(&app, &listed).await;
    let backup_root = tempfile::tempdir().expect("dir");
    let backup_dir = backup_root.path().join("copy");
    let output =
        techex(app.data_dir.path(), &app.database_url).arg("backup").arg(&backup_dir).output().await.expect("run");
    assert!(output.status.success(), "backup failed: {}", String::from_utf8_lossy(&output.stderr));
    // A second backup into the same directory is refused rather than mixed in.
    let again =
        techex(app.data_dir.path(), &app.database_url).arg("backup").arg(&backup_dir).output().await.expect("run");
    assert_eq!(again.status.code(), Some(1));

    // Into the server's own database, which holds data: refused, nothing changed.
    let achievements = count(&app.db, "SELECT COUNT(*) FROM achievements").await;
    let audit = count(&app.db, "SELECT COUNT(*) FROM audit_log").await;
    let refused =
        techex(app.data_dir.path(), &app.database_url).arg("restore").arg(&backup_dir).output().await.expect("run");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("already holds data"), "{stderr}");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM achievements").await, achievements);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM audit_log").await, audit);

    // A changed row: refused before the fresh database is touched.
    let table = backup_dir.join("tables").join("achievements.jsonl");
    let original = std::fs::read_to_string(&table).expect("table file");
    std::fs::write(&table, original.replacen("published", "withdrawn", 1)).expect("tamper");
    let target_dir = tempfile::tempdir().expect("dir");
    let target = fresh_database(target_dir.path()).await;
    let tampered = techex(target_dir.path(), &target.url).arg("restore").arg(&backup_dir).output().await.expect("run");
    assert_eq!(tampered.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&tampered.stderr);
    assert!(stderr.contains("achievements.jsonl was changed"), "{stderr}");
    std::fs::write(&table, &original).expect("undo");

    // A document left out of the backup (file and manifest entry): refused as well.
    let manifest_path = backup_dir.join("manifest.json");
    let manifest_text = std::fs::read_to_string(&manifest_path).expect("manifest");
    let mut manifest: Value = serde_json::from_str(&manifest_text).expect("json");
    manifest["documents"] = json!([]);
    std::fs::write(&manifest_path, manifest.to_string()).expect("tamper");
    let missing = techex(target_dir.path(), &target.url).arg("restore").arg(&backup_dir).output().await.expect("run");
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("which the backup does not hold"), "{stderr}");
    std::fs::write(&manifest_path, &manifest_text).expect("undo");

    // A changed document: refused as well.
    let document = walk_files(&backup_dir.join("documents")).into_iter().next().expect("a document in the backup");
    std::fs::write(&document, b"%PDF-1.4\n% something else\n").expect("tamper");
    let tampered = techex(target_dir.path(), &target.url).arg("restore").arg(&backup_dir).output().await.expect("run");
    assert_eq!(tampered.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&tampered.stderr).contains("was changed"));
    // None of the refusals touched the fresh database: it is still empty, schema and all.
    let untouched = Database::connect(target.url.as_str()).await.expect("connect");
    let tables = match backend() {
        "postgres" => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
        _ => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
    };
    assert_eq!(count(&untouched, tables).await, 0);
    untouched.close().await.ok();
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { found.extend(walk_files(&path)) } else { found.push(path) }
    }
    found
}

/// The rows of every table of a backup, with times cut to the microsecond
/// (what sqlx sends PostgreSQL; SQLite keeps what chrono gave).
fn rows_of(backup: &Path) -> std::collections::BTreeMap<String, Vec<Value>> {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(backup.join("manifest.json")).expect("manifest")).expect("json");
    let mut tables = std::collections::BTreeMap::new();
    for table in manifest["tables"].as_array().expect("tables") {
        let times: Vec<&str> = table["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .filter(|c| c["kind"] == "timestamp")
            .filter_map(|c| c["name"].as_str())
            .collect();
        let text = std::fs::read_to_string(backup.join(table["file"].as_str().expect("file"))).expect("table file");
        let rows = text
            .lines()
            .map(|line| {
                let mut row: Value = serde_json::from_str(line).expect("row");
                for column in &times {
                    if let Some(at) = row[*column].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()) {
                        let nanos = at.timestamp_nanos_opt().expect("in range");
                        row[*column] = json!(nanos.div_euclid(1000));
                    }
                }
                row
            })
            .collect();
        tables.insert(table["name"].as_str().expect("name").to_string(), rows);
    }
    tables
}

#[tokio::test]
async fn a_sqlite_center_moves_to_postgresql_by_backup_and_restore() {
    if backend() != "postgres" {
        return; // the PostgreSQL run of the suite covers it
    }
    let source_dir = tempfile::tempdir().expect("dir");
    let sqlite = techex_server::config::default_database_url(source_dir.path());
    let seeded = techex(source_dir.path(), &sqlite).args(["seed", "--demo"]).output().await.expect("run");
    assert!(seeded.status.success(), "seed failed: {}", String::from_utf8_lossy(&seeded.stderr));
    let backups = tempfile::tempdir().expect("dir");
    let from_sqlite = backups.path().join("from-sqlite");
    let written = techex(source_dir.path(), &sqlite).arg("backup").arg(&from_sqlite).output().await.expect("run");
    assert!(written.status.success(), "backup failed: {}", String::from_utf8_lossy(&written.stderr));

    let target_dir = tempfile::tempdir().expect("dir");
    let target = fresh_database(target_dir.path()).await;
    let restored = techex(target_dir.path(), &target.url).arg("restore").arg(&from_sqlite).output().await.expect("run");
    assert!(restored.status.success(), "restore failed: {}", String::from_utf8_lossy(&restored.stderr));
    // Backed up again from PostgreSQL, every row reads as it did from SQLite.
    let from_postgres = backups.path().join("from-postgres");
    let again = techex(target_dir.path(), &target.url).arg("backup").arg(&from_postgres).output().await.expect("run");
    assert!(again.status.success(), "backup failed: {}", String::from_utf8_lossy(&again.stderr));
    let before = rows_of(&from_sqlite);
    let after = rows_of(&from_postgres);
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    let mut compared = 0;
    for (table, rows) in &before {
        assert_eq!(rows.len(), after[table].len(), "rows of {table}");
        for row in rows {
            if after[table].contains(row) {
                continue;
            }
            let twin = after[table].iter().find(|other| other["id"] == row["id"] && !row["id"].is_null());
            let differing: Vec<String> = row
                .as_object()
                .map(|columns| {
                    columns
                        .iter()
                        .filter(|(name, value)| twin.is_none_or(|t| t[name.as_str()] != **value))
                        .map(|(name, value)| {
                            format!("{name}: {value} became {}", twin.map_or(&Value::Null, |t| &t[name.as_str()]))
                        })
                        .collect()
                })
                .unwrap_or_default();
            panic!("{table}: row {} is not the same in PostgreSQL: {differing:?}", row["id"]);
        }
        compared += rows.len();
    }
    assert!(compared > 100, "the demo holds rows of every kind ({compared})");
}

/// Where the default store (a local directory) keeps the bytes of a hash: `documents/ab/<sha256>`.
fn local_blob(data_dir: &std::path::Path, sha256: &str) -> std::path::PathBuf {
    data_dir.join("documents").join(sha256.get(..2).unwrap_or("00")).join(sha256)
}
