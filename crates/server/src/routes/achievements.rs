//! Achievements: create, edit, the review workflow, history, NDA and portfolio import.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientIp, CurrentUser, IfMatch, MaybeUser};
use crate::routes::{PageParams, ReasonBody, begin, commit, created, versioned};
use crate::state::AppState;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::DatabaseTransaction;
use serde::Deserialize;
use techex_core::domain::{AchievementKind, AchievementStatus, Maturity};
use techex_core::pagination::Page;
use techex_core::{Actor, FieldError, Message};
use techex_listings::achievements::{self, AchievementFilter, AchievementInput, AchievementSummary, AchievementView};
use techex_listings::entities::achievement;
use techex_listings::history::{self, AuditEntry};
use techex_listings::nda::{self, NdaView};
use techex_listings::portfolio::jobs::ImportJobView;
use techex_listings::portfolio::{self, Format, ImportOptions, ImportReport, ReadError};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AchievementQuery {
    /// Owning organization id, or `mine`.
    pub owner: Option<String>,
    pub kind: Option<AchievementKind>,
    /// Industry field code.
    pub field: Option<String>,
    pub status: Option<AchievementStatus>,
    pub maturity: Option<Maturity>,
    /// Region code.
    pub region: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptNda {
    /// The `sha256` of the NDA text that was shown and read.
    pub sha256: String,
}

async fn render(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Response> {
    let view = achievements::get_view(&state.db, Some(actor), id).await?;
    Ok(versioned(view.version, view))
}

/// Lists achievements newest first: published ones for everybody, plus the caller's
/// own organization's in every state, plus (for reviewers) those under review.
#[utoipa::path(get, path = "/api/v1/achievements", tag = "achievements", security((), ("bearer" = [])), params(AchievementQuery),
    responses((status = 200, body = Page<AchievementSummary>), (status = 400, body = crate::error::Problem),
              (status = 422, description = "a filter value is not valid (an owner that is not an organization id, an unknown status)", body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<AchievementQuery>,
) -> ApiResult<Json<Page<AchievementSummary>>> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() }.page()?;
    let filter = AchievementFilter {
        owner: query.owner,
        kind: query.kind,
        field: query.field,
        status: query.status,
        maturity: query.maturity,
        region: query.region,
    };
    Ok(Json(achievements::list(&state.db, user.actor(), &filter, page).await?))
}

/// Creates a draft achievement for the caller's organization.
#[utoipa::path(post, path = "/api/v1/achievements", tag = "achievements", security(("bearer" = [])),
    request_body = AchievementInput,
    responses((status = 201, body = AchievementView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<AchievementInput>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let model = achievements::create(&transaction, &user.actor, input).await?;
    commit(transaction).await?;
    let view = achievements::get_view(&state.db, Some(&user.actor), model.id).await?;
    Ok(created(format!("/api/v1/achievements/{}", view.id), view.version, view))
}

/// One achievement as the caller may see it: the description only with detail access
/// (owner, reviewer, accepted NDA, or no NDA required), the floor price only to the owner.
#[utoipa::path(get, path = "/api/v1/achievements/{id}", tag = "achievements", security((), ("bearer" = [])),
    responses((status = 200, body = AchievementView), (status = 404, body = crate::error::Problem)))]
async fn get_one(State(state): State<AppState>, user: MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let view = achievements::get_view(&state.db, user.actor(), id).await?;
    techex_negotiation::feedback::count_view(&state.db, user.actor(), &view).await;
    Ok(versioned(view.version, view))
}

/// Edits a draft, rejected (it becomes a draft) or withdrawn achievement. Absent fields
/// stay; `null` clears. Send `If-Match` with the version you edited.
#[utoipa::path(patch, path = "/api/v1/achievements/{id}", tag = "achievements", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    request_body = AchievementInput,
    responses((status = 200, body = AchievementView), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<AchievementInput>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    achievements::update(&transaction, &user.actor, id, version, input).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Deletes an achievement that was never published.
#[utoipa::path(delete, path = "/api/v1/achievements/{id}", tag = "achievements", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 204), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    achievements::delete(&transaction, &user.actor, id, version).await?;
    commit(transaction).await?;
    Ok(StatusCode::NO_CONTENT)
}

type Transition = for<'a> fn(
    &'a DatabaseTransaction,
    &'a Actor,
    Uuid,
    Option<i32>,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = techex_listings::Result<achievement::Model>> + Send + 'a>,
>;

async fn transition(
    state: AppState,
    user: CurrentUser,
    id: Uuid,
    version: Option<i32>,
    step: Transition,
) -> ApiResult<Response> {
    let actor = user.0.actor;
    let transaction = begin(&state).await?;
    step(&transaction, &actor, id, version).await?;
    commit(transaction).await?;
    render(&state, &actor, id).await
}

/// Sends a draft (or withdrawn) achievement to the center for review. Needs a verified
/// organization and a complete listing.
#[utoipa::path(post, path = "/api/v1/achievements/{id}/submit", tag = "achievements", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = AchievementView), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    transition(state, user, id, version, |db, actor, id, version| {
        Box::pin(achievements::submit(db, actor, id, version))
    })
    .await
}

/// Publishes an achievement under review (center reviewers).
#[utoipa::path(post, path = "/api/v1/achievements/{id}/approve", tag = "achievements", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = AchievementView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    transition(state, user, id, version, |db, actor, id, version| {
        Box::pin(achievements::approve(db, actor, id, version))
    })
    .await
}

/// Returns an achievement under review to its owner with a reason (center reviewers).
#[utoipa::path(post, path = "/api/v1/achievements/{id}/reject", tag = "achievements", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    request_body = ReasonBody,
    responses((status = 200, body = AchievementView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn reject(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    achievements::reject(&transaction, &user.actor, id, version, &body.reason).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Takes a published (or pending) achievement off the market (owner).
#[utoipa::path(post, path = "/api/v1/achievements/{id}/withdraw", tag = "achievements", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = AchievementView), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    transition(state, user, id, version, |db, actor, id, version| {
        Box::pin(achievements::withdraw(db, actor, id, version))
    })
    .await
}

/// Puts a withdrawn achievement back on the market, if unchanged since approval (owner).
#[utoipa::path(post, path = "/api/v1/achievements/{id}/republish", tag = "achievements", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = AchievementView), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn republish(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    transition(state, user, id, version, |db, actor, id, version| {
        Box::pin(achievements::republish(db, actor, id, version))
    })
    .await
}

/// The audit history of an achievement (its owner and center staff).
#[utoipa::path(get, path = "/api/v1/achievements/{id}/history", tag = "achievements", security(("bearer" = [])),
    responses((status = 200, body = Vec<AuditEntry>), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn history_of(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    let model = achievements::get(&state.db, Some(&user.actor), id).await?;
    if !user.actor.belongs_to(model.organization_id) && !user.actor.can_review() {
        return Err(ApiError::not_found("achievement history"));
    }
    Ok(Json(history::of_entity(&state.db, "achievement", id).await?))
}

/// The NDA guarding the achievement's details, and whether the caller's organization accepted it.
#[utoipa::path(get, path = "/api/v1/achievements/{id}/nda", tag = "achievements", security((), ("bearer" = [])),
    responses((status = 200, body = NdaView), (status = 404, body = crate::error::Problem)))]
async fn get_nda(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<NdaView>> {
    Ok(Json(nda::get(&state.db, user.actor(), id).await?))
}

/// Accepts the NDA for the caller's organization; the description and confidential
/// documents open. The acceptance is recorded with the text's hash.
#[utoipa::path(post, path = "/api/v1/achievements/{id}/nda", tag = "achievements", security(("bearer" = [])),
    request_body = AcceptNda,
    responses((status = 200, body = NdaView), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn accept_nda(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AcceptNda>,
) -> ApiResult<Json<NdaView>> {
    let transaction = begin(&state).await?;
    let view = nda::accept(&transaction, &user.actor, id, &body.sha256, Some(ip)).await?;
    commit(transaction).await?;
    Ok(Json(view))
}

/// The multipart form of a portfolio import (the OpenAPI schema of what `read_upload` reads).
#[derive(ToSchema)]
#[allow(dead_code, reason = "only describes the form in the OpenAPI document")]
pub struct ImportForm {
    /// The portfolio: CSV, XLSX or a JSON export.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `true` to submit each imported row for review.
    submit: Option<bool>,
}

/// Imports a portfolio (CSV, XLSX or a JSON export, multipart field `file`; optional field
/// `submit=true`) for the caller's organization. Each row lands or fails on its own; the
/// report says which and why (quoting at most 200 characters of a cell). A row whose
/// patent number the organization already listed updates it. A file past a limit (more
/// data rows than `import_max_rows`, 5000 by default; a cell over 20,000 characters; a
/// workbook unpacking to over 32 MiB) is refused whole with 413 before anything is
/// written; an interrupted import leaves nothing written. With `Prefer: respond-async`
/// the checked file is imported in the background: 202 with the job (`Location:
/// /api/v1/imports/{id}`), whose progress and, once done, report `GET` shows.
#[utoipa::path(post, path = "/api/v1/achievements/import", tag = "achievements", security(("bearer" = [])),
    params(("Prefer" = Option<String>, Header, description = "`respond-async`: run the import as a job")),
    request_body(content = ImportForm, content_type = "multipart/form-data", description = "`file`: the CSV, XLSX or JSON; `submit`: `true` to submit each row for review"),
    responses((status = 200, body = ImportReport), (status = 202, body = ImportJobView),
              (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn import(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    mut form: Multipart,
) -> ApiResult<Response> {
    let upload = crate::routes::documents::read_upload(&mut form, state.config.max_upload_bytes, "portfolio").await?;
    let options = ImportOptions {
        submit: upload.texts.get("submit").is_some_and(|text| matches!(text.trim(), "true" | "1" | "yes" | "on")),
    };
    let invalid = |message: String| ApiError::validation(vec![FieldError::new("file", Message::verbatim(message))]);
    let (name, bytes) = (upload.filename, upload.bytes);
    let file_name = name.clone();
    let limits = state.config.import_limits();
    // Reading is CPU work on a file of up to the upload limit: off the async threads.
    let read = tokio::task::spawn_blocking(move || {
        if name.to_ascii_lowercase().ends_with(".json") {
            portfolio::read_json_rows(&bytes, &limits)
        } else {
            let format = Format::of_upload(&name)?;
            portfolio::read_rows_within(&bytes, format, &limits)
        }
    })
    .await
    .map_err(ApiError::internal)?;
    let rows = read.map_err(|error| match error {
        ReadError::TooLarge(message) => ApiError {
            errors: vec![FieldError::new("file", Message::verbatim(message.clone()))],
            ..ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
        },
        ReadError::Invalid(message) => invalid(message),
    })?;
    let asynchronous = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|preference| preference.trim().eq_ignore_ascii_case("respond-async"));
    if asynchronous {
        let job = portfolio::jobs::start(&state.db, &user.actor, &file_name, rows, options).await?;
        let mut response = (StatusCode::ACCEPTED, Json(&job)).into_response();
        if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/imports/{}", job.id)) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        return Ok(response);
    }
    let report = portfolio::import(&state.db, &user.actor, rows, options, |_| {}).await?;
    let mut report = serde_json::to_value(&report).map_err(ApiError::internal)?;
    crate::locale::word_messages(&mut report, crate::locale::current());
    Ok(Json(report).into_response())
}

/// An import job of the caller's organization: its progress and, once done, its per-row
/// report (another organization's job is 404).
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "achievements", security(("bearer" = [])),
    responses((status = 200, body = ImportJobView), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn import_job(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ImportJobView>> {
    let mut job = portfolio::jobs::get(&state.db, &user.actor, id).await?;
    if let Some(report) = job.report.as_mut() {
        crate::locale::word_messages(report, crate::locale::current());
    }
    Ok(Json(job))
}

pub fn router(max_upload_bytes: usize) -> OpenApiRouter<AppState> {
    // The import takes files up to the upload limit; the layer covers the routes above it.
    OpenApiRouter::new()
        .routes(routes!(import))
        .layer(DefaultBodyLimit::max(max_upload_bytes + 64 * 1024))
        .routes(routes!(import_job))
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(submit))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(withdraw))
        .routes(routes!(republish))
        .routes(routes!(history_of))
        .routes(routes!(get_nda, accept_nda))
}
