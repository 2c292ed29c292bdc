//! The closed vocabularies of the trading center: kinds of achievement, maturity,
//! transaction modes, organization kinds and review states. Each value has a stable
//! snake_case code (API and database) and a Chinese and English label (pages).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Declares a string-coded enumeration with bilingual labels.
///
/// The code is taken as a token tree, not a `literal` fragment: a `literal` reaches the
/// derives wrapped in an invisible group, which serde reads but utoipa's `ToSchema` does
/// not, so the OpenAPI schema listed the variant names (`InventionPatent`) instead of
/// the codes the API speaks (`invention_patent`).
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $code:tt, $zh:literal, $en:literal; )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// The English label.
            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }

            /// The label in a language (`zh` or anything else for English).
            pub fn label(self, lang: &str) -> &'static str {
                if lang.starts_with("zh") { self.label_zh() } else { self.label_en() }
            }

            /// Parses a code; also accepts either label, so spreadsheets may use words.
            pub fn parse(input: &str) -> Result<Self, $crate::message::Message> {
                let wanted = input.trim();
                for value in Self::ALL {
                    if value.as_str() == wanted
                        || value.label_zh() == wanted
                        || value.label_en().eq_ignore_ascii_case(wanted)
                    {
                        return Ok(*value);
                    }
                }
                let codes: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                Err($crate::message::keys::VALUE_NOT_ONE_OF.with("input", wanted).with("allowed", codes.join(", ")))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

coded_enum! {
    /// What kind of legal entity an organization is.
    OrgKind {
        University = "university", "高等院校", "University";
        ResearchInstitute = "research_institute", "科研院所", "Research institute";
        Enterprise = "enterprise", "企业", "Enterprise";
        BrokerAgency = "broker_agency", "技术转移服务机构", "Broker agency";
        Center = "center", "交易中心", "Trading center";
    }
}

impl OrgKind {
    /// Universities, institutes and enterprises own technology and may list it.
    pub fn may_list_achievements(self) -> bool {
        matches!(self, OrgKind::University | OrgKind::ResearchInstitute | OrgKind::Enterprise)
    }

    /// Organizations that look for technology may post demands.
    pub fn may_post_demands(self) -> bool {
        matches!(self, OrgKind::University | OrgKind::ResearchInstitute | OrgKind::Enterprise)
    }
}

coded_enum! {
    /// The language a user reads the center in (pages by default, and what is sent to them).
    Language {
        Zh = "zh", "中文", "Chinese";
        En = "en", "英文", "English";
    }
}

coded_enum! {
    /// The legal form of a research achievement.
    AchievementKind {
        InventionPatent = "invention_patent", "发明专利", "Invention patent";
        UtilityModel = "utility_model", "实用新型专利", "Utility model";
        DesignPatent = "design_patent", "外观设计专利", "Design patent";
        SoftwareCopyright = "software_copyright", "软件著作权", "Software copyright";
        IcLayout = "ic_layout", "集成电路布图设计", "IC layout design";
        PlantVariety = "plant_variety", "植物新品种", "New plant variety";
        TechnicalSecret = "technical_secret", "技术秘密", "Technical secret (know-how)";
        Other = "other", "其他", "Other";
    }
}

impl AchievementKind {
    /// Patent kinds are identified by a CNIPA application number.
    pub fn is_patent(self) -> bool {
        matches!(self, AchievementKind::InventionPatent | AchievementKind::UtilityModel | AchievementKind::DesignPatent)
    }
}

coded_enum! {
    /// How far a technology is from the market.
    Maturity {
        Lab = "lab", "实验室阶段", "Laboratory / principle";
        Prototype = "prototype", "样机/原型", "Prototype";
        Pilot = "pilot", "中试", "Pilot scale";
        SmallBatch = "small_batch", "小批量生产", "Small-batch production";
        MassProduction = "mass_production", "规模化生产", "Mass production";
    }
}

impl Maturity {
    /// The technology readiness levels (1–9) consistent with this maturity.
    pub fn trl_range(self) -> std::ops::RangeInclusive<i16> {
        match self {
            Maturity::Lab => 1..=4,
            Maturity::Prototype => 3..=6,
            Maturity::Pilot => 5..=8,
            Maturity::SmallBatch => 7..=9,
            Maturity::MassProduction => 8..=9,
        }
    }
}

coded_enum! {
    /// How a technology changes hands.
    TransactionMode {
        Assignment = "assignment", "转让", "Assignment";
        ExclusiveLicense = "exclusive_license", "独占许可", "Exclusive licence";
        SoleLicense = "sole_license", "排他许可", "Sole licence";
        OrdinaryLicense = "ordinary_license", "普通许可", "Ordinary licence";
        Equity = "equity", "作价入股", "Equity contribution";
        JointDevelopment = "joint_development", "合作开发", "Joint development";
        TechnicalService = "technical_service", "技术服务/咨询", "Technical service / consulting";
    }
}

coded_enum! {
    /// Where an achievement is in its life on the platform.
    AchievementStatus {
        Draft = "draft", "草稿", "Draft";
        PendingReview = "pending_review", "待审核", "Pending review";
        Published = "published", "已发布", "Published";
        Rejected = "rejected", "已驳回", "Rejected";
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
        Traded = "traded", "已成交", "Traded";
    }
}

coded_enum! {
    /// Where a technology demand is in its life on the platform.
    DemandStatus {
        Draft = "draft", "草稿", "Draft";
        PendingReview = "pending_review", "待审核", "Pending review";
        Published = "published", "已发布", "Published";
        Rejected = "rejected", "已驳回", "Rejected";
        Fulfilled = "fulfilled", "已对接", "Fulfilled";
        Closed = "closed", "已关闭", "Closed";
    }
}

coded_enum! {
    /// Who may see a document attached to an achievement.
    DisclosureTier {
        Public = "public", "公开", "Public";
        Nda = "nda", "保密（需签署保密协议）", "Confidential (after NDA)";
    }
}

coded_enum! {
    /// Where a brokered deal is.
    DealStatus {
        Inquiry = "inquiry", "意向咨询", "Inquiry";
        Brokered = "brokered", "经纪人已介入", "Brokered";
        Negotiating = "negotiating", "洽谈中", "Negotiating";
        Agreed = "agreed", "已达成一致", "Agreed";
        Contracted = "contracted", "已签合同", "Contracted";
        Cancelled = "cancelled", "已取消", "Cancelled";
        Expired = "expired", "已过期", "Expired";
    }
}

impl DealStatus {
    /// Deals still being worked on (a new offer, message or broker may join).
    pub fn is_open(self) -> bool {
        matches!(self, DealStatus::Inquiry | DealStatus::Brokered | DealStatus::Negotiating)
    }
}

coded_enum! {
    /// Where an offer is.
    OfferStatus {
        Proposed = "proposed", "经纪人拟议待确认", "Proposed by the broker, awaiting confirmation";
        Pending = "pending", "待答复", "Pending";
        Accepted = "accepted", "已接受", "Accepted";
        Rejected = "rejected", "已拒绝", "Rejected";
        Countered = "countered", "已还价", "Countered";
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
        Expired = "expired", "已过期", "Expired";
    }
}

coded_enum! {
    /// The side of a deal a party is on.
    Side {
        Seller = "seller", "卖方", "Seller";
        Buyer = "buyer", "买方", "Buyer";
    }
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Seller => Side::Buyer,
            Side::Buyer => Side::Seller,
        }
    }
}

coded_enum! {
    /// A broker's certification level.
    BrokerLevel {
        Junior = "junior", "初级技术经纪人", "Junior";
        Intermediate = "intermediate", "中级技术经纪人", "Intermediate";
        Senior = "senior", "高级技术经纪人", "Senior";
    }
}

coded_enum! {
    /// Where a public bidding (挂牌竞价) is.
    AuctionStatus {
        Scheduled = "scheduled", "待开始", "Scheduled";
        Open = "open", "竞价中", "Open";
        Closed = "closed", "已成交", "Closed";
        Unsold = "unsold", "流拍", "Unsold";
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
}

coded_enum! {
    /// Where a patent open-licence declaration (专利开放许可声明) is: the center reviews it
    /// before it is public; the patentee may withdraw it (licences already taken stand).
    OpenLicenceStatus {
        PendingReview = "pending_review", "待审核", "Pending review";
        Published = "published", "已公告", "Published";
        Rejected = "rejected", "已退回", "Rejected";
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
    }
}

coded_enum! {
    /// How often a licensee reports sales and pays a running royalty.
    RoyaltyPeriod {
        Quarter = "quarter", "按季度", "Quarterly";
        Year = "year", "按年度", "Yearly";
    }
}

coded_enum! {
    /// What a running royalty is a share of: the licensee's net sales of the licensed
    /// products (the usual base), or the profit it makes on them (利润分成).
    RoyaltyBase {
        NetSales = "net_sales", "净销售额", "Net sales";
        Profit = "profit", "利润", "Profit";
    }
}

coded_enum! {
    /// Where a licensee's royalty report is: the licensor accepts it (it becomes a
    /// milestone to pay) or disputes it, and a corrected report supersedes a disputed one.
    RoyaltyReportStatus {
        Submitted = "submitted", "待确认", "Submitted";
        Accepted = "accepted", "已确认", "Accepted";
        Disputed = "disputed", "有异议", "Disputed";
        Superseded = "superseded", "已更正", "Superseded";
    }
}

coded_enum! {
    /// Why a buyer passed on an achievement.
    FeedbackReason {
        TooEarly = "too_early", "技术成熟度不足", "Too early / not mature enough";
        Price = "price", "价格过高", "Price too high";
        Fit = "fit", "与业务不匹配", "Does not fit our business";
        BenefitUnclear = "benefit_unclear", "效益不明确", "Benefit unclear";
        IpRisk = "ip_risk", "知识产权风险", "IP risk (validity, scope, ownership)";
        Capacity = "capacity", "缺乏实施条件", "We lack the capacity to implement it";
        Other = "other", "其他", "Other";
    }
}

coded_enum! {
    /// Where a technology contract is: drafted from an agreement, signed by both parties,
    /// registered by the center, performed (a milestone paid), and ended.
    ContractStatus {
        Draft = "draft", "草拟", "Draft";
        Signing = "signing", "签署中", "Signing";
        Signed = "signed", "已签署", "Signed";
        Registered = "registered", "已登记", "Registered";
        Performing = "performing", "履行中", "Performing";
        Completed = "completed", "已履行完毕", "Completed";
        Terminated = "terminated", "已解除", "Terminated";
    }
}

impl ContractStatus {
    /// Registered and not yet ended: its milestones are being paid.
    pub fn is_in_force(self) -> bool {
        matches!(self, ContractStatus::Registered | ContractStatus::Performing)
    }
}

coded_enum! {
    /// Where one payment milestone of a contract is.
    MilestoneStatus {
        Scheduled = "scheduled", "待付款", "Scheduled";
        PaymentPending = "payment_pending", "付款处理中", "Payment pending";
        Paid = "paid", "已付款（托管中）", "Paid (in escrow)";
        Accepted = "accepted", "已验收", "Accepted";
        Refunded = "refunded", "已退款", "Refunded";
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
}

impl MilestoneStatus {
    /// Whether a milestone may go from `self` to `to`: paying starts and can fall back
    /// (a cancelled intent), a success is paid even when it outran the pending state,
    /// a paid milestone is accepted or refunded (both final), and one not paid falls
    /// away when its contract ends.
    pub fn can_become(self, to: MilestoneStatus) -> bool {
        use MilestoneStatus::*;
        matches!(
            (self, to),
            (Scheduled, PaymentPending)
                | (PaymentPending, Scheduled)
                | (Scheduled | PaymentPending, Paid)
                | (Paid, Accepted | Refunded)
                | (Scheduled, Cancelled)
        )
    }

    /// Settled: nothing more will be paid or released.
    pub fn is_settled(self) -> bool {
        matches!(self, MilestoneStatus::Accepted | MilestoneStatus::Refunded)
    }
}

coded_enum! {
    /// One attempt to pay a milestone, as the provider last told us.
    PaymentStatus {
        Creating = "creating", "创建中", "Creating";
        RequiresPayment = "requires_payment", "待支付", "Awaiting payment";
        Succeeded = "succeeded", "已支付", "Succeeded";
        Failed = "failed", "支付失败", "Failed";
        Refunded = "refunded", "已退款", "Refunded";
        Canceled = "canceled", "已撤销", "Canceled";
    }
}

coded_enum! {
    /// Money owed to a seller or a broker on its way out through a Connect transfer.
    PayoutStatus {
        AwaitingAccount = "awaiting_account", "待绑定收款账户", "Awaiting a payout account";
        Pending = "pending", "待转账", "Pending";
        Sent = "sent", "已转账", "Sent";
        Failed = "failed", "转账失败", "Failed";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_parse_back() {
        for kind in AchievementKind::ALL {
            assert_eq!(AchievementKind::parse(kind.as_str()), Ok(*kind));
            assert_eq!(AchievementKind::parse(kind.label_zh()), Ok(*kind));
        }
        assert_eq!(TransactionMode::parse("独占许可"), Ok(TransactionMode::ExclusiveLicense));
        assert_eq!(Maturity::parse("pilot scale"), Ok(Maturity::Pilot));
        assert!(Maturity::parse("finished").is_err());
    }

    /// The `enum` values of a type's OpenAPI schema.
    fn schema_values<T: utoipa::PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).unwrap_or_default();
        schema["enum"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect()
    }

    fn codes<T: Copy + std::fmt::Display>(all: &[T]) -> Vec<String> {
        all.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn openapi_schemas_list_the_codes_of_the_wire() {
        assert_eq!(schema_values::<OrgKind>(), codes(OrgKind::ALL));
        assert_eq!(schema_values::<AchievementKind>(), codes(AchievementKind::ALL));
        assert_eq!(schema_values::<Maturity>(), codes(Maturity::ALL));
        assert_eq!(schema_values::<TransactionMode>(), codes(TransactionMode::ALL));
        assert_eq!(schema_values::<AchievementStatus>(), codes(AchievementStatus::ALL));
        assert_eq!(schema_values::<DemandStatus>(), codes(DemandStatus::ALL));
        assert_eq!(schema_values::<DisclosureTier>(), codes(DisclosureTier::ALL));
        assert_eq!(schema_values::<DealStatus>(), codes(DealStatus::ALL));
        assert_eq!(schema_values::<OfferStatus>(), codes(OfferStatus::ALL));
        assert_eq!(schema_values::<Side>(), codes(Side::ALL));
        assert_eq!(schema_values::<BrokerLevel>(), codes(BrokerLevel::ALL));
        assert_eq!(schema_values::<AuctionStatus>(), codes(AuctionStatus::ALL));
        assert_eq!(schema_values::<FeedbackReason>(), codes(FeedbackReason::ALL));
        assert_eq!(schema_values::<AchievementKind>()[0], "invention_patent");
    }

    #[test]
    fn serde_uses_the_codes() {
        assert_eq!(serde_json::to_string(&TransactionMode::SoleLicense).ok(), Some("\"sole_license\"".into()));
        let parsed: Result<OrgKind, _> = serde_json::from_str("\"research_institute\"");
        assert_eq!(parsed.ok(), Some(OrgKind::ResearchInstitute));
    }
}
