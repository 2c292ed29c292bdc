//! The transitions of a contract: draft, amend, sign, register, return.

use crate::Result;
use crate::content::{self, BrokerClause, Clauses, Content, PartyClause, SubjectClause, choose_type};
use crate::entities::{contract, contract_version, milestone, signature};
use crate::precheck::{self, Finding};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;
use techex_core::domain::{AchievementKind, DealStatus};
use techex_core::text::{optional_text, required_text};
use techex_core::{Actor, FieldErrors, MessageKey, Patch, Role, msg, new_id};
use techex_listings::entities::{achievement, organization, user};
use techex_listings::error::check_version;
use techex_listings::{ListingsError, audit};
use techex_negotiation::deals::{self, Agreement, Party};
use utoipa::ToSchema;
use uuid::Uuid;

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

async fn load<C: ConnectionTrait>(
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
        return Err(ListingsError::Forbidden("the parties or their broker draft the contract".into()));
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
    };
    let id = new_id();
    let now = Utc::now();
    let placeholder = contract::ActiveModel {
        id: Set(id),
        deal_id: Set(deal.id),
        contract_type: Set(content.contract_type.as_str().into()),
        status: Set("draft".into()),
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
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
    .map_err(|e| ListingsError::from_db_unique(e, "this deal already has a contract"))?;
    let (_, hash) = insert_version(
        db,
        actor,
        id,
        1,
        &content,
        Some("由约定条款生成 / Drafted from the agreement".into()),
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
            status: Set("scheduled".into()),
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

/// Changes to the clauses; absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AmendContract {
    #[schema(max_length = 100)]
    pub seller_representative: Option<String>,
    #[schema(max_length = 100)]
    pub buyer_representative: Option<String>,
    #[schema(max_length = 500)]
    pub place_of_performance: Option<String>,
    /// Years the parties keep the technology confidential (0–30).
    #[schema(minimum = 0, maximum = 30)]
    pub confidentiality_years: Option<i32>,
    #[schema(max_length = 4000)]
    pub acceptance_method: Option<String>,
    /// Days after a milestone's payment within which the buyer may reject it for a refund (1–180).
    #[schema(minimum = 1, maximum = 180)]
    pub rejection_window_days: Option<i32>,
    /// Days a milestone may stay unpaid after its due date before the seller may
    /// terminate by notice (1–180).
    #[schema(minimum = 1, maximum = 180)]
    pub cure_period_days: Option<i32>,
    /// Liquidated damages, basis points of the price (0–3000).
    #[schema(minimum = 0, maximum = 3000)]
    pub penalty_bps: Option<i32>,
    #[schema(max_length = 500)]
    pub dispute_resolution: Option<String>,
    #[schema(value_type = Option<String>)]
    pub special_terms: Patch<String>,
    /// Why the text changes (kept with the version).
    pub change_note: Option<String>,
}

fn apply(content: &mut Content, input: &AmendContract) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut text = |field: &str, value: &Option<String>, max: usize, target: &mut String| {
        if let Some(value) = value
            && let Some(clean) = errors.check(field, required_text(value, max))
        {
            *target = clean;
        }
    };
    let mut seller_rep = content.seller.representative.clone().unwrap_or_default();
    let mut buyer_rep = content.buyer.representative.clone().unwrap_or_default();
    text("seller_representative", &input.seller_representative, 100, &mut seller_rep);
    text("buyer_representative", &input.buyer_representative, 100, &mut buyer_rep);
    text("place_of_performance", &input.place_of_performance, 500, &mut content.clauses.place_of_performance);
    text("acceptance_method", &input.acceptance_method, 4000, &mut content.clauses.acceptance_method);
    text("dispute_resolution", &input.dispute_resolution, 500, &mut content.clauses.dispute_resolution);
    content.seller.representative = (!seller_rep.is_empty()).then_some(seller_rep);
    content.buyer.representative = (!buyer_rep.is_empty()).then_some(buyer_rep);
    let mut number =
        |field: &str, value: Option<i32>, range: RangeInclusive<i32>, unit: MessageKey, target: &mut i32| match value {
            Some(value) if range.contains(&value) => *target = value,
            Some(_) => errors.add(field, unit.with("min", *range.start()).with("max", *range.end())),
            None => {}
        };
    let clauses = &mut content.clauses;
    number(
        "confidentiality_years",
        input.confidentiality_years,
        0..=30,
        msg::YEARS_OUT_OF_RANGE,
        &mut clauses.confidentiality_years,
    );
    let days = 1..=crate::content::MAX_REJECTION_WINDOW_DAYS;
    number(
        "rejection_window_days",
        input.rejection_window_days,
        days,
        msg::DAYS_OUT_OF_RANGE,
        &mut clauses.rejection_window_days,
    );
    let days = 1..=crate::content::MAX_CURE_PERIOD_DAYS;
    number("cure_period_days", input.cure_period_days, days, msg::DAYS_OUT_OF_RANGE, &mut clauses.cure_period_days);
    if let Some(bps) = input.penalty_bps {
        if (0..=3000).contains(&bps) {
            content.clauses.penalty_bps = bps;
        } else {
            errors.add("penalty_bps", techex_core::msg::bps_range(0, 3000));
        }
    }
    match &input.special_terms {
        Patch::Absent => {}
        Patch::Null => content.clauses.special_terms = None,
        Patch::Value(value) => {
            if let Some(clean) = errors.check("special_terms", optional_text(Some(value), 10_000)) {
                content.clauses.special_terms = clean;
            }
        }
    }
    errors.into_result()
}

async fn void_signatures<C: ConnectionTrait>(db: &C, contract_id: Uuid, reason: &str) -> Result<u64> {
    let result = signature::Entity::update_many()
        .col_expr(signature::Column::VoidedAt, Expr::value(Utc::now()))
        .col_expr(signature::Column::VoidReason, Expr::value(reason.to_string()))
        .filter(signature::Column::ContractId.eq(contract_id))
        .filter(signature::Column::VoidedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

async fn save<C: ConnectionTrait>(
    db: &C,
    mut active: contract::ActiveModel,
    current: &contract::Model,
) -> Result<contract::Model> {
    active.version = Set(current.version + 1);
    active.updated_at = Set(Utc::now());
    let result = contract::Entity::update_many()
        .set(active)
        .filter(contract::Column::Id.eq(current.id))
        .filter(contract::Column::Version.eq(current.version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(ListingsError::Conflict("the contract changed meanwhile; reload and try again".into()));
    }
    contract::Entity::find_by_id(current.id).one(db).await?.ok_or(ListingsError::NotFound(ENTITY))
}

/// Amends the clauses: a new version with its text, hash and the changed fields; every
/// signature given so far is voided (parties and broker; before registration).
pub async fn amend<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    input: AmendContract,
) -> Result<contract::Model> {
    let (current, role) = load(db, actor, id, true).await?;
    if role.party().is_none() {
        return Err(ListingsError::Forbidden("only the parties and their broker amend a contract".into()));
    }
    check_version(expected_version, current.version)?;
    if !matches!(current.status.as_str(), "draft" | "signing" | "signed") {
        return Err(refuse("amend", &current));
    }
    let (before, _) = current_content(db, &current).await?;
    let mut after = before.clone();
    apply(&mut after, &input)?;
    let note =
        optional_text(input.change_note.as_deref(), 2000).map_err(|e| ListingsError::invalid("change_note", e))?;
    if after == before {
        return Err(ListingsError::invalid("body", techex_core::msg::NOTHING_TO_CHANGE));
    }
    let changes = content_changes(&before, &after);
    let number = current.current_number + 1;
    let (_, hash) = insert_version(db, actor, id, number, &after, note, changes).await?;
    let voided = void_signatures(db, id, &format!("amended in version {number}")).await?;
    let mut active: contract::ActiveModel = current.clone().into();
    active.current_number = Set(number);
    active.sha256 = Set(hash);
    active.status = Set("draft".into());
    active.signed_at = Set(None);
    let updated = save(db, active, &current).await?;
    let mut after_snapshot = snapshot(&updated);
    after_snapshot["signatures_voided"] = serde_json::json!(voided);
    audit::record(db, Some(actor), "contract.amend", ENTITY, id, Some(snapshot(&current)), Some(after_snapshot))
        .await?;
    Ok(updated)
}

/// The clause and party fields that differ between two contents.
fn content_changes(before: &Content, after: &Content) -> serde_json::Value {
    let flat = |c: &Content| {
        serde_json::json!({
            "seller_representative": c.seller.representative, "buyer_representative": c.buyer.representative,
            "place_of_performance": c.clauses.place_of_performance, "confidentiality_years": c.clauses.confidentiality_years,
            "acceptance_method": c.clauses.acceptance_method, "penalty_bps": c.clauses.penalty_bps,
            "rejection_window_days": c.clauses.rejection_window_days, "cure_period_days": c.clauses.cure_period_days,
            "dispute_resolution": c.clauses.dispute_resolution, "special_terms": c.clauses.special_terms,
        })
    };
    let (old, new) = (flat(before), flat(after));
    let mut changes = Vec::new();
    if let (Some(old), Some(new)) = (old.as_object(), new.as_object()) {
        for (field, value) in new {
            let previous = old.get(field).cloned().unwrap_or(serde_json::Value::Null);
            if &previous != value {
                changes.push(serde_json::json!({"field": field, "before": previous, "after": value}));
            }
        }
    }
    serde_json::Value::Array(changes)
}

/// A signature: the signer confirms the hash of the text they read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sign {
    /// The SHA-256 of the current text, as shown with it.
    pub sha256: String,
}

fn required_parties(model: &contract::Model) -> Vec<&'static str> {
    let mut parties = vec!["seller", "buyer"];
    if model.broker_id.is_some() {
        parties.push("broker");
    }
    parties
}

async fn active_signatures<C: ConnectionTrait>(db: &C, model: &contract::Model) -> Result<Vec<signature::Model>> {
    Ok(signature::Entity::find()
        .filter(signature::Column::ContractId.eq(model.id))
        .filter(signature::Column::Number.eq(model.current_number))
        .filter(signature::Column::VoidedAt.is_null())
        .order_by_asc(signature::Column::SignedAt)
        .all(db)
        .await?)
}

/// Signs the current version for the actor's party. The last signature makes the
/// contract `signed`, fixes the milestones' due dates and the deal becomes `contracted`.
pub async fn sign<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid, input: Sign) -> Result<contract::Model> {
    let (current, role) = load(db, actor, id, true).await?;
    let Some(party) = role.party() else {
        return Err(ListingsError::Forbidden("only the parties and their broker sign".into()));
    };
    if !matches!(current.status.as_str(), "draft" | "signing") {
        return Err(refuse("sign", &current));
    }
    if !input.sha256.trim().eq_ignore_ascii_case(&current.sha256) {
        return Err(ListingsError::Conflict(format!(
            "the contract text changed since you read it: the current version {} has SHA-256 {}",
            current.current_number, current.sha256
        )));
    }
    let signed = active_signatures(db, &current).await?;
    if signed.iter().any(|s| s.party == party) {
        return Err(ListingsError::Conflict(format!("the {party} has already signed this version")));
    }
    let name = user::Entity::find_by_id(actor.user_id).one(db).await?.map(|u| u.display_name).unwrap_or_default();
    let now = Utc::now();
    signature::ActiveModel {
        id: Set(new_id()),
        contract_id: Set(id),
        number: Set(current.current_number),
        party: Set(party.into()),
        signer_id: Set(actor.user_id),
        signer_name: Set(name),
        sha256: Set(current.sha256.clone()),
        signed_at: Set(now),
        voided_at: Set(None),
        void_reason: Set(None),
    }
    .insert(db)
    .await?;
    let mut parties: Vec<&str> = signed.iter().map(|s| s.party.as_str()).collect();
    parties.push(party);
    let complete = required_parties(&current).iter().all(|p| parties.contains(p));
    let mut active: contract::ActiveModel = current.clone().into();
    active.status = Set(if complete { "signed" } else { "signing" }.into());
    if complete {
        active.signed_at = Set(Some(now));
    }
    let updated = save(db, active, &current).await?;
    let mut after = snapshot(&updated);
    after["party"] = serde_json::json!(party);
    audit::record(db, Some(actor), "contract.sign", ENTITY, id, Some(snapshot(&current)), Some(after)).await?;
    if complete {
        let rows = milestone::Entity::find().filter(milestone::Column::ContractId.eq(id)).all(db).await?;
        for row in rows {
            let due = now.date_naive() + chrono::Duration::days(i64::from(row.due_days_after_signing));
            let mut active: milestone::ActiveModel = row.into();
            active.due_date = Set(Some(due));
            active.update(db).await?;
        }
        let deal = contract::Entity::find_by_id(id).one(db).await?.map(|c| c.deal_id).unwrap_or(current.deal_id);
        deals::mark_contracted(db, Some(actor), deal).await?;
    }
    Ok(updated)
}

/// The registration number: year, the seller's region code, a sequence.
async fn next_registration_number<C: ConnectionTrait>(db: &C, region: &str, year: i32) -> Result<String> {
    let prefix = format!("{year}{region}");
    let last = contract::Entity::find()
        .filter(contract::Column::RegistrationNumber.starts_with(&prefix))
        .order_by_desc(contract::Column::RegistrationNumber)
        .one(db)
        .await?
        .and_then(|c| c.registration_number)
        .and_then(|n| n.get(prefix.len()..).and_then(|s| s.parse::<u32>().ok()))
        .unwrap_or(0);
    Ok(format!("{prefix}{:06}", last + 1))
}

/// Registers a signed contract (center registrars), after the pre-check finds no blocker.
pub async fn register<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<contract::Model> {
    let (current, role) = load(db, actor, id, true).await?;
    if role != ContractRole::Registrar || !(actor.has(Role::Registrar) || actor.is_platform_admin()) {
        return Err(ListingsError::Forbidden("only the center's registrars register technology contracts".into()));
    }
    check_version(expected_version, current.version)?;
    if current.status != "signed" {
        return Err(refuse("register", &current));
    }
    let (content, _) = current_content(db, &current).await?;
    let blockers: Vec<Finding> =
        precheck::check(&content, true).into_iter().filter(|f| f.severity == "blocker").collect();
    if !blockers.is_empty() {
        let list: Vec<String> = blockers.iter().map(|f| format!("{} ({})", f.code, f.message.key.as_str())).collect();
        return Err(ListingsError::Conflict(format!("the pre-check refuses registration: {}", list.join("; "))));
    }
    let now = Utc::now();
    let region: String = content.seller.region.chars().filter(char::is_ascii_digit).take(6).collect();
    let number = next_registration_number(db, &format!("{region:0<6}"), chrono::Datelike::year(&now)).await?;
    let amount = content.terms.lump_sum_minor.unwrap_or(0);
    let mut active: contract::ActiveModel = current.clone().into();
    active.status = Set("registered".into());
    active.registration_number = Set(Some(number));
    active.registered_amount_minor = Set(Some(amount));
    active.tax_relief = Set(Some(content.contract_type.qualifies_for_tax_relief()));
    active.registered_by = Set(Some(actor.user_id));
    active.registered_at = Set(Some(now));
    active.return_reason = Set(None);
    let updated = save(db, active, &current).await.map_err(|e| match e {
        ListingsError::Db(db) => {
            ListingsError::from_db_unique(db, "a registration number was taken at the same moment; retry")
        }
        other => other,
    })?;
    audit::record(db, Some(actor), "contract.register", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated)))
        .await?;
    Ok(updated)
}

/// Returns a signed contract to the parties with a reason (registrars): back to draft,
/// signatures voided.
pub async fn return_to_parties<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<contract::Model> {
    let (current, role) = load(db, actor, id, true).await?;
    if role != ContractRole::Registrar {
        return Err(ListingsError::Forbidden("only the center's registrars return contracts".into()));
    }
    check_version(expected_version, current.version)?;
    if current.status != "signed" {
        return Err(refuse("return", &current));
    }
    let reason = required_text(reason, 2000).map_err(|e| ListingsError::invalid("reason", e))?;
    void_signatures(db, id, "returned by the registrar").await?;
    let mut active: contract::ActiveModel = current.clone().into();
    active.status = Set("draft".into());
    active.return_reason = Set(Some(reason));
    active.signed_at = Set(None);
    let updated = save(db, active, &current).await?;
    audit::record(db, Some(actor), "contract.return", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated)))
        .await?;
    Ok(updated)
}

/// A signature as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatureView {
    pub party: String,
    pub signer_id: Uuid,
    pub signer_name: String,
    pub version_number: i32,
    pub sha256: String,
    pub signed_at: DateTime<Utc>,
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: Option<String>,
}

/// A version as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionView {
    pub number: i32,
    pub sha256: String,
    pub change_note: Option<String>,
    /// The fields that changed from the previous version (`field`, `before`, `after`).
    #[schema(value_type = Vec<Object>)]
    pub changes: serde_json::Value,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A milestone as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MilestoneView {
    pub id: Uuid,
    pub sequence: i32,
    pub title: String,
    pub amount_minor: i64,
    pub currency: String,
    pub due_days_after_signing: i32,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<chrono::NaiveDate>,
    pub acceptance_criteria: Option<String>,
    pub status: String,
}

/// A contract as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractView {
    pub id: Uuid,
    pub deal_id: Uuid,
    pub status: String,
    pub version: i32,
    pub my_role: ContractRole,
    pub contract_type: String,
    pub contract_type_zh: String,
    pub contract_type_en: String,
    pub title_zh: String,
    pub title_en: String,
    /// The current version's number and the SHA-256 of its canonical text.
    pub current_number: i32,
    pub sha256: String,
    pub content: Content,
    /// The parties that must sign: `seller`, `buyer` and, when there is one, `broker`.
    pub required_signatures: Vec<String>,
    /// Signatures of the current version.
    pub signatures: Vec<SignatureView>,
    /// Signatures of earlier versions, voided.
    pub voided_signatures: Vec<SignatureView>,
    pub versions: Vec<VersionView>,
    pub milestones: Vec<MilestoneView>,
    pub precheck: Vec<Finding>,
    pub registration_number: Option<String>,
    pub registered_amount_minor: Option<i64>,
    pub tax_relief: Option<bool>,
    pub registered_at: Option<DateTime<Utc>>,
    pub return_reason: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    /// `seller` or `buyer` while a termination by agreement awaits the other side.
    pub termination_proposed_by: Option<String>,
    pub termination_reason: Option<String>,
    pub terminated_at: Option<DateTime<Utc>>,
    /// How a terminated contract ended: `agreement` (art. 562), `buyer_default` (the
    /// seller's notice for an overdue payment) or `seller_default` (the buyer's notice
    /// for a delivery that failed acceptance).
    pub termination_ground: Option<String>,
    /// `seller` or `buyer`: who gave the notice, or whose proposal was agreed.
    pub terminated_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn signature_view(s: signature::Model) -> SignatureView {
    SignatureView {
        party: s.party,
        signer_id: s.signer_id,
        signer_name: s.signer_name,
        version_number: s.number,
        sha256: s.sha256,
        signed_at: s.signed_at,
        voided_at: s.voided_at,
        void_reason: s.void_reason,
    }
}

async fn view<C: ConnectionTrait>(db: &C, model: contract::Model, role: ContractRole) -> Result<ContractView> {
    let (content, _) = current_content(db, &model).await?;
    let all = signature::Entity::find()
        .filter(signature::Column::ContractId.eq(model.id))
        .order_by_asc(signature::Column::SignedAt)
        .all(db)
        .await?;
    let (current, voided): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|s| s.voided_at.is_none() && s.number == model.current_number);
    let complete = required_parties(&model).iter().all(|p| current.iter().any(|s| s.party == *p));
    let versions = contract_version::Entity::find()
        .filter(contract_version::Column::ContractId.eq(model.id))
        .order_by_asc(contract_version::Column::Number)
        .select_only()
        .columns([
            contract_version::Column::Number,
            contract_version::Column::Sha256,
            contract_version::Column::ChangeNote,
            contract_version::Column::Changes,
            contract_version::Column::CreatedBy,
            contract_version::Column::CreatedAt,
        ])
        .into_tuple::<(i32, String, Option<String>, serde_json::Value, Uuid, DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(number, sha256, change_note, changes, created_by, created_at)| VersionView {
            number,
            sha256,
            change_note,
            changes,
            created_by,
            created_at,
        })
        .collect();
    let milestones = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(model.id))
        .order_by_asc(milestone::Column::Sequence)
        .all(db)
        .await?
        .into_iter()
        .map(|m| MilestoneView {
            id: m.id,
            sequence: m.sequence,
            title: m.title,
            amount_minor: m.amount_minor,
            currency: m.currency,
            due_days_after_signing: m.due_days_after_signing,
            due_date: m.due_date,
            acceptance_criteria: m.acceptance_criteria,
            status: m.status,
        })
        .collect();
    Ok(ContractView {
        id: model.id,
        deal_id: model.deal_id,
        status: model.status.clone(),
        version: model.version,
        my_role: role,
        contract_type: model.contract_type.clone(),
        contract_type_zh: content.contract_type.label_zh().into(),
        contract_type_en: content.contract_type.label_en().into(),
        title_zh: model.title_zh.clone(),
        title_en: model.title_en.clone(),
        current_number: model.current_number,
        sha256: model.sha256.clone(),
        precheck: precheck::check(&content, complete),
        content,
        required_signatures: required_parties(&model).into_iter().map(str::to_string).collect(),
        signatures: current.into_iter().map(signature_view).collect(),
        voided_signatures: voided.into_iter().map(signature_view).collect(),
        versions,
        milestones,
        registration_number: model.registration_number,
        registered_amount_minor: model.registered_amount_minor,
        tax_relief: model.tax_relief,
        registered_at: model.registered_at,
        return_reason: model.return_reason,
        signed_at: model.signed_at,
        termination_proposed_by: model.termination_proposed_by,
        termination_reason: model.termination_reason,
        terminated_at: model.terminated_at,
        termination_ground: model.termination_ground,
        terminated_by: model.terminated_by,
        created_at: model.created_at,
    })
}

/// One contract as the actor may see it.
pub async fn get_view<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<ContractView> {
    let (model, role) = load(db, actor, id, false).await?;
    view(db, model, role).await
}

/// The canonical text of a version (default the current one) with its hash.
pub async fn document<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    number: Option<i32>,
) -> Result<(contract::Model, contract_version::Model)> {
    let (model, _) = load(db, actor, id, false).await?;
    let wanted = number.unwrap_or(model.current_number);
    let row = contract_version::Entity::find()
        .filter(contract_version::Column::ContractId.eq(id))
        .filter(contract_version::Column::Number.eq(wanted))
        .one(db)
        .await?
        .ok_or(ListingsError::NotFound("contract version"))?;
    Ok((model, row))
}

/// The contracts the actor is party to (registrars and admins: all), newest first.
pub async fn list<C: ConnectionTrait>(db: &C, actor: &Actor, status: Option<&str>) -> Result<Vec<ContractView>> {
    let mut query = contract::Entity::find().order_by_desc(contract::Column::Id).limit(200);
    if !(actor.has(Role::Registrar) || actor.is_platform_admin()) {
        query = query.filter(
            Condition::any()
                .add(contract::Column::SellerOrgId.eq(actor.organization_id))
                .add(contract::Column::BuyerOrgId.eq(actor.organization_id))
                .add(contract::Column::BrokerId.eq(actor.user_id)),
        );
    }
    if let Some(status) = status {
        query = query.filter(contract::Column::Status.eq(status));
    }
    let mut out = Vec::new();
    for model in query.all(db).await? {
        if let Some(role) = role_of(actor, &model) {
            out.push(view(db, model, role).await?);
        }
    }
    Ok(out)
}

/// A contract ends only when none of its milestones holds or is about to hold the
/// buyer's money (`payment_pending`, `paid`): those are accepted or rejected first.
async fn ensure_no_money_held<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<()> {
    use sea_orm::PaginatorTrait;
    let held = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(id))
        .filter(milestone::Column::Status.is_in(["payment_pending", "paid"]))
        .count(db)
        .await?;
    if held > 0 {
        return Err(ListingsError::Conflict(
            "a milestone is paid or being paid: accept or reject it before terminating the contract".into(),
        ));
    }
    Ok(())
}

/// The milestones not yet paid fall away when a contract ends.
async fn cancel_unpaid_milestones<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<()> {
    milestone::Entity::update_many()
        .col_expr(milestone::Column::Status, sea_orm::sea_query::Expr::value("cancelled"))
        .filter(milestone::Column::ContractId.eq(id))
        .filter(milestone::Column::Status.eq("scheduled"))
        .exec(db)
        .await?;
    Ok(())
}

fn termination_side(role: ContractRole) -> Result<&'static str> {
    match role {
        ContractRole::Seller => Ok("seller"),
        ContractRole::Buyer => Ok("buyer"),
        _ => Err(ListingsError::Forbidden("the seller and the buyer terminate their contract".into())),
    }
}

/// The contract a party may end (registered or performing, at the expected version), locked,
/// with the party's side.
async fn open_for_termination<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<(contract::Model, &'static str)> {
    let (current, role) = load(db, actor, id, true).await?;
    let side = termination_side(role)?;
    check_version(expected_version, current.version)?;
    if !matches!(current.status.as_str(), "registered" | "performing") {
        return Err(refuse("terminate", &current));
    }
    Ok((current, side))
}

/// The reason a party gives for ending a contract, trimmed (required, at most 2,000
/// characters).
pub fn termination_reason(reason: &str) -> Result<String> {
    required_text(reason, 2000).map_err(|e| ListingsError::invalid("reason", e))
}

/// One party proposes to end a registered contract by agreement (Civil Code art. 562),
/// with its reason; the other party agrees or declines. Milestones paid or being paid
/// are settled first (accepted or rejected), so no money is left in escrow.
pub async fn propose_termination<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<contract::Model> {
    let (current, side) = open_for_termination(db, actor, id, expected_version).await?;
    if current.termination_proposed_by.is_some() {
        return Err(ListingsError::Conflict("a termination is already proposed; answer or withdraw it".into()));
    }
    let reason = termination_reason(reason)?;
    ensure_no_money_held(db, id).await?;
    let mut active: contract::ActiveModel = current.clone().into();
    active.termination_proposed_by = Set(Some(side.into()));
    active.termination_reason = Set(Some(reason));
    let updated = save(db, active, &current).await?;
    audit::record(
        db,
        Some(actor),
        "contract.termination_propose",
        ENTITY,
        id,
        Some(snapshot(&current)),
        Some(snapshot(&updated)),
    )
    .await?;
    Ok(updated)
}

/// Answers a proposed termination: the other party agrees (the contract is `terminated`
/// and its unpaid milestones `cancelled`) or declines; the proposer may withdraw it
/// (`agree = false`).
pub async fn answer_termination<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    agree: bool,
) -> Result<contract::Model> {
    let (current, role) = load(db, actor, id, true).await?;
    let side = termination_side(role)?;
    check_version(expected_version, current.version)?;
    let Some(proposer) = current.termination_proposed_by.clone() else {
        return Err(ListingsError::Conflict("no termination is proposed".into()));
    };
    if agree && proposer == side {
        return Err(ListingsError::Forbidden("the other party agrees to the termination".into()));
    }
    let mut active: contract::ActiveModel = current.clone().into();
    active.termination_proposed_by = Set(None);
    let action = if agree {
        ensure_no_money_held(db, id).await?;
        cancel_unpaid_milestones(db, id).await?;
        active.status = Set("terminated".into());
        active.terminated_at = Set(Some(Utc::now()));
        active.termination_ground = Set(Some("agreement".into()));
        active.terminated_by = Set(Some(proposer.clone()));
        "contract.terminate"
    } else {
        active.termination_reason = Set(None);
        if proposer == side { "contract.termination_withdraw" } else { "contract.termination_decline" }
    };
    let updated = save(db, active, &current).await?;
    audit::record(db, Some(actor), action, ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated))).await?;
    Ok(updated)
}

/// What entitles a party to terminate by notice, if anything: for the seller a milestone
/// unpaid more than the cure period after its due date (`buyer_default`), for the buyer a
/// delivery that failed acceptance and was refunded (`seller_default`).
fn breach_ground(
    side: &str,
    milestones: &[milestone::Model],
    cure_period_days: i32,
    today: chrono::NaiveDate,
) -> std::result::Result<&'static str, String> {
    if side == "seller" {
        let overdue = milestones.iter().any(|m| {
            m.status == "scheduled"
                && m.due_date.is_some_and(|due| (today - due).num_days() > i64::from(cure_period_days))
        });
        if overdue {
            Ok("buyer_default")
        } else {
            Err(format!(
                "the buyer is not in default: no milestone is unpaid more than {cure_period_days} days after its due date"
            ))
        }
    } else if milestones.iter().any(|m| m.status == "refunded") {
        Ok("seller_default")
    } else {
        Err("the seller is not in default: no delivery failed acceptance and was refunded".into())
    }
}

/// One party terminates a registered contract by notice for the other's breach (Civil
/// Code arts. 563, 565): the seller when a milestone is unpaid more than the contract's
/// cure period after its due date, the buyer when a delivery failed acceptance and was
/// refunded. The contract is `terminated` at once (the notice reaches the other party
/// through techex), its unpaid milestones `cancelled`, any pending proposal to terminate
/// by agreement superseded, and the other side notified. Refused while a milestone holds
/// money, and without a ground.
pub async fn give_termination_notice<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    reason: &str,
) -> Result<contract::Model> {
    let (current, side) = open_for_termination(db, actor, id, expected_version).await?;
    let reason = termination_reason(reason)?;
    ensure_no_money_held(db, id).await?;
    let milestones = milestone::Entity::find().filter(milestone::Column::ContractId.eq(id)).all(db).await?;
    let cure = current_content(db, &current).await?.0.clauses.cure_period_days;
    let ground = breach_ground(side, &milestones, cure, Utc::now().date_naive()).map_err(ListingsError::Conflict)?;
    cancel_unpaid_milestones(db, id).await?;
    let mut active: contract::ActiveModel = current.clone().into();
    active.status = Set("terminated".into());
    active.terminated_at = Set(Some(Utc::now()));
    active.termination_proposed_by = Set(None);
    active.termination_reason = Set(Some(reason));
    active.termination_ground = Set(Some(ground.into()));
    active.terminated_by = Set(Some(side.into()));
    let updated = save(db, active, &current).await?;
    audit::record(
        db,
        Some(actor),
        "contract.terminate_notice",
        ENTITY,
        id,
        Some(snapshot(&current)),
        Some(snapshot(&updated)),
    )
    .await?;
    let other_org = if side == "seller" { updated.buyer_org_id } else { updated.seller_org_id };
    let notice = ContractNotice {
        kind: "contract_terminated",
        title: "合同已被通知解除 / The contract was terminated by notice",
        body: updated.termination_reason.clone(),
        key: format!("terminated:{}", updated.version),
    };
    notify_organization(db, &updated, other_org, &notice).await?;
    if let Some(broker) = updated.broker_id {
        notify_member(db, &updated, broker, &notice).await?;
    }
    Ok(updated)
}

/// A notification about a contract: what kind, its words, and the key that makes it
/// happen once per user.
pub(crate) struct ContractNotice<'a> {
    pub(crate) kind: &'a str,
    pub(crate) title: &'a str,
    pub(crate) body: Option<String>,
    pub(crate) key: String,
}

/// Notifies the active members of an organization about a contract; returns how many
/// notifications were new.
pub(crate) async fn notify_organization<C: ConnectionTrait>(
    db: &C,
    contract: &contract::Model,
    organization_id: Uuid,
    notice: &ContractNotice<'_>,
) -> Result<u32> {
    let members = techex_listings::entities::user::Entity::find()
        .filter(techex_listings::entities::user::Column::OrganizationId.eq(organization_id))
        .filter(techex_listings::entities::user::Column::Status.eq("active"))
        .all(db)
        .await?;
    let mut new = 0;
    for member in members {
        let roles = techex_core::RoleSet::from_stored(&member.roles);
        if (roles.contains(Role::Member) || roles.contains(Role::OrgAdmin))
            && notify_member(db, contract, member.id, notice).await?
        {
            new += 1;
        }
    }
    Ok(new)
}

/// One notification about a contract to one user; whether it was new.
pub(crate) async fn notify_member<C: ConnectionTrait>(
    db: &C,
    contract: &contract::Model,
    user_id: Uuid,
    notice: &ContractNotice<'_>,
) -> Result<bool> {
    techex_listings::notifications::notify(
        db,
        techex_listings::notifications::NewNotification {
            user_id,
            kind: notice.kind.into(),
            title: notice.title.into(),
            body: notice.body.clone(),
            link: Some(format!("/contracts/{}", contract.id)),
            entity_type: Some(ENTITY.into()),
            entity_id: Some(contract.id),
            dedupe_key: format!("contract:{}:{}:{user_id}", contract.id, notice.key),
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn milestone(status: &str, due: Option<NaiveDate>) -> milestone::Model {
        milestone::Model {
            id: Uuid::nil(),
            contract_id: Uuid::nil(),
            sequence: 1,
            title: "首付".into(),
            amount_minor: 100,
            currency: "CNY".into(),
            due_days_after_signing: 0,
            due_date: due,
            acceptance_criteria: None,
            status: status.into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    #[test]
    fn the_seller_may_give_notice_only_after_the_cure_period_and_the_buyer_only_after_a_refund() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        let due = |days: i64| Some(today - chrono::Duration::days(days));
        // Exactly the cure period overdue is still within it; a day more is a default.
        assert!(breach_ground("seller", &[milestone("scheduled", due(30))], 30, today).is_err());
        assert_eq!(breach_ground("seller", &[milestone("scheduled", due(31))], 30, today), Ok("buyer_default"));
        // Paid, accepted or undated milestones are no default of the buyer.
        for status in ["paid", "accepted", "refunded", "cancelled"] {
            assert!(breach_ground("seller", &[milestone(status, due(90))], 30, today).is_err(), "{status}");
        }
        assert!(breach_ground("seller", &[milestone("scheduled", None)], 30, today).is_err());
        // The buyer needs a delivery that failed acceptance and was refunded.
        assert!(breach_ground("buyer", &[milestone("scheduled", due(90))], 30, today).is_err());
        assert_eq!(breach_ground("buyer", &[milestone("refunded", due(0))], 30, today), Ok("seller_default"));
    }
}
