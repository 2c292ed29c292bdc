//! Open licensing in the browser: the patentee declares an open licence from its
//! achievement page, the center publishes it from its desk, and an enterprise takes the
//! licence from the achievement page in one step (with the confirm step first), names its
//! representative, signs alone, and — once the center registered the contract — pays the
//! fee with a card in the Stripe.js form. Another takes the licence through a broker,
//! who accepts on the deal page, and the contract is drafted with the broker in it.

use crate::driver::{Browser, launch};
use crate::helpers::spawn_app;
use serde_json::json;

async fn path(browser: &Browser) -> String {
    browser.script("return location.pathname;").await.as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_licence_is_declared_published_taken_and_paid_by_clicking() {
    let app = spawn_app().await;
    let Some(browser) = launch(&app.address).await else {
        return;
    };
    let patent = app.published_achievement(&app.seller, json!({"patent_granted": true, "inventors": []})).await;

    // The patentee declares from its achievement page.
    browser.sign_in(&app.seller, "zh").await;
    browser.open(&format!("/achievements/{patent}")).await;
    browser.type_into("#ol-fee", "60000").await;
    browser.type_into("#ol-representative", "张成").await;
    browser.click("#declare-licence button[type=submit]").await;
    browser
        .wait_until("location.pathname.indexOf('/open-licences/') === 0 && document.querySelector('#done')", "declared")
        .await;
    let declaration_path = path(&browser).await;
    let declaration = declaration_path.trim_start_matches("/open-licences/").to_string();
    assert!(browser.text("#open-licence").await.contains("待审核"));
    browser.capture("open-licence-pending").await;
    browser.sign_out().await;

    // The center publishes it from its desk.
    browser.sign_in(&app.reviewer, "zh").await;
    browser.open("/center/open-licences").await;
    browser.click(&format!("#approve-{declaration} button")).await;
    browser.wait_until("document.querySelector('#done')", "published").await;
    let published = app.get(&format!("/api/v1/open-licences/{declaration}"), None).await.expect(200);
    assert_eq!(published.body["status"], "published");
    browser.sign_out().await;

    // An enterprise takes the licence from the achievement page: the confirm step first.
    browser.sign_in(&app.buyer, "zh").await;
    browser.open(&format!("/achievements/{patent}")).await;
    browser.click(".open-licence-box a").await;
    browser.wait_until(&format!("location.pathname === '{declaration_path}'"), "the declaration").await;
    browser.capture("open-licence-take").await;
    browser.click("#take-licence button[type=submit]").await;
    browser.confirm("普通许可").await;
    browser
        .wait_until(
            "location.pathname.indexOf('/contracts/') === 0 && document.querySelector('#amend-contract')",
            "the licence contract",
        )
        .await;
    let contract_path = path(&browser).await;
    let contract = contract_path.trim_start_matches("/contracts/").to_string();
    browser.type_into("#amend-buyer-rep", "刘采").await;
    browser.click("#amend-contract button").await;
    // The page reloads with the representative named (so the form folds away); the
    // taking's own confirmation is on the page already, so it cannot be what is awaited.
    browser
        .wait_until(
            "document.querySelector('#amend-contract').closest('details').open === false \
             && document.querySelector('#done')",
            "amended",
        )
        .await;
    browser.click("#sign-contract button").await;
    browser.confirm("SHA-256").await;
    browser.wait_until("!document.querySelector('#sign-contract')", "signed by the licensee alone").await;
    let view = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(view.body["status"], "signed");
    app.post_empty(&format!("/api/v1/contracts/{contract}/register"), Some(&app.registrar)).await.expect(200);

    // The licensee pays the fee with a card.
    browser.open(&contract_path).await;
    browser.type_into("#card-element input[placeholder='number']", "4242424242424242").await;
    browser.type_into("#card-element input[placeholder='exp_month']", "12").await;
    browser.type_into("#card-element input[placeholder='exp_year']", "30").await;
    browser.type_into("#card-element input[placeholder='cvc']", "123").await;
    browser.type_into("#card-element input[placeholder='postal_code']", "25000").await;
    browser.click("#pay-form button[type=submit]").await;
    browser.wait_until("document.querySelector('#milestone-1').textContent.indexOf('已付款') >= 0", "paid").await;
    browser.capture("open-licence-paid").await;
    let paid = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(paid.body["milestones"][0]["status"], "paid");
    assert_eq!(paid.body["milestones"][0]["amount_minor"], 6_000_000);
    browser.quit().await;
}

#[tokio::test]
async fn the_licensee_files_a_royalty_report_and_the_licensor_accepts_it_by_clicking() {
    let app = spawn_app().await;
    let Some(browser) = launch(&app.address).await else {
        return;
    };
    let declaration = app
        .published_open_licence(
            json!({"royalty_bps": 500, "term_years": 3, "territory": "中国大陆", "representative": "张成"}),
        )
        .await;
    let one = format!("/api/v1/open-licences/{declaration}");
    let contract = app.post(&format!("{one}/licences"), Some(&app.buyer), json!({})).await.expect(201).id();
    let contract_api = format!("/api/v1/contracts/{contract}");
    let amended = app.patch(&contract_api, &app.buyer, None, json!({"buyer_representative": "刘采"})).await.expect(200);
    let hash = amended.body["sha256"].as_str().unwrap_or_default().to_string();
    app.post(&format!("{contract_api}/sign"), Some(&app.buyer), json!({"sha256": hash})).await.expect(200);
    app.post_empty(&format!("{contract_api}/register"), Some(&app.registrar)).await.expect(200);
    // As if the licence had been signed early in 2025: its first quarter has ended.
    app.backdate_signature(&contract, chrono::NaiveDate::from_ymd_opt(2025, 1, 15).expect("day")).await;

    // The licensee reports the first quarter's sales from the contract page.
    browser.sign_in(&app.buyer, "zh").await;
    browser.open(&format!("/contracts/{contract}")).await;
    assert!(browser.text("#file-royalty").await.contains("2025-Q1"));
    browser.type_into("#royalty-sales", "100000").await;
    browser.click("#file-royalty button[type=submit]").await;
    browser.wait_until("document.querySelector('#royalty-2025-Q1') && document.querySelector('#done')", "filed").await;
    assert!(browser.text("#royalty-2025-Q1").await.contains("¥5,000"), "5% of 100,000 yuan");
    browser.sign_out().await;

    // The licensor accepts it, with the confirm step first.
    browser.sign_in(&app.seller, "zh").await;
    browser.open(&format!("/contracts/{contract}")).await;
    browser.click("#accept-royalty-2025-Q1 button[type=submit]").await;
    browser.confirm("提成报告").await;
    browser
        .wait_until("!document.querySelector('#accept-royalty-2025-Q1') && document.querySelector('#done')", "accepted")
        .await;
    assert!(browser.text("#royalty-2025-Q1").await.contains("已确认"));
    browser.capture("royalty-accepted").await;
    browser.open("/my/royalties").await;
    assert!(browser.text("#royalty-income").await.contains("2025-Q1"));
    browser.quit().await;
}

#[tokio::test]
async fn a_licence_is_taken_through_a_broker_who_accepts_on_the_deal_page() {
    let app = spawn_app().await;
    let Some(browser) = launch(&app.address).await else {
        return;
    };
    let declaration = app
        .published_open_licence(
            json!({"fee_minor": 3_000_000, "term_years": 3, "territory": "山东省", "representative": "张成"}),
        )
        .await;

    // The enterprise names a broker in the take form; the deal waits for the broker.
    browser.sign_in(&app.buyer, "zh").await;
    browser.open(&format!("/open-licences/{declaration}")).await;
    browser.click("#take-licence .take-broker summary").await;
    browser
        .script(&format!("document.querySelector('#take-broker-id').value = '{}'; return true;", app.broker.user_id))
        .await;
    browser.type_into("#take-commission", "4").await;
    browser.click("#take-licence button[type=submit]").await;
    browser.confirm("普通许可").await;
    browser.wait_until("location.pathname.indexOf('/deals/') === 0", "the deal waiting for the broker").await;
    let deal_path = path(&browser).await;
    browser
        .wait_until(
            "(document.querySelector('#done') || {}).textContent.indexOf('邀请经纪人') >= 0",
            "the invitation said",
        )
        .await;
    assert!(browser.text(".notice").await.contains("经纪人接受后"), "the page says what happens next");
    assert!(!browser.exists("#new-offer").await, "the declared terms take no offers");
    browser.capture("open-licence-through-broker").await;
    browser.sign_out().await;

    // The broker accepts on the deal page: agreed, and the contract drafted with the broker.
    browser.sign_in(&app.broker, "zh").await;
    browser.open(&deal_path).await;
    browser.click("#broker-accept button").await;
    browser.wait_until("document.querySelector('.agreement')", "agreed on the declared terms").await;
    let deal = deal_path.trim_start_matches("/deals/");
    let view = app.get(&format!("/api/v1/deals/{deal}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(view.body["status"], "agreed");
    assert_eq!(view.body["agreement"]["commission_bps"], 400);
    let grants = app.get(&format!("/api/v1/open-licences/{declaration}/licences"), Some(&app.buyer)).await.expect(200);
    let contract = grants.body[0]["contract_id"].as_str().unwrap_or_default().to_string();
    let drafted = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.broker)).await.expect(200);
    assert_eq!(drafted.body["required_signatures"], json!(["buyer", "broker"]));
    browser.quit().await;
}
