//! Who may open the center's pages, the browser session behind a page, the CSRF
//! double-submit of page forms, the cookies, and the problem pages these checks answer
//! with.
//!
//! An HTML form cannot send the `X-CSRF-Token` header the API asks of cookie-authenticated
//! writes, so page forms carry the CSRF cookie's value in a hidden `csrf_token` field; a
//! post whose field differs from the cookie is refused (403) before anything is read or
//! changed. A cross-site page can make the browser send the cookies but cannot read them,
//! so it cannot fill in the field.

use super::{CSRF_COOKIE, PageContext, SESSION_COOKIE, cookie};
use crate::error::ApiError;
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Serialize;
use serde::de::DeserializeOwned;
use techex_core::{Actor, Role};
use techex_listings::ListingsError;
use techex_listings::auth::{Authenticated, authenticate};

/// The center's desks a user may open; the same rules as the API's role checks.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(super) struct Desks {
    /// Reviewers and platform admins (`Actor::can_review`).
    pub(super) review: bool,
    /// Registrars and platform admins (`contracts::register`).
    pub(super) registration: bool,
    /// The center's staff and platform admins (`stats::ensure_center`).
    pub(super) statistics: bool,
    /// Platform admins, who verify organizations (`organizations::set_verified`).
    pub(super) verification: bool,
}

impl Desks {
    pub(super) fn of(actor: &Actor) -> Desks {
        Desks {
            review: actor.can_review(),
            registration: actor.has(Role::Registrar) || actor.is_platform_admin(),
            statistics: techex_contracts::stats::ensure_center(actor).is_ok(),
            verification: actor.is_platform_admin(),
        }
    }
}

/// One desk of the center.
#[derive(Debug, Clone, Copy)]
pub(super) enum Desk {
    Review,
    Registration,
    Statistics,
    Verification,
}

impl Desk {
    fn open_to(self, actor: &Actor) -> bool {
        let desks = Desks::of(actor);
        match self {
            Desk::Review => desks.review,
            Desk::Registration => desks.registration,
            Desk::Statistics => desks.statistics,
            Desk::Verification => desks.verification,
        }
    }
}

/// The user of the browser session cookie, if it names a live session. Pages read the
/// cookie themselves: for a form post it is only trusted after `csrf_matches`.
pub(super) async fn session_user(state: &AppState, headers: &HeaderMap) -> Result<Option<Authenticated>, ApiError> {
    let Some(token) = cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match authenticate(&state.db, &token).await {
        Ok(user) => Ok(Some(user)),
        Err(ListingsError::Unauthenticated(_)) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// The signed-in user who may open `desk`; otherwise the answer to send: a redirect to
/// the sign-in page that comes back to `back` for visitors, a 403 page for the others.
pub(super) async fn open_desk(
    state: &AppState,
    headers: &HeaderMap,
    lang: Option<&str>,
    desk: Desk,
    back: &str,
) -> Result<(Authenticated, PageContext), Response> {
    let user = match session_user(state, headers).await {
        Ok(user) => user,
        Err(error) => return Err(error_page(state, &super::page_context_for(headers, lang, None), back, error)),
    };
    let Some(user) = user else {
        return Err(sign_in_redirect(back));
    };
    let page = super::page_context_for(headers, lang, Some(&user));
    if !desk.open_to(&user.actor) {
        return Err(problem(state, &page, back, StatusCode::FORBIDDEN, None));
    }
    Ok((user, page))
}

/// `303 See Other` to the sign-in page, coming back to `back` afterwards.
pub(super) fn sign_in_redirect(back: &str) -> Response {
    let next: String = form_urlencoded::byte_serialize(safe_next(Some(back)).as_bytes()).collect();
    Redirect::to(&format!("/sign-in?next={next}")).into_response()
}

/// Every page's way to the sign-in page keeps where the reader was and the language they
/// read in: a page that answers "sign in first" names only its path, so after a GET the
/// whole request (`/center/audit?from=…&lang=en`) becomes `next`, and the `lang` of the
/// request's query goes to the sign-in page too. (After a POST the handler's `next`, a
/// page that can be opened, stays.)
pub(super) async fn sign_in_keeps_the_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let was_get = request.method() == axum::http::Method::GET;
    let uri = request.uri().clone();
    let mut response = next.run(request).await;
    // Only a page's "sign in first" (303); `/login`'s permanent redirect keeps its query.
    if response.status() != StatusCode::SEE_OTHER {
        return response;
    }
    let Some(handler_next) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|location| location.strip_prefix("/sign-in?next="))
    else {
        return response;
    };
    let next_param = match uri.path_and_query() {
        Some(whole) if was_get => form_urlencoded::byte_serialize(safe_next(Some(whole.as_str())).as_bytes()).collect(),
        _ => handler_next.to_string(),
    };
    let lang = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(name, value)| name == "lang" && matches!(value.as_ref(), "en" | "zh"))
        .map(|(_, value)| format!("&lang={value}"))
        .unwrap_or_default();
    if let Ok(value) = HeaderValue::from_str(&format!("/sign-in?next={next_param}{lang}")) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Whether a form's `csrf_token` equals the CSRF cookie (both present and non-empty).
pub(super) fn csrf_matches(headers: &HeaderMap, sent: Option<&str>) -> bool {
    let Some(expected) = cookie(headers, CSRF_COOKIE).filter(|c| !c.is_empty()) else {
        return false;
    };
    let Some(sent) = sent else {
        return false;
    };
    // Compare without an early exit, so the time taken says nothing about the prefix.
    expected.len() == sent.len() && expected.bytes().zip(sent.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// A local path to go to after signing in: only paths of this site (`/…`, not `//host`
/// nor `/\host`, no control characters); anything else becomes `/`.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.len() <= 2000
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Reads a form-urlencoded body into a struct of optional fields; a body that does not
/// parse reads as empty fields (so its CSRF check fails and nothing happens).
pub(super) fn parse_form<T: DeserializeOwned + Default>(body: &[u8]) -> T {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// Whether cookies must be `Secure`: the configured public address is https, or the
/// request reached the proxy in front of us over https.
pub(super) fn secure_cookies(state: &AppState, headers: &HeaderMap) -> bool {
    let public_https =
        state.config.public_url.as_deref().is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"));
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').next().is_some_and(|p| p.trim().eq_ignore_ascii_case("https")));
    public_https || forwarded_https
}

/// A `Set-Cookie` value. The session cookie is `HttpOnly`; the CSRF cookie is readable.
pub(super) fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: i64,
    http_only: bool,
    secure: bool,
) -> Option<HeaderValue> {
    let mut text = format!("{name}={value}; Path=/; Max-Age={}; SameSite=Lax", max_age_secs.max(0));
    if http_only {
        text.push_str("; HttpOnly");
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).ok()
}

/// Appends `Set-Cookie` headers to a response.
pub(super) fn with_cookies(mut response: Response, cookies: impl IntoIterator<Item = Option<HeaderValue>>) -> Response {
    for value in cookies.into_iter().flatten() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The dictionary key of a problem's title and text for a status.
fn problem_key(status: StatusCode) -> u16 {
    match status.as_u16() {
        code @ (400 | 403 | 404 | 409 | 410 | 412 | 422 | 429 | 503) => code,
        _ => 500,
    }
}

/// A problem page in the page's language. `detail`, from the domain, is shown only for
/// client errors (a 5xx says nothing internal).
pub(super) fn problem(
    state: &AppState,
    page: &PageContext,
    path: &str,
    status: StatusCode,
    detail: Option<String>,
) -> Response {
    let key = problem_key(status);
    let ctx = context! {
        ..page.base(path),
        ..context! {
            status => status.as_u16(),
            title_key => format!("problem_title_{key}"),
            text_key => format!("problem_text_{key}"),
            detail => detail.filter(|_| status.is_client_error()),
        }
    };
    let mut response = state.pages.render("problem.html", ctx);
    *response.status_mut() = status;
    response
}

/// The problem page of an error of the domain or the database.
pub(super) fn error_page(state: &AppState, page: &PageContext, path: &str, error: ApiError) -> Response {
    if error.status.is_server_error() {
        tracing::error!(code = error.code, cause = error.cause.as_deref().unwrap_or(""), "page request failed");
    }
    let status = error.status;
    let retry_after = error.retry_after;
    let mut response = problem(state, page, path, status, Some(error.detail_in(page.lang)));
    if let Some(seconds) = retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_signing_in() {
        assert_eq!(safe_next(Some("/center/review?lang=en")), "/center/review?lang=en");
        for hostile in ["https://evil.test/", "//evil.test/", "/\\evil.test", "evil", "/a\r\nSet-Cookie: x=1", ""] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_csrf_field_must_equal_the_cookie() {
        let mut headers = HeaderMap::new();
        assert!(!csrf_matches(&headers, Some("abc")), "no cookie");
        headers.insert(header::COOKIE, HeaderValue::from_static("techex_csrf=abc; other=1"));
        assert!(csrf_matches(&headers, Some("abc")));
        assert!(!csrf_matches(&headers, Some("abd")));
        assert!(!csrf_matches(&headers, Some("ab")));
        assert!(!csrf_matches(&headers, None));
        headers.insert(header::COOKIE, HeaderValue::from_static("techex_csrf="));
        assert!(!csrf_matches(&headers, Some("")), "an empty cookie matches nothing");
    }

    #[test]
    fn cookies_carry_their_attributes() {
        let session = set_cookie("techex_session", "t", 60, true, false).map(|v| v.to_str().unwrap_or("").to_string());
        assert_eq!(session.as_deref(), Some("techex_session=t; Path=/; Max-Age=60; SameSite=Lax; HttpOnly"));
        let csrf = set_cookie("techex_csrf", "c", 60, false, true).map(|v| v.to_str().unwrap_or("").to_string());
        assert_eq!(csrf.as_deref(), Some("techex_csrf=c; Path=/; Max-Age=60; SameSite=Lax; Secure"));
    }
}
