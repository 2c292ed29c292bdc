//! Reporting periods and the computation of what a report owes: pure functions of the
//! contract's royalty terms and the reports accepted before, tested apart from the database.

use super::*;

/// Days after a period ends within which its royalty is reported and paid.
pub const DUE_DAYS: i64 = 30;

/// One reporting period: a calendar quarter or year, clipped to nothing (the first and
/// last periods of a contract are whole calendar periods; the minimum is prorated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub code: String,
    pub start: NaiveDate,
    /// The last day of the period.
    pub end: NaiveDate,
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

impl Period {
    /// The period of `kind` that contains `day`.
    pub fn containing(day: NaiveDate, kind: RoyaltyPeriod) -> Period {
        match kind {
            RoyaltyPeriod::Year => Period::year(day.year()),
            RoyaltyPeriod::Quarter => Period::quarter(day.year(), (day.month() - 1) / 3 + 1),
        }
    }

    fn year(year: i32) -> Period {
        Period { code: format!("{year}"), start: date(year, 1, 1), end: date(year, 12, 31) }
    }

    fn quarter(year: i32, q: u32) -> Period {
        let start = date(year, (q - 1) * 3 + 1, 1);
        let end = if q == 4 { date(year, 12, 31) } else { date(year, q * 3 + 1, 1).pred_opt().unwrap_or(start) };
        Period { code: format!("{year}-Q{q}"), start, end }
    }

    /// Reads `2027-Q1` (quarters) or `2027` (years).
    pub fn parse(code: &str, kind: RoyaltyPeriod) -> Result<Period, Message> {
        let invalid = || {
            let example = if kind == RoyaltyPeriod::Year { "2027" } else { "2027-Q1" };
            msg::ROYALTY_PERIOD_INVALID.with("example", example).with("kind", kind.as_str())
        };
        let code = code.trim();
        match kind {
            RoyaltyPeriod::Year => {
                let year: i32 = code.parse().map_err(|_| invalid())?;
                if !(1900..=9999).contains(&year) || code.len() != 4 {
                    return Err(invalid());
                }
                Ok(Period::year(year))
            }
            RoyaltyPeriod::Quarter => {
                let (year, q) = code.split_once("-Q").ok_or_else(invalid)?;
                let year: i32 = year.parse().map_err(|_| invalid())?;
                let q: u32 = q.parse().map_err(|_| invalid())?;
                if !(1900..=9999).contains(&year) || !(1..=4).contains(&q) || code.len() != 7 {
                    return Err(invalid());
                }
                Ok(Period::quarter(year, q))
            }
        }
    }

    /// The period after this one.
    pub fn next(&self, kind: RoyaltyPeriod) -> Period {
        Period::containing(self.end.succ_opt().unwrap_or(self.end), kind)
    }

    /// When its royalty falls due.
    pub fn due_on(&self) -> NaiveDate {
        self.end + chrono::Duration::days(DUE_DAYS)
    }
}

/// What a contract says about its running royalty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoyaltyTerms {
    pub bps: i32,
    /// What the rate is a share of.
    pub base: RoyaltyBase,
    pub minimum_minor: Option<i64>,
    pub entry_fee_minor: Option<i64>,
    /// Whether the entry fee is credited against the royalties.
    pub credited: bool,
    pub period: RoyaltyPeriod,
    /// The day the royalty starts (the contract's signature) and the day its term ends.
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl RoyaltyTerms {
    /// The royalty terms of a contract's content, from the day it was signed; `None`
    /// without a running royalty or a signature.
    pub fn of(content: &Content, model: &contract::Model) -> Option<RoyaltyTerms> {
        let bps = content.terms.royalty_bps.filter(|b| *b > 0)?;
        let start = model.signed_at?.date_naive();
        let period = content
            .open_licence
            .as_ref()
            .and_then(|o| o.royalty_period.as_deref())
            .and_then(|p| RoyaltyPeriod::parse(p).ok())
            .unwrap_or(RoyaltyPeriod::Quarter);
        let years = u32::try_from(content.terms.term_years.max(1)).unwrap_or(1);
        let end = start
            .with_year(start.year() + years as i32)
            .unwrap_or(start + chrono::Duration::days(365 * i64::from(years)));
        Some(RoyaltyTerms {
            bps,
            base: content.terms.royalty_base.unwrap_or(RoyaltyBase::NetSales),
            minimum_minor: content.terms.royalty_minimum_minor.filter(|m| *m > 0),
            entry_fee_minor: content.terms.lump_sum_minor.filter(|f| *f > 0),
            credited: content.open_licence.as_ref().is_some_and(|o| o.entry_fee_credited),
            period,
            start,
            end,
        })
    }

    /// What the rate applies to in a period: its net sales, or for a royalty on profit
    /// its profit (nothing for a loss).
    pub fn base_amount(&self, net_sales_minor: i64, profit_minor: Option<i64>) -> i64 {
        match self.base {
            RoyaltyBase::NetSales => net_sales_minor,
            RoyaltyBase::Profit => profit_minor.unwrap_or(0).max(0),
        }
    }

    /// Every period the royalty runs in, in order.
    pub fn periods(&self) -> Vec<Period> {
        let mut all = Vec::new();
        let mut current = Period::containing(self.start, self.period);
        while current.start < self.end && all.len() < 400 {
            let next = current.next(self.period);
            all.push(current);
            current = next;
        }
        all
    }

    /// The annual minimum owed for a calendar year: pro rata to the periods of that year
    /// the royalty runs in.
    fn minimum_for(&self, year: i32) -> i64 {
        let Some(minimum) = self.minimum_minor else { return 0 };
        let per_year: i64 = if self.period == RoyaltyPeriod::Year { 1 } else { 4 };
        let covered = self.periods().iter().filter(|p| p.start.year() == year).count() as i64;
        (i128::from(minimum) * i128::from(covered.min(per_year)) / i128::from(per_year)) as i64
    }
}

/// What one report owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Computed {
    pub royalty_minor: i64,
    pub credit_minor: i64,
    pub true_up_minor: i64,
    pub amount_due_minor: i64,
}

/// An accepted report of an earlier period, as the computation needs it.
#[derive(Debug, Clone, Copy)]
pub struct Earlier {
    pub year: i32,
    pub royalty_minor: i64,
    pub credit_minor: i64,
}

/// The royalty of `net_sales` in `period`, given the accepted reports before it.
pub fn compute(terms: &RoyaltyTerms, period: &Period, base_minor: i64, earlier: &[Earlier]) -> Computed {
    let royalty =
        (i128::from(base_minor.max(0)) * i128::from(terms.bps) / 10_000).min(i128::from(MAX_AMOUNT_MINOR)) as i64;
    let credit = match (terms.credited, terms.entry_fee_minor) {
        (true, Some(fee)) => {
            let used: i64 = earlier.iter().map(|e| e.credit_minor).sum();
            (fee - used).clamp(0, royalty)
        }
        _ => 0,
    };
    let year = period.start.year();
    let last_of_year = period.end.month() == 12 || terms.periods().last().is_some_and(|p| p.code == period.code);
    let true_up = if last_of_year {
        let earned: i64 = earlier.iter().filter(|e| e.year == year).map(|e| e.royalty_minor).sum::<i64>() + royalty;
        (terms.minimum_for(year) - earned).max(0)
    } else {
        0
    };
    Computed {
        royalty_minor: royalty,
        credit_minor: credit,
        true_up_minor: true_up,
        amount_due_minor: royalty - credit + true_up,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarterly(minimum: Option<i64>, fee: Option<i64>, credited: bool) -> RoyaltyTerms {
        RoyaltyTerms {
            bps: 300,
            base: RoyaltyBase::NetSales,
            minimum_minor: minimum,
            entry_fee_minor: fee,
            credited,
            period: RoyaltyPeriod::Quarter,
            start: date(2025, 1, 15),
            end: date(2027, 1, 15),
        }
    }

    #[test]
    fn periods_are_calendar_quarters_or_years_from_the_signature_to_the_end_of_term() {
        let terms = quarterly(None, None, false);
        let codes: Vec<String> = terms.periods().into_iter().map(|p| p.code).collect();
        assert_eq!(codes.first().map(String::as_str), Some("2025-Q1"));
        assert_eq!(codes.last().map(String::as_str), Some("2027-Q1"));
        assert_eq!(codes.len(), 9);
        let q2 = Period::parse("2025-Q2", RoyaltyPeriod::Quarter).ok();
        assert_eq!(q2.map(|p| (p.start, p.end)), Some((date(2025, 4, 1), date(2025, 6, 30))));
        assert!(Period::parse("2025-Q5", RoyaltyPeriod::Quarter).is_err());
        assert!(Period::parse("2025", RoyaltyPeriod::Quarter).is_err());
        assert!(Period::parse("2025-Q1", RoyaltyPeriod::Year).is_err());
        assert_eq!(Period::parse("2025", RoyaltyPeriod::Year).map(|p| p.end).ok(), Some(date(2025, 12, 31)));
        assert_eq!(Period::quarter(2025, 4).due_on(), date(2026, 1, 30));
    }

    #[test]
    fn the_royalty_credits_the_entry_fee_and_trues_up_to_the_minimum_at_year_end() {
        let terms = quarterly(Some(1_000_000), Some(50_000), true);
        let q = |n| Period::quarter(2025, n);
        // 3% of 1,000,000 fen of sales: a royalty of 30,000 fen, all of it credited (fee 50,000).
        let first = compute(&terms, &q(1), 1_000_000, &[]);
        assert_eq!(
            first,
            Computed { royalty_minor: 30_000, credit_minor: 30_000, true_up_minor: 0, amount_due_minor: 0 }
        );
        let earlier = vec![Earlier { year: 2025, royalty_minor: 30_000, credit_minor: 30_000 }];
        let second = compute(&terms, &q(2), 1_000_000, &earlier);
        assert_eq!((second.credit_minor, second.amount_due_minor), (20_000, 10_000), "the rest of the fee");
        let mut earlier = earlier;
        earlier.push(Earlier { year: 2025, royalty_minor: 30_000, credit_minor: 20_000 });
        earlier.push(Earlier { year: 2025, royalty_minor: 1, credit_minor: 0 });
        let last = compute(&terms, &q(4), 333, &earlier);
        // Earned 30,000 + 30,000 + 1 + 9 = 60,010 against a minimum of 1,000,000.
        assert_eq!(last.royalty_minor, 9);
        assert_eq!(last.true_up_minor, 1_000_000 - 60_010);
        assert_eq!(last.amount_due_minor, 9 + 1_000_000 - 60_010);
        // Rounded down to the fen; never negative.
        assert_eq!(compute(&quarterly(None, None, false), &q(1), 99, &[]).royalty_minor, 2);
        assert_eq!(compute(&quarterly(None, None, false), &q(1), 0, &[]).amount_due_minor, 0);
    }

    #[test]
    fn a_royalty_on_profit_takes_the_rate_of_the_profit_and_nothing_of_a_loss() {
        let mut terms = quarterly(None, None, false);
        terms.base = RoyaltyBase::Profit;
        terms.bps = 2_500;
        assert_eq!(terms.base_amount(9_000_000, Some(400_000)), 400_000, "the profit, not the sales");
        assert_eq!(terms.base_amount(9_000_000, Some(-50_000)), 0, "a loss owes nothing");
        let q1 = Period::quarter(2025, 1);
        assert_eq!(compute(&terms, &q1, terms.base_amount(9_000_000, Some(400_000)), &[]).royalty_minor, 100_000);
        assert_eq!(compute(&terms, &q1, -50_000, &[]).amount_due_minor, 0, "never negative");
        terms.base = RoyaltyBase::NetSales;
        assert_eq!(terms.base_amount(9_000_000, None), 9_000_000);
    }

    #[test]
    fn a_year_covered_in_part_owes_the_minimum_pro_rata() {
        let mut terms = quarterly(Some(400_000), None, false);
        terms.start = date(2025, 8, 1);
        terms.end = date(2026, 8, 1);
        // 2025: Q3 and Q4 → half the minimum.
        let q4 = compute(&terms, &Period::quarter(2025, 4), 0, &[]);
        assert_eq!(q4.true_up_minor, 200_000);
        // 2026: Q1–Q3, the last period of the term → three quarters.
        let q3 = compute(&terms, &Period::quarter(2026, 3), 0, &[]);
        assert_eq!(q3.true_up_minor, 300_000);
    }
}
