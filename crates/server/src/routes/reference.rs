//! Reference data: industry fields, regions and the coded vocabularies with labels.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, CurrentUser};
use crate::routes::{begin, commit};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use techex_core::domain::{AchievementKind, Maturity, OrgKind, TransactionMode};
use techex_listings::reference;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Field {
    /// Lower-case letters, digits and `_`.
    #[schema(pattern = "^[a-z0-9_]{1,64}$")]
    pub code: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name_zh: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name_en: String,
    /// One of the province's priority industries.
    #[serde(default)]
    pub priority: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Region {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub parent_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Label {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Vocabularies {
    pub achievement_kinds: Vec<Label>,
    pub maturities: Vec<Label>,
    pub transaction_modes: Vec<Label>,
    pub organization_kinds: Vec<Label>,
}

/// The industry fields, the province's priority industries first.
#[utoipa::path(get, path = "/api/v1/reference/fields", tag = "reference", responses((status = 200, body = Vec<Field>)))]
async fn fields(State(state): State<AppState>) -> ApiResult<Json<Vec<Field>>> {
    let found = reference::list_fields(&state.db).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|f| Field { code: f.code, name_zh: f.name_zh, name_en: f.name_en, priority: f.priority })
            .collect(),
    ))
}

/// Adds an industry field (platform admins).
#[utoipa::path(post, path = "/api/v1/reference/fields", tag = "reference", security(("bearer" = [])), request_body = Field,
    responses((status = 201, body = Field), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn add_field(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(field): ApiJson<Field>,
) -> ApiResult<(StatusCode, Json<Field>)> {
    if !user.actor.is_platform_admin() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only platform administrators add industry fields",
        ));
    }
    let transaction = begin(&state).await?;
    let created =
        reference::add_field(&transaction, &field.code, &field.name_zh, &field.name_en, field.priority).await?;
    commit(transaction).await?;
    Ok((
        StatusCode::CREATED,
        Json(Field {
            code: created.code,
            name_zh: created.name_zh,
            name_en: created.name_en,
            priority: created.priority,
        }),
    ))
}

/// The administrative regions (GB/T 2260 codes): Shandong's cities and the provinces.
#[utoipa::path(get, path = "/api/v1/reference/regions", tag = "reference", responses((status = 200, body = Vec<Region>)))]
async fn regions(State(state): State<AppState>) -> ApiResult<Json<Vec<Region>>> {
    let found = reference::list_regions(&state.db).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|r| Region { code: r.code, name_zh: r.name_zh, name_en: r.name_en, parent_code: r.parent_code })
            .collect(),
    ))
}

macro_rules! labels {
    ($kind:ty) => {
        <$kind>::ALL.iter().map(|v| Label { code: v.as_str(), zh: v.label_zh(), en: v.label_en() }).collect()
    };
}

/// The coded vocabularies (kinds, maturities, transaction modes, organization kinds) with labels.
#[utoipa::path(get, path = "/api/v1/reference/vocabularies", tag = "reference", responses((status = 200, body = Vocabularies)))]
async fn vocabularies() -> Json<Vocabularies> {
    Json(Vocabularies {
        achievement_kinds: labels!(AchievementKind),
        maturities: labels!(Maturity),
        transaction_modes: labels!(TransactionMode),
        organization_kinds: labels!(OrgKind),
    })
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(fields, add_field)).routes(routes!(regions)).routes(routes!(vocabularies))
}
