//! The demo center: Shandong universities, institutes, enterprises, a broker agency and
//! the center itself; the six demo accounts (password `techex-demo`); a few hundred
//! achievements drawn from real Chinese research abstracts (the CSL corpus, Apache-2.0)
//! with English translations; and enterprise demands. Everything goes through the
//! domain functions, so the audit log and the search outbox are as real as the data.

use anyhow::{Context, anyhow};
use chrono::{Duration, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use techex_core::domain::{AchievementKind, Maturity, TransactionMode};
use techex_core::{Actor, Currency, Patch, PatentNumber, Role, RoleSet, new_id};
use techex_listings::achievements::{self, AchievementInput};
use techex_listings::auth::{actor_of, hash_password_blocking};
use techex_listings::begin_write;
use techex_listings::demands::{self, DemandInput};
use techex_listings::entities::{organization, user};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "techex-demo";

const ORGANIZATIONS: &str = include_str!("../demo/organizations.json");
const ACHIEVEMENTS: &str = include_str!("../demo/achievements.jsonl");
const DEMANDS: &str = include_str!("../demo/demands.jsonl");

#[derive(Debug, Deserialize)]
struct DemoOrganization {
    key: String,
    name_zh: String,
    name_en: String,
    kind: String,
    credit_code: String,
    region: String,
    website: Option<String>,
    description_zh: Option<String>,
    description_en: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DemoAchievement {
    owner: String,
    title_zh: String,
    title_en: String,
    abstract_zh: String,
    abstract_en: Option<String>,
    summary_zh: Option<String>,
    summary_en: Option<String>,
    keywords_zh: Vec<String>,
    #[serde(default)]
    keywords_en: Vec<String>,
    field: String,
    kind: String,
    maturity: String,
    trl: i16,
    modes: Vec<String>,
    asking_price_yuan: Option<i64>,
    floor_price_yuan: Option<i64>,
    inventors: Vec<String>,
    advantage_zh: Option<String>,
    advantage_en: Option<String>,
    #[serde(default)]
    scenarios_zh: Vec<String>,
    #[serde(default)]
    ipc_codes: Vec<String>,
    region: String,
}

#[derive(Debug, Deserialize)]
struct DemoDemand {
    owner: String,
    title_zh: String,
    title_en: String,
    description_zh: String,
    description_en: Option<String>,
    field: String,
    keywords_zh: Vec<String>,
    budget_min_yuan: Option<i64>,
    budget_max_yuan: Option<i64>,
    modes: Vec<String>,
    deadline_days: i64,
    region: String,
}

/// The named demo accounts: (e-mail, name, organization kind or key, roles).
const ACCOUNTS: &[(&str, &str, &str, &[Role])] = &[
    ("admin@techex.local", "平台管理员 Platform Admin", "center", &[Role::Member, Role::PlatformAdmin]),
    ("reviewer@techex.local", "审核员 王审 Reviewer", "center", &[Role::Member, Role::Reviewer]),
    ("registrar@techex.local", "登记员 李登 Registrar", "center", &[Role::Member, Role::Registrar]),
    ("seller@techex.local", "成果转化办 张成 Seller", "university", &[Role::Member, Role::OrgAdmin]),
    ("buyer@techex.local", "研发经理 刘采 Buyer", "enterprise", &[Role::Member, Role::OrgAdmin]),
    ("broker@techex.local", "技术经纪人 陈介 Broker", "broker_agency", &[Role::Member, Role::Broker]),
];

fn parse_demo<T: for<'de> Deserialize<'de>>(jsonl: &str, what: &str) -> anyhow::Result<Vec<T>> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| serde_json::from_str(line).with_context(|| format!("demo {what} line {}", i + 1)))
        .collect()
}

fn progress(len: usize, what: &'static str) -> ProgressBar {
    ProgressBar::new(len as u64).with_style(
        ProgressStyle::with_template(&format!("{{spinner}} {what} [{{bar:40}}] {{pos}}/{{len}}"))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    )
}

/// A valid application number for the n-th demo patent of a kind.
fn demo_patent_number(index: usize, kind: AchievementKind) -> Option<String> {
    let type_digit = match kind {
        AchievementKind::InventionPatent => 1,
        AchievementKind::UtilityModel => 2,
        AchievementKind::DesignPatent => 3,
        _ => return None,
    };
    let year = 2016 + (index % 9);
    let serial = 1_000_000 + (index * 7919) % 8_999_999;
    PatentNumber::from_digits(&format!("{year}{type_digit}{serial:07}")).ok().map(|p| p.application_number())
}

/// Loads the demo into an empty database.
pub async fn load(database: &DatabaseConnection, _data_dir: &Path) -> anyhow::Result<()> {
    let organizations: Vec<DemoOrganization> = serde_json::from_str(ORGANIZATIONS).context("demo organizations")?;
    let achievements: Vec<DemoAchievement> = parse_demo(ACHIEVEMENTS, "achievements")?;
    let demands: Vec<DemoDemand> = parse_demo(DEMANDS, "demands")?;
    let actors = load_organizations(database, &organizations).await?;
    load_achievements(database, &actors, &achievements).await?;
    load_demands(database, &actors, &demands).await?;
    load_negotiations(database).await?;
    tracing::info!(
        organizations = organizations.len(),
        achievements = achievements.len(),
        demands = demands.len(),
        "demo center loaded; sign in as seller@techex.local, buyer@techex.local, broker@techex.local, \
         reviewer@techex.local, registrar@techex.local or admin@techex.local with the password `{DEMO_PASSWORD}`"
    );
    Ok(())
}

/// Creates the organizations (verified) and their accounts; returns an actor per organization key.
async fn load_organizations(
    database: &DatabaseConnection,
    organizations: &[DemoOrganization],
) -> anyhow::Result<HashMap<String, Actor>> {
    let bar = progress(organizations.len(), "organizations");
    let now = Utc::now();
    let mut actors = HashMap::new();
    // Each named account belongs to the first organization of its kind (the seller to
    // Shandong University when the demo has it).
    let mut account_homes: HashMap<&str, &str> = HashMap::new();
    for (email, _, kind, _) in ACCOUNTS {
        let preferred = organizations.iter().find(|o| o.kind == *kind && *kind == "university" && o.key == "sdu");
        if let Some(home) = preferred.or_else(|| organizations.iter().find(|o| o.kind == *kind)) {
            account_homes.insert(email, home.key.as_str());
        }
    }
    for org in organizations {
        let transaction = begin_write(database).await?;
        let created = organization::ActiveModel {
            id: Set(new_id()),
            name: Set(org.name_zh.clone()),
            name_en: Set(Some(org.name_en.clone())),
            kind: Set(org.kind.clone()),
            credit_code: Set(techex_core::CreditCode::parse(&org.credit_code).map_err(|e| anyhow!(e))?.to_string()),
            region: Set(org.region.clone()),
            website: Set(org.website.clone()),
            description: Set(org.description_zh.clone()),
            description_en: Set(org.description_en.clone()),
            verified_at: Set(Some(now)),
            verified_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&transaction)
        .await?;
        techex_listings::audit::record(&transaction, None, "organization.seed", "organization", created.id, None, None)
            .await?;
        let mut members: Vec<(String, String, Vec<Role>)> = ACCOUNTS
            .iter()
            .filter(|(email, ..)| account_homes.get(email) == Some(&org.key.as_str()))
            .map(|(email, name, _, roles)| ((*email).to_string(), (*name).to_string(), roles.to_vec()))
            .collect();
        if members.is_empty() {
            members.push((
                format!("{}@demo.techex.local", org.key),
                format!("{} 管理员", org.name_zh),
                vec![Role::Member, Role::OrgAdmin],
            ));
        }
        let mut first_member = None;
        for (email, name, roles) in members {
            let hash = tokio::task::spawn_blocking(|| hash_password_blocking(DEMO_PASSWORD)).await??;
            let member = user::ActiveModel {
                id: Set(new_id()),
                email: Set(email),
                display_name: Set(name),
                password_hash: Set(hash),
                organization_id: Set(created.id),
                roles: Set(RoleSet::new(roles).to_stored()),
                status: Set("active".into()),
                language: Set("zh".into()),
                last_login_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            }
            .insert(&transaction)
            .await?;
            first_member.get_or_insert(member);
        }
        transaction.commit().await?;
        let member = first_member.context("organization without members")?;
        actors.insert(org.key.clone(), actor_of(&member, &created));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(actors)
}

fn parse_modes(codes: &[String]) -> Vec<TransactionMode> {
    codes.iter().filter_map(|m| TransactionMode::parse(m).ok()).collect()
}

async fn load_achievements(
    database: &DatabaseConnection,
    actors: &HashMap<String, Actor>,
    records: &[DemoAchievement],
) -> anyhow::Result<()> {
    let center = actors.values().find(|a| a.has(Role::PlatformAdmin)).cloned().context("no center in the demo")?;
    let reviewer = Actor { roles: RoleSet::new([Role::Member, Role::Reviewer]), ..center };
    let bar = progress(records.len(), "achievements");
    for (index, record) in records.iter().enumerate() {
        let owner = actors.get(&record.owner).with_context(|| format!("unknown demo owner {}", record.owner))?;
        let kind = AchievementKind::parse(&record.kind).map_err(|e| anyhow!(e))?;
        let mut keywords = record.keywords_zh.clone();
        keywords.extend(record.keywords_en.iter().take(3).cloned());
        keywords.retain(|k| k.chars().count() <= 64);
        keywords.truncate(20);
        let input = AchievementInput {
            title_zh: Patch::Value(record.title_zh.clone()),
            title_en: Patch::Value(record.title_en.clone()),
            summary_zh: record.summary_zh.clone().into(),
            summary_en: record.summary_en.clone().into(),
            abstract_zh: Patch::Value(record.abstract_zh.clone()),
            abstract_en: record.abstract_en.clone().into(),
            description_zh: Patch::Value(format!(
                "{}\n\n技术方案、实验数据与工艺参数详见保密附件；签署保密协议后可查看完整技术资料并与发明团队沟通。",
                record.abstract_zh
            )),
            advantage_zh: record.advantage_zh.clone().into(),
            advantage_en: record.advantage_en.clone().into(),
            application_scenarios: Some(record.scenarios_zh.clone()),
            kind: Some(kind),
            patent_number: demo_patent_number(index, kind).map_or(Patch::Absent, Patch::Value),
            patent_granted: Some(kind.is_patent() && index % 3 != 0),
            ipc_codes: Some(record.ipc_codes.clone()),
            field: Some(record.field.clone()),
            maturity: Maturity::parse(&record.maturity).map_or(Patch::Absent, Patch::Value),
            trl: Patch::Value(record.trl),
            transaction_modes: Some(parse_modes(&record.modes)),
            asking_price_minor: record.asking_price_yuan.map(|y| y * 100).into(),
            floor_price_minor: record.floor_price_yuan.map(|y| y * 100).into(),
            currency: Some(Currency::CNY),
            price_negotiable: Some(record.asking_price_yuan.is_none()),
            inventors: Some(record.inventors.clone()),
            keywords: Some(keywords),
            region: Some(record.region.clone()),
            nda_required: Some(index % 5 != 4),
            ..AchievementInput::default()
        };
        let transaction = begin_write(database).await?;
        let created = achievements::create(&transaction, owner, input)
            .await
            .with_context(|| format!("demo achievement {index} ({})", record.title_zh))?;
        // Most are on the market; some wait for review, some were rejected or withdrawn,
        // some are still drafts, so every screen of the workflow has something to show.
        match index % 20 {
            0 => {}
            1 | 2 => {
                achievements::submit(&transaction, owner, created.id, None).await?;
            }
            3 => {
                achievements::submit(&transaction, owner, created.id, None).await?;
                achievements::reject(
                    &transaction,
                    &reviewer,
                    created.id,
                    None,
                    "请补充中试数据及与现有技术的量化对比 / Please add pilot-scale data and a quantified comparison with the state of the art.",
                )
                .await?;
            }
            _ => {
                achievements::submit(&transaction, owner, created.id, None).await?;
                achievements::approve(&transaction, &reviewer, created.id, None).await?;
                if index % 40 == 9 {
                    achievements::withdraw(&transaction, owner, created.id, None).await?;
                }
            }
        }
        transaction.commit().await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

async fn load_demands(
    database: &DatabaseConnection,
    actors: &HashMap<String, Actor>,
    records: &[DemoDemand],
) -> anyhow::Result<()> {
    let center = actors.values().find(|a| a.has(Role::PlatformAdmin)).cloned().context("no center in the demo")?;
    let reviewer = Actor { roles: RoleSet::new([Role::Member, Role::Reviewer]), ..center };
    let bar = progress(records.len(), "demands");
    let today = Utc::now().date_naive();
    for (index, record) in records.iter().enumerate() {
        let owner = actors.get(&record.owner).with_context(|| format!("unknown demo owner {}", record.owner))?;
        let input = DemandInput {
            title_zh: Patch::Value(record.title_zh.clone()),
            title_en: Patch::Value(record.title_en.clone()),
            description_zh: Patch::Value(record.description_zh.clone()),
            description_en: record.description_en.clone().into(),
            field: Some(record.field.clone()),
            keywords: Some(record.keywords_zh.clone()),
            budget_min_minor: record.budget_min_yuan.map(|y| y * 100).into(),
            budget_max_minor: record.budget_max_yuan.map(|y| y * 100).into(),
            currency: Some(Currency::CNY),
            desired_modes: Some(parse_modes(&record.modes)),
            deadline: Patch::Value(today + Duration::days(record.deadline_days.max(1))),
            region: Some(record.region.clone()),
        };
        let transaction = begin_write(database).await?;
        let created = demands::create(&transaction, owner, input)
            .await
            .with_context(|| format!("demo demand {index} ({})", record.title_zh))?;
        match index % 10 {
            0 => {}
            1 => {
                demands::submit(&transaction, owner, created.id, None).await?;
            }
            _ => {
                demands::submit(&transaction, owner, created.id, None).await?;
                demands::approve(&transaction, &reviewer, created.id, None).await?;
            }
        }
        transaction.commit().await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

/// The actor of a named demo account.
async fn demo_actor(database: &DatabaseConnection, email: &str) -> anyhow::Result<Actor> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let member = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(database)
        .await?
        .with_context(|| format!("demo account {email} missing"))?;
    let org = organization::Entity::find_by_id(member.organization_id)
        .one(database)
        .await?
        .with_context(|| format!("organization of {email} missing"))?;
    Ok(actor_of(&member, &org))
}

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
        royalty_minimum_minor: None,
        equity_bps: None,
        milestones: vec![
            terms::MilestoneTerm {
                title: "签约首付 / Down payment".into(),
                amount_minor: lump * 3 / 10,
                due_days_after_signing: 0,
                acceptance_criteria: None,
            },
            terms::MilestoneTerm {
                title: "技术资料交付验收 / Acceptance of the technical package".into(),
                amount_minor: lump - lump * 3 / 10,
                due_days_after_signing: 90,
                acceptance_criteria: Some("完成工艺包交付并通过中试验证".into()),
            },
        ],
        territory: "中国大陆 / Mainland China".into(),
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
        change_note: Some("补充双方授权代表 / Representatives named".into()),
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
                territory: "山东省 / Shandong".into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_files_parse_and_hold_valid_values() -> anyhow::Result<()> {
        let organizations: Vec<DemoOrganization> = serde_json::from_str(ORGANIZATIONS)?;
        for org in &organizations {
            techex_core::CreditCode::parse(&org.credit_code).map_err(|e| anyhow!(e))?;
            techex_core::domain::OrgKind::parse(&org.kind).map_err(|e| anyhow!(e))?;
        }
        for kind in ["center", "university", "enterprise", "broker_agency"] {
            assert!(organizations.iter().any(|o| o.kind == kind), "the demo needs a {kind}");
        }
        let achievements: Vec<DemoAchievement> = parse_demo(ACHIEVEMENTS, "achievements")?;
        assert!(achievements.len() >= 200);
        for record in &achievements {
            assert!(organizations.iter().any(|o| o.key == record.owner), "owner {}", record.owner);
            let maturity = Maturity::parse(&record.maturity).map_err(|e| anyhow!(e))?;
            assert!(maturity.trl_range().contains(&record.trl), "{}: trl {}", record.title_zh, record.trl);
        }
        let demands: Vec<DemoDemand> = parse_demo(DEMANDS, "demands")?;
        assert!(demands.len() >= 20);
        Ok(())
    }

    #[test]
    fn demo_patent_numbers_are_valid_and_unique() {
        let numbers: Vec<String> =
            (0..400).filter_map(|i| demo_patent_number(i, AchievementKind::InventionPatent)).collect();
        assert_eq!(numbers.len(), 400);
        let mut unique = numbers.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), numbers.len());
        assert!(numbers.iter().all(|n| PatentNumber::parse(n).is_ok()));
    }
}
