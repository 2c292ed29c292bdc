//! `/metrics` (Prometheus text, behind the metrics token) and `/ready`.

use crate::helpers::{BACKSTOP, TestApp, spawn_app, spawn_app_with};
use prom_text_format_parser::{Metric, Sample, Scrape, Type, ValueType};
use reqwest::Method;

const METRICS_TOKEN: &str = "metrics-token-for-tests";

/// Scrapes `/metrics` with the token and parses it with a Prometheus text parser.
async fn scrape(app: &TestApp) -> Scrape {
    let request = app.client.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN);
    let reply = app.send(Method::GET, "/metrics", request).await.expect(200);
    let text = reply.body.as_str().expect("/metrics answers text");
    Scrape::parse(text).expect("/metrics is in the Prometheus text format")
}

fn metric<'a>(scrape: &'a Scrape, name: &str) -> Option<&'a Metric> {
    scrape.metrics.iter().find(|m| m.name == name)
}

fn has_labels(sample: &Sample, labels: &[(&str, &str)]) -> bool {
    labels.iter().all(|(key, value)| sample.labels.iter().any(|l| l.key == *key && l.value == *value))
}

/// The sum of a counter's samples whose labels include all of `labels`.
fn counter(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let Some(metric) = metric(scrape, name) else { return 0.0 };
    assert_eq!(metric.kind, Type::Counter, "{name} is a counter");
    metric.samples.iter().filter(|s| has_labels(s, labels)).map(|s| s.value.value.as_f64()).sum()
}

/// The count of a histogram's observations over all its label sets.
fn histogram_count(scrape: &Scrape, name: &str) -> f64 {
    let Some(metric) = metric(scrape, name) else { return 0.0 };
    assert_eq!(metric.kind, Type::Histogram, "{name} is a histogram");
    metric.samples.iter().filter(|s| s.value.value_type == ValueType::Count).map(|s| s.value.value.as_f64()).sum()
}

fn gauge(scrape: &Scrape, name: &str) -> Option<f64> {
    let metric = metric(scrape, name)?;
    assert_eq!(metric.kind, Type::Gauge, "{name} is a gauge");
    metric.samples.first().map(|s| s.value.value.as_f64())
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_searches_and_show_the_indexer() {
    let app = spawn_app_with(|config| config.metrics_token = Some(METRICS_TOKEN.into())).await;
    let achievement = app.publish_plain(&app.seller, serde_json::json!({})).await;
    app.wait_indexed().await;
    let route = [("route", "/api/v1/achievements/{id}"), ("method", "GET"), ("status", "200")];
    let before = scrape(&app).await;
    for _ in 0..3 {
        app.get(&format!("/api/v1/achievements/{achievement}"), None).await.expect(200);
    }
    app.search("q=material").await.expect(200);
    let after = scrape(&app).await;

    let requests = "techex_http_requests_total";
    assert!(counter(&after, requests, &route) >= counter(&before, requests, &route) + 3.0);
    assert!(
        !after.metrics.iter().flat_map(|m| &m.samples).any(|s| s.labels.iter().any(|l| l.value.contains(&achievement))),
        "no series is labelled with a raw path"
    );
    assert!(
        histogram_count(&after, "techex_search_duration_seconds")
            > histogram_count(&before, "techex_search_duration_seconds")
    );
    assert!(histogram_count(&after, "techex_http_request_duration_seconds") >= 3.0);
    assert_eq!(gauge(&after, "techex_indexer_lag_rows"), Some(0.0), "the index has caught up");
    assert!(gauge(&after, "techex_outbox_depth_rows").is_some_and(|rows| rows >= 1.0));
    assert!(gauge(&after, "techex_outbox_head_position").is_some_and(|head| head >= 1.0));
    assert!(gauge(&after, "techex_indexer_last_round_age_seconds").is_some());
    assert!(gauge(&after, "techex_db_pool_connections").is_some());

    // The deadline sweeper runs every 100 ms here; its runs are counted.
    let sweeps = [("sweeper", "deadlines"), ("outcome", "ok")];
    let started = std::time::Instant::now();
    while counter(&scrape(&app).await, "techex_sweeper_runs_total", &sweeps) < 1.0 {
        assert!(started.elapsed() < BACKSTOP, "no deadline sweep was counted");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn metrics_refuse_a_request_without_the_token_and_are_absent_without_one_configured() {
    let app = spawn_app_with(|config| config.metrics_token = Some(METRICS_TOKEN.into())).await;
    let anonymous = app.client.get(app.url("/metrics"));
    app.send(Method::GET, "/metrics", anonymous).await.expect_problem(401, "unauthenticated");
    let wrong = app.client.get(app.url("/metrics")).bearer_auth("not-the-token");
    app.send(Method::GET, "/metrics", wrong).await.expect(401);
    let session = app.client.get(app.url("/metrics")).bearer_auth(&app.admin.token);
    app.send(Method::GET, "/metrics", session).await.expect(401);

    let unconfigured = spawn_app().await;
    let request = unconfigured.client.get(unconfigured.url("/metrics")).bearer_auth(METRICS_TOKEN);
    unconfigured.send(Method::GET, "/metrics", request).await.expect(404);
}

async fn ready(app: &TestApp) -> crate::helpers::Reply {
    let request = app.client.get(app.url("/ready")).header("Accept-Language", "en");
    app.send(Method::GET, "/ready", request).await
}

#[tokio::test]
async fn ready_fails_while_the_index_is_behind_the_outbox_and_passes_once_caught_up() {
    let app = spawn_app_with(|config| {
        config.follow_outbox = false;
        config.ready_max_index_lag = 0;
    })
    .await;
    techex_search::indexer::catch_up(&app.db, app.search.index(), 1000).await.expect("catch up");
    ready(&app).await.expect(200);

    // An approval writes an outbox row that no indexer applies.
    app.publish_plain(&app.seller, serde_json::json!({})).await;
    let behind = ready(&app).await.expect_problem(503, "unavailable");
    let detail = behind.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("search_index: ") && detail.contains("outbox rows behind"),
        "the failed check is named: {detail}"
    );
    // A load balancer names no language: the check is named all the same.
    let unlabelled = app.send(Method::GET, "/ready", app.client.get(app.url("/ready"))).await;
    let detail = unlabelled.expect_problem(503, "unavailable").body["detail"].as_str().unwrap_or_default().to_string();
    assert!(detail.starts_with("`search_index`："), "the failed check is named: {detail}");

    techex_search::indexer::catch_up(&app.db, app.search.index(), 1000).await.expect("catch up");
    ready(&app).await.expect(200);
}

#[tokio::test]
async fn metrics_count_stripe_calls_and_their_failures() {
    let app = spawn_app_with(|config| config.metrics_token = Some(METRICS_TOKEN.into())).await;
    let (_, first, _) = crate::payments::registered_contract(&app).await;
    let created = [("operation", "create_intent"), ("outcome", "ok")];
    let before = scrape(&app).await;
    app.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&app.buyer)).await.expect(200);
    let after = scrape(&app).await;
    let requests = "techex_stripe_requests_total";
    // Other tests of the process may pay too: the counters are process-wide.
    assert!(counter(&after, requests, &created) >= counter(&before, requests, &created) + 1.0);
    assert!(
        histogram_count(&after, "techex_stripe_request_duration_seconds")
            > histogram_count(&before, "techex_stripe_request_duration_seconds")
    );

    // Stripe out of reach: the call fails and is counted as such.
    let unreachable = spawn_app_with(|config| {
        config.metrics_token = Some(METRICS_TOKEN.into());
        config.stripe_api_base = "http://127.0.0.1:9".into();
    })
    .await;
    let (_, first, _) = crate::payments::registered_contract(&unreachable).await;
    let failed = [("outcome", "unavailable")];
    let before = scrape(&unreachable).await;
    let reply = unreachable.post_empty(&format!("/api/v1/milestones/{first}/pay"), Some(&unreachable.buyer)).await;
    assert!(reply.status.is_server_error(), "paying without Stripe fails: {}", reply.body);
    let after = scrape(&unreachable).await;
    assert!(counter(&after, requests, &failed) > counter(&before, requests, &failed));
}
