//! `POST /my/organization/licence`: an applicant's administrator uploads or replaces the
//! business licence (营业执照) from the organization page, through the same domain
//! functions as the API; a refused file is shown beside the input.

use super::LangQuery;
use super::guard::{csrf_matches, error_page, problem};
use super::organization::{ORGANIZATION, OrganizationExtras, render_organization, signed_in};
use crate::db::{begin, commit};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::upload::read_upload;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use techex_listings::licences::{self, LicenceFile, MAX_BYTES};

/// Uploads the licence: the bytes to the store first, then the row in a transaction.
async fn upload(state: &AppState, actor: &techex_core::Actor, file: LicenceFile) -> Result<(), ApiError> {
    let organization_id = actor.organization_id;
    let staged = licences::stage(&state.db, actor, organization_id, file, &state.blobs).await?;
    let transaction = begin(state).await?;
    licences::attach(&transaction, actor, organization_id, staged).await?;
    commit(transaction).await
}

/// `POST /my/organization/licence` (multipart: `csrf_token`, `file`).
pub(super) async fn upload_licence(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    request: Request,
) -> Response {
    let (user, page) = match signed_in(&state, &headers, query.lang.as_deref()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let read = async {
        let mut form = Multipart::from_request(request, &state)
            .await
            .map_err(|rejection| ApiError::bad_request("malformed_request", rejection.body_text()))?;
        read_upload(&mut form, MAX_BYTES, "licence").await
    };
    let form = match read.await {
        Ok(form) => form,
        Err(error) => {
            let text = error.first_error_in(page.lang);
            return render_organization(&state, &user, &page, OrganizationExtras::licence_refused(text), error.status)
                .await;
        }
    };
    if !csrf_matches(&headers, form.texts.get("csrf_token").map(String::as_str)) {
        return problem(&state, &page, ORGANIZATION, StatusCode::FORBIDDEN, None);
    }
    let file = LicenceFile { filename: form.filename, bytes: form.bytes };
    match upload(&state, &user.actor, file).await {
        Ok(()) => Redirect::to(&format!("{ORGANIZATION}?done=licence")).into_response(),
        Err(error) if error.status.is_server_error() => error_page(&state, &page, ORGANIZATION, error),
        Err(error) => {
            let text = error.first_error_in(page.lang);
            render_organization(&state, &user, &page, OrganizationExtras::licence_refused(text), error.status).await
        }
    }
}
