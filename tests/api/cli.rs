//! The `techex` binary itself: seeding the demo, importing and exporting portfolios.

use crate::helpers::{backend, unique_patent_number};
use std::process::Command;

fn techex(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_techex"));
    command.env("TECHEX_DATA_DIR", data_dir).env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    command
}

/// A database for a CLI test: a SQLite file in `dir`, or a scratch PostgreSQL database.
async fn scratch(dir: &std::path::Path) -> (String, Option<techex::scratch::ScratchDatabase>) {
    match backend() {
        "postgres" => {
            let server = std::env::var("TECHEX_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let db = techex::scratch::ScratchDatabase::postgres(&server, "techex_cli")
                .await
                .expect("PostgreSQL is required for this suite");
            (db.url.clone(), Some(db))
        }
        _ => (techex_server::config::default_database_url(dir), None),
    }
}

#[tokio::test]
async fn the_demo_seeds_once_and_its_accounts_sign_in() {
    let dir = tempfile::tempdir().expect("dir");
    let (url, database) = scratch(dir.path()).await;
    let output = techex(dir.path()).env("DATABASE_URL", &url).args(["seed", "--demo"]).output().expect("run techex");
    assert!(output.status.success(), "seed failed: {}", String::from_utf8_lossy(&output.stderr));
    let again = techex(dir.path()).env("DATABASE_URL", &url).args(["seed", "--demo"]).output().expect("run techex");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already"));

    let mut config = techex_server::Config::with_data_dir(dir.path().to_path_buf());
    config.database_url = url.clone();
    config.addr = "127.0.0.1:0".parse().expect("addr");
    let application = techex_server::Application::build(config).await.expect("build");
    let base = format!("http://127.0.0.1:{}", application.port());
    let server = tokio::spawn(application.run_with_shutdown(std::future::pending()));
    let client = reqwest::Client::new();
    let mut buyer_token = String::new();
    for email in [
        "admin@techex.local",
        "reviewer@techex.local",
        "registrar@techex.local",
        "seller@techex.local",
        "buyer@techex.local",
        "broker@techex.local",
    ] {
        let response = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": techex::demo::DEMO_PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 200, "{email}");
        if email == "buyer@techex.local" {
            let body: serde_json::Value = response.json().await.expect("token");
            buyer_token = body["token"].as_str().unwrap_or_default().to_string();
        }
    }
    let deals: serde_json::Value = client
        .get(format!("{base}/api/v1/deals?limit=100"))
        .bearer_auth(&buyer_token)
        .send()
        .await
        .expect("deals")
        .json()
        .await
        .expect("json");
    let states: std::collections::BTreeSet<&str> =
        deals["items"].as_array().map(|d| d.iter().filter_map(|x| x["status"].as_str()).collect()).unwrap_or_default();
    for state in ["agreed", "brokered", "cancelled", "contracted", "inquiry", "negotiating"] {
        assert!(states.contains(state), "a demo deal in the state {state}: {states:?}");
    }
    // A year of history: eight brokers with a track record, 60 and more registered
    // contracts over at least ten months, some completed, some ended by agreement.
    let brokers: serde_json::Value = client
        .get(format!("{base}/api/v1/brokers?limit=100"))
        .send()
        .await
        .expect("brokers")
        .json()
        .await
        .expect("json");
    let brokers = brokers["items"].as_array().cloned().unwrap_or_default();
    assert!(brokers.len() >= 8, "{brokers:?}");
    assert!(brokers.iter().all(|b| b["track_record"]["deals_closed"].as_u64().unwrap_or(0) >= 2), "{brokers:?}");
    let admin_token = {
        let response = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"email": "admin@techex.local", "password": techex::demo::DEMO_PASSWORD}))
            .send()
            .await
            .expect("login");
        let body: serde_json::Value = response.json().await.expect("token");
        body["token"].as_str().unwrap_or_default().to_string()
    };
    let today = chrono::Utc::now().date_naive();
    let year_ago = today - chrono::Duration::days(366);
    let stats = |by: &'static str| {
        let request = client
            .get(format!("{base}/api/v1/stats/contracts?by={by}&from={year_ago}&to={today}"))
            .bearer_auth(&admin_token);
        async move { request.send().await.expect("stats").json::<serde_json::Value>().await.expect("json") }
    };
    let months = stats("month").await;
    let months = months.as_array().cloned().unwrap_or_default();
    let contracts: u64 = months.iter().filter_map(|m| m["contracts"].as_u64()).sum();
    assert!(contracts >= 60 && months.len() >= 10, "{months:?}");
    let statuses = stats("status").await;
    let statuses: Vec<&str> =
        statuses.as_array().map(|s| s.iter().filter_map(|g| g["key"].as_str()).collect()).unwrap_or_default();
    assert!(statuses.contains(&"completed") && statuses.iter().any(|s| s.starts_with("terminated")), "{statuses:?}");
    let auctions: serde_json::Value = client
        .get(format!("{base}/api/v1/auctions?status=open"))
        .send()
        .await
        .expect("auctions")
        .json()
        .await
        .expect("json");
    assert_eq!(auctions["items"][0]["bid_count"], 1);
    let published: serde_json::Value = client
        .get(format!("{base}/api/v1/achievements?limit=100"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(published["items"].as_array().map(Vec::len), Some(100));
    let demands: serde_json::Value =
        client.get(format!("{base}/api/v1/demands")).send().await.expect("list").json().await.expect("json");
    assert!(demands["items"].as_array().is_some_and(|d| !d.is_empty()));
    // Open licensing: four published declarations (one more on the review desk), licences
    // taken, and a royalty licence with its quarters reported.
    let open: serde_json::Value =
        client.get(format!("{base}/api/v1/open-licences")).send().await.expect("list").json().await.expect("json");
    let open = open["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(open.len(), 4, "{open:?}");
    assert!(open.iter().filter(|d| d["licences_taken"].as_u64() == Some(1)).count() >= 1, "{open:?}");
    let seller_token = {
        let response = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"email": "seller@techex.local", "password": techex::demo::DEMO_PASSWORD}))
            .send()
            .await
            .expect("login");
        let body: serde_json::Value = response.json().await.expect("token");
        body["token"].as_str().unwrap_or_default().to_string()
    };
    let income: serde_json::Value = client
        .get(format!("{base}/api/v1/royalties/income"))
        .bearer_auth(&seller_token)
        .send()
        .await
        .expect("income")
        .json()
        .await
        .expect("json");
    assert!(income.as_array().is_some_and(|rows| !rows.is_empty()), "accepted royalty reports: {income}");
    server.abort();
    if let Some(db) = database {
        db.drop_database().await.ok();
    }
}

#[test]
fn import_prints_a_report_and_export_round_trips() {
    let dir = tempfile::tempdir().expect("dir");
    let database = match backend() {
        "postgres" => {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            let server = std::env::var("TECHEX_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            Some(
                runtime
                    .block_on(techex::scratch::ScratchDatabase::postgres(&server, "techex_cli"))
                    .expect("PostgreSQL is required for this suite"),
            )
        }
        _ => None,
    };
    let with_db = |mut command: Command| {
        if let Some(db) = &database {
            command.env("DATABASE_URL", &db.url);
        }
        command
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let org_code = techex_core::CreditCode::from_prefix("12370000MB0200000").map(|c| c.to_string()).unwrap_or_default();
    let url = database
        .as_ref()
        .map(|d| d.url.clone())
        .unwrap_or_else(|| techex_server::config::default_database_url(dir.path()));
    runtime.block_on(async {
        let mut config = techex_server::Config::with_data_dir(dir.path().to_path_buf());
        config.database_url = url.clone();
        let db = techex_server::db::connect(&config).await.expect("connect");
        techex_server::db::migrate(&db).await.expect("migrate");
        techex::bootstrap::organization_with_member(
            &db,
            techex::bootstrap::NewOrganization {
                name: "济南大学",
                kind: techex_core::domain::OrgKind::University,
                credit_code: &org_code,
                region: "370100",
                verified: true,
                email: "tto@ujn.test",
                password: "tto-password-1",
                roles: &[techex_core::Role::Member, techex_core::Role::OrgAdmin],
            },
        )
        .await
        .expect("organization");
        db.close().await.ok();
    });

    let number = unique_patent_number();
    let csv = dir.path().join("portfolio.csv");
    std::fs::write(&csv, format!("title_zh,patent_number,kind,field,asking_price,keywords\n一种建筑垃圾再生骨料,{number},invention_patent,new_materials,30万,再生骨料;建筑垃圾\n坏行,12345,invention_patent,new_materials,,\n")).expect("write");
    let report = dir.path().join("report.csv");
    let output = with_db(techex(dir.path()))
        .args([
            "import",
            csv.to_str().unwrap_or_default(),
            "--org",
            &org_code,
            "--report",
            report.to_str().unwrap_or_default(),
        ])
        .output()
        .expect("run import");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("1 created, 0 updated, 1 rejected"), "{printed}");
    assert!(printed.contains("line     3  REJECTED") && printed.contains("patent_number"), "{printed}");
    assert!(printed.contains("`12345` is not a patent application number"), "the reason in words: {printed}");
    let written = std::fs::read_to_string(&report).expect("report");
    assert!(written.starts_with("line,outcome,id,reasons") && written.contains("3,rejected"));

    let exported = dir.path().join("export.json");
    let output = with_db(techex(dir.path()))
        .args(["export", "--format", "json", "--org", &org_code, "--output", exported.to_str().unwrap_or_default()])
        .output()
        .expect("run export");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&exported).expect("read")).expect("json");
    assert_eq!(json[0]["patent_number"], number.as_str());
    assert_eq!(json[0]["asking_price"], "300000.00");
    assert_eq!(json[0]["keywords"], serde_json::json!(["再生骨料", "建筑垃圾"]));

    // Importing the export again updates the same achievement instead of duplicating it.
    let output = with_db(techex(dir.path()))
        .args(["import", exported.to_str().unwrap_or_default(), "--org", &org_code])
        .output()
        .expect("run import");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("0 created, 1 updated, 0 rejected"));
    let csv_out = with_db(techex(dir.path())).args(["export", "--org", &org_code]).output().expect("run export");
    let text = String::from_utf8_lossy(&csv_out.stdout);
    assert!(text.starts_with("title_zh,title_en"));
    assert_eq!(text.lines().count(), 2, "{text}");

    // The corner-cell workbook is refused by the CLI too, with the limit named, not by an
    // aborted process.
    let corner = dir.path().join("corner.xlsx");
    std::fs::write(&corner, crate::abuse::corner_cell_workbook()).expect("write");
    let output = with_db(techex(dir.path()))
        .args(["import", corner.to_str().unwrap_or_default(), "--org", &org_code])
        .output()
        .expect("run import");
    assert_eq!(output.status.code(), Some(1), "an error exit, not a crash: {output:?}");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("5000") && said.contains("TECHEX_IMPORT_MAX_ROWS"), "{said}");
    if let Some(db) = database {
        runtime.block_on(db.drop_database()).ok();
    }
}

#[test]
fn serve_on_a_busy_port_fails_before_touching_the_database() {
    let dir = tempfile::tempdir().expect("dir");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = busy.local_addr().expect("address").port();
    let output =
        techex(dir.path()).args(["serve", "--addr", &format!("127.0.0.1:{port}")]).output().expect("run serve");
    assert!(!output.status.success(), "the port is taken");
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot listen"), "{output:?}");
    assert!(!dir.path().join("techex.db").exists(), "no database was created, let alone seeded");
}

/// Runs `techex admin create` on `url` with the password piped to standard input, with
/// or without `--password-stdin`.
fn admin_create(
    dir: &std::path::Path,
    url: &str,
    credit_code: &str,
    password: &str,
    flag: bool,
) -> std::process::Output {
    use std::io::Write;
    let mut command = techex(dir);
    command
        .env("DATABASE_URL", url)
        .args([
            "admin",
            "create",
            "--center-name",
            "山东省技术成果交易中心",
            "--center-name-en",
            "Shandong Technology Achievements Trading Center",
            "--credit-code",
            credit_code,
            "--region",
            "济南市",
            "--email",
            "Director@Center.example.cn",
            "--display-name",
            "李主任",
            "--language",
            "en",
        ])
        .args(flag.then_some("--password-stdin"));
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run techex admin create");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(format!("{password}\n").as_bytes()).expect("write the password");
    }
    child.wait_with_output().expect("wait for techex")
}

#[tokio::test]
async fn admin_create_installs_the_center_once_and_its_administrator_runs_it() {
    let dir = tempfile::tempdir().expect("dir");
    let (url, database) = scratch(dir.path()).await;
    let center_code =
        techex_core::CreditCode::from_prefix("12370000MB0300000").map(|c| c.to_string()).unwrap_or_default();

    // A piped password is read without the flag too; a weak one is refused, nothing made.
    let weak = admin_create(dir.path(), &url, &center_code, "password", false);
    assert_eq!(weak.status.code(), Some(1), "a weak password is refused: {weak:?}");
    assert!(String::from_utf8_lossy(&weak.stderr).contains("the password must be at least 10 characters"), "{weak:?}");

    let made = admin_create(dir.path(), &url, &center_code, "center-door-2026!", true);
    assert!(made.status.success(), "admin create failed: {}", String::from_utf8_lossy(&made.stderr));
    let printed = String::from_utf8_lossy(&made.stdout);
    assert!(printed.contains("山东省技术成果交易中心") && printed.contains("director@center.example.cn"), "{printed}");
    assert!(!printed.contains("center-door-2026!") && !String::from_utf8_lossy(&made.stderr).contains("center-door"));

    let again = admin_create(dir.path(), &url, &center_code, "center-door-2026!", true);
    assert_eq!(again.status.code(), Some(1), "a second center is refused: {again:?}");
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("already exists") && said.contains("/invitations"), "{said}");

    // The server on that database, without the demo: the administrator signs in and acts
    // as the center's staff.
    let mut config = techex_server::Config::with_data_dir(dir.path().to_path_buf());
    config.database_url = url.clone();
    config.addr = "127.0.0.1:0".parse().expect("addr");
    let application = techex_server::Application::build(config).await.expect("build");
    let base = format!("http://127.0.0.1:{}", application.port());
    let server = tokio::spawn(application.run_with_shutdown(std::future::pending()));
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "director@center.example.cn", "password": "center-door-2026!"}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let login: serde_json::Value = login.json().await.expect("json");
    let token = login["token"].as_str().unwrap_or_default().to_string();
    let me: serde_json::Value = client
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["organization"]["kind"], "center");
    assert_eq!(me["organization"]["verified"], true);
    assert_eq!(me["organization"]["region"], "370100");
    assert_eq!(me["user"]["language"], "en");
    assert_eq!(me["user"]["roles"], serde_json::json!(["member", "org_admin", "platform_admin"]));
    let center_id = me["organization"]["id"].as_str().unwrap_or_default().to_string();
    // The pages speak the administrator's language when nothing else says which.
    let dashboard = client
        .get(format!("{base}/dashboard"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(dashboard.contains("<html lang=\"en\">"), "{dashboard}");
    let organizations: serde_json::Value =
        client.get(format!("{base}/api/v1/organizations")).send().await.expect("list").json().await.expect("json");
    assert_eq!(organizations["items"].as_array().map(Vec::len), Some(1), "no demo: {organizations}");

    // Staff rights: the whole audit log, verifying an organization, inviting a reviewer.
    let audit: serde_json::Value = client
        .get(format!("{base}/api/v1/audit?action=center.install"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    assert_eq!(audit["items"][0]["entity_id"], center_id.as_str(), "{audit}");
    let enterprise_code =
        techex_core::CreditCode::from_prefix("91370200MA3C5XYW3").map(|c| c.to_string()).unwrap_or_default();
    let registered: serde_json::Value = client
        .post(format!("{base}/api/v1/organizations"))
        .json(&serde_json::json!({
            "name": "青岛蓝海生物科技有限公司", "kind": "enterprise", "credit_code": enterprise_code,
            "region": "青岛市", "admin": {"email": "wang@bluesea.example.cn", "display_name": "王经理", "password": "blue-sea-2026!"}
        }))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("json");
    let enterprise_id = registered["organization"]["id"].as_str().unwrap_or_default();
    let verified = client
        .post(format!("{base}/api/v1/organizations/{enterprise_id}/verify"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("verify");
    assert_eq!(verified.status(), 200);
    let invited = client
        .post(format!("{base}/api/v1/organizations/{center_id}/invitations"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"email": "reviewer@center.example.cn", "roles": ["member", "reviewer"]}))
        .send()
        .await
        .expect("invite");
    assert_eq!(invited.status(), 201);
    server.abort();
    if let Some(db) = database {
        db.drop_database().await.ok();
    }
}
