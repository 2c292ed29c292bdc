//! Patent open licensing (专利开放许可): declarations, their review by the center, and
//! licences taken by notice under them.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, IfMatch, MaybeUser};
use crate::routes::{PageParams, ReasonBody, begin, commit, created, versioned};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use techex_contracts::contracts::{self, ContractView};
use techex_contracts::open_licence::{self, GrantView, TakeLicence, Taken};
use techex_core::domain::OpenLicenceStatus;
use techex_core::pagination::Page;
use techex_listings::open_licences::{self, Decision, Declare, Limits, OpenLicenceFilter, OpenLicenceView};
use techex_negotiation::deals::{self, DealView};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpenLicenceQuery {
    /// Default `published`. Anyone sees published and withdrawn declarations; the center's
    /// reviewers see every state; a patentee sees its own with `mine=true`.
    pub status: Option<OpenLicenceStatus>,
    /// Only the actor's organization's declarations.
    #[serde(default)]
    pub mine: bool,
    /// Only patents of this technology field (its code, as in `/api/v1/reference/fields`).
    pub field: Option<String>,
    pub achievement_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

async fn render(state: &AppState, actor: Option<&techex_core::Actor>, id: Uuid) -> ApiResult<Response> {
    let model = open_licences::get(&state.db, actor, id).await?;
    let view = open_licences::view(&state.db, actor, model).await?;
    Ok(versioned(view.version, view))
}

/// Open-licence declarations, newest first (published ones for anyone).
#[utoipa::path(get, path = "/api/v1/open-licences", tag = "open licensing", security((), ("bearer" = [])),
    params(OpenLicenceQuery), responses((status = 200, body = Page<OpenLicenceView>)))]
async fn list(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<OpenLicenceQuery>,
) -> ApiResult<Json<Page<OpenLicenceView>>> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() }.page()?;
    let filter = OpenLicenceFilter {
        status: query.status,
        mine: query.mine,
        field: query.field.clone(),
        achievement_id: query.achievement_id,
    };
    Ok(Json(open_licences::list(&state.db, user.actor(), &filter, page).await?))
}

/// Declares an open licence of a published, granted patent (the patentee's members). It
/// is public once the center approves it. Terms outside the center's limits (fee,
/// royalty rate, minimum, term), an exclusive or sole licence, a patent not granted, or
/// a utility model or design without its evaluation report are refused field by field.
#[utoipa::path(post, path = "/api/v1/achievements/{id}/open-licence", tag = "open licensing", security(("bearer" = [])),
    request_body = Declare,
    responses((status = 201, body = OpenLicenceView),
              (status = 403, body = crate::error::Problem, description = "not the patentee"),
              (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem, description = "the patent already has a declaration pending or published, or an exclusive or sole licence of it is in force"),
              (status = 422, body = crate::error::Problem)))]
async fn declare(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<Declare>,
) -> ApiResult<Response> {
    let limits = Limits::load(state.config.open_licence_limits.as_deref())?;
    let transaction = begin(&state).await?;
    let model = open_licence::declare(&transaction, &user.actor, id, input, &limits).await?;
    commit(transaction).await?;
    let view = open_licences::view(&state.db, Some(&user.actor), model).await?;
    Ok(created(format!("/api/v1/open-licences/{}", view.id), view.version, view))
}

/// One declaration.
#[utoipa::path(get, path = "/api/v1/open-licences/{id}", tag = "open licensing", security((), ("bearer" = [])),
    responses((status = 200, body = OpenLicenceView), (status = 404, body = crate::error::Problem)))]
async fn get_one(State(state): State<AppState>, user: MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    render(&state, user.actor(), id).await
}

/// Publishes a pending declaration (the center's reviewers).
#[utoipa::path(post, path = "/api/v1/open-licences/{id}/approve", tag = "open licensing", params(crate::extract::IfMatchHeader),
    security(("bearer" = [])),
    responses((status = 200, body = OpenLicenceView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn approve(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    open_licences::review(&transaction, &user.actor, id, version, Decision::Approve).await?;
    commit(transaction).await?;
    render(&state, Some(&user.actor), id).await
}

/// Returns a pending declaration to the patentee with a reason (the center's reviewers).
#[utoipa::path(post, path = "/api/v1/open-licences/{id}/reject", tag = "open licensing", params(crate::extract::IfMatchHeader),
    security(("bearer" = [])), request_body = ReasonBody,
    responses((status = 200, body = OpenLicenceView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn reject(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    open_licences::review(&transaction, &user.actor, id, version, Decision::Reject(body.reason)).await?;
    commit(transaction).await?;
    render(&state, Some(&user.actor), id).await
}

/// Withdraws a pending or published declaration (the patentee); licences already taken
/// stand.
#[utoipa::path(post, path = "/api/v1/open-licences/{id}/withdraw", tag = "open licensing", params(crate::extract::IfMatchHeader),
    security(("bearer" = [])),
    responses((status = 200, body = OpenLicenceView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    open_licences::withdraw(&transaction, &user.actor, id, version).await?;
    commit(transaction).await?;
    render(&state, Some(&user.actor), id).await
}

/// The licences taken under a declaration: registered ones for anyone (the licensee
/// named unless it asked not to be); all of them for the patentee and the center.
#[utoipa::path(get, path = "/api/v1/open-licences/{id}/licences", tag = "open licensing", security((), ("bearer" = [])),
    responses((status = 200, body = Vec<GrantView>), (status = 404, body = crate::error::Problem)))]
async fn grants(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<GrantView>>> {
    Ok(Json(open_licence::grants(&state.db, user.actor(), id).await?))
}

/// Takes an ordinary licence by notice under a published declaration (members of a
/// verified organization other than the patentee): the contract is drafted on the
/// declared terms at once, for the licensee to sign and the center to register; the fee
/// is paid as its milestone. With `broker_id` the broker is invited to mediate and the
/// answer is the deal (202): the contract is drafted, with the broker as 丙方, when the
/// broker accepts (`POST /api/v1/deals/{id}/broker/accept`).
#[utoipa::path(post, path = "/api/v1/open-licences/{id}/licences", tag = "open licensing", security(("bearer" = [])),
    request_body = TakeLicence,
    responses((status = 201, body = ContractView, description = "the licence contract, drafted"),
              (status = 202, body = DealView, description = "the deal, waiting for the invited broker's acceptance"),
              (status = 422, body = crate::error::Problem, description = "an unknown, suspended or not independent broker, or a commission out of range"),
              (status = 403, body = crate::error::Problem, description = "the patentee itself, an unverified organization, or the center"),
              (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem, description = "the declaration is not published, or the organization already took a licence under it")))]
async fn take(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<TakeLicence>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let taken = open_licence::take(&transaction, &user.actor, id, input).await?;
    commit(transaction).await?;
    match taken {
        Taken::Drafted(model) => {
            let view = contracts::get_view(&state.db, &user.actor, model.id).await?;
            Ok(created(format!("/api/v1/contracts/{}", view.id), view.version, view))
        }
        Taken::AwaitingBroker(deal) => {
            let view = deals::get_view(&state.db, &user.actor, deal.id).await?;
            let mut response = created(format!("/api/v1/deals/{}", view.id), view.version, view);
            *response.status_mut() = StatusCode::ACCEPTED;
            Ok(response)
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(declare))
        .routes(routes!(get_one))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(withdraw))
        .routes(routes!(grants, take))
}
