//! The one loop of every background sweep of `techex serve` (deadlines, payment
//! reminders, payouts, orphaned documents, housekeeping): wake every period (a missed tick
//! is delayed, not bunched), stop when told, count each run in
//! `techex_sweeper_runs_total{sweeper, outcome}`, log what a run did and warn when it
//! failed; the next period retries.

use std::fmt::{Debug, Display};
use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;

/// What a sweep reports: whether it did anything worth a log line.
pub trait Swept: Debug {
    fn did_something(&self) -> bool;
}

impl Swept for u64 {
    fn did_something(&self) -> bool {
        *self > 0
    }
}

impl Swept for usize {
    fn did_something(&self) -> bool {
        *self > 0
    }
}

/// Counts, logs and returns one run's outcome (`done` names what it did, for the log).
pub fn record<R: Swept, E: Display>(name: &'static str, done: &'static str, outcome: Result<R, E>) -> Option<R> {
    let label = if outcome.is_ok() { "ok" } else { "error" };
    metrics::counter!("techex_sweeper_runs_total", "sweeper" => name, "outcome" => label).increment(1);
    match outcome {
        Ok(report) => {
            if report.did_something() {
                tracing::info!(sweeper = name, ?report, "{done}");
            }
            Some(report)
        }
        Err(error) => {
            tracing::warn!(sweeper = name, %error, "sweep failed; retrying next period");
            None
        }
    }
}

/// Runs `sweep` every `period` (the first run at once) until `stop` turns true, or
/// forever without one.
pub async fn every<F, Fut, R, E>(
    name: &'static str,
    done: &'static str,
    period: Duration,
    mut stop: Option<watch::Receiver<bool>>,
    mut sweep: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<R, E>>,
    R: Swept,
    E: Display,
{
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        match stop.as_mut() {
            Some(stop) => {
                tokio::select! {
                    _ = interval.tick() => {}
                    _ = stop.changed() => return,
                }
                if *stop.borrow() {
                    return;
                }
            }
            None => {
                interval.tick().await;
            }
        }
        record(name, done, sweep().await);
    }
}
