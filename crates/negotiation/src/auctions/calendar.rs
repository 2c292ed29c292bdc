//! Working days in China: Monday to Friday, less the public holidays and plus the weekend
//! days worked in their place (调休), from the State Council's yearly notice, which
//! `calendar-cn.txt` carries as data.

use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::HashMap;
use std::sync::LazyLock;

const CALENDAR: &str = include_str!("calendar-cn.txt");

/// A line of the calendar: the day, and whether it is worked.
fn parse_line(line: &str) -> Option<(NaiveDate, bool)> {
    let mut words = line.split_whitespace();
    let day = NaiveDate::parse_from_str(words.next()?, "%Y-%m-%d").ok()?;
    let worked = match words.next()? {
        "on" => true,
        "off" => false,
        _ => return None,
    };
    Some((day, worked))
}

fn lines() -> impl Iterator<Item = &'static str> {
    CALENDAR.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#'))
}

static EXCEPTIONS: LazyLock<HashMap<NaiveDate, bool>> = LazyLock::new(|| lines().filter_map(parse_line).collect());

/// Whether `day` is a working day.
pub fn is_working_day(day: NaiveDate) -> bool {
    EXCEPTIONS.get(&day).copied().unwrap_or(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
}

/// The day `days` working days after `from` (`from` itself when `days` is 0).
pub fn working_days_after(from: NaiveDate, days: u32) -> NaiveDate {
    let mut day = from;
    let mut left = days;
    while left > 0 {
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn every_line_of_the_calendar_reads_and_changes_the_plain_week() {
        let mut seen = std::collections::HashSet::new();
        for line in lines() {
            let (day, worked) = parse_line(line).unwrap_or_else(|| panic!("unreadable line `{line}`"));
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            assert_eq!(worked, weekend, "`{line}`: a holiday falls on a weekday, a worked day on a weekend");
            assert!(seen.insert(day), "`{line}` is listed twice");
        }
        assert!(seen.len() >= 40, "{} lines", seen.len());
    }

    #[test]
    fn the_publicity_period_counts_working_days_only() {
        assert_eq!(working_days_after(day(2026, 11, 30), 5), day(2026, 12, 7), "Monday to next Monday");
        assert_eq!(working_days_after(day(2026, 12, 4), 5), day(2026, 12, 11), "Friday to next Friday");
        assert_eq!(working_days_after(day(2026, 12, 5), 1), day(2026, 12, 7), "a Saturday's next working day");
        assert_eq!(working_days_after(day(2026, 12, 5), 0), day(2026, 12, 5));
    }

    #[test]
    fn public_holidays_are_skipped_and_weekend_working_days_count() {
        // Closed on Wednesday 30 September 2026: the National Day week is off and
        // Saturday 10 October is worked, so five working days end on Tuesday 13 October.
        assert_eq!(working_days_after(day(2026, 9, 30), 5), day(2026, 10, 13));
        // Closed on Friday 18 September: Sunday the 20th is worked, Friday the 25th
        // (Mid-Autumn) is not.
        assert_eq!(working_days_after(day(2026, 9, 18), 5), day(2026, 9, 24));
        assert_eq!(working_days_after(day(2026, 9, 18), 6), day(2026, 9, 28));
        // The Spring Festival of 2026 and its two worked Saturdays.
        assert_eq!(working_days_after(day(2026, 2, 12), 2), day(2026, 2, 14));
        assert_eq!(working_days_after(day(2026, 2, 13), 5), day(2026, 2, 27));
        assert!(!is_working_day(day(2025, 10, 8)) && is_working_day(day(2025, 10, 11)));
    }
}
