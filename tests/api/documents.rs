use crate::helpers::{Reply, spawn_app, spawn_app_with};
use reqwest::multipart::{Form, Part};
use serde_json::json;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn form(bytes: &'static [u8], filename: &str, mime: &str, tier: &str) -> Form {
    let part = Part::bytes(bytes).file_name(filename.to_string()).mime_str(mime).expect("mime");
    Form::new().part("file", part).text("title", format!("{tier} document")).text("tier", tier.to_string())
}

#[tokio::test]
async fn documents_are_disclosed_by_tier() {
    let app = spawn_app().await;
    let id = app.published_achievement(&app.seller, json!({})).await;
    let upload = |tier: &'static str| {
        app.request(reqwest::Method::POST, &format!("/api/v1/achievements/{id}/documents"), Some(&app.seller))
            .multipart(form(PDF, "说明书.pdf", "application/pdf", tier))
            .send()
    };
    let public = Reply::from(upload("public").await.expect("upload")).await.expect(201);
    let confidential = Reply::from(upload("nda").await.expect("upload")).await.expect(201);
    assert_eq!(public.body["content_type"], "application/pdf");
    assert_eq!(public.body["size_bytes"], PDF.len());
    assert_eq!(public.body["sha256"].as_str().map(str::len), Some(64));

    let listed = app.get(&format!("/api/v1/achievements/{id}/documents"), Some(&app.buyer)).await.expect(200);
    let locked: Vec<bool> =
        listed.body.as_array().map(|d| d.iter().map(|x| x["locked"] == true).collect()).unwrap_or_default();
    assert_eq!(locked, [false, true]);

    let public_id = public.id();
    let confidential_id = confidential.id();
    let download = app
        .request(reqwest::Method::GET, &format!("/api/v1/documents/{public_id}"), None)
        .send()
        .await
        .expect("download");
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert!(download.headers()["content-disposition"].to_str().unwrap_or("").contains("filename*=UTF-8''"));
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), PDF);

    app.get(&format!("/api/v1/documents/{confidential_id}"), Some(&app.buyer)).await.expect_problem(403, "forbidden");
    app.get(&format!("/api/v1/documents/{confidential_id}"), None).await.expect_problem(403, "forbidden");
    let nda = app.get(&format!("/api/v1/achievements/{id}/nda"), Some(&app.buyer)).await.expect(200);
    app.post(&format!("/api/v1/achievements/{id}/nda"), Some(&app.buyer), json!({"sha256": nda.body["sha256"]}))
        .await
        .expect(200);
    let opened = app
        .request(reqwest::Method::GET, &format!("/api/v1/documents/{confidential_id}"), Some(&app.buyer))
        .send()
        .await
        .expect("download");
    assert_eq!(opened.status(), 200);
    // The owner removes a document; nobody else may.
    app.delete(&format!("/api/v1/documents/{public_id}"), &app.buyer).await.expect_problem(403, "forbidden");
    app.delete(&format!("/api/v1/documents/{public_id}"), &app.seller).await.expect(204);
    app.get(&format!("/api/v1/documents/{public_id}"), None).await.expect_problem(404, "not_found");
}

#[tokio::test]
async fn uploads_are_checked_by_content_size_and_owner() {
    let app = spawn_app_with(|config| config.max_upload_bytes = 1024).await;
    let id = app.draft_achievement(&app.seller, json!({})).await;
    let path = format!("/api/v1/achievements/{id}/documents");
    let send = |who, form: Form| app.request(reqwest::Method::POST, &path, Some(who)).multipart(form).send();

    let lying =
        Reply::from(send(&app.seller, form(PDF, "photo.png", "image/png", "public")).await.expect("upload")).await;
    assert_eq!(lying.expect_problem(422, "validation_failed").error_fields(), ["file"]);
    let executable: &'static [u8] = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00";
    Reply::from(
        send(&app.seller, form(executable, "tool.pdf", "application/octet-stream", "public")).await.expect("upload"),
    )
    .await
    .expect_problem(422, "validation_failed");
    let big: &'static [u8] = Box::leak(vec![b'a'; 4096].into_boxed_slice());
    let too_big =
        Reply::from(send(&app.seller, form(big, "big.txt", "text/plain", "public")).await.expect("upload")).await;
    assert_eq!(too_big.status, 413, "{}", too_big.body);
    Reply::from(send(&app.seller, form(PDF, "a.pdf", "application/pdf", "secret")).await.expect("upload"))
        .await
        .expect_problem(422, "validation_failed");
    // Another organization cannot attach to, or even see, this draft.
    Reply::from(send(&app.buyer, form(PDF, "a.pdf", "application/pdf", "public")).await.expect("upload"))
        .await
        .expect_problem(404, "not_found");
    let ok = Reply::from(send(&app.seller, form(PDF, "a.pdf", "application/pdf", "public")).await.expect("upload"))
        .await
        .expect(201);
    // The bytes are stored under the data directory by their hash.
    let sha = ok.body["sha256"].as_str().unwrap_or_default().to_string();
    assert!(app.data_dir.path().join("documents").join(&sha[..2]).join(&sha).exists());
    app.get(&format!("/api/v1/achievements/{id}/documents"), Some(&app.buyer)).await.expect_problem(404, "not_found");
}
