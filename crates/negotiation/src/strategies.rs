//! Property-test strategies for terms with every field set, for the tests of what shows
//! an agreement to people (the contract text, the offer card): a field one of them leaves
//! out is a term the parties agree to without seeing it. Behind the `proptest` feature,
//! which only dev-dependencies turn on.

use crate::terms::{Improvements, MilestoneTerm, Terms};
use proptest::prelude::*;
use techex_core::Currency;
use techex_core::domain::{RoyaltyBase, TransactionMode};

/// A short free text in Chinese and Latin letters, as parties write territory, milestone
/// titles and other terms: words of 2–8 characters separated by single spaces, so that
/// every value is long enough to be found where it belongs rather than by chance.
pub fn words() -> BoxedStrategy<String> {
    let pattern = "[\u{4e00}-\u{9fa5}a-zA-Z]{2,8}( [\u{4e00}-\u{9fa5}a-zA-Z0-9]{2,8}){0,3}";
    match proptest::string::string_regex(pattern) {
        Ok(strategy) => strategy.boxed(),
        Err(_) => Just("中国大陆 Mainland China".to_string()).boxed(),
    }
}

fn improvements() -> impl Strategy<Value = Improvements> {
    prop_oneof![
        Just(Improvements::EachOwn),
        Just(Improvements::Seller),
        Just(Improvements::Buyer),
        Just(Improvements::Joint),
    ]
}

fn milestones() -> impl Strategy<Value = Vec<MilestoneTerm>> {
    proptest::collection::vec((words(), 1..=1_000_000_000_i64, 0..=36_600_i32, words()), 1..=4).prop_map(|rows| {
        let mut days: Vec<i32> = rows.iter().map(|row| row.2).collect();
        days.sort_unstable();
        rows.into_iter()
            .zip(days)
            .map(|((title, amount_minor, _, criteria), due)| MilestoneTerm {
                title,
                amount_minor,
                due_days_after_signing: due,
                acceptance_criteria: Some(criteria),
            })
            .collect()
    })
}

/// Terms in which every optional field is set (lump sum, royalty and its minimum,
/// equity, a schedule whose milestones all have acceptance criteria, other terms), the
/// schedule adding up to the lump sum.
pub fn terms_with_every_field() -> impl Strategy<Value = Terms> {
    let mode = proptest::sample::select(TransactionMode::ALL.to_vec());
    let currency = proptest::sample::select(Currency::ALL.to_vec());
    let money = (0..=10_000_i32, 1..=10_000_000_000_i64, 1..=10_000_i32);
    let scope = (words(), 1..=50_i32, any::<bool>(), improvements(), words());
    let base = proptest::sample::select(RoyaltyBase::ALL.to_vec());
    (mode, currency, (money, base), milestones(), scope).prop_map(
        |(
            mode,
            currency,
            ((royalty, minimum, equity), base),
            milestones,
            (territory, years, exclusive, improvements, notes),
        )| {
            Terms {
                mode,
                currency,
                lump_sum_minor: Some(milestones.iter().map(|m| m.amount_minor).sum()),
                royalty_bps: Some(royalty),
                royalty_base: Some(base),
                royalty_minimum_minor: Some(minimum),
                equity_bps: Some(equity),
                milestones,
                territory,
                term_years: years,
                exclusive,
                improvements,
                notes: Some(notes),
            }
        },
    )
}
