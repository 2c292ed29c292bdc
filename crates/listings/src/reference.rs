//! Reference data lookups: regions and industry fields.

use crate::entities::{industry_field, region};
use crate::error::{ListingsError, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use techex_core::{Message, msg};

/// Resolves a region given as a code (`370200`) or a name (`青岛市`, `青岛`, `Qingdao`).
pub async fn resolve_region<C: ConnectionTrait>(db: &C, input: &str) -> Result<String, Message> {
    let wanted = input.trim();
    if wanted.is_empty() {
        return Err(msg::TEXT_EMPTY.into());
    }
    let found = region::Entity::find().filter(region::Column::Code.eq(wanted)).one(db).await;
    if let Ok(Some(found)) = found {
        return Ok(found.code);
    }
    let all = region::Entity::find().all(db).await.map_err(|e| Message::verbatim(e.to_string()))?;
    all.into_iter()
        .find(|r| {
            r.name_zh == wanted
                || r.name_en.eq_ignore_ascii_case(wanted)
                || r.name_zh.trim_end_matches(['市', '省']) == wanted
        })
        .map(|r| r.code)
        .ok_or_else(|| msg::REGION_UNKNOWN.with("input", wanted))
}

/// Checks that an industry field code exists (codes or either name are accepted).
pub async fn resolve_field<C: ConnectionTrait>(db: &C, input: &str) -> Result<String, Message> {
    let wanted = input.trim();
    let all = industry_field::Entity::find().all(db).await.map_err(|e| Message::verbatim(e.to_string()))?;
    let codes: Vec<String> = all.iter().map(|f| f.code.clone()).collect();
    all.into_iter()
        .find(|f| f.code == wanted || f.name_zh == wanted || f.name_en.eq_ignore_ascii_case(wanted))
        .map(|f| f.code)
        .ok_or_else(|| msg::INDUSTRY_FIELD_UNKNOWN.with("input", wanted).with("allowed", codes.join(", ")))
}

pub async fn list_regions<C: ConnectionTrait>(db: &C) -> Result<Vec<region::Model>> {
    Ok(region::Entity::find().order_by_asc(region::Column::SortOrder).all(db).await?)
}

pub async fn list_fields<C: ConnectionTrait>(db: &C) -> Result<Vec<industry_field::Model>> {
    Ok(industry_field::Entity::find().order_by_asc(industry_field::Column::SortOrder).all(db).await?)
}

/// Adds an industry field (the table is extensible by platform admins).
pub async fn add_field<C: ConnectionTrait>(
    db: &C,
    code: &str,
    name_zh: &str,
    name_en: &str,
    priority: bool,
) -> Result<industry_field::Model> {
    use sea_orm::{ActiveModelTrait, Set};
    let valid_code = !code.is_empty()
        && code.len() <= 64
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let mut errors = techex_core::FieldErrors::new();
    if !valid_code {
        errors.add("code", msg::CODE_INVALID);
    }
    let name_zh = errors.check("name_zh", techex_core::text::required_text(name_zh, 100));
    let name_en = errors.check("name_en", techex_core::text::required_text(name_en, 100));
    let (Some(name_zh), Some(name_en), true) = (name_zh, name_en, errors.is_empty()) else {
        return Err(ListingsError::Invalid(errors));
    };
    let count = industry_field::Entity::find().all(db).await?.len() as i32;
    industry_field::ActiveModel {
        code: Set(code.to_string()),
        name_zh: Set(name_zh),
        name_en: Set(name_en),
        priority: Set(priority),
        sort_order: Set(count),
    }
    .insert(db)
    .await
    .map_err(|e| ListingsError::from_db_unique(e, techex_core::msg::REFUSED_AN_INDUSTRY_FIELD_WITH_THIS_CODE_EXISTS))
}
