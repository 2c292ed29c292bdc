//! The test SMTP server's mailbox: aiosmtpd on loopback, which `scripts/test` starts and
//! names in `TECHEX_TEST_SMTP_URL`, filing every mail into the Maildir
//! `TECHEX_TEST_MAILDIR`, where tests read them; shared by the API and browser suites.
//! Without it, tests that need it fail under CI (`CI` set) or with
//! `TECHEX_E2E_REQUIRED=1`, and are skipped, said on stderr, otherwise.

use crate::helpers::{TestApp, spawn_app_with};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn required() -> bool {
    std::env::var("CI").is_ok() || std::env::var("TECHEX_E2E_REQUIRED").is_ok_and(|v| v == "1")
}

/// The SMTP server and its Maildir, or `None` (said on stderr) when not there and not required.
pub(crate) fn smtp() -> Option<(String, PathBuf)> {
    let url = std::env::var("TECHEX_TEST_SMTP_URL").ok().filter(|u| !u.trim().is_empty());
    let maildir = std::env::var("TECHEX_TEST_MAILDIR").ok().filter(|d| !d.trim().is_empty());
    match (url, maildir) {
        (Some(url), Some(dir)) => Some((url, PathBuf::from(dir))),
        _ if required() => panic!(
            "TECHEX_TEST_SMTP_URL and TECHEX_TEST_MAILDIR are not set, and CI or TECHEX_E2E_REQUIRED=1 requires \
             the e-mail tests: scripts/test starts aiosmtpd and sets them"
        ),
        _ => {
            eprintln!("skipping an e-mail test: TECHEX_TEST_SMTP_URL is not set (scripts/test starts aiosmtpd)");
            None
        }
    }
}

/// The Maildir as a test sees it: the mails filed since it started.
pub(crate) struct Inbox {
    dir: PathBuf,
    before: HashSet<PathBuf>,
}

impl Inbox {
    pub(crate) fn open(dir: PathBuf) -> Self {
        let before = Self::files(&dir).into_iter().collect();
        Inbox { dir, before }
    }

    fn files(dir: &std::path::Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir.join("new"))
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    }

    /// The new mails to `recipient`: their headers and decoded body.
    pub(crate) fn to(&self, recipient: &str) -> Vec<String> {
        Self::files(&self.dir)
            .into_iter()
            .filter(|path| !self.before.contains(path))
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .filter(|mail| mail.lines().any(|l| l.starts_with("X-RcptTo:") && l.contains(recipient)))
            .map(|mail| decoded(&mail))
            .collect()
    }

    /// Waits for the `count`th mail to `recipient` that contains `marker`.
    pub(crate) async fn wait_for(&self, recipient: &str, marker: &str, count: usize) -> Vec<String> {
        let started = Instant::now();
        loop {
            let found: Vec<String> = self.to(recipient).into_iter().filter(|m| m.contains(marker)).collect();
            if found.len() >= count {
                return found;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no mail to {recipient} with `{marker}` within 30 s; mails to it: {:?}",
                self.to(recipient)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A mail with its body decoded as a mail reader shows it (lettre picks base64 or
/// quoted-printable for non-ASCII text).
fn decoded(mail: &str) -> String {
    let (headers, body) = mail.split_once("\n\n").unwrap_or((mail, ""));
    let encoding = headers
        .lines()
        .find_map(|l| l.strip_prefix("Content-Transfer-Encoding:"))
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let body = match encoding.as_str() {
        "base64" => {
            use base64::Engine;
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        "quoted-printable" => {
            let raw = body.replace("=\r\n", "").replace("=\n", "").into_bytes();
            let mut bytes = Vec::new();
            let mut i = 0;
            while i < raw.len() {
                let hex = raw.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) if raw[i] == b'=' => {
                        bytes.push(byte);
                        i += 3;
                    }
                    _ => {
                        bytes.push(raw[i]);
                        i += 1;
                    }
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => body.to_string(),
    };
    format!("{headers}\n\n{}", body.replace("\r\n", "\n"))
}

/// The path and query of the first link in a mail that leads to `path`.
pub(crate) fn link(mail: &str, path: &str) -> String {
    mail.split_whitespace()
        .find_map(|word| word.find(path).map(|at| word[at..].to_string()))
        .unwrap_or_else(|| panic!("no link to {path} in {mail}"))
}

pub(crate) fn token_of(link: &str) -> String {
    link.split("token=").nth(1).unwrap_or_default().split('&').next().unwrap_or_default().to_string()
}

pub(crate) async fn with_smtp() -> Option<(TestApp, Inbox)> {
    let (url, dir) = smtp()?;
    let inbox = Inbox::open(dir);
    let app = spawn_app_with(|config| {
        config.smtp_url = Some(url);
        config.mail_poll_ms = 100;
    })
    .await;
    Some((app, inbox))
}

pub(crate) fn unique(name: &str) -> String {
    format!("{name}.{}@mail.example.cn", uuid::Uuid::now_v7().simple())
}
