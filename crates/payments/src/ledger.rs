//! The double-entry ledger: who holds and is owed what. Every money event posts one
//! journal whose legs sum to zero, in the transaction of the state change it records, so
//! the ledger as a whole always sums to zero. Debits are positive, credits negative.
//!
//! Accounts: `provider_balance` (money at the payment provider, an asset),
//! `escrow:<contract>` (held for the buyer until it accepts a milestone, a liability),
//! `seller_payable:<organization>` and `broker_payable:<user>` (owed once released).

use crate::entities::ledger_entry;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use std::collections::BTreeMap;
use techex_core::new_id;
use techex_listings::{ListingsError, Result};
use utoipa::ToSchema;
use uuid::Uuid;

pub const PROVIDER: &str = "provider_balance";

pub fn escrow(contract: Uuid) -> String {
    format!("escrow:{contract}")
}

pub fn seller_payable(organization: Uuid) -> String {
    format!("seller_payable:{organization}")
}

pub fn broker_payable(user: Uuid) -> String {
    format!("broker_payable:{user}")
}

/// The broker's commission on an amount: basis points, rounded down to the fen, so the
/// seller receives the remainder and the two always add up to the amount.
pub fn commission(amount_minor: i64, bps: i32) -> i64 {
    let bps = i128::from(bps.clamp(0, 10_000));
    i64::try_from(i128::from(amount_minor) * bps / 10_000).unwrap_or(0)
}

/// Posts a balanced journal; refuses one that does not sum to zero.
pub async fn post<C: ConnectionTrait>(
    db: &C,
    event: &str,
    currency: &str,
    contract_id: Option<Uuid>,
    milestone_id: Option<Uuid>,
    legs: &[(String, i64)],
) -> Result<Uuid> {
    let total: i128 = legs.iter().map(|(_, amount)| i128::from(*amount)).sum();
    if total != 0 || legs.is_empty() {
        return Err(ListingsError::Internal(format!("unbalanced journal for {event}: {total}")));
    }
    let journal = new_id();
    let now = Utc::now();
    for (account, amount) in legs.iter().filter(|(_, amount)| *amount != 0) {
        ledger_entry::ActiveModel {
            id: Set(new_id()),
            journal_id: Set(journal),
            account: Set(account.clone()),
            amount_minor: Set(*amount),
            currency: Set(currency.to_string()),
            event: Set(event.to_string()),
            contract_id: Set(contract_id),
            milestone_id: Set(milestone_id),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(journal)
}

/// Balances per account and currency, and the grand total (always zero).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Balances {
    /// account → currency → balance (debit positive).
    pub accounts: BTreeMap<String, BTreeMap<String, i64>>,
    /// The sum over every entry per currency; zero in a sound ledger.
    pub totals: BTreeMap<String, i64>,
}

/// The balances of the accounts whose name starts with `prefix` (all when empty), with the
/// totals of the whole ledger.
pub async fn balances<C: ConnectionTrait>(db: &C, contract: Option<Uuid>) -> Result<Balances> {
    let mut query = ledger_entry::Entity::find();
    if let Some(contract) = contract {
        query = query.filter(ledger_entry::Column::ContractId.eq(contract));
    }
    let mut accounts: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    for entry in query.all(db).await? {
        *accounts.entry(entry.account).or_default().entry(entry.currency.clone()).or_insert(0) += entry.amount_minor;
        *totals.entry(entry.currency).or_insert(0) += entry.amount_minor;
    }
    Ok(Balances { accounts, totals })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commission_rounds_down_and_the_split_adds_up() {
        assert_eq!(commission(10_000_000, 500), 500_000);
        assert_eq!(commission(333, 500), 16, "16.65 fen rounds down");
        assert_eq!(commission(1, 9_999), 0);
        for amount in [1_i64, 7, 99, 12_345, 10_000_000_000_000] {
            for bps in [0, 1, 250, 500, 3_000] {
                let c = commission(amount, bps);
                assert!(c >= 0 && c <= amount);
                assert_eq!(c + (amount - c), amount);
            }
        }
    }
}
