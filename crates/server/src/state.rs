//! What every request handler can reach.

use crate::config::Config;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use techex_listings::auth::AuthSettings;

/// Shared state of a running server.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub auth: Arc<AuthSettings>,
    pub pages: Arc<crate::pages::Templates>,
    pub search: techex_search::SearchService,
    /// Where documents and deal attachments are stored (a directory or an S3 bucket).
    pub blobs: techex_listings::blobs::BlobStore,
    /// The payment provider, when Stripe is configured.
    pub payments: Option<Arc<dyn techex_payments::gateway::Gateway>>,
}
