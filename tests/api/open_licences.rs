//! Patent open licensing (专利开放许可) over HTTP: a university declares an open licence,
//! bad declarations are refused field by field and store nothing, the center publishes
//! it, two enterprises take licences at the same moment and each gets its own contract,
//! which only the licensee signs and the center registers, and each fee is paid through
//! Stripe with the ledger balanced; a withdrawal closes the door to new licensees.

use crate::contracts::sign;
use crate::helpers::{Reply, TestApp, spawn_app, unique_patent_number};
use crate::payments::{confirm_card, deliver_intent_state, ledger};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn declaration() -> Value {
    json!({
        "fee_minor": 5_000_000,
        "term_years": 5,
        "territory": "中国大陆",
        "representative": "张成",
        "conditions": "被许可人应在产品说明中注明专利号",
    })
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

/// The declarations an organization holds, in any state.
async fn own_declarations(app: &TestApp) -> usize {
    let mine = app.get("/api/v1/open-licences?mine=true", Some(&app.seller)).await.expect(200);
    mine.body["items"].as_array().map_or(0, Vec::len)
}

/// A granted utility model of the seller (number with kind digit 2), published.
async fn utility_model(app: &TestApp) -> String {
    let invention = unique_patent_number();
    let digits: String = invention.chars().filter(char::is_ascii_digit).collect();
    let serial = &digits[5..12];
    let number = techex_core::PatentNumber::from_digits(&format!("20222{serial}")).expect("valid").application_number();
    app.published_achievement(
        &app.seller,
        json!({"kind": "utility_model", "patent_number": number, "patent_granted": true, "inventors": []}),
    )
    .await
}

#[tokio::test]
async fn an_open_licence_is_declared_published_taken_by_two_at_once_registered_and_paid() {
    let app = spawn_app().await;
    let patent = app
        .published_achievement(&app.seller, json!({"patent_granted": true, "inventors": [], "field": "new_materials"}))
        .await;
    let path = format!("/api/v1/achievements/{patent}/open-licence");

    // Bad declarations: a problem naming the field, and nothing stored.
    let cases = [
        (with(declaration(), "fee_minor", json!(2_000_000_001_i64)), "fee_minor"),
        (with(declaration(), "fee_minor", json!(-1)), "fee_minor"),
        (with(with(declaration(), "royalty_bps", json!(2001)), "fee_minor", Value::Null), "royalty_bps"),
        (with(declaration(), "mode", json!("exclusive_license")), "mode"),
        (with(declaration(), "term_years", json!(21)), "term_years"),
        (with(declaration(), "royalty_minimum_minor", json!(100)), "royalty_minimum_minor"),
        (with(declaration(), "representative", json!("")), "representative"),
        (with(with(declaration(), "fee_minor", Value::Null), "conditions", Value::Null), "fee_minor"),
    ];
    for (body, field) in cases {
        let reply = app.post(&path, Some(&app.seller), body.clone()).await.expect_problem(422, "validation_failed");
        assert_eq!(reply.error_fields(), [field], "{body}");
        assert_eq!(reply.body["errors"][0]["detail"].as_str().map(str::is_empty), Some(false));
    }
    let pending_patent = app.published_achievement(&app.seller, json!({"patent_granted": false})).await;
    let reply = app
        .post(&format!("/api/v1/achievements/{pending_patent}/open-licence"), Some(&app.seller), declaration())
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(reply.error_fields(), ["achievement_id"], "an application not yet granted");
    let utility = utility_model(&app).await;
    let utility_path = format!("/api/v1/achievements/{utility}/open-licence");
    let reply =
        app.post(&utility_path, Some(&app.seller), declaration()).await.expect_problem(422, "validation_failed");
    assert_eq!(reply.error_fields(), ["evaluation_report_id"], "a utility model without its evaluation report");
    let stranger = with(declaration(), "evaluation_report_id", json!(uuid::Uuid::now_v7()));
    let reply = app.post(&utility_path, Some(&app.seller), stranger).await.expect_problem(422, "validation_failed");
    assert_eq!(reply.error_fields(), ["evaluation_report_id"]);
    app.post(&path, Some(&app.buyer), declaration()).await.expect_problem(403, "forbidden");
    assert_eq!(own_declarations(&app).await, 0, "a refused declaration stores nothing");

    // With its evaluation report among the public documents, the utility model may be declared.
    let report = Reply::from(
        app.request(reqwest::Method::POST, &format!("/api/v1/achievements/{utility}/documents"), Some(&app.seller))
            .multipart(
                Form::new()
                    .part("file", Part::bytes(PDF).file_name("评价报告.pdf").mime_str("application/pdf").expect("mime"))
                    .text("title", "专利权评价报告")
                    .text("tier", "public"),
            )
            .send()
            .await
            .expect("upload"),
    )
    .await
    .expect(201)
    .id();
    app.post(&utility_path, Some(&app.seller), with(declaration(), "evaluation_report_id", json!(report)))
        .await
        .expect(201);

    // Declared: pending until the center reviews it, and hidden from everyone else.
    let declared = app.post(&path, Some(&app.seller), declaration()).await.expect(201);
    let id = declared.id();
    assert_eq!(declared.body["status"], "pending_review");
    app.post(&path, Some(&app.seller), declaration()).await.expect_problem(409, "conflict");
    let one = format!("/api/v1/open-licences/{id}");
    app.get(&one, None).await.expect_problem(404, "not_found");
    app.get(&one, Some(&app.buyer)).await.expect_problem(404, "not_found");
    for (query, who) in
        [("mine=true", None), ("mine=true", Some(&app.buyer)), ("status=pending_review", Some(&app.buyer))]
    {
        let listed = app.get(&format!("/api/v1/open-licences?{query}"), who).await.expect(200);
        assert_eq!(
            listed.body["items"],
            json!([]),
            "a pending declaration is the patentee's and the center's: {query}"
        );
    }
    let desk = app.get("/api/v1/open-licences?status=pending_review", Some(&app.reviewer)).await.expect(200);
    assert!(desk.body["items"].as_array().is_some_and(|d| d.iter().any(|x| x["id"] == id.as_str())));
    let licences = format!("{one}/licences");
    app.post(&licences, Some(&app.buyer), json!({})).await.expect_problem(404, "not_found");
    app.post_if_match(&format!("{one}/approve"), &app.seller, declared.version(), None)
        .await
        .expect_problem(403, "forbidden");
    app.post_if_match(&format!("{one}/approve"), &app.reviewer, declared.version() + 1, None)
        .await
        .expect_problem(412, "precondition_failed");
    let published =
        app.post_if_match(&format!("{one}/approve"), &app.reviewer, declared.version(), None).await.expect(200);
    assert_eq!(published.body["status"], "published");
    let public = app.get("/api/v1/open-licences?field=new_materials", None).await.expect(200);
    assert!(public.body["items"].as_array().is_some_and(|items| items.iter().any(|d| d["id"] == id.as_str())));
    let elsewhere = app.get("/api/v1/open-licences?field=energy", None).await.expect(200);
    assert!(elsewhere.body["items"].as_array().is_some_and(|items| items.iter().all(|d| d["id"] != id.as_str())));

    // A search filter and a word: the patents open for licensing.
    app.wait_indexed().await;
    assert_eq!(app.search_ids("mode=open_licence").await, [patent.clone()]);
    assert!(app.search_ids(&format!("q={}", urlencode("开放许可"))).await.contains(&patent));
    let facets = app.search("q=").await.expect(200).body["facets"]["mode"].clone();
    assert!(
        facets.as_array().is_some_and(|v| v.iter().any(|f| f["value"] == "open_licence" && f["count"] == 1)),
        "{facets}"
    );
    app.search("mode=no_such_mode").await.expect_problem(400, "malformed_request");

    // A patent open for licensing takes no exclusive or sole licence.
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": patent, "inquiry": "独占许可条件？"}))
        .await
        .expect(201)
        .id();
    let exclusive = json!({"terms": {"mode": "exclusive_license", "lump_sum_minor": 9_000_000, "territory": "山东省",
        "term_years": 3}, "valid_until": (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339()});
    let refused = app
        .post(&format!("/api/v1/deals/{deal}/offers"), Some(&app.buyer), exclusive)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["terms.mode"]);

    // Neither the patentee nor an unverified organization takes a licence.
    app.post(&licences, Some(&app.seller), json!({})).await.expect_problem(403, "forbidden");
    app.post(&licences, Some(&app.unverified), json!({})).await.expect_problem(403, "forbidden");

    // Two enterprises take licences at the same moment: two contracts.
    let take = |who: &crate::helpers::Account, anonymous: bool| {
        app.request(reqwest::Method::POST, &licences, Some(who)).json(&json!({"anonymous": anonymous})).send()
    };
    let (first, second) = tokio::join!(take(&app.buyer, false), take(&app.buyer2, true));
    let first = Reply::from(first.expect("take")).await.expect(201);
    let second = Reply::from(second.expect("take")).await.expect(201);
    assert_ne!(first.id(), second.id());
    app.post(&licences, Some(&app.buyer), json!({})).await.expect_problem(409, "conflict");
    for (contract, who) in [(&first, &app.buyer), (&second, &app.buyer2)] {
        assert_eq!(contract.body["contract_type"], "licence_ordinary");
        assert_eq!(contract.body["required_signatures"], json!(["buyer"]));
        let text = app.contract_text(&contract.id(), who).await;
        assert!(text.contains("开放许可声明") && text.contains(&id), "the contract records the declaration: {text}");
        assert!(text.contains("被许可人应在产品说明中注明专利号"), "the declared conditions are in the text");
        assert!(text.contains("张成"), "the patentee's representative from the declaration");
    }

    // Each licensee names its representative, signs alone, and the center registers.
    let mut milestones = Vec::new();
    for (contract, who) in [(&first, &app.buyer), (&second, &app.buyer2)] {
        let contract_id = contract.id();
        let contract_path = format!("/api/v1/contracts/{contract_id}");
        let fixed = app
            .patch(&contract_path, who, None, json!({"penalty_bps": 0}))
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(fixed.error_fields(), ["penalty_bps"], "the declared terms stand");
        let amended = app.patch(&contract_path, who, None, json!({"buyer_representative": "刘采"})).await.expect(200);
        let hash = amended.body["sha256"].as_str().unwrap_or_default().to_string();
        sign(&app, &contract_id, &app.seller, &hash).await.expect_problem(409, "conflict");
        let signed = sign(&app, &contract_id, who, &hash).await.expect(200);
        assert_eq!(signed.body["status"], "signed", "the licensee's signature completes it");
        let registered = app.post_empty(&format!("{contract_path}/register"), Some(&app.registrar)).await.expect(200);
        assert_eq!(registered.body["status"], "registered", "{}", registered.body);
        let milestone = registered.body["milestones"][0].clone();
        assert_eq!(milestone["amount_minor"], 5_000_000, "the declared fee is due on signing");
        milestones.push((contract_id, milestone["id"].as_str().unwrap_or_default().to_string(), who));
    }

    // The public sees both licences, the anonymous one unnamed.
    let granted = app.get(&licences, None).await.expect(200);
    let rows = granted.body.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 2, "{}", granted.body);
    assert_eq!(rows.iter().filter(|g| g["licensee"].is_null()).count(), 1, "one licensee asked not to be named");
    assert!(rows.iter().all(|g| g["contract_id"].is_null()), "contracts stay with their parties");

    // Each licensee pays its fee through Stripe; the ledger balances.
    for (contract, milestone, who) in &milestones {
        let paying = app.post_empty(&format!("/api/v1/milestones/{milestone}/pay"), Some(who)).await.expect(200);
        let intent = paying.body["payment_intent_id"].as_str().unwrap_or_default().to_string();
        confirm_card(&intent).await;
        deliver_intent_state(&app, &intent).await;
        let view = app.get(&format!("/api/v1/milestones/{milestone}/payment"), Some(who)).await.expect(200);
        assert_eq!(view.body["milestone_status"], "paid", "{}", view.body);
        let balances = ledger(&app, contract).await;
        assert!(balances["accounts"].as_object().is_some_and(|a| !a.is_empty()), "{balances}");
    }

    // Withdrawn: no new licensee, the licences taken stand.
    let current = app.get(&one, Some(&app.seller)).await.expect(200);
    app.post_if_match(&format!("{one}/withdraw"), &app.buyer, current.version(), None)
        .await
        .expect_problem(403, "forbidden");
    let withdrawn =
        app.post_if_match(&format!("{one}/withdraw"), &app.seller, current.version(), None).await.expect(200);
    assert_eq!(withdrawn.body["status"], "withdrawn");
    app.post(&licences, Some(&app.other_seller), json!({})).await.expect_problem(409, "invalid_transition");
    assert_eq!(app.get(&licences, None).await.expect(200).body.as_array().map(Vec::len), Some(2));
    app.wait_indexed().await;
    assert!(app.search_ids("mode=open_licence").await.is_empty(), "a withdrawn declaration leaves the filter");
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn a_patent_under_an_exclusive_licence_in_force_cannot_be_opened() {
    let app = spawn_app().await;
    let (contract, _, _) = crate::payments::registered_contract(&app).await;
    let view = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.seller)).await.expect(200);
    assert_eq!(view.body["contract_type"], "licence_exclusive");
    let patent = view.body["content"]["subject"]["achievement_id"].as_str().unwrap_or_default().to_string();
    app.post(&format!("/api/v1/achievements/{patent}/open-licence"), Some(&app.seller), declaration())
        .await
        .expect_problem(409, "conflict");
    assert_eq!(own_declarations(&app).await, 0, "nothing is stored");
}

#[tokio::test]
async fn the_center_returns_a_declaration_with_a_reason_and_the_patentee_may_declare_again() {
    let app = spawn_app().await;
    let patent = app.published_achievement(&app.seller, json!({"patent_granted": true, "inventors": []})).await;
    let path = format!("/api/v1/achievements/{patent}/open-licence");
    let body = json!({"royalty_bps": 300, "royalty_minimum_minor": 1_000_000, "royalty_period": "year",
        "fee_minor": 500_000, "entry_fee_credited": true, "term_years": 3, "territory": "山东省", "representative": "张成"});
    let declared = app.post(&path, Some(&app.seller), body.clone()).await.expect(201);
    assert_eq!(declared.body["royalty_period"], "year");
    let one = format!("/api/v1/open-licences/{}", declared.id());
    app.post_if_match(&format!("{one}/reject"), &app.reviewer, declared.version(), Some(json!({"reason": " "})))
        .await
        .expect_problem(422, "validation_failed");
    let returned = app
        .post_if_match(
            &format!("{one}/reject"),
            &app.reviewer,
            declared.version(),
            Some(json!({"reason": "提成比例与市场不符"})),
        )
        .await
        .expect(200);
    assert_eq!(returned.body["status"], "rejected");
    assert_eq!(returned.body["review_reason"], "提成比例与市场不符");
    app.post_if_match(&format!("{one}/approve"), &app.reviewer, returned.version(), None)
        .await
        .expect_problem(409, "invalid_transition");
    let public = app.get(&one, None).await;
    public.expect_problem(404, "not_found");
    let again = app.post(&path, Some(&app.seller), with(body, "royalty_bps", json!(250))).await.expect(201);
    assert_eq!(again.body["status"], "pending_review");
}

#[tokio::test]
async fn a_licensee_may_take_an_open_licence_through_a_broker_who_becomes_its_third_party() {
    let app = spawn_app().await;
    let one = format!("/api/v1/open-licences/{}", app.published_open_licence(declaration()).await);
    let licences = format!("{one}/licences");

    // A commission needs its broker; an unknown broker is refused; nothing is stored.
    let refused = app
        .post(&licences, Some(&app.buyer), json!({"commission_bps": 500}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["commission_bps"]);
    let refused = app
        .post(&licences, Some(&app.buyer), json!({"broker_id": uuid::Uuid::now_v7()}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["broker_id"]);
    let refused = app
        .post(&licences, Some(&app.buyer), json!({"broker_id": app.broker.user_id, "commission_bps": 3001}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["commission_bps"]);
    assert_eq!(app.get(&licences, Some(&app.seller)).await.expect(200).body, json!([]), "nothing was taken");

    // Taken with a broker: the notice is given, the deal waits for the broker.
    let taken = app
        .post(&licences, Some(&app.buyer), json!({"broker_id": app.broker.user_id, "commission_bps": 500}))
        .await
        .expect(202);
    let deal = taken.id();
    assert_eq!(taken.body["status"], "inquiry", "{}", taken.body);
    assert_eq!(taken.body["broker"]["status"], "invited");
    assert_eq!(taken.body["broker"]["commission_bps"], 500);
    app.post(&licences, Some(&app.buyer), json!({})).await.expect_problem(409, "conflict");
    let granted = app.get(&licences, Some(&app.seller)).await.expect(200);
    assert_eq!(granted.body[0]["contract_status"], Value::Null, "no contract before the broker accepts");
    assert_eq!(granted.body[0]["deal_id"], deal.as_str());
    assert_eq!(app.get(&licences, None).await.expect(200).body, json!([]), "nothing public before registration");
    let offer = json!({"terms": {"mode": "ordinary_license", "lump_sum_minor": 1_000_000, "territory": "山东省",
        "term_years": 3}, "valid_until": (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339()});
    app.post(&format!("/api/v1/deals/{deal}/offers"), Some(&app.seller), offer).await.expect_problem(409, "conflict");
    // The broker is the licensee's choice alone: neither the patentee nor the center
    // puts another in its place (the accept below, on the same version, shows nothing
    // changed).
    for who in [&app.seller, &app.admin] {
        app.post(&format!("/api/v1/deals/{deal}/broker"), Some(who), json!({"broker_id": app.broker2.user_id}))
            .await
            .expect_problem(403, "forbidden");
    }

    // A second licensee's broker declines; the licensee ends that deal and takes the
    // licence directly instead.
    let waiting = app.post(&licences, Some(&app.buyer2), json!({"broker_id": app.broker2.user_id})).await.expect(202);
    app.post_if_match(&format!("/api/v1/deals/{}/broker/decline", waiting.id()), &app.broker2, waiting.version(), None)
        .await
        .expect(204);
    let current = app.get(&format!("/api/v1/deals/{}", waiting.id()), Some(&app.buyer2)).await.expect(200);
    assert_eq!(current.body["broker"]["status"], "declined");
    app.post(&licences, Some(&app.buyer2), json!({})).await.expect_problem(409, "conflict");
    app.post_if_match(
        &format!("/api/v1/deals/{}/cancel", waiting.id()),
        &app.buyer2,
        current.version(),
        Some(json!({"reason": "经纪人无法接受委托"})),
    )
    .await
    .expect(200);
    let direct = app.post(&licences, Some(&app.buyer2), json!({})).await.expect(201);
    assert_eq!(direct.body["required_signatures"], json!(["buyer"]));

    // The broker accepts: the deal is agreed on the declared terms and the contract is
    // drafted with the broker as 丙方, who signs with the licensee.
    let accepted = app
        .post_if_match(&format!("/api/v1/deals/{deal}/broker/accept"), &app.broker, taken.version(), None)
        .await
        .expect(200);
    assert_eq!(accepted.body["status"], "agreed", "{}", accepted.body);
    assert_eq!(accepted.body["agreement"]["source"], "open_licence");
    assert_eq!(accepted.body["agreement"]["broker_id"], app.broker.user_id.to_string());
    assert_eq!(accepted.body["agreement"]["commission_bps"], 500);
    let granted = app.get(&licences, Some(&app.buyer)).await.expect(200);
    let mine: Vec<&Value> = granted
        .body
        .as_array()
        .map(|g| g.iter().filter(|g| g["deal_id"] == deal.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(mine.len(), 1, "{}", granted.body);
    let contract_id = mine[0]["contract_id"].as_str().unwrap_or_default().to_string();
    assert_eq!(mine[0]["contract_status"], "draft");
    let contract_path = format!("/api/v1/contracts/{contract_id}");
    let contract = app.get(&contract_path, Some(&app.broker)).await.expect(200);
    assert_eq!(contract.body["required_signatures"], json!(["buyer", "broker"]));
    assert_eq!(contract.body["content"]["broker"]["user_id"], app.broker.user_id.to_string());
    assert_eq!(contract.body["content"]["commission_bps"], 500);
    assert_eq!(contract.body["content"]["terms"]["lump_sum_minor"], 5_000_000, "the declared fee");
    assert!(contract.body["content"]["open_licence"].is_object(), "{}", contract.body["content"]);
    let amended =
        app.patch(&contract_path, &app.buyer, None, json!({"buyer_representative": "刘采"})).await.expect(200);
    let hash = amended.body["sha256"].as_str().unwrap_or_default().to_string();
    sign(&app, &contract_id, &app.seller, &hash).await.expect_problem(409, "conflict");
    assert_eq!(sign(&app, &contract_id, &app.buyer, &hash).await.expect(200).body["status"], "signing");
    assert_eq!(sign(&app, &contract_id, &app.broker, &hash).await.expect(200).body["status"], "signed");
    let registered = app.post_empty(&format!("{contract_path}/register"), Some(&app.registrar)).await.expect(200);
    assert_eq!(registered.body["status"], "registered", "{}", registered.body);
    assert_eq!(app.get(&licences, None).await.expect(200).body.as_array().map(Vec::len), Some(1), "registered: public");
}

/// The current calendar quarter, as a period code.
fn this_quarter() -> String {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1)
}

#[tokio::test]
async fn a_royalty_runs_four_quarterly_reports_one_disputed_and_the_minimum_trued_up_and_paid() {
    let app = spawn_app().await;
    let patent = app.published_achievement(&app.seller, json!({"patent_granted": true, "inventors": []})).await;
    let declared = app
        .post(
            &format!("/api/v1/achievements/{patent}/open-licence"),
            Some(&app.seller),
            json!({"fee_minor": 500_000, "royalty_bps": 300, "royalty_minimum_minor": 2_000_000,
                   "royalty_period": "quarter", "entry_fee_credited": true, "term_years": 3,
                   "territory": "中国大陆", "representative": "张成"}),
        )
        .await
        .expect(201);
    let one = format!("/api/v1/open-licences/{}", declared.id());
    app.post_if_match(&format!("{one}/approve"), &app.reviewer, declared.version(), None).await.expect(200);
    let contract = app.post(&format!("{one}/licences"), Some(&app.buyer), json!({})).await.expect(201).id();
    let contract_path = format!("/api/v1/contracts/{contract}");
    let amended =
        app.patch(&contract_path, &app.buyer, None, json!({"buyer_representative": "刘采"})).await.expect(200);
    sign(&app, &contract, &app.buyer, amended.body["sha256"].as_str().unwrap_or_default()).await.expect(200);
    let registered = app.post_empty(&format!("{contract_path}/register"), Some(&app.registrar)).await.expect(200);
    let entry_fee = registered.body["milestones"][0]["id"].as_str().unwrap_or_default().to_string();
    app.backdate_signature(&contract, chrono::NaiveDate::from_ymd_opt(2025, 1, 15).expect("day")).await;

    // The first quarter's report is long overdue: the licensee is reminded, once.
    let today = chrono::Utc::now().date_naive();
    let reminded = techex_contracts::reminders::sweep_late_reports(&app.db, today).await.expect("sweep");
    assert!(reminded.late >= 1, "the licensee is told");
    let again = techex_contracts::reminders::sweep_late_reports(&app.db, today).await.expect("sweep");
    assert_eq!(again.late, 0, "once per period");
    let told = app.get("/api/v1/notifications", Some(&app.buyer)).await.expect(200);
    assert!(told.body.to_string().contains("2025-Q1"), "{}", told.body);

    let royalties = format!("{contract_path}/royalties");
    let overview = app.get(&royalties, Some(&app.seller)).await.expect(200);
    assert_eq!(overview.body["next_period"], "2025-Q1");
    assert_eq!(overview.body["period_kind"], "quarter");

    // Bad reports: a problem, and nothing stored.
    let report = |period: &str, sales: Value| json!({"period": period, "net_sales_minor": sales});
    app.post(&royalties, Some(&app.seller), report("2025-Q1", json!(1))).await.expect_problem(403, "forbidden");
    app.post(&royalties, Some(&app.buyer2), report("2025-Q1", json!(1))).await.expect_problem(404, "not_found");
    let cases = [
        (report("2025-Q1", json!(-1)), "net_sales_minor"),
        (report("2025-Q5", json!(1)), "period"),
        (report("2025-Q2", json!(1)), "period"),
        (report("2024-Q4", json!(1)), "period"),
        (report(&this_quarter(), json!(1)), "period"),
        (json!({"period": "2025-Q1", "net_sales_minor": 1, "profit_minor": 1}), "profit_minor"),
    ];
    for (body, field) in cases {
        let reply = app.post(&royalties, Some(&app.buyer), body.clone()).await.expect_problem(422, "validation_failed");
        assert_eq!(reply.error_fields(), [field], "{body}");
    }
    app.post(&royalties, Some(&app.buyer), report("2025-Q1", json!(12.5)))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(app.get(&royalties, Some(&app.buyer)).await.expect(200).body["reports"], json!([]));

    // Q1: 3% of 100,000 yuan is 3,000 yuan, all of it credited from the 5,000 yuan entry fee.
    let q1 = app.post(&royalties, Some(&app.buyer), report("2025-Q1", json!(10_000_000))).await.expect(201);
    assert_eq!((q1.body["royalty_minor"].as_i64(), q1.body["credit_minor"].as_i64()), (Some(300_000), Some(300_000)));
    assert_eq!(q1.body["amount_due_minor"], 0);
    app.post(&royalties, Some(&app.buyer), report("2025-Q1", json!(1))).await.expect_problem(409, "conflict");
    let decide = |id: &str, what: &str| format!("/api/v1/royalty-reports/{id}/{what}");
    app.post_if_match(&decide(&q1.id(), "accept"), &app.buyer, q1.version(), None)
        .await
        .expect_problem(403, "forbidden");
    let q1 = app.post_if_match(&decide(&q1.id(), "accept"), &app.seller, q1.version(), None).await.expect(200);
    assert_eq!(q1.body["status"], "accepted");
    assert!(q1.body["milestone_id"].is_null(), "nothing is due after the credit");

    // Q2: disputed, then corrected; the correction supersedes it.
    let q2 = app.post(&royalties, Some(&app.buyer), report("2025-Q2", json!(10_000_000))).await.expect(201);
    assert_eq!(
        (q2.body["credit_minor"].as_i64(), q2.body["amount_due_minor"].as_i64()),
        (Some(200_000), Some(100_000))
    );
    app.post(&royalties, Some(&app.buyer), report("2025-Q3", json!(1))).await.expect_problem(422, "validation_failed");
    let disputed = app
        .post_if_match(
            &decide(&q2.id(), "dispute"),
            &app.seller,
            q2.version(),
            Some(json!({"reason": "漏报出口销售额"})),
        )
        .await
        .expect(200);
    assert_eq!(disputed.body["status"], "disputed");
    app.post_if_match(&decide(&q2.id(), "accept"), &app.seller, disputed.version(), None)
        .await
        .expect_problem(409, "invalid_transition");
    let corrected = app.post(&royalties, Some(&app.buyer), report("2025-Q2", json!(20_000_000))).await.expect(201);
    assert_eq!(corrected.body["supersedes_id"], q2.id().as_str());
    assert_eq!(
        (corrected.body["royalty_minor"].as_i64(), corrected.body["amount_due_minor"].as_i64()),
        (Some(600_000), Some(400_000))
    );
    assert_eq!(
        app.get(&format!("/api/v1/royalty-reports/{}", q2.id()), Some(&app.buyer)).await.expect(200).body["status"],
        "superseded"
    );
    let q2 =
        app.post_if_match(&decide(&corrected.id(), "accept"), &app.seller, corrected.version(), None).await.expect(200);
    assert_eq!(q2.body["due_on"], "2025-07-30");

    // Q3: no sales. Q4: the year's minimum of 20,000 yuan is trued up.
    let q3 = app.post(&royalties, Some(&app.buyer), report("2025-Q3", json!(0))).await.expect(201);
    app.post_if_match(&decide(&q3.id(), "accept"), &app.seller, q3.version(), None).await.expect(200);
    let q4 = app
        .post(&royalties, Some(&app.buyer), json!({"period": "2025-Q4", "net_sales_minor": 10_000_000, "units": 120}))
        .await
        .expect(201);
    assert_eq!(q4.body["royalty_minor"], 300_000);
    assert_eq!(q4.body["credit_minor"], 0, "the entry fee is used up");
    assert_eq!(q4.body["true_up_minor"], 2_000_000 - (300_000 + 600_000 + 300_000));
    assert_eq!(q4.body["amount_due_minor"], 300_000 + 800_000);
    let q4 = app.post_if_match(&decide(&q4.id(), "accept"), &app.seller, q4.version(), None).await.expect(200);

    // The fee and each royalty are paid through Stripe; royalties reach the licensor at once.
    for (milestone, amount) in [
        (entry_fee, 500_000),
        (q2.body["milestone_id"].as_str().unwrap_or_default().to_string(), 400_000),
        (q4.body["milestone_id"].as_str().unwrap_or_default().to_string(), 1_100_000),
    ] {
        let paying = app.post_empty(&format!("/api/v1/milestones/{milestone}/pay"), Some(&app.buyer)).await.expect(200);
        assert_eq!(paying.body["amount_minor"], amount);
        let intent = paying.body["payment_intent_id"].as_str().unwrap_or_default().to_string();
        confirm_card(&intent).await;
        deliver_intent_state(&app, &intent).await;
        let balances = ledger(&app, &contract).await;
        assert!(balances["accounts"].as_object().is_some_and(|a| !a.is_empty()), "{balances}");
    }
    let view = app.get(&contract_path, Some(&app.buyer)).await.expect(200);
    let statuses: Vec<&str> = view.body["milestones"]
        .as_array()
        .map(|m| m.iter().filter_map(|x| x["status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        statuses,
        ["paid", "accepted", "accepted"],
        "royalties are released once paid; the fee waits for acceptance"
    );
    assert_eq!(view.body["status"], "performing", "the royalty runs on");
    let balances = ledger(&app, &contract).await;
    assert_eq!(balances["accounts"][format!("seller_payable:{}", app.seller.organization_id)]["CNY"], -1_500_000);

    // The licensor's income, as JSON and CSV; the next period to report.
    let income = app.get("/api/v1/royalties/income", Some(&app.seller)).await.expect(200);
    let periods: Vec<&str> =
        income.body.as_array().map(|r| r.iter().filter_map(|x| x["period"].as_str()).collect()).unwrap_or_default();
    assert_eq!(periods, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]);
    let filtered =
        app.get("/api/v1/royalties/income?from=2025-05-01&to=2025-09-30", Some(&app.seller)).await.expect(200);
    let periods: Vec<&str> =
        filtered.body.as_array().map(|r| r.iter().filter_map(|x| x["period"].as_str()).collect()).unwrap_or_default();
    assert_eq!(periods, ["2025-Q2", "2025-Q3"], "the periods that overlap the dates");
    let reversed = app
        .get("/api/v1/royalties/income?from=2025-10-01&to=2025-01-01", Some(&app.seller))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(reversed.error_fields(), ["to"]);
    let app = &app;
    let page = |query: &'static str| async move {
        let reply = app
            .request(reqwest::Method::GET, &format!("/my/royalties?lang=en&{query}"), Some(&app.seller))
            .send()
            .await
            .expect("page");
        (reply.status().as_u16(), reply.text().await.unwrap_or_default())
    };
    let (status, html) = page("from=2025-05-01&to=2025-09-30").await;
    assert_eq!(status, 200);
    assert!(html.contains("2025-Q2") && !html.contains("2025-Q1"), "the page keeps the periods asked for");
    assert!(html.contains("format=csv&amp;from=2025-05-01&amp;to=2025-09-30"), "the CSV link carries the dates");
    let (status, html) = page("from=2025-10-01&to=2025-01-01").await;
    assert_eq!(status, 422);
    assert!(html.contains("r-to-error"), "the reversed range is shown at its field");
    assert_eq!(page("from=May").await.0, 422, "a date that is not one is shown, not a 400");
    assert_eq!(app.get("/api/v1/royalties/income", Some(&app.buyer)).await.expect(200).body, json!([]));
    let csv = app
        .request(reqwest::Method::GET, "/api/v1/royalties/income?format=csv", Some(&app.seller))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .unwrap_or_default();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(csv.contains("2025-Q4") && csv.contains("11000.00"), "{csv}");
    assert_eq!(app.get(&royalties, Some(&app.buyer)).await.expect(200).body["next_period"], "2026-Q1");
}

#[tokio::test]
async fn a_royalty_on_profit_is_capped_apart_written_into_the_contract_and_reported_with_the_profit() {
    let app = spawn_app().await;
    let patent = app.published_achievement(&app.seller, json!({"patent_granted": true, "inventors": []})).await;
    let path = format!("/api/v1/achievements/{patent}/open-licence");
    let body = |rate: i64, base: Value| {
        json!({"royalty_bps": rate, "royalty_base": base, "royalty_period": "year", "term_years": 3,
               "territory": "中国大陆", "representative": "张成"})
    };

    // Each base has its own cap (20% of net sales, 40% of profit); a base needs a rate.
    for (bad, field) in [
        (body(4_001, json!("profit")), "royalty_bps"),
        (body(2_001, json!("net_sales")), "royalty_bps"),
        (
            json!({"fee_minor": 1_000_000, "royalty_base": "profit", "term_years": 3, "territory": "中国大陆",
                "representative": "张成"}),
            "royalty_base",
        ),
    ] {
        let reply = app.post(&path, Some(&app.seller), bad.clone()).await.expect_problem(422, "validation_failed");
        assert_eq!(reply.error_fields(), [field], "{bad}");
    }
    assert_eq!(own_declarations(&app).await, 0, "nothing is stored");
    let declared = app.post(&path, Some(&app.seller), body(2_500, json!("profit"))).await.expect(201);
    assert_eq!(declared.body["royalty_base"], "profit");
    let one = format!("/api/v1/open-licences/{}", declared.id());
    app.post_if_match(&format!("{one}/approve"), &app.reviewer, declared.version(), None).await.expect(200);

    // The licence contract says the royalty is a share of profit, in both languages.
    let contract = app.post(&format!("{one}/licences"), Some(&app.buyer), json!({})).await.expect(201);
    assert_eq!(contract.body["content"]["terms"]["royalty_base"], "profit");
    let contract_id = contract.id();
    let contract_path = format!("/api/v1/contracts/{contract_id}");
    let text = app.contract_text(&contract_id, &app.buyer).await;
    assert!(text.contains("所得利润的 25%") && text.contains("25% of the licensee's profit"), "{text}");
    assert!(!text.contains("产品销售额的"), "not a share of sales: {text}");
    let amended =
        app.patch(&contract_path, &app.buyer, None, json!({"buyer_representative": "刘采"})).await.expect(200);
    sign(&app, &contract_id, &app.buyer, amended.body["sha256"].as_str().unwrap_or_default()).await.expect(200);
    app.post_empty(&format!("{contract_path}/register"), Some(&app.registrar)).await.expect(200);
    app.backdate_signature(&contract_id, chrono::NaiveDate::from_ymd_opt(2024, 3, 1).expect("day")).await;

    // A report on a profit royalty needs the profit; the rate applies to it, a loss owes nothing.
    let royalties = format!("{contract_path}/royalties");
    let overview = app.get(&royalties, Some(&app.buyer)).await.expect(200);
    assert_eq!(overview.body["royalty_base"], "profit");
    let missing = app
        .post(&royalties, Some(&app.buyer), json!({"period": "2024", "net_sales_minor": 90_000_000}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(missing.error_fields(), ["profit_minor"]);
    let loss = app
        .post(
            &royalties,
            Some(&app.buyer),
            json!({"period": "2024", "net_sales_minor": 90_000_000, "profit_minor": -1_500_050}),
        )
        .await
        .expect(201);
    assert_eq!((loss.body["royalty_minor"].as_i64(), loss.body["profit_minor"].as_i64()), (Some(0), Some(-1_500_050)));
    app.post_if_match(&format!("/api/v1/royalty-reports/{}/accept", loss.id()), &app.seller, loss.version(), None)
        .await
        .expect(200);
    let profit = app
        .post(
            &royalties,
            Some(&app.buyer),
            json!({"period": "2025", "net_sales_minor": 120_000_000, "profit_minor": 8_000_000}),
        )
        .await
        .expect(201);
    assert_eq!(profit.body["royalty_minor"], 2_000_000, "25% of 80,000 yuan of profit, not of the sales");
    let page = app
        .request(reqwest::Method::GET, &format!("/contracts/{contract_id}?lang=zh"), Some(&app.buyer))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    assert!(page.contains("按利润") && page.contains("-15,000.50"), "the page shows the base and the loss");
}
