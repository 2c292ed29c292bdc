//! Hostile input must not hurt the server: each file below is answered with a 4xx
//! problem+json within seconds, nothing of it is written, and the server keeps answering
//! other requests meanwhile.

use crate::helpers::{Account, Reply, TestApp, spawn_app, spawn_app_with};
use reqwest::multipart::{Form, Part};
use std::io::Write;
use std::time::{Duration, Instant};

/// What any hostile request must be answered within, even on a busy machine.
const PROMPT: Duration = Duration::from_secs(30);

async fn import(app: &TestApp, who: &Account, name: &str, bytes: Vec<u8>) -> Reply {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let started = Instant::now();
    let response = app
        .request(reqwest::Method::POST, "/api/v1/achievements/import", Some(who))
        .multipart(form)
        .send()
        .await
        .expect("import");
    let reply = Reply::from(response).await;
    assert!(started.elapsed() < PROMPT, "{name} took {:?}", started.elapsed());
    reply
}

/// The number of achievements of the seller's organization, straight from the database.
async fn listed(app: &TestApp) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use techex_listings::entities::achievement;
    achievement::Entity::find()
        .filter(achievement::Column::OrganizationId.eq(app.seller.organization_id))
        .count(&app.db)
        .await
        .expect("count")
}

async fn still_answers(app: &TestApp) {
    app.get("/health", None).await.expect(200);
}

/// A minimal XLSX workbook whose first sheet's XML `write_sheet` writes (streamed into the
/// archive, compressed fast).
fn workbook(write_sheet: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let options =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).compression_level(Some(1));
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, text) in parts {
        archive.start_file(name, options).expect("part");
        archive.write_all(text.as_bytes()).expect("write part");
    }
    archive.start_file("xl/worksheets/sheet1.xml", options).expect("sheet");
    write_sheet(&mut archive).expect("write sheet");
    archive.finish().expect("finish").into_inner()
}

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_END: &str = "</sheetData></worksheet>";

/// The header row of a portfolio: `title_zh`.
const HEADER_ROW: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>title_zh</t></is></c></row>"#;

/// A sheet whose only cells are A1 and XFD1048576: as a range, 17 billion cells.
pub(crate) fn corner_cell_workbook() -> Vec<u8> {
    workbook(|sheet| {
        write!(
            sheet,
            r#"{SHEET_START}{HEADER_ROW}<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>{SHEET_END}"#
        )
    })
}

#[tokio::test]
async fn hostile_workbooks_are_refused_promptly_and_write_nothing() {
    let app = spawn_app().await;

    // The corner-cell workbook (a 512 GiB allocation as a range) is 413, at once.
    let corner = corner_cell_workbook();
    assert!(corner.len() < 4096, "a small file: {} bytes", corner.len());
    let refused = import(&app, &app.seller, "corner.xlsx", corner).await.expect_problem(413, "payload_too_large");
    assert!(refused.body["detail"].as_str().is_some_and(|d| d.contains("5000")), "names the limit: {}", refused.body);
    assert_eq!(refused.error_fields(), ["file"]);
    still_answers(&app).await;

    // A string bomb: one 40 MiB cell, compressed to a few hundred KiB.
    let string_bomb = workbook(|sheet| {
        write!(sheet, r#"{SHEET_START}{HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>"#)?;
        let block = vec![b'a'; 1 << 20];
        for _ in 0..40 {
            sheet.write_all(&block)?;
        }
        write!(sheet, "</t></is></c></row>{SHEET_END}")
    });
    assert!(string_bomb.len() < 2 << 20, "compressed: {} bytes", string_bomb.len());
    let refused = import(&app, &app.seller, "string.xlsx", string_bomb).await.expect_problem(413, "payload_too_large");
    assert!(refused.body["detail"].as_str().is_some_and(|d| d.contains("MiB")), "{}", refused.body);
    assert!(refused.body.to_string().len() < 2000, "the answer does not echo the cell");

    // A long cell that fits the archive limit is still refused by the cell limit.
    let long_cell = workbook(|sheet| {
        let long = "长".repeat(20_001);
        write!(
            sheet,
            r#"{SHEET_START}{HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>{long}</t></is></c></row>{SHEET_END}"#
        )
    });
    let refused = import(&app, &app.seller, "long.xlsx", long_cell).await.expect_problem(413, "payload_too_large");
    assert!(refused.body["detail"].as_str().is_some_and(|d| d.contains("20000")), "{}", refused.body);

    // A cell bomb: two million cells in one row, without positions.
    let cell_bomb = workbook(|sheet| {
        write!(sheet, r#"{SHEET_START}{HEADER_ROW}<row r="2">"#)?;
        for _ in 0..2_000_000 {
            sheet.write_all(b"<c><v>1</v></c>")?;
        }
        write!(sheet, "</row>{SHEET_END}")
    });
    import(&app, &app.seller, "cells.xlsx", cell_bomb).await.expect_problem(413, "payload_too_large");

    // Shared strings by the million.
    let strings_bomb = {
        use zip::write::SimpleFileOptions;
        let base = corner_cell_workbook();
        let mut archive = zip::ZipWriter::new_append(std::io::Cursor::new(base)).expect("append");
        archive
            .start_file(
                "xl/sharedStrings.xml",
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
            )
            .expect("strings");
        archive.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst>"#).expect("write");
        for _ in 0..1_000_000 {
            archive.write_all(b"<si><t>x</t></si>").expect("write");
        }
        archive.write_all(b"</sst>").expect("write");
        archive.finish().expect("finish").into_inner()
    };
    import(&app, &app.seller, "strings.xlsx", strings_bomb).await.expect_problem(413, "payload_too_large");

    // Not a workbook at all, or an old format that cannot be read cell by cell.
    import(&app, &app.seller, "garbage.xlsx", b"PK\x03\x04 not really a zip".to_vec())
        .await
        .expect_problem(422, "validation_failed");
    import(&app, &app.seller, "old.xls", vec![0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0])
        .await
        .expect_problem(422, "validation_failed");

    assert_eq!(listed(&app).await, 0, "nothing of any refused file was written");
    still_answers(&app).await;
    // The whole test process (every test running beside this one) stayed far from the
    // gigabytes the files claim.
    if let Some(peak) = peak_resident_kib() {
        assert!(peak < 1_500_000, "peak resident memory {peak} KiB");
    }
}

/// The peak resident memory of this process (Linux), in KiB.
fn peak_resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn csv_rows(count: usize) -> Vec<u8> {
    let mut csv = String::from("title_zh,kind,field\n");
    for n in 0..count {
        csv.push_str(&format!("成果{n},technical_secret,other\n"));
    }
    csv.into_bytes()
}

#[tokio::test]
async fn a_row_flood_is_refused_before_anything_is_written() {
    let app = spawn_app_with(|config| config.import_max_rows = 40).await;
    let refused = import(&app, &app.seller, "flood.csv", csv_rows(41)).await.expect_problem(413, "payload_too_large");
    assert!(refused.body["detail"].as_str().is_some_and(|d| d.contains("40")), "names the limit: {}", refused.body);
    assert_eq!(listed(&app).await, 0, "not one row of the refused file was written");
    // The same as JSON, and a flood far beyond: refused alike.
    let items: Vec<serde_json::Value> =
        (0..41).map(|n| serde_json::json!({"title_zh": format!("成果{n}"), "kind": "technical_secret"})).collect();
    let json = serde_json::to_vec(&items).expect("json");
    import(&app, &app.seller, "flood.json", json).await.expect_problem(413, "payload_too_large");
    import(&app, &app.seller, "flood.csv", csv_rows(100_000)).await.expect_problem(413, "payload_too_large");
    assert_eq!(listed(&app).await, 0);
    // At the limit, every row lands and is reported.
    let report = import(&app, &app.seller, "fits.csv", csv_rows(40)).await.expect(200);
    assert_eq!(report.body["created"], 40);
    assert_eq!(report.body["rows"].as_array().map(Vec::len), Some(40));
    assert_eq!(listed(&app).await, 40);
}

#[tokio::test]
async fn the_import_report_quotes_only_an_excerpt_of_a_cell() {
    let app = spawn_app().await;
    let long_title = "题".repeat(5000);
    let long_flag = "y".repeat(5000);
    let csv = format!("title_zh,patent_granted\n{long_title},{long_flag}\n");
    let report = import(&app, &app.seller, "long.csv", csv.into_bytes()).await.expect(200);
    let row = &report.body["rows"][0];
    assert_eq!(row["outcome"], "rejected");
    assert!(row["title"].as_str().is_some_and(|t| t.chars().count() <= 201), "{}", row["title"]);
    // The message quotes at most 200 characters of the cell, in its own words around them.
    let message = row["errors"][0]["message"].as_str().unwrap_or_default();
    let quoted = message.split(|c| c != 'y').map(str::len).max().unwrap_or(0);
    assert!(message.contains('…') && quoted <= 200, "{message}");
    assert!(message.chars().count() <= 260, "{message}");
    assert!(report.body.to_string().len() < 4000, "the report stays small");
}

#[tokio::test]
async fn concurrent_hostile_imports_leave_the_server_answering() {
    let app = spawn_app().await;
    let corner = corner_cell_workbook();
    let started = Instant::now();
    let imports = (0..6).map(|_| import(&app, &app.seller, "corner.xlsx", corner.clone()));
    let health = async {
        // Meanwhile the server answers others promptly.
        for _ in 0..5 {
            let asked = Instant::now();
            still_answers(&app).await;
            assert!(asked.elapsed() < Duration::from_secs(10), "health took {:?}", asked.elapsed());
        }
    };
    let (replies, ()) = tokio::join!(futures::future::join_all(imports), health);
    for reply in replies {
        reply.expect_problem(413, "payload_too_large");
    }
    assert!(started.elapsed() < PROMPT);
    assert_eq!(listed(&app).await, 0);
}

#[tokio::test]
async fn oversized_and_malformed_uploads_are_problems() {
    let app = spawn_app_with(|config| config.max_upload_bytes = 64 * 1024).await;
    // Larger than the upload limit: 413 problem+json, not a 400 in plain text.
    let big = vec![b'a'; 200 * 1024];
    import(&app, &app.seller, "big.csv", big).await.expect_problem(413, "payload_too_large");
    // Not multipart at all.
    let reply = Reply::from(
        app.request(reqwest::Method::POST, "/api/v1/achievements/import", Some(&app.seller))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    assert_eq!(reply.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    // A multipart body cut short.
    let reply = Reply::from(
        app.request(reqwest::Method::POST, "/api/v1/achievements/import", Some(&app.seller))
            .header("content-type", "multipart/form-data; boundary=XYZ")
            .body("--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\ntitle_zh\r\nA")
            .send()
            .await
            .expect("request"),
    )
    .await;
    reply.expect_problem(400, "malformed_request");
    // A JSON body over the JSON limit is 413 problem+json too.
    let huge = format!("{{\"title_zh\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let reply = Reply::from(
        app.request(reqwest::Method::POST, "/api/v1/achievements", Some(&app.seller))
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .expect("request"),
    )
    .await;
    reply.expect_problem(413, "payload_too_large");
    assert_eq!(listed(&app).await, 0);
    still_answers(&app).await;
}
