//! An owner's analytics page of a listing and the buyer's way to pass with a reason from
//! the achievement page: what each sees, in both languages, and nothing for others.

use crate::helpers::{TestApp, spawn_app};
use serde_json::json;

async fn page(app: &TestApp, path: &str, who: Option<&crate::helpers::Account>) -> (u16, String) {
    let response = app.request(reqwest::Method::GET, path, who).send().await.expect("page");
    let status = response.status().as_u16();
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = response.text().await.unwrap_or_default().replace("&#x2f;", "/");
    (status, if status == 303 { location } else { body })
}

#[tokio::test]
async fn the_owner_reads_views_inquiries_and_why_buyers_passed() {
    let app = spawn_app().await;
    let id = app.published_achievement(&app.seller, json!({"title_zh": "低温余热发电装置"})).await;

    // A buyer looks, passes with a reason from the page's form, another opens a deal.
    let (status, view) = page(&app, &format!("/achievements/{id}?lang=en"), Some(&app.buyer)).await;
    assert_eq!(status, 200);
    assert!(
        view.contains("id=\"pass-form\"") && view.contains(&format!("data-api=\"/api/v1/achievements/{id}/feedback\""))
    );
    assert!(view.contains("<option value=\"price\">Price too high</option>"), "the reasons in words");
    let (_, own) = page(&app, &format!("/achievements/{id}?lang=en"), Some(&app.seller)).await;
    assert!(!own.contains("id=\"pass-form\""), "the owner does not pass on its own listing");
    app.post(
        &format!("/api/v1/achievements/{id}/feedback"),
        Some(&app.buyer),
        json!({"reason": "price", "comment": "报价高于预算"}),
    )
    .await
    .expect(204);
    app.post("/api/v1/deals", Some(&app.buyer), json!({"achievement_id": id, "inquiry": "请提供中试数据"}))
        .await
        .expect(201);

    let path = format!("/my/achievements/{id}/analytics");
    let (status, zh) = page(&app, &format!("{path}?lang=zh"), Some(&app.seller)).await;
    assert_eq!(status, 200, "{zh}");
    assert!(zh.contains("低温余热发电装置") && zh.contains("价格过高") && zh.contains("报价高于预算"), "{zh}");
    assert!(!zh.contains("price"), "reason codes are words");
    let figures = zh.split("id=\"analytics-figures\"").nth(1).unwrap_or_default();
    assert!(figures.contains("<span class=\"figure\">1</span> 次浏览"), "the buyer's look is counted: {figures}");
    assert!(figures.contains("<span class=\"figure\">1</span> 次咨询"), "{figures}");
    let (_, en) = page(&app, &format!("{path}?lang=en"), Some(&app.seller)).await;
    assert!(en.contains("Why buyers passed") && en.contains("Price too high"));
    let (_, list) = page(&app, "/my/achievements?lang=en", Some(&app.seller)).await;
    assert!(list.contains(&format!("href=\"{path}\"")), "the list links to it");

    // Nobody else learns anything; a visitor is asked to sign in.
    assert_eq!(page(&app, &path, Some(&app.buyer)).await.0, 404);
    assert_eq!(page(&app, &path, Some(&app.other_seller)).await.0, 404);
    assert_eq!(page(&app, "/my/achievements/not-an-id/analytics", Some(&app.seller)).await.0, 404);
    let (status, location) = page(&app, &path, None).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/sign-in?next="), "{location}");
}
