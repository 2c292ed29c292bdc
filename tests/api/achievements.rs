use crate::helpers::{achievement_body, spawn_app};
use serde_json::json;

#[tokio::test]
async fn a_listed_achievement_goes_through_review_and_is_readable_by_anyone() {
    let app = spawn_app().await;
    let created = app.post("/api/v1/achievements", Some(&app.seller), achievement_body()).await.expect(201);
    let id = created.id();
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["floor_price_minor"], 30_000_000, "the owner sees the floor price");
    assert_eq!(created.headers["etag"], "\"1\"");
    assert_eq!(created.headers["location"], format!("/api/v1/achievements/{id}"));
    assert_eq!(created.body["ipc_codes"], json!(["C02F 1/44", "B01D 69/12"]), "IPC codes are normalized");

    // Nobody outside the seller's organization sees the draft.
    app.get(&format!("/api/v1/achievements/{id}"), None).await.expect_problem(404, "not_found");
    app.get(&format!("/api/v1/achievements/{id}"), Some(&app.buyer)).await.expect_problem(404, "not_found");

    let submitted =
        app.post_if_match(&format!("/api/v1/achievements/{id}/submit"), &app.seller, 1, None).await.expect(200);
    assert_eq!(submitted.body["status"], "pending_review");
    let in_queue = app.get("/api/v1/achievements?status=pending_review", Some(&app.reviewer)).await.expect(200);
    assert!(in_queue.body["items"].as_array().is_some_and(|items| items.iter().any(|i| i["id"] == id.as_str())));

    let approved =
        app.post_if_match(&format!("/api/v1/achievements/{id}/approve"), &app.reviewer, 2, None).await.expect(200);
    assert_eq!(approved.body["status"], "published");
    assert!(approved.body["published_at"].is_string());

    let public = app.get(&format!("/api/v1/achievements/{id}"), None).await.expect(200);
    assert_eq!(public.body["title_zh"], "一种基于深度学习的海水淡化膜材料制备方法");
    assert_eq!(public.body["floor_price_minor"], serde_json::Value::Null, "the floor price stays with the owner");
    assert_eq!(public.body["description_zh"], serde_json::Value::Null, "details wait for the NDA");
    assert_eq!(public.body["access"]["details"], false);
    let listed = app.get("/api/v1/achievements", None).await.expect(200);
    assert!(listed.body["items"].as_array().is_some_and(|items| items.iter().any(|i| i["id"] == id.as_str())));
    assert_eq!(public.body["floor_price_minor"], serde_json::Value::Null);

    let history = app.get(&format!("/api/v1/achievements/{id}/history"), Some(&app.seller)).await.expect(200);
    let actions: Vec<&str> =
        history.body.as_array().map(|h| h.iter().filter_map(|e| e["action"].as_str()).collect()).unwrap_or_default();
    assert_eq!(actions, ["achievement.create", "achievement.submit", "achievement.approve"]);
    let approve_entry = &history.body[2];
    assert_eq!(approve_entry["actor_user_id"], app.reviewer.user_id.to_string());
    assert_eq!(approve_entry["before"]["status"], "pending_review");
    assert_eq!(approve_entry["after"]["status"], "published");
}

#[tokio::test]
async fn rejected_achievements_carry_the_reason_and_return_to_draft_when_edited() {
    let app = spawn_app().await;
    let id = app.draft_achievement(&app.seller, json!({})).await;
    app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller)).await.expect(200);
    app.post(&format!("/api/v1/achievements/{id}/reject"), Some(&app.reviewer), json!({"reason": "  "}))
        .await
        .expect_problem(422, "validation_failed");
    let rejected = app
        .post(&format!("/api/v1/achievements/{id}/reject"), Some(&app.reviewer), json!({"reason": "请补充中试数据"}))
        .await
        .expect(200);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["rejection_reason"], "请补充中试数据");
    // A rejected achievement is revised before it goes back.
    app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller))
        .await
        .expect_problem(409, "invalid_transition");
    let edited =
        app.patch(&format!("/api/v1/achievements/{id}"), &app.seller, None, json!({"trl": 7})).await.expect(200);
    assert_eq!(edited.body["status"], "draft");
    assert_eq!(edited.body["trl"], 7);
    app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller)).await.expect(200);
}

#[tokio::test]
async fn every_illegal_transition_is_409_and_changes_nothing() {
    let app = spawn_app().await;
    let draft = app.draft_achievement(&app.seller, json!({})).await;
    let published = app.published_achievement(&app.seller, json!({})).await;
    let cases = [
        (draft.as_str(), "approve", &app.reviewer),
        (draft.as_str(), "reject", &app.reviewer),
        (draft.as_str(), "withdraw", &app.seller),
        (draft.as_str(), "republish", &app.seller),
        (published.as_str(), "submit", &app.seller),
        (published.as_str(), "approve", &app.reviewer),
        (published.as_str(), "reject", &app.reviewer),
        (published.as_str(), "republish", &app.seller),
    ];
    for (id, action, who) in cases {
        let before = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.seller)).await.expect(200);
        let audit_before = app.audit_count(id).await;
        let reply = app.post(&format!("/api/v1/achievements/{id}/{action}"), Some(who), json!({"reason": "x"})).await;
        let reply = reply.expect_problem(409, "invalid_transition");
        assert!(reply.body["detail"].as_str().is_some_and(|d| d.contains("cannot")), "{action}: {}", reply.body);
        let after = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.seller)).await.expect(200);
        assert_eq!(before.body, after.body, "{action} on {id} changed the achievement");
        assert_eq!(audit_before, app.audit_count(id).await, "{action} on {id} wrote to the audit log");
    }
    // Editing is only for drafts, rejected and withdrawn ones.
    let version = app.get(&format!("/api/v1/achievements/{published}"), Some(&app.seller)).await.version();
    app.patch(&format!("/api/v1/achievements/{published}"), &app.seller, Some(version), json!({"trl": 7}))
        .await
        .expect_problem(409, "invalid_transition");
    // A published achievement cannot be deleted.
    app.delete(&format!("/api/v1/achievements/{published}"), &app.seller)
        .await
        .expect_problem(409, "invalid_transition");
}

#[tokio::test]
async fn roles_and_organizations_bound_what_each_actor_may_do() {
    let app = spawn_app().await;
    let id = app.draft_achievement(&app.seller, json!({})).await;
    app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller)).await.expect(200);

    // A seller cannot approve, not even its own organization's achievement.
    app.post_empty(&format!("/api/v1/achievements/{id}/approve"), Some(&app.seller))
        .await
        .expect_problem(403, "forbidden");
    app.post_empty(&format!("/api/v1/achievements/{id}/approve"), Some(&app.seller_colleague))
        .await
        .expect_problem(403, "forbidden");
    // Another organization does not even learn that the achievement exists.
    app.post_empty(&format!("/api/v1/achievements/{id}/approve"), Some(&app.buyer))
        .await
        .expect_problem(404, "not_found");
    // A reviewer reads it but cannot edit it.
    let seen = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.reviewer)).await.expect(200);
    assert_eq!(seen.body["floor_price_minor"], serde_json::Value::Null, "reviewers do not see the floor price");
    app.patch(&format!("/api/v1/achievements/{id}"), &app.reviewer, None, json!({"trl": 5}))
        .await
        .expect_problem(403, "forbidden");
    // Anonymous writes need a login.
    let anonymous =
        app.post("/api/v1/achievements", None, achievement_body()).await.expect_problem(401, "unauthenticated");
    assert!(anonymous.headers.contains_key("www-authenticate"));

    // A colleague of the seller may act for the organization.
    app.post_empty(&format!("/api/v1/achievements/{id}/withdraw"), Some(&app.seller_colleague)).await.expect(200);

    // Other organizations' drafts never show up in lists, even when asked for.
    let draft = app.draft_achievement(&app.seller, json!({})).await;
    let listed = app
        .get(&format!("/api/v1/achievements?owner={}", app.seller.organization_id), Some(&app.other_seller))
        .await
        .expect(200);
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .map(|i| i.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(!ids.contains(&draft.as_str()) && !ids.contains(&id.as_str()));
    let mine = app.get("/api/v1/achievements?owner=mine&status=draft", Some(&app.seller)).await.expect(200);
    assert!(mine.body["items"].as_array().is_some_and(|i| i.iter().any(|x| x["id"] == draft.as_str())));
}

#[tokio::test]
async fn unverified_organizations_draft_but_cannot_publish() {
    let app = spawn_app().await;
    let id = app.draft_achievement(&app.unverified, json!({})).await;
    let refused = app
        .post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.unverified))
        .await
        .expect_problem(403, "forbidden");
    assert!(refused.body["detail"].as_str().is_some_and(|d| d.contains("verified")));
    let org = app
        .get(&format!("/api/v1/organizations/{}", app.unverified.organization_id), Some(&app.admin))
        .await
        .expect(200);
    app.post_if_match(
        &format!("/api/v1/organizations/{}/verify", app.unverified.organization_id),
        &app.admin,
        org.version(),
        None,
    )
    .await
    .expect(200);
    app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.unverified)).await.expect(200);
}

#[tokio::test]
async fn stale_versions_are_412_and_change_nothing() {
    let app = spawn_app().await;
    let id = app.draft_achievement(&app.seller, json!({})).await;
    app.patch(&format!("/api/v1/achievements/{id}"), &app.seller, Some(1), json!({"trl": 5})).await.expect(200);
    let audit_before = app.audit_count(&id).await;
    let stale = app.patch(&format!("/api/v1/achievements/{id}"), &app.seller, Some(1), json!({"trl": 7})).await;
    let stale = stale.expect_problem(412, "precondition_failed");
    assert!(stale.body["detail"].as_str().is_some_and(|d| d.contains("current version is 2")));
    app.post_if_match(&format!("/api/v1/achievements/{id}/submit"), &app.seller, 1, None)
        .await
        .expect_problem(412, "precondition_failed");
    let current = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.seller)).await.expect(200);
    assert_eq!(current.body["trl"], 5);
    assert_eq!(current.body["status"], "draft");
    assert_eq!(current.version(), 2);
    assert_eq!(app.audit_count(&id).await, audit_before);
    // W/"2" and a bare 2 are understood; garbage is a 400.
    let weak = app
        .request(reqwest::Method::PATCH, &format!("/api/v1/achievements/{id}"), Some(&app.seller))
        .header("If-Match", "W/\"2\"")
        .json(&json!({"trl": 6}))
        .send()
        .await
        .expect("request");
    assert_eq!(weak.status(), 200);
    let garbage = app
        .request(reqwest::Method::PATCH, &format!("/api/v1/achievements/{id}"), Some(&app.seller))
        .header("If-Match", "yesterday")
        .json(&json!({"trl": 6}))
        .send()
        .await
        .expect("request");
    assert_eq!(garbage.status(), 400);
}

#[tokio::test]
async fn concurrent_approvals_of_one_achievement_let_exactly_one_win() {
    let app = spawn_app().await;
    let id = app.draft_achievement(&app.seller, json!({})).await;
    app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller)).await.expect(200);
    let path = format!("/api/v1/achievements/{id}/approve");
    let attempts = (0..8).map(|_| app.post_if_match(&path, &app.reviewer, 2, None));
    let replies = futures::future::join_all(attempts).await;
    let won = replies.iter().filter(|r| r.status == 200).count();
    let lost = replies.iter().filter(|r| r.status == 409 || r.status == 412).count();
    assert_eq!(won, 1, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(lost, 7);
    let history = app.get(&format!("/api/v1/achievements/{id}/history"), Some(&app.seller)).await.expect(200);
    let approvals = history.body.as_array().map(|h| h.iter().filter(|e| e["action"] == "achievement.approve").count());
    assert_eq!(approvals, Some(1));
}

#[tokio::test]
async fn bad_input_is_a_problem_naming_the_field() {
    let app = spawn_app().await;
    let send_raw = |body: &'static str| {
        app.request(reqwest::Method::POST, "/api/v1/achievements", Some(&app.seller))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let malformed = crate::helpers::Reply::from(send_raw("{\"title_zh\": ").await.expect("request")).await;
    malformed.expect_problem(400, "malformed_request");

    let wrong_type = app
        .post(
            "/api/v1/achievements",
            Some(&app.seller),
            json!({"title_zh": "x", "kind": "invention_patent", "field": "new_materials", "trl": "high"}),
        )
        .await;
    let wrong_type = wrong_type.expect_problem(422, "validation_failed");
    assert_eq!(wrong_type.error_fields(), ["trl"]);
    assert_eq!(wrong_type.body["errors"][0]["pointer"], "/trl");

    let mut bad = achievement_body();
    bad["patent_number"] = json!("202210123456.7");
    bad["inventors"] = json!(["张伟", ""]);
    bad["ipc_codes"] = json!(["not an ipc"]);
    bad["asking_price_minor"] = json!(-5);
    bad["trl"] = json!(12);
    bad["field"] = json!("astrology");
    let invalid =
        app.post("/api/v1/achievements", Some(&app.seller), bad).await.expect_problem(422, "validation_failed");
    let mut fields = invalid.error_fields();
    fields.sort();
    assert_eq!(fields, ["asking_price_minor", "field", "inventors[1]", "ipc_codes[0]", "patent_number", "trl"]);
    assert!(invalid.body["errors"].as_array().is_some_and(|e| {
        e.iter()
            .any(|x| x["field"] == "patent_number" && x["detail"].as_str().is_some_and(|d| d.contains("check digit")))
    }));

    let mut inconsistent = achievement_body();
    inconsistent["kind"] = json!("software_copyright");
    inconsistent["maturity"] = json!("lab");
    inconsistent["trl"] = json!(9);
    inconsistent["floor_price_minor"] = json!(60_000_000);
    let reply = app
        .post("/api/v1/achievements", Some(&app.seller), inconsistent)
        .await
        .expect_problem(422, "validation_failed");
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["floor_price_minor", "patent_number", "trl"]);

    let unknown = app
        .post(
            "/api/v1/achievements",
            Some(&app.seller),
            json!({"title_zh": "x", "kind": "invention_patent", "field": "other", "colour": "red"}),
        )
        .await;
    assert_eq!(
        unknown.expect_problem(422, "validation_failed").body["detail"].as_str().map(|d| d.contains("colour")),
        Some(true)
    );

    let not_json = app
        .request(reqwest::Method::POST, "/api/v1/achievements", Some(&app.seller))
        .body("title=x")
        .send()
        .await
        .expect("request");
    crate::helpers::Reply::from(not_json).await.expect_problem(415, "unsupported_media_type");

    let huge = json!({"title_zh": "长".repeat(2 * 1024 * 1024), "kind": "other", "field": "other"});
    app.post("/api/v1/achievements", Some(&app.seller), huge).await.expect_problem(413, "payload_too_large");

    let long_title = json!({"title_zh": "长".repeat(201), "kind": "other", "field": "other"});
    let reply =
        app.post("/api/v1/achievements", Some(&app.seller), long_title).await.expect_problem(422, "validation_failed");
    assert_eq!(reply.error_fields(), ["title_zh"]);

    app.get("/api/v1/achievements/not-a-uuid", None).await.expect_problem(404, "not_found");
    app.get("/api/v1/achievements?limit=1000", None).await.expect_problem(400, "malformed_request");
    app.get("/api/v1/achievements?kind=spaceship", None).await.expect_problem(400, "malformed_request");
    app.get("/api/v1/achievements?cursor=%%%", None).await.expect_problem(400, "malformed_request");

    // Nothing of the above was stored.
    let mine = app.get("/api/v1/achievements?owner=mine", Some(&app.seller)).await.expect(200);
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn patent_numbers_are_canonical_and_unique() {
    let app = spawn_app().await;
    let created = app.post("/api/v1/achievements", Some(&app.seller), json!({
        "title_zh": "一种光伏组件清洁机器人", "kind": "invention_patent", "field": "new_energy", "patent_number": "ZL 2017 1 0601862.3"
    })).await.expect(201);
    assert_eq!(created.body["patent_number"], "201710601862.3");
    assert_eq!(created.body["patent_granted"], true);
    let duplicate = app
        .post(
            "/api/v1/achievements",
            Some(&app.other_seller),
            json!({
                "title_zh": "重复", "kind": "invention_patent", "field": "new_energy", "patent_number": "201710601862.3"
            }),
        )
        .await;
    duplicate.expect_problem(409, "conflict");
    // A utility-model number does not fit an invention patent.
    let mismatch = app.post("/api/v1/achievements", Some(&app.seller), json!({
        "title_zh": "错配", "kind": "invention_patent", "field": "new_energy",
        "patent_number": techex_core::PatentNumber::from_digits("202220123456").map(|p| p.application_number()).unwrap_or_default()
    })).await.expect_problem(422, "validation_failed");
    assert_eq!(mismatch.error_fields(), ["patent_number"]);
}

#[tokio::test]
async fn withdrawn_achievements_leave_the_market_and_return_unchanged_or_through_review() {
    let app = spawn_app().await;
    let id = app.published_achievement(&app.seller, json!({})).await;
    app.post_empty(&format!("/api/v1/achievements/{id}/withdraw"), Some(&app.seller)).await.expect(200);
    app.get(&format!("/api/v1/achievements/{id}"), Some(&app.buyer)).await.expect_problem(404, "not_found");
    let republished =
        app.post_empty(&format!("/api/v1/achievements/{id}/republish"), Some(&app.seller)).await.expect(200);
    assert_eq!(republished.body["status"], "published");
    app.get(&format!("/api/v1/achievements/{id}"), Some(&app.buyer)).await.expect(200);

    app.post_empty(&format!("/api/v1/achievements/{id}/withdraw"), Some(&app.seller)).await.expect(200);
    app.patch(&format!("/api/v1/achievements/{id}"), &app.seller, None, json!({"asking_price_minor": 40_000_000}))
        .await
        .expect(200);
    app.post_empty(&format!("/api/v1/achievements/{id}/republish"), Some(&app.seller))
        .await
        .expect_problem(409, "conflict");
    let resubmitted = app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller)).await.expect(200);
    assert_eq!(resubmitted.body["status"], "pending_review");
}

#[tokio::test]
async fn submitting_needs_a_complete_listing() {
    let app = spawn_app().await;
    let id = app
        .post(
            "/api/v1/achievements",
            Some(&app.seller),
            json!({"title_en": "Bare idea", "kind": "invention_patent", "field": "other"}),
        )
        .await
        .expect(201)
        .id();
    let reply = app
        .post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller))
        .await
        .expect_problem(422, "validation_failed");
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["abstract_zh", "asking_price_minor", "maturity", "patent_number", "transaction_modes"]);
    let draft = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.seller)).await.expect(200);
    assert_eq!(draft.body["status"], "draft");
    // Drafts that never went public can be deleted.
    app.delete(&format!("/api/v1/achievements/{id}"), &app.seller).await.expect(204);
    app.get(&format!("/api/v1/achievements/{id}"), Some(&app.seller)).await.expect_problem(404, "not_found");
}

#[tokio::test]
async fn pages_of_a_list_never_repeat_or_skip() {
    let app = spawn_app().await;
    let mut expected = Vec::new();
    for index in 0..23 {
        let id = app.draft_achievement(&app.seller, json!({"title_zh": format!("成果 {index}")})).await;
        expected.push(id);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/achievements?owner=mine&limit=10&cursor={c}"),
            None => "/api/v1/achievements?owner=mine&limit=10".to_string(),
        };
        let page = app.get(&path, Some(&app.seller)).await.expect(200);
        let items = page.body["items"].as_array().cloned().unwrap_or_default();
        assert!(items.len() <= 10);
        seen.extend(items.iter().filter_map(|i| i["id"].as_str().map(str::to_string)));
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    expected.reverse();
    assert_eq!(seen, expected, "newest first, every item exactly once");
}

#[tokio::test]
async fn the_nda_opens_the_details_and_is_recorded_with_its_hash() {
    let app = spawn_app().await;
    let id = app.published_achievement(&app.seller, json!({})).await;
    let nda = app.get(&format!("/api/v1/achievements/{id}/nda"), Some(&app.buyer)).await.expect(200);
    assert_eq!(nda.body["accepted"], false);
    let text = nda.body["text"].as_str().unwrap_or_default();
    assert!(text.contains("保密协议") && text.contains("Non-Disclosure Agreement"));
    let sha = nda.body["sha256"].as_str().unwrap_or_default().to_string();
    assert_eq!(sha.len(), 64);

    app.post(&format!("/api/v1/achievements/{id}/nda"), Some(&app.buyer), json!({"sha256": "0".repeat(64)}))
        .await
        .expect_problem(422, "validation_failed");
    app.post(&format!("/api/v1/achievements/{id}/nda"), Some(&app.seller), json!({"sha256": sha}))
        .await
        .expect_problem(409, "conflict");
    app.post(&format!("/api/v1/achievements/{id}/nda"), Some(&app.unverified), json!({"sha256": sha}))
        .await
        .expect_problem(403, "forbidden");
    let accepted =
        app.post(&format!("/api/v1/achievements/{id}/nda"), Some(&app.buyer), json!({"sha256": sha})).await.expect(200);
    assert_eq!(accepted.body["accepted"], true);

    let detailed = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.buyer)).await.expect(200);
    assert_eq!(detailed.body["description_zh"], "详细技术方案：界面聚合工艺参数……");
    assert_eq!(detailed.body["access"]["nda_accepted"], true);
    assert_eq!(detailed.body["floor_price_minor"], serde_json::Value::Null, "an NDA does not reveal the floor price");
    // Another organization still does not see the details.
    let other = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.other_seller)).await.expect(200);
    assert_eq!(other.body["description_zh"], serde_json::Value::Null);
    // Accepting again is harmless and recorded once.
    app.post(&format!("/api/v1/achievements/{id}/nda"), Some(&app.buyer), json!({"sha256": sha})).await.expect(200);
    let history = app.get(&format!("/api/v1/achievements/{id}/history"), Some(&app.seller)).await.expect(200);
    let entries: Vec<&serde_json::Value> = history
        .body
        .as_array()
        .map(|h| h.iter().filter(|e| e["action"] == "achievement.nda_accept").collect())
        .unwrap_or_default();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["after"]["nda_sha256"], sha.as_str());
}
