//! A browser's part in a form post, by hand: the cookies a response sets, sent back on
//! the next request, and the sign-in through the page.

use crate::helpers::{PASSWORD, TestApp};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use std::collections::BTreeMap;

/// The `Set-Cookie` lines of a response, by cookie name.
pub fn set_cookies(response: &reqwest::Response) -> BTreeMap<String, String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|line| Some((line.split_once('=')?.0.to_string(), line.to_string())))
        .collect()
}

/// The value of a `Set-Cookie` line.
pub fn value_of(line: &str) -> String {
    line.split_once('=').map(|(_, rest)| rest.split(';').next().unwrap_or("").to_string()).unwrap_or_default()
}

/// The cookies of one browser.
#[derive(Debug, Default, Clone)]
pub struct Jar {
    pub cookies: BTreeMap<String, String>,
}

impl Jar {
    /// Keeps what a response sets (an empty value with `Max-Age=0` removes the cookie).
    pub fn absorb(&mut self, response: &reqwest::Response) {
        for (name, line) in set_cookies(response) {
            let value = value_of(&line);
            if value.is_empty() || line.contains("Max-Age=0") {
                self.cookies.remove(&name);
            } else {
                self.cookies.insert(name, value);
            }
        }
    }

    pub fn header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub fn csrf(&self) -> String {
        self.cookies.get("techex_csrf").cloned().unwrap_or_default()
    }

    pub async fn get(&mut self, app: &TestApp, path: &str) -> reqwest::Response {
        let response = app.client.get(app.url(path)).header(COOKIE, self.header()).send().await.expect("request");
        self.absorb(&response);
        response
    }

    /// Posts a form (`application/x-www-form-urlencoded`) with the cookies.
    pub async fn post_form(&mut self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let response =
            app.client.post(app.url(path)).header(COOKIE, self.header()).form(fields).send().await.expect("request");
        self.absorb(&response);
        response
    }
}

/// Signs in through the page as a browser would; returns the browser's cookies.
pub async fn signed_in(app: &TestApp, email: &str) -> Jar {
    let mut jar = Jar::default();
    jar.get(app, "/sign-in").await;
    let csrf = jar.csrf();
    assert!(!csrf.is_empty(), "the sign-in page sets a CSRF cookie");
    let response = jar
        .post_form(app, "/sign-in", &[("email", email), ("password", PASSWORD), ("csrf_token", &csrf), ("next", "/")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign-in of {email}");
    assert!(jar.cookies.contains_key("techex_session"));
    jar
}
