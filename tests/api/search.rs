use crate::helpers::{spawn_app, unique_patent_number};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn q(text: &str) -> String {
    format!("q={}", urlencode(text))
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn chinese_english_and_mixed_queries_find_the_right_achievements() {
    let app = spawn_app().await;
    let membrane = app
        .publish_plain(
            &app.seller,
            json!({
                "title_zh": "一种海水淡化膜材料的制备方法",
                "title_en": "Preparation of membrane materials for seawater desalination",
                "abstract_zh": "公开了一种反渗透膜材料，通量高、抗污染。",
                "keywords": ["反渗透", "desalination"],
            }),
        )
        .await;
    let learning = app
        .publish_plain(
            &app.other_seller,
            json!({
                "title_zh": "基于深度学习的轴承故障诊断方法",
                "title_en": "Bearing fault diagnosis based on deep learning",
                "abstract_zh": "利用卷积神经网络识别振动信号中的故障特征。",
                "abstract_en": "Convolutional networks recognise fault features in vibration signals.",
                "keywords": ["故障诊断"],
                "field": "high_end_equipment",
            }),
        )
        .await;
    app.wait_indexed().await;

    assert_eq!(app.search_ids(&q("海水淡化")).await, [membrane.clone()]);
    assert_eq!(app.search_ids(&q("深度学习")).await, [learning.clone()]);
    assert_eq!(app.search_ids(&q("membranes")).await, [membrane.clone()], "English is stemmed");
    assert_eq!(app.search_ids(&q("Desalination")).await, [membrane.clone()], "and lower-cased");
    assert_eq!(app.search_ids(&q("深度学习 vibration")).await, [learning.clone()], "mixed Chinese and English");
    let either = app.search_ids(&q("深度学习 desalination")).await;
    assert_eq!(either.len(), 2, "words are ranked, not all required: {either:?}");
    assert!(app.search_ids(&q("量子通信")).await.is_empty());

    let reply = app.search(&q("海水淡化")).await.expect(200);
    let hit = &reply.body["hits"][0];
    assert!(
        hit["title_highlighted"]
            .as_str()
            .is_some_and(|t| t.contains("<mark>海水</mark>") || t.contains("<mark>海水淡化</mark>")),
        "{hit}"
    );
    assert!(hit["score"].as_f64().is_some_and(|s| s > 0.0));
    assert_eq!(hit["owner_name"], "山东大学");
    assert_eq!(reply.body["total"], 1);
    assert!(hit["title"].as_str().is_some_and(|t| t.contains("海水淡化") && !t.contains("<mark>")), "{hit}");
    let english = app.search(&format!("{}&lang=en", q("membranes"))).await.expect(200);
    assert!(
        english.body["hits"][0]["title"]
            .as_str()
            .is_some_and(|t| t == "Preparation of membrane materials for seawater desalination")
    );
    assert!(english.body["hits"][0]["title_highlighted"].as_str().is_some_and(|t| t.contains("<mark>membrane</mark>")));
}

#[tokio::test]
async fn phrases_and_exclusions() {
    let app = spawn_app().await;
    let ro = app
        .publish_plain(
            &app.seller,
            json!({"title_en": "Reverse osmosis membrane with graphene", "title_zh": "石墨烯反渗透膜"}),
        )
        .await;
    let other = app
        .publish_plain(&app.seller, json!({"title_en": "Osmosis reverse flow valve", "title_zh": "反向渗流阀门"}))
        .await;
    let ceramic = app
        .publish_plain(&app.seller, json!({"title_zh": "陶瓷膜反渗透组件", "title_en": "Ceramic membrane module"}))
        .await;
    app.wait_indexed().await;
    let mut both = app.search_ids(&q("reverse osmosis")).await;
    both.sort();
    // The ceramic module is written 反渗透, a synonym of `reverse osmosis`.
    let mut expected = vec![ro.clone(), other.clone(), ceramic.clone()];
    expected.sort();
    assert_eq!(both, expected);
    assert_eq!(app.search_ids(&q("reverse osmosis")).await.first(), Some(&ro), "the words together rank first");
    assert_eq!(app.search_ids(&q("\"reverse osmosis\"")).await, [ro.clone()]);
    let mut membranes = app.search_ids(&q("反渗透")).await;
    membranes.sort();
    let mut expected = vec![ro.clone(), ceramic.clone()];
    expected.sort();
    assert_eq!(membranes, expected);
    assert_eq!(app.search_ids(&q("反渗透 -陶瓷")).await, [ro.clone()]);
    assert_eq!(app.search_ids(&q("membrane -\"ceramic membrane\"")).await, [ro]);
}

#[tokio::test]
async fn bad_syntax_is_a_400_with_the_position() {
    let app = spawn_app().await;
    let reply = app.search(&q("海水 \"淡化")).await.expect_problem(400, "invalid_query");
    assert_eq!(reply.body["position"], 3);
    assert_eq!(reply.error_fields(), ["q"]);
    app.search(&q("膜 - 陶瓷")).await.expect_problem(400, "invalid_query");
    app.search(&q(&"长".repeat(600))).await.expect_problem(400, "invalid_query");
    app.search("sort=random").await.expect_problem(400, "malformed_request");
    app.search("kind=spaceship").await.expect_problem(400, "malformed_request");
    app.search("price_min=100&price_max=1").await.expect_problem(400, "malformed_request");
    app.search("cursor=garbage").await.expect_problem(400, "malformed_request");
    app.search("unknown=1").await.expect_problem(400, "malformed_request");
    // Odd but valid input never fails.
    for odd in ["\"\"\"", "-", "()[]{}", "*?~^", "AND OR NOT", "%%", "🦀", "ZL", "C02F /", "a:b"] {
        let reply = app.search(&q(odd)).await;
        assert!(reply.status == 200 || reply.status == 400, "{odd}: {}", reply.status);
    }
}

#[tokio::test]
async fn patent_numbers_and_ipc_symbols_are_exact_lookups() {
    let app = spawn_app().await;
    let number = unique_patent_number();
    let id = app
        .publish_plain(
            &app.seller,
            json!({"kind": "invention_patent", "patent_number": number, "ipc_codes": ["C02F 1/44", "B01D 69/12"]}),
        )
        .await;
    app.publish_plain(&app.seller, json!({"ipc_codes": ["G06N 3/08"]})).await;
    app.wait_indexed().await;
    assert_eq!(app.search_ids(&q(&number)).await, [id.clone()]);
    assert_eq!(app.search_ids(&q(&format!("ZL{number}"))).await, [id.clone()]);
    let spaced = format!("ZL {} {} {}", &number[..4], &number[4..5], &number[5..]);
    assert_eq!(app.search_ids(&q(&spaced)).await, [id.clone()]);
    assert_eq!(app.search_ids(&q("C02F 1/44")).await, [id.clone()]);
    assert_eq!(app.search_ids(&q("c02f1/44")).await, [id.clone()]);
    assert_eq!(app.search_ids(&q("B01D")).await, [id.clone()], "a subclass finds its groups");
    assert!(app.search_ids(&q("C02F 1/46")).await.is_empty());
}

async fn facet_world(app: &crate::helpers::TestApp) -> Vec<String> {
    let specs = [
        (
            &app.seller,
            json!({"title_zh": "储氢合金 A", "kind": "invention_patent", "field": "hydrogen_energy", "maturity": "pilot", "trl": 6, "transaction_modes": ["assignment"], "asking_price_minor": 10_000_000, "region": "370100"}),
        ),
        (
            &app.seller,
            json!({"title_zh": "储氢合金 B", "kind": "technical_secret", "field": "hydrogen_energy", "maturity": "lab", "trl": 2, "transaction_modes": ["ordinary_license", "assignment"], "asking_price_minor": 30_000_000, "region": "370200"}),
        ),
        (
            &app.other_seller,
            json!({"title_zh": "储氢合金 C", "kind": "invention_patent", "field": "new_materials", "maturity": "pilot", "trl": 7, "transaction_modes": ["equity"], "asking_price_minor": 20_000_000, "region": "370200"}),
        ),
        (
            &app.other_seller,
            json!({"title_zh": "储氢合金 D", "kind": "invention_patent", "field": "new_materials", "maturity": "mass_production", "trl": 9, "transaction_modes": ["assignment"], "asking_price_minor": null, "price_negotiable": true, "region": "370200"}),
        ),
    ];
    let mut ids = Vec::new();
    for (who, mut body) in specs {
        if body["kind"] == "invention_patent" {
            body["patent_number"] = json!(unique_patent_number());
        }
        ids.push(app.publish_plain(who, body).await);
    }
    app.wait_indexed().await;
    ids
}

fn counts(reply: &crate::helpers::Reply, facet: &str) -> Vec<(String, u64)> {
    reply.body["facets"][facet]
        .as_array()
        .map(|values| {
            values
                .iter()
                .map(|v| (v["value"].as_str().unwrap_or("").to_string(), v["count"].as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn every_facet_filters_and_counts_the_current_results() {
    let app = spawn_app().await;
    let ids = facet_world(&app).await;
    let all = app.search(&q("储氢合金")).await.expect(200);
    assert_eq!(all.body["total"], 4);
    assert_eq!(counts(&all, "kind"), [("invention_patent".into(), 3), ("technical_secret".into(), 1)]);
    assert_eq!(counts(&all, "field"), [("hydrogen_energy".into(), 2), ("new_materials".into(), 2)]);
    assert_eq!(counts(&all, "maturity"), [("pilot".into(), 2), ("lab".into(), 1), ("mass_production".into(), 1)]);
    assert_eq!(counts(&all, "mode"), [("assignment".into(), 3), ("equity".into(), 1), ("ordinary_license".into(), 1)]);
    assert_eq!(counts(&all, "region"), [("370200".into(), 3), ("370100".into(), 1)]);
    let orgs = counts(&all, "organization");
    assert_eq!(orgs.len(), 2);
    assert!(orgs.iter().all(|(_, n)| *n == 2));

    let app = &app;
    let by = |filter: &str| {
        let query = format!("{}&{filter}", q("储氢合金"));
        async move { app.search(&query).await }
    };
    let kind = by("kind=technical_secret").await.expect(200);
    assert_eq!(kind.body["total"], 1);
    assert_eq!(counts(&kind, "kind"), [("technical_secret".into(), 1)], "counts follow the filters");
    assert_eq!(by("field=new_materials").await.expect(200).body["total"], 2);
    assert_eq!(by("maturity=pilot").await.expect(200).body["total"], 2);
    assert_eq!(by("mode=assignment").await.expect(200).body["total"], 3);
    assert_eq!(
        by("mode=equity,ordinary_license").await.expect(200).body["total"],
        2,
        "values of one facet are alternatives"
    );
    assert_eq!(by("region=370100").await.expect(200).body["total"], 1);
    assert_eq!(by(&format!("organization={}", app.other_seller.organization_id)).await.expect(200).body["total"], 2);
    assert_eq!(by("field=new_materials&maturity=pilot").await.expect(200).body["total"], 1, "facets combine");
    // An empty query lists with the filters, newest first.
    let listed = app.search("field=hydrogen_energy").await.expect(200);
    let listed_ids: Vec<&str> =
        listed.body["hits"].as_array().map(|h| h.iter().filter_map(|x| x["id"].as_str()).collect()).unwrap_or_default();
    assert_eq!(listed_ids, [ids[1].as_str(), ids[0].as_str()]);
}

#[tokio::test]
async fn price_ranges_and_every_sort() {
    let app = spawn_app().await;
    let ids = facet_world(&app).await;
    let range = app.search_ids(&format!("{}&price_min=15000000&price_max=25000000", q("储氢合金"))).await;
    assert_eq!(range, [ids[2].clone()]);
    let cheap_first = app.search_ids(&format!("{}&sort=price_asc", q("储氢合金"))).await;
    assert_eq!(cheap_first, [ids[0].clone(), ids[2].clone(), ids[1].clone(), ids[3].clone()], "negotiable last");
    let dear_first = app.search_ids(&format!("{}&sort=price_desc", q("储氢合金"))).await;
    assert_eq!(dear_first, [ids[1].clone(), ids[2].clone(), ids[0].clone(), ids[3].clone()]);
    let newest = app.search_ids(&format!("{}&sort=newest", q("储氢合金"))).await;
    assert_eq!(newest, [ids[3].clone(), ids[2].clone(), ids[1].clone(), ids[0].clone()]);
    let relevance = app.search(&format!("{}&sort=relevance", q("储氢合金"))).await.expect(200);
    let scores: Vec<f64> = relevance.body["hits"]
        .as_array()
        .map(|h| h.iter().filter_map(|x| x["score"].as_f64()).collect())
        .unwrap_or_default();
    assert_eq!(scores.len(), 4);
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // The same request gives the same order every time.
    for _ in 0..3 {
        assert_eq!(app.search_ids(&q("储氢合金")).await, app.search_ids(&q("储氢合金")).await);
    }
}

#[tokio::test]
async fn pages_have_no_duplicates_or_gaps() {
    let app = spawn_app().await;
    for index in 0..23 {
        app.publish_plain(&app.seller, json!({"title_zh": format!("钙钛矿太阳能电池 第{index}号"), "asking_price_minor": 1_000_000 + (index % 5) * 100})).await;
    }
    app.wait_indexed().await;
    for sort in ["relevance", "newest", "price_asc", "price_desc"] {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = format!("{}&limit=10&sort={sort}", q("钙钛矿"));
            if let Some(c) = &cursor {
                query.push_str(&format!("&cursor={c}"));
            }
            let page = app.search(&query).await.expect(200);
            assert_eq!(page.body["total"], 23);
            seen.extend(
                page.body["hits"].as_array().into_iter().flatten().filter_map(|h| h["id"].as_str().map(str::to_string)),
            );
            match page.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (23, 23), "{sort}");
    }
}

#[tokio::test]
async fn unpublished_and_other_organizations_drafts_never_appear() {
    let app = spawn_app().await;
    let draft = app.draft_achievement(&app.seller, json!({"title_zh": "机密的氢燃料电池草稿"})).await;
    let pending = app.draft_achievement(&app.seller, json!({"title_zh": "待审核的氢燃料电池"})).await;
    app.post_empty(&format!("/api/v1/achievements/{pending}/submit"), Some(&app.seller)).await.expect(200);
    let published = app.publish_plain(&app.seller, json!({"title_zh": "已发布的氢燃料电池"})).await;
    app.wait_indexed().await;
    assert_eq!(app.search_ids(&q("氢燃料电池")).await, [published.clone()]);
    // Signed in as the owner changes nothing: search shows the market.
    let mine = app.get(&format!("/api/v1/search?{}", q("氢燃料电池")), Some(&app.seller)).await.expect(200);
    assert_eq!(mine.body["total"], 1);
    let listing = app.search("").await.expect(200);
    let ids: Vec<&str> = listing.body["hits"]
        .as_array()
        .map(|h| h.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(!ids.contains(&draft.as_str()) && !ids.contains(&pending.as_str()));
    // The floor price never reaches the index.
    assert!(!listing.body.to_string().contains("floor"));
}

#[tokio::test]
async fn publishing_and_withdrawing_show_in_search_within_a_second() {
    let app = spawn_app().await;
    let id = app.draft_achievement(&app.seller, json!({"title_zh": "一种秸秆还田智能农机"})).await;
    app.post_empty(&format!("/api/v1/achievements/{id}/submit"), Some(&app.seller)).await.expect(200);
    app.post_empty(&format!("/api/v1/achievements/{id}/approve"), Some(&app.reviewer)).await.expect(200);
    let started = Instant::now();
    while app.search_ids(&q("秸秆还田")).await != [id.clone()] {
        assert!(started.elapsed() < Duration::from_secs(1), "not searchable within a second");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.post_empty(&format!("/api/v1/achievements/{id}/withdraw"), Some(&app.seller)).await.expect(200);
    let started = Instant::now();
    while !app.search_ids(&q("秸秆还田")).await.is_empty() {
        assert!(started.elapsed() < Duration::from_secs(1), "still searchable a second after withdrawal");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn demands_are_searchable_and_matched_with_achievements() {
    let app = spawn_app().await;
    let membrane = app
        .publish_plain(
            &app.seller,
            json!({
                "title_zh": "一种海水淡化反渗透膜材料", "keywords": ["海水淡化", "反渗透"], "field": "new_materials",
                "abstract_zh": "高通量抗污染反渗透膜，用于海水淡化与苦咸水处理。"
            }),
        )
        .await;
    let bearing = app.publish_plain(&app.other_seller, json!({"title_zh": "高速轴承故障诊断方法", "keywords": ["轴承"], "field": "high_end_equipment", "abstract_zh": "振动信号分析。"})).await;
    let demand = app.post("/api/v1/demands", Some(&app.buyer), json!({
        "title_zh": "寻求海水淡化膜技术", "description_zh": "我公司计划建设日产万吨海水淡化厂，需要高通量反渗透膜材料。",
        "keywords": ["反渗透", "海水淡化"], "field": "new_materials"
    })).await.expect(201).id();
    app.post_empty(&format!("/api/v1/demands/{demand}/submit"), Some(&app.buyer)).await.expect(200);
    app.post_empty(&format!("/api/v1/demands/{demand}/approve"), Some(&app.reviewer)).await.expect(200);
    app.wait_indexed().await;

    assert_eq!(app.search_ids(&format!("type=demand&{}", q("海水淡化"))).await, [demand.clone()]);
    assert!(app.search_ids(&format!("type=demand&{}", q("轴承"))).await.is_empty());

    let matches = app.get(&format!("/api/v1/demands/{demand}/matches"), None).await.expect(200);
    let first = &matches.body["matches"][0];
    assert_eq!(first["id"], membrane.as_str());
    let terms: Vec<&str> =
        first["matched_terms"].as_array().map(|t| t.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    assert!(terms.contains(&"海水") && terms.contains(&"淡化") && terms.contains(&"反渗透"), "{terms:?}");
    assert_eq!(first["same_field"], true);
    assert!(matches.body["matches"].as_array().is_some_and(|m| {
        m.iter().all(|x| x["id"] != bearing.as_str() || x["score"].as_f64() < first["score"].as_f64())
    }));

    // A demand written only in English finds the listing written only in Chinese through
    // the shipped synonyms (desalination = 海水淡化, reverse osmosis = 反渗透).
    let english = app.post("/api/v1/demands", Some(&app.buyer), json!({
        "title_en": "Seawater desalination by reverse osmosis", "description_en": "A plant needs membranes for desalination.",
        "field": "new_materials"
    })).await.expect(201).id();
    app.post_empty(&format!("/api/v1/demands/{english}/submit"), Some(&app.buyer)).await.expect(200);
    app.post_empty(&format!("/api/v1/demands/{english}/approve"), Some(&app.reviewer)).await.expect(200);
    app.wait_indexed().await;
    let across = app.get(&format!("/api/v1/demands/{english}/matches"), None).await.expect(200);
    assert_eq!(across.body["matches"][0]["id"], membrane.as_str(), "{}", across.body);
    let terms: Vec<&str> = across.body["matches"][0]["matched_terms"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(terms.contains(&"海水淡化") && terms.contains(&"反渗透"), "{terms:?}");

    let similar = app.get(&format!("/api/v1/achievements/{membrane}/similar"), None).await.expect(200);
    assert!(
        similar.body["demands"].as_array().is_some_and(|d| d.iter().any(|x| x["id"] == english.as_str())),
        "{}",
        similar.body
    );
    assert_eq!(similar.body["demands"][0]["id"], demand.as_str(), "{}", similar.body);
    assert!(similar.body["achievements"].as_array().is_some_and(|a| a.iter().all(|x| x["id"] != membrane.as_str())));
    app.get("/api/v1/demands/00000000-0000-7000-8000-000000000000/matches", None)
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn saved_searches_alert_once_for_each_newly_published_match() {
    let app = spawn_app().await;
    // A saved search's parameters are its body: their errors are 422 and point into it.
    let unclosed = app
        .post("/api/v1/saved-searches", Some(&app.buyer), json!({"name": "储氢", "params": {"q": "储氢 \"unclosed"}}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(unclosed.body["errors"][0]["pointer"], "/params/q", "{}", unclosed.body);
    let unknown = app
        .post("/api/v1/saved-searches", Some(&app.buyer), json!({"name": "储氢", "params": {"kind": "zz"}}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(unknown.body["errors"][0]["pointer"], "/params/kind", "{}", unknown.body);
    let nameless = app
        .post("/api/v1/saved-searches", Some(&app.buyer), json!({"name": " ", "params": {"q": "储氢"}}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(nameless.body["errors"][0]["pointer"], "/name", "{}", nameless.body);
    let saved = app
        .post(
            "/api/v1/saved-searches",
            Some(&app.buyer),
            json!({"name": "储氢材料", "params": {"q": "储氢", "field": "hydrogen_energy"}}),
        )
        .await
        .expect(201);
    assert_eq!(saved.body["params"]["q"], "储氢");
    let listed = app.get("/api/v1/saved-searches", Some(&app.buyer)).await.expect(200);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));

    let matching =
        app.publish_plain(&app.seller, json!({"title_zh": "高容量储氢合金", "field": "hydrogen_energy"})).await;
    app.publish_plain(&app.seller, json!({"title_zh": "高容量储氢合金（另一领域）", "field": "new_materials"})).await;
    app.publish_plain(&app.seller, json!({"title_zh": "锂电池正极材料", "field": "hydrogen_energy"})).await;
    app.wait_indexed().await;
    let mut notes = app.get("/api/v1/notifications", Some(&app.buyer)).await.expect(200);
    for _ in 0..50 {
        if notes.body["items"].as_array().is_some_and(|i| !i.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        notes = app.get("/api/v1/notifications", Some(&app.buyer)).await.expect(200);
    }
    let items = notes.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{}", notes.body);
    assert_eq!(items[0]["entity_id"], matching.as_str());
    assert_eq!(items[0]["kind"], "saved_search_match");
    assert_eq!(notes.body["unread"], 1);
    // Worded in the reader's language, linked to the listing by the server.
    assert_eq!(items[0]["title"], "New match for “储氢材料”: 高容量储氢合金", "{}", notes.body);
    assert_eq!(items[0]["link"], format!("/achievements/{matching}"));
    assert_eq!(items[0]["message"]["key"], "notice-saved-search-match");
    let chinese: Value = app
        .request_without_language(reqwest::Method::GET, "/api/v1/notifications", Some(&app.buyer))
        .header("Accept-Language", "zh-CN")
        .send()
        .await
        .expect("notifications in Chinese")
        .json()
        .await
        .expect("json");
    assert_eq!(chinese["items"][0]["title"], "「储氢材料」有新成果：高容量储氢合金", "{chinese}");

    // Withdrawn and republished: still notified only once.
    app.post_empty(&format!("/api/v1/achievements/{matching}/withdraw"), Some(&app.seller)).await.expect(200);
    app.post_empty(&format!("/api/v1/achievements/{matching}/republish"), Some(&app.seller)).await.expect(200);
    app.wait_indexed().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let notes = app.get("/api/v1/notifications", Some(&app.buyer)).await.expect(200);
    assert_eq!(notes.body["items"].as_array().map(Vec::len), Some(1));
    // Other users see none of it; the buyer marks it read.
    let others = app.get("/api/v1/notifications", Some(&app.seller)).await.expect(200);
    assert_eq!(others.body["items"].as_array().map(Vec::len), Some(0));
    let id = items[0]["id"].as_str().unwrap_or_default().to_string();
    app.post_empty(&format!("/api/v1/notifications/{id}/read"), Some(&app.seller))
        .await
        .expect_problem(404, "not_found");
    app.post_empty(&format!("/api/v1/notifications/{id}/read"), Some(&app.buyer)).await.expect(200);
    assert_eq!(app.get("/api/v1/notifications?unread=true", Some(&app.buyer)).await.expect(200).body["unread"], 0);
    let saved_id = saved.id();
    app.delete(&format!("/api/v1/saved-searches/{saved_id}"), &app.seller).await.expect_problem(404, "not_found");
    app.delete(&format!("/api/v1/saved-searches/{saved_id}"), &app.buyer).await.expect(204);
}

#[tokio::test]
async fn a_rebuilt_index_replaces_the_running_one() {
    let app = spawn_app().await;
    let id = app.publish_plain(&app.seller, json!({"title_zh": "海洋牧场监测浮标"})).await;
    app.wait_indexed().await;
    let root = app.data_dir.path().join("search");
    let before = techex_search::service::current_name(&root).expect("current index");
    let (name, documents) = techex_search::rebuild::rebuild(&app.db, &root, |_, _| {}).await.expect("rebuild");
    assert_eq!(documents, 1);
    assert_ne!(name, before);
    // The server switches to the new index on its next round and drops the old one.
    let started = Instant::now();
    while root.join(&before).exists() {
        assert!(started.elapsed() < Duration::from_secs(3), "the server did not switch");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.search_ids(&q("海洋牧场")).await, [id]);
    let later = app.publish_plain(&app.seller, json!({"title_zh": "海洋牧场网箱"})).await;
    app.wait_indexed().await;
    assert!(app.search_ids(&q("海洋牧场")).await.contains(&later));
}

#[tokio::test]
async fn the_search_page_highlights_matches_and_links_facets() {
    let app = spawn_app().await;
    let id = app.publish_plain(&app.seller, json!({"title_zh": "一种海水淡化膜材料", "title_en": "Seawater desalination membrane", "field": "new_materials"})).await;
    app.publish_plain(&app.seller, json!({"title_zh": "轴承故障诊断", "field": "high_end_equipment"})).await;
    app.wait_indexed().await;
    let page = app
        .client
        .get(app.url(&format!("/search?{}", q("海水淡化"))))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains(&format!("/achievements/{id}")), "the hit links to its page");
    assert!(html.contains("<mark>海水</mark>") || html.contains("<mark>海水淡化</mark>"), "matches are marked");
    assert!(html.contains("field=new_materials"), "facet values are links that filter");
    assert!(!html.contains("轴承故障诊断"));
    let english =
        app.client.get(app.url(&format!("/search?{}&lang=en", q("desalination")))).send().await.expect("page");
    let html = english.text().await.unwrap_or_default();
    assert!(html.contains("<mark>desalination</mark>") || html.contains("<mark>Desalination</mark>"), "{html}");
    assert!(html.contains("Matched:") && html.contains("(title)"), "the page says why a hit matched: {html}");
    let broken = app.client.get(app.url(&format!("/search?{}", q("海水 \"淡化")))).send().await.expect("page");
    assert_eq!(broken.status(), 200, "a query that does not parse is explained on the page");
    let html = broken.text().await.unwrap_or_default();
    assert!(html.contains("role=\"alert\""));
    // Worded in the page's language, never as the message's key.
    assert!(html.contains("短语的引号没有闭合") && !html.contains("query-phrase-unclosed"), "{html}");
    let english = app.client.get(app.url(&format!("/search?{}&lang=en", q("海水 \"淡化")))).send().await.expect("page");
    let html = english.text().await.unwrap_or_default();
    assert!(html.contains("is never closed") && !html.contains("query-phrase-unclosed"), "{html}");
    let sorted = app.client.get(app.url("/search?q=x&sort=zzz&lang=en")).send().await.expect("page");
    assert!(!sorted.text().await.unwrap_or_default().contains("value-not-one-of"));
}

/// The ids of a search's hits, in order.
async fn ranked(app: &crate::helpers::TestApp, query: &str) -> Vec<String> {
    app.search_ids(&format!("{}&limit=50", q(query))).await
}

#[tokio::test]
async fn chinese_is_found_below_and_across_word_boundaries() {
    let app = spawn_app().await;
    let battery = app
        .publish_plain(
            &app.seller,
            json!({"title_zh": "高镍三元锂离子电池正极材料的制备方法", "abstract_zh": "提高能量密度与循环寿命。"}),
        )
        .await;
    let psychology = app
        .publish_plain(
            &app.seller,
            json!({"title_zh": "大学生学业评估工具", "abstract_zh": "研究表明自我效能感对学业成绩有显著影响。"}),
        )
        .await;
    let desalination = app
        .publish_plain(
            &app.other_seller,
            json!({"title_zh": "一种基于深度学习的海水淡化膜材料制备方法", "abstract_zh": "膜通量高。"}),
        )
        .await;
    for filler in ["城市轨道交通调度系统", "小麦抗旱品种选育", "海洋牧场水质监测"] {
        app.publish_plain(&app.seller, json!({"title_zh": filler, "abstract_zh": "示范应用。"})).await;
    }
    app.wait_indexed().await;

    assert_eq!(ranked(&app, "锂").await, [battery.clone()], "one character finds the listings that hold it");
    assert_eq!(ranked(&app, "自我效能感").await.first(), Some(&psychology), "a term segmented otherwise in a sentence");
    assert_eq!(ranked(&app, "淡化膜材料制备").await.first(), Some(&desalination), "half a title");
    assert_eq!(ranked(&app, "基于深度学习的海").await.first(), Some(&desalination), "the other half");
    assert_eq!(ranked(&app, "锂离子电").await.first(), Some(&battery), "a half-typed term");
    let deep = app.search(&q("深度学习")).await.expect(200);
    assert_eq!(deep.body["hits"][0]["id"], desalination.as_str());
    assert!(
        deep.body["hits"][0]["title_highlighted"].as_str().is_some_and(|t| t.contains("<mark>深度学习</mark>")),
        "{}",
        deep.body
    );
    // Stopwords alone match nothing rather than everything.
    assert_eq!(app.search(&q("的")).await.expect(200).body["total"], 0);
    assert_eq!(app.search(&q("一种 的")).await.expect(200).body["total"], 0);
    // So do punctuation and a word too long to be indexed (a pasted hash): before, they
    // listed every listing as if no text had been given.
    assert!(app.search(&q("")).await.expect(200).body["total"].as_u64().is_some_and(|n| n >= 6));
    for nothing in ["***", "。，、", &"5a83867805".repeat(7)] {
        assert_eq!(app.search(&q(nothing)).await.expect(200).body["total"], 0, "{nothing}");
    }
}

#[tokio::test]
async fn an_english_question_ranks_the_listing_it_describes_first() {
    let app = spawn_app().await;
    let slab = app
        .publish_plain(
            &app.seller,
            json!({
                "title_en": "Transient heat conduction in composite floor slabs",
                "abstract_en": "An analytical solution for heat conduction through layered composite slabs under fire exposure, validated by furnace tests.",
            }),
        )
        .await;
    for (title, summary) in [
        ("Composite materials for aircraft wings", "Carbon fibre composites with high stiffness."),
        ("Heat pumps for district heating", "A heat pump cycle with low-temperature waste heat."),
        ("Concrete slab formwork system", "Reusable formwork for cast-in-place slabs."),
        ("Electrical conduction in polymer films", "Conductive polymer films for flexible electronics."),
    ] {
        app.publish_plain(&app.seller, json!({"title_en": title, "abstract_en": summary})).await;
    }
    app.wait_indexed().await;
    let question = "what problems of heat conduction in composite slabs have been solved so far";
    let reply = app.search(&format!("{}&lang=en", q(question))).await.expect(200);
    assert_eq!(reply.body["hits"][0]["id"], slab.as_str(), "{}", reply.body);
    // Few listings reach the floor (two of its six words), so those sharing one word
    // follow rather than leaving the page nearly empty.
    assert!(reply.body["total"].as_u64().is_some_and(|t| t >= 4), "{}", reply.body);
    let matched = reply.body["hits"][0]["matched"].as_array().cloned().unwrap_or_default();
    let terms: Vec<&str> = matched.iter().filter_map(|m| m["term"].as_str()).collect();
    for word in ["heat", "conduction", "composite", "slabs"] {
        assert!(terms.contains(&word), "{word} missing from {terms:?}");
    }
    assert!(
        matched
            .iter()
            .any(|m| m["term"] == "heat" && m["fields"].as_array().is_some_and(|f| f.contains(&json!("title")))),
        "{matched:?}"
    );
    // One analysis for the query and the highlight: `battery` marks `batteries`.
    let cells = app
        .publish_plain(&app.seller, json!({"title_en": "Batteries for grid storage", "abstract_en": "Flow batteries."}))
        .await;
    app.wait_indexed().await;
    let battery = app.search(&format!("{}&lang=en", q("battery"))).await.expect(200);
    assert_eq!(battery.body["hits"][0]["id"], cells.as_str());
    assert!(
        battery.body["hits"][0]["title_highlighted"].as_str().is_some_and(|t| t.contains("<mark>Batteries</mark>")),
        "{}",
        battery.body
    );
}

#[tokio::test]
async fn or_plus_minus_and_quotes_let_a_user_be_strict() {
    let app = spawn_app().await;
    let heat = app.publish_plain(&app.seller, json!({"title_en": "Heat exchanger fins"})).await;
    let conduction = app.publish_plain(&app.seller, json!({"title_en": "Conduction cooling plate"})).await;
    let both = app.publish_plain(&app.seller, json!({"title_en": "Heat conduction paste for chips"})).await;
    let neither = app.publish_plain(&app.seller, json!({"title_en": "Solar panel cleaning robot"})).await;
    app.wait_indexed().await;
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    let any = sorted(ranked(&app, "heat OR conduction").await);
    assert_eq!(any, sorted(vec![heat.clone(), conduction.clone(), both.clone()]));
    assert!(!any.contains(&neither));
    assert_eq!(ranked(&app, "heat conduction").await.first(), Some(&both), "more words rank higher");
    assert_eq!(sorted(ranked(&app, "+heat conduction").await), sorted(vec![heat.clone(), both.clone()]));
    assert_eq!(ranked(&app, "heat -paste").await, [heat.clone()]);
    assert_eq!(ranked(&app, "\"heat conduction\"").await, [both.clone()]);
    assert_eq!(ranked(&app, "robot | fins").await.len(), 2);
    // A required or excluded Chinese word is the word as written, not its characters.
    let knife = app.publish_plain(&app.seller, json!({"title_zh": "陶瓷刀具"})).await;
    let module = app.publish_plain(&app.seller, json!({"title_zh": "陶瓷膜组件"})).await;
    app.wait_indexed().await;
    assert_eq!(ranked(&app, "+陶瓷膜").await, [module.clone()]);
    assert_eq!(ranked(&app, "陶瓷 -陶瓷膜").await, [knife.clone()]);
    app.search(&q("heat OR")).await.expect_problem(400, "invalid_query");
}

#[tokio::test]
async fn synonyms_cross_languages_and_labels_are_words() {
    let app = spawn_app().await;
    let chinese_only = app
        .publish_plain(
            &app.seller,
            json!({"title_zh": "废旧锂电池正极材料回收工艺", "abstract_zh": "湿法冶金回收镍钴锰。"}),
        )
        .await;
    let desalination =
        app.publish_plain(&app.seller, json!({"title_zh": "太阳能海水淡化装置", "abstract_zh": "适用于海岛。"})).await;
    let materials = app
        .publish_plain(
            &app.seller,
            json!({"title_zh": "耐高温涂层", "abstract_zh": "用于燃气轮机叶片。", "field": "new_materials", "kind": "invention_patent", "patent_number": unique_patent_number()}),
        )
        .await;
    app.wait_indexed().await;
    assert_eq!(ranked(&app, "lithium-ion battery recycling").await.first(), Some(&chinese_only));
    assert_eq!(ranked(&app, "锂离子电池").await.first(), Some(&chinese_only), "锂电池 = 锂离子电池");
    assert_eq!(ranked(&app, "desalination").await, [desalination.clone()]);
    let reply = app.search(&format!("{}&lang=en", q("desalination"))).await.expect(200);
    let matched = &reply.body["hits"][0]["matched"];
    assert!(matched.as_array().is_some_and(|m| m.iter().any(|t| t["term"] == "海水淡化")), "{matched}");
    assert!(reply.body["hits"][0]["title_highlighted"].as_str().is_some_and(|t| t.contains("<mark>海水淡化</mark>")));
    // The names of a listing's field and kind, in both languages, are words.
    assert!(ranked(&app, "新材料").await.contains(&materials));
    assert_eq!(ranked(&app, "new materials").await.first(), Some(&materials));
    assert_eq!(ranked(&app, "发明专利").await, [materials.clone()]);
}

#[tokio::test]
async fn nda_text_is_found_by_nobody() {
    let app = spawn_app().await;
    for (name, words) in [("secret process", "钯钌催化剂"), ("public process", "加氢工艺")] {
        app.post("/api/v1/saved-searches", Some(&app.buyer), json!({"name": name, "params": {"q": words}}))
            .await
            .expect(201);
    }
    let secret = app
        .publish_plain(
            &app.seller,
            json!({"title_zh": "一种加氢工艺", "abstract_zh": "公开摘要。", "description_zh": "保密内容：钯钌催化剂的配比与焙烧温度。", "description_en": "Confidential: the palladium ruthenium ratio."}),
        )
        .await;
    let probe = app
        .publish_plain(
            &app.other_seller,
            json!({"title_zh": "钯钌催化剂焙烧温度优化", "abstract_zh": "钯钌催化剂的配比。"}),
        )
        .await;
    app.wait_indexed().await;
    assert!(!ranked(&app, "钯钌催化剂").await.contains(&secret), "the confidential description is not searchable");
    assert!(ranked(&app, "palladium ruthenium").await.is_empty());
    assert_eq!(ranked(&app, "加氢工艺").await, [secret.clone()], "its public text is");
    // The public words alert (waited for), the confidential ones never do.
    let deadline = Instant::now() + Duration::from_secs(30);
    let notifications = loop {
        let reply = app.get("/api/v1/notifications", Some(&app.buyer)).await.expect(200);
        if reply.body.to_string().contains("public process") {
            break reply.body;
        }
        assert!(Instant::now() < deadline, "the public saved search never alerted: {}", reply.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let items = notifications["items"].as_array().cloned().unwrap_or_default();
    assert!(
        !items
            .iter()
            .any(|n| n["title"].as_str().is_some_and(|t| t.contains("secret process"))
                && n.to_string().contains(&secret)),
        "an alert leaked the confidential text: {notifications}"
    );
    // Matching reads the same index: the probe about the secret words is not similar to it.
    let similar = app.get(&format!("/api/v1/achievements/{probe}/similar"), None).await.expect(200);
    assert!(!similar.body.to_string().contains(&secret), "{}", similar.body);
}

#[tokio::test]
async fn facets_and_total_agree_with_the_ranked_pages() {
    let app = spawn_app().await;
    for index in 0..14 {
        let field = if index % 2 == 0 { "new_energy" } else { "new_materials" };
        let title = if index % 3 == 0 {
            format!("储能电池热管理系统 {index}")
        } else {
            format!("储能电站调度 {index}")
        };
        app.publish_plain(&app.seller, json!({"title_zh": title, "field": field})).await;
    }
    app.publish_plain(&app.seller, json!({"title_zh": "无关的农业机械"})).await;
    app.wait_indexed().await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut total = None;
    let mut scores = Vec::new();
    loop {
        let mut query = format!("{}&limit=4", q("储能 电池"));
        if let Some(c) = &cursor {
            query.push_str(&format!("&cursor={c}"));
        }
        let page = app.search(&query).await.expect(200);
        let page_total = page.body["total"].as_u64().expect("total");
        assert_eq!(*total.get_or_insert(page_total), page_total, "total is stable across pages");
        let field_counts: u64 =
            page.body["facets"]["field"].as_array().into_iter().flatten().filter_map(|f| f["count"].as_u64()).sum();
        assert_eq!(field_counts, page_total, "every match is counted once in the field facet");
        for hit in page.body["hits"].as_array().into_iter().flatten() {
            seen.push(hit["id"].as_str().unwrap_or_default().to_string());
            scores.push(hit["score"].as_f64().unwrap_or_default());
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(total, Some(14));
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (14, 14), "no duplicates or gaps");
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "pages follow the ranking: {scores:?}");
}

#[tokio::test]
async fn the_centers_synonyms_file_applies_without_a_reindex() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("synonyms.txt");
    std::fs::write(&path, "# the center's own\n海水淡化, desalination\n").expect("write");
    let configured = path.clone();
    let app = crate::helpers::spawn_app_with(move |config| config.search_synonyms = Some(configured)).await;
    let dots = app.publish_plain(&app.seller, json!({"title_zh": "钙钛矿量子点发光材料"})).await;
    app.wait_indexed().await;
    assert!(ranked(&app, "qdotx").await.is_empty());
    std::fs::write(&path, "海水淡化, desalination\n量子点, qdotx\n").expect("write");
    let later = std::time::SystemTime::now() + Duration::from_secs(3);
    std::fs::File::options().write(true).open(&path).and_then(|f| f.set_modified(later)).expect("touch");
    // The file is looked at again at most every two seconds.
    let deadline = Instant::now() + Duration::from_secs(30);
    while ranked(&app, "qdotx").await != [dots.clone()] {
        assert!(Instant::now() < deadline, "the edited synonyms never applied");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_alert_keeps_the_floor_of_a_long_search() {
    let app = spawn_app().await;
    app.post(
        "/api/v1/saved-searches",
        Some(&app.buyer),
        json!({"name": "thermal batteries", "params": {"q": "储能 电池 热管理 液冷"}}),
    )
    .await
    .expect(201);
    // Alerts run after each indexer round, in order: once the close match's alert is
    // there, the loose match's round is long over.
    let loose = app.publish_plain(&app.seller, json!({"title_zh": "一种电池外壳"})).await;
    app.wait_indexed().await;
    let close = app.publish_plain(&app.seller, json!({"title_zh": "储能电池液冷热管理系统"})).await;
    app.wait_indexed().await;
    // Searching shows both (few documents reach the floor), the alert only the close one.
    let found = ranked(&app, "储能 电池 热管理 液冷").await;
    assert_eq!(found.first(), Some(&close));
    assert!(found.contains(&loose));
    let deadline = Instant::now() + Duration::from_secs(30);
    let notifications = loop {
        let reply = app.get("/api/v1/notifications", Some(&app.buyer)).await.expect(200);
        if reply.body.to_string().contains(&close) {
            break reply.body;
        }
        assert!(Instant::now() < deadline, "the close match never alerted: {}", reply.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!notifications.to_string().contains(&loose), "{notifications}");
}
