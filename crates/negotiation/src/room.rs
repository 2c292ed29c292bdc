//! The negotiation room: a joint channel that the seller, the buyer and the broker all
//! read, and a private caucus between the broker and each side (`caucus_seller`,
//! `caucus_buyer`) that the other side never sees — not the messages, not their
//! attachments, not their unread counts, not their steps in the timeline. Read markers
//! per user and channel; every new message notifies its other readers once.

use crate::deals::{self, Party, load_participant, notify_user, status_of};
use crate::entities::{attachment, deal, message, read_marker};
use crate::{Result, refuse};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use techex_core::domain::DealStatus;
use techex_core::pagination::Page;
use techex_core::text::required_text;
use techex_core::{Actor, FieldErrors, PageRequest, msg, new_id};
use techex_listings::blobs::{BlobStore, Bytes, content_hash_off_thread};
use techex_listings::documents::{clean_filename, detect_content_type};
use techex_listings::entities::user;
use techex_listings::notifications::{Audience, audience};
use techex_listings::{ListingsError, audit};
use utoipa::ToSchema;
use uuid::Uuid;

pub const JOINT: &str = "joint";
pub const CAUCUS_SELLER: &str = "caucus_seller";
pub const CAUCUS_BUYER: &str = "caucus_buyer";
const CHANNELS: [&str; 3] = [JOINT, CAUCUS_SELLER, CAUCUS_BUYER];

/// Whether a participant may read (and write) a channel.
pub fn may_read(party: Party, channel: &str) -> bool {
    matches!(
        (party, channel),
        (Party::Seller | Party::Buyer | Party::Broker, JOINT)
            | (Party::Seller | Party::Broker, CAUCUS_SELLER)
            | (Party::Buyer | Party::Broker, CAUCUS_BUYER)
    )
}

fn check_channel(channel: &str) -> Result<&'static str> {
    CHANNELS.into_iter().find(|c| *c == channel).ok_or_else(|| {
        ListingsError::invalid(
            "channel",
            techex_core::msg::VALUE_NOT_ONE_OF
                .with("input", channel)
                .with("allowed", "joint, caucus_seller, caucus_buyer"),
        )
    })
}

/// The channel, if the participant may use it; a caucus the actor may not read is "not
/// found", as if it did not exist.
fn readable(party: Party, channel: &str, deal: &deal::Model) -> Result<&'static str> {
    let channel = check_channel(channel)?;
    if !may_read(party, channel) {
        return Err(ListingsError::NotFound("channel"));
    }
    if channel != JOINT && deal.broker_status.as_deref() != Some("accepted") {
        return Err(ListingsError::Conflict(techex_core::msg::REFUSED_A_CAUCUS_NEEDS_A_BROKER_WHO_ACCEPTED.into()));
    }
    Ok(channel)
}

/// A message to post.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostMessage {
    /// `joint` (everyone), `caucus_seller` or `caucus_buyer` (the broker and that side).
    #[serde(default = "joint")]
    pub channel: String,
    pub body: String,
    /// An attachment uploaded to this deal in the same channel.
    #[serde(default)]
    pub attachment_id: Option<Uuid>,
}

fn joint() -> String {
    JOINT.into()
}

/// An attachment as shown in the room.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: Uuid,
    pub channel: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub download: String,
    pub created_at: DateTime<Utc>,
}

impl From<attachment::Model> for AttachmentView {
    fn from(a: attachment::Model) -> Self {
        AttachmentView {
            download: format!("/api/v1/deals/{}/attachments/{}", a.deal_id, a.id),
            id: a.id,
            channel: a.channel,
            filename: a.filename,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// A message as shown in the room.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    pub channel: String,
    pub author_id: Uuid,
    pub author_name: String,
    /// `seller`, `buyer` or `broker`.
    pub author_side: String,
    pub body: String,
    pub attachment: Option<AttachmentView>,
    pub created_at: DateTime<Utc>,
}

fn side_name(party: Party) -> &'static str {
    match party {
        Party::Seller => "seller",
        Party::Buyer => "buyer",
        _ => "broker",
    }
}

/// Posts a message in a channel of the deal.
pub async fn post<C: ConnectionTrait>(db: &C, actor: &Actor, deal_id: Uuid, input: PostMessage) -> Result<MessageView> {
    let (deal, party) = load_participant(db, actor, deal_id).await?;
    let channel = readable(party, &input.channel, &deal)?;
    if matches!(status_of(&deal), DealStatus::Cancelled | DealStatus::Expired) {
        return Err(refuse(deals::ENTITY, "post in", &deal.status));
    }
    let mut errors = FieldErrors::new();
    let body = errors.check("body", required_text(&input.body, 10_000));
    let attachment = match input.attachment_id {
        Some(id) => {
            let found = attachment::Entity::find_by_id(id)
                .one(db)
                .await?
                .filter(|a| a.deal_id == deal_id && a.channel == channel);
            if found.is_none() {
                errors.add("attachment_id", techex_core::msg::ATTACHMENT_UNKNOWN);
            }
            found
        }
        None => None,
    };
    errors.into_result()?;
    let created = message::ActiveModel {
        id: Set(new_id()),
        deal_id: Set(deal_id),
        channel: Set(channel.into()),
        author_id: Set(actor.user_id),
        author_side: Set(side_name(party).into()),
        body: Set(body.unwrap_or_default()),
        attachment_id: Set(attachment.as_ref().map(|a| a.id)),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    deals::touch(db, deal_id).await?;
    audit::record(
        db,
        Some(actor),
        "message.post",
        deals::ENTITY,
        deal_id,
        None,
        Some(serde_json::json!({"message_id": created.id, "channel": channel})),
    )
    .await?;
    mark_read_through(db, actor, deal_id, channel, created.id).await?;
    for reader in readers(db, &deal, channel).await? {
        if reader != actor.user_id {
            let message = match channel {
                JOINT => msg::NOTICE_ROOM_MESSAGE,
                _ => msg::NOTICE_PRIVATE_MESSAGE,
            };
            notify_user(db, &deal, reader, "deal_message", message.into(), &format!("msg:{}", created.id)).await?;
        }
    }
    let name = user::Entity::find_by_id(actor.user_id).one(db).await?.map(|u| u.display_name).unwrap_or_default();
    Ok(MessageView {
        id: created.id,
        channel: created.channel,
        author_id: created.author_id,
        author_name: name,
        author_side: created.author_side,
        body: created.body,
        attachment: attachment.map(AttachmentView::from),
        created_at: created.created_at,
    })
}

/// The users who read a channel: members of the sides that see it, and the broker.
async fn readers<C: ConnectionTrait>(db: &C, deal: &deal::Model, channel: &str) -> Result<Vec<Uuid>> {
    let mut orgs = Vec::new();
    if channel != CAUCUS_BUYER {
        orgs.push(deal.seller_org_id);
    }
    if channel != CAUCUS_SELLER {
        orgs.push(deal.buyer_org_id);
    }
    let mut users: Vec<Uuid> = audience(db, &orgs, Audience::Members).await?.into_iter().map(|u| u.id).collect();
    if let Some(broker) = deal.broker_id.filter(|_| deal.broker_status.as_deref() == Some("accepted")) {
        users.push(broker);
    }
    Ok(users)
}

/// The messages of a channel, oldest first; `cursor` continues after a page.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    deal_id: Uuid,
    channel: &str,
    page: PageRequest,
) -> Result<Page<MessageView>> {
    let (deal, party) = load_participant(db, actor, deal_id).await?;
    let channel = readable(party, channel, &deal)?;
    let mut query = message::Entity::find()
        .filter(message::Column::DealId.eq(deal_id))
        .filter(message::Column::Channel.eq(channel))
        .order_by_asc(message::Column::Id);
    if let Some(cursor) = page.after {
        query = query.filter(message::Column::Id.gt(cursor.0));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    let page = Page::from_rows(rows, page.limit, |m| m.id);
    let author_ids: Vec<Uuid> = page.items.iter().map(|m| m.author_id).collect();
    let names: HashMap<Uuid, String> = if author_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(author_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    let attachment_ids: Vec<Uuid> = page.items.iter().filter_map(|m| m.attachment_id).collect();
    let mut attachments: HashMap<Uuid, attachment::Model> = if attachment_ids.is_empty() {
        HashMap::new()
    } else {
        attachment::Entity::find()
            .filter(attachment::Column::Id.is_in(attachment_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect()
    };
    Ok(page.map(|m| MessageView {
        author_name: names.get(&m.author_id).cloned().unwrap_or_default(),
        attachment: m.attachment_id.and_then(|id| attachments.remove(&id)).map(AttachmentView::from),
        id: m.id,
        channel: m.channel,
        author_id: m.author_id,
        author_side: m.author_side,
        body: m.body,
        created_at: m.created_at,
    }))
}

async fn mark_read_through<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    deal_id: Uuid,
    channel: &str,
    last: Uuid,
) -> Result<()> {
    let marker = read_marker::ActiveModel {
        id: Set(new_id()),
        deal_id: Set(deal_id),
        user_id: Set(actor.user_id),
        channel: Set(channel.into()),
        last_read_id: Set(last),
        read_at: Set(Utc::now()),
    };
    read_marker::Entity::insert(marker)
        .on_conflict(
            OnConflict::columns([
                read_marker::Column::DealId,
                read_marker::Column::UserId,
                read_marker::Column::Channel,
            ])
            .update_columns([read_marker::Column::LastReadId, read_marker::Column::ReadAt])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Marking a channel read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    #[serde(default = "joint")]
    pub channel: String,
    /// The last message read; default the newest.
    #[serde(default)]
    pub up_to: Option<Uuid>,
}

/// Marks a channel read up to a message (never backwards).
pub async fn mark_read<C: ConnectionTrait>(db: &C, actor: &Actor, deal_id: Uuid, input: MarkRead) -> Result<()> {
    let (deal, party) = load_participant(db, actor, deal_id).await?;
    let channel = readable(party, &input.channel, &deal)?;
    let newest = message::Entity::find()
        .filter(message::Column::DealId.eq(deal_id))
        .filter(message::Column::Channel.eq(channel))
        .order_by_desc(message::Column::Id)
        .one(db)
        .await?;
    let target = match input.up_to {
        Some(id) => message::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|m| m.deal_id == deal_id && m.channel == channel)
            .map(|m| m.id)
            .ok_or_else(|| ListingsError::invalid("up_to", techex_core::msg::MESSAGE_UNKNOWN))?,
        None => match newest {
            Some(m) => m.id,
            None => return Ok(()),
        },
    };
    let current = read_marker::Entity::find()
        .filter(read_marker::Column::DealId.eq(deal_id))
        .filter(read_marker::Column::UserId.eq(actor.user_id))
        .filter(read_marker::Column::Channel.eq(channel))
        .one(db)
        .await?;
    if current.is_some_and(|c| c.last_read_id >= target) {
        return Ok(());
    }
    mark_read_through(db, actor, deal_id, channel, target).await
}

/// Unread messages per readable channel of each deal, for deal views: two queries
/// whatever the number of deals (the actor's read markers, and the ids of the others'
/// messages), counted here.
pub(crate) async fn unread_counts<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    deals: &[(&deal::Model, Party)],
) -> Result<HashMap<Uuid, HashMap<String, u64>>> {
    let ids: Vec<Uuid> = deals.iter().map(|(d, _)| d.id).collect();
    let mut counts: HashMap<Uuid, HashMap<String, u64>> = HashMap::new();
    let mut readable: HashMap<(Uuid, &str), ()> = HashMap::new();
    for (deal, party) in deals {
        let entry = counts.entry(deal.id).or_default();
        for channel in CHANNELS {
            if may_read(*party, channel) && (channel == JOINT || deal.broker_status.as_deref() == Some("accepted")) {
                entry.insert(channel.to_string(), 0);
                readable.insert((deal.id, channel), ());
            }
        }
    }
    if ids.is_empty() {
        return Ok(counts);
    }
    let markers: HashMap<(Uuid, String), Uuid> = read_marker::Entity::find()
        .filter(read_marker::Column::DealId.is_in(ids.clone()))
        .filter(read_marker::Column::UserId.eq(actor.user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| ((m.deal_id, m.channel), m.last_read_id))
        .collect();
    let messages: Vec<(Uuid, String, Uuid)> = message::Entity::find()
        .select_only()
        .columns([message::Column::DealId, message::Column::Channel, message::Column::Id])
        .filter(message::Column::DealId.is_in(ids))
        .filter(message::Column::AuthorId.ne(actor.user_id))
        .into_tuple()
        .all(db)
        .await?;
    for (deal_id, channel, id) in messages {
        if !readable.contains_key(&(deal_id, channel.as_str())) {
            continue;
        }
        let read = markers.get(&(deal_id, channel.clone())).is_some_and(|last| id <= *last);
        if !read && let Some(count) = counts.get_mut(&deal_id).and_then(|c| c.get_mut(&channel)) {
            *count += 1;
        }
    }
    Ok(counts)
}

/// An uploaded attachment, as parsed from the multipart form.
#[derive(Debug, Clone)]
pub struct AttachmentUpload {
    pub channel: String,
    pub filename: String,
    pub declared_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// An attachment that passed its checks and whose bytes are in the document store. Only
/// `stage_attachment` makes one and only `attach` takes one, so a row never names bytes
/// that were not stored first.
#[derive(Debug)]
pub struct StagedAttachment {
    deal_id: Uuid,
    channel: String,
    filename: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
}

/// Checks an attachment for a channel of the deal (the actor reads the channel, the deal
/// is not over; size and type) and writes its bytes to the store, outside any
/// transaction; `attach` then writes the row.
pub async fn stage_attachment<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    deal_id: Uuid,
    upload: AttachmentUpload,
    store: &BlobStore,
    max_bytes: usize,
) -> Result<StagedAttachment> {
    let (deal, party) = load_participant(db, actor, deal_id).await?;
    let channel = readable(party, &upload.channel, &deal)?;
    if matches!(status_of(&deal), DealStatus::Cancelled | DealStatus::Expired) {
        return Err(refuse(deals::ENTITY, "attach files to", &deal.status));
    }
    let filename = clean_filename(&upload.filename);
    let mut errors = FieldErrors::new();
    if upload.bytes.is_empty() {
        errors.add("file", techex_core::msg::FILE_EMPTY);
    } else if upload.bytes.len() > max_bytes {
        errors.add("file", techex_core::msg::FILE_TOO_LARGE.with("max", max_bytes));
    }
    errors.into_result()?;
    let content_type = detect_content_type(&upload.bytes, upload.declared_type.as_deref(), &filename)
        .map_err(|e| ListingsError::invalid("file", e))?;
    let size_bytes = upload.bytes.len() as i64;
    let bytes = Bytes::from(upload.bytes);
    let sha256 = content_hash_off_thread(&bytes).await;
    store.put(&sha256, bytes).await?;
    Ok(StagedAttachment { deal_id, channel: channel.to_string(), filename, content_type, size_bytes, sha256 })
}

/// Records a staged attachment in its channel (the same checks again, in the caller's
/// transaction).
pub async fn attach<C: ConnectionTrait>(db: &C, actor: &Actor, staged: StagedAttachment) -> Result<AttachmentView> {
    let (deal, party) = load_participant(db, actor, staged.deal_id).await?;
    let channel = readable(party, &staged.channel, &deal)?;
    if matches!(status_of(&deal), DealStatus::Cancelled | DealStatus::Expired) {
        return Err(refuse(deals::ENTITY, "attach files to", &deal.status));
    }
    let created = attachment::ActiveModel {
        id: Set(new_id()),
        deal_id: Set(staged.deal_id),
        channel: Set(channel.into()),
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
        "attachment.add",
        deals::ENTITY,
        staged.deal_id,
        None,
        Some(serde_json::json!({"attachment_id": created.id, "channel": channel, "sha256": created.sha256})),
    )
    .await?;
    Ok(created.into())
}

/// An attachment the actor may read, for download.
pub async fn attachment<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    deal_id: Uuid,
    id: Uuid,
) -> Result<attachment::Model> {
    let (deal, party) = load_participant(db, actor, deal_id).await?;
    let found = attachment::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|a| a.deal_id == deal.id && may_read(party, &a.channel))
        .ok_or(ListingsError::NotFound("attachment"))?;
    Ok(found)
}
