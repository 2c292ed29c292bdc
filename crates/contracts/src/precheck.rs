//! The pre-check before registration: what would get a contract refused at 认定登记, so
//! the parties can fix it first.

use crate::content::{Content, ContractType};
use serde::Serialize;
use techex_negotiation::terms::Improvements;
use utoipa::ToSchema;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Finding {
    /// `parties`, `subject`, `price`, `rights`, `restrictive_clause`, `signatures`.
    pub code: String,
    /// `blocker` (registration is refused) or `warning`.
    pub severity: String,
    pub message: String,
}

fn blocker(code: &str, message: &str) -> Finding {
    Finding { code: code.into(), severity: "blocker".into(), message: message.into() }
}

/// Phrases of restrictive clauses that make a technology contract void (Civil Code art.
/// 850; the Supreme People's Court's interpretation on technology contracts, art. 10):
/// forbidding improvements, one-sided grant-back, forbidding other sources, or
/// forbidding challenges to validity.
const RESTRICTIVE: [(&str, &str); 8] = [
    ("不得改进", "forbids the buyer to improve the technology"),
    ("禁止改进", "forbids the buyer to improve the technology"),
    ("无偿转让给甲方", "makes the buyer hand over improvements for nothing"),
    ("无偿归甲方", "makes the buyer hand over improvements for nothing"),
    ("不得从其他来源", "forbids the buyer other sources of technology"),
    ("不得就专利有效性提出异议", "forbids challenging the patent's validity"),
    ("may not improve", "forbids the buyer to improve the technology"),
    ("shall not challenge", "forbids challenging the patent's validity"),
];

/// Checks a contract's content; `signatures_complete` tells whether every party signed.
pub fn check(content: &Content, signatures_complete: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    if content.seller.representative.is_none() || content.buyer.representative.is_none() {
        findings.push(blocker("parties", "name the representative who signs for each party"));
    }
    if content.seller.credit_code.is_empty() || content.buyer.credit_code.is_empty() {
        findings.push(blocker("parties", "every party needs its unified social credit code"));
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
        findings.push(blocker("subject", "a patent contract names the patent (application) number"));
    }
    if content.subject.title_zh.is_none() && content.subject.title_en.is_none() {
        findings.push(blocker("subject", "the subject matter has no name"));
    }
    if content.contract_type == ContractType::TransferPatentRight && !content.subject.patent_granted {
        findings.push(blocker("rights", "a patent right is transferred but the patent is not granted yet"));
    }
    if content.contract_type.is_licence() && is_patent && !content.subject.patent_granted {
        findings.push(Finding {
            code: "rights".into(),
            severity: "warning".into(),
            message:
                "a licence of a pending application: the center registers it as a technical-secret licence until grant"
                    .into(),
        });
    }
    let priced = content.terms.lump_sum_minor.is_some_and(|a| a > 0)
        || content.terms.royalty_bps.is_some_and(|r| r > 0)
        || content.terms.equity_bps.is_some();
    if !priced {
        findings.push(blocker("price", "the price is not stated"));
    }
    let total: i64 = content.terms.milestones.iter().map(|m| m.amount_minor).sum();
    if let Some(lump) = content.terms.lump_sum_minor
        && !content.terms.milestones.is_empty()
        && total != lump
    {
        findings.push(blocker("price", "the payment schedule does not add up to the price"));
    }
    if content.contract_type.is_licence() && content.terms.improvements == Improvements::Seller {
        findings.push(blocker(
            "restrictive_clause",
            "the licensee's improvements go to the licensor: a one-sided grant-back is a restrictive clause",
        ));
    }
    let special = content.clauses.special_terms.as_deref().unwrap_or("").to_lowercase();
    for (phrase, why) in RESTRICTIVE {
        if special.contains(&phrase.to_lowercase()) {
            findings.push(blocker("restrictive_clause", &format!("the other terms say “{phrase}”: that {why}")));
        }
    }
    if !signatures_complete {
        findings.push(blocker("signatures", "not every party has signed the current version"));
    }
    findings
}
