//! Members of organizations: invitations by organization admins, accepting them,
//! roles and status, and password changes.

use crate::audit;
use crate::auth::{hash_password, hash_token, new_token, revoke_sessions, verify_password};
use crate::entities::{invitation, organization, user};
use crate::error::{ListingsError, Result, check_version};
use crate::organizations::ensure_unique_email;
use crate::versioned::Versioned;
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use techex_core::domain::Language;
use techex_core::text::{check_password_strength, parse_email, required_text};
use techex_core::{Actor, FieldErrors, Role, RoleSet, new_id};
use utoipa::ToSchema;
use uuid::Uuid;

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub organization_id: Uuid,
    pub roles: Vec<Role>,
    /// `active` or `disabled`.
    pub status: String,
    /// The language the user reads the center in.
    pub language: Language,
    /// Whether notifications also go to this user by e-mail.
    pub email_notifications: bool,
    /// Whether the user proved the address (the mailed link after registering; an
    /// invitation's link; accounts from before confirmation existed).
    pub email_confirmed: bool,
    pub last_login_at: Option<chrono::DateTime<Utc>>,
    pub created_at: chrono::DateTime<Utc>,
    pub version: i32,
}

impl From<user::Model> for UserView {
    fn from(m: user::Model) -> Self {
        UserView {
            id: m.id,
            roles: RoleSet::from_stored(&m.roles).roles().to_vec(),
            email: m.email,
            display_name: m.display_name,
            organization_id: m.organization_id,
            status: m.status,
            language: Language::parse(&m.language).unwrap_or(Language::Zh),
            email_notifications: m.email_notifications,
            email_confirmed: m.email_confirmed_at.is_some(),
            last_login_at: m.last_login_at,
            created_at: m.created_at,
            version: m.version,
        }
    }
}

/// An invitation to join an organization.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteMember {
    pub email: String,
    /// Defaults to `[member]`.
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// A created invitation; the token is shown once and must reach the invitee.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationCreated {
    pub id: Uuid,
    pub email: String,
    pub roles: Vec<Role>,
    pub expires_at: chrono::DateTime<Utc>,
    /// Secret for `POST /api/v1/invitations/accept`; shown only now.
    pub token: String,
}

/// Accepting an invitation creates the account.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    pub token: String,
    pub display_name: String,
    pub password: String,
}

/// Changes to a member made by an administrator.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    pub roles: Option<Vec<Role>>,
    /// `active` or `disabled`; disabling ends the member's sessions.
    pub status: Option<String>,
    pub display_name: Option<String>,
}

/// How long an invitation can be accepted.
const INVITATION_TTL_DAYS: i64 = 7;

fn may_manage(actor: &Actor, org_id: Uuid) -> bool {
    (actor.belongs_to(org_id) && actor.has(Role::OrgAdmin)) || actor.is_platform_admin()
}

/// Checks that the actor may grant these roles in that organization.
fn check_grantable(actor: &Actor, org: &organization::Model, roles: &[Role]) -> Result<()> {
    for role in roles {
        if role.is_center_role() && (org.kind != "center" || !actor.is_platform_admin()) {
            return Err(ListingsError::Forbidden(
                format!(
                    "the role {} is only for the center's staff and only a platform administrator grants it",
                    role.as_str()
                )
                .into(),
            ));
        }
        if *role == Role::Broker && !actor.is_platform_admin() {
            return Err(ListingsError::Forbidden(
                techex_core::msg::REFUSED_ONLY_PLATFORM_ADMINISTRATORS_CERTIFY_BROKERS.into(),
            ));
        }
    }
    Ok(())
}

/// How a user is saved: its id and version columns.
const USER_ROWS: Versioned<user::Entity> =
    Versioned { entity: "user", id: user::Column::Id, version: user::Column::Version };

/// Invites someone to an organization (its administrators or a platform admin).
pub async fn invite<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    org_id: Uuid,
    input: InviteMember,
) -> Result<InvitationCreated> {
    let org = crate::organizations::get(db, Some(actor), org_id).await?;
    if !may_manage(actor, org_id) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_ORGANIZATION_S_ADMINISTRATORS_MAY_INVITE.into(),
        ));
    }
    let email = parse_email(&input.email).map_err(|e| ListingsError::invalid("email", e))?;
    let roles = if input.roles.is_empty() { vec![Role::Member] } else { input.roles };
    check_grantable(actor, &org, &roles)?;
    ensure_unique_email(db, &email).await?;
    let token = new_token("txi_");
    let now = Utc::now();
    let roles = RoleSet::new(roles);
    let created = invitation::ActiveModel {
        id: Set(new_id()),
        organization_id: Set(org_id),
        email: Set(email.clone()),
        roles: Set(roles.to_stored()),
        token_hash: Set(hash_token(&token)),
        invited_by: Set(actor.user_id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(INVITATION_TTL_DAYS)),
        accepted_at: Set(None),
        accepted_user_id: Set(None),
    }
    .insert(db)
    .await?;
    // The invitee has no language yet: the mail is in the inviter's.
    let inviter = user::Entity::find_by_id(actor.user_id).one(db).await?;
    let language = inviter.as_ref().map_or_else(|| "zh".to_string(), |u| u.language.clone());
    let organization =
        if language == "en" { org.name_en.clone().unwrap_or_else(|| org.name.clone()) } else { org.name.clone() };
    let message = techex_core::msg::MAIL_INVITATION
        .with("inviter", inviter.map(|u| u.display_name).unwrap_or_default())
        .with("organization", organization)
        .with("path", format!("/invitations/accept?token={token}"))
        .with("days", INVITATION_TTL_DAYS);
    crate::mail::enqueue(
        db,
        crate::mail::NewMail {
            kind: crate::mail::MailKind::Invitation,
            recipient: email.clone(),
            language,
            message: Some(message),
            notification_id: None,
            dedupe_key: format!("invitation:{}", created.id),
        },
    )
    .await?;
    audit::record(
        db,
        Some(actor),
        "member.invite",
        "organization",
        org_id,
        None,
        Some(serde_json::json!({"email": email, "roles": roles.to_stored()})),
    )
    .await?;
    Ok(InvitationCreated {
        id: created.id,
        email: created.email,
        roles: roles.roles().to_vec(),
        expires_at: created.expires_at,
        token,
    })
}

/// Accepts an invitation, creating the member's account.
/// An invitation by its token with the organization it invites to, for the page that
/// accepts it: 404 for an unknown token; an accepted or expired one is returned as it is
/// (the page says so; accepting it is refused with 409).
pub async fn invitation_for<C: ConnectionTrait>(
    db: &C,
    token: &str,
) -> Result<(invitation::Model, organization::Model)> {
    let found = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(hash_token(token.trim())))
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("invitation"))?;
    let org = organization::Entity::find_by_id(found.organization_id)
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("invitation"))?;
    Ok((found, org))
}

pub async fn accept_invitation<C: ConnectionTrait>(db: &C, input: AcceptInvitation) -> Result<user::Model> {
    let found = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(hash_token(input.token.trim())))
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("invitation"))?;
    if found.accepted_at.is_some() {
        return Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_THIS_INVITATION_HAS_ALREADY_BEEN_ACCEPTED.into(),
        ));
    }
    if found.expires_at < Utc::now() {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_THIS_INVITATION_HAS_EXPIRED_ASK_FOR_A.into()));
    }
    let mut errors = FieldErrors::new();
    let display_name = errors.check("display_name", required_text(&input.display_name, 100));
    errors.check("password", check_password_strength(&input.password, &found.email));
    errors.into_result()?;
    ensure_unique_email(db, &found.email).await?;
    let now = Utc::now();
    let created = user::ActiveModel {
        id: Set(new_id()),
        email: Set(found.email.clone()),
        display_name: Set(display_name.unwrap_or_default()),
        password_hash: Set(hash_password(input.password).await?),
        organization_id: Set(found.organization_id),
        roles: Set(found.roles.clone()),
        status: Set("active".into()),
        language: Set("zh".into()),
        email_notifications: Set(true),
        // The invitation's link, mailed to this address, proved it.
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
    let mut accepted: invitation::ActiveModel = found.into();
    accepted.accepted_at = Set(Some(now));
    accepted.accepted_user_id = Set(Some(created.id));
    let accepted = accepted.update(db).await?;
    let org = organization::Entity::find_by_id(accepted.organization_id)
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("organization"))?;
    let actor = crate::auth::actor_of(&created, &org);
    audit::record(
        db,
        Some(&actor),
        "member.join",
        "user",
        created.id,
        None,
        Some(serde_json::json!({"email": created.email, "roles": created.roles})),
    )
    .await?;
    Ok(created)
}

/// Lists an organization's members (to its members and platform admins).
pub async fn list_members<C: ConnectionTrait>(db: &C, actor: &Actor, org_id: Uuid) -> Result<Vec<user::Model>> {
    crate::organizations::get(db, Some(actor), org_id).await?;
    if !actor.belongs_to(org_id) && !actor.is_platform_admin() {
        return Err(ListingsError::NotFound("organization members"));
    }
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org_id))
        .order_by_asc(user::Column::Email)
        .all(db)
        .await?)
}

/// Changes a member's roles, status or name (organization admins; platform admins).
pub async fn update_member<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    org_id: Uuid,
    user_id: Uuid,
    expected_version: Option<i32>,
    input: UpdateMember,
) -> Result<user::Model> {
    let org = crate::organizations::get(db, Some(actor), org_id).await?;
    if !may_manage(actor, org_id) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_ORGANIZATION_S_ADMINISTRATORS_MAY_CHANGE.into(),
        ));
    }
    let member = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .filter(|u| u.organization_id == org_id)
        .ok_or(ListingsError::NotFound("member"))?;
    check_version(expected_version, member.version)?;
    let mut active: user::ActiveModel = member.clone().into();
    if let Some(roles) = input.roles {
        let current = RoleSet::from_stored(&member.roles);
        let added: Vec<Role> = roles.iter().copied().filter(|r| !current.contains(*r)).collect();
        check_grantable(actor, &org, &added)?;
        let removed_center_role = current.roles().iter().any(|r| r.is_center_role() && !roles.contains(r));
        if removed_center_role && !actor.is_platform_admin() {
            return Err(ListingsError::Forbidden(
                techex_core::msg::REFUSED_ONLY_PLATFORM_ADMINISTRATORS_REMOVE_CENTER_ROLES.into(),
            ));
        }
        if user_id == actor.user_id && current.contains(Role::OrgAdmin) && !roles.contains(&Role::OrgAdmin) {
            return Err(ListingsError::Conflict(
                techex_core::msg::REFUSED_YOU_CANNOT_REMOVE_YOUR_OWN_ADMINISTRATOR_ROLE.into(),
            ));
        }
        active.roles = Set(RoleSet::new(roles).to_stored());
    }
    if let Some(status) = input.status {
        if status != "active" && status != "disabled" {
            return Err(ListingsError::invalid(
                "status",
                techex_core::msg::VALUE_NOT_ONE_OF.with("input", status).with("allowed", "active, disabled"),
            ));
        }
        if user_id == actor.user_id && status == "disabled" {
            return Err(ListingsError::Conflict(techex_core::msg::REFUSED_YOU_CANNOT_DISABLE_YOUR_OWN_ACCOUNT.into()));
        }
        if status == "disabled" {
            revoke_sessions(db, user_id, None).await?;
        }
        active.status = Set(status);
    }
    if let Some(name) = input.display_name {
        active.display_name = Set(required_text(&name, 100).map_err(|e| ListingsError::invalid("display_name", e))?);
    }
    active.updated_at = Set(Utc::now());
    let updated = USER_ROWS.save(db, active, member.id, member.version).await?;
    audit::record(
        db,
        Some(actor),
        "member.update",
        "user",
        user_id,
        Some(serde_json::json!({"roles": member.roles, "status": member.status})),
        Some(serde_json::json!({"roles": updated.roles, "status": updated.status})),
    )
    .await?;
    Ok(updated)
}

/// What a user may change about their own account.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePreferences {
    /// The language of the pages (when no `lang` is chosen) and of e-mail.
    pub language: Option<Language>,
    /// Whether notifications also go by e-mail.
    pub email_notifications: Option<bool>,
}

/// Changes the actor's own preferences (`If-Match` the user's version, when given).
pub async fn update_preferences<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    expected_version: Option<i32>,
    input: UpdatePreferences,
) -> Result<user::Model> {
    let me = user::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(ListingsError::NotFound("user"))?;
    check_version(expected_version, me.version)?;
    let mut active: user::ActiveModel = me.clone().into();
    if let Some(language) = input.language {
        active.language = Set(language.as_str().to_string());
    }
    if let Some(on) = input.email_notifications {
        active.email_notifications = Set(on);
    }
    active.updated_at = Set(Utc::now());
    let updated = USER_ROWS.save(db, active, me.id, me.version).await?;
    audit::record(
        db,
        Some(actor),
        "user.preferences",
        "user",
        me.id,
        Some(serde_json::json!({"language": me.language, "email_notifications": me.email_notifications})),
        Some(serde_json::json!({"language": updated.language, "email_notifications": updated.email_notifications})),
    )
    .await?;
    Ok(updated)
}

/// Changes the actor's own password after checking the current one; other sessions end.
pub async fn change_password<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    session_id: Uuid,
    current_password: &str,
    new_password: &str,
) -> Result<()> {
    let me = user::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(ListingsError::NotFound("user"))?;
    let parsed_ok = verify_password(me.password_hash.clone(), current_password.to_string()).await?;
    if !parsed_ok {
        return Err(ListingsError::invalid("current_password", techex_core::msg::PASSWORD_WRONG));
    }
    check_password_strength(new_password, &me.email).map_err(|e| ListingsError::invalid("new_password", e))?;
    let mut active: user::ActiveModel = me.clone().into();
    active.password_hash = Set(hash_password(new_password.to_string()).await?);
    active.updated_at = Set(Utc::now());
    USER_ROWS.save(db, active, me.id, me.version).await?;
    revoke_sessions(db, actor.user_id, Some(session_id)).await?;
    audit::record(db, Some(actor), "user.change_password", "user", actor.user_id, None, None).await?;
    Ok(())
}

/// Users of every organization whose e-mail address or name contains `text` (any case),
/// newest first, for the center's user desk (platform admins).
pub async fn find_users<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    text: &str,
    page: techex_core::PageRequest,
) -> Result<techex_core::pagination::Page<user::Model>> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    if !actor.is_platform_admin() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_PLATFORM_ADMINISTRATORS_LOOK_UP_USERS.into(),
        ));
    }
    let mut query = user::Entity::find().order_by_desc(user::Column::Id);
    let wanted = text.trim().to_lowercase();
    if !wanted.is_empty() {
        let escaped: String =
            wanted.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
        let pattern = format!("%{escaped}%");
        let contains = |column: user::Column| {
            Expr::expr(Func::lower(Expr::col((user::Entity, column)))).like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        query = query.filter(contains(user::Column::Email).or(contains(user::Column::DisplayName)));
    }
    if let Some(cursor) = page.after {
        query = query.filter(user::Column::Id.lt(cursor.0));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(techex_core::pagination::Page::from_rows(rows, page.limit, |u| u.id))
}
