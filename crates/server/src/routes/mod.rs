//! One router per feature; `crate::app` merges them. Handlers only parse, call the
//! domain inside a transaction, and render.

pub mod achievements;
pub mod auctions;
pub mod audit;
pub mod brokers;
pub mod contracts;
pub mod deals;
pub mod demands;
pub mod documents;
pub mod feedback;
pub mod health;
pub mod licences;
pub mod open_licences;
pub mod organizations;
pub mod payments;
pub mod reference;
pub mod royalties;
pub mod search;
pub mod session;
pub mod stats;

use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use techex_core::PageRequest;
use utoipa::{IntoParams, ToSchema};

/// A JSON body with the resource's version as its `ETag`, for `If-Match` on the next write.
pub fn versioned<T: Serialize>(version: i32, body: T) -> Response {
    let mut response = match worded(&body) {
        Ok(body) => Json(body).into_response(),
        Err(error) => return error.into_response(),
    };
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// A body as JSON with every domain message in it (`"message": {"key": …}`, such as a
/// contract's pre-check findings) worded in the request's language.
pub fn worded<T: Serialize>(body: &T) -> ApiResult<serde_json::Value> {
    let mut value = serde_json::to_value(body).map_err(ApiError::internal)?;
    crate::locale::word_messages(&mut value, crate::locale::current());
    Ok(value)
}

/// A `201 Created` with `Location` and `ETag`.
pub fn created<T: Serialize>(location: String, version: i32, body: T) -> Response {
    let mut response = versioned(version, body);
    *response.status_mut() = StatusCode::CREATED;
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A request's write transaction (in `crate::db`).
pub use crate::db::{begin, commit};

/// Cursor pagination parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn page(&self) -> ApiResult<PageRequest> {
        PageRequest::parse(self.limit, self.cursor.as_deref()).map_err(|(field, message)| ApiError {
            errors: vec![techex_core::FieldError::new(field, message)],
            detail: None,
            ..ApiError::bad_request("malformed_request", "")
        })
    }
}

/// A reason given with a rejection.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    pub reason: String,
}
