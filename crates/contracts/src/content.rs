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
pub(crate) mod tests {
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
                vec![format!(
                    "提成比例 / Running royalty：产品销售额的 {0} / {0} of net sales",
                    rate(terms.royalty_bps)
                )],
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
            (
                "notes",
                vec![format!("交易中约定 / Agreed in the negotiation：{}", terms.notes.as_deref().unwrap_or("?"))],
            ),
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
                (
                    format!("合同生效后 {days} 日内支付"),
                    format!("due within {} of signing", count_en(days.into(), "day")),
                )
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
}
