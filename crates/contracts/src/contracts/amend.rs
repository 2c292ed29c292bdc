//! Amending a contract's clauses: a new version with its text, hash and changes; every
//! signature of earlier versions is voided.

use super::*;

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

pub(super) fn apply(content: &mut Content, input: &AmendContract) -> Result<(), FieldErrors> {
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

/// Under an open licence the declared terms are the licensor's and stand as published:
/// the licensee names its representative, and nothing else changes.
fn fixed_under_open_licence(role: ContractRole, input: &AmendContract) -> Result<()> {
    let mut errors = FieldErrors::new();
    let given = [
        ("seller_representative", input.seller_representative.is_some()),
        ("place_of_performance", input.place_of_performance.is_some()),
        ("confidentiality_years", input.confidentiality_years.is_some()),
        ("acceptance_method", input.acceptance_method.is_some()),
        ("rejection_window_days", input.rejection_window_days.is_some()),
        ("cure_period_days", input.cure_period_days.is_some()),
        ("penalty_bps", input.penalty_bps.is_some()),
        ("dispute_resolution", input.dispute_resolution.is_some()),
        ("special_terms", !matches!(input.special_terms, Patch::Absent)),
    ];
    for (field, present) in given {
        if present {
            errors.add(field, msg::OPEN_LICENCE_TERMS_FIXED);
        }
    }
    if role != ContractRole::Buyer && input.buyer_representative.is_some() {
        errors.add("buyer_representative", msg::OPEN_LICENCE_TERMS_FIXED);
    }
    Ok(errors.into_result()?)
}

pub(super) async fn void_signatures<C: ConnectionTrait>(db: &C, contract_id: Uuid, reason: &str) -> Result<u64> {
    let result = signature::Entity::update_many()
        .col_expr(signature::Column::VoidedAt, Expr::value(Utc::now()))
        .col_expr(signature::Column::VoidReason, Expr::value(reason.to_string()))
        .filter(signature::Column::ContractId.eq(contract_id))
        .filter(signature::Column::VoidedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
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
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ONLY_THE_PARTIES_AND_THEIR_BROKER_AMEND.into()));
    }
    check_version(expected_version, current.version)?;
    if !matches!(contract_status(&current)?, ContractStatus::Draft | ContractStatus::Signing | ContractStatus::Signed) {
        return Err(refuse("amend", &current));
    }
    if current.open_licence_id.is_some() {
        fixed_under_open_licence(role, &input)?;
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
    active.status = Set(ContractStatus::Draft.as_str().into());
    active.signed_at = Set(None);
    let updated = save(db, active, &current).await?;
    let mut after_snapshot = snapshot(&updated);
    after_snapshot["signatures_voided"] = serde_json::json!(voided);
    audit::record(db, Some(actor), "contract.amend", ENTITY, id, Some(snapshot(&current)), Some(after_snapshot))
        .await?;
    Ok(updated)
}

/// The clause and party fields that differ between two contents.
pub(super) fn content_changes(before: &Content, after: &Content) -> serde_json::Value {
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
