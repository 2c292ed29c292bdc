//! How an achievement is shown: the public brief to everyone, the details behind the
//! NDA, the floor price to its owner only.

use crate::entities::{achievement, organization};
use chrono::{DateTime, Utc};
use serde::Serialize;
use techex_core::domain::{AchievementKind, AchievementStatus, Maturity, TransactionMode};
use utoipa::ToSchema;
use uuid::Uuid;

/// The organization that owns a listing, as shown beside it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnerBrief {
    pub id: Uuid,
    pub name: String,
    pub name_en: Option<String>,
}

impl From<&organization::Model> for OwnerBrief {
    fn from(org: &organization::Model) -> Self {
        OwnerBrief { id: org.id, name: org.name.clone(), name_en: org.name_en.clone() }
    }
}

/// What the viewer may see of one achievement.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
pub struct Access {
    /// The viewer's organization owns the achievement.
    pub owner: bool,
    /// The viewer sees the description and confidential documents.
    pub details: bool,
    /// The viewer's organization has accepted the NDA.
    pub nda_accepted: bool,
    /// The viewer is center staff who may review it.
    pub reviewer: bool,
}

/// An achievement as the API shows it to one viewer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AchievementView {
    pub id: Uuid,
    pub status: AchievementStatus,
    pub version: i32,
    pub owner: OwnerBrief,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub summary_zh: Option<String>,
    pub summary_en: Option<String>,
    pub abstract_zh: Option<String>,
    pub abstract_en: Option<String>,
    /// Present only when `access.details`.
    pub description_zh: Option<String>,
    pub description_en: Option<String>,
    pub advantage_zh: Option<String>,
    pub advantage_en: Option<String>,
    pub application_scenarios: Vec<String>,
    pub kind: AchievementKind,
    /// Application number in canonical form, e.g. `202310123456.6`.
    pub patent_number: Option<String>,
    pub patent_granted: bool,
    pub ipc_codes: Vec<String>,
    pub field: String,
    pub maturity: Option<Maturity>,
    pub trl: Option<i16>,
    pub transaction_modes: Vec<TransactionMode>,
    pub asking_price_minor: Option<i64>,
    /// Present only to the owner.
    pub floor_price_minor: Option<i64>,
    pub currency: String,
    pub price_negotiable: bool,
    pub inventors: Vec<String>,
    pub keywords: Vec<String>,
    pub region: String,
    pub nda_required: bool,
    /// The reviewer's reason, shown to the owner and reviewers.
    pub rejection_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub access: Access,
}

/// A compact achievement for lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AchievementSummary {
    pub id: Uuid,
    pub status: AchievementStatus,
    pub version: i32,
    pub owner: OwnerBrief,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub summary_zh: Option<String>,
    pub summary_en: Option<String>,
    pub kind: AchievementKind,
    pub patent_number: Option<String>,
    pub field: String,
    pub maturity: Option<Maturity>,
    pub trl: Option<i16>,
    pub transaction_modes: Vec<TransactionMode>,
    pub asking_price_minor: Option<i64>,
    pub currency: String,
    pub price_negotiable: bool,
    pub keywords: Vec<String>,
    pub region: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn parse_status(code: &str) -> AchievementStatus {
    AchievementStatus::parse(code).unwrap_or(AchievementStatus::Draft)
}

fn modes(model: &achievement::Model) -> Vec<TransactionMode> {
    model.transaction_modes.0.iter().filter_map(|m| TransactionMode::parse(m).ok()).collect()
}

fn kind(model: &achievement::Model) -> AchievementKind {
    AchievementKind::parse(&model.kind).unwrap_or(AchievementKind::Other)
}

fn maturity(model: &achievement::Model) -> Option<Maturity> {
    model.maturity.as_deref().and_then(|m| Maturity::parse(m).ok())
}

/// Builds the viewer's view of an achievement.
pub fn view(model: achievement::Model, owner: &organization::Model, access: Access) -> AchievementView {
    let show_reason = access.owner || access.reviewer;
    AchievementView {
        id: model.id,
        status: parse_status(&model.status),
        version: model.version,
        owner: owner.into(),
        kind: kind(&model),
        maturity: maturity(&model),
        transaction_modes: modes(&model),
        title_zh: model.title_zh,
        title_en: model.title_en,
        summary_zh: model.summary_zh,
        summary_en: model.summary_en,
        abstract_zh: model.abstract_zh,
        abstract_en: model.abstract_en,
        description_zh: if access.details { model.description_zh } else { None },
        description_en: if access.details { model.description_en } else { None },
        advantage_zh: model.advantage_zh,
        advantage_en: model.advantage_en,
        application_scenarios: model.application_scenarios.0,
        patent_number: model.patent_number,
        patent_granted: model.patent_granted,
        ipc_codes: model.ipc_codes.0,
        field: model.field_code,
        trl: model.trl,
        asking_price_minor: model.asking_price_minor,
        floor_price_minor: if access.owner { model.floor_price_minor } else { None },
        currency: model.currency,
        price_negotiable: model.price_negotiable,
        inventors: model.inventors.0,
        keywords: model.keywords.0,
        region: model.region,
        nda_required: model.nda_required,
        rejection_reason: if show_reason { model.rejection_reason } else { None },
        published_at: model.published_at,
        created_at: model.created_at,
        updated_at: model.updated_at,
        access,
    }
}

/// Builds the list form of an achievement (never holds confidential fields).
pub fn summary(model: achievement::Model, owner: &organization::Model) -> AchievementSummary {
    AchievementSummary {
        id: model.id,
        status: parse_status(&model.status),
        version: model.version,
        owner: owner.into(),
        kind: kind(&model),
        maturity: maturity(&model),
        transaction_modes: modes(&model),
        title_zh: model.title_zh,
        title_en: model.title_en,
        summary_zh: model.summary_zh,
        summary_en: model.summary_en,
        patent_number: model.patent_number,
        field: model.field_code,
        trl: model.trl,
        asking_price_minor: model.asking_price_minor,
        currency: model.currency,
        price_negotiable: model.price_negotiable,
        keywords: model.keywords.0,
        region: model.region,
        published_at: model.published_at,
        updated_at: model.updated_at,
    }
}
