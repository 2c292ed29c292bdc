//! The end-to-end suite: the real server on a random port, driven over HTTP. Runs on
//! SQLite by default and on PostgreSQL with `TECHEX_TEST_DATABASE=postgres`.

// A failing test should panic with its reason.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::cloned_ref_to_slice_refs)]

mod abuse;
mod account_pages;
mod achievement_form_pages;
mod achievements;
mod analytics_pages;
mod auction_pages;
mod auctions;
mod backup;
mod center_desks;
mod cli;
mod conformance;
mod contracts;
mod deals;
mod demands;
mod documents;
mod edge;
mod email_confirmation;
mod helpers;
mod inbox;
mod indexer;
mod languages;
mod licence;
mod mail;
mod metrics;
mod negotiation_more;
mod object_store;
mod open_licences;
mod openapi;
mod organizations;
mod payments;
mod platform;
mod portfolio;
mod races;
mod search;
mod session;
mod stripe_hub;
mod terms_pages;
mod workspace_pages;
