//! Saved searches and their alerts: when an achievement that matches a saved search is
//! published, its owner is notified — once per saved search and achievement, however
//! many server processes notice.

use crate::entities::saved_search;
use crate::error::{Result, SearchError};
use crate::index::SearchIndex;
use crate::params::SearchParams;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use techex_core::text::required_text;
use techex_core::{Actor, msg, new_id};
use techex_listings::ListingsError;
use techex_listings::notifications::{NewNotification, notify};
use utoipa::ToSchema;
use uuid::Uuid;

/// A saved search as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedSearchView {
    pub id: Uuid,
    pub name: String,
    pub params: SearchParams,
    /// Whether newly published matches notify.
    pub alerts: bool,
    pub created_at: chrono::DateTime<Utc>,
}

/// What a client saves.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSavedSearch {
    pub name: String,
    /// The same parameters as `GET /api/v1/search` (`cursor` and `limit` are ignored).
    pub params: SearchParams,
    #[serde(default = "default_alerts")]
    pub alerts: bool,
}

fn default_alerts() -> bool {
    true
}

fn view(model: saved_search::Model) -> SavedSearchView {
    SavedSearchView {
        id: model.id,
        params: serde_json::from_str(&model.query).unwrap_or_default(),
        name: model.name,
        alerts: model.alerts,
        created_at: model.created_at,
    }
}

/// The most saved searches one user may keep.
pub const MAX_PER_USER: usize = 50;

/// A search parameter's error as an error of the saved search's body: 422 pointing at
/// `/params/<field>` (in a query string the same error is a 400 on the parameter).
fn in_body(error: SearchError) -> SearchError {
    match error {
        SearchError::Parameter { field, message } => ListingsError::invalid(&format!("params.{field}"), message).into(),
        SearchError::Syntax(syntax) => ListingsError::invalid("params.q", syntax.message).into(),
        other => other,
    }
}

/// Saves a search for the actor after checking that its parameters are valid.
pub async fn create<C: ConnectionTrait>(db: &C, actor: &Actor, input: NewSavedSearch) -> Result<SavedSearchView> {
    let name = required_text(&input.name, 100).map_err(|message| ListingsError::invalid("name", message))?;
    let mut params = input.params;
    params.cursor = None;
    params.limit = None;
    params.to_request().map_err(in_body)?;
    if let Some(q) = &params.q {
        crate::syntax::parse(q).map_err(|syntax| in_body(SearchError::Syntax(syntax)))?;
    }
    let existing = saved_search::Entity::find().filter(saved_search::Column::UserId.eq(actor.user_id)).all(db).await?;
    if existing.len() >= MAX_PER_USER {
        return Err(
            ListingsError::invalid("name", techex_core::msg::SAVED_SEARCHES_FULL.with("max", MAX_PER_USER)).into()
        );
    }
    let model = saved_search::ActiveModel {
        id: Set(new_id()),
        user_id: Set(actor.user_id),
        organization_id: Set(actor.organization_id),
        name: Set(name),
        query: Set(serde_json::to_string(&params).map_err(|e| SearchError::Internal(e.to_string()))?),
        alerts: Set(input.alerts),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(view(model))
}

/// The actor's saved searches, newest first.
pub async fn list<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<Vec<SavedSearchView>> {
    Ok(saved_search::Entity::find()
        .filter(saved_search::Column::UserId.eq(actor.user_id))
        .order_by_desc(saved_search::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Deletes one of the actor's saved searches.
pub async fn delete<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<()> {
    let deleted = saved_search::Entity::delete_many()
        .filter(saved_search::Column::Id.eq(id))
        .filter(saved_search::Column::UserId.eq(actor.user_id))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(SearchError::NotFound("saved search"));
    }
    Ok(())
}

/// Notifies the owners of saved searches that match any of these just-published
/// achievements (published after the search was saved).
pub async fn alert(
    db: &DatabaseConnection,
    index: &SearchIndex,
    synonyms: &crate::synonyms::Synonyms,
    achievement_ids: &[Uuid],
) -> Result<usize> {
    let searches = saved_search::Entity::find().filter(saved_search::Column::Alerts.eq(true)).all(db).await?;
    let ids: Vec<String> = achievement_ids.iter().map(Uuid::to_string).collect();
    let mut sent = 0;
    for search in searches {
        let Ok(params) = serde_json::from_str::<SearchParams>(&search.query) else { continue };
        let Ok(mut request) = params.to_request() else { continue };
        if request.filters.doc_type != "achievement" {
            continue;
        }
        request.filters.ids = Some(ids.clone());
        request.keep_floor = true;
        request.offset = 0;
        request.limit = ids.len().clamp(1, 100);
        let Ok(results) = index.search_with(&request, synonyms) else { continue };
        for hit in results.hits {
            if hit.card.published_at.is_some_and(|at| at < search.created_at) {
                continue;
            }
            let title_zh = hit.card.title_zh.clone().or(hit.card.title_en.clone()).unwrap_or_default();
            let title_en = hit.card.title_en.clone().unwrap_or_else(|| title_zh.clone());
            let created = notify(
                db,
                NewNotification {
                    user_id: search.user_id,
                    kind: "saved_search_match".into(),
                    message: msg::NOTICE_SAVED_SEARCH_MATCH
                        .with("search", search.name.as_str())
                        .with("title_zh", title_zh)
                        .with("title_en", title_en),
                    body: None,
                    entity_type: Some("achievement".into()),
                    entity_id: Some(hit.card.id),
                    dedupe_key: format!("saved_search:{}:achievement:{}", search.id, hit.card.id),
                },
            )
            .await?;
            if created {
                sent += 1;
            }
        }
    }
    Ok(sent)
}
