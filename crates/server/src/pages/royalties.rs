//! The licensor's royalty income (`/my/royalties`): accepted royalty reports of the
//! organization's licences by contract and period, a chart of what fell due per period,
//! and the CSV of `GET /api/v1/royalties/income`. The reports themselves are filed and
//! decided on the contract's page.

use super::analytics::describe;
use super::charts::{Datum, bar_chart};
use super::guard::sign_in_redirect;
use super::{format_money, page_context, remember_language};
use crate::error::ApiResult;
use crate::extract::{ApiQuery, MaybeUser};
use crate::i18n::dictionary;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use techex_contracts::royalties;

/// The page's filter as typed: dates stay text so that a bad one is shown, not refused.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(super) struct IncomePageQuery {
    lang: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /my/royalties[?from=YYYY-MM-DD&to=YYYY-MM-DD]`
pub(super) async fn income_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<IncomePageQuery>,
) -> ApiResult<Response> {
    let path = "/my/royalties";
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect(path)) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let lang = page.lang;
    let word = |key: &str| dictionary(lang).get(key).copied().unwrap_or("").to_string();
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let mut day = |name: &'static str, value: &Option<String>| {
        let text = value.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.insert(name, word("error_date_format"));
                None
            }
        }
    };
    let filter = royalties::IncomeFilter { from: day("from", &query.from), to: day("to", &query.to) };
    if filter.check().is_err() {
        errors.insert("to", word("error_date_order"));
    }
    let rows = if errors.is_empty() { royalties::income(&state.db, actor, &filter).await? } else { Vec::new() };
    let csv = format!(
        "/api/v1/royalties/income?format=csv{}{}",
        filter.from.map(|d| format!("&from={d}")).unwrap_or_default(),
        filter.to.map(|d| format!("&to={d}")).unwrap_or_default()
    );
    let mut by_period: BTreeMap<String, i64> = BTreeMap::new();
    for row in &rows {
        *by_period.entry(row.period.clone()).or_default() += row.amount_due_minor;
    }
    let chart = bar_chart(
        "chart-royalties",
        word("royalty_income_by_period"),
        (word("royalty_period"), word("royalty_amount_due")),
        by_period
            .into_iter()
            .map(|(period, minor)| Datum { label: period, value: minor, display: format!("¥{}", format_money(minor)) })
            .collect(),
        describe(lang),
    );
    let total: i64 = rows.iter().map(|r| r.amount_due_minor).sum();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let ctx = context! {
        ..page.base(path),
        ..context! { rows => rows, chart => chart, total => total, query => &query, errors => errors, csv => csv }
    };
    Ok(remember_language(state.pages.render_status("my_royalties.html", ctx, status), query.lang.as_deref()))
}
