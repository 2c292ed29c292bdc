//! Checks answers against the OpenAPI document the server publishes: the status must be
//! one the operation documents, with the media type documented for it (errors as
//! `application/problem+json`). `TestApp`'s request helpers check every answer of the
//! suite this way; the tests below add a representative sweep and the enum vocabularies.

use serde_json::Value;

/// Statuses the HTTP edge answers before an operation runs (an over-long URI, the request
/// timeout, oversized headers): the API's description documents them once for all.
const EDGE_STATUSES: [u16; 3] = [408, 414, 431];

/// The OpenAPI document, read from `/api/openapi.json`.
pub struct OpenApiDocument {
    document: Value,
}

impl OpenApiDocument {
    pub fn new(document: Value) -> OpenApiDocument {
        OpenApiDocument { document }
    }

    /// The path template (`/api/v1/achievements/{id}`) and operation that serve a
    /// request, preferring literal segments over parameters (`/achievements/import`
    /// over `/achievements/{id}`).
    pub fn operation(&self, method: &str, path: &str) -> Option<(&str, &Value)> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        let method = method.to_ascii_lowercase();
        let mut best: Option<(usize, &str, &Value)> = None;
        for (template, item) in self.document["paths"].as_object()? {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                continue;
            }
            let matches = parts.iter().zip(&segments).all(|(part, segment)| {
                (part.starts_with('{') && part.ends_with('}') && !segment.is_empty()) || part == segment
            });
            let Some(operation) = item.get(&method).filter(|_| matches) else {
                continue;
            };
            let parameters = parts.iter().filter(|p| p.starts_with('{')).count();
            if best.is_none_or(|(fewest, _, _)| parameters < fewest) {
                best = Some((parameters, template.as_str(), operation));
            }
        }
        best.map(|(_, template, operation)| (template, operation))
    }

    /// Whether an answer is one the document promises; requests no operation serves
    /// (pages, unknown paths, methods a path does not have) are not the document's.
    pub fn check(&self, method: &str, path: &str, status: u16, content_type: &str) -> Result<(), String> {
        let Some((template, operation)) = self.operation(method, path) else {
            return Ok(());
        };
        if EDGE_STATUSES.contains(&status) {
            return Ok(());
        }
        let Some(response) = operation["responses"].get(status.to_string()) else {
            let documented: Vec<&String> =
                operation["responses"].as_object().map(|r| r.keys().collect()).unwrap_or_default();
            return Err(format!(
                "{method} {path} answered {status}, which the OpenAPI document does not list for \
                 {method} {template} (it lists {documented:?})"
            ));
        };
        let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        let declared: Vec<&String> = response["content"].as_object().map(|c| c.keys().collect()).unwrap_or_default();
        if declared.is_empty() {
            return if status >= 400 {
                Err(format!("{method} {template} documents its {status} without a body"))
            } else {
                Ok(())
            };
        }
        let covered = declared.iter().any(|range| media_matches(range, &media));
        if !covered {
            return Err(format!(
                "{method} {path} answered {status} as `{content_type}`, but {method} {template} documents it as {declared:?}"
            ));
        }
        if status >= 400 && media != "application/problem+json" {
            return Err(format!("{method} {path} answered {status} as `{content_type}`, not a problem"));
        }
        Ok(())
    }

    /// Every schema of the components that is a closed set of strings, with its values.
    pub fn enum_schemas(&self) -> Vec<(String, Vec<String>)> {
        let schemas = self.document["components"]["schemas"].as_object().cloned().unwrap_or_default();
        schemas
            .into_iter()
            .filter_map(|(name, schema)| {
                let values = schema["enum"].as_array()?;
                Some((name, values.iter().map(|v| v.as_str().unwrap_or("<not a string>").to_string()).collect()))
            })
            .collect()
    }

    pub fn value(&self) -> &Value {
        &self.document
    }
}

/// Whether a declared media range (`application/json`, `text/*`, `*/*`) covers a type.
fn media_matches(range: &str, media: &str) -> bool {
    match range.split_once('/') {
        Some(("*", "*")) => !media.is_empty(),
        Some((kind, "*")) => media.split_once('/').is_some_and(|(actual, _)| actual == kind),
        _ => range.eq_ignore_ascii_case(media),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> OpenApiDocument {
        let problem = json!({"content": {"application/problem+json": {}}});
        OpenApiDocument::new(json!({"paths": {
            "/api/v1/things/{id}": {"get": {"responses": {"200": {"content": {"application/json": {}}}, "404": problem}}},
            "/api/v1/things/import": {"post": {"responses": {"200": {"content": {"application/json": {}}}}}},
            "/api/v1/things/{id}/file": {"get": {"responses": {"200": {"content": {"*/*": {}}}, "204": {}}}},
        }}))
    }

    #[test]
    fn answers_are_held_to_their_operation() {
        let doc = document();
        assert!(doc.check("GET", "/api/v1/things/1?x=1", 200, "application/json").is_ok());
        assert!(doc.check("GET", "/api/v1/things/1", 404, "application/problem+json").is_ok());
        assert!(doc.check("GET", "/api/v1/things/1", 404, "application/json").is_err(), "a problem as plain JSON");
        assert!(doc.check("GET", "/api/v1/things/1", 401, "application/problem+json").is_err(), "undocumented");
        assert!(doc.check("POST", "/api/v1/things/import", 200, "application/json").is_ok());
        assert!(doc.check("POST", "/api/v1/things/import", 415, "application/problem+json").is_err());
        assert!(doc.check("GET", "/api/v1/things/1/file", 200, "application/pdf").is_ok());
        assert!(doc.check("GET", "/api/v1/things/1/file", 204, "").is_ok());
        assert!(doc.check("GET", "/somewhere/else", 500, "text/html").is_ok(), "not an operation");
        assert!(doc.check("GET", "/api/v1/things/1", 414, "application/problem+json").is_ok(), "edge status");
    }
}
