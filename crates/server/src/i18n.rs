//! The two languages of the pages and their words.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(input: &str) -> Option<Lang> {
        let lower = input.trim().to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Lang::Zh)
        } else if lower.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first of Chinese or English in an `Accept-Language` header by preference;
    /// Chinese when the browser names neither.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let quality =
                pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag)
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, lang));
            }
        }
        best.map_or(Lang::Zh, |(_, lang)| lang)
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

const WORDS: &[(&str, &str, &str)] = &[
    ("site_name", "山东省科技成果交易中心", "Shandong Technology Achievements Trading Center"),
    (
        "tagline",
        "高校院所科技成果与企业技术需求的对接平台，由持证技术经纪人全程服务",
        "Where university research meets industry demand, mediated by certified technology brokers",
    ),
    ("nav_home", "首页", "Home"),
    ("nav_achievements", "科技成果", "Achievements"),
    ("nav_demands", "技术需求", "Demands"),
    ("nav_brokers", "技术经纪人", "Brokers"),
    ("nav_my_deals", "我的交易", "My deals"),
    ("nav_my_contracts", "我的合同", "My contracts"),
    ("read_nda", "阅读并签署保密协议以查看详情", "Read and accept the NDA to see the details"),
    ("accept_nda", "我方接受保密协议", "We accept the NDA"),
    ("send_inquiry", "提出合作意向", "Send an inquiry"),
    ("inquiry_text", "意向说明（用途、规模、希望的合作方式）", "Your inquiry (use, scale, the kind of deal you want)"),
    ("open_your_deal", "进入已有的洽谈", "Go to your open deal"),
    ("sign_in_to_inquire", "登录后可提出合作意向", "Sign in to send an inquiry"),
    (
        "brokers_intro",
        "持证技术经纪人居间撮合成果转化交易，从意向洽谈到合同登记全程服务。",
        "Certified technology brokers mediate deals from the first inquiry to the registered contract.",
    ),
    ("certificate", "证书编号", "Certificate No."),
    ("agency", "所属机构", "Agency"),
    ("expertise", "擅长领域", "Fields of expertise"),
    ("commission", "默认佣金", "Default commission"),
    ("deals_mediated", "居间项目", "Deals mediated"),
    ("deals_closed", "促成交易", "Deals closed"),
    ("deal_value", "成交金额", "Value agreed"),
    ("about", "简介", "About"),
    ("suspended", "已暂停执业", "Suspended"),
    ("nav_api", "开放接口", "API"),
    ("switch_lang", "English", "中文"),
    ("signed_in_as", "已登录：", "Signed in as "),
    ("stat_published", "在售科技成果", "Achievements on offer"),
    ("stat_demands", "征集中的技术需求", "Open technology demands"),
    ("stat_organizations", "认证机构", "Verified organizations"),
    ("latest_achievements", "最新发布的科技成果", "Latest achievements"),
    ("latest_demands", "最新技术需求", "Latest demands"),
    ("browse_by_field", "按产业领域浏览", "Browse by industry field"),
    ("see_all", "查看全部", "See all"),
    ("filter", "筛选", "Filter"),
    ("all", "全部", "All"),
    ("field", "产业领域", "Industry field"),
    ("kind", "成果类型", "Kind"),
    ("maturity", "成熟度", "Maturity"),
    ("trl", "技术就绪度", "TRL"),
    ("modes", "交易方式", "Transaction modes"),
    ("price", "挂牌价（元）", "Asking price (CNY)"),
    ("negotiable", "面议", "Negotiable"),
    ("owner", "持有单位", "Owner"),
    ("region", "所在地区", "Region"),
    ("patent_number", "专利申请号", "Patent application no."),
    ("ipc", "IPC 分类号", "IPC classes"),
    ("inventors", "发明人", "Inventors"),
    ("keywords", "关键词", "Keywords"),
    ("abstract", "成果简介", "Abstract"),
    ("advantage", "技术优势", "Advantage"),
    ("scenarios", "应用场景", "Application scenarios"),
    ("description", "技术详情", "Technical details"),
    (
        "details_locked",
        "技术详情与保密文件需签署保密协议后查看。",
        "The technical details and confidential documents open after the NDA is accepted.",
    ),
    ("documents", "附件", "Documents"),
    ("locked", "保密", "Confidential"),
    ("published_at", "发布时间", "Published"),
    ("next_page", "下一页", "Next page"),
    ("no_results", "暂无内容。", "Nothing here yet."),
    ("budget", "预算（元）", "Budget (CNY)"),
    ("deadline", "截止日期", "Deadline"),
    ("posted_by", "发布单位", "Posted by"),
    ("demand_description", "需求描述", "Description"),
    ("status", "状态", "Status"),
    ("search", "搜索", "Search"),
    (
        "search_placeholder",
        "输入技术名称、关键词、专利号或 IPC 分类号，如：海水淡化、C02F 1/44",
        "Technology, keywords, patent number or IPC class, e.g. desalination, C02F 1/44",
    ),
    ("query_error", "搜索语句有误", "The query could not be read"),
    ("results_count", "共 {n} 条结果", "{n} results"),
    ("sort", "排序", "Sort"),
    ("sort_relevance", "相关度", "Relevance"),
    ("sort_newest", "最新", "Newest"),
    ("sort_price_asc", "价格从低到高", "Price, low to high"),
    ("sort_price_desc", "价格从高到低", "Price, high to low"),
    ("clear_filters", "清除筛选", "Clear filters"),
    ("facet_kind", "成果类型", "Kind"),
    ("facet_field", "产业领域", "Industry field"),
    ("facet_maturity", "成熟度", "Maturity"),
    ("facet_mode", "交易方式", "Transaction mode"),
    ("facet_region", "地区", "Region"),
    ("facet_organization", "持有单位", "Organization"),
    ("price_under_50w", "50万元以下", "Under ¥500k"),
    ("price_50w_200w", "50万–200万元", "¥500k–2M"),
    ("price_200w_1000w", "200万–1000万元", "¥2M–10M"),
    ("price_over_1000w", "1000万元以上", "Over ¥10M"),
    (
        "footer",
        "techex 开源软件 · 数据来源于中国科学文献（CSL）语料的演示数据",
        "techex open-source software · demo data drawn from the CSL Chinese scientific literature corpus",
    ),
];

/// The words of one language, keyed by name.
pub fn dictionary(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    WORDS.iter().map(|(key, zh, en)| (*key, if lang == Lang::Zh { *zh } else { *en })).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_known_language() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("fr-FR,en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
    }
}
