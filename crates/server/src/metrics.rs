//! Prometheus metrics: the process-wide recorder, the per-request middleware and the
//! `/metrics` endpoint.
//!
//! `/metrics` is served on the main address only when `TECHEX_METRICS_TOKEN` is set,
//! and only to requests bearing that token; without a token it answers 404 like any
//! unknown path. Counters and histograms are recorded where things happen (requests
//! here, searches and the indexer in `techex-search`, sweepers in their crates, Stripe
//! calls in `techex_payments::metered`); gauges of the database pool, the outbox and
//! the indexer's lag are read when scraped.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait, QueryOrder};
use std::sync::OnceLock;
use std::time::Instant;
use techex_listings::entities::{outbox, outbox_meta};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Bucket bounds of every `_seconds` histogram: 1 ms to 30 s.
const SECONDS_BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use; `None` when another recorder was
/// installed first (metrics are then not served, and nothing else changes).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
                .and_then(|builder| builder.install_recorder());
            match installed {
                Ok(handle) => Some(handle),
                Err(error) => {
                    tracing::warn!(%error, "cannot install the metrics recorder; /metrics is off");
                    None
                }
            }
        })
        .as_ref()
}

/// Keeps the recorder's histograms compact; runs until aborted.
pub async fn upkeep() {
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        interval.tick().await;
        if let Some(handle) = handle() {
            handle.run_upkeep();
        }
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts and times every request by method, route template (never the raw path:
/// a bounded set of series) and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_owned(),
        None => "unmatched".to_owned(),
    };
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("techex_http_request_duration_seconds", "method" => method, "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("techex_http_requests_total", "method" => method, "route" => route, "status" => status)
        .increment(1);
    response
}

/// How far this process's index is behind the outbox.
pub struct IndexLag {
    /// The newest outbox position, or the position pruning reached when that is later
    /// (an emptied outbox still says how far an index must have come).
    pub head: i64,
    /// The index's committed checkpoint.
    pub checkpoint: i64,
}

impl IndexLag {
    /// Outbox rows not yet in the index.
    pub fn rows(&self) -> i64 {
        (self.head - self.checkpoint).max(0)
    }
}

/// Reads the outbox head and the index's checkpoint.
pub async fn index_lag(state: &AppState) -> ApiResult<IndexLag> {
    let newest = outbox::Entity::find()
        .order_by_desc(outbox::Column::Position)
        .one(&state.db)
        .await
        .map_err(ApiError::internal)?;
    let pruned = outbox_meta::Entity::find_by_id(1).one(&state.db).await.map_err(ApiError::internal)?;
    let head = Ord::max(newest.map_or(0, |row| row.position), pruned.map_or(0, |meta| meta.pruned_through));
    let index = state.search.index();
    let checkpoint = tokio::task::spawn_blocking(move || index.checkpoint())
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(IndexLag { head, checkpoint: checkpoint.position })
}

/// Sets the gauges that are read rather than recorded.
async fn read_gauges(state: &AppState) -> ApiResult<()> {
    let lag = index_lag(state).await?;
    metrics::gauge!("techex_outbox_head_position").set(lag.head as f64);
    metrics::gauge!("techex_indexer_checkpoint_position").set(lag.checkpoint as f64);
    metrics::gauge!("techex_indexer_lag_rows").set(lag.rows() as f64);
    let depth = outbox::Entity::find().count(&state.db).await.map_err(ApiError::internal)?;
    metrics::gauge!("techex_outbox_depth_rows").set(depth as f64);
    if let Some(age) = state.search.seconds_since_indexer_round() {
        metrics::gauge!("techex_indexer_last_round_age_seconds").set(age);
    }
    let (size, idle) = pool_use(&state.db);
    metrics::gauge!("techex_db_pool_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("techex_db_pool_connections", "state" => "in_use").set(size.saturating_sub(idle) as f64);
    Ok(())
}

/// Connections open and idle in the database pool.
fn pool_use(db: &DatabaseConnection) -> (u32, u32) {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX))
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX))
        }
    }
}

/// Whether the request bears the metrics token (compared in constant time).
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let Some(presented) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return false;
    };
    let (expected, given) = (token.as_bytes(), presented.trim().as_bytes());
    expected.len() == given.len() && expected.iter().zip(given).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Metrics in the Prometheus text format, for a scraper holding the metrics token.
#[utoipa::path(get, path = "/metrics", tag = "health",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Metrics in the Prometheus text format (0.0.4)", content_type = "text/plain", body = String),
        (status = 401, description = "The metrics token is missing or wrong"),
        (status = 404, description = "No metrics token is configured, so metrics are not served"),
    ))]
async fn metrics_text(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let Some(token) = state.config.metrics_token.as_deref() else { return Err(ApiError::not_found("page")) };
    if !authorized(&headers, token) {
        return Err(ApiError::unauthenticated("the metrics token is missing or wrong"));
    }
    let Some(handle) = handle() else { return Err(ApiError::not_found("page")) };
    read_gauges(&state).await?;
    let body = handle.render();
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics_text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_authorized() {
        let mut headers = HeaderMap::new();
        assert!(!authorized(&headers, "secret"));
        headers.insert(header::AUTHORIZATION, "Bearer secret".parse().expect("header"));
        assert!(authorized(&headers, "secret"));
        headers.insert(header::AUTHORIZATION, "Bearer secreT".parse().expect("header"));
        assert!(!authorized(&headers, "secret"));
        headers.insert(header::AUTHORIZATION, "Bearer secret2".parse().expect("header"));
        assert!(!authorized(&headers, "secret"));
        headers.insert(header::AUTHORIZATION, "secret".parse().expect("header"));
        assert!(!authorized(&headers, "secret"));
    }
}
