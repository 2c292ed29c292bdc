//! The center's verification desk: organizations that applied, with what they declared
//! and who administers them (and whether each confirmed their e-mail address), verified or turned down with a reason through the same
//! functions as the API (`organizations::set_verified`, `organizations::reject`); the
//! applicants are told either way. Each application links the business licence it
//! uploaded (`/center/organizations/{id}/licence`, for the desk's staff only).

use super::guard::{Desk, csrf_matches, error_page, open_desk, parse_form, problem};
use super::{LangQuery, PageContext, field_and_region_options, remember_language};
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
use techex_core::domain::OrgKind;
use techex_core::{PageRequest, Role, RoleSet};
use techex_listings::auth::Authenticated;
use techex_listings::entities::organization;
use techex_listings::organizations::{self, OrganizationFilter};
use techex_listings::{licences, members};
use uuid::Uuid;

const PATH: &str = "/center/organizations";

/// How many applications the desk lists at once (oldest first would need paging; a
/// province's queue is far shorter).
const QUEUE: u64 = 100;

#[derive(Debug, Default, Deserialize)]
pub(super) struct DeskQuery {
    lang: Option<String>,
    /// What the last action did: `verified` or `rejected`.
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct DecisionForm {
    csrf_token: Option<String>,
    version: Option<String>,
    reason: Option<String>,
}

/// An action on one application that failed, shown beside it.
#[derive(Debug, Serialize)]
struct RowError {
    id: Uuid,
    /// `reason` when the reason is at fault, else none (the whole application).
    field: Option<&'static str>,
    text: String,
    reason: String,
}

/// One application as the desk shows it.
async fn application(
    state: &AppState,
    user: &Authenticated,
    page: &PageContext,
    regions: &[(String, String)],
    org: organization::Model,
) -> Result<minijinja::Value, ApiError> {
    // Each administrator with whether they proved their address by the mailed link.
    let admins: Vec<minijinja::Value> = members::list_members(&state.db, &user.actor, org.id)
        .await?
        .into_iter()
        .filter(|m| RoleSet::from_stored(&m.roles).contains(Role::OrgAdmin))
        .map(|m| {
            context! {
                name => format!("{} <{}>", m.display_name, m.email),
                confirmed => m.email_confirmed_at.is_some(),
            }
        })
        .collect();
    let kind = OrgKind::parse(&org.kind).map(|k| k.label(page.lang.code())).unwrap_or_default();
    let region = regions.iter().find(|(code, _)| *code == org.region).map_or(org.region.clone(), |(_, n)| n.clone());
    let licence = licences::find(&state.db, Some(&user.actor), org.id).await?.map(|l| {
        context! { filename => l.filename, size_kib => (l.size_bytes + 1023) / 1024, uploaded => l.uploaded_at.format("%Y-%m-%d").to_string() }
    });
    Ok(context! {
        licence => licence,
        id => org.id, version => org.version, name => org.name, name_en => org.name_en, kind => kind,
        credit_code => org.credit_code, region => region, website => org.website,
        description => org.description, admins => admins,
        applied => org.created_at.format("%Y-%m-%d").to_string(),
        rejection_reason => org.rejection_reason,
        rejected => org.rejected_at.map(|at| at.format("%Y-%m-%d").to_string()),
    })
}

async fn render_desk(
    state: &AppState,
    user: &Authenticated,
    page: &PageContext,
    done: Option<&str>,
    row_error: Option<RowError>,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let filter = OrganizationFilter { verified: Some(false), ..Default::default() };
        let unverified =
            organizations::list(&state.db, Some(&user.actor), &filter, PageRequest { limit: QUEUE, after: None })
                .await?;
        let (_, regions) = field_and_region_options(state, page.lang).await?;
        let mut pending = Vec::new();
        let mut rejected = Vec::new();
        // Oldest application first: the queue is served in the order people applied.
        for org in unverified.items.into_iter().rev() {
            let turned_down = org.rejected_at.is_some();
            let shown = application(state, user, page, &regions, org).await?;
            if turned_down { rejected.push(shown) } else { pending.push(shown) }
        }
        Ok::<_, ApiError>((pending, rejected))
    };
    let (pending, rejected) = match loaded.await {
        Ok(found) => found,
        Err(error) => return error_page(state, page, PATH, error),
    };
    let done = done.filter(|d| matches!(*d, "verified" | "rejected"));
    let ctx = context! {
        ..page.base(PATH),
        ..context! { pending => pending, rejected => rejected, done => done, row_error => row_error }
    };
    state.pages.render_status("center_organizations.html", ctx, status)
}

/// `GET /center/organizations`: the applications waiting, then those turned down and
/// waiting for the applicant's changes.
pub(super) async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<DeskQuery>,
) -> Response {
    let (user, page) = match open_desk(&state, &headers, query.lang.as_deref(), Desk::Verification, PATH).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let response = render_desk(&state, &user, &page, query.done.as_deref(), None, StatusCode::OK).await;
    remember_language(response, query.lang.as_deref())
}

async fn decision_post(
    state: &AppState,
    headers: &HeaderMap,
    lang: Option<&str>,
    id: &str,
    form: &DecisionForm,
) -> Result<(Authenticated, PageContext, Uuid), Response> {
    let (user, page) = open_desk(state, headers, lang, Desk::Verification, PATH).await?;
    if !csrf_matches(headers, form.csrf_token.as_deref()) {
        return Err(problem(state, &page, PATH, StatusCode::FORBIDDEN, None));
    }
    let Ok(id) = Uuid::parse_str(id) else {
        return Err(problem(state, &page, PATH, StatusCode::NOT_FOUND, None));
    };
    Ok((user, page, id))
}

async fn row_failure(
    state: &AppState,
    user: &Authenticated,
    page: &PageContext,
    id: Uuid,
    reason: String,
    error: ApiError,
) -> Response {
    if error.status.is_server_error() || error.status == StatusCode::NOT_FOUND {
        return error_page(state, page, PATH, error);
    }
    let reason_at_fault = error.errors.iter().any(|e| e.field == "reason");
    let text = if error.status == StatusCode::PRECONDITION_FAILED {
        crate::i18n::dictionary(page.lang).get("error_changed_meanwhile").map(|w| (*w).to_string()).unwrap_or_default()
    } else {
        error.first_error_in(page.lang)
    };
    let row_error = RowError { id, field: reason_at_fault.then_some("reason"), text, reason };
    render_desk(state, user, page, None, Some(row_error), error.status).await
}

/// `POST /center/organizations/{id}/verify`.
pub(super) async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: DecisionForm = parse_form(&body);
    let (user, page, id) = match decision_post(&state, &headers, query.lang.as_deref(), &id, &form).await {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let version = form.version.as_deref().and_then(|v| v.trim().parse().ok());
    let result = async {
        let transaction = begin(&state).await?;
        organizations::set_verified(&transaction, &user.actor, id, version, true).await?;
        commit(transaction).await
    };
    match result.await {
        Ok(()) => Redirect::to(&format!("{PATH}?done=verified")).into_response(),
        Err(error) => row_failure(&state, &user, &page, id, String::new(), error).await,
    }
}

/// `POST /center/organizations/{id}/reject`: needs a reason, which the applicant reads.
pub(super) async fn reject(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: DecisionForm = parse_form(&body);
    let (user, page, id) = match decision_post(&state, &headers, query.lang.as_deref(), &id, &form).await {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let reason = form.reason.clone().unwrap_or_default();
    let version = form.version.as_deref().and_then(|v| v.trim().parse().ok());
    let result = async {
        let transaction = begin(&state).await?;
        organizations::reject(&transaction, &user.actor, id, version, &reason).await?;
        commit(transaction).await
    };
    match result.await {
        Ok(()) => Redirect::to(&format!("{PATH}?done=rejected")).into_response(),
        Err(error) => row_failure(&state, &user, &page, id, reason, error).await,
    }
}

/// `GET /center/organizations/{id}/licence`: the business licence an applicant uploaded,
/// as a download, for the verification desk (a platform admin's session).
pub(super) async fn licence(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> Response {
    let (user, page) = match open_desk(&state, &headers, query.lang.as_deref(), Desk::Verification, PATH).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return problem(&state, &page, PATH, StatusCode::NOT_FOUND, None);
    };
    match licences::fetch(&state.db, Some(&user.actor), id, &state.blobs).await {
        Ok((view, bytes)) => crate::upload::file_response(bytes, &view.content_type, &view.filename, &view.sha256),
        Err(error) => error_page(&state, &page, PATH, ApiError::from(error)),
    }
}
