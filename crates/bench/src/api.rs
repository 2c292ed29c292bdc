//! `techex-bench api`: publish-and-read throughput of the API on SQLite and PostgreSQL,
//! each against a baseline measured in the same run on the same database: raw
//! sea-orm inserts and primary-key reads without HTTP, authorization, audit or outbox.
//! The ratios say what the workflow and the HTTP edge cost.

use anyhow::{Context, bail};
use clap::Args;
use futures::StreamExt;
use sea_orm::{ActiveModelTrait, EntityTrait};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use techex::bootstrap::{NewOrganization, organization_with_member};
use techex::scratch::ScratchDatabase;
use techex_core::domain::OrgKind;
use techex_core::{Role, new_id};
use techex_listings::entities::achievement;
use techex_server::{Application, Config};

/// `techex-bench api`: publish-and-read throughput of the API.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Achievements to publish per backend.
    #[arg(long, default_value_t = 300)]
    pub achievements: usize,
    /// Reads per backend.
    #[arg(long, default_value_t = 3000)]
    pub reads: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// PostgreSQL server to measure (a scratch database is created and dropped).
    #[arg(long, env = "TECHEX_BENCH_POSTGRES", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub postgres: String,
    /// Skip PostgreSQL.
    #[arg(long)]
    pub sqlite_only: bool,
}

/// Latency and throughput of one measured phase.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub operations: usize,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

impl Measurement {
    fn from_samples(mut samples: Vec<Duration>, elapsed: Duration) -> Measurement {
        samples.sort();
        let at = |q: f64| {
            samples
                .get(((samples.len() as f64 * q) as usize).min(samples.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        Measurement { operations: samples.len(), elapsed, p50: at(0.50), p99: at(0.99) }
    }

    pub fn per_second(&self) -> f64 {
        self.operations as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The four measurements of one backend.
#[derive(Debug, Clone)]
pub struct BackendReport {
    pub backend: &'static str,
    pub publish: Measurement,
    pub raw_insert: Measurement,
    pub read: Measurement,
    pub raw_read: Measurement,
}

async fn expect_ok(response: reqwest::Response) -> anyhow::Result<Value> {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("unexpected {status}: {body}");
    }
    Ok(body)
}

async fn login(client: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<String> {
    let body = expect_ok(
        client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": "bench-password-1"}))
            .send()
            .await?,
    )
    .await?;
    body["token"].as_str().map(str::to_string).context("login returned no token")
}

fn achievement_body(index: usize) -> Value {
    json!({
        "title_zh": format!("一种基于深度学习的海水淡化膜材料制备方法（基准 {index}）"),
        "title_en": format!("Deep-learning-guided desalination membrane, benchmark {index}"),
        "abstract_zh": "本发明公开了一种高通量、抗污染的反渗透膜材料及其制备方法，适用于海水淡化与工业废水回用。",
        "kind": "technical_secret",
        "field": "new_materials",
        "maturity": "pilot",
        "trl": 6,
        "transaction_modes": ["assignment", "exclusive_license"],
        "asking_price_minor": 50_000_000 + index as i64,
        "keywords": ["海水淡化", "反渗透膜", "desalination"],
    })
}

/// Runs the benchmark on one backend.
pub async fn measure(
    database_url: &str,
    data_dir: &std::path::Path,
    args: &BenchArgs,
    backend: &'static str,
) -> anyhow::Result<BackendReport> {
    let mut config = Config::with_data_dir(data_dir.to_path_buf());
    config.database_url = database_url.to_string();
    config.addr = "127.0.0.1:0".parse()?;
    config.max_db_connections = (args.concurrency as u32 + 2).max(5);
    let application = Application::build(config).await?;
    let base = format!("http://127.0.0.1:{}", application.port());
    let db = application.state().db.clone();
    let center_code =
        techex_core::CreditCode::from_prefix("12370000MB0000000").map_err(|e| anyhow::anyhow!(e))?.to_string();
    let university_code =
        techex_core::CreditCode::from_prefix("12370000MB0000001").map_err(|e| anyhow::anyhow!(e))?.to_string();
    organization_with_member(
        &db,
        NewOrganization {
            name: "基准测试交易中心",
            kind: OrgKind::Center,
            credit_code: &center_code,
            region: "370100",
            verified: true,
            email: "reviewer@bench.local",
            password: "bench-password-1",
            roles: &[Role::Member, Role::Reviewer],
        },
    )
    .await?;
    let (university, seller_user) = organization_with_member(
        &db,
        NewOrganization {
            name: "基准测试大学",
            kind: OrgKind::University,
            credit_code: &university_code,
            region: "370100",
            verified: true,
            email: "seller@bench.local",
            password: "bench-password-1",
            roles: &[Role::Member, Role::OrgAdmin],
        },
    )
    .await?;
    let server = tokio::spawn(application.run_with_shutdown(std::future::pending()));
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency * 2).build()?;
    let seller = login(&client, &base, "seller@bench.local").await?;
    let reviewer = login(&client, &base, "reviewer@bench.local").await?;

    let progress = crate::bar(args.achievements as u64, &format!("{backend}: publishing"));
    let started = Instant::now();
    let results: Vec<anyhow::Result<(String, Duration)>> = futures::stream::iter(0..args.achievements)
        .map(|index| {
            let (client, base, seller, reviewer, progress) =
                (client.clone(), base.clone(), seller.clone(), reviewer.clone(), progress.clone());
            async move {
                let began = Instant::now();
                let created = expect_ok(
                    client
                        .post(format!("{base}/api/v1/achievements"))
                        .bearer_auth(&seller)
                        .json(&achievement_body(index))
                        .send()
                        .await?,
                )
                .await?;
                let id = created["id"].as_str().context("no id")?.to_string();
                expect_ok(
                    client.post(format!("{base}/api/v1/achievements/{id}/submit")).bearer_auth(&seller).send().await?,
                )
                .await?;
                expect_ok(
                    client
                        .post(format!("{base}/api/v1/achievements/{id}/approve"))
                        .bearer_auth(&reviewer)
                        .send()
                        .await?,
                )
                .await?;
                progress.inc(1);
                Ok((id, began.elapsed()))
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    let publish_elapsed = started.elapsed();
    progress.finish_and_clear();
    let mut ids = Vec::new();
    let mut samples = Vec::new();
    for result in results {
        let (id, latency) = result?;
        ids.push(id);
        samples.push(latency);
    }
    let publish = Measurement::from_samples(samples, publish_elapsed);

    let progress = crate::bar(args.reads as u64, &format!("{backend}: reading"));
    let started = Instant::now();
    let results: Vec<anyhow::Result<Duration>> = futures::stream::iter(0..args.reads)
        .map(|index| {
            let (client, base, progress) = (client.clone(), base.clone(), progress.clone());
            let id = ids[(index * 7919) % ids.len().max(1)].clone();
            async move {
                let began = Instant::now();
                let body = expect_ok(client.get(format!("{base}/api/v1/achievements/{id}")).send().await?).await?;
                if body["status"] != "published" {
                    bail!("read an unpublished achievement: {body}");
                }
                progress.inc(1);
                Ok(began.elapsed())
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    let read_elapsed = started.elapsed();
    progress.finish_and_clear();
    let read = Measurement::from_samples(results.into_iter().collect::<anyhow::Result<Vec<_>>>()?, read_elapsed);
    server.abort();

    // Baselines on the same database: bare inserts and primary-key reads.
    let started = Instant::now();
    let mut raw_ids = Vec::new();
    let mut samples = Vec::new();
    for index in 0..args.achievements {
        let began = Instant::now();
        let id = new_id();
        achievement::ActiveModel::from(techex::bootstrap::published_achievement(
            id,
            university.id,
            seller_user.id,
            format!("基准 {index}"),
        ))
        .insert(&db)
        .await?;
        raw_ids.push(id);
        samples.push(began.elapsed());
    }
    let raw_insert = Measurement::from_samples(samples, started.elapsed());
    let started = Instant::now();
    let results: Vec<anyhow::Result<Duration>> = futures::stream::iter(0..args.reads)
        .map(|index| {
            let db = db.clone();
            let id = raw_ids[(index * 7919) % raw_ids.len().max(1)];
            async move {
                let began = Instant::now();
                achievement::Entity::find_by_id(id).one(&db).await?.context("missing row")?;
                Ok(began.elapsed())
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    let raw_read =
        Measurement::from_samples(results.into_iter().collect::<anyhow::Result<Vec<_>>>()?, started.elapsed());
    db.close().await.ok();
    Ok(BackendReport { backend, publish, raw_insert, read, raw_read })
}

fn print(report: &BackendReport) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("\n{}", report.backend);
    println!("  {:<44} {:>10} {:>10} {:>10}", "phase", "ops/s", "p50 ms", "p99 ms");
    for (name, m) in [
        ("publish via API (create+submit+approve)", &report.publish),
        ("baseline: raw insert (sea-orm, 1 client)", &report.raw_insert),
        ("read via API (GET /achievements/{id})", &report.read),
        ("baseline: raw primary-key select", &report.raw_read),
    ] {
        println!("  {:<44} {:>10.1} {:>10.2} {:>10.2}", name, m.per_second(), ms(m.p50), ms(m.p99));
    }
    println!(
        "  ratios: publish/raw-insert throughput = {:.3}; API read/raw read throughput = {:.3}",
        report.publish.per_second() / report.raw_insert.per_second().max(1e-9),
        report.read.per_second() / report.raw_read.per_second().max(1e-9)
    );
}

/// `techex-bench api`
pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    println!(
        "techex-bench api: {} achievements published and {} reads per backend, {} concurrent clients",
        args.achievements, args.reads, args.concurrency
    );
    let directory = tempfile_dir()?;
    let sqlite = ScratchDatabase::sqlite(&directory);
    let report = measure(&sqlite.url, &directory, args, "SQLite (WAL, file)").await?;
    print(&report);
    if !args.sqlite_only {
        let postgres = ScratchDatabase::postgres(&args.postgres, "techex_bench").await?;
        let outcome = measure(&postgres.url, &directory, args, "PostgreSQL").await;
        postgres.drop_database().await.ok();
        print(&outcome?);
    }
    std::fs::remove_dir_all(&directory).ok();
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("techex-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
