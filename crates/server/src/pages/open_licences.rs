//! The pages of patent open licensing (专利开放许可): the public list of open-licence
//! patents (filtered by field), one declaration with the licences granted under it and,
//! for a verified organization, taking a licence in one step; the center's review desk
//! for pending declarations. The declaration form is on the owner's achievement page.
//! Every form posts to the JSON API (`web/static/workspace.js`), so the pages and the API
//! share one set of rules.

use super::guard::{problem, sign_in_redirect};
use super::{
    LangQuery, field_and_region_names, field_and_region_options, labels, not_found_page, page_context,
    remember_language,
};
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery, MaybeUser};
use crate::i18n::Lang;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;
use techex_core::domain::{OpenLicenceStatus, RoyaltyPeriod};
use techex_core::{Actor, PageRequest};
use techex_listings::ListingsError;
use techex_listings::open_licences::{self, OpenLicenceFilter, OpenLicenceView};
use uuid::Uuid;

/// How many declarations a page of the list shows.
const PAGE_SIZE: u64 = 30;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    lang: Option<String>,
    /// A technology field's code.
    field: Option<String>,
    cursor: Option<String>,
}

/// The names of the declarations' states and of the royalty periods in a language.
pub(super) fn words(lang: Lang) -> minijinja::Value {
    let code = lang.code();
    context! {
        status => OpenLicenceStatus::ALL.iter().map(|s| (s.as_str(), s.label(code))).collect::<std::collections::BTreeMap<_, _>>(),
        periods => RoyaltyPeriod::ALL.iter().map(|p| (p.as_str(), p.label(code))).collect::<Vec<_>>(),
    }
}

/// `GET /open-licences`
pub(super) async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let field = query.field.clone().filter(|f| !f.trim().is_empty());
    let filter = OpenLicenceFilter { status: None, mine: false, field: field.clone(), achievement_id: None };
    let request = PageRequest::parse(Some(PAGE_SIZE), query.cursor.as_deref())
        .unwrap_or(PageRequest { limit: PAGE_SIZE, after: None });
    let found = open_licences::list(&state.db, user.actor(), &filter, request).await?;
    let (fields, _) = field_and_region_options(&state, page.lang).await?;
    let (field_names, _) = field_and_region_names(&state, page.lang).await?;
    let next = found.next_cursor.as_ref().map(|cursor| {
        let mut url = format!("/open-licences?cursor={cursor}");
        if let Some(field) = &field {
            url.push_str(&format!("&field={}", urlencoding(field)));
        }
        url
    });
    let ctx = context! {
        ..page.base("/open-licences"),
        ..context! {
            items => found.items,
            next => next,
            field => field,
            fields => fields,
            field_names => field_names,
            labels => labels(page.lang),
            ol => words(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("open_licences.html", ctx), query.lang.as_deref()))
}

fn urlencoding(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Why the viewer may not take a licence, as a dictionary key; `None` when they may.
fn take_refusal(actor: Option<&Actor>, view: &OpenLicenceView) -> Option<&'static str> {
    if view.status != OpenLicenceStatus::Published {
        return Some("ol_not_open");
    }
    let Some(actor) = actor else { return Some("ol_sign_in") };
    if actor.belongs_to(view.licensor.id) {
        return Some("ol_own");
    }
    if view.can_take {
        return None;
    }
    if !actor.organization_verified {
        return Some("ol_unverified");
    }
    Some("ol_taken_or_not_allowed")
}

/// `GET /open-licences/{id}`
pub(super) async fn declaration_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let Ok(id) = Uuid::parse_str(&id) else { return Ok(not_found_page()) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let actor = user.actor();
    let model = match open_licences::get(&state.db, actor, id).await {
        Ok(model) => model,
        Err(ListingsError::NotFound(_)) => return Ok(not_found_page().into_response()),
        Err(error) => return Err(error.into()),
    };
    let view = open_licences::view(&state.db, actor, model).await?;
    let grants = techex_contracts::open_licence::grants(&state.db, actor, id).await?;
    let (field_names, _) = field_and_region_names(&state, page.lang).await?;
    let owner = actor.is_some_and(|a| a.belongs_to(view.licensor.id));
    let reviewer = actor.is_some_and(Actor::can_review);
    let refusal = take_refusal(actor, &view);
    let brokers = match actor {
        Some(actor) if refusal.is_none() => super::workspace::invitable_brokers(&state, actor).await?,
        _ => Vec::new(),
    };
    let ctx = context! {
        ..page.base(&format!("/open-licences/{id}")),
        ..context! {
            d => view,
            grants => grants,
            owner => owner,
            reviewer => reviewer,
            can_take => refusal.is_none(),
            refusal => refusal,
            brokers => brokers,
            field_names => field_names,
            labels => labels(page.lang),
            ol => words(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("open_licence.html", ctx), query.lang.as_deref()))
}

/// `GET /center/open-licences`: the declarations waiting for review (reviewers).
pub(super) async fn review_desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let path = "/center/open-licences";
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect(path)) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    if !actor.can_review() {
        // As every other desk of the center: forbidden, not hidden (its address is no secret).
        return Ok(problem(&state, &page, path, StatusCode::FORBIDDEN, None));
    }
    let filter = OpenLicenceFilter {
        status: Some(OpenLicenceStatus::PendingReview),
        mine: false,
        field: None,
        achievement_id: None,
    };
    let pending = open_licences::list(&state.db, Some(actor), &filter, PageRequest { limit: 100, after: None }).await?;
    let (field_names, _) = field_and_region_names(&state, page.lang).await?;
    let ctx = context! {
        ..page.base(path),
        ..context! {
            items => pending.items,
            field_names => field_names,
            labels => labels(page.lang),
            ol => words(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("center_open_licences.html", ctx), query.lang.as_deref()))
}
