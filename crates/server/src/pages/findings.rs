//! The registration pre-check's findings in the page's language. The contracts crate
//! says why with a message key (`precheck-…`) and its values, as it says any other
//! error; the page words it from the translation files like the API does.

use crate::i18n::Lang;

/// A finding's explanation for a page in `lang`, from the finding as the template sees
/// it; empty when the finding carries no message.
pub(super) fn explanation(lang: Lang, finding: &minijinja::Value) -> String {
    let message = serde_json::to_value(finding).ok().and_then(|finding| finding.get("message").cloned());
    message.and_then(|message| crate::locale::json_message(&message, lang)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use techex_contracts::content::Content;

    fn content(contract_type: &str, lump_sum_minor: Option<i64>, improvements: &str, special_terms: &str) -> Content {
        let party = |name: &str| {
            serde_json::json!({
                "organization_id": uuid::Uuid::nil(), "name": name, "name_en": null, "credit_code": "",
                "region": "370100", "representative": null,
            })
        };
        let json = serde_json::json!({
            "contract_type": contract_type,
            "seller": party("甲"),
            "buyer": party("乙"),
            "broker": null,
            "commission_bps": null,
            "subject": {
                "achievement_id": null, "title_zh": null, "title_en": null, "kind": "invention_patent",
                "patent_number": null, "patent_granted": false, "ipc_codes": [], "inventors": [],
            },
            "terms": {
                "mode": "assignment", "lump_sum_minor": lump_sum_minor, "territory": "中国", "term_years": 1,
                "improvements": improvements,
                "milestones": [{"title": "首付", "amount_minor": 50, "due_days_after_signing": 0}],
            },
            "clauses": {
                "place_of_performance": "济南", "confidentiality_years": 5, "acceptance_method": "书面验收",
                "penalty_bps": 1000, "dispute_resolution": "仲裁", "special_terms": special_terms,
            },
        });
        serde_json::from_value(json).expect("a content")
    }

    /// Every finding the pre-check can make reads in Chinese on a Chinese page and in
    /// English on an English one.
    #[test]
    fn every_finding_has_a_chinese_explanation() {
        let all_phrases = "不得改进；无偿转让给甲方；不得从其他来源；不得就专利有效性提出异议";
        let mut findings = techex_contracts::precheck::check(
            &content("transfer_patent_right", Some(100), "buyer", all_phrases),
            false,
        );
        findings.extend(techex_contracts::precheck::check(&content("licence_exclusive", None, "seller", ""), true));
        for code in ["parties", "subject", "price", "rights", "restrictive_clause", "signatures"] {
            assert!(findings.iter().any(|f| f.code == code), "the contents cover `{code}`: {findings:?}");
        }
        assert!(findings.len() >= 12, "{findings:?}");
        for finding in findings {
            let value = minijinja::Value::from_serialize(&finding);
            let zh = explanation(Lang::Zh, &value);
            assert!(!zh.is_empty() && !zh.chars().any(|c| c.is_ascii_alphabetic()), "{}: `{zh}`", finding.message);
            let en = explanation(Lang::En, &value);
            assert!(
                en.starts_with(|c: char| c.is_ascii_lowercase()) && en.contains(' '),
                "{}: `{en}`",
                finding.message
            );
        }
        assert_eq!(explanation(Lang::Zh, &minijinja::Value::from_serialize(serde_json::json!({"code": "new"}))), "");
    }
}
