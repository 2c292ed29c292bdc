//! The transitions of a contract: draft (here), amend (`amend`), sign, register and
//! return (`signing`), end by agreement or notice (`termination`); what the parties see
//! (`view`).

use crate::Result;
use crate::content::{self, BrokerClause, Clauses, Content, PartyClause, SubjectClause, choose_type};
use crate::entities::{contract, contract_version, milestone, signature};
use crate::lifecycle::contract_status;
use crate::precheck::{self, Finding};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;
use techex_core::domain::{AchievementKind, ContractStatus, DealStatus, MilestoneStatus};
use techex_core::text::{optional_text, required_text};
use techex_core::{Actor, FieldErrors, Message, MessageKey, Patch, Role, msg, new_id};
use techex_listings::entities::{achievement, organization, user};
use techex_listings::error::check_version;
use techex_listings::versioned::Versioned;
use techex_listings::{ListingsError, audit};
use techex_negotiation::deals::{self, Agreement, Party};
use utoipa::ToSchema;
use uuid::Uuid;

mod amend;
mod signing;
mod termination;
mod view;

pub use amend::*;
pub use signing::*;
pub use termination::*;
pub use view::*;

const ENTITY: &str = "contract";

/// How the actor relates to a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContractRole {
    Seller,
    Buyer,
    Broker,
    /// Registrars and platform admins.
    Registrar,
}

impl ContractRole {
    fn party(self) -> Option<&'static str> {
        match self {
            ContractRole::Seller => Some("seller"),
            ContractRole::Buyer => Some("buyer"),
            ContractRole::Broker => Some("broker"),
            ContractRole::Registrar => None,
        }
    }
}

fn acts_for(actor: &Actor, org: Uuid) -> bool {
    actor.belongs_to(org) && (actor.has(Role::Member) || actor.has(Role::OrgAdmin))
}

pub fn role_of(actor: &Actor, model: &contract::Model) -> Option<ContractRole> {
    if acts_for(actor, model.seller_org_id) {
        Some(ContractRole::Seller)
    } else if acts_for(actor, model.buyer_org_id) {
        Some(ContractRole::Buyer)
    } else if model.broker_id == Some(actor.user_id) {
        Some(ContractRole::Broker)
    } else if actor.has(Role::Registrar) || actor.is_platform_admin() {
        Some(ContractRole::Registrar)
    } else {
        None
    }
}

pub(crate) async fn load<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    lock: bool,
) -> Result<(contract::Model, ContractRole)> {
    let mut query = contract::Entity::find_by_id(id);
    if lock {
        query = query.lock_exclusive();
    }
    let model = query.one(db).await?.ok_or(ListingsError::NotFound(ENTITY))?;
    let role = role_of(actor, &model).ok_or(ListingsError::NotFound(ENTITY))?;
    Ok((model, role))
}

fn refuse(action: &'static str, model: &contract::Model) -> ListingsError {
    ListingsError::InvalidTransition { entity: ENTITY, action, state: model.status.clone() }
}

fn snapshot(model: &contract::Model) -> serde_json::Value {
    serde_json::json!({
        "status": model.status, "version": model.version, "current_number": model.current_number,
        "sha256": model.sha256, "registration_number": model.registration_number,
        "return_reason": model.return_reason, "termination_proposed_by": model.termination_proposed_by,
        "termination_reason": model.termination_reason, "termination_ground": model.termination_ground,
        "terminated_by": model.terminated_by,
    })
}

/// The content of a contract's current version (what its text says), for the crates that
/// act on a contract without a party's view of it (payments settling a royalty).
pub async fn content_of<C: ConnectionTrait>(db: &C, model: &contract::Model) -> Result<Content> {
    Ok(current_content(db, model).await?.0)
}

pub(crate) async fn current_content<C: ConnectionTrait>(
    db: &C,
    model: &contract::Model,
) -> Result<(Content, contract_version::Model)> {
    let row = contract_version::Entity::find()
        .filter(contract_version::Column::ContractId.eq(model.id))
        .filter(contract_version::Column::Number.eq(model.current_number))
        .one(db)
        .await?
        .ok_or(ListingsError::Internal("contract without its current version".into()))?;
    let content: Content = serde_json::from_value(row.content.clone())
        .map_err(|e| ListingsError::Internal(format!("contract content: {e}")))?;
    Ok((content, row))
}

fn party_clause(org: &organization::Model) -> PartyClause {
    PartyClause {
        organization_id: org.id,
        name: org.name.clone(),
        name_en: org.name_en.clone(),
        credit_code: org.credit_code.clone(),
        region: org.region.clone(),
        representative: None,
    }
}

async fn insert_version<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    contract_id: Uuid,
    number: i32,
    content: &Content,
    change_note: Option<String>,
    changes: serde_json::Value,
) -> Result<(String, String)> {
    let text = content.render().map_err(|e| ListingsError::Internal(format!("contract template: {e}")))?;
    let hash = content::sha256(&text);
    contract_version::ActiveModel {
        id: Set(new_id()),
        contract_id: Set(contract_id),
        number: Set(number),
        content: Set(serde_json::to_value(content).map_err(|e| ListingsError::Internal(e.to_string()))?),
        text: Set(text.clone()),
        sha256: Set(hash.clone()),
        change_note: Set(change_note),
        changes: Set(changes),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok((text, hash))
}

/// Drafts the contract of an agreed deal (either party or its broker).
pub async fn draft<C: ConnectionTrait>(db: &C, actor: &Actor, deal_id: Uuid) -> Result<contract::Model> {
    let (deal, party) = deals::load_locked(db, actor, deal_id)
        .await
        .map_err(|_| ListingsError::invalid("deal_id", techex_core::msg::DEAL_UNKNOWN))?;
    if !matches!(party, Party::Seller | Party::Buyer | Party::Broker) {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_THE_PARTIES_OR_THEIR_BROKER_DRAFT_THE.into()));
    }
    if DealStatus::parse(&deal.status).ok() != Some(DealStatus::Agreed) {
        return Err(ListingsError::InvalidTransition {
            entity: "deal",
            action: "draft a contract for",
            state: deal.status,
        });
    }
    let agreement: Agreement = deal
        .agreement
        .clone()
        .and_then(|a| serde_json::from_value(a).ok())
        .ok_or(ListingsError::Internal("agreed deal without its agreement".into()))?;
    let seller = organization::Entity::find_by_id(deal.seller_org_id)
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("organization"))?;
    let buyer = organization::Entity::find_by_id(deal.buyer_org_id)
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("organization"))?;
    let subject = match deal.achievement_id {
        Some(id) => achievement::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let kind = subject.as_ref().and_then(|a| AchievementKind::parse(&a.kind).ok());
    let granted = subject.as_ref().is_some_and(|a| a.patent_granted);
    let broker = match agreement.broker_id {
        Some(id) => {
            let profile = techex_negotiation::brokers::get(db, id).await?;
            let person = user::Entity::find_by_id(id).one(db).await?;
            let agency = match profile.agency_id {
                Some(org) => organization::Entity::find_by_id(org).one(db).await?.map(|o| o.name),
                None => None,
            };
            Some(BrokerClause {
                user_id: id,
                name: person.map(|p| p.display_name).unwrap_or_default(),
                certificate_number: profile.certificate_number,
                agency,
            })
        }
        None => None,
    };
    let content = Content {
        contract_type: choose_type(agreement.terms.mode, kind, granted),
        seller: party_clause(&seller),
        buyer: party_clause(&buyer),
        broker,
        commission_bps: agreement.commission_bps,
        subject: SubjectClause {
            achievement_id: subject.as_ref().map(|a| a.id),
            title_zh: subject.as_ref().and_then(|a| a.title_zh.clone()),
            title_en: subject.as_ref().and_then(|a| a.title_en.clone()),
            kind,
            patent_number: subject.as_ref().and_then(|a| a.patent_number.clone()),
            patent_granted: granted,
            ipc_codes: subject.as_ref().map(|a| a.ipc_codes.0.clone()).unwrap_or_default(),
            inventors: subject.as_ref().map(|a| a.inventors.0.clone()).unwrap_or_default(),
        },
        terms: agreement.terms.clone().with_default_schedule(),
        clauses: Clauses::default(),
        open_licence: None,
    };
    let mut content = content;
    if let Some(id) = agreement.open_licence_id {
        let (clause, representative) = open_licence_clause(db, id).await?;
        content.open_licence = Some(clause);
        content.seller.representative = Some(representative);
    }
    let id = new_id();
    let now = Utc::now();
    let placeholder = contract::ActiveModel {
        id: Set(id),
        deal_id: Set(deal.id),
        contract_type: Set(content.contract_type.as_str().into()),
        status: Set(ContractStatus::Draft.as_str().into()),
        seller_org_id: Set(deal.seller_org_id),
        buyer_org_id: Set(deal.buyer_org_id),
        broker_id: Set(content.broker.as_ref().map(|b| b.user_id)),
        title_zh: Set(content.title_zh()),
        title_en: Set(content.title_en()),
        current_number: Set(1),
        sha256: Set(String::new()),
        currency: Set(content.terms.currency.code().into()),
        registration_number: Set(None),
        registered_amount_minor: Set(None),
        tax_relief: Set(None),
        registered_by: Set(None),
        registered_at: Set(None),
        return_reason: Set(None),
        signed_at: Set(None),
        termination_proposed_by: Set(None),
        termination_reason: Set(None),
        terminated_at: Set(None),
        termination_ground: Set(None),
        terminated_by: Set(None),
        open_licence_id: Set(agreement.open_licence_id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(|e| ListingsError::from_db_unique(e, techex_core::msg::REFUSED_THIS_DEAL_ALREADY_HAS_A_CONTRACT))?;
    let (_, hash) = insert_version(
        db,
        actor,
        id,
        1,
        &content,
        Some(if agreement.open_licence_id.is_some() {
            "依开放许可声明生成 / Drafted from the open-licence declaration".into()
        } else {
            "由约定条款生成 / Drafted from the agreement".into()
        }),
        serde_json::json!([]),
    )
    .await?;
    let mut active: contract::ActiveModel = placeholder.into();
    active.sha256 = Set(hash);
    let created = active.update(db).await?;
    for (index, term) in content.terms.milestones.iter().enumerate() {
        milestone::ActiveModel {
            id: Set(new_id()),
            contract_id: Set(id),
            sequence: Set(index as i32 + 1),
            title: Set(term.title.clone()),
            amount_minor: Set(term.amount_minor),
            currency: Set(content.terms.currency.code().into()),
            due_days_after_signing: Set(term.due_days_after_signing),
            due_date: Set(None),
            acceptance_criteria: Set(term.acceptance_criteria.clone()),
            status: Set(MilestoneStatus::Scheduled.as_str().into()),
            royalty_report_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(db)
        .await?;
    }
    audit::record(db, Some(actor), "contract.draft", ENTITY, id, None, Some(snapshot(&created))).await?;
    Ok(created)
}

/// The clause that records a licence taken by notice under a declaration.
async fn open_licence_clause<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(content::OpenLicenceClause, String)> {
    use techex_listings::entities::open_licence;
    let declaration = open_licence::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ListingsError::Internal("licence taken under a declaration that does not exist".into()))?;
    let clause = content::OpenLicenceClause {
        declaration_id: declaration.id,
        published_on: declaration.published_at.unwrap_or(declaration.created_at).date_naive().to_string(),
        royalty_period: declaration.royalty_period,
        entry_fee_credited: declaration.entry_fee_credited,
    };
    Ok((clause, declaration.representative))
}

/// How a contract is saved: its id and version columns.
const CONTRACT_ROWS: Versioned<contract::Entity> =
    Versioned { entity: ENTITY, id: contract::Column::Id, version: contract::Column::Version };

async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: contract::ActiveModel,
    current: &contract::Model,
) -> Result<contract::Model> {
    active.updated_at = Set(Utc::now());
    CONTRACT_ROWS.save(db, active, current.id, current.version).await
}
