pub mod entities;
pub mod gateway;
pub mod ledger;
pub mod metered;
pub mod milestones;
pub mod payouts;
pub mod stripe;
pub mod webhook;
