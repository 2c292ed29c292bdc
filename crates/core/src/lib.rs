//! The vocabulary every techex crate shares: identifiers, money, validated domain
//! values (credit codes, patent numbers, e-mail addresses, passwords), the closed set
//! of domain enumerations, roles, the error code set and cursor pagination.
//!
//! Nothing here does I/O; everything here can be unit- and property-tested.

pub mod actor;
pub mod credit_code;
pub mod domain;
pub mod error;
pub mod ids;
pub mod ipc;
pub mod message;
pub mod money;
pub mod pagination;
pub mod patch;
pub mod patent;
pub mod roles;
pub mod text;

pub use actor::Actor;
pub use credit_code::CreditCode;
pub use error::{ErrorCode, FieldError, FieldErrors};
pub use ids::new_id;
pub use message::{Message, MessageArg, MessageKey, keys as msg};
pub use money::{Currency, Money};
pub use pagination::{Cursor, PageRequest};
pub use patch::Patch;
pub use patent::PatentNumber;
pub use roles::{Role, RoleSet};
