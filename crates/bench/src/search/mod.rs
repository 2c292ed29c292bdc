//! `techex-bench search`: relevance and speed of search on public text.
//!
//! **Relevance** (`relevance`): two judged sets built from public data (`judged`) —
//! CSL author keywords over Chinese titles and abstracts, and hand-written English
//! questions over the demo achievements' English texts — answered by techex as served
//! and by plain BM25 baselines written out here (`baselines`), scored by nDCG@10,
//! Recall@100 and the zero-hit rate (`metrics`).
//!
//! **Speed**: the CSL corpus and the demo's English texts, repeated under new ids up to
//! each scale (`corpus`), answered by techex in-process and over HTTP (`served`), by
//! PostgreSQL FTS and by SQLite FTS5 with the same segmentation and OR semantics
//! (`fts`); the outbox indexer against raw tantivy (`indexing`). `report` prints the
//! tables and, last, every target of issue 11 with the figure this run measured.

mod baselines;
mod corpus;
mod fts;
mod indexing;
mod judged;
mod metrics;
mod relevance;
mod report;
mod served;

use clap::Args;
use report::{Latencies, Targets, latency_header, latency_row};
use std::path::PathBuf;
use uuid::Uuid;

#[derive(Debug, Args)]
pub struct BenchSearchArgs {
    /// The CSL corpus (JSON lines).
    #[arg(long, default_value = "../shared/corpora/csl/csl_corpus.jsonl")]
    pub corpus: PathBuf,
    /// Index sizes to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
    pub scales: Vec<usize>,
    /// Queries in the query set of the speed runs.
    #[arg(long, default_value_t = 400)]
    pub queries: usize,
    /// Keyword queries in the Chinese judged set.
    #[arg(long, default_value_t = 300)]
    pub judged_queries: usize,
    /// Seed of the choice of the Chinese judged queries.
    #[arg(long, default_value_t = 11)]
    pub seed: u64,
    /// English judged questions (JSON lines `{"query", "relevant": [demo source_id…]}`)
    /// [default: crates/bench/data/english_queries.jsonl, built into the binary].
    #[arg(long)]
    pub english_queries: Option<PathBuf>,
    /// Concurrent clients for the throughput and tail-latency runs.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Documents pushed through the outbox indexer (and the same through raw tantivy).
    #[arg(long, default_value_t = 100_000)]
    pub outbox_docs: usize,
    /// PostgreSQL server for the full-text comparison (a scratch database is created).
    #[arg(long, env = "TECHEX_BENCH_POSTGRES", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub postgres: String,
    /// Skip PostgreSQL full-text search (and the outbox on PostgreSQL).
    #[arg(long)]
    pub skip_postgres: bool,
    /// Working directory (indexes, SQLite files) [default: a temporary directory].
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Relevance and techex's in-process search at each scale only (no indexing
    /// comparison, HTTP, FTS5 or PostgreSQL): for quick iterations while tuning.
    #[arg(long)]
    pub quick: bool,
    /// Only the relevance sets (seconds; no index of the scaled corpus is built).
    #[arg(long, conflicts_with = "skip_relevance")]
    pub relevance_only: bool,
    /// Skip the relevance sets.
    #[arg(long)]
    pub skip_relevance: bool,
    /// Write each judged query's nDCG@10 per engine to this file (JSON lines).
    #[arg(long)]
    pub per_query: Option<PathBuf>,
    /// Print techex's first hits for each judged query containing this text, with the
    /// terms they matched and the relevant documents (for tuning).
    #[arg(long)]
    pub show: Option<String>,
    /// Times each client runs the query set (more rounds, steadier figures).
    #[arg(long, default_value_t = 1)]
    pub rounds: usize,
}

/// `techex-bench search`
pub async fn run(args: &BenchSearchArgs) -> anyhow::Result<()> {
    let work = match &args.work_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("techex-bench-search-{}", Uuid::now_v7().simple())),
    };
    std::fs::create_dir_all(&work)?;
    let outcome = run_in(args, &work).await;
    if args.work_dir.is_none() {
        std::fs::remove_dir_all(&work).ok();
    }
    outcome
}

async fn run_in(args: &BenchSearchArgs, work: &std::path::Path) -> anyhow::Result<()> {
    let records = corpus::load_csl(&args.corpus)?;
    let demo = corpus::demo_english()?;
    let chinese = judged::chinese_set(&records, args.judged_queries, args.seed);
    let questions = match &args.english_queries {
        Some(path) => std::fs::read_to_string(path)?,
        None => judged::ENGLISH_QUERIES.to_string(),
    };
    let english = judged::english_set(&demo, &questions)?;
    let mut targets = Targets::default();
    println!(
        "techex-bench search: CSL {} records ({} with abstract and keywords), {} demo achievements in English",
        records.len(),
        chinese.docs.len(),
        demo.len()
    );

    if !args.skip_relevance {
        println!(
            "judged sets: {} Chinese keyword queries (seed {}, {}..={} relevant each), {} English questions",
            chinese.queries.len(),
            args.seed,
            judged::MIN_RELEVANT,
            judged::MAX_RELEVANT,
            english.queries.len()
        );
        let mut per_query = match &args.per_query {
            Some(path) => Some(std::io::BufWriter::new(std::fs::File::create(path)?)),
            None => None,
        };
        for (set, language) in [(&chinese, "Chinese"), (&english, "English")] {
            let report = relevance::evaluate(work, set, args.show.as_deref())?;
            report::print_relevance(&report);
            targets.add_relevance(&report, language);
            if let Some(out) = per_query.as_mut() {
                relevance::write_per_query(out, set, &report)?;
            }
        }
    }
    if args.relevance_only {
        targets.print();
        return Ok(());
    }

    let bases = corpus::speed_bases(&records, &demo);
    let keywords: Vec<String> = chinese.queries.iter().map(|q| q.text.clone()).collect();
    let asked: Vec<String> = english.queries.iter().map(|q| q.text.clone()).collect();
    let queries = corpus::speed_queries(&bases, &keywords, &asked, args.queries);
    println!(
        "\nspeed: {} base records ({} Chinese, {} English), {} queries (keywords, titles, abstract words, questions), scales {:?}",
        bases.len(),
        bases.iter().filter(|b| !b.english).count(),
        bases.iter().filter(|b| b.english).count(),
        queries.len(),
        args.scales
    );

    if !args.quick {
        println!("\nindexing {} documents (10,000 per commit; best of two runs each):", args.outbox_docs);
        let mut backends: Vec<(&str, Option<&str>)> = vec![("SQLite", None)];
        if !args.skip_postgres {
            backends.push(("PostgreSQL", Some(args.postgres.as_str())));
        }
        for (label, postgres) in backends {
            tracing::info!(backend = label, docs = args.outbox_docs, "outbox against raw tantivy");
            let (outbox_rate, raw_rate) =
                indexing::outbox_vs_raw(&work.join("indexing"), &bases, args.outbox_docs, postgres).await?;
            let ratio = outbox_rate / raw_rate.max(1e-9);
            println!(
                "  outbox indexer on {label:<10} {outbox_rate:>8.0} docs/s; raw tantivy {raw_rate:>8.0} docs/s; ratio {ratio:.2} (target ≥ 0.80)"
            );
            targets.add(
                format!("outbox indexing on {label} ≥ 80% of raw tantivy"),
                format!("{ratio:.2}"),
                ratio >= 0.8,
            );
            std::fs::remove_dir_all(work.join("indexing")).ok();
        }
    }

    for &n in &args.scales {
        scale(args, work, &bases, &queries, n, &mut targets).await?;
    }
    targets.print();
    Ok(())
}

/// Every speed measurement at one scale.
async fn scale(
    args: &BenchSearchArgs,
    work: &std::path::Path,
    bases: &[corpus::Base],
    queries: &[String],
    n: usize,
    targets: &mut Targets,
) -> anyhow::Result<()> {
    println!("\n== {n} achievements ({}× the base set)", n.div_ceil(bases.len().max(1)));
    tracing::info!(documents = n, "speed run");
    let root = work.join(format!("served-{n}"));
    std::fs::create_dir_all(&root)?;
    let name = techex_search::service::fresh_name();
    let (index, rate) = indexing::build_tantivy(&root.join(&name), bases, n, Uuid::now_v7()).await?;
    techex_search::service::set_current(&root, &name)?;
    let index_size = served::dir_size(&root.join(&name));
    println!(
        "  tantivy indexing: {rate:.0} docs/s; index on disk {:.1} MiB in {} segments",
        index_size as f64 / 1048576.0,
        index.searcher().segment_readers().len()
    );
    // Warm-up: the whole query set once, as every other engine gets.
    served::tantivy_run(&index, queries, 1, 1)?;
    let single = served::tantivy_run(&index, queries, 1, args.rounds)?;
    let engine = served::engine_run(&index, queries, args.rounds)?;
    let concurrent = served::tantivy_run(&index, queries, args.concurrency, args.rounds)?;
    drop(index);
    // Each row is printed as soon as it is measured: a long run that is cut short
    // still leaves its figures.
    latency_header();
    latency_row("techex search as served, in-process, 1 client", &single, Some(index_size));
    latency_row("techex engine only (top-20 ids), 1 client", &engine, None);
    latency_row(&format!("techex search as served, in-process, {} clients", args.concurrency), &concurrent, None);
    if args.quick {
        std::fs::remove_dir_all(&root).ok();
        return Ok(());
    }
    let (http_single, http_concurrent, rss, peak) = served::http_run(work, &root, queries, args.concurrency).await?;
    latency_row("techex GET /api/v1/search, 1 client", &http_single, None);
    latency_row(&format!("techex GET /api/v1/search, {} clients", args.concurrency), &http_concurrent, None);
    println!("  server RSS {:.0} MiB, peak {:.0} MiB", rss as f64 / 1024.0, peak as f64 / 1024.0);
    let (fts5, fts5_size) = fts::sqlite_run(work, bases, n, queries, args.rounds).await?;
    latency_row("SQLite FTS5 (bm25, OR), 1 client", &fts5, Some(fts5_size));
    let postgres = if args.skip_postgres {
        None
    } else {
        Some(fts::postgres_run(&args.postgres, bases, n, queries, args.rounds).await?)
    };
    if let Some((pg, size)) = &postgres {
        latency_row("PostgreSQL FTS (GIN, ts_rank, OR), 1 client", pg, Some(*size));
    }
    let served_p50 = single.p50_ms().max(1e-6);
    let engine_p50 = engine.p50_ms().max(1e-6);
    let at_million = n == 1_000_000;
    println!("  ratios of p50 at 1 client (served = techex with facets and snippets):");
    let mut compare = |label: &str, other: &Latencies, target: f64| {
        let ratio = other.p50_ms() / served_p50;
        println!(
            "    {label:<12} / techex served = {ratio:>7.1}×  (target ≥ {target}× at 1M); like for like (top-20 ids only): {:.1}×",
            other.p50_ms() / engine_p50
        );
        if at_million {
            targets.add(
                format!("served p50 {target}× faster than {label} at 1M"),
                format!("{ratio:.1}×"),
                ratio >= target,
            );
        }
    };
    if let Some((pg, _)) = &postgres {
        compare("PostgreSQL", pg, 10.0);
    }
    compare("SQLite FTS5", &fts5, 1.5);
    println!("    HTTP end-to-end / in-process = {:.2}×", http_single.p50_ms() / served_p50);
    let http_p99 = http_concurrent.p99_ms();
    println!(
        "  HTTP p99 at {} clients: {http_p99:.1} ms (target < 50 ms at 100k); server RSS {:.0} MiB, peak {:.0} MiB (target < 1024 MiB at 1M)",
        args.concurrency,
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    if n == 100_000 {
        targets.add(
            format!("HTTP p99 < 50 ms with {} clients at 100k", args.concurrency),
            format!("{http_p99:.1} ms"),
            http_p99 < 50.0,
        );
    }
    if at_million {
        targets.add("server RSS < 1 GiB at 1M (peak)", format!("{:.0} MiB", peak as f64 / 1024.0), peak < 1024 * 1024);
    }
    std::fs::remove_dir_all(&root).ok();
    Ok(())
}
