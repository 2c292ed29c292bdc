//! Unit tests of the parent module.

use super::*;

#[test]
fn money_is_grouped_in_yuan() {
    assert_eq!(format_money(12_345_678), "123,456.78");
    assert_eq!(format_money(50_000_000), "500,000");
    assert_eq!(format_money(5), "0.05");
    assert_eq!(format_money(-150_050), "-1,500.50", "a loss");
    assert_eq!(format_money(i64::MIN), "-92,233,720,368,547,758.08");
}

#[test]
fn prices_carry_their_currency_sign() {
    assert_eq!(filters::format_price(12_345_678, Some("CNY")), "¥123,456.78");
    assert_eq!(filters::format_price(50_000, Some("USD")), "US$500");
    assert_eq!(filters::format_price(500, Some("EUR")), "€5");
    assert_eq!(filters::format_price(100_000, Some("HKD")), "HK$1,000");
    assert_eq!(filters::format_price(100, None), "¥1", "renminbi when the record names none");
    assert_eq!(filters::format_price(100, Some("GBP")), "GBP 1");
}

#[test]
fn input_values_are_shown_as_typed() {
    assert_eq!(hundredths(88_000_000), "880000");
    assert_eq!(hundredths(12_345), "123.45");
    assert_eq!(hundredths(550), "5.5");
    assert_eq!(hundredths(5), "0.05");
    assert_eq!(hundredths(-5), "-0.05");
    assert_eq!(hundredths(i64::MIN), "-92233720368547758.08");
}

#[test]
fn options_keep_their_meaningful_order() {
    let templates = Templates::load().expect("templates");
    let ctx = context! { labels => labels(Lang::Zh) };
    let render = |source: &str| templates.environment.render_str(source, ctx.clone()).expect("renders");
    let kinds = render("{% for code, name in labels.kinds|items %}{{ code }} {% endfor %}");
    assert!(kinds.starts_with("invention_patent "), "{kinds}");
    assert!(kinds.ends_with("other "), "{kinds}");
    let stages = render("{% for code in labels.maturities %}{{ code }} {% endfor %}");
    assert_eq!(stages, "lab prototype pilot small_batch mass_production ");
    assert_eq!(
        render("{{ labels.kinds['design_patent'] }}|{{ labels.kinds.missing is undefined }}"),
        "外观设计专利|True"
    );
}

#[test]
fn numbers_take_their_plural_and_durations_are_words() {
    assert_eq!(counted(Lang::En, "results_count", 1), "1 result");
    assert_eq!(counted(Lang::En, "results_count", 2), "2 results");
    assert_eq!(counted(Lang::Zh, "results_count", 1), "共 1 条结果");
    assert_eq!(due_days_words(Lang::En, 0), "on signing");
    assert_eq!(due_days_words(Lang::En, 1), "1 day after signing");
    assert_eq!(due_days_words(Lang::En, 90), "90 days after signing");
    assert_eq!(due_days_words(Lang::Zh, 90), "签约后 90 天");
}

#[test]
fn every_template_compiles() {
    assert!(Templates::load().is_ok());
}

/// The words the templates name as `t.word`, and the families of words the pages
/// choose at run time, are all in the dictionary.
#[test]
fn every_word_the_pages_use_is_in_the_dictionary() {
    let words = dictionary(Lang::En);
    let mut used = Vec::new();
    for (name, source) in TEMPLATES {
        let bytes = source.as_bytes();
        for (index, _) in source.match_indices("t.") {
            let before = index.checked_sub(1).map(|i| bytes[i]);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
                continue;
            }
            let word: String = source[index + 2..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !word.is_empty() {
                used.push((name.to_string(), word));
            }
        }
    }
    let families = [
        "problem_title_400",
        "todo_mediate",
        "contract_status_terminated_agreement",
        "contract_status_terminated_buyer_default",
        "contract_status_terminated_seller_default",
        "todo_overdue_payment",
        "terminated_agreement",
        "terminated_buyer_default",
        "terminated_seller_default",
        "notice_note_seller",
        "notice_note_buyer",
        "todo_draft_contract",
        "todo_inquiry",
        "todo_answer_offer",
        "todo_confirm_proposal",
        "todo_sign",
        "todo_returned",
        "todo_termination",
        "todo_pay_milestone",
        "todo_accept_milestone",
        "todo_rejected_listing",
        "problem_text_403",
        "problem_title_500",
        "problem_text_503",
        "problem_title_410",
        "problem_text_410",
        "org_done_confirmation_sent",
        "confirm_link_unknown",
        "confirm_link_used",
        "confirm_link_expired",
        "review_done_approved",
        "review_done_rejected",
        "registration_done_registered",
        "registration_done_returned",
        "severity_blocker",
        "severity_warning",
        "precheck_parties",
        "precheck_signatures",
        "error_form_expired",
        "error_rate_limited",
        "error_wrong_credentials",
        "error_email_required",
        "error_password_required",
        "error_reason_required",
        "error_reason_invalid",
        "error_changed_meanwhile",
        "error_not_allowed",
        "error_date_invalid",
        "error_date_order",
        "chart_desc",
        "chart_empty",
        "deal_state_contracted",
        "role_seller",
        "role_invited_broker",
        "role_center",
        "role_registrar",
        "channel_joint",
        "channel_caucus_seller",
        "channel_caucus_buyer",
        "contract_status_signing",
        "contract_status_performing",
        "milestone_status_payment_pending",
        "milestone_status_refunded",
        "improvements_each_own",
        "improvements_joint",
        "payout_status_awaiting_account",
        "payout_status_sent",
        "tier_nda",
        "term_lump_sum_minor",
        "term_milestones",
        "term_valid_until",
        "tier_public",
        "due_on_signing",
        "due_days_after",
        "currency_cny",
        "currency_usd",
        "currency_eur",
        "currency_hkd",
        "years_count",
    ];
    used.extend(families.iter().map(|w| ("pages".to_string(), w.to_string())));
    assert!(used.len() > 100, "the scan found the templates' words");
    for (template, word) in used {
        assert!(words.contains_key(word.as_str()), "{template} uses `{word}`, which the dictionary lacks");
    }
}

#[test]
fn chinese_written_by_people_is_marked_on_english_pages_and_escaped() {
    let shown = |lang, text: &str| marked(lang, minijinja::Value::from(text)).to_string();
    assert_eq!(shown(Lang::En, "山东省 <b>&"), "<span lang=\"zh-CN\">山东省</span> &lt;b&gt;&amp;");
    assert_eq!(shown(Lang::En, "Shandong"), "Shandong", "English stays as it is");
    assert_eq!(shown(Lang::Zh, "山东省"), "山东省", "Chinese on a Chinese page needs no mark");
    assert_eq!(marked(Lang::En, minijinja::Value::from(5)).to_string(), "5", "not a text");
    assert_eq!(
        shown(Lang::En, "Milestone due: 签约首付, 30%"),
        "Milestone due: <span lang=\"zh-CN\">签约首付</span>, 30%",
        "only the Chinese run"
    );
    assert_eq!(shown(Lang::En, "谭振、尹明远"), "<span lang=\"zh-CN\">谭振、尹明远</span>");
    assert_eq!(shown(Lang::En, "一种CFRP筋"), "<span lang=\"zh-CN\">一种</span>CFRP<span lang=\"zh-CN\">筋</span>");
}
