//! Multipart uploads and file downloads, shared by the API (`routes`) and the pages: a
//! form with one file and text fields, read with a size limit, and a stored file
//! answered as a download.

use crate::error::{ApiError, ApiResult};
use axum::body::Body;
use axum::extract::Multipart;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use techex_listings::blobs::Bytes;

/// A multipart form with one file (`file`) and text fields.
pub struct UploadForm {
    pub filename: String,
    pub declared_type: Option<String>,
    pub bytes: Vec<u8>,
    pub texts: std::collections::HashMap<String, String>,
}

/// A multipart form whose file is optional: a browser sends an empty part without a
/// file name for a file input left empty, which counts as no file.
pub struct OptionalUploadForm {
    /// The file's name and bytes, when one was chosen.
    pub file: Option<(String, Vec<u8>)>,
    pub texts: std::collections::HashMap<String, String>,
}

fn too_large(what: &str, limit: usize) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("a {what} may be at most {limit} bytes"))
}

/// Reads a multipart upload: the `file` field (required, at most `limit` bytes, else 413)
/// and every other field as text.
pub async fn read_upload(form: &mut Multipart, limit: usize, what: &str) -> ApiResult<UploadForm> {
    let (file, texts) = read_parts(form, limit, what).await?;
    let Some((filename, declared_type, bytes)) = file else {
        return Err(ApiError::validation(vec![techex_core::FieldError::new("file", techex_core::msg::FILE_MISSING)]));
    };
    Ok(UploadForm { filename: filename.unwrap_or_else(|| what.to_string()), declared_type, bytes, texts })
}

/// Reads a multipart form whose `file` may be left empty (a page's form): as
/// `read_upload`, but an absent file, or an empty part without a file name, is `None`.
pub async fn read_optional_upload(form: &mut Multipart, limit: usize, what: &str) -> ApiResult<OptionalUploadForm> {
    let (file, texts) = read_parts(form, limit, what).await?;
    let file = file.and_then(|(filename, _, bytes)| match filename.filter(|name| !name.is_empty()) {
        None if bytes.is_empty() => None,
        named => Some((named.unwrap_or_else(|| what.to_string()), bytes)),
    });
    Ok(OptionalUploadForm { file, texts })
}

/// The file part (its name, declared type and bytes) and the text fields of a form.
type Parts = (Option<(Option<String>, Option<String>, Vec<u8>)>, std::collections::HashMap<String, String>);

async fn read_parts(form: &mut Multipart, limit: usize, what: &str) -> ApiResult<Parts> {
    let malformed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(what, limit)
        } else {
            ApiError::bad_request("malformed_request", e.body_text())
        }
    };
    let mut file = None;
    let mut texts = std::collections::HashMap::new();
    while let Some(field) = form.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let filename = field.file_name().map(str::to_string);
            let declared_type = field.content_type().map(str::to_string);
            let bytes = field.bytes().await.map_err(malformed)?.to_vec();
            if bytes.len() > limit {
                return Err(too_large(what, limit));
            }
            file = Some((filename, declared_type, bytes));
        } else if !name.is_empty() {
            let text = field.text().await.map_err(malformed)?;
            texts.insert(name, text);
        }
    }
    Ok((file, texts))
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
