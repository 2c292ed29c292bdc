//! The pages of public bidding (挂牌竞价): the auctions open, upcoming and closed, and one
//! auction with its bid history and, for a verified buying organization, the bid form.
//! The form posts to the JSON API (`web/static/workspace.js`); `web/static/auction.js`
//! polls the API so the price, the history and the time left move without a reload.

use super::{LangQuery, counted, labels, not_found_page, page_context, remember_language};
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery, MaybeUser};
use crate::i18n::{Lang, dictionary};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use minijinja::context;
use techex_core::domain::{AuctionStatus, OrgKind};
use techex_core::{Actor, PageRequest, Role};
use techex_negotiation::auctions::{self, AuctionFilter, AuctionView};
use uuid::Uuid;

/// How many auctions each section of the list shows.
const SECTION_SIZE: u64 = 30;

async fn section(state: &AppState, actor: Option<&Actor>, status: AuctionStatus) -> ApiResult<Vec<AuctionView>> {
    let filter = AuctionFilter { status: Some(status), achievement_id: None };
    Ok(auctions::list(&state.db, actor, &filter, PageRequest { limit: SECTION_SIZE, after: None }).await?.items)
}

/// `GET /auctions`
pub(super) async fn auction_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let actor = user.actor();
    // An open auction whose close has passed is settled before it is listed anywhere.
    let now = Utc::now();
    for due in section(&state, actor, AuctionStatus::Open).await?.iter().filter(|a| a.closes_at <= now) {
        techex_negotiation::auctions::settle_if_due(&state.db, due.id, chrono::Utc::now()).await?;
    }
    let open = section(&state, actor, AuctionStatus::Open).await?;
    let upcoming = section(&state, actor, AuctionStatus::Scheduled).await?;
    let mut closed = section(&state, actor, AuctionStatus::Closed).await?;
    closed.extend(section(&state, actor, AuctionStatus::Unsold).await?);
    closed.sort_by_key(|a| std::cmp::Reverse(a.closed_at.unwrap_or(a.closes_at)));
    closed.truncate(SECTION_SIZE as usize);
    let ctx = context! {
        ..page.base("/auctions"),
        ..context! {
            open => open,
            upcoming => upcoming,
            closed => closed,
            labels => labels(page.lang),
            auction_status => status_names(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("auctions.html", ctx), query.lang.as_deref()))
}

/// Why the viewer may not bid, as a dictionary key; `None` when they may.
fn bid_refusal(actor: Option<&Actor>, view: &AuctionView) -> Option<&'static str> {
    if view.status != AuctionStatus::Open {
        return Some("bid_not_open");
    }
    let Some(actor) = actor else {
        return Some("bid_sign_in");
    };
    if actor.belongs_to(view.seller.id) {
        return Some("bid_own_auction");
    }
    if actor.organization_kind == OrgKind::Center || !(actor.has(Role::Member) || actor.has(Role::OrgAdmin)) {
        return Some("bid_buyers_only");
    }
    if !actor.organization_verified {
        return Some("bid_unverified");
    }
    None
}

/// `GET /auctions/{id}`
pub(super) async fn auction_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let page = page_context(&headers, query.lang.as_deref(), &user);
    techex_negotiation::auctions::settle_if_due(&state.db, id, chrono::Utc::now()).await?;
    let view = match auctions::get_view(&state.db, user.actor(), id).await {
        Ok(view) => view,
        Err(techex_listings::ListingsError::NotFound(_)) => return Ok(not_found_page().into_response()),
        Err(error) => return Err(error.into()),
    };
    let bids = auctions::bids(&state.db, user.actor(), id).await?;
    let now = Utc::now();
    let seconds_left = match view.status {
        AuctionStatus::Open => (view.closes_at - now).num_seconds().max(0),
        AuctionStatus::Scheduled => (view.opens_at - now).num_seconds().max(0),
        _ => 0,
    };
    let refusal = bid_refusal(user.actor(), &view);
    let ctx = context! {
        ..page.base(&format!("/auctions/{id}")),
        ..context! {
            a => view,
            bids => bids,
            can_bid => refusal.is_none(),
            refusal => refusal,
            seconds_left => seconds_left,
            time_left => time_left_words(page.lang, seconds_left),
            extension_rule => extension_rule(page.lang, &view),
            labels => labels(page.lang),
            auction_status => status_names(page.lang),
        }
    };
    Ok(remember_language(state.pages.render("auction.html", ctx), query.lang.as_deref()))
}

/// The auction statuses by code, in the page's language.
pub(super) fn status_names(lang: Lang) -> minijinja::Value {
    super::OrderedNames::value(AuctionStatus::ALL.iter().map(|s| (s.as_str(), s.label(lang.code()))))
}

/// A length of time in the largest whole unit: "5 分钟", "90 seconds", "1 hour".
fn duration_words(lang: Lang, seconds: i64) -> String {
    if seconds > 0 && seconds % 3600 == 0 {
        return counted(lang, "duration_hours", seconds / 3600);
    }
    if seconds > 0 && seconds % 60 == 0 {
        return counted(lang, "duration_minutes", seconds / 60);
    }
    counted(lang, "duration_seconds", seconds)
}

/// "A bid in the last 5 minutes extends the close to 5 minutes after the bid."
fn extension_rule(lang: Lang, view: &AuctionView) -> String {
    let words = dictionary(lang);
    if view.extension_window_secs <= 0 || view.extension_secs <= 0 {
        return words.get("extension_none").copied().unwrap_or_default().to_string();
    }
    words
        .get("extension_rule")
        .copied()
        .unwrap_or_default()
        .replace("{window}", &duration_words(lang, i64::from(view.extension_window_secs)))
        .replace("{extension}", &duration_words(lang, i64::from(view.extension_secs)))
}

/// The time left as the page first shows it (the script counts down from there):
/// "2 天 03:04:05", "2 d 03:04:05", "00:04:59".
pub(super) fn time_left_words(lang: Lang, seconds: i64) -> String {
    let clock = format!("{:02}:{:02}:{:02}", (seconds % 86_400) / 3600, (seconds % 3600) / 60, seconds % 60);
    let days = seconds / 86_400;
    if days == 0 {
        return clock;
    }
    format!("{} {clock}", counted(lang, "days_left", days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_time_left_read_as_words() {
        assert_eq!(duration_words(Lang::En, 300), "5 minutes");
        assert_eq!(duration_words(Lang::En, 60), "1 minute");
        assert_eq!(duration_words(Lang::Zh, 90), "90 秒");
        assert_eq!(duration_words(Lang::En, 7200), "2 hours");
        assert_eq!(time_left_words(Lang::En, 299), "00:04:59");
        assert_eq!(time_left_words(Lang::Zh, 2 * 86_400 + 3 * 3600 + 4 * 60 + 5), "2 天 03:04:05");
        assert_eq!(time_left_words(Lang::En, 86_400), "1 day 00:00:00");
    }
}
