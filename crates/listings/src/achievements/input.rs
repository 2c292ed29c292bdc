//! What a seller writes about an achievement, and its validation into column values.

use crate::entities::{StringList, achievement};
use crate::patching::{apply_amount, apply_texts, clean_list, merged};
use crate::reference::{resolve_field, resolve_region};
use sea_orm::{ConnectionTrait, Set};
use serde::Deserialize;
use techex_core::domain::{AchievementKind, Maturity, TransactionMode};
use techex_core::ipc::normalize_ipc;
use techex_core::patent::PatentType;
use techex_core::{Currency, FieldErrors, Patch, PatentNumber, msg};
use utoipa::ToSchema;

/// The fields of an achievement. On create, absent fields take defaults; on update
/// (`PATCH`), absent fields stay as they are and `null` clears a field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AchievementInput {
    /// Chinese title; a title in at least one language is required.
    #[schema(value_type = Option<String>, max_length = 200)]
    pub title_zh: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 200)]
    pub title_en: Patch<String>,
    /// One line saying what the technology is good for.
    #[schema(value_type = Option<String>, max_length = 200)]
    pub summary_zh: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 200)]
    pub summary_en: Patch<String>,
    /// The public abstract.
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub abstract_zh: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub abstract_en: Patch<String>,
    /// The detailed description; behind the NDA when `nda_required`.
    #[schema(value_type = Option<String>, max_length = 50000)]
    pub description_zh: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 50000)]
    pub description_en: Patch<String>,
    /// The advantage over the leading alternative, in figures.
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub advantage_zh: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub advantage_en: Patch<String>,
    #[schema(max_items = 20)]
    pub application_scenarios: Option<Vec<String>>,
    pub kind: Option<AchievementKind>,
    /// CNIPA application number, e.g. `202310123456.6`; the `ZL` prefix marks it granted.
    #[schema(value_type = Option<String>)]
    pub patent_number: Patch<String>,
    pub patent_granted: Option<bool>,
    /// IPC symbols such as `C02F 1/44`.
    pub ipc_codes: Option<Vec<String>>,
    /// Industry field code (see `GET /api/v1/reference/fields`).
    pub field: Option<String>,
    #[schema(value_type = Option<Maturity>)]
    pub maturity: Patch<Maturity>,
    /// Technology readiness level, 1–9, consistent with the maturity.
    #[schema(value_type = Option<i16>, minimum = 1, maximum = 9)]
    pub trl: Patch<i16>,
    pub transaction_modes: Option<Vec<TransactionMode>>,
    /// Asking price in minor units (fen).
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub asking_price_minor: Patch<i64>,
    /// The lowest acceptable price, in minor units; only the owner ever sees it.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub floor_price_minor: Patch<i64>,
    pub currency: Option<Currency>,
    pub price_negotiable: Option<bool>,
    #[schema(max_items = 50)]
    pub inventors: Option<Vec<String>>,
    #[schema(max_items = 20)]
    pub keywords: Option<Vec<String>>,
    /// Region code (`370200`) or name; defaults to the organization's region.
    pub region: Option<String>,
    /// Whether the description and confidential documents need an accepted NDA (default true).
    pub nda_required: Option<bool>,
}

const TITLE_MAX: usize = 200;
const SUMMARY_MAX: usize = 200;
const ABSTRACT_MAX: usize = 5_000;
const DESCRIPTION_MAX: usize = 50_000;
const ADVANTAGE_MAX: usize = 2_000;

fn list_change(
    errors: &mut FieldErrors,
    field: &str,
    items: &Option<Vec<String>>,
    max_items: usize,
    max_chars: usize,
) -> Option<StringList> {
    items.as_ref().map(|items| StringList(clean_list(errors, field, items, max_items, max_chars)))
}

/// Applies validated input onto an active model. `current` is the row being edited
/// (None on create). Cross-field rules are checked against the merged result.
pub(crate) async fn apply<C: ConnectionTrait>(
    db: &C,
    input: &AchievementInput,
    current: Option<&achievement::Model>,
    active: &mut achievement::ActiveModel,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    apply_texts(
        &mut errors,
        [
            ("title_zh", &input.title_zh, TITLE_MAX, &mut active.title_zh),
            ("title_en", &input.title_en, TITLE_MAX, &mut active.title_en),
            ("summary_zh", &input.summary_zh, SUMMARY_MAX, &mut active.summary_zh),
            ("summary_en", &input.summary_en, SUMMARY_MAX, &mut active.summary_en),
            ("abstract_zh", &input.abstract_zh, ABSTRACT_MAX, &mut active.abstract_zh),
            ("abstract_en", &input.abstract_en, ABSTRACT_MAX, &mut active.abstract_en),
            ("description_zh", &input.description_zh, DESCRIPTION_MAX, &mut active.description_zh),
            ("description_en", &input.description_en, DESCRIPTION_MAX, &mut active.description_en),
            ("advantage_zh", &input.advantage_zh, ADVANTAGE_MAX, &mut active.advantage_zh),
            ("advantage_en", &input.advantage_en, ADVANTAGE_MAX, &mut active.advantage_en),
        ],
    );
    if let Some(list) = list_change(&mut errors, "application_scenarios", &input.application_scenarios, 20, 200) {
        active.application_scenarios = Set(list);
    }
    if let Some(list) = list_change(&mut errors, "inventors", &input.inventors, 50, 50) {
        active.inventors = Set(list);
    }
    if let Some(list) = list_change(&mut errors, "keywords", &input.keywords, 20, 64) {
        active.keywords = Set(list);
    }
    if let Some(codes) = &input.ipc_codes {
        let mut normalized = Vec::new();
        for (index, code) in codes.iter().enumerate() {
            if let Some(code) = errors.check(&format!("ipc_codes[{index}]"), normalize_ipc(code))
                && !normalized.contains(&code)
            {
                normalized.push(code);
            }
        }
        if normalized.len() > 20 {
            errors.add("ipc_codes", msg::TOO_MANY_ENTRIES.with("max", 20));
        }
        active.ipc_codes = Set(StringList(normalized));
    }
    if let Some(kind) = input.kind {
        active.kind = Set(kind.as_str().to_string());
    }
    match &input.patent_number {
        Patch::Absent => {}
        Patch::Null => active.patent_number = Set(None),
        Patch::Value(number) if number.trim().is_empty() => active.patent_number = Set(None),
        Patch::Value(number) => {
            if let Some(parsed) = errors.check("patent_number", PatentNumber::parse(number)) {
                active.patent_number = Set(Some(parsed.application_number()));
                if number.trim().to_ascii_uppercase().starts_with("ZL") {
                    active.patent_granted = Set(true);
                }
            }
        }
    }
    if let Some(granted) = input.patent_granted {
        active.patent_granted = Set(granted);
    }
    if let Some(field) = &input.field
        && let Some(code) = errors.check("field", resolve_field(db, field).await)
    {
        active.field_code = Set(code);
    }
    if let Some(change) = input.maturity.clone().into_change() {
        active.maturity = Set(change.map(|m| m.as_str().to_string()));
    }
    match input.trl {
        Patch::Absent => {}
        Patch::Null => active.trl = Set(None),
        Patch::Value(trl) if (1..=9).contains(&trl) => active.trl = Set(Some(trl)),
        Patch::Value(_) => errors.add("trl", msg::TRL_OUT_OF_RANGE),
    }
    if let Some(modes) = &input.transaction_modes {
        let mut codes: Vec<String> = Vec::new();
        for mode in modes {
            let code = mode.as_str().to_string();
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        active.transaction_modes = Set(StringList(codes));
    }
    apply_amount(&mut errors, "asking_price_minor", &input.asking_price_minor, &mut active.asking_price_minor);
    apply_amount(&mut errors, "floor_price_minor", &input.floor_price_minor, &mut active.floor_price_minor);
    if let Some(currency) = input.currency {
        active.currency = Set(currency.code().to_string());
    }
    if let Some(negotiable) = input.price_negotiable {
        active.price_negotiable = Set(negotiable);
    }
    if let Some(region) = &input.region
        && let Some(code) = errors.check("region", resolve_region(db, region).await)
    {
        active.region = Set(code);
    }
    if let Some(nda) = input.nda_required {
        active.nda_required = Set(nda);
    }
    check_consistency(&mut errors, active, current);
    errors.into_result()
}

fn check_consistency(
    errors: &mut FieldErrors,
    active: &achievement::ActiveModel,
    current: Option<&achievement::Model>,
) {
    let title_zh = merged(&active.title_zh, current.map(|c| c.title_zh.clone())).flatten();
    let title_en = merged(&active.title_en, current.map(|c| c.title_en.clone())).flatten();
    let title_already_wrong = errors.0.iter().any(|e| e.field.starts_with("title"));
    if title_zh.is_none() && title_en.is_none() && !title_already_wrong {
        errors.add("title_zh", msg::TITLE_REQUIRED);
    }
    let kind = merged(&active.kind, current.map(|c| c.kind.clone())).and_then(|k| AchievementKind::parse(&k).ok());
    let patent = merged(&active.patent_number, current.map(|c| c.patent_number.clone())).flatten();
    if let (Some(kind), Some(number)) = (kind, &patent) {
        match PatentNumber::parse(number).map(|p| p.patent_type()) {
            Ok(_) if !kind.is_patent() => {
                errors.add("patent_number", msg::PATENT_NUMBER_NOT_FOR_KIND.with("kind", kind.as_str()))
            }
            Ok(found) => {
                let expected = match kind {
                    AchievementKind::UtilityModel => PatentType::UtilityModel,
                    AchievementKind::DesignPatent => PatentType::Design,
                    _ => PatentType::Invention,
                };
                if found != expected {
                    errors.add("patent_number", msg::PATENT_TYPE_MISMATCH.with("kind", kind.as_str()));
                }
            }
            Err(_) => {}
        }
    }
    let maturity =
        merged(&active.maturity, current.map(|c| c.maturity.clone())).flatten().and_then(|m| Maturity::parse(&m).ok());
    let trl = merged(&active.trl, current.map(|c| c.trl)).flatten();
    if let (Some(maturity), Some(trl)) = (maturity, trl)
        && !maturity.trl_range().contains(&trl)
    {
        let range = maturity.trl_range();
        let message = msg::TRL_NOT_FIT_MATURITY.with("trl", trl).with("maturity", maturity.as_str());
        errors.add("trl", message.with("min", *range.start()).with("max", *range.end()));
    }
    let asking = merged(&active.asking_price_minor, current.map(|c| c.asking_price_minor)).flatten();
    let floor = merged(&active.floor_price_minor, current.map(|c| c.floor_price_minor)).flatten();
    if let (Some(asking), Some(floor)) = (asking, floor)
        && floor > asking
    {
        errors.add("floor_price_minor", msg::FLOOR_ABOVE_ASKING);
    }
}

/// Rules that must hold before an achievement goes to review.
pub(crate) fn check_complete(model: &achievement::Model) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if model.title_zh.is_none() && model.title_en.is_none() {
        errors.add("title_zh", msg::TITLE_REQUIRED);
    }
    if model.abstract_zh.is_none() && model.abstract_en.is_none() {
        errors.add("abstract_zh", msg::ABSTRACT_REQUIRED);
    }
    if model.maturity.is_none() {
        errors.add("maturity", msg::MATURITY_REQUIRED);
    }
    if model.transaction_modes.0.is_empty() {
        errors.add("transaction_modes", msg::TRANSACTION_MODE_REQUIRED);
    }
    if model.asking_price_minor.is_none() && !model.price_negotiable {
        errors.add("asking_price_minor", msg::ASKING_PRICE_REQUIRED);
    }
    let is_patent = AchievementKind::parse(&model.kind).map(|k| k.is_patent()).unwrap_or(false);
    if is_patent && model.patent_number.is_none() {
        errors.add("patent_number", msg::PATENT_NUMBER_REQUIRED);
    }
    errors.into_result()
}
