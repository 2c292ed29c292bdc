//! The employee inventors' right of first refusal (PRC Civil Code art. 847): before an
//! assignment of a service invention is agreed, its recorded inventors are told the
//! terms and may claim it on equal terms within a window. The seller starts the notice
//! on the offer it intends to accept; each inventor's answer (waive or claim) is recorded
//! — by the inventor's own account when one in the seller's organization bears the name,
//! or by the seller's office from the written answer. Accepting an assignment offer needs
//! a cleared notice on that very offer (every inventor waived, or the window lapsed
//! without a claim); a claim ends the deal.

use crate::deals::{self, Party, load_locked, notify_side, notify_user};
use crate::entities::{deal, first_refusal, offer};
use crate::terms::Terms;
use crate::{Result, refuse};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use techex_core::domain::{DealStatus, Side, TransactionMode};
use techex_core::text::optional_text;
use techex_core::{Actor, msg, new_id};
use techex_listings::entities::{achievement, user};
use techex_listings::error::check_version;
use techex_listings::versioned::Versioned;
use techex_listings::{ListingsError, audit};
use utoipa::ToSchema;
use uuid::Uuid;

const ENTITY: &str = "first_refusal";
/// The default window, in days, for inventors to answer.
pub const DEFAULT_WINDOW_DAYS: i64 = 15;

/// One inventor's answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct InventorAnswer {
    pub name: String,
    /// `pending`, `waived` or `claimed`.
    pub response: String,
    pub responded_at: Option<DateTime<Utc>>,
    pub recorded_by: Option<Uuid>,
    pub note: Option<String>,
    /// The account that was notified, when one in the seller's organization bears the name.
    pub notified_user: Option<Uuid>,
}

/// Starting the notice.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRefusal {
    /// The pending assignment offer the seller intends to accept.
    pub offer_id: Uuid,
    /// Days the inventors have to answer (1–60, default 15).
    #[serde(default)]
    pub window_days: Option<i64>,
}

/// Recording one inventor's answer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordAnswer {
    /// The inventor, as recorded on the achievement.
    pub inventor: String,
    /// `waive` or `claim`.
    pub decision: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A first-refusal notice as the parties see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefusalView {
    pub id: Uuid,
    pub deal_id: Uuid,
    pub offer_id: Uuid,
    pub achievement_id: Uuid,
    /// `open`, `waived` (every inventor waived), `lapsed` (the window closed without a
    /// claim), `claimed`, or `closed` (the deal ended first).
    pub status: String,
    pub inventors: Vec<InventorAnswer>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

fn answers(model: &first_refusal::Model) -> Vec<InventorAnswer> {
    serde_json::from_value(model.inventors.clone()).unwrap_or_default()
}

/// The status as of `now`: an open notice past its window has lapsed.
fn effective_status(model: &first_refusal::Model, now: DateTime<Utc>) -> String {
    if model.status == "open" && model.closes_at <= now { "lapsed".into() } else { model.status.clone() }
}

fn view(model: first_refusal::Model) -> RefusalView {
    RefusalView {
        status: effective_status(&model, Utc::now()),
        inventors: answers(&model),
        id: model.id,
        deal_id: model.deal_id,
        offer_id: model.offer_id,
        achievement_id: model.achievement_id,
        opens_at: model.opens_at,
        closes_at: model.closes_at,
        closed_at: model.closed_at,
        version: model.version,
    }
}

fn snapshot(model: &first_refusal::Model) -> serde_json::Value {
    serde_json::json!({"status": model.status, "offer_id": model.offer_id, "inventors": model.inventors,
        "closes_at": model.closes_at, "version": model.version})
}

/// The inventors whose right applies to an assignment on this deal, if any.
async fn inventors_of<C: ConnectionTrait>(db: &C, deal: &deal::Model, terms: &Terms) -> Result<Vec<String>> {
    if terms.mode != TransactionMode::Assignment {
        return Ok(Vec::new());
    }
    let Some(id) = deal.achievement_id else {
        return Ok(Vec::new());
    };
    let subject = achievement::Entity::find_by_id(id).one(db).await?;
    Ok(subject.map(|a| a.inventors.0).unwrap_or_default())
}

/// Refuses to accept an assignment offer whose inventors have not been cleared.
pub(crate) async fn ensure_cleared<C: ConnectionTrait>(
    db: &C,
    deal: &deal::Model,
    offer: &offer::Model,
    terms: &Terms,
) -> Result<()> {
    if inventors_of(db, deal, terms).await?.is_empty() {
        return Ok(());
    }
    let latest = first_refusal::Entity::find()
        .filter(first_refusal::Column::DealId.eq(deal.id))
        .filter(first_refusal::Column::OfferId.eq(offer.id))
        .order_by_desc(first_refusal::Column::Id)
        .one(db)
        .await?;
    let now = Utc::now();
    match latest.as_ref().map(|r| (effective_status(r, now), r.closes_at)) {
        Some((status, _)) if status == "waived" || status == "lapsed" => Ok(()),
        Some((status, closes)) if status == "open" => Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_INVENTORS_MAY_CLAIM_UNTIL.with("closes", closes.to_string()),
        )),
        Some((status, _)) => Err(refuse(ENTITY, "accept after", &status)),
        None => Err(ListingsError::Conflict(
            "this assigns a service invention: notify its inventors first (POST /api/v1/deals/{id}/first-refusal, \
             Civil Code art. 847)"
                .into(),
        )),
    }
}

/// The seller (or the broker) starts the notice on a pending assignment offer.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    deal_id: Uuid,
    input: StartRefusal,
) -> Result<first_refusal::Model> {
    let (deal, party) = load_locked(db, actor, deal_id).await?;
    if !matches!(party, Party::Seller | Party::Broker) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_THE_SELLER_NOTIFIES_ITS_INVENTORS_OR_THE.into(),
        ));
    }
    if !deals::status_of(&deal).is_open() {
        return Err(refuse(deals::ENTITY, "notify inventors on", &deal.status));
    }
    let days = input.window_days.unwrap_or(DEFAULT_WINDOW_DAYS);
    if !(1..=60).contains(&days) {
        return Err(ListingsError::invalid(
            "window_days",
            techex_core::msg::DAYS_OUT_OF_RANGE.with("min", 1).with("max", 60),
        ));
    }
    let subject = offer::Entity::find_by_id(input.offer_id)
        .one(db)
        .await?
        .filter(|o| o.deal_id == deal_id && o.status == "pending" && o.valid_until > Utc::now())
        .ok_or_else(|| ListingsError::invalid("offer_id", techex_core::msg::OFFER_UNKNOWN))?;
    let terms: Terms =
        serde_json::from_value(subject.terms.clone()).map_err(|e| ListingsError::Internal(e.to_string()))?;
    let inventors = inventors_of(db, &deal, &terms).await?;
    if inventors.is_empty() {
        return Err(ListingsError::invalid("offer_id", techex_core::msg::REFUSAL_NOT_APPLICABLE));
    }
    let members = user::Entity::find().filter(user::Column::OrganizationId.eq(deal.seller_org_id)).all(db).await?;
    let now = Utc::now();
    let list: Vec<InventorAnswer> = inventors
        .iter()
        .map(|name| InventorAnswer {
            name: name.clone(),
            response: "pending".into(),
            responded_at: None,
            recorded_by: None,
            note: None,
            notified_user: members.iter().find(|m| m.display_name.trim() == name.trim()).map(|m| m.id),
        })
        .collect();
    let created = first_refusal::ActiveModel {
        id: Set(new_id()),
        deal_id: Set(deal_id),
        offer_id: Set(subject.id),
        achievement_id: Set(deal.achievement_id.unwrap_or_default()),
        inventors: Set(serde_json::to_value(&list).map_err(|e| ListingsError::Internal(e.to_string()))?),
        status: Set("open".into()),
        opens_at: Set(now),
        closes_at: Set(now + Duration::days(days)),
        closed_at: Set(None),
        live_key: Set(Some(deal_id.to_string())),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(|e| ListingsError::from_db_unique(e, techex_core::msg::REFUSED_A_FIRST_REFUSAL_NOTICE_IS_ALREADY_OPEN))?;
    audit::record(db, Some(actor), "first_refusal.start", ENTITY, created.id, None, Some(snapshot(&created))).await?;
    for answer in &list {
        if let Some(user_id) = answer.notified_user {
            notify_user(
                db,
                &deal,
                user_id,
                "first_refusal",
                msg::NOTICE_FIRST_REFUSAL_INVENTOR.into(),
                &format!("refusal:{}", created.id),
            )
            .await?;
        }
    }
    notify_side(db, &deal, Side::Buyer, Some(actor), "first_refusal", msg::NOTICE_FIRST_REFUSAL_SENT.into()).await?;
    Ok(created)
}

/// Records one inventor's answer: by that inventor's own account, or by the seller.
pub async fn answer<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    input: RecordAnswer,
) -> Result<first_refusal::Model> {
    let found = first_refusal::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    let (deal, party) = load_locked(db, actor, found.deal_id).await.map_err(|_| ListingsError::NotFound(ENTITY))?;
    let current = first_refusal::Entity::find_by_id(id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    if party != Party::Seller {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_THE_SELLER_S_ORGANIZATION_RECORDS_THE_INVENTORS.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    let status = effective_status(&current, Utc::now());
    if status != "open" {
        return Err(refuse(ENTITY, "answer", &status));
    }
    let claim = match input.decision.as_str() {
        "waive" => false,
        "claim" => true,
        _ => {
            return Err(ListingsError::invalid(
                "decision",
                techex_core::msg::VALUE_NOT_ONE_OF
                    .with("input", input.decision.as_str())
                    .with("allowed", "waive, claim"),
            ));
        }
    };
    let note = optional_text(input.note.as_deref(), 2000).map_err(|e| ListingsError::invalid("note", e))?;
    let mut list = answers(&current);
    let Some(entry) = list.iter_mut().find(|a| a.name.trim() == input.inventor.trim()) else {
        return Err(ListingsError::invalid("inventor", techex_core::msg::INVENTOR_UNKNOWN));
    };
    if entry.response != "pending" {
        return Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_INVENTOR_ANSWERED.with("name", entry.name.clone()),
        ));
    }
    entry.response = if claim { "claimed" } else { "waived" }.into();
    entry.responded_at = Some(Utc::now());
    entry.recorded_by = Some(actor.user_id);
    entry.note = note;
    let all_waived = list.iter().all(|a| a.response == "waived");
    let mut active: first_refusal::ActiveModel = current.clone().into();
    active.inventors = Set(serde_json::to_value(&list).map_err(|e| ListingsError::Internal(e.to_string()))?);
    if claim || all_waived {
        active.status = Set(if claim { "claimed" } else { "waived" }.into());
        active.closed_at = Set(Some(Utc::now()));
        active.live_key = Set(None);
    }
    let updated = save(db, active, &current).await?;
    audit::record(
        db,
        Some(actor),
        "first_refusal.answer",
        ENTITY,
        id,
        Some(snapshot(&current)),
        Some(snapshot(&updated)),
    )
    .await?;
    if claim {
        let reason = format!(
            "inventor {} exercised the right of first refusal on equal terms (Civil Code art. 847)",
            input.inventor.trim()
        );
        deals::close(db, Some(actor), &deal, DealStatus::Cancelled, &reason).await?;
        notify_side(
            db,
            &deal,
            Side::Buyer,
            Some(actor),
            "first_refusal_claimed",
            msg::NOTICE_FIRST_REFUSAL_CLAIMED.into(),
        )
        .await?;
    }
    Ok(updated)
}

/// How a first refusal is saved: its id and version columns.
const FIRST_REFUSAL_ROWS: Versioned<first_refusal::Entity> =
    Versioned { entity: ENTITY, id: first_refusal::Column::Id, version: first_refusal::Column::Version };

async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: first_refusal::ActiveModel,
    current: &first_refusal::Model,
) -> Result<first_refusal::Model> {
    active.updated_at = Set(Utc::now());
    FIRST_REFUSAL_ROWS.save(db, active, current.id, current.version).await
}

/// The notices of a deal, oldest first.
pub async fn list<C: ConnectionTrait>(db: &C, actor: &Actor, deal_id: Uuid) -> Result<Vec<RefusalView>> {
    let (_, party) = deals::load(db, actor, deal_id).await?;
    if party == Party::InvitedBroker {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ACCEPT_THE_INVITATION_TO_SEE_THE_DEAL.into()));
    }
    let rows = first_refusal::Entity::find()
        .filter(first_refusal::Column::DealId.eq(deal_id))
        .order_by_asc(first_refusal::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(view).collect())
}

/// Closes the open notice of a deal that ended.
pub(crate) async fn close_for_deal<C: ConnectionTrait>(db: &C, deal_id: Uuid) -> Result<()> {
    first_refusal::Entity::update_many()
        .col_expr(first_refusal::Column::Status, Expr::value("closed"))
        .col_expr(first_refusal::Column::LiveKey, Expr::value(Option::<String>::None))
        .col_expr(first_refusal::Column::ClosedAt, Expr::value(Utc::now()))
        .col_expr(first_refusal::Column::Version, Expr::col(first_refusal::Column::Version).add(1))
        .filter(first_refusal::Column::DealId.eq(deal_id))
        .filter(first_refusal::Column::Status.eq("open"))
        .exec(db)
        .await?;
    Ok(())
}

/// Open notices whose window has passed.
pub async fn due<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Vec<first_refusal::Model>> {
    Ok(first_refusal::Entity::find()
        .filter(first_refusal::Column::Status.eq("open"))
        .filter(first_refusal::Column::ClosesAt.lte(now))
        .limit(200)
        .all(db)
        .await?)
}

/// Closes one notice whose window passed without a claim, once; returns whether it did.
pub async fn lapse_one<C: ConnectionTrait>(db: &C, current: &first_refusal::Model, now: DateTime<Utc>) -> Result<bool> {
    let result = first_refusal::Entity::update_many()
        .col_expr(first_refusal::Column::Status, Expr::value("lapsed"))
        .col_expr(first_refusal::Column::LiveKey, Expr::value(Option::<String>::None))
        .col_expr(first_refusal::Column::ClosedAt, Expr::value(now))
        .col_expr(first_refusal::Column::Version, Expr::value(current.version + 1))
        .filter(first_refusal::Column::Id.eq(current.id))
        .filter(first_refusal::Column::Version.eq(current.version))
        .filter(first_refusal::Column::Status.eq("open"))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(false);
    }
    let after = serde_json::json!({"status": "lapsed", "version": current.version + 1});
    audit::record(db, None, "first_refusal.lapse", ENTITY, current.id, Some(snapshot(current)), Some(after)).await?;
    Ok(true)
}
