//! Opening an account: an organization applies (API and `/register`), the center turns
//! it down with a reason or verifies it at its desk (`/center/organizations`), the
//! applicant reads why, corrects its details and is queued again, and its administrator
//! invites a member who creates an account from the link (`/invitations/accept`).

use crate::helpers::{Account, PASSWORD, TestApp, spawn_app};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn credit_code(prefix: &str) -> String {
    techex_core::CreditCode::from_prefix(prefix).map(|c| c.to_string()).unwrap_or_default()
}

fn application(code: &str, email: &str) -> Value {
    json!({
        "name": "烟台海晟新材料有限公司",
        "name_en": "Yantai Haisheng New Materials Co., Ltd.",
        "kind": "enterprise",
        "credit_code": code,
        "region": "370600",
        "admin": {"email": email, "display_name": "赵工", "password": "haisheng-2026!"}
    })
}

async fn bearer(app: &TestApp, email: &str, password: &str) -> Account {
    let login = app.post("/api/v1/auth/login", None, json!({"email": email, "password": password})).await.expect(200);
    Account {
        email: email.into(),
        token: login.body["token"].as_str().unwrap_or_default().to_string(),
        user_id: uuid::Uuid::nil(),
        organization_id: uuid::Uuid::nil(),
    }
}

#[tokio::test]
async fn an_application_turned_down_is_told_why_and_queued_again_once_changed() {
    let app = spawn_app().await;
    let registered = app
        .post("/api/v1/organizations", None, application(&credit_code("91370600MA3HX2601"), "zhao@haisheng.example.cn"))
        .await
        .expect(201);
    let org = registered.body["organization"]["id"].as_str().unwrap_or_default().to_string();
    let version = registered.body["organization"]["version"].as_i64().unwrap_or_default();
    let applicant = bearer(&app, "zhao@haisheng.example.cn", "haisheng-2026!").await;
    let reject = format!("/api/v1/organizations/{org}/reject");

    // Only platform admins decide; a reason is required; nothing changes meanwhile.
    app.post_if_match(&reject, &applicant, version, Some(json!({"reason": "营业执照不清晰"})))
        .await
        .expect_problem(403, "forbidden");
    app.post_if_match(&reject, &app.seller, version, Some(json!({"reason": "x"})))
        .await
        .expect_problem(404, "not_found");
    let blank = app.post_if_match(&reject, &app.admin, version, Some(json!({"reason": "  "}))).await.expect(422);
    assert_eq!(blank.error_fields(), vec!["reason".to_string()]);
    app.post_if_match(&reject, &app.admin, version + 1, Some(json!({"reason": "营业执照不清晰"})))
        .await
        .expect_problem(412, "precondition_failed");
    let before = app.audit_count(&org).await;

    let rejected = app
        .post_if_match(
            &reject,
            &app.admin,
            version,
            Some(json!({"reason": "营业执照扫描件不清晰，请重新上传并核对信用代码"})),
        )
        .await
        .expect(200);
    assert_eq!(rejected.body["verified"], false);
    assert_eq!(rejected.body["rejection_reason"], "营业执照扫描件不清晰，请重新上传并核对信用代码");
    assert!(rejected.body["rejected_at"].is_string());
    assert_eq!(app.audit_count(&org).await, before + 1, "the decision is audited");
    app.post_if_match(&reject, &app.admin, rejected.version(), Some(json!({"reason": "again"})))
        .await
        .expect_problem(409, "invalid_transition");

    // The applicant's administrator is told why, in their language, with a link home.
    let notes = app.get("/api/v1/notifications", Some(&applicant)).await.expect(200);
    let note = notes.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|n| n["kind"] == "organization_rejected"))
        .cloned()
        .unwrap_or_default();
    assert!(note["title"].as_str().is_some_and(|t| t.contains("did not verify")), "{note}");
    assert_eq!(note["body"], "营业执照扫描件不清晰，请重新上传并核对信用代码");
    assert_eq!(note["link"], "/my/organization");

    // Changing the details sends the application back to the queue.
    let own = app.get(&format!("/api/v1/organizations/{org}"), Some(&applicant)).await.expect(200);
    assert_eq!(own.body["rejection_reason"], "营业执照扫描件不清晰，请重新上传并核对信用代码");
    let changed = app
        .patch(
            &format!("/api/v1/organizations/{org}"),
            &applicant,
            Some(own.version()),
            json!({"website": "https://haisheng.example.cn"}),
        )
        .await
        .expect(200);
    assert!(changed.body["rejection_reason"].is_null() && changed.body["rejected_at"].is_null());
    let verified = app
        .post_if_match(&format!("/api/v1/organizations/{org}/verify"), &app.admin, changed.version(), None)
        .await
        .expect(200);
    assert_eq!(verified.body["verified"], true);
    app.post_if_match(&reject, &app.admin, verified.version(), Some(json!({"reason": "too late"})))
        .await
        .expect_problem(409, "invalid_transition");
    let in_chinese = app
        .request_without_language(reqwest::Method::GET, "/api/v1/notifications", Some(&applicant))
        .header("Accept-Language", "zh-CN");
    let notes = app.send(reqwest::Method::GET, "/api/v1/notifications", in_chinese).await.expect(200);
    assert!(
        notes.body["items"].as_array().is_some_and(|items| {
            items.iter().any(|n| {
                n["kind"] == "organization_verified" && n["title"].as_str().is_some_and(|t| t.contains("已认证"))
            })
        }),
        "{}",
        notes.body
    );
}

/// A browser: the cookies the site set, sent back on every request; redirects are
/// returned, not followed, so the test sees where each form leads.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) location: String,
    pub(crate) html: String,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Browser { app, client, cookies: BTreeMap::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        for set in response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let status = response.status().as_u16();
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let html = response.text().await.unwrap_or_default().replace("&#x2f;", "/");
        Page { status, location, html }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let response =
            self.client.get(self.app.url(path)).header("cookie", self.cookie_header()).send().await.expect("get");
        self.read(response).await
    }

    /// Posts a form as the page would: with the CSRF cookie's value in `csrf_token`.
    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.cookies.get("techex_csrf").cloned().unwrap_or_default();
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", csrf.as_str()));
        let response = self
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .form(&form)
            .send()
            .await
            .expect("post");
        self.read(response).await
    }

    /// Posts a multipart form as a page with a file input would (the CSRF cookie's value
    /// in `csrf_token`); `file` is the name, bytes and type of the file chosen, if any.
    pub(crate) async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &'static [u8], &str)>,
    ) -> Page {
        let csrf = self.cookies.get("techex_csrf").cloned().unwrap_or_default();
        let mut form = reqwest::multipart::Form::new().text("csrf_token", csrf);
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        if let Some((name, bytes, mime)) = file {
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()).mime_str(mime).expect("mime");
            form = form.part("file", part);
        }
        let response = self
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .expect("post");
        self.read(response).await
    }

    /// The status and the bytes of a download.
    pub(crate) async fn get_bytes(&mut self, path: &str) -> (u16, Vec<u8>) {
        let response =
            self.client.get(self.app.url(path)).header("cookie", self.cookie_header()).send().await.expect("get");
        let status = response.status().as_u16();
        (status, response.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
    }

    /// Posts a form as a forged one from another site would: with the cookies the
    /// browser sends anyway but without the CSRF field; the status.
    pub(crate) async fn post_without_csrf(&mut self, path: &str, fields: &[(&str, &str)]) -> u16 {
        let response = self
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .form(fields)
            .send()
            .await
            .expect("post");
        self.read(response).await.status
    }

    pub(crate) async fn sign_in(&mut self, email: &str, password: &str) {
        assert_eq!(self.get("/sign-in").await.status, 200);
        let signed_in = self.post("/sign-in", &[("email", email), ("password", password)]).await;
        assert_eq!(signed_in.status, 303, "{email} signs in");
    }
}

/// The fields of the registration form, all valid but for what the arguments make wrong.
fn registration_form(code: &str, password_repeat: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "烟台海晟新材料有限公司".into()),
        ("name_en", "Yantai Haisheng New Materials".into()),
        ("kind", "enterprise".into()),
        ("credit_code", code.into()),
        ("region", "370600".into()),
        ("admin_name", "赵工".into()),
        ("email", "zhao@haisheng.example.cn".into()),
        ("password", "haisheng-2026!".into()),
        ("password_repeat", password_repeat.into()),
    ]
}

fn refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(name, value)| (*name, value.as_str())).collect()
}

/// The value of a hidden or text input of a page.
pub(crate) fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    html.split('<')
        .find(|tag| tag.starts_with("input") && tag.contains(&marker))
        .and_then(|tag| tag.split("value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// The hidden `version` of the form posting to `action`.
fn version_for(html: &str, action: &str) -> String {
    let form = html.split(action).nth(1).unwrap_or_default();
    input_value(form, "version")
}

#[tokio::test]
async fn an_organization_applies_in_the_browser_is_verified_at_the_desk_and_its_invitee_joins() {
    let app = spawn_app().await;
    let code = credit_code("91370600MA3HX2602");
    let mut applicant = Browser::new(&app);
    let form = applicant.get("/register?lang=en").await;
    assert_eq!(form.status, 200);
    assert!(form.html.contains("Register your organization") && applicant.cookies.contains_key("techex_csrf"));
    assert!(!form.html.contains("value=\"center\""), "the center is installed, never registered");

    // Mistakes come back beside their fields, the form filled in, nothing registered.
    let mismatch = registration_form(&code, "haisheng-2027!");
    let refused = applicant.post("/register?lang=en", &refs(&mismatch)).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.html.contains("The two passwords differ") && refused.html.contains("value=\"烟台海晟新材料有限公司\"")
    );
    let bad_code = registration_form("91370600MA3HX260", "haisheng-2026!");
    let refused = applicant.post("/register?lang=zh", &refs(&bad_code)).await;
    assert_eq!(refused.status, 422);
    assert!(refused.html.contains("id=\"r-credit_code-error\""), "the credit code's error is beside it");
    assert!(refused.html.contains("aria-invalid=\"true\" aria-describedby=\"r-credit_code-error\""));
    let good = registration_form(&code, "haisheng-2026!");
    let forged = applicant.client.post(app.url("/register")).form(&refs(&good)).send().await.expect("post");
    assert_eq!(forged.status().as_u16(), 403, "a post without the CSRF field does nothing");
    let queue = app.get("/api/v1/organizations?verified=false", Some(&app.admin)).await.expect(200);
    assert!(
        queue.body["items"].as_array().is_some_and(|items| items.iter().all(|o| o["credit_code"] != code.as_str())),
        "nothing registered by refused forms"
    );

    let registered = applicant.post("/register?lang=en", &refs(&good)).await;
    assert_eq!((registered.status, registered.location.as_str()), (303, "/my/organization?done=registered"));
    let home = applicant.get("/my/organization?done=registered&lang=en").await;
    assert_eq!(home.status, 200);
    assert!(home.html.contains("Your application is in") && home.html.contains("Waiting for the center"));
    assert!(home.html.contains("zhao@haisheng.example.cn"), "the administrator is a member");

    // The desk is the platform admins'; the application waits there with its administrator.
    let mut seller = Browser::new(&app);
    seller.sign_in(&app.seller.email, PASSWORD).await;
    assert_eq!(seller.get("/center/organizations").await.status, 403);
    let mut center = Browser::new(&app);
    center.sign_in(&app.admin.email, PASSWORD).await;
    let desk = center.get("/center/organizations?lang=en").await;
    assert_eq!(desk.status, 200);
    assert!(desk.html.contains("烟台海晟新材料有限公司") && desk.html.contains(&code));
    assert!(
        desk.html.contains("<span lang=\"zh-CN\">赵工</span> &lt;zhao@haisheng.example.cn&gt;"),
        "the contact, its Chinese name marked as such on the English page: {}",
        desk.html
    );
    let org = app.get("/api/v1/organizations?verified=false", Some(&app.admin)).await.expect(200).body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|o| o["credit_code"] == code.as_str()).cloned())
        .and_then(|o| o["id"].as_str().map(str::to_string))
        .expect("the application is queued");
    let reject_path = format!("/center/organizations/{org}/reject");
    let version = version_for(&desk.html, &reject_path);
    let blank = center.post(&format!("{reject_path}?lang=en"), &[("version", &version), ("reason", "")]).await;
    assert_eq!(blank.status, 422);
    assert!(blank.html.contains(&format!("id=\"reason-error-{org}\"")));
    let rejected = center.post(&reject_path, &[("version", &version), ("reason", "营业执照与信用代码不一致")]).await;
    assert_eq!((rejected.status, rejected.location.as_str()), (303, "/center/organizations?done=rejected"));

    // The applicant reads why, corrects the details and is queued again.
    let home = applicant.get("/my/organization?lang=zh").await;
    assert!(home.html.contains("营业执照与信用代码不一致") && home.html.contains("平台未通过"), "{}", home.html);
    let version = version_for(&home.html, "action=\"/my/organization?");
    let saved = applicant
        .post(
            "/my/organization",
            &[
                ("version", &version),
                ("name", "烟台海晟新材料有限公司"),
                ("name_en", "Yantai Haisheng New Materials"),
                ("credit_code", &code),
                ("region", "370600"),
                ("website", "https://haisheng.example.cn"),
                ("description", "海洋新材料"),
                ("description_en", ""),
            ],
        )
        .await;
    assert_eq!((saved.status, saved.location.as_str()), (303, "/my/organization?done=saved"));
    let stale = applicant.post("/my/organization?lang=en", &[("version", &version), ("name", "x")]).await;
    assert_eq!(stale.status, 412, "a form shown before a change is refused");
    let desk = center.get("/center/organizations?lang=en").await;
    let verify_path = format!("/center/organizations/{org}/verify");
    assert!(desk.html.contains(&reject_path), "back in the queue with its reject form");
    let verified = center.post(&verify_path, &[("version", &version_for(&desk.html, &verify_path))]).await;
    assert_eq!((verified.status, verified.location.as_str()), (303, "/center/organizations?done=verified"));
    let home = applicant.get("/my/organization?lang=en").await;
    assert!(home.html.contains("Verified by the center"));

    // The administrator invites a colleague, who joins from the link and is signed in.
    let invited =
        applicant.post("/my/organization/invitations?lang=en", &[("email", "qian@haisheng.example.cn")]).await;
    assert_eq!(invited.status, 201);
    let link = invited
        .html
        .split("id=\"invitation-link\"")
        .nth(1)
        .and_then(|rest| rest.split("value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .map(|l| l.replace("&amp;", "&"))
        .unwrap_or_default();
    let path = link.split_once("/invitations/accept").map(|(_, rest)| format!("/invitations/accept{rest}"));
    let path = path.expect("an invitation link");
    let mut invitee = Browser::new(&app);
    let accept = invitee.get(&format!("{path}&lang=en")).await;
    assert_eq!(accept.status, 200);
    assert!(accept.html.contains("Yantai Haisheng New Materials") && accept.html.contains("qian@haisheng.example.cn"));
    let token = input_value(&accept.html, "token");
    let weak = invitee
        .post(
            "/invitations/accept?lang=en",
            &[("token", &token), ("display_name", "钱工"), ("password", "short"), ("password_repeat", "short")],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.html.contains("id=\"a-password-error\""));
    let joined = invitee
        .post(
            "/invitations/accept",
            &[
                ("token", &token),
                ("display_name", "钱工"),
                ("password", "Tidal-2031-mint"),
                ("password_repeat", "Tidal-2031-mint"),
            ],
        )
        .await;
    assert_eq!((joined.status, joined.location.as_str()), (303, "/dashboard"));
    let members = invitee.get("/my/organization?lang=en").await;
    assert!(members.html.contains("钱工") && members.html.contains("赵工"));
    assert!(!members.html.contains("id=\"invite-submit\""), "a member who is not an administrator does not invite");
    let again = Browser::new(&app).get(&path).await;
    assert_eq!(again.status, 409, "an invitation works once");
    assert_eq!(Browser::new(&app).get("/invitations/accept?token=txi_nothing").await.status, 404);
}

#[tokio::test]
async fn the_audit_log_page_filters_by_who_what_and_when_for_platform_admins() {
    let app = spawn_app().await;
    let registered = app
        .post(
            "/api/v1/organizations",
            None,
            application(&credit_code("91370600MA3HX2621"), "audit@haisheng.example.cn"),
        )
        .await
        .expect(201);
    let org = registered.body["organization"]["id"].as_str().unwrap_or_default().to_string();
    let version = registered.body["organization"]["version"].as_i64().unwrap_or(1);
    app.post_if_match(&format!("/api/v1/organizations/{org}/verify"), &app.admin, version, None).await.expect(200);

    let mut seller = Browser::new(&app);
    seller.sign_in(&app.seller.email, PASSWORD).await;
    assert_eq!(seller.get("/center/audit").await.status, 403);
    let mut center = Browser::new(&app);
    center.sign_in(&app.admin.email, PASSWORD).await;
    let all = center.get("/center/audit?lang=en").await;
    assert_eq!(all.status, 200);
    assert!(
        all.html.contains("<code>organization.verify</code>")
            && all.html.contains("<code>organization.register</code>")
    );
    let by_admin =
        center.get(&format!("/center/audit?lang=en&actor={}&action=organization.verify", app.admin.email)).await;
    assert!(by_admin.html.contains("<code>organization.verify</code>"));
    assert!(!by_admin.html.contains("<code>organization.register</code>"), "filtered by action");
    let nobody = center.get("/center/audit?lang=en&actor=nobody@nowhere.example").await;
    assert!(nobody.html.contains("No entry matches"), "an unknown e-mail matches nothing");
    let today = chrono::Utc::now().date_naive();
    let future = center.get(&format!("/center/audit?lang=en&from={}", today + chrono::Duration::days(1))).await;
    assert!(future.html.contains("No entry matches"));
    let bad = center.get("/center/audit?lang=zh&from=2026-13-40").await;
    assert_eq!(bad.status, 422);
    assert!(bad.html.contains("id=\"a-from-error\"") && bad.html.contains("YYYY-MM-DD"));
    let spoilt = center.get("/center/audit?lang=en&cursor=%%%").await;
    assert_eq!(spoilt.status, 200, "a spoilt cursor reads as the first page");
    let api = app
        .get(&format!("/api/v1/audit?from={}", today + chrono::Duration::days(1)), Some(&app.admin))
        .await
        .expect(200);
    assert_eq!(api.body["items"].as_array().map(Vec::len), Some(0));
    let api = app
        .get(&format!("/api/v1/audit?from={today}&to={today}&entity_type=organization"), Some(&app.admin))
        .await
        .expect(200);
    assert!(
        api.body["items"].as_array().is_some_and(|items| items.iter().any(|e| e["action"] == "organization.verify"))
    );
}
