//! The center's statistics dashboard: registered contract value by month and by field,
//! deals by state, the broker league table, for a period chosen in the URL, with links to
//! the CSV exports of the API.

use super::charts::{Chart, Datum, bar_chart};
use super::guard::{Desk, error_page, open_desk};
use super::{PageContext, field_and_region_names, format_money, remember_language};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::i18n::dictionary;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use techex_contracts::stats::{self, Grouping, Period};

const PATH: &str = "/center/stats";

#[derive(Debug, Default, Deserialize)]
pub(super) struct DashboardQuery {
    lang: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// Errors of the period form, as dictionary keys beside their field.
#[derive(Debug, Default, Serialize)]
struct PeriodErrors {
    from: Option<&'static str>,
    to: Option<&'static str>,
}

/// Reads the period; a date that does not parse, or an end before the start, is an
/// error on that field and the period is then left open on that side.
fn read_period(query: &DashboardQuery) -> (Period, PeriodErrors) {
    let mut errors = PeriodErrors::default();
    let parse = |text: Option<&str>| -> Result<Option<NaiveDate>, ()> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| ()),
        }
    };
    let from = parse(query.from.as_deref()).unwrap_or_else(|()| {
        errors.from = Some("error_date_invalid");
        None
    });
    let mut to = parse(query.to.as_deref()).unwrap_or_else(|()| {
        errors.to = Some("error_date_invalid");
        None
    });
    if let (Some(start), Some(end)) = (from, to)
        && end < start
    {
        errors.to = Some("error_date_order");
        to = None;
    }
    (Period { from, to }, errors)
}

/// The query string of the period for the CSV links (`&from=…&to=…`).
fn period_query(period: Period) -> String {
    let mut text = String::new();
    if let Some(from) = period.from {
        text.push_str(&format!("&from={from}"));
    }
    if let Some(to) = period.to {
        text.push_str(&format!("&to={to}"));
    }
    text
}

fn yuan(minor: i64) -> String {
    format!("¥{}", format_money(minor))
}

fn describer<'a>(
    words: &'a BTreeMap<&'static str, &'static str>,
) -> impl Fn(usize, Option<&Datum>) -> String + Copy + 'a {
    move |rows, largest| match largest {
        Some(top) => words
            .get("chart_desc")
            .copied()
            .unwrap_or("{n}: {label} {value}")
            .replace("{n}", &rows.to_string())
            .replace("{label}", &top.label)
            .replace("{value}", &top.display),
        None => words.get("chart_empty").copied().unwrap_or("").to_string(),
    }
}

async fn charts(state: &AppState, page: &PageContext, period: Period) -> Result<minijinja::Value, ApiError> {
    let words = dictionary(page.lang);
    let word = |key: &str| words.get(key).copied().unwrap_or("").to_string();
    let describe = describer(&words);
    let (field_names, _) = field_and_region_names(state, page.lang).await?;
    let by_month = stats::contracts_by(&state.db, Grouping::Month, period).await?;
    let by_field = stats::contracts_by(&state.db, Grouping::Field, period).await?;
    let deals = stats::deals_by_state(&state.db).await?;
    let league = stats::broker_league(&state.db, period).await?;
    let timing = stats::inquiry_to_registration(&state.db, period).await?;
    let amount_headers = |label: &str| (word(label), word("stat_registered_value"));
    let month_chart: Chart = bar_chart(
        "chart-month",
        word("chart_by_month"),
        amount_headers("stat_month"),
        by_month
            .iter()
            .map(|g| Datum { label: g.key.clone(), value: g.amount_minor, display: yuan(g.amount_minor) })
            .collect(),
        describe,
    );
    let field_chart = bar_chart(
        "chart-field",
        word("chart_by_field"),
        amount_headers("field"),
        by_field
            .iter()
            .map(|g| {
                let name =
                    field_names.get_item(&minijinja::Value::from(g.key.as_str())).ok().filter(|v| !v.is_undefined());
                let label = name.map(|v| v.to_string()).unwrap_or_else(|| g.key.clone());
                Datum { label, value: g.amount_minor, display: yuan(g.amount_minor) }
            })
            .collect(),
        describe,
    );
    let deal_chart = bar_chart(
        "chart-deals",
        word("chart_deals_by_state"),
        (word("status"), word("stat_deals")),
        deals
            .iter()
            .map(|(status, count)| {
                let label =
                    words.get(format!("deal_state_{status}").as_str()).map_or(status.clone(), |w| w.to_string());
                let value = i64::try_from(*count).unwrap_or(i64::MAX);
                Datum { label, value, display: count.to_string() }
            })
            .collect(),
        describe,
    );
    let by_status = stats::contracts_by(&state.db, Grouping::Status, period).await?;
    let status_chart = bar_chart(
        "chart-status",
        word("chart_by_status"),
        (word("status"), word("stat_contracts_registered")),
        by_status
            .iter()
            .map(|g| {
                let label =
                    words.get(format!("contract_status_{}", g.key).as_str()).map_or(g.key.clone(), |w| w.to_string());
                let value = i64::try_from(g.contracts).unwrap_or(i64::MAX);
                Datum { label, value, display: g.contracts.to_string() }
            })
            .collect(),
        describe,
    );
    let show_days = |days: Option<f64>| days.map(|d| format!("{d:.1}")).unwrap_or_else(|| "–".into());
    Ok(context! {
        charts => vec![month_chart, field_chart, deal_chart, status_chart],
        league => league,
        timing => context! {
            contracts => timing.contracts,
            mean => show_days(timing.mean_days),
            median => show_days(timing.median_days),
            p90 => show_days(timing.p90_days),
        },
        totals => context! {
            contracts => by_month.iter().map(|g| g.contracts).sum::<u64>(),
            amount => yuan(by_month.iter().map(|g| g.amount_minor).fold(0i64, i64::saturating_add)),
        },
    })
}

/// `GET /center/stats?from=YYYY-MM-DD&to=YYYY-MM-DD`.
pub(super) async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<DashboardQuery>,
) -> Response {
    let (_user, page) = match open_desk(&state, &headers, query.lang.as_deref(), Desk::Statistics, PATH).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let (period, errors) = read_period(&query);
    let figures = match charts(&state, &page, period).await {
        Ok(figures) => figures,
        Err(error) => return error_page(&state, &page, PATH, error),
    };
    let invalid = errors.from.is_some() || errors.to.is_some();
    let ctx = context! {
        ..page.base(PATH),
        ..figures,
        ..context! {
            from => query.from.clone().unwrap_or_default(),
            to => query.to.clone().unwrap_or_default(),
            errors => errors,
            period_query => period_query(period),
        }
    };
    let mut response = state.pages.render("center_stats.html", ctx);
    if invalid && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    remember_language(response, query.lang.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(from: &str, to: &str) -> DashboardQuery {
        DashboardQuery { lang: None, from: Some(from.into()), to: Some(to.into()) }
    }

    #[test]
    fn the_period_is_read_with_errors_in_place() {
        let (period, errors) = read_period(&query("2026-01-01", "2026-06-30"));
        assert_eq!(period.from, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(period.to, NaiveDate::from_ymd_opt(2026, 6, 30));
        assert!(errors.from.is_none() && errors.to.is_none());
        assert_eq!(period_query(period), "&from=2026-01-01&to=2026-06-30");

        let (period, errors) = read_period(&query("2026-13-01", ""));
        assert_eq!((period.from, period.to), (None, None));
        assert_eq!(errors.from, Some("error_date_invalid"));

        let (period, errors) = read_period(&query("2026-06-01", "2026-01-01"));
        assert_eq!(period.to, None);
        assert_eq!(errors.to, Some("error_date_order"));
    }
}
