//! An organization's business licence (营业执照): uploaded (multipart) by its
//! administrators while the application is pending or turned down, read by its members
//! and the center's platform administrators.

use crate::error::ApiResult;
use crate::extract::{ApiPath, CurrentUser, MaybeUser};
use crate::routes::{begin, commit};
use crate::state::AppState;
use crate::upload::{file_response, read_upload};
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::Response;
use techex_listings::licences::{self, LicenceFile, LicenceView, MAX_BYTES};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The multipart form of a licence upload (the OpenAPI schema of what `read_upload` reads).
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "only describes the form in the OpenAPI document")]
pub struct LicenceForm {
    /// The business licence: a PDF, JPEG or PNG (recognised by its content), at most 10 MiB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Uploads the organization's business licence (its administrators, while the application
/// is pending or turned down), replacing any earlier one. The file must be a PDF, JPEG or
/// PNG by its content, whatever its name or declared type.
#[utoipa::path(put, path = "/api/v1/organizations/{id}/licence", tag = "organizations", security(("bearer" = [])),
    request_body(content = LicenceForm, content_type = "multipart/form-data", description = "`file`: PDF, JPEG or PNG, at most 10 MiB"),
    responses((status = 200, body = LicenceView),
              (status = 403, body = crate::error::Problem, description = "not an administrator of the organization"),
              (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem, description = "the organization is verified"),
              (status = 413, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem, description = "empty, or not a PDF, JPEG or PNG; nothing was stored"),
              (status = 503, body = crate::error::Problem, description = "the document store cannot be reached; nothing was stored")))]
async fn upload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    mut form: Multipart,
) -> ApiResult<Json<LicenceView>> {
    let form = read_upload(&mut form, MAX_BYTES, "licence").await?;
    let file = LicenceFile { filename: form.filename, bytes: form.bytes };
    // The bytes go to the store before the transaction opens and before the row commits.
    let staged = licences::stage(&state.db, &user.actor, id, file, &state.blobs).await?;
    let transaction = begin(&state).await?;
    let view = licences::attach(&transaction, &user.actor, id, staged).await?;
    commit(transaction).await?;
    Ok(Json(view))
}

/// Downloads the organization's business licence (its members; platform admins). The
/// bytes are checked against the SHA-256 first and never served when they differ.
#[utoipa::path(get, path = "/api/v1/organizations/{id}/licence", tag = "organizations", security((), ("bearer" = [])),
    responses((status = 200, description = "the file, with the media type it was stored with", content_type = "*/*"),
              (status = 404, body = crate::error::Problem, description = "no licence on file, or not visible to the caller"),
              (status = 500, body = crate::error::Problem, description = "the stored bytes do not match the SHA-256; they are never served")))]
async fn download(State(state): State<AppState>, user: MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let (view, bytes) = licences::fetch(&state.db, user.actor(), id, &state.blobs).await?;
    Ok(file_response(bytes, &view.content_type, &view.filename, &view.sha256))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload, download)).layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024))
}
