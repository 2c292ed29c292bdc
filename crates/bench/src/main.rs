//! `techex-bench`: techex's benchmarks, kept out of the product's binary. Each prints
//! ratios against baselines measured in the same run on the same machine.
//!
//! - `techex-bench api`: publish-and-read throughput of the API on SQLite and PostgreSQL
//!   against raw sea-orm (`api`).
//! - `techex-bench search`: search's relevance on judged Chinese and English sets against
//!   BM25 baselines, and its speed against PostgreSQL FTS and SQLite FTS5 at 100k and 1M
//!   achievements, indexing, HTTP tail latency and memory (`search`).

mod api;
mod search;

use clap::{Parser, Subcommand};

/// The allocator of the `techex` binary, so the in-process runs measure search as served.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, Parser)]
#[command(name = "techex-bench", version, about = "techex's benchmarks, against baselines measured in the same run")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Publish-and-read throughput of the API on SQLite and PostgreSQL.
    Api(api::BenchArgs),
    /// The search benchmark: relevance on judged Chinese and English sets against BM25
    /// baselines (nDCG@10, Recall@100, zero hits); speed against PostgreSQL FTS and
    /// SQLite FTS5 at 100k and 1M achievements, indexing, HTTP tail latency, memory.
    Search(search::BenchSearchArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    techex::telemetry::init("text");
    match &cli.command {
        Command::Api(args) => api::run(args).await,
        Command::Search(args) => search::run(args).await,
    }
}

/// A progress bar for a long step of either benchmark, with its rate and time left.
pub(crate) fn bar(len: u64, what: &str) -> ProgressBar {
    ProgressBar::new(len).with_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{bar:30}}] {{pos}}/{{len}} ({{per_sec}}, {{eta}} left)"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    )
}
