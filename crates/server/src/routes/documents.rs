//! Documents attached to achievements: upload (multipart), list, download, remove.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, CurrentUser, MaybeUser};
use crate::routes::{begin, commit};
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use techex_listings::blobs::Bytes;
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

/// A multipart form with one file (`file`) and text fields.
pub struct UploadForm {
    pub filename: String,
    pub declared_type: Option<String>,
    pub bytes: Vec<u8>,
    pub texts: std::collections::HashMap<String, String>,
}

/// Reads a multipart upload: the `file` field (required, at most `limit` bytes, else 413)
/// and every other field as text.
pub async fn read_upload(form: &mut Multipart, limit: usize, what: &str) -> ApiResult<UploadForm> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("a {what} may be at most {limit} bytes"),
        )
    };
    let malformed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::bad_request("malformed_request", e.body_text())
        }
    };
    let mut upload =
        UploadForm { filename: String::new(), declared_type: None, bytes: Vec::new(), texts: Default::default() };
    let mut has_file = false;
    while let Some(field) = form.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            upload.filename = field.file_name().unwrap_or(what).to_string();
            upload.declared_type = field.content_type().map(str::to_string);
            upload.bytes = field.bytes().await.map_err(malformed)?.to_vec();
            has_file = true;
        } else if !name.is_empty() {
            let text = field.text().await.map_err(malformed)?;
            upload.texts.insert(name, text);
        }
    }
    if !has_file {
        return Err(ApiError::validation(vec![techex_core::FieldError::new("file", techex_core::msg::FILE_MISSING)]));
    }
    if upload.bytes.len() > limit {
        return Err(too_large());
    }
    Ok(upload)
}

/// A stored file as a download: its type, a safe `Content-Disposition` (ASCII fallback
/// and the UTF-8 name), its hash as the `ETag`, never cached by shared caches.
pub fn file_response(bytes: Bytes, content_type: &str, filename: &str, sha256: &str) -> Response {
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    let ascii_name: String =
        filename.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("\"{sha256}\"")) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
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
