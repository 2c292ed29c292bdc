//! What each reader sees of a declaration: published and withdrawn ones for everybody,
//! every state for the patentee and the center; the list by state and field.

use super::*;

/// The patent a declaration is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LicensedPatent {
    pub achievement_id: Uuid,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub kind: String,
    pub patent_number: Option<String>,
    pub field_code: String,
}

/// A declaration as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenLicenceView {
    pub id: Uuid,
    pub patent: LicensedPatent,
    pub licensor: OwnerBrief,
    pub status: OpenLicenceStatus,
    pub currency: String,
    pub fee_minor: Option<i64>,
    pub royalty_bps: Option<i32>,
    /// What the royalty is a share of (with a royalty).
    pub royalty_base: Option<RoyaltyBase>,
    pub royalty_minimum_minor: Option<i64>,
    pub royalty_period: Option<RoyaltyPeriod>,
    pub entry_fee_credited: bool,
    pub term_years: i32,
    pub territory: String,
    pub representative: String,
    pub conditions: Option<String>,
    pub evaluation_report_id: Option<Uuid>,
    /// Why the center returned it (the patentee and the center only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Licences taken under it so far.
    pub licences_taken: u64,
    /// Whether the viewer's organization may take a licence now.
    pub can_take: bool,
    /// The patentee's organization (or the center) is looking.
    pub privileged: bool,
    pub version: i32,
}

/// One declaration, if the actor may see it.
pub async fn get<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<open_licence::Model> {
    open_licence::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| visible(actor, m))
        .ok_or(ListingsError::NotFound(ENTITY))
}

/// A published declaration, share-locked so that a withdrawal waits for a licence being
/// taken under it (for `techex_contracts::open_licence::take`).
pub async fn published_for_taking<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<open_licence::Model> {
    let model = open_licence::Entity::find_by_id(id)
        .lock_shared()
        .one(db)
        .await?
        .filter(|m| visible(None, m))
        .ok_or(ListingsError::NotFound(ENTITY))?;
    if status_of(&model)? != OpenLicenceStatus::Published {
        return Err(refuse("take a licence under", &model));
    }
    Ok(model)
}

/// The live (pending or published) declaration of an achievement that the actor may see.
pub async fn live_for_achievement<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    achievement_id: Uuid,
) -> Result<Option<open_licence::Model>> {
    Ok(open_licence::Entity::find()
        .filter(open_licence::Column::LiveKey.eq(achievement_id.to_string()))
        .one(db)
        .await?
        .filter(|m| visible(actor, m)))
}

/// Whether an organization (the actor's) may take a licence under a declaration now.
fn may_take(actor: Option<&Actor>, model: &open_licence::Model, taken_by_org: bool) -> bool {
    actor.is_some_and(|a| {
        a.organization_verified
            && !a.belongs_to(model.organization_id)
            && (a.has(Role::Member) || a.has(Role::OrgAdmin))
            && a.organization_kind != techex_core::domain::OrgKind::Center
    }) && model.status == OpenLicenceStatus::Published.as_str()
        && !taken_by_org
}

/// A declaration as the actor sees it.
pub async fn view<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    model: open_licence::Model,
) -> Result<OpenLicenceView> {
    let subject = achievement::Entity::find_by_id(model.achievement_id)
        .one(db)
        .await?
        .ok_or(ListingsError::Internal("open licence without its achievement".into()))?;
    let owner = organization::Entity::find_by_id(model.organization_id)
        .one(db)
        .await?
        .ok_or(ListingsError::Internal("open licence without its patentee".into()))?;
    let taken = open_licence_grant::Entity::find()
        .filter(open_licence_grant::Column::OpenLicenceId.eq(model.id))
        .count(db)
        .await?;
    let taken_by_org = match actor {
        Some(a) => {
            open_licence_grant::Entity::find()
                .filter(open_licence_grant::Column::OpenLicenceId.eq(model.id))
                .filter(open_licence_grant::Column::LicenseeOrgId.eq(a.organization_id))
                .count(db)
                .await?
                > 0
        }
        None => false,
    };
    let privileged = privileged(actor, &model);
    Ok(OpenLicenceView {
        id: model.id,
        patent: LicensedPatent {
            achievement_id: subject.id,
            title_zh: subject.title_zh,
            title_en: subject.title_en,
            kind: subject.kind,
            patent_number: subject.patent_number,
            field_code: subject.field_code,
        },
        licensor: OwnerBrief::from(&owner),
        status: status_of(&model)?,
        can_take: may_take(actor, &model, taken_by_org),
        currency: model.currency,
        fee_minor: model.fee_minor,
        royalty_bps: model.royalty_bps,
        royalty_base: model.royalty_bps.map(|_| {
            model.royalty_base.as_deref().and_then(|b| RoyaltyBase::parse(b).ok()).unwrap_or(RoyaltyBase::NetSales)
        }),
        royalty_minimum_minor: model.royalty_minimum_minor,
        royalty_period: model.royalty_period.as_deref().and_then(|p| RoyaltyPeriod::parse(p).ok()),
        entry_fee_credited: model.entry_fee_credited,
        term_years: model.term_years,
        territory: model.territory,
        representative: model.representative,
        conditions: model.conditions,
        evaluation_report_id: model.evaluation_report_id,
        review_reason: if privileged { model.review_reason } else { None },
        published_at: model.published_at,
        withdrawn_at: model.withdrawn_at,
        created_at: model.created_at,
        licences_taken: taken,
        privileged,
        version: model.version,
    })
}

/// Which declarations to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpenLicenceFilter {
    /// Default: published. Others see only published and withdrawn declarations, except
    /// the center's reviewers (any) and a patentee with `mine`.
    pub status: Option<OpenLicenceStatus>,
    /// Only the actor's organization's declarations, in any state.
    #[serde(default)]
    pub mine: bool,
    /// Only declarations of patents in this technology field (its code).
    pub field: Option<String>,
    pub achievement_id: Option<Uuid>,
}

/// Declarations, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    filter: &OpenLicenceFilter,
    page: PageRequest,
) -> Result<Page<OpenLicenceView>> {
    let status = filter.status.unwrap_or(OpenLicenceStatus::Published);
    let mut query = open_licence::Entity::find().order_by_desc(open_licence::Column::Id);
    // `mine` means something only to a signed-in member: then every state of its own.
    let mine = filter.mine && actor.is_some();
    match actor {
        Some(a) if mine => query = query.filter(open_licence::Column::OrganizationId.eq(a.organization_id)),
        Some(a) if a.can_review() => {}
        _ if !matches!(status, OpenLicenceStatus::Published | OpenLicenceStatus::Withdrawn) => {
            return Ok(Page { items: Vec::new(), next_cursor: None });
        }
        _ => {}
    }
    if filter.status.is_some() || !mine {
        query = query.filter(open_licence::Column::Status.eq(status.as_str()));
    }
    if let Some(id) = filter.achievement_id {
        query = query.filter(open_licence::Column::AchievementId.eq(id));
    }
    if let Some(field) = filter.field.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        let ids: Vec<Uuid> = achievement::Entity::find()
            .select_only()
            .column(achievement::Column::Id)
            .filter(achievement::Column::FieldCode.eq(field))
            .into_tuple()
            .all(db)
            .await?;
        query = query.filter(open_licence::Column::AchievementId.is_in(ids));
    }
    if let Some(cursor) = page.after {
        query = query.filter(open_licence::Column::Id.lt(cursor.0));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let page = Page::from_rows(rows, page.limit, |m| m.id);
    let mut items = Vec::with_capacity(page.items.len());
    for row in page.items {
        items.push(view(db, actor, row).await?);
    }
    Ok(Page { items, next_cursor: page.next_cursor })
}
