//! Statistics for the center's staff, as JSON or CSV (`format=csv` or `Accept: text/csv`).

use crate::error::ApiResult;
use crate::extract::{ApiQuery, CurrentUser};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use techex_contracts::stats::{self, ContractGroup, Grouping, LeagueRow, Period};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// For contracts: `month` (default), `field`, `type`, `region` or `status`.
    pub by: Option<Grouping>,
    /// First day of registration counted (YYYY-MM-DD).
    pub from: Option<NaiveDate>,
    /// Last day of registration counted (YYYY-MM-DD).
    pub to: Option<NaiveDate>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

impl StatsQuery {
    /// The registration days asked for; one that ends before it begins is 422 on `to`.
    fn period(&self) -> Result<Period, techex_listings::ListingsError> {
        techex_listings::ListingsError::check_date_range(self.from, self.to)?;
        Ok(Period { from: self.from, to: self.to })
    }

    fn csv(&self, headers: &HeaderMap) -> bool {
        wants_csv(self.format.as_deref(), headers)
    }
}

/// Whether a request asks for CSV: `format=csv`, or `Accept: text/csv`.
pub(crate) fn wants_csv(format: Option<&str>, headers: &HeaderMap) -> bool {
    format == Some("csv")
        || headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.starts_with("text/csv"))
}

fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A CSV download with a header row (UTF-8 with a byte-order mark, so spreadsheets read Chinese).
pub(crate) fn csv_response(name: &str, header_row: &[&str], rows: Vec<Vec<String>>) -> Response {
    let mut body = String::from("\u{feff}");
    body.push_str(&header_row.join(","));
    body.push_str("\r\n");
    for row in rows {
        body.push_str(&row.iter().map(|v| field(v)).collect::<Vec<_>>().join(","));
        body.push_str("\r\n");
    }
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

fn json<T: Serialize>(value: T) -> Response {
    Json(value).into_response()
}

/// Registered technology contracts grouped by month, field, contract type, region or current
/// status (`terminated_<ground>` for those ended early).
#[utoipa::path(get, path = "/api/v1/stats/contracts", tag = "statistics", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, description = "the figures, as JSON or (with `format=csv` or `Accept: text/csv`) CSV", content((Vec<ContractGroup> = "application/json"), (String = "text/csv"))), (status = 403, body = crate::error::Problem),
              (status = 400, description = "`by` is not a grouping", body = crate::error::Problem),
              (status = 422, description = "`to` is before `from`", body = crate::error::Problem)))]
async fn contracts(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    stats::ensure_center(&user.actor)?;
    let groups = stats::contracts_by(&state.db, query.by.unwrap_or_default(), query.period()?).await?;
    if query.csv(&headers) {
        let rows = groups
            .into_iter()
            .map(|g| vec![g.key, g.contracts.to_string(), techex_core::money::format_major(g.amount_minor), g.currency])
            .collect();
        return Ok(csv_response("contracts", &["key", "contracts", "amount", "currency"], rows));
    }
    Ok(json(groups))
}

/// Deals per state.
#[utoipa::path(get, path = "/api/v1/stats/deals", tag = "statistics", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, description = "the figures, as JSON or (with `format=csv` or `Accept: text/csv`) CSV", content((std::collections::BTreeMap<String, u64> = "application/json"), (String = "text/csv"))), (status = 403, body = crate::error::Problem)))]
async fn deals(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    stats::ensure_center(&user.actor)?;
    let counts = stats::deals_by_state(&state.db).await?;
    if query.csv(&headers) {
        let rows = counts.into_iter().map(|(state, n)| vec![state, n.to_string()]).collect();
        return Ok(csv_response("deals", &["status", "deals"], rows));
    }
    Ok(json(counts))
}

/// The broker league table.
#[utoipa::path(get, path = "/api/v1/stats/brokers", tag = "statistics", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, description = "the figures, as JSON or (with `format=csv` or `Accept: text/csv`) CSV", content((Vec<LeagueRow> = "application/json"), (String = "text/csv"))), (status = 403, body = crate::error::Problem),
              (status = 422, description = "`to` is before `from`", body = crate::error::Problem)))]
async fn brokers(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    stats::ensure_center(&user.actor)?;
    let league = stats::broker_league(&state.db, query.period()?).await?;
    if query.csv(&headers) {
        let rows = league
            .into_iter()
            .map(|r| {
                vec![
                    r.name,
                    r.certificate_number,
                    r.level,
                    r.deals_mediated.to_string(),
                    r.deals_agreed.to_string(),
                    r.contracts_registered.to_string(),
                    techex_core::money::format_major(r.registered_amount_minor),
                ]
            })
            .collect();
        return Ok(csv_response(
            "brokers",
            &[
                "broker",
                "certificate",
                "level",
                "deals_mediated",
                "deals_agreed",
                "contracts_registered",
                "registered_amount",
            ],
            rows,
        ));
    }
    Ok(json(league))
}

/// Time from inquiry to registration: mean, median and 90th percentile in days.
#[utoipa::path(get, path = "/api/v1/stats/registration-time", tag = "statistics", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, description = "the figures, as JSON or (with `format=csv` or `Accept: text/csv`) CSV", content((techex_contracts::stats::TimeToRegistration = "application/json"), (String = "text/csv"))), (status = 403, body = crate::error::Problem),
              (status = 422, description = "`to` is before `from`", body = crate::error::Problem)))]
async fn registration_time(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    stats::ensure_center(&user.actor)?;
    let figures = stats::inquiry_to_registration(&state.db, query.period()?).await?;
    if query.csv(&headers) {
        let show = |v: Option<f64>| v.map(|d| format!("{d:.1}")).unwrap_or_default();
        let rows = vec![vec![
            figures.contracts.to_string(),
            show(figures.mean_days),
            show(figures.median_days),
            show(figures.p90_days),
        ]];
        return Ok(csv_response("registration-time", &["contracts", "mean_days", "median_days", "p90_days"], rows));
    }
    Ok(json(figures))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(contracts))
        .routes(routes!(deals))
        .routes(routes!(brokers))
        .routes(routes!(registration_time))
}
