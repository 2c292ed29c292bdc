//! Building and running the server: `main` and every test use the same
//! `Application::build`, tests with port 0 and a database of their own.

use crate::config::Config;
use crate::state::AppState;
use crate::{app, db, pages};
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use techex_listings::auth::AuthSettings;
use tokio::net::TcpListener;

/// A server that is bound and ready to run.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Binds the listening socket, then connects to the database and migrates it: a
    /// start that cannot have its port fails before it touches the database.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let listener =
            TcpListener::bind(config.addr).await.with_context(|| format!("cannot listen on {}", config.addr))?;
        let database = db::connect(&config)
            .await
            .with_context(|| format!("cannot connect to {}", config.redacted_database_url()))?;
        db::migrate(&database).await.context("cannot migrate the database")?;
        // The recorder goes in before anything records.
        crate::metrics::handle();
        let auth = AuthSettings {
            session_ttl: chrono::Duration::hours(config.session_ttl_hours),
            max_failures_per_account: config.login_max_failures_per_account,
            max_failures_per_address: config.login_max_failures_per_address,
            window: chrono::Duration::minutes(config.login_window_minutes),
        };
        let pages = pages::Templates::load().context("cannot load page templates")?;
        let search_root = config.index_root();
        let synonyms = match &config.search_synonyms {
            Some(path) => techex_search::synonyms::SynonymSource::file(path),
            None => techex_search::synonyms::SynonymSource::builtin(),
        };
        let search = tokio::task::spawn_blocking(move || techex_search::SearchService::open(&search_root))
            .await
            .context("search index task failed")?
            .context("cannot open the search index")?
            .with_synonyms(synonyms);
        let payments: Option<Arc<dyn techex_payments::gateway::Gateway>> = match &config.stripe_secret_key {
            Some(key) => Some(Arc::new(techex_payments::metered::Metered::new(
                techex_payments::gateway::StripeGateway::with_connect(
                    key,
                    &config.stripe_api_base,
                    config.stripe_connect_api_base.as_deref().unwrap_or(&config.stripe_api_base),
                )
                .context("cannot set up the Stripe client")?,
            ))),
            None => None,
        };
        let blobs = config.blob_store().context("cannot open the document store")?;
        tracing::info!(store = blobs.description(), "documents are stored in the document store");
        let state = AppState {
            db: database,
            blobs,
            config: Arc::new(config),
            auth: Arc::new(auth),
            pages: Arc::new(pages),
            search,
            payments,
        };
        Ok(Application { listener, state })
    }

    /// The bound port (useful when the configured port was 0).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_with_shutdown(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes.
    pub async fn run_with_shutdown(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let housekeeping = tokio::spawn(housekeeping(self.state.clone()));
        let (stop_indexer, indexer_stopped) = tokio::sync::watch::channel(false);
        let metrics_upkeep = tokio::spawn(crate::metrics::upkeep());
        let indexer = self.state.config.follow_outbox.then(|| {
            tokio::spawn(techex_search::indexer::run(
                self.state.db.clone(),
                self.state.search.clone(),
                self.state.config.index_batch,
                indexer_stopped,
            ))
        });
        let (stop_deadlines, deadlines_stopped) = tokio::sync::watch::channel(false);
        let deadlines = tokio::spawn(techex_negotiation::deadlines::run(
            self.state.db.clone(),
            Duration::from_millis(self.state.config.deadline_sweep_ms),
            chrono::Duration::days(self.state.config.deal_inactivity_days),
            deadlines_stopped,
        ));
        // Payment reminders share the deadline sweeper's stop signal and cadence (at least
        // a minute: a due date is a day).
        let reminders = tokio::spawn(techex_contracts::reminders::run(
            self.state.db.clone(),
            Duration::from_millis(self.state.config.deadline_sweep_ms.max(60_000)),
            stop_deadlines.subscribe(),
        ));
        let payouts = self.state.payments.clone().map(|gateway| {
            tokio::spawn(techex_payments::payouts::run(
                self.state.db.clone(),
                gateway,
                Duration::from_millis(self.state.config.deadline_sweep_ms.max(1000)),
            ))
        });
        // Every process may sweep: deletions are of bytes no row names, so two sweepers
        // at once delete the same orphan twice at worst, which is not an error.
        let orphans = (self.state.config.documents_sweep_secs > 0).then(|| {
            tokio::spawn(techex_negotiation::orphans::run(
                self.state.db.clone(),
                self.state.blobs.clone(),
                Duration::from_secs(self.state.config.documents_sweep_secs),
                self.state.config.documents_orphan_grace(),
                stop_deadlines.subscribe(),
            ))
        });
        // Mail goes out from every process with SMTP settings; a claim keeps two from
        // sending one mail at once.
        let own_address = format!("http://{}", self.listener.local_addr()?);
        let mail = crate::mail::Mailer::from_config(&self.state.config, &own_address)?.map(|mailer| {
            tokio::spawn(crate::mail::run(
                self.state.db.clone(),
                mailer,
                Duration::from_millis(self.state.config.mail_poll_ms),
                stop_deadlines.subscribe(),
            ))
        });
        let router = app::build(self.state.clone());
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await;
        housekeeping.abort();
        metrics_upkeep.abort();
        if let Some(payouts) = payouts {
            payouts.abort();
        }
        stop_indexer.send(true).ok();
        stop_deadlines.send(true).ok();
        if tokio::time::timeout(Duration::from_secs(10), reminders).await.is_err() {
            tracing::warn!("the payment reminder sweeper did not stop within 10 s");
        }
        if let Some(orphans) = orphans
            && tokio::time::timeout(Duration::from_secs(10), orphans).await.is_err()
        {
            tracing::warn!("the orphan sweep did not stop within 10 s");
        }
        if let Some(mail) = mail
            && tokio::time::timeout(Duration::from_secs(10), mail).await.is_err()
        {
            tracing::warn!("the mail sender did not stop within 10 s");
        }
        if tokio::time::timeout(Duration::from_secs(10), deadlines).await.is_err() {
            tracing::warn!("the deadline sweeper did not stop within 10 s");
        }
        if let Some(indexer) = indexer
            && tokio::time::timeout(Duration::from_secs(10), indexer).await.is_err()
        {
            tracing::warn!("the search indexer did not stop within 10 s");
        }
        self.state.db.clone().close().await.ok();
        result.context("server failed")
    }
}

/// How long outbox rows are kept for indexers to catch up with (an index further behind
/// rebuilds itself from the database).
const OUTBOX_RETENTION_DAYS: i64 = 7;

/// Periodic clean-up: old login attempts, long-expired sessions, old outbox rows.
async fn housekeeping(state: AppState) {
    let mut interval = tokio::time::interval(Duration::from_secs(3600));
    loop {
        interval.tick().await;
        let auth_pruned = techex_listings::auth::prune(&state.db, &state.auth).await;
        techex_listings::sweeper::record("session_pruning", "pruned old login attempts and sessions", auth_pruned);
        let before = chrono::Utc::now() - chrono::Duration::days(OUTBOX_RETENTION_DAYS);
        let pruned = async {
            let transaction = techex_listings::begin_write(&state.db).await?;
            let removed = techex_listings::audit::prune_outbox(&transaction, before).await?;
            transaction.commit().await?;
            Ok::<u64, sea_orm::DbErr>(removed)
        };
        techex_listings::sweeper::record("outbox_pruning", "pruned old outbox rows", pruned.await);
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
