//! The browser pages: server-rendered HTML from the templates under `web/templates`,
//! in Chinese or English (`lang` query parameter, then the `lang` cookie, then the
//! signed-in user's language, then `Accept-Language`), and the static assets under `web/static`, all embedded in the
//! binary so that `techex serve` needs no files beside it.

mod analytics;
mod auctions;
mod audit;
mod center;
mod center_brokers;
mod center_users;
mod charts;
mod confirmation;
mod dashboard;
mod filters;
mod findings;
mod guard;
mod invitations;
mod licence;
mod listings;
mod open_licences;
mod organization;
mod password;
mod registration;
mod royalties;
mod search;
mod sign_in;
mod sitemap;
mod stats;
#[cfg(test)]
mod terms_card_tests;
mod verification;
mod workspace;

use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery, MaybeUser};
use crate::i18n::{Lang, dictionary};
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::{Environment, context};
use serde::Deserialize;
use techex_core::domain::{AchievementKind, AchievementStatus, DemandStatus, Maturity, TransactionMode};
use techex_listings::reference;

pub use crate::extract::{CSRF_COOKIE, SESSION_COOKIE, cookie, session_cookie};
pub use filters::without_control_characters;
use filters::*;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../../web/templates/base.html")),
    ("home.html", include_str!("../../../../web/templates/home.html")),
    ("achievements.html", include_str!("../../../../web/templates/achievements.html")),
    ("achievement.html", include_str!("../../../../web/templates/achievement.html")),
    ("demands.html", include_str!("../../../../web/templates/demands.html")),
    ("demand.html", include_str!("../../../../web/templates/demand.html")),
    ("brokers.html", include_str!("../../../../web/templates/brokers.html")),
    ("broker.html", include_str!("../../../../web/templates/broker.html")),
    ("achievement_cards.html", include_str!("../../../../web/templates/achievement_cards.html")),
    ("search.html", include_str!("../../../../web/templates/search.html")),
    ("api_docs.html", include_str!("../../../../web/templates/api_docs.html")),
    ("my_deals.html", include_str!("../../../../web/templates/my_deals.html")),
    ("my_achievements.html", include_str!("../../../../web/templates/my_achievements.html")),
    ("my_demands.html", include_str!("../../../../web/templates/my_demands.html")),
    ("my_alerts.html", include_str!("../../../../web/templates/my_alerts.html")),
    ("achievement_form.html", include_str!("../../../../web/templates/achievement_form.html")),
    ("deal_room.html", include_str!("../../../../web/templates/deal_room.html")),
    ("offer_form.html", include_str!("../../../../web/templates/offer_form.html")),
    ("terms_card.html", include_str!("../../../../web/templates/terms_card.html")),
    ("currency_select.html", include_str!("../../../../web/templates/currency_select.html")),
    ("dashboard.html", include_str!("../../../../web/templates/dashboard.html")),
    ("my_contracts.html", include_str!("../../../../web/templates/my_contracts.html")),
    ("contract.html", include_str!("../../../../web/templates/contract.html")),
    ("sign_in.html", include_str!("../../../../web/templates/sign_in.html")),
    ("problem.html", include_str!("../../../../web/templates/problem.html")),
    ("center_review.html", include_str!("../../../../web/templates/center_review.html")),
    ("center_contracts.html", include_str!("../../../../web/templates/center_contracts.html")),
    ("center_stats.html", include_str!("../../../../web/templates/center_stats.html")),
    ("chart.html", include_str!("../../../../web/templates/chart.html")),
    ("auctions.html", include_str!("../../../../web/templates/auctions.html")),
    ("auction.html", include_str!("../../../../web/templates/auction.html")),
    ("register.html", include_str!("../../../../web/templates/register.html")),
    ("my_organization.html", include_str!("../../../../web/templates/my_organization.html")),
    ("accept_invitation.html", include_str!("../../../../web/templates/accept_invitation.html")),
    ("center_organizations.html", include_str!("../../../../web/templates/center_organizations.html")),
    ("center_audit.html", include_str!("../../../../web/templates/center_audit.html")),
    ("center_brokers.html", include_str!("../../../../web/templates/center_brokers.html")),
    ("center_users.html", include_str!("../../../../web/templates/center_users.html")),
    ("analytics.html", include_str!("../../../../web/templates/analytics.html")),
    ("forgot_password.html", include_str!("../../../../web/templates/forgot_password.html")),
    ("reset_password.html", include_str!("../../../../web/templates/reset_password.html")),
    ("confirm_email.html", include_str!("../../../../web/templates/confirm_email.html")),
    ("open_licences.html", include_str!("../../../../web/templates/open_licences.html")),
    ("open_licence.html", include_str!("../../../../web/templates/open_licence.html")),
    ("center_open_licences.html", include_str!("../../../../web/templates/center_open_licences.html")),
    ("open_licence_form.html", include_str!("../../../../web/templates/open_licence_form.html")),
    ("my_royalties.html", include_str!("../../../../web/templates/my_royalties.html")),
];

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../../../web/static/app.css")),
    ("api-docs.js", "text/javascript; charset=utf-8", include_bytes!("../../../../web/static/api-docs.js")),
    ("workspace.js", "text/javascript; charset=utf-8", include_bytes!("../../../../web/static/workspace.js")),
    ("pay.js", "text/javascript; charset=utf-8", include_bytes!("../../../../web/static/pay.js")),
    ("confirm.js", "text/javascript; charset=utf-8", include_bytes!("../../../../web/static/confirm.js")),
    ("facets.js", "text/javascript; charset=utf-8", include_bytes!("../../../../web/static/facets.js")),
    ("auction.js", "text/javascript; charset=utf-8", include_bytes!("../../../../web/static/auction.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../../../../web/static/favicon.svg")),
    (
        "vendor/swagger-ui/swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../../web/static/vendor/swagger-ui/swagger-ui.css"),
    ),
    (
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../../web/static/vendor/swagger-ui/swagger-ui-bundle.js"),
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
        // `{{ a.asking_price_minor|price(a.currency) }}`: the amount with its currency's sign.
        environment.add_filter("price", |minor: Option<i64>, currency: Option<String>| -> String {
            minor.map(|value| filters::format_price(value, currency.as_deref())).unwrap_or_default()
        });
        // The value of an input as the user typed it: fen as plain yuan, basis points as
        // a percentage (`88000000` → `880000`, `550` → `5.5`), never `880000.0`.
        environment
            .add_filter("hundredths", |value: Option<i64>| -> String { value.map(hundredths).unwrap_or_default() });
        environment.add_filter("file_size", |bytes: i64| -> String { filters::file_size(bytes) });
        environment.add_global("patent_example", techex_core::patent::EXAMPLE);
        // `{{ m.title|half }}`: of a bilingual text (`签约后一次性支付 / Payment in full on
        // signing`, as schedules drafted by default and older data have them), the half in
        // the page's language.
        environment.add_filter("half", |state: &minijinja::State, text: String| -> String {
            crate::notices::legacy_half(&text, page_language(state)).to_string()
        });
        // `{{ a.territory|marked }}`: text a person wrote, marked with its language when it
        // is not the page's — Chinese on an English page goes in `<span lang="zh-CN">`, so
        // that screen readers and the browser's fonts treat it as Chinese.
        environment.add_filter("marked", |state: &minijinja::State, value: minijinja::Value| -> minijinja::Value {
            marked(page_language(state), value)
        });
        // `<p{{ hit.snippet|lang_attr }}>`: ` lang="zh-CN"` for an element whose text (or
        // markup, such as a highlighted snippet) holds Chinese on an English page.
        environment.add_filter("lang_attr", |state: &minijinja::State, text: Option<String>| -> minijinja::Value {
            let chinese = text.as_deref().is_some_and(has_chinese);
            minijinja::Value::from_safe_string(
                if chinese && page_language(state) == Lang::En { " lang=\"zh-CN\"" } else { "" }.to_string(),
            )
        });
        // `{{ m.due_days_after_signing|due_days }}`: "签约后 90 天", "90 days after signing".
        environment.add_filter("due_days", |state: &minijinja::State, days: i64| -> String {
            due_days_words(page_language(state), days)
        });
        // `{{ finding|explanation }}`: a pre-check finding explained in the page's language.
        environment.add_filter("explanation", |state: &minijinja::State, finding: minijinja::Value| -> String {
            findings::explanation(page_language(state), &finding)
        });
        // `{{ count('results_count', total) }}`: the word with `{n}` filled in, in its
        // plural form for the number.
        environment.add_function("count", |state: &minijinja::State, key: &str, n: minijinja::Value| -> String {
            let number = i64::try_from(n.clone()).ok().or_else(|| n.as_str().and_then(|text| text.parse().ok()));
            match number {
                Some(number) => counted(page_language(state), key, number),
                None => dictionary(page_language(state)).get(key).unwrap_or(&"").replace("{n}", &n.to_string()),
            }
        });
        Ok(Templates { environment })
    }

    /// [`render`](Self::render) answered with `status` (a form sent back with its
    /// errors, a desk after a refused action); a page that failed to render stays a 500.
    fn render_status(&self, name: &str, ctx: minijinja::Value, status: StatusCode) -> Response {
        let mut response = self.render(name, ctx);
        if response.status() == StatusCode::OK {
            *response.status_mut() = status;
        }
        response
    }

    fn render(&self, name: &str, ctx: minijinja::Value) -> Response {
        match self.environment.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => Html(without_control_characters(html)).into_response(),
            Err(error) => {
                tracing::error!(%error, template = name, "template failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "page failed to render").into_response()
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct LangQuery {
    pub(super) lang: Option<String>,
}

/// The page's language: the `lang` query parameter, the `lang` cookie, the signed-in
/// user's language, then the browser's `Accept-Language`.
fn language(headers: &HeaderMap, query: Option<&str>, user_language: Option<&str>) -> Lang {
    if let Some(lang) = query.and_then(Lang::parse) {
        return lang;
    }
    if let Some(lang) = cookie(headers, "lang").as_deref().and_then(Lang::parse) {
        return lang;
    }
    if let Some(lang) = user_language.and_then(Lang::parse) {
        return lang;
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    Lang::from_accept_language(accept)
}

/// Remembers an explicit language choice in a cookie.
pub(super) fn remember_language(mut response: Response, query: Option<&str>) -> Response {
    if let Some(lang) = query.and_then(Lang::parse)
        && let Ok(value) =
            HeaderValue::from_str(&format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code()))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub(super) struct PageContext {
    lang: Lang,
    signed_in: Option<String>,
    /// The CSRF cookie's value, repeated in the forms of the page (sign-out and others).
    csrf: Option<String>,
    /// Which of the center's desks the signed-in user may open (for the navigation).
    desks: guard::Desks,
}

impl PageContext {
    fn base(&self, path: &str) -> minijinja::Value {
        context! {
            lang => self.lang.code(),
            t => dictionary(self.lang),
            signed_in => self.signed_in.clone(),
            csrf => self.csrf.clone().unwrap_or_default(),
            desks => self.desks,
            path => path,
            path_encoded => form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>(),
            other_lang => self.lang.other().code(),
        }
    }
}

pub(super) fn page_context(headers: &HeaderMap, query: Option<&str>, user: &MaybeUser) -> PageContext {
    page_context_for(headers, query, user.0.as_ref())
}

pub(super) fn page_context_for(
    headers: &HeaderMap,
    query: Option<&str>,
    user: Option<&techex_listings::auth::Authenticated>,
) -> PageContext {
    PageContext {
        lang: language(headers, query, user.map(|u| u.user.language.as_str())),
        signed_in: user.map(|u| u.user.display_name.clone()),
        csrf: cookie(headers, CSRF_COOKIE).filter(|value| !value.is_empty()),
        desks: user.map(|u| guard::Desks::of(&u.actor)).unwrap_or_default(),
    }
}

/// Codes with their names in a meaningful order — the enum's (invention patent first,
/// maturity stages in stage order) or the reference table's (其他 / Other last) — for
/// templates that both look a name up (`labels.kinds[code]`) and list the options
/// (`labels.kinds|items`). A map sorted by code would scramble the options.
#[derive(Debug)]
pub(super) struct OrderedNames(Vec<(String, String)>);

impl OrderedNames {
    pub(super) fn value<K: Into<String>, N: Into<String>>(pairs: impl IntoIterator<Item = (K, N)>) -> minijinja::Value {
        let pairs = pairs.into_iter().map(|(code, name)| (code.into(), name.into())).collect();
        minijinja::Value::from_object(OrderedNames(pairs))
    }
}

impl minijinja::value::Object for OrderedNames {
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Map
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        let wanted = key.as_str()?;
        self.0.iter().find(|(code, _)| code == wanted).map(|(_, name)| minijinja::Value::from(name.as_str()))
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Values(
            self.0.iter().map(|(code, _)| minijinja::Value::from(code.as_str())).collect(),
        )
    }
}

pub(super) fn labels(lang: Lang) -> minijinja::Value {
    let code = lang.code();
    let kinds = OrderedNames::value(AchievementKind::ALL.iter().map(|k| (k.as_str(), k.label(code))));
    let maturities = OrderedNames::value(Maturity::ALL.iter().map(|m| (m.as_str(), m.label(code))));
    let modes = OrderedNames::value(TransactionMode::ALL.iter().map(|m| (m.as_str(), m.label(code))));
    let achievement_status = OrderedNames::value(AchievementStatus::ALL.iter().map(|s| (s.as_str(), s.label(code))));
    let demand_status = OrderedNames::value(DemandStatus::ALL.iter().map(|s| (s.as_str(), s.label(code))));
    context! {
        kinds => kinds,
        maturities => maturities,
        modes => modes,
        achievement_status => achievement_status,
        demand_status => demand_status,
    }
}

/// The industry fields and the regions as (code, name in the page's language), in the
/// reference data's order: the options of the forms' selects.
pub(super) async fn field_and_region_options(
    state: &AppState,
    lang: Lang,
) -> ApiResult<(Vec<(String, String)>, Vec<(String, String)>)> {
    let zh = lang == Lang::Zh;
    let fields = reference::list_fields(&state.db)
        .await?
        .into_iter()
        .map(|f| (f.code, if zh { f.name_zh } else { f.name_en }))
        .collect();
    let regions = reference::list_regions(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.code, if zh { r.name_zh } else { r.name_en }))
        .collect();
    Ok((fields, regions))
}

/// The same as maps from code to name in the same order, for showing a listing's field
/// and region and for the options of the list pages' filters.
pub(super) async fn field_and_region_names(
    state: &AppState,
    lang: Lang,
) -> ApiResult<(minijinja::Value, minijinja::Value)> {
    let (fields, regions) = field_and_region_options(state, lang).await?;
    Ok((OrderedNames::value(fields), OrderedNames::value(regions)))
}

/// `/api/docs`: Swagger UI over the OpenAPI document, inside the site's header, in the
/// page's language around it (the document itself is in English).
async fn api_docs(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> Response {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    remember_language(state.pages.render("api_docs.html", page.base("/api/docs")), query.lang.as_deref())
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

/// `/favicon.ico`, which browsers ask for on their own, is the site's icon.
async fn favicon() -> Response {
    axum::response::Redirect::permanent("/static/favicon.svg").into_response()
}

/// `/login`, the name the design gives the sign-in page, leads there with its query
/// (`next`, `lang`).
async fn login(uri: axum::http::Uri) -> Response {
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    axum::response::Redirect::permanent(&format!("/sign-in{query}")).into_response()
}

/// The 404 of a page handler: a problem that [`html_problems`] renders as the site's
/// "not found" page in the reader's language, like every other problem.
pub fn not_found_page() -> Response {
    crate::error::ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such page").into_response()
}

/// The page for a path no route serves (the router's fallback outside `/api/`).
pub async fn unknown_page(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    let query = request.uri().query().map(str::to_string);
    let page = page_of_request(&state, request.headers(), query.as_deref()).await;
    guard::problem(&state, &page, request.uri().path(), StatusCode::NOT_FOUND, None)
}

/// The `lang` parameter of a query string.
fn lang_parameter(query: Option<&str>) -> Option<String> {
    query.and_then(|query| {
        form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == "lang").map(|(_, value)| value.into_owned())
    })
}

/// The page context of a request outside a page handler: its language and who is signed
/// in (by session cookie or bearer token), as on every other page.
async fn page_of_request(state: &AppState, headers: &HeaderMap, query: Option<&str>) -> PageContext {
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    let user = <MaybeUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(&mut parts, state)
        .await
        .ok()
        .and_then(|user| user.0);
    page_context_for(headers, lang_parameter(query).as_deref(), user.as_ref())
}

async fn html_problems(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = request.headers().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let response = next.run(request).await;
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if !problem {
        return response;
    }
    let status = response.status();
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let worded_in = response.headers().get(header::CONTENT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|problem| problem["detail"].as_str().map(str::to_string));
    let page = page_of_request(&state, &headers, query.as_deref()).await;
    // A detail worded in another language than the page's (the page follows its cookie
    // before the browser's languages) gives way to the page's own words for the status;
    // a missing page says only that it is missing.
    let detail = detail
        .filter(|_| status != StatusCode::NOT_FOUND && worded_in.as_deref() == Some(crate::locale::tag(page.lang)));
    let mut html = guard::problem(&state, &page, &path, status, detail);
    if let Some(seconds) = retry_after {
        html.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    html
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(listings::home))
        .route("/search", get(search::search_page))
        .route("/achievements", get(listings::achievement_list))
        .route("/achievements/{id}", get(listings::achievement_page))
        .route("/demands", get(listings::demand_list))
        .route("/demands/{id}", get(listings::demand_page))
        .route("/brokers", get(listings::broker_list))
        .route("/auctions", get(auctions::auction_list))
        .route("/auctions/{id}", get(auctions::auction_page))
        .route("/open-licences", get(open_licences::list_page))
        .route("/open-licences/{id}", get(open_licences::declaration_page))
        .route("/center/open-licences", get(open_licences::review_desk))
        .route("/brokers/{id}", get(listings::broker_page))
        .route("/sitemap.xml", get(sitemap::sitemap))
        .route("/robots.txt", get(sitemap::robots))
        .route("/my/demands", get(workspace::my_demands))
        .route("/my/alerts", get(workspace::my_alerts))
        .route("/my/achievements", get(workspace::my_achievements))
        .route("/my/achievements/new", get(workspace::new_achievement))
        .route("/my/achievements/{id}/edit", get(workspace::edit_achievement))
        .route("/my/achievements/{id}/analytics", get(analytics::analytics_page))
        .route("/my/royalties", get(royalties::income_page))
        .route("/deals", get(workspace::my_deals))
        .route("/deals/{id}", get(workspace::deal_room))
        .route("/contracts", get(workspace::my_contracts))
        .route("/contracts/{id}", get(workspace::contract_page))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/login", get(login))
        .route("/favicon.ico", get(favicon))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/center/review", get(center::review_queue))
        .route("/center/review/{kind}/{id}/approve", post(center::approve))
        .route("/center/review/{kind}/{id}/reject", post(center::reject))
        .route("/center/contracts", get(registration::contracts))
        .route("/center/contracts/{id}/register", post(registration::register))
        .route("/center/contracts/{id}/return", post(registration::return_contract))
        .route("/center/stats", get(stats::dashboard))
        .route("/center/organizations", get(verification::desk))
        .route("/center/audit", get(audit::audit_log))
        .route("/center/brokers", get(center_brokers::desk).post(center_brokers::certify))
        .route("/center/brokers/{id}/suspend", post(center_brokers::suspend))
        .route("/center/brokers/{id}/reinstate", post(center_brokers::reinstate))
        .route("/center/brokers/{id}/expiry", post(center_brokers::renew))
        .route("/center/users", get(center_users::desk))
        .route("/center/users/{id}/disable", post(center_users::disable))
        .route("/center/users/{id}/enable", post(center_users::enable))
        .route("/center/organizations/{id}/verify", post(verification::verify))
        .route("/center/organizations/{id}/reject", post(verification::reject))
        .route(
            "/register",
            get(organization::register_form)
                .post(organization::register_submit)
                .layer(DefaultBodyLimit::max(techex_listings::licences::MAX_BYTES + 64 * 1024)),
        )
        .route(
            "/my/organization/licence",
            post(licence::upload_licence)
                .layer(DefaultBodyLimit::max(techex_listings::licences::MAX_BYTES + 64 * 1024)),
        )
        .route("/center/organizations/{id}/licence", get(verification::licence))
        .route("/my/organization", get(organization::organization_page).post(organization::save_profile))
        .route("/my/organization/invitations", post(organization::invite))
        .route("/invitations/accept", get(invitations::accept_form).post(invitations::accept_submit))
        .route("/forgot-password", get(password::forgot_form).post(password::forgot_submit))
        .route("/reset-password", get(password::reset_form).post(password::reset_submit))
        .route("/confirm-email", get(confirmation::confirm_form).post(confirmation::confirm_submit))
        .route("/my/organization/confirm-email", post(confirmation::resend))
        .route("/api/docs", get(api_docs))
        .route("/static/{*path}", get(asset))
        .route_layer(axum::middleware::from_fn(guard::sign_in_keeps_the_request))
        .route_layer(axum::middleware::from_fn_with_state(state, html_problems))
}

#[cfg(test)]
mod tests;
