//! Documents attached to achievements: upload (multipart), list, download, remove.

use crate::error::ApiResult;
use crate::extract::{ApiPath, CurrentUser, MaybeUser};
use crate::routes::{begin, commit};
use crate::state::AppState;
pub use crate::upload::{UploadForm, file_response, read_upload};
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use techex_listings::documents::{self, DocumentView, Upload};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The multipart form of a document upload (the OpenAPI schema of what `read_upload`
/// reads; the handler reads the parts one by one).
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "only describes the form in the OpenAPI document")]
pub struct DocumentForm {
    /// The file: PDF, image, Office document or text.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The title shown in the list of documents.
    title: Option<String>,
    /// Who may see it: `public`, or `nda` (the default) for confidential material.
    tier: Option<techex_core::domain::DisclosureTier>,
}

/// The documents of an achievement; confidential ones are `locked` until the NDA is accepted.
#[utoipa::path(get, path = "/api/v1/achievements/{id}/documents", tag = "documents", security((), ("bearer" = [])),
    responses((status = 200, body = Vec<DocumentView>), (status = 404, body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<DocumentView>>> {
    Ok(Json(documents::list(&state.db, user.actor(), id).await?))
}

/// Uploads a document (owner): multipart fields `file` (PDF, image, Office or text),
/// `title` and `tier` (`public`, or `nda` — the default — for confidential material).
#[utoipa::path(post, path = "/api/v1/achievements/{id}/documents", tag = "documents", security(("bearer" = [])),
    request_body(content = DocumentForm, content_type = "multipart/form-data", description = "`file`, `title`, `tier` (`public` or `nda`)"),
    responses((status = 201, body = DocumentView), (status = 413, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
              (status = 503, body = crate::error::Problem, description = "the document store cannot be reached; nothing was stored")))]
async fn upload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    mut form: Multipart,
) -> ApiResult<(StatusCode, Json<DocumentView>)> {
    let mut form = read_upload(&mut form, state.config.max_upload_bytes, "document").await?;
    let upload = Upload {
        title: form.texts.remove("title"),
        tier: form.texts.remove("tier"),
        filename: form.filename,
        declared_type: form.declared_type,
        bytes: form.bytes,
    };
    // The bytes go to the store before the transaction opens (a store that is down
    // answers 503 without holding a database lock) and before the row commits.
    let staged =
        documents::stage(&state.db, &user.actor, id, upload, &state.blobs, state.config.max_upload_bytes).await?;
    let transaction = begin(&state).await?;
    let view = documents::add(&transaction, &user.actor, staged).await?;
    commit(transaction).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Downloads a document, if the caller may see it at its tier. The bytes are checked
/// against the document's SHA-256 first: bytes that do not match are never served (500).
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", security((), ("bearer" = [])),
    responses((status = 200, description = "the file, with the media type it was stored with", content_type = "*/*"),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 500, body = crate::error::Problem, description = "the stored bytes do not match the SHA-256; they are never served")))]
async fn download(State(state): State<AppState>, user: MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let (view, bytes) = documents::fetch(&state.db, user.actor(), id, &state.blobs).await?;
    Ok(file_response(bytes, &view.content_type, &view.filename, &view.sha256))
}

/// Removes a document (owner).
#[utoipa::path(delete, path = "/api/v1/documents/{id}", tag = "documents", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    documents::remove(&transaction, &user.actor, id).await?;
    commit(transaction).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router(max_upload_bytes: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, upload))
        .layer(DefaultBodyLimit::max(max_upload_bytes + 64 * 1024))
        .routes(routes!(download, remove))
}
