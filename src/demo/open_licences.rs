//! The demo's open licensing: granted patents of the universities declared for open
//! licensing (a lump sum, or an entry fee with a royalty), published by the center, one
//! more waiting on its review desk, a licence taken, signed and registered, a royalty
//! licence with its reports, and one taken through a broker who has not answered yet, so
//! the list, a declaration's page, the desks and the broker's invitations show something real.

use super::*;

/// Declares, publishes and licenses as described above; skips quietly when the demo has
/// too few granted patents to spare.
pub async fn load_open_licences(database: &DatabaseConnection) -> anyhow::Result<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    use techex_core::domain::RoyaltyPeriod;
    use techex_listings::entities::achievement;
    use techex_listings::open_licences::{self, Decision, Declare, Limits};
    use techex_negotiation::entities::{auction, deal};
    let seller = demo_actor(database, "seller@techex.local").await?;
    let reviewer = demo_actor(database, "reviewer@techex.local").await?;
    let buyer = demo_actor(database, "buyer@techex.local").await?;
    let registrar = demo_actor(database, "registrar@techex.local").await?;
    // Granted invention patents of the seller that no deal or auction of the demo uses.
    let busy: Vec<uuid::Uuid> = deal::Entity::find()
        .select_only()
        .column(deal::Column::AchievementId)
        .into_tuple::<Option<uuid::Uuid>>()
        .all(database)
        .await?
        .into_iter()
        .flatten()
        .chain(
            auction::Entity::find()
                .select_only()
                .column(auction::Column::AchievementId)
                .into_tuple()
                .all(database)
                .await?,
        )
        .collect();
    let patents: Vec<achievement::Model> = achievement::Entity::find()
        .filter(achievement::Column::OrganizationId.eq(seller.organization_id))
        .filter(achievement::Column::Status.eq("published"))
        .filter(achievement::Column::Kind.eq(AchievementKind::InventionPatent.as_str()))
        .filter(achievement::Column::PatentGranted.eq(true))
        .filter(achievement::Column::Id.is_not_in(busy))
        .order_by_desc(achievement::Column::Id)
        .limit(5)
        .all(database)
        .await?;
    if patents.len() < 5 {
        return Ok(());
    }
    let bar = progress(patents.len() + 1, "open licences");
    let limits = Limits::shipped();
    let terms = [
        (Some(8_000_000), None, None, None, "同等条件下优先提供技术培训。"),
        (Some(2_000_000), Some(300), Some(5_000_000), Some(RoyaltyPeriod::Quarter), "被许可人每季度报告净销售额。"),
        (Some(15_000_000), None, None, None, "许可期内专利权人负责维持专利有效。"),
        (None, Some(2_500), Some(2_000_000), Some(RoyaltyPeriod::Year), "按被许可产品年度利润提成，按年度结算。"),
        (Some(3_000_000), None, None, None, "适用于年产值五千万元以下的企业。"),
    ];
    let transaction = begin_write(database).await?;
    let mut published = Vec::new();
    for (index, (patent, (fee, rate, minimum, period, conditions))) in patents.iter().zip(terms).enumerate() {
        let declared = techex_contracts::open_licence::declare(
            &transaction,
            &seller,
            patent.id,
            Declare {
                mode: TransactionMode::OrdinaryLicense,
                currency: Currency::CNY,
                fee_minor: fee,
                royalty_bps: rate,
                // The fourth is a share of profit (利润分成); the others of net sales.
                royalty_base: (index == 3).then_some(techex_core::domain::RoyaltyBase::Profit),
                royalty_minimum_minor: minimum,
                royalty_period: period,
                entry_fee_credited: fee.is_some() && rate.is_some(),
                term_years: 5,
                territory: "中国大陆".into(),
                representative: "张成（成果转化办公室主任）".into(),
                conditions: Some(conditions.into()),
                evaluation_report_id: None,
            },
            &limits,
        )
        .await?;
        // The last one waits on the center's desk.
        if index + 1 < patents.len() {
            let approved = open_licences::review(&transaction, &reviewer, declared.id, None, Decision::Approve).await?;
            published.push(approved);
        }
        bar.inc(1);
    }
    // The enterprise took a licence under the first declaration: signed and registered.
    if let Some(first) = published.first() {
        let contract = drafted(
            techex_contracts::open_licence::take(
                &transaction,
                &buyer,
                first.id,
                techex_contracts::open_licence::TakeLicence::default(),
            )
            .await?,
        )?;
        let amended = techex_contracts::contracts::amend(
            &transaction,
            &buyer,
            contract.id,
            None,
            techex_contracts::contracts::AmendContract {
                buyer_representative: Some("刘采（研发总监）".into()),
                ..Default::default()
            },
        )
        .await?;
        techex_contracts::contracts::sign(
            &transaction,
            &buyer,
            contract.id,
            techex_contracts::contracts::Sign { sha256: amended.sha256.clone() },
        )
        .await?;
        techex_contracts::contracts::register(&transaction, &registrar, contract.id, None).await?;
    }
    // And a royalty licence under the second, signed ten months ago: its ended quarters
    // reported and accepted, the last one waiting for the licensor.
    if let Some(second) = published.get(1) {
        royalty_history(&transaction, &buyer, &seller, &registrar, second.id).await?;
    }
    // Under the third, the enterprise asked the demo's broker to mediate: the invitation
    // waits on the broker's desk, and the contract is drafted once the broker accepts.
    if let (Some(third), Ok(broker)) = (published.get(2), demo_actor(database, "broker@techex.local").await) {
        techex_contracts::open_licence::take(
            &transaction,
            &buyer,
            third.id,
            techex_contracts::open_licence::TakeLicence { broker_id: Some(broker.user_id), ..Default::default() },
        )
        .await?;
    }
    transaction.commit().await?;
    bar.inc(1);
    bar.finish_and_clear();
    Ok(())
}

/// The contract of a licence taken without a broker.
fn drafted(
    taken: techex_contracts::open_licence::Taken,
) -> anyhow::Result<techex_contracts::entities::contract::Model> {
    match taken {
        techex_contracts::open_licence::Taken::Drafted(contract) => Ok(contract),
        techex_contracts::open_licence::Taken::AwaitingBroker(_) => {
            anyhow::bail!("a licence taken without a broker waits for one")
        }
    }
}

async fn royalty_history(
    db: &sea_orm::DatabaseTransaction,
    buyer: &Actor,
    seller: &Actor,
    registrar: &Actor,
    declaration: uuid::Uuid,
) -> anyhow::Result<()> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use techex_contracts::entities::contract;
    use techex_contracts::royalties::{self, FileReport};
    let taken = drafted(
        techex_contracts::open_licence::take(
            db,
            buyer,
            declaration,
            techex_contracts::open_licence::TakeLicence { anonymous: true, ..Default::default() },
        )
        .await?,
    )?;
    let amended = techex_contracts::contracts::amend(
        db,
        buyer,
        taken.id,
        None,
        techex_contracts::contracts::AmendContract {
            buyer_representative: Some("刘采（研发总监）".into()),
            ..Default::default()
        },
    )
    .await?;
    techex_contracts::contracts::sign(
        db,
        buyer,
        taken.id,
        techex_contracts::contracts::Sign { sha256: amended.sha256 },
    )
    .await?;
    techex_contracts::contracts::register(db, registrar, taken.id, None).await?;
    let signed = Utc::now() - Duration::days(300);
    contract::Entity::update_many()
        .col_expr(contract::Column::SignedAt, Expr::value(signed))
        .col_expr(contract::Column::RegisteredAt, Expr::value(signed + Duration::days(3)))
        .filter(contract::Column::Id.eq(taken.id))
        .exec(db)
        .await?;
    techex_listings::entities::open_licence_grant::Entity::update_many()
        .col_expr(
            techex_listings::entities::open_licence_grant::Column::TakenAt,
            Expr::value(signed - Duration::days(1)),
        )
        .filter(techex_listings::entities::open_licence_grant::Column::ContractId.eq(taken.id))
        .exec(db)
        .await?;
    let overview = royalties::overview(db, buyer, taken.id).await?;
    let today = Utc::now().date_naive();
    let sales = [180_000_000_i64, 265_000_000, 312_000_000, 298_000_000];
    let mut period = overview.next_period;
    let mut ends = overview.next_period_ends_on;
    for (n, amount) in sales.iter().enumerate() {
        let (Some(code), Some(end)) = (period.clone(), ends) else { break };
        if end >= today {
            break;
        }
        let current = royalties::Period::parse(&code, overview.period_kind).map_err(|e| anyhow!(e))?;
        let filed = royalties::file(
            db,
            buyer,
            taken.id,
            FileReport { period: code, net_sales_minor: *amount, profit_minor: None, units: Some(40 + n as i64 * 12) },
        )
        .await?;
        // The last ended quarter waits for the licensor; the earlier ones are accepted.
        if current.next(overview.period_kind).end >= today {
            break;
        }
        royalties::accept(db, seller, filed.id, None).await?;
        let after = royalties::overview(db, buyer, taken.id).await?;
        period = after.next_period;
        ends = after.next_period_ends_on;
    }
    Ok(())
}
