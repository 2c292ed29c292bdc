//! The translation files hold every key the code uses, in both languages, and nothing
//! more in one than in the other.

use super::*;
use crate::error::PROBLEM_CODES;
use std::collections::BTreeSet;

/// The message ids of a file, from Fluent's own parser; a syntax error fails the test.
fn keys_of(name: &str, source: &str) -> BTreeSet<String> {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(resource) => resource,
        Err((_, errors)) => panic!("{name} does not parse: {errors:?}"),
    };
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_string()),
            _ => None,
        })
        .collect()
}

/// Every key the code can ask for: the registry of domain messages and the problem
/// titles and details by code.
fn keys_used() -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = msg::ALL.iter().map(|key| key.as_str().to_string()).collect();
    for code in PROBLEM_CODES {
        keys.insert(format!("problem-{code}-title"));
        keys.insert(format!("problem-{code}-detail"));
    }
    keys
}

#[test]
fn every_key_the_code_uses_is_translated_in_both_languages() {
    let used = keys_used();
    for (name, errors, notifications) in [
        ("en/{errors,notifications}.ftl", EN_ERRORS, EN_NOTIFICATIONS),
        ("zh-CN/{errors,notifications}.ftl", ZH_ERRORS, ZH_NOTIFICATIONS),
    ] {
        let errors = keys_of(name, errors);
        let notifications = keys_of(name, notifications);
        let shared: Vec<&String> = errors.intersection(&notifications).collect();
        assert!(shared.is_empty(), "{name}: keys in both files: {shared:?}");
        let present: BTreeSet<String> = errors.union(&notifications).cloned().collect();
        let missing: Vec<&String> = used.difference(&present).collect();
        assert!(missing.is_empty(), "{name} lacks {missing:?}");
        let unused: Vec<&String> = present.difference(&used).collect();
        assert!(unused.is_empty(), "{name} has keys no code uses: {unused:?}");
    }
}

#[test]
fn both_languages_have_the_same_keys() {
    for (name, en, zh) in
        [("errors.ftl", EN_ERRORS, ZH_ERRORS), ("notifications.ftl", EN_NOTIFICATIONS, ZH_NOTIFICATIONS)]
    {
        let english = keys_of(&format!("en/{name}"), en);
        let chinese = keys_of(&format!("zh-CN/{name}"), zh);
        assert_eq!(english.difference(&chinese).collect::<Vec<_>>(), Vec::<&String>::new(), "{name}: only in English");
        assert_eq!(chinese.difference(&english).collect::<Vec<_>>(), Vec::<&String>::new(), "{name}: only in Chinese");
    }
}

#[test]
fn the_pages_words_are_in_both_languages_once() {
    let mut all = BTreeSet::new();
    for (name, english, chinese) in [
        ("pages.ftl", EN_PAGES, ZH_PAGES),
        ("auctions.ftl", EN_AUCTIONS, ZH_AUCTIONS),
        ("open_licences.ftl", EN_OPEN_LICENCES, ZH_OPEN_LICENCES),
    ] {
        let en = keys_of(&format!("en/{name}"), english);
        let zh = keys_of(&format!("zh-CN/{name}"), chinese);
        assert_eq!(en.difference(&zh).collect::<Vec<_>>(), Vec::<&String>::new(), "only in en/{name}");
        assert_eq!(zh.difference(&en).collect::<Vec<_>>(), Vec::<&String>::new(), "only in zh-CN/{name}");
        for key in en {
            assert!(all.insert(key.clone()), "{key} is in two files of the pages' words");
        }
    }
    let errors = keys_of("en/errors.ftl", EN_ERRORS);
    assert_eq!(all.intersection(&errors).collect::<Vec<_>>(), Vec::<&String>::new(), "a page word shadows an error");
    for lang in [Lang::Zh, Lang::En] {
        let words = page_words(lang);
        assert_eq!(words.len(), all.len(), "every message has a value");
        for (key, word) in &words {
            assert!(!word.trim().is_empty(), "{key} is empty in {lang:?}");
            assert!(!word.contains('$'), "{key} in {lang:?} keeps a Fluent variable: {word}");
        }
    }
}

#[test]
fn page_words_keep_their_values_as_placeholders_and_counts_choose_a_form() {
    let en = page_words(Lang::En);
    assert_eq!(en.get("results_count").map(String::as_str), Some("{n} results"));
    assert_eq!(en.get("signed_in_as").map(String::as_str), Some("Signed in as "));
    assert_eq!(en.get("list_sep").map(String::as_str), Some(", "));
    assert_eq!(en.get("chart_desc").map(String::as_str), Some("{n} entries; the highest is {label}: {value}."));
    assert_eq!(counted(Lang::En, "extended_times", 1), "extended once");
    assert_eq!(counted(Lang::En, "extended_times", 2), "extended 2 times");
    assert_eq!(counted(Lang::En, "bid_count", 1), "1 bid");
    assert_eq!(counted(Lang::Zh, "bid_count", 1), "1 次出价");
    assert_eq!(counted(Lang::Zh, "results_count", 12), "共 12 条结果");
}

#[test]
fn chinese_texts_carry_no_english_words() {
    // Quoted values (`{ $input }`), codes in backticks and units such as PDF or IPC may be
    // Latin; the sentence around them may not.
    let allowed = ["PDF", "Office", "JSON", "IPC", "PCT", "Stripe", "acct_", "multipart", "http", "https", "mine"];
    for line in ZH_ERRORS.lines().filter(|l| !l.starts_with('#') && l.contains(" = ")) {
        let (key, value) = line.split_once(" = ").unwrap_or_default();
        let mut words = String::new();
        let mut depth = 0;
        let mut in_code = false;
        for c in value.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                '`' => in_code = !in_code,
                _ if depth == 0 && !in_code => words.push(c),
                _ => {}
            }
        }
        for word in words.split(|c: char| !c.is_ascii_alphabetic() && c != '_').filter(|w| w.len() > 1) {
            assert!(allowed.contains(&word) || word.chars().all(|c| c.is_ascii_uppercase()), "{key}: `{word}`");
        }
    }
}

#[test]
fn messages_are_worded_in_each_language_with_their_values() {
    let wrong = techex_core::PatentNumber::parse("202210123456.7").err();
    let wrong = wrong.unwrap_or_else(|| Message::new(msg::VERBATIM));
    assert_eq!(message(Lang::En, &wrong), "`202210123456.7` has a wrong check digit (expected `1`)");
    assert_eq!(message(Lang::Zh, &wrong), "“202210123456.7”的校验位不正确（应为“1”）");
    let too_long = msg::TEXT_TOO_LONG.with("max", 200usize).with("count", 201usize);
    assert_eq!(message(Lang::Zh, &too_long), "最多 200 个字符（当前 201 个）");
}

#[test]
fn english_counts_take_their_plural_form() {
    let one = MessageArg::Number(1);
    let many = MessageArg::Number(3);
    assert_eq!(text(Lang::En, "detail-many-fields", &[("count", &one)]), "1 field is invalid");
    assert_eq!(text(Lang::En, "detail-many-fields", &[("count", &many)]), "3 fields are invalid");
    assert_eq!(text(Lang::Zh, "detail-many-fields", &[("count", &many)]), "有 3 个字段填写有误");
}

#[test]
fn a_refused_transition_is_worded_in_both_languages() {
    let refused = |entity: &'static str, state: &str| {
        techex_core::msg::DETAIL_INVALID_TRANSITION
            .with("text", format!("cannot edit an {entity} that is {state}"))
            .with("entity", entity)
            .with("state", state.to_string())
    };
    assert_eq!(message(Lang::En, &refused("achievement", "published")), "cannot edit an achievement that is published");
    assert_eq!(message(Lang::Zh, &refused("achievement", "published")), "该成果已发布，不能进行此操作");
    assert_eq!(message(Lang::Zh, &refused("milestone", "accepted")), "该里程碑已验收，不能进行此操作");
    // A state or an entity without its own words still gives a whole Chinese sentence.
    assert_eq!(message(Lang::Zh, &refused("gizmo", "sideways")), "该对象在当前状态下不能进行此操作");
}

#[test]
fn a_refusals_reason_is_worded_with_its_values_in_both_languages() {
    use techex_core::msg;
    let signed = msg::REFUSED_ALREADY_SIGNED.with("party", "buyer");
    assert_eq!(message(Lang::En, &signed), "the buyer has already signed this version");
    assert_eq!(message(Lang::Zh, &signed), "买方已签署此版本");
    let own = msg::REFUSED_REVIEWER_OWN_ORGANIZATION.with("action", "approve").with("what", "demand");
    assert_eq!(message(Lang::En, &own), "a reviewer may not approve their own organization's demand");
    assert_eq!(message(Lang::Zh, &own), "审核员不能审核本机构的需求");
    let window = msg::REFUSED_REJECTION_WINDOW_PASSED.with("days", 14);
    assert_eq!(message(Lang::Zh, &window), "按合同约定，买方只能在付款后 14 天内拒绝里程碑");
    let kind = msg::REFUSED_KIND_DOES_NOT_POST.with("kind", "enterprise");
    assert_eq!(message(Lang::En, &kind), "an enterprise does not post technology demands");
    let kind = msg::REFUSED_KIND_DOES_NOT_LIST.with("kind", "broker_agency");
    assert_eq!(message(Lang::Zh, &kind), "技术转移服务机构不能发布科技成果");
    let maker = msg::REFUSED_OFFER_MAKER_CANNOT_ANSWER.with("action", "accept");
    assert_eq!(message(Lang::En, &maker), "the other side accepts an offer, not its maker");
    assert_eq!(message(Lang::Zh, &maker), "报价须由另一方接受，报价方本人不能操作");
    let provider = msg::REFUSED_PAYMENT_PROVIDER.with("message", "Your card was declined.");
    assert_eq!(message(Lang::Zh, &provider), "支付服务商拒绝了此操作：Your card was declined.");
    let duplicate = Message::from(msg::REFUSED_AN_ORGANIZATION_WITH_THIS_CREDIT_CODE_IS);
    assert_eq!(message(Lang::En, &duplicate), "an organization with this credit code is already registered");
}

#[test]
fn a_text_without_a_key_stays_english_only_in_english() {
    let verbatim = Message::verbatim("expected `,` or `}`");
    assert_eq!(message(Lang::En, &verbatim), "expected `,` or `}`");
    assert_eq!(message(Lang::Zh, &verbatim), "取值无效");
}

#[test]
fn the_request_language_follows_the_query_then_the_header_then_the_cookie() {
    let mut headers = HeaderMap::new();
    assert_eq!(request_language(&headers, None), Lang::Zh, "the site's default");
    headers.insert(header::COOKIE, HeaderValue::from_static("lang=en"));
    assert_eq!(request_language(&headers, None), Lang::En);
    headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("fr;q=1, zh-Hans;q=0.8, en;q=0.5"));
    assert_eq!(request_language(&headers, None), Lang::Zh);
    headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("zh-CN;q=0.3, en-GB;q=0.9"));
    assert_eq!(request_language(&headers, None), Lang::En);
    headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en;q=0, zh"));
    assert_eq!(request_language(&headers, None), Lang::Zh, "q=0 refuses English");
    assert_eq!(request_language(&headers, Some("lang=en")), Lang::En);
}
