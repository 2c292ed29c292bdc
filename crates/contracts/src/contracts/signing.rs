//! Signatures over the exact text, registration by the center, and return to the parties.

use super::*;

/// A signature: the signer confirms the hash of the text they read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sign {
    /// The SHA-256 of the current text, as shown with it.
    pub sha256: String,
}

/// Who signs: both parties and their broker; under an open licence the licensee (and a
/// broker it invited) only, the published declaration being the licensor's consent.
pub(super) fn required_parties(model: &contract::Model) -> Vec<&'static str> {
    let mut parties = if model.open_licence_id.is_some() { vec!["buyer"] } else { vec!["seller", "buyer"] };
    if model.broker_id.is_some() {
        parties.push("broker");
    }
    parties
}

pub(super) async fn active_signatures<C: ConnectionTrait>(
    db: &C,
    model: &contract::Model,
) -> Result<Vec<signature::Model>> {
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
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_PARTIES_AND_THEIR_BROKER_SIGN.into()));
    };
    if !matches!(contract_status(&current)?, ContractStatus::Draft | ContractStatus::Signing) {
        return Err(refuse("sign", &current));
    }
    if !required_parties(&current).contains(&party) {
        return Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_UNDER_AN_OPEN_LICENCE_THE_PUBLISHED_DECLARATION.into(),
        ));
    }
    if !input.sha256.trim().eq_ignore_ascii_case(&current.sha256) {
        return Err(ListingsError::Conflict(
            format!(
                "the contract text changed since you read it: the current version {} has SHA-256 {}",
                current.current_number, current.sha256
            )
            .into(),
        ));
    }
    let signed = active_signatures(db, &current).await?;
    if signed.iter().any(|s| s.party == party) {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_ALREADY_SIGNED.with("party", party.to_string())));
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
    active.status = Set(if complete { ContractStatus::Signed } else { ContractStatus::Signing }.as_str().into());
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
pub(super) async fn next_registration_number<C: ConnectionTrait>(db: &C, region: &str, year: i32) -> Result<String> {
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
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_CENTER_S_REGISTRARS_REGISTER_TECHNOLOGY.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    if contract_status(&current)? != ContractStatus::Signed {
        return Err(refuse("register", &current));
    }
    let (content, _) = current_content(db, &current).await?;
    let blockers: Vec<Finding> =
        precheck::check(&content, true).into_iter().filter(|f| f.severity == "blocker").collect();
    if !blockers.is_empty() {
        let list: Vec<String> = blockers.iter().map(|f| format!("{} ({})", f.code, f.message.key.as_str())).collect();
        return Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_PRECHECK_BLOCKERS.with("findings", list.join("; ")),
        ));
    }
    let now = Utc::now();
    let region: String = content.seller.region.chars().filter(char::is_ascii_digit).take(6).collect();
    let number = next_registration_number(db, &format!("{region:0<6}"), chrono::Datelike::year(&now)).await?;
    let amount = content.terms.lump_sum_minor.unwrap_or(0);
    let mut active: contract::ActiveModel = current.clone().into();
    active.status = Set(ContractStatus::Registered.as_str().into());
    active.registration_number = Set(Some(number));
    active.registered_amount_minor = Set(Some(amount));
    active.tax_relief = Set(Some(content.contract_type.qualifies_for_tax_relief()));
    active.registered_by = Set(Some(actor.user_id));
    active.registered_at = Set(Some(now));
    active.return_reason = Set(None);
    let updated = save(db, active, &current).await.map_err(|e| match e {
        ListingsError::Db(db) => {
            ListingsError::from_db_unique(db, techex_core::msg::REFUSED_A_REGISTRATION_NUMBER_WAS_TAKEN_AT_THE)
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
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_CENTER_S_REGISTRARS_RETURN_CONTRACTS.into(),
        ));
    }
    check_version(expected_version, current.version)?;
    if contract_status(&current)? != ContractStatus::Signed {
        return Err(refuse("return", &current));
    }
    let reason = required_text(reason, 2000).map_err(|e| ListingsError::invalid("reason", e))?;
    void_signatures(db, id, "returned by the registrar").await?;
    let mut active: contract::ActiveModel = current.clone().into();
    active.status = Set(ContractStatus::Draft.as_str().into());
    active.return_reason = Set(Some(reason));
    active.signed_at = Set(None);
    let updated = save(db, active, &current).await?;
    audit::record(db, Some(actor), "contract.return", ENTITY, id, Some(snapshot(&current)), Some(snapshot(&updated)))
        .await?;
    Ok(updated)
}
