//! How one listing does, for its owner (and the center): page views over the last 30
//! days, inquiries, deals by state, the value agreed, bidding, and the reasons buyers gave
//! for passing — the same `negotiation::feedback` functions as the API's `…/analytics`
//! and `…/feedback`, drawn as the statistics page draws its charts.

use super::charts::{Chart, Datum, bar_chart};
use super::guard::sign_in_redirect;
use super::{LangQuery, format_money, not_found_page, page_context, remember_language};
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery, MaybeUser};
use crate::i18n::{Lang, dictionary};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use techex_core::domain::{DealStatus, FeedbackReason};
use techex_listings::ListingsError;
use techex_negotiation::feedback;
use uuid::Uuid;

/// A chart's description: how many rows and the largest, or that there is nothing yet.
pub(super) fn describe(lang: Lang) -> impl Fn(usize, Option<&Datum>) -> String + Copy {
    move |rows, largest| {
        let words = dictionary(lang);
        match largest {
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
}

fn count(value: u64) -> Datum {
    Datum { label: String::new(), value: i64::try_from(value).unwrap_or(i64::MAX), display: value.to_string() }
}

/// `GET /my/achievements/{id}/analytics`.
pub(super) async fn analytics_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let path = format!("/my/achievements/{id}/analytics");
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect(&path)) };
    let Ok(id) = Uuid::parse_str(&id) else { return Ok(not_found_page()) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let lang = page.lang;
    let code = lang.code();
    let word = |key: &str| dictionary(lang).get(key).copied().unwrap_or("").to_string();
    let found = async {
        let achievement = techex_listings::achievements::get_view(&state.db, Some(actor), id).await?;
        let analytics = feedback::analytics(&state.db, actor, id).await?;
        let reasons = feedback::summary(&state.db, actor, id).await?;
        Ok::<_, ListingsError>((achievement, analytics, reasons))
    };
    let (achievement, analytics, reasons) = match found.await {
        Ok(found) => found,
        // Someone else's listing is as missing as one that does not exist.
        Err(ListingsError::NotFound(_) | ListingsError::Forbidden(_)) => return Ok(not_found_page()),
        Err(error) => return Err(error.into()),
    };
    let views = bar_chart(
        "chart-views",
        word("analytics_views_by_day"),
        (word("analytics_day"), word("analytics_views")),
        analytics
            .views_by_day
            .iter()
            .map(|d| Datum { label: d.day.clone(), value: d.views, display: d.views.to_string() })
            .collect(),
        describe(lang),
    );
    let deals: Chart = bar_chart(
        "chart-deals",
        word("chart_deals_by_state"),
        (word("status"), word("stat_deals")),
        DealStatus::ALL
            .iter()
            .filter_map(|status| {
                let n = analytics.deals_by_status.get(status.as_str()).copied().filter(|n| *n > 0)?;
                Some(Datum { label: status.label(code).to_string(), ..count(n) })
            })
            .collect(),
        describe(lang),
    );
    let passes = bar_chart(
        "chart-reasons",
        word("analytics_pass_reasons"),
        (word("analytics_reason"), word("analytics_answers_axis")),
        FeedbackReason::ALL
            .iter()
            .filter_map(|reason| {
                let n = reasons.counts.get(reason.as_str()).copied().filter(|n| *n > 0)?;
                Some(Datum { label: reason.label(code).to_string(), ..count(n) })
            })
            .collect(),
        describe(lang),
    );
    let agreed: Vec<String> = analytics
        .agreed_value_minor
        .iter()
        .map(|(currency, minor)| format!("{} {currency}", format_money(*minor)))
        .collect();
    let comments: Vec<minijinja::Value> = reasons
        .items
        .iter()
        .filter(|item| item.comment.as_deref().is_some_and(|c| !c.trim().is_empty()))
        .map(|item| {
            context! {
                reason => item.reason.label(code),
                comment => item.comment,
                at => item.at.format("%Y-%m-%d").to_string(),
            }
        })
        .collect();
    let title = if lang == Lang::En {
        achievement.title_en.clone().or_else(|| achievement.title_zh.clone())
    } else {
        achievement.title_zh.clone().or_else(|| achievement.title_en.clone())
    }
    .unwrap_or_default();
    let ctx = context! {
        ..page.base(&path),
        ..context! {
            id => id,
            title => title,
            figures => context! {
                views => analytics.views_total,
                inquiries => analytics.inquiries,
                auctions => analytics.auctions,
                answers => reasons.items.len(),
                agreed => agreed,
            },
            charts => vec![views, deals, passes],
            comments => comments,
        }
    };
    Ok(remember_language(state.pages.render("analytics.html", ctx), query.lang.as_deref()).into_response())
}
