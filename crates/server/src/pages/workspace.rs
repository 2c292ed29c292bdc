//! The signed-in workspace: my deals, the deal room (the joint channel and the caucus
//! channels told apart), offers with the diff of each counter-offer and the forms to
//! make, counter, accept, reject, confirm or withdraw them, my contracts, and a contract
//! with its signatures and milestones. Pages are rendered here from the same domain
//! functions the API uses; their forms act through the API (`web/static/workspace.js`)
//! with the browser session and its CSRF header, and show the API's validation errors
//! next to the fields.

use super::guard::sign_in_redirect;
use super::{Lang, labels, page_context, remember_language};
use crate::error::ApiResult;
use crate::extract::{ApiQuery, MaybeUser};
use crate::i18n::dictionary;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use std::collections::BTreeMap;
use techex_contracts::contracts::ContractRole;
use techex_contracts::entities::contract;
use techex_core::PageRequest;
use techex_core::domain::{AchievementStatus, DealStatus, DemandStatus, OfferStatus, Side};
use techex_listings::ListingsError;
use techex_listings::achievements::{self, AchievementFilter};
use techex_negotiation::brokers::{self, BrokerFilter};
use techex_negotiation::deals::{self, DealFilter, Party};
use techex_negotiation::{offers, room};
use uuid::Uuid;

/// The achievement states by code, in the page's language.
pub(super) fn achievement_status_labels(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    AchievementStatus::ALL.iter().map(|s| (s.as_str(), s.label(lang.code()))).collect()
}

fn workspace_labels(lang: Lang) -> minijinja::Value {
    let code = lang.code();
    let deal_status: BTreeMap<&str, &str> = DealStatus::ALL.iter().map(|s| (s.as_str(), s.label(code))).collect();
    let offer_status: BTreeMap<&str, &str> = OfferStatus::ALL.iter().map(|s| (s.as_str(), s.label(code))).collect();
    let sides: BTreeMap<&str, &str> = Side::ALL.iter().map(|s| (s.as_str(), s.label(code))).collect();
    context! {
        ..labels(lang),
        ..context! {
            deal_status => deal_status,
            offer_status => offer_status,
            sides => sides,
        }
    }
}

/// A term's value as people read it: money in yuan, rates in percent, the schedule as its
/// payments, codes by their labels; "—" for nothing.
fn display_term(field: &str, value: &serde_json::Value, lang: Lang) -> String {
    use serde_json::Value;
    let yuan = |minor: i64| format!("¥{}", super::format_money(minor));
    match value {
        Value::Null => "—".into(),
        Value::Number(n) if field.ends_with("_minor") => n.as_i64().map(yuan).unwrap_or_else(|| n.to_string()),
        Value::Number(n) if field.ends_with("_bps") => {
            n.as_i64().map(|bps| format!("{}%", bps as f64 / 100.0)).unwrap_or_else(|| n.to_string())
        }
        Value::Bool(b) => {
            let (yes, no) = if lang == Lang::Zh { ("是", "否") } else { ("yes", "no") };
            (if *b { yes } else { no }).into()
        }
        Value::String(s) if field == "mode" => techex_core::domain::TransactionMode::parse(s)
            .map(|m| m.label(lang.code()).to_string())
            .unwrap_or_else(|_| s.clone()),
        Value::String(s) if field == "currency" => dictionary(lang)
            .get(format!("currency_{}", s.to_lowercase()).as_str())
            .map_or_else(|| s.clone(), |w| (*w).to_string()),
        Value::String(s) if field == "royalty_base" => {
            dictionary(lang).get(format!("royalty_of_{s}").as_str()).map_or_else(|| s.clone(), |w| (*w).to_string())
        }
        Value::String(s) if field == "improvements" => {
            dictionary(lang).get(format!("improvements_{s}").as_str()).map_or_else(|| s.clone(), |w| (*w).to_string())
        }
        Value::String(s) => s.clone(),
        Value::Array(items) if field == "milestones" => items
            .iter()
            .map(|m| {
                let title = m["title"].as_str().unwrap_or("");
                let amount = m["amount_minor"].as_i64().map(yuan).unwrap_or_default();
                let days = m["due_days_after_signing"].as_i64().unwrap_or(0);
                let due = super::due_days_words(lang, days);
                match m["acceptance_criteria"].as_str() {
                    Some(criteria) => {
                        let label = dictionary(lang).get("acceptance").copied().unwrap_or_default();
                        format!("{title} {amount} {due} ({label}: {criteria})")
                    }
                    None => format!("{title} {amount} {due}"),
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
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
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect("/deals")) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let role = query.role.filter(|r| matches!(r.as_str(), "seller" | "buyer" | "broker"));
    let filter = DealFilter { role: role.clone(), ..Default::default() };
    let found = deals::list(&state.db, actor, &filter, PageRequest { limit: 100, after: None }).await?;
    let ctx = context! {
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
    axum::extract::Path(raw): axum::extract::Path<String>,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Response> {
    // A malformed id is a page that does not exist, like any other.
    let Ok(id) = Uuid::parse_str(&raw) else { return Ok(super::not_found_page().into_response()) };
    let path = format!("/deals/{id}");
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect(&path)) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let deal = match deals::get_view(&state.db, actor, id).await {
        Ok(deal) => deal,
        Err(ListingsError::NotFound(_)) => return Ok(super::not_found_page().into_response()),
        Err(other) => return Err(other.into()),
    };
    // The caucuses open once a broker has accepted to mediate.
    let mediated = deal.broker.as_ref().is_some_and(|b| b.status == "accepted");
    let all = channels_of(deal.my_role);
    let channels = if mediated { all } else { &all[..all.len().min(1)] };
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
    // An invited broker sees the brief only, until accepting to mediate.
    let visible_offers =
        if deal.my_role == Party::InvitedBroker { Vec::new() } else { offers::list(&state.db, actor, id).await? };
    for offer in visible_offers {
        let changes: Vec<minijinja::Value> = if offer.counters_id.is_some() {
            offers::diff_view(&state.db, actor, offer.id)
                .await?
                .changes
                .iter()
                .map(|c| {
                    context! {
                        field => c.field.clone(),
                        before => display_term(&c.field, &c.before, page.lang),
                        after => display_term(&c.field, &c.after, page.lang),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        offer_rows.push(context! { offer => offer, changes => changes });
    }
    let contract_id =
        contract::Entity::find().filter(contract::Column::DealId.eq(id)).one(&state.db).await?.map(|c| c.id);
    // A party may invite a broker while none is invited or the one invited declined.
    let may_invite = deal.broker.as_ref().is_none_or(|b| b.status == "declined");
    let brokers = if may_invite && matches!(deal.my_role, Party::Seller | Party::Buyer) {
        invitable_brokers(&state, actor).await?
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
        .unwrap_or_else(|| dictionary(page.lang).get("deal").copied().unwrap_or("Deal").to_string());
    let ctx = context! {
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
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect("/contracts")) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let found = techex_contracts::contracts::list(&state.db, actor, None).await?;
    let ctx = context! {
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
    axum::extract::Path(raw): axum::extract::Path<String>,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Response> {
    // A malformed id is a page that does not exist, like any other.
    let Ok(id) = Uuid::parse_str(&raw) else { return Ok(super::not_found_page().into_response()) };
    let path = format!("/contracts/{id}");
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect(&path)) };
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
    let due = view
        .milestones
        .iter()
        .find(|m| matches!(m.status.as_str(), "scheduled" | "payment_pending"))
        .filter(|_| view.my_role == ContractRole::Buyer)
        .filter(|_| matches!(view.status.as_str(), "registered" | "performing"))
        .cloned();
    // Without Stripe keys the buyer is told why there is no card form, not left guessing.
    let payments_unconfigured = due.is_some() && !card_form;
    let pay = due.filter(|_| card_form);
    // A running royalty: the reports, the next period, and the forms for each side.
    let royalties = match techex_contracts::royalties::overview(&state.db, actor, id).await {
        Ok(overview) => Some(overview),
        Err(ListingsError::InvalidTransition { .. }) => None,
        Err(other) => return Err(other.into()),
    };
    let ctx = context! {
        ..page.base(&path),
        ..context! {
            royalties => royalties,
            today => chrono::Utc::now().date_naive().to_string(),
            contract => view,
            payouts => payouts,
            labels => workspace_labels(page.lang),
            pay => pay,
            payments_unconfigured => payments_unconfigured,
            stripe_key => state.config.stripe_publishable_key.clone(),
            stripe_js_url => state.config.stripe_js_url.clone(),
        }
    };
    Ok(remember_language(state.pages.render("contract.html", ctx), query.lang.as_deref()))
}

/// `/my/achievements`: the organization's achievements in every state, with submit and
/// withdraw, and links to edit them and to the inquiries they drew.
pub(super) async fn my_achievements(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Response> {
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect("/my/achievements")) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let filter = AchievementFilter { owner: Some("mine".into()), ..Default::default() };
    let found = achievements::list(&state.db, Some(actor), &filter, PageRequest { limit: 200, after: None }).await?;
    let (field_names, _) = super::field_and_region_names(&state, page.lang).await?;
    let ctx = context! {
        ..page.base("/my/achievements"),
        ..context! { items => found.items, field_names => field_names, labels => workspace_labels(page.lang) }
    };
    Ok(remember_language(state.pages.render("my_achievements.html", ctx), query.lang.as_deref()))
}

async fn achievement_form(
    state: &AppState,
    headers: &HeaderMap,
    user: &MaybeUser,
    lang: Option<&str>,
    path: &str,
    existing: Option<techex_listings::achievements::AchievementView>,
) -> ApiResult<Response> {
    let page = page_context(headers, lang, user);
    let (fields, regions) = super::field_and_region_options(state, page.lang).await?;
    let organization_region = user.0.as_ref().map(|u| u.organization.region.clone());
    let documents = match &existing {
        Some(view) => techex_listings::documents::list(&state.db, user.actor(), view.id).await?,
        None => Vec::new(),
    };
    let ctx = context! {
        ..page.base(path),
        ..context! {
            a => existing,
            documents => documents,
            fields => fields,
            regions => regions,
            default_region => organization_region,
            labels => workspace_labels(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("achievement_form.html", ctx), lang))
}

/// `/my/achievements/new`: the form of a new achievement (saved as a draft).
pub(super) async fn new_achievement(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Response> {
    if user.actor().is_none() {
        return Ok(sign_in_redirect("/my/achievements/new"));
    }
    achievement_form(&state, &headers, &user, query.lang.as_deref(), "/my/achievements/new", None).await
}

/// `/my/achievements/{id}/edit`: the form of an achievement of the organization.
pub(super) async fn edit_achievement(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    axum::extract::Path(raw): axum::extract::Path<String>,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Response> {
    // A malformed id is a page that does not exist, like any other.
    let Ok(id) = Uuid::parse_str(&raw) else { return Ok(super::not_found_page().into_response()) };
    let path = format!("/my/achievements/{id}/edit");
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect(&path)) };
    let view = match achievements::get_view(&state.db, Some(actor), id).await {
        Ok(view) if view.access.owner => view,
        Ok(_) | Err(ListingsError::NotFound(_)) => return Ok(super::not_found_page().into_response()),
        Err(other) => return Err(other.into()),
    };
    achievement_form(&state, &headers, &user, query.lang.as_deref(), &path, Some(view)).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct DemandsQuery {
    lang: Option<String>,
    /// A draft or rejected demand of the organization to edit in the form.
    edit: Option<String>,
}

/// `/my/demands`: the organization's technology demands in every state, with submit and
/// close, and the form of a new one, or of the draft or rejected one `?edit=` names.
pub(super) async fn my_demands(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<DemandsQuery>,
) -> ApiResult<Response> {
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect("/my/demands")) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let filter = techex_listings::demands::DemandFilter { owner: Some("mine".into()), ..Default::default() };
    let found =
        techex_listings::demands::list(&state.db, Some(actor), &filter, PageRequest { limit: 200, after: None })
            .await?;
    // Only what the API lets the organization edit; anything else leaves the new form.
    let editing = match query.edit.as_deref().and_then(|raw| Uuid::parse_str(raw).ok()) {
        Some(id) => match techex_listings::demands::get_view(&state.db, Some(actor), id).await {
            Ok(view) => Some(view).filter(|v| {
                v.owner.id == actor.organization_id && matches!(v.status, DemandStatus::Draft | DemandStatus::Rejected)
            }),
            Err(ListingsError::NotFound(_)) => None,
            Err(other) => return Err(other.into()),
        },
        None => None,
    };
    let (fields, regions) = super::field_and_region_options(&state, page.lang).await?;
    let ctx = context! {
        ..page.base("/my/demands"),
        ..context! {
            items => found.items,
            editing => editing,
            fields => fields,
            regions => regions,
            default_region => user.0.as_ref().map(|u| u.organization.region.clone()),
            labels => workspace_labels(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("my_demands.html", ctx), query.lang.as_deref()))
}

/// `/my/alerts`: saved searches (with their alerts) and notifications.
pub(super) async fn my_alerts(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Response> {
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect("/my/alerts")) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let searches = techex_search::saved::list(&state.db, actor).await?;
    let searches: Vec<minijinja::Value> = searches
        .into_iter()
        .map(|s| {
            let link = serde_urlencoded::to_string(&s.params).unwrap_or_default();
            context! { search => s, link => format!("/search?{link}") }
        })
        .collect();
    let notes =
        techex_listings::notifications::list(&state.db, actor, false, PageRequest { limit: 100, after: None }).await?;
    let email_notifications = user.0.as_ref().is_some_and(|u| u.user.email_notifications);
    let ctx = context! {
        ..page.base("/my/alerts"),
        ..context! {
            searches => searches,
            notifications => crate::notices::all_worded(notes.items, page.lang),
            email_notifications => email_notifications,
            mail_enabled => state.config.smtp_url.is_some(),
        }
    };
    Ok(remember_language(state.pages.render("my_alerts.html", ctx), query.lang.as_deref()))
}

/// The brokers a party may invite: certified, active and with a certificate in date (an
/// invitation of any other is refused).
pub(super) async fn invitable_brokers(
    state: &AppState,
    actor: &techex_core::Actor,
) -> ApiResult<Vec<techex_negotiation::brokers::BrokerView>> {
    Ok(brokers::list(&state.db, Some(actor), &BrokerFilter::default(), PageRequest { limit: 100, after: None })
        .await?
        .items
        .into_iter()
        .filter(|b| !b.certificate_expired)
        .collect())
}
