//! Starting the real server for a test: a fresh database (SQLite file, or a PostgreSQL
//! database created for the test when `TECHEX_TEST_DATABASE=postgres`), port 0, and
//! a small world of organizations and accounts to act with.

use crate::conformance::OpenApiDocument;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use techex::bootstrap::{NewOrganization, add_member, organization_with_member};
use techex::scratch::ScratchDatabase;
use techex_core::domain::OrgKind;
use techex_core::{CreditCode, Role};
use techex_server::{Application, Config};
use uuid::Uuid;

pub const PASSWORD: &str = "correct-horse-42";

/// How long a test waits for something asynchronous (the indexer, a sweeper, a webhook)
/// before it fails: a backstop that only a broken server reaches, never a busy machine.
/// Every wait polls the condition itself and returns as soon as it holds.
pub const BACKSTOP: std::time::Duration = std::time::Duration::from_secs(90);

/// The signing secret of the test servers' Stripe webhook endpoint.
pub const WEBHOOK_SECRET: &str = "whsec_techex_test";

/// localstripe's address (scripts/test starts it).
pub fn stripe_url() -> String {
    std::env::var("TECHEX_TEST_STRIPE_URL").unwrap_or_else(|_| "http://127.0.0.1:8420".into())
}

/// Which database the suite runs against, from `TECHEX_TEST_DATABASE`.
pub fn backend() -> &'static str {
    match std::env::var("TECHEX_TEST_DATABASE").as_deref() {
        Ok("postgres") | Ok("postgresql") => "postgres",
        _ => "sqlite",
    }
}

fn postgres_server_url() -> String {
    std::env::var("TECHEX_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A signed-in test account.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub token: String,
    pub user_id: Uuid,
    pub organization_id: Uuid,
}

pub struct TestApp {
    pub address: String,
    /// The database URL (for a second server on the same database).
    pub database_url: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    /// The server's search index (to drive it by hand when `follow_outbox` is off).
    pub search: techex_search::SearchService,
    pub data_dir: tempfile::TempDir,
    pub admin: Account,
    pub reviewer: Account,
    pub registrar: Account,
    pub seller: Account,
    pub seller_colleague: Account,
    pub other_seller: Account,
    pub buyer: Account,
    pub unverified: Account,
    /// A second enterprise.
    pub buyer2: Account,
    /// A certified broker of a broker agency.
    pub broker: Account,
    /// A second certified broker of the same agency.
    pub broker2: Account,
    scratch: ScratchDatabase,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// The server's OpenAPI document, read on the first answer to check.
    openapi: tokio::sync::OnceCell<OpenApiDocument>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        let scratch = self.scratch.clone();
        // Drop the PostgreSQL database from a thread of its own: Drop cannot await.
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                let _ = runtime.block_on(scratch.drop_database());
            }
        })
        .join();
    }
}

/// A second server on the same database; stops when dropped.
pub struct Peer {
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    _data_dir: tempfile::TempDir,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn code(prefix: &str) -> String {
    CreditCode::from_prefix(prefix).map(|c| c.to_string()).unwrap_or_default()
}

/// Starts a server with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server after letting the test adjust the configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    // `RUST_LOG=debug cargo test …` shows the server's logs of a failing test.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let data_dir = tempfile::tempdir().expect("temporary directory");
    let scratch = match backend() {
        "postgres" => ScratchDatabase::postgres(&postgres_server_url(), "techex_test").await.unwrap_or_else(|error| {
            panic!(
                "TECHEX_TEST_DATABASE=postgres but PostgreSQL is unreachable at {}: {error:#}. \
                 Start it (scripts/test does) or run the SQLite suite.",
                postgres_server_url()
            )
        }),
        _ => ScratchDatabase::sqlite(data_dir.path()),
    };
    let mut config = Config::with_data_dir(data_dir.path().to_path_buf());
    config.database_url = scratch.url.clone();
    config.addr = "127.0.0.1:0".parse().expect("address");
    config.max_db_connections = 5;
    config.deadline_sweep_ms = 100;
    config.stripe_secret_key = Some("sk_test_techex".into());
    config.stripe_api_base = stripe_url();
    config.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
    config.stripe_publishable_key = Some("pk_test_techex".into());
    config.stripe_js_url = format!("{}/js.stripe.com/v3/", stripe_url());
    adjust(&mut config);
    let application = Application::build(config).await.expect("the application builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let db = application.state().db.clone();
    let search = application.state().search.clone();
    let world = World::create(&db).await;
    let server = tokio::spawn(application.run_with_shutdown(std::future::pending()));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let mut app = TestApp {
        address,
        database_url: scratch.url.clone(),
        client,
        db,
        search,
        data_dir,
        admin: world.admin,
        reviewer: world.reviewer,
        registrar: world.registrar,
        seller: world.seller,
        seller_colleague: world.seller_colleague,
        other_seller: world.other_seller,
        buyer: world.buyer,
        unverified: world.unverified,
        buyer2: world.buyer2,
        broker: world.broker,
        broker2: world.broker2,
        scratch,
        server,
        openapi: tokio::sync::OnceCell::new(),
    };
    for account in [
        &mut app.admin,
        &mut app.reviewer,
        &mut app.registrar,
        &mut app.seller,
        &mut app.seller_colleague,
        &mut app.other_seller,
        &mut app.buyer,
        &mut app.unverified,
        &mut app.buyer2,
        &mut app.broker,
        &mut app.broker2,
    ] {
        account.token = login_token(&app.client, &app.address, &account.email).await;
    }
    for (who, certificate) in [(app.broker.user_id, "SD-JJR-2026-0001"), (app.broker2.user_id, "SD-JJR-2026-0002")] {
        app.post(
            "/api/v1/brokers",
            Some(&app.admin),
            json!({"user_id": who, "certificate_number": certificate, "level": "senior",
                   "fields": ["new_materials", "marine"], "commission_bps": 300}),
        )
        .await
        .expect(201);
    }
    app
}

struct World {
    admin: Account,
    reviewer: Account,
    registrar: Account,
    seller: Account,
    seller_colleague: Account,
    other_seller: Account,
    buyer: Account,
    unverified: Account,
    buyer2: Account,
    broker: Account,
    broker2: Account,
}

fn account(user: &techex_listings::entities::user::Model) -> Account {
    Account { email: user.email.clone(), token: String::new(), user_id: user.id, organization_id: user.organization_id }
}

impl World {
    async fn create(db: &DatabaseConnection) -> World {
        let org = |name, kind, prefix: &'static str, email, roles: &'static [Role], verified| {
            let credit = code(prefix);
            async move {
                organization_with_member(
                    db,
                    NewOrganization {
                        name,
                        kind,
                        credit_code: &credit,
                        region: "370100",
                        verified,
                        email,
                        password: PASSWORD,
                        roles,
                    },
                )
                .await
                .expect("fixture organization")
            }
        };
        let (center, admin) = org(
            "山东省科技成果交易中心",
            OrgKind::Center,
            "12370000MB0100000",
            "admin@center.test",
            &[Role::Member, Role::PlatformAdmin],
            true,
        )
        .await;
        let reviewer =
            add_member(db, &center, "reviewer@center.test", "审核员", PASSWORD, &[Role::Member, Role::Reviewer])
                .await
                .expect("reviewer");
        let registrar =
            add_member(db, &center, "registrar@center.test", "登记员", PASSWORD, &[Role::Member, Role::Registrar])
                .await
                .expect("registrar");
        let (university, seller) = org(
            "山东大学",
            OrgKind::University,
            "12370000MB0100001",
            "seller@sdu.test",
            &[Role::Member, Role::OrgAdmin],
            true,
        )
        .await;
        let colleague = add_member(db, &university, "colleague@sdu.test", "同事", PASSWORD, &[Role::Member])
            .await
            .expect("colleague");
        let (_, other_seller) = org(
            "中国海洋大学",
            OrgKind::University,
            "12370000MB0100002",
            "seller@ouc.test",
            &[Role::Member, Role::OrgAdmin],
            true,
        )
        .await;
        let (_, buyer) = org(
            "潍坊海科新材料有限公司",
            OrgKind::Enterprise,
            "91370700MA0100003",
            "buyer@haike.test",
            &[Role::Member, Role::OrgAdmin],
            true,
        )
        .await;
        let (_, unverified) = org(
            "未认证研究院",
            OrgKind::ResearchInstitute,
            "12370000MB0100004",
            "member@new.test",
            &[Role::Member, Role::OrgAdmin],
            false,
        )
        .await;
        let (_, buyer2) = org(
            "青岛蓝海装备有限公司",
            OrgKind::Enterprise,
            "91370200MA0100005",
            "buyer@lanhai.test",
            &[Role::Member, Role::OrgAdmin],
            true,
        )
        .await;
        let (agency, broker) = org(
            "山东技术经纪服务中心",
            OrgKind::BrokerAgency,
            "91370100MA0100006",
            "broker@agency.test",
            &[Role::Member],
            true,
        )
        .await;
        let broker2 = add_member(db, &agency, "broker2@agency.test", "经纪人乙", PASSWORD, &[Role::Member])
            .await
            .expect("second broker");
        World {
            buyer2: account(&buyer2),
            broker: account(&broker),
            broker2: account(&broker2),
            admin: account(&admin),
            reviewer: account(&reviewer),
            registrar: account(&registrar),
            seller: account(&seller),
            seller_colleague: account(&colleague),
            other_seller: account(&other_seller),
            buyer: account(&buyer),
            unverified: account(&unverified),
        }
    }
}

async fn login_token(client: &reqwest::Client, address: &str, email: &str) -> String {
    let response = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login request");
    assert_eq!(response.status(), StatusCode::OK, "fixture login of {email}");
    let body: Value = response.json().await.expect("login body");
    body["token"].as_str().expect("token").to_string()
}

/// A response with its status, headers and JSON body read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub async fn from(response: Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, headers, body }
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        self
    }

    /// Asserts a problem+json error with this status and code.
    #[track_caller]
    pub fn expect_problem(self, status: u16, code: &str) -> Reply {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        let content_type = self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(content_type, "application/problem+json", "problem content type; body: {}", self.body);
        assert_eq!(self.body["code"], code, "problem code; body: {}", self.body);
        assert_eq!(self.body["type"], format!("/problems/{code}"));
        assert_eq!(self.body["status"], status);
        self
    }

    /// The names of the fields a validation problem lists.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_else(|| panic!("no id in {}", self.body)).to_string()
    }

    pub fn version(&self) -> i64 {
        self.body["version"].as_i64().unwrap_or_else(|| panic!("no version in {}", self.body))
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request as an API client in English sends it (the suite's assertions quote the
    /// English texts); the pages keep their own language rules.
    pub fn request(&self, method: Method, path: &str, who: Option<&Account>) -> RequestBuilder {
        let builder = self.request_without_language(method, path, who);
        if path.starts_with("/api/") { builder.header("Accept-Language", "en") } else { builder }
    }

    /// A request that names no language unless the caller adds `Accept-Language`.
    pub fn request_without_language(&self, method: Method, path: &str, who: Option<&Account>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match who {
            Some(account) => builder.bearer_auth(&account.token),
            None => builder,
        }
    }

    /// The server's OpenAPI document.
    pub async fn openapi(&self) -> &OpenApiDocument {
        self.openapi
            .get_or_init(|| async {
                let response = self.client.get(self.url("/api/openapi.json")).send().await.expect("openapi request");
                assert_eq!(response.status(), StatusCode::OK, "the OpenAPI document is served");
                OpenApiDocument::new(response.json().await.expect("the OpenAPI document is JSON"))
            })
            .await
    }

    /// Sends a request and reads the answer, which must be one the OpenAPI document
    /// promises for the operation (so every test of the suite checks the document).
    pub async fn send(&self, method: Method, path: &str, request: RequestBuilder) -> Reply {
        let reply = Reply::from(request.send().await.expect("request")).await;
        let content_type = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        if let Err(mismatch) = self.openapi().await.check(method.as_str(), path, reply.status.as_u16(), content_type) {
            panic!("the answer disagrees with the OpenAPI document: {mismatch}; body: {}", reply.body);
        }
        reply
    }

    pub async fn get(&self, path: &str, who: Option<&Account>) -> Reply {
        self.send(Method::GET, path, self.request(Method::GET, path, who)).await
    }

    pub async fn post(&self, path: &str, who: Option<&Account>, body: Value) -> Reply {
        self.send(Method::POST, path, self.request(Method::POST, path, who).json(&body)).await
    }

    pub async fn put(&self, path: &str, who: &Account, body: Value) -> Reply {
        self.send(Method::PUT, path, self.request(Method::PUT, path, Some(who)).json(&body)).await
    }

    pub async fn post_empty(&self, path: &str, who: Option<&Account>) -> Reply {
        self.send(Method::POST, path, self.request(Method::POST, path, who)).await
    }

    pub async fn post_if_match(&self, path: &str, who: &Account, version: i64, body: Option<Value>) -> Reply {
        let mut request = self.request(Method::POST, path, Some(who)).header("If-Match", format!("\"{version}\""));
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(Method::POST, path, request).await
    }

    pub async fn patch(&self, path: &str, who: &Account, version: Option<i64>, body: Value) -> Reply {
        let mut request = self.request(Method::PATCH, path, Some(who)).json(&body);
        if let Some(version) = version {
            request = request.header("If-Match", format!("\"{version}\""));
        }
        self.send(Method::PATCH, path, request).await
    }

    pub async fn delete(&self, path: &str, who: &Account) -> Reply {
        self.send(Method::DELETE, path, self.request(Method::DELETE, path, Some(who))).await
    }

    /// Creates a complete draft achievement for `who`; returns its id.
    pub async fn draft_achievement(&self, who: &Account, overrides: Value) -> String {
        let mut body = achievement_body();
        if let (Some(target), Some(extra)) = (body.as_object_mut(), overrides.as_object()) {
            for (key, value) in extra {
                target.insert(key.clone(), value.clone());
            }
        }
        self.post("/api/v1/achievements", Some(who), body).await.expect(201).id()
    }

    /// Publishes an achievement built on a neutral body (see `plain_body`); returns its id.
    pub async fn publish_plain(&self, who: &Account, overrides: Value) -> String {
        let mut body = plain_body();
        if let (Some(target), Some(extra)) = (body.as_object_mut(), overrides.as_object()) {
            for (key, value) in extra {
                target.insert(key.clone(), value.clone());
            }
        }
        let id = self.post("/api/v1/achievements", Some(who), body).await.expect(201).id();
        self.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(who)).await.expect(200);
        self.post_empty(&format!("/api/v1/achievements/{id}/approve"), Some(&self.reviewer)).await.expect(200);
        id
    }

    /// Creates, submits and approves an achievement; returns its id.
    pub async fn published_achievement(&self, who: &Account, overrides: Value) -> String {
        let id = self.draft_achievement(who, overrides).await;
        self.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(who)).await.expect(200);
        self.post_empty(&format!("/api/v1/achievements/{id}/approve"), Some(&self.reviewer)).await.expect(200);
        id
    }

    /// Starts a second server on the same database, with a search index of its own, as
    /// another process behind the load balancer would be. Returns its address and a
    /// handle that stops it when dropped.
    pub async fn spawn_peer(&self) -> (String, Peer) {
        self.spawn_peer_with(|_| {}).await
    }

    /// A second server on the same database, after letting the test adjust its
    /// configuration (its document store, say).
    pub async fn spawn_peer_with(&self, adjust: impl FnOnce(&mut Config)) -> (String, Peer) {
        let data_dir = tempfile::tempdir().expect("temporary directory");
        let mut config = Config::with_data_dir(data_dir.path().to_path_buf());
        config.database_url = self.database_url.clone();
        config.addr = "127.0.0.1:0".parse().expect("address");
        config.max_db_connections = 5;
        adjust(&mut config);
        let application = Application::build(config).await.expect("the peer builds");
        let address = format!("http://127.0.0.1:{}", application.port());
        let server = tokio::spawn(application.run_with_shutdown(std::future::pending()));
        (address, Peer { server, _data_dir: data_dir })
    }

    /// Waits until this server's search index has applied every outbox row.
    pub async fn wait_indexed(&self) {
        let started = std::time::Instant::now();
        loop {
            let status = self.get("/api/v1/search/status", None).await.expect(200);
            if status.body["lag"] == 0 {
                return;
            }
            assert!(started.elapsed() < BACKSTOP, "the index did not catch up: {}", status.body);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Searches and returns the reply.
    pub async fn search(&self, query: &str) -> Reply {
        self.get(&format!("/api/v1/search?{query}"), None).await
    }

    /// The ids of the hits of a search that must succeed.
    pub async fn search_ids(&self, query: &str) -> Vec<String> {
        let reply = self.search(query).await.expect(200);
        reply.body["hits"]
            .as_array()
            .map(|h| h.iter().filter_map(|x| x["id"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    /// An open-licence declaration on the declared `terms` of a fresh granted patent of the
    /// seller, published by the center; its id.
    pub async fn published_open_licence(&self, terms: serde_json::Value) -> String {
        let patent = self.published_achievement(&self.seller, json!({"patent_granted": true, "inventors": []})).await;
        let declared = self
            .post(&format!("/api/v1/achievements/{patent}/open-licence"), Some(&self.seller), terms)
            .await
            .expect(201);
        let id = declared.id();
        self.post_if_match(&format!("/api/v1/open-licences/{id}/approve"), &self.reviewer, declared.version(), None)
            .await
            .expect(200);
        id
    }

    /// A contract's canonical text (`GET /contracts/{id}/document?format=text`) as `who`
    /// reads it.
    pub async fn contract_text(&self, contract: &str, who: &Account) -> String {
        self.request(reqwest::Method::GET, &format!("/api/v1/contracts/{contract}/document?format=text"), Some(who))
            .send()
            .await
            .expect("the contract's text")
            .text()
            .await
            .unwrap_or_default()
    }

    /// Moves a contract's signature back to `day` (09:00 UTC), as if it had run since then:
    /// a running royalty's periods count from it.
    pub async fn backdate_signature(&self, contract: &str, day: chrono::NaiveDate) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        use techex_contracts::entities::contract;
        let at = day.and_hms_opt(9, 0, 0).expect("time").and_utc();
        contract::Entity::update_many()
            .col_expr(contract::Column::SignedAt, Expr::value(at))
            .filter(contract::Column::Id.eq(Uuid::parse_str(contract).expect("contract id")))
            .exec(&self.db)
            .await
            .expect("backdate the contract");
    }

    /// Counts the audit entries of an entity, straight from the database.
    pub async fn audit_count(&self, entity_id: &str) -> u64 {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        use techex_listings::entities::audit_log;
        let id = Uuid::parse_str(entity_id).expect("uuid");
        audit_log::Entity::find().filter(audit_log::Column::EntityId.eq(id)).count(&self.db).await.expect("count")
    }
}

/// A complete achievement body (a valid invention patent), unique per call.
pub fn achievement_body() -> Value {
    json!({
        "title_zh": "一种基于深度学习的海水淡化膜材料制备方法",
        "title_en": "Preparation of a desalination membrane material guided by deep learning",
        "summary_zh": "通量提高35%的抗污染反渗透膜",
        "abstract_zh": "本发明公开了一种高通量、抗污染的反渗透膜材料及其制备方法。",
        "abstract_en": "A high-flux, fouling-resistant reverse-osmosis membrane and its preparation.",
        "description_zh": "详细技术方案：界面聚合工艺参数……",
        "advantage_zh": "与传统反渗透膜相比，通量提高35%，能耗降低20%",
        "application_scenarios": ["海水淡化", "工业废水回用"],
        "kind": "invention_patent",
        "patent_number": unique_patent_number(),
        "ipc_codes": ["C02F 1/44", "b01d69/12"],
        "field": "new_materials",
        "maturity": "pilot",
        "trl": 6,
        "transaction_modes": ["assignment", "exclusive_license"],
        "asking_price_minor": 50_000_000,
        "floor_price_minor": 30_000_000,
        "inventors": ["张伟", "李娜"],
        "keywords": ["海水淡化", "反渗透膜", "desalination"],
    })
}

/// A complete achievement whose only words are the ones a search test gives it: a
/// technical secret (no patent number needed) with a neutral abstract.
pub fn plain_body() -> Value {
    json!({
        "title_zh": "未命名",
        "abstract_zh": "样品",
        "kind": "technical_secret",
        "field": "other",
        "maturity": "pilot",
        "trl": 6,
        "transaction_modes": ["assignment"],
        "asking_price_minor": 1_000_000,
    })
}

/// A valid invention patent application number not used before in this process.
pub fn unique_patent_number() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let serial = NEXT.fetch_add(1, Ordering::Relaxed) + (std::process::id() % 1000) * 1000;
    techex_core::PatentNumber::from_digits(&format!("20221{serial:07}")).expect("valid").application_number()
}
