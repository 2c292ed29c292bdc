//! Taking a licence by notice under a published open-licence declaration (Patent Law
//! art. 51): one action by a verified organization opens its deal agreed on the declared
//! terms and drafts its ordinary-licence contract, which the licensee signs alone (the
//! declaration is the licensor's consent) and the center registers like any technology
//! contract; the fee is then paid as the contract's milestone. Many organizations may
//! take licences under one declaration, each with its own contract; one organization
//! holds one licence per declaration.

use crate::Result;
use crate::contracts::draft;
use crate::entities::contract;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use techex_core::domain::{ContractStatus, OrgKind};
use techex_core::{Actor, Role, msg};
use techex_listings::ListingsError;
use techex_listings::achievements::OwnerBrief;
use techex_listings::entities::{open_licence_grant, organization};
use techex_listings::open_licences;
use techex_negotiation::deals;
use utoipa::ToSchema;
use uuid::Uuid;

/// Declares an open licence (`listings::open_licences::declare`), refused with 409 while
/// an exclusive or sole licence of the patent is signed or in force: such a licensee holds
/// rights an open licence would give everyone (Patent Law art. 51).
pub async fn declare<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    achievement_id: Uuid,
    input: open_licences::Declare,
    limits: &open_licences::Limits,
) -> Result<techex_listings::entities::open_licence::Model> {
    let created = open_licences::declare(db, actor, achievement_id, input, limits).await?;
    if exclusive_in_force(db, achievement_id).await? {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_AN_EXCLUSIVE_OR_SOLE_LICENCE_OF_THIS.into()));
    }
    Ok(created)
}

/// Whether an exclusive or sole licence contract of the achievement is being signed or is
/// in force.
async fn exclusive_in_force<C: ConnectionTrait>(db: &C, achievement_id: Uuid) -> Result<bool> {
    use sea_orm::{PaginatorTrait, QuerySelect};
    use techex_negotiation::entities::deal;
    let deals: Vec<Uuid> = deal::Entity::find()
        .select_only()
        .column(deal::Column::Id)
        .filter(deal::Column::AchievementId.eq(achievement_id))
        .into_tuple()
        .all(db)
        .await?;
    if deals.is_empty() {
        return Ok(false);
    }
    let live = [
        ContractStatus::Draft,
        ContractStatus::Signing,
        ContractStatus::Signed,
        ContractStatus::Registered,
        ContractStatus::Performing,
    ]
    .map(ContractStatus::as_str);
    Ok(contract::Entity::find()
        .filter(contract::Column::DealId.is_in(deals))
        .filter(contract::Column::ContractType.is_in([
            crate::content::ContractType::LicenceExclusive.as_str(),
            crate::content::ContractType::LicenceSole.as_str(),
        ]))
        .filter(contract::Column::Status.is_in(live))
        .count(db)
        .await?
        > 0)
}

/// Taking a licence.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TakeLicence {
    /// Leave the licensee's name out of the public list of licences granted.
    #[serde(default)]
    pub anonymous: bool,
    /// A certified broker the licensee invites to mediate (技术经纪人): the contract is
    /// then drafted when the broker accepts, with the broker as 丙方.
    #[serde(default)]
    pub broker_id: Option<Uuid>,
    /// The commission proposed to that broker, basis points (default: the broker's own).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 3000)]
    pub commission_bps: Option<i32>,
}

/// What taking a licence made.
#[derive(Debug, Clone)]
pub enum Taken {
    /// The contract, drafted at once.
    Drafted(contract::Model),
    /// The deal, waiting for the invited broker; the contract is drafted when the broker
    /// accepts.
    AwaitingBroker(techex_negotiation::entities::deal::Model),
}

/// Takes an ordinary licence under a published declaration for the actor's organization
/// and drafts its contract, or invites the broker the licensee named and leaves the
/// drafting to the broker's acceptance (`answer_broker_invitation`).
pub async fn take<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    declaration_id: Uuid,
    input: TakeLicence,
) -> Result<Taken> {
    let declaration = open_licences::published_for_taking(db, declaration_id).await?;
    if actor.belongs_to(declaration.organization_id) {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_THE_PATENTEE_DOES_NOT_TAKE_A_LICENCE.into()));
    }
    if !(actor.has(Role::Member) || actor.has(Role::OrgAdmin)) || actor.organization_kind == OrgKind::Center {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_MEMBERS_OF_AN_ORGANIZATION_TAKE_LICENCES_FOR.into(),
        ));
    }
    if !actor.organization_verified {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_YOUR_ORGANIZATION_MUST_BE_VERIFIED_BEFORE_IT_3.into(),
        ));
    }
    if open_licences::already_taken(db, declaration.id, actor.organization_id).await? {
        return Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_YOUR_ORGANIZATION_ALREADY_TOOK_A_LICENCE_UNDER.into(),
        ));
    }
    if input.broker_id.is_none() && input.commission_bps.is_some() {
        return Err(ListingsError::invalid("commission_bps", msg::OPEN_LICENCE_COMMISSION_WITHOUT_BROKER));
    }
    let broker =
        input.broker_id.map(|broker_id| deals::InviteBroker { broker_id, commission_bps: input.commission_bps });
    let brokered = broker.is_some();
    let deal = deals::open_by_notice(db, actor, &declaration, broker).await?;
    let contract = if brokered { None } else { Some(draft(db, actor, deal.id).await?) };
    let grant =
        open_licences::record_grant(db, actor, &declaration, deal.id, contract.as_ref().map(|c| c.id), input.anonymous)
            .await?;
    open_licences::notify_patentee(
        db,
        &declaration,
        "open_licence_taken",
        msg::NOTICE_OPEN_LICENCE_TAKEN,
        None,
        &grant.id.to_string(),
    )
    .await?;
    Ok(match contract {
        Some(contract) => Taken::Drafted(contract),
        None => Taken::AwaitingBroker(deal),
    })
}

/// The invited broker of a deal answers (`deals::answer_invitation`). When the deal is a
/// licence taken by notice with this broker, acceptance agrees it on the declared terms
/// and drafts its contract with the broker as 丙方; a declaration withdrawn meanwhile
/// does not undo a notice given while it was published. Returns the contract drafted.
pub async fn answer_broker_invitation<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    deal_id: Uuid,
    expected_version: Option<i32>,
    accept: bool,
) -> Result<Option<contract::Model>> {
    let answered = deals::answer_invitation(db, actor, deal_id, expected_version, accept).await?;
    if !accept {
        return Ok(None);
    }
    let Some(grant) = open_licences::pending_for_deal(db, deal_id).await? else { return Ok(None) };
    let declaration = techex_listings::entities::open_licence::Entity::find_by_id(grant.open_licence_id)
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("open_licence"))?;
    deals::agree_by_notice(db, Some(actor), &answered, &declaration).await?;
    let contract = draft(db, actor, deal_id).await?;
    open_licences::attach_contract(db, actor, &grant, contract.id).await?;
    Ok(Some(contract))
}

/// A licence granted under a declaration, as the public list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    /// The licensee; absent when it asked to stay anonymous (named to the patentee).
    pub licensee: Option<OwnerBrief>,
    pub taken_at: DateTime<Utc>,
    /// When the center registered the licence contract.
    pub registered_at: Option<DateTime<Utc>>,
    /// Absent while the licensee's invited broker has not accepted (no contract yet).
    pub contract_status: Option<ContractStatus>,
    /// The contract, for the patentee, the licensee and the center.
    pub contract_id: Option<Uuid>,
    /// The deal agreed by notice, for the patentee, the licensee and the center.
    pub deal_id: Option<Uuid>,
}

/// The licences taken under a declaration: everyone sees those whose contract the center
/// registered (licensee named unless anonymous); the patentee and the center see all.
pub async fn grants<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, declaration_id: Uuid) -> Result<Vec<GrantView>> {
    let declaration = open_licences::get(db, actor, declaration_id).await?;
    let privileged = actor.is_some_and(|a| a.belongs_to(declaration.organization_id) || a.can_review());
    let rows = open_licence_grant::Entity::find()
        .filter(open_licence_grant::Column::OpenLicenceId.eq(declaration.id))
        .order_by_asc(open_licence_grant::Column::TakenAt)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let contract = match row.contract_id {
            Some(id) => contract::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        let status = match &contract {
            Some(c) => Some(
                ContractStatus::parse(&c.status)
                    .map_err(|_| ListingsError::Internal("unknown contract status".into()))?,
            ),
            None => None,
        };
        let own = actor.is_some_and(|a| a.belongs_to(row.licensee_org_id));
        let registered =
            matches!(status, Some(ContractStatus::Registered | ContractStatus::Performing | ContractStatus::Completed));
        if !(privileged || own || registered) {
            continue;
        }
        let licensee = if row.anonymous && !(privileged || own) {
            None
        } else {
            organization::Entity::find_by_id(row.licensee_org_id).one(db).await?.as_ref().map(OwnerBrief::from)
        };
        views.push(GrantView {
            licensee,
            taken_at: row.taken_at,
            registered_at: contract.as_ref().and_then(|c| c.registered_at),
            contract_status: status,
            contract_id: contract.as_ref().map(|c| c.id).filter(|_| privileged || own),
            deal_id: row.deal_id.filter(|_| privileged || own),
        });
    }
    Ok(views)
}
