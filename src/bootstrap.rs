//! Creating organizations and accounts directly, for a fresh installation (the center
//! and its first administrator), for benchmarks and for tests.

use anyhow::anyhow;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use techex_core::domain::OrgKind;
use techex_core::{CreditCode, Role, RoleSet, new_id};
use techex_listings::audit;
use techex_listings::auth::hash_password;
use techex_listings::entities::{organization, user};

/// An organization to create with its first member.
#[derive(Debug, Clone)]
pub struct NewOrganization<'a> {
    pub name: &'a str,
    pub kind: OrgKind,
    pub credit_code: &'a str,
    pub region: &'a str,
    pub verified: bool,
    pub email: &'a str,
    pub password: &'a str,
    pub roles: &'a [Role],
}

/// Creates an organization and its first member; returns both.
pub async fn organization_with_member<C: ConnectionTrait>(
    db: &C,
    spec: NewOrganization<'_>,
) -> anyhow::Result<(organization::Model, user::Model)> {
    let now = Utc::now();
    let org = organization::ActiveModel {
        id: Set(new_id()),
        name: Set(spec.name.to_string()),
        name_en: Set(None),
        kind: Set(spec.kind.as_str().to_string()),
        credit_code: Set(CreditCode::parse(spec.credit_code).map_err(|e| anyhow!(e))?.to_string()),
        region: Set(spec.region.to_string()),
        website: Set(None),
        description: Set(None),
        description_en: Set(None),
        verified_at: Set(spec.verified.then_some(now)),
        verified_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await?;
    let member = add_member(db, &org, spec.email, spec.email, spec.password, spec.roles).await?;
    audit::record(db, None, "organization.bootstrap", "organization", org.id, None, None).await?;
    Ok((org, member))
}

/// Adds an account to an organization.
pub async fn add_member<C: ConnectionTrait>(
    db: &C,
    org: &organization::Model,
    email: &str,
    display_name: &str,
    password: &str,
    roles: &[Role],
) -> anyhow::Result<user::Model> {
    let now = Utc::now();
    Ok(user::ActiveModel {
        id: Set(new_id()),
        email: Set(email.trim().to_lowercase()),
        display_name: Set(display_name.to_string()),
        password_hash: Set(hash_password(password.to_string()).await?),
        organization_id: Set(org.id),
        roles: Set(RoleSet::new(roles.iter().copied()).to_stored()),
        status: Set("active".into()),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await?)
}
