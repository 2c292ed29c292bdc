//! Errors at the HTTP edge, rendered as RFC 9457 `application/problem+json`.
//!
//! Every problem has a stable `type` (`/problems/<code>`), a `code` with the same slug,
//! a `title`, the `status`, a human `detail`, and for validation the per-field
//! `errors` (`field`, `pointer`, `detail`). `title` and the details are worded in the
//! request's language (`crate::locale`) from the translation files; `type` and `code`
//! never change with it. A 5xx says nothing internal; its cause goes to the log inside
//! the request's span.

use crate::i18n::Lang;
use crate::locale;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use techex_core::{ErrorCode, FieldError, Message, msg};
use techex_listings::ListingsError;
use techex_listings::blobs::BlobError;
use utoipa::ToSchema;

/// A problem detail, as sent to clients.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable URI reference of the kind of problem, e.g. `/problems/invalid_transition`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The stable snake_case code of `type`.
    pub code: String,
    /// The kind of problem in words, in the request's language.
    pub title: String,
    pub status: u16,
    /// What went wrong, in the request's language.
    pub detail: String,
    /// Per-field validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// For a query that does not parse: the character position of the error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

/// One field of a validation problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// Dotted path of the field (`admin.email`, `ipc_codes[1]`).
    pub field: String,
    /// JSON pointer to the field in the request body (`/admin/email`).
    pub pointer: String,
    /// What is wrong with the field, in the request's language.
    pub detail: String,
}

/// An error on its way to becoming a problem response.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    /// What went wrong; `None` for a validation problem, whose detail is made from its
    /// field errors. A `Message::verbatim` text is English and is shown to English
    /// readers only; others read the code's own detail.
    pub detail: Option<Box<Message>>,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u32>,
    /// The character position of a query syntax error.
    pub position: Option<u32>,
    /// The cause, logged for 5xx and never sent.
    pub cause: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A problem whose detail is an English text (from a domain error's `Display`).
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::worded(status, code, Message::verbatim(detail))
    }

    /// A problem whose detail is a message worded in the reader's language.
    pub fn worded(status: StatusCode, code: &'static str, detail: Message) -> Self {
        ApiError {
            status,
            code,
            detail: Some(Box::new(detail)),
            errors: Vec::new(),
            retry_after: None,
            position: None,
            cause: None,
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// A validation problem with per-field errors.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        ApiError { errors, detail: None, ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "") }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError {
            cause: Some(cause.to_string()),
            ..Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "an internal error occurred; it has been logged")
        }
    }

    /// The code whose words describe this problem (`internal` for an unknown code).
    fn known_code(&self) -> &'static str {
        PROBLEM_CODES.iter().find(|code| **code == self.code).copied().unwrap_or("internal")
    }

    /// The problem's title in `lang`.
    pub fn title_in(&self, lang: Lang) -> String {
        locale::text(lang, &format!("problem-{}-title", self.known_code()), &[])
    }

    /// The problem's detail in `lang`.
    pub fn detail_in(&self, lang: Lang) -> String {
        let code_detail = || locale::text(lang, &format!("problem-{}-detail", self.known_code()), &[]);
        match (&self.detail, self.errors.as_slice()) {
            (Some(detail), _) if detail.key == msg::VERBATIM && lang != Lang::En => code_detail(),
            (Some(detail), _) => locale::message(lang, detail),
            (None, []) => code_detail(),
            (None, [one]) if one.field.is_empty() => self.field_detail_in(lang, &one.message),
            (None, [one]) => {
                let field = techex_core::MessageArg::Text(one.field.clone());
                let message = techex_core::MessageArg::Text(self.field_detail_in(lang, &one.message));
                locale::text(lang, msg::DETAIL_ONE_FIELD.as_str(), &[("field", &field), ("message", &message)])
            }
            (None, many) => {
                let count = techex_core::MessageArg::from(many.len());
                locale::text(lang, msg::DETAIL_MANY_FIELDS.as_str(), &[("count", &count)])
            }
        }
    }

    /// A field's error in `lang`. A text without a key (a library's English explanation)
    /// reads, for a reader of another language, as the problem code's own detail.
    fn field_detail_in(&self, lang: Lang, message: &Message) -> String {
        if message.key == msg::VERBATIM && lang != Lang::En {
            return locale::text(lang, &format!("problem-{}-detail", self.known_code()), &[]);
        }
        locale::message(lang, message)
    }

    /// Each field's first error in `lang`, by the field's path: what a form shows beside
    /// its inputs.
    pub fn field_errors_in(&self, lang: Lang) -> std::collections::BTreeMap<String, String> {
        let mut fields = std::collections::BTreeMap::new();
        for error in &self.errors {
            fields.entry(error.field.clone()).or_insert_with(|| self.field_detail_in(lang, &error.message));
        }
        fields
    }

    /// The first field's error in `lang`, else the detail: what a form shows.
    pub fn first_error_in(&self, lang: Lang) -> String {
        match self.errors.first() {
            Some(error) => self.field_detail_in(lang, &error.message),
            None => self.detail_in(lang),
        }
    }
}

/// Every problem code the API answers with; each has a title and a detail in every
/// translation file.
pub const PROBLEM_CODES: &[&str] = &[
    "not_found",
    "validation_failed",
    "invalid_transition",
    "conflict",
    "gone",
    "precondition_failed",
    "unauthenticated",
    "forbidden",
    "rate_limited",
    "payload_too_large",
    "malformed_request",
    "unsupported_media_type",
    "invalid_query",
    "invalid_signature",
    "unavailable",
    "request_timeout",
    "uri_too_long",
    "method_not_allowed",
    "header_too_large",
    "internal",
];

/// JSON pointer of a dotted field path: `inventors[2]` → `/inventors/2`; the empty path
/// (an error about the whole body) is the empty pointer, the whole document.
fn pointer_of(field: &str) -> String {
    let mut pointer = String::new();
    if field.is_empty() {
        return pointer;
    }
    for part in field.split('.') {
        let (name, indexes) = part.split_once('[').map_or((part, ""), |(n, rest)| (n, rest));
        pointer.push('/');
        pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
        for index in indexes.split(['[', ']']).filter(|s| !s.is_empty()) {
            pointer.push('/');
            pointer.push_str(index);
        }
    }
    pointer
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A cause is a fault to look into; a 5xx without one is a documented state (such as
        // payments not configured) and not an error of the server's.
        match (&self.cause, self.status.is_server_error()) {
            (Some(cause), true) => tracing::error!(code = self.code, %cause, "request failed"),
            (None, true) if self.status == StatusCode::SERVICE_UNAVAILABLE => {
                tracing::info!(code = self.code, detail = ?self.detail, "request refused: unavailable")
            }
            (None, true) => tracing::warn!(code = self.code, detail = ?self.detail, "request failed"),
            _ => {}
        }
        let lang = locale::current();
        let problem = Problem {
            kind: format!("/problems/{}", self.code),
            code: self.code.to_string(),
            title: self.title_in(lang),
            status: self.status.as_u16(),
            detail: self.detail_in(lang),
            errors: self
                .errors
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    pointer: pointer_of(&e.field),
                    detail: self.field_detail_in(lang, &e.message),
                })
                .collect(),
            position: self.position,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(locale::tag(lang)));
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"techex\""));
        }
        response
    }
}

impl From<ListingsError> for ApiError {
    fn from(error: ListingsError) -> Self {
        let detail = error.to_string();
        match (&error, error.code()) {
            (ListingsError::Invalid(errors), _) => ApiError::validation(errors.0.clone()),
            // Worded in the reader's language: the English sentence as it is, in Chinese
            // from the entity and its state (`该成果已发布，不能进行此操作`).
            (ListingsError::InvalidTransition { entity, state, .. }, _) => ApiError::worded(
                StatusCode::CONFLICT,
                "invalid_transition",
                msg::DETAIL_INVALID_TRANSITION
                    .with("text", detail.clone())
                    .with("entity", *entity)
                    .with("state", state.clone()),
            ),
            (ListingsError::RateLimited { retry_after_secs }, _) => ApiError {
                retry_after: Some(u32::try_from(*retry_after_secs).unwrap_or(u32::MAX)),
                ..ApiError::worded(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    msg::DETAIL_RATE_LIMITED.with("seconds", *retry_after_secs),
                )
            },
            (_, ErrorCode::NotFound) => ApiError::new(StatusCode::NOT_FOUND, "not_found", detail),
            (ListingsError::Conflict(message), _) => {
                ApiError::worded(StatusCode::CONFLICT, "conflict", message.clone())
            }
            (ListingsError::Gone(message), _) => ApiError::worded(StatusCode::GONE, "gone", message.clone()),
            (ListingsError::Forbidden(message), _) => {
                ApiError::worded(StatusCode::FORBIDDEN, "forbidden", message.clone())
            }
            (_, ErrorCode::Conflict) => ApiError::new(StatusCode::CONFLICT, "conflict", detail),
            (_, ErrorCode::Gone) => ApiError::new(StatusCode::GONE, "gone", detail),
            (ListingsError::Stale { given, current }, _) => ApiError::worded(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                msg::DETAIL_STALE.with("given", *given).with("current", *current),
            ),
            (_, ErrorCode::Unauthenticated) => ApiError::unauthenticated(detail),
            (_, ErrorCode::Forbidden) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail),
            (ListingsError::Unavailable(_), _) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail),
            // The store's failure goes to the log (ERROR, with its cause); the reader is
            // told only that the store cannot be reached.
            (ListingsError::Blob(BlobError::Unavailable { .. }), _) => ApiError {
                cause: Some(detail),
                ..ApiError::worded(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    msg::DOCUMENT_STORE_UNAVAILABLE.into(),
                )
            },
            (_, ErrorCode::Unavailable) => ApiError {
                cause: Some(detail),
                ..ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is not available; retry shortly",
                )
            },
            _ => ApiError::internal(detail),
        }
    }
}

impl From<techex_search::SearchError> for ApiError {
    fn from(error: techex_search::SearchError) -> Self {
        use techex_search::SearchError;
        let detail = error.to_string();
        match error {
            SearchError::Syntax(syntax) => ApiError {
                position: Some(u32::try_from(syntax.position).unwrap_or(u32::MAX)),
                errors: vec![FieldError::new("q", syntax.message)],
                detail: None,
                ..ApiError::bad_request("invalid_query", detail)
            },
            SearchError::Parameter { field, message } => ApiError {
                errors: vec![FieldError::new(field, message)],
                detail: None,
                ..ApiError::bad_request("malformed_request", detail)
            },
            SearchError::Listings(inner) => inner.into(),
            SearchError::NotFound(what) => ApiError::not_found(what),
            other => ApiError::internal(other),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        ListingsError::from(error).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_become_json_pointers() {
        assert_eq!(pointer_of("title_zh"), "/title_zh");
        assert_eq!(pointer_of("admin.email"), "/admin/email");
        assert_eq!(pointer_of("inventors[2]"), "/inventors/2");
        assert_eq!(pointer_of("a/b"), "/a~1b");
        assert_eq!(pointer_of(""), "", "the whole body");
    }

    #[test]
    fn a_text_without_a_key_reads_as_the_codes_own_words_in_chinese() {
        let text = "the file has more than 5000 data rows";
        let error = ApiError {
            errors: vec![FieldError::new("file", Message::verbatim(text))],
            ..ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", text)
        };
        assert_eq!(error.first_error_in(Lang::Zh), "请求内容过大");
        assert_eq!(error.detail_in(Lang::Zh), "请求内容过大");
        assert_eq!((error.first_error_in(Lang::En), error.detail_in(Lang::En)), (text.to_string(), text.to_string()));
        assert_eq!(error.title_in(Lang::Zh), "请求内容过大");
    }

    #[test]
    fn a_validation_problem_counts_its_fields_in_words() {
        let one = ApiError::validation(vec![FieldError::new("title_zh", msg::TITLE_REQUIRED)]);
        assert_eq!(one.detail_in(Lang::En), "title_zh: a title is required (in Chinese, English or both)");
        assert_eq!(one.detail_in(Lang::Zh), "title_zh：请填写标题（中文、英文或两者）");
        let two = ApiError::validation(vec![
            FieldError::new("trl", msg::TRL_OUT_OF_RANGE),
            FieldError::new("deadline", msg::DATE_IN_PAST),
        ]);
        assert_eq!(
            (two.detail_in(Lang::En), two.detail_in(Lang::Zh)),
            ("2 fields are invalid".into(), "有 2 个字段填写有误".into())
        );
    }
}
