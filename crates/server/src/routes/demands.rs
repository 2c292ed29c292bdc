//! Technology demands and their review.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, IfMatch, MaybeUser};
use crate::routes::{PageParams, ReasonBody, begin, commit, created, versioned};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use techex_core::Actor;
use techex_core::domain::DemandStatus;
use techex_core::pagination::Page;
use techex_listings::demands::{self, DemandFilter, DemandInput, DemandView};
use techex_listings::history::{self, AuditEntry};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DemandQuery {
    /// Owning organization id, or `mine`.
    pub owner: Option<String>,
    pub field: Option<String>,
    pub status: Option<DemandStatus>,
    pub region: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

async fn render(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Response> {
    let view = demands::get_view(&state.db, Some(actor), id).await?;
    Ok(versioned(view.version, view))
}

/// Lists demands newest first (published ones, the caller's own, and for reviewers those under review).
#[utoipa::path(get, path = "/api/v1/demands", tag = "demands", security((), ("bearer" = [])), params(DemandQuery),
    responses((status = 200, body = Page<DemandView>),
              (status = 422, description = "a filter value is not valid (an owner that is not an organization id, an unknown status)", body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<DemandQuery>,
) -> ApiResult<Json<Page<DemandView>>> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() }.page()?;
    let filter = DemandFilter { owner: query.owner, field: query.field, status: query.status, region: query.region };
    Ok(Json(demands::list(&state.db, user.actor(), &filter, page).await?))
}

/// Creates a draft demand for the caller's organization.
#[utoipa::path(post, path = "/api/v1/demands", tag = "demands", security(("bearer" = [])), request_body = DemandInput,
    responses((status = 201, body = DemandView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<DemandInput>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let model = demands::create(&transaction, &user.actor, input).await?;
    commit(transaction).await?;
    let view = demands::get_view(&state.db, Some(&user.actor), model.id).await?;
    Ok(created(format!("/api/v1/demands/{}", view.id), view.version, view))
}

/// One demand.
#[utoipa::path(get, path = "/api/v1/demands/{id}", tag = "demands", security((), ("bearer" = [])),
    responses((status = 200, body = DemandView), (status = 404, body = crate::error::Problem)))]
async fn get_one(State(state): State<AppState>, user: MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let view = demands::get_view(&state.db, user.actor(), id).await?;
    Ok(versioned(view.version, view))
}

/// Edits a draft or rejected demand (owner).
#[utoipa::path(patch, path = "/api/v1/demands/{id}", tag = "demands", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = DemandInput,
    responses((status = 200, body = DemandView), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<DemandInput>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    demands::update(&transaction, &user.actor, id, version, input).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Deletes a demand that was never published (owner).
#[utoipa::path(delete, path = "/api/v1/demands/{id}", tag = "demands", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 204), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    demands::delete(&transaction, &user.actor, id, version).await?;
    commit(transaction).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a draft demand for review (owner; verified organization).
#[utoipa::path(post, path = "/api/v1/demands/{id}/submit", tag = "demands", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = DemandView), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
              (status = 422, description = "the demand is not complete enough for review", body = crate::error::Problem)))]
async fn submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    demands::submit(&transaction, &user.actor, id, version).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Publishes a demand under review (center reviewers).
#[utoipa::path(post, path = "/api/v1/demands/{id}/approve", tag = "demands", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = DemandView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn approve(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    demands::approve(&transaction, &user.actor, id, version).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Returns a demand under review to its owner with a reason (center reviewers).
#[utoipa::path(post, path = "/api/v1/demands/{id}/reject", tag = "demands", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = ReasonBody,
    responses((status = 200, body = DemandView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn reject(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    demands::reject(&transaction, &user.actor, id, version, &body.reason).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Closes a published demand without a match (owner).
#[utoipa::path(post, path = "/api/v1/demands/{id}/close", tag = "demands", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = DemandView), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn close(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    demands::finish_demand(&transaction, &user.actor, id, version, false).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Marks a published demand fulfilled (owner).
#[utoipa::path(post, path = "/api/v1/demands/{id}/fulfil", tag = "demands", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = DemandView), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn fulfil(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    demands::finish_demand(&transaction, &user.actor, id, version, true).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// The audit history of a demand (its owner and center staff).
#[utoipa::path(get, path = "/api/v1/demands/{id}/history", tag = "demands", security(("bearer" = [])),
    responses((status = 200, body = Vec<AuditEntry>), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn history_of(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    let model = demands::get(&state.db, Some(&user.actor), id).await?;
    if !user.actor.belongs_to(model.organization_id) && !user.actor.can_review() {
        return Err(ApiError::not_found("demand history"));
    }
    Ok(Json(history::of_entity(&state.db, "demand", id).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(submit))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(close))
        .routes(routes!(fulfil))
        .routes(routes!(history_of))
}
