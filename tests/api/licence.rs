//! An organization applying to the center uploads its business licence (营业执照):
//! through the API (`PUT/GET /api/v1/organizations/{id}/licence`) and on `/register`,
//! and the verification desk links it for the platform admin.

use crate::account_pages::Browser;
use crate::helpers::{Account, Reply, TestApp, spawn_app};
use reqwest::Method;
use reqwest::multipart::{Form, Part};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
const ZIP: &[u8] = b"PK\x03\x04\x14\0\0\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

fn form(bytes: &'static [u8], filename: &str, mime: &str) -> Form {
    let part = Part::bytes(bytes).file_name(filename.to_string()).mime_str(mime).expect("mime");
    Form::new().part("file", part)
}

fn licence_path(account: &Account) -> String {
    format!("/api/v1/organizations/{}/licence", account.organization_id)
}

async fn upload(app: &TestApp, who: &Account, path: &str, form: Form) -> Reply {
    app.send(Method::PUT, path, app.request(Method::PUT, path, Some(who)).multipart(form)).await
}

/// The bytes of the licence as `who` downloads them, or the status when refused.
async fn download(app: &TestApp, who: &Account, path: &str) -> Result<(String, Vec<u8>), u16> {
    let response = app.request(Method::GET, path, Some(who)).send().await.expect("download");
    if response.status() != 200 {
        return Err(response.status().as_u16());
    }
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    Ok((content_type, response.bytes().await.expect("bytes").to_vec()))
}

/// How many files the local document store holds.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
        entries.filter_map(Result::ok).map(|entry| if entry.path().is_dir() { count(&entry.path()) } else { 1 }).sum()
    }
    count(&app.data_dir.path().join("documents"))
}

#[tokio::test]
async fn licence_uploaded_through_the_api_reads_back_for_the_organization_and_the_center_only() {
    let app = spawn_app().await;
    let path = licence_path(&app.unverified);
    let org_id = app.unverified.organization_id.to_string();
    let audited = app.audit_count(&org_id).await;
    app.get(&path, Some(&app.unverified)).await.expect_problem(404, "not_found");

    let stored = upload(&app, &app.unverified, &path, form(PDF, "营业执照.pdf", "application/pdf")).await.expect(200);
    assert_eq!(stored.body["content_type"], "application/pdf");
    assert_eq!(stored.body["size_bytes"], PDF.len());
    assert_eq!(stored.body["filename"], "营业执照.pdf");
    assert_eq!(download(&app, &app.unverified, &path).await, Ok(("application/pdf".into(), PDF.to_vec())));
    assert_eq!(download(&app, &app.admin, &path).await, Ok(("application/pdf".into(), PDF.to_vec())));

    // Another organization's member learns nothing, not even that it exists.
    app.get(&path, Some(&app.buyer)).await.expect_problem(404, "not_found");
    upload(&app, &app.buyer, &path, form(PNG, "licence.png", "image/png")).await.expect_problem(404, "not_found");
    let anonymous = app.request(Method::GET, &path, None).send().await.expect("anonymous");
    assert_eq!(anonymous.status(), 404);
    // The center reads it but does not upload for the applicant.
    upload(&app, &app.admin, &path, form(PNG, "licence.png", "image/png")).await.expect_problem(403, "forbidden");

    // A new upload replaces the old, whatever the name or the declared type says.
    let replaced = upload(&app, &app.unverified, &path, form(PNG, "scan.pdf", "application/pdf")).await.expect(200);
    assert_eq!(replaced.body["content_type"], "image/png");
    assert_eq!(download(&app, &app.admin, &path).await, Ok(("image/png".into(), PNG.to_vec())));
    assert_eq!(app.audit_count(&org_id).await, audited + 2, "each upload is audited");
}

#[tokio::test]
async fn hostile_or_malformed_licences_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let path = licence_path(&app.unverified);
    let org_id = app.unverified.organization_id.to_string();
    let audited = app.audit_count(&org_id).await;
    let before = stored_files(&app);
    for (bytes, name, mime) in [
        (b"this is only text, whatever its name says".as_slice(), "licence.pdf", "application/pdf"),
        (b"".as_slice(), "licence.pdf", "application/pdf"),
        (ZIP, "licence.pdf", "application/pdf"),
        (b"GIF89a\x01\0\x01\0\0\0\0;".as_slice(), "licence.gif", "image/gif"),
    ] {
        let refused = upload(&app, &app.unverified, &path, form(bytes, name, mime)).await;
        assert_eq!(refused.expect_problem(422, "validation_failed").error_fields(), ["file"], "{name}: {bytes:?}");
    }
    assert_eq!(stored_files(&app), before, "a refused file is not stored");
    app.get(&path, Some(&app.unverified)).await.expect_problem(404, "not_found");
    assert_eq!(app.audit_count(&org_id).await, audited, "nothing audited");

    let big: &'static [u8] = Box::leak(vec![b'%'; 10 * 1024 * 1024 + 1].into_boxed_slice());
    upload(&app, &app.unverified, &path, form(big, "big.pdf", "application/pdf"))
        .await
        .expect_problem(413, "payload_too_large");
    app.get(&path, Some(&app.unverified)).await.expect_problem(404, "not_found");
    // The count above would see a stored file: an accepted one is.
    upload(&app, &app.unverified, &path, form(PDF, "licence.pdf", "application/pdf")).await.expect(200);
    assert_eq!(stored_files(&app), before + 1);
}

#[tokio::test]
async fn licence_cannot_be_replaced_once_verified() {
    let app = spawn_app().await;
    let path = licence_path(&app.unverified);
    upload(&app, &app.unverified, &path, form(PDF, "licence.pdf", "application/pdf")).await.expect(200);
    let org = format!("/api/v1/organizations/{}/verify", app.unverified.organization_id);
    app.post_empty(&org, Some(&app.admin)).await.expect(200);
    upload(&app, &app.unverified, &path, form(PNG, "licence.png", "image/png"))
        .await
        .expect_problem(409, "invalid_transition");
    // A verified organization's administrator (the seller's university) is refused alike.
    upload(&app, &app.seller, &licence_path(&app.seller), form(PNG, "licence.png", "image/png"))
        .await
        .expect_problem(409, "invalid_transition");
    // A member who is no administrator may read but not upload.
    upload(&app, &app.seller_colleague, &licence_path(&app.seller), form(PNG, "l.png", "image/png"))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(download(&app, &app.unverified, &path).await, Ok(("application/pdf".into(), PDF.to_vec())));
}

/// The fields of the registration form.
fn registration(email: &str) -> Vec<(&'static str, String)> {
    let code = techex_core::CreditCode::from_prefix("91370600MA0100077").map(|c| c.to_string()).unwrap_or_default();
    vec![
        ("name", "烟台海晟新材料有限公司".into()),
        ("kind", "enterprise".into()),
        ("credit_code", code),
        ("region", "370600".into()),
        ("admin_name", "赵工".into()),
        ("email", email.into()),
        ("password", "haisheng-2026!".into()),
        ("password_repeat", "haisheng-2026!".into()),
    ]
}

#[tokio::test]
async fn register_page_with_a_licence_shows_it_on_the_desk_for_the_admin() {
    let app = spawn_app().await;
    let mut applicant = Browser::new(&app);
    assert_eq!(applicant.get("/register?lang=en").await.status, 200);
    let fields = registration("zhao@haisheng.example.cn");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let registered =
        applicant.post_multipart("/register?lang=en", &refs, Some(("营业执照.png", PNG, "image/png"))).await;
    assert_eq!(registered.status, 303, "{}", registered.html);
    let mine = applicant.get("/my/organization?lang=en").await;
    assert!(mine.html.contains("营业执照.png"), "the licence is on file: {}", mine.html);

    let mut center = Browser::new(&app);
    center.sign_in(&app.admin.email, crate::helpers::PASSWORD).await;
    let desk = center.get("/center/organizations?lang=en").await;
    assert_eq!(desk.status, 200);
    let link = desk
        .html
        .split("href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.starts_with("/center/organizations/") && href.ends_with("/licence"))
        .unwrap_or_else(|| panic!("the desk links the licence: {}", desk.html))
        .to_string();
    let file = center.get_bytes(&link).await;
    assert_eq!(file, (200, PNG.to_vec()));
    // The link needs the platform admin's session.
    assert_ne!(applicant.get_bytes(&link).await.0, 200);
    assert_ne!(Browser::new(&app).get_bytes(&link).await.0, 200);
}

#[tokio::test]
async fn register_page_with_a_bad_licence_keeps_the_form_and_creates_nothing() {
    let app = spawn_app().await;
    let mut applicant = Browser::new(&app);
    assert_eq!(applicant.get("/register?lang=en").await.status, 200);
    let fields = registration("qian@haisheng.example.cn");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let before = stored_files(&app);
    let refused = applicant
        .post_multipart("/register?lang=en", &refs, Some(("licence.pdf", b"plain text, not a pdf", "application/pdf")))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("is not a PDF, JPEG or PNG"), "the error beside the field: {}", refused.html);
    assert!(refused.html.contains("烟台海晟新材料有限公司"), "the form is kept as typed");
    assert!(refused.html.contains("qian@haisheng.example.cn"), "the form is kept as typed");
    assert_eq!(stored_files(&app), before, "nothing stored");
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"email": "qian@haisheng.example.cn", "password": "haisheng-2026!"}),
        )
        .await;
    assert_eq!(login.status, 401, "no account was created: {}", login.body);
}

#[tokio::test]
async fn replaced_licence_is_left_to_the_orphan_sweep_and_the_current_one_is_kept() {
    let app = spawn_app().await;
    let path = licence_path(&app.unverified);
    let first = upload(&app, &app.unverified, &path, form(PDF, "licence.pdf", "application/pdf")).await.expect(200);
    let first_sha = first.body["sha256"].as_str().expect("sha256").to_string();
    let second = upload(&app, &app.unverified, &path, form(PNG, "licence.png", "image/png")).await.expect(200);
    let second_sha = second.body["sha256"].as_str().expect("sha256").to_string();

    let store = techex_listings::blobs::BlobStore::local(&app.data_dir.path().join("documents")).expect("the store");
    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    let swept =
        techex_negotiation::orphans::sweep(&app.db, &store, chrono::Duration::hours(1), later).await.expect("sweep");
    assert!(swept.deleted >= 1, "{swept:?}");
    assert!(!store.exists(&first_sha).await.expect("exists"), "the replaced licence's bytes are gone");
    assert!(store.exists(&second_sha).await.expect("exists"), "the licence on file is named and kept");
    assert_eq!(download(&app, &app.admin, &path).await, Ok(("image/png".into(), PNG.to_vec())));
}
