//! Confirming an e-mail address in the browser, through `techex_listings::confirmations`
//! like the API: `/confirm-email?token=…` (the mailed link) shows a button, and only
//! posting it confirms — mail scanners that open links must not use them up; and the
//! signed-in administrator whose address is not yet confirmed asks for a new link from
//! `/my/organization`.

use super::guard::{csrf_matches, error_page, parse_form, problem, with_cookies};
use super::organization::{ORGANIZATION, OrganizationExtras, render_organization, signed_in};
use super::sign_in::{VISITOR_CSRF_SECS, fresh_csrf, visitor_csrf};
use super::{LangQuery, PageContext, page_context_for, remember_language};
use crate::db::{begin, commit};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::i18n::{Lang, dictionary};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;
use techex_listings::confirmations;

const CONFIRM: &str = "/confirm-email";

fn word(lang: Lang, key: &str) -> String {
    dictionary(lang).get(key).map(|w| (*w).to_string()).unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ConfirmQuery {
    lang: Option<String>,
    token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ConfirmForm {
    csrf_token: Option<String>,
    token: Option<String>,
}

/// What the page shows: the button (with the token), the confirmation, or why the link
/// cannot be used.
enum Shown<'a> {
    Button { token: &'a str, error: Option<String> },
    Confirmed,
    Refused(String),
}

/// The page, not stored by the browser or a proxy and not telling the next site where
/// the reader came from (its address carries the token).
fn render(state: &AppState, page: &PageContext, shown: Shown<'_>, status: StatusCode) -> Response {
    let (token, error, confirmed) = match shown {
        Shown::Button { token, error } => (Some(token), error, false),
        Shown::Confirmed => (None, None, true),
        Shown::Refused(error) => (None, Some(error), false),
    };
    let ctx = context! {
        ..page.base(CONFIRM),
        ..context! { token => token, error => error, confirmed => confirmed }
    };
    let mut response = state.pages.render_status("confirm_email.html", ctx, status);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// `GET /confirm-email?token=…`: the button that confirms.
pub(super) async fn confirm_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ConfirmQuery>,
) -> Response {
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let new_cookie = visitor_csrf(&state, &headers, &mut page);
    let token = query.token.unwrap_or_default();
    let shown = if token.trim().is_empty() {
        Shown::Refused(word(page.lang, "confirm_link_unknown"))
    } else {
        Shown::Button { token: &token, error: None }
    };
    let status = if token.trim().is_empty() { StatusCode::NOT_FOUND } else { StatusCode::OK };
    let response = render(&state, &page, shown, status);
    remember_language(with_cookies(response, [new_cookie]), query.lang.as_deref())
}

/// `POST /confirm-email`: confirms the address and says so, or says why not.
pub(super) async fn confirm_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: ConfirmForm = parse_form(&body);
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let token = form.token.clone().unwrap_or_default();
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        let new_cookie = fresh_csrf(&state, &headers, &mut page, VISITOR_CSRF_SECS);
        let shown = Shown::Button { token: &token, error: Some(word(page.lang, "error_form_expired")) };
        return with_cookies(render(&state, &page, shown, StatusCode::FORBIDDEN), [new_cookie]);
    }
    let confirmed = async {
        let transaction = begin(&state).await?;
        confirmations::confirm(&transaction, &token).await?;
        commit(transaction).await
    };
    match confirmed.await {
        Ok(()) => render(&state, &page, Shown::Confirmed, StatusCode::OK),
        Err(error) if error.status.is_server_error() => error_page(&state, &page, CONFIRM, error),
        Err(error) => {
            let status = error.status;
            render(&state, &page, Shown::Refused(refusal(&error, page.lang)), status)
        }
    }
}

/// Why a link cannot be used, in the page's words.
fn refusal(error: &ApiError, lang: Lang) -> String {
    match error.status {
        StatusCode::NOT_FOUND => word(lang, "confirm_link_unknown"),
        StatusCode::CONFLICT => word(lang, "confirm_link_used"),
        StatusCode::GONE => word(lang, "confirm_link_expired"),
        _ => error.first_error_in(lang),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ResendForm {
    csrf_token: Option<String>,
}

/// `POST /my/organization/confirm-email`: mails the signed-in user a new link and
/// returns to the organization page, which says so; past the hour's links it says when
/// to try again (429).
pub(super) async fn resend(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: ResendForm = parse_form(&body);
    let (user, page) = match signed_in(&state, &headers, query.lang.as_deref()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        return problem(&state, &page, ORGANIZATION, StatusCode::FORBIDDEN, None);
    }
    let sent = async {
        let transaction = begin(&state).await?;
        confirmations::resend(&transaction, &user.actor).await?;
        commit(transaction).await
    };
    match sent.await {
        Ok(()) => Redirect::to(&format!("{ORGANIZATION}?done=confirmation_sent")).into_response(),
        // Confirmed meanwhile (in another tab): the page no longer asks.
        Err(error) if error.status == StatusCode::CONFLICT => Redirect::to(ORGANIZATION).into_response(),
        Err(error) if error.status.is_server_error() => error_page(&state, &page, ORGANIZATION, error),
        Err(error) => {
            let status = error.status;
            let retry_after = error.retry_after;
            let extras = OrganizationExtras::confirmation_refused(error.detail_in(page.lang));
            let mut response = render_organization(&state, &user, &page, extras, status).await;
            if let Some(seconds) = retry_after
                && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}
