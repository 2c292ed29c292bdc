//! Search parameters as clients send them (query string, saved searches), validated
//! into a `SearchRequest`.

use crate::error::{Result, SearchError};
use crate::query::Filters;
use crate::search::{SearchRequest, Sort, decode_cursor};
use serde::{Deserialize, Serialize};
use techex_core::domain::{AchievementKind, Maturity, TransactionMode};
use utoipa::{IntoParams, ToSchema};

/// The parameters of `GET /api/v1/search`; list parameters take comma-separated values
/// (any of them matches).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, IntoParams, PartialEq, Eq)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Free text: words (ranked), `+required`, `"phrases"` (required), `-exclusions`,
    /// `a OR b`, patent numbers, IPC symbols.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// `achievement` (default) or `demand`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    /// Achievement kinds, e.g. `invention_patent,utility_model`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Industry field codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Maturity codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maturity: Option<String>,
    /// Transaction mode codes; `open_licence` keeps patents open for licensing by anyone
    /// at published terms (专利开放许可).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Region codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Owning organization ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Lowest price, minor units (fen); items without a price are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(minimum = 0)]
    #[schema(minimum = 0)]
    pub price_min: Option<i64>,
    /// Highest price, minor units (fen); items without a price are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(minimum = 0)]
    #[schema(minimum = 0)]
    pub price_max: Option<i64>,
    /// `relevance` (default), `newest`, `price_asc` or `price_desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Hits per page, 1–100 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 100)]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// `zh` or `en`: the language snippets prefer (default `zh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

fn list(value: &Option<String>) -> Vec<String> {
    value.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn coded(
    field: &'static str,
    value: &Option<String>,
    parse: impl Fn(&str) -> Result<String, techex_core::Message>,
) -> Result<Vec<String>> {
    list(value).iter().map(|v| parse(v).map_err(|message| SearchError::parameter(field, message))).collect()
}

impl SearchParams {
    /// Validates the parameters into a request.
    pub fn to_request(&self) -> Result<SearchRequest> {
        let doc_type = match self.doc_type.as_deref().map(str::trim) {
            None | Some("") | Some("achievement") | Some("achievements") => "achievement",
            Some("demand") | Some("demands") => "demand",
            Some(other) => {
                return Err(SearchError::parameter(
                    "type",
                    techex_core::msg::VALUE_NOT_ONE_OF.with("input", other).with("allowed", "achievement, demand"),
                ));
            }
        };
        let mut facets = vec![
            (
                "kind".to_string(),
                coded("kind", &self.kind, |v| AchievementKind::parse(v).map(|k| k.as_str().to_string()))?,
            ),
            (
                "maturity".to_string(),
                coded("maturity", &self.maturity, |v| Maturity::parse(v).map(|m| m.as_str().to_string()))?,
            ),
            (
                "mode".to_string(),
                coded("mode", &self.mode, |v| {
                    if v.trim() == crate::document::OPEN_LICENCE_MODE {
                        return Ok(crate::document::OPEN_LICENCE_MODE.to_string());
                    }
                    TransactionMode::parse(v).map(|m| m.as_str().to_string())
                })?,
            ),
            ("field".to_string(), list(&self.field)),
            ("region".to_string(), list(&self.region)),
        ];
        let organizations = coded("organization", &self.organization, |v| {
            uuid::Uuid::parse_str(v).map(|id| id.to_string()).map_err(|_| techex_core::msg::OWNER_INVALID.into())
        })?;
        facets.push(("organization".to_string(), organizations));
        for (name, value) in [("price_min", self.price_min), ("price_max", self.price_max)] {
            if value.is_some_and(|v| v < 0) {
                return Err(SearchError::parameter(
                    if name == "price_min" { "price_min" } else { "price_max" },
                    techex_core::msg::AMOUNT_NEGATIVE,
                ));
            }
        }
        if let (Some(min), Some(max)) = (self.price_min, self.price_max)
            && min > max
        {
            return Err(SearchError::parameter("price_max", techex_core::msg::PRICE_RANGE_INVERTED));
        }
        let limit = self.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(SearchError::parameter(
                "limit",
                techex_core::msg::LIMIT_OUT_OF_RANGE.with("min", 1).with("max", 100),
            ));
        }
        let offset = match self.cursor.as_deref() {
            Some(cursor) if !cursor.is_empty() => decode_cursor(cursor)?,
            _ => 0,
        };
        let lang = match self.lang.as_deref() {
            Some(lang) if lang.starts_with("en") => "en",
            _ => "zh",
        };
        Ok(SearchRequest {
            query: self.q.clone().unwrap_or_default(),
            filters: Filters {
                doc_type: doc_type.to_string(),
                facets,
                price_min: self.price_min,
                price_max: self.price_max,
                ids: None,
            },
            sort: Sort::parse(self.sort.as_deref().unwrap_or(""))?,
            offset,
            limit,
            lang: lang.to_string(),
            keep_floor: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_validated_by_name() {
        let bad = |params: SearchParams, field: &str| match params.to_request() {
            Err(SearchError::Parameter { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected a {field} error, got {other:?}"),
        };
        bad(SearchParams { kind: Some("spaceship".into()), ..Default::default() }, "kind");
        bad(SearchParams { price_min: Some(10), price_max: Some(5), ..Default::default() }, "price_max");
        bad(SearchParams { limit: Some(0), ..Default::default() }, "limit");
        bad(SearchParams { sort: Some("random".into()), ..Default::default() }, "sort");
        bad(SearchParams { doc_type: Some("patent".into()), ..Default::default() }, "type");
        bad(SearchParams { organization: Some("x".into()), ..Default::default() }, "organization");
        let good = SearchParams { kind: Some("发明专利,utility_model".into()), ..Default::default() }.to_request();
        assert_eq!(
            good.ok().map(|r| r.filters.facets[0].1.clone()),
            Some(vec!["invention_patent".to_string(), "utility_model".to_string()])
        );
    }
}
