//! Organizations, their members and invitations.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, IfMatch, MaybeUser};
use crate::routes::{PageParams, begin, commit, created, versioned};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use techex_core::domain::OrgKind;
use techex_core::pagination::Page;
use techex_listings::members::{self, AcceptInvitation, InvitationCreated, InviteMember, UpdateMember, UserView};
use techex_listings::organizations::{
    self, OrganizationFilter, OrganizationView, RegisterOrganization, UpdateOrganization,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    pub organization: OrganizationView,
    pub admin: UserView,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    pub kind: Option<OrgKind>,
    /// `false` lists the verification queue (platform admins only).
    pub verified: Option<bool>,
    /// Region code.
    pub region: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Registers an organization with its first administrator. It starts unverified: it
/// can draft listings but publishes and trades only after a platform admin verifies it.
#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations", request_body = RegisterOrganization,
    responses((status = 201, body = Registered), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn register(State(state): State<AppState>, ApiJson(input): ApiJson<RegisterOrganization>) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let (organization, admin) = organizations::register(&transaction, input).await?;
    commit(transaction).await?;
    let location = format!("/api/v1/organizations/{}", organization.id);
    let version = organization.version;
    Ok(created(location, version, Registered { organization: organization.into(), admin: admin.into() }))
}

/// Lists organizations (verified ones; platform admins see all).
#[utoipa::path(get, path = "/api/v1/organizations", tag = "organizations", security((), ("bearer" = [])), params(OrganizationQuery),
    responses((status = 200, body = Page<OrganizationView>)))]
async fn list(
    State(state): State<AppState>,
    user: MaybeUser,
    ApiQuery(query): ApiQuery<OrganizationQuery>,
) -> ApiResult<Json<Page<OrganizationView>>> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() }.page()?;
    let filter = OrganizationFilter { kind: query.kind, verified: query.verified, region: query.region };
    let found = organizations::list(&state.db, user.actor(), &filter, page).await?;
    Ok(Json(found.map(OrganizationView::from)))
}

/// One organization.
#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "organizations", security((), ("bearer" = [])),
    responses((status = 200, body = OrganizationView), (status = 404, body = crate::error::Problem)))]
async fn get_one(State(state): State<AppState>, user: MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let organization = organizations::get(&state.db, user.actor(), id).await?;
    Ok(versioned(organization.version, OrganizationView::from(organization)))
}

/// Edits an organization's profile (its administrators; platform admins). Changing the
/// name or credit code withdraws the verification.
#[utoipa::path(patch, path = "/api/v1/organizations/{id}", tag = "organizations", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    request_body = UpdateOrganization,
    responses((status = 200, body = OrganizationView), (status = 403, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem)))]
async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<UpdateOrganization>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let organization = organizations::update(&transaction, &user.actor, id, version, input).await?;
    commit(transaction).await?;
    Ok(versioned(organization.version, OrganizationView::from(organization)))
}

async fn set_verified(
    state: AppState,
    user: CurrentUser,
    id: Uuid,
    version: Option<i32>,
    verified: bool,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let organization = organizations::set_verified(&transaction, &user.0.actor, id, version, verified).await?;
    commit(transaction).await?;
    Ok(versioned(organization.version, OrganizationView::from(organization)))
}

/// Verifies an organization (platform admins): it may now publish and trade.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/verify", tag = "organizations", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = OrganizationView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn verify(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    set_verified(state, user, id, version, true).await
}

/// Withdraws an organization's verification (platform admins).
#[utoipa::path(post, path = "/api/v1/organizations/{id}/unverify", tag = "organizations", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = OrganizationView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn unverify(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    set_verified(state, user, id, version, false).await
}

/// Turns an application down with a reason (platform admins): it stays unverified,
/// leaves the queue, its administrators are told why; editing the profile resubmits it.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/reject", tag = "organizations", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    request_body = crate::routes::ReasonBody,
    responses((status = 200, body = OrganizationView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn reject(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<crate::routes::ReasonBody>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let organization = organizations::reject(&transaction, &user.0.actor, id, version, &body.reason).await?;
    commit(transaction).await?;
    Ok(versioned(organization.version, OrganizationView::from(organization)))
}

/// The members of an organization (to its members and platform admins).
#[utoipa::path(get, path = "/api/v1/organizations/{id}/members", tag = "organizations", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn list_members(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<UserView>>> {
    let found = members::list_members(&state.db, &user.actor, id).await?;
    Ok(Json(found.into_iter().map(UserView::from).collect()))
}

/// Changes a member's roles, status or name (organization admins; platform admins).
#[utoipa::path(patch, path = "/api/v1/organizations/{id}/members/{user_id}", tag = "organizations", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    request_body = UpdateMember,
    responses((status = 200, body = UserView), (status = 403, body = crate::error::Problem),
              (status = 409, description = "the change would leave the organization without an administrator", body = crate::error::Problem)))]
async fn update_member(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<UpdateMember>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let member = members::update_member(&transaction, &user.actor, id, user_id, version, input).await?;
    commit(transaction).await?;
    Ok(versioned(member.version, UserView::from(member)))
}

/// Invites someone to the organization. The response carries the invitation token
/// once; pass it to the invitee (techex does not send e-mail).
#[utoipa::path(post, path = "/api/v1/organizations/{id}/invitations", tag = "organizations", security(("bearer" = [])),
    request_body = InviteMember,
    responses((status = 201, body = InvitationCreated), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn invite(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<InviteMember>,
) -> ApiResult<(axum::http::StatusCode, Json<InvitationCreated>)> {
    let transaction = begin(&state).await?;
    let invitation = members::invite(&transaction, &user.actor, id, input).await?;
    commit(transaction).await?;
    Ok((axum::http::StatusCode::CREATED, Json(invitation)))
}

/// Accepts an invitation: creates the account, which can then sign in.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "organizations", request_body = AcceptInvitation,
    responses((status = 201, body = UserView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn accept_invitation(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<AcceptInvitation>,
) -> ApiResult<(axum::http::StatusCode, Json<UserView>)> {
    let transaction = begin(&state).await?;
    let created = members::accept_invitation(&transaction, input).await?;
    commit(transaction).await?;
    Ok((axum::http::StatusCode::CREATED, Json(created.into())))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register, list))
        .routes(routes!(get_one, update))
        .routes(routes!(verify))
        .routes(routes!(unverify))
        .routes(routes!(reject))
        .routes(routes!(list_members))
        .routes(routes!(update_member))
        .routes(routes!(invite))
        .routes(routes!(accept_invitation))
}
