//! The licensor's royalty income (`/my/royalties`): accepted royalty reports of the
//! organization's licences by contract and period, a chart of what fell due per period,
//! and the CSV of `GET /api/v1/royalties/income`. The reports themselves are filed and
//! decided on the contract's page.

use super::analytics::describe;
use super::charts::{Datum, bar_chart};
use super::guard::sign_in_redirect;
use super::{LangQuery, format_money, page_context, remember_language};
use crate::error::ApiResult;
use crate::extract::{ApiQuery, MaybeUser};
use crate::i18n::dictionary;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use minijinja::context;
use std::collections::BTreeMap;
use techex_contracts::royalties;

/// `GET /my/royalties`
pub(super) async fn income_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let path = "/my/royalties";
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect(path)) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let lang = page.lang;
    let word = |key: &str| dictionary(lang).get(key).copied().unwrap_or("").to_string();
    let rows = royalties::income(&state.db, actor).await?;
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
    let ctx = context! {
        ..page.base(path),
        ..context! { rows => rows, chart => chart, total => total }
    };
    Ok(remember_language(state.pages.render("my_royalties.html", ctx), query.lang.as_deref()))
}
