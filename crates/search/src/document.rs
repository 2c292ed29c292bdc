//! What a published achievement or demand looks like in the index.

use crate::schema::Fields;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tantivy::TantivyDocument;
use tantivy::schema::Facet;
use techex_core::domain::{AchievementKind, Maturity, OpenLicenceStatus, TransactionMode};
use techex_listings::entities::{StringList, achievement, demand, industry_field, open_licence, organization, region};
use utoipa::ToSchema;
use uuid::Uuid;

/// What a hit shows; stored in the index so a search needs no database round trip.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Card {
    pub id: Uuid,
    /// `achievement` or `demand`.
    #[serde(rename = "type")]
    pub doc_type: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub summary_zh: Option<String>,
    pub summary_en: Option<String>,
    /// The public abstract (achievements) or description (demands); a search hit shows
    /// its `snippet` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abstract_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abstract_en: Option<String>,
    pub kind: Option<String>,
    pub field: String,
    pub maturity: Option<String>,
    pub trl: Option<i16>,
    pub transaction_modes: Vec<String>,
    /// Asking price, or for demands the top of the budget, in minor units.
    pub price_minor: Option<i64>,
    pub currency: String,
    pub price_negotiable: bool,
    pub patent_number: Option<String>,
    pub ipc_codes: Vec<String>,
    pub keywords: Vec<String>,
    pub region: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub owner_name_en: Option<String>,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The patent is open for licensing: anyone may take an ordinary licence at the
    /// published terms (`/open-licences`).
    #[serde(default)]
    pub open_licence: bool,
}

fn facet(dimension: &str, value: &str) -> Facet {
    Facet::from_path([dimension, value])
}

/// The low 64 bits of a UUID: random in v7, a stable tie-breaker.
pub fn id_low(id: Uuid) -> u64 {
    let bytes = id.as_bytes();
    u64::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]])
}

/// The names of industry fields and regions in both languages (reference data), so that
/// the words `新材料`, `new materials` or `青岛` find what is filed under those codes.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    /// Field code → (Chinese, English).
    pub fields: HashMap<String, (String, String)>,
    /// Region code → (Chinese, English, parent code).
    pub regions: HashMap<String, (String, String, Option<String>)>,
    /// The achievements whose patent a published declaration opens for licensing: they
    /// carry the mode `open_licence` (a filter and a facet value) and its names.
    pub open_licensed: std::collections::HashSet<uuid::Uuid>,
}

/// The mode facet value of a patent open for licensing (not a mode of negotiation).
pub const OPEN_LICENCE_MODE: &str = "open_licence";

impl Labels {
    /// Reads the names from the reference tables.
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Labels, sea_orm::DbErr> {
        let fields = industry_field::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|f| (f.code, (f.name_zh, f.name_en)))
            .collect();
        let regions = region::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.code, (r.name_zh, r.name_en, r.parent_code)))
            .collect();
        let open_licensed = open_licence::Entity::find()
            .select_only()
            .column(open_licence::Column::AchievementId)
            .filter(open_licence::Column::Status.eq(OpenLicenceStatus::Published.as_str()))
            .into_tuple::<uuid::Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        Ok(Labels { fields, regions, open_licensed })
    }

    /// The names of a field, a region (with the regions it lies in), a kind, a maturity
    /// and transaction modes, in both languages.
    pub fn words(
        &self,
        field: &str,
        region: &str,
        kind: Option<&str>,
        maturity: Option<&str>,
        modes: &[String],
    ) -> Vec<String> {
        let mut words = Vec::new();
        if let Some((zh, en)) = self.fields.get(field) {
            words.extend([zh.clone(), en.clone()]);
        }
        let mut next = Some(region.to_string());
        let mut depth = 0;
        while let Some(code) = next.take()
            && depth < 4
        {
            if let Some((zh, en, parent)) = self.regions.get(&code) {
                words.extend([zh.clone(), en.clone()]);
                next = parent.clone().filter(|p| *p != code);
            }
            depth += 1;
        }
        if let Some(kind) = kind.and_then(|k| AchievementKind::parse(k).ok()) {
            words.extend([kind.label_zh().to_string(), kind.label_en().to_string()]);
        }
        if let Some(maturity) = maturity.and_then(|m| Maturity::parse(m).ok()) {
            words.extend([maturity.label_zh().to_string(), maturity.label_en().to_string()]);
        }
        for mode in modes.iter().filter_map(|m| TransactionMode::parse(m).ok()) {
            words.extend([mode.label_zh().to_string(), mode.label_en().to_string()]);
        }
        words
    }
}

fn add_text(doc: &mut TantivyDocument, field: tantivy::schema::Field, values: &[Option<&str>]) {
    for value in values.iter().flatten() {
        if !value.trim().is_empty() {
            doc.add_text(field, value);
        }
    }
}

/// Adds public texts to the body, as words and as Chinese grams.
fn add_body(doc: &mut TantivyDocument, fields: &Fields, values: &[Option<&str>]) {
    add_text(doc, fields.body, values);
    for value in values.iter().flatten() {
        if value.chars().any(crate::analysis::is_han) {
            doc.add_text(fields.body_gram, value);
        }
    }
}

/// Adds the titles, as words and grams, to the title and to the body.
fn add_titles(doc: &mut TantivyDocument, fields: &Fields, titles: &[Option<&str>]) {
    add_text(doc, fields.title, titles);
    for title in titles.iter().flatten() {
        if title.chars().any(crate::analysis::is_han) {
            doc.add_text(fields.title_gram, title);
        }
    }
    add_body(doc, fields, titles);
}

/// The columns of an achievement that its index document needs: the indexer reads
/// only these, which makes catching up markedly cheaper than loading whole rows. The
/// description is not among them: it is disclosed under an NDA, and the index answers
/// anonymous visitors, so it never holds it.
#[derive(Debug, Clone, PartialEq, sea_orm::FromQueryResult)]
pub struct IndexedAchievement {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub status: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub summary_zh: Option<String>,
    pub summary_en: Option<String>,
    pub abstract_zh: Option<String>,
    pub abstract_en: Option<String>,
    pub advantage_zh: Option<String>,
    pub advantage_en: Option<String>,
    pub application_scenarios: StringList,
    pub kind: String,
    pub patent_number: Option<String>,
    pub ipc_codes: StringList,
    pub field_code: String,
    pub maturity: Option<String>,
    pub trl: Option<i16>,
    pub transaction_modes: StringList,
    pub asking_price_minor: Option<i64>,
    pub currency: String,
    pub price_negotiable: bool,
    pub inventors: StringList,
    pub keywords: StringList,
    pub region: String,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl IndexedAchievement {
    /// The columns to select.
    pub const COLUMNS: [achievement::Column; 26] = [
        achievement::Column::Id,
        achievement::Column::OrganizationId,
        achievement::Column::Status,
        achievement::Column::TitleZh,
        achievement::Column::TitleEn,
        achievement::Column::SummaryZh,
        achievement::Column::SummaryEn,
        achievement::Column::AbstractZh,
        achievement::Column::AbstractEn,
        achievement::Column::AdvantageZh,
        achievement::Column::AdvantageEn,
        achievement::Column::ApplicationScenarios,
        achievement::Column::Kind,
        achievement::Column::PatentNumber,
        achievement::Column::IpcCodes,
        achievement::Column::FieldCode,
        achievement::Column::Maturity,
        achievement::Column::Trl,
        achievement::Column::TransactionModes,
        achievement::Column::AskingPriceMinor,
        achievement::Column::Currency,
        achievement::Column::PriceNegotiable,
        achievement::Column::Inventors,
        achievement::Column::Keywords,
        achievement::Column::Region,
        achievement::Column::PublishedAt,
    ];
}

impl From<&achievement::Model> for IndexedAchievement {
    fn from(m: &achievement::Model) -> Self {
        IndexedAchievement {
            id: m.id,
            organization_id: m.organization_id,
            status: m.status.clone(),
            title_zh: m.title_zh.clone(),
            title_en: m.title_en.clone(),
            summary_zh: m.summary_zh.clone(),
            summary_en: m.summary_en.clone(),
            abstract_zh: m.abstract_zh.clone(),
            abstract_en: m.abstract_en.clone(),
            advantage_zh: m.advantage_zh.clone(),
            advantage_en: m.advantage_en.clone(),
            application_scenarios: m.application_scenarios.clone(),
            kind: m.kind.clone(),
            patent_number: m.patent_number.clone(),
            ipc_codes: m.ipc_codes.clone(),
            field_code: m.field_code.clone(),
            maturity: m.maturity.clone(),
            trl: m.trl,
            transaction_modes: m.transaction_modes.clone(),
            asking_price_minor: m.asking_price_minor,
            currency: m.currency.clone(),
            price_negotiable: m.price_negotiable,
            inventors: m.inventors.clone(),
            keywords: m.keywords.clone(),
            region: m.region.clone(),
            published_at: m.published_at,
        }
    }
}

/// Builds the index document of a published achievement from its public fields only.
pub fn achievement_document(
    fields: &Fields,
    model: &IndexedAchievement,
    owner: &organization::Model,
    labels: &Labels,
) -> TantivyDocument {
    let card = Card {
        id: model.id,
        doc_type: "achievement".into(),
        title_zh: model.title_zh.clone(),
        title_en: model.title_en.clone(),
        summary_zh: model.summary_zh.clone(),
        summary_en: model.summary_en.clone(),
        abstract_zh: model.abstract_zh.clone(),
        abstract_en: model.abstract_en.clone(),
        kind: Some(model.kind.clone()),
        field: model.field_code.clone(),
        maturity: model.maturity.clone(),
        trl: model.trl,
        transaction_modes: model.transaction_modes.0.clone(),
        price_minor: model.asking_price_minor,
        currency: model.currency.clone(),
        price_negotiable: model.price_negotiable,
        patent_number: model.patent_number.clone(),
        ipc_codes: model.ipc_codes.0.clone(),
        keywords: model.keywords.0.clone(),
        region: model.region.clone(),
        owner_id: owner.id,
        owner_name: owner.name.clone(),
        owner_name_en: owner.name_en.clone(),
        published_at: model.published_at,
        open_licence: labels.open_licensed.contains(&model.id),
    };
    let mut doc = common(fields, &card, "achievement");
    add_titles(&mut doc, fields, &[model.title_zh.as_deref(), model.title_en.as_deref()]);
    add_body(
        &mut doc,
        fields,
        &[
            model.summary_zh.as_deref(),
            model.summary_en.as_deref(),
            model.abstract_zh.as_deref(),
            model.abstract_en.as_deref(),
            model.advantage_zh.as_deref(),
            model.advantage_en.as_deref(),
        ],
    );
    let scenarios: Vec<Option<&str>> = model.application_scenarios.0.iter().map(|s| Some(s.as_str())).collect();
    add_body(&mut doc, fields, &scenarios);
    for inventor in &model.inventors.0 {
        doc.add_text(fields.labels, inventor);
    }
    for word in labels.words(
        &model.field_code,
        &model.region,
        Some(&model.kind),
        model.maturity.as_deref(),
        &model.transaction_modes.0,
    ) {
        doc.add_text(fields.labels, &word);
    }
    if let Some(number) = &model.patent_number {
        doc.add_text(fields.patent, number);
    }
    for code in &model.ipc_codes.0 {
        doc.add_text(fields.ipc, code);
        let subclass: String = code.chars().take(4).collect();
        if subclass != *code {
            doc.add_text(fields.ipc, &subclass);
        }
    }
    if let Some(maturity) = &model.maturity {
        doc.add_facet(fields.maturity, facet("maturity", maturity));
    }
    doc.add_facet(fields.kind, facet("kind", &model.kind));
    if labels.open_licensed.contains(&model.id) {
        doc.add_facet(fields.mode, facet("mode", OPEN_LICENCE_MODE));
        for word in ["开放许可", "专利开放许可", "open licence", "open license", "open licensing"] {
            doc.add_text(fields.labels, word);
        }
    }
    doc
}

/// Builds the index document of a published demand.
pub fn demand_document(
    fields: &Fields,
    model: &demand::Model,
    owner: &organization::Model,
    labels: &Labels,
) -> TantivyDocument {
    let card = Card {
        id: model.id,
        doc_type: "demand".into(),
        title_zh: model.title_zh.clone(),
        title_en: model.title_en.clone(),
        summary_zh: None,
        summary_en: None,
        abstract_zh: model.description_zh.clone(),
        abstract_en: model.description_en.clone(),
        kind: None,
        field: model.field_code.clone(),
        maturity: None,
        trl: None,
        transaction_modes: model.desired_modes.0.clone(),
        price_minor: model.budget_max_minor.or(model.budget_min_minor),
        currency: model.currency.clone(),
        price_negotiable: model.budget_max_minor.is_none() && model.budget_min_minor.is_none(),
        patent_number: None,
        ipc_codes: Vec::new(),
        keywords: model.keywords.0.clone(),
        region: model.region.clone(),
        owner_id: owner.id,
        owner_name: owner.name.clone(),
        owner_name_en: owner.name_en.clone(),
        published_at: model.published_at,
        open_licence: false,
    };
    let mut doc = common(fields, &card, "demand");
    add_titles(&mut doc, fields, &[model.title_zh.as_deref(), model.title_en.as_deref()]);
    // A demand's description is public: it is what the enterprise asks for.
    add_body(&mut doc, fields, &[model.description_zh.as_deref(), model.description_en.as_deref()]);
    for word in labels.words(&model.field_code, &model.region, None, None, &model.desired_modes.0) {
        doc.add_text(fields.labels, &word);
    }
    doc
}

fn common(fields: &Fields, card: &Card, doc_type: &str) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, card.id.to_string());
    doc.add_u64(fields.id_low, id_low(card.id));
    doc.add_text(fields.doc_type, doc_type);
    for keyword in &card.keywords {
        doc.add_text(fields.keywords, keyword);
    }
    let keywords: Vec<Option<&str>> = card.keywords.iter().map(|k| Some(k.as_str())).collect();
    add_body(&mut doc, fields, &keywords);
    add_text(&mut doc, fields.labels, &[Some(card.owner_name.as_str()), card.owner_name_en.as_deref()]);
    doc.add_facet(fields.field, facet("field", &card.field));
    for mode in &card.transaction_modes {
        doc.add_facet(fields.mode, facet("mode", mode));
    }
    doc.add_facet(fields.region, facet("region", &card.region));
    doc.add_facet(fields.organization, facet("organization", &card.owner_id.to_string()));
    if let Some(price) = card.price_minor {
        doc.add_i64(fields.price, price);
    }
    doc.add_i64(fields.published, card.published_at.map_or(0, |t| t.timestamp_micros()));
    doc.add_text(fields.card, serde_json::to_string(card).unwrap_or_default());
    doc
}
