//! The review workflow of an achievement:
//!
//! ```text
//! draft ─submit→ pending_review ─approve→ published ─withdraw→ withdrawn ─republish→ published
//!   ↑                 │                        │
//!   └──edit── rejected ←reject┘                └─(assignment deal closes)→ traded
//!
//! withdrawn ─submit→ pending_review (after edits since approval)
//! ```
//!
//! Each transition checks the actor, the `If-Match` version and the state, changes the
//! row with a version guard (so two concurrent transitions cannot both win), writes the
//! audit entry and, when search must change, the outbox row, all on the caller's
//! transaction.

use super::{ENTITY, acts_for_owner, get, snapshot, view::parse_status};
use crate::audit;
use crate::entities::achievement;
use crate::error::{ListingsError, Result, check_version};
use crate::versioned::Versioned;
use chrono::Utc;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use techex_core::domain::AchievementStatus;
use techex_core::text::required_text;
use techex_core::{Actor, FieldErrors};
use uuid::Uuid;

/// How a achievement is saved: its id and version columns.
const ACHIEVEMENT_ROWS: Versioned<achievement::Entity> =
    Versioned { entity: ENTITY, id: achievement::Column::Id, version: achievement::Column::Version };

/// Writes a changed row if nobody changed it since `current` was read; bumps the version.
pub(crate) async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: achievement::ActiveModel,
    current: &achievement::Model,
) -> Result<achievement::Model> {
    active.updated_at = Set(Utc::now());
    ACHIEVEMENT_ROWS.save(db, active, current.id, current.version).await
}

fn refuse(action: &'static str, current: &achievement::Model) -> ListingsError {
    ListingsError::InvalidTransition { entity: ENTITY, action, state: current.status.clone() }
}

async fn finish<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    before: &achievement::Model,
    after: &achievement::Model,
    search_op: Option<&str>,
) -> Result<()> {
    audit::record(db, Some(actor), action, ENTITY, after.id, Some(snapshot(before)), Some(snapshot(after))).await?;
    if let Some(op) = search_op {
        audit::enqueue_search_update(db, ENTITY, after.id, op).await?;
    }
    Ok(())
}

fn ensure_owner_may_publish(actor: &Actor, current: &achievement::Model, action: &str) -> Result<()> {
    if !acts_for_owner(actor, current) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_NOT_THE_OWNER_OF_THE_ACHIEVEMENT.with("action", action.to_string()),
        ));
    }
    if !actor.organization_verified {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_NOT_VERIFIED_TO_PUBLISH.into()));
    }
    Ok(())
}

/// Sends a draft (or a withdrawn achievement) to the center for review. A rejected
/// achievement goes back to draft when it is edited, then may be submitted again.
pub async fn submit<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<achievement::Model> {
    let current = get(db, Some(actor), id).await?;
    ensure_owner_may_publish(actor, &current, "submit")?;
    check_version(expected_version, current.version)?;
    let state = parse_status(&current.status);
    if !matches!(state, AchievementStatus::Draft | AchievementStatus::Withdrawn) {
        return Err(refuse("submit", &current));
    }
    super::input::check_complete(&current)?;
    let mut active: achievement::ActiveModel = current.clone().into();
    active.status = Set(AchievementStatus::PendingReview.as_str().into());
    let updated = save(db, active, &current).await?;
    finish(db, actor, "achievement.submit", &current, &updated, None).await?;
    Ok(updated)
}

fn ensure_reviewer(actor: &Actor, current: &achievement::Model, action: &str) -> Result<()> {
    if !actor.can_review() {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_REVIEWERS.with("action", action.to_string()).with("what", "achievements"),
        ));
    }
    if actor.belongs_to(current.organization_id) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_REVIEWER_OWN_ORGANIZATION
                .with("action", action.to_string())
                .with("what", "achievement"),
        ));
    }
    Ok(())
}

/// Publishes an achievement under review (center reviewers).
pub async fn approve<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<achievement::Model> {
    let current = get(db, Some(actor), id).await?;
    ensure_reviewer(actor, &current, "approve")?;
    check_version(expected_version, current.version)?;
    if parse_status(&current.status) != AchievementStatus::PendingReview {
        return Err(refuse("approve", &current));
    }
    let now = Utc::now();
    let mut active: achievement::ActiveModel = current.clone().into();
    active.status = Set(AchievementStatus::Published.as_str().into());
    active.approved_revision = Set(Some(current.content_revision));
    active.rejection_reason = Set(None);
    active.reviewed_by = Set(Some(actor.user_id));
    active.reviewed_at = Set(Some(now));
    active.published_at = Set(Some(now));
    let updated = save(db, active, &current).await?;
    finish(db, actor, "achievement.approve", &current, &updated, Some("upsert")).await?;
    Ok(updated)
}

/// Sends an achievement under review back to its owner with a reason (center reviewers).
pub async fn reject<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<achievement::Model> {
    let current = get(db, Some(actor), id).await?;
    ensure_reviewer(actor, &current, "reject")?;
    check_version(expected_version, current.version)?;
    if parse_status(&current.status) != AchievementStatus::PendingReview {
        return Err(refuse("reject", &current));
    }
    let reason = required_text(reason, 2000).map_err(|e| ListingsError::Invalid(FieldErrors::single("reason", e)))?;
    let mut active: achievement::ActiveModel = current.clone().into();
    active.status = Set(AchievementStatus::Rejected.as_str().into());
    active.rejection_reason = Set(Some(reason));
    active.reviewed_by = Set(Some(actor.user_id));
    active.reviewed_at = Set(Some(Utc::now()));
    let updated = save(db, active, &current).await?;
    finish(db, actor, "achievement.reject", &current, &updated, None).await?;
    Ok(updated)
}

/// Takes an achievement off the market (or out of review) (owning organization).
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<achievement::Model> {
    let current = get(db, Some(actor), id).await?;
    if !acts_for_owner(actor, &current) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_OWNING_ORGANIZATION_MAY_WITHDRAW_THIS.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    let state = parse_status(&current.status);
    if !matches!(state, AchievementStatus::Published | AchievementStatus::PendingReview) {
        return Err(refuse("withdraw", &current));
    }
    let mut active: achievement::ActiveModel = current.clone().into();
    active.status = Set(AchievementStatus::Withdrawn.as_str().into());
    let updated = save(db, active, &current).await?;
    let search = (state == AchievementStatus::Published).then_some("delete");
    finish(db, actor, "achievement.withdraw", &current, &updated, search).await?;
    Ok(updated)
}

/// Puts a withdrawn achievement back on the market without a new review, provided
/// nothing was edited since the center approved it.
pub async fn republish<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<achievement::Model> {
    let current = get(db, Some(actor), id).await?;
    ensure_owner_may_publish(actor, &current, "republish")?;
    check_version(expected_version, current.version)?;
    if parse_status(&current.status) != AchievementStatus::Withdrawn {
        return Err(refuse("republish", &current));
    }
    if current.approved_revision != Some(current.content_revision) {
        return Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_THE_ACHIEVEMENT_CHANGED_SINCE_THE_CENTER_APPROVED.into(),
        ));
    }
    let mut active: achievement::ActiveModel = current.clone().into();
    active.status = Set(AchievementStatus::Published.as_str().into());
    active.published_at = Set(Some(Utc::now()));
    let updated = save(db, active, &current).await?;
    finish(db, actor, "achievement.republish", &current, &updated, Some("upsert")).await?;
    Ok(updated)
}

/// Marks a published achievement as traded when an assignment deal is agreed; it leaves
/// the market. Called by the negotiation domain within its transaction; `actor` is `None`
/// when the scheduler closed the deal (an auction's close).
pub async fn mark_traded<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<achievement::Model> {
    let current = achievement::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    if parse_status(&current.status) != AchievementStatus::Published {
        return Err(refuse("mark traded", &current));
    }
    let mut active: achievement::ActiveModel = current.clone().into();
    active.status = Set(AchievementStatus::Traded.as_str().into());
    let updated = save(db, active, &current).await?;
    audit::record(db, actor, "achievement.traded", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated)))
        .await?;
    audit::enqueue_search_update(db, ENTITY, id, "delete").await?;
    Ok(updated)
}
