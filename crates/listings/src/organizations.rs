//! Organizations: registration (with the first administrator), profile edits,
//! verification by platform admins, and who may see what.

use crate::audit;
use crate::auth::hash_password;
use crate::confirmations;
use crate::entities::{organization, user};
use crate::error::{ListingsError, Result, check_version};
use crate::notifications::{Audience, NewNotification, notify_members};
use crate::reference::resolve_region;
use crate::versioned::Versioned;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use techex_core::domain::{Language, OrgKind};
use techex_core::pagination::Page;
use techex_core::text::{check_password_strength, optional_text, parse_email, required_text};
use techex_core::{Actor, CreditCode, FieldErrors, PageRequest, Role, RoleSet, msg, new_id};
use utoipa::ToSchema;
use uuid::Uuid;

/// What a new organization registers with; the administrator account is created with it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterOrganization {
    /// Official (Chinese) name.
    #[schema(max_length = 200)]
    pub name: String,
    #[schema(max_length = 200)]
    pub name_en: Option<String>,
    pub kind: OrgKind,
    /// 18-character unified social credit code.
    #[schema(min_length = 18, max_length = 18)]
    pub credit_code: String,
    /// Division code (`370200`) or name (`青岛市`).
    pub region: String,
    #[schema(max_length = 200)]
    pub website: Option<String>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[schema(max_length = 4000)]
    pub description_en: Option<String>,
    pub admin: NewAdmin,
}

/// The first administrator of a newly registered organization.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdmin {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 100)]
    pub display_name: String,
    /// At least 10 characters of two kinds, not a well-known password.
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    /// The language of the administrator's pages and mail, beginning with the mail that
    /// confirms the address; Chinese when not given.
    #[serde(default)]
    pub language: Option<Language>,
}

/// Editable parts of an organization's profile. Changing the name or the credit code
/// withdraws the verification until a platform admin verifies again.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganization {
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 200)]
    pub name_en: Option<String>,
    #[schema(min_length = 18, max_length = 18)]
    pub credit_code: Option<String>,
    pub region: Option<String>,
    #[schema(max_length = 200)]
    pub website: Option<String>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[schema(max_length = 4000)]
    pub description_en: Option<String>,
}

/// An organization as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationView {
    pub id: Uuid,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: OrgKind,
    pub credit_code: String,
    pub region: String,
    pub website: Option<String>,
    pub description: Option<String>,
    pub description_en: Option<String>,
    pub verified: bool,
    pub verified_at: Option<chrono::DateTime<Utc>>,
    /// Why the center turned the application down (shown to the organization's members
    /// and platform admins); cleared when the profile is edited, which resubmits it.
    pub rejection_reason: Option<String>,
    pub rejected_at: Option<chrono::DateTime<Utc>>,
    pub created_at: chrono::DateTime<Utc>,
    pub version: i32,
}

impl From<organization::Model> for OrganizationView {
    fn from(m: organization::Model) -> Self {
        OrganizationView {
            id: m.id,
            kind: OrgKind::parse(&m.kind).unwrap_or(OrgKind::Enterprise),
            verified: m.verified_at.is_some(),
            name: m.name,
            name_en: m.name_en,
            credit_code: m.credit_code,
            region: m.region,
            website: m.website,
            description: m.description,
            description_en: m.description_en,
            verified_at: m.verified_at,
            rejection_reason: m.rejection_reason,
            rejected_at: m.rejected_at,
            created_at: m.created_at,
            version: m.version,
        }
    }
}

fn validate_website(errors: &mut FieldErrors, website: Option<&str>) -> Option<String> {
    let website = errors.check("website", optional_text(website, 200)).flatten()?;
    if website.starts_with("https://") || website.starts_with("http://") {
        Some(website)
    } else {
        errors.add("website", msg::WEBSITE_SCHEME);
        None
    }
}

/// Registers an organization (unverified) with its first administrator, who is mailed
/// a link to confirm the address (`confirmations`).
pub async fn register<C: ConnectionTrait>(
    db: &C,
    input: RegisterOrganization,
) -> Result<(organization::Model, user::Model)> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", required_text(&input.name, 200));
    let name_en = errors.check("name_en", optional_text(input.name_en.as_deref(), 200)).flatten();
    let credit_code = errors.check("credit_code", CreditCode::parse(&input.credit_code));
    let region = errors.check("region", resolve_region(db, &input.region).await);
    let website = validate_website(&mut errors, input.website.as_deref());
    let description = errors.check("description", optional_text(input.description.as_deref(), 4000)).flatten();
    let description_en = errors.check("description_en", optional_text(input.description_en.as_deref(), 4000)).flatten();
    if input.kind == OrgKind::Center {
        errors.add("kind", msg::CENTER_NOT_REGISTRABLE);
    }
    let email = errors.check("admin.email", parse_email(&input.admin.email));
    let display_name = errors.check("admin.display_name", required_text(&input.admin.display_name, 100));
    if let Some(email) = &email {
        errors.check("admin.password", check_password_strength(&input.admin.password, email));
    }
    errors.clone().into_result()?;
    let (Some(name), Some(credit_code), Some(region), Some(email), Some(display_name)) =
        (name, credit_code, region, email, display_name)
    else {
        return Err(errors.into());
    };
    ensure_unique_credit_code(db, credit_code.as_str(), None).await?;
    ensure_unique_email(db, &email).await?;
    let password_hash = hash_password(input.admin.password).await?;

    let now = Utc::now();
    let org = organization::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        name_en: Set(name_en),
        kind: Set(input.kind.as_str().to_string()),
        credit_code: Set(credit_code.to_string()),
        region: Set(region),
        website: Set(website),
        description: Set(description),
        description_en: Set(description_en),
        verified_at: Set(None),
        verified_by: Set(None),
        rejection_reason: Set(None),
        rejected_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(|e| {
        ListingsError::from_db_unique(e, techex_core::msg::REFUSED_AN_ORGANIZATION_WITH_THIS_CREDIT_CODE_IS)
    })?;
    let admin = user::ActiveModel {
        id: Set(new_id()),
        email: Set(email),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        organization_id: Set(org.id),
        roles: Set(RoleSet::new([Role::Member, Role::OrgAdmin]).to_stored()),
        status: Set("active".into()),
        language: Set(input.admin.language.unwrap_or(Language::Zh).as_str().to_string()),
        email_notifications: Set(true),
        email_confirmed_at: Set(None),
        email_token_hash: Set(None),
        email_token_expires_at: Set(None),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(|e| ListingsError::from_db_unique(e, techex_core::msg::REFUSED_A_USER_WITH_THIS_E_MAIL_ADDRESS))?;
    confirmations::send_link(db, &admin, now).await?;
    audit::record(
        db,
        None,
        "organization.register",
        "organization",
        org.id,
        None,
        Some(serde_json::json!({"name": org.name, "kind": org.kind, "credit_code": org.credit_code, "admin": admin.email})),
    )
    .await?;
    Ok((org, admin))
}

pub(crate) async fn ensure_unique_credit_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
    except: Option<Uuid>,
) -> Result<()> {
    let existing = organization::Entity::find().filter(organization::Column::CreditCode.eq(code)).one(db).await?;
    match existing {
        Some(found) if Some(found.id) != except => {
            Err(ListingsError::Conflict(techex_core::msg::REFUSED_AN_ORGANIZATION_WITH_THIS_CREDIT_CODE_IS.into()))
        }
        _ => Ok(()),
    }
}

pub(crate) async fn ensure_unique_email<C: ConnectionTrait>(db: &C, email: &str) -> Result<()> {
    if user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await?.is_some() {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_A_USER_WITH_THIS_E_MAIL_ADDRESS.into()));
    }
    Ok(())
}

/// Whether an actor may see an organization: verified ones are public; unverified ones
/// only to their own members and platform admins.
fn visible(actor: Option<&Actor>, org: &organization::Model) -> bool {
    org.verified_at.is_some() || actor.is_some_and(|a| a.belongs_to(org.id) || a.is_platform_admin())
}

/// Loads an organization the actor may see.
pub async fn get<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<organization::Model> {
    organization::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|org| visible(actor, org))
        .ok_or(ListingsError::NotFound("organization"))
}

/// Filters of the organization list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrganizationFilter {
    pub kind: Option<OrgKind>,
    /// Only platform admins may list unverified organizations (`verified=false`).
    pub verified: Option<bool>,
    pub region: Option<String>,
}

/// Lists organizations newest first: verified ones for everybody, every one for platform admins.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    filter: &OrganizationFilter,
    page: PageRequest,
) -> Result<Page<organization::Model>> {
    let admin = actor.is_some_and(|a| a.is_platform_admin());
    let mut query = organization::Entity::find().order_by_desc(organization::Column::Id);
    match (admin, filter.verified) {
        (_, Some(true)) | (false, _) => query = query.filter(organization::Column::VerifiedAt.is_not_null()),
        (true, Some(false)) => query = query.filter(organization::Column::VerifiedAt.is_null()),
        (true, None) => {}
    }
    if let Some(kind) = filter.kind {
        query = query.filter(organization::Column::Kind.eq(kind.as_str()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(organization::Column::Region.eq(region.as_str()));
    }
    if let Some(cursor) = page.after {
        query = query.filter(organization::Column::Id.lt(cursor.0));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |o| o.id))
}

/// Updates an organization's profile (its administrators or a platform admin).
/// How an organization is saved: its id and version columns.
const ORGANIZATION_ROWS: Versioned<organization::Entity> =
    Versioned { entity: "organization", id: organization::Column::Id, version: organization::Column::Version };

pub async fn update<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    input: UpdateOrganization,
) -> Result<organization::Model> {
    let org = get(db, Some(actor), id).await?;
    let is_own_admin = actor.belongs_to(id) && actor.has(Role::OrgAdmin);
    if !is_own_admin && !actor.is_platform_admin() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_ORGANIZATION_S_ADMINISTRATORS_MAY_EDIT.into(),
        ));
    }
    check_version(expected_version, org.version)?;
    let mut errors = FieldErrors::new();
    let mut active: organization::ActiveModel = org.clone().into();
    let mut identity_changed = false;
    if let Some(name) = &input.name
        && let Some(name) = errors.check("name", required_text(name, 200))
        && name != org.name
    {
        active.name = Set(name);
        identity_changed = true;
    }
    if let Some(code) = &input.credit_code
        && let Some(code) = errors.check("credit_code", CreditCode::parse(code))
        && code.as_str() != org.credit_code
    {
        ensure_unique_credit_code(db, code.as_str(), Some(id)).await?;
        active.credit_code = Set(code.to_string());
        identity_changed = true;
    }
    if let Some(name_en) = &input.name_en {
        active.name_en = Set(errors.check("name_en", optional_text(Some(name_en), 200)).flatten());
    }
    if let Some(region) = &input.region
        && let Some(region) = errors.check("region", resolve_region(db, region).await)
    {
        active.region = Set(region);
    }
    if input.website.is_some() {
        active.website = Set(validate_website(&mut errors, input.website.as_deref()));
    }
    if let Some(description) = &input.description {
        active.description = Set(errors.check("description", optional_text(Some(description), 4000)).flatten());
    }
    if let Some(description) = &input.description_en {
        active.description_en = Set(errors.check("description_en", optional_text(Some(description), 4000)).flatten());
    }
    errors.into_result()?;
    if identity_changed && !actor.is_platform_admin() {
        active.verified_at = Set(None);
        active.verified_by = Set(None);
    }
    // An application turned down goes back to the queue once its members change it.
    if org.rejected_at.is_some() && !actor.is_platform_admin() {
        active.rejected_at = Set(None);
        active.rejection_reason = Set(None);
    }
    active.updated_at = Set(Utc::now());
    let duplicate = Some("an organization with this credit code is already registered");
    let updated = ORGANIZATION_ROWS.save_unique(db, active, id, org.version, duplicate).await?;
    audit::record(
        db,
        Some(actor),
        "organization.update",
        "organization",
        id,
        Some(org_snapshot(&org)),
        Some(org_snapshot(&updated)),
    )
    .await?;
    Ok(updated)
}

fn org_snapshot(org: &organization::Model) -> serde_json::Value {
    serde_json::json!({
        "name": org.name, "name_en": org.name_en, "credit_code": org.credit_code, "region": org.region,
        "website": org.website, "verified": org.verified_at.is_some(), "version": org.version,
    })
}

/// Marks an organization verified (platform admins only), allowing it to publish and trade;
/// `verified = false` withdraws the verification.
pub async fn set_verified<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    verified: bool,
) -> Result<organization::Model> {
    let org = get(db, Some(actor), id).await?;
    if !actor.is_platform_admin() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_PLATFORM_ADMINISTRATORS_VERIFY_ORGANIZATIONS.into(),
        ));
    }
    check_version(expected_version, org.version)?;
    if verified == org.verified_at.is_some() {
        let state = if verified { "verified" } else { "unverified" };
        return Err(ListingsError::InvalidTransition {
            entity: "organization",
            action: if verified { "verify" } else { "unverify" },
            state: state.into(),
        });
    }
    let mut active: organization::ActiveModel = org.clone().into();
    active.verified_at = Set(verified.then(Utc::now));
    active.verified_by = Set(verified.then_some(actor.user_id));
    active.rejected_at = Set(None);
    active.rejection_reason = Set(None);
    active.updated_at = Set(Utc::now());
    let updated = ORGANIZATION_ROWS.save(db, active, id, org.version).await?;
    if verified {
        notify_admins(db, &updated, "organization_verified", msg::NOTICE_ORGANIZATION_VERIFIED, None).await?;
    }
    audit::record(
        db,
        Some(actor),
        if verified { "organization.verify" } else { "organization.unverify" },
        "organization",
        id,
        Some(org_snapshot(&org)),
        Some(org_snapshot(&updated)),
    )
    .await?;
    Ok(updated)
}

/// Turns an application down with a reason (platform admins): the organization stays
/// unverified, leaves the verification queue and its administrators are told why;
/// editing its profile resubmits it. Only an unverified organization not already turned
/// down can be (409 otherwise).
pub async fn reject<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<organization::Model> {
    let org = get(db, Some(actor), id).await?;
    if !actor.is_platform_admin() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_PLATFORM_ADMINISTRATORS_VERIFY_ORGANIZATIONS.into(),
        ));
    }
    check_version(expected_version, org.version)?;
    if org.verified_at.is_some() || org.rejected_at.is_some() {
        let state = if org.verified_at.is_some() { "verified" } else { "rejected" };
        return Err(ListingsError::InvalidTransition { entity: "organization", action: "reject", state: state.into() });
    }
    let reason = required_text(reason, 2000).map_err(|e| ListingsError::invalid("reason", e))?;
    let mut active: organization::ActiveModel = org.clone().into();
    active.rejected_at = Set(Some(Utc::now()));
    active.rejection_reason = Set(Some(reason.clone()));
    active.updated_at = Set(Utc::now());
    let updated = ORGANIZATION_ROWS.save(db, active, id, org.version).await?;
    audit::record(
        db,
        Some(actor),
        "organization.reject",
        "organization",
        id,
        Some(org_snapshot(&org)),
        Some(serde_json::json!({"rejection_reason": reason, "version": updated.version})),
    )
    .await?;
    notify_admins(db, &updated, "organization_rejected", msg::NOTICE_ORGANIZATION_REJECTED, Some(reason)).await?;
    Ok(updated)
}

/// Tells the active administrators of an organization about its verification; one
/// notification per decision (the version it produced keys it).
async fn notify_admins<C: ConnectionTrait>(
    db: &C,
    org: &organization::Model,
    kind: &str,
    message: techex_core::message::MessageKey,
    body: Option<String>,
) -> Result<()> {
    let notice = NewNotification {
        user_id: Uuid::nil(),
        kind: kind.into(),
        message: message.into(),
        body,
        entity_type: Some("organization".into()),
        entity_id: Some(org.id),
        dedupe_key: format!("organization:{}:{kind}:{}", org.id, org.version),
    };
    notify_members(db, org.id, Audience::Admins, None, &notice).await?;
    Ok(())
}
