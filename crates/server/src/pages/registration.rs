//! The center's registration desk (认定登记): signed contracts waiting for registration
//! with their pre-check, registered or returned to the parties through the same
//! functions of the contracts crate as the API.

use super::guard::{Desk, csrf_matches, error_page, open_desk, parse_form, problem};
use super::{LangQuery, PageContext, remember_language};
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
use techex_contracts::contracts::{self, ContractView};
use techex_listings::auth::Authenticated;
use uuid::Uuid;

const PATH: &str = "/center/contracts";

/// How many registered contracts the desk shows below the queue.
const RECENT: usize = 10;

#[derive(Debug, Default, Deserialize)]
pub(super) struct DeskQuery {
    lang: Option<String>,
    /// What the last action did: `registered` or `returned`.
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct DeskForm {
    csrf_token: Option<String>,
    version: Option<String>,
    reason: Option<String>,
}

/// A contract as the desk shows it: the view, plus what registration would record.
#[derive(Debug, Serialize)]
struct DeskItem {
    contract: ContractView,
    /// The technology transaction amount registration records (the lump sum).
    registered_amount_minor: i64,
    /// Whether the contract type qualifies for the tax relief of technology transfer.
    tax_relief: bool,
    blocked: bool,
}

fn desk_item(contract: ContractView) -> DeskItem {
    let registered_amount_minor =
        contract.registered_amount_minor.or(contract.content.terms.lump_sum_minor).unwrap_or(0);
    let tax_relief = contract.tax_relief.unwrap_or_else(|| contract.content.contract_type.qualifies_for_tax_relief());
    let blocked = contract.precheck.iter().any(|f| f.severity == "blocker");
    DeskItem { contract, registered_amount_minor, tax_relief, blocked }
}

#[derive(Debug, Serialize)]
struct RowError {
    id: Uuid,
    field: Option<&'static str>,
    key: &'static str,
    detail: Option<String>,
    reason: String,
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
        let waiting = contracts::list(&state.db, &user.actor, Some("signed")).await?;
        let registered = contracts::list(&state.db, &user.actor, Some("registered")).await?;
        Ok::<_, ApiError>((waiting, registered))
    };
    let (waiting, registered) = match loaded.await {
        Ok(found) => found,
        Err(error) => return error_page(state, page, PATH, error),
    };
    let ctx = context! {
        ..page.base(PATH),
        ..context! {
            waiting => waiting.into_iter().map(desk_item).collect::<Vec<_>>(),
            registered => registered.into_iter().take(RECENT).map(desk_item).collect::<Vec<_>>(),
            done => done.filter(|d| matches!(*d, "registered" | "returned")),
            row_error => row_error,
        }
    };
    state.pages.render_status("center_contracts.html", ctx, status)
}

/// `GET /center/contracts`.
pub(super) async fn contracts(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<DeskQuery>,
) -> Response {
    let (user, page) = match open_desk(&state, &headers, query.lang.as_deref(), Desk::Registration, PATH).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let response = render_desk(&state, &user, &page, query.done.as_deref(), None, StatusCode::OK).await;
    remember_language(response, query.lang.as_deref())
}

async fn desk_post(
    state: &AppState,
    headers: &HeaderMap,
    lang: Option<&str>,
    id: &str,
    form: &DeskForm,
) -> Result<(Authenticated, PageContext, Uuid), Response> {
    let (user, page) = open_desk(state, headers, lang, Desk::Registration, PATH).await?;
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
    render_desk(state, user, page, None, Some(RowError { id, field, key, detail, reason }), error.status).await
}

/// `POST /center/contracts/{id}/register`.
pub(super) async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: DeskForm = parse_form(&body);
    let (user, page, id) = match desk_post(&state, &headers, query.lang.as_deref(), &id, &form).await {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let version = form.version.as_deref().and_then(|v| v.trim().parse().ok());
    let result = async {
        let transaction = begin(&state).await?;
        contracts::register(&transaction, &user.actor, id, version).await?;
        commit(transaction).await
    };
    match result.await {
        Ok(()) => Redirect::to(&format!("{PATH}?done=registered")).into_response(),
        Err(error) => row_failure(&state, &user, &page, id, String::new(), error).await,
    }
}

/// `POST /center/contracts/{id}/return`: back to the parties with a required reason.
pub(super) async fn return_contract(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: DeskForm = parse_form(&body);
    let (user, page, id) = match desk_post(&state, &headers, query.lang.as_deref(), &id, &form).await {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let reason = form.reason.clone().unwrap_or_default();
    if reason.trim().is_empty() {
        let row_error =
            RowError { id, field: Some("reason"), key: "error_reason_required", detail: None, reason: String::new() };
        return render_desk(&state, &user, &page, None, Some(row_error), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let version = form.version.as_deref().and_then(|v| v.trim().parse().ok());
    let result = async {
        let transaction = begin(&state).await?;
        contracts::return_to_parties(&transaction, &user.actor, id, version, &reason).await?;
        commit(transaction).await
    };
    match result.await {
        Ok(()) => Redirect::to(&format!("{PATH}?done=returned")).into_response(),
        Err(error) => row_failure(&state, &user, &page, id, reason, error).await,
    }
}
