//! The search page: the parameters of `GET /api/v1/search` in the URL, facets as links,
//! matches highlighted.

use super::{field_and_region_names, labels, page_context, remember_language};
use crate::error::ApiResult;
use crate::extract::MaybeUser;
use crate::i18n::{Lang, dictionary};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use minijinja::context;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::BTreeMap;
use techex_core::domain::{AchievementKind, Maturity, TransactionMode};
use techex_listings::entities::organization;
use uuid::Uuid;

/// A search page link: the current parameters with some changed (`None` removes one);
/// the cursor is dropped unless given, so a changed search starts at its first page.
fn search_link(current: &BTreeMap<String, String>, changes: &[(&str, Option<&str>)]) -> String {
    let mut parameters = current.clone();
    parameters.remove("cursor");
    for (name, value) in changes {
        match value {
            Some(value) => parameters.insert((*name).to_string(), (*value).to_string()),
            None => parameters.remove(*name),
        };
    }
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &parameters {
        if !value.is_empty() {
            serializer.append_pair(name, value);
        }
    }
    format!("/search?{}", serializer.finish())
}

/// The search page: the same parameters as `GET /api/v1/search`, facets as links.
pub(super) async fn search_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    axum::extract::Query(raw): axum::extract::Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    const KNOWN: [&str; 13] = [
        "q",
        "type",
        "kind",
        "field",
        "maturity",
        "mode",
        "region",
        "organization",
        "price_min",
        "price_max",
        "sort",
        "cursor",
        "lang",
    ];
    let current: BTreeMap<String, String> =
        raw.into_iter().filter(|(k, v)| KNOWN.contains(&k.as_str()) && !v.trim().is_empty()).collect();
    let get = |name: &str| current.get(name).cloned();
    let page = page_context(&headers, get("lang").as_deref(), &user);
    let doc_type = if get("type").as_deref() == Some("demand") { "demand" } else { "achievement" };
    let params = techex_search::SearchParams {
        q: get("q"),
        doc_type: Some(doc_type.into()),
        kind: get("kind"),
        field: get("field"),
        maturity: get("maturity"),
        mode: get("mode"),
        region: get("region"),
        organization: get("organization"),
        price_min: get("price_min").and_then(|v| v.parse().ok()),
        price_max: get("price_max").and_then(|v| v.parse().ok()),
        sort: get("sort"),
        cursor: get("cursor"),
        limit: Some(20),
        lang: Some(page.lang.code().into()),
    };
    let outcome = match params.to_request() {
        Ok(request) => state.search.search(request).await,
        Err(error) => Err(error),
    };
    let (results, error) = match outcome {
        Ok(results) => (Some(results), None),
        Err(techex_search::SearchError::Internal(cause)) => return Err(crate::error::ApiError::internal(cause)),
        Err(techex_search::SearchError::Index(cause)) => return Err(crate::error::ApiError::internal(cause)),
        // Worded in the page's language, as the API words them (not the message's key).
        Err(techex_search::SearchError::Syntax(syntax)) => {
            (None, Some(crate::locale::message(page.lang, &syntax.message)))
        }
        Err(techex_search::SearchError::Parameter { message, .. }) => {
            (None, Some(crate::locale::message(page.lang, &message)))
        }
        Err(other) => (None, Some(other.to_string())),
    };
    let words = dictionary(page.lang);
    let (field_names, region_names) = field_and_region_names(&state, page.lang).await?;
    let code = page.lang.code();
    let mut organization_names = BTreeMap::new();
    if let Some(results) = &results {
        let ids: Vec<Uuid> = results
            .facets
            .get("organization")
            .map(|values| values.iter().filter_map(|v| Uuid::parse_str(&v.value).ok()).collect())
            .unwrap_or_default();
        if !ids.is_empty() {
            for org in organization::Entity::find().filter(organization::Column::Id.is_in(ids)).all(&state.db).await? {
                let name = if page.lang == Lang::Zh { org.name } else { org.name_en.unwrap_or(org.name) };
                organization_names.insert(org.id.to_string(), name);
            }
        }
    }
    let label_of = |dimension: &str, value: &str| -> String {
        match dimension {
            "kind" => AchievementKind::parse(value).map(|k| k.label(code).to_string()).unwrap_or_else(|_| value.into()),
            "maturity" => Maturity::parse(value).map(|m| m.label(code).to_string()).unwrap_or_else(|_| value.into()),
            "mode" if value == techex_search::document::OPEN_LICENCE_MODE => {
                words.get("nav_open_licences").copied().unwrap_or(value).to_string()
            }
            "mode" => TransactionMode::parse(value).map(|m| m.label(code).to_string()).unwrap_or_else(|_| value.into()),
            "field" => field_names
                .get_attr(value)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| value.into()),
            "region" => region_names
                .get_attr(value)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| value.into()),
            "organization" => organization_names.get(value).cloned().unwrap_or_else(|| value.into()),
            _ => value.into(),
        }
    };
    let dimensions: &[&str] = if doc_type == "demand" {
        &["field", "mode", "region", "organization"]
    } else {
        &["kind", "field", "maturity", "mode", "region", "organization"]
    };
    // A saved search is named by its words, or by its filters when it has none.
    let save_name = get("q").unwrap_or_else(|| {
        dimensions.iter().filter_map(|d| get(d).map(|v| label_of(d, &v))).collect::<Vec<_>>().join(" · ")
    });
    let mut facets = Vec::new();
    if let Some(results) = &results {
        for dimension in dimensions {
            let selected = get(dimension);
            let values: Vec<minijinja::Value> = results
                .facets
                .get(*dimension)
                .into_iter()
                .flatten()
                .take(12)
                .map(|value| {
                    let is_selected = selected.as_deref() == Some(value.value.as_str());
                    let link = if is_selected {
                        search_link(&current, &[(dimension, None)])
                    } else {
                        search_link(&current, &[(dimension, Some(value.value.as_str()))])
                    };
                    context! { label => label_of(dimension, &value.value), count => value.count, link => link, selected => is_selected }
                })
                .collect();
            let label = words.get(format!("facet_{dimension}").as_str()).copied().unwrap_or(dimension);
            facets.push(context! { label => label, values => values });
        }
    }
    let ranges = [
        ("price_under_50w", None, Some("50000000")),
        ("price_50w_200w", Some("50000000"), Some("200000000")),
        ("price_200w_1000w", Some("200000000"), Some("1000000000")),
        ("price_over_1000w", Some("1000000000"), None),
    ];
    let price_ranges: Vec<minijinja::Value> = ranges
        .iter()
        .map(|(key, min, max)| {
            let selected = get("price_min").as_deref() == *min && get("price_max").as_deref() == *max;
            let link = if selected {
                search_link(&current, &[("price_min", None), ("price_max", None)])
            } else {
                search_link(&current, &[("price_min", *min), ("price_max", *max)])
            };
            context! { label => words.get(key).copied().unwrap_or(key), link => link, selected => selected }
        })
        .collect();
    let current_sort = get("sort").unwrap_or_else(|| "relevance".into());
    let sorts: Vec<minijinja::Value> = ["relevance", "newest", "price_asc", "price_desc"]
        .iter()
        .map(|sort| {
            let label = words.get(format!("sort_{sort}").as_str()).copied().unwrap_or(sort);
            context! { label => label, selected => current_sort == *sort, link => search_link(&current, &[("sort", Some(sort))]) }
        })
        .collect();
    let next_link = results
        .as_ref()
        .and_then(|r| r.next_cursor.clone())
        .map(|cursor| search_link(&current, &[("cursor", Some(cursor.as_str()))]));
    let filters = ["kind", "field", "maturity", "mode", "region", "organization", "price_min", "price_max"];
    let has_filters = filters.iter().any(|f| current.contains_key(*f));
    let mut cleared: Vec<(&str, Option<&str>)> = filters.iter().map(|f| (*f, None)).collect();
    cleared.push(("sort", None));
    let ctx = context! {
        ..page.base("/search"),
        ..context! {
            q => get("q").unwrap_or_default(),
            doc_type => doc_type,
            kept => current.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>(),
            link_type_achievement => search_link(&current, &[("type", None)]),
            link_type_demand => search_link(&current, &[("type", Some("demand")), ("kind", None), ("maturity", None)]),
            error => error,
            total => results.as_ref().map_or(0, |r| r.total).to_string(),
            hits => results.as_ref().map(|r| r.hits.clone()).unwrap_or_default(),
            facets => facets,
            price_ranges => price_ranges,
            sorts => sorts,
            next_link => next_link,
            has_filters => has_filters,
            save_name => save_name,
            clear_link => search_link(&current, &cleared),
            field_names => field_names,
            region_names => region_names,
            labels => labels(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("search.html", ctx), get("lang").as_deref()))
}
