//! The browser pages: server-rendered HTML from the templates under `web/templates`,
//! in Chinese or English (`lang` query parameter, then the `lang` cookie, then
//! `Accept-Language`), and the static assets under `web/static`, all embedded in the
//! binary so that `techex serve` needs no files beside it.

mod center;
mod charts;
mod dashboard;
mod guard;
mod listings;
mod registration;
mod search;
mod sign_in;
mod sitemap;
mod stats;
mod workspace;

use crate::error::ApiResult;
use crate::extract::{ApiPath, MaybeUser};
use crate::i18n::{Lang, dictionary};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::{Environment, context};
use serde::Deserialize;
use techex_core::domain::{AchievementKind, Maturity, TransactionMode};
use techex_listings::reference;

/// The name of the browser session cookie.
pub const SESSION_COOKIE: &str = "techex_session";
/// The name of the CSRF cookie whose value unsafe cookie-authenticated requests repeat
/// in the `X-CSRF-Token` header.
pub const CSRF_COOKIE: &str = "techex_csrf";

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
    ("dashboard.html", include_str!("../../../../web/templates/dashboard.html")),
    ("my_contracts.html", include_str!("../../../../web/templates/my_contracts.html")),
    ("contract.html", include_str!("../../../../web/templates/contract.html")),
    ("sign_in.html", include_str!("../../../../web/templates/sign_in.html")),
    ("problem.html", include_str!("../../../../web/templates/problem.html")),
    ("center_review.html", include_str!("../../../../web/templates/center_review.html")),
    ("center_contracts.html", include_str!("../../../../web/templates/center_contracts.html")),
    ("center_stats.html", include_str!("../../../../web/templates/center_stats.html")),
    ("chart.html", include_str!("../../../../web/templates/chart.html")),
];

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../../../web/static/app.css")),
    ("api-docs.js", "text/javascript; charset=utf-8", include_bytes!("../../../../web/static/api-docs.js")),
    ("workspace.js", "text/javascript; charset=utf-8", include_bytes!("../../../../web/static/workspace.js")),
    ("pay.js", "text/javascript; charset=utf-8", include_bytes!("../../../../web/static/pay.js")),
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
        Ok(Templates { environment })
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

/// Drops control characters (NUL and the rest of C0 except tab, line feed and carriage
/// return; DEL; C1) from a rendered page, wherever they came from (a query echoed into a
/// form, a stored title): they are never meant to be seen, and NUL in HTML is a parse
/// error. Every page goes through here.
pub fn without_control_characters(text: String) -> String {
    let dropped = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.chars().any(dropped) {
        return text;
    }
    text.chars().filter(|c| !dropped(*c)).collect()
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
pub(super) struct LangQuery {
    pub(super) lang: Option<String>,
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
        lang: language(headers, query),
        signed_in: user.map(|u| u.user.display_name.clone()),
        csrf: cookie(headers, CSRF_COOKIE).filter(|value| !value.is_empty()),
        desks: user.map(|u| guard::Desks::of(&u.actor)).unwrap_or_default(),
    }
}

pub(super) fn labels(lang: Lang) -> minijinja::Value {
    let code = lang.code();
    let kinds: std::collections::BTreeMap<&str, &str> =
        AchievementKind::ALL.iter().map(|k| (k.as_str(), k.label(code))).collect();
    let maturities: std::collections::BTreeMap<&str, &str> =
        Maturity::ALL.iter().map(|m| (m.as_str(), m.label(code))).collect();
    let modes: std::collections::BTreeMap<&str, &str> =
        TransactionMode::ALL.iter().map(|m| (m.as_str(), m.label(code))).collect();
    context! { kinds => kinds, maturities => maturities, modes => modes }
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

/// The same as maps from code to name, for showing a listing's field and region.
pub(super) async fn field_and_region_names(
    state: &AppState,
    lang: Lang,
) -> ApiResult<(minijinja::Value, minijinja::Value)> {
    let (fields, regions) = field_and_region_options(state, lang).await?;
    let fields: std::collections::BTreeMap<String, String> = fields.into_iter().collect();
    let regions: std::collections::BTreeMap<String, String> = regions.into_iter().collect();
    Ok((minijinja::Value::from_serialize(&fields), minijinja::Value::from_serialize(&regions)))
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

/// `/login`, the name the design gives the sign-in page, leads there with its query
/// (`next`, `lang`).
async fn login(uri: axum::http::Uri) -> Response {
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    axum::response::Redirect::permanent(&format!("/sign-in{query}")).into_response()
}

/// The 404 page (rendered without state, so the fallback can use it too).
pub fn not_found_page() -> (StatusCode, Html<&'static str>) {
    (StatusCode::NOT_FOUND, Html(include_str!("../../../../web/templates/not_found.html")))
}

/// Pages answer an error of the domain, the database or a malformed query with the HTML
/// problem page in the reader's language (the 404 page for what does not exist), as the
/// center's desks do, never with the API's problem+json body.
async fn html_problems(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = request.headers().clone();
    let path = request.uri().path().to_string();
    let lang = request.uri().query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == "lang").map(|(_, value)| value.into_owned())
    });
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
    if status == StatusCode::NOT_FOUND {
        return not_found_page().into_response();
    }
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|problem| problem["detail"].as_str().map(str::to_string));
    // The header shows who is signed in (by session cookie or bearer token), as on every
    // other page.
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    let user = <MaybeUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(&mut parts, &state)
        .await
        .ok()
        .and_then(|user| user.0);
    let page = page_context_for(&headers, lang.as_deref(), user.as_ref());
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
        .route("/brokers/{id}", get(listings::broker_page))
        .route("/sitemap.xml", get(sitemap::sitemap))
        .route("/robots.txt", get(sitemap::robots))
        .route("/my/demands", get(workspace::my_demands))
        .route("/my/alerts", get(workspace::my_alerts))
        .route("/my/achievements", get(workspace::my_achievements))
        .route("/my/achievements/new", get(workspace::new_achievement))
        .route("/my/achievements/{id}/edit", get(workspace::edit_achievement))
        .route("/deals", get(workspace::my_deals))
        .route("/deals/{id}", get(workspace::deal_room))
        .route("/contracts", get(workspace::my_contracts))
        .route("/contracts/{id}", get(workspace::contract_page))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/login", get(login))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/center/review", get(center::review_queue))
        .route("/center/review/{kind}/{id}/approve", post(center::approve))
        .route("/center/review/{kind}/{id}/reject", post(center::reject))
        .route("/center/contracts", get(registration::contracts))
        .route("/center/contracts/{id}/register", post(registration::register))
        .route("/center/contracts/{id}/return", post(registration::return_contract))
        .route("/center/stats", get(stats::dashboard))
        .route("/api/docs", get(api_docs))
        .route("/static/{*path}", get(asset))
        .route_layer(axum::middleware::from_fn_with_state(state, html_problems))
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

    /// The words the templates name as `t.word`, and the families of words the pages
    /// choose at run time, are all in the dictionary.
    #[test]
    fn every_word_the_pages_use_is_in_the_dictionary() {
        let words = dictionary(Lang::En);
        let mut used = Vec::new();
        for (name, source) in TEMPLATES {
            let bytes = source.as_bytes();
            for (index, _) in source.match_indices("t.") {
                let before = index.checked_sub(1).map(|i| bytes[i]);
                if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
                    continue;
                }
                let word: String = source[index + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !word.is_empty() {
                    used.push((name.to_string(), word));
                }
            }
        }
        let families = [
            "problem_title_400",
            "todo_mediate",
            "contract_status_terminated_agreement",
            "contract_status_terminated_buyer_default",
            "contract_status_terminated_seller_default",
            "todo_overdue_payment",
            "terminated_agreement",
            "terminated_buyer_default",
            "terminated_seller_default",
            "notice_note_seller",
            "notice_note_buyer",
            "todo_draft_contract",
            "todo_inquiry",
            "todo_answer_offer",
            "todo_confirm_proposal",
            "todo_sign",
            "todo_returned",
            "todo_termination",
            "todo_pay_milestone",
            "todo_accept_milestone",
            "todo_rejected_listing",
            "problem_text_403",
            "problem_title_500",
            "problem_text_503",
            "review_done_approved",
            "review_done_rejected",
            "registration_done_registered",
            "registration_done_returned",
            "severity_blocker",
            "severity_warning",
            "precheck_parties",
            "precheck_signatures",
            "error_form_expired",
            "error_rate_limited",
            "error_wrong_credentials",
            "error_email_required",
            "error_password_required",
            "error_reason_required",
            "error_reason_invalid",
            "error_changed_meanwhile",
            "error_not_allowed",
            "error_date_invalid",
            "error_date_order",
            "chart_desc",
            "chart_empty",
            "deal_state_contracted",
            "role_seller",
            "role_invited_broker",
            "role_center",
            "role_registrar",
            "channel_joint",
            "channel_caucus_seller",
            "channel_caucus_buyer",
            "contract_status_signing",
            "contract_status_performing",
            "milestone_status_payment_pending",
            "milestone_status_refunded",
            "improvements_each_own",
            "improvements_joint",
            "payout_status_awaiting_account",
            "payout_status_sent",
            "tier_nda",
            "term_lump_sum_minor",
            "term_milestones",
            "term_valid_until",
            "tier_public",
        ];
        used.extend(families.iter().map(|w| ("pages".to_string(), w.to_string())));
        assert!(used.len() > 100, "the scan found the templates' words");
        for (template, word) in used {
            assert!(words.contains_key(word.as_str()), "{template} uses `{word}`, which the dictionary lacks");
        }
    }
}
