//! The bidding pages (挂牌竞价): the list of auctions, one auction with its anonymised
//! bid history and the bid form for verified buyers, the achievement page's pointer to
//! its auction, in both languages, and a bid placed the way the page's form places it
//! (the browser session and the CSRF header).

use crate::helpers::{Account, PASSWORD, TestApp, spawn_app};
use chrono::{Duration, Utc};
use serde_json::json;

async fn page(app: &TestApp, path: &str, who: Option<&Account>) -> (u16, String) {
    let response = app.request(reqwest::Method::GET, path, who).send().await.expect("page");
    let status = response.status().as_u16();
    // The templates escape `/` in attributes (`&#x2f;`); the browser reads it as `/`.
    (status, response.text().await.unwrap_or_default().replace("&#x2f;", "/"))
}

/// An auction of a fresh achievement of the seller, open now for an hour, with a
/// five-minute extension rule.
async fn open_auction(app: &TestApp) -> (String, String) {
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let opens = Utc::now();
    let created = app
        .post(
            "/api/v1/auctions",
            Some(&app.seller),
            json!({
                "achievement_id": achievement,
                "starting_price_minor": 10_000_000,
                "reserve_minor": 12_000_000,
                "increment_minor": 500_000,
                "opens_at": opens.to_rfc3339(),
                "closes_at": (opens + Duration::hours(1)).to_rfc3339(),
                "extension_window_secs": 300,
                "extension_secs": 300,
                "terms": {"mode": "ordinary_license", "territory": "山东省", "term_years": 3}
            }),
        )
        .await
        .expect(201);
    (created.id(), achievement)
}

/// A browser session as the sign-in page opens it: the session cookie and the CSRF
/// cookie's value, which the page's script repeats in `X-CSRF-Token`.
async fn browser_session(app: &TestApp, email: &str) -> (String, String) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let cookie_value = |response: &reqwest::Response, name: &str| {
        response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
            v.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or_default().to_string())
        })
    };
    let form = client.get(app.url("/sign-in")).send().await.expect("sign-in page");
    let visitor_csrf = cookie_value(&form, "techex_csrf").expect("a CSRF cookie for the form");
    let signed_in = client
        .post(app.url("/sign-in"))
        .header("cookie", format!("techex_csrf={visitor_csrf}"))
        .form(&[("email", email), ("password", PASSWORD), ("csrf_token", visitor_csrf.as_str())])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), 303, "signed in");
    let session = cookie_value(&signed_in, "techex_session").expect("a session cookie");
    let csrf = cookie_value(&signed_in, "techex_csrf").unwrap_or(visitor_csrf);
    (format!("techex_session={session}; techex_csrf={csrf}"), csrf)
}

/// The text a reader sees: the page without its tags.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test]
async fn the_auction_pages_show_the_bidding_and_the_form_moves_the_price() {
    let app = spawn_app().await;
    let (id, achievement) = open_auction(&app).await;
    let title = app.get(&format!("/api/v1/achievements/{achievement}"), None).await.expect(200).body["title_zh"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // The list: the open auction, with its starting price, in both languages.
    let (status, list) = page(&app, "/auctions?lang=zh", None).await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("href=\"/auctions/{id}\"")) && list.contains(&title), "{list}");
    assert!(list.contains("正在竞价") && list.contains("100,000"), "{list}");
    let (_, english) = page(&app, "/auctions?lang=en", None).await;
    assert!(english.contains("Open for bids") && english.contains("Results"));
    assert!(page(&app, "/", None).await.1.contains("href=\"/auctions\""), "the navigation leads to the auctions");
    let sitemap = app.client.get(app.url("/sitemap.xml")).send().await.expect("sitemap").text().await.expect("text");
    assert!(sitemap.contains(&format!("/auctions/{id}</loc>")), "{sitemap}");

    // A first bid through the API; the detail page shows the price it set, the bidder
    // anonymised to everyone but its own organization, the rules, and the form.
    app.post(&format!("/api/v1/auctions/{id}/bids"), Some(&app.buyer), json!({"amount_minor": 10_500_000}))
        .await
        .expect(201);
    let (status, other) = page(&app, &format!("/auctions/{id}?lang=en"), Some(&app.buyer2)).await;
    assert_eq!(status, 200);
    assert!(other.contains("¥105,000") && other.contains("¥100,000") && other.contains("¥5,000"), "{other}");
    assert!(other.contains("Bidder 1") && !other.contains("潍坊海科"), "the bidder is not named: {other}");
    assert!(!other.contains("(yours)"), "another organization's bid is not marked as the viewer's");
    assert!(other.contains("A bid in the last 5 minutes before the close moves the close to 5 minutes after"));
    assert!(other.contains(&format!("href=\"/achievements/{achievement}\"")));
    assert!(
        other.contains(&format!("data-api=\"/api/v1/auctions/{id}/bids\"")) && other.contains("name=\"amount_minor\"")
    );
    assert!(other.contains("value=\"110000\""), "the form proposes the lowest next bid: {other}");
    assert!(other.contains("/static/auction.js") && other.contains("/static/workspace.js"));
    let (_, own) = page(&app, &format!("/auctions/{id}?lang=zh"), Some(&app.buyer)).await;
    assert!(own.contains("竞买人 1") && own.contains("(本单位)"), "one's own bid is marked: {own}");
    assert!(own.contains("您的单位当前领先"));

    // Nobody without the right to bid gets the form: a visitor is asked to sign in, the
    // seller and an unverified organization are told why.
    let (_, visitor) = page(&app, &format!("/auctions/{id}?lang=en"), None).await;
    assert!(!visitor.contains("id=\"place-bid\"") && visitor.contains("Sign in to bid"), "{visitor}");
    assert!(visitor.contains("¥105,000"), "anyone may watch");
    let (_, seller) = page(&app, &format!("/auctions/{id}?lang=en"), Some(&app.seller)).await;
    assert!(!seller.contains("id=\"place-bid\"") && seller.contains("Your organization put this up"));
    let (_, unverified) = page(&app, &format!("/auctions/{id}?lang=en"), Some(&app.unverified)).await;
    assert!(!unverified.contains("id=\"place-bid\"") && unverified.contains("once the center has verified it"));

    // The form's request: the session cookie and the CSRF header, the amount in fen.
    let (cookies, csrf) = browser_session(&app, &app.buyer2.email).await;
    let form_post = |amount: i64| {
        app.client
            .post(app.url(&format!("/api/v1/auctions/{id}/bids")))
            .header("cookie", cookies.clone())
            .header("x-csrf-token", csrf.clone())
            .json(&json!({"amount_minor": amount}))
            .send()
    };
    let too_low = form_post(10_600_000).await.expect("bid");
    assert_eq!(too_low.status(), 422, "below the lowest next bid");
    let problem: serde_json::Value = too_low.json().await.expect("problem");
    assert_eq!(problem["errors"][0]["field"], "amount_minor", "the error names the form's field: {problem}");
    assert_eq!(form_post(11_000_000).await.expect("bid").status(), 201);
    let (_, after) = page(&app, &format!("/auctions/{id}?lang=en"), Some(&app.buyer)).await;
    assert!(after.contains("¥110,000") && after.contains("Bidder 2") && after.contains("2 bids"), "{after}");
    assert!(after.contains("data-live=\"leading\" hidden>"), "the outbid organization no longer leads");
    let bids = app.get(&format!("/api/v1/auctions/{id}/bids"), None).await.expect(200);
    assert_eq!(bids.body[0]["bidder_number"], 2, "what the script redraws the history from");
    assert!(bids.body[0]["bidder"].is_null(), "the public history names no bidder");

    // The achievement's page points at its auction.
    let (_, achievement_page) = page(&app, &format!("/achievements/{achievement}?lang=en"), None).await;
    assert!(achievement_page.contains(&format!("href=\"/auctions/{id}\"")) && achievement_page.contains("¥110,000"));

    // Both languages, no raw codes or missing words.
    for lang in ["zh", "en"] {
        for path in ["/auctions".to_string(), format!("/auctions/{id}"), format!("/achievements/{achievement}")] {
            let (status, html) = page(&app, &format!("{path}?lang={lang}"), Some(&app.buyer)).await;
            assert_eq!(status, 200, "{path} {lang}");
            let text = visible_text(&html);
            for raw in ["ordinary_license", "open_", "bid_", "auction_", "reserve_", "{n}", "{window}", "{extension}"] {
                assert!(!text.contains(raw), "{path} {lang} shows `{raw}`: {text}");
            }
        }
    }
    assert_eq!(page(&app, &format!("/auctions/{}", uuid::Uuid::nil()), None).await.0, 404);
    assert_eq!(page(&app, "/auctions/not-an-id", None).await.0, 404);
}

#[tokio::test]
async fn a_closed_auction_shows_its_result() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
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
                "closes_at": (opens + Duration::seconds(2)).to_rfc3339(),
                "extension_window_secs": 0,
                "extension_secs": 0,
                "terms": {"mode": "assignment", "territory": "中国大陆", "term_years": 5}
            }),
        )
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/auctions/{id}/bids"), Some(&app.buyer), json!({"amount_minor": 10_000_000}))
        .await
        .expect(201);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (status, closed) = page(&app, &format!("/auctions/{id}?lang=zh"), Some(&app.buyer)).await;
    assert_eq!(status, 200);
    assert!(closed.contains("竞价已结束，成交价 ¥100,000") && !closed.contains("id=\"place-bid\""), "{closed}");
    assert!(closed.contains("/deals/"), "the winner reaches its deal");
    assert!(closed.contains("不顺延"), "the rule without extension");
    let (_, list) = page(&app, "/auctions?lang=en", None).await;
    let results = list.split("id=\"results\"").nth(1).unwrap_or_default();
    assert!(results.contains(&format!("/auctions/{id}")) && results.contains("Sold at"), "{list}");
}

#[tokio::test]
async fn the_owner_puts_an_achievement_up_for_bidding_from_its_page() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let path = format!("/achievements/{achievement}");
    for lang in ["zh", "en"] {
        let (status, html) = page(&app, &format!("{path}?lang={lang}"), Some(&app.seller)).await;
        assert_eq!(status, 200);
        assert!(html.contains("id=\"open-auction\"") && html.contains("data-api=\"/api/v1/auctions\""), "{lang}");
        for field in ["starting_price_minor", "increment_minor", "reserve_minor", "opens_at", "closes_at", "terms.mode"]
        {
            assert!(html.contains(&format!("name=\"{field}\"")), "{lang}: no field {field}");
        }
        assert!(!html.contains("value=\"equity\""), "public bidding sells an assignment or a licence only");
        let text = visible_text(&html);
        for raw in ["open_auction", "starting_price_yuan", "increment_yuan", "reserve_yuan", "assignment"] {
            assert!(!text.contains(raw), "{lang} shows `{raw}`: {text}");
        }
    }
    let (_, zh) = page(&app, &format!("{path}?lang=zh"), Some(&app.seller)).await;
    assert!(zh.contains("发起挂牌竞价") && zh.contains("起拍价（元）"));
    for visitor in [Some(&app.buyer), None] {
        let (_, html) = page(&app, &format!("{path}?lang=zh"), visitor).await;
        assert!(!html.contains("id=\"open-auction\""), "only the owner is offered the form");
    }

    // The request the form makes (workspace.js: yuan to fen, datetime-local to RFC 3339).
    let (cookies, csrf) = browser_session(&app, &app.seller.email).await;
    let opens = Utc::now();
    let created = app
        .client
        .post(app.url("/api/v1/auctions"))
        .header("cookie", cookies)
        .header("x-csrf-token", csrf)
        .json(&json!({
            "achievement_id": achievement,
            "starting_price_minor": 8_800_000,
            "increment_minor": 100_000,
            "opens_at": opens.to_rfc3339(),
            "closes_at": (opens + Duration::days(7)).to_rfc3339(),
            "terms": {"mode": "assignment", "territory": "中国大陆 / Mainland China", "term_years": 10, "exclusive": false}
        }))
        .send()
        .await
        .expect("open the bidding");
    assert_eq!(created.status(), 201);
    let (_, after) = page(&app, &format!("{path}?lang=zh"), Some(&app.seller)).await;
    assert!(!after.contains("id=\"open-auction\""), "an open auction is not opened twice");
    assert!(after.contains("¥88,000") && after.contains("href=\"/auctions/"), "the page points at its auction");
}
