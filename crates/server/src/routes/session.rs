//! Signing in and out, and who I am.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ClientIp, CurrentUser, IfMatch};
use crate::routes::{begin, commit, versioned};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use techex_listings::auth::{self, LoginContext};
use techex_listings::members::{self, UpdatePreferences, UserView};
use techex_listings::organizations::OrganizationView;
use techex_listings::{confirmations, resets};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub token_type: &'static str,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub user: UserView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: UserView,
    pub organization: OrganizationView,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// At least 10 characters of two kinds, not a well-known password.
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// Exchanges an e-mail and password for a bearer token.
///
/// Failed attempts are throttled per account and address, per address, and per account
/// from addresses that never signed in to it; past a limit the answer is 429 with
/// `Retry-After` (a delay doubling from 30 s), whatever the password. An account's owner
/// is not held back by strangers' failures where the owner signed in before.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::Problem),
              (status = 429, body = crate::error::Problem)))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let user_agent =
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect());
    let context = LoginContext { ip, user_agent, kind: "bearer" };
    let transaction = begin(&state).await?;
    let result = auth::login(&transaction, &state.auth, &request.email, &request.password, &context).await;
    // A failed attempt is recorded too: commit in both cases.
    commit(transaction).await?;
    let outcome = result?;
    Ok(Json(LoginResponse {
        token: outcome.token,
        token_type: "Bearer",
        expires_at: outcome.expires_at,
        user: outcome.user.into(),
    }))
}

/// Revokes the token used for this request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = crate::error::Problem)))]
async fn logout(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<StatusCode> {
    auth::logout(&state.db, user.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user and their organization.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
async fn me(CurrentUser(user): CurrentUser) -> Json<Me> {
    Json(Me { user: user.user.into(), organization: user.organization.into() })
}

/// Changes the signed-in user's password; every other session of the user ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", security(("bearer" = [])), request_body = ChangePassword,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn change_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(request): ApiJson<ChangePassword>,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    members::change_password(
        &transaction,
        &user.actor,
        user.session_id,
        &request.current_password,
        &request.new_password,
    )
    .await?;
    commit(transaction).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the signed-in user's own preferences: the language of pages and e-mail, and
/// whether notifications also go by e-mail.
#[utoipa::path(patch, path = "/api/v1/me", tag = "session", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    request_body = UpdatePreferences,
    responses((status = 200, body = UserView), (status = 412, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn update_me(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    IfMatch(version): IfMatch,
    ApiJson(request): ApiJson<UpdatePreferences>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let updated = members::update_preferences(&transaction, &user.actor, version, request).await?;
    commit(transaction).await?;
    Ok(versioned(updated.version, UserView::from(updated)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[schema(max_length = 254)]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The token of the e-mailed link (`/reset-password?token=…`).
    pub token: String,
    /// At least 10 characters of two kinds, not a well-known password.
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
}

/// Asks for a password reset link by e-mail. The answer is the same whether or not the
/// address has an account (202); the link works once, for an hour. A few links per
/// account and hour are sent; an address asking too often gets 429.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "session", request_body = PasswordResetRequest,
    responses((status = 202, description = "a link is on its way if the address has an account"),
              (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
async fn request_password_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<PasswordResetRequest>,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    resets::request(&transaction, &request.email, &ip).await?;
    commit(transaction).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sets a new password with the token of an e-mailed reset link; every session of the
/// account ends. 404 for an unknown token, 409 for a link used or expired.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "session", request_body = PasswordResetConfirm,
    responses((status = 204), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn confirm_password_reset(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<PasswordResetConfirm>,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    resets::confirm(&transaction, &request.token, &request.password).await?;
    commit(transaction).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailConfirmation {
    /// The token of the e-mailed link (`/confirm-email?token=…`).
    pub token: String,
}

/// Confirms an e-mail address with the token of the link mailed after registering (or
/// asked for again). The link works once, for 48 hours: 404 for an unknown token (or one
/// replaced by a newer link), 409 for a link used already, 410 for an expired one.
#[utoipa::path(post, path = "/api/v1/auth/confirm-email", tag = "session", request_body = EmailConfirmation,
    responses((status = 204, description = "the address is confirmed"), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 410, body = crate::error::Problem)))]
async fn confirm_email(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<EmailConfirmation>,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    confirmations::confirm(&transaction, &request.token).await?;
    commit(transaction).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mails the signed-in user a new link to confirm their e-mail address, replacing the
/// previous one. 409 when the address is confirmed already; three links an hour
/// (the registration's counted), then 429 with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/me/confirm-email/resend", tag = "session", security(("bearer" = [])),
    responses((status = 202, description = "a new link is on its way"), (status = 401, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
async fn resend_email_confirmation(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<StatusCode> {
    let transaction = begin(&state).await?;
    confirmations::resend(&transaction, &user.actor).await?;
    commit(transaction).await?;
    Ok(StatusCode::ACCEPTED)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me, update_me))
        .routes(routes!(request_password_reset))
        .routes(routes!(confirm_password_reset))
        .routes(routes!(change_password))
        .routes(routes!(confirm_email))
        .routes(routes!(resend_email_confirmation))
}
