//! The errors of the listings domain, each with a code from `techex_core::ErrorCode`.

use techex_core::{ErrorCode, FieldErrors, Message};

#[derive(Debug, thiserror::Error)]
pub enum ListingsError {
    /// Absent, or hidden from this actor (the two are indistinguishable on purpose).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Why, worded at the edge in the reader's language (an English sentence without a key
    /// reads in Chinese as the problem's title).
    #[error("{0}")]
    Forbidden(Message),
    #[error("authentication required: {0}")]
    Unauthenticated(String),
    /// The action is not allowed from the entity's current state.
    #[error("cannot {action} {} {entity} that is {state}", article(.entity))]
    InvalidTransition { entity: &'static str, action: &'static str, state: String },
    #[error("{0}")]
    Conflict(Message),
    /// What was asked for existed but is no longer usable (a link past its time).
    #[error("{0}")]
    Gone(Message),
    #[error("version {given} is out of date: the current version is {current}")]
    Stale { given: i32, current: i32 },
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// A service techex depends on (the payment provider) cannot be reached.
    #[error("{0}")]
    Unavailable(String),
    #[error("storage error: {0}")]
    Io(#[from] std::io::Error),
    /// The document store: unreachable (503), or bytes that do not match their hash.
    #[error("{0}")]
    Blob(#[from] crate::blobs::BlobError),
    #[error("internal error: {0}")]
    Internal(String),
}

/// `a` or `an` before an entity's name ("an achievement", "an offer", "a user").
fn article(noun: &str) -> &'static str {
    let vowel_sound = noun.starts_with(['a', 'e', 'i', 'o']) || (noun.starts_with('u') && !noun.starts_with("us"));
    if vowel_sound { "an" } else { "a" }
}

impl ListingsError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ListingsError::NotFound(_) => ErrorCode::NotFound,
            ListingsError::Forbidden(_) => ErrorCode::Forbidden,
            ListingsError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            ListingsError::InvalidTransition { .. } | ListingsError::Conflict(_) => ErrorCode::Conflict,
            ListingsError::Gone(_) => ErrorCode::Gone,
            ListingsError::Stale { .. } => ErrorCode::Stale,
            ListingsError::Invalid(_) => ErrorCode::Invalid,
            ListingsError::RateLimited { .. } => ErrorCode::RateLimited,
            ListingsError::Db(error) => match error {
                sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_) => ErrorCode::Unavailable,
                _ => ErrorCode::Internal,
            },
            ListingsError::Unavailable(_) => ErrorCode::Unavailable,
            ListingsError::Blob(crate::blobs::BlobError::Unavailable { .. }) => ErrorCode::Unavailable,
            ListingsError::Io(_) | ListingsError::Internal(_) | ListingsError::Blob(_) => ErrorCode::Internal,
        }
    }

    /// A single-field validation error.
    pub fn invalid(field: &str, message: impl Into<Message>) -> Self {
        ListingsError::Invalid(FieldErrors::single(field, message))
    }

    /// A `from`..`to` range of days (both optional, both inclusive) that ends before it
    /// begins is refused on `to` (422), the same way wherever a list takes one.
    pub fn check_date_range(from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>) -> Result<(), Self> {
        match (from, to) {
            (Some(from), Some(to)) if to < from => {
                Err(ListingsError::invalid("to", techex_core::msg::DATE_RANGE_REVERSED))
            }
            _ => Ok(()),
        }
    }

    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            ListingsError::Invalid(errors) => Some(errors),
            _ => None,
        }
    }

    /// Maps a unique-constraint violation to a conflict with a readable message.
    pub fn from_db_unique(error: sea_orm::DbErr, message: impl Into<Message>) -> Self {
        match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ListingsError::Conflict(message.into()),
            _ => ListingsError::Db(error),
        }
    }
}

impl From<FieldErrors> for ListingsError {
    fn from(errors: FieldErrors) -> Self {
        ListingsError::Invalid(errors)
    }
}

pub type Result<T, E = ListingsError> = std::result::Result<T, E>;

/// Checks an `If-Match` version against the stored one.
pub fn check_version(expected: Option<i32>, current: i32) -> Result<()> {
    match expected {
        Some(given) if given != current => Err(ListingsError::Stale { given, current }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod article_tests {
    use super::ListingsError;

    #[test]
    fn an_entity_gets_the_article_its_sound_takes() {
        let says = |entity: &'static str| {
            ListingsError::InvalidTransition { entity, action: "edit", state: "published".into() }.to_string()
        };
        assert_eq!(says("achievement"), "cannot edit an achievement that is published");
        assert_eq!(says("offer"), "cannot edit an offer that is published");
        assert_eq!(says("user"), "cannot edit a user that is published");
        assert_eq!(says("milestone"), "cannot edit a milestone that is published");
    }
}
