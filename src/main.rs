//! The `techex` command: serve, migrate, seed, import, export, reindex, administration,
//! payments, documents, backup and restore (the benchmarks are `techex-bench`).

use anyhow::Context;
use clap::Parser;
use techex::cli::{Cli, Command};

/// mimalloc rather than glibc's malloc: a search allocates and frees many small scorers and
/// buffers per query on two pool threads at once, where glibc spent a tenth of the search
/// threads' time (`_int_malloc`, `_int_free`, `malloc_consolidate`; see
/// docs/ARCHITECTURE.md, "Where a search's time goes").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = techex::settings::resolve(&cli).context("invalid configuration")?;
    techex::telemetry::init(&settings.log_format);
    match &cli.command {
        Command::Serve(args) => techex::commands::serve(settings, args).await,
        Command::Migrate => techex::commands::migrate(settings).await,
        Command::Seed(args) => techex::commands::seed(settings, args).await,
        Command::Import(args) => techex::commands::import(settings, args).await,
        Command::Export(args) => techex::commands::export(settings, args).await,
        Command::Reindex(_) => techex::commands::reindex(settings).await,
        Command::Admin(args) => techex::admin::run(settings, args).await,
        Command::Payments(args) => techex::commands::payments(settings, args).await,
        Command::Documents(args) => techex::documents::run(settings, args).await,
        Command::Backup(args) => techex::backup::backup(settings, args).await,
        Command::Restore(args) => techex::backup::restore(settings, args).await,
    }
}
