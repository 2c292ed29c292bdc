//! An owner's view of a listing in the browser: a buyer passes on an achievement from its
//! page with a reason and a comment, and the owner reads the views, the charts and that
//! reason on the listing's analytics page.

use crate::driver::launch;
use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn a_buyer_passes_with_a_reason_and_the_owner_reads_it_with_the_analytics() {
    let app = spawn_app().await;
    let Some(browser) = launch(&app.address).await else {
        return;
    };
    let achievement = app.published_achievement(&app.seller, json!({"title_zh": "盐碱地改良微生物菌剂"})).await;

    // The buyer reads the listing and passes on it, saying why.
    browser.sign_in(&app.buyer, "zh").await;
    browser.open(&format!("/achievements/{achievement}?lang=zh")).await;
    browser.click("#pass summary").await;
    browser.script("document.querySelector('#pass-reason').value = 'price'; return true;").await;
    browser.type_into("#pass-comment", "报价高于我司预算").await;
    browser.click("#pass-form button[type=submit]").await;
    browser.wait_until("document.querySelector('#done')", "the pass recorded").await;
    browser.click("form[action='/sign-out'] button").await;
    browser.find("a[href^='/sign-in']").await;

    // The owner reads it on the listing's analytics, with the views and the charts.
    browser.sign_in(&app.seller, "en").await;
    browser.open(&format!("/my/achievements/{achievement}/analytics?lang=en")).await;
    let comments = browser.text("#pass-comments").await;
    assert!(comments.contains("Price too high") && comments.contains("报价高于我司预算"), "{comments}");
    let figures = browser.text("#analytics-figures").await;
    let views: i64 = figures.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(views >= 1, "the buyer's visit is counted: {figures}");
    assert!(figures.contains("0 inquiries") && figures.contains("1 answer from a buyer"), "plurals: {figures}");
    assert!(browser.exists(".chart-grid figure, .chart-grid svg, .chart-grid table").await, "the charts are drawn");
    browser.capture("owner-analytics").await;
    // Nobody else reads them.
    browser.click("form[action='/sign-out'] button").await;
    browser.find("a[href^='/sign-in']").await;
    browser.sign_in(&app.buyer, "en").await;
    browser.open(&format!("/my/achievements/{achievement}/analytics?lang=en")).await;
    assert!(!browser.exists("#pass-comments").await, "the analytics are the owner's");
    browser.quit().await;
}
