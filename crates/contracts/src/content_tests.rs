//! Unit tests of the parent module.

use super::*;
use proptest::prelude::*;
use techex_core::money::format_major;
use techex_negotiation::strategies::{terms_with_every_field, words};

/// A contract between two named parties through a broker, with these terms and clauses.
pub(crate) fn content_with(terms: Terms, clauses: Clauses) -> Content {
    let party = |name: &str, code: &str, representative: &str| PartyClause {
        organization_id: uuid::Uuid::nil(),
        name: name.into(),
        name_en: None,
        credit_code: code.into(),
        region: "370000".into(),
        representative: Some(representative.into()),
    };
    Content {
        contract_type: choose_type(terms.mode, Some(AchievementKind::InventionPatent), true),
        seller: party("山东大学", "12370000495570094X", "王甲"),
        buyer: party("青岛海水淡化有限公司", "91370200MA3C5LQW6N", "李乙"),
        broker: Some(BrokerClause {
            user_id: uuid::Uuid::nil(),
            name: "张经纪".into(),
            certificate_number: "SD-JJR-2026-0001".into(),
            agency: None,
        }),
        commission_bps: Some(450),
        subject: SubjectClause {
            achievement_id: None,
            title_zh: Some("一种反渗透膜".into()),
            title_en: None,
            kind: Some(AchievementKind::InventionPatent),
            patent_number: Some("202310123456.6".into()),
            patent_granted: true,
            ipc_codes: vec![],
            inventors: vec![],
        },
        terms,
        clauses,
        open_licence: None,
    }
}

fn clauses_with_every_field() -> impl Strategy<Value = Clauses> {
    let days = 1..=MAX_CURE_PERIOD_DAYS;
    (words(), 0..=30_i32, words(), 1..=MAX_REJECTION_WINDOW_DAYS, days, 0..=3000_i32, words(), words()).prop_map(
        |(place, years, acceptance, window, cure, penalty, dispute, special)| Clauses {
            place_of_performance: place,
            confidentiality_years: years,
            acceptance_method: acceptance,
            rejection_window_days: window,
            cure_period_days: cure,
            penalty_bps: penalty,
            dispute_resolution: dispute,
            special_terms: Some(special),
        },
    )
}

/// Each agreed value with the words around it in both languages, all of which must
/// stand on one line of the text: the value under its own bilingual heading, not
/// anywhere by chance.
fn expected_lines(content: &Content) -> Vec<(&'static str, Vec<String>)> {
    let terms = &content.terms;
    let clauses = &content.clauses;
    let code = terms.currency.code();
    let amount = |minor: Option<i64>| format!("{} {code}", format_major(minor.unwrap_or_default()));
    let rate = |bps: Option<i32>| percent(bps.unwrap_or_default());
    let (exclusive_zh, exclusive_en) = if terms.exclusive {
        ("乙方享有排他性权利", "The buyer's rights are exclusive")
    } else {
        ("乙方的权利不具有排他性", "The buyer's rights are not exclusive")
    };
    let (improvements_zh, improvements_en) = match terms.improvements {
        Improvements::EachOwn => ("归完成改进的一方所有", "belong to the party that makes them"),
        Improvements::Seller => ("归甲方所有", "belong to the seller"),
        Improvements::Buyer => ("归乙方所有", "belong to the buyer"),
        Improvements::Joint => ("由双方共有", "owned jointly"),
    };
    let mut lines = vec![
        ("mode", vec!["交易方式 / Mode：".into(), terms.mode.label_zh().into(), terms.mode.label_en().into()]),
        ("territory", vec![format!("实施地域 / Territory：{}", terms.territory)]),
        (
            "term_years",
            vec![format!("期限 / Term：{} 年 / {}", terms.term_years, count_en(terms.term_years.into(), "year"))],
        ),
        ("exclusive", vec!["排他性 / Exclusivity：".into(), exclusive_zh.into(), exclusive_en.into()]),
        ("currency", vec![format!("币种 / Currency：{code}")]),
        ("lump_sum_minor", vec![format!("入门费 / Entry fee：{}", amount(terms.lump_sum_minor))]),
        (
            "royalty_bps",
            vec!["提成比例 / Running royalty：".to_string(), format!("的 {0} / {0} of ", rate(terms.royalty_bps))],
        ),
        (
            "royalty_base",
            vec![match terms.royalty_base {
                Some(techex_core::domain::RoyaltyBase::Profit) => format!(
                    "提成比例 / Running royalty：乙方实施本技术所得利润的 {0} / {0} of the licensee's profit",
                    rate(terms.royalty_bps)
                ),
                _ => {
                    format!("提成比例 / Running royalty：产品销售额的 {0} / {0} of net sales", rate(terms.royalty_bps))
                }
            }],
        ),
        (
            "royalty_minimum_minor",
            vec![format!("每年最低提成 / Minimum royalty per year：{}", amount(terms.royalty_minimum_minor))],
        ),
        (
            "equity_bps",
            vec![
                "作价入股比例 / Equity share：".into(),
                format!("取得 {} 的股权", rate(terms.equity_bps)),
                format!("for {} of the equity", rate(terms.equity_bps)),
            ],
        ),
        ("improvements", vec!["后续改进的技术成果".into(), improvements_zh.into(), improvements_en.into()]),
        ("notes", vec![format!("交易中约定 / Agreed in the negotiation：{}", terms.notes.as_deref().unwrap_or("?"))]),
        (
            "commission_bps",
            vec![
                format!("居间佣金 / Broker's commission：价款的 {}", rate(content.commission_bps)),
                format!("{} of the price", rate(content.commission_bps)),
            ],
        ),
        (
            "seller_representative",
            vec![format!("Representative：{}", content.seller.representative.as_deref().unwrap_or("?"))],
        ),
        (
            "buyer_representative",
            vec![format!("Representative：{}", content.buyer.representative.as_deref().unwrap_or("?"))],
        ),
        (
            "place_of_performance",
            vec![format!("履行地点与方式 / Place and manner of performance：{}", clauses.place_of_performance)],
        ),
        (
            "confidentiality_years",
            vec![
                format!("保密期限为合同终止后 {} 年", clauses.confidentiality_years),
                format!("confidential for {} after", count_en(clauses.confidentiality_years.into(), "year")),
            ],
        ),
        ("acceptance_method", vec![format!("  {}", clauses.acceptance_method)]),
        (
            "rejection_window_days",
            vec![
                format!("支付某期款项后 {} 日内", clauses.rejection_window_days),
                format!("Within {} of paying", count_en(clauses.rejection_window_days.into(), "day")),
            ],
        ),
        (
            "penalty_bps",
            vec![
                format!("合同总价款 {} 的违约金", percent(clauses.penalty_bps)),
                format!("liquidated damages of {}", percent(clauses.penalty_bps)),
            ],
        ),
        (
            "cure_period_days",
            vec![
                format!("逾期超过 {} 日", clauses.cure_period_days),
                format!("more than {} after", count_en(clauses.cure_period_days.into(), "day")),
            ],
        ),
        ("dispute_resolution", vec![format!("  {}", clauses.dispute_resolution)]),
        (
            "special_terms",
            vec![format!("补充约定 / Supplementary terms：{}", clauses.special_terms.as_deref().unwrap_or("?"))],
        ),
    ];
    for (index, milestone) in terms.milestones.iter().enumerate() {
        let days = milestone.due_days_after_signing;
        let (due_zh, due_en) = if days == 0 {
            ("合同生效时支付".to_string(), "due on signing".to_string())
        } else {
            (format!("合同生效后 {days} 日内支付"), format!("due within {} of signing", count_en(days.into(), "day")))
        };
        let criteria = milestone.acceptance_criteria.as_deref().unwrap_or("?");
        lines.push((
            "milestones",
            vec![
                format!("{}. {}：{}，", index + 1, milestone.title, amount(Some(milestone.amount_minor))),
                due_zh,
                due_en,
                format!("验收条件 / acceptance：{criteria}"),
            ],
        ));
    }
    lines
}

/// The names of a value's fields as it serializes (every optional one set here).
fn field_names(value: &impl Serialize) -> Vec<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every structured term of the agreement and every clause is in the canonical
    /// text, with its heading or sentence in Chinese and in English.
    #[test]
    fn every_agreed_term_is_in_the_contract_text(terms in terms_with_every_field(), clauses in clauses_with_every_field()) {
        let content = content_with(terms, clauses);
        let text = content.render().map_err(TestCaseError::fail)?;
        let expected = expected_lines(&content);
        // A field added to the terms or the clauses must be looked for too.
        let looked_for: std::collections::BTreeSet<&str> = expected.iter().map(|(field, _)| *field).collect();
        for field in field_names(&content.terms).iter().chain(field_names(&content.clauses).iter()) {
            prop_assert!(looked_for.contains(field.as_str()), "the test does not look for {}", field);
        }
        let milestone_fields = ["title", "amount_minor", "due_days_after_signing", "acceptance_criteria"];
        for field in content.terms.milestones.iter().flat_map(field_names) {
            prop_assert!(milestone_fields.contains(&field.as_str()), "the test does not look for milestones' {}", field);
        }
        for (field, needles) in expected {
            let found = text.lines().any(|line| needles.iter().all(|needle| line.contains(needle.as_str())));
            prop_assert!(found, "{} is not in the text as {:?}:\n{}", field, needles, text);
        }
    }
}

#[test]
fn the_other_terms_of_the_offer_are_article_nine() {
    let terms = Terms {
        mode: TransactionMode::OrdinaryLicense,
        currency: techex_core::Currency::CNY,
        lump_sum_minor: Some(88_000_000),
        royalty_bps: None,
        royalty_base: None,
        royalty_minimum_minor: None,
        equity_bps: None,
        milestones: vec![],
        territory: "山东省".into(),
        term_years: 3,
        exclusive: false,
        improvements: Improvements::EachOwn,
        notes: Some("卖方提供两次现场技术指导".into()),
    };
    let text = content_with(terms, Clauses::default()).render().unwrap_or_else(|e| e);
    assert!(text.contains("第九条 其他约定 / Article 9. Other terms"), "{text}");
    assert!(text.contains("交易中约定 / Agreed in the negotiation：卖方提供两次现场技术指导"), "{text}");
    assert!(!text.contains("补充约定"), "no supplementary terms were written: {text}");
}

#[test]
fn the_mode_and_the_rights_choose_the_type() {
    let granted = choose_type(TransactionMode::Assignment, Some(AchievementKind::InventionPatent), true);
    assert_eq!(granted, ContractType::TransferPatentRight);
    let pending = choose_type(TransactionMode::Assignment, Some(AchievementKind::InventionPatent), false);
    assert_eq!(pending, ContractType::TransferPatentApplicationRight);
    assert_eq!(
        choose_type(TransactionMode::Assignment, Some(AchievementKind::TechnicalSecret), false),
        ContractType::TransferTechnicalSecret
    );
    assert_eq!(choose_type(TransactionMode::SoleLicense, None, false), ContractType::LicenceSole);
    assert_eq!(choose_type(TransactionMode::JointDevelopment, None, false), ContractType::DevelopmentCooperative);
    assert!(!ContractType::Service.qualifies_for_tax_relief());
}

#[test]
fn percentages_read_naturally() {
    assert_eq!(percent(500), "5%");
    assert_eq!(percent(250), "2.5%");
    assert_eq!(percent(1), "0.01%");
}
