//! Assembles the routers, the OpenAPI document and the middleware into one service.

use crate::error::ApiError;
use crate::routes;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "techex",
        description = "API of a provincial technology achievements trading center: organizations, achievements, \
                       demands and their review, brokers, deals, offers and auctions. Errors are RFC 9457 problem documents; lists are cursor-paginated; \
                       writes to versioned resources take `If-Match: \"<version>\"` (412 when stale). Every operation lists the errors it \
                       can answer, as `application/problem+json`; besides those, any request may meet the edge's own: 408 (the request \
                       took over 60 s), 414 (a URI over 8 KiB), 431 (headers too large).",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::Problem, crate::error::ProblemField)),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "organizations", description = "Organizations, members, invitations, verification"),
        (name = "achievements", description = "Research achievements and their review workflow"),
        (name = "documents", description = "Documents attached to achievements, public or behind the NDA"),
        (name = "demands", description = "Technology demands of enterprises"),
        (name = "brokers", description = "Certified technology brokers: directory, profiles, certification"),
        (name = "deals", description = "Deals from inquiry to agreement: broker, room (joint and caucus), timeline, inventors' first refusal"),
        (name = "offers", description = "Structured offers: make, counter, accept, reject, withdraw, diff"),
        (name = "auctions", description = "Public bidding (挂牌竞价) with reserve, increment and extensions"),
        (name = "open licensing", description = "Patent open licensing (专利开放许可): declarations reviewed by the center, licences taken by notice"),
        (name = "royalties", description = "Running royalties: sales reported per period, the royalty computed, accepted or disputed, and paid as a milestone"),
        (name = "contracts", description = "Technology contracts: drafting, the document, amendments, signatures, registration"),
        (name = "payments", description = "Milestone payments through Stripe, the webhook, the ledger"),
        (name = "statistics", description = "Figures for the center: registered contracts, deals, brokers, time to registration (JSON or CSV)"),
        (name = "search", description = "Full-text search, saved searches, matching of demands and achievements"),
        (name = "notifications", description = "Notifications of the signed-in user"),
        (name = "reference", description = "Industry fields, regions and vocabularies"),
        (name = "audit", description = "The append-only audit log"),
        (name = "health", description = "Liveness and readiness")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("opaque").build()),
        );
    }
}

/// The OpenAPI document and the API router, from the same route definitions.
pub fn api(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::health::router())
        .merge(crate::metrics::router())
        .merge(routes::session::router())
        .merge(routes::organizations::router())
        .merge(routes::licences::router())
        .merge(routes::achievements::router(state.config.max_upload_bytes))
        .merge(routes::documents::router(state.config.max_upload_bytes))
        .merge(routes::demands::router())
        .merge(routes::brokers::router())
        .merge(routes::deals::router(state.config.max_upload_bytes))
        .merge(routes::auctions::router())
        .merge(routes::open_licences::router())
        .merge(routes::royalties::router())
        .merge(routes::feedback::router())
        .merge(routes::contracts::router())
        .merge(routes::stats::router())
        .merge(routes::payments::router())
        .merge(routes::reference::router())
        .merge(routes::search::router())
        .merge(routes::audit::router())
        .split_for_parts();
    let mut openapi = openapi;
    declare_path_parameters(&mut openapi);
    crate::openapi::document_errors(&mut openapi);
    (router, openapi)
}

/// Declares every `{name}` of every path as a required path parameter of its operations
/// where the route did not (the handlers read ids through `ApiPath`, which utoipa cannot
/// see). Every path parameter of the API is a UUID.
fn declare_path_parameters(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::Required;
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    for (path, item) in openapi.paths.paths.iter_mut() {
        let names: Vec<String> =
            path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string())).collect();
        if names.is_empty() {
            continue;
        }
        let operations =
            [item.get.as_mut(), item.put.as_mut(), item.post.as_mut(), item.delete.as_mut(), item.patch.as_mut()];
        for operation in operations.into_iter().flatten() {
            let parameters = operation.parameters.get_or_insert_with(Vec::new);
            for name in &names {
                let declared =
                    parameters.iter().any(|p| p.name == *name && matches!(p.parameter_in, ParameterIn::Path));
                if declared {
                    continue;
                }
                let description = match name.as_str() {
                    "id" => "The id of the resource the path names (a UUID)".to_string(),
                    other => format!("The `{other}` (a UUID)"),
                };
                parameters.push(
                    ParameterBuilder::new()
                        .name(name)
                        .parameter_in(ParameterIn::Path)
                        .required(Required::True)
                        .description(Some(description))
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
                        ))
                        .build(),
                );
            }
        }
    }
}

/// The whole HTTP service with its middleware.
pub fn build(state: AppState) -> Router {
    let (api, openapi) = api(&state);
    let openapi_json = serde_json::to_vec_pretty(&openapi).unwrap_or_default();
    let request_id = HeaderName::from_static("x-request-id");
    let app = api
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let body = openapi_json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], body) }
            }),
        )
        .merge(crate::pages::router(state.clone()))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(state.config.max_json_bytes))
        .with_state(state.clone());

    let security_headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(&state.config),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, {
            let hsts = strict_transport_security(&state.config);
            move |_: &Response| hsts.clone()
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ));

    let trace = TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
        let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
        tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
    });

    app.layer(cors(&state.config.cors_origins))
        .layer(security_headers)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(axum::middleware::map_response(crate::problems::problem_bodies))
        .layer(axum::middleware::from_fn(crate::problems::limit_uri_length))
        .layer(axum::middleware::from_fn(crate::locale::in_request_language))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(trace)
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::from_fn(crate::metrics::track_requests))
}

/// `Strict-Transport-Security` only when people reach the server over https (a browser
/// ignores it on plain http, and a plain-http deployment must never pin itself);
/// `includeSubDomains` only when configured, since it binds every subdomain of the host.
fn strict_transport_security(config: &crate::config::Config) -> Option<HeaderValue> {
    if !config.is_https() {
        return None;
    }
    Some(HeaderValue::from_static(if config.hsts_include_subdomains {
        "max-age=31536000; includeSubDomains"
    } else {
        "max-age=31536000"
    }))
}

/// CORS is closed unless origins are configured.
fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    if allowed.is_empty() {
        return CorsLayer::new();
    }
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::ETAG, header::LOCATION, HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600))
}

async fn not_found(state: axum::extract::State<AppState>, request: axum::extract::Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        let path = request.uri().path();
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no API resource at {path}")).into_response()
    } else {
        crate::pages::unknown_page(state, request).await
    }
}

/// The scheme, host and port of a URL (`https://js.stripe.com`), if it has them.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())?;
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    (matches!(scheme, "http" | "https") && host.chars().all(safe)).then(|| format!("{scheme}://{host}"))
}

/// Only our own scripts, styles and frames, except Stripe.js (and what it talks to) when
/// the card form is configured.
fn content_security_policy(config: &crate::config::Config) -> HeaderValue {
    let (mut script, mut connect, mut frame) = ("'self'".to_string(), "'self'".to_string(), "'none'".to_string());
    if config.stripe_publishable_key.is_some()
        && let Some(stripe) = origin(&config.stripe_js_url)
    {
        script = format!("'self' {stripe}");
        connect = format!("'self' {stripe}");
        frame = stripe.clone();
        if stripe == "https://js.stripe.com" {
            connect.push_str(" https://api.stripe.com");
            frame.push_str(" https://hooks.stripe.com");
        }
    }
    let policy = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src {script}; \
         connect-src {connect}; frame-src {frame}; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; \
         form-action 'self'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

#[cfg(test)]
mod csp_tests {
    use super::*;

    #[test]
    fn stripe_js_is_allowed_only_when_configured() {
        let mut config = crate::config::Config::with_data_dir(std::path::PathBuf::from("/tmp"));
        let plain = content_security_policy(&config);
        assert!(plain.to_str().unwrap_or("").contains("script-src 'self';"));
        config.stripe_publishable_key = Some("pk_test_x".into());
        let stripe = content_security_policy(&config);
        let text = stripe.to_str().unwrap_or("");
        assert!(text.contains("script-src 'self' https://js.stripe.com;"), "{text}");
        assert!(text.contains("connect-src 'self' https://js.stripe.com https://api.stripe.com;"), "{text}");
        config.stripe_js_url = "http://127.0.0.1:8420/js.stripe.com/v3/".into();
        let local = content_security_policy(&config);
        assert!(local.to_str().unwrap_or("").contains("script-src 'self' http://127.0.0.1:8420;"));
        assert_eq!(origin("javascript:alert(1)"), None);
        assert_eq!(origin("https://evil.test\\"), None);
    }
}
