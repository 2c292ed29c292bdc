//! Configuration of a techex process. Sources, strongest first: command-line flags,
//! environment (`TECHEX_…`, `DATABASE_URL`), an optional `techex.toml`, defaults.
//! The binary merges the sources; this is the resolved result.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The resolved settings of a techex process.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Where the SQLite file (by default), documents and indexes live.
    pub data_dir: PathBuf,
    /// The address `serve` listens on; port 0 picks a free port.
    pub addr: SocketAddr,
    /// How long a login stays valid, in hours.
    pub session_ttl_hours: i64,
    /// Origins allowed to call the API from a browser; empty means no CORS at all.
    pub cors_origins: Vec<String>,
    /// The largest document upload, in bytes.
    pub max_upload_bytes: usize,
    /// The largest JSON request body, in bytes.
    pub max_json_bytes: usize,
    /// Trust the first address of `X-Forwarded-For` (only behind a proxy you control).
    pub trust_forwarded_for: bool,
    /// Failed logins allowed per account within the window.
    pub login_max_failures_per_account: u64,
    /// Failed logins allowed per client address within the window.
    pub login_max_failures_per_address: u64,
    /// The rate-limit window of failed logins, in minutes.
    pub login_window_minutes: i64,
    /// Database pool size.
    pub max_db_connections: u32,
    /// Where this process keeps its search index [default: `<data_dir>/search`]. Each
    /// process needs its own.
    pub index_dir: Option<PathBuf>,
    /// Outbox rows the indexer applies per commit.
    pub index_batch: u64,
    /// Whether this process runs its indexer (follows the outbox into its index). Off
    /// only in tests that drive the index by hand.
    pub follow_outbox: bool,
    /// `/ready` fails while the index is more than this many outbox rows behind.
    pub ready_max_index_lag: i64,
    /// The bearer token `/metrics` asks for; without one `/metrics` is not served.
    pub metrics_token: Option<String>,
    /// A synonyms file of the center's (one set of equivalent terms a line, see
    /// `crates/search/data/synonyms.txt`), read again when it changes; the shipped set
    /// when unset.
    pub search_synonyms: Option<PathBuf>,
    /// The center's limits on open-licence declarations (a JSON file shaped like
    /// `crates/listings/data/open_licence_limits.json`), read at each declaration; the
    /// shipped limits when unset.
    pub open_licence_limits: Option<PathBuf>,
    /// How often deadlines (offer expiry, auction close, first-refusal windows, idle
    /// deals) are swept, in milliseconds.
    pub deadline_sweep_ms: u64,
    /// Days an open deal may go without activity before it expires.
    pub deal_inactivity_days: i64,
    /// Stripe's secret key; without it milestone payments are off.
    pub stripe_secret_key: Option<String>,
    /// Stripe's API address (`https://api.stripe.com`; localstripe's in tests).
    pub stripe_api_base: String,
    /// Where Stripe Connect calls (payout transfers) go; Stripe's API address when unset.
    /// Tests point it at an HTTP double, since localstripe has no Connect.
    pub stripe_connect_api_base: Option<String>,
    /// The publishable key the pages give Stripe.js (`pk_…`); without it no card form.
    pub stripe_publishable_key: Option<String>,
    /// Where the pages load Stripe.js from: Stripe's own, or localstripe's stand-in
    /// (`http://127.0.0.1:8420/js.stripe.com/v3/`) in tests.
    pub stripe_js_url: String,
    /// The signing secret of the webhook endpoint (`whsec_…`).
    pub stripe_webhook_secret: Option<String>,
    /// How old a webhook signature may be, in seconds.
    pub stripe_webhook_tolerance_secs: i64,
    /// The address people reach the server at (`https://techex.example.cn`); when it is
    /// https, browser cookies are marked `Secure` and `Strict-Transport-Security` is sent.
    pub public_url: Option<String>,
    /// Whether `Strict-Transport-Security` covers the subdomains of `public_url`'s host.
    pub hsts_include_subdomains: bool,
    /// The most data rows one portfolio import takes; a larger file is refused whole (413).
    pub import_max_rows: usize,
    /// Where documents and deal attachments are stored: `<data_dir>/documents` unless
    /// `documents.url` names an S3-compatible bucket (`s3://bucket/prefix`).
    pub documents: techex_listings::blobs::StoreSettings,
    /// How old a blob that no row names must be before the orphan sweep deletes it, in
    /// seconds: longer than any upload takes from its bytes to its row.
    pub documents_orphan_grace_secs: u64,
    /// How often the orphan sweep runs, in seconds; 0 turns it off in this process.
    pub documents_sweep_secs: u64,
    /// The SMTP server mail is sent through (`smtp://host:25`, `smtp://user:password@host:587?tls=required`,
    /// `smtps://host:465`); without it techex sends no e-mail and notifications stay in
    /// the application.
    pub smtp_url: Option<String>,
    /// The sender of techex's mail (`技术成果交易中心 <noreply@example.cn>`).
    pub mail_from: String,
    /// How often the mail sender looks for mail to send, in milliseconds.
    pub mail_poll_ms: u64,
}

impl Config {
    /// Defaults for a process whose data lives in `data_dir`.
    pub fn with_data_dir(data_dir: PathBuf) -> Self {
        let database_url = default_database_url(&data_dir);
        Config {
            database_url,
            data_dir,
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            session_ttl_hours: 12,
            cors_origins: Vec::new(),
            max_upload_bytes: 20 * 1024 * 1024,
            max_json_bytes: 1024 * 1024,
            trust_forwarded_for: false,
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 30,
            login_window_minutes: 15,
            max_db_connections: 10,
            index_dir: None,
            index_batch: 1000,
            follow_outbox: true,
            ready_max_index_lag: 100,
            metrics_token: None,
            search_synonyms: None,
            open_licence_limits: None,
            deadline_sweep_ms: 1000,
            deal_inactivity_days: 90,
            stripe_secret_key: None,
            stripe_api_base: "https://api.stripe.com".into(),
            stripe_connect_api_base: None,
            stripe_publishable_key: None,
            stripe_js_url: "https://js.stripe.com/v3/".into(),
            stripe_webhook_secret: None,
            stripe_webhook_tolerance_secs: 300,
            public_url: None,
            hsts_include_subdomains: false,
            import_max_rows: 5000,
            documents: techex_listings::blobs::StoreSettings::default(),
            documents_orphan_grace_secs: 3600,
            documents_sweep_secs: 3600,
            smtp_url: None,
            mail_from: "techex <noreply@techex.invalid>".into(),
            mail_poll_ms: 2000,
        }
    }

    /// The limits a portfolio import is read within.
    pub fn import_limits(&self) -> techex_listings::portfolio::ImportLimits {
        techex_listings::portfolio::ImportLimits {
            max_rows: self.import_max_rows,
            ..techex_listings::portfolio::ImportLimits::default()
        }
    }

    /// Whether people reach the server over https (`public_url`), so HSTS applies.
    pub fn is_https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| url.trim().to_ascii_lowercase().starts_with("https://"))
    }

    /// The directory of this process's search index.
    pub fn index_root(&self) -> PathBuf {
        self.index_dir.clone().unwrap_or_else(|| self.data_dir.join("search"))
    }

    /// Opens the document store the settings name.
    pub fn blob_store(&self) -> Result<techex_listings::blobs::BlobStore, techex_listings::blobs::BlobError> {
        techex_listings::blobs::BlobStore::open(&self.documents, &self.data_dir)
    }

    /// The orphan sweep's grace period.
    pub fn documents_orphan_grace(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.documents_orphan_grace_secs).unwrap_or(i64::MAX / 1000))
    }

    /// Whether the database is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The database URL with any password replaced, for logs.
    pub fn redacted_database_url(&self) -> String {
        redact_url(&self.database_url)
    }
}

/// The SQLite file under the data directory, created if missing.
pub fn default_database_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("techex.db").display())
}

/// Hides the password of a `scheme://user:password@host/…` URL.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/techex"), "postgres://app:***@db:5432/techex");
        assert_eq!(redact_url("postgres://app@db/techex"), "postgres://app@db/techex");
        assert_eq!(redact_url("sqlite://data/techex.db"), "sqlite://data/techex.db");
    }
}
