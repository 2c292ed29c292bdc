//! Running royalties: the licensee's reports of net sales per period, the licensor's
//! decision, and the licensor's royalty income (JSON or CSV).

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, IfMatch};
use crate::routes::stats::{csv_response, wants_csv};
use crate::routes::{ReasonBody, begin, commit, created, versioned};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use techex_contracts::royalties::{self, FileReport, IncomeFilter, IncomeRow, ReportView, RoyaltyOverview};
use techex_core::money::format_major;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// A contract's running royalty: its periods, the reports filed, the next period to report.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/royalties", tag = "royalties", security(("bearer" = [])),
    responses((status = 200, body = RoyaltyOverview), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem, description = "the contract has no running royalty, or is not signed")))]
async fn overview(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RoyaltyOverview>> {
    Ok(Json(royalties::overview(&state.db, &user.actor, id).await?))
}

/// The licensee reports the net sales of a period that has ended (periods in order, each
/// accepted before the next); after a dispute, the corrected report of that period.
/// techex computes the royalty, the entry fee credited and the year-end minimum true-up.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/royalties", tag = "royalties", security(("bearer" = [])),
    request_body = FileReport,
    responses((status = 201, body = ReportView), (status = 403, body = crate::error::Problem, description = "not the licensee"),
              (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem, description = "the period is already reported, or the contract is not in force or has no running royalty"),
              (status = 422, body = crate::error::Problem, description = "a period not ended, outside the term or out of order; negative sales")))]
async fn file(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<FileReport>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let row = royalties::file(&transaction, &user.actor, id, input).await?;
    commit(transaction).await?;
    let view = royalties::get(&state.db, &user.actor, row.id).await?;
    Ok(created(format!("/api/v1/royalty-reports/{}", view.id), view.version, view))
}

/// One royalty report.
#[utoipa::path(get, path = "/api/v1/royalty-reports/{id}", tag = "royalties", security(("bearer" = [])),
    responses((status = 200, body = ReportView), (status = 404, body = crate::error::Problem)))]
async fn get_one(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let view = royalties::get(&state.db, &user.actor, id).await?;
    Ok(versioned(view.version, view))
}

/// The licensor accepts a report: what it owes becomes a milestone of the contract, due
/// 30 days after the period, paid like any other.
#[utoipa::path(post, path = "/api/v1/royalty-reports/{id}/accept", tag = "royalties", params(crate::extract::IfMatchHeader),
    security(("bearer" = [])),
    responses((status = 200, body = ReportView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn accept(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    royalties::accept(&transaction, &user.actor, id, version).await?;
    commit(transaction).await?;
    let view = royalties::get(&state.db, &user.actor, id).await?;
    Ok(versioned(view.version, view))
}

/// The licensor disputes a report with a reason; the licensee files a corrected one.
#[utoipa::path(post, path = "/api/v1/royalty-reports/{id}/dispute", tag = "royalties", params(crate::extract::IfMatchHeader),
    security(("bearer" = [])), request_body = ReasonBody,
    responses((status = 200, body = ReportView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn dispute(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    royalties::dispute(&transaction, &user.actor, id, version, &body.reason).await?;
    commit(transaction).await?;
    let view = royalties::get(&state.db, &user.actor, id).await?;
    Ok(versioned(view.version, view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncomeQuery {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
    /// Periods ending on or after this date (`YYYY-MM-DD`).
    pub from: Option<chrono::NaiveDate>,
    /// Periods beginning on or before this date (`YYYY-MM-DD`); not before `from`.
    pub to: Option<chrono::NaiveDate>,
}

/// The royalty income of the caller's organization as licensor, by contract and period
/// (accepted reports), as JSON or (with `format=csv` or `Accept: text/csv`) CSV; `from`
/// and `to` keep the periods that overlap those dates.
#[utoipa::path(get, path = "/api/v1/royalties/income", tag = "royalties", security(("bearer" = [])), params(IncomeQuery),
    responses((status = 200, description = "the income, as JSON or CSV", content((Vec<IncomeRow> = "application/json"), (String = "text/csv"))),
              (status = 422, body = crate::error::Problem, description = "`to` before `from`")))]
async fn income(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<IncomeQuery>,
) -> ApiResult<Response> {
    let filter = IncomeFilter { from: query.from, to: query.to };
    let rows = royalties::income(&state.db, &user.actor, &filter).await?;
    if wants_csv(query.format.as_deref(), &headers) {
        let lines = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.contract_id.to_string(),
                    r.contract_title_zh,
                    r.licensee,
                    r.period,
                    format_major(r.net_sales_minor),
                    format_major(r.royalty_minor),
                    format_major(r.credit_minor),
                    format_major(r.true_up_minor),
                    format_major(r.amount_due_minor),
                    r.currency,
                    r.due_on.to_string(),
                    r.paid.to_string(),
                ]
            })
            .collect();
        return Ok(csv_response(
            "royalty-income",
            &[
                "contract",
                "title",
                "licensee",
                "period",
                "net_sales",
                "royalty",
                "credit",
                "true_up",
                "amount_due",
                "currency",
                "due_on",
                "paid",
            ],
            lines,
        ));
    }
    Ok(Json(rows).into_response())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(overview, file))
        .routes(routes!(get_one))
        .routes(routes!(accept))
        .routes(routes!(dispute))
        .routes(routes!(income))
}
