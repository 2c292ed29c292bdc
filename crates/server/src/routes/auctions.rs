//! Public bidding (挂牌竞价): auctions and their bids.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, IfMatch, MaybeUser};
use crate::routes::{PageParams, ReasonBody, begin, commit, created, versioned};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use techex_core::domain::AuctionStatus;
use techex_core::pagination::Page;
use techex_negotiation::auctions::{self, AuctionFilter, AuctionView, BidView, CreateAuction, PlaceBid};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuctionQuery {
    pub status: Option<AuctionStatus>,
    pub achievement_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Settles the auction first when its close has passed (see the domain's function).
async fn settle_if_due(state: &AppState, id: Uuid) -> ApiResult<()> {
    Ok(auctions::settle_if_due(&state.db, id, chrono::Utc::now()).await?)
}

/// Auctions, newest first (anyone may watch).
#[utoipa::path(get, path = "/api/v1/auctions", tag = "auctions", security((), ("bearer" = [])), params(AuctionQuery),
    responses((status = 200, body = Page<AuctionView>)))]
async fn list(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<AuctionQuery>,
) -> ApiResult<Json<Page<AuctionView>>> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() }.page()?;
    let filter = AuctionFilter { status: query.status, achievement_id: query.achievement_id };
    Ok(Json(auctions::list(&state.db, user.actor(), &filter, page).await?))
}

/// Puts a published achievement up for bidding (its owner, or the center for it).
#[utoipa::path(post, path = "/api/v1/auctions", tag = "auctions", security(("bearer" = [])), request_body = CreateAuction,
    responses((status = 201, body = AuctionView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
              (status = 404, description = "the achievement named does not exist or is not visible", body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<CreateAuction>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let model = auctions::create(&transaction, &user.actor, input).await?;
    commit(transaction).await?;
    let view = auctions::get_view(&state.db, Some(&user.actor), model.id).await?;
    Ok(created(format!("/api/v1/auctions/{}", view.id), view.version, view))
}

/// One auction.
#[utoipa::path(get, path = "/api/v1/auctions/{id}", tag = "auctions", security((), ("bearer" = [])),
    responses((status = 200, body = AuctionView), (status = 404, body = crate::error::Problem)))]
async fn get_one(State(state): State<AppState>, user: MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    settle_if_due(&state, id).await?;
    let view = auctions::get_view(&state.db, user.actor(), id).await?;
    Ok(versioned(view.version, view))
}

/// The bids, highest first (bidders named to the seller and the center).
#[utoipa::path(get, path = "/api/v1/auctions/{id}/bids", tag = "auctions", security((), ("bearer" = [])),
    responses((status = 200, body = Vec<BidView>), (status = 404, body = crate::error::Problem)))]
async fn bids(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<BidView>>> {
    settle_if_due(&state, id).await?;
    Ok(Json(auctions::bids(&state.db, user.actor(), id).await?))
}

/// Places a bid (verified buyers): at least the minimum bid, while the auction is open.
#[utoipa::path(post, path = "/api/v1/auctions/{id}/bids", tag = "auctions", security(("bearer" = [])), request_body = PlaceBid,
    responses((status = 201, body = AuctionView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn place_bid(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PlaceBid>,
) -> ApiResult<(StatusCode, Json<AuctionView>)> {
    let transaction = begin(&state).await?;
    auctions::place_bid(&transaction, &user.actor, id, input).await?;
    commit(transaction).await?;
    Ok((StatusCode::CREATED, Json(auctions::get_view(&state.db, Some(&user.actor), id).await?)))
}

/// Cancels an auction before any bid (the seller or the center).
#[utoipa::path(post, path = "/api/v1/auctions/{id}/cancel", tag = "auctions", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = ReasonBody,
    responses((status = 200, body = AuctionView), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn cancel(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    auctions::cancel(&transaction, &user.actor, id, version, &body.reason).await?;
    commit(transaction).await?;
    let view = auctions::get_view(&state.db, Some(&user.actor), id).await?;
    Ok(versioned(view.version, view))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(bids, place_bid))
        .routes(routes!(cancel))
}
