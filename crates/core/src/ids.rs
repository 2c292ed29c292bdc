//! Identifiers are UUID v7: unique without coordination and ordered by creation time,
//! which makes "newest first" and cursor pagination an index scan on the primary key.

use uuid::Uuid;

/// A fresh, time-ordered identifier.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_created_later_sort_after_earlier_ones() {
        let first = new_id();
        let second = new_id();
        assert!(second > first);
        assert_eq!(first.get_version_num(), 7);
    }
}
