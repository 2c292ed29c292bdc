//! The sea-orm entities of the listings domain, one per table.

pub mod achievement;
pub mod audit_log;
pub mod demand;
pub mod document;
pub mod import_job;
pub mod industry_field;
pub mod invitation;
pub mod known_login_address;
pub mod login_attempt;
pub mod mail;
pub mod nda_acceptance;
pub mod notification;
pub mod open_licence;
pub mod open_licence_grant;
pub mod organization;
pub mod organization_licence;
pub mod outbox;
pub mod outbox_meta;
pub mod password_reset;
pub mod region;
pub mod session;
pub mod user;

use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

/// A list of strings stored as a JSON array (keywords, inventors, IPC codes, modes).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize, FromJsonQueryResult)]
pub struct StringList(pub Vec<String>);
