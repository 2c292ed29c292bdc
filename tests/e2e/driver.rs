//! Headless Debian Chromium through chromedriver, started by the test on a free port.
//!
//! Without chromium the browser tests cannot run: under CI (`CI` set) or with
//! `TECHEX_E2E_REQUIRED=1` (which `scripts/test` exports) that is a failure, otherwise a
//! skip announced on stderr (not captured by the test harness).

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's paths; `TECHEX_CHROMIUM` and `TECHEX_CHROMEDRIVER` name others.
fn program(variable: &str, debian: &str) -> String {
    std::env::var(variable).ok().filter(|p| !p.is_empty()).unwrap_or_else(|| debian.to_string())
}

/// The desktop viewport and the phone viewport the pages must fit.
pub const DESKTOP: (u32, u32) = (1280, 900);
pub const PHONE_WIDTH: u32 = 375;

/// A running chromedriver and one browser session; both end when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    /// The server's origin; every resource a page loads must come from it.
    pub origin: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver runs in a process group of its own with the chromium it started:
        // end the whole group, so no browser outlives a failed test.
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var("TECHEX_E2E_REQUIRED").as_deref() == Ok("1")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// Starts chromedriver and a headless chromium session, or returns `None` (after saying
/// so) when chromium is not installed and the tests are not required.
pub async fn launch(origin: &str) -> Option<Browser> {
    let chromium = program("TECHEX_CHROMIUM", "/usr/bin/chromium");
    let chromedriver = program("TECHEX_CHROMEDRIVER", "/usr/bin/chromedriver");
    let missing: Vec<&str> = [chromium.as_str(), chromedriver.as_str()]
        .into_iter()
        .filter(|path| !std::path::Path::new(path).exists())
        .collect();
    if !missing.is_empty() {
        let message = format!(
            "the browser tests need Debian's chromium and chromium-driver ({} missing): apt-get install chromium chromium-driver",
            missing.join(", ")
        );
        assert!(!required(), "{message}");
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        let _ = writeln!(std::io::stderr(), "SKIPPED: {message}");
        return None;
    }
    let port = free_port();
    let driver = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("chromedriver starts");
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--force-device-scale-factor=1",
                format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
                // Nothing but the page under test may reach the network.
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                "--disable-features=Translate,OptimizationHints,MediaRouter",
            ],
        }),
    );
    let started = Instant::now();
    let client = loop {
        let attempt = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&webdriver)
            .await;
        match attempt {
            Ok(client) => break client,
            Err(error) if started.elapsed() < Duration::from_secs(20) => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("chromedriver did not open a chromium session: {error}"),
        }
    };
    Some(Browser { client, driver, origin: origin.to_string() })
}

/// Where screenshots go: `target/screenshots/` of the repository (ignored by git).
fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("TECHEX_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("screenshots"));
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir
}

impl Browser {
    /// Ends the browser session, then chromedriver.
    pub async fn quit(self) {
        let _ = self.client.clone().close().await;
    }

    pub async fn open(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.origin)).await.expect("navigation");
    }

    /// Signs `who` in from the sign-in page in `lang` (the test accounts' password) and
    /// waits until the page says so.
    pub async fn sign_in(&self, who: &crate::helpers::Account, lang: &str) {
        self.open(&format!("/sign-in?lang={lang}")).await;
        self.type_into("#email", &who.email).await;
        self.type_into("#password", crate::helpers::PASSWORD).await;
        self.click("#sign-in-submit").await;
        self.find("form[action='/sign-out'] button").await;
    }

    /// Signs out from the page's header and waits for the sign-in link.
    pub async fn sign_out(&self) {
        self.click("form[action='/sign-out'] button").await;
        self.find("a[href^='/sign-in']").await;
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(error) => {
                let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
                let source = self.client.source().await.unwrap_or_default();
                panic!("no element `{css}` on {url}: {error}\n{source}")
            }
        }
    }

    /// Waits until the address contains `part` (after a form was submitted).
    pub async fn wait_for_url(&self, part: &str) {
        let started = Instant::now();
        loop {
            let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            if url.contains(part) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "the browser stayed on {url}, not at `{part}`");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Types into a field; an element replaced while the page settles (a stale
    /// reference) is found again.
    pub async fn type_into(&self, css: &str, text: &str) {
        for attempt in 0.. {
            let field = self.find(css).await;
            let typed = match field.clear().await {
                Ok(()) => field.send_keys(text).await,
                Err(error) => Err(error),
            };
            match typed {
                Ok(()) => return,
                Err(error) if is_stale(&error) && attempt < 20 => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(error) => panic!("typing into `{css}`: {error}"),
            }
        }
    }

    /// Clicks an element; one replaced while the page settles is found again.
    pub async fn click(&self, css: &str) {
        for attempt in 0.. {
            match self.find(css).await.click().await {
                Ok(()) => return,
                Err(error) if is_stale(&error) && attempt < 20 => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(error) => panic!("click on `{css}`: {error}"),
            }
        }
    }

    pub async fn script(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.expect("script")
    }

    /// Waits until a condition of the page holds (the workspace forms act through the API
    /// and reload on success); a page being replaced meanwhile reads as "not yet".
    pub async fn wait_until(&self, condition: &str, what: &str) {
        let started = Instant::now();
        let probe = format!("try {{ return !!({condition}); }} catch (e) {{ return false; }}");
        loop {
            if let Ok(holds) = self.client.execute(&probe, Vec::new()).await
                && holds.as_bool() == Some(true)
            {
                return;
            }
            if started.elapsed() > Duration::from_secs(15) {
                let page = self
                    .client
                    .execute(
                        "return Array.prototype.slice.call(document.querySelectorAll('.form-alert, .field-error'))\
                         .map(function (e) { return e.textContent; }).join(' | ') + '\\n' + \
                         document.body.innerText.slice(0, 3000);",
                        Vec::new(),
                    )
                    .await
                    .unwrap_or_default();
                let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
                panic!("{what}: `{condition}` never held on {url}; the page says: {page}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Every resource the page loaded came from this machine.
    pub async fn assert_everything_local(&self) {
        let loaded = self
            .script(
                "return [location.href].concat(performance.getEntriesByType('resource').map(function (e) { return e.name; }));",
            )
            .await;
        let names: Vec<String> = loaded
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        assert!(!names.is_empty());
        // The server under test, or another server on this machine (localstripe's
        // stand-in Stripe.js on the contract page).
        for name in names {
            let local = name.starts_with(&format!("{}/", self.origin)) || name.starts_with("http://127.0.0.1:");
            assert!(local, "a request left the machine: {name}");
        }
    }

    /// Answers the confirm step of an act that cannot be taken back: the dialog says what
    /// happens next (`expected` is part of its text) and its confirm button goes on.
    pub async fn confirm(&self, expected: &str) {
        self.find("#confirm-dialog[open]").await;
        let text = self.text("#confirm-dialog .confirm-text").await;
        assert!(text.contains(expected), "the confirm step says `{expected}`: {text}");
        self.click("#confirm-dialog .confirm-yes").await;
    }

    /// In every `.grid2` of the form, each label sits beside its field (or right above it,
    /// on a phone) and each field's error message sits inside the field's cell, never in
    /// a grid slot of its own; checked from the layout at desktop and at phone width.
    pub async fn assert_labels_beside_fields(&self, form: &str) {
        let check = format!(
            "var form = document.querySelector({form:?}); if (!form) {{ return ['no form']; }}
             var problems = [];
             form.querySelectorAll('.grid2').forEach(function (grid) {{
               Array.prototype.forEach.call(grid.children, function (item) {{
                 if (item.classList.contains('field-error')) {{ problems.push('a message is a grid item: ' + item.textContent); }}
               }});
               grid.querySelectorAll(':scope > label[for]').forEach(function (label) {{
                 var control = document.getElementById(label.htmlFor);
                 var cell = control;
                 while (cell && cell.parentElement !== grid) {{ cell = cell.parentElement; }}
                 if (!cell) {{ problems.push(label.htmlFor + ': the field is not in the grid'); return; }}
                 if (label.nextElementSibling !== cell) {{ problems.push(label.htmlFor + ': the label is not followed by its field'); }}
                 var l = label.getBoundingClientRect(), c = cell.getBoundingClientRect();
                 var middle = (l.top + l.bottom) / 2;
                 var beside = l.right <= c.left + 1 && middle >= c.top - 1 && middle <= c.bottom + 1;
                 var above = l.bottom <= c.top + 1 && c.top - l.bottom < 20 && Math.abs(l.left - c.left) < 8;
                 if (!beside && !above) {{ problems.push(label.htmlFor + ': label at ' + [l.left, l.top] + ', field at ' + [c.left, c.top]); }}
               }});
             }});
             form.querySelectorAll('[aria-invalid=true]').forEach(function (field) {{
               var message = document.getElementById(field.getAttribute('aria-describedby') || '');
               if (!message) {{ problems.push(field.name + ': no message'); return; }}
               var cell = field.closest('.grid2 > *, .milestone-row > label') || field.parentElement;
               if (!cell.contains(message)) {{ problems.push(field.name + ': the message is outside its cell'); }}
               if (message.getBoundingClientRect().top < field.getBoundingClientRect().bottom - 1) {{ problems.push(field.name + ': the message is not below its field'); }}
             }});
             return problems;"
        );
        for width in [DESKTOP.0, PHONE_WIDTH] {
            self.resize(width, DESKTOP.1).await;
            let problems = self.script(&check).await;
            assert_eq!(problems, serde_json::json!([]), "{form} at {width} px");
        }
        self.resize(DESKTOP.0, DESKTOP.1).await;
    }

    /// Makes the window as tall as the page (up to a limit), so a screenshot shows it whole.
    async fn fit_height(&self, width: u32) {
        let height = self.script("return document.documentElement.scrollHeight;").await;
        let height = height.as_u64().and_then(|h| u32::try_from(h).ok()).unwrap_or(DESKTOP.1).clamp(600, 4000);
        self.resize(width, height).await;
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.expect("window size");
    }

    /// Screenshots of the current page at desktop width and at 375 px, where the page must
    /// not be wider than the screen; checks that nothing was loaded from elsewhere.
    pub async fn capture(&self, name: &str) {
        self.assert_everything_local().await;
        let dir = screenshot_dir();
        self.resize(DESKTOP.0, DESKTOP.1).await;
        self.fit_height(DESKTOP.0).await;
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}-desktop.png")), png).expect("write screenshot");
        self.resize(PHONE_WIDTH, 812).await;
        let viewport = self.script("return window.innerWidth;").await;
        assert_eq!(viewport.as_u64(), Some(u64::from(PHONE_WIDTH)), "the window is a phone's width");
        let width = self.script("return document.documentElement.scrollWidth;").await;
        let overflow = self
            .script(
                "var w = document.documentElement.clientWidth; return Array.prototype.slice.call(document.querySelectorAll('body *'))\
                 .filter(function (e) { return e.getBoundingClientRect().right > w + 1; }).slice(0, 5)\
                 .map(function (e) { return e.tagName + '.' + e.className + '#' + e.id; });",
            )
            .await;
        assert!(
            width.as_u64().is_some_and(|w| w <= u64::from(PHONE_WIDTH)),
            "{name} is {width} px wide at {PHONE_WIDTH} px; too wide: {overflow}"
        );
        self.fit_height(PHONE_WIDTH).await;
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}-375.png")), png).expect("write screenshot");
        self.resize(DESKTOP.0, DESKTOP.1).await;
    }
}

/// Whether WebDriver says the element found is no longer in the page.
fn is_stale(error: &fantoccini::error::CmdError) -> bool {
    match error {
        fantoccini::error::CmdError::Standard(e) => {
            e.error == fantoccini::error::ErrorStatus::StaleElementReference
                // Chromium's word for a node of a document the page has just replaced.
                || e.message.contains("does not belong to the document")
        }
        _ => false,
    }
}
