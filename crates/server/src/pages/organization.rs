//! Opening an account in the browser: an organization applies with its first
//! administrator (`/register`), then reads its verification state, edits its profile
//! (which resubmits an application the center turned down) and invites its members
//! (`/my/organization`); an invitee creates an account from the invitation's link
//! (`/invitations/accept`). Every change goes through the same domain functions as the
//! API, and a form that fails comes back filled in with each error beside its field.

use super::guard::{csrf_matches, error_page, parse_form, problem, session_user, sign_in_redirect, with_cookies};
use super::sign_in::{VISITOR_CSRF_SECS, fresh_csrf, sign_in_as, visitor_csrf};
use super::{LangQuery, PageContext, field_and_region_options, page_context_for, remember_language};
use crate::db::{begin, commit};
use crate::error::ApiError;
use crate::extract::{ApiQuery, ClientIp};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::upload::read_optional_upload;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use techex_core::domain::{Language, OrgKind};
use techex_core::{Role, RoleSet};
use techex_listings::auth::Authenticated;
use techex_listings::licences::{self, LicenceFile};
use techex_listings::members::{self, InviteMember};
use techex_listings::organizations::{self, NewAdmin, RegisterOrganization, UpdateOrganization};

const REGISTER: &str = "/register";
pub(super) const ORGANIZATION: &str = "/my/organization";

/// The largest urlencoded register form read (the multipart one carries the licence).
const FORM_LIMIT: usize = 64 * 1024;

/// Errors of a form: its fields' (by the input's name) and one about the whole form.
#[derive(Debug, Default, Serialize)]
pub(super) struct FormErrors {
    pub(super) fields: BTreeMap<String, String>,
    pub(super) form: Option<String>,
}

impl FormErrors {
    pub(super) fn any(&self) -> bool {
        !self.fields.is_empty() || self.form.is_some()
    }

    pub(super) fn field(&mut self, name: &str, text: String) {
        self.fields.entry(name.to_string()).or_insert(text);
    }

    /// A domain error on the form: validation errors beside their inputs (the API's
    /// field paths renamed by `rename`), anything else about the whole form.
    pub(super) fn from_error(error: &ApiError, lang: Lang, rename: impl Fn(&str) -> &str) -> FormErrors {
        let mut errors = FormErrors::default();
        for (field, text) in error.field_errors_in(lang) {
            if field.is_empty() {
                errors.form = Some(text);
            } else {
                errors.field(rename(&field), text);
            }
        }
        if errors.fields.is_empty() && errors.form.is_none() {
            errors.form = Some(error.detail_in(lang));
        }
        errors
    }
}

/// The page-level words of a form error (a mismatch the domain never sees).
pub(super) fn word(lang: Lang, key: &str) -> String {
    crate::i18n::dictionary(lang).get(key).map(|w| (*w).to_string()).unwrap_or_default()
}

pub(super) fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The kinds an organization may apply as (the center is installed, never registered).
fn kind_options(lang: Lang) -> Vec<(&'static str, &'static str)> {
    OrgKind::ALL.iter().filter(|k| **k != OrgKind::Center).map(|k| (k.as_str(), k.label(lang.code()))).collect()
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(super) struct RegisterForm {
    #[serde(skip_serializing)]
    csrf_token: Option<String>,
    name: Option<String>,
    name_en: Option<String>,
    kind: Option<String>,
    credit_code: Option<String>,
    region: Option<String>,
    website: Option<String>,
    description: Option<String>,
    admin_name: Option<String>,
    email: Option<String>,
    #[serde(skip_serializing)]
    password: Option<String>,
    #[serde(skip_serializing)]
    password_repeat: Option<String>,
}

async fn render_register(
    state: &AppState,
    page: &PageContext,
    form: &RegisterForm,
    errors: &FormErrors,
    status: StatusCode,
) -> Response {
    let regions = match field_and_region_options(state, page.lang).await {
        Ok((_, regions)) => regions,
        Err(error) => return error_page(state, page, REGISTER, error),
    };
    let ctx = context! {
        ..page.base(REGISTER),
        ..context! { form => form, errors => errors, kinds => kind_options(page.lang), regions => regions }
    };
    no_store(state.pages.render_status("register.html", ctx, status))
}

/// `GET /register`: the application form. A signed-in user has an organization already
/// and is sent to it.
pub(super) async fn register_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> Response {
    let user = session_user(&state, &headers).await.ok().flatten();
    if user.is_some() {
        return Redirect::to(ORGANIZATION).into_response();
    }
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let new_cookie = visitor_csrf(&state, &headers, &mut page);
    let response =
        render_register(&state, &page, &RegisterForm::default(), &FormErrors::default(), StatusCode::OK).await;
    remember_language(with_cookies(response, [new_cookie]), query.lang.as_deref())
}

/// The input a register form's field stands for in the API's paths.
fn register_input(field: &str) -> &str {
    match field {
        "admin.email" => "email",
        "admin.display_name" => "admin_name",
        "admin.password" => "password",
        other => other,
    }
}

/// The register form as posted: urlencoded, or multipart with the business licence
/// chosen in its file input (none when the input was left empty).
async fn read_register_form(
    state: &AppState,
    request: Request,
) -> Result<(RegisterForm, Option<LicenceFile>), ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        let body = axum::body::to_bytes(request.into_body(), FORM_LIMIT)
            .await
            .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the form is too large"))?;
        return Ok((parse_form(&body), None));
    }
    let mut form = Multipart::from_request(request, state)
        .await
        .map_err(|rejection| ApiError::bad_request("malformed_request", rejection.body_text()))?;
    let read = read_optional_upload(&mut form, licences::MAX_BYTES, "licence").await?;
    let fields = serde_json::to_value(&read.texts).and_then(serde_json::from_value).unwrap_or_default();
    let licence = read.file.map(|(filename, bytes)| LicenceFile { filename, bytes });
    Ok((fields, licence))
}

/// `POST /register`: applies (with the business licence, if one was chosen), signs the
/// new administrator in and shows the organization waiting for the center's
/// verification. A licence that is not a PDF, JPEG or PNG is refused beside its input
/// with the form as typed, and nothing is created.
pub(super) async fn register_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    request: Request,
) -> Response {
    let mut page = page_context_for(&headers, query.lang.as_deref(), None);
    let lang = page.lang;
    let (form, licence) = match read_register_form(&state, request).await {
        Ok(read) => read,
        Err(error) => {
            let errors = FormErrors::from_error(&error, lang, |f| f);
            return render_register(&state, &page, &RegisterForm::default(), &errors, error.status).await;
        }
    };
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        let new_cookie = fresh_csrf(&state, &headers, &mut page, VISITOR_CSRF_SECS);
        let errors = FormErrors { form: Some(word(lang, "error_form_expired")), ..Default::default() };
        let response = render_register(&state, &page, &form, &errors, StatusCode::FORBIDDEN).await;
        return with_cookies(response, [new_cookie]);
    }
    let text = |value: &Option<String>| value.as_deref().unwrap_or("").trim().to_string();
    let optional = |value: &Option<String>| Some(text(value)).filter(|v| !v.is_empty());
    let mut errors = FormErrors::default();
    let kind = OrgKind::parse(&text(&form.kind)).ok().filter(|k| *k != OrgKind::Center);
    if kind.is_none() {
        errors.field("kind", word(lang, "error_choose_kind"));
    }
    let password = form.password.clone().unwrap_or_default();
    if form.password_repeat.as_deref().unwrap_or("") != password {
        errors.field("password_repeat", word(lang, "error_passwords_differ"));
    }
    // The licence is checked before anything is stored or created.
    let checked = match licence.map(licences::check).transpose() {
        Ok(checked) => checked,
        Err(refused) => {
            let error = ApiError::from(techex_listings::error::ListingsError::Invalid(refused));
            for (field, text) in FormErrors::from_error(&error, lang, |f| f).fields {
                errors.field(&field, text);
            }
            None
        }
    };
    let Some(kind) = kind.filter(|_| !errors.any()) else {
        return render_register(&state, &page, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let email = text(&form.email);
    let input = RegisterOrganization {
        name: text(&form.name),
        name_en: optional(&form.name_en),
        kind,
        credit_code: text(&form.credit_code),
        region: text(&form.region),
        website: optional(&form.website),
        description: optional(&form.description),
        description_en: None,
        admin: NewAdmin {
            email: email.clone(),
            display_name: text(&form.admin_name),
            password: password.clone(),
            // The administrator reads the center (and the mail confirming the address)
            // in the language they applied in.
            language: Language::parse(lang.code()).ok(),
        },
    };
    let registered = async {
        // The licence's bytes are stored before the transaction, as every upload's are;
        // if the registration then fails they are left to the orphan sweep.
        let staged = match checked {
            Some(checked) => Some(licences::store(checked, &state.blobs).await?),
            None => None,
        };
        let transaction = begin(&state).await?;
        let (organization, admin) = organizations::register(&transaction, input).await?;
        if let Some(staged) = staged {
            licences::attach_at_registration(&transaction, &organization, &admin, staged).await?;
        }
        commit(transaction).await
    };
    if let Err(error) = registered.await {
        if error.status.is_server_error() {
            return error_page(&state, &page, REGISTER, error);
        }
        let errors = FormErrors::from_error(&error, lang, register_input);
        return render_register(&state, &page, &form, &errors, error.status).await;
    }
    match sign_in_as(&state, &headers, ip, &email, &password).await {
        Ok(cookies) => with_cookies(Redirect::to(&format!("{ORGANIZATION}?done=registered")).into_response(), cookies),
        // Registered but not signed in (the sign-in limits): the sign-in page will do.
        Err(_) => Redirect::to(&format!("/sign-in?next={ORGANIZATION}")).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct OrganizationQuery {
    lang: Option<String>,
    /// What the last action did: `registered`, `saved`.
    done: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(super) struct ProfileForm {
    #[serde(skip_serializing)]
    csrf_token: Option<String>,
    version: Option<String>,
    name: Option<String>,
    name_en: Option<String>,
    credit_code: Option<String>,
    region: Option<String>,
    website: Option<String>,
    description: Option<String>,
    description_en: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(super) struct InviteForm {
    #[serde(skip_serializing)]
    csrf_token: Option<String>,
    email: Option<String>,
    /// `on` to make the invitee an administrator of the organization too.
    admin: Option<String>,
}

/// What the organization page shows besides the organization: a failed form, or the
/// link of an invitation just made (shown once).
#[derive(Debug, Default)]
pub(super) struct OrganizationExtras {
    profile: Option<(ProfileForm, FormErrors)>,
    invite: Option<(InviteForm, FormErrors)>,
    invitation_link: Option<(String, String)>,
    done: Option<String>,
    /// Why a new link to confirm the user's address was not sent.
    confirmation_error: Option<String>,
    /// Why the business licence just sent was refused.
    licence_error: Option<String>,
}

impl OrganizationExtras {
    /// The page saying why a new confirmation link was not sent.
    pub(super) fn confirmation_refused(text: String) -> Self {
        OrganizationExtras { confirmation_error: Some(text), ..Default::default() }
    }

    /// The page saying why the business licence was refused.
    pub(super) fn licence_refused(text: String) -> Self {
        OrganizationExtras { licence_error: Some(text), ..Default::default() }
    }
}

pub(super) async fn render_organization(
    state: &AppState,
    user: &Authenticated,
    page: &PageContext,
    extras: OrganizationExtras,
    status: StatusCode,
) -> Response {
    let org_id = user.actor.organization_id;
    let loaded = async {
        let org = organizations::get(&state.db, Some(&user.actor), org_id).await?;
        let members = members::list_members(&state.db, &user.actor, org_id).await?;
        let (_, regions) = field_and_region_options(state, page.lang).await?;
        let licence = licences::find(&state.db, Some(&user.actor), org_id).await?;
        Ok::<_, ApiError>((org, members, regions, licence))
    };
    let (org, members, regions, licence) = match loaded.await {
        Ok(found) => found,
        Err(error) => return error_page(state, page, ORGANIZATION, error),
    };
    let is_admin = user.actor.has(Role::OrgAdmin) || user.actor.is_platform_admin();
    let kind = OrgKind::parse(&org.kind).map(|k| k.label(page.lang.code())).unwrap_or_default();
    let region_name = regions.iter().find(|(code, _)| *code == org.region).map(|(_, name)| name.clone());
    let state_key = match (org.verified_at.is_some(), org.rejected_at.is_some()) {
        (true, _) => "org_state_verified",
        (false, true) => "org_state_rejected",
        (false, false) => "org_state_pending",
    };
    let members: Vec<_> = members
        .into_iter()
        .map(|m| {
            let roles = RoleSet::from_stored(&m.roles);
            context! {
                name => m.display_name, email => m.email, status => m.status,
                admin => roles.contains(Role::OrgAdmin),
                roles => roles.roles().iter().map(|r| format!("role_{}", r.as_str())).collect::<Vec<_>>(),
            }
        })
        .collect();
    let (profile, profile_errors) = extras.profile.unwrap_or_else(|| {
        let form = ProfileForm {
            csrf_token: None,
            version: Some(org.version.to_string()),
            name: Some(org.name.clone()),
            name_en: org.name_en.clone(),
            credit_code: Some(org.credit_code.clone()),
            region: Some(org.region.clone()),
            website: org.website.clone(),
            description: org.description.clone(),
            description_en: org.description_en.clone(),
        };
        (form, FormErrors::default())
    });
    let (invite, invite_errors) = extras.invite.unwrap_or_default();
    let done = extras.done.filter(|d| matches!(d.as_str(), "registered" | "saved" | "confirmation_sent" | "licence"));
    // The applicant's administrators upload the licence until the center verifies it.
    let licence_uploadable = user.actor.has(Role::OrgAdmin) && org.verified_at.is_none();
    let licence = licence.map(|l| {
        context! { filename => l.filename, size_kib => (l.size_bytes + 1023) / 1024, uploaded => l.uploaded_at.format("%Y-%m-%d").to_string() }
    });
    let ctx = context! {
        ..page.base(ORGANIZATION),
        ..context! {
            org => context! {
                id => org.id, name => org.name, name_en => org.name_en, credit_code => org.credit_code, kind => kind,
                region => region_name.unwrap_or(org.region), website => org.website,
                rejection_reason => org.rejection_reason, created_at => org.created_at.format("%Y-%m-%d").to_string(),
            },
            state_key => state_key,
            is_admin => is_admin,
            members => members,
            profile => profile,
            profile_errors => profile_errors,
            invite => invite,
            invite_errors => invite_errors,
            invitation => extras.invitation_link.map(|(email, link)| context! { email => email, link => link }),
            regions => regions,
            done => done,
            email_confirmed => user.user.email_confirmed_at.is_some(),
            user_email => user.user.email.clone(),
            confirmation_error => extras.confirmation_error,
            licence => licence,
            licence_uploadable => licence_uploadable,
            licence_error => extras.licence_error,
        }
    };
    no_store(state.pages.render_status("my_organization.html", ctx, status))
}

/// The signed-in user of an organization page, or the answer to send.
pub(super) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    lang: Option<&str>,
) -> Result<(Authenticated, PageContext), Response> {
    match session_user(state, headers).await {
        Ok(Some(user)) => {
            let page = page_context_for(headers, lang, Some(&user));
            Ok((user, page))
        }
        Ok(None) => Err(sign_in_redirect(ORGANIZATION)),
        Err(error) => Err(error_page(state, &page_context_for(headers, lang, None), ORGANIZATION, error)),
    }
}

/// `GET /my/organization`: the organization, its verification state (with the center's
/// reason when it was turned down), its members; for its administrators the profile
/// form and the invitation form; for a user whose address is not yet confirmed, a
/// notice with a button that mails a new link.
pub(super) async fn organization_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<OrganizationQuery>,
) -> Response {
    let (user, page) = match signed_in(&state, &headers, query.lang.as_deref()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let extras = OrganizationExtras { done: query.done, ..Default::default() };
    let response = render_organization(&state, &user, &page, extras, StatusCode::OK).await;
    remember_language(response, query.lang.as_deref())
}

/// `POST /my/organization`: saves the profile (administrators); a profile the center
/// turned down goes back to the verification queue.
pub(super) async fn save_profile(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: ProfileForm = parse_form(&body);
    let (user, page) = match signed_in(&state, &headers, query.lang.as_deref()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        return problem(&state, &page, ORGANIZATION, StatusCode::FORBIDDEN, None);
    }
    let text = |value: &Option<String>| Some(value.as_deref().unwrap_or("").trim().to_string());
    let input = UpdateOrganization {
        name: text(&form.name),
        name_en: text(&form.name_en),
        credit_code: text(&form.credit_code),
        region: text(&form.region),
        website: text(&form.website),
        description: text(&form.description),
        description_en: text(&form.description_en),
    };
    let version = form.version.as_deref().and_then(|v| v.trim().parse().ok());
    let saved = async {
        let transaction = begin(&state).await?;
        organizations::update(&transaction, &user.actor, user.actor.organization_id, version, input).await?;
        commit(transaction).await
    };
    match saved.await {
        Ok(()) => Redirect::to(&format!("{ORGANIZATION}?done=saved")).into_response(),
        Err(error) if error.status.is_server_error() => error_page(&state, &page, ORGANIZATION, error),
        Err(error) => {
            let mut errors = FormErrors::from_error(&error, page.lang, |f| f);
            if error.status == StatusCode::PRECONDITION_FAILED {
                errors.form = Some(word(page.lang, "error_changed_meanwhile"));
            }
            let extras = OrganizationExtras { profile: Some((form, errors)), ..Default::default() };
            render_organization(&state, &user, &page, extras, error.status).await
        }
    }
}

/// Where the site is reached, for links given to others: the configured public address,
/// else the host the browser used.
fn site_address(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = state.config.public_url.as_deref() {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = if super::guard::secure_cookies(state, headers) { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// `POST /my/organization/invitations`: invites a member (administrators); the page
/// shows the invitation's link once, to pass on to the invitee.
pub(super) async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let form: InviteForm = parse_form(&body);
    let (user, page) = match signed_in(&state, &headers, query.lang.as_deref()).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !csrf_matches(&headers, form.csrf_token.as_deref()) {
        return problem(&state, &page, ORGANIZATION, StatusCode::FORBIDDEN, None);
    }
    let mut roles = vec![Role::Member];
    if form.admin.as_deref().is_some_and(|v| !v.is_empty()) {
        roles.push(Role::OrgAdmin);
    }
    let input = InviteMember { email: form.email.clone().unwrap_or_default().trim().to_string(), roles };
    let invited = async {
        let transaction = begin(&state).await?;
        let created = members::invite(&transaction, &user.actor, user.actor.organization_id, input).await?;
        commit(transaction).await?;
        Ok::<_, ApiError>(created)
    };
    match invited.await {
        Ok(created) => {
            let token: String = form_urlencoded::byte_serialize(created.token.as_bytes()).collect();
            let link = format!("{}{}?token={token}", site_address(&state, &headers), super::invitations::ACCEPT);
            let extras = OrganizationExtras { invitation_link: Some((created.email, link)), ..Default::default() };
            render_organization(&state, &user, &page, extras, StatusCode::CREATED).await
        }
        Err(error) if error.status.is_server_error() => error_page(&state, &page, ORGANIZATION, error),
        Err(error) if error.status == StatusCode::FORBIDDEN => {
            problem(&state, &page, ORGANIZATION, StatusCode::FORBIDDEN, Some(error.detail_in(page.lang)))
        }
        Err(error) => {
            let errors = FormErrors::from_error(&error, page.lang, |f| f);
            let extras = OrganizationExtras { invite: Some((form, errors)), ..Default::default() };
            render_organization(&state, &user, &page, extras, error.status).await
        }
    }
}
