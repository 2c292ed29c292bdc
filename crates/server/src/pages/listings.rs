//! The pages of listings: the home page, and the lists and pages of achievements and demands.

use super::{LangQuery, field_and_region_names, labels, not_found_page, page_context, remember_language};
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery, MaybeUser};
use crate::i18n::Lang;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Deserialize;
use techex_core::PageRequest;
use techex_core::domain::{AchievementKind, Maturity};
use techex_listings::achievements::{self, AchievementFilter};
use techex_listings::demands::{self, DemandFilter};
use techex_listings::entities::{achievement, demand, organization};
use uuid::Uuid;

pub(super) async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let published =
        achievement::Entity::find().filter(achievement::Column::Status.eq("published")).count(&state.db).await?;
    let open_demands = demand::Entity::find().filter(demand::Column::Status.eq("published")).count(&state.db).await?;
    let organizations =
        organization::Entity::find().filter(organization::Column::VerifiedAt.is_not_null()).count(&state.db).await?;
    let latest = achievements::list(
        &state.db,
        user.actor(),
        &AchievementFilter { status: Some(techex_core::domain::AchievementStatus::Published), ..Default::default() },
        PageRequest { limit: 8, after: None },
    )
    .await?;
    let latest_demands = demands::list(
        &state.db,
        user.actor(),
        &DemandFilter { status: Some(techex_core::domain::DemandStatus::Published), ..Default::default() },
        PageRequest { limit: 5, after: None },
    )
    .await?;
    let (field_list, _) = super::field_and_region_options(&state, page.lang).await?;
    let (field_names, region_names) = field_and_region_names(&state, page.lang).await?;
    let ctx = context! {
        ..page.base("/"),
        ..context! {
            stats => context! { published => published, demands => open_demands, organizations => organizations },
            latest => latest.items,
            latest_demands => latest_demands.items,
            fields => field_list,
            field_names => field_names,
            region_names => region_names,
            labels => labels(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("home.html", ctx), query.lang.as_deref()))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    lang: Option<String>,
    field: Option<String>,
    kind: Option<String>,
    maturity: Option<String>,
    cursor: Option<String>,
}

pub(super) async fn achievement_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let filter = AchievementFilter {
        field: query.field.clone().filter(|f| !f.is_empty()),
        kind: query.kind.as_deref().and_then(|k| AchievementKind::parse(k).ok()),
        maturity: query.maturity.as_deref().and_then(|m| Maturity::parse(m).ok()),
        status: Some(techex_core::domain::AchievementStatus::Published),
        ..Default::default()
    };
    let request = PageRequest::parse(Some(20), query.cursor.as_deref()).unwrap_or_default();
    let found = achievements::list(&state.db, user.actor(), &filter, request).await?;
    let (field_names, region_names) = field_and_region_names(&state, page.lang).await?;
    let ctx = context! {
        ..page.base("/achievements"),
        ..context! {
            items => found.items,
            next_cursor => found.next_cursor,
            field_names => field_names,
            region_names => region_names,
            labels => labels(page.lang),
            selected => context! { field => query.field, kind => query.kind, maturity => query.maturity },
        }
    };
    Ok(remember_language(state.pages.render("achievements.html", ctx), query.lang.as_deref()))
}

pub(super) async fn achievement_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let view = match achievements::get_view(&state.db, user.actor(), id).await {
        Ok(view) => view,
        Err(techex_listings::ListingsError::NotFound(_)) => {
            return Ok(not_found_page().into_response());
        }
        Err(error) => return Err(error.into()),
    };
    techex_negotiation::feedback::count_view(&state.db, user.actor(), &view).await;
    let documents = techex_listings::documents::list(&state.db, user.actor(), id).await?;
    let (field_names, region_names) = field_and_region_names(&state, page.lang).await?;
    // A signed-in visitor of another organization reads the NDA to open the details, and
    // sends an inquiry (or returns to the deal already open).
    let (nda, open_deal) = match user.actor() {
        Some(actor) if !view.access.owner && view.status == techex_core::domain::AchievementStatus::Published => {
            let nda = techex_listings::nda::get(&state.db, Some(actor), id).await?;
            let filter = techex_negotiation::deals::DealFilter {
                role: Some("buyer".into()),
                achievement_id: Some(id),
                ..Default::default()
            };
            let deals =
                techex_negotiation::deals::list(&state.db, actor, &filter, PageRequest { limit: 20, after: None })
                    .await?;
            let open = deals.items.into_iter().find(|d| d.status.is_open() || d.status.as_str() == "agreed");
            (Some(nda), open.map(|d| d.id))
        }
        _ => (None, None),
    };
    // The auction of the achievement, if one is open, upcoming or closed (the newest).
    let auction = techex_negotiation::auctions::list(
        &state.db,
        user.actor(),
        &techex_negotiation::auctions::AuctionFilter { status: None, achievement_id: Some(id) },
        PageRequest { limit: 10, after: None },
    )
    .await?
    .items
    .into_iter()
    .find(|a| a.status != techex_core::domain::AuctionStatus::Cancelled);
    // The open-licence declaration of the patent: published for everyone; pending or
    // returned only for its owner and the center.
    let open_licence = match techex_listings::open_licences::live_for_achievement(&state.db, user.actor(), id).await? {
        Some(model) => Some(techex_listings::open_licences::view(&state.db, user.actor(), model).await?),
        None => None,
    };
    let keywords = keywords_in(&view.keywords, page.lang);
    let nda_parts = nda.as_ref().map(|n| nda_in(&n.text, page.lang));
    let ctx = context! {
        ..page.base(&format!("/achievements/{id}")),
        ..context! {
            keywords => keywords,
            nda_parts => nda_parts,
            a => view,
            auction => auction,
            auction_status => super::auctions::status_names(page.lang),
            open_licence => open_licence,
            ol => super::open_licences::words(page.lang),
            nda => nda,
            open_deal => open_deal,
            documents => documents,
            field_names => field_names,
            region_names => region_names,
            labels => labels(page.lang),
            feedback_reasons => techex_core::domain::FeedbackReason::ALL
                .iter()
                .map(|r| (r.as_str(), r.label(page.lang.code())))
                .collect::<Vec<_>>(),
        }
    };
    Ok(remember_language(state.pages.render("achievement.html", ctx), query.lang.as_deref()))
}

/// The keywords of a listing in the page's language (those written in Chinese on a
/// Chinese page, the others on an English one), all of them when none is.
fn keywords_in(keywords: &[String], lang: Lang) -> Vec<String> {
    let chinese = |k: &String| k.chars().any(techex_search::analysis::is_han);
    let shown: Vec<String> = keywords.iter().filter(|k| chinese(k) == (lang == Lang::Zh)).cloned().collect();
    if shown.is_empty() { keywords.to_vec() } else { shown }
}

/// The center's bilingual NDA as (the page's language, the other language, that
/// language's tag): the text accepted is the whole, the reader sees their own half
/// first and the other marked as the other language.
fn nda_in(text: &str, lang: Lang) -> (String, String, &'static str) {
    let (chinese, english) = text.split_once("\n\n").unwrap_or((text, ""));
    match lang {
        Lang::Zh => (chinese.to_string(), english.to_string(), "en"),
        Lang::En if !english.trim().is_empty() => (english.to_string(), chinese.to_string(), "zh-CN"),
        Lang::En => (chinese.to_string(), String::new(), "zh-CN"),
    }
}

pub(super) async fn demand_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let filter = DemandFilter {
        field: query.field.clone().filter(|f| !f.is_empty()),
        status: Some(techex_core::domain::DemandStatus::Published),
        ..Default::default()
    };
    let request = PageRequest::parse(Some(20), query.cursor.as_deref()).unwrap_or_default();
    let found = demands::list(&state.db, user.actor(), &filter, request).await?;
    let (field_names, region_names) = field_and_region_names(&state, page.lang).await?;
    let ctx = context! {
        ..page.base("/demands"),
        ..context! {
            items => found.items,
            next_cursor => found.next_cursor,
            field_names => field_names,
            region_names => region_names,
            labels => labels(page.lang),
            selected => context! { field => query.field },
        }
    };
    Ok(remember_language(state.pages.render("demands.html", ctx), query.lang.as_deref()))
}

pub(super) async fn demand_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let view = match demands::get_view(&state.db, user.actor(), id).await {
        Ok(view) => view,
        Err(techex_listings::ListingsError::NotFound(_)) => {
            return Ok(not_found_page().into_response());
        }
        Err(error) => return Err(error.into()),
    };
    let (field_names, region_names) = field_and_region_names(&state, page.lang).await?;
    // Another organization answers a published demand (a deal where it is the seller).
    let may_answer = user.actor().is_some_and(|actor| {
        !actor.belongs_to(view.owner.id) && view.status == techex_core::domain::DemandStatus::Published
    });
    let ctx = context! {
        ..page.base(&format!("/demands/{id}")),
        ..context! {
            d => view,
            may_answer => may_answer,
            field_names => field_names,
            region_names => region_names,
            labels => labels(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("demand.html", ctx), query.lang.as_deref()))
}

/// The labels of the broker levels in the page's language.
fn broker_levels(lang: Lang) -> std::collections::BTreeMap<&'static str, &'static str> {
    techex_core::domain::BrokerLevel::ALL.iter().map(|l| (l.as_str(), l.label(lang.code()))).collect()
}

pub(super) async fn broker_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let filter = techex_negotiation::brokers::BrokerFilter {
        field: query.field.clone().filter(|f| !f.is_empty()),
        ..Default::default()
    };
    let request = PageRequest::parse(Some(20), query.cursor.as_deref()).unwrap_or_default();
    // The public directory: active brokers, whoever looks.
    let found = techex_negotiation::brokers::list(&state.db, None, &filter, request).await?;
    let (field_names, _) = field_and_region_names(&state, page.lang).await?;
    let ctx = context! {
        ..page.base("/brokers"),
        ..context! {
            items => found.items,
            next_cursor => found.next_cursor,
            field_names => field_names,
            levels => broker_levels(page.lang),
            selected => context! { field => query.field },
        }
    };
    Ok(remember_language(state.pages.render("brokers.html", ctx), query.lang.as_deref()))
}

pub(super) async fn broker_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let view = match techex_negotiation::brokers::get_view(&state.db, user.actor(), id).await {
        Ok(view) => view,
        Err(techex_listings::ListingsError::NotFound(_)) => return Ok(not_found_page().into_response()),
        Err(error) => return Err(error.into()),
    };
    let (field_names, _) = field_and_region_names(&state, page.lang).await?;
    let ctx = context! {
        ..page.base(&format!("/brokers/{id}")),
        ..context! { b => view, field_names => field_names, levels => broker_levels(page.lang) }
    };
    Ok(remember_language(state.pages.render("broker.html", ctx), query.lang.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_follow_the_page_language_and_fall_back_to_all() {
        let mixed = vec!["膨化率".to_string(), "overrun".to_string(), "搅拌系统".to_string()];
        assert_eq!(keywords_in(&mixed, Lang::Zh), ["膨化率", "搅拌系统"]);
        assert_eq!(keywords_in(&mixed, Lang::En), ["overrun"]);
        let chinese = vec!["反渗透".to_string()];
        assert_eq!(keywords_in(&chinese, Lang::En), ["反渗透"]);
    }

    #[test]
    fn the_nda_shows_the_readers_half_first() {
        let text = "保密协议\n一、……\n\nNon-Disclosure Agreement\n1. …";
        assert_eq!(nda_in(text, Lang::Zh), ("保密协议\n一、……".into(), "Non-Disclosure Agreement\n1. …".into(), "en"));
        assert_eq!(
            nda_in(text, Lang::En),
            ("Non-Disclosure Agreement\n1. …".into(), "保密协议\n一、……".into(), "zh-CN")
        );
        assert_eq!(nda_in("保密协议", Lang::En), ("保密协议".into(), String::new(), "zh-CN"));
    }
}
