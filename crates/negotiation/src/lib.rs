//! The negotiation domain: certified brokers, deals from the first inquiry to agreed
//! terms, the room (a joint channel and a private caucus between the broker and each
//! side), structured offers with counters and a diff, the agreement (exactly one accepted
//! offer per deal), public bidding, the employee inventors' right of first refusal,
//! deadlines enforced exactly once, and buyers' feedback with per-listing analytics.
//!
//! Like the listings crate, every function takes any `C: ConnectionTrait` so the caller
//! owns the transaction: a transition's rows, its audit entry and its notifications
//! commit together. Errors are the listings domain's (`ListingsError`), so the HTTP edge
//! maps them one way.

pub mod auctions;
pub mod brokers;
pub mod deadlines;
pub mod deals;
pub mod entities;
pub mod feedback;
pub mod offers;
pub mod orphans;
pub mod refusal;
pub mod room;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod terms;

pub use techex_listings::{ListingsError as Error, Result};

use techex_listings::ListingsError;

/// A refused transition: 409 with the entity's current state.
pub(crate) fn refuse(entity: &'static str, action: &'static str, state: &str) -> ListingsError {
    ListingsError::InvalidTransition { entity, action, state: state.to_string() }
}
