//! Documents in an S3-compatible store: moto's server mode on loopback, which
//! `scripts/test` starts and names in `TECHEX_TEST_S3_URL`. Without it these tests fail
//! under CI (`CI` set) or with `TECHEX_E2E_REQUIRED=1`, and are skipped, said on stderr,
//! otherwise. Each test makes a bucket of its own. The content hash checked on read is
//! also tested on the local directory, which needs no server.

use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};
use techex_listings::blobs::{BlobStore, Bytes, StoreSettings, content_hash};
use uuid::Uuid;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% object store\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var("TECHEX_E2E_REQUIRED").as_deref() == Ok("1")
}

/// moto's address, or `None` (said on stderr) when it is not there and not required.
fn s3_server() -> Option<String> {
    match std::env::var("TECHEX_TEST_S3_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_string()),
        _ if required() => panic!(
            "TECHEX_TEST_S3_URL is not set, and CI or TECHEX_E2E_REQUIRED=1 requires the object-store tests: \
             scripts/test starts moto and sets it"
        ),
        _ => {
            eprintln!("skipping an object-store test: TECHEX_TEST_S3_URL is not set (scripts/test starts moto)");
            None
        }
    }
}

/// A bucket of the test's own at the S3 server.
struct Bucket {
    server: String,
    name: String,
}

impl Bucket {
    async fn create(server: &str) -> Bucket {
        let name = format!("techex-{}", Uuid::now_v7().simple());
        let response =
            reqwest::Client::new().put(format!("{server}/{name}")).send().await.unwrap_or_else(|error| {
                panic!("the S3 server at {server} (TECHEX_TEST_S3_URL) is not reachable: {error}")
            });
        assert!(response.status().is_success(), "creating bucket {name}: {}", response.status());
        Bucket { server: server.to_string(), name }
    }

    fn url(&self) -> String {
        format!("s3://{}/documents", self.name)
    }

    /// The store's settings, reaching the server at `endpoint`.
    fn settings_via(&self, endpoint: &str) -> StoreSettings {
        StoreSettings {
            url: Some(self.url()),
            s3_endpoint: Some(endpoint.to_string()),
            s3_region: Some("us-east-1".into()),
            s3_access_key_id: Some("techex-test".into()),
            s3_secret_access_key: Some("techex-test-secret".into()),
            s3_allow_http: true,
        }
    }

    fn settings(&self) -> StoreSettings {
        self.settings_via(&self.server)
    }

    fn store(&self) -> BlobStore {
        BlobStore::open(&self.settings(), std::path::Path::new("/nonexistent")).expect("the bucket's store")
    }

    /// The bucket itself, without techex's checks: to read an object as stored and to
    /// overwrite it.
    fn raw(&self) -> object_store::aws::AmazonS3 {
        object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&self.name)
            .with_endpoint(&self.server)
            .with_region("us-east-1")
            .with_access_key_id("techex-test")
            .with_secret_access_key("techex-test-secret")
            .with_allow_http(true)
            .build()
            .expect("the raw bucket")
    }

    async fn raw_get(&self, sha256: &str) -> Option<Vec<u8>> {
        use object_store::ObjectStore;
        let found = self.raw().get(&object_key(sha256)).await.ok()?;
        Some(found.bytes().await.expect("object bytes").to_vec())
    }

    async fn raw_put(&self, sha256: &str, bytes: Vec<u8>) {
        use object_store::ObjectStore;
        self.raw().put(&object_key(sha256), bytes.into()).await.expect("overwrite the object");
    }
}

/// Where techex keeps a blob in the bucket: under the URL's prefix, `ab/ab…`.
fn object_key(sha256: &str) -> object_store::path::Path {
    object_store::path::Path::from(format!("documents/{}/{sha256}", &sha256[..2]))
}

/// A TCP relay in front of the S3 server that can be stopped: the store going down
/// while the servers keep running.
struct Relay {
    address: String,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn start(server: &str) -> Relay {
        let target = url::Url::parse(server)
            .ok()
            .and_then(|u| u.socket_addrs(|| None).ok())
            .and_then(|a| a.first().copied())
            .expect("the S3 server's address");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the relay");
        let address = format!("http://{}", listener.local_addr().expect("relay address"));
        let task = tokio::spawn(async move {
            // Dropping the set (when the task is aborted) closes every relayed connection.
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Relay { address, task }
    }

    /// Closes the listening socket and every open connection: connections are refused.
    async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

fn pdf_with(marker: &str) -> Vec<u8> {
    let mut bytes = PDF.to_vec();
    bytes.extend_from_slice(format!("% {marker}\n").as_bytes());
    bytes
}

async fn upload_document(app: &TestApp, achievement: &str, bytes: Vec<u8>, language: &str) -> Reply {
    let path = format!("/api/v1/achievements/{achievement}/documents");
    let part = Part::bytes(bytes).file_name("说明书.pdf").mime_str("application/pdf").expect("mime");
    let form = Form::new().part("file", part).text("tier", "public");
    let request = app
        .request_without_language(Method::POST, &path, Some(&app.seller))
        .header("Accept-Language", language)
        .multipart(form);
    app.send(Method::POST, &path, request).await
}

async fn upload_attachment(app: &TestApp, deal: &str, bytes: Vec<u8>) -> Reply {
    let path = format!("/api/v1/deals/{deal}/attachments");
    let part = Part::bytes(bytes).file_name("报价.pdf").mime_str("application/pdf").expect("mime");
    let request = app.request(Method::POST, &path, Some(&app.buyer)).multipart(Form::new().part("file", part));
    app.send(Method::POST, &path, request).await
}

async fn download(client: &reqwest::Client, address: &str, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = client.get(format!("{address}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("download")
}

async fn document_rows(app: &TestApp, achievement: &str) -> u64 {
    use techex_listings::entities::document;
    let id = Uuid::parse_str(achievement).expect("uuid");
    document::Entity::find().filter(document::Column::AchievementId.eq(id)).count(&app.db).await.expect("count")
}

async fn attachment_rows(app: &TestApp, deal: &str) -> u64 {
    use techex_negotiation::entities::attachment;
    let id = Uuid::parse_str(deal).expect("uuid");
    attachment::Entity::find().filter(attachment::Column::DealId.eq(id)).count(&app.db).await.expect("count")
}

async fn open_deal(app: &TestApp, achievement: &str) -> String {
    app.post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "?"}))
        .await
        .expect(201)
        .id()
}

#[tokio::test]
async fn a_document_uploaded_through_one_server_downloads_through_another() {
    let Some(server) = s3_server() else { return };
    let bucket = Bucket::create(&server).await;
    let settings = bucket.settings();
    let app = spawn_app_with(|config| config.documents = bucket.settings()).await;
    let (peer, _peer) = app.spawn_peer_with(|config| config.documents = settings).await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;

    let bytes = pdf_with("two servers");
    let uploaded = upload_document(&app, &achievement, bytes.clone(), "en").await.expect(201);
    let sha256 = uploaded.body["sha256"].as_str().expect("sha256").to_string();
    assert_eq!(sha256, content_hash(&bytes));
    assert_eq!(bucket.raw_get(&sha256).await, Some(bytes.clone()), "the bytes are in the bucket");
    assert!(!app.data_dir.path().join("documents").join(&sha256[..2]).join(&sha256).exists(), "not on local disk");

    let through_peer = download(&app.client, &peer, &format!("/api/v1/documents/{}", uploaded.id()), None).await;
    assert_eq!(through_peer.status(), 200);
    assert_eq!(through_peer.headers()["etag"], format!("\"{sha256}\"").as_str());
    assert_eq!(through_peer.bytes().await.expect("bytes").as_ref(), bytes.as_slice(), "byte-identical");

    // A deal attachment goes the same way.
    let deal = open_deal(&app, &achievement).await;
    let attachment_bytes = pdf_with("attachment");
    let attached = upload_attachment(&app, &deal, attachment_bytes.clone()).await.expect(201);
    let path = format!("/api/v1/deals/{deal}/attachments/{}", attached.id());
    let attachment = download(&app.client, &peer, &path, Some(&app.seller.token)).await;
    assert_eq!(attachment.status(), 200);
    assert_eq!(attachment.bytes().await.expect("bytes").as_ref(), attachment_bytes.as_slice());
}

#[tokio::test]
async fn with_the_store_stopped_an_upload_answers_503_and_leaves_no_row() {
    let Some(server) = s3_server() else { return };
    let bucket = Bucket::create(&server).await;
    let relay = Relay::start(&server).await;
    let settings = bucket.settings_via(&relay.address);
    let app = spawn_app_with(|config| config.documents = settings).await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let deal = open_deal(&app, &achievement).await;
    let kept = upload_document(&app, &achievement, pdf_with("before the outage"), "en").await.expect(201);
    assert_eq!(document_rows(&app, &achievement).await, 1);

    relay.stop().await;
    let started = Instant::now();
    let refused = upload_document(&app, &achievement, pdf_with("during the outage"), "en")
        .await
        .expect_problem(503, "unavailable");
    assert!(started.elapsed() < Duration::from_secs(30), "answered promptly: {:?}", started.elapsed());
    assert!(refused.body["detail"].as_str().unwrap_or("").contains("document store"), "{}", refused.body);
    let chinese = upload_document(&app, &achievement, pdf_with("during the outage"), "zh-CN")
        .await
        .expect_problem(503, "unavailable");
    assert!(chinese.body["detail"].as_str().unwrap_or("").contains("文档存储"), "{}", chinese.body);
    assert_eq!(document_rows(&app, &achievement).await, 1, "no row for bytes that were not stored");

    upload_attachment(&app, &deal, pdf_with("attachment during the outage")).await.expect_problem(503, "unavailable");
    assert_eq!(attachment_rows(&app, &deal).await, 0);

    // What was stored before stays listed; its bytes cannot be read while the store is down.
    let listed = app.get(&format!("/api/v1/achievements/{achievement}/documents"), None).await.expect(200);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    app.get(&format!("/api/v1/documents/{}", kept.id()), None).await.expect_problem(503, "unavailable");
}

#[tokio::test]
async fn the_orphan_sweep_deletes_what_no_row_names_and_keeps_what_one_does() {
    let Some(server) = s3_server() else { return };
    let bucket = Bucket::create(&server).await;
    let app = spawn_app_with(|config| {
        config.documents = bucket.settings();
        // The test sweeps by hand.
        config.documents_sweep_secs = 0;
    })
    .await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let named = upload_document(&app, &achievement, pdf_with("named"), "en").await.expect(201);
    let named_sha = named.body["sha256"].as_str().expect("sha256").to_string();
    // Bytes whose row never committed, as an upload that failed after storing them leaves.
    let store = bucket.store();
    let orphan = pdf_with("orphan");
    let orphan_sha = content_hash(&orphan);
    store.put(&orphan_sha, Bytes::from(orphan)).await.expect("put the orphan");

    let sweep = |grace: chrono::Duration, now: chrono::DateTime<chrono::Utc>| {
        techex_negotiation::orphans::sweep(&app.db, &store, grace, now)
    };
    let within_grace = sweep(chrono::Duration::hours(1), chrono::Utc::now()).await.expect("sweep");
    assert_eq!((within_grace.named, within_grace.young, within_grace.deleted), (1, 1, 0));
    assert!(store.exists(&orphan_sha).await.expect("exists"), "a young orphan may be an upload in flight");

    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    let past_grace = sweep(chrono::Duration::hours(1), later).await.expect("sweep");
    assert_eq!((past_grace.named, past_grace.deleted), (1, 1));
    assert!(!store.exists(&orphan_sha).await.expect("exists"), "the orphan is gone");
    assert!(store.exists(&named_sha).await.expect("exists"), "a named blob stays");
    let still = download(&app.client, &app.address, &format!("/api/v1/documents/{}", named.id()), None).await;
    assert_eq!(still.status(), 200);

    // `techex documents sweep` does the same from the command line.
    let another = pdf_with("another orphan");
    let another_sha = content_hash(&another);
    store.put(&another_sha, Bytes::from(another)).await.expect("put");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let output = techex_command(&app, &bucket).args(["documents", "sweep", "--grace-secs", "0"]).output().expect("run");
    assert!(output.status.success(), "sweep failed: {}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("1 deleted"), "{printed}");
    assert!(!store.exists(&another_sha).await.expect("exists"));
    assert!(store.exists(&named_sha).await.expect("exists"));
}

#[tokio::test]
async fn a_tampered_object_is_never_served() {
    let Some(server) = s3_server() else { return };
    let bucket = Bucket::create(&server).await;
    let app = spawn_app_with(|config| config.documents = bucket.settings()).await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let bytes = pdf_with("tamper with me");
    let uploaded = upload_document(&app, &achievement, bytes.clone(), "en").await.expect(201);
    let sha256 = uploaded.body["sha256"].as_str().expect("sha256").to_string();
    let path = format!("/api/v1/documents/{}", uploaded.id());

    bucket.raw_put(&sha256, pdf_with("tampered")).await;
    let refused = app.get(&path, None).await.expect_problem(500, "internal");
    assert!(!refused.body.to_string().contains(&sha256), "nothing internal in the body: {}", refused.body);

    // Uploading the true bytes again rewrites the object, and it is served again.
    upload_document(&app, &achievement, bytes.clone(), "en").await.expect(201);
    let served = download(&app.client, &app.address, &path, None).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn a_tampered_file_in_the_local_directory_is_never_served() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let bytes = pdf_with("local");
    let uploaded = upload_document(&app, &achievement, bytes.clone(), "en").await.expect(201);
    let sha256 = uploaded.body["sha256"].as_str().expect("sha256").to_string();
    let file = app.data_dir.path().join("documents").join(&sha256[..2]).join(&sha256);
    assert_eq!(std::fs::read(&file).expect("the file keeps the old layout"), bytes);
    let path = format!("/api/v1/documents/{}", uploaded.id());

    std::fs::write(&file, pdf_with("tampered")).expect("tamper");
    app.get(&path, None).await.expect_problem(500, "internal");
    std::fs::remove_file(&file).expect("remove");
    app.get(&path, None).await.expect_problem(500, "internal");

    std::fs::write(&file, &bytes).expect("restore");
    let served = download(&app.client, &app.address, &path, None).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), bytes.as_slice());
}

/// The `techex` binary on the test server's database and data directory, with the
/// bucket's S3 settings in its environment.
fn techex_command(app: &TestApp, bucket: &Bucket) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_techex"));
    command
        .env("TECHEX_DATA_DIR", app.data_dir.path())
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .env("TECHEX_DOCUMENTS_URL", bucket.url())
        .env("TECHEX_DOCUMENTS_S3_ENDPOINT", &bucket.server)
        .env("TECHEX_DOCUMENTS_S3_REGION", "us-east-1")
        .env("TECHEX_DOCUMENTS_S3_ACCESS_KEY_ID", "techex-test")
        .env("TECHEX_DOCUMENTS_S3_SECRET_ACCESS_KEY", "techex-test-secret")
        .env("TECHEX_DOCUMENTS_S3_ALLOW_HTTP", "true");
    command
}

#[tokio::test]
async fn migrate_copies_the_local_directory_into_the_bucket_once() {
    let Some(server) = s3_server() else { return };
    let bucket = Bucket::create(&server).await;
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let bytes = pdf_with("migrated");
    let uploaded = upload_document(&app, &achievement, bytes.clone(), "en").await.expect(201);

    let first = techex_command(&app, &bucket).args(["documents", "migrate"]).output().expect("run");
    assert!(first.status.success(), "migrate failed: {}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("1 blob(s) copied, 0 already there, 0 failed"));
    let again = techex_command(&app, &bucket).args(["documents", "migrate"]).output().expect("run");
    assert!(again.status.success(), "migrate failed: {}", String::from_utf8_lossy(&again.stderr));
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 blob(s) copied, 1 already there, 0 failed"));

    let (peer, _peer) = app.spawn_peer_with(|config| config.documents = bucket.settings()).await;
    let through_peer = download(&app.client, &peer, &format!("/api/v1/documents/{}", uploaded.id()), None).await;
    assert_eq!(through_peer.status(), 200);
    assert_eq!(through_peer.bytes().await.expect("bytes").as_ref(), bytes.as_slice());
}
