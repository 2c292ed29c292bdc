//! Portfolio imports as jobs: the file is read and checked against the limits first (so a
//! refused file never becomes a job), then the rows are imported in the background like a
//! synchronous import (one transaction, a savepoint per row) while the job row tells the
//! progress; once done it holds the per-row report. A job whose server died mid-way is
//! shown as failed (its transaction rolled back: nothing of it was written).

use super::{ImportOptions, ImportReport, Row, import};
use crate::entities::import_job;
use crate::error::{ListingsError, Result};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use techex_core::{Actor, new_id};
use utoipa::ToSchema;
use uuid::Uuid;

/// How often a running job writes its progress.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// A running job whose progress has not moved for this long died with its server.
const ABANDONED_AFTER_SECS: i64 = 120;

/// An import job as its organization sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportJobView {
    pub id: Uuid,
    /// `running`, `done` or `failed`.
    pub status: String,
    pub file_name: String,
    /// Data rows of the file.
    pub total_rows: i32,
    /// Rows imported so far.
    pub done_rows: i32,
    /// The per-row report, once done.
    #[schema(value_type = Option<ImportReport>)]
    pub report: Option<serde_json::Value>,
    /// Why the job failed (nothing of it was written then).
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(model: import_job::Model, now: DateTime<Utc>) -> ImportJobView {
    let abandoned = model.status == "running" && model.updated_at < now - Duration::seconds(ABANDONED_AFTER_SECS);
    let (status, error) = if abandoned {
        ("failed".to_string(), Some("the server stopped during the import; nothing of it was written".to_string()))
    } else {
        (model.status, model.error)
    };
    ImportJobView {
        id: model.id,
        status,
        file_name: model.file_name,
        total_rows: model.total_rows,
        done_rows: model.done_rows,
        report: model.report,
        error,
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Starts importing `rows` (already read within the limits) for the actor's organization
/// in the background; returns the job.
pub async fn start(
    db: &DatabaseConnection,
    actor: &Actor,
    file_name: &str,
    rows: Vec<Row>,
    options: ImportOptions,
) -> Result<ImportJobView> {
    let now = Utc::now();
    let model = import_job::ActiveModel {
        id: Set(new_id()),
        organization_id: Set(actor.organization_id),
        user_id: Set(actor.user_id),
        file_name: Set(file_name.chars().take(255).collect()),
        status: Set("running".into()),
        total_rows: Set(count(rows.len())),
        done_rows: Set(0),
        report: Set(None),
        error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    tokio::spawn(run(db.clone(), actor.clone(), model.id, rows, options));
    Ok(view(model, now))
}

async fn run(db: DatabaseConnection, actor: Actor, id: Uuid, rows: Vec<Row>, options: ImportOptions) {
    let done = Arc::new(AtomicUsize::new(0));
    let ticker = {
        let db = db.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(PROGRESS_EVERY);
            loop {
                interval.tick().await;
                let progress = import_job::Entity::update_many()
                    .col_expr(import_job::Column::DoneRows, Expr::value(count(done.load(Ordering::Relaxed))))
                    .col_expr(import_job::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(import_job::Column::Id.eq(id))
                    .filter(import_job::Column::Status.eq("running"))
                    .exec(&db)
                    .await;
                if let Err(error) = progress {
                    tracing::warn!(job = %id, %error, "cannot record import progress");
                }
            }
        })
    };
    let result = import(&db, &actor, rows, options, |n| done.store(n, Ordering::Relaxed)).await;
    ticker.abort();
    let finished = match result {
        Ok(report) => {
            let rows = count(report.rows.len());
            import_job::Entity::update_many()
                .col_expr(import_job::Column::Status, Expr::value("done"))
                .col_expr(import_job::Column::DoneRows, Expr::value(rows))
                .col_expr(import_job::Column::Report, Expr::value(serde_json::to_value(&report).ok()))
        }
        Err(error) => {
            tracing::error!(job = %id, %error, "import job failed");
            import_job::Entity::update_many().col_expr(import_job::Column::Status, Expr::value("failed")).col_expr(
                import_job::Column::Error,
                Expr::value("the import failed; nothing of it was written".to_string()),
            )
        }
    };
    let written = finished
        .col_expr(import_job::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(import_job::Column::Id.eq(id))
        .exec(&db)
        .await;
    if let Err(error) = written {
        tracing::error!(job = %id, %error, "cannot record the end of an import job");
    }
}

/// An import job of the actor's organization (another organization's is not found).
pub async fn get(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<ImportJobView> {
    let model = import_job::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|job| job.organization_id == actor.organization_id)
        .ok_or(ListingsError::NotFound("import job"))?;
    Ok(view(model, Utc::now()))
}
