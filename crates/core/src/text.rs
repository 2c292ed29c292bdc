//! Validation of free text, e-mail addresses and passwords.

use crate::message::{Message, keys as msg};

/// Trims and checks the length (in characters) of a required text.
pub fn required_text(value: &str, max_chars: usize) -> Result<String, Message> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(msg::TEXT_EMPTY.into());
    }
    bounded_text(trimmed, max_chars)
}

/// Trims an optional text; empty becomes `None`.
pub fn optional_text(value: Option<&str>, max_chars: usize) -> Result<Option<String>, Message> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => bounded_text(text, max_chars).map(Some),
    }
}

fn bounded_text(text: &str, max_chars: usize) -> Result<String, Message> {
    let count = text.chars().count();
    if count > max_chars {
        return Err(msg::TEXT_TOO_LONG.with("max", max_chars).with("count", count));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(msg::TEXT_CONTROL_CHARACTERS.into());
    }
    Ok(text.to_string())
}

/// Normalizes and checks an e-mail address (lower-cased).
pub fn parse_email(input: &str) -> Result<String, Message> {
    let email = input.trim().to_lowercase();
    let Some((local, domain)) = email.split_once('@') else {
        return Err(msg::EMAIL_INVALID.with("input", input));
    };
    let valid = !local.is_empty()
        && email.len() <= 254
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid { Ok(email) } else { Err(msg::EMAIL_INVALID.with("input", input)) }
}

/// Passwords people commonly pick, refused whatever their length.
const COMMON_PASSWORDS: &[&str] = &[
    "password123",
    "password1234",
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "qwerty12345",
    "1q2w3e4r5t",
    "iloveyou123",
    "administrator",
    "abc123456789",
    "0987654321",
    "a1234567890",
    "password!23",
    "passw0rd123",
];

/// The minimum length of a password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Checks a new password: at least 10 characters and 2 kinds of character, not a
/// well-known password and not the e-mail address's name.
pub fn check_password_strength(password: &str, email: &str) -> Result<(), Message> {
    let count = password.chars().count();
    if count < MIN_PASSWORD_CHARS {
        return Err(msg::PASSWORD_TOO_SHORT.with("min", MIN_PASSWORD_CHARS));
    }
    if count > 128 {
        return Err(msg::PASSWORD_TOO_LONG.with("max", 128usize));
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
        password.chars().any(|c| c.is_alphabetic() && !c.is_lowercase() && !c.is_uppercase()),
    ];
    if classes.iter().filter(|present| **present).count() < 2 {
        return Err(msg::PASSWORD_TOO_SIMPLE.into());
    }
    let lowered = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lowered.as_str()) {
        return Err(msg::PASSWORD_COMMON.into());
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 4 && lowered.contains(&local) {
        return Err(msg::PASSWORD_CONTAINS_EMAIL.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(parse_email(" Buyer@Example.COM "), Ok("buyer@example.com".into()));
        for bad in ["", "no-at", "@x.com", "a@b", "a b@c.com", "a@.com", "a@b.com."] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_password_strength("short1!", "a@b.com").is_err());
        assert!(check_password_strength("abcdefghijkl", "a@b.com").is_err());
        assert!(check_password_strength("Password123", "a@b.com").is_err(), "common");
        assert!(check_password_strength("zhangwei-2026", "zhangwei@b.com").is_err(), "contains e-mail name");
        assert!(check_password_strength("techex-demo", "seller@techex.local").is_ok());
        assert!(check_password_strength("海水淡化膜材料2026", "a@b.com").is_ok());
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(required_text("  标题 ", 10), Ok("标题".into()));
        assert!(required_text("   ", 10).is_err());
        assert!(required_text("一二三四五六七八九十一", 10).is_err());
        assert_eq!(optional_text(Some(" "), 5), Ok(None));
        assert!(required_text("a\u{0}b", 10).is_err());
    }
}
