//! Rows to index in unit tests: a verified owner and a published achievement with no
//! text, for a test to fill in.

use crate::document::IndexedAchievement;
use techex_listings::entities::{StringList, organization};

pub(crate) fn test_owner(now: chrono::DateTime<chrono::Utc>) -> organization::Model {
    organization::Model {
        id: uuid::Uuid::now_v7(),
        name: "山东大学".into(),
        name_en: None,
        kind: "university".into(),
        credit_code: String::new(),
        region: "370100".into(),
        website: None,
        description: None,
        description_en: None,
        verified_at: Some(now),
        verified_by: None,
        rejection_reason: None,
        rejected_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// A published achievement with no text, to fill in.
pub(crate) fn test_row(owner: uuid::Uuid, now: chrono::DateTime<chrono::Utc>) -> IndexedAchievement {
    IndexedAchievement {
        id: uuid::Uuid::now_v7(),
        organization_id: owner,
        status: "published".into(),
        title_zh: None,
        title_en: None,
        summary_zh: None,
        summary_en: None,
        abstract_zh: None,
        abstract_en: None,
        advantage_zh: None,
        advantage_en: None,
        application_scenarios: StringList::default(),
        kind: "invention_patent".into(),
        patent_number: None,
        ipc_codes: StringList::default(),
        field_code: "new_materials".into(),
        maturity: None,
        trl: None,
        transaction_modes: StringList::default(),
        asking_price_minor: Some(100),
        currency: "CNY".into(),
        price_negotiable: false,
        inventors: StringList::default(),
        keywords: StringList::default(),
        region: "370100".into(),
        published_at: Some(now),
    }
}
