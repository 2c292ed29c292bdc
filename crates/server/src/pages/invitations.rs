//! Accepting an invitation (`/invitations/accept?token=…`): the invitee chooses a name
//! and a password and is signed in as a member of the inviting organization.

use super::guard::{csrf_matches, error_page, parse_form, with_cookies};
use super::organization::{FormErrors, no_store, word};
use super::sign_in::{VISITOR_CSRF_SECS, fresh_csrf, sign_in_as, visitor_csrf};
use super::{LangQuery, PageContext, page_context_for, remember_language};
use crate::db::{begin, commit};
use crate::error::ApiError;
use crate::extract::{ApiQuery, ClientIp};
use crate::i18n::Lang;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use techex_core::{Role, RoleSet};
use techex_listings::members::{self, AcceptInvitation};

pub(super) const ACCEPT: &str = "/invitations/accept";

#[derive(Debug, Default, Deserialize)]
pub(super) struct AcceptQuery {
    lang: Option<String>,
    token: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(super) struct AcceptForm {
    #[serde(skip_serializing)]
    csrf_token: Option<String>,
    token: Option<String>,
    display_name: Option<String>,
    #[serde(skip_serializing)]
    password: Option<String>,
    #[serde(skip_serializing)]
    password_repeat: Option<String>,
}

/// The accept page for a token: the invitation's organization and address, or why it
/// cannot be used (unknown: 404; accepted or expired: said on the page).
async fn render_accept(
    state: &AppState,
    page: &PageContext,
    form: &AcceptForm,
    errors: &FormErrors,
    status: StatusCode,
) -> Response {
    let token = form.token.clone().unwrap_or_default();
    let found = if token.trim().is_empty() {
        Err(ApiError::from(techex_listings::ListingsError::NotFound("invitation")))
    } else {
        members::invitation_for(&state.db, &token).await.map_err(ApiError::from)
    };
    let (invitation, org) = match found {
        Ok(found) => found,
        Err(error) => return no_store(error_page(state, page, ACCEPT, error)),
    };
    let unusable = if invitation.accepted_at.is_some() {
        Some("invitation_used")
    } else if invitation.expires_at < chrono::Utc::now() {
        Some("invitation_expired")
    } else {
        None
    };
    let org_name =
        if page.lang == Lang::En { org.name_en.clone().unwrap_or(org.name.clone()) } else { org.name.clone() };
    let ctx = context! {
        ..page.base(ACCEPT),
        ..context! {
            form => form, token => token, errors => errors, email => invitation.email,
            organization => org_name, unusable => unusable,
            admin => RoleSet::from_stored(&invitation.roles).contains(Role::OrgAdmin),
        }
    };
    let status = if unusable.is_some() && status == StatusCode::OK { StatusCode::CONFLICT } else { status };
    no_store(state.pages.render_status("accept_invitation.html", ctx, status))
}

/// `GET /invitations/accept?token=…`: the form that creates the invitee's account.
pub(super) async fn accept_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<AcceptQuery>,
) -> Response {
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let new_cookie = visitor_csrf(&state, &headers, &mut page);
    let form = AcceptForm { token: query.token.clone(), ..Default::default() };
    let response = render_accept(&state, &page, &form, &FormErrors::default(), StatusCode::OK).await;
    remember_language(with_cookies(response, [new_cookie]), query.lang.as_deref())
}

/// `POST /invitations/accept`: creates the account and signs it in.
pub(super) async fn accept_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: AcceptForm = parse_form(&body);
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let lang = page.lang;
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        let new_cookie = fresh_csrf(&state, &headers, &mut page, VISITOR_CSRF_SECS);
        let errors = FormErrors { form: Some(word(lang, "error_form_expired")), ..Default::default() };
        let response = render_accept(&state, &page, &form, &errors, StatusCode::FORBIDDEN).await;
        return with_cookies(response, [new_cookie]);
    }
    let password = form.password.clone().unwrap_or_default();
    if form.password_repeat.as_deref().unwrap_or("") != password {
        let mut errors = FormErrors::default();
        errors.field("password_repeat", word(lang, "error_passwords_differ"));
        return render_accept(&state, &page, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let input = AcceptInvitation {
        token: form.token.clone().unwrap_or_default(),
        display_name: form.display_name.clone().unwrap_or_default().trim().to_string(),
        password: password.clone(),
    };
    let accepted = async {
        let transaction = begin(&state).await?;
        let user = members::accept_invitation(&transaction, input).await?;
        commit(transaction).await?;
        Ok::<_, ApiError>(user)
    };
    match accepted.await {
        Ok(user) => match sign_in_as(&state, &headers, ip, &user.email, &password).await {
            Ok(cookies) => with_cookies(Redirect::to("/dashboard").into_response(), cookies),
            Err(_) => Redirect::to("/sign-in").into_response(),
        },
        Err(error) if error.status.is_server_error() || error.status == StatusCode::NOT_FOUND => {
            error_page(&state, &page, ACCEPT, error)
        }
        Err(error) => {
            let errors = FormErrors::from_error(&error, lang, |f| f);
            render_accept(&state, &page, &form, &errors, error.status).await
        }
    }
}
