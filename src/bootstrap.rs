//! Creating organizations and accounts directly, for a fresh installation (the center
//! and its first administrator), for benchmarks and for tests.

use anyhow::anyhow;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use techex_core::domain::OrgKind;
use techex_core::{CreditCode, Role, RoleSet, new_id};
use techex_listings::audit;
use techex_listings::auth::hash_password;
use techex_listings::entities::{StringList, achievement, organization, user};

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
        rejection_reason: Set(None),
        rejected_at: Set(None),
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
        language: Set("zh".into()),
        email_notifications: Set(true),
        email_confirmed_at: Set(Some(now)),
        email_token_hash: Set(None),
        email_token_expires_at: Set(None),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await?)
}

/// A published technical secret with neutral values, for bulk loads in benchmarks and
/// tests that bypass the workflow; callers override what they need.
pub fn published_achievement(
    id: uuid::Uuid,
    organization_id: uuid::Uuid,
    created_by: uuid::Uuid,
    title_zh: String,
) -> achievement::Model {
    let now = Utc::now();
    achievement::Model {
        id,
        organization_id,
        created_by,
        status: "published".into(),
        content_revision: 1,
        approved_revision: Some(1),
        title_zh: Some(title_zh),
        title_en: None,
        summary_zh: None,
        summary_en: None,
        abstract_zh: Some("批量写入的成果".into()),
        abstract_en: None,
        description_zh: None,
        description_en: None,
        advantage_zh: None,
        advantage_en: None,
        application_scenarios: StringList::default(),
        kind: "technical_secret".into(),
        patent_number: None,
        patent_granted: false,
        ipc_codes: StringList::default(),
        field_code: "other".into(),
        maturity: Some("pilot".into()),
        trl: Some(6),
        transaction_modes: StringList(vec!["assignment".into()]),
        asking_price_minor: Some(100),
        floor_price_minor: None,
        currency: "CNY".into(),
        price_negotiable: false,
        inventors: StringList::default(),
        keywords: StringList::default(),
        region: "370100".into(),
        nda_required: true,
        rejection_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        published_at: Some(now),
        created_at: now,
        updated_at: now,
        version: 1,
    }
}
