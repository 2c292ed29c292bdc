//! Chinese patent application numbers (专利申请号) with their check digit.
//!
//! Since 2003 a number is `YYYY T NNNNNNN . C`: filing year, type digit (1 invention,
//! 2 utility model, 3 design, 8 PCT invention, 9 PCT utility model), a 7-digit serial,
//! and a check character. Before 2003 it was `YY T NNNNN . C`. The check character is
//! the sum of the digits weighted 2,3,4,5,6,7,8,9,2,3,4,5 modulo 11, with 10 written `X`.
//! A granted patent is written with the prefix `ZL`; `CN` is also seen in the wild.

use crate::message::{Message, keys as msg};
use std::fmt;

const WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

/// A well-formed number with a correct check digit, for placeholders and for the examples
/// in error messages (a test proves it parses): an example must pass the check it explains.
pub const EXAMPLE: &str = "202310123456.6";

/// The kind of right a patent application number is for, from its type digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatentType {
    Invention,
    UtilityModel,
    Design,
}

/// A syntactically valid application number with a correct check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PatentNumber {
    /// The digits before the dot (12 for modern numbers, 8 for pre-2003 ones).
    digits: String,
    check: char,
}

impl PatentNumber {
    /// Parses `202310123456.6`, `ZL202310123456.6`, `CN 2023 1 0123456.6`, `2023101234566`
    /// and the pre-2003 form `95115608.X`; rejects a wrong check character.
    pub fn parse(input: &str) -> Result<Self, Message> {
        let compact: String =
            input.trim().chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let body = compact.strip_prefix("ZL").or_else(|| compact.strip_prefix("CN")).unwrap_or(&compact);
        if !body.is_ascii() {
            return Err(msg::PATENT_NUMBER_INVALID.with("input", input).with("example", EXAMPLE));
        }
        let (digits, check) = match body.split_once('.') {
            Some((digits, check)) => (digits.to_string(), check.to_string()),
            None if body.len() == 13 || body.len() == 9 => {
                let (digits, check) = body.split_at(body.len() - 1);
                (digits.to_string(), check.to_string())
            }
            None => {
                return Err(msg::PATENT_NUMBER_INVALID.with("input", input).with("example", EXAMPLE));
            }
        };
        if !(digits.len() == 12 || digits.len() == 8) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(msg::PATENT_NUMBER_INVALID.with("input", input).with("example", EXAMPLE));
        }
        let mut check_chars = check.chars();
        let (Some(check), None) = (check_chars.next(), check_chars.next()) else {
            return Err(msg::PATENT_CHECK_CHARACTER_MISSING.with("input", input));
        };
        let type_digit = if digits.len() == 12 { digits.as_bytes()[4] } else { digits.as_bytes()[2] };
        if !matches!(type_digit, b'1' | b'2' | b'3' | b'8' | b'9') {
            return Err(msg::PATENT_TYPE_DIGIT_UNKNOWN.with("input", input).with("digit", type_digit as char));
        }
        let expected = check_character(&digits);
        if check != expected {
            return Err(msg::PATENT_WRONG_CHECK_DIGIT.with("input", input).with("expected", expected));
        }
        Ok(PatentNumber { digits, check })
    }

    /// Builds a valid number from its 12 (or 8) digits by computing the check character.
    pub fn from_digits(digits: &str) -> Result<Self, Message> {
        let check = check_character(digits);
        Self::parse(&format!("{digits}.{check}"))
    }

    /// The application number in canonical form: `202310123456.6`.
    pub fn application_number(&self) -> String {
        format!("{}.{}", self.digits, self.check)
    }

    /// The granted-patent form: `ZL202310123456.6`.
    pub fn granted_number(&self) -> String {
        format!("ZL{}", self.application_number())
    }

    /// The filing year.
    pub fn year(&self) -> u32 {
        if self.digits.len() == 12 {
            self.digits[..4].parse().unwrap_or(0)
        } else {
            1900 + self.digits[..2].parse::<u32>().unwrap_or(0)
        }
    }

    /// The right this number is for.
    pub fn patent_type(&self) -> PatentType {
        let type_digit = if self.digits.len() == 12 { self.digits.as_bytes()[4] } else { self.digits.as_bytes()[2] };
        match type_digit {
            b'2' | b'9' => PatentType::UtilityModel,
            b'3' => PatentType::Design,
            _ => PatentType::Invention,
        }
    }
}

impl fmt::Display for PatentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.application_number())
    }
}

/// The check character for a string of digits (non-digits count as zero).
pub fn check_character(digits: &str) -> char {
    let sum: u32 = digits.chars().zip(WEIGHTS.iter().cycle()).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    match sum % 11 {
        10 => 'X',
        n => char::from_digit(n, 10).unwrap_or('0'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_real_numbers_in_every_written_form() {
        // 201710601862.3 and ZL95115608.X are published CNIPA numbers.
        for input in ["201710601862.3", "ZL201710601862.3", "CN 2017 1 0601862.3", "2017106018623", "zl201710601862.3"]
        {
            let parsed = PatentNumber::parse(input);
            assert_eq!(parsed.map(|p| p.application_number()), Ok("201710601862.3".to_string()), "{input}");
        }
        let old = PatentNumber::parse("ZL95115608.X");
        assert_eq!(old.as_ref().map(|p| p.year()), Ok(1995));
        assert_eq!(old.map(|p| p.granted_number()), Ok("ZL95115608.X".to_string()));
    }

    #[test]
    fn the_example_shown_to_users_passes_the_check() {
        let digits = EXAMPLE.split('.').next().unwrap_or_default();
        assert_eq!(PatentNumber::parse(EXAMPLE).map(|p| p.application_number()), Ok(EXAMPLE.to_string()));
        assert_eq!(PatentNumber::from_digits(digits).map(|p| p.application_number()), Ok(EXAMPLE.to_string()));
        for wrong in ["2023101234", "2023x0123456.6"] {
            let message = PatentNumber::parse(wrong).err();
            let example = message.as_ref().and_then(|m| m.arg("example")).map(ToString::to_string);
            assert_eq!(example.as_deref(), Some(EXAMPLE), "{message:?}");
        }
    }

    #[test]
    fn rejects_wrong_check_digit_and_malformed_numbers() {
        assert!(PatentNumber::parse("201710601862.4").is_err());
        assert!(PatentNumber::parse("202210123456.7").is_err());
        assert!(PatentNumber::parse("20171060186.3").is_err());
        assert!(PatentNumber::parse("2017A0601862.3").is_err());
        assert!(PatentNumber::parse("201750601862.3").is_err(), "type digit 5 does not exist");
        assert!(PatentNumber::parse("").is_err());
        assert!(PatentNumber::parse("201710601862.33").is_err());
    }

    #[test]
    fn type_digit_tells_the_right() {
        let utility = PatentNumber::from_digits("202220123456").map(|p| p.patent_type());
        assert_eq!(utility, Ok(PatentType::UtilityModel));
        let design = PatentNumber::from_digits("202230123456").map(|p| p.patent_type());
        assert_eq!(design, Ok(PatentType::Design));
    }

    proptest! {
        #[test]
        fn any_number_built_from_digits_round_trips(year in 2003u32..2030, kind in prop::sample::select(vec![1u32, 2, 3, 8, 9]), serial in 0u32..10_000_000) {
            let digits = format!("{year}{kind}{serial:07}");
            let number = PatentNumber::from_digits(&digits).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let reparsed = PatentNumber::parse(&number.granted_number()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(reparsed, number);
        }

        #[test]
        fn changing_one_digit_breaks_the_check(year in 2003u32..2030, serial in 0u32..10_000_000, position in 0usize..12, delta in 1u32..10) {
            let digits = format!("{year}1{serial:07}");
            let check = check_character(&digits);
            let mut altered: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
            altered[position] = (altered[position] + delta) % 10;
            let altered: String = altered.iter().filter_map(|d| char::from_digit(*d, 10)).collect();
            // Weights are all non-zero and below 11, so a single-digit change always changes the sum mod 11.
            let candidate = format!("{altered}.{check}");
            prop_assert!(PatentNumber::parse(&candidate).is_err());
        }

        #[test]
        fn parse_never_panics(input in ".{0,40}") {
            let _ = PatentNumber::parse(&input);
        }

        #[test]
        fn parse_never_panics_on_digit_like_input(input in "(ZL|CN)?[0-9０-９.Xx長]{8,14}") {
            let _ = PatentNumber::parse(&input);
        }
    }
}
