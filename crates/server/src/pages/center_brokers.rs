//! The center's broker desk (platform admins): the certified brokers with their
//! certificates, a form to certify a member found by e-mail, and suspending (with a
//! reason) or reinstating, through the same functions as the API (`brokers::certify`,
//! `brokers::set_suspended`).

use super::guard::{Desk, csrf_matches, error_page, open_desk, parse_form, problem};
use super::{LangQuery, PageContext, field_and_region_options, remember_language};
use crate::db::{begin, commit};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use minijinja::context;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use techex_core::PageRequest;
use techex_core::Patch;
use techex_core::domain::BrokerLevel;
use techex_listings::auth::Authenticated;
use techex_listings::entities::{organization, user};
use techex_negotiation::brokers::{self, BrokerFilter, CertifyBroker, UpdateBroker};
use uuid::Uuid;

const PATH: &str = "/center/brokers";

#[derive(Debug, Default, Deserialize)]
pub(super) struct DeskQuery {
    lang: Option<String>,
    /// What the last action did: `certified`, `suspended` or `reinstated`.
    done: Option<String>,
}

/// The certification form as typed (kept when it comes back with errors).
#[derive(Debug, Default, Serialize)]
struct CertifyForm {
    email: String,
    certificate_number: String,
    level: String,
    fields: Vec<String>,
    commission_percent: String,
    certificate_expires_on: String,
}

impl CertifyForm {
    /// Reads the posted form; `fields` repeats, so it is read pair by pair.
    fn parse(body: &[u8]) -> (CertifyForm, Option<String>) {
        let mut form = CertifyForm::default();
        let mut csrf = None;
        for (key, value) in form_urlencoded::parse(body) {
            let value = value.into_owned();
            match key.as_ref() {
                "csrf_token" => csrf = Some(value),
                "email" => form.email = value,
                "certificate_number" => form.certificate_number = value,
                "level" => form.level = value,
                "fields" => form.fields.push(value),
                "commission_percent" => form.commission_percent = value,
                "certificate_expires_on" => form.certificate_expires_on = value,
                _ => {}
            }
        }
        (form, csrf)
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RowForm {
    csrf_token: Option<String>,
    version: Option<String>,
    reason: Option<String>,
    /// The certificate's new last day (`YYYY-MM-DD`), or empty for none.
    expires_on: Option<String>,
}

/// What a broker's row on the desk does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowAction {
    Suspend,
    Reinstate,
    /// Sets the certificate's last day: a renewal, a correction, or none.
    Renew,
}

/// What went wrong with a form: its fields' errors and one about the whole form.
#[derive(Debug, Default, Serialize)]
struct FormErrors {
    fields: BTreeMap<String, String>,
    form: Option<String>,
}

/// A suspension that failed, shown beside its broker.
#[derive(Debug, Serialize)]
struct RowError {
    id: Uuid,
    text: String,
    /// What was typed (the reason, or the date), shown again.
    reason: String,
    /// Which form of the row failed: `suspend` or `expiry`.
    form: &'static str,
}

fn word(page: &PageContext, key: &str) -> String {
    crate::i18n::dictionary(page.lang).get(key).map(|w| (*w).to_string()).unwrap_or_default()
}

/// A percentage as typed (`2.5`) in basis points (250); none if it is not a number.
fn percent_to_bps(text: &str) -> Option<i32> {
    let percent: f64 = text.trim().parse().ok()?;
    let bps = (percent * 100.0).round();
    (bps.is_finite() && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&bps)).then_some(bps as i32)
}

async fn render_desk(
    state: &AppState,
    user: &Authenticated,
    page: &PageContext,
    done: Option<&str>,
    certify: (CertifyForm, FormErrors),
    row_error: Option<RowError>,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let filter = BrokerFilter { status: Some("all".into()), ..Default::default() };
        let found =
            brokers::list(&state.db, Some(&user.actor), &filter, PageRequest { limit: 100, after: None }).await?;
        let (fields, _) = field_and_region_options(state, page.lang).await?;
        let ids: Vec<Uuid> = found.items.iter().map(|b| b.id).collect();
        let people = user::Entity::find().filter(user::Column::Id.is_in(ids)).all(&state.db).await?;
        let orgs = organization::Entity::find()
            .filter(organization::Column::Id.is_in(people.iter().map(|p| p.organization_id).collect::<Vec<_>>()))
            .all(&state.db)
            .await?;
        let zh = page.lang.code() == "zh";
        let org_of: BTreeMap<Uuid, String> = people
            .iter()
            .filter_map(|p| {
                let org = orgs.iter().find(|o| o.id == p.organization_id)?;
                let name = if zh { org.name.clone() } else { org.name_en.clone().unwrap_or_else(|| org.name.clone()) };
                Some((p.id, name))
            })
            .collect();
        Ok::<_, ApiError>((found.items, fields, org_of))
    };
    let (listed, fields, org_of) = match loaded.await {
        Ok(found) => found,
        Err(error) => return error_page(state, page, PATH, error),
    };
    let field_names: BTreeMap<String, String> = fields.iter().cloned().collect();
    let levels: Vec<(&str, &str)> = BrokerLevel::ALL.iter().map(|l| (l.as_str(), l.label(page.lang.code()))).collect();
    let level_names: BTreeMap<&str, &str> = levels.iter().copied().collect();
    let rows: Vec<minijinja::Value> = listed
        .into_iter()
        .map(|b| {
            let field_list: Vec<String> =
                b.fields.iter().map(|f| field_names.get(f).cloned().unwrap_or_else(|| f.clone())).collect();
            context! {
                id => b.id, version => b.version, name => b.display_name,
                organization => org_of.get(&b.id),
                certificate_number => b.certificate_number,
                level => level_names.get(b.level.as_str()).copied().unwrap_or_default(),
                fields => field_list,
                expires_on => b.certificate_expires_on.map(|d| d.to_string()),
                expired => b.certificate_expired,
                active => b.status == "active",
                suspended_reason => b.suspended_reason,
            }
        })
        .collect();
    let done = done.filter(|d| matches!(*d, "certified" | "suspended" | "reinstated" | "renewed"));
    let (form, errors) = certify;
    let ctx = context! {
        ..page.base(PATH),
        ..context! {
            brokers => rows, levels => levels, field_options => fields, done => done,
            form => form, errors => errors, row_error => row_error,
        }
    };
    state.pages.render_status("center_brokers.html", ctx, status)
}

/// `GET /center/brokers`: the certified brokers, suspended ones included, and the form to
/// certify another.
pub(super) async fn desk(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<DeskQuery>,
) -> Response {
    let (user, page) = match open_desk(&state, &headers, query.lang.as_deref(), Desk::Verification, PATH).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let blank = (CertifyForm { level: "junior".into(), ..Default::default() }, FormErrors::default());
    let response = render_desk(&state, &user, &page, query.done.as_deref(), blank, None, StatusCode::OK).await;
    remember_language(response, query.lang.as_deref())
}

/// The certification asked for, or the errors of the form before anything is asked.
async fn certification(state: &AppState, page: &PageContext, form: &CertifyForm) -> Result<CertifyBroker, FormErrors> {
    let mut errors = FormErrors::default();
    let email = techex_core::text::parse_email(&form.email).ok();
    let person = match &email {
        Some(address) => user::Entity::find()
            .filter(user::Column::Email.eq(address.as_str()))
            .one(&state.db)
            .await
            .ok()
            .flatten()
            .filter(|u| u.status == "active"),
        None => None,
    };
    if person.is_none() {
        errors.fields.insert("email".into(), word(page, "broker_desk_no_such_user"));
    }
    let level = BrokerLevel::parse(&form.level).ok();
    if level.is_none() {
        errors.fields.insert("level".into(), word(page, "broker_desk_choose_level"));
    }
    let commission = percent_to_bps(&form.commission_percent);
    if commission.is_none() {
        errors.fields.insert("commission_percent".into(), word(page, "broker_desk_commission_number"));
    }
    let expiry = match form.certificate_expires_on.trim() {
        "" => None,
        text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.fields.insert("certificate_expires_on".into(), word(page, "error_date_format"));
                None
            }
        },
    };
    match (person, level, commission) {
        (Some(person), Some(level), Some(commission_bps)) if errors.fields.is_empty() => Ok(CertifyBroker {
            user_id: person.id,
            certificate_number: form.certificate_number.clone(),
            level,
            fields: form.fields.clone(),
            commission_bps,
            bio_zh: None,
            bio_en: None,
            certificate_expires_on: expiry,
        }),
        _ => Err(errors),
    }
}

/// `POST /center/brokers`: certifies the member with that e-mail address.
pub(super) async fn certify(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    let (form, csrf) = CertifyForm::parse(&body);
    let (user, page) = match open_desk(&state, &headers, query.lang.as_deref(), Desk::Verification, PATH).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    if !csrf_matches(&headers, csrf.as_deref()) {
        return problem(&state, &page, PATH, StatusCode::FORBIDDEN, None);
    }
    let input = match certification(&state, &page, &form).await {
        Ok(input) => input,
        Err(errors) => {
            return render_desk(&state, &user, &page, None, (form, errors), None, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let result = async {
        let transaction = begin(&state).await?;
        brokers::certify(&transaction, &user.actor, input).await?;
        commit(transaction).await
    };
    match result.await {
        Ok(()) => Redirect::to(&format!("{PATH}?done=certified")).into_response(),
        Err(error) if error.status.is_server_error() => error_page(&state, &page, PATH, error),
        Err(error) => {
            let mut errors = FormErrors::default();
            for (field, text) in error.field_errors_in(page.lang) {
                let name = match field.as_str() {
                    "user_id" => "email".to_string(),
                    "commission_bps" => "commission_percent".to_string(),
                    f if f.starts_with("fields") => "fields".to_string(),
                    "" => {
                        errors.form = Some(text);
                        continue;
                    }
                    f => f.to_string(),
                };
                errors.fields.entry(name).or_insert(text);
            }
            if errors.fields.is_empty() && errors.form.is_none() {
                errors.form = Some(error.detail_in(page.lang));
            }
            render_desk(&state, &user, &page, None, (form, errors), None, error.status).await
        }
    }
}

async fn row_post(
    state: &AppState,
    headers: &HeaderMap,
    lang: Option<&str>,
    id: &str,
    form: &RowForm,
) -> Result<(Authenticated, PageContext, Uuid), Response> {
    let (user, page) = open_desk(state, headers, lang, Desk::Verification, PATH).await?;
    if !csrf_matches(headers, form.csrf_token.as_deref()) {
        return Err(problem(state, &page, PATH, StatusCode::FORBIDDEN, None));
    }
    let Ok(id) = Uuid::parse_str(id) else {
        return Err(problem(state, &page, PATH, StatusCode::NOT_FOUND, None));
    };
    Ok((user, page, id))
}

async fn row_action(
    state: AppState,
    headers: HeaderMap,
    id: String,
    lang: Option<String>,
    body: Bytes,
    action: RowAction,
) -> Response {
    let form: RowForm = parse_form(&body);
    let (user, page, id) = match row_post(&state, &headers, lang.as_deref(), &id, &form).await {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let typed = if action == RowAction::Renew { &form.expires_on } else { &form.reason };
    let reason = typed.clone().unwrap_or_default();
    let version = form.version.as_deref().and_then(|v| v.trim().parse().ok());
    let result = async {
        let transaction = begin(&state).await?;
        match action {
            RowAction::Suspend => {
                brokers::set_suspended(&transaction, &user.actor, id, version, Some(reason.as_str())).await?;
            }
            RowAction::Reinstate => {
                brokers::set_suspended(&transaction, &user.actor, id, version, None).await?;
            }
            RowAction::Renew => {
                let expires = match reason.trim() {
                    "" => Patch::Null,
                    day => match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
                        Ok(day) => Patch::Value(day),
                        Err(_) => {
                            return Err(ApiError::from(techex_listings::ListingsError::invalid(
                                "certificate_expires_on",
                                techex_core::msg::DATE_INVALID,
                            )));
                        }
                    },
                };
                let change = UpdateBroker { certificate_expires_on: expires, ..Default::default() };
                brokers::update(&transaction, &user.actor, id, version, change).await?;
            }
        }
        commit(transaction).await
    };
    match result.await {
        Ok(()) => {
            let done = match action {
                RowAction::Suspend => "suspended",
                RowAction::Reinstate => "reinstated",
                RowAction::Renew => "renewed",
            };
            Redirect::to(&format!("{PATH}?done={done}")).into_response()
        }
        Err(error) if error.status.is_server_error() || error.status == StatusCode::NOT_FOUND => {
            error_page(&state, &page, PATH, error)
        }
        Err(error) => {
            let text = if error.status == StatusCode::PRECONDITION_FAILED {
                word(&page, "error_changed_meanwhile")
            } else {
                error.first_error_in(page.lang)
            };
            let blank = (CertifyForm { level: "junior".into(), ..Default::default() }, FormErrors::default());
            let form = if action == RowAction::Renew { "expiry" } else { "suspend" };
            let row_error = RowError { id, text, reason, form };
            render_desk(&state, &user, &page, None, blank, Some(row_error), error.status).await
        }
    }
}

/// `POST /center/brokers/{id}/suspend`: needs a reason.
pub(super) async fn suspend(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    row_action(state, headers, id, query.lang, body, RowAction::Suspend).await
}

/// `POST /center/brokers/{id}/reinstate`.
pub(super) async fn reinstate(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    row_action(state, headers, id, query.lang, body, RowAction::Reinstate).await
}

/// `POST /center/brokers/{id}/expiry`: the certificate's new last day (a renewal), or
/// none when left empty.
pub(super) async fn renew(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
    body: Bytes,
) -> Response {
    row_action(state, headers, id, query.lang, body, RowAction::Renew).await
}

#[cfg(test)]
mod tests {
    use super::percent_to_bps;

    #[test]
    fn a_typed_percentage_becomes_basis_points() {
        assert_eq!(percent_to_bps("2.5"), Some(250));
        assert_eq!(percent_to_bps(" 3 "), Some(300));
        assert_eq!(percent_to_bps("abc"), None);
        assert_eq!(percent_to_bps("1e300"), None);
        assert_eq!(percent_to_bps(""), None);
    }
}
