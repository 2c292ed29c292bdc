//! The terms card (`web/templates/terms_card.html`) shows every structured term of an
//! offer or an agreement in the page's language: a term left off the card is one a party
//! accepts without seeing it.

use super::{Lang, Templates, counted, due_days_words, format_money, hundredths, labels};
use crate::i18n::dictionary;
use minijinja::context;
use proptest::prelude::*;
use techex_negotiation::strategies::terms_with_every_field;
use techex_negotiation::terms::Terms;

const CARD: &str = "{% from 'terms_card.html' import terms_card %}{{ terms_card(terms, t, labels, lang) }}";

fn render_card(templates: &Templates, terms: &Terms, lang: Lang) -> Result<String, minijinja::Error> {
    let ctx = context! {
        terms => minijinja::Value::from_serialize(terms),
        t => dictionary(lang),
        labels => labels(lang),
        lang => lang.code(),
    };
    templates.environment.render_str(CARD, ctx)
}

/// The text of the `<dd>` of one term (the one whose classes include `class`), tags dropped.
fn term_value(html: &str, class: &str) -> Option<String> {
    let (start, _) = html.match_indices("<dd class=\"").find(|(index, open)| {
        let classes = &html[index + open.len()..];
        classes.split('"').next().is_some_and(|list| list.split_whitespace().any(|c| c == class))
    })?;
    let rest = &html[start..];
    let open_end = rest.find('>')? + 1;
    let close = rest.find("</dd>")?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest[open_end..close].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    // As the browser reads the escaped text.
    let entities = [("&#x27;", "'"), ("&#x2f;", "/"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")];
    Some(entities.iter().fold(text, |read, (entity, c)| read.replace(entity, c)))
}

/// Each field of the terms, the class of its cell on the card and what the cell must say
/// in the page's language.
fn expected(terms: &Terms, lang: Lang) -> Vec<(&'static str, &'static str, Vec<String>)> {
    let words = dictionary(lang);
    let word = |key: &str| words.get(key).copied().unwrap_or("?").to_string();
    let symbol = match terms.currency.code() {
        "CNY" => "¥",
        "USD" => "US$",
        "EUR" => "€",
        _ => "HK$",
    };
    let money = |minor: Option<i64>| format!("{symbol}{}", format_money(minor.unwrap_or_default()));
    let percent = |bps: Option<i32>| format!("{}%", hundredths(bps.unwrap_or_default().into()));
    let improvements = serde_json::to_value(terms.improvements).ok();
    let improvements = improvements.as_ref().and_then(|v| v.as_str()).unwrap_or("?");
    let mut milestones = Vec::new();
    for m in &terms.milestones {
        milestones.push(m.title.clone());
        milestones.push(money(Some(m.amount_minor)));
        milestones.push(due_days_words(lang, m.due_days_after_signing.into()));
        milestones.push(format!("{}: {}", word("acceptance"), m.acceptance_criteria.as_deref().unwrap_or("?")));
    }
    vec![
        ("mode", "term-mode", vec![terms.mode.label(lang.code()).to_string()]),
        ("currency", "term-currency", vec![word(&format!("currency_{}", terms.currency.code().to_lowercase()))]),
        ("lump_sum_minor", "term-lump-sum", vec![money(terms.lump_sum_minor)]),
        ("royalty_bps", "term-royalty", vec![percent(terms.royalty_bps)]),
        (
            "royalty_base",
            "term-royalty-base",
            vec![word(&format!("royalty_of_{}", terms.royalty_base.map_or("net_sales", |b| b.as_str())))],
        ),
        ("royalty_minimum_minor", "term-royalty-minimum", vec![money(terms.royalty_minimum_minor)]),
        ("equity_bps", "term-equity", vec![percent(terms.equity_bps)]),
        ("milestones", "term-milestones", milestones),
        ("territory", "term-territory", vec![terms.territory.clone()]),
        ("term_years", "term-years", vec![counted(lang, "years_count", terms.term_years.into())]),
        (
            "exclusive",
            "term-exclusive",
            vec![word(if terms.exclusive { "exclusive_rights" } else { "non_exclusive_rights" })],
        ),
        ("improvements", "term-improvements", vec![word(&format!("improvements_{improvements}"))]),
        ("notes", "term-notes", vec![terms.notes.clone().unwrap_or_default()]),
    ]
}

/// The names of the fields of the terms and of their milestones as they serialize.
fn field_names(terms: &Terms) -> Vec<String> {
    let value = serde_json::to_value(terms).unwrap_or_default();
    let keys =
        |v: &serde_json::Value| v.as_object().map(|map| map.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    let mut names = keys(&value);
    for milestone in value["milestones"].as_array().into_iter().flatten() {
        names.extend(keys(milestone).into_iter().map(|key| format!("milestones.{key}")));
    }
    names
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every term is on the card, each under its own label, in Chinese and in English.
    #[test]
    fn the_card_shows_every_term_in_the_page_language(terms in terms_with_every_field()) {
        let templates = Templates::load().map_err(|e| TestCaseError::fail(e.to_string()))?;
        for lang in [Lang::Zh, Lang::En] {
            let html = render_card(&templates, &terms, lang).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let expected = expected(&terms, lang);
            // A field added to the terms must be looked for too (milestone fields by name).
            let milestone_fields = ["title", "amount_minor", "due_days_after_signing", "acceptance_criteria"];
            for field in field_names(&terms) {
                let known = match field.strip_prefix("milestones.") {
                    Some(inner) => milestone_fields.contains(&inner),
                    None => expected.iter().any(|(name, _, _)| *name == field),
                };
                prop_assert!(known, "the test does not look for {}", field);
            }
            for (_, class, values) in expected {
                let shown = term_value(&html, class);
                prop_assert!(shown.is_some(), "{:?}: no {} on the card:\n{}", lang, class, html);
                let shown = shown.unwrap_or_default();
                for value in values {
                    prop_assert!(shown.contains(&value), "{:?}: {} shows {:?}, not {:?}", lang, class, shown, value);
                }
            }
        }
    }
}

#[test]
fn a_card_in_english_has_no_chinese_words_of_its_own() {
    let Ok(templates) = Templates::load() else { panic!("the templates compile") };
    let terms: Terms = serde_json::from_value(serde_json::json!({
        "mode": "equity", "currency": "USD", "lump_sum_minor": 150, "equity_bps": 1250,
        "milestones": [{"title": "Down payment", "amount_minor": 150, "due_days_after_signing": 1}],
        "territory": "Worldwide", "term_years": 1, "exclusive": true, "improvements": "joint",
        "notes": "Two on-site visits by the seller"
    }))
    .unwrap_or_else(|e| panic!("terms: {e}"));
    let html = render_card(&templates, &terms, Lang::En).unwrap_or_else(|e| panic!("renders: {e}"));
    assert!(!html.chars().any(|c| ('\u{4e00}'..='\u{9fa5}').contains(&c)), "{html}");
    for shown in ["US$1.50", "12.5%", "1 year", "1 day after signing", "Both, jointly", "Two on-site visits"] {
        assert!(html.contains(shown), "{shown} missing:\n{html}");
    }
}
