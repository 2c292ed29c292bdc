//! The center's review desk: achievements and demands waiting for review, approved or
//! rejected with a reason through the same transitions as the API.

use super::guard::{Desk, csrf_matches, error_page, open_desk, parse_form, problem};
use super::{LangQuery, PageContext, field_and_region_names, labels, remember_language};
use crate::db::{begin, commit};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use techex_core::PageRequest;
use techex_core::domain::{AchievementStatus, DemandStatus};
use techex_listings::achievements::{self, AchievementFilter};
use techex_listings::auth::Authenticated;
use techex_listings::demands::{self, DemandFilter};
use uuid::Uuid;

const PATH: &str = "/center/review";

#[derive(Debug, Default, Deserialize)]
pub(super) struct QueueQuery {
    lang: Option<String>,
    /// What the last action did: `approved` or `rejected`.
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ReviewForm {
    csrf_token: Option<String>,
    version: Option<String>,
    reason: Option<String>,
}

/// An action on one item that failed, shown beside that item.
#[derive(Debug, Serialize)]
struct RowError {
    id: Uuid,
    /// `reason` when the reason is at fault, else none (the whole item).
    field: Option<&'static str>,
    /// A dictionary key.
    key: &'static str,
    /// The domain's words, for a conflict.
    detail: Option<String>,
    reason: String,
}

/// Which queue an action is about, from the path.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Achievement,
    Demand,
}

impl Kind {
    fn parse(segment: &str) -> Option<Kind> {
        match segment {
            "achievements" => Some(Kind::Achievement),
            "demands" => Some(Kind::Demand),
            _ => None,
        }
    }
}

async fn render_queue(
    state: &AppState,
    user: &Authenticated,
    page: &PageContext,
    done: Option<&str>,
    row_error: Option<RowError>,
    status: StatusCode,
) -> Response {
    let actor = Some(&user.actor);
    let everything = PageRequest { limit: 100, after: None };
    let pending_achievements =
        AchievementFilter { status: Some(AchievementStatus::PendingReview), ..Default::default() };
    let pending_demands = DemandFilter { status: Some(DemandStatus::PendingReview), ..Default::default() };
    let loaded = async {
        let achievements = achievements::list(&state.db, actor, &pending_achievements, everything).await?;
        let demands = demands::list(&state.db, actor, &pending_demands, everything).await?;
        let names = field_and_region_names(state, page.lang).await?;
        Ok::<_, ApiError>((achievements, demands, names))
    };
    let (achievements, demands, (field_names, region_names)) = match loaded.await {
        Ok(found) => found,
        Err(error) => return error_page(state, page, PATH, error),
    };
    let done = done.filter(|d| matches!(*d, "approved" | "rejected"));
    let ctx = context! {
        ..page.base(PATH),
        ..context! {
            achievements => achievements.items,
            demands => demands.items,
            field_names => field_names,
            region_names => region_names,
            labels => labels(page.lang),
            done => done,
            row_error => row_error,
        }
    };
    state.pages.render_status("center_review.html", ctx, status)
}

/// `GET /center/review`: the queue.
pub(super) async fn review_queue(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Response {
    let (user, page) = match open_desk(&state, &headers, query.lang.as_deref(), Desk::Review, PATH).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let response = render_queue(&state, &user, &page, query.done.as_deref(), None, StatusCode::OK).await;
    remember_language(response, query.lang.as_deref())
}

/// The checks every review post goes through; the user and page, or the answer.
async fn review_post(
    state: &AppState,
    headers: &HeaderMap,
    lang: Option<&str>,
    (segment, id): &(String, String),
    form: &ReviewForm,
) -> Result<(Authenticated, PageContext, Kind, Uuid), Response> {
    let (user, page) = open_desk(state, headers, lang, Desk::Review, PATH).await?;
    if !csrf_matches(headers, form.csrf_token.as_deref()) {
        return Err(problem(state, &page, PATH, StatusCode::FORBIDDEN, None));
    }
    let (Some(kind), Ok(id)) = (Kind::parse(segment), Uuid::parse_str(id)) else {
        return Err(problem(state, &page, PATH, StatusCode::NOT_FOUND, None));
    };
    Ok((user, page, kind, id))
}

/// The version the page showed, so that a change made meanwhile is refused (412).
fn version_of(form: &ReviewForm) -> Option<i32> {
    form.version.as_deref().and_then(|v| v.trim().parse().ok())
}

/// A failed transition shown beside its item, with the status the domain gave.
async fn row_failure(
    state: &AppState,
    user: &Authenticated,
    page: &PageContext,
    id: Uuid,
    reason: String,
    error: ApiError,
) -> Response {
    if error.status.is_server_error() {
        return error_page(state, page, PATH, error);
    }
    let reason_at_fault = error.errors.iter().any(|e| e.field == "reason");
    let (field, key) = match error.status {
        StatusCode::PRECONDITION_FAILED => (None, "error_changed_meanwhile"),
        StatusCode::UNPROCESSABLE_ENTITY if reason_at_fault => (Some("reason"), "error_reason_invalid"),
        _ => (None, "error_not_allowed"),
    };
    let detail = Some(error.first_error_in(page.lang));
    let row_error = RowError { id, field, key, detail, reason };
    render_queue(state, user, page, None, Some(row_error), error.status).await
}

/// `POST /center/review/{kind}/{id}/approve`.
pub(super) async fn approve(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(target): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: ReviewForm = parse_form(&body);
    let (user, page, kind, id) = match review_post(&state, &headers, query.lang.as_deref(), &target, &form).await {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let version = version_of(&form);
    let result = async {
        let transaction = begin(&state).await?;
        match kind {
            Kind::Achievement => {
                Box::pin(achievements::approve(&transaction, &user.actor, id, version)).await?;
            }
            Kind::Demand => {
                demands::approve(&transaction, &user.actor, id, version).await?;
            }
        }
        commit(transaction).await
    };
    match result.await {
        Ok(()) => Redirect::to(&format!("{PATH}?done=approved")).into_response(),
        Err(error) => row_failure(&state, &user, &page, id, String::new(), error).await,
    }
}

/// `POST /center/review/{kind}/{id}/reject`: needs a reason, shown in place when missing.
pub(super) async fn reject(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(target): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: ReviewForm = parse_form(&body);
    let (user, page, kind, id) = match review_post(&state, &headers, query.lang.as_deref(), &target, &form).await {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let reason = form.reason.clone().unwrap_or_default();
    if reason.trim().is_empty() {
        let row_error =
            RowError { id, field: Some("reason"), key: "error_reason_required", detail: None, reason: String::new() };
        return render_queue(&state, &user, &page, None, Some(row_error), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let version = version_of(&form);
    let result = async {
        let transaction = begin(&state).await?;
        match kind {
            Kind::Achievement => {
                achievements::reject(&transaction, &user.actor, id, version, &reason).await?;
            }
            Kind::Demand => {
                demands::reject(&transaction, &user.actor, id, version, &reason).await?;
            }
        }
        commit(transaction).await
    };
    match result.await {
        Ok(()) => Redirect::to(&format!("{PATH}?done=rejected")).into_response(),
        Err(error) => row_failure(&state, &user, &page, id, reason, error).await,
    }
}
