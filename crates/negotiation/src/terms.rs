//! The structured terms of an offer and of the agreement it becomes: mode, price (lump
//! sum and/or running royalty with a minimum), the payment schedule as milestones,
//! territory, term, exclusivity and improvements. Money is integer minor units; rates are
//! basis points. Validation names every offending field.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use techex_core::domain::{RoyaltyBase, TransactionMode};
use techex_core::money::{MAX_AMOUNT_MINOR, validate_amount_minor};
use techex_core::text::{optional_text, required_text};
use techex_core::{Currency, FieldErrors};
use utoipa::ToSchema;

/// 100% in basis points.
pub const FULL_BPS: i32 = 10_000;
/// The longest term a technology contract may run here.
pub const MAX_TERM_YEARS: i32 = 50;
/// The most milestones a schedule may have.
pub const MAX_MILESTONES: usize = 24;
/// How far ahead an offer may stay open.
pub const MAX_VALIDITY_DAYS: i64 = 365;

/// Who owns improvements made to the technology after the deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Improvements {
    /// Each party owns the improvements it makes (the Civil Code's default, art. 875).
    EachOwn,
    /// The licensor / assignor owns them.
    Seller,
    /// The licensee / assignee owns them.
    Buyer,
    /// Owned jointly.
    Joint,
}

/// One payment of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneTerm {
    /// What the payment is for, e.g. "签约后首付款 / Down payment on signing".
    #[schema(max_length = 200)]
    pub title: String,
    /// Amount in minor units.
    #[schema(minimum = 1, maximum = 10_000_000_000_000_i64)]
    pub amount_minor: i64,
    /// Days after the contract is signed when the payment falls due.
    #[schema(minimum = 0, maximum = 36600)]
    pub due_days_after_signing: i32,
    /// What the buyer checks before accepting the milestone (delivery, acceptance test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub acceptance_criteria: Option<String>,
}

/// The terms of an offer, as proposed (input) and as frozen into an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    pub mode: TransactionMode,
    #[serde(default)]
    pub currency: Currency,
    /// Lump sum (or entry fee when a royalty is also agreed), minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub lump_sum_minor: Option<i64>,
    /// Running royalty on sales, basis points (0–10000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 10000)]
    pub royalty_bps: Option<i32>,
    /// What the royalty is a share of: `net_sales` (when left out) or `profit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub royalty_base: Option<RoyaltyBase>,
    /// Minimum royalty per year, minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub royalty_minimum_minor: Option<i64>,
    /// For an equity contribution: the share of the company, basis points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 10000)]
    pub equity_bps: Option<i32>,
    /// The payment schedule; its amounts add up to the lump sum.
    #[serde(default)]
    #[schema(max_items = 24)]
    pub milestones: Vec<MilestoneTerm>,
    /// Where the rights may be exercised, e.g. "中国大陆 / Mainland China".
    #[schema(max_length = 200)]
    pub territory: String,
    /// Term in years (1–50).
    #[schema(minimum = 1, maximum = 50)]
    pub term_years: i32,
    /// Whether the buyer gets exclusive rights (implied by assignment and exclusive licence).
    #[serde(default)]
    pub exclusive: bool,
    #[serde(default = "default_improvements")]
    pub improvements: Improvements,
    /// Anything else the parties agree in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

fn default_improvements() -> Improvements {
    Improvements::EachOwn
}

impl Terms {
    /// Checks the terms; `now` judges the validity deadline given with them.
    pub fn validate(&mut self, valid_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(amount) = self.lump_sum_minor {
            errors.check("lump_sum_minor", validate_amount_minor(amount));
        }
        if let Some(amount) = self.royalty_minimum_minor {
            errors.check("royalty_minimum_minor", validate_amount_minor(amount));
            if self.royalty_bps.is_none() {
                errors.add("royalty_minimum_minor", techex_core::msg::ROYALTY_MINIMUM_NEEDS_RATE);
            }
        }
        if let Some(rate) = self.royalty_bps
            && !(0..=FULL_BPS).contains(&rate)
        {
            errors.add("royalty_bps", techex_core::msg::bps_range(0, FULL_BPS));
        }
        if self.royalty_base.is_some() && self.royalty_bps.is_none() {
            errors.add("royalty_base", techex_core::msg::ROYALTY_BASE_NEEDS_RATE);
        }
        if let Some(share) = self.equity_bps {
            if !(1..=FULL_BPS).contains(&share) {
                errors.add("equity_bps", techex_core::msg::bps_range(1, FULL_BPS));
            }
        } else if self.mode == TransactionMode::Equity {
            errors.add("equity_bps", techex_core::msg::EQUITY_SHARE_REQUIRED);
        }
        let priced = self.lump_sum_minor.is_some_and(|a| a > 0)
            || self.royalty_bps.is_some_and(|r| r > 0)
            || self.equity_bps.is_some();
        if !priced && errors.is_empty() {
            errors.add("lump_sum_minor", techex_core::msg::TERMS_NEED_PRICE);
        }
        if !(1..=MAX_TERM_YEARS).contains(&self.term_years) {
            errors.add("term_years", techex_core::msg::YEARS_OUT_OF_RANGE.with("min", 1).with("max", MAX_TERM_YEARS));
        }
        match required_text(&self.territory, 200) {
            Ok(text) => self.territory = text,
            Err(message) => errors.add("territory", message),
        }
        match optional_text(self.notes.as_deref(), 5000) {
            Ok(text) => self.notes = text,
            Err(message) => errors.add("notes", message),
        }
        if matches!(self.mode, TransactionMode::Assignment | TransactionMode::ExclusiveLicense) {
            self.exclusive = true;
        }
        if self.milestones.len() > MAX_MILESTONES {
            errors.add("milestones", techex_core::msg::TOO_MANY_ENTRIES.with("max", MAX_MILESTONES));
        }
        let mut total: i64 = 0;
        for (index, milestone) in self.milestones.iter_mut().enumerate() {
            let field = |name: &str| format!("milestones[{index}].{name}");
            match required_text(&milestone.title, 200) {
                Ok(text) => milestone.title = text,
                Err(message) => errors.add(field("title"), message),
            }
            if milestone.amount_minor <= 0 {
                errors.add(field("amount_minor"), techex_core::msg::AMOUNT_NOT_POSITIVE);
            } else if milestone.amount_minor > MAX_AMOUNT_MINOR {
                errors.add(field("amount_minor"), techex_core::msg::AMOUNT_TOO_LARGE);
            } else {
                total = total.saturating_add(milestone.amount_minor);
            }
            if !(0..=36_600).contains(&milestone.due_days_after_signing) {
                errors.add(
                    field("due_days_after_signing"),
                    techex_core::msg::DAYS_OUT_OF_RANGE.with("min", 0).with("max", 36_600),
                );
            }
            match optional_text(milestone.acceptance_criteria.as_deref(), 2000) {
                Ok(text) => milestone.acceptance_criteria = text,
                Err(message) => errors.add(field("acceptance_criteria"), message),
            }
        }
        if let Some(lump) = self.lump_sum_minor
            && !self.milestones.is_empty()
            && total != lump
            && errors.0.iter().all(|e| !e.field.starts_with("milestones"))
        {
            errors.add("milestones", techex_core::msg::MILESTONES_SUM_MISMATCH.with("total", total).with("lump", lump));
        }
        if self.lump_sum_minor.is_none() && !self.milestones.is_empty() {
            errors.add("milestones", techex_core::msg::MILESTONES_NEED_LUMP_SUM);
        }
        let in_order = self.milestones.windows(2).all(|w| w[0].due_days_after_signing <= w[1].due_days_after_signing);
        if !in_order {
            errors.add("milestones", techex_core::msg::MILESTONES_OUT_OF_ORDER);
        }
        if let Some(deadline) = valid_until
            && let Err(message) = check_valid_until(deadline, now)
        {
            errors.add("valid_until", message);
        }
        errors.into_result()
    }

    /// When there is a lump sum and no schedule, the whole sum is due on signing.
    pub fn with_default_schedule(mut self) -> Self {
        if self.milestones.is_empty()
            && let Some(amount) = self.lump_sum_minor.filter(|a| *a > 0)
        {
            self.milestones.push(MilestoneTerm {
                title: "签约后一次性支付 / Payment in full on signing".into(),
                amount_minor: amount,
                due_days_after_signing: 0,
                acceptance_criteria: None,
            });
        }
        self
    }
}

/// An offer's deadline: in the future, and not more than a year ahead.
pub fn check_valid_until(deadline: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), techex_core::Message> {
    if deadline <= now {
        return Err(techex_core::msg::DATE_NOT_IN_FUTURE.into());
    }
    if deadline > now + chrono::Duration::days(MAX_VALIDITY_DAYS) {
        return Err(techex_core::msg::DATE_TOO_FAR.with("max", MAX_VALIDITY_DAYS));
    }
    Ok(())
}

/// One field that differs between two sets of terms.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TermChange {
    /// The field's name (`lump_sum_minor`, `milestones`, …).
    pub field: String,
    #[schema(value_type = Object)]
    pub before: serde_json::Value,
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
}

/// The fields of `after` that differ from `before`, in the order the terms declare them.
pub fn diff(before: &Terms, after: &Terms) -> Vec<TermChange> {
    let as_map = |terms: &Terms| match serde_json::to_value(terms) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (old, new) = (as_map(before), as_map(after));
    const ORDER: [&str; 14] = [
        "mode",
        "currency",
        "lump_sum_minor",
        "royalty_bps",
        "royalty_base",
        "royalty_minimum_minor",
        "equity_bps",
        "milestones",
        "territory",
        "term_years",
        "exclusive",
        "improvements",
        "notes",
        "valid_until",
    ];
    ORDER
        .iter()
        .filter_map(|field| {
            let b = old.get(*field).cloned().unwrap_or(serde_json::Value::Null);
            let a = new.get(*field).cloned().unwrap_or(serde_json::Value::Null);
            (a != b).then(|| TermChange { field: (*field).to_string(), before: b, after: a })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> Terms {
        Terms {
            mode: TransactionMode::ExclusiveLicense,
            currency: Currency::CNY,
            lump_sum_minor: Some(10_000_000),
            royalty_bps: Some(300),
            royalty_base: None,
            royalty_minimum_minor: Some(1_000_000),
            equity_bps: None,
            milestones: vec![
                MilestoneTerm {
                    title: "首付".into(),
                    amount_minor: 4_000_000,
                    due_days_after_signing: 0,
                    acceptance_criteria: None,
                },
                MilestoneTerm {
                    title: "验收".into(),
                    amount_minor: 6_000_000,
                    due_days_after_signing: 90,
                    acceptance_criteria: Some("中试验收合格".into()),
                },
            ],
            territory: "中国大陆".into(),
            term_years: 5,
            exclusive: false,
            improvements: Improvements::EachOwn,
            notes: None,
        }
    }

    fn fields(result: Result<(), FieldErrors>) -> Vec<String> {
        result.err().map(|e| e.0.into_iter().map(|e| e.field).collect()).unwrap_or_default()
    }

    #[test]
    fn sound_terms_pass_and_exclusive_licences_are_exclusive() {
        let mut t = terms();
        let now = Utc::now();
        assert_eq!(t.validate(Some(now + chrono::Duration::days(7)), now), Ok(()));
        assert!(t.exclusive);
    }

    #[test]
    fn absurd_terms_name_their_field() {
        let now = Utc::now();
        let mut t = terms();
        t.royalty_bps = Some(10_001);
        assert_eq!(fields(t.validate(None, now)), ["royalty_bps"]);
        let mut t = terms();
        t.term_years = 0;
        assert_eq!(fields(t.validate(None, now)), ["term_years"]);
        let mut t = terms();
        assert_eq!(fields(t.validate(Some(now - chrono::Duration::seconds(1)), now)), ["valid_until"]);
        let mut t = terms();
        t.lump_sum_minor = Some(-1);
        assert!(fields(t.validate(None, now)).contains(&"lump_sum_minor".to_string()));
        let mut t = terms();
        t.milestones[1].amount_minor = 5_999_999;
        assert_eq!(fields(t.validate(None, now)), ["milestones"]);
        let mut t = terms();
        t.milestones[0].amount_minor = i64::MAX;
        assert!(fields(t.validate(None, now)).contains(&"milestones[0].amount_minor".to_string()));
        let mut t = terms();
        t.lump_sum_minor = None;
        t.royalty_bps = None;
        t.royalty_minimum_minor = None;
        t.milestones.clear();
        assert_eq!(fields(t.validate(None, now)), ["lump_sum_minor"]);
    }

    #[test]
    fn the_diff_lists_changed_fields_only() {
        let before = terms();
        let mut after = terms();
        after.lump_sum_minor = Some(9_000_000);
        after.milestones[1].amount_minor = 5_000_000;
        after.term_years = 8;
        let changes: Vec<String> = diff(&before, &after).into_iter().map(|c| c.field).collect();
        assert_eq!(changes, ["lump_sum_minor", "milestones", "term_years"]);
        assert!(diff(&before, &before).is_empty());
    }

    #[test]
    fn a_lump_sum_alone_is_due_on_signing() {
        let mut t = terms();
        t.milestones.clear();
        let t = t.with_default_schedule();
        assert_eq!(t.milestones.len(), 1);
        assert_eq!(t.milestones[0].amount_minor, 10_000_000);
    }
}
