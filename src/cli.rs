//! The command line. Flags win over environment variables, which win over the
//! configuration file (`--config`, or `./techex.toml` when present), which wins over
//! the defaults.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "techex", version, about = "A provincial technology achievements trading center")]
pub struct Cli {
    /// Configuration file (TOML); `./techex.toml` is read when present.
    #[arg(long, global = true, env = "TECHEX_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database URL: `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Directory for the SQLite database, documents and indexes [default: ./data].
    #[arg(long, global = true, env = "TECHEX_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Where documents are stored: `s3://bucket/prefix` for S3-compatible storage, or
    /// `file:///directory` [default: <data dir>/documents].
    #[arg(long, global = true, env = "TECHEX_DOCUMENTS_URL")]
    pub documents_url: Option<String>,
    /// The S3 endpoint of the document store (`http://127.0.0.1:9000`) [default: AWS].
    #[arg(long, global = true, env = "TECHEX_DOCUMENTS_S3_ENDPOINT")]
    pub documents_s3_endpoint: Option<String>,
    /// The region of the document store's bucket [default: us-east-1].
    #[arg(long, global = true, env = "TECHEX_DOCUMENTS_S3_REGION")]
    pub documents_s3_region: Option<String>,
    /// Allow a plain-http S3 endpoint (also `TECHEX_DOCUMENTS_S3_ALLOW_HTTP=true`).
    #[arg(long, global = true)]
    pub documents_s3_allow_http: bool,
    /// Log format: `text` or `json`.
    #[arg(long, global = true, env = "TECHEX_LOG_FORMAT")]
    pub log_format: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates first; loads the demo into an empty database).
    Serve(ServeArgs),
    /// Bring the database schema up to date.
    Migrate,
    /// Load data into the database.
    Seed(SeedArgs),
    /// Import an achievement portfolio (CSV, XLSX or JSON) for an organization.
    Import(ImportArgs),
    /// Export achievements (CSV or JSON) in the format `import` reads.
    Export(ExportArgs),
    /// Rebuild the search index from the database (into a fresh directory, swapped in
    /// atomically; a running server switches to it).
    Reindex(ReindexArgs),
    /// The center's administration: `admin create` installs the center and its first
    /// platform administrator on a fresh database.
    Admin(AdminArgs),
    /// Milestone payments: `payments reconcile [--repair]` compares open payments with
    /// Stripe and (with `--repair`) applies what Stripe says happened.
    Payments(PaymentsArgs),
    /// The document store: `documents sweep` deletes blobs no row names; `documents
    /// migrate --to s3://…` copies a local documents directory into a store.
    Documents(DocumentsArgs),
    /// Write a consistent backup of the database (every table at one snapshot, as JSON
    /// lines) and of the documents its rows name, while the server keeps running.
    Backup(BackupArgs),
    /// Restore a backup into an empty database and document store, then rebuild the
    /// search index from the restored database.
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct DocumentsArgs {
    #[command(subcommand)]
    pub action: DocumentsAction,
}

#[derive(Debug, clap::Subcommand)]
pub enum DocumentsAction {
    /// Delete the blobs of the document store that no row names and that are older than
    /// the grace period (what every `serve` does periodically).
    Sweep {
        /// How old an orphan must be, in seconds [default: the configured
        /// `documents_orphan_grace_secs`, 3600].
        #[arg(long)]
        grace_secs: Option<u64>,
    },
    /// Copy every blob of a local documents directory into a store, checking each one's
    /// hash; blobs already there are skipped, so it can run again after an interruption.
    Migrate {
        /// The directory to copy from [default: <data dir>/documents].
        #[arg(long)]
        from: Option<PathBuf>,
        /// The store to copy into (`s3://bucket/prefix`; the S3 settings come from the
        /// configuration) [default: the configured documents URL].
        #[arg(long)]
        to: Option<String>,
        /// Blobs copied at once.
        #[arg(long, default_value_t = 8)]
        parallel: usize,
    },
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The directory to write the backup into; it must not exist yet (or be empty).
    pub target: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A directory written by `techex backup`.
    pub source: PathBuf,
    /// The index directory to rebuild [default: <data dir>/search].
    #[arg(long, env = "TECHEX_INDEX_DIR")]
    pub index_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub action: AdminAction,
}

#[derive(Debug, clap::Subcommand)]
pub enum AdminAction {
    /// Create the center organization (verified) and its first platform administrator,
    /// once per database. The password is asked for on the terminal without echo, or read
    /// from the first line of standard input when that is a pipe (`--password-stdin`);
    /// never an argument.
    Create(AdminCreateArgs),
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    /// The center's official (Chinese) name.
    #[arg(long)]
    pub center_name: String,
    /// The center's English name.
    #[arg(long)]
    pub center_name_en: Option<String>,
    /// The center's 18-character unified social credit code.
    #[arg(long)]
    pub credit_code: String,
    /// The center's region: division code or name.
    #[arg(long, default_value = "370000")]
    pub region: String,
    /// The administrator's e-mail address (the sign-in name).
    #[arg(long)]
    pub email: String,
    /// The administrator's name as others see it.
    #[arg(long)]
    pub display_name: String,
    /// The administrator's language: `zh` or `en`.
    #[arg(long, default_value = "zh", value_parser = parse_language)]
    pub language: techex_core::domain::Language,
    /// Read the password from the first line of standard input (a pipe) instead of asking;
    /// without the flag a piped standard input is read all the same.
    #[arg(long)]
    pub password_stdin: bool,
}

fn parse_language(input: &str) -> Result<techex_core::domain::Language, String> {
    techex_core::domain::Language::parse(input).map_err(|_| format!("`{input}` is not a language: zh or en"))
}

#[derive(Debug, Args)]
pub struct PaymentsArgs {
    #[command(subcommand)]
    pub action: PaymentsAction,
}

#[derive(Debug, clap::Subcommand)]
pub enum PaymentsAction {
    /// Compare open milestone payments with Stripe and report what differs.
    Reconcile {
        /// Apply what Stripe says happened (a success whose webhook never arrived).
        #[arg(long)]
        repair: bool,
    },
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// The index directory [default: <data dir>/search].
    #[arg(long, env = "TECHEX_INDEX_DIR")]
    pub index_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "TECHEX_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Do not load the demo data into an empty database.
    #[arg(long, env = "TECHEX_NO_DEMO")]
    pub no_demo: bool,
    /// This process's search index directory [default: <data dir>/search]; every
    /// process needs its own.
    #[arg(long, env = "TECHEX_INDEX_DIR")]
    pub index_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Load the bilingual demo center (organizations, accounts, achievements, demands).
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The portfolio file: .csv, .xlsx or .json.
    pub file: PathBuf,
    /// The organization the achievements belong to: its id or credit code.
    #[arg(long)]
    pub org: String,
    /// The member who imports (e-mail) [default: the organization's first administrator].
    #[arg(long = "as")]
    pub as_user: Option<String>,
    /// Submit each imported achievement for review.
    #[arg(long)]
    pub submit: bool,
    /// Write the per-row report as CSV to this file (it is always printed too).
    #[arg(long)]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormat,
    /// Only this organization's achievements (id or credit code), in every state.
    #[arg(long)]
    pub org: Option<String>,
    /// Only published achievements (the default when no organization is given).
    #[arg(long)]
    pub published: bool,
    /// Output file [default: standard output].
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}
