//! The small closed set of error codes that every domain error maps onto. The HTTP edge
//! turns a code into a status; the domain never speaks HTTP.

use crate::message::Message;
use serde::Serialize;
use utoipa::ToSchema;

/// What kind of failure an operation had, independent of transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The thing does not exist, or the actor may not know that it exists.
    NotFound,
    /// The input is well-formed but violates a rule; carries per-field errors.
    Invalid,
    /// The operation is not allowed in the current state of the resource.
    Conflict,
    /// It existed but is no longer usable (a link past its time).
    Gone,
    /// The caller's version of the resource is out of date.
    Stale,
    /// The caller did not prove who they are.
    Unauthenticated,
    /// The caller is known but lacks the right.
    Forbidden,
    /// Too many attempts; retry later.
    RateLimited,
    /// A dependency (database, disk) is not available right now.
    Unavailable,
    /// A bug or an unexpected failure; details go to the log only.
    Internal,
}

impl ErrorCode {
    /// The stable snake_case name used in problem `type`s and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "not_found",
            ErrorCode::Invalid => "invalid",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Gone => "gone",
            ErrorCode::Stale => "stale",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

/// One problem with one input field. `field` is a dotted path (`budget.min`, `inventors[2]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Dotted path of the offending field.
    pub field: String,
    /// What is wrong, as a message key and its values; on the wire, the text in the
    /// reader's language.
    #[schema(value_type = String)]
    pub message: Message,
}

impl FieldError {
    /// An error of one field.
    pub fn new(field: impl Into<String>, message: impl Into<Message>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// A collection of field errors, built up while validating an input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// A collection with a single error.
    pub fn single(field: impl Into<String>, message: impl Into<Message>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    /// Records what is wrong with a field: a key (`msg::DATE_IN_PAST`) or a message.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<Message>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Records the error of a validation result, returning the value when valid.
    pub fn check<T, E: Into<Message>>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, else the errors.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Adds a prefix to every field path (for nested inputs or import rows).
    pub fn prefixed(self, prefix: &str) -> Self {
        FieldErrors(
            self.0
                .into_iter()
                .map(|e| FieldError { field: format!("{prefix}.{}", e.field), message: e.message })
                .collect(),
        )
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}
