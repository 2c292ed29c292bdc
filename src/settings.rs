//! Merging flags, environment, the configuration file and defaults into one `Config`.

use crate::cli::{Cli, Command};
use anyhow::Context;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use techex_server::Config;

/// The optional `techex.toml`. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub addr: Option<SocketAddr>,
    pub log_format: Option<String>,
    pub session_ttl_hours: Option<i64>,
    pub cors_origins: Option<Vec<String>>,
    pub max_upload_bytes: Option<usize>,
    pub max_json_bytes: Option<usize>,
    pub trust_forwarded_for: Option<bool>,
    pub login_max_failures_per_account: Option<u64>,
    pub login_max_failures_per_address: Option<u64>,
    pub login_window_minutes: Option<i64>,
    pub max_db_connections: Option<u32>,
    pub index_dir: Option<PathBuf>,
    pub index_batch: Option<u64>,
    pub ready_max_index_lag: Option<i64>,
    pub metrics_token: Option<String>,
    pub search_synonyms: Option<PathBuf>,
    pub open_licence_limits: Option<PathBuf>,
    pub deadline_sweep_ms: Option<u64>,
    pub deal_inactivity_days: Option<i64>,
    pub stripe_secret_key: Option<String>,
    pub stripe_api_base: Option<String>,
    pub stripe_connect_api_base: Option<String>,
    pub stripe_publishable_key: Option<String>,
    pub stripe_js_url: Option<String>,
    pub stripe_webhook_secret: Option<String>,
    pub public_url: Option<String>,
    pub hsts_include_subdomains: Option<bool>,
    pub import_max_rows: Option<usize>,
    pub documents_url: Option<String>,
    pub documents_s3_endpoint: Option<String>,
    pub documents_s3_region: Option<String>,
    pub documents_s3_access_key_id: Option<String>,
    pub documents_s3_secret_access_key: Option<String>,
    pub documents_s3_allow_http: Option<bool>,
    pub documents_orphan_grace_secs: Option<u64>,
    pub documents_sweep_secs: Option<u64>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub mail_poll_ms: Option<u64>,
}

/// The resolved configuration and the process-level settings beside it.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Config,
    pub log_format: String,
}

impl std::ops::Deref for Settings {
    type Target = Config;
    fn deref(&self) -> &Config {
        &self.config
    }
}

fn env_text(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The document store's settings. The flags read their environment variables through
/// clap; the access keys come from the environment or the file only, never a flag.
fn resolve_documents(cli: &Cli, config: &mut Config, file: &FileConfig) -> anyhow::Result<()> {
    let documents = &mut config.documents;
    documents.url = cli.documents_url.clone().or(file.documents_url.clone()).filter(|u| !u.trim().is_empty());
    documents.s3_endpoint = cli.documents_s3_endpoint.clone().or(file.documents_s3_endpoint.clone());
    documents.s3_region = cli.documents_s3_region.clone().or(file.documents_s3_region.clone());
    documents.s3_access_key_id =
        env_text("TECHEX_DOCUMENTS_S3_ACCESS_KEY_ID").or(file.documents_s3_access_key_id.clone());
    documents.s3_secret_access_key =
        env_text("TECHEX_DOCUMENTS_S3_SECRET_ACCESS_KEY").or(file.documents_s3_secret_access_key.clone());
    documents.s3_allow_http = cli.documents_s3_allow_http
        || env_parse("TECHEX_DOCUMENTS_S3_ALLOW_HTTP")?.or(file.documents_s3_allow_http).unwrap_or(false);
    config.documents_orphan_grace_secs = env_parse("TECHEX_DOCUMENTS_ORPHAN_GRACE_SECS")?
        .or(file.documents_orphan_grace_secs)
        .unwrap_or(config.documents_orphan_grace_secs);
    config.documents_sweep_secs =
        env_parse("TECHEX_DOCUMENTS_SWEEP_SECS")?.or(file.documents_sweep_secs).unwrap_or(config.documents_sweep_secs);
    Ok(())
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{} is not a valid techex configuration", path.display()))
}

fn env_list(name: &str) -> Option<Vec<String>> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect())
}

fn env_parse<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>> {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| anyhow::anyhow!("environment variable {name}=`{value}` is not valid")),
        Err(_) => Ok(None),
    }
}

/// Resolves the configuration: flags > environment > file > defaults.
pub fn resolve(cli: &Cli) -> anyhow::Result<Settings> {
    let file = match &cli.config {
        Some(path) => read_file(path)?,
        None if Path::new("techex.toml").exists() => read_file(Path::new("techex.toml"))?,
        None => FileConfig::default(),
    };
    let data_dir = cli.data_dir.clone().or(file.data_dir.clone()).unwrap_or_else(|| PathBuf::from("data"));
    let mut config = Config::with_data_dir(data_dir);
    resolve_documents(cli, &mut config, &file)?;
    if let Some(url) = cli.database_url.clone().or(file.database_url) {
        config.database_url = url;
    }
    let (serve_addr, index_dir) = match &cli.command {
        Command::Serve(args) => (args.addr, args.index_dir.clone()),
        Command::Reindex(args) => (None, args.index_dir.clone()),
        Command::Restore(args) => (None, args.index_dir.clone()),
        _ => (None, None),
    };
    config.index_dir = index_dir.or(file.index_dir);
    config.index_batch = env_parse("TECHEX_INDEX_BATCH")?.or(file.index_batch).unwrap_or(config.index_batch);
    config.ready_max_index_lag = env_parse("TECHEX_READY_MAX_INDEX_LAG")?
        .or(file.ready_max_index_lag)
        .unwrap_or(config.ready_max_index_lag)
        .max(0);
    config.metrics_token =
        std::env::var("TECHEX_METRICS_TOKEN").ok().or(file.metrics_token).filter(|t| !t.trim().is_empty());
    config.search_synonyms = std::env::var("TECHEX_SEARCH_SYNONYMS")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .map(PathBuf::from)
        .or(file.search_synonyms);
    config.open_licence_limits = std::env::var("TECHEX_OPEN_LICENCE_LIMITS")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .map(PathBuf::from)
        .or(file.open_licence_limits);
    config.deadline_sweep_ms =
        env_parse("TECHEX_DEADLINE_SWEEP_MS")?.or(file.deadline_sweep_ms).unwrap_or(config.deadline_sweep_ms).max(50);
    config.deal_inactivity_days = env_parse("TECHEX_DEAL_INACTIVITY_DAYS")?
        .or(file.deal_inactivity_days)
        .unwrap_or(config.deal_inactivity_days)
        .clamp(1, 3650);
    config.stripe_secret_key =
        std::env::var("TECHEX_STRIPE_SECRET_KEY").ok().or(file.stripe_secret_key).filter(|k| !k.trim().is_empty());
    if let Some(base) = std::env::var("TECHEX_STRIPE_API_BASE").ok().or(file.stripe_api_base) {
        config.stripe_api_base = base;
    }
    config.stripe_connect_api_base = std::env::var("TECHEX_STRIPE_CONNECT_API_BASE")
        .ok()
        .or(file.stripe_connect_api_base)
        .filter(|b| !b.trim().is_empty());
    config.stripe_publishable_key = std::env::var("TECHEX_STRIPE_PUBLISHABLE_KEY")
        .ok()
        .or(file.stripe_publishable_key)
        .filter(|k| !k.trim().is_empty());
    if let Some(url) =
        std::env::var("TECHEX_STRIPE_JS_URL").ok().or(file.stripe_js_url).filter(|u| !u.trim().is_empty())
    {
        config.stripe_js_url = url;
    }
    config.stripe_webhook_secret = std::env::var("TECHEX_STRIPE_WEBHOOK_SECRET")
        .ok()
        .or(file.stripe_webhook_secret)
        .filter(|k| !k.trim().is_empty());
    if let Some(addr) = serve_addr.or(file.addr) {
        config.addr = addr;
    }
    config.session_ttl_hours =
        env_parse("TECHEX_SESSION_TTL_HOURS")?.or(file.session_ttl_hours).unwrap_or(config.session_ttl_hours);
    config.cors_origins = env_list("TECHEX_CORS_ORIGINS").or(file.cors_origins).unwrap_or_default();
    config.max_upload_bytes =
        env_parse("TECHEX_MAX_UPLOAD_BYTES")?.or(file.max_upload_bytes).unwrap_or(config.max_upload_bytes);
    config.max_json_bytes =
        env_parse("TECHEX_MAX_JSON_BYTES")?.or(file.max_json_bytes).unwrap_or(config.max_json_bytes);
    config.trust_forwarded_for =
        env_parse("TECHEX_TRUST_FORWARDED_FOR")?.or(file.trust_forwarded_for).unwrap_or(config.trust_forwarded_for);
    config.login_max_failures_per_account = env_parse("TECHEX_LOGIN_MAX_FAILURES_PER_ACCOUNT")?
        .or(file.login_max_failures_per_account)
        .unwrap_or(config.login_max_failures_per_account);
    config.login_max_failures_per_address = env_parse("TECHEX_LOGIN_MAX_FAILURES_PER_ADDRESS")?
        .or(file.login_max_failures_per_address)
        .unwrap_or(config.login_max_failures_per_address);
    config.login_window_minutes =
        env_parse("TECHEX_LOGIN_WINDOW_MINUTES")?.or(file.login_window_minutes).unwrap_or(config.login_window_minutes);
    config.max_db_connections =
        env_parse("TECHEX_MAX_DB_CONNECTIONS")?.or(file.max_db_connections).unwrap_or(config.max_db_connections);
    config.public_url = std::env::var("TECHEX_PUBLIC_URL").ok().or(file.public_url).filter(|u| !u.trim().is_empty());
    config.smtp_url = std::env::var("TECHEX_SMTP_URL").ok().or(file.smtp_url).filter(|u| !u.trim().is_empty());
    if let Some(from) = std::env::var("TECHEX_MAIL_FROM").ok().or(file.mail_from).filter(|f| !f.trim().is_empty()) {
        config.mail_from = from;
    }
    config.mail_poll_ms =
        env_parse("TECHEX_MAIL_POLL_MS")?.or(file.mail_poll_ms).unwrap_or(config.mail_poll_ms).clamp(50, 60_000);
    config.hsts_include_subdomains = env_parse("TECHEX_HSTS_INCLUDE_SUBDOMAINS")?
        .or(file.hsts_include_subdomains)
        .unwrap_or(config.hsts_include_subdomains);
    config.import_max_rows =
        env_parse("TECHEX_IMPORT_MAX_ROWS")?.or(file.import_max_rows).unwrap_or(config.import_max_rows).max(1);
    let log_format = cli.log_format.clone().or(file.log_format).unwrap_or_else(|| "text".into());
    if log_format != "text" && log_format != "json" {
        anyhow::bail!("log format must be `text` or `json`, not `{log_format}`");
    }
    Ok(Settings { config, log_format })
}
