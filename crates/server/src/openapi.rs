//! The error responses of the OpenAPI document, derived from what each operation takes.
//!
//! A handler's `#[utoipa::path]` names the errors of its domain (403, 409, 429, a 503 of
//! its own); the errors of the extractors every handler shares follow from the operation's
//! shape and are added here, so the two cannot drift apart:
//!
//! | the operation | can answer | because of |
//! | --- | --- | --- |
//! | declares `bearer` security (required or optional) | 401 | `CurrentUser`; `MaybeUser` refuses an invalid token |
//! | has a path parameter | 404 | `ApiPath` (an id that does not parse names nothing) and the lookup |
//! | has query parameters | 400 | `ApiQuery` |
//! | takes `If-Match` | 400, 412 | `IfMatch` (a malformed version; a stale one) |
//! | has a JSON body | 400, 413, 415, 422 | `ApiJson` (syntax, size, media type, shape) |
//! | has a multipart body | 400, 413, 422 | axum's multipart reader and the upload checks |
//! | is under `/api/` | 503 | the database is unavailable |
//!
//! Every error response is `application/problem+json` with the shared `Problem` schema
//! (utoipa writes `body = Problem` as `application/json`), worded in the language the
//! operation's optional `Accept-Language` asks for and labelled with `Content-Language`.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Required, ResponseBuilder};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

const PROBLEM_SCHEMA: &str = "#/components/schemas/Problem";

/// The description of a status an operation answers with, unless it says more itself.
fn standard_description(status: &str) -> &'static str {
    match status {
        "400" => "Malformed request: a query parameter, header or body that does not parse",
        "401" => "Not signed in, or the bearer token is invalid or expired",
        "403" => "The caller may not do this",
        "404" => "No such resource, or not one the caller may see",
        "409" => "Not allowed in the resource's current state, or conflicts with another",
        "410" => "It existed but is no longer valid (a link past its time)",
        "412" => "The `If-Match` version is out of date",
        "413" => "The request body is too large",
        "415" => "The body is not JSON (`Content-Type: application/json`)",
        "422" => "Invalid input; `errors` names each field",
        "429" => "Too many attempts; `Retry-After` says when to try again",
        "503" => "The database or a service the request needs is unavailable; retry shortly",
        _ => "Error",
    }
}

/// Adds the extractors' error responses to every operation and declares every error
/// response as `application/problem+json` with the `Problem` schema.
pub fn document_errors(openapi: &mut OpenApi) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        let operations =
            [item.get.as_mut(), item.put.as_mut(), item.post.as_mut(), item.delete.as_mut(), item.patch.as_mut()];
        for operation in operations.into_iter().flatten() {
            for status in implied_statuses(path, operation) {
                operation.responses.responses.entry(status.to_string()).or_insert_with(|| {
                    RefOr::T(ResponseBuilder::new().description(standard_description(status)).build())
                });
            }
            declare_problem_bodies(operation);
            if path.starts_with("/api/") {
                declare_accept_language(operation);
            }
        }
    }
}

/// The optional `Accept-Language` header every API operation reads for its errors.
fn declare_accept_language(operation: &mut Operation) {
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    if parameters.iter().any(|p| p.name.eq_ignore_ascii_case("Accept-Language")) {
        return;
    }
    parameters.push(
        ParameterBuilder::new()
            .name("Accept-Language")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "The language of problem titles and details (`zh`, `zh-CN`, `zh-Hans`: Chinese; `en`: English), \
                 by q-value; without it the `lang` cookie of the pages, else Chinese. `code` never changes.",
            ))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .example(Some(serde_json::json!("en")))
            .build(),
    );
}

/// The statuses the shared extractors and the database give an operation of this shape.
fn implied_statuses(path: &str, operation: &Operation) -> Vec<&'static str> {
    let mut statuses = Vec::new();
    let bearer = operation.security.iter().flatten().any(|requirement| *requirement != SecurityRequirement::default());
    if bearer {
        statuses.push("401");
    }
    let parameters = operation.parameters.iter().flatten();
    if path.contains('{') {
        statuses.push("404");
    }
    if parameters.clone().any(|p| matches!(p.parameter_in, ParameterIn::Query)) {
        statuses.push("400");
    }
    if parameters.clone().any(|p| matches!(p.parameter_in, ParameterIn::Header) && p.name == "If-Match") {
        statuses.extend(["400", "412"]);
    }
    let body_types: Vec<&String> = operation.request_body.iter().flat_map(|body| body.content.keys()).collect();
    if body_types.iter().any(|media| media.as_str() == "application/json") {
        statuses.extend(["400", "413", "415", "422"]);
    }
    if body_types.iter().any(|media| media.as_str() == "multipart/form-data") {
        statuses.extend(["400", "413", "422"]);
    }
    if path.starts_with("/api/") {
        statuses.push("503");
    }
    statuses
}

/// Every 4xx and 5xx response of the operation: a `Problem` as `application/problem+json`,
/// with the standard description where the handler gave none.
fn declare_problem_bodies(operation: &mut Operation) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        if response.description.is_empty() {
            response.description = standard_description(status).to_string();
        }
        response.content.shift_remove("application/json");
        response.headers.entry("Content-Language".to_string()).or_insert_with(|| {
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some("The language of `title` and the details: `zh-CN` or `en`"))
                .build()
        });
        response
            .content
            .entry(PROBLEM_JSON.to_string())
            .or_insert_with(|| Content::new(Some(RefOr::Ref(Ref::new(PROBLEM_SCHEMA)))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{OperationBuilder, ParameterBuilder};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::{PathItem, PathsBuilder, ResponsesBuilder};

    fn document(path: &str, operation: Operation) -> OpenApi {
        let mut openapi = OpenApi::new(
            utoipa::openapi::Info::new("t", "1"),
            PathsBuilder::new().path(path, PathItem::new(utoipa::openapi::HttpMethod::Post, operation)),
        );
        document_errors(&mut openapi);
        openapi
    }

    fn responses(openapi: &OpenApi, path: &str) -> serde_json::Value {
        let value = serde_json::to_value(openapi).unwrap_or_default();
        value["paths"][path]["post"]["responses"].clone()
    }

    #[test]
    fn a_signed_in_json_write_on_an_id_documents_its_extractors_errors() {
        let operation = OperationBuilder::new()
            .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
            .parameter(ParameterBuilder::new().name("If-Match").parameter_in(ParameterIn::Header))
            .request_body(Some(
                RequestBodyBuilder::new().content("application/json", Content::new(None::<RefOr<_>>)).build(),
            ))
            .responses(
                ResponsesBuilder::new().response("200", ResponseBuilder::new().description("ok")).response(
                    "409",
                    ResponseBuilder::new()
                        .description("")
                        .content("application/json", Content::new(Some(RefOr::Ref(Ref::new(PROBLEM_SCHEMA))))),
                ),
            )
            .build();
        let openapi = document("/api/v1/things/{id}/do", operation);
        let responses = responses(&openapi, "/api/v1/things/{id}/do");
        let statuses: Vec<&String> = responses.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(statuses, ["200", "400", "401", "404", "409", "412", "413", "415", "422", "503"]);
        assert_eq!(responses["409"]["content"][PROBLEM_JSON]["schema"]["$ref"], PROBLEM_SCHEMA);
        assert!(responses["409"]["content"].get("application/json").is_none(), "{responses}");
        assert_eq!(responses["409"]["description"], standard_description("409"));
        assert_eq!(responses["412"]["content"][PROBLEM_JSON]["schema"]["$ref"], PROBLEM_SCHEMA);
        assert!(responses["200"]["content"].get(PROBLEM_JSON).is_none());
        assert!(responses["409"]["headers"].get("Content-Language").is_some(), "{responses}");
        let value = serde_json::to_value(&openapi).unwrap_or_default();
        let parameters = value["paths"]["/api/v1/things/{id}/do"]["post"]["parameters"].clone();
        let names: Vec<&str> = parameters.as_array().into_iter().flatten().filter_map(|p| p["name"].as_str()).collect();
        assert_eq!(names, ["If-Match", "Accept-Language"]);
    }

    #[test]
    fn an_anonymous_operation_without_inputs_only_risks_the_database() {
        let operation = OperationBuilder::new()
            .security(SecurityRequirement::default())
            .responses(ResponsesBuilder::new().response("200", ResponseBuilder::new().description("ok")))
            .build();
        let openapi = document("/api/v1/things", operation);
        let responses = responses(&openapi, "/api/v1/things");
        let statuses: Vec<&String> = responses.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(statuses, ["200", "503"]);
    }
}
