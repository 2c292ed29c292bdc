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
