//! Non-disclosure agreements accepted online. The public brief of an achievement is
//! open; its description and confidential documents open to an organization once one
//! of its members accepts the NDA. The acceptance records who, when, from where and the
//! SHA-256 of the exact text, so the record proves what was agreed.

use crate::achievements::{self, owner_of, view::parse_status};
use crate::audit;
use crate::entities::{achievement, nda_acceptance, organization};
use crate::error::{ListingsError, Result};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use sha2::{Digest, Sha256};
use techex_core::domain::AchievementStatus;
use techex_core::{Actor, new_id};
use utoipa::ToSchema;
use uuid::Uuid;

/// The NDA of one achievement and whether the viewer's organization has accepted it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NdaView {
    pub achievement_id: Uuid,
    /// The full text to read before accepting.
    pub text: String,
    /// SHA-256 (hex) of `text`; send it back to accept exactly this text.
    pub sha256: String,
    pub accepted: bool,
    pub accepted_at: Option<chrono::DateTime<Utc>>,
}

/// The NDA text for an achievement: the center's standard bilingual agreement naming
/// the discloser and the subject.
pub fn nda_text(model: &achievement::Model, owner: &organization::Model) -> String {
    let title = model.title_zh.clone().or_else(|| model.title_en.clone()).unwrap_or_default();
    let owner_en = owner.name_en.clone().unwrap_or_else(|| owner.name.clone());
    format!(
        "保密协议（技术成果信息）\n\
         披露方：{owner_zh}\n\
         标的：{title}（成果编号 {id}）\n\
         一、接收方仅为评估受让、许可或合作开发该成果之目的使用披露方通过本平台提供的技术说明及保密文件。\n\
         二、未经披露方书面同意，接收方不得向第三方披露、复制或用于其他目的；接收方员工及顾问受同等义务约束。\n\
         三、已公开的信息、接收方独立开发或合法取得的信息除外。\n\
         四、保密义务自接受之日起三年内有效；交易未达成的，接收方应删除或返还所获保密资料。\n\
         五、违约方应赔偿由此造成的损失。本协议适用中华人民共和国法律，争议提交山东省科技成果交易中心所在地人民法院管辖。\n\
         \n\
         Non-Disclosure Agreement (technology achievement information)\n\
         Discloser: {owner_en}\n\
         Subject: {title} (achievement {id})\n\
         1. The recipient uses the technical description and confidential documents provided through this platform solely to evaluate an assignment, licence or joint development of the achievement.\n\
         2. Without the discloser's written consent the recipient shall not disclose, copy or otherwise use them; its employees and advisers are bound alike.\n\
         3. Information that is public, independently developed or lawfully obtained by the recipient is excluded.\n\
         4. The obligations last three years from acceptance; if no transaction follows, the recipient deletes or returns the confidential material.\n\
         5. The party in breach compensates the resulting loss. The law of the People's Republic of China applies; disputes go to the people's court where the trading center is located.\n",
        owner_zh = owner.name,
        id = model.id,
    )
}

/// The hex SHA-256 of a text.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Whether an organization accepted the current NDA text of an achievement.
pub async fn has_accepted<C: ConnectionTrait>(
    db: &C,
    organization_id: Uuid,
    model: &achievement::Model,
) -> Result<bool> {
    Ok(acceptance(db, organization_id, model).await?.is_some())
}

async fn acceptance<C: ConnectionTrait>(
    db: &C,
    organization_id: Uuid,
    model: &achievement::Model,
) -> Result<Option<nda_acceptance::Model>> {
    let owner = owner_of(db, model).await?;
    let hash = sha256_hex(&nda_text(model, &owner));
    Ok(nda_acceptance::Entity::find()
        .filter(nda_acceptance::Column::AchievementId.eq(model.id))
        .filter(nda_acceptance::Column::OrganizationId.eq(organization_id))
        .filter(nda_acceptance::Column::NdaSha256.eq(hash))
        .one(db)
        .await?)
}

/// Shows the NDA of a visible achievement.
pub async fn get<C: ConnectionTrait>(db: &C, actor: Option<&Actor>, id: Uuid) -> Result<NdaView> {
    let model = achievements::get(db, actor, id).await?;
    let owner = owner_of(db, &model).await?;
    let text = nda_text(&model, &owner);
    let accepted = match actor {
        Some(actor) => acceptance(db, actor.organization_id, &model).await?,
        None => None,
    };
    Ok(NdaView {
        achievement_id: id,
        sha256: sha256_hex(&text),
        text,
        accepted: accepted.is_some(),
        accepted_at: accepted.map(|a| a.accepted_at),
    })
}

/// Accepts the NDA of a published achievement for the actor's organization. The
/// caller sends the hash of the text it showed; a different hash means the text
/// changed in between and nothing is recorded. Accepting twice is harmless.
pub async fn accept<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    sha256: &str,
    ip: Option<String>,
) -> Result<NdaView> {
    let model = achievements::get(db, Some(actor), id).await?;
    if actor.belongs_to(model.organization_id) {
        return Err(ListingsError::Conflict(
            techex_core::msg::REFUSED_THE_OWNING_ORGANIZATION_DOES_NOT_SIGN_ITS.into(),
        ));
    }
    if parse_status(&model.status) != AchievementStatus::Published {
        return Err(ListingsError::InvalidTransition {
            entity: "achievement",
            action: "accept the NDA of",
            state: model.status,
        });
    }
    if !actor.organization_verified {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_YOUR_ORGANIZATION_MUST_BE_VERIFIED_BEFORE_IT_2.into(),
        ));
    }
    let owner = owner_of(db, &model).await?;
    let text = nda_text(&model, &owner);
    let expected = sha256_hex(&text);
    if !sha256.trim().eq_ignore_ascii_case(&expected) {
        return Err(ListingsError::invalid("sha256", techex_core::msg::NDA_HASH_MISMATCH));
    }
    if acceptance(db, actor.organization_id, &model).await?.is_none() {
        let created = nda_acceptance::ActiveModel {
            id: Set(new_id()),
            achievement_id: Set(id),
            organization_id: Set(actor.organization_id),
            user_id: Set(actor.user_id),
            nda_sha256: Set(expected.clone()),
            accepted_at: Set(Utc::now()),
            ip: Set(ip),
        }
        .insert(db)
        .await;
        match created {
            Ok(_) => {}
            // A concurrent acceptance by a colleague already recorded it.
            Err(error) if matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {}
            Err(error) => return Err(error.into()),
        }
        audit::record(
            db,
            Some(actor),
            "achievement.nda_accept",
            "achievement",
            id,
            None,
            Some(serde_json::json!({"nda_sha256": expected, "organization_id": actor.organization_id})),
        )
        .await?;
    }
    get(db, Some(actor), id).await
}
