//! Cursor pagination over time-ordered ids: a page is "the next N items after this id"
//! in newest-first order, so pages never repeat or skip items while others write.

use crate::message::{Message, keys as msg};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Items per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The most items one page may hold.
pub const MAX_PAGE_SIZE: u64 = 100;

/// An opaque position in a list: the id of the last item of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub Uuid);

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }

    pub fn decode(token: &str) -> Result<Self, Message> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| Message::new(msg::CURSOR_INVALID))?;
        let id = Uuid::from_slice(&bytes).map_err(|_| Message::new(msg::CURSOR_INVALID))?;
        Ok(Cursor(id))
    }
}

/// A validated request for one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u64,
    pub after: Option<Cursor>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { limit: DEFAULT_PAGE_SIZE, after: None }
    }
}

impl PageRequest {
    /// Validates the raw `limit` and `cursor` query parameters.
    pub fn parse(limit: Option<u64>, cursor: Option<&str>) -> Result<Self, (&'static str, Message)> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if limit == 0 || limit > MAX_PAGE_SIZE {
            return Err(("limit", msg::LIMIT_OUT_OF_RANGE.with("min", 1).with("max", MAX_PAGE_SIZE)));
        }
        let after = match cursor {
            Some(token) if !token.is_empty() => Some(Cursor::decode(token).map_err(|e| ("cursor", e))?),
            _ => None,
        };
        Ok(PageRequest { limit, after })
    }
}

/// One page of a list, with the cursor of the next page when there is one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only proves
    /// that another page exists.
    pub fn from_rows(mut rows: Vec<T>, limit: u64, id_of: impl Fn(&T) -> Uuid) -> Self {
        let has_more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if has_more { rows.last().map(|last| Cursor(id_of(last)).encode()) } else { None };
        Page { items: rows, next_cursor }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let cursor = Cursor(crate::new_id());
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        assert!(Cursor::decode("not a cursor!").is_err());
        assert!(Cursor::decode("AAAA").is_err());
    }

    #[test]
    fn limits_are_bounded() {
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(101), None).is_err());
        assert_eq!(PageRequest::parse(None, None).map(|p| p.limit), Ok(DEFAULT_PAGE_SIZE));
    }

    #[test]
    fn page_has_next_cursor_only_when_more_rows_exist() {
        let ids: Vec<Uuid> = (0..3).map(|_| crate::new_id()).collect();
        let page = Page::from_rows(ids.clone(), 2, |id| *id);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next_cursor, Some(Cursor(ids[1]).encode()));
        let last = Page::from_rows(ids, 3, |id| *id);
        assert_eq!(last.next_cursor, None);
    }
}
