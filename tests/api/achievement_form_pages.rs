//! The forms of an achievement (`/my/achievements/new`, `/my/achievements/{id}/edit`) and
//! of a demand (`/my/demands`, `?edit=`) carry every field the API takes, in both
//! languages: each test reads the form off the page, fills it in as a person would, sends
//! it as `web/static/workspace.js` does (the JSON body its fields describe, the session
//! cookie and `X-CSRF-Token`), then reads the result back through the JSON API and the
//! edit form.

use crate::helpers::{PASSWORD, Reply, TestApp, spawn_app, unique_patent_number};
use reqwest::Method;
use serde_json::{Map, Value, json};

/// A browser signed in through the sign-in page: its cookies and the CSRF cookie's value.
struct Session<'a> {
    app: &'a TestApp,
    cookies: String,
    csrf: String,
}

impl<'a> Session<'a> {
    async fn sign_in(app: &'a TestApp, email: &str) -> Session<'a> {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let cookie = |response: &reqwest::Response, name: &str| {
            response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
                v.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or_default().to_string())
            })
        };
        let form = client.get(app.url("/sign-in")).send().await.expect("sign-in page");
        let visitor = cookie(&form, "techex_csrf").expect("a CSRF cookie for the form");
        let signed_in = client
            .post(app.url("/sign-in"))
            .header("cookie", format!("techex_csrf={visitor}"))
            .form(&[("email", email), ("password", PASSWORD), ("csrf_token", visitor.as_str())])
            .send()
            .await
            .expect("sign in");
        assert_eq!(signed_in.status(), 303, "{email} signs in");
        let session = cookie(&signed_in, "techex_session").expect("a session cookie");
        let csrf = cookie(&signed_in, "techex_csrf").unwrap_or(visitor);
        Session { app, cookies: format!("techex_session={session}; techex_csrf={csrf}"), csrf }
    }

    /// A page as the browser reads it (escaped characters back to themselves).
    async fn page(&self, path: &str) -> String {
        let response =
            self.app.client.get(self.app.url(path)).header("cookie", &self.cookies).send().await.expect("page");
        assert_eq!(response.status(), 200, "{path}");
        unescape(&response.text().await.unwrap_or_default())
    }

    /// Sends a form as `workspace.js` does; the answer is checked against the OpenAPI
    /// document like every other in the suite.
    async fn submit(&self, form: &Form, lang: &str) -> Reply {
        let method = Method::from_bytes(form.method.as_bytes()).expect("method");
        let mut request = self
            .app
            .client
            .request(method.clone(), self.app.url(&form.api))
            .header("cookie", &self.cookies)
            .header("x-csrf-token", &self.csrf)
            .header("accept-language", lang)
            .json(&form.body());
        if let Some(version) = &form.if_match {
            request = request.header("if-match", version);
        }
        self.app.send(method, &form.api, request).await
    }
}

fn unescape(html: &str) -> String {
    [("&#x27;", "'"), ("&#x2f;", "/"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")]
        .iter()
        .fold(html.to_string(), |text, (entity, c)| text.replace(entity, c))
}

/// The attributes of a tag (`<input a="b" c>` without its `<`), valueless ones as "".
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = tag.split_once(char::is_whitespace).map_or("", |(_, rest)| rest);
    loop {
        rest = rest.trim_start();
        let end = rest.find(|c: char| c == '=' || c == '>' || c.is_whitespace()).unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty() || name == "/" {
            return found;
        }
        rest = &rest[end..];
        let mut value = String::new();
        if let Some(quoted) = rest.strip_prefix("=\"") {
            let close = quoted.find('"').expect("a closing quote");
            value = quoted[..close].to_string();
            rest = &quoted[close + 1..];
        }
        found.push((name.to_string(), value));
    }
}

fn attribute(attributes: &[(String, String)], name: &str) -> Option<String> {
    attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}

/// One field of a form as the page renders it.
#[derive(Debug, Clone)]
struct Field {
    name: String,
    checkbox: bool,
    data_type: String,
    optional: bool,
    value: String,
    checked: bool,
    options: Vec<String>,
}

/// A form of a page: where it sends and its fields in document order.
#[derive(Debug)]
struct Form {
    api: String,
    method: String,
    if_match: Option<String>,
    fields: Vec<Field>,
}

impl Form {
    fn read(html: &str, id: &str) -> Form {
        let start = html.find(&format!("<form id=\"{id}\"")).unwrap_or_else(|| panic!("no form {id} in:\n{html}"));
        let source = &html[start..start + html[start..].find("</form>").expect("the form ends")];
        let head = attributes(&source[1..source.find('>').expect("the form tag ends")]);
        let mut fields = Vec::new();
        for (at, _) in source.match_indices('<') {
            let tag = &source[at + 1..at + source[at..].find('>').expect("a tag ends")];
            let kind = tag.split_whitespace().next().unwrap_or_default();
            if !matches!(kind, "input" | "textarea" | "select") {
                continue;
            }
            let attrs = attributes(tag);
            let Some(name) = attribute(&attrs, "name") else { continue };
            let after = &source[at + tag.len() + 2..];
            let (value, options) = match kind {
                "textarea" => (after[..after.find("</textarea>").expect("textarea ends")].to_string(), Vec::new()),
                "select" => {
                    let options: Vec<(String, bool)> = after[..after.find("</select>").expect("select ends")]
                        .split("<option")
                        .skip(1)
                        .map(|option| {
                            let attrs = attributes(&format!("option{}", &option[..option.find('>').unwrap_or(0)]));
                            (attribute(&attrs, "value").unwrap_or_default(), attribute(&attrs, "selected").is_some())
                        })
                        .collect();
                    let chosen = options.iter().find(|(_, selected)| *selected).or(options.first());
                    (chosen.map(|(v, _)| v.clone()).unwrap_or_default(), options.into_iter().map(|(v, _)| v).collect())
                }
                _ => (attribute(&attrs, "value").unwrap_or_default(), Vec::new()),
            };
            fields.push(Field {
                name,
                checkbox: attribute(&attrs, "type").as_deref() == Some("checkbox"),
                data_type: attribute(&attrs, "data-type").unwrap_or_else(|| "text".into()),
                optional: attribute(&attrs, "data-optional").is_some(),
                checked: attribute(&attrs, "checked").is_some(),
                value,
                options,
            });
        }
        Form {
            api: attribute(&head, "data-api").expect("the form names its endpoint"),
            method: attribute(&head, "data-method").unwrap_or_else(|| "POST".into()),
            if_match: attribute(&head, "data-if-match"),
            fields,
        }
    }

    fn field(&self, name: &str) -> &Field {
        self.fields.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no field {name} in {:?}", self.fields))
    }

    /// Types into a text field, a textarea, or chooses an option of a select.
    fn fill(&mut self, name: &str, value: &str) -> &mut Form {
        let field = self.fields.iter_mut().find(|f| f.name == name && !f.checkbox);
        let field = field.unwrap_or_else(|| panic!("no field {name} to fill"));
        assert!(field.options.is_empty() || field.options.iter().any(|o| o == value), "{name} offers no {value}");
        field.value = value.to_string();
        self
    }

    /// Ticks or clears a checkbox (of a group, the one with `value`).
    fn tick(&mut self, name: &str, value: Option<&str>, on: bool) -> &mut Form {
        let field = self.fields.iter_mut().find(|f| f.name == name && f.checkbox && value.is_none_or(|v| f.value == v));
        field.unwrap_or_else(|| panic!("no checkbox {name} {value:?}")).checked = on;
        self
    }

    /// The JSON body `workspace.js` makes of the form (its `body` function).
    fn body(&self) -> Value {
        let mut out = Map::new();
        for field in &self.fields {
            let raw = field.value.as_str();
            let value = match field.data_type.as_str() {
                "bool" => json!(field.checked),
                "multi" => {
                    let list = out.entry(field.name.clone()).or_insert_with(|| json!([]));
                    if field.checked {
                        list.as_array_mut().expect("an array").push(json!(raw));
                    }
                    continue;
                }
                "list" => json!(
                    raw.split([',', '，', '、', ';', '；', '\n'])
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .collect::<Vec<_>>()
                ),
                _ if raw.is_empty() && field.optional => continue,
                "int" | "yuan" | "percent" | "date" if raw.is_empty() => Value::Null,
                "int" => raw.parse::<i64>().map_or(json!(raw), |n| json!(n)),
                "yuan" | "percent" => raw.parse::<f64>().map_or(json!(raw), |n| json!((n * 100.0).round() as i64)),
                _ => json!(raw),
            };
            out.insert(field.name.clone(), value);
        }
        Value::Object(out)
    }
}

/// The fields the API takes for `schema` (its properties in the OpenAPI document) but
/// `currency`: the pages show and take every price and budget in yuan.
async fn api_fields(app: &TestApp, schema: &str) -> Vec<String> {
    let properties = &app.openapi().await.value()["components"]["schemas"][schema]["properties"];
    let mut names: Vec<String> = properties.as_object().expect("properties").keys().cloned().collect();
    names.sort_unstable();
    assert!(names.len() > 10, "{schema}: {names:?}");
    names
}

/// The names of a form's fields, each once, sorted.
fn sorted_names(form: &Form) -> Vec<String> {
    let mut names: Vec<String> = form.fields.iter().map(|f| f.name.clone()).collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[tokio::test]
async fn an_achievement_is_written_in_both_languages_on_its_form_and_edited_there() {
    let app = spawn_app().await;
    let seller = Session::sign_in(&app, &app.seller.email).await;

    // Every new field has its label in both languages; the NDA is required by default.
    let english = seller.page("/my/achievements/new?lang=en").await;
    for label in [
        "One-line summary in English",
        "Advantage over the alternatives, in Chinese (public)",
        "Advantage over the alternatives, in English (public)",
        "Application scenarios",
        "Technical details in English",
        "Technical details and confidential documents only after the NDA is accepted",
    ] {
        assert!(english.contains(label), "no “{label}” on the English form");
    }
    let chinese = seller.page("/my/achievements/new?lang=zh").await;
    for label in ["英文一句话简介", "中文技术优势（公开）", "英文技术优势（公开）", "应用场景", "英文技术详情"]
    {
        assert!(chinese.contains(label), "no “{label}” on the Chinese form");
    }
    assert!(chinese.contains("技术详情和保密文件须签署保密协议后可见"));
    let mut form = Form::read(&english, "achievement-form");
    assert_eq!(sorted_names(&form), api_fields(&app, "AchievementInput").await, "the form and the API");
    for name in sorted_names(&form).iter().filter(|name| *name != "transaction_modes") {
        let id = field_id(&english, name);
        assert!(english.contains(&format!("<label for=\"{id}\">")), "{name} is labelled");
    }
    assert!(form.field("nda_required").checked, "a new achievement requires the NDA unless unticked");
    assert_eq!((form.method.as_str(), form.api.as_str()), ("POST", "/api/v1/achievements"));

    // Filled in as a person would, with the NDA unticked.
    let patent = unique_patent_number();
    form.fill("title_zh", "一种基于深度学习的海水淡化膜材料制备方法")
        .fill("title_en", "Desalination membranes designed by deep learning")
        .fill("summary_zh", "通量提高35%的抗污染反渗透膜")
        .fill("summary_en", "A fouling-resistant membrane with 35% more flux")
        .fill("abstract_zh", "本发明公开了一种高通量、抗污染的反渗透膜材料。")
        .fill("abstract_en", "A high-flux, fouling-resistant reverse-osmosis membrane.")
        .fill("advantage_zh", "通量提高35%，能耗降低20%")
        .fill("advantage_en", "35% more flux at 20% less energy")
        .fill("application_scenarios", "海水淡化、工业废水回用, brackish water")
        .fill("description_zh", "界面聚合工艺参数：……")
        .fill("description_en", "Interfacial polymerisation at 25 °C for 60 s.")
        .tick("nda_required", None, false)
        .fill("patent_number", &patent)
        .tick("patent_granted", None, true)
        .fill("ipc_codes", "C02F 1/44, B01D 69/12")
        .fill("field", "new_materials")
        .fill("maturity", "pilot")
        .fill("trl", "6")
        .tick("transaction_modes", Some("assignment"), true)
        .tick("transaction_modes", Some("exclusive_license"), true)
        .fill("asking_price_minor", "500000")
        .fill("floor_price_minor", "300000.5")
        .tick("price_negotiable", None, false)
        .fill("inventors", "张伟、李娜")
        .fill("keywords", "海水淡化, desalination");
    let region = form.field("region").options.iter().find(|o| **o != form.field("region").value).cloned();
    let region = region.expect("a second region to choose");
    form.fill("region", &region).fill("currency", "USD");
    let created = seller.submit(&form, "en").await.expect(201);
    let id = created.id();
    let mine = seller.page("/my/achievements?lang=en").await;
    assert!(mine.contains("US$500,000"), "the price is shown in its own currency: {mine}");

    // The API has every field as typed.
    let saved = app.get(&format!("/api/v1/achievements/{id}"), Some(&app.seller)).await.expect(200).body;
    let expected = json!({
        "title_zh": "一种基于深度学习的海水淡化膜材料制备方法",
        "title_en": "Desalination membranes designed by deep learning",
        "summary_zh": "通量提高35%的抗污染反渗透膜",
        "summary_en": "A fouling-resistant membrane with 35% more flux",
        "abstract_zh": "本发明公开了一种高通量、抗污染的反渗透膜材料。",
        "abstract_en": "A high-flux, fouling-resistant reverse-osmosis membrane.",
        "advantage_zh": "通量提高35%，能耗降低20%",
        "advantage_en": "35% more flux at 20% less energy",
        "application_scenarios": ["海水淡化", "工业废水回用", "brackish water"],
        "description_zh": "界面聚合工艺参数：……",
        "description_en": "Interfacial polymerisation at 25 °C for 60 s.",
        "nda_required": false,
        "kind": "invention_patent",
        "patent_number": patent,
        "patent_granted": true,
        "ipc_codes": ["C02F 1/44", "B01D 69/12"],
        "field": "new_materials",
        "maturity": "pilot",
        "trl": 6,
        "transaction_modes": ["assignment", "exclusive_license"],
        "asking_price_minor": 50_000_000,
        "floor_price_minor": 30_000_050,
        "currency": "USD",
        "price_negotiable": false,
        "inventors": ["张伟", "李娜"],
        "keywords": ["海水淡化", "desalination"],
        "region": region,
    });
    for (name, value) in expected.as_object().expect("an object") {
        assert_eq!(&saved[name], value, "{name} in {saved}");
    }

    // The edit form starts from every saved value, the NDA box unticked.
    let edit_path = format!("/my/achievements/{id}/edit?lang=en");
    let mut form = Form::read(&seller.page(&edit_path).await, "achievement-form");
    assert_eq!(form.method, "PATCH");
    assert_eq!(form.if_match.as_deref(), Some(saved["version"].to_string().as_str()));
    for (name, shown) in [
        ("title_en", "Desalination membranes designed by deep learning"),
        ("summary_en", "A fouling-resistant membrane with 35% more flux"),
        ("abstract_en", "A high-flux, fouling-resistant reverse-osmosis membrane."),
        ("advantage_zh", "通量提高35%，能耗降低20%"),
        ("advantage_en", "35% more flux at 20% less energy"),
        ("application_scenarios", "海水淡化, 工业废水回用, brackish water"),
        ("description_zh", "界面聚合工艺参数：……"),
        ("description_en", "Interfacial polymerisation at 25 °C for 60 s."),
        ("floor_price_minor", "300000.5"),
        ("region", region.as_str()),
    ] {
        assert_eq!(form.field(name).value, shown, "{name} on the edit form");
    }
    assert!(!form.field("nda_required").checked && form.field("patent_granted").checked);
    assert!(!form.field("price_negotiable").checked);

    // A mistake in a new field is reported on it, in the words of the other fields.
    form.fill("summary_en", &"x".repeat(201));
    let refused = seller.submit(&form, "en").await.expect(422);
    assert_eq!(refused.error_fields(), ["summary_en"]);
    form.fill("summary_en", "A fouling-resistant membrane").fill("summary_zh", &"长".repeat(201));
    let chinese_refused = seller.submit(&form, "en").await.expect(422);
    assert_eq!(chinese_refused.error_fields(), ["summary_zh"]);
    assert_eq!(refused.body["errors"][0]["detail"], chinese_refused.body["errors"][0]["detail"]);

    // Edited: the NDA ticked again, an English text emptied (cleared), a scenario dropped.
    form.fill("summary_zh", "通量提高35%的抗污染反渗透膜")
        .fill("advantage_en", "")
        .fill("application_scenarios", "海水淡化")
        .fill("description_en", "Interfacial polymerisation, then annealing.")
        .tick("nda_required", None, true);
    let edited = seller.submit(&form, "en").await.expect(200).body;
    assert_eq!(edited["summary_en"], "A fouling-resistant membrane");
    assert_eq!(edited["advantage_en"], Value::Null, "an emptied field is cleared");
    assert_eq!(edited["advantage_zh"], "通量提高35%，能耗降低20%");
    assert_eq!(edited["application_scenarios"], json!(["海水淡化"]));
    assert_eq!(edited["description_en"], "Interfacial polymerisation, then annealing.");
    assert_eq!(edited["nda_required"], true);
    assert_eq!(edited["floor_price_minor"], 30_000_050, "untouched fields stay as they were");
    assert_eq!(edited["region"], region);

    // Unticked on an edit, the box really turns the NDA off.
    let mut form = Form::read(&seller.page(&edit_path).await, "achievement-form");
    assert!(form.field("nda_required").checked && form.field("advantage_en").value.is_empty());
    form.tick("nda_required", None, false);
    assert_eq!(seller.submit(&form, "zh").await.expect(200).body["nda_required"], false);
}

/// The `id` of the field named `name` (to find its label).
fn field_id(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no field {name}"));
    let tag = &html[html[..at].rfind('<').unwrap_or(0) + 1..at];
    attribute(&attributes(&format!("{tag}>")), "id").unwrap_or_default()
}

#[tokio::test]
async fn a_demand_is_written_in_both_languages_on_its_form_and_edited_there() {
    let app = spawn_app().await;
    let buyer = Session::sign_in(&app, &app.buyer.email).await;
    let chinese = buyer.page("/my/demands?lang=zh").await;
    assert!(chinese.contains("中文需求描述") && chinese.contains("英文需求描述"), "{chinese}");
    let english = buyer.page("/my/demands?lang=en").await;
    assert!(english.contains("Description in Chinese") && english.contains("Description in English"));
    let mut form = Form::read(&english, "demand-form");
    assert_eq!(sorted_names(&form), api_fields(&app, "DemandInput").await, "the form and the API");
    for name in sorted_names(&form).iter().filter(|name| *name != "desired_modes") {
        let id = field_id(&english, name);
        assert!(english.contains(&format!("<label for=\"{id}\">")), "{name} is labelled");
    }

    let deadline = (chrono::Utc::now() + chrono::Duration::days(60)).date_naive().to_string();
    let region = form.field("region").options.iter().find(|o| **o != form.field("region").value).cloned();
    let region = region.expect("a second region to choose");
    form.fill("title_zh", "求购耐盐碱水稻种植技术")
        .fill("title_en", "Wanted: salt-tolerant rice cultivation")
        .fill("description_zh", "盐碱地改良，亩产不低于400公斤")
        .fill("description_en", "Saline-alkali land, at least 6 t per hectare")
        .fill("field", "new_materials")
        .fill("keywords", "水稻、saline soil")
        .fill("budget_min_minor", "100000")
        .fill("budget_max_minor", "500000")
        .tick("desired_modes", Some("assignment"), true)
        .fill("deadline", &deadline)
        .fill("region", &region);
    let id = buyer.submit(&form, "en").await.expect(201).id();
    let saved = app.get(&format!("/api/v1/demands/{id}"), Some(&app.buyer)).await.expect(200).body;
    let expected = json!({
        "title_zh": "求购耐盐碱水稻种植技术",
        "title_en": "Wanted: salt-tolerant rice cultivation",
        "description_zh": "盐碱地改良，亩产不低于400公斤",
        "description_en": "Saline-alkali land, at least 6 t per hectare",
        "field": "new_materials",
        "keywords": ["水稻", "saline soil"],
        "budget_min_minor": 10_000_000,
        "budget_max_minor": 50_000_000,
        "desired_modes": ["assignment"],
        "deadline": deadline,
        "region": region,
        "currency": "CNY",
    });
    for (name, value) in expected.as_object().expect("an object") {
        assert_eq!(&saved[name], value, "{name} in {saved}");
    }

    // The draft is listed with a link to its form, which starts from what was saved.
    let list = buyer.page("/my/demands?lang=en").await;
    assert!(list.contains(&format!("href=\"/my/demands?edit={id}#demand-form\"")), "{list}");
    let editing = buyer.page(&format!("/my/demands?edit={id}&lang=en")).await;
    assert!(editing.contains("Edit the demand"));
    let mut form = Form::read(&editing, "demand-form");
    assert_eq!((form.method.as_str(), form.api.clone()), ("PATCH", format!("/api/v1/demands/{id}")));
    assert_eq!(form.if_match.as_deref(), Some(saved["version"].to_string().as_str()));
    for (name, shown) in [
        ("title_en", "Wanted: salt-tolerant rice cultivation"),
        ("description_zh", "盐碱地改良，亩产不低于400公斤"),
        ("description_en", "Saline-alkali land, at least 6 t per hectare"),
        ("keywords", "水稻, saline soil"),
        ("budget_min_minor", "100000"),
        ("budget_max_minor", "500000"),
        ("deadline", deadline.as_str()),
        ("region", region.as_str()),
        ("field", "new_materials"),
    ] {
        assert_eq!(form.field(name).value, shown, "{name} on the edit form");
    }
    assert!(form.fields.iter().any(|f| f.name == "desired_modes" && f.value == "assignment" && f.checked));

    // A mistake is reported on its field; then the English description is rewritten and
    // the English title and the deadline emptied, which clears them.
    form.fill("description_en", &"x".repeat(20_001));
    assert_eq!(buyer.submit(&form, "en").await.expect(422).error_fields(), ["description_en"]);
    form.fill("description_en", "Saline-alkali land, 6 t per hectare or more")
        .fill("title_en", "")
        .fill("deadline", "")
        .fill("currency", "HKD");
    let edited = buyer.submit(&form, "en").await.expect(200).body;
    assert_eq!(edited["currency"], "HKD", "the budget's currency is chosen on the form");
    assert_eq!(edited["description_en"], "Saline-alkali land, 6 t per hectare or more");
    assert_eq!(edited["title_en"], Value::Null);
    assert_eq!(edited["deadline"], Value::Null, "an emptied deadline is cleared");
    assert_eq!(edited["description_zh"], "盐碱地改良，亩产不低于400公斤");
    assert_eq!(edited["budget_max_minor"], 50_000_000);
    let form = Form::read(&buyer.page(&format!("/my/demands?edit={id}")).await, "demand-form");
    assert_eq!(form.field("description_en").value, "Saline-alkali land, 6 t per hectare or more");
    assert_eq!(form.field("currency").value, "HKD");

    // Only the organization's own draft or rejected demand opens in the form.
    app.post_empty(&format!("/api/v1/demands/{id}/submit"), Some(&app.buyer)).await.expect(200);
    for path in [format!("/my/demands?edit={id}"), "/my/demands?edit=nonsense".into()] {
        let form = Form::read(&buyer.page(&path).await, "demand-form");
        assert_eq!((form.method.as_str(), form.api.as_str()), ("POST", "/api/v1/demands"), "{path}");
    }
    let other = Session::sign_in(&app, &app.buyer2.email).await;
    let foreign = Form::read(&other.page(&format!("/my/demands?edit={id}")).await, "demand-form");
    assert_eq!(foreign.api, "/api/v1/demands");
}
