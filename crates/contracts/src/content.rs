//! What a contract says: the Civil Code contract type chosen for the agreed mode, the
//! parties, the subject matter, the agreed terms and the clauses of art. 845 — and its
//! canonical bilingual text, generated from a template, whose SHA-256 signatures bind.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use techex_core::domain::{AchievementKind, TransactionMode};
use techex_negotiation::terms::{Improvements, Terms};
use utoipa::ToSchema;

/// The technology-contract types of the Civil Code (arts. 851–887).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContractType {
    DevelopmentCommissioned,
    DevelopmentCooperative,
    TransferPatentRight,
    TransferPatentApplicationRight,
    TransferTechnicalSecret,
    /// Transfer of other technology rights (software copyright, IC layout, plant variety).
    TransferOther,
    LicenceExclusive,
    LicenceSole,
    LicenceOrdinary,
    Consulting,
    Service,
}

impl ContractType {
    pub fn as_str(self) -> &'static str {
        match self {
            ContractType::DevelopmentCommissioned => "development_commissioned",
            ContractType::DevelopmentCooperative => "development_cooperative",
            ContractType::TransferPatentRight => "transfer_patent_right",
            ContractType::TransferPatentApplicationRight => "transfer_patent_application_right",
            ContractType::TransferTechnicalSecret => "transfer_technical_secret",
            ContractType::TransferOther => "transfer_other",
            ContractType::LicenceExclusive => "licence_exclusive",
            ContractType::LicenceSole => "licence_sole",
            ContractType::LicenceOrdinary => "licence_ordinary",
            ContractType::Consulting => "consulting",
            ContractType::Service => "service",
        }
    }

    pub fn parse(code: &str) -> Option<ContractType> {
        use ContractType::*;
        [
            DevelopmentCommissioned,
            DevelopmentCooperative,
            TransferPatentRight,
            TransferPatentApplicationRight,
            TransferTechnicalSecret,
            TransferOther,
            LicenceExclusive,
            LicenceSole,
            LicenceOrdinary,
            Consulting,
            Service,
        ]
        .into_iter()
        .find(|t| t.as_str() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ContractType::DevelopmentCommissioned => "技术开发（委托）合同",
            ContractType::DevelopmentCooperative => "技术开发（合作）合同",
            ContractType::TransferPatentRight => "专利权转让合同",
            ContractType::TransferPatentApplicationRight => "专利申请权转让合同",
            ContractType::TransferTechnicalSecret => "技术秘密转让合同",
            ContractType::TransferOther => "技术转让合同",
            ContractType::LicenceExclusive => "专利实施许可合同（独占）",
            ContractType::LicenceSole => "专利实施许可合同（排他）",
            ContractType::LicenceOrdinary => "专利实施许可合同（普通）",
            ContractType::Consulting => "技术咨询合同",
            ContractType::Service => "技术服务合同",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ContractType::DevelopmentCommissioned => "Technology development contract (commissioned)",
            ContractType::DevelopmentCooperative => "Technology development contract (cooperative)",
            ContractType::TransferPatentRight => "Patent right transfer contract",
            ContractType::TransferPatentApplicationRight => "Patent application right transfer contract",
            ContractType::TransferTechnicalSecret => "Technical secret transfer contract",
            ContractType::TransferOther => "Technology transfer contract",
            ContractType::LicenceExclusive => "Patent licence contract (exclusive)",
            ContractType::LicenceSole => "Patent licence contract (sole)",
            ContractType::LicenceOrdinary => "Patent licence contract (ordinary)",
            ContractType::Consulting => "Technology consulting contract",
            ContractType::Service => "Technology service contract",
        }
    }

    /// Transfer, licensing and development contracts qualify for the tax relief of
    /// registered technology contracts; consulting and service alone do not.
    pub fn qualifies_for_tax_relief(self) -> bool {
        !matches!(self, ContractType::Consulting | ContractType::Service)
    }

    pub fn is_transfer(self) -> bool {
        matches!(
            self,
            ContractType::TransferPatentRight
                | ContractType::TransferPatentApplicationRight
                | ContractType::TransferTechnicalSecret
                | ContractType::TransferOther
        )
    }

    pub fn is_licence(self) -> bool {
        matches!(self, ContractType::LicenceExclusive | ContractType::LicenceSole | ContractType::LicenceOrdinary)
    }
}

/// The contract type that fits an agreed mode and the rights in the subject.
pub fn choose_type(mode: TransactionMode, kind: Option<AchievementKind>, patent_granted: bool) -> ContractType {
    let patent = kind.is_some_and(AchievementKind::is_patent);
    match mode {
        TransactionMode::Assignment | TransactionMode::Equity => match kind {
            Some(k) if k.is_patent() && patent_granted => ContractType::TransferPatentRight,
            Some(k) if k.is_patent() => ContractType::TransferPatentApplicationRight,
            Some(AchievementKind::TechnicalSecret) | None => ContractType::TransferTechnicalSecret,
            Some(_) => ContractType::TransferOther,
        },
        TransactionMode::ExclusiveLicense => ContractType::LicenceExclusive,
        TransactionMode::SoleLicense => ContractType::LicenceSole,
        TransactionMode::OrdinaryLicense => ContractType::LicenceOrdinary,
        TransactionMode::JointDevelopment => ContractType::DevelopmentCooperative,
        TransactionMode::TechnicalService if patent => ContractType::Service,
        TransactionMode::TechnicalService => ContractType::Service,
    }
}

/// A party as the contract names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PartyClause {
    pub organization_id: uuid::Uuid,
    pub name: String,
    pub name_en: Option<String>,
    pub credit_code: String,
    pub region: String,
    /// The legal or authorised representative who signs for it.
    pub representative: Option<String>,
}

/// The broker as the third party (丙方).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BrokerClause {
    pub user_id: uuid::Uuid,
    pub name: String,
    pub certificate_number: String,
    pub agency: Option<String>,
}

/// The subject matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SubjectClause {
    pub achievement_id: Option<uuid::Uuid>,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub kind: Option<AchievementKind>,
    pub patent_number: Option<String>,
    pub patent_granted: bool,
    pub ipc_codes: Vec<String>,
    pub inventors: Vec<String>,
}

/// The clauses the parties fill in or amend (art. 845).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Clauses {
    pub place_of_performance: String,
    pub confidentiality_years: i32,
    pub acceptance_method: String,
    /// Days after paying a milestone within which the buyer may reject the delivery and
    /// have that payment refunded (contracts drafted before this clause existed: 30).
    #[serde(default = "default_rejection_window_days")]
    pub rejection_window_days: i32,
    /// Days a milestone may stay unpaid after its due date before the seller may terminate
    /// the contract by notice (contracts drafted before this clause existed: 30).
    #[serde(default = "default_cure_period_days")]
    pub cure_period_days: i32,
    /// Liquidated damages, basis points of the total price.
    pub penalty_bps: i32,
    pub dispute_resolution: String,
    pub special_terms: Option<String>,
}

fn default_rejection_window_days() -> i32 {
    30
}

fn default_cure_period_days() -> i32 {
    30
}

/// The longest cure period a contract may agree.
pub const MAX_CURE_PERIOD_DAYS: i32 = 180;

/// The longest rejection window a contract may agree.
pub const MAX_REJECTION_WINDOW_DAYS: i32 = 180;

impl Default for Clauses {
    fn default() -> Self {
        Clauses {
            place_of_performance: "乙方所在地 / At the buyer's premises".into(),
            confidentiality_years: 5,
            acceptance_method: "按付款计划所列验收条件，由乙方在交付后30日内书面验收；逾期未提出异议的视为验收合格。 / \
                                The buyer accepts each delivery in writing within 30 days against the conditions of the \
                                payment schedule; silence after that counts as acceptance."
                .into(),
            rejection_window_days: default_rejection_window_days(),
            cure_period_days: default_cure_period_days(),
            penalty_bps: 1000,
            dispute_resolution: "提交济南仲裁委员会仲裁 / Arbitration by the Jinan Arbitration Commission".into(),
            special_terms: None,
        }
    }
}

/// How a licence under an open-licence declaration was concluded: by the licensee's
/// notice, the published declaration standing for the licensor's consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OpenLicenceClause {
    pub declaration_id: uuid::Uuid,
    /// The day the center published the declaration (YYYY-MM-DD).
    pub published_on: String,
    /// `quarter` or `year` when a running royalty is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub royalty_period: Option<String>,
    #[serde(default)]
    pub entry_fee_credited: bool,
}

/// Everything the contract text is generated from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Content {
    pub contract_type: ContractType,
    pub seller: PartyClause,
    pub buyer: PartyClause,
    pub broker: Option<BrokerClause>,
    pub commission_bps: Option<i32>,
    pub subject: SubjectClause,
    pub terms: Terms,
    pub clauses: Clauses,
    /// Present when the licence was taken by notice under an open-licence declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_licence: Option<OpenLicenceClause>,
}

fn money(minor: i64) -> String {
    techex_core::money::format_major(minor)
}

fn percent(bps: i32) -> String {
    let whole = bps / 100;
    let fraction = (bps % 100).abs();
    if fraction == 0 {
        format!("{whole}%")
    } else {
        format!("{whole}.{}%", format!("{fraction:02}").trim_end_matches('0'))
    }
}

/// A count with its English noun: "1 year", "5 years", "0 days".
fn count_en(n: i64, noun: &str) -> String {
    if n == 1 { format!("{n} {noun}") } else { format!("{n} {noun}s") }
}

impl Content {
    pub fn title_zh(&self) -> String {
        let project = self.subject.title_zh.clone().or_else(|| self.subject.title_en.clone()).unwrap_or_default();
        format!("“{project}”{}", self.contract_type.label_zh())
    }

    pub fn title_en(&self) -> String {
        let project = self.subject.title_en.clone().or_else(|| self.subject.title_zh.clone()).unwrap_or_default();
        format!("{} for \"{project}\"", self.contract_type.label_en())
    }

    /// The canonical text: the template rendered with this content. The same content
    /// always gives the same text, byte for byte.
    pub fn render(&self) -> Result<String, String> {
        let mut env = minijinja::Environment::new();
        env.set_trim_blocks(false);
        env.add_function("money", |minor: i64| money(minor));
        env.add_function("percent", |bps: i32| percent(bps));
        env.add_function("count_en", |n: i64, noun: &str| count_en(n, noun));
        env.add_template("contract", include_str!("../templates/contract.txt")).map_err(|e| e.to_string())?;
        let (seller_role_zh, seller_role_en, buyer_role_zh, buyer_role_en) = if self.contract_type.is_transfer() {
            ("让与人", "assignor", "受让人", "assignee")
        } else if self.contract_type.is_licence() {
            ("许可人", "licensor", "被许可人", "licensee")
        } else {
            ("技术提供方", "provider", "委托方", "client")
        };
        let price_structure = match (self.terms.lump_sum_minor.is_some_and(|a| a > 0), self.terms.royalty_bps.is_some())
        {
            (true, true) => ("入门费加提成", "entry fee plus running royalty"),
            (false, true) => ("提成支付", "running royalty"),
            (true, false) if self.terms.milestones.len() > 1 => ("分期支付", "instalments"),
            (true, false) => ("一次总算、一次总付", "lump sum"),
            (false, false) => ("作价入股", "equity"),
        };
        let improvements = match self.terms.improvements {
            Improvements::EachOwn => {
                ("后续改进的技术成果归完成改进的一方所有。", "Improvements belong to the party that makes them.")
            }
            Improvements::Seller => (
                "后续改进的技术成果归甲方所有，甲方应给予合理补偿。",
                "Improvements belong to the seller, against fair compensation.",
            ),
            Improvements::Buyer => ("后续改进的技术成果归乙方所有。", "Improvements belong to the buyer."),
            Improvements::Joint => ("后续改进的技术成果由双方共有。", "Improvements are owned jointly."),
        };
        let application_year = self.subject.patent_number.as_deref().and_then(|n| n.get(..4)).unwrap_or("").to_string();
        let kind = self.subject.kind.unwrap_or(AchievementKind::Other);
        let context = minijinja::context! {
            title_zh => self.title_zh(),
            title_en => self.title_en(),
            type_zh => self.contract_type.label_zh(),
            type_en => self.contract_type.label_en(),
            seller => &self.seller,
            buyer => &self.buyer,
            broker => &self.broker,
            commission_bps => self.commission_bps.unwrap_or(0),
            seller_role_zh, seller_role_en, buyer_role_zh, buyer_role_en,
            subject => minijinja::context! {
                title_zh => &self.subject.title_zh, title_en => &self.subject.title_en,
                kind_zh => kind.label_zh(), kind_en => kind.label_en(),
                patent_number => &self.subject.patent_number, patent_granted => self.subject.patent_granted,
                application_year, ipc_codes => &self.subject.ipc_codes, inventors => &self.subject.inventors,
            },
            mode_zh => self.terms.mode.label_zh(),
            mode_en => self.terms.mode.label_en(),
            terms => &self.terms,
            clauses => &self.clauses,
            open_licence => &self.open_licence,
            price_structure_zh => price_structure.0,
            price_structure_en => price_structure.1,
            improvements_zh => improvements.0,
            improvements_en => improvements.1,
        };
        env.get_template("contract").and_then(|t| t.render(context)).map_err(|e| e.to_string())
    }
}

/// The SHA-256 of a canonical text, lower-case hex.
pub fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
#[path = "content_tests.rs"]
pub(crate) mod tests;
