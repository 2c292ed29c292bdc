use crate::helpers::{Reply, TestApp, spawn_app, unique_patent_number};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

async fn import(app: &TestApp, who: &crate::helpers::Account, name: &str, bytes: Vec<u8>) -> Reply {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let response = app
        .request(reqwest::Method::POST, "/api/v1/achievements/import", Some(who))
        .multipart(form)
        .send()
        .await
        .expect("import");
    Reply::from(response).await
}

fn outcomes(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .map(|rows| rows.iter().filter_map(|r| r["outcome"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_spreadsheet_imports_row_by_row_and_reimports_as_updates() {
    let app = spawn_app().await;
    let first = unique_patent_number();
    let second = unique_patent_number();
    let csv = format!(
        "成果名称,英文名称,申请号,成果类型,领域,成熟度,技术成熟度,交易方式,挂牌价,发明人,关键词,摘要\n\
         一种海水淡化膜,Desalination membrane,{first},发明专利,new_materials,中试,6,转让；独占许可,50万,张三、李四,海水淡化,高通量膜材料\n\
         错误的行,,{first}X,发明专利,new_materials,中试,6,转让,abc,,,\n\
         一种光伏清洁机器人,,{second},invention_patent,new_energy,prototype,4,ordinary_license,12000.50,王五,光伏,自动清洁\n\
         重复专利号的另一行,,{first},发明专利,new_materials,中试,6,转让,60万,,,\n"
    );
    let report = import(&app, &app.seller, "portfolio.csv", csv.into_bytes()).await.expect(200);
    assert_eq!(outcomes(&report.body), ["created", "rejected", "created", "updated"]);
    assert_eq!(report.body["created"], 2);
    assert_eq!(report.body["rejected"], 1);
    let rejected = &report.body["rows"][1];
    assert_eq!(rejected["line"], 3);
    let fields: Vec<&str> = rejected["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(fields, ["asking_price"], "cell errors name the column: {rejected}");

    let mine = app.get("/api/v1/achievements?owner=mine", Some(&app.seller)).await.expect(200);
    let items = mine.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "the failed row left nothing behind");
    let membrane = items.iter().find(|i| i["patent_number"] == first.as_str()).cloned().unwrap_or_default();
    assert_eq!(membrane["title_zh"], "重复专利号的另一行", "the later row with the same patent number updated it");
    assert_eq!(membrane["asking_price_minor"], 60_000_000);
    assert_eq!(membrane["transaction_modes"], serde_json::json!(["assignment"]));

    // Another organization cannot take over a listed patent number by importing it.
    let stolen = format!("title_zh,patent_number\n抢注,{first}\n");
    let report = import(&app, &app.other_seller, "x.csv", stolen.into_bytes()).await.expect(200);
    assert_eq!(outcomes(&report.body), ["rejected"]);
    assert!(
        report.body["rows"][0]["errors"][0]["message"].as_str().is_some_and(|m| m.contains("another organization"))
    );

    // A broken file is refused as a whole, naming the problem.
    let broken = import(&app, &app.seller, "x.csv", b"colour,size\nred,big\n".to_vec()).await;
    assert_eq!(broken.expect_problem(422, "validation_failed").error_fields(), ["file"]);
}

#[tokio::test]
async fn xlsx_portfolios_import_and_submit() {
    let app = spawn_app().await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let header = [
        "title_zh",
        "patent_number",
        "kind",
        "field",
        "maturity",
        "trl",
        "transaction_modes",
        "asking_price",
        "abstract_zh",
    ];
    for (column, name) in header.iter().enumerate() {
        sheet.write_string(0, column as u16, *name).expect("header");
    }
    let number = unique_patent_number();
    let row = [
        "一种耐盐碱小麦育种方法",
        number.as_str(),
        "invention_patent",
        "smart_agriculture",
        "pilot",
        "",
        "assignment",
        "",
        "耐盐碱",
    ];
    for (column, value) in row.iter().enumerate() {
        sheet.write_string(1, column as u16, *value).expect("cell");
    }
    sheet.write_number(1, 5, 7.0).expect("trl");
    sheet.write_number(1, 7, 880000.0).expect("price");
    let bytes = workbook.save_to_buffer().expect("xlsx");
    let form = Form::new().part("file", Part::bytes(bytes).file_name("portfolio.xlsx")).text("submit", "true");
    let response = app
        .request(reqwest::Method::POST, "/api/v1/achievements/import", Some(&app.seller))
        .multipart(form)
        .send()
        .await
        .expect("import");
    let report = Reply::from(response).await.expect(200);
    assert_eq!(outcomes(&report.body), ["created"]);
    let id = report.body["rows"][0]["id"].as_str().unwrap_or_default().to_string();
    let imported = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.seller)).await.expect(200);
    assert_eq!(imported.body["status"], "pending_review");
    assert_eq!(imported.body["asking_price_minor"], 88_000_000);
    assert_eq!(imported.body["trl"], 7);
}

#[tokio::test]
async fn a_long_import_runs_as_a_job_with_progress_and_a_report() {
    let app = spawn_app().await;
    let mut csv = String::from("title_zh,kind,field\n");
    for n in 0..300 {
        csv.push_str(&format!("成果{n},technical_secret,other\n"));
    }
    csv.push_str("坏行,spaceship,other\n");
    let send = |bytes: Vec<u8>, name: &'static str| {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name));
        app.request(reqwest::Method::POST, "/api/v1/achievements/import", Some(&app.seller))
            .header("prefer", "respond-async")
            .multipart(form)
            .send()
    };
    let accepted = Reply::from(send(csv.into_bytes(), "many.csv").await.expect("import")).await.expect(202);
    let location = accepted.headers["location"].to_str().unwrap_or_default().to_string();
    assert_eq!(location, format!("/api/v1/imports/{}", accepted.id()));
    assert_eq!(accepted.body["total_rows"], 301);
    app.get(&location, Some(&app.other_seller)).await.expect_problem(404, "not_found");
    let started = std::time::Instant::now();
    let done = loop {
        let job = app.get(&location, Some(&app.seller)).await.expect(200);
        assert_ne!(job.body["status"], "failed", "{}", job.body);
        if job.body["status"] == "done" {
            break job;
        }
        assert!(started.elapsed() < crate::helpers::BACKSTOP, "the job never finished: {}", job.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(done.body["done_rows"], 301);
    assert_eq!(done.body["report"]["created"], 300);
    assert_eq!(done.body["report"]["rejected"], 1);
    assert_eq!(done.body["report"]["rows"].as_array().map(Vec::len), Some(301), "every row is reported");
    let mine = app.get("/api/v1/achievements?owner=mine&limit=100", Some(&app.seller)).await.expect(200);
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(100));
    // A file past a limit never becomes a job.
    let corner = crate::abuse::corner_cell_workbook();
    Reply::from(send(corner, "corner.xlsx").await.expect("import")).await.expect_problem(413, "payload_too_large");
}
