//! The HTTP edge of techex: routes, authentication, OpenAPI, problem+json errors,
//! pages and configuration. It parses, authorizes, calls the domain crates and renders;
//! the rules live in the domain crates.

pub mod app;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod locale;
pub mod mail;
pub mod metrics;
pub mod notices;
pub mod openapi;
pub mod pages;
pub mod problems;
pub mod routes;
pub mod startup;
pub mod state;
pub mod upload;

pub use config::Config;
pub use startup::Application;
