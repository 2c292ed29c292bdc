//! Documents attached to achievements: specifications, test reports, drawings.
//!
//! Files are stored content-addressed in the document store (`crate::blobs`: `ab/abcdef…`,
//! named by their SHA-256, in `<data_dir>/documents` or an S3 bucket) after the content is checked against an allow-list of types
//! by its magic bytes, not by what the client claims. Public documents go to whoever
//! sees the achievement; confidential (`nda`) ones only to the owner, reviewers and
//! organizations that accepted the NDA. Others see that they exist, not what they hold.

use crate::achievements::{self, access_of, acts_for_owner};
use crate::audit;
use crate::blobs::{BlobStore, Bytes, content_hash_off_thread};
use crate::entities::document;
use crate::error::{ListingsError, Result};
use chrono::Utc;
use sea_orm::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use techex_core::domain::DisclosureTier;
use techex_core::text::required_text;
use techex_core::{Actor, FieldErrors, Message, msg, new_id};
use utoipa::ToSchema;
use uuid::Uuid;

/// Content types accepted for upload, as detected from the bytes.
const ALLOWED_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/gif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "text/plain",
];

/// A document as listed beside its achievement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: Uuid,
    pub achievement_id: Uuid,
    pub tier: DisclosureTier,
    pub title: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 (hex) of the content, so a downloaded copy can be checked.
    pub sha256: String,
    pub created_at: chrono::DateTime<Utc>,
    /// True when the viewer must accept the NDA before downloading.
    pub locked: bool,
}

fn document_view(model: document::Model, locked: bool) -> DocumentView {
    DocumentView {
        id: model.id,
        achievement_id: model.achievement_id,
        tier: DisclosureTier::parse(&model.tier).unwrap_or(DisclosureTier::Nda),
        title: model.title,
        filename: model.filename,
        content_type: model.content_type,
        size_bytes: model.size_bytes,
        sha256: model.sha256,
        created_at: model.created_at,
        locked,
    }
}

/// An upload, as parsed from the multipart form.
#[derive(Debug, Clone)]
pub struct Upload {
    pub title: Option<String>,
    pub tier: Option<String>,
    pub filename: String,
    /// What the client said the content is, if anything.
    pub declared_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// Works out the real type of uploaded bytes and checks it against the allow-list and
/// the declared type.
pub fn detect_content_type(bytes: &[u8], declared: Option<&str>, filename: &str) -> Result<String, Message> {
    let declared = declared.map(|d| d.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let detected = match infer::get(bytes) {
        Some(kind) => kind.mime_type().to_string(),
        None if looks_like_text(bytes) => "text/plain".to_string(),
        None => {
            return Err(msg::FILE_TYPE_UNRECOGNISED.with("filename", filename));
        }
    };
    if !ALLOWED_TYPES.contains(&detected.as_str()) {
        return Err(msg::FILE_TYPE_NOT_ACCEPTED.with("filename", filename).with("detected", detected));
    }
    match declared.as_deref() {
        None | Some("") | Some("application/octet-stream") => Ok(detected),
        Some(claimed) if claimed == detected => Ok(detected),
        Some(claimed) => {
            Err(msg::FILE_TYPE_MISMATCH.with("filename", filename).with("claimed", claimed).with("detected", detected))
        }
    }
}

fn looks_like_text(bytes: &[u8]) -> bool {
    !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() { "document".into() } else { cleaned.trim().to_string() }
}

/// An upload that passed its checks and whose bytes are in the document store. Only
/// `stage` makes one and only `add` takes one, so a row never names bytes that were not
/// stored first.
#[derive(Debug)]
pub struct StagedDocument {
    achievement_id: Uuid,
    tier: DisclosureTier,
    title: String,
    filename: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
}

impl StagedDocument {
    /// The SHA-256 of the stored bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// Checks a document upload for an achievement (the owning organization may attach;
/// size, type, tier and title) and writes its bytes to the store, outside any
/// transaction: a store that is down answers 503 without holding a database lock. The
/// row is written by `add`; bytes whose row never commits are left to the orphan sweep.
pub async fn stage<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    achievement_id: Uuid,
    upload: Upload,
    store: &BlobStore,
    max_bytes: usize,
) -> Result<StagedDocument> {
    let model = achievements::get(db, Some(actor), achievement_id).await?;
    if !acts_for_owner(actor, &model) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_OWNING_ORGANIZATION_MAY_ATTACH_DOCUMENTS.into(),
        ));
    }
    let mut errors = FieldErrors::new();
    let filename = clean_filename(&upload.filename);
    if upload.bytes.is_empty() {
        errors.add("file", msg::FILE_EMPTY);
    }
    if upload.bytes.len() > max_bytes {
        errors.add("file", msg::FILE_TOO_LARGE.with("max", max_bytes));
    }
    let tier = match upload.tier.as_deref() {
        None | Some("") => Some(DisclosureTier::Nda),
        Some(tier) => errors.check("tier", DisclosureTier::parse(tier)),
    };
    let title = match upload.title.as_deref() {
        None | Some("") => Some(filename.clone()),
        Some(title) => errors.check("title", required_text(title, 200)),
    };
    let content_type = if errors.is_empty() {
        errors.check("file", detect_content_type(&upload.bytes, upload.declared_type.as_deref(), &filename))
    } else {
        None
    };
    errors.clone().into_result()?;
    let (Some(tier), Some(title), Some(content_type)) = (tier, title, content_type) else {
        return Err(errors.into());
    };
    let size_bytes = upload.bytes.len() as i64;
    let bytes = Bytes::from(upload.bytes);
    let sha256 = content_hash_off_thread(&bytes).await;
    store.put(&sha256, bytes).await?;
    Ok(StagedDocument { achievement_id, tier, title, filename, content_type, size_bytes, sha256 })
}

/// Attaches a staged document to its achievement (the owning organization, checked again
/// in the caller's transaction).
pub async fn add<C: ConnectionTrait>(db: &C, actor: &Actor, staged: StagedDocument) -> Result<DocumentView> {
    let model = achievements::get(db, Some(actor), staged.achievement_id).await?;
    if !acts_for_owner(actor, &model) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_OWNING_ORGANIZATION_MAY_ATTACH_DOCUMENTS.into(),
        ));
    }
    let created = document::ActiveModel {
        id: Set(new_id()),
        achievement_id: Set(staged.achievement_id),
        organization_id: Set(model.organization_id),
        tier: Set(staged.tier.as_str().into()),
        title: Set(staged.title),
        filename: Set(staged.filename),
        content_type: Set(staged.content_type),
        size_bytes: Set(staged.size_bytes),
        sha256: Set(staged.sha256),
        uploaded_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        Some(actor),
        "document.add",
        "achievement",
        staged.achievement_id,
        None,
        Some(serde_json::json!({"document_id": created.id, "tier": created.tier, "sha256": created.sha256, "filename": created.filename})),
    )
    .await?;
    Ok(document_view(created, false))
}

/// Lists the documents of a visible achievement; confidential ones are marked locked
/// for viewers without detail access.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    achievement_id: Uuid,
) -> Result<Vec<DocumentView>> {
    let model = achievements::get(db, actor, achievement_id).await?;
    let access = access_of(db, actor, &model).await?;
    let documents = document::Entity::find()
        .filter(document::Column::AchievementId.eq(achievement_id))
        .order_by_asc(document::Column::Id)
        .all(db)
        .await?;
    Ok(documents
        .into_iter()
        .map(|d| {
            let locked = d.tier != DisclosureTier::Public.as_str() && !access.details;
            document_view(d, locked)
        })
        .collect())
}

/// Loads a document the actor may download, with its bytes from the store, checked
/// against the row's SHA-256 (bytes that do not match are refused, never served).
pub async fn fetch<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    document_id: Uuid,
    store: &BlobStore,
) -> Result<(DocumentView, Bytes)> {
    let found = document::Entity::find_by_id(document_id).one(db).await?.ok_or(ListingsError::NotFound("document"))?;
    let model =
        achievements::get(db, actor, found.achievement_id).await.map_err(|_| ListingsError::NotFound("document"))?;
    let access = access_of(db, actor, &model).await?;
    if found.tier != DisclosureTier::Public.as_str() && !access.details {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_THIS_DOCUMENT_IS_CONFIDENTIAL_ACCEPT_THE_ACHIEVEMENT.into(),
        ));
    }
    let bytes = store.get(&found.sha256).await?;
    Ok((document_view(found, false), bytes))
}

/// Removes a document (its owning organization); the bytes stay if another row uses them.
pub async fn remove<C: ConnectionTrait>(db: &C, actor: &Actor, document_id: Uuid) -> Result<()> {
    let found = document::Entity::find_by_id(document_id).one(db).await?.ok_or(ListingsError::NotFound("document"))?;
    let model = achievements::get(db, Some(actor), found.achievement_id)
        .await
        .map_err(|_| ListingsError::NotFound("document"))?;
    if !acts_for_owner(actor, &model) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_OWNING_ORGANIZATION_MAY_REMOVE_DOCUMENTS.into(),
        ));
    }
    document::Entity::delete_by_id(document_id).exec(db).await?;
    audit::record(
        db,
        Some(actor),
        "document.remove",
        "achievement",
        found.achievement_id,
        Some(serde_json::json!({"document_id": found.id, "sha256": found.sha256})),
        None,
    )
    .await?;
    Ok(())
}

/// Deletes the rows of every document of an achievement (when a draft is deleted).
pub(crate) async fn delete_all_for<C: ConnectionTrait>(db: &C, achievement_id: Uuid) -> Result<()> {
    document::Entity::delete_many().filter(document::Column::AchievementId.eq(achievement_id)).exec(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_types_from_bytes_not_claims() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
        assert_eq!(detect_content_type(pdf, Some("application/pdf"), "a.pdf"), Ok("application/pdf".into()));
        assert_eq!(detect_content_type(pdf, None, "a.pdf"), Ok("application/pdf".into()));
        assert!(detect_content_type(pdf, Some("image/png"), "a.png").is_err(), "claimed type must match");
        assert_eq!(detect_content_type("说明".as_bytes(), Some("text/plain"), "a.txt"), Ok("text/plain".into()));
        let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00";
        assert!(detect_content_type(elf, None, "a.bin").is_err(), "executables are refused");
        assert!(detect_content_type(&[0, 159, 146, 150], None, "x").is_err());
    }

    #[test]
    fn filenames_lose_their_directories() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\docs\\报告.pdf"), "报告.pdf");
        assert_eq!(clean_filename(""), "document");
    }
}
