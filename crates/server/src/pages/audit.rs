//! The center's audit log (platform admins): every recorded change, newest first,
//! filtered by who (e-mail), what (entity type, action) and when (days), with the state
//! before and after, read through `history::list` like `GET /api/v1/audit`.

use super::guard::{Desk, error_page, open_desk};
use super::remember_language;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::i18n::dictionary;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use techex_core::pagination::Cursor;
use techex_listings::entities::user;
use techex_listings::history::{self, AuditFilter};

const PATH: &str = "/center/audit";
const PAGE: u64 = 50;

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(super) struct AuditQuery {
    #[serde(skip_serializing)]
    lang: Option<String>,
    /// The acting user's e-mail.
    actor: Option<String>,
    entity_type: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(skip_serializing)]
    cursor: Option<String>,
}

fn given(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// The page a change's entity is shown on, if it has one.
fn link_of(entity_type: &str, id: uuid::Uuid) -> Option<String> {
    crate::notices::link_of(entity_type, id).filter(|_| entity_type != "organization")
}

/// `GET /center/audit`.
pub(super) async fn audit_log(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Response {
    let (user, page) = match open_desk(&state, &headers, query.lang.as_deref(), Desk::Verification, PATH).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let words = dictionary(page.lang);
    let word = |key: &str| words.get(key).copied().unwrap_or("").to_string();
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let mut day = |name: &'static str, value: &Option<String>| match given(value) {
        None => None,
        Some(text) => match chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.insert(name, word("error_date_format"));
                None
            }
        },
    };
    let from = day("from", &query.from);
    let to = day("to", &query.to);
    let loaded = async {
        // An e-mail nobody has matches nothing, rather than everything.
        let actor_user_id = match given(&query.actor) {
            Some(email) => match user::Entity::find()
                .filter(user::Column::Email.eq(email.to_lowercase()))
                .one(&state.db)
                .await
                .map_err(ApiError::from)?
            {
                Some(found) => Some(found.id),
                None => return Ok(None),
            },
            None => None,
        };
        let filter = AuditFilter {
            entity_type: given(&query.entity_type),
            entity_id: None,
            actor_user_id,
            action: given(&query.action),
            from,
            to,
        };
        // A cursor spoilt by hand reads as the first page.
        let after = given(&query.cursor).and_then(|cursor| Cursor::decode(&cursor).ok());
        let entries = history::list(&state.db, &user.actor, &filter, techex_core::PageRequest { limit: PAGE, after })
            .await
            .map_err(ApiError::from)?;
        let ids: Vec<uuid::Uuid> = entries.items.iter().filter_map(|e| e.actor_user_id).collect();
        let people: HashMap<uuid::Uuid, String> = user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&state.db)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|u| (u.id, format!("{} <{}>", u.display_name, u.email)))
            .collect();
        Ok::<_, ApiError>(Some((entries, people)))
    };
    let (entries, people) = match loaded.await {
        Ok(Some(found)) => found,
        Ok(None) => (techex_core::pagination::Page { items: Vec::new(), next_cursor: None }, HashMap::new()),
        Err(error) => return error_page(&state, &page, PATH, error),
    };
    let system = word("audit_system");
    let rows: Vec<minijinja::Value> = entries
        .items
        .iter()
        .map(|entry| {
            let pretty = |value: &Option<serde_json::Value>| {
                value.as_ref().and_then(|v| serde_json::to_string_pretty(v).ok()).unwrap_or_default()
            };
            context! {
                at => entry.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                actor => entry.actor_user_id.and_then(|id| people.get(&id).cloned()).unwrap_or_else(|| system.clone()),
                action => entry.action,
                entity_type => entry.entity_type,
                entity_id => entry.entity_id,
                link => link_of(&entry.entity_type, entry.entity_id),
                before => pretty(&entry.before),
                after => pretty(&entry.after),
            }
        })
        .collect();
    let filters = serde_urlencoded::to_string(&query).unwrap_or_default();
    let next = entries.next_cursor.map(|cursor| format!("{PATH}?{filters}&cursor={cursor}"));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let ctx = context! {
        ..page.base(PATH),
        ..context! { query => &query, rows => rows, next => next, errors => errors }
    };
    let response = state.pages.render_status("center_audit.html", ctx, status);
    remember_language(response, query.lang.as_deref())
}
