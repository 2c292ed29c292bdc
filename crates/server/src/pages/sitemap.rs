//! `sitemap.xml` and `robots.txt`: what search engines may index — the public pages of
//! published achievements and demands, of auctions and of active brokers — with absolute addresses
//! (the configured public URL, else the request's host).

use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use techex_listings::entities::{achievement, demand, open_licence};
use techex_negotiation::entities::{auction, broker};

/// The most addresses one sitemap file may hold.
const MAX_URLS: u64 = 50_000;

fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = state.config.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')))
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `GET /sitemap.xml`
pub(super) async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let base = base_url(&state, &headers);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut push = |path: String, modified: Option<chrono::DateTime<chrono::Utc>>| {
        xml.push_str(&format!("  <url><loc>{}</loc>", escape(&format!("{base}{path}"))));
        if let Some(at) = modified {
            xml.push_str(&format!("<lastmod>{}</lastmod>", at.format("%Y-%m-%d")));
        }
        xml.push_str("</url>\n");
    };
    for path in ["/", "/search", "/achievements", "/demands", "/auctions", "/open-licences", "/brokers"] {
        push(path.to_string(), None);
    }
    let achievements: Vec<(uuid::Uuid, chrono::DateTime<chrono::Utc>)> = achievement::Entity::find()
        .select_only()
        .column(achievement::Column::Id)
        .column(achievement::Column::UpdatedAt)
        .filter(achievement::Column::Status.eq("published"))
        .order_by_desc(achievement::Column::Id)
        .limit(MAX_URLS)
        .into_tuple()
        .all(&state.db)
        .await?;
    for (id, updated) in achievements {
        push(format!("/achievements/{id}"), Some(updated));
    }
    let demands: Vec<(uuid::Uuid, chrono::DateTime<chrono::Utc>)> = demand::Entity::find()
        .select_only()
        .column(demand::Column::Id)
        .column(demand::Column::UpdatedAt)
        .filter(demand::Column::Status.eq("published"))
        .order_by_desc(demand::Column::Id)
        .limit(MAX_URLS)
        .into_tuple()
        .all(&state.db)
        .await?;
    for (id, updated) in demands {
        push(format!("/demands/{id}"), Some(updated));
    }
    // Every auction but a cancelled one: the open and upcoming biddings, and the closed
    // ones' results (成交公示).
    let auctions: Vec<(uuid::Uuid, chrono::DateTime<chrono::Utc>)> = auction::Entity::find()
        .select_only()
        .column(auction::Column::Id)
        .column(auction::Column::UpdatedAt)
        .filter(auction::Column::Status.ne("cancelled"))
        .order_by_desc(auction::Column::Id)
        .limit(MAX_URLS)
        .into_tuple()
        .all(&state.db)
        .await?;
    for (id, updated) in auctions {
        push(format!("/auctions/{id}"), Some(updated));
    }
    // The published open-licence declarations.
    let declarations: Vec<(uuid::Uuid, chrono::DateTime<chrono::Utc>)> = open_licence::Entity::find()
        .select_only()
        .column(open_licence::Column::Id)
        .column(open_licence::Column::UpdatedAt)
        .filter(open_licence::Column::Status.eq("published"))
        .order_by_desc(open_licence::Column::Id)
        .limit(MAX_URLS)
        .into_tuple()
        .all(&state.db)
        .await?;
    for (id, updated) in declarations {
        push(format!("/open-licences/{id}"), Some(updated));
    }
    let brokers = broker::Entity::find().order_by_desc(broker::Column::Id).limit(MAX_URLS).all(&state.db).await?;
    for b in brokers.iter().filter(|b| techex_negotiation::brokers::is_active(b)) {
        push(format!("/brokers/{}", b.id), None);
    }
    xml.push_str("</urlset>\n");
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response())
}

/// `GET /robots.txt`: the public pages may be indexed; the workspace, the center's desks
/// and the API may not.
pub(super) async fn robots(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&state, &headers);
    let text = format!(
        "User-agent: *\nDisallow: /api/\nDisallow: /my/\nDisallow: /deals\nDisallow: /contracts\nDisallow: /center/\n\
         Disallow: /sign-in\nSitemap: {base}/sitemap.xml\n"
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}
