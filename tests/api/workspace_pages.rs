//! The signed-in workspace pages (my deals, the deal room, my contracts, a contract): who
//! sees which channel, what each party may do there, and that the forms name the API's
//! fields. The browser session and the bearer token reach the same pages.

use crate::contracts::{agreed_deal, sign};
use crate::helpers::{Account, TestApp, spawn_app};
use serde_json::json;

async fn page(app: &TestApp, path: &str, who: Option<&Account>) -> (u16, String) {
    let response = app.request(reqwest::Method::GET, path, who).send().await.expect("page");
    let status = response.status().as_u16();
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    // The templates escape `/` in attributes (`&#x2f;`); the browser reads it as `/`.
    let body = response.text().await.unwrap_or_default().replace("&#x2f;", "/");
    (status, if status == 303 { location } else { body })
}

#[tokio::test]
async fn the_deal_room_shows_each_party_its_own_channels_and_actions() {
    let app = spawn_app().await;
    let deal = agreed_deal(&app).await;
    app.post(
        &format!("/api/v1/deals/{deal}/messages"),
        Some(&app.seller),
        json!({"channel": "caucus_seller", "body": "底价可以再让一点"}),
    )
    .await
    .expect(201);
    app.post(&format!("/api/v1/deals/{deal}/messages"), Some(&app.buyer), json!({"body": "请提供中试报告"}))
        .await
        .expect(201);

    // Visitors are sent to sign in and come back; other organizations learn nothing.
    let (status, location) = page(&app, &format!("/deals/{deal}"), None).await;
    assert_eq!((status, location.as_str()), (303, format!("/sign-in?next=%2Fdeals%2F{deal}").as_str()));
    assert_eq!(page(&app, "/deals", None).await.0, 303);
    assert_eq!(page(&app, &format!("/deals/{deal}"), Some(&app.other_seller)).await.0, 404);
    for bad in ["/deals/not-a-deal", "/contracts/12", "/my/achievements/%27%3B/edit"] {
        let (status, body) = page(&app, bad, Some(&app.buyer)).await;
        assert_eq!(status, 404, "{bad}");
        assert!(body.contains("<html"), "{bad} answers with a page, not JSON");
    }

    let (status, list) = page(&app, "/deals?lang=zh", Some(&app.buyer)).await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("href=\"/deals/{deal}\"")) && list.contains("已达成一致"), "{list}");
    assert!(!page(&app, "/deals", Some(&app.other_seller)).await.1.contains(&deal));

    let (_, seller) = page(&app, &format!("/deals/{deal}?channel=caucus_seller&lang=en"), Some(&app.seller)).await;
    assert!(seller.contains("Seller caucus") && !seller.contains("Buyer caucus"), "the seller has no buyer caucus");
    assert!(seller.contains("底价可以再让一点"), "the seller reads its caucus");
    assert!(seller.contains("only this side and the broker see it"));
    let (_, buyer) = page(&app, &format!("/deals/{deal}?channel=caucus_seller&lang=en"), Some(&app.buyer)).await;
    assert!(buyer.contains("Buyer caucus") && !buyer.contains("Seller caucus"));
    assert!(!buyer.contains("底价可以再让一点"), "a channel the buyer may not read falls back to the joint one");
    assert!(buyer.contains("请提供中试报告"));
    let (_, broker) = page(&app, &format!("/deals/{deal}?lang=zh"), Some(&app.broker)).await;
    assert!(broker.contains("卖方私下沟通") && broker.contains("买方私下沟通"), "the broker sees both caucuses");

    // The agreed deal offers the contract draft to its parties; the accepted offer is shown.
    assert!(buyer.contains("Draft the technology contract") && buyer.contains("data-api=\"/api/v1/contracts\""));
    assert!(buyer.contains("Accepted"), "the offer history shows the accepted offer");
    let drafted = app.post("/api/v1/contracts", Some(&app.seller), json!({"deal_id": deal})).await.expect(201);
    let contract = drafted.id();
    let (_, buyer) = page(&app, &format!("/deals/{deal}?lang=en"), Some(&app.buyer)).await;
    assert!(buyer.contains(&format!("href=\"/contracts/{contract}\"")), "the room links to the contract");

    // The contract page: sign with the hash shown, milestones, and nothing for outsiders.
    assert_eq!(page(&app, &format!("/contracts/{contract}"), Some(&app.other_seller)).await.0, 404);
    let (status, view) = page(&app, &format!("/contracts/{contract}?lang=en"), Some(&app.buyer)).await;
    assert_eq!(status, 200);
    let hash = drafted.body["sha256"].as_str().unwrap_or_default();
    assert!(view.contains(&format!("value=\"{hash}\"")) && view.contains("Sign the contract"), "{view}");
    assert!(view.contains("签约首付") && view.contains("100,000"), "the milestones with their amounts");
    sign(&app, &contract, &app.buyer, hash).await.expect(200);
    let (_, view) = page(&app, &format!("/contracts/{contract}?lang=en"), Some(&app.buyer)).await;
    assert!(!view.contains("Sign the contract"), "signed once");
    assert!(view.contains("Signed by"));
    let (_, list) = page(&app, "/contracts?lang=zh", Some(&app.seller)).await;
    assert!(list.contains(&format!("/contracts/{contract}")) && list.contains("签署中"));
    let (_, seller_view) = page(&app, &format!("/contracts/{contract}?lang=en"), Some(&app.seller)).await;
    assert!(seller_view.contains("Sign the contract"), "the seller still signs while the contract is being signed");
}

#[tokio::test]
async fn the_offer_form_names_the_fields_the_api_reads() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({})).await;
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "价格？"}))
        .await
        .expect(201)
        .id();
    let (status, room) = page(&app, &format!("/deals/{deal}?lang=en&channel=caucus_buyer"), Some(&app.buyer)).await;
    assert_eq!(status, 200, "a caucus asked for before any broker falls back to the joint channel");
    assert!(room.contains("Joint channel") && !room.contains("Buyer caucus"), "no caucus without a broker");
    for field in [
        "terms.mode",
        "terms.currency",
        "terms.lump_sum_minor",
        "terms.royalty_bps",
        "terms.royalty_minimum_minor",
        "terms.equity_bps",
        "terms.milestones.0.title",
        "terms.milestones.0.amount_minor",
        "terms.milestones.0.due_days_after_signing",
        "terms.milestones.0.acceptance_criteria",
        "terms.territory",
        "terms.term_years",
        "terms.exclusive",
        "terms.improvements",
        "terms.notes",
        "valid_until",
    ] {
        assert!(room.contains(&format!("name=\"{field}\"")), "the offer form lacks {field}");
    }
    assert!(room.contains(&format!("data-api=\"/api/v1/deals/{deal}/offers\"")));
    assert!(room.contains("/static/workspace.js"));
    assert!(room.contains("Invite a broker"), "a deal without a broker offers to invite one");
    let script = app.client.get(app.url("/static/workspace.js")).send().await.expect("script");
    assert_eq!(script.status(), 200);
    assert!(script.text().await.unwrap_or_default().contains("X-CSRF-Token"));
}

#[tokio::test]
async fn the_buyer_pays_the_next_milestone_from_the_contract_page() {
    let app = spawn_app().await;
    let (contract, first, _) = crate::payments::registered_contract(&app).await;
    let (status, buyer) = page(&app, &format!("/contracts/{contract}?lang=en"), Some(&app.buyer)).await;
    assert_eq!(status, 200);
    assert!(buyer.contains("id=\"pay-form\"") && buyer.contains(&format!("data-milestone=\"{first}\"")), "{buyer}");
    assert!(buyer.contains(&format!("src=\"{}/js.stripe.com/v3/\"", crate::helpers::stripe_url())));
    assert!(buyer.contains("data-key=\"pk_test_techex\"") && buyer.contains("/static/pay.js"));
    let (_, seller) = page(&app, &format!("/contracts/{contract}?lang=en"), Some(&app.seller)).await;
    assert!(!seller.contains("pay-form"), "only the buyer pays");
    // The page's CSP lets Stripe.js (here localstripe's stand-in) load and talk to its server.
    let response = app.request(reqwest::Method::GET, &format!("/contracts/{contract}"), Some(&app.buyer)).send().await;
    let csp = response
        .ok()
        .and_then(|r| r.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).map(str::to_string))
        .unwrap_or_default();
    assert!(csp.contains(&format!("script-src 'self' {}", crate::helpers::stripe_url())), "{csp}");
    let script = app.client.get(app.url("/static/pay.js")).send().await.expect("script");
    assert!(script.text().await.unwrap_or_default().contains("confirmCardSetup"));
    assert!(!buyer.contains("payments-unconfigured"));
    // The parties may end the contract by agreement or by notice; the broker may not.
    for (who, note) in
        [(&app.seller, "the seller may terminate by notice"), (&app.buyer, "the buyer may terminate by notice")]
    {
        let (_, body) = page(&app, &format!("/contracts/{contract}?lang=en"), Some(who)).await;
        assert!(body.contains(&format!("data-api=\"/api/v1/contracts/{contract}/termination/notice\"")), "{body}");
        assert!(body.contains("id=\"propose-termination\"") && body.contains(note), "{body}");
    }
    let (_, broker) = page(&app, &format!("/contracts/{contract}?lang=en"), Some(&app.broker)).await;
    assert!(!broker.contains("termination-notice") && !broker.contains("propose-termination"));

    // A server without the publishable key tells the buyer why there is no card form.
    let bare = crate::helpers::spawn_app_with(|config| config.stripe_publishable_key = None).await;
    let (contract, _, _) = crate::payments::registered_contract(&bare).await;
    let (_, buyer) = page(&bare, &format!("/contracts/{contract}?lang=en"), Some(&bare.buyer)).await;
    assert!(buyer.contains("id=\"payments-unconfigured\"") && !buyer.contains("pay-form"), "{buyer}");
    let (_, seller) = page(&bare, &format!("/contracts/{contract}?lang=en"), Some(&bare.seller)).await;
    assert!(!seller.contains("payments-unconfigured"), "the seller has nothing to pay");
}

#[tokio::test]
async fn an_achievement_page_lets_another_organization_accept_the_nda_and_inquire() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({})).await;
    let path = format!("/achievements/{achievement}?lang=en");
    let (_, visitor) = page(&app, &path, None).await;
    assert!(visitor.contains("Sign in to send an inquiry") && !visitor.contains("send-inquiry"));
    let (_, owner) = page(&app, &path, Some(&app.seller)).await;
    assert!(!owner.contains("send-inquiry") && !owner.contains("accept-nda"), "the owner does not inquire");
    let (_, buyer) = page(&app, &path, Some(&app.buyer)).await;
    assert!(buyer.contains("id=\"send-inquiry\"") && buyer.contains("data-api=\"/api/v1/deals\""));
    assert!(buyer.contains("id=\"accept-nda\""), "the details open after the NDA");
    let nda = app.get(&format!("/api/v1/achievements/{achievement}/nda"), Some(&app.buyer)).await.expect(200);
    let hash = nda.body["sha256"].as_str().unwrap_or_default();
    assert!(buyer.contains(&format!("value=\"{hash}\"")), "the form accepts exactly the text shown");
    app.post(&format!("/api/v1/achievements/{achievement}/nda"), Some(&app.buyer), json!({"sha256": hash}))
        .await
        .expect(200);
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "想了解许可费用"}))
        .await
        .expect(201)
        .id();
    let (_, buyer) = page(&app, &path, Some(&app.buyer)).await;
    assert!(!buyer.contains("accept-nda"), "accepted once");
    assert!(buyer.contains(&format!("href=\"/deals/{deal}\"")) && !buyer.contains("id=\"send-inquiry\""));
}

#[tokio::test]
async fn the_sitemap_lists_the_public_pages_only() {
    let app = spawn_app().await;
    let published = app.published_achievement(&app.seller, json!({})).await;
    let draft = app.draft_achievement(&app.seller, json!({})).await;
    let response = app.client.get(app.url("/sitemap.xml")).send().await.expect("sitemap");
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|t| t.contains("xml")));
    let xml = response.text().await.unwrap_or_default();
    assert!(xml.contains(&format!("{}/achievements/{published}</loc>", app.address)), "{xml}");
    assert!(!xml.contains(&draft), "a draft is not public");
    assert!(xml.contains(&format!("{}/brokers/{}</loc>", app.address, app.broker.user_id)));
    let robots = app.client.get(app.url("/robots.txt")).send().await.expect("robots");
    let text = robots.text().await.unwrap_or_default();
    assert!(text.contains("Disallow: /deals") && text.contains(&format!("Sitemap: {}/sitemap.xml", app.address)));
}

#[tokio::test]
async fn buyers_post_demands_keep_searches_and_read_notifications_and_sellers_answer() {
    let app = spawn_app().await;
    let (status, empty) = page(&app, "/my/demands?lang=en", Some(&app.buyer)).await;
    assert_eq!(status, 200);
    assert!(empty.contains("id=\"demand-form\"") && empty.contains("name=\"desired_modes\""), "{empty}");
    assert_eq!(page(&app, "/my/demands", None).await.0, 303);
    let demand = app
        .post(
            "/api/v1/demands",
            Some(&app.buyer),
            json!({"title_zh": "求购耐盐碱水稻种植技术", "description_zh": "盐碱地改良", "field": "new_materials",
                   "desired_modes": ["assignment"], "budget_max_minor": 50_000_000}),
        )
        .await
        .expect(201)
        .id();
    let (_, mine) = page(&app, "/my/demands?lang=en", Some(&app.buyer)).await;
    assert!(mine.contains(&format!("data-api=\"/api/v1/demands/{demand}/submit\"")), "a draft can be submitted");
    assert!(!page(&app, "/my/demands", Some(&app.seller)).await.1.contains(&demand), "only the owner's");

    // Published, another organization answers it; the owner does not.
    app.post_empty(&format!("/api/v1/demands/{demand}/submit"), Some(&app.buyer)).await.expect(200);
    app.post_empty(&format!("/api/v1/demands/{demand}/approve"), Some(&app.reviewer)).await.expect(200);
    let (_, seller_view) = page(&app, &format!("/demands/{demand}?lang=en"), Some(&app.seller)).await;
    assert!(seller_view.contains("id=\"answer-demand\"") && seller_view.contains(&format!("value=\"{demand}\"")));
    let (_, owner_view) = page(&app, &format!("/demands/{demand}?lang=en"), Some(&app.buyer)).await;
    assert!(!owner_view.contains("answer-demand"));

    // A search can be saved from the results; the alerts page lists it.
    let (_, results) = page(&app, "/search?q=%E7%9B%90%E7%A2%B1&field=new_materials&lang=en", Some(&app.buyer)).await;
    assert!(
        results.contains("id=\"save-search\"") && results.contains("name=\"params.field\" value=\"new_materials\"")
    );
    assert!(!page(&app, "/search?q=x", None).await.1.contains("save-search"), "visitors cannot save");
    // A search by filters alone can be saved too, named by its filters.
    let (_, filtered) = page(&app, "/search?field=new_materials&lang=zh", Some(&app.buyer)).await;
    assert!(filtered.contains("id=\"save-search\""), "a filter-only search can be saved");
    assert!(filtered.contains("name=\"name\" value=\"新材料\""), "named by its filter's label");
    assert!(filtered.contains("name=\"params.field\" value=\"new_materials\""));
    app.post(
        "/api/v1/saved-searches",
        Some(&app.buyer),
        json!({"name": "盐碱地", "params": {"q": "盐碱", "field": "new_materials"}, "alerts": true}),
    )
    .await
    .expect(201);
    let (status, alerts) = page(&app, "/my/alerts?lang=en", Some(&app.buyer)).await;
    assert_eq!(status, 200);
    assert!(alerts.contains("盐碱地") && alerts.contains("/search?q="), "{alerts}");
    // A search named by its words shows them once.
    app.post(
        "/api/v1/saved-searches",
        Some(&app.buyer),
        json!({"name": "反渗透", "params": {"q": "反渗透"}, "alerts": false}),
    )
    .await
    .expect(201);
    let (_, alerts) = page(&app, "/my/alerts?lang=en", Some(&app.buyer)).await;
    assert_eq!(alerts.matches("反渗透").count(), 1, "the name, not the same words again: {alerts}");
    assert!(alerts.contains("Notifications"));
}

#[tokio::test]
async fn a_counter_offer_shows_what_changed_in_words_and_yuan() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({})).await;
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "价格？"}))
        .await
        .expect(201)
        .id();
    let valid = (chrono::Utc::now() + chrono::Duration::days(5)).to_rfc3339();
    let offer = app
        .post(
            &format!("/api/v1/deals/{deal}/offers"),
            Some(&app.seller),
            json!({"terms": {"mode": "assignment", "lump_sum_minor": 30_000_000, "territory": "中国大陆",
                             "term_years": 10, "improvements": "seller"}, "valid_until": valid}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/offers/{offer}/counter"),
        Some(&app.buyer),
        json!({"terms": {"mode": "exclusive_license", "lump_sum_minor": 25_000_000, "royalty_bps": 150,
                         "territory": "中国大陆", "term_years": 8, "improvements": "joint"}, "valid_until": valid}),
    )
    .await
    .expect(201);
    let (status, room) = page(&app, &format!("/deals/{deal}?lang=en"), Some(&app.seller)).await;
    assert_eq!(status, 200, "{room}");
    assert!(room.contains("Changes from the offer it counters"), "{room}");
    for shown in
        ["<del>¥300,000</del>", "<ins>¥250,000</ins>", "<ins>1.5%</ins>", "<del>—</del>", "<ins>Both, jointly</ins>"]
    {
        assert!(room.contains(shown), "the diff shows {shown}");
    }
    assert!(room.contains("Lump sum") && room.contains("Term (years)"), "fields by name");
    let (_, zh) = page(&app, &format!("/deals/{deal}?lang=zh"), Some(&app.seller)).await;
    assert!(zh.contains("相对上一报价的变化") && zh.contains("总价"));
    // The counter form starts from the countered terms as a person types them.
    assert!(room.contains(r#"name="terms.lump_sum_minor" type="number""#), "{room}");
    assert!(room.contains(r#"value="250000""#) && room.contains(r#"value="1.5""#), "{room}");
    assert!(!room.contains("250000.0") && !room.contains("1.5.0") && !room.contains("\"1.50\""), "{room}");
}

/// The values of the options of the `<select name="{name}">` of a page, in order; the
/// empty "all" option left out.
fn options(html: &str, name: &str) -> Vec<String> {
    let start = html.find(&format!("<select name=\"{name}\"")).unwrap_or_else(|| panic!("no select {name}"));
    let select = &html[start..];
    let select = &select[..select.find("</select>").unwrap_or(select.len())];
    select
        .split("<option value=\"")
        .skip(1)
        .filter_map(|option| option.split_once('"').map(|(value, _)| value.to_string()))
        .filter(|value| !value.is_empty())
        .collect()
}

/// The pages show states, lists and counts as words of their language, the options of
/// their forms in a meaningful order, and the site's icon.
#[tokio::test]
async fn pages_say_states_lists_and_counts_in_their_own_language() {
    let app = spawn_app().await;
    let id = app.draft_achievement(&app.seller, json!({})).await;
    app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller)).await.expect(200);
    let (status, en) = page(&app, &format!("/achievements/{id}?lang=en"), Some(&app.seller)).await;
    assert_eq!(status, 200, "{en}");
    assert!(en.contains("Pending review") && !en.contains("pending_review"), "{en}");
    assert!(en.contains("张伟, 李娜") && en.contains("Assignment, Exclusive licence") && !en.contains('、'), "{en}");
    let (_, zh) = page(&app, &format!("/achievements/{id}?lang=zh"), Some(&app.seller)).await;
    assert!(zh.contains("待审核") && zh.contains("张伟、李娜") && !zh.contains("pending_review"), "{zh}");

    // The list's filters: kinds from invention patent to other, stages in stage order,
    // fields in the reference table's order with 其他 last.
    let (_, list) = page(&app, "/achievements?lang=zh", None).await;
    let kinds = options(&list, "kind");
    assert_eq!(kinds.first().map(String::as_str), Some("invention_patent"), "{kinds:?}");
    assert_eq!(kinds.last().map(String::as_str), Some("other"), "{kinds:?}");
    assert_eq!(options(&list, "maturity"), ["lab", "prototype", "pilot", "small_batch", "mass_production"]);
    let fields = options(&list, "field");
    assert_eq!(fields.first().map(String::as_str), Some("new_generation_it"), "{fields:?}");
    assert_eq!(fields.last().map(String::as_str), Some("other"), "{fields:?}");

    // One search result is one result, not "1 results".
    app.publish_plain(&app.seller, json!({"title_zh": "独一无二的检索词"})).await;
    app.wait_indexed().await;
    let (_, one) =
        page(&app, "/search?lang=en&q=%E7%8B%AC%E4%B8%80%E6%97%A0%E4%BA%8C%E7%9A%84%E6%A3%80%E7%B4%A2%E8%AF%8D", None)
            .await;
    assert!(one.contains("1 result ") && !one.contains("1 results"), "{one}");

    // The icon: linked from every page and asked for by browsers at /favicon.ico.
    assert!(en.contains(r#"<link rel="icon" href="/static/favicon.svg""#));
    let redirect = app.client.get(app.url("/favicon.ico")).send().await.expect("favicon");
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/static/favicon.svg");
    let icon = app.client.get(app.url("/static/favicon.svg")).send().await.expect("icon");
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    assert!(icon.text().await.unwrap_or_default().starts_with("<svg"));
}

/// The tasks of a dashboard that lead to `href`, by their English words.
fn tasks_to(body: &str, href: &str) -> Vec<String> {
    body.split("<li class=\"task ")
        .skip(1)
        .filter_map(|item| item.split("</li>").next())
        .filter(|item| item.contains(&format!("href=\"{href}\"")))
        .filter_map(|item| item.split("<strong>").nth(1).and_then(|s| s.split("</strong>").next()))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_dashboard_lists_what_waits_for_each_party_and_nothing_of_others() {
    let app = spawn_app().await;
    let (status, location) = page(&app, "/dashboard", None).await;
    assert_eq!((status, location.as_str()), (303, "/sign-in?next=%2Fdashboard"));
    // `/login`, the design's name of the sign-in page, leads there with its query.
    let login = app.request(reqwest::Method::GET, "/login?next=%2Fdeals&lang=en", None).send().await.expect("login");
    assert_eq!(login.status().as_u16(), 308);
    assert_eq!(login.headers()["location"], "/sign-in?next=%2Fdeals&lang=en");

    // A new inquiry waits for the seller, not for the buyer who sent it.
    let achievement = app.published_achievement(&app.seller, json!({"inventors": []})).await;
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "能否独占许可？"}))
        .await
        .expect(201)
        .id();
    let room = format!("/deals/{deal}");
    let (status, seller) = page(&app, "/dashboard?lang=en", Some(&app.seller)).await;
    assert_eq!(status, 200);
    assert_eq!(tasks_to(&seller, &room), ["New inquiry: reply"], "{seller}");
    let (_, buyer) = page(&app, "/dashboard?lang=en", Some(&app.buyer)).await;
    assert!(tasks_to(&buyer, &room).is_empty(), "the buyer waits for the seller");
    let (_, stranger) = page(&app, "/dashboard?lang=en", Some(&app.other_seller)).await;
    assert!(!stranger.contains(&deal), "another organization learns nothing of the deal");
    assert!(!seller.contains("center-heading"), "the seller has no desk of the center");

    // The invited broker is asked to decide; once mediating, nothing waits for it.
    app.post(
        &format!("/api/v1/deals/{deal}/broker"),
        Some(&app.buyer),
        json!({"broker_id": app.broker.user_id, "commission_bps": 500}),
    )
    .await
    .expect(200);
    let (_, broker) = page(&app, "/dashboard?lang=en", Some(&app.broker)).await;
    assert_eq!(tasks_to(&broker, &room), ["Invited to mediate: accept or decline"]);
    app.post_empty(&format!("/api/v1/deals/{deal}/broker/accept"), Some(&app.broker)).await.expect(200);
    assert!(tasks_to(&page(&app, "/dashboard?lang=en", Some(&app.broker)).await.1, &room).is_empty());

    // The broker proposes terms for the seller: the seller confirms; then the buyer answers.
    let proposal = app
        .post(
            &format!("/api/v1/deals/{deal}/offers"),
            Some(&app.broker),
            json!({"on_behalf_of": "seller", "terms": {"mode": "exclusive_license", "lump_sum_minor": 30_000_000, "territory": "中国大陆", "term_years": 5},
                   "valid_until": (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339()}),
        )
        .await
        .expect(201)
        .id();
    let (_, seller) = page(&app, "/dashboard?lang=en", Some(&app.seller)).await;
    assert_eq!(tasks_to(&seller, &room), ["The broker proposed terms for you to confirm"], "{seller}");
    app.post_empty(&format!("/api/v1/offers/{proposal}/confirm"), Some(&app.seller)).await.expect(200);
    let (_, buyer) = page(&app, "/dashboard?lang=zh", Some(&app.buyer)).await;
    assert_eq!(tasks_to(&buyer, &room), ["收到报价，请答复"]);
    assert!(buyer.contains("¥300,000"), "the offer's sum is shown");
    assert!(tasks_to(&page(&app, "/dashboard?lang=en", Some(&app.seller)).await.1, &room).is_empty());

    // Agreed: the contract is to be drafted; drafted: each party is asked to sign.
    app.post_empty(&format!("/api/v1/offers/{proposal}/accept"), Some(&app.buyer)).await.expect(200);
    for who in [&app.seller, &app.buyer, &app.broker] {
        let (_, body) = page(&app, "/dashboard?lang=en", Some(who)).await;
        assert_eq!(tasks_to(&body, &room), ["Agreed: draft the contract"], "{}", who.email);
    }
    let contract = app.post("/api/v1/contracts", Some(&app.broker), json!({"deal_id": deal})).await.expect(201).id();
    let (_, seller) = page(&app, "/dashboard?lang=en", Some(&app.seller)).await;
    assert!(tasks_to(&seller, &room).is_empty(), "{:?}", tasks_to(&seller, &room));
    assert_eq!(tasks_to(&seller, &format!("/contracts/{contract}")), ["Sign the contract"]);
    assert!(seller.contains("id=\"count-contracts\">1<"), "{seller}");

    // The center's staff see their desks' queues.
    app.draft_achievement(&app.seller, json!({})).await;
    let draft = app.draft_achievement(&app.seller, json!({})).await;
    app.post_empty(&format!("/api/v1/achievements/{draft}/submit"), Some(&app.seller)).await.expect(200);
    let (_, reviewer) = page(&app, "/dashboard?lang=en", Some(&app.reviewer)).await;
    assert!(reviewer.contains("id=\"center-heading\"") && reviewer.contains("id=\"count-review\">1<"), "{reviewer}");
    assert!(!reviewer.contains("count-registration"), "a reviewer has no registration desk");
    // A rejected listing waits for its seller, and the listings are counted by state.
    app.post(&format!("/api/v1/achievements/{draft}/reject"), Some(&app.reviewer), json!({"reason": "缺少专利证书"}))
        .await
        .expect(200);
    let (_, seller) = page(&app, "/dashboard?lang=en", Some(&app.seller)).await;
    let edit = format!("/my/achievements/{draft}/edit");
    assert_eq!(tasks_to(&seller, &edit), ["Listing rejected: edit and submit again"], "{seller}");
    assert!(seller.contains("id=\"count-listings\">3<"), "{seller}");
    let states = seller.split("id=\"listing-states\">").nth(1).and_then(|s| s.split("</p>").next()).unwrap_or("");
    for state in ["Draft 1", "Published 1", "Rejected 1"] {
        assert!(states.contains(state), "{state} in {states}");
    }
    let (_, admin) = page(&app, "/dashboard?lang=en", Some(&app.admin)).await;
    assert!(admin.contains("id=\"count-registration\">0<") && admin.contains("id=\"count-registered\">"));
    assert!(!admin.contains(&format!("href=\"/contracts/{contract}\"")), "the admin's dashboard is not the parties'");
}

#[tokio::test]
async fn pages_answer_errors_with_the_problem_page_not_json() {
    let app = spawn_app().await;
    for (path, who) in [
        ("/achievements?lang=en&lang=zh", None),
        ("/deals?lang=en&lang=zh", Some(&app.buyer)),
        ("/dashboard?lang=zh&lang=en", Some(&app.seller)),
    ] {
        let response = app.request(reqwest::Method::GET, path, who).send().await.expect("page");
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"].to_str().unwrap_or_default().to_string();
        let body = response.text().await.unwrap_or_default();
        assert!((400..500).contains(&status), "{path}: {status}");
        assert!(content_type.starts_with("text/html"), "{path}: {content_type} {body}");
        assert!(body.contains("<html") && body.contains("class=\"detail problem\""), "{path}: {body}");
        if let Some(who) = who {
            assert!(body.contains("action=\"/sign-out\""), "{path}: the header still shows {} signed in", who.email);
        }
    }
    // The API keeps answering in problem+json.
    let api = app.request(reqwest::Method::GET, "/api/v1/achievements?kind=spaceship", None).send().await.expect("api");
    assert!(api.headers()["content-type"].to_str().unwrap_or_default().starts_with("application/problem+json"));
}
