//! The browser suite: the real server on a random port, driven as a browser drives it —
//! form posts with cookies (`forms`) and headless Debian Chromium through chromedriver
//! (`browser`). `scripts/test` runs it on SQLite after the SQLite suite and on PostgreSQL
//! after the PostgreSQL one.

// A failing test should panic with its reason.
#![allow(clippy::expect_used, clippy::unwrap_used)]

// The API suite's server fixture, shared rather than copied; not every helper is used here.
#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

// The helpers check every API answer against the OpenAPI document with it.
#[path = "../api/conformance.rs"]
#[allow(dead_code)]
mod conformance;

// The test SMTP server's mailbox, for links that arrive by mail.
#[path = "../api/inbox.rs"]
#[allow(dead_code)]
mod inbox;

mod accessibility;
mod accounts;
mod auctions;
mod browser;
mod cookies;
mod driver;
mod forms;
mod journey;
mod open_licences;
mod owners;
mod seller;
mod world;
