//! The 18-character unified social credit code (统一社会信用代码, GB 32100-2015) that every
//! Chinese legal entity carries, with its check character.

use crate::message::{Message, keys as msg};
use std::fmt;

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A unified social credit code whose check character is correct.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses a code, ignoring surrounding space and letter case.
    pub fn parse(input: &str) -> Result<Self, Message> {
        let code = input.trim().to_ascii_uppercase();
        if code.chars().count() != 18 {
            return Err(msg::CREDIT_CODE_LENGTH.with("input", input));
        }
        let mut values = Vec::with_capacity(18);
        for (position, c) in code.chars().enumerate() {
            match char_value(c) {
                Some(v) => values.push(v),
                None => {
                    return Err(msg::CREDIT_CODE_CHARACTER
                        .with("input", input)
                        .with("character", c)
                        .with("position", position + 1));
                }
            }
        }
        let expected = check_character(&code[..17]);
        if code.chars().nth(17) != Some(expected) {
            return Err(msg::CREDIT_CODE_WRONG_CHECK.with("input", input).with("expected", expected));
        }
        Ok(CreditCode(code))
    }

    /// Completes 17 characters with their check character.
    pub fn from_prefix(prefix: &str) -> Result<Self, crate::message::Message> {
        Self::parse(&format!("{prefix}{}", check_character(&prefix.to_ascii_uppercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn char_value(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters of a code.
pub fn check_character(first_seventeen: &str) -> char {
    let sum: u32 = first_seventeen.chars().zip(WEIGHTS.iter()).map(|(c, w)| char_value(c).unwrap_or(0) * w).sum();
    let check = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(check as usize).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_published_codes() {
        // Codes printed on public business licences.
        for code in ["91350100M000100Y43", "911100001000079554", "91110000802100433B"] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
        assert_eq!(CreditCode::parse(" 91350100m000100y43 ").map(|c| c.to_string()), Ok("91350100M000100Y43".into()));
    }

    #[test]
    fn rejects_wrong_check_length_and_alphabet() {
        assert!(CreditCode::parse("91350100M000100Y44").is_err());
        assert!(CreditCode::parse("91350100M000100Y4").is_err());
        assert!(CreditCode::parse("91350100M0001O0Y43").is_err(), "O is not in the alphabet");
        assert!(CreditCode::parse("").is_err());
        assert!(CreditCode::parse("九1350100M000100Y43").is_err());
    }

    proptest! {
        #[test]
        fn completed_prefixes_always_parse(prefix in "[0-9A-HJ-NP-RTUWXY]{17}") {
            prop_assert!(CreditCode::from_prefix(&prefix).is_ok());
        }

        #[test]
        fn parse_never_panics(input in ".{0,30}") {
            let _ = CreditCode::parse(&input);
        }
    }
}
