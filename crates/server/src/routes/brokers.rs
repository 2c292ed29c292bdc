//! The broker registry: directory, profiles, certification and suspension.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, IfMatch, MaybeUser};
use crate::routes::{PageParams, ReasonBody, begin, commit, created, versioned};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use techex_core::domain::BrokerLevel;
use techex_core::pagination::Page;
use techex_negotiation::brokers::{self, BrokerFilter, BrokerView, CertifyBroker, UpdateBroker};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BrokerQuery {
    /// Industry field code of expertise.
    pub field: Option<String>,
    pub level: Option<BrokerLevel>,
    /// `active` (default); platform admins also `suspended` or `all`.
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The broker directory with each broker's track record.
#[utoipa::path(get, path = "/api/v1/brokers", tag = "brokers", security((), ("bearer" = [])), params(BrokerQuery),
    responses((status = 200, body = Page<BrokerView>),
              (status = 422, description = "a filter value is not valid (an owner that is not an organization id, an unknown status)", body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<BrokerQuery>,
) -> ApiResult<Json<Page<BrokerView>>> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() }.page()?;
    let filter = BrokerFilter { field: query.field, level: query.level, status: query.status };
    Ok(Json(brokers::list(&state.db, user.actor(), &filter, page).await?))
}

/// Certifies a user as a technology broker (platform admins).
#[utoipa::path(post, path = "/api/v1/brokers", tag = "brokers", security(("bearer" = [])), request_body = CertifyBroker,
    responses((status = 201, body = BrokerView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn certify(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<CertifyBroker>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let model = brokers::certify(&transaction, &user.actor, input).await?;
    commit(transaction).await?;
    let view = brokers::get_view(&state.db, Some(&user.actor), model.id).await?;
    Ok(created(format!("/api/v1/brokers/{}", view.id), view.version, view))
}

/// A broker's public profile and track record.
#[utoipa::path(get, path = "/api/v1/brokers/{id}", tag = "brokers", security((), ("bearer" = [])),
    responses((status = 200, body = BrokerView), (status = 404, body = crate::error::Problem)))]
async fn get_one(State(state): State<AppState>, user: MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let view = brokers::get_view(&state.db, user.actor(), id).await?;
    Ok(versioned(view.version, view))
}

/// Edits a broker profile (the broker; platform admins also the level).
#[utoipa::path(patch, path = "/api/v1/brokers/{id}", tag = "brokers", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = UpdateBroker,
    responses((status = 200, body = BrokerView), (status = 403, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<UpdateBroker>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    brokers::update(&transaction, &user.actor, id, version, input).await?;
    commit(transaction).await?;
    let view = brokers::get_view(&state.db, Some(&user.actor), id).await?;
    Ok(versioned(view.version, view))
}

/// Suspends a broker with a reason (platform admins); they take no new deals.
#[utoipa::path(post, path = "/api/v1/brokers/{id}/suspend", tag = "brokers", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = ReasonBody,
    responses((status = 200, body = BrokerView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn suspend(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    brokers::set_suspended(&transaction, &user.actor, id, version, Some(&body.reason)).await?;
    commit(transaction).await?;
    let view = brokers::get_view(&state.db, Some(&user.actor), id).await?;
    Ok(versioned(view.version, view))
}

/// Reinstates a suspended broker (platform admins).
#[utoipa::path(post, path = "/api/v1/brokers/{id}/reinstate", tag = "brokers", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = BrokerView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn reinstate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    brokers::set_suspended(&transaction, &user.actor, id, version, None).await?;
    commit(transaction).await?;
    let view = brokers::get_view(&state.db, Some(&user.actor), id).await?;
    Ok(versioned(view.version, view))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, certify))
        .routes(routes!(get_one, update))
        .routes(routes!(suspend))
        .routes(routes!(reinstate))
}
