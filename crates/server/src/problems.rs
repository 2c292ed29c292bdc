//! Every error answers as a problem: responses that layers and axum's own rejections make
//! with an empty or plain-text body (the request timeout's 408, a body limit's 413, a
//! method's 405, a malformed multipart body's 400) are rewritten as problem+json with a
//! stable code, and over-long URIs are refused with a 414 problem before routing.

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The longest request URI (path and query) served; longer is 414. Below hyper's own
/// limit (64 KiB), which answers without a body.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Refuses a request whose URI is longer than `MAX_URI_BYTES` with a 414 problem.
pub async fn limit_uri_length(request: Request, next: Next) -> Response {
    let length = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if length > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the request URI is {length} bytes; at most {MAX_URI_BYTES} are served"),
        )
        .into_response();
    }
    next.run(request).await
}

/// The code and default detail of an error status that reached the edge without a
/// problem body.
fn code_of(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::REQUEST_TIMEOUT => {
            ("request_timeout", "the request took too long and was stopped; nothing of it was kept")
        }
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large"),
        StatusCode::URI_TOO_LONG => ("uri_too_long", "the request URI is too long"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this method is not allowed on this resource"),
        StatusCode::NOT_FOUND => ("not_found", "nothing is at this address"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "the body's media type is not accepted here"),
        StatusCode::UNPROCESSABLE_ENTITY => ("validation_failed", "the request is not valid"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ("header_too_large", "the request headers are too large"),
        status if status.is_server_error() => ("internal", "an internal error occurred; it has been logged"),
        _ => ("malformed_request", "the request is malformed"),
    }
}

/// Rewrites an error response without a problem (or page) body as problem+json, keeping
/// the plain text of axum's rejections as the detail.
pub async fn problem_bodies(response: Response) -> Response {
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let is_plain = content_type.is_empty() || content_type.starts_with("text/plain");
    if !is_plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).trim().to_string());
    let (code, default_detail) = code_of(status);
    let detail = match text {
        Ok(text) if !text.is_empty() && !status.is_server_error() => text,
        _ => default_detail.to_string(),
    };
    let mut error = ApiError::new(status, code, detail);
    if status.is_server_error() {
        error.cause = Some(format!("{status} from a layer without a body"));
    }
    let mut rewritten = error.into_response();
    // Headers that belong to the answer: `Allow` of a 405, `Retry-After`.
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    if status == StatusCode::REQUEST_TIMEOUT {
        rewritten.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    rewritten
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn rewritten(status: StatusCode, body: &'static str) -> (StatusCode, String, serde_json::Value) {
        rewritten_in(crate::i18n::Lang::En, status, body).await
    }

    async fn rewritten_in(
        lang: crate::i18n::Lang,
        status: StatusCode,
        body: &'static str,
    ) -> (StatusCode, String, serde_json::Value) {
        let mut response = Response::new(axum::body::Body::from(body));
        *response.status_mut() = status;
        let response = crate::locale::in_language(lang, problem_bodies(response)).await;
        let status = response.status();
        let content_type =
            response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap_or_default();
        (status, content_type, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    #[tokio::test]
    async fn the_timeouts_empty_408_becomes_a_problem() {
        let (status, content_type, problem) = rewritten(StatusCode::REQUEST_TIMEOUT, "").await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(problem["code"], "request_timeout");
        assert_eq!(problem["status"], 408);
    }

    #[tokio::test]
    async fn plain_text_rejections_keep_their_words() {
        let (status, content_type, problem) =
            rewritten(StatusCode::PAYLOAD_TOO_LARGE, "Failed to buffer the request body: length limit exceeded").await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(problem["code"], "payload_too_large");
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("length limit")));
        let (_, _, problem) = rewritten(StatusCode::URI_TOO_LONG, "").await;
        assert_eq!(problem["code"], "uri_too_long");
        // axum's words are English: a Chinese reader gets the code's own words instead.
        let (_, _, problem) = rewritten_in(
            crate::i18n::Lang::Zh,
            StatusCode::PAYLOAD_TOO_LARGE,
            "Failed to buffer the request body: length limit exceeded",
        )
        .await;
        assert_eq!(
            (problem["title"].as_str(), problem["detail"].as_str()),
            (Some("请求内容过大"), Some("请求内容过大"))
        );
    }

    #[tokio::test]
    async fn successes_and_pages_pass_untouched() {
        let ok = problem_bodies(Response::new(axum::body::Body::from("fine"))).await;
        assert_eq!(ok.status(), StatusCode::OK);
        let mut page = Response::new(axum::body::Body::from("<html></html>"));
        *page.status_mut() = StatusCode::NOT_FOUND;
        page.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        let page = problem_bodies(page).await;
        assert_eq!(page.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
    }
}
