//! Deadlines: offers past their validity expire, auctions close, inventors'
//! first-refusal windows lapse, inactive deals expire. Reads already show the effective
//! state (an offer past its deadline cannot be accepted before the sweep runs); the
//! sweep makes it stored, notified and audited.
//!
//! Several `serve` processes may sweep one PostgreSQL at once: every transition is a
//! guarded update (status and version in the `WHERE`) or runs under the row's lock, so
//! each happens exactly once, whichever process gets there first. Each item has a
//! transaction of its own, so one sweep never holds many rows that a user's action is
//! waiting for.

use crate::{Result, auctions, deals, offers, refusal};
use chrono::{DateTime, Duration, Utc};
use sea_orm::DatabaseConnection;
use techex_listings::{ListingsError, begin_write};

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    pub offers_expired: u64,
    pub auctions_closed: u64,
    pub refusals_lapsed: u64,
    pub deals_expired: u64,
}

impl techex_listings::sweeper::Swept for Sweep {
    fn did_something(&self) -> bool {
        !self.is_empty()
    }
}

impl Sweep {
    pub fn is_empty(&self) -> bool {
        *self == Sweep::default()
    }
}

/// Runs `step` in a write transaction of its own; a conflict (another process or user
/// got there first) counts as not done.
async fn once<F, Fut>(db: &DatabaseConnection, step: F) -> Result<bool>
where
    F: FnOnce(sea_orm::DatabaseTransaction) -> Fut,
    Fut: std::future::Future<Output = (sea_orm::DatabaseTransaction, Result<bool>)>,
{
    let transaction = begin_write(db).await?;
    let (transaction, outcome) = step(transaction).await;
    match outcome {
        Ok(true) => {
            transaction.commit().await?;
            Ok(true)
        }
        Ok(false) | Err(ListingsError::Conflict(_)) => {
            transaction.rollback().await?;
            Ok(false)
        }
        Err(other) => {
            transaction.rollback().await.ok();
            Err(other)
        }
    }
}

/// Runs every deadline that is due at `now`. `inactivity` is how long an open deal may
/// sit without activity before it expires.
pub async fn sweep(db: &DatabaseConnection, now: DateTime<Utc>, inactivity: Duration) -> Result<Sweep> {
    let mut report = Sweep::default();
    for offer in offers::due(db, now).await? {
        let done = once(db, |t| async move {
            let r = offers::expire_one(&t, &offer, now).await;
            (t, r)
        })
        .await?;
        report.offers_expired += u64::from(done);
    }
    for notice in refusal::due(db, now).await? {
        let done = once(db, |t| async move {
            let r = refusal::lapse_one(&t, &notice, now).await;
            (t, r)
        })
        .await?;
        report.refusals_lapsed += u64::from(done);
    }
    for id in auctions::due(db, now).await? {
        let done = once(db, |t| async move {
            let r = auctions::settle(&t, id, now).await.map(|settled| settled.is_some());
            (t, r)
        })
        .await?;
        report.auctions_closed += u64::from(done);
    }
    let before = now - inactivity;
    for id in deals::due_inactive(db, before).await? {
        let done = once(db, |t| async move {
            let r = deals::expire_one(&t, id, before).await;
            (t, r)
        })
        .await?;
        report.deals_expired += u64::from(done);
    }
    Ok(report)
}

/// Sweeps every `every` until `stop` turns true; errors are logged and retried.
pub async fn run(
    db: DatabaseConnection,
    every: std::time::Duration,
    inactivity: Duration,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    techex_listings::sweeper::every("deadlines", "deadlines applied", every, Some(stop), || {
        sweep(&db, Utc::now(), inactivity)
    })
    .await;
}
