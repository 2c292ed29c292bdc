//! Buyers' feedback on achievements and per-listing analytics for their owners.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, CurrentUser};
use crate::routes::{begin, commit};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use techex_negotiation::feedback::{self, FeedbackSummary, GiveFeedback, ListingAnalytics};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The feedback buyers gave on an achievement, anonymous (its owner and the center).
#[utoipa::path(get, path = "/api/v1/achievements/{id}/feedback", tag = "achievements", security(("bearer" = [])),
    responses((status = 200, body = FeedbackSummary), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
async fn summary(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<FeedbackSummary>> {
    Ok(Json(feedback::summary(&state.db, &user.actor, id).await?))
}

/// Tells the owner why the caller's organization passes on an achievement (one answer
/// per organization; a new one replaces it).
#[utoipa::path(post, path = "/api/v1/achievements/{id}/feedback", tag = "achievements", security(("bearer" = [])),
    request_body = GiveFeedback,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn give(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<GiveFeedback>,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    feedback::give(&transaction, &user.actor, id, input).await?;
    commit(transaction).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Views, inquiries, deals and feedback of an achievement (its owner and the center).
#[utoipa::path(get, path = "/api/v1/achievements/{id}/analytics", tag = "achievements", security(("bearer" = [])),
    responses((status = 200, body = ListingAnalytics), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
async fn analytics(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ListingAnalytics>> {
    Ok(Json(feedback::analytics(&state.db, &user.actor, id).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(summary, give)).routes(routes!(analytics))
}
