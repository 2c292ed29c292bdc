//! Messages that say *what* is wrong without saying it in a language.
//!
//! A domain check returns a [`Message`]: a stable key from the registry in [`keys`] and
//! the values it quotes. The server renders it in the reader's language from the
//! translation files; nothing below the HTTP edge holds a sentence for a person.

pub mod keys;

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A value quoted by a message: a number (the translation picks its plural form from it)
/// or a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MessageArg {
    Number(i64),
    Text(String),
}

impl fmt::Display for MessageArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageArg::Number(number) => write!(f, "{number}"),
            MessageArg::Text(text) => f.write_str(text),
        }
    }
}

impl From<i64> for MessageArg {
    fn from(value: i64) -> Self {
        MessageArg::Number(value)
    }
}

impl From<i32> for MessageArg {
    fn from(value: i32) -> Self {
        MessageArg::Number(i64::from(value))
    }
}

impl From<i16> for MessageArg {
    fn from(value: i16) -> Self {
        MessageArg::Number(i64::from(value))
    }
}

impl From<u32> for MessageArg {
    fn from(value: u32) -> Self {
        MessageArg::Number(i64::from(value))
    }
}

impl From<usize> for MessageArg {
    fn from(value: usize) -> Self {
        MessageArg::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<u64> for MessageArg {
    fn from(value: u64) -> Self {
        MessageArg::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<String> for MessageArg {
    fn from(value: String) -> Self {
        MessageArg::Text(value)
    }
}

impl From<&str> for MessageArg {
    fn from(value: &str) -> Self {
        MessageArg::Text(value.to_string())
    }
}

impl From<char> for MessageArg {
    fn from(value: char) -> Self {
        MessageArg::Text(value.to_string())
    }
}

/// The stable name of a message in the translation files (`patent-wrong-check-digit`).
/// Only the constants of [`keys`] exist, so every key used is in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct MessageKey(&'static str);

impl MessageKey {
    /// The key as written in the `.ftl` files.
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// The message with one quoted value; chain [`Message::with`] for more.
    pub fn with(self, name: &'static str, value: impl Into<MessageArg>) -> Message {
        Message::new(self).with(name, value)
    }
}

/// What is wrong, as a key and the values it quotes; rendered at the edge in the
/// reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub key: MessageKey,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<&'static str, MessageArg>,
}

impl Message {
    /// A message without quoted values.
    pub fn new(key: MessageKey) -> Self {
        Message { key, args: BTreeMap::new() }
    }

    /// Adds a quoted value (`$name` in the translation).
    pub fn with(mut self, name: &'static str, value: impl Into<MessageArg>) -> Self {
        self.args.insert(name, value.into());
        self
    }

    /// A text that has no key yet, shown as it is in every language. Kept for texts
    /// made by libraries (a parser's own explanation); a rule of ours gets a key.
    pub fn verbatim(text: impl Into<String>) -> Self {
        keys::VERBATIM.with("text", text.into())
    }

    /// A quoted value, if the message has it.
    pub fn arg(&self, name: &str) -> Option<&MessageArg> {
        self.args.get(name)
    }
}

impl From<MessageKey> for Message {
    fn from(key: MessageKey) -> Self {
        Message::new(key)
    }
}

/// An English sentence without a key yet (a domain rule's refusal not translated so far):
/// shown as it is to English readers, as the problem's own title to others.
impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::verbatim(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::verbatim(text)
    }
}

/// For logs and tests: the key and its values, `text-too-long(count=12, max=10)`.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key == keys::VERBATIM
            && let Some(text) = self.arg("text")
        {
            return write!(f, "{text}");
        }
        f.write_str(self.key.as_str())?;
        if !self.args.is_empty() {
            let parts: Vec<String> = self.args.iter().map(|(name, value)| format!("{name}={value}")).collect();
            write!(f, "({})", parts.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Message {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_its_key_and_values_for_the_log() {
        let message = keys::TEXT_TOO_LONG.with("max", 10usize).with("count", 12usize);
        assert_eq!(message.to_string(), "text-too-long(count=12, max=10)");
        assert_eq!(Message::verbatim("as is").to_string(), "as is");
    }

    #[test]
    fn registered_keys_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for key in keys::ALL {
            assert!(seen.insert(key.as_str()), "{} registered twice", key.as_str());
            assert!(
                key.as_str().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not a Fluent identifier in kebab case",
                key.as_str()
            );
        }
    }
}
