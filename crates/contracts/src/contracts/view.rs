//! What a party (or the center) sees of a contract.

use super::*;

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

pub(super) fn signature_view(s: signature::Model) -> SignatureView {
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

pub(super) async fn view<C: ConnectionTrait>(
    db: &C,
    model: contract::Model,
    role: ContractRole,
) -> Result<ContractView> {
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
