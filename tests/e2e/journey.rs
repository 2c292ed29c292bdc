//! The whole deal in a real browser, every step by clicking and typing: a seller lists an
//! achievement (a validation error shown beside its field first) and submits it, a
//! reviewer approves it, a buyer finds it by a Chinese query and sends an inquiry, invites
//! a broker, the broker accepts and proposes terms for the seller, the seller confirms,
//! the buyer accepts, the contract is drafted, amended and signed by the three parties,
//! the registrar registers it, and the buyer pays the first milestone with a card in the
//! Stripe.js form (localstripe's stand-in). Screenshots of each page go to
//! `target/screenshots/`.

use crate::driver::{Browser, launch};
use crate::helpers::{TestApp, spawn_app};
use std::time::Instant;

const TITLE: &str = "一种耐旱玉米杂交种的快速选育方法";

async fn path(browser: &Browser) -> String {
    browser.script("return location.pathname;").await.as_str().unwrap_or_default().to_string()
}

async fn open_details(browser: &Browser, inner: &str) {
    browser.script(&format!("document.querySelector('{inner}').closest('details').open = true; return true;")).await;
}

async fn achievement_of(app: &TestApp) -> String {
    let mine = app.get("/api/v1/achievements?owner=mine", Some(&app.seller)).await.expect(200);
    mine.body["items"][0]["id"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_deal_from_listing_to_paid_milestone_by_clicking() {
    let app = spawn_app().await;
    let Some(browser) = launch(&app.address).await else {
        return;
    };
    let started = Instant::now();

    // The seller lists an achievement: a patent number with a wrong check digit and a TRL
    // of 12 are refused, each inside its field's cell with every label still beside its
    // field; then it is saved.
    browser.sign_in(&app.seller, "zh").await;
    browser.click("a[href='/my/achievements']").await;
    browser.click("a[href='/my/achievements/new']").await;
    // The form starts from the commonest kind, lists kinds and maturity stages in their
    // own order (not by code), and suggests a patent number that passes the check digit.
    assert_eq!(browser.script("return document.querySelector('#f-kind').value;").await, "invention_patent");
    let options = browser
        .script(
            "return ['#f-kind', '#f-maturity'].map(function (s) { return Array.prototype.map.call(\
             document.querySelectorAll(s + ' option'), function (o) { return o.value; }).join(' '); });",
        )
        .await;
    assert!(
        options[0].as_str().is_some_and(|kinds| kinds.starts_with("invention_patent ") && kinds.ends_with(" other"))
    );
    assert_eq!(options[1], "lab prototype pilot small_batch mass_production");
    let placeholder = browser.find("#f-patent").await.attr("placeholder").await.expect("attribute").unwrap_or_default();
    assert!(
        techex_core::PatentNumber::parse(&placeholder).is_ok(),
        "the placeholder `{placeholder}` is a valid number"
    );
    browser.type_into("#f-title-zh", TITLE).await;
    browser.type_into("#f-abstract-zh", "利用分子标记辅助选择，两年内育成耐旱玉米杂交种，节水30%。").await;
    browser.click("#f-kind option[value='technical_secret']").await;
    browser.click("#f-field option[value='new_materials']").await;
    browser.click("#f-maturity option[value='pilot']").await;
    browser.type_into("#f-patent", "202310123456.7").await;
    browser.type_into("#f-trl", "12").await;
    browser.click("input[name='transaction_modes'][value='assignment']").await;
    browser.type_into("#f-price", "300000").await;
    browser.type_into("#f-keywords", "耐旱、玉米、杂交种").await;
    browser.click("#save-achievement").await;
    browser.wait_until("document.querySelector('#f-trl').getAttribute('aria-invalid') === 'true'", "TRL refused").await;
    let described = browser.find("#f-trl").await.attr("aria-describedby").await.expect("attribute").unwrap_or_default();
    assert!(browser.exists(&format!("#{described}.field-error")).await, "the error is next to the field");
    browser
        .wait_until("document.querySelector('#f-patent').getAttribute('aria-invalid') === 'true'", "patent refused")
        .await;
    browser.assert_labels_beside_fields("#achievement-form").await;
    browser.capture("achievement-form-error").await;
    browser.type_into("#f-patent", "").await;
    browser.type_into("#f-trl", "6").await;
    browser.click("#save-achievement").await;
    browser
        .wait_until(
            "location.pathname === '/my/achievements' && document.querySelector('.my-achievements li[id]')",
            "saved",
        )
        .await;
    browser
        .wait_until("document.querySelector('#done').textContent.indexOf('草稿') >= 0", "the save is confirmed")
        .await;
    let achievement = achievement_of(&app).await;
    // Its edit page shows the price as it was typed.
    browser.open(&format!("/my/achievements/{achievement}/edit")).await;
    assert_eq!(browser.find("#f-price").await.prop("value").await.expect("value").as_deref(), Some("300000"));
    browser.open("/my/achievements").await;
    browser.click(&format!("#achievement-{achievement} button.submit-review")).await;
    browser
        .wait_until(&format!("!document.querySelector('#achievement-{achievement} button.submit-review')"), "submitted")
        .await;
    browser.capture("my-achievements").await;
    browser.sign_out().await;

    // The reviewer approves it.
    browser.sign_in(&app.reviewer, "zh").await;
    browser.open("/center/review").await;
    browser.click(&format!("#achievements-{achievement} button.approve")).await;
    browser.find("p.notice.ok").await;
    browser.sign_out().await;
    app.wait_indexed().await;

    // The buyer finds it in Chinese and sends an inquiry.
    browser.sign_in(&app.buyer, "zh").await;
    browser.open("/search?lang=zh").await;
    browser.type_into("#q", "耐旱玉米").await;
    browser.click("form.searchbar button[type=submit]").await;
    browser.wait_for_url("q=").await;
    browser.click(&format!("ol.hits a[href='/achievements/{achievement}']")).await;
    browser.type_into("#inquiry-text", "我公司在黄淮海地区推广，希望独家受让，请介绍中试情况。").await;
    browser.click("#send-inquiry button[type=submit]").await;
    browser
        .wait_until(
            "location.pathname.indexOf('/deals/') === 0 && document.querySelector('#invite-broker')",
            "the deal opened",
        )
        .await;
    let deal_path = path(&browser).await;

    // The buyer invites the broker at 5%.
    open_details(&browser, "#invite-broker").await;
    browser.click(&format!("#invite-broker-id option[value='{}']", app.broker.user_id)).await;
    browser.type_into("#invite-commission", "5").await;
    browser.click("#invite-broker button[type=submit]").await;
    browser.wait_until("!document.querySelector('#invite-broker')", "broker invited").await;
    browser.sign_out().await;

    // The broker accepts and proposes terms on the seller's behalf.
    browser.sign_in(&app.broker, "zh").await;
    browser.open(&deal_path).await;
    browser.click("#broker-accept button").await;
    browser.wait_until("document.querySelector('#new-offer')", "mediation accepted").await;
    browser.click("#new-offer-mode option[value='assignment']").await;
    browser.type_into("#new-offer-lump", "300000").await;
    // A second row filled with no amount, the first left blank: the error is at the row
    // it is about, not at the blank one above it.
    let second_amount = "#new-offer input[name='terms.milestones.1.amount_minor']";
    browser.type_into("#new-offer input[name='terms.milestones.1.title']", "品种权转移及制种技术交付").await;
    browser.type_into(second_amount, "0").await;
    browser.click("#new-offer button[type=submit]").await;
    browser
        .wait_until(
            &format!("document.querySelector(\"{second_amount}\").getAttribute('aria-invalid') === 'true'"),
            "row 2 refused",
        )
        .await;
    assert!(!browser.exists("#new-offer input[name='terms.milestones.0.amount_minor'][aria-invalid]").await);
    browser.assert_labels_beside_fields("#new-offer").await;
    browser.type_into("#new-offer input[name='terms.milestones.0.title']", "签约首付").await;
    browser.type_into("#new-offer input[name='terms.milestones.0.amount_minor']", "100000").await;
    browser.type_into(second_amount, "200000").await;
    browser.click("#new-offer button[type=submit]").await;
    browser.wait_until("document.querySelector('#offer-1')", "offer proposed").await;
    assert!(browser.text("#offer-1").await.contains("签约后 90 天"), "the schedule in words");
    browser.capture("deal-room-broker").await;
    browser.sign_out().await;

    // The seller confirms the proposal, found on the dashboard where signing in leads;
    // the seller's caucus is marked as private.
    browser.sign_in(&app.seller, "en").await;
    assert_eq!(path(&browser).await, "/dashboard");
    browser.capture("dashboard-seller").await;
    browser.click(".task.todo_confirm_proposal a").await;
    browser.wait_until(&format!("location.pathname === '{deal_path}'"), "the task leads to the room").await;
    browser.open(&format!("{deal_path}?channel=caucus_seller")).await;
    assert!(browser.text(".channel-note").await.contains("only this side and the broker"));
    browser.click("#confirm-1 button").await;
    browser.confirm("in your name").await;
    browser.wait_until("!document.querySelector('#confirm-1')", "confirmed").await;
    browser.sign_out().await;

    // The buyer accepts and drafts the contract.
    browser.sign_in(&app.buyer, "zh").await;
    browser.open(&deal_path).await;
    // Accepting first says what follows; going back leaves the offer open.
    browser.click("#accept-1 button").await;
    browser.find("#confirm-dialog[open]").await;
    browser.click("#confirm-dialog .confirm-no").await;
    browser.wait_until("!document.querySelector('#confirm-dialog').open", "the confirm step closed").await;
    let deal_api = format!("/api/v1{deal_path}");
    assert_eq!(app.get(&deal_api, Some(&app.buyer)).await.expect(200).body["status"], "negotiating");
    browser.click("#accept-1 button").await;
    browser.confirm("起草技术合同").await;
    browser.wait_until("document.querySelector('#draft-contract')", "agreed").await;
    browser.capture("deal-room-agreed").await;
    browser.click("#draft-contract button").await;
    browser
        .wait_until(
            "location.pathname.indexOf('/contracts/') === 0 && document.querySelector('#amend-contract')",
            "contract drafted",
        )
        .await;
    let contract_path = path(&browser).await;
    let contract = contract_path.trim_start_matches("/contracts/").to_string();
    // The pre-check and the schedule speak the page's language: no codes, no "+90d".
    let findings = browser.text("ul.findings").await;
    assert!(findings.contains("签约代表人") && !findings.chars().any(|c| c.is_ascii_alphabetic()), "{findings}");
    assert!(browser.text("#milestone-2").await.contains("签约后 90 天"));
    browser.type_into("#amend-seller-rep", "张成").await;
    browser.type_into("#amend-buyer-rep", "刘采").await;
    browser.click("#amend-contract button").await;
    browser.wait_until("document.querySelector('#amend-contract').closest('details').open === false", "amended").await;
    browser
        .wait_until(
            "document.querySelector('#done').textContent.indexOf('重新签署') >= 0",
            "the amendment is confirmed",
        )
        .await;
    browser.click("#sign-contract button").await;
    browser.confirm("SHA-256").await;
    browser.wait_until("!document.querySelector('#sign-contract')", "buyer signed").await;
    browser.sign_out().await;
    for who in [&app.seller, &app.broker] {
        browser.sign_in(who, "zh").await;
        browser.open(&contract_path).await;
        browser.click("#sign-contract button").await;
        browser.confirm("SHA-256").await;
        browser.wait_until("!document.querySelector('#sign-contract')", "signed").await;
        browser.sign_out().await;
    }

    // The registrar registers it.
    browser.sign_in(&app.registrar, "zh").await;
    browser.open("/center/contracts").await;
    browser.click(&format!("#contract-{contract} button.register")).await;
    browser.confirm("登记号").await;
    browser.find("p.notice.ok").await;
    browser.sign_out().await;

    // The buyer pays the first milestone with a card in the Stripe.js form, reached from
    // the dashboard's task.
    browser.sign_in(&app.buyer, "zh").await;
    assert!(browser.text(".task.todo_pay_milestone").await.contains("¥100,000"));
    browser.click(".task.todo_pay_milestone a").await;
    browser.wait_until(&format!("location.pathname === '{contract_path}'"), "the task leads to the contract").await;
    browser.type_into("#card-element input[placeholder='number']", "4242424242424242").await;
    browser.type_into("#card-element input[placeholder='exp_month']", "12").await;
    browser.type_into("#card-element input[placeholder='exp_year']", "30").await;
    browser.type_into("#card-element input[placeholder='cvc']", "123").await;
    browser.type_into("#card-element input[placeholder='postal_code']", "25000").await;
    browser.capture("contract-pay").await;
    browser.click("#pay-form button[type=submit]").await;
    browser.wait_until("document.querySelector('#milestone-1').textContent.indexOf('已付款') >= 0", "paid").await;
    browser.capture("contract-paid").await;
    // Delivered and accepted: the escrow is released, the payouts wait for accounts.
    browser.click("#accept-milestone-1 button").await;
    browser.confirm("托管").await;
    browser.wait_until("document.querySelector('#milestone-1').textContent.indexOf('已验收') >= 0", "accepted").await;
    let payouts = browser.text("#milestone-1").await;
    assert!(payouts.contains("¥95,000") && payouts.contains("¥5,000"), "seller 95%, broker 5%: {payouts}");
    let milestones = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(milestones.body["milestones"][0]["status"], "accepted");
    assert_eq!(milestones.body["status"], "performing");
    let ledger = app.get(&format!("/api/v1/contracts/{contract}/ledger"), Some(&app.buyer)).await.expect(200);
    assert_eq!(ledger.body["accounts"]["provider_balance"]["CNY"], 10_000_000, "no payout account yet");
    assert_eq!(ledger.body["accounts"][format!("escrow:{contract}")]["CNY"], 0);
    assert_eq!(ledger.body["totals"]["CNY"], 0);
    eprintln!("the browser journey took {:.1} s", started.elapsed().as_secs_f64());
    browser.quit().await;
}
