//! What a participant sees of deals: one, a list, and a deal's timeline.

use super::*;

pub(super) async fn subjects<C: ConnectionTrait>(
    db: &C,
    deals: &[deal::Model],
) -> Result<(HashMap<Uuid, Subject>, HashMap<Uuid, Subject>)> {
    let achievement_ids: Vec<Uuid> = deals.iter().filter_map(|d| d.achievement_id).collect();
    let demand_ids: Vec<Uuid> = deals.iter().filter_map(|d| d.demand_id).collect();
    let mut achievements = HashMap::new();
    if !achievement_ids.is_empty() {
        for a in achievement::Entity::find().filter(achievement::Column::Id.is_in(achievement_ids)).all(db).await? {
            achievements.insert(
                a.id,
                Subject { kind: "achievement".into(), id: a.id, title_zh: a.title_zh, title_en: a.title_en },
            );
        }
    }
    let mut demands = HashMap::new();
    if !demand_ids.is_empty() {
        for d in demand::Entity::find().filter(demand::Column::Id.is_in(demand_ids)).all(db).await? {
            demands
                .insert(d.id, Subject { kind: "demand".into(), id: d.id, title_zh: d.title_zh, title_en: d.title_en });
        }
    }
    Ok((achievements, demands))
}

pub(super) async fn views<C: ConnectionTrait>(db: &C, actor: &Actor, deals: Vec<deal::Model>) -> Result<Vec<DealView>> {
    let (achievements, demands) = subjects(db, &deals).await?;
    let orgs =
        techex_listings::achievements::owners_by_id(db, deals.iter().flat_map(|d| [d.seller_org_id, d.buyer_org_id]))
            .await?;
    let broker_ids: Vec<Uuid> = deals.iter().filter_map(|d| d.broker_id).collect();
    let names: HashMap<Uuid, String> = if broker_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(broker_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    let by_notice: HashMap<Uuid, Uuid> = {
        use techex_listings::entities::open_licence_grant;
        let ids: Vec<Uuid> = deals.iter().map(|d| d.id).collect();
        open_licence_grant::Entity::find()
            .filter(open_licence_grant::Column::DealId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|g| g.deal_id.map(|deal| (deal, g.open_licence_id)))
            .collect()
    };
    let parties: Vec<(&deal::Model, Party)> = deals.iter().filter_map(|d| party_of(actor, d).map(|p| (d, p))).collect();
    let mut unread = crate::room::unread_counts(db, actor, &parties).await?;
    let mut out = Vec::with_capacity(deals.len());
    for model in deals {
        let Some(party) = party_of(actor, &model) else {
            continue;
        };
        let (Some(seller), Some(buyer)) = (orgs.get(&model.seller_org_id), orgs.get(&model.buyer_org_id)) else {
            continue;
        };
        let unread = unread.remove(&model.id).unwrap_or_default();
        let full = !matches!(party, Party::InvitedBroker);
        out.push(DealView {
            id: model.id,
            status: status_of(&model),
            version: model.version,
            my_role: party,
            achievement: model.achievement_id.and_then(|id| achievements.get(&id).cloned()),
            demand: model.demand_id.and_then(|id| demands.get(&id).cloned()),
            auction_id: model.auction_id,
            open_licence_id: by_notice.get(&model.id).copied(),
            seller: seller.into(),
            buyer: buyer.into(),
            inquiry: model.inquiry,
            broker: model.broker_id.map(|id| DealBroker {
                id,
                display_name: names.get(&id).cloned().unwrap_or_default(),
                status: model.broker_status.clone().unwrap_or_default(),
                commission_bps: model.commission_bps,
            }),
            agreement: if full { model.agreement.and_then(|a| serde_json::from_value(a).ok()) } else { None },
            agreed_at: model.agreed_at,
            closed_reason: model.closed_reason,
            closed_at: model.closed_at,
            unread,
            last_activity_at: model.last_activity_at,
            created_at: model.created_at,
            updated_at: model.updated_at,
        });
    }
    Ok(out)
}

/// One deal as the actor sees it.
pub async fn get_view<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<DealView> {
    let (model, _) = load(db, actor, id).await?;
    views(db, actor, vec![model]).await?.pop().ok_or(ListingsError::NotFound(ENTITY))
}

/// Filters of the deal list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DealFilter {
    pub status: Option<DealStatus>,
    /// `seller`, `buyer` or `broker`: only deals where the caller is that.
    pub role: Option<String>,
    pub achievement_id: Option<Uuid>,
    pub demand_id: Option<Uuid>,
}

/// The deals the actor takes part in (platform admins: all), newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &DealFilter,
    page: PageRequest,
) -> Result<Page<DealView>> {
    let mine = |role: &str| -> Result<Condition> {
        Ok(match role {
            "seller" => Condition::all().add(deal::Column::SellerOrgId.eq(actor.organization_id)),
            "buyer" => Condition::all().add(deal::Column::BuyerOrgId.eq(actor.organization_id)),
            "broker" => Condition::all()
                .add(deal::Column::BrokerId.eq(actor.user_id))
                .add(deal::Column::BrokerStatus.is_in(["invited", "accepted"])),
            _ => {
                return Err(ListingsError::invalid(
                    "role",
                    techex_core::msg::VALUE_NOT_ONE_OF.with("input", role).with("allowed", "seller, buyer, broker"),
                ));
            }
        })
    };
    let scope = match filter.role.as_deref() {
        Some(role) => mine(role)?,
        None if actor.is_platform_admin() => Condition::all(),
        None => Condition::any().add(mine("seller")?).add(mine("buyer")?).add(mine("broker")?),
    };
    let mut query = deal::Entity::find().filter(scope).order_by_desc(deal::Column::Id);
    if let Some(status) = filter.status {
        query = query.filter(deal::Column::Status.eq(status.as_str()));
    }
    if let Some(id) = filter.achievement_id {
        query = query.filter(deal::Column::AchievementId.eq(id));
    }
    if let Some(id) = filter.demand_id {
        query = query.filter(deal::Column::DemandId.eq(id));
    }
    if let Some(cursor) = page.after {
        query = query.filter(deal::Column::Id.lt(cursor.0));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let page = Page::from_rows(rows, page.limit, |m| m.id);
    Ok(Page { items: views(db, actor, page.items).await?, next_cursor: page.next_cursor })
}

/// One step of a deal's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// The audited action, e.g. `deal.open`, `offer.make`, `offer.accept`, `message.post`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub actor_user_id: Option<Uuid>,
    pub actor_name: Option<String>,
    /// For messages: the channel.
    pub channel: Option<String>,
}

/// The deal's history from the audit log, as the actor may see it: caucus steps of the
/// other side are left out, and so are the steps of offers the actor may not see (a
/// broker's proposal awaiting the other side's confirmation), by the offers' own rule.
pub async fn timeline<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<Vec<TimelineEntry>> {
    use techex_listings::entities::audit_log;
    let (model, party) = load(db, actor, id).await?;
    if party == Party::InvitedBroker {
        return Err(ListingsError::Forbidden(techex_core::msg::REFUSED_ACCEPT_THE_INVITATION_TO_SEE_THE_DEAL_2.into()));
    }
    let offers = offer::Entity::find().filter(offer::Column::DealId.eq(id)).all(db).await?;
    let hidden: std::collections::HashSet<Uuid> =
        offers.iter().filter(|o| !crate::offers::may_see(party, o)).map(|o| o.id).collect();
    let offer_ids: Vec<Uuid> = offers.iter().map(|o| o.id).filter(|o| !hidden.contains(o)).collect();
    let refusal_ids: Vec<Uuid> = crate::entities::first_refusal::Entity::find()
        .filter(crate::entities::first_refusal::Column::DealId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut ids = vec![model.id];
    ids.extend(offer_ids);
    ids.extend(refusal_ids);
    let entries = audit_log::Entity::find()
        .filter(audit_log::Column::EntityId.is_in(ids))
        .order_by_asc(audit_log::Column::At)
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?;
    let people: HashMap<Uuid, String> = {
        let ids: Vec<Uuid> = entries.iter().filter_map(|e| e.actor_user_id).collect();
        if ids.is_empty() {
            HashMap::new()
        } else {
            user::Entity::find()
                .filter(user::Column::Id.is_in(ids))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect()
        }
    };
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            let channel = e.after.as_ref().and_then(|a| a.get("channel")).and_then(|c| c.as_str()).map(str::to_string);
            if let Some(channel) = &channel
                && !crate::room::may_read(party, channel)
            {
                return None;
            }
            Some(TimelineEntry {
                at: e.at,
                action: e.action,
                entity_type: e.entity_type,
                entity_id: e.entity_id,
                actor_name: e.actor_user_id.and_then(|id| people.get(&id).cloned()),
                actor_user_id: e.actor_user_id,
                channel,
            })
        })
        .collect())
}
