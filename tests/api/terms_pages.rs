//! Every agreed term where the parties read it: on the offer card in the deal room, in the
//! agreement, in the contract's canonical text and on the contract page, in the page's
//! language; and the amendment form starts from every current clause.

use crate::contracts::agreed_deal;
use crate::helpers::{Account, TestApp, spawn_app};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

/// A page as the browser reads it: escaped characters back to themselves.
async fn page(app: &TestApp, path: &str, who: &Account) -> String {
    let response = app.request(reqwest::Method::GET, path, Some(who)).send().await.expect("page");
    assert_eq!(response.status().as_u16(), 200, "{path}");
    unescape(&response.text().await.unwrap_or_default())
}

fn unescape(html: &str) -> String {
    [("&#x27;", "'"), ("&#x2f;", "/"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")]
        .iter()
        .fold(html.to_string(), |text, (entity, c)| text.replace(entity, c))
}

/// The part of a page from the first `start` to the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start} in:\n{html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The value a form field starts with: an input's `value`, a textarea's text.
fn field_value(form: &str, name: &str) -> String {
    let at = form.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("no field {name} in:\n{form}"));
    let tag_start = form[..at].rfind('<').unwrap_or(0);
    let tag = &form[tag_start..tag_start + form[tag_start..].find('>').unwrap_or(0) + 1];
    if tag.starts_with("<textarea") {
        let text = &form[tag_start + tag.len()..];
        return text[..text.find("</textarea>").unwrap_or(0)].to_string();
    }
    tag.split(" value=\"").nth(1).and_then(|v| v.split('"').next()).unwrap_or_default().to_string()
}

#[tokio::test]
async fn every_agreed_term_is_on_the_offer_card_in_the_agreement_and_in_the_contract() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({"patent_granted": true})).await;
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "条件？"}))
        .await
        .expect(201)
        .id();
    let offer = app
        .post(
            &format!("/api/v1/deals/{deal}/offers"),
            Some(&app.seller),
            json!({
                "terms": {"mode": "exclusive_license", "currency": "CNY", "lump_sum_minor": 30_000_000,
                          "royalty_bps": 250, "royalty_minimum_minor": 2_000_000, "equity_bps": 500,
                          "milestones": [
                              {"title": "签约首付", "amount_minor": 10_000_000, "due_days_after_signing": 0},
                              {"title": "工艺包交付", "amount_minor": 20_000_000, "due_days_after_signing": 60,
                               "acceptance_criteria": "中试连续运行72小时合格"}],
                          "territory": "山东省及江苏省", "term_years": 7, "exclusive": true,
                          "improvements": "joint", "notes": "卖方提供两次现场技术指导"},
                "valid_until": (Utc::now() + Duration::days(3)).to_rfc3339()
            }),
        )
        .await
        .expect(201)
        .id();

    // The buyer reads every term on the card before accepting, in either language.
    let room = page(&app, &format!("/deals/{deal}?lang=zh"), &app.buyer).await;
    let card = between(&room, "id=\"offer-1\"", "class=\"actions\"");
    for shown in [
        "独占许可",
        "人民币",
        "¥300,000",
        "2.5%",
        "¥20,000",
        "5%",
        "签约首付 · ¥100,000 · 签约时",
        "工艺包交付 · ¥200,000 · 签约后 60 天 · 验收标准: 中试连续运行72小时合格",
        "山东省及江苏省",
        "7 年",
        "买方享有排他性权利",
        "双方共有",
        "卖方提供两次现场技术指导",
    ] {
        assert!(card.contains(shown), "the Chinese card lacks {shown}:\n{card}");
    }
    let room = page(&app, &format!("/deals/{deal}?lang=en"), &app.buyer).await;
    let card = between(&room, "id=\"offer-1\"", "class=\"actions\"");
    for shown in [
        "Exclusive licence",
        "Renminbi (CNY)",
        "Minimum royalty per year",
        "Equity share",
        "60 days after signing · Acceptance criteria: <span lang=\"zh-CN\">中试连续运行72小时合格</span>",
        "7 years",
        "The buyer's rights are exclusive",
        "Both, jointly",
        "Other terms",
        "<span lang=\"zh-CN\">卖方提供两次现场技术指导</span>",
    ] {
        assert!(card.contains(shown), "the English card lacks {shown}:\n{card}");
    }

    // Accepted, the agreement shows the same terms; the contract text states them.
    app.post_empty(&format!("/api/v1/offers/{offer}/accept"), Some(&app.buyer)).await.expect(200);
    let room = page(&app, &format!("/deals/{deal}?lang=zh"), &app.seller).await;
    let agreement = between(&room, "class=\"detail agreement\"", "</section>");
    for shown in ["卖方提供两次现场技术指导", "双方共有", "5%", "中试连续运行72小时合格", "7 年"]
    {
        assert!(agreement.contains(shown), "the agreement lacks {shown}:\n{agreement}");
    }
    let contract = app.post("/api/v1/contracts", Some(&app.seller), json!({"deal_id": deal})).await.expect(201).id();
    let text = app.contract_text(&contract, &app.buyer).await;
    for stated in [
        "第九条 其他约定 / Article 9. Other terms",
        "交易中约定 / Agreed in the negotiation：卖方提供两次现场技术指导",
        "每年最低提成 / Minimum royalty per year：20000.00 CNY",
        "取得 5% 的股权 / The seller contributes the technology as capital for 5% of the equity",
        "期限 / Term：7 年 / 7 years",
        "实施地域 / Territory：山东省及江苏省",
        "后续改进的技术成果由双方共有。 / Improvements are owned jointly.",
        "验收条件 / acceptance：中试连续运行72小时合格",
    ] {
        assert!(text.contains(stated), "the contract text lacks {stated}:\n{text}");
    }
    let view = page(&app, &format!("/contracts/{contract}?lang=en"), &app.buyer).await;
    let terms = between(&view, "Agreed terms", "</section>");
    assert!(terms.contains("卖方提供两次现场技术指导") && terms.contains("Both, jointly"), "{terms}");
}

#[tokio::test]
async fn a_counter_offer_starts_from_every_countered_term_and_its_diff_shows_acceptance_criteria() {
    let app = spawn_app().await;
    let achievement = app.published_achievement(&app.seller, json!({})).await;
    let deal = app
        .post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": achievement, "inquiry": "价格？"}))
        .await
        .expect(201)
        .id();
    let valid = (Utc::now() + Duration::days(5)).to_rfc3339();
    let milestone = |criteria: &str| {
        json!([{"title": "Process package", "amount_minor": 5_000_000, "due_days_after_signing": 30,
                "acceptance_criteria": criteria}])
    };
    let offer = app
        .post(
            &format!("/api/v1/deals/{deal}/offers"),
            Some(&app.seller),
            json!({"terms": {"mode": "ordinary_license", "currency": "USD", "lump_sum_minor": 5_000_000,
                             "milestones": milestone("pilot run of 72 hours"), "territory": "Worldwide",
                             "term_years": 3, "notes": "two site visits"}, "valid_until": valid}),
        )
        .await
        .expect(201)
        .id();

    // The buyer's counter form holds the offer's currency and acceptance criteria, so a
    // counter sent from it does not drop them unseen.
    let room = page(&app, &format!("/deals/{deal}?lang=en"), &app.buyer).await;
    let form = between(&room, "id=\"counter-1\"", "</form>");
    assert!(form.contains("<option value=\"USD\" selected>US dollars (USD)</option>"), "{form}");
    assert_eq!(field_value(form, "terms.milestones.0.acceptance_criteria"), "pilot run of 72 hours");
    assert_eq!(field_value(form, "terms.notes"), "two site visits");

    app.post(
        &format!("/api/v1/offers/{offer}/counter"),
        Some(&app.buyer),
        json!({"terms": {"mode": "ordinary_license", "currency": "USD", "lump_sum_minor": 5_000_000,
                         "milestones": milestone("pilot run of 168 hours"), "territory": "Worldwide",
                         "term_years": 3, "notes": "two site visits"}, "valid_until": valid}),
    )
    .await
    .expect(201);
    let room = page(&app, &format!("/deals/{deal}?lang=en"), &app.seller).await;
    let diff = between(&room, "<table class=\"diff\">", "</table>");
    assert!(diff.contains("Acceptance criteria: pilot run of 72 hours"), "{diff}");
    assert!(diff.contains("Acceptance criteria: pilot run of 168 hours"), "{diff}");
}

/// The amendment form's fields with the clause each starts from, as the API reports it.
const CLAUSE_FIELDS: [&str; 8] = [
    "place_of_performance",
    "confidentiality_years",
    "acceptance_method",
    "rejection_window_days",
    "cure_period_days",
    "penalty_bps",
    "dispute_resolution",
    "special_terms",
];

/// A clause as its field shows it: basis points as a percentage, nothing as empty.
fn shown(field: &str, clause: &Value) -> String {
    match clause {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Number(n) if field.ends_with("_bps") => {
            let bps = n.as_i64().unwrap_or_default();
            if bps % 100 == 0 { (bps / 100).to_string() } else { format!("{}", bps as f64 / 100.0) }
        }
        other => other.to_string(),
    }
}

async fn amend_form(app: &TestApp, contract: &str, lang: &str) -> String {
    let view = page(app, &format!("/contracts/{contract}?lang={lang}"), &app.seller).await;
    between(&view, "id=\"amend-contract\"", "</form>").to_string()
}

#[tokio::test]
async fn the_amendment_form_starts_from_every_current_clause() {
    let app = spawn_app().await;
    let deal = agreed_deal(&app).await;
    let contract = app.post("/api/v1/contracts", Some(&app.seller), json!({"deal_id": deal})).await.expect(201).id();

    // Fresh from the draft: the default clauses, the place of performance among them.
    let form = amend_form(&app, &contract, "zh").await;
    assert_eq!(field_value(&form, "place_of_performance"), "乙方所在地 / At the buyer's premises");
    let view = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.seller)).await.expect(200);
    for field in CLAUSE_FIELDS {
        let clause = &view.body["content"]["clauses"][field];
        assert_eq!(field_value(&form, field), shown(field, clause), "{field}");
    }

    // After an amendment the form shows the amended clauses.
    let amended = json!({
        "seller_representative": "张成", "buyer_representative": "刘采",
        "place_of_performance": "青岛市崂山区甲方中试基地", "confidentiality_years": 7,
        "acceptance_method": "按 GB/T 19249 验收", "rejection_window_days": 45, "cure_period_days": 60,
        "penalty_bps": 1250, "dispute_resolution": "提交青岛仲裁委员会仲裁",
        "special_terms": "卖方派两名工程师驻场 <三个月> & 培训"
    });
    app.patch(&format!("/api/v1/contracts/{contract}"), &app.seller, Some(view.version()), amended.clone())
        .await
        .expect(200);
    let form = amend_form(&app, &contract, "en").await;
    for field in CLAUSE_FIELDS {
        assert_eq!(field_value(&form, field), shown(field, &amended[field]), "{field}");
    }
    assert_eq!(field_value(&form, "seller_representative"), "张成");

    // Sent back untouched, as the page's script reads it, the form changes nothing.
    let mut body = serde_json::Map::new();
    for field in CLAUSE_FIELDS {
        let value = field_value(&form, field);
        let sent = match field {
            "penalty_bps" => json!((value.parse::<f64>().unwrap_or_default() * 100.0).round() as i64),
            f if f.ends_with("_days") || f.ends_with("_years") => json!(value.parse::<i64>().unwrap_or_default()),
            _ => json!(value),
        };
        body.insert(field.to_string(), sent);
    }
    let version = app.get(&format!("/api/v1/contracts/{contract}"), Some(&app.seller)).await.expect(200).version();
    let unchanged = app
        .patch(&format!("/api/v1/contracts/{contract}"), &app.seller, Some(version), Value::Object(body))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(unchanged.error_fields(), ["body"], "nothing would change: {}", unchanged.body);
}
