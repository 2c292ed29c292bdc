//! Errors of the search domain.

use techex_core::{ErrorCode, Message};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query string does not parse; carries the character position.
    #[error("{0}")]
    Syntax(crate::syntax::SyntaxError),
    /// A request parameter is out of range or unknown.
    #[error("{field}: {message}")]
    Parameter { field: &'static str, message: Message },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Listings(#[from] techex_listings::ListingsError),
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("storage error: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl SearchError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SearchError::Syntax(_) | SearchError::Parameter { .. } => ErrorCode::Invalid,
            SearchError::NotFound(_) => ErrorCode::NotFound,
            SearchError::Listings(error) => error.code(),
            SearchError::Db(sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_)) => ErrorCode::Unavailable,
            _ => ErrorCode::Internal,
        }
    }

    /// A parameter that is out of range or unknown, and what is wrong with it.
    pub fn parameter(field: &'static str, message: impl Into<Message>) -> Self {
        SearchError::Parameter { field, message: message.into() }
    }
}

impl From<tantivy::directory::error::OpenDirectoryError> for SearchError {
    fn from(error: tantivy::directory::error::OpenDirectoryError) -> Self {
        SearchError::Index(error.into())
    }
}

impl From<tantivy::query::QueryParserError> for SearchError {
    fn from(error: tantivy::query::QueryParserError) -> Self {
        SearchError::Internal(error.to_string())
    }
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;
