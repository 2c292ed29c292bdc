//! What a tech-transfer office needs to know about its listings: why buyers pass
//! (structured reasons, one answer per buyer organization, kept anonymous), and how a
//! listing does (page views per day, inquiries, deals by state, agreed value).

use crate::Result;
use crate::entities::{auction, deal, feedback, view_count};
use chrono::{Duration, Utc};
use sea_orm::sea_query::ExprTrait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use techex_core::domain::{AchievementStatus, FeedbackReason};
use techex_core::text::optional_text;
use techex_core::{Actor, new_id};
use techex_listings::entities::achievement;
use techex_listings::{ListingsError, audit};
use utoipa::ToSchema;
use uuid::Uuid;

/// A buyer passing on an achievement.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiveFeedback {
    pub reason: FeedbackReason,
    #[serde(default)]
    pub comment: Option<String>,
}

/// One answer, as the seller sees it (without who gave it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackItem {
    pub reason: FeedbackReason,
    pub comment: Option<String>,
    pub at: chrono::DateTime<Utc>,
}

/// The feedback on one achievement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackSummary {
    pub achievement_id: Uuid,
    /// Answers per reason code.
    pub counts: BTreeMap<String, u64>,
    pub items: Vec<FeedbackItem>,
}

/// Records (or replaces) the actor's organization's reason for passing on a published
/// achievement it does not own.
pub async fn give<C: ConnectionTrait>(db: &C, actor: &Actor, achievement_id: Uuid, input: GiveFeedback) -> Result<()> {
    let subject = achievement::Entity::find_by_id(achievement_id)
        .one(db)
        .await?
        .filter(|a| a.status == AchievementStatus::Published.as_str() || actor.belongs_to(a.organization_id))
        .ok_or(ListingsError::NotFound("achievement"))?;
    if actor.belongs_to(subject.organization_id) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_FEEDBACK_COMES_FROM_PROSPECTIVE_BUYERS_NOT_THE.into(),
        ));
    }
    let comment = optional_text(input.comment.as_deref(), 2000).map_err(|e| ListingsError::invalid("comment", e))?;
    let now = Utc::now();
    let row = feedback::ActiveModel {
        id: Set(new_id()),
        achievement_id: Set(achievement_id),
        organization_id: Set(actor.organization_id),
        user_id: Set(actor.user_id),
        reason: Set(input.reason.as_str().into()),
        comment: Set(comment),
        created_at: Set(now),
        updated_at: Set(now),
    };
    feedback::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([feedback::Column::AchievementId, feedback::Column::OrganizationId])
                .update_columns([
                    feedback::Column::UserId,
                    feedback::Column::Reason,
                    feedback::Column::Comment,
                    feedback::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    audit::record(
        db,
        Some(actor),
        "achievement.feedback",
        "achievement",
        achievement_id,
        None,
        Some(serde_json::json!({"reason": input.reason.as_str()})),
    )
    .await?;
    Ok(())
}

async fn owned<C: ConnectionTrait>(db: &C, actor: &Actor, achievement_id: Uuid) -> Result<achievement::Model> {
    let subject =
        achievement::Entity::find_by_id(achievement_id).one(db).await?.ok_or(ListingsError::NotFound("achievement"))?;
    if actor.belongs_to(subject.organization_id) || actor.can_review() {
        return Ok(subject);
    }
    if subject.status == AchievementStatus::Published.as_str() {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_OWNER_SEES_THE_FEEDBACK_AND.into()));
    }
    Err(ListingsError::NotFound("achievement"))
}

/// The feedback on an achievement (its owner and the center).
pub async fn summary<C: ConnectionTrait>(db: &C, actor: &Actor, achievement_id: Uuid) -> Result<FeedbackSummary> {
    owned(db, actor, achievement_id).await?;
    let rows = feedback::Entity::find()
        .filter(feedback::Column::AchievementId.eq(achievement_id))
        .order_by_desc(feedback::Column::UpdatedAt)
        .all(db)
        .await?;
    let mut counts = BTreeMap::new();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let Ok(reason) = FeedbackReason::parse(&row.reason) else {
            continue;
        };
        *counts.entry(reason.as_str().to_string()).or_insert(0) += 1;
        items.push(FeedbackItem { reason, comment: row.comment, at: row.updated_at });
    }
    Ok(FeedbackSummary { achievement_id, counts, items })
}

/// Counts a look at an achievement (its page or its API view) for its owner's analytics:
/// only a published one, and never by its own organization. A view that cannot be
/// counted is logged, not failed: the reader still gets the page.
pub async fn count_view<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    view: &techex_listings::achievements::AchievementView,
) {
    let by_owner = actor.is_some_and(|a| a.belongs_to(view.owner.id));
    if view.status == AchievementStatus::Published
        && !by_owner
        && let Err(error) = record_view(db, view.id).await
    {
        tracing::warn!(%error, "cannot count a listing view");
    }
}

/// Counts a view of an achievement's page (not by its owner).
pub async fn record_view<C: ConnectionTrait>(db: &C, achievement_id: Uuid) -> Result<()> {
    let day = Utc::now().date_naive().to_string();
    let row = view_count::ActiveModel {
        id: Set(new_id()),
        achievement_id: Set(achievement_id),
        day: Set(day),
        views: Set(1),
    };
    view_count::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([view_count::Column::AchievementId, view_count::Column::Day])
                .value(view_count::Column::Views, Expr::col((view_count::Entity, view_count::Column::Views)).add(1))
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Views on one day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayCount {
    pub day: String,
    pub views: i64,
}

/// How a listing does.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingAnalytics {
    pub achievement_id: Uuid,
    pub views_total: i64,
    /// The last 30 days with views.
    pub views_by_day: Vec<DayCount>,
    /// Deals opened on it (inquiries).
    pub inquiries: u64,
    /// Deals per state.
    pub deals_by_status: BTreeMap<String, u64>,
    /// Agreed lump sums per currency, minor units.
    pub agreed_value_minor: BTreeMap<String, i64>,
    pub auctions: u64,
    /// Feedback answers per reason.
    pub feedback: BTreeMap<String, u64>,
}

/// The analytics of an achievement (its owner and the center).
pub async fn analytics<C: ConnectionTrait>(db: &C, actor: &Actor, achievement_id: Uuid) -> Result<ListingAnalytics> {
    owned(db, actor, achievement_id).await?;
    let views = view_count::Entity::find()
        .filter(view_count::Column::AchievementId.eq(achievement_id))
        .order_by_asc(view_count::Column::Day)
        .all(db)
        .await?;
    let since = (Utc::now() - Duration::days(30)).date_naive().to_string();
    let views_total = views.iter().map(|v| v.views).sum();
    let views_by_day =
        views.into_iter().filter(|v| v.day >= since).map(|v| DayCount { day: v.day, views: v.views }).collect();
    let deals = deal::Entity::find().filter(deal::Column::AchievementId.eq(achievement_id)).all(db).await?;
    let mut deals_by_status = BTreeMap::new();
    let mut agreed_value_minor = BTreeMap::new();
    let mut inquiries = 0;
    for d in &deals {
        *deals_by_status.entry(d.status.clone()).or_insert(0) += 1;
        if d.auction_id.is_none() {
            inquiries += 1;
        }
        if let Some(terms) = d.agreement.as_ref().and_then(|a| a.get("terms"))
            && matches!(d.status.as_str(), "agreed" | "contracted")
        {
            let currency = terms.get("currency").and_then(|c| c.as_str()).unwrap_or("CNY").to_string();
            let amount = terms.get("lump_sum_minor").and_then(|v| v.as_i64()).unwrap_or(0);
            let total: &mut i64 = agreed_value_minor.entry(currency).or_insert(0);
            *total = total.saturating_add(amount);
        }
    }
    let auctions =
        auction::Entity::find().filter(auction::Column::AchievementId.eq(achievement_id)).all(db).await?.len() as u64;
    let feedback = summary(db, actor, achievement_id).await?.counts;
    Ok(ListingAnalytics {
        achievement_id,
        views_total,
        views_by_day,
        inquiries,
        deals_by_status,
        agreed_value_minor,
        auctions,
        feedback,
    })
}
