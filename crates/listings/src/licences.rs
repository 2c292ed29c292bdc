//! The business licence (营业执照) an organization applying to the center uploads, so
//! that the verification desk can check the application against it.
//!
//! Only a PDF, JPEG or PNG is accepted, recognised by its magic bytes (never by what the
//! client claims), at most `MAX_BYTES`. The bytes go to the document store (`crate::blobs`)
//! the way a document's do: `stage` checks the right and the file and writes the bytes
//! outside any transaction, `attach` writes the row in the caller's transaction. One row
//! per organization; a new upload replaces it, and the old bytes, if no row names them any
//! more, are left to the orphan sweep. The administrators of the organization upload while
//! it is pending or turned down (409 once verified); its members and the center's platform
//! administrators read it; anybody else is told it does not exist.

use crate::audit;
use crate::auth::actor_of;
use crate::blobs::{BlobStore, Bytes, content_hash_off_thread};
use crate::documents::{clean_filename, detect_content_type};
use crate::entities::{organization, organization_licence, user};
use crate::error::{ListingsError, Result};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use std::collections::HashMap;
use techex_core::{Actor, FieldErrors, Role, msg};
use utoipa::ToSchema;
use uuid::Uuid;

/// The largest licence accepted, in bytes (10 MiB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// What a licence may be, as detected from its bytes.
const LICENCE_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png"];

/// A licence on file, as the API and the pages describe it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LicenceView {
    pub organization_id: Uuid,
    pub filename: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 (hex) of the file, so a downloaded copy can be checked.
    pub sha256: String,
    pub uploaded_at: chrono::DateTime<Utc>,
}

impl From<organization_licence::Model> for LicenceView {
    fn from(model: organization_licence::Model) -> Self {
        LicenceView {
            organization_id: model.organization_id,
            filename: model.filename,
            content_type: model.content_type,
            size_bytes: model.size_bytes,
            sha256: model.sha256,
            uploaded_at: model.uploaded_at,
        }
    }
}

/// A licence file as received: its name and bytes.
#[derive(Debug, Clone)]
pub struct LicenceFile {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A licence file that passed its checks, with its detected type.
#[derive(Debug)]
pub struct CheckedLicence {
    filename: String,
    content_type: String,
    bytes: Vec<u8>,
}

/// A licence whose bytes are in the document store. Only `stage`/`store` make one and only
/// `attach` takes one, so a row never names bytes that were not stored first.
#[derive(Debug)]
pub struct StagedLicence {
    filename: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
}

impl StagedLicence {
    /// The SHA-256 of the stored bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// Checks a licence file: not empty, at most `MAX_BYTES`, and a PDF, JPEG or PNG by its
/// magic bytes. The errors are about the field `file`.
pub fn check(file: LicenceFile) -> std::result::Result<CheckedLicence, FieldErrors> {
    let filename = clean_filename(&file.filename);
    if file.bytes.is_empty() {
        return Err(FieldErrors::single("file", msg::FILE_EMPTY));
    }
    if file.bytes.len() > MAX_BYTES {
        return Err(FieldErrors::single("file", msg::FILE_TOO_LARGE.with("max", MAX_BYTES)));
    }
    let accepted = detect_content_type(&file.bytes, None, &filename)
        .ok()
        .filter(|detected| LICENCE_TYPES.contains(&detected.as_str()));
    let Some(content_type) = accepted else {
        return Err(FieldErrors::single("file", msg::LICENCE_TYPE_NOT_ACCEPTED.with("filename", filename)));
    };
    Ok(CheckedLicence { filename, content_type, bytes: file.bytes })
}

/// Writes a checked licence's bytes to the document store (outside any transaction: a
/// store that is down answers 503 without holding a database lock).
pub async fn store(checked: CheckedLicence, store: &BlobStore) -> Result<StagedLicence> {
    let size_bytes = checked.bytes.len() as i64;
    let bytes = Bytes::from(checked.bytes);
    let sha256 = content_hash_off_thread(&bytes).await;
    store.put(&sha256, bytes).await?;
    Ok(StagedLicence { filename: checked.filename, content_type: checked.content_type, size_bytes, sha256 })
}

/// The organization whose licence the actor may upload: an administrator of it, while
/// it is not verified. Other organizations' members are told it does not exist.
async fn uploadable<C: ConnectionTrait>(db: &C, actor: &Actor, organization_id: Uuid) -> Result<organization::Model> {
    let found = organization::Entity::find_by_id(organization_id).one(db).await?;
    let Some(org) = found.filter(|_| actor.belongs_to(organization_id) || actor.is_platform_admin()) else {
        return Err(ListingsError::NotFound("organization"));
    };
    if !actor.belongs_to(organization_id) || !actor.has(Role::OrgAdmin) {
        return Err(ListingsError::Forbidden(
            techex_core::msg::REFUSED_ONLY_THE_ORGANIZATION_S_ADMINISTRATORS_UPLOAD_ITS.into(),
        ));
    }
    if org.verified_at.is_some() {
        return Err(ListingsError::InvalidTransition {
            entity: "organization",
            action: "replace the licence of",
            state: "verified".into(),
        });
    }
    Ok(org)
}

/// Checks the actor's right and the file, then writes the bytes to the store; the row is
/// written by `attach`.
pub async fn stage<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    organization_id: Uuid,
    file: LicenceFile,
    blobs: &BlobStore,
) -> Result<StagedLicence> {
    uploadable(db, actor, organization_id).await?;
    let checked = check(file).map_err(ListingsError::Invalid)?;
    store(checked, blobs).await
}

/// Puts a staged licence on file for the organization (its administrator, checked again
/// in the caller's transaction), replacing any earlier one, with an audit entry.
pub async fn attach<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    organization_id: Uuid,
    staged: StagedLicence,
) -> Result<LicenceView> {
    uploadable(db, actor, organization_id).await?;
    let earlier = organization_licence::Entity::find_by_id(organization_id).one(db).await?;
    let row = organization_licence::ActiveModel {
        organization_id: Set(organization_id),
        filename: Set(staged.filename),
        content_type: Set(staged.content_type),
        size_bytes: Set(staged.size_bytes),
        sha256: Set(staged.sha256),
        uploaded_by: Set(actor.user_id),
        uploaded_at: Set(Utc::now()),
    };
    let saved = match &earlier {
        Some(_) => row.update(db).await?,
        None => row.insert(db).await?,
    };
    let snapshot = |m: &organization_licence::Model| serde_json::json!({"filename": m.filename, "content_type": m.content_type, "size_bytes": m.size_bytes, "sha256": m.sha256});
    audit::record(
        db,
        Some(actor),
        "organization.licence",
        "organization",
        organization_id,
        earlier.as_ref().map(snapshot),
        Some(snapshot(&saved)),
    )
    .await?;
    Ok(saved.into())
}

/// Puts a staged licence on file for an organization registered in the same transaction,
/// as its first administrator.
pub async fn attach_at_registration<C: ConnectionTrait>(
    db: &C,
    org: &organization::Model,
    admin: &user::Model,
    staged: StagedLicence,
) -> Result<LicenceView> {
    attach(db, &actor_of(admin, org), org.id, staged).await
}

/// Whether the actor may read the organization's licence: its members and the center's
/// platform administrators.
fn may_read(actor: Option<&Actor>, organization_id: Uuid) -> bool {
    actor.is_some_and(|a| a.belongs_to(organization_id) || a.is_platform_admin())
}

/// The licence on file for an organization, if the actor may read it and there is one.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    organization_id: Uuid,
) -> Result<Option<LicenceView>> {
    if !may_read(actor, organization_id) {
        return Ok(None);
    }
    Ok(organization_licence::Entity::find_by_id(organization_id).one(db).await?.map(LicenceView::from))
}

/// The licences on file for several organizations (the verification desk; platform
/// administrators only, an empty map for anybody else).
pub async fn find_many<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    organization_ids: &[Uuid],
) -> Result<HashMap<Uuid, LicenceView>> {
    if !actor.is_platform_admin() || organization_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = organization_licence::Entity::find()
        .filter(organization_licence::Column::OrganizationId.is_in(organization_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (row.organization_id, LicenceView::from(row))).collect())
}

/// The licence with its bytes, checked against its SHA-256 (bytes that do not match are
/// refused, never served). Not found for anybody but the organization's members and
/// platform administrators, and when none was uploaded.
pub async fn fetch<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    organization_id: Uuid,
    blobs: &BlobStore,
) -> Result<(LicenceView, Bytes)> {
    let view = find(db, actor, organization_id).await?.ok_or(ListingsError::NotFound("licence"))?;
    let bytes = blobs.get(&view.sha256).await?;
    Ok((view, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, bytes: &[u8]) -> LicenceFile {
        LicenceFile { filename: name.into(), bytes: bytes.to_vec() }
    }

    #[test]
    fn licences_are_recognised_by_their_bytes() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
        assert!(check(file("licence.pdf", pdf)).is_ok());
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
        assert!(check(file("licence.bin", png)).is_ok(), "the name does not matter, the bytes do");
        let jpeg = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
        assert!(check(file("licence.jpg", jpeg)).is_ok());
    }

    #[test]
    fn other_files_are_refused_whatever_their_name() {
        assert!(check(file("licence.pdf", b"not a pdf at all")).is_err(), "text named .pdf");
        assert!(check(file("licence.pdf", b"")).is_err(), "empty");
        assert!(check(file("licence.pdf", b"PK\x03\x04\x14\0\0\0\x08\0")).is_err(), "a zip named .pdf");
        let gif = b"GIF89a\x01\0\x01\0\0\0\0;";
        assert!(check(file("licence.gif", gif)).is_err(), "an image of another kind");
    }
}
