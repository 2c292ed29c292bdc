//! Liveness and readiness.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use techex_core::msg;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    pub version: &'static str,
}

/// The process is up (liveness: restart it when this fails).
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION") })
}

/// The process should receive traffic: the database answers and the search index is at
/// most `ready_max_index_lag` outbox rows behind (`TECHEX_READY_MAX_INDEX_LAG`, 100 by
/// default). Otherwise 503, the detail (in the reader's language) starting with the name
/// of the check that failed: `database` or `search_index`.
#[utoipa::path(get, path = "/ready", tag = "health", responses(
    (status = 200, body = Health),
    (status = 503, description = "The database does not answer, or the search index is behind the outbox"),
))]
async fn ready(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    if let Err(error) = state.db.execute_unprepared("SELECT 1").await {
        tracing::warn!(%error, "not ready: the database does not answer");
        return Err(ApiError::worded(StatusCode::SERVICE_UNAVAILABLE, "unavailable", msg::NOT_READY_DATABASE.into()));
    }
    let lag = match crate::metrics::index_lag(&state).await {
        Ok(lag) => lag,
        Err(error) => {
            tracing::warn!(cause = ?error.cause, "not ready: cannot read the search index's lag");
            return Err(ApiError::worded(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                msg::NOT_READY_SEARCH_INDEX_UNREADABLE.into(),
            ));
        }
    };
    let bound = state.config.ready_max_index_lag;
    if lag.rows() > bound {
        let detail = msg::NOT_READY_SEARCH_INDEX
            .with("behind", lag.rows())
            .with("position", lag.checkpoint)
            .with("head", lag.head)
            .with("max", bound);
        return Err(ApiError::worded(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail));
    }
    Ok(Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION") }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health)).routes(routes!(ready))
}
