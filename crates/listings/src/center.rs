//! Installing the trading center: the one organization of kind `center`, verified from
//! the start, and its first platform administrator. Registration refuses the kind
//! `center`; this is the only way it comes to exist, once per database.

use crate::audit;
use crate::auth::{actor_of, hash_password};
use crate::entities::{organization, user};
use crate::error::{ListingsError, Result};
use crate::organizations::{ensure_unique_credit_code, ensure_unique_email};
use crate::reference::resolve_region;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use techex_core::domain::{Language, OrgKind};
use techex_core::text::{check_password_strength, optional_text, parse_email, required_text};
use techex_core::{CreditCode, FieldErrors, Role, RoleSet, new_id};

/// The center and its first administrator, as the installer gives them.
#[derive(Debug, Clone)]
pub struct NewCenter {
    /// Official (Chinese) name.
    pub name: String,
    pub name_en: Option<String>,
    /// 18-character unified social credit code.
    pub credit_code: String,
    /// Division code (`370100`) or name (`济南市`).
    pub region: String,
    pub admin_email: String,
    pub admin_display_name: String,
    pub admin_password: String,
    pub admin_language: Language,
}

/// The roles of the center's first administrator: every staff right (platform
/// administration includes reviewing) and the management of the center's own members.
pub const FIRST_ADMIN_ROLES: [Role; 3] = [Role::Member, Role::OrgAdmin, Role::PlatformAdmin];

/// The center organization, if one was installed (the oldest, should there be several).
pub async fn existing<C: ConnectionTrait>(db: &C) -> Result<Option<organization::Model>> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Kind.eq(OrgKind::Center.as_str()))
        .order_by_asc(organization::Column::CreatedAt)
        .one(db)
        .await?)
}

/// Creates the center (verified) and its first platform administrator, validated as
/// registration validates; a conflict when a center already exists. Run it in one
/// transaction with the check, so that two installers cannot both succeed on SQLite
/// (`BEGIN IMMEDIATE`); the credit code's uniqueness stops the second on PostgreSQL when
/// both give the same code.
pub async fn install<C: ConnectionTrait>(db: &C, input: NewCenter) -> Result<(organization::Model, user::Model)> {
    if let Some(center) = existing(db).await? {
        return Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_CENTER_EXISTS.with("name", center.name).with("id", center.id.to_string()),
        ));
    }
    let mut errors = FieldErrors::new();
    let name = errors.check("name", required_text(&input.name, 200));
    let name_en = errors.check("name_en", optional_text(input.name_en.as_deref(), 200)).flatten();
    let credit_code = errors.check("credit_code", CreditCode::parse(&input.credit_code));
    let region = errors.check("region", resolve_region(db, &input.region).await);
    let email = errors.check("email", parse_email(&input.admin_email));
    let display_name = errors.check("display_name", required_text(&input.admin_display_name, 100));
    if let Some(email) = &email {
        errors.check("password", check_password_strength(&input.admin_password, email));
    }
    errors.clone().into_result()?;
    let (Some(name), Some(credit_code), Some(region), Some(email), Some(display_name)) =
        (name, credit_code, region, email, display_name)
    else {
        return Err(errors.into());
    };
    ensure_unique_credit_code(db, credit_code.as_str(), None).await?;
    ensure_unique_email(db, &email).await?;
    let password_hash = hash_password(input.admin_password).await?;

    let now = Utc::now();
    let admin_id = new_id();
    let center = organization::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        name_en: Set(name_en),
        kind: Set(OrgKind::Center.as_str().to_string()),
        credit_code: Set(credit_code.to_string()),
        region: Set(region),
        website: Set(None),
        description: Set(None),
        description_en: Set(None),
        verified_at: Set(Some(now)),
        verified_by: Set(Some(admin_id)),
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
        id: Set(admin_id),
        email: Set(email),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        organization_id: Set(center.id),
        roles: Set(RoleSet::new(FIRST_ADMIN_ROLES).to_stored()),
        status: Set("active".into()),
        language: Set(input.admin_language.as_str().to_string()),
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
    .await
    .map_err(|e| ListingsError::from_db_unique(e, techex_core::msg::REFUSED_A_USER_WITH_THIS_E_MAIL_ADDRESS))?;
    audit::record(
        db,
        Some(&actor_of(&admin, &center)),
        "center.install",
        "organization",
        center.id,
        None,
        Some(serde_json::json!({
            "name": center.name, "credit_code": center.credit_code, "admin": admin.email, "roles": admin.roles,
        })),
    )
    .await?;
    Ok((center, admin))
}
