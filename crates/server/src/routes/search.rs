//! Search, saved searches, notifications, and matching between demands and achievements.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, MaybeUser};
use crate::routes::{PageParams, begin, commit};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use techex_core::pagination::Page;
use techex_listings::notifications::{self, NotificationView};
use techex_listings::{achievements, demands};
use techex_search::matching::{self, Match, Source};
use techex_search::saved::{self, NewSavedSearch, SavedSearchView};
use techex_search::{SearchParams, SearchResults};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// Searches published achievements (or demands with `type=demand`).
///
/// Results are ranked (BM25): every word of the query contributes, documents matching
/// more of the words, in the title and close together come first, and a floor that
/// grows with the query's length keeps documents matching too few of them out (one word
/// is enough when nothing else matches). Chinese is matched by words and by characters,
/// so a single character, half a title or a differently segmented term finds its
/// listings; English is stemmed; stopwords (`的`, `the`) are not searched for; synonym
/// sets of the center's vocabulary apply across both languages; the names of a listing's
/// field, kind, maturity, modes and region are words too. `+word` and `"phrases"` are
/// required, `-word` excludes, `OR` (or `|`) between words accepts either. Patent
/// application numbers (`202310123456.6`, `ZL…`) and IPC symbols (`C02F 1/44`) match
/// exactly. Each hit names the terms it matched and where (`matched`). `total`, the facet
/// counts and the cursors describe the same ranked results. Without a query the results
/// are listed newest first. A query that does not parse is a 400 with the character
/// `position` of the error.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchResults), (status = 400, body = crate::error::Problem)))]
async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchResults>> {
    let request = params.to_request()?;
    Ok(Json(state.search.search(request).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndexStatus {
    /// Searchable documents.
    pub documents: u64,
    /// The outbox position the index has applied.
    pub position: i64,
    /// The newest outbox position in the database.
    pub head: i64,
    /// `head - position`: changes not yet searchable.
    pub lag: i64,
}

/// How far this server's index is behind the database.
#[utoipa::path(get, path = "/api/v1/search/status", tag = "search", responses((status = 200, body = IndexStatus)))]
async fn status(State(state): State<AppState>) -> ApiResult<Json<IndexStatus>> {
    let index = state.search.index();
    // What searches see, not merely what is committed on disk.
    let position = index.visible_position();
    let head = techex_search::rebuild::outbox_head(&state.db).await?;
    Ok(Json(IndexStatus { documents: index.num_docs(), position, head, lag: (head - position).max(0) }))
}

/// The caller's saved searches.
#[utoipa::path(get, path = "/api/v1/saved-searches", tag = "search", security(("bearer" = [])),
    responses((status = 200, body = Vec<SavedSearchView>)))]
async fn list_saved(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<SavedSearchView>>> {
    Ok(Json(saved::list(&state.db, &user.actor).await?))
}

/// Saves a search; with `alerts` (the default) every newly published achievement that
/// matches it brings a notification, once.
#[utoipa::path(post, path = "/api/v1/saved-searches", tag = "search", security(("bearer" = [])), request_body = NewSavedSearch,
    responses((status = 201, body = SavedSearchView), (status = 400, body = crate::error::Problem),
              (status = 422, description = "the name or a search parameter is invalid (`errors[].pointer` names it)", body = crate::error::Problem)))]
async fn create_saved(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<NewSavedSearch>,
) -> ApiResult<(StatusCode, Json<SavedSearchView>)> {
    let transaction = begin(&state).await?;
    let created = saved::create(&transaction, &user.actor, input).await?;
    commit(transaction).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Deletes one of the caller's saved searches.
#[utoipa::path(delete, path = "/api/v1/saved-searches/{id}", tag = "search", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn delete_saved(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    saved::delete(&transaction, &user.actor, id).await?;
    commit(transaction).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread ones.
    #[serde(default)]
    pub unread: bool,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    pub next_cursor: Option<String>,
    /// Unread notifications in all.
    pub unread: u64,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])), params(NotificationQuery),
    responses((status = 200, body = NotificationPage)))]
async fn list_notifications(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(query): ApiQuery<NotificationQuery>,
) -> ApiResult<Json<NotificationPage>> {
    let page = PageParams { limit: query.limit, cursor: query.cursor }.page()?;
    let found: Page<NotificationView> = notifications::list(&state.db, &user.actor, query.unread, page).await?;
    let unread = notifications::unread_count(&state.db, &user.actor).await?;
    let items = crate::notices::all_worded(found.items, crate::locale::current());
    Ok(Json(NotificationPage { items, next_cursor: found.next_cursor, unread }))
}

/// Marks a notification read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationView), (status = 404, body = crate::error::Problem)))]
async fn read_notification(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<NotificationView>> {
    let transaction = begin(&state).await?;
    let view = notifications::mark_read(&transaction, &user.actor, id).await?;
    commit(transaction).await?;
    Ok(Json(crate::notices::worded(view, crate::locale::current())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    pub marked: u64,
}

/// Marks every notification of the caller read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Marked)))]
async fn read_all(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<Json<Marked>> {
    let transaction = begin(&state).await?;
    let marked = notifications::mark_all_read(&transaction, &user.actor).await?;
    commit(transaction).await?;
    Ok(Json(Marked { marked }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// How many matches (1–50, default 10).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

fn match_limit(query: &MatchQuery) -> ApiResult<usize> {
    let limit = query.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::bad_request("malformed_request", "limit must be between 1 and 50"));
    }
    Ok(limit)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DemandMatches {
    pub demand_id: Uuid,
    /// Published achievements ranked for the demand, each with the words it shares.
    pub matches: Vec<Match>,
}

/// Ranks published achievements for a demand, explaining each match by the demand's
/// words it contains.
#[utoipa::path(get, path = "/api/v1/demands/{id}/matches", tag = "search", security((), ("bearer" = [])), params(MatchQuery),
    responses((status = 200, body = DemandMatches), (status = 404, body = crate::error::Problem)))]
async fn demand_matches(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<MatchQuery>,
) -> ApiResult<Json<DemandMatches>> {
    let limit = match_limit(&query)?;
    let demand = demands::get(&state.db, user.actor(), id).await?;
    let synonyms = state.search.synonyms();
    let matches = state
        .search
        .run(move |index| {
            let keywords = demand.keywords.0.join(" ");
            let texts: Vec<&str> = [
                demand.title_zh.as_deref(),
                demand.title_en.as_deref(),
                Some(keywords.as_str()),
                demand.description_zh.as_deref(),
                demand.description_en.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect();
            let source = Source { texts, field: Some(&demand.field_code), target_type: "achievement", exclude: None };
            matching::find(&index, &source, &synonyms, limit)
        })
        .await?;
    Ok(Json(DemandMatches { demand_id: id, matches }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Similar {
    pub achievement_id: Uuid,
    /// Published demands this achievement could answer.
    pub demands: Vec<Match>,
    /// Other published achievements on the same subject.
    pub achievements: Vec<Match>,
}

/// The demands an achievement could answer and the achievements most like it, each
/// explained by the shared words.
#[utoipa::path(get, path = "/api/v1/achievements/{id}/similar", tag = "search", security((), ("bearer" = [])), params(MatchQuery),
    responses((status = 200, body = Similar), (status = 404, body = crate::error::Problem)))]
async fn similar(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<MatchQuery>,
) -> ApiResult<Json<Similar>> {
    let limit = match_limit(&query)?;
    let achievement = achievements::get(&state.db, user.actor(), id).await?;
    let synonyms = state.search.synonyms();
    let (demands, achievements) = state
        .search
        .run(move |index| {
            let keywords = achievement.keywords.0.join(" ");
            let texts: Vec<&str> = [
                achievement.title_zh.as_deref(),
                achievement.title_en.as_deref(),
                Some(keywords.as_str()),
                achievement.summary_zh.as_deref(),
                achievement.abstract_zh.as_deref(),
                achievement.abstract_en.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect();
            let field = Some(achievement.field_code.as_str());
            let demands = matching::find(
                &index,
                &Source { texts: texts.clone(), field, target_type: "demand", exclude: None },
                &synonyms,
                limit,
            )?;
            let similar = matching::find(
                &index,
                &Source { texts, field, target_type: "achievement", exclude: Some(achievement.id) },
                &synonyms,
                limit,
            )?;
            Ok((demands, similar))
        })
        .await?;
    Ok(Json(Similar { achievement_id: id, demands, achievements }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(status))
        .routes(routes!(list_saved, create_saved))
        .routes(routes!(delete_saved))
        .routes(routes!(list_notifications))
        .routes(routes!(read_notification))
        .routes(routes!(read_all))
        .routes(routes!(demand_matches))
        .routes(routes!(similar))
}
