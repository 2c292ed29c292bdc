//! `techex bench-search`: the search benchmark on real text.
//!
//! The CSL corpus (10,000 Chinese research records) and the English texts of the demo
//! achievements are scaled up under new ids to each requested size. In the same run it
//! measures, on the same documents and the same queries:
//! - tantivy as techex serves it (the request path of `/api/v1/search`, facets and
//!   snippets included), at concurrency 1 and at the configured concurrency;
//! - PostgreSQL full-text search (tsvector + GIN, `ts_rank`) and SQLite FTS5 (`bm25`),
//!   both fed the same jieba segmentation as techex;
//! - the outbox indexer against raw tantivy indexing of the same documents;
//! - `/api/v1/search` over HTTP from a separate `techex serve` process against the
//!   in-process query time, that process's memory (RSS) and the index size on disk;
//! - relevance (nDCG@10) of jieba segmentation against character bigrams and single
//!   characters, on keyword queries judged by the records' own author keywords.

use crate::bootstrap::{NewOrganization, organization_with_member};
use crate::scratch::ScratchDatabase;
use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ConnectionTrait, Database, EntityTrait, PaginatorTrait};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use techex_core::Role;
use techex_core::domain::OrgKind;
use techex_listings::entities::{StringList, achievement, organization, outbox};
use techex_search::analysis::{self, analyze};
use techex_search::document::achievement_document;
use techex_search::query::Filters;
use techex_search::{SearchIndex, SearchRequest, Sort};
use uuid::Uuid;

#[derive(Debug, Args)]
pub struct BenchSearchArgs {
    /// The CSL corpus (JSON lines).
    #[arg(long, default_value = "../shared/corpora/csl/csl_corpus.jsonl")]
    pub corpus: PathBuf,
    /// Index sizes to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
    pub scales: Vec<usize>,
    /// Queries in the query set.
    #[arg(long, default_value_t = 400)]
    pub queries: usize,
    /// Concurrent clients for the throughput and tail-latency runs.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Documents pushed through the outbox indexer (and the same through raw tantivy).
    #[arg(long, default_value_t = 100_000)]
    pub outbox_docs: usize,
    /// PostgreSQL server for the full-text comparison (a scratch database is created).
    #[arg(long, env = "TECHEX_BENCH_POSTGRES", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub postgres: String,
    /// Skip PostgreSQL full-text search.
    #[arg(long)]
    pub skip_postgres: bool,
    /// Working directory (indexes, SQLite files) [default: a temporary directory].
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Only techex's in-process search at each scale (no relevance, indexing, HTTP,
    /// FTS5 or PostgreSQL): for quick iterations while tuning.
    #[arg(long)]
    pub quick: bool,
    /// Times each client runs the query set (more rounds, steadier figures).
    #[arg(long, default_value_t = 1)]
    pub rounds: usize,
}

#[derive(Debug, Deserialize)]
struct CslRecord {
    title: String,
    #[serde(default)]
    r#abstract: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct DemoEnglish {
    title_en: String,
    #[serde(default)]
    abstract_en: Option<String>,
    #[serde(default)]
    summary_en: Option<String>,
    #[serde(default)]
    keywords_en: Vec<String>,
}

/// One base record that copies are made of.
#[derive(Debug, Clone)]
struct Base {
    title: String,
    body: String,
    keywords: Vec<String>,
    english: bool,
    /// The record's text segmented by techex's index analyzer, space-joined (for PostgreSQL and FTS5).
    segmented: String,
}

const FIELDS: [&str; 6] =
    ["new_materials", "new_energy", "biomedicine", "marine", "high_end_equipment", "new_generation_it"];
const KINDS: [&str; 3] = ["invention_patent", "technical_secret", "software_copyright"];
const MATURITIES: [&str; 3] = ["lab", "pilot", "mass_production"];
const REGIONS: [&str; 4] = ["370100", "370200", "370600", "370700"];

fn bar(len: u64, what: &str) -> ProgressBar {
    ProgressBar::new(len).with_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{bar:30}}] {{pos}}/{{len}} ({{per_sec}}, {{eta}} left)"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    )
}

fn load_bases(corpus: &Path) -> anyhow::Result<(Vec<Base>, Vec<CslRecord>)> {
    let text =
        std::fs::read_to_string(corpus).with_context(|| format!("cannot read the corpus {}", corpus.display()))?;
    let records: Vec<CslRecord> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .context("corpus line")?;
    let mut analyzer = analysis::index_analyzer();
    let mut bases = Vec::new();
    for record in &records {
        let body = format!("{} {}", record.r#abstract.clone().unwrap_or_default(), record.keywords.join(" "));
        let segmented = segment(&mut analyzer, &format!("{} {body}", record.title));
        bases.push(Base {
            title: record.title.clone(),
            body,
            keywords: record.keywords.clone(),
            english: false,
            segmented,
        });
    }
    for line in include_str!("../demo/achievements.jsonl").lines().filter(|l| !l.trim().is_empty()) {
        let demo: DemoEnglish = serde_json::from_str(line)?;
        let body = format!(
            "{} {} {}",
            demo.summary_en.unwrap_or_default(),
            demo.abstract_en.unwrap_or_default(),
            demo.keywords_en.join(" ")
        );
        let segmented = segment(&mut analyzer, &format!("{} {body}", demo.title_en));
        bases.push(Base { title: demo.title_en, body, keywords: demo.keywords_en, english: true, segmented });
    }
    Ok((bases, records))
}

fn segment(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> String {
    analyze(analyzer, text).into_iter().map(|t| t.text).collect::<Vec<_>>().join(" ")
}

/// The achievement row of the i-th document of the scaled corpus.
fn achievement_row(index: usize, base: &Base, org: Uuid, user: Uuid) -> achievement::Model {
    let id = Uuid::from_u64_pair(0x0190_0000_0000_7000 | (index as u64 >> 32), 0x8000_0000_0000_0000 | index as u64);
    let (title_zh, title_en, abstract_zh, abstract_en) = if base.english {
        (None, Some(base.title.clone()), None, Some(base.body.clone()))
    } else {
        (Some(base.title.clone()), None, Some(base.body.clone()), None)
    };
    achievement::Model {
        title_zh,
        title_en,
        abstract_zh,
        abstract_en,
        kind: KINDS[index % KINDS.len()].into(),
        field_code: FIELDS[index % FIELDS.len()].into(),
        maturity: Some(MATURITIES[index % MATURITIES.len()].into()),
        asking_price_minor: Some(((index * 7919) % 500 + 1) as i64 * 1_000_000),
        keywords: StringList(base.keywords.clone()),
        region: REGIONS[index % REGIONS.len()].into(),
        ..crate::bootstrap::published_achievement(id, org, user, String::new())
    }
}

fn organization_model(id: Uuid) -> organization::Model {
    let now = chrono::Utc::now();
    organization::Model {
        id,
        name: "基准大学".into(),
        name_en: Some("Benchmark University".into()),
        kind: "university".into(),
        credit_code: String::new(),
        region: "370100".into(),
        website: None,
        description: None,
        description_en: None,
        verified_at: Some(now),
        verified_by: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// The query set: titles, keywords, fragments of abstracts, English terms.
fn query_set(bases: &[Base], count: usize) -> Vec<String> {
    let mut analyzer = analysis::query_analyzer();
    let chinese: Vec<&Base> = bases.iter().filter(|b| !b.english && !b.keywords.is_empty()).collect();
    let english: Vec<&Base> = bases.iter().filter(|b| b.english).collect();
    let mut queries = Vec::with_capacity(count);
    let mut step = 0usize;
    while queries.len() < count && !chinese.is_empty() && !english.is_empty() {
        fn pick<'a>(list: &[&'a Base], step: usize, salt: usize) -> &'a Base {
            list[(step * 7919 + salt) % list.len()]
        }
        let query = match queries.len() % 4 {
            0 => pick(&chinese, step, 1).title.clone(),
            1 => {
                let base = pick(&chinese, step, 2);
                base.keywords[step % base.keywords.len()].clone()
            }
            2 => {
                let words: Vec<String> = analyze(&mut analyzer, &pick(&chinese, step, 3).body)
                    .into_iter()
                    .map(|t| t.text)
                    .filter(|w| w.chars().count() >= 2)
                    .collect();
                if words.len() < 4 {
                    step += 1;
                    continue;
                }
                let start = (step * 31) % (words.len() - 2);
                format!("{}{}", words[start], words[start + 1])
            }
            _ => {
                let base = pick(&english, step, 4);
                let words: Vec<&str> = base.title.split_whitespace().filter(|w| w.len() > 4).collect();
                if words.len() < 2 {
                    step += 1;
                    continue;
                }
                let start = step % (words.len() - 1);
                format!("{} {}", words[start], words[start + 1])
            }
        };
        let cleaned: String = query.chars().filter(|c| !matches!(c, '"' | '“' | '”' | '-')).collect();
        if !cleaned.trim().is_empty() {
            queries.push(cleaned);
        }
        step += 1;
    }
    queries
}

/// Latencies of one measured run.
#[derive(Debug, Clone)]
struct Latencies {
    samples: Vec<Duration>,
    elapsed: Duration,
}

impl Latencies {
    fn quantile(&self, q: f64) -> Duration {
        let mut sorted = self.samples.clone();
        sorted.sort();
        sorted
            .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    }

    fn per_second(&self) -> f64 {
        self.samples.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn search_request(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        filters: Filters { doc_type: "achievement".into(), ..Filters::default() },
        sort: Sort::Relevance,
        offset: 0,
        limit: 20,
        lang: "zh".into(),
    }
}

/// Runs every query once per client, `clients` threads at a time.
/// Every query once on this thread, asking only for the top 20 ids.
fn engine_run(index: &SearchIndex, queries: &[String], rounds: usize) -> anyhow::Result<Latencies> {
    let started = Instant::now();
    let mut samples = Vec::with_capacity(queries.len() * rounds);
    for _ in 0..rounds {
        for query in queries {
            let began = Instant::now();
            index.top_ids(&search_request(query))?;
            samples.push(began.elapsed());
        }
    }
    Ok(Latencies { samples, elapsed: started.elapsed() })
}

fn tantivy_run(
    index: &Arc<SearchIndex>,
    queries: &[String],
    clients: usize,
    rounds: usize,
) -> anyhow::Result<Latencies> {
    // The same admission as the server: the search pool, one thread per core.
    let pool = techex_search::gate::Pool::per_core();
    let started = Instant::now();
    let mut handles = Vec::new();
    for client in 0..clients {
        let index = index.clone();
        let pool = pool.clone();
        let queries: Vec<String> = queries.to_vec();
        handles.push(std::thread::spawn(move || -> anyhow::Result<Vec<Duration>> {
            let mut samples = Vec::with_capacity(queries.len() * rounds);
            for round in 0..rounds {
                for offset in 0..queries.len() {
                    let query = &queries[(offset + client * 17 + round * 7) % queries.len()];
                    let began = Instant::now();
                    let request = search_request(query);
                    if clients == 1 {
                        // One client: the query time itself, on this thread.
                        index.search(&request)?;
                    } else {
                        let index = index.clone();
                        pool.run(move || index.search(&request)).context("the search pool stopped")??;
                    }
                    samples.push(began.elapsed());
                }
            }
            Ok(samples)
        }));
    }
    let mut samples = Vec::new();
    for handle in handles {
        samples.extend(handle.join().map_err(|_| anyhow::anyhow!("a query thread panicked"))??);
    }
    Ok(Latencies { samples, elapsed: started.elapsed() })
}

/// Builds the served index of `n` documents with raw tantivy; returns docs/s.
async fn build_tantivy(dir: &Path, bases: &[Base], n: usize, org: Uuid) -> anyhow::Result<(Arc<SearchIndex>, f64)> {
    let index = Arc::new(SearchIndex::open_or_create(dir)?);
    index.clear()?;
    let owner = organization_model(org);
    let progress = bar(n as u64, &format!("tantivy: indexing {n} documents"));
    let started = Instant::now();
    let writer = index.clone();
    let bases = bases.to_vec();
    let count = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        for i in 0..n {
            let row = achievement_row(i, &bases[i % bases.len()], org, org);
            writer.upsert(
                &row.id.to_string(),
                achievement_document(&writer.fields, &(&row).into(), &owner, &Default::default()),
            )?;
            if i % 1000 == 0 {
                progress.set_position(i as u64);
            }
        }
        writer.commit(0)?;
        progress.finish_and_clear();
        Ok(n)
    })
    .await??;
    let rate = count as f64 / started.elapsed().as_secs_f64();
    // Let the background merges finish, as they would in a server that has been up a
    // while, and serve from the merged segments.
    let spinner = bar(1, "tantivy: waiting for segment merges");
    Arc::try_unwrap(index).map_err(|_| anyhow::anyhow!("index still shared"))?.close()?;
    spinner.finish_and_clear();
    let index = Arc::new(SearchIndex::open_or_create(dir)?);
    Ok((index, rate))
}

/// Measures the outbox indexer against raw tantivy on the same `n` documents.
async fn outbox_vs_raw(work: &Path, bases: &[Base], n: usize, postgres: Option<&str>) -> anyhow::Result<(f64, f64)> {
    std::fs::create_dir_all(work.join("outbox-db"))?;
    let scratch = match postgres {
        Some(server) => ScratchDatabase::postgres(server, "techex_outbox").await?,
        None => ScratchDatabase::sqlite(&work.join("outbox-db")),
    };
    let outcome = outbox_vs_raw_on(work, bases, n, &scratch.url).await;
    scratch.drop_database().await.ok();
    outcome
}

async fn outbox_vs_raw_on(work: &Path, bases: &[Base], n: usize, url: &str) -> anyhow::Result<(f64, f64)> {
    let mut config = techex_server::Config::with_data_dir(work.join("outbox-db"));
    config.database_url = url.to_string();
    let db = techex_server::db::connect(&config).await?;
    techex_server::db::migrate(&db).await?;
    let code = techex_core::CreditCode::from_prefix("12370000MB0900000").map_err(|e| anyhow::anyhow!(e))?.to_string();
    let (org, user) = organization_with_member(
        &db,
        NewOrganization {
            name: "基准大学",
            kind: OrgKind::University,
            credit_code: &code,
            region: "370100",
            verified: true,
            email: "bench@bench.local",
            password: "bench-password-1",
            roles: &[Role::Member],
        },
    )
    .await?;
    let progress = bar(n as u64, "outbox: writing achievements and outbox rows");
    for chunk_start in (0..n).step_by(500) {
        let transaction = techex_listings::begin_write(&db).await?;
        let models: Vec<achievement::Model> = (chunk_start..(chunk_start + 500).min(n))
            .map(|i| achievement_row(i, &bases[i % bases.len()], org.id, user.id))
            .collect();
        let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
        achievement::Entity::insert_many(models.into_iter().map(achievement::ActiveModel::from))
            .exec(&transaction)
            .await?;
        let now = chrono::Utc::now();
        outbox::Entity::insert_many(ids.into_iter().map(|id| outbox::ActiveModel {
            position: sea_orm::NotSet,
            entity_type: sea_orm::Set("achievement".into()),
            entity_id: sea_orm::Set(id),
            op: sea_orm::Set("upsert".into()),
            created_at: sea_orm::Set(now),
        }))
        .exec(&transaction)
        .await?;
        transaction.commit().await?;
        progress.set_position((chunk_start + 500).min(n) as u64);
    }
    progress.finish_and_clear();
    let written = achievement::Entity::find().count(&db).await?;
    let queued = outbox::Entity::find().count(&db).await?;
    if written as usize != n || queued as usize != n {
        bail!("wrote {written} achievements and {queued} outbox rows instead of {n}");
    }

    // The same documents, the same document builder, 10,000 documents per commit:
    // through the outbox (reading each round from the database while the previous
    // one is indexed, as `serve` does), and straight into tantivy from rows already
    // in memory. Each is measured twice, alternating, and the better run counts: the
    // machine is shared, and the minimum time is the least disturbed one.
    let rows = achievement::Entity::find().all(&db).await?;
    let mut best_outbox: f64 = 0.0;
    let mut best_raw: f64 = 0.0;
    for attempt in 0..2 {
        let raw = Arc::new(SearchIndex::open_or_create(&work.join(format!("raw-index-{attempt}")))?);
        let started = Instant::now();
        let writer = raw.clone();
        let documents = rows.clone();
        let owner = org.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            for (i, row) in documents.iter().enumerate() {
                writer.upsert(
                    &row.id.to_string(),
                    achievement_document(&writer.fields, &row.into(), &owner, &Default::default()),
                )?;
                if (i + 1) % 10_000 == 0 {
                    writer.commit(i as i64)?;
                }
            }
            writer.commit(documents.len() as i64)?;
            Ok(())
        })
        .await??;
        best_raw = best_raw.max(n as f64 / started.elapsed().as_secs_f64());
        Arc::try_unwrap(raw).map_err(|_| anyhow::anyhow!("index still shared"))?.close()?;

        let index = Arc::new(SearchIndex::open_or_create(&work.join(format!("outbox-index-{attempt}")))?);
        let started = Instant::now();
        let round = techex_search::indexer::catch_up(&db, index.clone(), 10_000).await?;
        best_outbox = best_outbox.max(n as f64 / started.elapsed().as_secs_f64());
        if round.rows != n || index.num_docs() as usize != n {
            bail!("the outbox indexer indexed {} of {n} documents", index.num_docs());
        }
        Arc::try_unwrap(index).map_err(|_| anyhow::anyhow!("index still shared"))?.close()?;
    }
    db.close().await.ok();
    Ok((best_outbox, best_raw))
}

/// PostgreSQL full-text search over the same segmented text.
async fn postgres_run(server: &str, bases: &[Base], n: usize, queries: &[String]) -> anyhow::Result<(Latencies, u64)> {
    let scratch = ScratchDatabase::postgres(server, "techex_fts").await?;
    let outcome = async {
        let db = Database::connect(scratch.url.as_str()).await?;
        db.execute_unprepared("CREATE TABLE docs (id bigint PRIMARY KEY, tsv tsvector NOT NULL)").await?;
        let pool = db.get_postgres_connection_pool().clone();
        let progress = bar(n as u64, "PostgreSQL: loading tsvectors");
        for start in (0..n).step_by(5000) {
            let end = (start + 5000).min(n);
            let ids: Vec<i64> = (start..end).map(|i| i as i64).collect();
            let texts: Vec<String> = (start..end).map(|i| bases[i % bases.len()].segmented.clone()).collect();
            sea_orm::sqlx::query("INSERT INTO docs (id, tsv) SELECT id, to_tsvector('simple', body) FROM unnest($1::bigint[], $2::text[]) AS t(id, body)")
                .bind(&ids)
                .bind(&texts)
                .execute(&pool)
                .await?;
            progress.set_position(end as u64);
        }
        progress.finish_and_clear();
        let spinner = bar(1, "PostgreSQL: building the GIN index");
        db.execute_unprepared("CREATE INDEX docs_tsv ON docs USING gin (tsv)").await?;
        db.execute_unprepared("ANALYZE docs").await?;
        spinner.finish_and_clear();
        let size: i64 = sea_orm::sqlx::query_scalar("SELECT pg_total_relation_size('docs')").fetch_one(&pool).await?;
        let mut analyzer = analysis::query_analyzer();
        let mut samples = Vec::new();
        let started = Instant::now();
        let progress = bar(queries.len() as u64, "PostgreSQL: querying");
        for query in queries {
            let words = segment(&mut analyzer, query);
            let began = Instant::now();
            let rows: Vec<(i64,)> = sea_orm::sqlx::query_as(
                "SELECT id FROM docs, plainto_tsquery('simple', $1) q WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20",
            )
            .bind(&words)
            .fetch_all(&pool)
            .await?;
            samples.push(began.elapsed());
            std::hint::black_box(rows);
            progress.inc(1);
        }
        progress.finish_and_clear();
        db.close().await.ok();
        Ok::<_, anyhow::Error>((Latencies { samples, elapsed: started.elapsed() }, size as u64))
    }
    .await;
    scratch.drop_database().await.ok();
    outcome
}

/// SQLite FTS5 over the same segmented text.
async fn sqlite_run(work: &Path, bases: &[Base], n: usize, queries: &[String]) -> anyhow::Result<(Latencies, u64)> {
    let path = work.join(format!("fts5-{n}.db"));
    std::fs::remove_file(&path).ok();
    let db = Database::connect(format!("sqlite://{}?mode=rwc", path.display())).await?;
    let pool = db.get_sqlite_connection_pool().clone();
    sea_orm::sqlx::query("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'unicode61')").execute(&pool).await?;
    let progress = bar(n as u64, "SQLite FTS5: loading");
    let mut connection = pool.acquire().await?;
    sea_orm::sqlx::query("BEGIN").execute(&mut *connection).await?;
    for i in 0..n {
        sea_orm::sqlx::query("INSERT INTO docs (rowid, body) VALUES (?, ?)")
            .bind(i as i64)
            .bind(&bases[i % bases.len()].segmented)
            .execute(&mut *connection)
            .await?;
        if i % 5000 == 0 {
            progress.set_position(i as u64);
        }
    }
    sea_orm::sqlx::query("COMMIT").execute(&mut *connection).await?;
    sea_orm::sqlx::query("INSERT INTO docs(docs) VALUES('optimize')").execute(&mut *connection).await?;
    drop(connection);
    progress.finish_and_clear();
    let mut analyzer = analysis::query_analyzer();
    let mut samples = Vec::new();
    let started = Instant::now();
    let progress = bar(queries.len() as u64, "SQLite FTS5: querying");
    for query in queries {
        let words = segment(&mut analyzer, query);
        let expression: String =
            words.split_whitespace().map(|w| format!("\"{}\"", w.replace('"', ""))).collect::<Vec<_>>().join(" ");
        if expression.is_empty() {
            continue;
        }
        let began = Instant::now();
        let rows: Vec<(i64,)> =
            sea_orm::sqlx::query_as("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 20")
                .bind(&expression)
                .fetch_all(&pool)
                .await?;
        samples.push(began.elapsed());
        std::hint::black_box(rows);
        progress.inc(1);
    }
    progress.finish_and_clear();
    db.close().await.ok();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok((Latencies { samples, elapsed: started.elapsed() }, size))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Serves the index from a separate `techex serve` and measures `/api/v1/search`.
async fn http_run(
    work: &Path,
    index_root: &Path,
    queries: &[String],
    concurrency: usize,
) -> anyhow::Result<(Latencies, Latencies, u64, u64)> {
    let data = work.join("serve-data");
    std::fs::create_dir_all(&data)?;
    let port = free_port()?;
    let binary = std::env::current_exe()?;
    let mut child = std::process::Command::new(binary)
        .args(["serve", "--no-demo", "--addr", &format!("127.0.0.1:{port}")])
        .env("TECHEX_DATA_DIR", &data)
        .env("TECHEX_INDEX_DIR", index_root)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let outcome = async {
        let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency * 2).build()?;
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while client.get(format!("{base}/health")).send().await.is_err() {
            if started.elapsed() > Duration::from_secs(60) {
                bail!("techex serve did not start");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = |q: &str| format!("{base}/api/v1/search?q={}", urlencode(q));
        // Warm up on the whole query set: the in-process runs read the same index pages first.
        for query in queries {
            client.get(url(query)).send().await?.bytes().await?;
        }
        let mut samples = Vec::new();
        let started = Instant::now();
        for query in queries {
            let began = Instant::now();
            let response = client.get(url(query)).send().await?;
            if !response.status().is_success() {
                bail!("search failed with {} for {query}", response.status());
            }
            response.bytes().await?;
            samples.push(began.elapsed());
        }
        let single = Latencies { samples, elapsed: started.elapsed() };
        let started = Instant::now();
        let mut tasks = Vec::new();
        for client_index in 0..concurrency {
            let client = client.clone();
            let urls: Vec<String> =
                (0..queries.len()).map(|i| url(&queries[(i + client_index * 13) % queries.len()])).collect();
            tasks.push(tokio::spawn(async move {
                let mut samples = Vec::with_capacity(urls.len());
                for url in urls {
                    let began = Instant::now();
                    client.get(url).send().await?.bytes().await?;
                    samples.push(began.elapsed());
                }
                Ok::<_, anyhow::Error>(samples)
            }));
        }
        let mut samples = Vec::new();
        for task in tasks {
            samples.extend(task.await??);
        }
        let concurrent = Latencies { samples, elapsed: started.elapsed() };
        let (rss, peak) = rss_kib(child.id());
        Ok((single, concurrent, rss, peak))
    }
    .await;
    child.kill().ok();
    child.wait().ok();
    outcome
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// nDCG@10 of one ranking against the judged relevant set.
fn ndcg_of(ranked: &[usize], relevant: &HashSet<usize>) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .filter(|(_, doc)| relevant.contains(doc))
        .map(|(rank, _)| 1.0 / ((rank + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(10)).map(|rank| 1.0 / ((rank + 2) as f64).log2()).sum();
    if ideal > 0.0 { dcg / ideal } else { 0.0 }
}

/// Mean nDCG@10 of a baseline: one analyzer, tantivy's query parser (BM25 over the
/// query's tokens, any of them).
fn baseline_ndcg(
    records: &[CslRecord],
    analyzer_name: &str,
    queries: &[(String, HashSet<usize>)],
) -> anyhow::Result<f64> {
    use tantivy::schema::{IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value};
    let mut builder = Schema::builder();
    let text = builder.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer_name)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let position = builder.add_u64_field("position", STORED);
    let index = tantivy::Index::create_in_ram(builder.build());
    analysis::register(&index)?;
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 50_000_000)?;
    for (i, record) in records.iter().enumerate() {
        let mut doc = tantivy::TantivyDocument::default();
        doc.add_text(text, format!("{} {}", record.title, record.r#abstract.clone().unwrap_or_default()));
        doc.add_u64(position, i as u64);
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let searcher = index.reader()?.searcher();
    let parser = tantivy::query::QueryParser::for_index(&index, vec![text]);
    let mut total = 0.0;
    for (query, relevant) in queries {
        let (parsed, _) = parser.parse_query_lenient(query);
        let top = searcher.search(&parsed, &tantivy::collector::TopDocs::with_limit(10).order_by_score())?;
        let mut ranked = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: tantivy::TantivyDocument = searcher.doc(address)?;
            ranked.push(doc.get_first(position).and_then(|v| v.as_u64()).unwrap_or(u64::MAX) as usize);
        }
        total += ndcg_of(&ranked, relevant);
    }
    Ok(total / queries.len().max(1) as f64)
}

/// Mean nDCG@10 of techex's own search (schema, analysis and query construction as
/// served) over the same records, indexed with title and abstract only.
async fn techex_ndcg(work: &Path, records: &[CslRecord], queries: &[(String, HashSet<usize>)]) -> anyhow::Result<f64> {
    let dir = work.join("relevance-index");
    std::fs::remove_dir_all(&dir).ok();
    let index = SearchIndex::open_or_create(&dir)?;
    let org = Uuid::now_v7();
    let owner = organization_model(org);
    let mut by_id = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        let base = Base {
            title: record.title.clone(),
            body: record.r#abstract.clone().unwrap_or_default(),
            keywords: Vec::new(),
            english: false,
            segmented: String::new(),
        };
        let row = achievement_row(i, &base, org, org);
        by_id.insert(row.id, i);
        index.upsert(
            &row.id.to_string(),
            achievement_document(&index.fields, &(&row).into(), &owner, &Default::default()),
        )?;
    }
    index.commit(0)?;
    let mut total = 0.0;
    for (query, relevant) in queries {
        let mut request = search_request(query);
        request.limit = 10;
        let results = index.search(&request)?;
        let ranked: Vec<usize> = results.hits.iter().filter_map(|h| by_id.get(&h.card.id).copied()).collect();
        total += ndcg_of(&ranked, relevant);
    }
    drop(index);
    std::fs::remove_dir_all(&dir).ok();
    Ok(total / queries.len().max(1) as f64)
}

async fn relevance(work: &Path, records: &[CslRecord]) -> anyhow::Result<(Vec<(String, f64)>, usize)> {
    let judged: Vec<CslRecord> = records
        .iter()
        .filter(|r| r.r#abstract.as_deref().is_some_and(|a| !a.is_empty()) && !r.keywords.is_empty())
        .map(|r| CslRecord { title: r.title.clone(), r#abstract: r.r#abstract.clone(), keywords: r.keywords.clone() })
        .collect();
    let mut by_keyword: HashMap<String, HashSet<usize>> = HashMap::new();
    for (i, record) in judged.iter().enumerate() {
        for keyword in &record.keywords {
            let keyword = keyword.trim();
            if keyword.chars().count() >= 2 && !keyword.is_ascii() {
                by_keyword.entry(keyword.to_string()).or_default().insert(i);
            }
        }
    }
    let mut queries: Vec<(String, HashSet<usize>)> =
        by_keyword.into_iter().filter(|(_, docs)| docs.len() >= 2).collect();
    queries.sort_by(|a, b| a.0.cmp(&b.0));
    queries.truncate(300);
    let mut scores = vec![("techex (jieba words, as served)".to_string(), techex_ndcg(work, &judged, &queries).await?)];
    for (label, name) in [
        ("jieba words", analysis::INDEX_ANALYZER),
        ("character bigrams", analysis::BIGRAM_ANALYZER),
        ("single characters", analysis::UNIGRAM_ANALYZER),
    ] {
        scores.push((format!("{label}, BM25 over its tokens"), baseline_ndcg(&judged, name, &queries)?));
    }
    Ok((scores, queries.len()))
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// `techex bench-search`
pub async fn run(args: &BenchSearchArgs) -> anyhow::Result<()> {
    let work = match &args.work_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("techex-bench-search-{}", Uuid::now_v7().simple())),
    };
    std::fs::create_dir_all(&work)?;
    let (bases, records) = load_bases(&args.corpus)?;
    let queries = query_set(&bases, args.queries);
    println!(
        "techex bench-search: {} base records ({} Chinese from CSL, {} English from the demo), {} queries, scales {:?}",
        bases.len(),
        bases.iter().filter(|b| !b.english).count(),
        bases.iter().filter(|b| b.english).count(),
        queries.len(),
        args.scales
    );
    println!(
        "\nrelevance on {} CSL records with abstracts (keyword queries judged by author keywords):",
        records.iter().filter(|r| r.r#abstract.as_deref().is_some_and(|a| !a.is_empty())).count()
    );
    if !args.quick {
        let (scores, judged_queries) = relevance(&work, &records).await?;
        let techex = scores.first().map_or(0.0, |s| s.1);
        for (label, score) in &scores {
            println!("  nDCG@10 {label:<38} {score:.4}  (techex / this = {:.2})", techex / score.max(1e-9));
        }
        println!("  ({judged_queries} keyword queries; a record is relevant when its author keywords hold the query)");

        println!("\nindexing {} documents (10,000 per commit; best of two runs each):", args.outbox_docs);
        let backends: Vec<(&str, Option<&str>)> = if args.skip_postgres {
            vec![("SQLite", None)]
        } else {
            vec![("SQLite", None), ("PostgreSQL", Some(args.postgres.as_str()))]
        };
        for (label, postgres) in backends {
            let (outbox_rate, raw_rate) =
                outbox_vs_raw(&work.join("indexing"), &bases, args.outbox_docs, postgres).await?;
            println!(
                "  outbox indexer on {label:<10} {outbox_rate:>8.0} docs/s; raw tantivy {raw_rate:>8.0} docs/s; ratio {:.2} (target ≥ 0.80)",
                outbox_rate / raw_rate.max(1e-9)
            );
            std::fs::remove_dir_all(work.join("indexing")).ok();
        }
    }

    for &n in &args.scales {
        println!("\n== {n} achievements ({}× the base set)", n.div_ceil(bases.len()));
        let root = work.join(format!("served-{n}"));
        std::fs::create_dir_all(&root)?;
        let name = techex_search::service::fresh_name();
        let (index, rate) = build_tantivy(&root.join(&name), &bases, n, Uuid::now_v7()).await?;
        techex_search::service::set_current(&root, &name)?;
        let index_size = dir_size(&root.join(&name));
        println!(
            "  tantivy indexing: {rate:.0} docs/s; index on disk {:.1} MiB in {} segments",
            index_size as f64 / 1048576.0,
            index.searcher().segment_readers().len()
        );
        tantivy_run(&index, &queries[..queries.len().min(40)], 1, 1)?;
        let single = tantivy_run(&index, &queries, 1, args.rounds)?;
        let engine = engine_run(&index, &queries, args.rounds)?;
        let concurrent = tantivy_run(&index, &queries, args.concurrency, args.rounds)?;
        drop(index);
        if args.quick {
            println!(
                "  in-process, 1 client: p50 {:.3} ms, p99 {:.3} ms, {:.0} q/s; {} clients: p50 {:.2} ms, p99 {:.2} ms, {:.0} q/s",
                ms(single.quantile(0.5)),
                ms(single.quantile(0.99)),
                single.per_second(),
                args.concurrency,
                ms(concurrent.quantile(0.5)),
                ms(concurrent.quantile(0.99)),
                concurrent.per_second()
            );
            std::fs::remove_dir_all(&root).ok();
            continue;
        }
        let (http_single, http_concurrent, rss, peak) = http_run(&work, &root, &queries, args.concurrency).await?;
        let (fts5, fts5_size) = sqlite_run(&work, &bases, n, &queries).await?;
        let postgres =
            if args.skip_postgres { None } else { Some(postgres_run(&args.postgres, &bases, n, &queries).await?) };

        println!("  {:<48} {:>9} {:>9} {:>9} {:>9}", "", "p50 ms", "p99 ms", "q/s", "size MiB");
        let row = |label: &str, l: &Latencies, size: Option<u64>| {
            println!(
                "  {label:<48} {:>9.2} {:>9.2} {:>9.0} {:>9}",
                ms(l.quantile(0.5)),
                ms(l.quantile(0.99)),
                l.per_second(),
                size.map_or(String::new(), |s| format!("{:.1}", s as f64 / 1048576.0))
            )
        };
        row("techex search as served, in-process, 1 client", &single, Some(index_size));
        row("techex engine only (top-20 ids), 1 client", &engine, None);
        row(&format!("techex search as served, in-process, {} clients", args.concurrency), &concurrent, None);
        row("techex GET /api/v1/search, 1 client", &http_single, None);
        row(&format!("techex GET /api/v1/search, {} clients", args.concurrency), &http_concurrent, None);
        row("SQLite FTS5 (bm25), 1 client", &fts5, Some(fts5_size));
        if let Some((pg, size)) = &postgres {
            row("PostgreSQL FTS (GIN, ts_rank), 1 client", pg, Some(*size));
        }
        let p50 = ms(single.quantile(0.5)).max(1e-6);
        println!("  ratios (p50 at 1 client):");
        let engine_p50 = ms(engine.quantile(0.5)).max(1e-6);
        if let Some((pg, _)) = &postgres {
            println!(
                "    PostgreSQL FTS / techex      = {:>8.1}×  (target ≥ 10×); like for like (top-20 ids only): {:.1}×",
                ms(pg.quantile(0.5)) / p50,
                ms(pg.quantile(0.5)) / engine_p50
            );
        }
        println!(
            "    SQLite FTS5 / techex         = {:>8.1}×  (target > 1×); like for like (top-20 ids only): {:.1}×",
            ms(fts5.quantile(0.5)) / p50,
            ms(fts5.quantile(0.5)) / engine_p50
        );
        println!("    HTTP end-to-end / in-process = {:>8.2}×  (target ≤ 2×)", ms(http_single.quantile(0.5)) / p50);
        println!(
            "  HTTP p99 at {} clients: {:.1} ms (target < 50 ms at 1M); server RSS {:.0} MiB, peak {:.0} MiB (target < 1024 MiB)",
            args.concurrency,
            ms(http_concurrent.quantile(0.99)),
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
        std::fs::remove_dir_all(&root).ok();
    }
    if args.work_dir.is_none() {
        std::fs::remove_dir_all(&work).ok();
    }
    Ok(())
}
