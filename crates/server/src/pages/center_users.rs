//! The center's user desk (platform admins): users of every organization found by e-mail
//! or name, with their organization, roles and status; disabling (after a confirmation
//! step; it ends their sessions) and enabling again through the same function as the API
//! (`members::update_member`).

use super::guard::{Desk, csrf_matches, error_page, open_desk, parse_form, problem};
use super::{PageContext, remember_language};
use crate::db::{begin, commit};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use techex_core::pagination::Cursor;
use techex_core::{PageRequest, RoleSet};
use techex_listings::auth::Authenticated;
use techex_listings::entities::{organization, user};
use techex_listings::members::{self, UpdateMember};
use uuid::Uuid;

const PATH: &str = "/center/users";

/// How many users one page lists.
const PER_PAGE: u64 = 25;

#[derive(Debug, Default, Deserialize)]
pub(super) struct DeskQuery {
    lang: Option<String>,
    /// Part of an e-mail address or a name.
    q: Option<String>,
    cursor: Option<String>,
    /// The user whose disabling is to be confirmed.
    confirm: Option<String>,
    /// What the last action did: `disabled` or `enabled`.
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct StatusForm {
    csrf_token: Option<String>,
    version: Option<String>,
    /// The search to come back to.
    q: Option<String>,
}

/// An action on one user that failed, shown beside them.
#[derive(Debug, Serialize)]
struct RowError {
    id: Uuid,
    text: String,
}

struct Shown<'a> {
    q: &'a str,
    cursor: Option<&'a str>,
    confirm: Option<Uuid>,
    done: Option<&'a str>,
    row_error: Option<RowError>,
}

async fn render_desk(
    state: &AppState,
    user: &Authenticated,
    page: &PageContext,
    shown: Shown<'_>,
    status: StatusCode,
) -> Response {
    let after = match shown.cursor.filter(|c| !c.is_empty()).map(Cursor::decode).transpose() {
        Ok(after) => after,
        Err(_) => return problem(state, page, PATH, StatusCode::UNPROCESSABLE_ENTITY, None),
    };
    let loaded = async {
        let found =
            members::find_users(&state.db, &user.actor, shown.q, PageRequest { limit: PER_PAGE, after }).await?;
        let org_ids: Vec<Uuid> = found.items.iter().map(|u| u.organization_id).collect();
        let orgs = organization::Entity::find().filter(organization::Column::Id.is_in(org_ids)).all(&state.db).await?;
        Ok::<_, ApiError>((found, orgs))
    };
    let (found, orgs) = match loaded.await {
        Ok(found) => found,
        Err(error) => return error_page(state, page, PATH, error),
    };
    let zh = page.lang.code() == "zh";
    let rows: Vec<minijinja::Value> = found
        .items
        .into_iter()
        .map(|u| {
            let org = orgs
                .iter()
                .find(|o| o.id == u.organization_id)
                .map(|o| if zh { o.name.clone() } else { o.name_en.clone().unwrap_or_else(|| o.name.clone()) });
            let roles: Vec<&str> = RoleSet::from_stored(&u.roles).roles().iter().map(|r| r.as_str()).collect();
            context! {
                id => u.id, version => u.version, name => u.display_name, email => u.email,
                organization => org, roles => roles, active => u.status == "active",
                is_me => u.id == user.actor.user_id,
                confirming => shown.confirm == Some(u.id),
            }
        })
        .collect();
    let done = shown.done.filter(|d| matches!(*d, "disabled" | "enabled"));
    let ctx = context! {
        ..page.base(PATH),
        ..context! {
            users => rows, q => shown.q, q_encoded => form_urlencoded::byte_serialize(shown.q.as_bytes()).collect::<String>(),
            next_cursor => found.next_cursor, done => done,
            row_error => shown.row_error,
        }
    };
    state.pages.render_status("center_users.html", ctx, status)
}

/// `GET /center/users`: the users found by `q` (all when empty), newest first.
pub(super) async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<DeskQuery>,
) -> Response {
    let (user, page) = match open_desk(&state, &headers, query.lang.as_deref(), Desk::Verification, PATH).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let shown = Shown {
        q: query.q.as_deref().unwrap_or_default(),
        cursor: query.cursor.as_deref(),
        confirm: query.confirm.as_deref().and_then(|c| Uuid::parse_str(c).ok()),
        done: query.done.as_deref(),
        row_error: None,
    };
    let response = render_desk(&state, &user, &page, shown, StatusCode::OK).await;
    remember_language(response, query.lang.as_deref())
}

async fn set_status(
    state: AppState,
    headers: HeaderMap,
    id: String,
    lang: Option<String>,
    body: Bytes,
    status: &'static str,
) -> Response {
    let form: StatusForm = parse_form(&body);
    let (user, page) = match open_desk(&state, &headers, lang.as_deref(), Desk::Verification, PATH).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        return problem(&state, &page, PATH, StatusCode::FORBIDDEN, None);
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return problem(&state, &page, PATH, StatusCode::NOT_FOUND, None);
    };
    let q = form.q.clone().unwrap_or_default();
    let version = form.version.as_deref().and_then(|v| v.trim().parse().ok());
    let result = async {
        let target = user::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("user"))?;
        let transaction = begin(&state).await?;
        let change = UpdateMember { status: Some(status.to_string()), ..Default::default() };
        members::update_member(&transaction, &user.actor, target.organization_id, id, version, change).await?;
        commit(transaction).await
    };
    match result.await {
        Ok(()) => {
            let done = if status == "disabled" { "disabled" } else { "enabled" };
            let q: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
            Redirect::to(&format!("{PATH}?q={q}&done={done}")).into_response()
        }
        Err(error) if error.status.is_server_error() || error.status == StatusCode::NOT_FOUND => {
            error_page(&state, &page, PATH, error)
        }
        Err(error) => {
            let text = if error.status == StatusCode::PRECONDITION_FAILED {
                crate::i18n::dictionary(page.lang)
                    .get("error_changed_meanwhile")
                    .map(|w| (*w).to_string())
                    .unwrap_or_default()
            } else {
                error.first_error_in(page.lang)
            };
            let shown =
                Shown { q: &q, cursor: None, confirm: None, done: None, row_error: Some(RowError { id, text }) };
            render_desk(&state, &user, &page, shown, error.status).await
        }
    }
}

/// `POST /center/users/{id}/disable`: the user can no longer sign in; their sessions end.
pub(super) async fn disable(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<super::LangQuery>,
    body: Bytes,
) -> Response {
    set_status(state, headers, id, query.lang, body, "disabled").await
}

/// `POST /center/users/{id}/enable`.
pub(super) async fn enable(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<super::LangQuery>,
    body: Bytes,
) -> Response {
    set_status(state, headers, id, query.lang, body, "active").await
}
