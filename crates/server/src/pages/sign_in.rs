//! Signing in and out in the browser: the form, the session cookie (a `cookie` session
//! of `auth::login`, the same limits as the API's), the CSRF cookie, and signing out
//! with the session revoked on the server.

use super::guard::{
    csrf_matches, error_page, parse_form, problem, safe_next, secure_cookies, session_user, set_cookie, with_cookies,
};
use super::{CSRF_COOKIE, LangQuery, PageContext, SESSION_COOKIE, cookie, page_context_for, remember_language};
use crate::db::{begin, commit};
use crate::extract::{ApiQuery, ClientIp};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use techex_listings::ListingsError;
use techex_listings::auth::{self, LoginContext, new_token};

#[derive(Debug, Default, Deserialize)]
pub(super) struct SignInQuery {
    lang: Option<String>,
    next: Option<String>,
    /// `done` after a password was reset.
    reset: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SignInForm {
    email: Option<String>,
    password: Option<String>,
    csrf_token: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CsrfForm {
    csrf_token: Option<String>,
}

/// The errors of the sign-in form: dictionary keys, shown next to their field.
#[derive(Debug, Default, Serialize)]
struct SignInErrors {
    email: Option<&'static str>,
    password: Option<&'static str>,
    /// About the whole form (an expired form, too many attempts).
    form: Option<&'static str>,
    /// Minutes to wait, for the rate limit.
    minutes: Option<u64>,
}

impl SignInErrors {
    fn any(&self) -> bool {
        self.email.is_some() || self.password.is_some() || self.form.is_some()
    }
}

fn render_form(
    state: &AppState,
    page: &PageContext,
    status: StatusCode,
    email: &str,
    next: &str,
    errors: &SignInErrors,
) -> Response {
    render_form_after(state, page, status, email, next, errors, false)
}

fn render_form_after(
    state: &AppState,
    page: &PageContext,
    status: StatusCode,
    email: &str,
    next: &str,
    errors: &SignInErrors,
    reset_done: bool,
) -> Response {
    let ctx = context! {
        ..page.base("/sign-in"),
        ..context! { email => email, next => next, errors => errors, has_errors => errors.any(), reset_done => reset_done }
    };
    let mut response = state.pages.render_status("sign_in.html", ctx, status);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Lifetime of the CSRF cookie for visitors who have not signed in yet.
pub(super) const VISITOR_CSRF_SECS: i64 = 2 * 3600;

/// A fresh CSRF token put into the page and a cookie for it.
pub(super) fn fresh_csrf(
    state: &AppState,
    headers: &HeaderMap,
    page: &mut PageContext,
    max_age: i64,
) -> Option<HeaderValue> {
    let token = new_token("");
    page.csrf = Some(token.clone());
    set_cookie(CSRF_COOKIE, &token, max_age, false, secure_cookies(state, headers))
}

/// `GET /sign-in`: the form. A visitor without a CSRF cookie gets one, so that the
/// sign-in post itself is protected against login CSRF.
pub(super) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<SignInQuery>,
) -> Response {
    let user = session_user(&state, &headers).await.ok().flatten();
    let mut page = page_context_for(&headers, query.lang.as_deref(), user.as_ref());
    let new_cookie = visitor_csrf(&state, &headers, &mut page);
    let next = after_sign_in(query.next.as_deref());
    let reset_done = query.reset.as_deref() == Some("done");
    let response = render_form_after(&state, &page, StatusCode::OK, "", &next, &SignInErrors::default(), reset_done);
    remember_language(with_cookies(response, [new_cookie]), query.lang.as_deref())
}

/// A CSRF cookie for a visitor who has none yet (the forms posted before signing in),
/// its value put into the page.
pub(super) fn visitor_csrf(state: &AppState, headers: &HeaderMap, page: &mut PageContext) -> Option<HeaderValue> {
    match cookie(headers, CSRF_COOKIE).filter(|c| !c.is_empty()) {
        Some(_) => None,
        None => fresh_csrf(state, headers, page, VISITOR_CSRF_SECS),
    }
}

/// Where a sign-in leads: the page the user came from, else the dashboard.
fn after_sign_in(next: Option<&str>) -> String {
    match next.map(str::trim).filter(|n| !n.is_empty()) {
        Some(next) => safe_next(Some(next)),
        None => "/dashboard".to_string(),
    }
}

/// `POST /sign-in`: checks the CSRF field, then the e-mail and password (the same
/// `auth::login` and rate limits as the API); on success sets the session and a new
/// CSRF cookie and goes to `next`.
pub(super) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: SignInForm = parse_form(&body);
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let next = after_sign_in(form.next.as_deref());
    let email = form.email.as_deref().unwrap_or("").trim().to_string();
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        // Nothing is attempted; the form comes back with a fresh token to try again.
        let new_cookie = fresh_csrf(&state, &headers, &mut page, VISITOR_CSRF_SECS);
        let errors = SignInErrors { form: Some("error_form_expired"), ..Default::default() };
        return with_cookies(render_form(&state, &page, StatusCode::FORBIDDEN, &email, &next, &errors), [new_cookie]);
    }
    let password = form.password.unwrap_or_default();
    let mut errors = SignInErrors::default();
    if email.is_empty() {
        errors.email = Some("error_email_required");
    }
    if password.is_empty() {
        errors.password = Some("error_password_required");
    }
    if errors.any() {
        return render_form(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, &email, &next, &errors);
    }
    let user_agent =
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect());
    let context = LoginContext { ip, user_agent, kind: "cookie" };
    let transaction = match begin(&state).await {
        Ok(transaction) => transaction,
        Err(error) => return error_page(&state, &page, "/sign-in", error),
    };
    let result = auth::login(&transaction, &state.auth, &email, &password, &context).await;
    // A failed attempt is recorded too: commit in both cases.
    if let Err(error) = commit(transaction).await {
        return error_page(&state, &page, "/sign-in", error);
    }
    match result {
        Ok(outcome) => with_cookies(Redirect::to(&next).into_response(), session_cookies(&state, &headers, &outcome)),
        Err(ListingsError::Unauthenticated(_)) => {
            let errors = SignInErrors { password: Some("error_wrong_credentials"), ..Default::default() };
            render_form(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, &email, &next, &errors)
        }
        Err(ListingsError::RateLimited { retry_after_secs }) => {
            let errors = SignInErrors {
                form: Some("error_rate_limited"),
                minutes: Some(retry_after_secs.div_ceil(60).max(1)),
                ..Default::default()
            };
            let mut response = render_form(&state, &page, StatusCode::TOO_MANY_REQUESTS, &email, &next, &errors);
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Err(other) => error_page(&state, &page, "/sign-in", other.into()),
    }
}

/// The cookies of a new browser session: the session itself and a fresh CSRF token, both
/// living as long as the session.
pub(super) fn session_cookies(
    state: &AppState,
    headers: &HeaderMap,
    outcome: &auth::LoginOutcome,
) -> [Option<HeaderValue>; 2] {
    let secure = secure_cookies(state, headers);
    let lifetime = (outcome.expires_at - chrono::Utc::now()).num_seconds();
    let session = set_cookie(SESSION_COOKIE, &outcome.token, lifetime, true, secure);
    let csrf = set_cookie(CSRF_COOKIE, &new_token(""), lifetime, false, secure);
    [session, csrf]
}

/// Signs in with the credentials a form has just set (a registration, an accepted
/// invitation): the cookies of the new session.
pub(super) async fn sign_in_as(
    state: &AppState,
    headers: &HeaderMap,
    ip: String,
    email: &str,
    password: &str,
) -> Result<[Option<HeaderValue>; 2], crate::error::ApiError> {
    let user_agent =
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect());
    let context = LoginContext { ip, user_agent, kind: "cookie" };
    let transaction = begin(state).await?;
    let outcome = auth::login(&transaction, &state.auth, email, password, &context).await;
    commit(transaction).await?;
    Ok(session_cookies(state, headers, &outcome?))
}

/// `POST /sign-out`: revokes the session on the server and clears both cookies. A post
/// without the matching CSRF field is refused and changes nothing.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: CsrfForm = parse_form(&body);
    let user = match session_user(&state, &headers).await {
        Ok(user) => user,
        Err(error) => return error_page(&state, &page_context_for(&headers, None, None), "/", error),
    };
    let page = page_context_for(&headers, query.lang.as_deref(), user.as_ref());
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        return problem(&state, &page, "/", StatusCode::FORBIDDEN, None);
    }
    if let Some(user) = user
        && let Err(error) = auth::logout(&state.db, user.session_id).await
    {
        return error_page(&state, &page, "/", error.into());
    }
    let secure = secure_cookies(&state, &headers);
    with_cookies(
        Redirect::to("/").into_response(),
        [set_cookie(SESSION_COOKIE, "", 0, true, secure), set_cookie(CSRF_COOKIE, "", 0, false, secure)],
    )
}
