//! A forgotten password in the browser: `/forgot-password` asks for a link by e-mail
//! (the page says the same whether or not the address has an account) and
//! `/reset-password?token=…` sets a new password with it, through `techex_listings::resets`
//! like the API. Without SMTP settings the first page says that no mail can be sent.

use super::guard::{csrf_matches, error_page, parse_form, with_cookies};
use super::sign_in::{VISITOR_CSRF_SECS, fresh_csrf, visitor_csrf};
use super::{LangQuery, PageContext, page_context_for, remember_language};
use crate::db::{begin, commit};
use crate::error::ApiError;
use crate::extract::{ApiQuery, ClientIp};
use crate::i18n::{Lang, dictionary};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;
use std::collections::BTreeMap;
use techex_listings::resets;

const FORGOT: &str = "/forgot-password";
const RESET: &str = "/reset-password";

fn word(lang: Lang, key: &str) -> String {
    dictionary(lang).get(key).map(|w| (*w).to_string()).unwrap_or_default()
}

/// The page, not stored by the browser or a proxy (it may carry a reset token).
fn render(state: &AppState, name: &str, ctx: minijinja::Value, status: StatusCode) -> Response {
    let mut response = state.pages.render_status(name, ctx, status);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ForgotForm {
    csrf_token: Option<String>,
    email: Option<String>,
}

fn render_forgot(
    state: &AppState,
    page: &PageContext,
    email: &str,
    error: Option<String>,
    sent: bool,
    status: StatusCode,
) -> Response {
    let ctx = context! {
        ..page.base(FORGOT),
        ..context! { email => email, error => error, sent => sent, mail_enabled => state.config.smtp_url.is_some() }
    };
    render(state, "forgot_password.html", ctx, status)
}

/// `GET /forgot-password`.
pub(super) async fn forgot_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> Response {
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let new_cookie = visitor_csrf(&state, &headers, &mut page);
    let response = render_forgot(&state, &page, "", None, false, StatusCode::OK);
    remember_language(with_cookies(response, [new_cookie]), query.lang.as_deref())
}

/// `POST /forgot-password`: queues the link when the address has an account; the page
/// says "sent if the address has an account" in every case.
pub(super) async fn forgot_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: ForgotForm = parse_form(&body);
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let email = form.email.clone().unwrap_or_default().trim().to_string();
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        let new_cookie = fresh_csrf(&state, &headers, &mut page, VISITOR_CSRF_SECS);
        let error = Some(word(page.lang, "error_form_expired"));
        let response = render_forgot(&state, &page, &email, error, false, StatusCode::FORBIDDEN);
        return with_cookies(response, [new_cookie]);
    }
    if state.config.smtp_url.is_none() {
        // No link can reach anyone: say so rather than "a link is on its way".
        return render_forgot(&state, &page, &email, None, false, StatusCode::OK);
    }
    let requested = async {
        let transaction = begin(&state).await?;
        resets::request(&transaction, &email, &ip).await?;
        commit(transaction).await
    };
    match requested.await {
        Ok(()) => render_forgot(&state, &page, "", None, true, StatusCode::OK),
        Err(error) if error.status.is_server_error() => error_page(&state, &page, FORGOT, error),
        Err(error) => {
            let status = error.status;
            let mut response =
                render_forgot(&state, &page, &email, Some(error.first_error_in(page.lang)), false, status);
            if let Some(seconds) = error.retry_after
                && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ResetQuery {
    lang: Option<String>,
    token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ResetForm {
    csrf_token: Option<String>,
    token: Option<String>,
    password: Option<String>,
    password_repeat: Option<String>,
}

fn render_reset(
    state: &AppState,
    page: &PageContext,
    token: &str,
    errors: &BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let ctx = context! { ..page.base(RESET), ..context! { token => token, errors => errors } };
    render(state, "reset_password.html", ctx, status)
}

/// `GET /reset-password?token=…`: the new password's form.
pub(super) async fn reset_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ResetQuery>,
) -> Response {
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let new_cookie = visitor_csrf(&state, &headers, &mut page);
    let token = query.token.unwrap_or_default();
    let response = render_reset(&state, &page, &token, &BTreeMap::new(), StatusCode::OK);
    remember_language(with_cookies(response, [new_cookie]), query.lang.as_deref())
}

/// `POST /reset-password`: sets the password and leads to the sign-in page.
pub(super) async fn reset_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: ResetForm = parse_form(&body);
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let lang = page.lang;
    let token = form.token.clone().unwrap_or_default();
    let mut errors = BTreeMap::new();
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        let new_cookie = fresh_csrf(&state, &headers, &mut page, VISITOR_CSRF_SECS);
        errors.insert("form".to_string(), word(lang, "error_form_expired"));
        return with_cookies(render_reset(&state, &page, &token, &errors, StatusCode::FORBIDDEN), [new_cookie]);
    }
    let password = form.password.unwrap_or_default();
    if form.password_repeat.as_deref().unwrap_or("") != password {
        errors.insert("password_repeat".to_string(), word(lang, "error_passwords_differ"));
        return render_reset(&state, &page, &token, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let confirmed = async {
        let transaction = begin(&state).await?;
        resets::confirm(&transaction, &token, &password).await?;
        commit(transaction).await
    };
    match confirmed.await {
        Ok(()) => Redirect::to("/sign-in?reset=done").into_response(),
        Err(error) if error.status.is_server_error() => error_page(&state, &page, RESET, error),
        Err(error) => {
            let at_password = error.errors.iter().any(|e| e.field == "password");
            let key = if at_password { "password" } else { "form" };
            errors.insert(key.to_string(), reset_error(&error, lang));
            render_reset(&state, &page, &token, &errors, error.status)
        }
    }
}

/// What the reset form says of a refusal: the password's fault in its words, an unknown
/// or spent link as such.
fn reset_error(error: &ApiError, lang: Lang) -> String {
    match error.status {
        StatusCode::NOT_FOUND => word(lang, "reset_link_unknown"),
        StatusCode::CONFLICT => word(lang, "reset_link_spent"),
        _ => error.first_error_in(lang),
    }
}
