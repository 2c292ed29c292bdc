//! A year of the demo center's history, so that the statistics, the broker league and
//! the dashboards say something: eight certified brokers across the province (the demo's
//! agency and the technology transfer offices of seven universities and institutes),
//! and 64 technology contracts between the universities and the enterprises, negotiated,
//! signed, registered and then spread over the last twelve months, some completed and
//! some ended by agreement, with reasons buyers gave for passing.
//!
//! Everything goes through the domain functions a user's clicks go through; only the
//! dates are moved back afterwards (deal, contract, signatures and registration, with the
//! registration number's year), and a completed contract's milestones are marked paid
//! and accepted, as the payment flow would have left them.

use super::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use techex_contracts::entities::{contract, milestone};
use techex_core::domain::{BrokerLevel, FeedbackReason};
use techex_listings::entities::achievement;
use techex_negotiation::entities::deal;
use techex_negotiation::{brokers, deals, feedback, offers, terms};

/// Contracts the history adds.
const CONTRACTS: usize = 64;

/// The brokers of the history beside the demo's own: (organization key, name, certificate,
/// level, fields).
const BROKERS: &[(&str, &str, &str, BrokerLevel, &[&str])] = &[
    ("ouc", "海明", "鲁技经证字 2025-0311", BrokerLevel::Senior, &["marine", "biomedicine"]),
    ("upc", "石原", "鲁技经证字 2025-0427", BrokerLevel::Intermediate, &["new_energy", "high_end_chemicals"]),
    ("sdust", "矿远", "鲁技经证字 2025-0188", BrokerLevel::Intermediate, &["high_end_equipment"]),
    ("qdu", "青岳", "鲁技经证字 2026-0032", BrokerLevel::Junior, &["new_materials", "new_generation_it"]),
    ("sdau", "农丰", "鲁技经证字 2026-0075", BrokerLevel::Junior, &["smart_agriculture", "biomedicine"]),
    ("qlu", "齐鲁", "鲁技经证字 2025-0502", BrokerLevel::Senior, &["new_generation_it", "high_end_chips"]),
    ("qibebt", "科衡", "鲁技经证字 2025-0266", BrokerLevel::Intermediate, &["hydrogen_energy", "energy_environment"]),
];

/// Why some buyers passed, with what they wrote.
const PASSES: &[(FeedbackReason, &str)] = &[
    (FeedbackReason::Price, "报价高于我司年度研发预算"),
    (FeedbackReason::TooEarly, "尚处于实验室阶段，需要中试数据"),
    (FeedbackReason::Fit, "与我司现有产品线关联度不高"),
    (FeedbackReason::IpRisk, "专利尚未授权，权利稳定性存疑"),
    (FeedbackReason::Capacity, "缺少配套的生产设备"),
    (FeedbackReason::BenefitUnclear, "缺少经济效益测算"),
];

/// The licence of the n-th contract: the mode, the lump sum and two milestones.
fn licence(n: usize) -> terms::Terms {
    let mode =
        [TransactionMode::OrdinaryLicense, TransactionMode::ExclusiveLicense, TransactionMode::SoleLicense][n % 3];
    let lump: i64 = [50, 80, 120, 180, 260, 350, 500, 760][n % 8] * 1_000_000 + (n as i64 % 5) * 100_000;
    terms::Terms {
        mode,
        currency: Currency::CNY,
        lump_sum_minor: Some(lump),
        royalty_bps: None,
        royalty_base: None,
        royalty_minimum_minor: None,
        equity_bps: None,
        milestones: vec![
            terms::MilestoneTerm {
                title: "签约首付".into(),
                amount_minor: lump * 4 / 10,
                due_days_after_signing: 0,
                acceptance_criteria: None,
            },
            terms::MilestoneTerm {
                title: "技术资料交付验收".into(),
                amount_minor: lump - lump * 4 / 10,
                due_days_after_signing: 120,
                acceptance_criteria: Some("完成技术资料交付并通过现场验证".into()),
            },
        ],
        territory: "中国大陆".into(),
        term_years: 3 + (n % 6) as i32,
        exclusive: mode != TransactionMode::OrdinaryLicense,
        improvements: terms::Improvements::EachOwn,
        notes: None,
    }
}

/// A member of an organization certified as a broker; the actor.
async fn new_broker(
    database: &DatabaseConnection,
    admin: &Actor,
    org: &Actor,
    password_hash: &str,
    (key, name, certificate, level, fields): &(&str, &str, &str, BrokerLevel, &[&str]),
) -> anyhow::Result<Actor> {
    let now = Utc::now();
    let transaction = begin_write(database).await?;
    let member = user::ActiveModel {
        id: Set(new_id()),
        email: Set(format!("broker.{key}@demo.techex.local")),
        display_name: Set((*name).to_string()),
        password_hash: Set(password_hash.to_string()),
        organization_id: Set(org.organization_id),
        roles: Set(RoleSet::new([Role::Member]).to_stored()),
        status: Set("active".into()),
        language: Set("zh".into()),
        email_notifications: Set(true),
        email_confirmed_at: Set(Some(now)),
        email_token_hash: Set(None),
        email_token_expires_at: Set(None),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&transaction)
    .await?;
    brokers::certify(
        &transaction,
        admin,
        brokers::CertifyBroker {
            user_id: member.id,
            certificate_number: (*certificate).to_string(),
            level: *level,
            fields: fields.iter().map(|f| (*f).to_string()).collect(),
            commission_bps: 200 + 50 * (*level as i32),
            certificate_expires_on: None,
            bio_zh: Some(format!("{name}，高校技术转移中心专职技术经纪人。")),
            bio_en: Some("A full-time technology broker of a university technology transfer office.".into()),
        },
    )
    .await?;
    transaction.commit().await?;
    demo_actor(database, &member.email).await
}

/// Moves a registered contract and its deal back to `at` (the inquiry), signing and
/// registration following within a month.
async fn backdate(
    database: &DatabaseConnection,
    contract_id: uuid::Uuid,
    deal_id: uuid::Uuid,
    at: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    use techex_contracts::entities::signature;
    let signed = at + Duration::days(18);
    let registered = at + Duration::days(26);
    let transaction = begin_write(database).await?;
    deal::Entity::update_many()
        .col_expr(deal::Column::CreatedAt, Expr::value(at))
        .col_expr(deal::Column::UpdatedAt, Expr::value(signed))
        .filter(deal::Column::Id.eq(deal_id))
        .exec(&transaction)
        .await?;
    signature::Entity::update_many()
        .col_expr(signature::Column::SignedAt, Expr::value(signed))
        .filter(signature::Column::ContractId.eq(contract_id))
        .exec(&transaction)
        .await?;
    let current = contract::Entity::find_by_id(contract_id).one(&transaction).await?.context("the contract")?;
    let number =
        current.registration_number.map(|n| format!("{}{}", registered.format("%Y"), n.get(4..).unwrap_or("")));
    contract::Entity::update_many()
        .col_expr(contract::Column::CreatedAt, Expr::value(at + Duration::days(12)))
        .col_expr(contract::Column::SignedAt, Expr::value(Some(signed)))
        .col_expr(contract::Column::RegisteredAt, Expr::value(Some(registered)))
        .col_expr(contract::Column::RegistrationNumber, Expr::value(number))
        .col_expr(contract::Column::UpdatedAt, Expr::value(registered))
        .filter(contract::Column::Id.eq(contract_id))
        .exec(&transaction)
        .await?;
    transaction.commit().await?;
    Ok(())
}

fn today_plus(days: i64) -> chrono::NaiveDate {
    (Utc::now() + Duration::days(days)).date_naive()
}

/// A registered contract whose down payment was paid and accepted: performing, the next
/// milestone due on `next_due`.
async fn perform(
    database: &DatabaseConnection,
    contract_id: uuid::Uuid,
    next_due: chrono::NaiveDate,
) -> anyhow::Result<()> {
    use techex_core::domain::{ContractStatus, MilestoneStatus};
    let transaction = begin_write(database).await?;
    milestone::Entity::update_many()
        .col_expr(milestone::Column::Status, Expr::value(MilestoneStatus::Accepted.as_str()))
        .filter(milestone::Column::ContractId.eq(contract_id))
        .filter(milestone::Column::Sequence.eq(1))
        .exec(&transaction)
        .await?;
    milestone::Entity::update_many()
        .col_expr(milestone::Column::DueDate, Expr::value(Some(next_due)))
        .filter(milestone::Column::ContractId.eq(contract_id))
        .filter(milestone::Column::Sequence.gt(1))
        .exec(&transaction)
        .await?;
    contract::Entity::update_many()
        .col_expr(contract::Column::Status, Expr::value(ContractStatus::Performing.as_str()))
        .filter(contract::Column::Id.eq(contract_id))
        .exec(&transaction)
        .await?;
    transaction.commit().await?;
    Ok(())
}

/// Marks a registered contract's milestones paid and accepted and the contract completed,
/// as the payment flow leaves a contract whose buyer paid everything.
async fn complete(database: &DatabaseConnection, contract_id: uuid::Uuid) -> anyhow::Result<()> {
    let transaction = begin_write(database).await?;
    milestone::Entity::update_many()
        .col_expr(milestone::Column::Status, Expr::value(techex_core::domain::MilestoneStatus::Accepted.as_str()))
        .filter(milestone::Column::ContractId.eq(contract_id))
        .exec(&transaction)
        .await?;
    contract::Entity::update_many()
        .col_expr(contract::Column::Status, Expr::value(techex_core::domain::ContractStatus::Completed.as_str()))
        .filter(contract::Column::Id.eq(contract_id))
        .exec(&transaction)
        .await?;
    transaction.commit().await?;
    Ok(())
}

/// Adds the year of history (see the module's documentation).
pub async fn load_history(database: &DatabaseConnection, actors: &HashMap<String, Actor>) -> anyhow::Result<()> {
    let admin = demo_actor(database, "admin@techex.local").await?;
    let registrar = demo_actor(database, "registrar@techex.local").await?;
    let seller_home = demo_actor(database, "seller@techex.local").await?.organization_id;
    let bar = progress(BROKERS.len() + CONTRACTS, "a year of history");
    // One hash for all the brokers' accounts: the demo password, hashed once.
    let hash = tokio::task::spawn_blocking(|| hash_password_blocking(DEMO_PASSWORD)).await??;
    let mut brokers_of = vec![demo_actor(database, "broker@techex.local").await?];
    for broker in BROKERS {
        let Some(org) = actors.get(broker.0) else { continue };
        brokers_of.push(new_broker(database, &admin, org, &hash, broker).await?);
        bar.inc(1);
    }
    let mut sellers: Vec<&Actor> = Vec::new();
    let mut buyers: Vec<&Actor> = Vec::new();
    let mut keys: Vec<&String> = actors.keys().collect();
    keys.sort();
    for key in keys {
        let Some(actor) = actors.get(key) else { continue };
        let org = organization::Entity::find_by_id(actor.organization_id).one(database).await?;
        match org.map(|o| o.kind).as_deref() {
            Some("university" | "research_institute") if actor.organization_id != seller_home => sellers.push(actor),
            Some("enterprise") => buyers.push(actor),
            _ => {}
        }
    }
    if sellers.is_empty() || buyers.is_empty() {
        bar.finish_and_clear();
        return Ok(());
    }
    // Each seller's published listings, used one per contract.
    let mut listings: Vec<Vec<achievement::Model>> = Vec::new();
    for seller in &sellers {
        listings.push(
            achievement::Entity::find()
                .filter(achievement::Column::OrganizationId.eq(seller.organization_id))
                .filter(achievement::Column::Status.eq("published"))
                .order_by_asc(achievement::Column::Id)
                .all(database)
                .await?,
        );
    }
    let now = Utc::now();
    let valid_until = now + Duration::days(14);
    let mut made = 0;
    for n in 0..CONTRACTS * 2 {
        if made == CONTRACTS {
            break;
        }
        let s = n % sellers.len();
        let Some(subject) = listings[s].get(n / sellers.len()).cloned() else { continue };
        // A patent open for licensing takes no exclusive or sole licence.
        if techex_listings::open_licences::is_open(database, subject.id).await? {
            continue;
        }
        let seller = sellers[s];
        let buyer = buyers[(n / 2) % buyers.len()];
        let Some(broker) = brokers_of
            .iter()
            .cycle()
            .skip(n % brokers_of.len())
            .take(brokers_of.len())
            .find(|b| b.organization_id != seller.organization_id && b.organization_id != buyer.organization_id)
        else {
            continue;
        };
        let transaction = begin_write(database).await?;
        let opened = deals::open(
            &transaction,
            buyer,
            deals::OpenDeal {
                achievement_id: Some(subject.id),
                demand_id: None,
                inquiry: "我司拟引进该成果，请介绍许可方式与费用。".into(),
                broker_id: None,
                commission_bps: None,
            },
        )
        .await?;
        let invite = deals::InviteBroker { broker_id: broker.user_id, commission_bps: Some(250) };
        deals::invite_broker(&transaction, buyer, opened.id, None, invite).await?;
        deals::answer_invitation(&transaction, broker, opened.id, None, true).await?;
        let offer = offers::make(
            &transaction,
            seller,
            opened.id,
            offers::MakeOffer { terms: licence(n), valid_until, on_behalf_of: None },
        )
        .await?;
        offers::accept(&transaction, buyer, offer.id, None).await?;
        let draft = techex_contracts::contracts::draft(&transaction, broker, opened.id).await?;
        let representatives = techex_contracts::contracts::AmendContract {
            seller_representative: Some("成果转化办公室主任".into()),
            buyer_representative: Some("研发负责人".into()),
            change_note: Some("补充双方授权代表".into()),
            ..Default::default()
        };
        let amended = techex_contracts::contracts::amend(&transaction, seller, draft.id, None, representatives).await?;
        for who in [seller, buyer, broker] {
            techex_contracts::contracts::sign(
                &transaction,
                who,
                draft.id,
                techex_contracts::contracts::Sign { sha256: amended.sha256.clone() },
            )
            .await?;
        }
        techex_contracts::contracts::register(&transaction, &registrar, draft.id, None).await?;
        // Every fourth buyer that looked passed on another listing of the same seller.
        if n % 4 == 1
            && let Some(other) = listings[s].iter().rev().nth(n / sellers.len())
        {
            let (reason, comment) = PASSES[n % PASSES.len()];
            feedback::give(
                &transaction,
                buyers[(n / 2 + 1) % buyers.len()],
                other.id,
                feedback::GiveFeedback { reason, comment: Some(comment.into()) },
            )
            .await?;
        }
        transaction.commit().await?;
        // Spread over the last twelve months, the newest a month ago.
        let at = now - Duration::days(30 + (made as i64 * 335 / CONTRACTS as i64)) - Duration::hours(n as i64 % 9);
        backdate(database, draft.id, opened.id, at).await?;
        // The down payment was paid and accepted long ago; the rest falls due in the
        // coming weeks (or was paid too: completed).
        perform(database, draft.id, today_plus(20 + (n as i64 * 7) % 70)).await?;
        if made % 5 == 0 && made > 0 {
            complete(database, draft.id).await?;
        } else if made % 11 == 3 {
            let transaction = begin_write(database).await?;
            techex_contracts::contracts::propose_termination(
                &transaction,
                buyer,
                draft.id,
                None,
                "市场需求变化，双方协商一致解除合同",
            )
            .await?;
            techex_contracts::contracts::answer_termination(&transaction, seller, draft.id, None, true).await?;
            transaction.commit().await?;
        }
        made += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    tracing::info!(contracts = made, brokers = brokers_of.len(), "demo history loaded");
    Ok(())
}
