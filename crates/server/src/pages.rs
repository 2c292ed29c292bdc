//! The browser pages: server-rendered HTML from the templates under `web/templates`,
//! in Chinese or English (`lang` query parameter, then the `lang` cookie, then
//! `Accept-Language`), and the static assets under `web/static`, all embedded in the
//! binary so that `techex serve` needs no files beside it.

use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery, MaybeUser};
use crate::i18n::{Lang, dictionary};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use minijinja::{Environment, context};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Deserialize;
use techex_core::PageRequest;
use techex_core::domain::{AchievementKind, Maturity, TransactionMode};
use techex_listings::achievements::{self, AchievementFilter};
use techex_listings::demands::{self, DemandFilter};
use techex_listings::entities::{achievement, demand, organization};
use techex_listings::reference;
use uuid::Uuid;

/// The name of the browser session cookie.
pub const SESSION_COOKIE: &str = "techex_session";
/// The name of the CSRF cookie whose value unsafe cookie-authenticated requests repeat
/// in the `X-CSRF-Token` header.
pub const CSRF_COOKIE: &str = "techex_csrf";

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../web/templates/base.html")),
    ("home.html", include_str!("../../../web/templates/home.html")),
    ("achievements.html", include_str!("../../../web/templates/achievements.html")),
    ("achievement.html", include_str!("../../../web/templates/achievement.html")),
    ("demands.html", include_str!("../../../web/templates/demands.html")),
    ("demand.html", include_str!("../../../web/templates/demand.html")),
    ("achievement_cards.html", include_str!("../../../web/templates/achievement_cards.html")),
    ("search.html", include_str!("../../../web/templates/search.html")),
    ("api_docs.html", include_str!("../../../web/templates/api_docs.html")),
];

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../../web/static/app.css")),
    ("api-docs.js", "text/javascript; charset=utf-8", include_bytes!("../../../web/static/api-docs.js")),
    (
        "vendor/swagger-ui/swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../web/static/vendor/swagger-ui/swagger-ui.css"),
    ),
    (
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../web/static/vendor/swagger-ui/swagger-ui-bundle.js"),
    ),
];

/// The compiled templates.
pub struct Templates {
    environment: Environment<'static>,
}

impl Templates {
    pub fn load() -> Result<Self, minijinja::Error> {
        let mut environment = Environment::new();
        environment.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        for (name, source) in TEMPLATES {
            environment.add_template(name, source)?;
        }
        environment.add_filter("money", |minor: Option<i64>| -> String {
            match minor {
                Some(value) => format_money(value),
                None => String::new(),
            }
        });
        Ok(Templates { environment })
    }

    fn render(&self, name: &str, ctx: minijinja::Value) -> Response {
        match self.environment.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => Html(html).into_response(),
            Err(error) => {
                tracing::error!(%error, template = name, "template failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "page failed to render").into_response()
            }
        }
    }
}

/// `12345678` fen → `123,456.78`; whole yuan amounts drop the decimals.
fn format_money(minor: i64) -> String {
    let yuan = minor / 100;
    let fen = minor % 100;
    let digits = yuan.to_string();
    let mut grouped = String::new();
    for (index, c) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if fen == 0 { grouped } else { format!("{grouped}.{fen:02}") }
}

/// The session token from the cookie. For unsafe methods the request must also carry
/// the CSRF token in `X-CSRF-Token`, equal to the CSRF cookie; otherwise the cookie is
/// ignored, so a forged cross-site form cannot act as the user.
pub fn session_cookie(parts: &Parts) -> Option<String> {
    let session = cookie(&parts.headers, SESSION_COOKIE)?;
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        return Some(session);
    }
    let expected = cookie(&parts.headers, CSRF_COOKIE)?;
    let sent = parts.headers.get("x-csrf-token")?.to_str().ok()?;
    (!expected.is_empty() && sent == expected).then_some(session)
}

/// Reads a cookie by name.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

#[derive(Debug, Default, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn language(headers: &HeaderMap, query: Option<&str>) -> Lang {
    if let Some(lang) = query.and_then(Lang::parse) {
        return lang;
    }
    if let Some(lang) = cookie(headers, "lang").as_deref().and_then(Lang::parse) {
        return lang;
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    Lang::from_accept_language(accept)
}

/// Remembers an explicit language choice in a cookie.
fn remember_language(mut response: Response, query: Option<&str>) -> Response {
    if let Some(lang) = query.and_then(Lang::parse)
        && let Ok(value) =
            HeaderValue::from_str(&format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code()))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

struct PageContext {
    lang: Lang,
    signed_in: Option<String>,
}

impl PageContext {
    fn base(&self, path: &str) -> minijinja::Value {
        context! {
            lang => self.lang.code(),
            t => dictionary(self.lang),
            signed_in => self.signed_in.clone(),
            path => path,
            other_lang => self.lang.other().code(),
        }
    }
}

fn page_context(headers: &HeaderMap, query: Option<&str>, user: &MaybeUser) -> PageContext {
    PageContext { lang: language(headers, query), signed_in: user.0.as_ref().map(|u| u.user.display_name.clone()) }
}

fn labels(lang: Lang) -> minijinja::Value {
    let code = lang.code();
    let kinds: std::collections::BTreeMap<&str, &str> =
        AchievementKind::ALL.iter().map(|k| (k.as_str(), k.label(code))).collect();
    let maturities: std::collections::BTreeMap<&str, &str> =
        Maturity::ALL.iter().map(|m| (m.as_str(), m.label(code))).collect();
    let modes: std::collections::BTreeMap<&str, &str> =
        TransactionMode::ALL.iter().map(|m| (m.as_str(), m.label(code))).collect();
    context! { kinds => kinds, maturities => maturities, modes => modes }
}

async fn field_and_region_names(state: &AppState, lang: Lang) -> ApiResult<(minijinja::Value, minijinja::Value)> {
    let zh = lang == Lang::Zh;
    let fields: std::collections::BTreeMap<String, String> = reference::list_fields(&state.db)
        .await?
        .into_iter()
        .map(|f| (f.code, if zh { f.name_zh } else { f.name_en }))
        .collect();
    let regions: std::collections::BTreeMap<String, String> = reference::list_regions(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.code, if zh { r.name_zh } else { r.name_en }))
        .collect();
    Ok((minijinja::Value::from_serialize(&fields), minijinja::Value::from_serialize(&regions)))
}

async fn home(
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
    let fields = reference::list_fields(&state.db).await?;
    let zh = page.lang == Lang::Zh;
    let field_list: Vec<(String, String)> =
        fields.into_iter().map(|f| (f.code, if zh { f.name_zh } else { f.name_en })).collect();
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
struct ListQuery {
    lang: Option<String>,
    field: Option<String>,
    kind: Option<String>,
    maturity: Option<String>,
    cursor: Option<String>,
}

async fn achievement_list(
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

async fn achievement_page(
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
    let documents = techex_listings::documents::list(&state.db, user.actor(), id).await?;
    let (field_names, region_names) = field_and_region_names(&state, page.lang).await?;
    let ctx = context! {
        ..page.base(&format!("/achievements/{id}")),
        ..context! {
            a => view,
            documents => documents,
            field_names => field_names,
            region_names => region_names,
            labels => labels(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("achievement.html", ctx), query.lang.as_deref()))
}

async fn demand_list(
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

async fn demand_page(
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
    let ctx = context! {
        ..page.base(&format!("/demands/{id}")),
        ..context! { d => view, field_names => field_names, region_names => region_names, labels => labels(page.lang) }
    };
    Ok(remember_language(state.pages.render("demand.html", ctx), query.lang.as_deref()))
}

/// A search page link: the current parameters with some changed (`None` removes one);
/// the cursor is always dropped, so a changed search starts at its first page.
fn search_link(current: &std::collections::BTreeMap<String, String>, changes: &[(&str, Option<&str>)]) -> String {
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
async fn search_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    axum::extract::Query(raw): axum::extract::Query<std::collections::BTreeMap<String, String>>,
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
    let current: std::collections::BTreeMap<String, String> =
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
        Err(other) => (None, Some(other.to_string())),
    };
    let words = dictionary(page.lang);
    let (field_names, region_names) = field_and_region_names(&state, page.lang).await?;
    let code = page.lang.code();
    let mut organization_names = std::collections::BTreeMap::new();
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
    let next_link = results.as_ref().and_then(|r| r.next_cursor.clone()).map(|cursor| {
        let mut next = current.clone();
        next.insert("cursor".into(), cursor);
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &next {
            serializer.append_pair(name, value);
        }
        format!("/search?{}", serializer.finish())
    });
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
            clear_link => search_link(&current, &cleared),
            field_names => field_names,
            region_names => region_names,
            labels => labels(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("search.html", ctx), get("lang").as_deref()))
}

async fn api_docs(State(state): State<AppState>) -> Response {
    state.pages.render("api_docs.html", context! {})
}

async fn asset(ApiPath(path): ApiPath<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == path) {
        Some((_, content_type, bytes)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=3600")], *bytes)
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// The 404 page (rendered without state, so the fallback can use it too).
pub fn not_found_page() -> (StatusCode, Html<&'static str>) {
    (StatusCode::NOT_FOUND, Html(include_str!("../../../web/templates/not_found.html")))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search_page))
        .route("/achievements", get(achievement_list))
        .route("/achievements/{id}", get(achievement_page))
        .route("/demands", get(demand_list))
        .route("/demands/{id}", get(demand_page))
        .route("/api/docs", get(api_docs))
        .route("/static/{*path}", get(asset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_in_yuan() {
        assert_eq!(format_money(12_345_678), "123,456.78");
        assert_eq!(format_money(50_000_000), "500,000");
        assert_eq!(format_money(5), "0.05");
    }

    #[test]
    fn every_template_compiles() {
        assert!(Templates::load().is_ok());
    }
}
