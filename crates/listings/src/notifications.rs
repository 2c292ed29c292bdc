//! Notifications to users: saved-search alerts, deal, bidding and contract events. Each
//! has a dedupe key, so an event that several server processes observe notifies once.
//!
//! The domain says what happened as a [`Message`] (a key and its values), stored as
//! JSON; the server words it in each reader's language and builds the link from the
//! entity. Rows written before messages existed keep a stored title (`中文 / English`)
//! and link, which the server still shows.

use crate::entities::notification;
use crate::error::{ListingsError, Result};
use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use techex_core::pagination::Page;
use techex_core::{Actor, Message, PageRequest, new_id};
use utoipa::ToSchema;
use uuid::Uuid;

/// A notification as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    /// What happened, e.g. `saved_search_match`.
    pub kind: String,
    /// What happened, in the language of the request (`Accept-Language`).
    pub title: String,
    /// Free text that goes with it (a termination's reason), as its author wrote it.
    pub body: Option<String>,
    /// The message behind `title`: its key and values, for a client that words
    /// notifications itself; absent on notifications older than messages.
    #[schema(value_type = Option<Object>)]
    pub message: Option<serde_json::Value>,
    /// Where to look, e.g. `/achievements/{id}`.
    pub link: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub created_at: chrono::DateTime<Utc>,
    pub read_at: Option<chrono::DateTime<Utc>>,
}

impl From<notification::Model> for NotificationView {
    fn from(m: notification::Model) -> Self {
        NotificationView {
            id: m.id,
            kind: m.kind,
            title: m.title,
            body: m.body,
            message: m.message.as_deref().and_then(|json| serde_json::from_str(json).ok()),
            link: m.link,
            entity_type: m.entity_type,
            entity_id: m.entity_id,
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

/// A notification to create.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: Uuid,
    pub kind: String,
    /// What happened, worded by the server for each reader.
    pub message: Message,
    /// Free text that goes with it, shown as written.
    pub body: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    /// Notifications with the same key are created once.
    pub dedupe_key: String,
}

/// Creates a notification unless one with its key exists; returns whether it was new.
/// A new one is also queued as an e-mail to its reader, in the reader's language, when
/// the reader keeps e-mail notifications on (sent when the server has SMTP settings).
pub async fn notify<C: ConnectionTrait>(db: &C, new: NewNotification) -> Result<bool> {
    let id = new_id();
    let user_id = new.user_id;
    let model = notification::ActiveModel {
        id: Set(id),
        user_id: Set(new.user_id),
        kind: Set(new.kind),
        // The key, for whoever reads the table directly; readers get `message` worded.
        title: Set(new.message.key.as_str().to_string()),
        message: Set(Some(serde_json::to_string(&new.message).map_err(|e| ListingsError::Internal(e.to_string()))?)),
        body: Set(new.body),
        link: Set(None),
        entity_type: Set(new.entity_type),
        entity_id: Set(new.entity_id),
        dedupe_key: Set(new.dedupe_key),
        created_at: Set(Utc::now()),
        read_at: Set(None),
    };
    let inserted = notification::Entity::insert(model)
        .on_conflict(OnConflict::column(notification::Column::DedupeKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    if inserted == 0 {
        return Ok(false);
    }
    let reader = crate::entities::user::Entity::find_by_id(user_id).one(db).await?;
    if let Some(reader) = reader.filter(|r| r.email_notifications && r.status == "active") {
        crate::mail::enqueue(
            db,
            crate::mail::NewMail {
                kind: crate::mail::MailKind::Notification,
                recipient: reader.email,
                language: reader.language,
                message: None,
                notification_id: Some(id),
                dedupe_key: format!("notification:{id}"),
            },
        )
        .await?;
    }
    Ok(true)
}

/// Who in an organization hears of something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Its active members and administrators.
    Members,
    /// Its active administrators only.
    Admins,
}

/// The active users of one or more organizations who belong to an audience.
pub async fn audience<C: ConnectionTrait>(
    db: &C,
    organizations: &[Uuid],
    audience: Audience,
) -> Result<Vec<crate::entities::user::Model>> {
    use crate::entities::user;
    use techex_core::{Role, RoleSet};
    let users = user::Entity::find()
        .filter(user::Column::OrganizationId.is_in(organizations.iter().copied()))
        .filter(user::Column::Status.eq("active"))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    Ok(users
        .into_iter()
        .filter(|u| {
            let roles = RoleSet::from_stored(&u.roles);
            match audience {
                Audience::Members => roles.contains(Role::Member) || roles.contains(Role::OrgAdmin),
                Audience::Admins => roles.contains(Role::OrgAdmin),
            }
        })
        .collect())
}

/// Notifies an organization's audience, each reader once: `notice` with its reader
/// (`user_id` is replaced) and the reader's id appended to its dedupe key; `except` (the
/// user who acted) is skipped. Returns how many notifications were new.
pub async fn notify_members<C: ConnectionTrait>(
    db: &C,
    organization: Uuid,
    audience_of: Audience,
    except: Option<Uuid>,
    notice: &NewNotification,
) -> Result<u32> {
    let mut new = 0;
    for reader in audience(db, &[organization], audience_of).await? {
        if except == Some(reader.id) {
            continue;
        }
        let mut one = notice.clone();
        one.user_id = reader.id;
        one.dedupe_key = format!("{}:{}", notice.dedupe_key, reader.id);
        if notify(db, one).await? {
            new += 1;
        }
    }
    Ok(new)
}

/// One notification by its id (for the mail that tells it).
pub async fn view_of<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<NotificationView>> {
    Ok(notification::Entity::find_by_id(id).one(db).await?.map(NotificationView::from))
}

/// The actor's notifications, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    unread_only: bool,
    page: PageRequest,
) -> Result<Page<NotificationView>> {
    let mut query = notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .order_by_desc(notification::Column::Id);
    if unread_only {
        query = query.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(cursor) = page.after {
        query = query.filter(notification::Column::Id.lt(cursor.0));
    }
    let rows = query.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, |n| n.id).map(NotificationView::from))
}

/// How many of the actor's notifications are unread.
pub async fn unread_count<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks one of the actor's notifications read.
pub async fn mark_read<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<NotificationView> {
    let found = notification::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|n| n.user_id == actor.user_id)
        .ok_or(ListingsError::NotFound("notification"))?;
    if found.read_at.is_some() {
        return Ok(found.into());
    }
    let mut active: notification::ActiveModel = found.into();
    active.read_at = Set(Some(Utc::now()));
    Ok(sea_orm::ActiveModelTrait::update(active, db).await?.into())
}

/// Marks every notification of the actor read; returns how many changed.
pub async fn mark_all_read<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<u64> {
    let result = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
