//! Request extractors that turn every malformed input into a problem response:
//! JSON bodies (400 for syntax, 422 naming the field for wrong types, 413 when too
//! large, 415 for another content type), path ids, query strings, `If-Match`, the
//! authenticated user and the client's address.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use techex_core::{FieldError, Message, msg};
use techex_listings::auth::{Authenticated, authenticate};

/// A JSON request body, deserialized with field-precise errors.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is too large")
            } else {
                ApiError::bad_request("malformed_request", rejection.body_text())
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, telling syntax errors (400) from values of the wrong shape (422).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Every request body of the API is an object; serde would also read a struct from an
    // array of its fields (`[]` as "all defaults"), which no client means. Checked first,
    // so a top-level array is about the whole document (pointer ``), not its items.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        if let Err(inner) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            return Err(ApiError::bad_request(
                "malformed_request",
                format!("the body is not valid JSON (line {}, column {}): {inner}", inner.line(), inner.column()),
            ));
        }
        return Err(ApiError::validation(vec![FieldError::new(WHOLE_BODY, msg::BODY_NOT_OBJECT)]));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = result.map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::bad_request(
                "malformed_request",
                format!("the body is not valid JSON (line {}, column {}): {inner}", inner.line(), inner.column()),
            );
        }
        let reason = strip_position(&inner.to_string());
        // A missing field is reported at the object that lacks it; name the field itself
        // (`terms` lacking `territory` → `terms.territory`, pointer `/terms/territory`).
        let missing = quoted_after(&reason, "missing field `");
        let field = match (path.as_str(), missing) {
            (".", Some(name)) => name.to_string(),
            (".", None) => WHOLE_BODY.to_string(),
            (parent, Some(name)) => format!("{parent}.{name}"),
            (_, None) => path,
        };
        ApiError::validation(vec![FieldError::new(field, serde_message(&reason))])
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::bad_request("malformed_request", format!("trailing data after the JSON value: {e}")))?;
    Ok(value)
}

/// The field name of an error about the whole body; its JSON pointer is `` (the document).
pub const WHOLE_BODY: &str = "";

/// The text between a prefix and the next backtick: `missing field `name`` → `name`.
fn quoted_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.strip_prefix(prefix).and_then(|rest| rest.split_once('`')).map(|(quoted, _)| quoted)
}

/// What serde found wrong with a value, as a message: the kinds a person can act on get
/// their own words; serde's explanation stays as a value the English text quotes.
fn serde_message(reason: &str) -> Message {
    if quoted_after(reason, "missing field `").is_some() {
        return msg::FIELD_MISSING.into();
    }
    if let Some(name) = quoted_after(reason, "unknown field `") {
        return msg::FIELD_UNKNOWN.with("name", name);
    }
    if let Some(value) = quoted_after(reason, "unknown variant `") {
        let allowed = reason.split_once("expected one of ").map_or("", |(_, list)| list).replace('`', "");
        let allowed = if allowed.is_empty() {
            reason.split_once("expected ").map_or("", |(_, e)| e).to_string()
        } else {
            allowed
        };
        return msg::VALUE_UNKNOWN_VARIANT.with("value", value).with("allowed", allowed);
    }
    if reason.starts_with("invalid type") {
        return msg::VALUE_WRONG_TYPE.with("reason", reason);
    }
    msg::VALUE_INVALID.with("reason", reason)
}

/// serde_json appends " at line 1 column 42"; the field path already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// A path parameter; one that does not parse names nothing that exists (404).
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|_| ApiError::not_found("resource"))
    }
}

/// Query parameters, with a 400 naming the parameter that does not parse.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(ApiQuery).map_err(|error| {
            let field = error.path().to_string();
            let message = msg::QUERY_PARAMETER_INVALID
                .with("name", field.as_str())
                .with("reason", error.into_inner().to_string());
            ApiError {
                errors: vec![FieldError::new(field, message.clone())],
                ..ApiError::worded(StatusCode::BAD_REQUEST, "malformed_request", message)
            }
        })
    }
}

/// The `If-Match` header as the OpenAPI document declares it, for the operations that
/// take `IfMatch` (`params(IfMatchHeader)`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// The version the write is based on, as the `ETag` of the last read gave it (`"3"`);
    /// a stale version is 412. Without it the write applies to the current version.
    #[param(rename = "If-Match", value_type = Option<String>, example = "\"3\"")]
    pub if_match: Option<String>,
}

/// The version a client expects, from `If-Match` (`"3"`, `3`, `W/"3"`); `*` or none
/// means no expectation.
pub struct IfMatch(pub Option<i32>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let text = value.to_str().unwrap_or("").trim();
        if text == "*" {
            return Ok(IfMatch(None));
        }
        let bare = text.trim_start_matches("W/").trim_matches('"');
        bare.parse::<i32>().map(|v| IfMatch(Some(v))).map_err(|_| {
            ApiError::bad_request(
                "malformed_request",
                format!("If-Match must be a version such as \"3\", not `{text}`"),
            )
        })
    }
}

fn bearer_token(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// The signed-in user; requests without a valid token get 401.
pub struct CurrentUser(pub Authenticated);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match MaybeUser::from_request_parts(parts, state).await? {
            MaybeUser(Some(user)) => Ok(CurrentUser(user)),
            MaybeUser(None) => Err(ApiError::unauthenticated(
                "sign in first: POST /api/v1/auth/login, then send `Authorization: Bearer <token>`",
            )),
        }
    }
}

/// The signed-in user if a token was sent; a bearer token that was sent but is invalid
/// is still refused (401) rather than silently ignored.
pub struct MaybeUser(pub Option<Authenticated>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(cached) = parts.extensions.get::<Authenticated>() {
            return Ok(MaybeUser(Some(cached.clone())));
        }
        if let Some(token) = bearer_token(parts) {
            let user = authenticate(&state.db, &token).await?;
            parts.extensions.insert(user.clone());
            return Ok(MaybeUser(Some(user)));
        }
        let Some(token) = session_cookie(parts) else {
            return Ok(MaybeUser(None));
        };
        // An expired or revoked browser session makes the visitor anonymous again, so the
        // public pages keep working and the sign-in page is reachable; a bad bearer token
        // is still refused.
        match authenticate(&state.db, &token).await {
            Ok(user) => {
                parts.extensions.insert(user.clone());
                Ok(MaybeUser(Some(user)))
            }
            Err(techex_listings::ListingsError::Unauthenticated(_)) => Ok(MaybeUser(None)),
            Err(other) => Err(other.into()),
        }
    }
}

impl MaybeUser {
    pub fn actor(&self) -> Option<&techex_core::Actor> {
        self.0.as_ref().map(|u| &u.actor)
    }
}

/// The client's address: the peer, or the first `X-Forwarded-For` hop when configured.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.config.trust_forwarded_for
            && let Some(forwarded) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
            && let Some(first) = forwarded.split(',').next().map(str::trim).filter(|s| !s.is_empty())
        {
            return Ok(ClientIp(first.to_string()));
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(ClientIp(peer.unwrap_or_else(|| "unknown".into())))
    }
}

/// The name of the browser session cookie.
pub const SESSION_COOKIE: &str = "techex_session";
/// The name of the CSRF cookie whose value unsafe cookie-authenticated requests repeat
/// in the `X-CSRF-Token` header.
pub const CSRF_COOKIE: &str = "techex_csrf";

/// The session token from the cookie. For unsafe methods the request must also carry
/// the CSRF token in `X-CSRF-Token`, equal to the CSRF cookie; otherwise the cookie is
/// ignored, so a forged cross-site form cannot act as the user.
pub fn session_cookie(parts: &Parts) -> Option<String> {
    let session = cookie(&parts.headers, SESSION_COOKIE)?;
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        return Some(session);
    }
    let expected = cookie(&parts.headers, CSRF_COOKIE)?;
    let sent = parts.headers.get("x-csrf-token")?.to_str().ok()?;
    (!expected.is_empty() && sent == expected).then_some(session)
}

/// Reads a cookie by name.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}
