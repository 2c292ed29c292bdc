//! The demo's negotiations: deals in every state, a registered contract, an open bidding.

use super::*;

/// Certifies the demo broker and opens deals in each state a deal can reach before a
/// contract (inquiry, brokered with a conversation, negotiating with a counter-offer,
/// agreed, cancelled), plus an open public bidding, so every screen has something real.
pub async fn load_negotiations(database: &DatabaseConnection) -> anyhow::Result<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    use techex_listings::entities::achievement;
    use techex_negotiation::{auctions, brokers, deals, offers, room, terms};
    let admin = demo_actor(database, "admin@techex.local").await?;
    let seller = demo_actor(database, "seller@techex.local").await?;
    let buyer = demo_actor(database, "buyer@techex.local").await?;
    let broker = demo_actor(database, "broker@techex.local").await?;
    let registrar = demo_actor(database, "registrar@techex.local").await?;
    let bar = progress(8, "deals");
    let transaction = begin_write(database).await?;
    brokers::certify(
        &transaction,
        &admin,
        brokers::CertifyBroker {
            user_id: broker.user_id,
            certificate_number: "鲁技经证字 2026-0158".into(),
            level: techex_core::domain::BrokerLevel::Senior,
            fields: vec!["new_materials".into(), "marine".into(), "high_end_equipment".into()],
            commission_bps: 300,
            certificate_expires_on: chrono::NaiveDate::from_ymd_opt(2029, 12, 31),
            bio_zh: Some("从事高校科技成果转化十二年，促成技术合同六十余项。".into()),
            bio_en: Some(
                "Twelve years in university technology transfer; over sixty technology contracts brokered.".into(),
            ),
        },
    )
    .await?;
    transaction.commit().await?;
    bar.inc(1);
    // Licences only: an assignment of an invention with inventors waits for their first refusal.
    let listings: Vec<achievement::Model> = achievement::Entity::find()
        .filter(achievement::Column::OrganizationId.eq(seller.organization_id))
        .filter(achievement::Column::Status.eq("published"))
        .order_by_asc(achievement::Column::Id)
        .limit(7)
        .all(database)
        .await?;
    if listings.len() < 7 {
        bar.finish_and_clear();
        return Ok(());
    }
    let valid_until = Utc::now() + Duration::days(14);
    let licence = |lump: i64| terms::Terms {
        mode: TransactionMode::OrdinaryLicense,
        currency: Currency::CNY,
        lump_sum_minor: Some(lump),
        royalty_bps: Some(200),
        royalty_base: None,
        royalty_minimum_minor: None,
        equity_bps: None,
        milestones: vec![
            terms::MilestoneTerm {
                title: "签约首付".into(),
                amount_minor: lump * 3 / 10,
                due_days_after_signing: 0,
                acceptance_criteria: None,
            },
            terms::MilestoneTerm {
                title: "技术资料交付验收".into(),
                amount_minor: lump - lump * 3 / 10,
                due_days_after_signing: 90,
                acceptance_criteria: Some("完成工艺包交付并通过中试验证".into()),
            },
        ],
        territory: "中国大陆".into(),
        term_years: 5,
        exclusive: false,
        improvements: terms::Improvements::EachOwn,
        notes: None,
    };
    let open = |index: usize, inquiry: &str| deals::OpenDeal {
        achievement_id: Some(listings[index].id),
        demand_id: None,
        inquiry: inquiry.into(),
        broker_id: None,
        commission_bps: None,
    };
    let invite = deals::InviteBroker { broker_id: broker.user_id, commission_bps: Some(300) };
    let licence_at = |lump: i64| offers::MakeOffer { terms: licence(lump), valid_until, on_behalf_of: None };
    let transaction = begin_write(database).await?;
    // Inquiry.
    deals::open(&transaction, &buyer, open(0, "请问该技术是否已完成中试？能否安排实验室参观？")).await?;
    // Brokered, with a conversation in the joint room and both caucuses.
    let brokered = deals::open(&transaction, &buyer, open(1, "我司计划引进该技术用于现有产线升级。")).await?;
    deals::invite_broker(&transaction, &buyer, brokered.id, None, invite.clone()).await?;
    deals::answer_invitation(&transaction, &broker, brokered.id, None, true).await?;
    for (who, channel, body) in [
        (&buyer, room::JOINT, "请提供中试报告与设备清单。"),
        (&seller, room::JOINT, "中试报告已上传至保密资料，签署保密协议后可查看。"),
        (&broker, room::CAUCUS_BUYER, "卖方更看重首付比例，价格有一定空间。"),
        (&seller, room::CAUCUS_SELLER, "首付不低于三成即可。"),
    ] {
        room::post(
            &transaction,
            who,
            brokered.id,
            room::PostMessage { channel: channel.into(), body: body.into(), attachment_id: None },
        )
        .await?;
    }
    bar.inc(1);
    // Negotiating: an offer and a counter-offer.
    let negotiating = deals::open(&transaction, &buyer, open(2, "希望以普通许可方式实施。")).await?;
    deals::invite_broker(&transaction, &buyer, negotiating.id, None, invite.clone()).await?;
    deals::answer_invitation(&transaction, &broker, negotiating.id, None, true).await?;
    let first = offers::make(
        &transaction,
        &buyer,
        negotiating.id,
        offers::MakeOffer { terms: licence(30_000_000), valid_until, on_behalf_of: None },
    )
    .await?;
    offers::counter(
        &transaction,
        &seller,
        first.id,
        None,
        offers::MakeOffer { terms: licence(38_000_000), valid_until, on_behalf_of: None },
    )
    .await?;
    bar.inc(1);
    // Agreed.
    let agreed = deals::open(&transaction, &buyer, open(3, "贵校该成果与我司产品高度契合。")).await?;
    deals::invite_broker(&transaction, &buyer, agreed.id, None, invite.clone()).await?;
    deals::answer_invitation(&transaction, &broker, agreed.id, None, true).await?;
    let offer = offers::make(
        &transaction,
        &seller,
        agreed.id,
        offers::MakeOffer { terms: licence(25_000_000), valid_until, on_behalf_of: None },
    )
    .await?;
    offers::accept(&transaction, &buyer, offer.id, None).await?;
    bar.inc(1);
    // Contracted: signed by the three parties and registered by the center.
    let contracted = deals::open(&transaction, &buyer, open(6, "拟引进该技术建设示范生产线。")).await?;
    deals::invite_broker(&transaction, &buyer, contracted.id, None, invite.clone()).await?;
    deals::answer_invitation(&transaction, &broker, contracted.id, None, true).await?;
    let offer = offers::make(&transaction, &seller, contracted.id, licence_at(48_000_000)).await?;
    offers::accept(&transaction, &buyer, offer.id, None).await?;
    let draft = techex_contracts::contracts::draft(&transaction, &broker, contracted.id).await?;
    let amendment = techex_contracts::contracts::AmendContract {
        seller_representative: Some("张成（成果转化办公室主任）".into()),
        buyer_representative: Some("刘采（研发总监）".into()),
        change_note: Some("补充双方授权代表".into()),
        ..Default::default()
    };
    let amended = techex_contracts::contracts::amend(&transaction, &seller, draft.id, None, amendment).await?;
    for who in [&seller, &buyer, &broker] {
        techex_contracts::contracts::sign(
            &transaction,
            who,
            draft.id,
            techex_contracts::contracts::Sign { sha256: amended.sha256.clone() },
        )
        .await?;
    }
    techex_contracts::contracts::register(&transaction, &registrar, draft.id, None).await?;
    bar.inc(1);
    // Cancelled.
    let cancelled = deals::open(&transaction, &buyer, open(4, "想了解许可费用区间。")).await?;
    deals::cancel(&transaction, &buyer, cancelled.id, None, "公司年度预算调整，暂缓引进").await?;
    bar.inc(1);
    // An open public bidding.
    let opens = Utc::now();
    let auction = auctions::create(
        &transaction,
        &seller,
        auctions::CreateAuction {
            achievement_id: listings[5].id,
            currency: Currency::CNY,
            starting_price_minor: 20_000_000,
            reserve_minor: Some(25_000_000),
            increment_minor: 1_000_000,
            opens_at: opens,
            closes_at: opens + Duration::days(10),
            extension_window_secs: Some(300),
            extension_secs: Some(300),
            terms: auctions::AuctionTerms {
                mode: TransactionMode::SoleLicense,
                territory: "山东省".into(),
                term_years: 5,
                exclusive: true,
                improvements: terms::Improvements::EachOwn,
                notes: None,
            },
        },
    )
    .await?;
    auctions::place_bid(&transaction, &buyer, auction.id, auctions::PlaceBid { amount_minor: 21_000_000 }).await?;
    transaction.commit().await?;
    bar.inc(2);
    bar.finish_and_clear();
    Ok(())
}
