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
    ("skip_to_content", "跳到正文", "Skip to the content"),
    // Sign-in and sign-out.
    ("sign_in", "登录", "Sign in"),
    ("sign_out", "退出登录", "Sign out"),
    ("email", "电子邮箱", "E-mail"),
    ("password", "密码", "Password"),
    ("error_email_required", "请填写电子邮箱。", "Enter your e-mail address."),
    ("error_password_required", "请填写密码。", "Enter your password."),
    ("error_wrong_credentials", "电子邮箱或密码不正确。", "The e-mail or the password is wrong."),
    ("error_rate_limited", "尝试次数过多，请 {n} 分钟后再试。", "Too many attempts. Try again in {n} minutes."),
    (
        "error_form_expired",
        "表单已过期或来自其他网站，未执行任何操作。请重新提交。",
        "The form had expired or came from another site; nothing was done. Please submit it again.",
    ),
    ("back_home", "返回首页", "Back to the home page"),
    // Problem pages.
    ("problem_title_400", "请求有误", "Bad request"),
    ("problem_text_400", "请求无法识别，请检查后重试。", "The request could not be read; check it and try again."),
    ("problem_title_403", "无权访问", "Not allowed"),
    (
        "problem_text_403",
        "您的账号无权执行此操作，或表单已过期（未执行任何操作）。",
        "Your account may not do this, or the form had expired (nothing was done).",
    ),
    ("problem_title_404", "页面不存在", "Not found"),
    (
        "problem_text_404",
        "要查找的内容不存在或您无权查看。",
        "What you are looking for does not exist or is not visible to you.",
    ),
    ("problem_title_409", "当前状态不允许", "Not allowed in the current state"),
    ("problem_text_409", "该事项的状态已变化，请刷新后重试。", "The item's state has changed; reload and try again."),
    ("problem_title_412", "内容已被修改", "Changed meanwhile"),
    (
        "problem_text_412",
        "他人已修改了该事项，请刷新后重试。",
        "Someone changed the item meanwhile; reload and try again.",
    ),
    ("problem_title_422", "输入有误", "Invalid input"),
    ("problem_text_422", "请检查填写的内容。", "Check what you entered."),
    ("problem_title_429", "请求过于频繁", "Too many attempts"),
    ("problem_text_429", "请稍后再试。", "Please try again later."),
    ("problem_title_500", "系统错误", "Internal error"),
    (
        "problem_text_500",
        "系统出现错误，已记录，请稍后再试。",
        "Something went wrong on our side; it has been logged. Please try again later.",
    ),
    ("problem_title_503", "服务暂不可用", "Service unavailable"),
    (
        "problem_text_503",
        "服务暂时不可用，请稍后再试。",
        "The service is unavailable for a moment; please try again shortly.",
    ),
    // The center's desks.
    ("nav_review", "审核", "Review"),
    ("nav_registration", "合同登记", "Registration"),
    ("nav_stats", "统计", "Statistics"),
    ("review_queue", "待审核事项", "Review queue"),
    (
        "review_intro",
        "审核通过后成果或需求即对外发布；退回时须说明理由，理由将告知提交单位。",
        "Approving publishes the listing; rejecting needs a reason, which the submitting organization sees.",
    ),
    ("review_done_approved", "已审核通过并发布。", "Approved and published."),
    ("review_done_rejected", "已退回，理由已告知提交单位。", "Rejected; the reason was sent to the organization."),
    ("approve", "通过", "Approve"),
    ("reject", "退回", "Reject"),
    ("reject_reason", "退回理由", "Reason for rejecting"),
    ("submitted", "提交于", "submitted"),
    ("queue_empty", "暂无待办事项。", "Nothing is waiting."),
    ("error_reason_required", "请填写理由。", "Enter a reason."),
    ("error_reason_invalid", "理由不符合要求。", "The reason is not acceptable."),
    (
        "error_changed_meanwhile",
        "该事项已被他人修改，列表已刷新，请重新查看。",
        "Someone changed this item meanwhile; the list is refreshed, please look again.",
    ),
    ("error_not_allowed", "当前状态下不能执行此操作。", "This cannot be done in the item's current state."),
    ("registration_desk", "技术合同认定登记", "Technology contract registration"),
    (
        "registration_intro",
        "各方已签署的技术合同在此认定登记；登记号可用于享受技术交易税收优惠。未通过预审的合同不能登记，可退回各方修改。",
        "Contracts signed by every party are registered here; the registration number lets the parties claim the tax relief. A contract the pre-check refuses cannot be registered and can be returned to the parties.",
    ),
    ("registration_done_registered", "合同已登记。", "The contract is registered."),
    ("registration_done_returned", "合同已退回各方。", "The contract was returned to the parties."),
    ("contracts_waiting", "待登记合同", "Signed contracts awaiting registration"),
    ("contract", "合同", "Contract"),
    ("contract_type", "合同类型", "Contract type"),
    ("seller", "甲方（转让/许可方）", "Seller"),
    ("buyer", "乙方（受让/被许可方）", "Buyer"),
    ("broker", "技术经纪人", "Broker"),
    ("registered_amount", "登记技术交易额", "Registered amount"),
    ("tax_relief", "享受税收优惠", "Tax relief"),
    ("yes", "是", "Yes"),
    ("no", "否", "No"),
    ("signed_at", "签署日期", "Signed"),
    ("document", "合同文本", "Document"),
    ("open_document", "查看合同文本", "Open the contract"),
    ("precheck", "登记预审", "Pre-check"),
    ("precheck_clear", "预审通过，可以登记。", "The pre-check finds nothing; the contract can be registered."),
    ("severity_blocker", "阻止登记", "Blocks registration"),
    ("severity_warning", "提示", "Warning"),
    ("precheck_parties", "当事人信息不完整", "The parties are incomplete"),
    ("precheck_subject", "标的不明确", "The subject matter is unclear"),
    ("precheck_price", "价款条款有误", "The price terms are wrong"),
    ("precheck_rights", "权利归属条款有问题", "The rights clauses need attention"),
    ("precheck_restrictive_clause", "含有限制技术竞争的条款", "A clause restricts competition in technology"),
    ("precheck_signatures", "签署不完整", "Signatures are missing"),
    ("register", "登记", "Register"),
    ("register_blocked", "预审未通过，登记将被拒绝。", "The pre-check refuses this contract; registering will fail."),
    ("return_reason", "退回理由", "Reason for returning"),
    ("return_to_parties", "退回各方", "Return to the parties"),
    ("recently_registered", "最近登记的合同", "Recently registered"),
    ("registration_number", "登记号", "Registration No."),
    // The statistics dashboard.
    ("dashboard", "统计看板", "Statistics dashboard"),
    ("period", "统计期间", "Period"),
    ("period_from", "登记日期自", "Registered from"),
    ("period_to", "至", "to"),
    (
        "error_date_invalid",
        "请按 年-月-日 填写日期，如 2026-01-31。",
        "Enter a date as year-month-day, e.g. 2026-01-31.",
    ),
    ("error_date_order", "结束日期不能早于开始日期。", "The end date cannot be before the start date."),
    ("stat_contracts_registered", "登记合同数", "Contracts registered"),
    ("stat_registered_value", "登记技术交易额", "Registered contract value"),
    ("stat_median_days", "从意向到登记（中位天数）", "Inquiry to registration (median days)"),
    ("stat_month", "月份", "Month"),
    ("stat_deals", "项目数", "Deals"),
    ("chart_by_month", "各月登记技术交易额", "Registered contract value by month"),
    ("chart_by_field", "各产业领域登记技术交易额", "Registered contract value by industry field"),
    ("chart_deals_by_state", "各状态交易项目数", "Deals by state"),
    ("chart_data", "查看数据表", "Show the data table"),
    ("chart_desc", "共 {n} 项，最高为 {label}：{value}。", "{n} entries; the highest is {label}: {value}."),
    ("chart_empty", "所选期间暂无数据。", "No data for the period chosen."),
    ("broker_league", "技术经纪人排行榜", "Broker league table"),
    ("csv_exports", "导出 CSV", "CSV exports"),
    ("deal_state_inquiry", "意向洽谈", "Inquiry"),
    ("deal_state_brokered", "经纪人已接单", "Brokered"),
    ("deal_state_negotiating", "谈判中", "Negotiating"),
    ("deal_state_agreed", "已达成一致", "Agreed"),
    ("deal_state_contracted", "已签合同", "Contracted"),
    ("deal_state_cancelled", "已取消", "Cancelled"),
    ("deal_state_expired", "已过期", "Expired"),
    // The workspace: deals, the room, offers, contracts, payments.
    ("my_demands", "我的需求", "My demands"),
    ("nav_my_demands", "我的需求", "My demands"),
    ("my_alerts", "订阅与通知", "Alerts and notifications"),
    ("nav_my_alerts", "通知", "Notifications"),
    ("no_demands_yet", "还没有发布需求。", "No demands yet."),
    ("new_demand", "发布技术需求", "Post a technology demand"),
    ("budget_min", "预算下限（元）", "Budget from (yuan)"),
    ("budget_max", "预算上限（元）", "Budget up to (yuan)"),
    ("close_demand", "关闭需求", "Close the demand"),
    ("close_demand_confirm", "确定关闭该需求？", "Close this demand?"),
    ("saved_searches", "保存的检索", "Saved searches"),
    (
        "saved_searches_note",
        "开启提醒的检索，有新成果发布时会通知您。",
        "Searches with alerts notify you when new achievements match.",
    ),
    ("alerts_on", "提醒已开启", "alerts on"),
    ("delete", "删除", "Delete"),
    (
        "no_saved_searches",
        "还没有保存的检索。在检索页面可以保存。",
        "No saved searches yet; save one from the search page.",
    ),
    ("notifications", "通知", "Notifications"),
    ("open", "查看", "Open"),
    ("mark_read", "标为已读", "Mark as read"),
    ("no_notifications", "没有通知。", "No notifications."),
    ("save_search", "保存此检索并开启提醒", "Save this search with alerts"),
    ("search_name", "检索名称", "Name of the search"),
    ("answer_demand", "应答此需求", "Answer this demand"),
    ("answer_text", "应答说明（您可提供的成果与方案）", "Your answer (what you can offer)"),
    ("commission_rate", "佣金", "Commission"),
    ("payout_status_awaiting_account", "待登记收款账户", "awaiting a payout account"),
    ("payout_status_pending", "待转账", "queued"),
    ("payout_status_sent", "已转账", "paid out"),
    ("payout_status_failed", "转账被拒", "refused"),
    ("amend_contract", "修改合同", "Amend the contract"),
    (
        "amend_note",
        "签署前可修改；任何修改都会使已有签署作废。",
        "Amend before signing; any change voids the signatures given.",
    ),
    ("seller_representative", "甲方代表", "Seller's representative"),
    ("buyer_representative", "乙方代表", "Buyer's representative"),
    ("place_of_performance", "履行地点", "Place of performance"),
    ("change_note", "修改说明", "What changed"),
    ("save_amendment", "保存修改", "Save the amendment"),
    ("my_achievements", "我的成果", "My achievements"),
    ("nav_my_achievements", "我的成果", "My achievements"),
    ("new_achievement", "发布新成果", "List a new achievement"),
    ("edit_achievement", "编辑成果", "Edit the achievement"),
    ("incoming_inquiries", "收到的合作意向", "Incoming inquiries"),
    ("edit", "编辑", "Edit"),
    ("submit_for_review", "提交审核", "Submit for review"),
    ("withdraw_listing", "下架", "Withdraw"),
    ("withdraw_confirm", "确定下架该成果？", "Take this achievement off the market?"),
    ("no_achievements_yet", "还没有成果。", "No achievements yet."),
    ("title_zh", "中文名称", "Title in Chinese"),
    ("title_en", "英文名称", "Title in English"),
    ("summary_zh", "一句话简介", "One-line summary"),
    ("abstract_zh", "中文摘要（公开）", "Abstract in Chinese (public)"),
    ("abstract_en", "英文摘要（公开）", "Abstract in English (public)"),
    ("description_nda", "技术详情（签署保密协议后可见）", "Technical details (shown after the NDA)"),
    ("patent_granted", "已授权", "Granted"),
    ("list_hint", "多项用逗号或顿号分隔", "separate several with commas"),
    ("asking_price", "挂牌价（元）", "Asking price (yuan)"),
    ("floor_price", "底价（元，仅本单位可见）", "Floor price (yuan, seen only by your organization)"),
    ("save", "保存", "Save"),
    ("reject_offer", "拒绝", "Reject"),
    ("my_deals", "我的交易", "My deals"),
    ("my_contracts", "我的合同", "My contracts"),
    (
        "no_deals",
        "还没有交易。在成果页面提出意向，或在需求页面应答。",
        "No deals yet. Send an inquiry from an achievement, or answer a demand.",
    ),
    ("no_contracts", "还没有合同。", "No contracts yet."),
    ("deal", "交易", "Deal"),
    ("subject", "标的", "Subject"),
    ("my_role", "我的身份", "My role"),
    ("last_activity", "最近动态", "Last activity"),
    ("unread", "未读", "unread"),
    ("inquiry", "意向说明", "Inquiry"),
    ("room", "洽谈室", "Deal room"),
    ("channel_joint", "三方洽谈", "Joint channel"),
    ("channel_caucus_seller", "卖方私下沟通", "Seller caucus"),
    ("channel_caucus_buyer", "买方私下沟通", "Buyer caucus"),
    (
        "joint_note",
        "买方、卖方和经纪人都能看到本频道的消息。",
        "The buyer, the seller and the broker all see this channel.",
    ),
    (
        "caucus_note",
        "私下沟通：只有本方和经纪人能看到，对方看不到。",
        "Private caucus: only this side and the broker see it; the other side never does.",
    ),
    ("no_messages", "还没有消息。", "No messages yet."),
    ("message", "消息", "Message"),
    ("send", "发送", "Send"),
    ("offers", "报价", "Offers"),
    ("no_offers", "还没有报价。", "No offers yet."),
    ("offer_no", "报价", "Offer"),
    ("made_by", "提出方", "Made by"),
    ("via_broker", "经纪人代拟", "proposed by the broker"),
    ("valid_until", "有效期至", "Valid until"),
    ("changes", "相对上一报价的变化", "Changes from the offer it counters"),
    ("before", "原条款", "Before"),
    ("after", "新条款", "After"),
    ("accept", "接受", "Accept"),
    ("confirm", "确认", "Confirm"),
    ("withdraw", "撤回", "Withdraw"),
    ("counter", "还价", "Counter"),
    ("reason", "理由", "Reason"),
    ("optional", "选填", "optional"),
    ("new_offer", "提出报价", "Make an offer"),
    ("mode", "交易方式", "Mode"),
    ("lump_sum", "总价（元）", "Lump sum (yuan)"),
    ("royalty_percent", "销售提成（%）", "Royalty on sales (%)"),
    ("royalty_minimum", "每年最低提成（元）", "Minimum royalty per year (yuan)"),
    ("equity_percent", "作价入股比例（%）", "Equity share (%)"),
    ("milestones", "付款节点", "Payment milestones"),
    ("milestone_title", "节点名称", "Milestone"),
    ("amount_yuan", "金额（元）", "Amount (yuan)"),
    ("due_days", "签约后天数", "Days after signing"),
    ("territory", "实施地域", "Territory"),
    ("term_years", "期限（年）", "Term (years)"),
    ("exclusive", "独占", "Exclusive"),
    ("improvements", "后续改进成果归属", "Improvements belong to"),
    ("improvements_each_own", "各自所有", "Each party, its own"),
    ("improvements_seller", "卖方", "The seller"),
    ("improvements_buyer", "买方", "The buyer"),
    ("improvements_joint", "双方共有", "Both, jointly"),
    ("notes", "其他约定", "Other terms"),
    ("on_behalf_of", "代哪一方提出", "On behalf of"),
    ("submit_offer", "提交报价", "Submit the offer"),
    ("agreement", "已达成的协议", "The agreement"),
    ("draft_contract", "起草技术合同", "Draft the technology contract"),
    ("open_contract", "查看合同", "Open the contract"),
    ("invite_broker", "邀请技术经纪人", "Invite a broker"),
    ("commission_percent", "佣金（%）", "Commission (%)"),
    ("invite", "邀请", "Invite"),
    ("broker_invited", "已邀请，待经纪人答复", "Invited; waiting for the broker's answer"),
    ("accept_mediation", "接受居间", "Accept to mediate"),
    ("decline", "谢绝", "Decline"),
    ("cancel_deal", "取消交易", "Cancel the deal"),
    ("version", "版本", "Version"),
    ("sha256", "文本哈希（SHA-256）", "Text hash (SHA-256)"),
    ("signatures", "签署", "Signatures"),
    ("signed_by", "签署人", "Signed by"),
    ("not_signed", "未签署", "Not signed"),
    ("sign", "签署合同", "Sign the contract"),
    ("sign_note", "签署即确认上述哈希所对应的合同文本。", "Signing confirms the contract text with the hash above."),
    ("precheck_ok", "未发现会导致登记退回的问题。", "Nothing found that would get the registration returned."),
    ("registration", "认定登记", "Registration"),
    ("returned", "登记退回", "Returned"),
    ("due_date", "到期日", "Due"),
    ("acceptance", "验收标准", "Acceptance criteria"),
    ("payouts", "分账", "Payouts"),
    ("accept_milestone", "验收通过", "Accept the delivery"),
    ("reject_milestone", "验收不通过并退款", "Reject and refund"),
    ("pay_milestone", "支付节点款", "Pay milestone"),
    ("card", "银行卡", "Card"),
    ("pay_now", "立即支付", "Pay"),
    ("paying", "正在支付……", "Paying…"),
    (
        "payment_waiting",
        "支付已提交，等待支付机构确认。",
        "Payment submitted; waiting for the provider's confirmation.",
    ),
    ("payment_declined", "支付未成功，请换一张卡再试。", "The payment did not go through; try another card."),
    ("amount", "金额", "Amount"),
    ("milestone_status_scheduled", "待付款", "Scheduled"),
    ("milestone_status_payment_pending", "付款中", "Payment pending"),
    ("milestone_status_paid", "已付款（平台托管）", "Paid (held in escrow)"),
    ("milestone_status_accepted", "已验收", "Accepted"),
    ("milestone_status_refunded", "已退款", "Refunded"),
    ("contract_status_draft", "草稿", "Draft"),
    ("contract_status_signing", "签署中", "Being signed"),
    ("contract_status_signed", "已签署，待登记", "Signed, awaiting registration"),
    ("contract_status_registered", "已登记", "Registered"),
    ("contract_status_returned", "登记退回", "Returned"),
    ("contract_status_performing", "履行中", "Performing"),
    ("contract_status_completed", "已履行完毕", "Completed"),
    ("role_seller", "卖方", "Seller"),
    ("role_buyer", "买方", "Buyer"),
    ("role_broker", "经纪人", "Broker"),
    ("role_invited_broker", "受邀经纪人", "Invited broker"),
    ("role_center", "交易中心", "Center"),
    ("role_registrar", "登记员", "Registrar"),
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

    #[test]
    fn every_word_has_both_languages_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (key, zh, en) in WORDS {
            assert!(seen.insert(*key), "{key} is defined twice");
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{key} lacks a language");
        }
    }
}
