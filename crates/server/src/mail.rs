//! Sending the mail queue (`techex_listings::mail`) over SMTP (lettre): every
//! `mail_poll_ms`, the due mails are claimed one by one, worded in their recipient's
//! language (`locales/*/notifications.ftl`: a notification as the application shows it,
//! a password reset, an invitation or an address to confirm from its message), sent, and marked sent, or tried
//! again later. Only processes with `smtp_url` send; without it mail waits in the queue
//! and notifications stay in the application.

use crate::config::Config;
use crate::i18n::Lang;
use crate::locale;
use chrono::Utc;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message as Email};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sea_orm::DatabaseConnection;
use std::time::Duration;
use techex_core::{MessageArg, msg};
use techex_listings::entities::mail as row;
use techex_listings::mail;
use tokio::sync::watch;

/// Mails sent per sweep, at most (the rest wait for the next one).
const BATCH: u64 = 50;

/// An SMTP connection and what every mail says of its sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Where links in mail point: the configured public address, else the server's own.
    site: String,
}

impl Mailer {
    /// The mailer of a configuration; `None` without `smtp_url`. Links point at
    /// `public_url`, else at `own_address` (where this process listens).
    pub fn from_config(config: &Config, own_address: &str) -> anyhow::Result<Option<Mailer>> {
        let Some(url) = config.smtp_url.as_deref() else {
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| anyhow::anyhow!("the SMTP address `smtp_url` is not usable: {error}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from: Mailbox = config.mail_from.parse().map_err(|error| {
            anyhow::anyhow!("the sender `mail_from` ({}) is not an address: {error}", config.mail_from)
        })?;
        let site = match config.public_url.as_deref() {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => own_address.trim_end_matches('/').to_string(),
        };
        Ok(Some(Mailer { transport, from, site }))
    }
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MailReport {
    pub sent: u32,
    pub retried: u32,
    pub given_up: u32,
}

impl techex_listings::sweeper::Swept for MailReport {
    fn did_something(&self) -> bool {
        self.sent + self.retried + self.given_up > 0
    }
}

/// Sends what is due until `stop` turns true.
pub async fn run(db: DatabaseConnection, mailer: Mailer, period: Duration, stop: watch::Receiver<bool>) {
    techex_listings::sweeper::every("mail", "sent mail", period, Some(stop), || sweep(&db, &mailer)).await;
}

/// One pass over the due mails.
pub async fn sweep(db: &DatabaseConnection, mailer: &Mailer) -> Result<MailReport, techex_listings::ListingsError> {
    let mut report = MailReport::default();
    let now = Utc::now();
    for due in mail::due(db, now, BATCH).await? {
        if !mail::claim(db, due.id, now).await? {
            continue;
        }
        let attempts = due.attempts + 1;
        let outcome = match compose(db, mailer, &due).await {
            Ok(email) => mailer.transport.send(email).await.map_err(|e| (e.to_string(), e.is_permanent())),
            Err(reason) => Err((reason, true)),
        };
        match outcome {
            Ok(_) => {
                mail::mark_sent(db, due.id, Utc::now()).await?;
                metrics::counter!("techex_mail_sent_total", "kind" => kind_label(&due.kind)).increment(1);
                report.sent += 1;
            }
            Err((error, permanent)) => {
                let given_up = mail::mark_failed(db, due.id, attempts, &error, permanent, Utc::now()).await?;
                let outcome = if given_up { "given_up" } else { "retry" };
                metrics::counter!("techex_mail_failed_total", "kind" => kind_label(&due.kind), "outcome" => outcome)
                    .increment(1);
                tracing::warn!(mail = %due.id, attempts, %error, outcome, "a mail was not sent");
                if given_up { report.given_up += 1 } else { report.retried += 1 }
            }
        }
    }
    metrics::gauge!("techex_mail_waiting").set(mail::waiting(db).await? as f64);
    Ok(report)
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "notification" => "notification",
        "password_reset" => "password_reset",
        "invitation" => "invitation",
        "email_confirmation" => "email_confirmation",
        _ => "other",
    }
}

/// The mail of a queued row in its recipient's language; why not, for a mail that can
/// never be sent (its notification gone, its address refused).
async fn compose(db: &DatabaseConnection, mailer: &Mailer, due: &row::Model) -> Result<Email, String> {
    let lang = Lang::parse(&due.language).unwrap_or(Lang::Zh);
    let (subject, body) = match due.notification_id {
        Some(id) => notification_text(db, mailer, id, lang).await?,
        None => {
            let message: serde_json::Value = due
                .message
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok())
                .ok_or_else(|| "the mail has no message".to_string())?;
            message_text(mailer, &message, lang)?
        }
    };
    let to: Mailbox = due.recipient.parse().map_err(|e| format!("the recipient is not an address: {e}"))?;
    let domain = mailer.from.email.domain().to_string();
    Email::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject)
        // The same id on every attempt, so that a repeat after a crash is recognised.
        .message_id(Some(format!("<{}@{domain}>", due.id)))
        .date_now()
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())
}

/// A notification as its reader sees it in the application, with its link.
async fn notification_text(
    db: &DatabaseConnection,
    mailer: &Mailer,
    id: uuid::Uuid,
    lang: Lang,
) -> Result<(String, String), String> {
    let view = techex_listings::notifications::view_of(db, id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "its notification is gone".to_string())?;
    let view = crate::notices::worded(view, lang);
    let link = view.link.as_deref().map(|path| format!("{}{path}", mailer.site)).unwrap_or_default();
    let settings = format!("{}/my/alerts", mailer.site);
    let args = [
        ("title", MessageArg::Text(view.title.clone())),
        ("details", MessageArg::Text(view.body.clone().unwrap_or_default())),
        ("link", MessageArg::Text(link)),
        ("settings", MessageArg::Text(settings)),
    ];
    let args: Vec<(&str, &MessageArg)> = args.iter().map(|(name, value)| (*name, value)).collect();
    let body = locale::text(lang, msg::MAIL_NOTIFICATION.as_str(), &args);
    Ok((view.title, tidy(&body)))
}

/// A mail from its message: the subject from the key's `-subject` sibling, the link
/// from the message's `path` on this site.
fn message_text(mailer: &Mailer, message: &serde_json::Value, lang: Lang) -> Result<(String, String), String> {
    let key = message.get("key").and_then(|k| k.as_str()).ok_or_else(|| "the message has no key".to_string())?;
    let mut message = message.clone();
    if let Some(args) = message.get_mut("args").and_then(|a| a.as_object_mut()) {
        let path = args.get("path").and_then(|p| p.as_str()).unwrap_or("").to_string();
        args.insert("link".into(), serde_json::Value::String(format!("{}{path}", mailer.site)));
    }
    let body = locale::json_message(&message, lang).ok_or_else(|| "the message cannot be worded".to_string())?;
    let mut subject_message = message.clone();
    subject_message["key"] = serde_json::Value::String(format!("{key}-subject"));
    let subject = locale::json_message(&subject_message, lang).unwrap_or_default();
    Ok((subject, tidy(&body)))
}

/// Drops blank lines left by empty values (a notification without details or link).
fn tidy(body: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in body.lines() {
        let empty = line.trim().is_empty();
        if empty && blank {
            continue;
        }
        blank = empty;
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailer() -> Mailer {
        let mut config = Config::with_data_dir(std::path::PathBuf::from("unused"));
        config.smtp_url = Some("smtp://127.0.0.1:2525".into());
        config.public_url = Some("https://techex.example.cn/".into());
        Mailer::from_config(&config, "http://127.0.0.1:8080").ok().flatten().expect("a mailer")
    }

    #[test]
    fn a_reset_mail_is_worded_in_its_language_with_an_absolute_link() {
        let message = serde_json::json!({"key": "mail-password-reset",
            "args": {"name": "王经理", "path": "/reset-password?token=txr_abc", "minutes": 60}});
        let (subject, body) = message_text(&mailer(), &message, Lang::Zh).expect("worded");
        assert_eq!(subject, "重置密码");
        assert!(body.contains("王经理") && body.contains("60 分钟"), "{body}");
        assert!(body.contains("https://techex.example.cn/reset-password?token=txr_abc\n"), "{body}");
        let (subject, body) = message_text(&mailer(), &message, Lang::En).expect("worded");
        assert_eq!(subject, "Reset your password");
        assert!(body.contains("within 60 minutes"), "{body}");
    }

    #[test]
    fn without_smtp_there_is_no_mailer_and_a_bad_sender_is_refused() {
        let mut config = Config::with_data_dir(std::path::PathBuf::from("unused"));
        assert!(Mailer::from_config(&config, "http://127.0.0.1:8080").ok().flatten().is_none());
        config.smtp_url = Some("smtp://127.0.0.1:2525".into());
        config.mail_from = "not an address".into();
        assert!(Mailer::from_config(&config, "http://127.0.0.1:8080").is_err());
    }

    #[test]
    fn empty_values_leave_no_run_of_blank_lines() {
        assert_eq!(tidy("title\n\n\n\nlink  \n"), "title\n\nlink\n");
    }
}
