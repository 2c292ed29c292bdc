//! The pages in a real browser, by clicking and typing: a reviewer approves an achievement,
//! a visitor finds it in Chinese and in English in both languages of the pages, a
//! registrar registers a contract and opens the dashboard; screenshots of the main pages
//! at desktop width and at 375 px go to `target/screenshots/`.

use crate::driver::{DESKTOP, PHONE_WIDTH, launch};
use crate::helpers::{PASSWORD, spawn_app};
use crate::world::{TITLE_EN, TITLE_ZH, pending_achievement, registered_contract, signed_contract};

#[tokio::test]
async fn the_center_and_a_visitor_work_in_the_browser() {
    let app = spawn_app().await;
    let Some(browser) = launch(&app.address).await else {
        return;
    };
    let started = std::time::Instant::now();
    let achievement = pending_achievement(&app).await;
    registered_contract(&app, 30_000_000).await;
    let waiting = signed_contract(&app, 12_000_000).await;

    // The reviewer signs in: first with a wrong password, the error shown beside the field.
    browser.open("/sign-in?lang=zh&next=%2Fcenter%2Freview").await;
    browser.type_into("#email", &app.reviewer.email).await;
    browser.type_into("#password", "not-the-password").await;
    browser.click("#sign-in-submit").await;
    let error = browser.text("#password-error").await;
    assert!(error.contains("不正确"), "{error}");
    let described = browser.find("#password").await.attr("aria-describedby").await.expect("attribute");
    assert_eq!(described.as_deref(), Some("password-error"));
    browser.capture("sign-in-error").await;
    // From the keyboard: Enter in the password field submits the form.
    browser.type_into("#password", &format!("{PASSWORD}{}", char::from(fantoccini::key::Key::Enter))).await;

    // The review queue, where the achievement waits; approve it.
    let item = format!("#achievements-{achievement}");
    browser.find(&item).await;
    browser.capture("review-queue").await;
    browser.click(&format!("{item} button.approve")).await;
    let notice = browser.text("p.notice.ok").await;
    assert!(notice.contains("已审核通过"), "{notice}");
    assert!(!browser.exists(&item).await, "the approved achievement left the queue");
    browser.click("form[action='/sign-out'] button").await;
    browser.find("a[href^='/sign-in']").await;
    let view = app.get(&format!("/api/v1/achievements/{achievement}"), None).await.expect(200);
    assert_eq!(view.body["status"], "published");
    app.wait_indexed().await;

    // A visitor searches in Chinese and in English, with the pages in either language.
    browser.open("/?lang=zh").await;
    browser.find(".hero").await;
    browser.capture("home").await;
    let hit = format!("ol.hits a[href='/achievements/{achievement}']");
    for lang in ["zh", "en"] {
        for query in ["盐碱小麦", "salt-tolerant wheat"] {
            browser.open(&format!("/search?lang={lang}")).await;
            browser.type_into("#q", query).await;
            browser.click("form.searchbar button[type=submit]").await;
            browser.wait_for_url("q=").await;
            let found = browser.find(&hit).await.text().await.expect("title");
            let expected = if lang == "zh" { TITLE_ZH } else { TITLE_EN };
            assert_eq!(found, expected, "`{query}` with the pages in {lang}");
            let html_lang = browser.script("return document.documentElement.lang;").await;
            assert_eq!(html_lang.as_str(), Some(if lang == "zh" { "zh-CN" } else { "en" }));
        }
    }
    browser.capture("search").await;
    // On a phone the first result comes before the filters, which start folded and open
    // from the link above the results; on a desktop the filters stand beside the results.
    let layout = "var hit = document.querySelector('ol.hits li').getBoundingClientRect();\
                  var facets = document.querySelector('aside.facets').getBoundingClientRect();\
                  return [hit.top < facets.top, hit.top < window.innerHeight - 100, document.querySelector('#facets').open];";
    browser.resize(PHONE_WIDTH, 812).await;
    browser.client.refresh().await.expect("reload");
    browser.find("ol.hits li").await;
    assert_eq!(browser.script(layout).await, serde_json::json!([true, true, false]), "at {PHONE_WIDTH} px");
    browser.click("a.to-facets").await;
    assert_eq!(browser.script("return document.querySelector('#facets').open;").await, true);
    browser.resize(DESKTOP.0, DESKTOP.1).await;
    browser.client.refresh().await.expect("reload");
    browser.find("ol.hits li").await;
    let beside = "return document.querySelector('aside.facets').getBoundingClientRect().right <= \
                  document.querySelector('section.results').getBoundingClientRect().left && document.querySelector('#facets').open;";
    assert_eq!(browser.script(beside).await, true, "at {} px", DESKTOP.0);
    browser.click(&hit).await;
    let title = browser.text("article.detail h1").await;
    assert_eq!(title, TITLE_EN);
    browser.capture("achievement").await;

    // The registrar registers the waiting contract, then opens the dashboard.
    browser.open("/sign-in?lang=en").await;
    browser.type_into("#email", &app.registrar.email).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#sign-in-submit").await;
    browser.find("a[href='/center/contracts']").await;
    browser.click("a[href='/center/contracts']").await;
    let contract = format!("#contract-{waiting}");
    browser.find(&contract).await;
    browser.capture("registration").await;
    browser.click(&format!("{contract} button.register")).await;
    browser.confirm("registration number").await;
    let notice = browser.text("p.notice.ok").await;
    assert!(notice.contains("registered"), "{notice}");
    assert!(!browser.exists(&contract).await);
    assert!(browser.text("#registered-table").await.contains(&format!("{}", chrono::Utc::now().format("%Y"))));

    browser.click("a[href='/center/stats']").await;
    browser.find("#chart-month svg").await;
    let drawn = browser
        .script(
            "return Array.prototype.slice.call(document.querySelectorAll('svg.chart-svg rect.chart-bar'))\
             .filter(function (r) { return r.getBBox().width > 0; }).length;",
        )
        .await;
    assert!(drawn.as_u64().is_some_and(|n| n >= 3), "bars of every chart are drawn: {drawn}");
    let total = browser.text("#total-amount").await;
    assert_eq!(total, "¥420,000", "both registered contracts are counted");
    browser.capture("dashboard").await;
    // The API's documentation sits inside the site: its header, a way back, the page's
    // language around Swagger UI.
    browser.open("/api/docs?lang=zh").await;
    browser.find("#swagger-ui .opblock").await;
    assert_eq!(browser.script("return document.documentElement.lang;").await, "zh-CN");
    assert_eq!(browser.find("#back-to-site").await.attr("href").await.expect("href").as_deref(), Some("/"));
    assert!(browser.exists("header.top nav a[href='/api/docs'][aria-current]").await);
    browser.capture("api-docs").await;
    eprintln!("browser scenario took {:.1} s", started.elapsed().as_secs_f64());
    browser.quit().await;
}
