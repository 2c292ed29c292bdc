//! Money is an integer number of minor units (fen for CNY) with a currency. Never a float.

use crate::message::{Message, keys as msg};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// ISO 4217 currencies accepted on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
pub enum Currency {
    #[default]
    CNY,
    USD,
    EUR,
    HKD,
}

impl Currency {
    pub const ALL: [Currency; 4] = [Currency::CNY, Currency::USD, Currency::EUR, Currency::HKD];

    pub fn code(self) -> &'static str {
        match self {
            Currency::CNY => "CNY",
            Currency::USD => "USD",
            Currency::EUR => "EUR",
            Currency::HKD => "HKD",
        }
    }

    /// Parses an ISO code, case-insensitively.
    pub fn parse(code: &str) -> Result<Self, Message> {
        let upper = code.trim().to_ascii_uppercase();
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == upper)
            .ok_or_else(|| msg::CURRENCY_UNSUPPORTED.with("input", code).with("allowed", "CNY, USD, EUR, HKD"))
    }
}

/// An amount of money in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Money {
    /// Amount in minor units (fen, cents).
    pub amount_minor: i64,
    pub currency: Currency,
}

/// The largest amount the platform accepts: 10^13 minor units (100 billion yuan).
/// Anything larger is a typo, and staying far below i64::MAX keeps sums safe.
pub const MAX_AMOUNT_MINOR: i64 = 10_000_000_000_000;

impl Money {
    /// A validated amount: not negative and not absurd.
    pub fn new(amount_minor: i64, currency: Currency) -> Result<Self, Message> {
        validate_amount_minor(amount_minor)?;
        Ok(Money { amount_minor, currency })
    }

    /// Renders the amount in major units with two decimals, e.g. `1200.50 CNY`.
    pub fn display_major(&self) -> String {
        format!("{} {}", format_major(self.amount_minor), self.currency.code())
    }
}

/// Checks that an amount in minor units is within the accepted range.
pub fn validate_amount_minor(amount_minor: i64) -> Result<(), Message> {
    if amount_minor < 0 {
        return Err(msg::AMOUNT_NEGATIVE.into());
    }
    if amount_minor > MAX_AMOUNT_MINOR {
        return Err(msg::AMOUNT_TOO_LARGE.into());
    }
    Ok(())
}

/// Formats minor units as a major-unit decimal string with two places (`123456` → `1234.56`).
pub fn format_major(amount_minor: i64) -> String {
    let sign = if amount_minor < 0 { "-" } else { "" };
    let abs = amount_minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Parses an amount written by a person in major units into minor units, exactly.
///
/// Accepts `120000`, `1,200.5`, `¥3000`, and the Chinese `万` (ten thousand) and `亿`
/// (hundred million) multipliers common in tech-transfer spreadsheets: `50万`, `1.25万元`.
pub fn parse_major_amount(input: &str) -> Result<i64, Message> {
    let cleaned: String = input
        .trim()
        .trim_start_matches(['¥', '￥', '$', '€'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Err(msg::AMOUNT_EMPTY.into());
    }
    let (number, multiplier_exp) = if let Some(rest) = cleaned.strip_suffix('万') {
        (rest, 4u32)
    } else if let Some(rest) = cleaned.strip_suffix('亿') {
        (rest, 8u32)
    } else {
        (cleaned.as_str(), 0u32)
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if whole.is_empty() && fraction.is_empty() {
        return Err(msg::AMOUNT_INVALID.with("input", input));
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(msg::AMOUNT_INVALID.with("input", input));
    }
    // Scale to minor units: 2 decimals plus the multiplier's exponent.
    let scale = 2 + multiplier_exp as usize;
    if fraction.len() > scale {
        return Err(msg::AMOUNT_TOO_PRECISE.with("input", input));
    }
    let digits = format!("{whole}{fraction:0<scale$}");
    let trimmed = digits.trim_start_matches('0');
    if trimmed.len() > 18 {
        return Err(msg::AMOUNT_TOO_LARGE.into());
    }
    let minor: i64 =
        if trimmed.is_empty() { 0 } else { trimmed.parse().map_err(|_| msg::AMOUNT_INVALID.with("input", input))? };
    validate_amount_minor(minor)?;
    Ok(minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_decimal_amounts() {
        assert_eq!(parse_major_amount("120000"), Ok(12_000_000));
        assert_eq!(parse_major_amount("1,200.5"), Ok(120_050));
        assert_eq!(parse_major_amount("¥3000"), Ok(300_000));
        assert_eq!(parse_major_amount("0.01"), Ok(1));
    }

    #[test]
    fn parses_chinese_multipliers() {
        assert_eq!(parse_major_amount("50万"), Ok(50_000_000));
        assert_eq!(parse_major_amount("1.25万元"), Ok(1_250_000));
        assert_eq!(parse_major_amount("2亿"), Ok(20_000_000_000));
    }

    #[test]
    fn rejects_garbage_negative_and_overprecise_amounts() {
        assert!(parse_major_amount("abc").is_err());
        assert!(parse_major_amount("-5").is_err());
        assert!(parse_major_amount("1.234").is_err());
        assert!(parse_major_amount("").is_err());
        assert!(parse_major_amount("99999999999999999999999").is_err());
        assert!(parse_major_amount("2000亿").is_err());
    }

    #[test]
    fn formats_minor_units_as_major() {
        assert_eq!(format_major(123_456), "1234.56");
        assert_eq!(format_major(5), "0.05");
        assert_eq!(Money::new(100, Currency::CNY).map(|m| m.display_major()), Ok("1.00 CNY".into()));
    }
}
