//! Technology contracts: drafting from an agreed deal, the readable document, amendments,
//! signatures, registration.

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser, IfMatch};
use crate::routes::{ReasonBody, begin, commit, created, versioned};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use techex_contracts::contracts::{self, AmendContract, ContractView, MilestoneView, Sign};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

async fn render(state: &AppState, actor: &techex_core::Actor, id: Uuid) -> ApiResult<Response> {
    let view = contracts::get_view(&state.db, actor, id).await?;
    Ok(versioned(view.version, view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractQuery {
    /// `draft`, `signing`, `signed`, `registered`.
    pub status: Option<String>,
}

/// The caller's contracts (registrars and admins: all), newest first.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "contracts", security(("bearer" = [])), params(ContractQuery),
    responses((status = 200, body = Vec<ContractView>)))]
async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(query): ApiQuery<ContractQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let list = contracts::list(&state.db, &user.actor, query.status.as_deref()).await?;
    Ok(Json(crate::routes::worded(&list)?))
}

/// Drafting a contract.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftContract {
    /// An agreed deal of the caller's.
    pub deal_id: Uuid,
}

/// Drafts the technology contract of an agreed deal: the Civil Code type that fits the
/// agreed mode, bilingual text from the template, milestones from the schedule.
#[utoipa::path(post, path = "/api/v1/contracts", tag = "contracts", security(("bearer" = [])), request_body = DraftContract,
    responses((status = 201, body = ContractView), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn draft(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<DraftContract>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    let model = contracts::draft(&transaction, &user.actor, input.deal_id).await?;
    commit(transaction).await?;
    let view = contracts::get_view(&state.db, &user.actor, model.id).await?;
    Ok(created(format!("/api/v1/contracts/{}", view.id), view.version, view))
}

/// One contract with its versions, signatures, milestones and pre-check.
#[utoipa::path(get, path = "/api/v1/contracts/{id}", tag = "contracts", security(("bearer" = [])),
    responses((status = 200, body = ContractView), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn get_one(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    render(&state, &user.actor, id).await
}

/// Amends the clauses (a new version; every signature so far is voided).
#[utoipa::path(patch, path = "/api/v1/contracts/{id}", tag = "contracts", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = AmendContract,
    responses((status = 200, body = ContractView), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn amend(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<AmendContract>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    contracts::amend(&transaction, &user.actor, id, version, input).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// `html` (default) or `text` (the canonical text whose SHA-256 is signed).
    pub format: Option<String>,
    /// A version number; default the current one.
    pub version: Option<i32>,
}

fn escape(text: &str) -> String {
    techex_search::search::html_escape(text)
}

/// The contract as a readable document: HTML, or the canonical text (`format=text`).
/// `X-Content-SHA256` carries the hash of the canonical text.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/document", tag = "contracts", security(("bearer" = [])),
    params(DocumentQuery),
    responses((status = 200, description = "the contract: HTML, or with `format=text` the canonical text", content((String = "text/html"), (String = "text/plain"))),
              (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn document(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<DocumentQuery>,
) -> ApiResult<Response> {
    let (contract, version) = contracts::document(&state.db, &user.actor, id, query.version).await?;
    let signatures = contracts::get_view(&state.db, &user.actor, id).await?.signatures;
    let (content_type, body) = if query.format.as_deref() == Some("text") {
        ("text/plain; charset=utf-8", version.text.clone())
    } else {
        let mut html = String::from("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
        html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.push_str(&format!("<title>{}</title>", escape(&contract.title_zh)));
        html.push_str("<style>body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:46rem;margin:2rem auto;\
                       padding:0 1rem;line-height:1.7}h1{font-size:1.4rem}h2{font-size:1.05rem;margin-top:1.6rem}\
                       footer{color:#555;font-size:.85rem;border-top:1px solid #ccc;margin-top:2rem;padding-top:.5rem}\
                       table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border:1px solid #bbb;padding:.3rem .5rem;text-align:left}\
                       code{word-break:break-all}\
                       @page{size:A4;margin:20mm 18mm}\
                       @media print{body{max-width:none;margin:0;padding:0;font-family:'Noto Serif CJK SC','Songti SC',serif;font-size:11pt}\
                       h2{break-after:avoid}p,tr{break-inside:avoid}section.signatures{break-inside:avoid}}</style>");
        html.push_str("</head><body><article>");
        for (index, line) in version.text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            let tag = if index < 2 {
                "h1"
            } else if trimmed.starts_with('第') {
                "h2"
            } else {
                "p"
            };
            html.push_str(&format!("<{tag}>{}</{tag}>", escape(trimmed)));
        }
        html.push_str("</article>");
        // The signatures of this version (not part of the signed text): who signed for
        // which party, when, and over which hash.
        let signed: Vec<_> =
            signatures.iter().filter(|s| s.version_number == version.number && s.voided_at.is_none()).collect();
        if !signed.is_empty() {
            html.push_str(
                "<section class=\"signatures\"><h2>签署记录 / Signatures</h2><table><tr><th>当事人 / Party</th>\
                           <th>签署人 / Signed by</th><th>时间 / Signed at (UTC)</th><th>SHA-256</th></tr>",
            );
            for s in signed {
                let party = match s.party.as_str() {
                    "seller" => "甲方 / Seller",
                    "buyer" => "乙方 / Buyer",
                    "broker" => "丙方 / Broker",
                    other => other,
                };
                html.push_str(&format!(
                    "<tr><td>{party}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                    escape(&s.signer_name),
                    s.signed_at.format("%Y-%m-%d %H:%M:%S"),
                    escape(&s.sha256)
                ));
            }
            html.push_str("</table></section>");
        }
        html.push_str(&format!(
            "<footer>版本 / Version {} · SHA-256 <code>{}</code>{}</footer></body></html>",
            version.number,
            version.sha256,
            contract
                .registration_number
                .as_deref()
                .map(|n| format!(" · 登记号 / Registration No. {}", escape(n)))
                .unwrap_or_default()
        ));
        ("text/html; charset=utf-8", html)
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&version.sha256) {
        headers.insert("x-content-sha256", value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// Signs the current version for the caller's party, confirming the hash of its text.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/sign", tag = "contracts", security(("bearer" = [])), request_body = Sign,
    responses((status = 200, body = ContractView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn sign(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<Sign>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    contracts::sign(&transaction, &user.actor, id, input).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Registers a signed contract (认定登记, center registrars): a registration number, the
/// registered amount and whether it qualifies for the tax relief.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/register", tag = "contracts", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = ContractView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn register(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    contracts::register(&transaction, &user.actor, id, version).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Returns a signed contract to the parties with a reason (center registrars).
#[utoipa::path(post, path = "/api/v1/contracts/{id}/return", tag = "contracts", params(crate::extract::IfMatchHeader), security(("bearer" = [])), request_body = ReasonBody,
    responses((status = 200, body = ContractView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn return_to_parties(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    contracts::return_to_parties(&transaction, &user.actor, id, version, &body.reason).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Proposes to end a registered contract by agreement (the seller or the buyer), with a
/// reason; milestones paid or being paid must be settled first (409).
#[utoipa::path(post, path = "/api/v1/contracts/{id}/termination", tag = "contracts", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    request_body = ReasonBody,
    responses((status = 200, body = ContractView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn propose_termination(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    contracts::propose_termination(&transaction, &user.actor, id, version, &body.reason).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// The other party agrees to the proposed termination: the contract is `terminated`, its
/// unpaid milestones `cancelled`.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/termination/agree", tag = "contracts", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = ContractView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn agree_termination(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    contracts::answer_termination(&transaction, &user.actor, id, version, true).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// Terminates the contract by notice for the other party's breach (Civil Code arts. 563,
/// 565): the seller when a milestone is unpaid more than the contract's cure period after
/// its due date, the buyer when a delivery failed acceptance and was refunded. Without
/// such a ground, or while a milestone holds money, 409.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/termination/notice", tag = "contracts", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    request_body = ReasonBody,
    responses((status = 200, body = ContractView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn termination_notice(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<Response> {
    // An overdue payment the buyer began but never finished must not be able to charge
    // after the contract ends: the domain cancels its intent at the provider first.
    let gateway = state.payments.as_deref();
    techex_payments::milestones::terminate_by_notice(&state.db, gateway, &user.actor, id, version, &body.reason)
        .await?;
    render(&state, &user.actor, id).await
}

/// Declines the proposed termination (the other party) or withdraws it (the proposer).
#[utoipa::path(post, path = "/api/v1/contracts/{id}/termination/decline", tag = "contracts", params(crate::extract::IfMatchHeader), security(("bearer" = [])),
    responses((status = 200, body = ContractView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn decline_termination(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let transaction = begin(&state).await?;
    contracts::answer_termination(&transaction, &user.actor, id, version, false).await?;
    commit(transaction).await?;
    render(&state, &user.actor, id).await
}

/// The milestone schedule of a contract.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/milestones", tag = "contracts", security(("bearer" = [])),
    responses((status = 200, body = Vec<MilestoneView>), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn milestones(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<MilestoneView>>> {
    Ok(Json(contracts::get_view(&state.db, &user.actor, id).await?.milestones))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, draft))
        .routes(routes!(get_one, amend))
        .routes(routes!(document))
        .routes(routes!(sign))
        .routes(routes!(register))
        .routes(routes!(return_to_parties))
        .routes(routes!(milestones))
        .routes(routes!(propose_termination))
        .routes(routes!(agree_termination))
        .routes(routes!(decline_termination))
        .routes(routes!(termination_notice))
}
