//! A seller's portfolio work in the browser: a spreadsheet imported with its per-row
//! report shown on the page (a bad cell named), and a document uploaded to an achievement.

use crate::driver::launch;
use crate::helpers::{PASSWORD, spawn_app, unique_patent_number};

#[tokio::test]
async fn a_seller_imports_a_spreadsheet_and_uploads_a_document() {
    let app = spawn_app().await;
    let Some(browser) = launch(&app.address).await else {
        return;
    };
    let files = tempfile::tempdir().expect("dir");
    let csv = files.path().join("portfolio.csv");
    let good = unique_patent_number();
    std::fs::write(
        &csv,
        format!(
            "成果名称,申请号,成果类型,领域,成熟度,技术成熟度,交易方式,挂牌价,摘要\n\
             一种海水淡化膜,{good},发明专利,new_materials,中试,6,转让,50万,高通量膜材料\n\
             价格写错的行,{good}9,发明专利,new_materials,中试,6,转让,很多钱,摘要\n"
        ),
    )
    .expect("csv");
    browser.open("/sign-in?lang=en").await;
    browser.type_into("#email", &app.seller.email).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#sign-in-submit").await;
    browser.find("form[action='/sign-out']").await;
    browser.open("/my/achievements?lang=en").await;
    assert!(!browser.text("ul.my-achievements").await.contains("一种海水淡化膜"), "not listed before the import");
    browser.script("document.querySelector('#import-form').closest('details').open = true; return true;").await;
    browser.find("#import-file").await.send_keys(&csv.to_string_lossy()).await.expect("choose the file");
    browser.click("#import-form button[type=submit]").await;
    let report = browser.text("#import-report table").await;
    assert!(report.contains("一种海水淡化膜") && report.contains("created"), "{report}");
    assert!(report.contains("rejected") && report.contains("asking_price"), "the bad cell is named: {report}");
    assert!(browser.text("#import-report p").await.contains("created 1"));
    // The list above shows the imported draft without a reload.
    browser
        .wait_until("document.querySelector('ul.my-achievements').textContent.indexOf('一种海水淡化膜') >= 0", "listed")
        .await;
    browser.capture("import-report").await;

    // The imported achievement's edit page takes a document.
    let mine = app.get("/api/v1/achievements?owner=mine", Some(&app.seller)).await.expect(200);
    let id = mine.body["items"][0]["id"].as_str().unwrap_or_default().to_string();
    let pdf = files.path().join("pilot-report.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").expect("pdf");
    browser.open(&format!("/my/achievements/{id}/edit?lang=en")).await;
    browser.find("#doc-file").await.send_keys(&pdf.to_string_lossy()).await.expect("choose the file");
    browser.type_into("#doc-title", "中试报告").await;
    browser.click("#upload-document button[type=submit]").await;
    browser.wait_until("document.querySelector('ul.documents').textContent.indexOf('中试报告') >= 0", "uploaded").await;
    let documents = app.get(&format!("/api/v1/achievements/{id}/documents"), Some(&app.seller)).await.expect(200);
    assert_eq!(documents.body[0]["title"], "中试报告");
    assert_eq!(documents.body[0]["tier"], "nda");
    browser.quit().await;
}
