//! The signed-in workspace: my deals, the deal room (the joint channel and the caucus
//! channels told apart), offers with the diff of each counter-offer and the forms to
//! make, counter, accept, reject, confirm or withdraw them, my contracts, and a contract
//! with its signatures and milestones. Pages are rendered here from the same domain
//! functions the API uses; their forms act through the API (`web/static/workspace.js`)
//! with the browser session and its CSRF header, and show the API's validation errors
//! next to the fields.

use super::{Lang, labels, page_context, remember_language};
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery, MaybeUser};
use crate::i18n::dictionary;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use std::collections::BTreeMap;
use techex_contracts::contracts::ContractRole;
use techex_contracts::entities::contract;
use techex_core::PageRequest;
use techex_core::domain::{DealStatus, OfferStatus, Side};
use techex_listings::ListingsError;
use techex_negotiation::brokers::{self, BrokerFilter};
use techex_negotiation::deals::{self, DealFilter, Party};
use techex_negotiation::{offers, room};
use uuid::Uuid;

/// The words of the workspace pages, beside the site's dictionary.
const WORDS: &[(&str, &str, &str)] = &[
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
    ("seller", "卖方", "Seller"),
    ("buyer", "买方", "Buyer"),
    ("broker", "技术经纪人", "Broker"),
    ("my_role", "我的身份", "My role"),
    ("status", "状态", "Status"),
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
    ("reject", "拒绝", "Reject"),
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
    ("contract", "技术合同", "Technology contract"),
    ("contract_type", "合同类型", "Contract type"),
    ("document", "合同文本", "Contract text"),
    ("open_document", "阅读合同全文", "Read the full text"),
    ("version", "版本", "Version"),
    ("sha256", "文本哈希（SHA-256）", "Text hash (SHA-256)"),
    ("signatures", "签署", "Signatures"),
    ("signed_by", "签署人", "Signed by"),
    ("not_signed", "未签署", "Not signed"),
    ("sign", "签署合同", "Sign the contract"),
    ("sign_note", "签署即确认上述哈希所对应的合同文本。", "Signing confirms the contract text with the hash above."),
    ("precheck", "登记预审", "Registration pre-check"),
    ("precheck_ok", "未发现会导致登记退回的问题。", "Nothing found that would get the registration returned."),
    ("registration", "认定登记", "Registration"),
    ("registration_number", "登记编号", "Registration No."),
    ("registered_amount", "登记技术交易额", "Registered transaction amount"),
    ("tax_relief", "享受税收优惠", "Qualifies for tax relief"),
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
    ("yes", "是", "Yes"),
    ("no", "否", "No"),
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
];

fn words(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    let mut all = dictionary(lang);
    all.extend(WORDS.iter().map(|(key, zh, en)| (*key, if lang == Lang::Zh { *zh } else { *en })));
    all
}

fn workspace_labels(lang: Lang) -> minijinja::Value {
    let code = lang.code();
    let deal_status: BTreeMap<&str, &str> = DealStatus::ALL.iter().map(|s| (s.as_str(), s.label(code))).collect();
    let offer_status: BTreeMap<&str, &str> = OfferStatus::ALL.iter().map(|s| (s.as_str(), s.label(code))).collect();
    let sides: BTreeMap<&str, &str> = Side::ALL.iter().map(|s| (s.as_str(), s.label(code))).collect();
    context! { ..labels(lang), ..context! { deal_status => deal_status, offer_status => offer_status, sides => sides } }
}

fn sign_in(path: &str) -> Response {
    let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
    Redirect::to(&format!("/sign-in?next={next}")).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RoomQuery {
    lang: Option<String>,
    channel: Option<String>,
    role: Option<String>,
}

/// `/deals`: the deals the user takes part in.
pub(super) async fn my_deals(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Response> {
    let Some(actor) = user.actor() else { return Ok(sign_in("/deals")) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let role = query.role.filter(|r| matches!(r.as_str(), "seller" | "buyer" | "broker"));
    let filter = DealFilter { role: role.clone(), ..Default::default() };
    let found = deals::list(&state.db, actor, &filter, PageRequest { limit: 100, after: None }).await?;
    let ctx = context! {
        ..context! { t => words(page.lang) },
        ..page.base("/deals"),
        ..context! { deals => found.items, role => role, labels => workspace_labels(page.lang) }
    };
    Ok(remember_language(state.pages.render("my_deals.html", ctx), query.lang.as_deref()))
}

fn channels_of(role: Party) -> &'static [&'static str] {
    match role {
        Party::Seller => &["joint", "caucus_seller"],
        Party::Buyer => &["joint", "caucus_buyer"],
        Party::Broker => &["joint", "caucus_seller", "caucus_buyer"],
        Party::InvitedBroker | Party::Center => &[],
    }
}

/// `/deals/{id}`: the deal room.
pub(super) async fn deal_room(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Response> {
    let path = format!("/deals/{id}");
    let Some(actor) = user.actor() else { return Ok(sign_in(&path)) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let deal = match deals::get_view(&state.db, actor, id).await {
        Ok(deal) => deal,
        Err(ListingsError::NotFound(_)) => return Ok(super::not_found_page().into_response()),
        Err(other) => return Err(other.into()),
    };
    let channels = channels_of(deal.my_role);
    let channel = query
        .channel
        .as_deref()
        .and_then(|wanted| channels.iter().find(|c| **c == wanted))
        .or(channels.first())
        .copied();
    let messages = match channel {
        Some(channel) => {
            room::list(&state.db, actor, id, channel, PageRequest { limit: 200, after: None }).await?.items
        }
        None => Vec::new(),
    };
    let mut offer_rows = Vec::new();
    for offer in offers::list(&state.db, actor, id).await? {
        let changes = if offer.counters_id.is_some() {
            offers::diff_view(&state.db, actor, offer.id).await?.changes
        } else {
            Vec::new()
        };
        offer_rows.push(context! { offer => offer, changes => changes });
    }
    let contract_id =
        contract::Entity::find().filter(contract::Column::DealId.eq(id)).one(&state.db).await?.map(|c| c.id);
    let brokers = if deal.broker.is_none() && matches!(deal.my_role, Party::Seller | Party::Buyer) {
        brokers::list(&state.db, Some(actor), &BrokerFilter::default(), PageRequest { limit: 100, after: None })
            .await?
            .items
    } else {
        Vec::new()
    };
    let side = deal.my_role.side().map(|s| s.as_str());
    let subject_title = deal
        .achievement
        .as_ref()
        .or(deal.demand.as_ref())
        .and_then(|s| {
            let (first, second) =
                if page.lang == Lang::Zh { (&s.title_zh, &s.title_en) } else { (&s.title_en, &s.title_zh) };
            first.clone().or_else(|| second.clone())
        })
        .unwrap_or_else(|| words(page.lang).get("deal").copied().unwrap_or("Deal").to_string());
    let ctx = context! {
        ..context! { t => words(page.lang) },
        ..page.base(&path),
        ..context! {
            deal => deal,
            subject_title => subject_title,
            side => side,
            channels => channels,
            channel => channel,
            messages => messages,
            offers => offer_rows,
            contract_id => contract_id,
            brokers => brokers,
            labels => workspace_labels(page.lang),
            default_valid_until => (chrono::Utc::now() + chrono::Duration::days(14)).format("%Y-%m-%dT%H:%M").to_string(),
        }
    };
    Ok(remember_language(state.pages.render("deal_room.html", ctx), query.lang.as_deref()))
}

/// `/contracts`: the user's contracts (registrars: all).
pub(super) async fn my_contracts(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Response> {
    let Some(actor) = user.actor() else { return Ok(sign_in("/contracts")) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let found = techex_contracts::contracts::list(&state.db, actor, None).await?;
    let ctx = context! {
        ..context! { t => words(page.lang) },
        ..page.base("/contracts"),
        ..context! { contracts => found, labels => workspace_labels(page.lang) }
    };
    Ok(remember_language(state.pages.render("my_contracts.html", ctx), query.lang.as_deref()))
}

/// `/contracts/{id}`: a contract, its signatures, pre-check, registration and milestones.
pub(super) async fn contract_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Response> {
    let path = format!("/contracts/{id}");
    let Some(actor) = user.actor() else { return Ok(sign_in(&path)) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let view = match techex_contracts::contracts::get_view(&state.db, actor, id).await {
        Ok(view) => view,
        Err(ListingsError::NotFound(_)) => return Ok(super::not_found_page().into_response()),
        Err(other) => return Err(other.into()),
    };
    let mut payouts = BTreeMap::new();
    for ms in &view.milestones {
        payouts.insert(ms.id.to_string(), techex_payments::payouts::of_milestone(&state.db, ms.id).await?);
    }
    // The buyer pays the milestones in order, with Stripe.js, when the card form is configured.
    let card_form = state.payments.is_some() && state.config.stripe_publishable_key.is_some();
    let pay = view
        .milestones
        .iter()
        .find(|m| matches!(m.status.as_str(), "scheduled" | "payment_pending"))
        .filter(|_| card_form && view.my_role == ContractRole::Buyer)
        .filter(|_| matches!(view.status.as_str(), "registered" | "performing"))
        .cloned();
    let ctx = context! {
        ..context! { t => words(page.lang) },
        ..page.base(&path),
        ..context! {
            contract => view,
            payouts => payouts,
            labels => workspace_labels(page.lang),
            pay => pay,
            stripe_key => state.config.stripe_publishable_key.clone(),
            stripe_js_url => state.config.stripe_js_url.clone(),
        }
    };
    Ok(remember_language(state.pages.render("contract.html", ctx), query.lang.as_deref()))
}
