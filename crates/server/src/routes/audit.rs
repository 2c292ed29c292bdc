//! The audit log, for platform administrators.

use crate::error::ApiResult;
use crate::extract::{ApiQuery, CurrentUser};
use crate::routes::PageParams;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use techex_core::pagination::Page;
use techex_listings::history::{self, AuditEntry, AuditFilter};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub action: Option<String>,
    /// Entries on or after this day (UTC), `YYYY-MM-DD`.
    pub from: Option<chrono::NaiveDate>,
    /// Entries on or before this day (UTC), `YYYY-MM-DD`.
    pub to: Option<chrono::NaiveDate>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The whole audit log, newest first (platform admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = crate::error::Problem),
        (status = 422, description = "`to` is before `from`", body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() }.page()?;
    let filter = AuditFilter {
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        actor_user_id: query.actor_user_id,
        action: query.action,
        from: query.from,
        to: query.to,
    };
    Ok(Json(history::list(&state.db, &user.actor, &filter, page).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}
