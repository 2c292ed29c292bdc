//! Applying one field of a partial update onto an active model, shared by the inputs of
//! achievements and demands.

use sea_orm::{ActiveValue, Set};
use techex_core::text::{optional_text, required_text};
use techex_core::{FieldErrors, Patch, msg};

/// A free-text field of an input and the column it goes to.
pub(crate) type TextField<'a> = (&'a str, &'a Patch<String>, usize, &'a mut ActiveValue<Option<String>>);

/// Applies text patches: absent leaves the column, `null` or blank clears it, a value
/// is trimmed and bounded (an error names the field and leaves the column).
pub(crate) fn apply_texts<'a>(errors: &mut FieldErrors, fields: impl IntoIterator<Item = TextField<'a>>) {
    for (field, patch, max, target) in fields {
        match patch {
            Patch::Absent => {}
            Patch::Null => *target = Set(None),
            Patch::Value(text) => {
                if let Some(value) = errors.check(field, optional_text(Some(text), max)) {
                    *target = Set(value);
                }
            }
        }
    }
}

/// Applies an optional amount in minor units, checked for range.
pub(crate) fn apply_amount(
    errors: &mut FieldErrors,
    field: &str,
    patch: &Patch<i64>,
    target: &mut ActiveValue<Option<i64>>,
) {
    match patch {
        Patch::Absent => {}
        Patch::Null => *target = Set(None),
        Patch::Value(amount) => {
            if errors.check(field, techex_core::money::validate_amount_minor(*amount)).is_some() {
                *target = Set(Some(*amount));
            }
        }
    }
}

/// Cleans a list of short texts: trimmed, bounded, without blanks or repeats.
pub(crate) fn clean_list(
    errors: &mut FieldErrors,
    field: &str,
    items: &[String],
    max_items: usize,
    max_chars: usize,
) -> Vec<String> {
    if items.len() > max_items {
        errors.add(field, msg::TOO_MANY_ENTRIES.with("max", max_items));
    }
    let mut cleaned: Vec<String> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match required_text(item, max_chars) {
            Ok(text) if !cleaned.contains(&text) => cleaned.push(text),
            Ok(_) => {}
            Err(message) => errors.add(format!("{field}[{index}]"), message),
        }
    }
    cleaned
}

/// The value an active field will hold: the new one if set, else the current one.
pub(crate) fn merged<T: Clone + Into<sea_orm::Value>>(value: &ActiveValue<T>, current: Option<T>) -> Option<T> {
    match value {
        ActiveValue::Set(v) | ActiveValue::Unchanged(v) => Some(v.clone()),
        ActiveValue::NotSet => current,
    }
}
