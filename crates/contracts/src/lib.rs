//! Technology contracts: drafted from a deal's agreement into the Civil Code type that
//! fits it, rendered as bilingual text from a template, amended in versions (each with its
//! SHA-256 and a diff), signed by the seller (甲方), the buyer (乙方) and the broker (丙方)
//! over the hash of the exact text, pre-checked and registered by the center.
//!
//! ```text
//! draft ─first signature→ signing ─last signature→ signed ─register→ registered
//!   ↑  (any amendment voids every signature)          └─return(reason)→ draft
//! ```
//! Milestones come from the agreed payment schedule; payments build on them.

pub mod content;
pub mod contracts;
pub mod entities;
pub mod lifecycle;
pub mod open_licence;
pub mod precheck;
pub mod reminders;
pub mod royalties;
pub mod stats;

pub use techex_listings::{ListingsError, ListingsError as Error, Result};
