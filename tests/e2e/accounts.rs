//! Opening an account in Chromium: an organization applies on `/register`, the center
//! verifies it at its desk, its administrator invites a colleague, who joins from the
//! invitation's link and lands signed in; the business licence goes up from the
//! organization's page and the desk offers it. A forgotten password is reset through the link
//! that arrives by mail.

use crate::driver::launch;
use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn an_organization_registers_is_verified_and_its_invitee_joins_in_the_browser() {
    let app = spawn_app().await;
    let Some(browser) = launch(&app.address).await else {
        return;
    };
    let code = techex_core::CreditCode::from_prefix("91370600MA3HX2605").map(|c| c.to_string()).unwrap_or_default();

    browser.open("/register?lang=en").await;
    browser.type_into("#r-name", "烟台海晟新材料有限公司").await;
    browser.type_into("#r-name_en", "Yantai Haisheng New Materials").await;
    browser.script("document.getElementById('r-kind').value = 'enterprise';").await;
    browser.type_into("#r-credit_code", &code).await;
    browser.script("document.getElementById('r-region').value = '370600';").await;
    browser.type_into("#r-admin_name", "Zhao").await;
    browser.type_into("#r-email", "zhao@haisheng.example.cn").await;
    browser.type_into("#r-password", "haisheng-2026!").await;
    browser.type_into("#r-password_repeat", "haisheng-2026?").await;
    browser.click("#register-submit").await;
    // A mistake comes back beside its field with the rest kept.
    browser.find("#r-password_repeat-error").await;
    assert_eq!(
        browser.script("return document.getElementById('r-credit_code').value;").await.as_str(),
        Some(code.as_str())
    );
    browser.type_into("#r-password", "haisheng-2026!").await;
    browser.type_into("#r-password_repeat", "haisheng-2026!").await;
    browser.click("#register-submit").await;
    browser.wait_for_url("/my/organization").await;
    assert!(browser.text("#org-state").await.contains("Waiting for the center"));

    // Its business licence goes up from the organization's page: a file that only says
    // it is a PDF is refused beside the field, a real one is kept on file.
    let files = tempfile::tempdir().expect("dir");
    let fake = files.path().join("营业执照.pdf");
    std::fs::write(&fake, "not a PDF at all").expect("fake");
    let real = files.path().join("licence.pdf");
    std::fs::write(&real, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .expect("pdf");
    browser.find("#l-file").await.send_keys(&fake.to_string_lossy()).await.expect("choose the file");
    browser.click("#licence-submit").await;
    browser.find("#l-file-error").await;
    browser.find("#l-file").await.send_keys(&real.to_string_lossy()).await.expect("choose the file");
    browser.click("#licence-submit").await;
    browser.wait_until("document.querySelector('#licence-on-file a')", "the licence on file").await;
    assert!(browser.text("#licence-on-file").await.contains("licence.pdf"));
    browser.click("form[action='/sign-out'] button").await;
    browser.find("a[href^='/sign-in']").await;

    // The center verifies it at its desk.
    browser.open("/sign-in?lang=en").await;
    browser.type_into("#email", &app.admin.email).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#sign-in-submit").await;
    browser.find("form[action='/sign-out'] button").await;
    browser.open("/center/organizations?lang=en").await;
    assert!(browser.exists("a[href$='/licence'][download]").await, "the desk offers the applicant's business licence");
    browser.click("button[aria-label='Verify: 烟台海晟新材料有限公司']").await;
    browser.wait_for_url("done=verified").await;
    browser.click("form[action='/sign-out'] button").await;
    browser.find("a[href^='/sign-in']").await;

    // Its administrator sees it verified and invites a colleague.
    browser.open("/sign-in?lang=en&next=/my/organization").await;
    browser.type_into("#email", "zhao@haisheng.example.cn").await;
    browser.type_into("#password", "haisheng-2026!").await;
    browser.click("#sign-in-submit").await;
    browser.wait_for_url("/my/organization").await;
    assert!(browser.text("#org-state").await.contains("Verified by the center"));
    browser.type_into("#i-email", "qian@haisheng.example.cn").await;
    browser.click("#invite-submit").await;
    browser.find("#invitation-made").await;
    let link = browser.script("return document.getElementById('invitation-link').value;").await;
    let link = link.as_str().unwrap_or_default().to_string();
    let path = link.split_once("/invitations/accept").map(|(_, rest)| format!("/invitations/accept{rest}"));
    let path = path.expect("the invitation's link");
    browser.click("form[action='/sign-out'] button").await;
    browser.find("a[href^='/sign-in']").await;

    // The invitee joins from the link and lands signed in, a member of the organization.
    browser.open(&format!("{path}&lang=en")).await;
    assert!(browser.text("main").await.contains("Yantai Haisheng New Materials"));
    browser.type_into("#a-display_name", "Qian").await;
    browser.type_into("#a-password", "Tidal-2031-mint").await;
    browser.type_into("#a-password_repeat", "Tidal-2031-mint").await;
    browser.click("#accept-submit").await;
    browser.wait_for_url("/dashboard").await;
    browser.open("/my/organization?lang=en").await;
    let members = browser.text("table").await;
    assert!(members.contains("Qian") && members.contains("Zhao"), "{members}");
    browser.quit().await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_mailed_link_in_the_browser() {
    let Some((app, inbox)) = crate::inbox::with_smtp().await else {
        return;
    };
    let Some(browser) = launch(&app.address).await else {
        return;
    };
    // An administrator of its own, so that the mail it waits for is its own.
    let email = crate::inbox::unique("forgot");
    let code = techex_core::CreditCode::from_prefix("91370600MA3HX2631").map(|c| c.to_string()).unwrap_or_default();
    app.post(
        "/api/v1/organizations",
        None,
        serde_json::json!({"name": "忘记密码测试单位", "kind": "enterprise", "credit_code": code, "region": "370600",
               "admin": {"email": email, "display_name": "吴工", "password": "Old-pass-2026!"}}),
    )
    .await
    .expect(201);

    // From the sign-in page to the form that mails the link.
    browser.open("/sign-in?lang=zh").await;
    browser.click("a[href='/forgot-password']").await;
    browser.type_into("#f-email", &email).await;
    browser.click("#forgot-submit").await;
    browser.find("#reset-sent").await;

    // The mailed link opens the form; a new password is set once.
    let mail = &inbox.wait_for(&email, "/reset-password?token=", 1).await[0];
    let path = crate::inbox::link(mail, "/reset-password?token=");
    browser.open(&path).await;
    browser.type_into("#p-password", "Kite-2031-river").await;
    browser.type_into("#p-password_repeat", "Kite-2031-river").await;
    browser.click("#reset-submit").await;
    browser.find("#reset-done").await;
    browser.type_into("#email", &email).await;
    browser.type_into("#password", "Kite-2031-river").await;
    browser.click("#sign-in-submit").await;
    browser.find("form[action='/sign-out']").await;
    app.post("/api/v1/auth/login", None, serde_json::json!({"email": email, "password": "Old-pass-2026!"}))
        .await
        .expect_problem(401, "unauthenticated");
    // The link is spent.
    browser.open(&path).await;
    browser.type_into("#p-password", "Other-2031-kite").await;
    browser.type_into("#p-password_repeat", "Other-2031-kite").await;
    browser.click("#reset-submit").await;
    browser.find("#form-error").await;
    browser.quit().await;
}
