//! The demo center: Shandong universities, institutes, enterprises, a broker agency and
//! the center itself; the six demo accounts (password `techex-demo`); a few hundred
//! achievements drawn from real Chinese research abstracts (the CSL corpus, Apache-2.0)
//! with English translations; and enterprise demands. Everything goes through the
//! domain functions, so the audit log and the search outbox are as real as the data.
//!
//! Organizations, accounts, achievements and demands load here; the deals, the contract
//! and the public bidding built on them in `negotiations`.

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

mod history;
mod negotiations;
mod open_licences;

pub use history::load_history;
pub use negotiations::*;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "techex-demo";

const ORGANIZATIONS: &str = include_str!("../../demo/organizations.json");

const ACHIEVEMENTS: &str = include_str!("../../demo/achievements.jsonl");

const DEMANDS: &str = include_str!("../../demo/demands.jsonl");

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
    ("admin@techex.local", "赵衡", "center", &[Role::Member, Role::PlatformAdmin]),
    ("reviewer@techex.local", "王审", "center", &[Role::Member, Role::Reviewer]),
    ("registrar@techex.local", "李登", "center", &[Role::Member, Role::Registrar]),
    ("seller@techex.local", "张成", "university", &[Role::Member, Role::OrgAdmin]),
    ("buyer@techex.local", "刘采", "enterprise", &[Role::Member, Role::OrgAdmin]),
    ("broker@techex.local", "陈介", "broker_agency", &[Role::Member, Role::Broker]),
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
    open_licences::load_open_licences(database).await?;
    load_history(database, &actors).await?;
    quiet(database).await?;
    tracing::info!(
        organizations = organizations.len(),
        achievements = achievements.len(),
        demands = demands.len(),
        "demo center loaded; sign in as seller@techex.local, buyer@techex.local, broker@techex.local, \
         reviewer@techex.local, registrar@techex.local or admin@techex.local with the password `{DEMO_PASSWORD}`"
    );
    Ok(())
}

/// What loading the demo told its accounts is history: the notifications read, and
/// nothing mailed (the demo's addresses are not real).
async fn quiet(database: &DatabaseConnection) -> anyhow::Result<()> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use techex_listings::entities::{mail, notification};
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::col(notification::Column::CreatedAt))
        .filter(notification::Column::ReadAt.is_null())
        .exec(database)
        .await?;
    mail::Entity::delete_many().exec(database).await?;
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
            rejection_reason: Set(None),
            rejected_at: Set(None),
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
