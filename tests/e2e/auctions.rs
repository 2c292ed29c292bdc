//! Public bidding in two browsers at once: each bidder's page follows the other's bids
//! without a reload (the price, the history, the extended close), a bid too low is
//! answered in the amount's cell, and the bid form moves the price.

use crate::driver::launch;
use crate::helpers::spawn_app;
use chrono::{Duration, Utc};
use serde_json::json;

#[tokio::test]
async fn two_bidders_follow_one_auction_without_reloading() {
    let app = spawn_app().await;
    let Some(first) = launch(&app.address).await else {
        return;
    };
    let Some(second) = launch(&app.address).await else {
        first.quit().await;
        return;
    };
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    // Closing in 600 s with a 600 s window: the first bid, however slow the machine,
    // lands inside the window and moves the close to 3000 s after it; the second, so far
    // from that close, extends nothing.
    let opens = Utc::now();
    let id = app
        .post(
            "/api/v1/auctions",
            Some(&app.seller),
            json!({
                "achievement_id": achievement,
                "starting_price_minor": 10_000_000,
                "increment_minor": 500_000,
                "opens_at": opens.to_rfc3339(),
                "closes_at": (opens + Duration::seconds(600)).to_rfc3339(),
                "extension_window_secs": 600,
                "extension_secs": 3000,
                "terms": {"mode": "ordinary_license", "territory": "山东省", "term_years": 3}
            }),
        )
        .await
        .expect(201)
        .id();
    let path = format!("/auctions/{id}");
    first.sign_in(&app.buyer, "en").await;
    second.sign_in(&app.buyer2, "zh").await;
    first.open(&format!("{path}?lang=en")).await;
    second.open(&format!("{path}?lang=zh")).await;
    second.find("#place-bid").await;
    let close_before = second.text("[data-live='closes']").await;
    second.script("window.stayed = true; return true;").await;

    // The first bidder bids the starting price from the form.
    // (The form reloads its page on success: `window.before` is gone once it has.)
    first.script("window.before = true; return true;").await;
    first.type_into("#bid-amount", "100000").await;
    first.click("#place-bid button[type=submit]").await;
    first
        .wait_until(
            "window.before === undefined && document.querySelector(\"[data-live='current']\").textContent.indexOf('¥100,000') >= 0",
            "own bid shown",
        )
        .await;
    first.wait_until("document.querySelector(\"[data-live='bids'] tr.mine\")", "own bid marked").await;

    // The second page follows without a reload: price, anonymised history, extended close.
    second
        .wait_until(
            "window.stayed === true && document.querySelector(\"[data-live='current']\").textContent.indexOf('¥100,000') >= 0 \
             && document.querySelector(\"[data-live='bids']\").textContent.indexOf('竞买人 1') >= 0",
            "the other bidder's page shows the new price",
        )
        .await;
    let close_after = second.text("[data-live='closes']").await;
    assert_ne!(close_before, close_after, "the bid in the last minutes extended the close");
    let history = second.text("[data-live='bids']").await;
    assert!(!history.contains("潍坊海科") && !history.contains("本单位"), "{history}");

    // Too low: the error stands in the amount's cell; then a right bid.
    first.script("window.stayed = true; return true;").await;
    second.type_into("#bid-amount", "100100").await;
    second.click("#place-bid button[type=submit]").await;
    second
        .wait_until(
            "document.querySelector('#bid-amount').parentElement.querySelector('.field-error')",
            "error in the cell",
        )
        .await;
    second.type_into("#bid-amount", "105000").await;
    second.click("#place-bid button[type=submit]").await;
    second
        .wait_until("document.querySelector(\"[data-live='bids'] tr.mine\")", "the second bid is marked as one's own")
        .await;
    first
        .wait_until(
            "window.stayed === true && document.querySelector(\"[data-live='current']\").textContent.indexOf('¥105,000') >= 0 \
             && document.querySelector(\"[data-live='leading']\").hidden \
             && document.querySelector(\"[data-live='bids']\").textContent.indexOf('Bidder 2') >= 0",
            "the first bidder sees it was outbid",
        )
        .await;
    first.capture("auction").await;
    let view = app.get(&format!("/api/v1/auctions/{id}"), None).await.expect(200);
    assert_eq!(view.body["high_amount_minor"], 10_500_000);
    assert_eq!(view.body["extensions"], 1);
    first.quit().await;
    second.quit().await;
}
