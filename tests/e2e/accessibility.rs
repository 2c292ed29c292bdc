//! Every page passes axe-core's checks (WCAG 2.x A and AA and best practices) in both
//! languages, for visitors, an organization, its buyer and the center's staff: contrast,
//! names of controls, labels, landmarks, heading order, language of the page. Each page
//! also shows no raw code or dictionary key (`pending_review`, `nav_home`), in Chinese no
//! English prose outside what it marks as English, in English no Chinese outside what it
//! marks as Chinese, fits a 375 px
//! screen without scrolling sideways, and leaves screenshots at 1280 and 375 px in
//! `target/screenshots/walk-*`. axe-core
//! (MPL-2.0, `vendor/axe.min.js`, version in its header) is injected into each page as it
//! loaded. Only the vendored Swagger UI inside `/api/docs` is left out: its markup is not
//! ours (the page around it is checked).

use crate::driver::{Browser, launch};
use crate::helpers::{TestApp, spawn_app};
use crate::world::{pending_achievement, registered_contract, signed_contract};
use serde_json::json;

const AXE: &str = include_str!("vendor/axe.min.js");

/// axe's violations on the page at `path`, one line each (impact, rule, first elements).
async fn violations(browser: &Browser, path: &str) -> Vec<String> {
    browser.open(path).await;
    browser.find("footer").await;
    browser.script(&format!("{AXE}\nreturn typeof axe;")).await;
    let found = browser
        .client
        .execute_async(
            "var done = arguments[arguments.length - 1];\
             axe.run({exclude: [['#swagger-ui']]}, {resultTypes: ['violations']})\
               .then(function (r) { done(r.violations.map(function (v) {\
                 return v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3)\
                   .map(function (n) { return n.target.join(' ') + ' ' + n.html.slice(0, 120); }).join(' | ');\
               })); })\
               .catch(function (e) { done(['axe failed: ' + e]); });",
            Vec::new(),
        )
        .await
        .expect("axe ran");
    found
        .as_array()
        .map(|v| v.iter().filter_map(|x| x.as_str().map(|s| format!("{path}: {s}"))).collect())
        .unwrap_or_default()
}

/// Words of the page that look like codes (`snake_case`): an enum value or a dictionary
/// key that reached the reader instead of its words. The API reference is left out: its
/// field names are codes by nature; so is text a page marks as code (`<code>`, `<pre>`:
/// the audit log's actions and snapshots).
async fn raw_codes(browser: &Browser, path: &str) -> Vec<String> {
    if path.starts_with("/api/docs") {
        return Vec::new();
    }
    let codes = browser
        .script(
            "var shown = Array.prototype.slice.call(document.querySelectorAll('code, pre'));\
             shown.forEach(function (e) { e.dataset.display = e.style.display; e.style.display = 'none'; });\
             var text = document.body.innerText || '';\
             shown.forEach(function (e) { e.style.display = e.dataset.display; });\
             return (text.match(/\\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\\b/g) || []).slice(0, 10);",
        )
        .await;
    codes
        .as_array()
        .map(|c| c.iter().filter_map(|x| x.as_str().map(|s| format!("{path}: raw code `{s}` shown"))).collect())
        .unwrap_or_default()
}

/// English prose on a Chinese page: four or more English words in a row in the page's
/// text, leaving out what the page marks as another language (`lang="en"`: an English
/// title shown beside the Chinese one, the English half of the NDA), code, and what a
/// reader typed into a form. The world of these tests writes its content in Chinese,
/// so English prose there is the site's own words in the wrong language.
async fn english_on_chinese_page(browser: &Browser, path: &str) -> Vec<String> {
    if !path.ends_with("lang=zh") {
        return Vec::new();
    }
    let found = browser
        .script(
            "var copy = document.body.cloneNode(true);\
             copy.querySelectorAll('code, pre, textarea, script, style, template, #swagger-ui').forEach(function (e) { e.remove(); });\
             copy.querySelectorAll('[lang]').forEach(function (e) { if (e.getAttribute('lang').indexOf('zh') !== 0) { e.remove(); } });\
             var text = (copy.textContent || '').replace(/\\s+/g, ' ');\
             return (text.match(/\\b[A-Za-z][a-z]+(?:[ ,'’-]+[A-Za-z][a-z]+){3,}/g) || []).slice(0, 5);",
        )
        .await;
    found
        .as_array()
        .map(|c| {
            c.iter().filter_map(|x| x.as_str().map(|s| format!("{path}: English on a Chinese page: `{s}`"))).collect()
        })
        .unwrap_or_default()
}

/// Chinese on an English page outside what the page marks as Chinese (`lang="zh…"`: a
/// title that has no English, a name, a territory, a milestone title — everything people
/// wrote, which in the world of these tests is Chinese), code, form fields (typed text,
/// and the options of a list, which cannot hold a mark) and what the page hides. Chinese
/// left unmarked is either the site's own words in the wrong language or people's words
/// a screen reader would read out as English.
async fn chinese_on_english_page(browser: &Browser, path: &str) -> Vec<String> {
    if !path.ends_with("lang=en") || path.starts_with("/api/docs") {
        return Vec::new();
    }
    let found = browser
        .script(
            "var copy = document.body.cloneNode(true);\
             copy.querySelectorAll('code, pre, textarea, select, script, style, template, [hidden], #swagger-ui').forEach(function (e) { e.remove(); });\
             copy.querySelectorAll('[lang]').forEach(function (e) { if (e.getAttribute('lang').indexOf('zh') === 0) { e.remove(); } });\
             var walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT), found = [], node;\
             while ((node = walker.nextNode()) && found.length < 5) {\
               var run = (node.nodeValue || '').match(/[\\u3400-\\u9fff\\u3000-\\u303f\\uff00-\\uffef]+/);\
               if (run) { var at = node.parentNode; found.push(run[0] + ' in <' + at.nodeName.toLowerCase() + (at.className ? '.' + at.className : '') + '>'); }\
             }\
             return found;",
        )
        .await;
    found
        .as_array()
        .map(|c| {
            c.iter().filter_map(|x| x.as_str().map(|s| format!("{path}: Chinese on an English page: `{s}`"))).collect()
        })
        .unwrap_or_default()
}

async fn audit_all(browser: &Browser, who: &str, paths: &[String], found: &mut Vec<String>) {
    for path in paths {
        for lang in ["zh", "en"] {
            let separator = if path.contains('?') { '&' } else { '?' };
            let url = format!("{path}{separator}lang={lang}");
            found.extend(violations(browser, &url).await);
            found.extend(raw_codes(browser, &url).await);
            found.extend(english_on_chinese_page(browser, &url).await);
            found.extend(chinese_on_english_page(browser, &url).await);
            let slug: String = path
                .trim_start_matches('/')
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .take(48)
                .collect();
            browser.capture(&format!("walk-{who}-{slug}-{lang}")).await;
        }
    }
}

async fn world(app: &TestApp) -> (String, String, String, String) {
    let pending = pending_achievement(app).await;
    let registered = registered_contract(app, 30_000_000).await;
    let signed = signed_contract(app, 12_000_000).await;
    let published = app.published_achievement(&app.seller, json!({"title_zh": "海水淡化反渗透膜制备方法"})).await;
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": published, "inquiry": "请介绍中试数据。"}))
        .await
        .expect(201)
        .id();
    app.wait_indexed().await;
    // The registrar's queue shows the signed one; the parties' pages the registered one.
    let _ = signed;
    (pending, published, deal, registered)
}

/// Two applications at the verification desk, one of them turned down, and an
/// invitation to the seller's organization: the token of its link.
async fn applications(app: &TestApp) -> String {
    let mut ids = Vec::new();
    for (prefix, email) in [("91370600MA3HX2603", "a@apply.example.cn"), ("91370600MA3HX2604", "b@apply.example.cn")] {
        let code = techex_core::CreditCode::from_prefix(prefix).map(|c| c.to_string()).unwrap_or_default();
        let registered = app
            .post(
                "/api/v1/organizations",
                None,
                json!({"name": format!("申请单位{prefix}"), "kind": "university", "credit_code": code, "region": "370600",
                       "admin": {"email": email, "display_name": "申请人", "password": "apply-2026-ok!"}}),
            )
            .await
            .expect(201);
        ids.push((
            registered.body["organization"]["id"].as_str().unwrap_or_default().to_string(),
            registered.body["organization"]["version"].as_i64().unwrap_or(1),
        ));
    }
    if let Some((id, version)) = ids.first() {
        app.post_if_match(
            &format!("/api/v1/organizations/{id}/reject"),
            &app.admin,
            *version,
            Some(json!({"reason": "营业执照不清晰"})),
        )
        .await
        .expect(200);
    }
    let invited = app
        .post(
            &format!("/api/v1/organizations/{}/invitations", app.seller.organization_id),
            Some(&app.admin),
            json!({"email": "new.member@seller.example.cn"}),
        )
        .await
        .expect(201);
    invited.body["token"].as_str().unwrap_or_default().to_string()
}

/// A published open-licence declaration (a royalty with an entry fee) and a pending one,
/// and a granted patent without one (its page shows the owner the declaration form).
async fn open_licences(app: &TestApp) -> (String, String, String) {
    let mut ids = Vec::new();
    for (body, publish) in [
        (
            json!({"fee_minor": 2_000_000, "royalty_bps": 300, "royalty_minimum_minor": 1_000_000, "term_years": 5,
                "territory": "中国大陆", "representative": "张成", "conditions": "每季度报告净销售额"}),
            true,
        ),
        (json!({"fee_minor": 8_000_000, "term_years": 3, "territory": "山东省", "representative": "张成"}), false),
    ] {
        let patent = app.published_achievement(&app.seller, json!({"patent_granted": true, "inventors": []})).await;
        let declared =
            app.post(&format!("/api/v1/achievements/{patent}/open-licence"), Some(&app.seller), body).await.expect(201);
        if publish {
            app.post_if_match(
                &format!("/api/v1/open-licences/{}/approve", declared.id()),
                &app.reviewer,
                declared.version(),
                None,
            )
            .await
            .expect(200);
        }
        ids.push(declared.id());
    }
    let granted = app.published_achievement(&app.seller, json!({"patent_granted": true, "inventors": []})).await;
    (ids[0].clone(), ids[1].clone(), granted)
}

/// A licence taken under the published declaration, registered, backdated so that its
/// first quarters have ended, with the first quarter reported: the contract page shows
/// the royalty reports with the licensor's decision and the licensee's next report.
async fn royalty_contract(app: &TestApp, declaration: &str) -> String {
    let id = app
        .post(&format!("/api/v1/open-licences/{declaration}/licences"), Some(&app.buyer), json!({}))
        .await
        .expect(201)
        .id();
    let path = format!("/api/v1/contracts/{id}");
    let amended = app.patch(&path, &app.buyer, None, json!({"buyer_representative": "刘采"})).await.expect(200);
    let hash = amended.body["sha256"].as_str().unwrap_or_default().to_string();
    app.post(&format!("{path}/sign"), Some(&app.buyer), json!({"sha256": hash})).await.expect(200);
    app.post_empty(&format!("{path}/register"), Some(&app.registrar)).await.expect(200);
    app.backdate_signature(&id, chrono::NaiveDate::from_ymd_opt(2025, 1, 15).expect("day")).await;
    let q1 = app
        .post(
            &format!("{path}/royalties"),
            Some(&app.buyer),
            json!({"period": "2025-Q1", "net_sales_minor": 50_000_000}),
        )
        .await
        .expect(201);
    app.post_if_match(&format!("/api/v1/royalty-reports/{}/accept", q1.id()), &app.seller, q1.version(), None)
        .await
        .expect(200);
    app.post(
        &format!("{path}/royalties"),
        Some(&app.buyer),
        json!({"period": "2025-Q2", "net_sales_minor": 20_000_000}),
    )
    .await
    .expect(201);
    id
}

#[tokio::test]
async fn every_page_passes_axe_in_both_languages() {
    let app = spawn_app().await;
    let Some(browser) = launch(&app.address).await else {
        return;
    };
    let (pending, published, deal, contract) = world(&app).await;
    let invitation = applications(&app).await;
    let (open_licence, pending_licence, granted) = open_licences(&app).await;
    let royalties = royalty_contract(&app, &open_licence).await;
    let mut found = Vec::new();

    let public: Vec<String> = [
        "/".to_string(),
        "/search?q=海水淡化".into(),
        "/search?q=membrane".into(),
        format!("/achievements/{published}"),
        "/demands".into(),
        "/brokers".into(),
        format!("/brokers/{}", app.broker.user_id),
        "/auctions".into(),
        "/open-licences".into(),
        format!("/open-licences/{open_licence}"),
        "/sign-in".into(),
        "/register".into(),
        "/forgot-password".into(),
        "/reset-password?token=txr_unknown".into(),
        format!("/invitations/accept?token={invitation}"),
        "/api/docs".into(),
        "/no-such-page".into(),
    ]
    .into();
    audit_all(&browser, "public", &public, &mut found).await;

    browser.sign_in(&app.seller, "en").await;
    let seller: Vec<String> = [
        "/dashboard".to_string(),
        "/my/achievements".into(),
        "/my/achievements/new".into(),
        format!("/my/achievements/{pending}/edit"),
        "/deals".into(),
        format!("/deals/{deal}"),
        "/contracts".into(),
        format!("/contracts/{contract}"),
        "/my/alerts".into(),
        "/my/organization".into(),
        format!("/my/achievements/{published}/analytics"),
        format!("/achievements/{granted}"),
        format!("/open-licences/{pending_licence}"),
        "/my/royalties".into(),
        format!("/contracts/{royalties}"),
    ]
    .into();
    audit_all(&browser, "seller", &seller, &mut found).await;
    browser.sign_out().await;

    browser.sign_in(&app.buyer, "en").await;
    let buyer: Vec<String> = [
        "/dashboard".to_string(),
        "/my/demands".into(),
        format!("/deals/{deal}"),
        format!("/achievements/{published}"),
        format!("/open-licences/{open_licence}"),
        format!("/contracts/{royalties}"),
    ]
    .into();
    audit_all(&browser, "buyer", &buyer, &mut found).await;
    browser.sign_out().await;

    browser.sign_in(&app.admin, "en").await;
    let center: Vec<String> = [
        "/dashboard",
        "/center/review",
        "/center/contracts",
        "/center/stats",
        "/center/organizations",
        "/center/audit",
        "/center/brokers",
        "/center/users",
        "/center/open-licences",
    ]
    .map(String::from)
    .into();
    audit_all(&browser, "center", &center, &mut found).await;

    assert!(found.is_empty(), "axe found {} violations:\n{}", found.len(), found.join("\n"));
    browser.quit().await;
}
