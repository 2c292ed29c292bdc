//! `/dashboard`: where a signed-in user starts. What waits for the user — offers to
//! answer, proposals to confirm, invitations to mediate, new inquiries, contracts to
//! draft, sign or answer, milestones to pay or accept — each with a link to the page
//! where it is done; the user's listings, deals and contracts in figures; and, for the
//! center's staff, the queues of their desks and this year's registered contracts.
//! Everything is read through the same domain functions as the API, with the user's
//! rights, so nobody sees another organization's work here.

use super::guard::sign_in_redirect;
use super::{Lang, LangQuery, page_context, remember_language};
use crate::error::ApiResult;
use crate::extract::{ApiQuery, MaybeUser};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, Utc};
use minijinja::context;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use std::collections::BTreeMap;
use techex_contracts::contracts::{self, ContractRole, ContractView};
use techex_contracts::entities::contract;
use techex_contracts::lifecycle::overdue_past_cure;
use techex_contracts::stats::{self, Grouping, Period};
use techex_core::domain::{AchievementStatus, DealStatus, MilestoneStatus, OfferStatus};
use techex_core::{Actor, PageRequest};
use techex_listings::achievements::{self, AchievementFilter};
use techex_listings::entities::{achievement, demand};
use techex_listings::notifications;
use techex_negotiation::deals::{self, DealFilter, DealView, Party};
use techex_negotiation::offers;

/// How many days before its due date the next milestone appears among the buyer's tasks.
const PAY_AHEAD_DAYS: i64 = 14;

/// One thing waiting for the user.
#[derive(Debug, Serialize)]
struct Task {
    /// The dictionary key of what is to be done (`todo_answer_offer`, …).
    what: &'static str,
    /// What it is about, in the page's language.
    subject: String,
    href: String,
    /// A figure to show beside it (an amount in yuan), if any.
    amount_minor: Option<i64>,
}

fn title_of(lang: Lang, zh: &Option<String>, en: &Option<String>) -> Option<String> {
    let (first, second) = if lang == Lang::Zh { (zh, en) } else { (en, zh) };
    first.clone().or_else(|| second.clone())
}

fn deal_subject(deal: &DealView, lang: Lang) -> String {
    deal.achievement
        .as_ref()
        .or(deal.demand.as_ref())
        .and_then(|s| title_of(lang, &s.title_zh, &s.title_en))
        .unwrap_or_else(|| format!("{} ⇄ {}", deal.seller.name, deal.buyer.name))
}

/// The deals' tasks: invitations to mediate, new inquiries, offers to answer, broker
/// proposals to confirm, agreements to turn into a contract.
async fn deal_tasks(
    state: &AppState,
    actor: &Actor,
    deals: &[DealView],
    contracted: &std::collections::HashSet<uuid::Uuid>,
    lang: Lang,
) -> ApiResult<Vec<Task>> {
    let mut tasks = Vec::new();
    for deal in deals {
        let href = format!("/deals/{}", deal.id);
        let subject = deal_subject(deal, lang);
        let task = |what: &'static str| Task { what, subject: subject.clone(), href: href.clone(), amount_minor: None };
        if deal.my_role == Party::InvitedBroker && deal.status.is_open() {
            tasks.push(task("todo_mediate"));
            continue;
        }
        if deal.status == DealStatus::Agreed && !contracted.contains(&deal.id) {
            tasks.push(task("todo_draft_contract"));
            continue;
        }
        if !deal.status.is_open() {
            continue;
        }
        if deal.status == DealStatus::Inquiry && deal.my_role == Party::Seller {
            tasks.push(task("todo_inquiry"));
        }
        let Some(side) = deal.my_role.side() else { continue };
        for offer in offers::list(&state.db, actor, deal.id).await? {
            let what = match offer.status {
                OfferStatus::Pending if offer.side != side => "todo_answer_offer",
                OfferStatus::Proposed if offer.side == side => "todo_confirm_proposal",
                _ => continue,
            };
            tasks.push(Task { amount_minor: offer.terms.lump_sum_minor, ..task(what) });
        }
    }
    Ok(tasks)
}

/// The contracts' tasks: sign, answer a termination, pay the next milestone, accept a
/// paid one, fix a returned contract, and (the seller) a payment overdue past the cure
/// period, which entitles the seller to terminate by notice.
fn contract_tasks(contracts: &[ContractView], lang: Lang) -> Vec<Task> {
    let today = Utc::now().date_naive();
    let mut tasks = Vec::new();
    for c in contracts {
        let href = format!("/contracts/{}", c.id);
        let subject = if lang == Lang::Zh { c.title_zh.clone() } else { c.title_en.clone() };
        let task = |what: &'static str, amount_minor: Option<i64>| Task {
            what,
            subject: subject.clone(),
            href: href.clone(),
            amount_minor,
        };
        let party = match c.my_role {
            ContractRole::Seller => "seller",
            ContractRole::Buyer => "buyer",
            ContractRole::Broker => "broker",
            ContractRole::Registrar => continue,
        };
        match c.status.as_str() {
            "draft" | "signing"
                if c.required_signatures.iter().any(|p| p == party)
                    && !c.signatures.iter().any(|s| s.party == party) =>
            {
                tasks.push(task("todo_sign", None));
            }
            "returned" => tasks.push(task("todo_returned", None)),
            "registered" | "performing" => {
                if c.termination_proposed_by.as_deref().is_some_and(|by| by != party)
                    && matches!(c.my_role, ContractRole::Seller | ContractRole::Buyer)
                {
                    tasks.push(task("todo_termination", None));
                }
                let cure = c.content.clauses.cure_period_days;
                let overdue = c.milestones.iter().find(|m| {
                    m.status == MilestoneStatus::Scheduled.as_str() && overdue_past_cure(m.due_date, today, cure)
                });
                if let (ContractRole::Seller, Some(m)) = (c.my_role, overdue) {
                    tasks.push(task("todo_overdue_payment", Some(m.amount_minor)));
                }
                if c.my_role == ContractRole::Buyer {
                    if let Some(m) = c.milestones.iter().find(|m| m.status == "paid") {
                        tasks.push(task("todo_accept_milestone", Some(m.amount_minor)));
                    } else if let Some(m) = c
                        .milestones
                        .iter()
                        .find(|m| matches!(m.status.as_str(), "scheduled" | "payment_pending"))
                        .filter(|m| m.due_date.is_none_or(|due| due <= today + chrono::Duration::days(PAY_AHEAD_DAYS)))
                    {
                        tasks.push(task("todo_pay_milestone", Some(m.amount_minor)));
                    }
                }
            }
            _ => {}
        }
    }
    tasks
}

/// `/dashboard`.
pub(super) async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> ApiResult<Response> {
    let Some(actor) = user.actor() else { return Ok(sign_in_redirect("/dashboard")) };
    let page = page_context(&headers, query.lang.as_deref(), &user);
    let lang = page.lang;

    let my_deals =
        deals::list(&state.db, actor, &DealFilter::default(), PageRequest { limit: 100, after: None }).await?.items;
    // Registrars and platform admins list every contract; the dashboard shows a user's own.
    let my_contracts: Vec<ContractView> = contracts::list(&state.db, actor, None)
        .await?
        .into_iter()
        .filter(|c| c.my_role != ContractRole::Registrar)
        .collect();
    let contracted = my_contracts.iter().map(|c| c.deal_id).collect();
    // Platform admins see every deal through the API; their own work is the center's.
    let own_deals: Vec<DealView> = my_deals.into_iter().filter(|d| d.my_role != Party::Center).collect();
    let mut tasks = contract_tasks(&my_contracts, lang);
    tasks.extend(deal_tasks(&state, actor, &own_deals, &contracted, lang).await?);

    // The organization's listings counted by state in the database (a university lists
    // thousands); the rejected ones, to be edited and resubmitted, listed.
    let mut by_status: BTreeMap<&'static str, u64> = BTreeMap::new();
    for status in AchievementStatus::ALL {
        let count = achievement::Entity::find()
            .filter(achievement::Column::OrganizationId.eq(actor.organization_id))
            .filter(achievement::Column::Status.eq(status.as_str()))
            .count(&state.db)
            .await?;
        if count > 0 {
            by_status.insert(status.as_str(), count);
        }
    }
    let listings: u64 = by_status.values().sum();
    let rejected = achievements::list(
        &state.db,
        Some(actor),
        &AchievementFilter {
            owner: Some("mine".into()),
            status: Some(AchievementStatus::Rejected),
            ..Default::default()
        },
        PageRequest { limit: 50, after: None },
    )
    .await?
    .items;
    for a in rejected {
        tasks.push(Task {
            what: "todo_rejected_listing",
            subject: title_of(lang, &a.title_zh, &a.title_en).unwrap_or_default(),
            href: format!("/my/achievements/{}/edit", a.id),
            amount_minor: None,
        });
    }
    let open_deals = own_deals.iter().filter(|d| d.status.is_open()).count();
    let unread_messages: u64 = own_deals.iter().flat_map(|d| d.unread.values()).sum();
    let unread_notifications = notifications::unread_count(&state.db, actor).await?;
    let latest_notifications = crate::notices::all_worded(
        notifications::list(&state.db, actor, true, PageRequest { limit: 5, after: None }).await?.items,
        lang,
    );

    let desks = super::guard::Desks::of(actor);
    let center = if desks.review || desks.registration || desks.statistics {
        let pending_achievements = achievement::Entity::find()
            .filter(achievement::Column::Status.eq("pending_review"))
            .count(&state.db)
            .await?;
        let pending_demands =
            demand::Entity::find().filter(demand::Column::Status.eq("pending_review")).count(&state.db).await?;
        let awaiting_registration =
            contract::Entity::find().filter(contract::Column::Status.eq("signed")).count(&state.db).await?;
        let year = Utc::now().year();
        let (registered, registered_minor) = if desks.statistics {
            let period = Period { from: NaiveDate::from_ymd_opt(year, 1, 1), to: None };
            let groups = stats::contracts_by(&state.db, Grouping::ContractType, period).await?;
            (groups.iter().map(|g| g.contracts).sum::<u64>(), groups.iter().map(|g| g.amount_minor).sum::<i64>())
        } else {
            (0, 0)
        };
        Some(context! {
            pending_achievements => pending_achievements,
            pending_demands => pending_demands,
            awaiting_registration => awaiting_registration,
            year => year,
            registered => registered,
            registered_minor => registered_minor,
        })
    } else {
        None
    };

    let ctx = context! {
        ..page.base("/dashboard"),
        ..context! {
            tasks => tasks,
            by_status => by_status,
            listings => listings,
            open_deals => open_deals,
            deals => own_deals.len(),
            contracts => my_contracts.len(),
            unread_messages => unread_messages,
            unread_notifications => unread_notifications,
            notifications => latest_notifications,
            center => center,
            achievement_status => super::workspace::achievement_status_labels(lang),
        }
    };
    Ok(remember_language(state.pages.render("dashboard.html", ctx), query.lang.as_deref()))
}
