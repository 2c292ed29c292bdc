//! Deals, their broker, the room (messages, attachments, read markers), offers, the
//! inventors' first refusal and the timeline.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, IfMatch};
use crate::routes::documents::{file_response, read_upload};
use crate::routes::{PageParams, ReasonBody, begin, commit, created, versioned};
use crate::state::AppState;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use techex_core::domain::DealStatus;
use techex_core::pagination::Page;
use techex_negotiation::deals::{self, DealFilter, DealView, InviteBroker, OpenDeal, TimelineEntry};
use techex_negotiation::offers::{self, Decision, MakeOffer, OfferDiff, OfferView};
use techex_negotiation::refusal::{self, RecordAnswer, RefusalView, StartRefusal};
use techex_negotiation::room::{self, AttachmentUpload, AttachmentView, MarkRead, MessageView, PostMessage};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// A JSON body that may be left out entirely.
fn optional_body(body: &[u8]) -> ApiResult<Decision> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Decision::default());
    }
    crate::extract::parse_json(body)
}

async fn render(state: &AppState, user: &techex_core::Actor, id: Uuid) -> ApiResult<Response> {
    let view = deals::get_view(&state.db, user, id).await?;
    Ok(versioned(view.version, view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DealQuery {
    pub status: Option<DealStatus>,
    /// `seller`, `buyer` or `broker`.
    pub role: Option<String>,
    pub achievement_id: Option<Uuid>,
    pub demand_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The caller's deals (as seller, buyer or broker; platform admins all), newest first.
#[utoipa::path(get, path = "/api/v1/deals", tag = "deals", security(("bearer" = [])), params(DealQuery),
    responses((status = 200, body = Page<DealView>),
              (status = 422, description = "a filter value is not valid (an owner that is not an organization id, an unknown status)", body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(query): ApiQuery<DealQuery>,
) -> ApiResult<Json<Page<DealView>>> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() }.page()?;
    let filter = DealFilter {
        status: query.status,
        role: query.role,
        achievement_id: query.achievement_id,
        demand_id: query.demand_id,
    };
    Ok(Json(deals::list(&state.db, &user.actor, &filter, page).await?))
}

/// Opens a deal: an inquiry on a published achievement, or an answer to a published
/// demand (by a seller, or a broker naming the achievement offered).
#[utoipa::path(post, path = "/api/v1/deals", tag = "deals", security(("bearer" = [])), request_body = OpenDeal,
    responses((status = 201, body = DealView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn open(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<OpenDeal>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let model = deals::open(&transaction, &user.actor, input).await?;
    commit(transaction).await?;
    let view = deals::get_view(&state.db, &user.actor, model.id).await?;
    Ok(created(format!("/api/v1/deals/{}", view.id), view.version, view))
}

/// One deal, as the caller takes part in it.
#[utoipa::path(get, path = "/api/v1/deals/{id}", tag = "deals", security(("bearer" = [])),
    responses((status = 200, body = DealView), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn get_one(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    render(&state, &user.actor, id).await
}

/// Invites a broker (either party) or assigns one (the center), with the proposed commission.
#[utoipa::path(post, path = "/api/v1/deals/{id}/broker", tag = "deals", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = InviteBroker,
    responses((status = 200, body = DealView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn invite_broker(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<InviteBroker>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    deals::invite_broker(&transaction, &user.actor, id, version, input).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// The invited broker accepts to mediate (agreeing to the commission). A licence taken by
/// notice under an open-licence declaration is agreed on the declared terms at once and
/// its contract drafted, with the broker as 丙方.
#[utoipa::path(post, path = "/api/v1/deals/{id}/broker/accept", tag = "deals", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = DealView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn broker_accept(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    techex_contracts::open_licence::answer_broker_invitation(&transaction, &user.actor, id, version, true).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// The invited broker declines.
#[utoipa::path(post, path = "/api/v1/deals/{id}/broker/decline", tag = "deals", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn broker_decline(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    techex_contracts::open_licence::answer_broker_invitation(&transaction, &user.actor, id, version, false).await?;
    commit(transaction).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Cancels a deal with a reason (a party, the broker, or the center).
#[utoipa::path(post, path = "/api/v1/deals/{id}/cancel", tag = "deals", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = ReasonBody,
    responses((status = 200, body = DealView), (status = 409, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn cancel(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    deals::cancel(&transaction, &user.actor, id, version, &body.reason).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// The deal's history as the caller may see it (the other side's caucus left out).
#[utoipa::path(get, path = "/api/v1/deals/{id}/timeline", tag = "deals", security(("bearer" = [])),
    responses((status = 200, body = Vec<TimelineEntry>), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn timeline(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<TimelineEntry>>> {
    Ok(Json(deals::timeline(&state.db, &user.actor, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// `joint` (default), `caucus_seller` or `caucus_buyer`.
    pub channel: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The messages of a channel, oldest first.
#[utoipa::path(get, path = "/api/v1/deals/{id}/messages", tag = "deals", security(("bearer" = [])), params(MessageQuery),
    responses((status = 200, body = Page<MessageView>), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn messages(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<MessageQuery>,
) -> ApiResult<Json<Page<MessageView>>> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() }.page()?;
    let channel = query.channel.as_deref().unwrap_or(room::JOINT);
    Ok(Json(room::list(&state.db, &user.actor, id, channel, page).await?))
}

/// Posts a message to the joint channel or the caller's caucus with the broker.
#[utoipa::path(post, path = "/api/v1/deals/{id}/messages", tag = "deals", security(("bearer" = [])), request_body = PostMessage,
    responses((status = 201, body = MessageView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn post_message(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PostMessage>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let transaction = begin(&state).await?;
    let view = room::post(&transaction, &user.actor, id, input).await?;
    commit(transaction).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Marks a channel read up to a message (default: the newest).
#[utoipa::path(post, path = "/api/v1/deals/{id}/messages/read", tag = "deals", security(("bearer" = [])), request_body = MarkRead,
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn mark_read(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<MarkRead>,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    room::mark_read(&transaction, &user.actor, id, input).await?;
    commit(transaction).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The multipart form of a deal attachment (the OpenAPI schema of what `read_upload` reads).
#[derive(ToSchema)]
#[allow(dead_code, reason = "only describes the form in the OpenAPI document")]
pub struct AttachmentForm {
    /// The file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The channel it is shared in: `joint` (the default), `caucus_seller` or `caucus_buyer`.
    channel: Option<String>,
}

/// Uploads an attachment to a channel (multipart `file` and `channel`); post a message
/// with its id to share it.
#[utoipa::path(post, path = "/api/v1/deals/{id}/attachments", tag = "deals", security(("bearer" = [])),
    request_body(content = AttachmentForm, content_type = "multipart/form-data", description = "`file`, `channel`"),
    responses((status = 201, body = AttachmentView), (status = 413, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
              (status = 503, body = crate::error::Problem, description = "the document store cannot be reached; nothing was stored")))]
async fn attach(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    mut form: Multipart,
) -> ApiResult<(StatusCode, Json<AttachmentView>)> {
    let limit = state.config.max_upload_bytes;
    let mut form = read_upload(&mut form, limit, "file").await?;
    let upload = AttachmentUpload {
        channel: form.texts.remove("channel").unwrap_or_else(|| room::JOINT.into()),
        filename: form.filename,
        declared_type: form.declared_type,
        bytes: form.bytes,
    };
    // The bytes go to the store before the transaction opens and before the row commits.
    let staged = room::stage_attachment(&state.db, &user.actor, id, upload, &state.blobs, limit).await?;
    let transaction = begin(&state).await?;
    let view = room::attach(&transaction, &user.actor, staged).await?;
    commit(transaction).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Downloads an attachment of a channel the caller reads, its bytes checked against its
/// SHA-256 first (bytes that do not match are never served).
#[utoipa::path(get, path = "/api/v1/deals/{id}/attachments/{attachment_id}", tag = "deals", security(("bearer" = [])),
    responses((status = 200, description = "the file, with the media type it was stored with", content_type = "*/*"),
              (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
              (status = 500, body = crate::error::Problem, description = "the stored bytes do not match the SHA-256; they are never served")))]
async fn download(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath((id, attachment_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    let found = room::attachment(&state.db, &user.actor, id, attachment_id).await?;
    let bytes = state.blobs.get(&found.sha256).await.map_err(techex_listings::ListingsError::from)?;
    Ok(file_response(bytes, &found.content_type, &found.filename, &found.sha256))
}

/// The offers of a deal in the order they were made.
#[utoipa::path(get, path = "/api/v1/deals/{id}/offers", tag = "offers", security(("bearer" = [])),
    responses((status = 200, body = Vec<OfferView>), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn list_offers(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<OfferView>>> {
    Ok(Json(offers::list(&state.db, &user.actor, id).await?))
}

/// Makes an offer for the caller's side, or (a broker) proposes one on a side's behalf.
#[utoipa::path(post, path = "/api/v1/deals/{id}/offers", tag = "offers", security(("bearer" = [])), request_body = MakeOffer,
    responses((status = 201, body = OfferView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn make_offer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<MakeOffer>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let model = offers::make(&transaction, &user.actor, id, input).await?;
    commit(transaction).await?;
    let view = offers::view(model)?;
    Ok(created(format!("/api/v1/offers/{}", view.id), view.version, view))
}

/// One offer.
#[utoipa::path(get, path = "/api/v1/offers/{id}", tag = "offers", security(("bearer" = [])),
    responses((status = 200, body = OfferView), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn get_offer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let view = offers::get_view(&state.db, &user.actor, id).await?;
    Ok(versioned(view.version, view))
}

/// An offer beside the one it counters, with the changed fields.
#[utoipa::path(get, path = "/api/v1/offers/{id}/diff", tag = "offers", security(("bearer" = [])),
    responses((status = 200, body = OfferDiff), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn offer_diff(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OfferDiff>> {
    Ok(Json(offers::diff_view(&state.db, &user.actor, id).await?))
}

/// Accepts a pending offer (the other side): its terms become the deal's agreement.
#[utoipa::path(post, path = "/api/v1/offers/{id}/accept", tag = "offers", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = DealView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
async fn accept(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let (_, deal) = offers::accept(&transaction, &user.actor, id, version).await?;
    commit(transaction).await?;
    render(&state, &user.actor, deal.id).await
}

/// Rejects a pending offer (the other side).
#[utoipa::path(post, path = "/api/v1/offers/{id}/reject", tag = "offers", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = Decision,
    responses((status = 200, body = OfferView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn reject(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let decision = optional_body(&body)?;
    let transaction = begin(&state).await?;
    let model = offers::reject(&transaction, &user.actor, id, version, decision).await?;
    commit(transaction).await?;
    let view = offers::view(model)?;
    Ok(versioned(view.version, view))
}

/// Counters a pending offer with new terms (the other side, or the broker for it).
#[utoipa::path(post, path = "/api/v1/offers/{id}/counter", tag = "offers", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = MakeOffer,
    responses((status = 201, body = OfferView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn counter(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<MakeOffer>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let model = offers::counter(&transaction, &user.actor, id, version, input).await?;
    commit(transaction).await?;
    let view = offers::view(model)?;
    Ok(created(format!("/api/v1/offers/{}", view.id), view.version, view))
}

/// Confirms terms the broker proposed on the caller's side's behalf.
#[utoipa::path(post, path = "/api/v1/offers/{id}/confirm", tag = "offers", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = OfferView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn confirm(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let model = offers::confirm(&transaction, &user.actor, id, version).await?;
    commit(transaction).await?;
    let view = offers::view(model)?;
    Ok(versioned(view.version, view))
}

/// Withdraws an open offer (its maker).
#[utoipa::path(post, path = "/api/v1/offers/{id}/withdraw", tag = "offers", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = Decision,
    responses((status = 200, body = OfferView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let decision = optional_body(&body)?;
    let transaction = begin(&state).await?;
    let model = offers::withdraw(&transaction, &user.actor, id, version, decision).await?;
    commit(transaction).await?;
    let view = offers::view(model)?;
    Ok(versioned(view.version, view))
}

/// The inventors' first-refusal notices of a deal.
#[utoipa::path(get, path = "/api/v1/deals/{id}/first-refusal", tag = "deals", security(("bearer" = [])),
    responses((status = 200, body = Vec<RefusalView>), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn refusals(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<RefusalView>>> {
    Ok(Json(refusal::list(&state.db, &user.actor, id).await?))
}

/// Notifies the inventors of an assignment offer (Civil Code art. 847) and opens their window.
#[utoipa::path(post, path = "/api/v1/deals/{id}/first-refusal", tag = "deals", security(("bearer" = [])), request_body = StartRefusal,
    responses((status = 201, body = Vec<RefusalView>), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn start_refusal(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<StartRefusal>,
) -> ApiResult<(StatusCode, Json<Vec<RefusalView>>)> {
    let transaction = begin(&state).await?;
    refusal::start(&transaction, &user.actor, id, input).await?;
    commit(transaction).await?;
    Ok((StatusCode::CREATED, Json(refusal::list(&state.db, &user.actor, id).await?)))
}

/// Records an inventor's answer (waive or claim) to a first-refusal notice.
#[utoipa::path(post, path = "/api/v1/first-refusals/{id}/answers", tag = "deals", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = RecordAnswer,
    responses((status = 200, body = Vec<RefusalView>), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn answer_refusal(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<RecordAnswer>,
) -> ApiResult<Json<Vec<RefusalView>>> {
    let transaction = begin(&state).await?;
    let model = refusal::answer(&transaction, &user.actor, id, version, input).await?;
    commit(transaction).await?;
    Ok(Json(refusal::list(&state.db, &user.actor, model.deal_id).await?))
}

pub fn router(max_upload_bytes: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, open))
        .routes(routes!(get_one))
        .routes(routes!(invite_broker))
        .routes(routes!(broker_accept))
        .routes(routes!(broker_decline))
        .routes(routes!(cancel))
        .routes(routes!(timeline))
        .routes(routes!(messages, post_message))
        .routes(routes!(mark_read))
        .routes(routes!(attach))
        .routes(routes!(download))
        .routes(routes!(list_offers, make_offer))
        .routes(routes!(get_offer))
        .routes(routes!(offer_diff))
        .routes(routes!(accept))
        .routes(routes!(reject))
        .routes(routes!(counter))
        .routes(routes!(confirm))
        .routes(routes!(withdraw))
        .routes(routes!(refusals, start_refusal))
        .routes(routes!(answer_refusal))
        .layer(DefaultBodyLimit::max(max_upload_bytes + 64 * 1024))
}
