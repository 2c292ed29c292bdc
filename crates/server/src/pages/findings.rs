//! The registration pre-check's findings in the page's language. The contracts crate
//! explains each finding in English (the API's `message`); a Chinese page shows the
//! Chinese explanation of the same finding, or, for a finding it does not know yet,
//! nothing beyond the finding's translated title — never the English text.

use crate::i18n::Lang;

/// The pre-check's English explanations and their Chinese ones.
const EXPLANATIONS: &[(&str, &str)] = &[
    ("name the representative who signs for each party", "请写明各方的签约代表人"),
    ("every party needs its unified social credit code", "各方均须具有统一社会信用代码"),
    ("a patent contract names the patent (application) number", "专利合同须写明专利号（申请号）"),
    ("the subject matter has no name", "合同标的没有名称"),
    ("a patent right is transferred but the patent is not granted yet", "转让的是专利权，但该专利尚未授权"),
    (
        "a licence of a pending application: the center registers it as a technical-secret licence until grant",
        "许可的是尚在申请中的专利：授权前中心按技术秘密许可合同登记",
    ),
    ("the price is not stated", "未写明价款"),
    ("the payment schedule does not add up to the price", "付款计划的合计与价款不一致"),
    (
        "the licensee's improvements go to the licensor: a one-sided grant-back is a restrictive clause",
        "被许可方的改进成果归许可方所有：单方回授属于限制技术竞争的条款",
    ),
    ("not every party has signed the current version", "尚有当事方未签署当前版本"),
];

/// Why a phrase of the other terms is restrictive, in English and in Chinese.
const RESTRICTIONS: &[(&str, &str)] = &[
    ("forbids the buyer to improve the technology", "禁止受让方改进技术"),
    ("makes the buyer hand over improvements for nothing", "要求受让方无偿交出改进成果"),
    ("forbids the buyer other sources of technology", "禁止受让方从其他来源获得技术"),
    ("forbids challenging the patent's validity", "禁止对专利的有效性提出异议"),
];

/// A finding's explanation for a page in `lang`; empty when there is none in that language.
pub(super) fn explanation(lang: Lang, message: &str) -> String {
    if lang == Lang::En {
        return message.to_string();
    }
    if let Some((_, zh)) = EXPLANATIONS.iter().find(|(en, _)| *en == message) {
        return (*zh).to_string();
    }
    // "the other terms say “{phrase}”: that {why}"
    let quoted = message
        .strip_prefix("the other terms say “")
        .and_then(|rest| rest.split_once("”: that "))
        .and_then(|(phrase, why)| RESTRICTIONS.iter().find(|(en, _)| *en == why).map(|(_, zh)| (phrase, *zh)));
    match quoted {
        Some((phrase, why)) => format!("其他约定中有“{phrase}”：{why}"),
        None => String::new(),
    }
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

    /// Every finding the pre-check can make reads in Chinese on a Chinese page, and as
    /// the API says it on an English one.
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
            let zh = explanation(Lang::Zh, &finding.message);
            assert!(!zh.is_empty() && !zh.chars().any(|c| c.is_ascii_alphabetic()), "{}: `{zh}`", finding.message);
            assert_eq!(explanation(Lang::En, &finding.message), finding.message);
        }
        assert_eq!(explanation(Lang::Zh, "something new"), "");
    }
}
