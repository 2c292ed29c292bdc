//! Errors in the reader's language: the same refused request is worded in Chinese or in
//! English after `Accept-Language` (or the pages' language), with the same `code`, the
//! same fields and pointers, and `Content-Language` saying which.

use crate::helpers::{Reply, TestApp, achievement_body, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// Sends `body` to `path` as the seller, asking for `language` (none when empty).
async fn post_in(app: &TestApp, language: &str, path: &str, body: &Value) -> Reply {
    let mut request = app.request_without_language(Method::POST, path, Some(&app.seller)).json(body);
    if !language.is_empty() {
        request = request.header("Accept-Language", language);
    }
    Reply::from(request.send().await.expect("request")).await
}

fn content_language(reply: &Reply) -> &str {
    reply.headers.get("content-language").and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The field errors as (field, pointer, detail).
fn field_errors(reply: &Reply) -> Vec<(String, String, String)> {
    let errors = reply.body["errors"].as_array().cloned().unwrap_or_default();
    let text = |error: &Value, name: &str| error[name].as_str().unwrap_or_default().to_string();
    errors.iter().map(|e| (text(e, "field"), text(e, "pointer"), text(e, "detail"))).collect()
}

fn detail_of<'a>(errors: &'a [(String, String, String)], field: &str) -> &'a str {
    errors.iter().find(|(name, _, _)| name == field).map_or("", |(_, _, detail)| detail.as_str())
}

#[tokio::test]
async fn the_same_invalid_request_is_worded_in_chinese_or_english_with_the_same_code_and_fields() {
    let app = spawn_app().await;
    let mut body = achievement_body();
    body["patent_number"] = json!("202210123456.7");
    body["asking_price_minor"] = json!(20_000_000_000_000_i64);
    body["title_en"] = json!("x".repeat(201));

    let chinese = post_in(&app, "zh-CN", "/api/v1/achievements", &body).await.expect_problem(422, "validation_failed");
    let english = post_in(&app, "en", "/api/v1/achievements", &body).await.expect_problem(422, "validation_failed");
    assert_eq!((content_language(&chinese), content_language(&english)), ("zh-CN", "en"));
    assert_eq!(chinese.body["type"], english.body["type"]);

    let zh = field_errors(&chinese);
    let en = field_errors(&english);
    let places = |errors: &[(String, String, String)]| -> Vec<(String, String)> {
        errors.iter().map(|(field, pointer, _)| (field.clone(), pointer.clone())).collect()
    };
    assert_eq!(places(&zh), places(&en), "the same fields and pointers in both languages");
    assert_eq!(zh.len(), 3, "{}", chinese.body);

    assert_eq!(chinese.body["title"], "输入有误");
    assert_eq!(english.body["title"], "Invalid input");
    assert_eq!(chinese.body["detail"], "有 3 个字段填写有误");
    assert_eq!(english.body["detail"], "3 fields are invalid");
    assert_eq!(detail_of(&zh, "patent_number"), "“202210123456.7”的校验位不正确（应为“1”）");
    assert_eq!(detail_of(&en, "patent_number"), "`202210123456.7` has a wrong check digit (expected `1`)");
    assert_eq!(detail_of(&zh, "asking_price_minor"), "超过平台接受的最大金额（1000 亿）");
    assert!(detail_of(&en, "asking_price_minor").starts_with("is larger than any amount the platform accepts"));
    assert_eq!(detail_of(&zh, "title_en"), "最多 200 个字符（当前 201 个）");
    assert_eq!(detail_of(&en, "title_en"), "must be at most 200 characters (got 201)");
    for (field, _, detail) in &zh {
        assert!(!detail.chars().any(|c| c.is_ascii_alphabetic()), "English in the Chinese {field}: {detail}");
    }
}

#[tokio::test]
async fn a_body_serde_refuses_is_worded_in_the_readers_language_too() {
    let app = spawn_app().await;
    let mut body = achievement_body();
    body["kind"] = json!("InventionPatent");
    let chinese = post_in(&app, "zh", "/api/v1/achievements", &body).await.expect_problem(422, "validation_failed");
    let english = post_in(&app, "en", "/api/v1/achievements", &body).await.expect_problem(422, "validation_failed");
    assert_eq!(chinese.error_fields(), vec!["kind".to_string()]);
    assert_eq!(english.error_fields(), vec!["kind".to_string()]);
    let zh = detail_of(&field_errors(&chinese), "kind").to_string();
    let en = detail_of(&field_errors(&english), "kind").to_string();
    assert!(zh.starts_with("“InventionPatent”不是可选值之一：") && zh.contains("invention_patent"), "{zh}");
    assert!(en.starts_with("`InventionPatent` is not one of: ") && en.contains("invention_patent"), "{en}");
    assert_eq!(chinese.body["detail"], format!("kind：{zh}"));

    let array = post_in(&app, "zh-Hans", "/api/v1/achievements", &json!([])).await;
    let array = array.expect_problem(422, "validation_failed");
    assert_eq!(detail_of(&field_errors(&array), ""), "请求体须为 JSON 对象");
    assert_eq!(array.body["detail"], "请求体须为 JSON 对象", "an error about the whole body names no field");
}

#[tokio::test]
async fn the_language_follows_q_values_then_the_pages_cookie_then_the_sites_default() {
    let app = spawn_app().await;
    let ask = |language: Option<&'static str>, cookie: Option<&'static str>| {
        let mut request = app.request_without_language(Method::GET, "/api/v1/achievements?limit=0", None);
        if let Some(language) = language {
            request = request.header("Accept-Language", language);
        }
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        async move { Reply::from(request.send().await.expect("request")).await.expect_problem(400, "malformed_request") }
    };
    let cases = [
        (Some("fr-FR, en;q=0.5, zh-Hans;q=0.8"), None, "zh-CN", "请求格式错误"),
        (Some("zh;q=0.2, en-US"), None, "en", "Malformed request"),
        (Some("en;q=0, zh-TW"), None, "zh-CN", "请求格式错误"),
        (None, Some("lang=en"), "en", "Malformed request"),
        (Some("zh-CN"), Some("lang=en"), "zh-CN", "请求格式错误"),
        (None, None, "zh-CN", "请求格式错误"),
    ];
    for (language, cookie, tag, title) in cases {
        let reply = ask(language, cookie).await;
        assert_eq!(
            (content_language(&reply), reply.body["title"].as_str()),
            (tag, Some(title)),
            "{language:?} {cookie:?}"
        );
        assert_eq!(reply.error_fields(), vec!["limit".to_string()]);
    }
    let chinese = ask(Some("zh-CN"), None).await;
    assert_eq!(chinese.body["detail"], "limit：须在 1 至 100 之间");
    let english = ask(Some("en"), None).await;
    assert_eq!(english.body["detail"], "limit: must be between 1 and 100");
}

#[tokio::test]
async fn a_lost_version_race_is_explained_in_the_readers_language() {
    let app = spawn_app().await;
    let id = app.draft_achievement(&app.seller, json!({})).await;
    let path = format!("/api/v1/achievements/{id}");
    let stale = |language: &'static str| {
        app.request_without_language(Method::PATCH, &path, Some(&app.seller))
            .header("Accept-Language", language)
            .header("If-Match", "\"99\"")
            .json(&json!({"summary_zh": "新的简介"}))
    };
    let chinese = Reply::from(stale("zh-CN").send().await.expect("patch")).await;
    let chinese = chinese.expect_problem(412, "precondition_failed");
    let english = Reply::from(stale("en").send().await.expect("patch")).await;
    let english = english.expect_problem(412, "precondition_failed");
    assert_eq!(
        (chinese.body["title"].as_str(), english.body["title"].as_str()),
        (Some("版本已过期"), Some("Version is out of date"))
    );
    assert_eq!(chinese.body["detail"], "版本 99 已过期，当前版本为 1");
    assert_eq!(english.body["detail"], "version 99 is out of date: the current version is 1");
}

#[tokio::test]
async fn a_form_refused_on_a_chinese_page_shows_the_chinese_message() {
    let app = spawn_app().await;
    let id = app.draft_achievement(&app.seller, json!({})).await;
    app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller)).await.expect(200);
    let reject = |lang: &'static str| {
        let form = [("csrf_token", "t0ken"), ("reason", &*"太".repeat(2001))]
            .iter()
            .map(|(k, v)| format!("{k}={}", url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
            .collect::<Vec<_>>()
            .join("&");
        app.request_without_language(
            Method::POST,
            &format!("/center/review/achievements/{id}/reject?lang={lang}"),
            None,
        )
        .header("Cookie", format!("techex_session={}; techex_csrf=t0ken", app.reviewer.token))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
    };
    let chinese = reject("zh").send().await.expect("reject");
    assert_eq!(chinese.status().as_u16(), 422);
    let chinese = chinese.text().await.unwrap_or_default();
    assert!(chinese.contains("最多 2000 个字符（当前 2001 个）"), "{chinese}");
    assert!(!chinese.contains("must be at most"), "no English on the Chinese page");
    let english = reject("en").send().await.expect("reject").text().await.unwrap_or_default();
    assert!(english.contains("must be at most 2000 characters (got 2001)"), "{english}");

    // The pages' scripts ask the API in the page's language, not the browser's.
    let script = app.client.get(app.url("/static/workspace.js")).send().await.expect("script");
    let script = script.text().await.unwrap_or_default();
    assert!(script.contains("\"Accept-Language\": pageLanguage()") && script.contains("document.documentElement.lang"));
}

#[tokio::test]
async fn pre_check_findings_are_words_of_the_readers_language_in_the_api_and_on_the_page() {
    let app = spawn_app().await;
    let deal = crate::contracts::agreed_deal(&app).await;
    let contract = app.post("/api/v1/contracts", Some(&app.seller), json!({"deal_id": deal})).await.expect(201).id();
    let view = |language: &'static str| {
        app.request_without_language(Method::GET, &format!("/api/v1/contracts/{contract}"), Some(&app.seller))
            .header("Accept-Language", language)
    };
    let messages = |reply: &Reply| -> Vec<String> {
        let findings = reply.body["precheck"].as_array().cloned().unwrap_or_default();
        findings.iter().map(|f| f["message"].as_str().unwrap_or("(not a text)").to_string()).collect()
    };
    let chinese = Reply::from(view("zh-CN").send().await.expect("view")).await.expect(200);
    let english = Reply::from(view("en").send().await.expect("view")).await.expect(200);
    let (zh, en) = (messages(&chinese), messages(&english));
    assert!(!zh.is_empty() && zh.len() == en.len(), "{zh:?} {en:?}");
    assert!(zh.contains(&"尚有当事方未签署当前版本".to_string()), "{zh:?}");
    assert!(en.contains(&"not every party has signed the current version".to_string()), "{en:?}");
    for message in &zh {
        assert!(!message.chars().any(|c| c.is_ascii_alphabetic()), "English in a Chinese finding: {message}");
    }
    let page = app.request(Method::GET, &format!("/contracts/{contract}?lang=zh"), Some(&app.seller));
    let page = page.send().await.expect("page").text().await.unwrap_or_default();
    assert!(page.contains("尚有当事方未签署当前版本") && !page.contains("not every party has signed"), "{page}");
}

#[tokio::test]
async fn a_search_query_that_does_not_parse_is_explained_in_the_readers_language() {
    let app = spawn_app().await;
    let ask = |language: &'static str| {
        app.request_without_language(Method::GET, "/api/v1/search?q=%22%E6%B5%B7%E6%B0%B4", None)
            .header("Accept-Language", language)
    };
    let chinese = Reply::from(ask("zh-CN").send().await.expect("search")).await.expect_problem(400, "invalid_query");
    let english = Reply::from(ask("en").send().await.expect("search")).await.expect_problem(400, "invalid_query");
    assert_eq!(chinese.body["position"], english.body["position"]);
    assert_eq!(chinese.body["title"], "检索式无法解析");
    assert_eq!(detail_of(&field_errors(&chinese), "q"), "短语的引号没有闭合");
    assert_eq!(detail_of(&field_errors(&english), "q"), "the quotation mark that opens this phrase is never closed");
}
