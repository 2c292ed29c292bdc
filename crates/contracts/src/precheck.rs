//! The pre-check before registration: what would get a contract refused at 认定登记, so
//! the parties can fix it first.

use crate::content::{Content, ContractType};
use serde::Serialize;
use techex_core::{Message, MessageKey, msg};
use techex_negotiation::terms::Improvements;
use utoipa::ToSchema;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Finding {
    /// `parties`, `subject`, `price`, `rights`, `restrictive_clause`, `signatures`.
    pub code: String,
    /// `blocker` (registration is refused) or `warning`.
    pub severity: String,
    /// Why, as a message key and its values; on the wire, the text in the reader's language.
    #[schema(value_type = String)]
    pub message: Message,
}

fn blocker(code: &str, message: impl Into<Message>) -> Finding {
    Finding { code: code.into(), severity: "blocker".into(), message: message.into() }
}

/// Phrases of restrictive clauses that make a technology contract void (Civil Code art.
/// 850; the Supreme People's Court's interpretation on technology contracts, art. 10):
/// forbidding improvements, one-sided grant-back, forbidding other sources, or
/// forbidding challenges to validity.
const RESTRICTIVE: [(&str, MessageKey); 8] = [
    ("不得改进", msg::PRECHECK_FORBIDS_IMPROVING),
    ("禁止改进", msg::PRECHECK_FORBIDS_IMPROVING),
    ("无偿转让给甲方", msg::PRECHECK_FREE_GRANT_BACK),
    ("无偿归甲方", msg::PRECHECK_FREE_GRANT_BACK),
    ("不得从其他来源", msg::PRECHECK_FORBIDS_OTHER_SOURCES),
    ("不得就专利有效性提出异议", msg::PRECHECK_FORBIDS_CHALLENGE),
    ("may not improve", msg::PRECHECK_FORBIDS_IMPROVING),
    ("shall not challenge", msg::PRECHECK_FORBIDS_CHALLENGE),
];

/// Checks a contract's content; `signatures_complete` tells whether every party signed.
pub fn check(content: &Content, signatures_complete: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    if content.seller.representative.is_none() || content.buyer.representative.is_none() {
        findings.push(blocker("parties", msg::PRECHECK_REPRESENTATIVE_MISSING));
    }
    if content.seller.credit_code.is_empty() || content.buyer.credit_code.is_empty() {
        findings.push(blocker("parties", msg::PRECHECK_CREDIT_CODE_MISSING));
    }
    let patent_type = matches!(
        content.contract_type,
        ContractType::TransferPatentRight
            | ContractType::TransferPatentApplicationRight
            | ContractType::LicenceExclusive
            | ContractType::LicenceSole
            | ContractType::LicenceOrdinary
    );
    let is_patent = content.subject.kind.is_some_and(|k| k.is_patent());
    if patent_type && is_patent && content.subject.patent_number.is_none() {
        findings.push(blocker("subject", msg::PRECHECK_PATENT_NUMBER_MISSING));
    }
    if content.subject.title_zh.is_none() && content.subject.title_en.is_none() {
        findings.push(blocker("subject", msg::PRECHECK_SUBJECT_UNNAMED));
    }
    if content.contract_type == ContractType::TransferPatentRight && !content.subject.patent_granted {
        findings.push(blocker("rights", msg::PRECHECK_PATENT_NOT_GRANTED));
    }
    if content.contract_type.is_licence() && is_patent && !content.subject.patent_granted {
        findings.push(Finding {
            code: "rights".into(),
            severity: "warning".into(),
            message: msg::PRECHECK_PENDING_LICENCE.into(),
        });
    }
    let priced = content.terms.lump_sum_minor.is_some_and(|a| a > 0)
        || content.terms.royalty_bps.is_some_and(|r| r > 0)
        || content.terms.equity_bps.is_some();
    if !priced {
        findings.push(blocker("price", msg::PRECHECK_PRICE_MISSING));
    }
    let total: i64 = content.terms.milestones.iter().map(|m| m.amount_minor).sum();
    if let Some(lump) = content.terms.lump_sum_minor
        && !content.terms.milestones.is_empty()
        && total != lump
    {
        findings.push(blocker("price", msg::PRECHECK_SCHEDULE_MISMATCH));
    }
    if content.contract_type.is_licence() && content.terms.improvements == Improvements::Seller {
        findings.push(blocker("restrictive_clause", msg::PRECHECK_ONE_SIDED_GRANT_BACK));
    }
    // The other terms agreed in the negotiation are contract text as much as the
    // supplementary terms written into the draft.
    let other_terms = [content.terms.notes.as_deref(), content.clauses.special_terms.as_deref()];
    let other_terms = other_terms.into_iter().flatten().collect::<Vec<_>>().join("\n").to_lowercase();
    for (phrase, why) in RESTRICTIVE {
        if other_terms.contains(&phrase.to_lowercase()) {
            findings.push(blocker("restrictive_clause", why.with("phrase", phrase)));
        }
    }
    if !signatures_complete {
        findings.push(blocker("signatures", msg::PRECHECK_SIGNATURES_MISSING));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Clauses;
    use crate::content::tests::content_with;
    use techex_core::Currency;
    use techex_core::domain::TransactionMode;
    use techex_negotiation::terms::Terms;

    fn licence(notes: Option<&str>, special_terms: Option<&str>) -> Content {
        let terms = Terms {
            mode: TransactionMode::OrdinaryLicense,
            currency: Currency::CNY,
            lump_sum_minor: Some(1_000_000),
            royalty_bps: None,
            royalty_base: None,
            royalty_minimum_minor: None,
            equity_bps: None,
            milestones: vec![],
            territory: "山东省".into(),
            term_years: 3,
            exclusive: false,
            improvements: Improvements::EachOwn,
            notes: notes.map(str::to_string),
        };
        content_with(terms, Clauses { special_terms: special_terms.map(str::to_string), ..Clauses::default() })
    }

    fn restrictive(content: &Content) -> usize {
        check(content, true).iter().filter(|f| f.code == "restrictive_clause").count()
    }

    #[test]
    fn a_restrictive_clause_agreed_in_the_offer_is_caught_like_one_written_into_the_draft() {
        assert_eq!(restrictive(&licence(Some("卖方提供两次现场技术指导"), None)), 0);
        assert_eq!(restrictive(&licence(Some("乙方不得改进该技术"), None)), 1);
        assert_eq!(restrictive(&licence(None, Some("乙方不得改进该技术"))), 1);
    }
}
