//! techex as served: in-process (the request path of `/api/v1/search`, facets and
//! snippets included, and the bare engine's top ids), and over HTTP from a separate
//! `techex serve` process, whose memory (RSS) is read from /proc.

use super::report::Latencies;
use anyhow::{Context, bail};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use techex_search::query::Filters;
use techex_search::{SearchIndex, SearchRequest, Sort};

/// The request of the speed runs: a page of 20 ranked by relevance.
pub fn search_request(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        filters: Filters { doc_type: "achievement".into(), ..Filters::default() },
        sort: Sort::Relevance,
        offset: 0,
        limit: 20,
        lang: "zh".into(),
        keep_floor: false,
    }
}

/// Every query `rounds` times on this thread, asking only for the top 20 ids (what a
/// bare full-text engine answers: the like-for-like comparison with PostgreSQL and FTS5).
pub fn engine_run(index: &SearchIndex, queries: &[String], rounds: usize) -> anyhow::Result<Latencies> {
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

/// Every query `rounds` times per client, `clients` threads at once; one client runs the
/// query on its own thread, more go through the server's search pool.
pub fn tantivy_run(
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

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub fn rss_kib(pid: u32) -> (u64, u64) {
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

/// The `techex` binary to serve with: `TECHEX_BIN`, or the one built beside this one
/// (`cargo build --release` builds both into `target/release`).
fn techex_binary() -> anyhow::Result<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("TECHEX_BIN") {
        return Ok(path.into());
    }
    let here = std::env::current_exe()?;
    let beside = here.with_file_name(format!("techex{}", std::env::consts::EXE_SUFFIX));
    if !beside.is_file() {
        bail!(
            "the HTTP run serves with the techex binary, and there is none at {}: build it first \
             (cargo build --release --bin techex) or name it with TECHEX_BIN",
            beside.display()
        );
    }
    Ok(beside)
}

/// Serves the index from a separate `techex serve` and measures `/api/v1/search`.
pub async fn http_run(
    work: &Path,
    index_root: &Path,
    queries: &[String],
    concurrency: usize,
) -> anyhow::Result<(Latencies, Latencies, u64, u64)> {
    let data = work.join("serve-data");
    std::fs::create_dir_all(&data)?;
    let port = free_port()?;
    let binary = techex_binary()?;
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

pub fn urlencode(text: &str) -> String {
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

pub fn dir_size(path: &Path) -> u64 {
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
