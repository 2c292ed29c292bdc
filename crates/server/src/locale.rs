//! Errors in the reader's language. The words live in Project Fluent files
//! (`crates/server/locales/{en,zh-CN}/errors.ftl`), which a translator edits without
//! touching Rust; the domain says what is wrong with a [`Message`] (a key and its values)
//! and this module words it.
//!
//! The language of a request is chosen once, by [`in_request_language`]: the `lang`
//! query parameter, then `Accept-Language` (with q-values; `zh`, `zh-CN`, `zh-Hans` are
//! Chinese), then the pages' `lang` cookie, then Chinese as the site's default. The pages'
//! scripts send their page's language as `Accept-Language`. Everything rendered while
//! the request runs ([`current`]) uses it; problem responses carry `Content-Language`.

use crate::i18n::Lang;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;
use techex_core::{Message, MessageArg, msg};
use unic_langid::{LanguageIdentifier, langid};

/// The English error texts.
pub const EN_ERRORS: &str = include_str!("../locales/en/errors.ftl");
/// The Chinese error texts.
pub const ZH_ERRORS: &str = include_str!("../locales/zh-CN/errors.ftl");
/// What notifications say, in English and in Chinese.
pub const EN_NOTIFICATIONS: &str = include_str!("../locales/en/notifications.ftl");
pub const ZH_NOTIFICATIONS: &str = include_str!("../locales/zh-CN/notifications.ftl");
/// The words of the pages, in English and in Chinese.
pub const EN_PAGES: &str = include_str!("../locales/en/pages.ftl");
pub const ZH_PAGES: &str = include_str!("../locales/zh-CN/pages.ftl");
/// The words of the public bidding pages, in English and in Chinese.
pub const EN_AUCTIONS: &str = include_str!("../locales/en/auctions.ftl");
pub const ZH_AUCTIONS: &str = include_str!("../locales/zh-CN/auctions.ftl");
/// The words of the open-licensing pages, in English and in Chinese.
pub const EN_OPEN_LICENCES: &str = include_str!("../locales/en/open_licences.ftl");
pub const ZH_OPEN_LICENCES: &str = include_str!("../locales/zh-CN/open_licences.ftl");

/// The files of the pages' words (not the errors'), by language.
pub fn page_files(lang: Lang) -> [&'static str; 3] {
    match lang {
        Lang::Zh => [ZH_PAGES, ZH_AUCTIONS, ZH_OPEN_LICENCES],
        Lang::En => [EN_PAGES, EN_AUCTIONS, EN_OPEN_LICENCES],
    }
}

struct Catalog {
    zh: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog {
    zh: bundle(langid!("zh-CN"), &[ZH_ERRORS, ZH_NOTIFICATIONS, ZH_PAGES, ZH_AUCTIONS, ZH_OPEN_LICENCES]),
    en: bundle(langid!("en"), &[EN_ERRORS, EN_NOTIFICATIONS, EN_PAGES, EN_AUCTIONS, EN_OPEN_LICENCES]),
});

/// A file parsed; a file with a syntax error keeps the entries that parse (the unit tests
/// refuse such a file before it ships).
fn resource(source: &str) -> FluentResource {
    FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errors)| {
        tracing::error!(?errors, "a translation file has syntax errors");
        partial
    })
}

/// The bundle of one language's files.
fn bundle(language: LanguageIdentifier, sources: &[&str]) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    // No Unicode isolation marks around values: the texts go into JSON and plain pages.
    bundle.set_use_isolating(false);
    for source in sources {
        if let Err(errors) = bundle.add_resource(resource(source)) {
            tracing::error!(?errors, "a translation file repeats a key");
        }
    }
    bundle
}

/// Every word of the pages in `lang`, its values left as `{name}` for the page to fill in
/// (`{n} results`: a count in the `other` form, which [`counted`] refines).
pub fn page_words(lang: Lang) -> std::collections::BTreeMap<String, String> {
    let mut words = std::collections::BTreeMap::new();
    for source in page_files(lang) {
        for entry in resource(source).entries() {
            let fluent_syntax::ast::Entry::Message(message) = entry else { continue };
            let Some(pattern) = &message.value else { continue };
            let mut names = Vec::new();
            variables(pattern, &mut names);
            let placeholders: Vec<(&str, MessageArg)> =
                names.iter().map(|name| (*name, MessageArg::Text(format!("{{{name}}}")))).collect();
            let args: Vec<(&str, &MessageArg)> = placeholders.iter().map(|(name, value)| (*name, value)).collect();
            words.insert(message.id.name.to_string(), text(lang, message.id.name, &args));
        }
    }
    words
}

/// The names of the variables (`$n`) a pattern uses, selectors included.
fn variables<'s>(pattern: &fluent_syntax::ast::Pattern<&'s str>, names: &mut Vec<&'s str>) {
    use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
    fn inline<'s>(expression: &InlineExpression<&'s str>, names: &mut Vec<&'s str>) {
        match expression {
            InlineExpression::VariableReference { id } if !names.contains(&id.name) => names.push(id.name),
            InlineExpression::Placeable { expression } => placeable(expression, names),
            _ => {}
        }
    }
    fn placeable<'s>(expression: &Expression<&'s str>, names: &mut Vec<&'s str>) {
        match expression {
            Expression::Inline(expression) => inline(expression, names),
            Expression::Select { selector, variants } => {
                inline(selector, names);
                for variant in variants {
                    variables(&variant.value, names);
                }
            }
        }
    }
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            placeable(expression, names);
        }
    }
}

/// A word of the pages with a number in it, in the number's plural form: "1 result",
/// "2 results", "共 2 条结果".
pub fn counted(lang: Lang, key: &str, n: i64) -> String {
    text(lang, key, &[("n", &MessageArg::Number(n))])
}

tokio::task_local! {
    static LANGUAGE: Lang;
}

/// The language of the request being answered; Chinese outside a request.
pub fn current() -> Lang {
    LANGUAGE.try_with(|lang| *lang).unwrap_or(Lang::Zh)
}

/// Runs `future` with `lang` as the language of what it renders.
pub async fn in_language<F: Future>(lang: Lang, future: F) -> F::Output {
    LANGUAGE.scope(lang, future).await
}

/// The `Content-Language` tag of a language.
pub fn tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    }
}

/// The language an API request asks for: `lang` query parameter, `Accept-Language`,
/// the `lang` cookie, else Chinese.
pub fn request_language(headers: &HeaderMap, query: Option<&str>) -> Lang {
    let asked = query.and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "lang")
            .and_then(|(_, value)| Lang::parse(&value))
    });
    let accepted = || headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::preferred);
    let remembered = || crate::pages::cookie(headers, "lang").as_deref().and_then(Lang::parse);
    asked.or_else(accepted).or_else(remembered).unwrap_or(Lang::Zh)
}

/// Middleware: runs the request in its language and labels problem responses with it.
pub async fn in_request_language(request: Request, next: Next) -> Response {
    let lang = request_language(request.headers(), request.uri().query());
    let mut response = LANGUAGE.scope(lang, next.run(request)).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(tag(lang)));
        headers.append(header::VARY, HeaderValue::from_static("accept-language"));
    }
    response
}

fn bundle_of(lang: Lang) -> &'static FluentBundle<FluentResource> {
    match lang {
        Lang::Zh => &CATALOG.zh,
        Lang::En => &CATALOG.en,
    }
}

/// The text of `key` in `lang` with its values; English when the language lacks the key,
/// the key itself when no file has it (the unit tests keep both from happening).
pub fn text(lang: Lang, key: &str, args: &[(&str, &MessageArg)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        let value = match value {
            MessageArg::Number(number) => FluentValue::from(*number),
            MessageArg::Text(text) => FluentValue::from(text.as_str()),
        };
        fluent_args.set(*name, value);
    }
    for bundle in [bundle_of(lang), bundle_of(Lang::En)] {
        if let Some(pattern) = bundle.get_message(key).and_then(|message| message.value()) {
            let mut errors = Vec::new();
            let formatted = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key, ?errors, "a translation could not be formatted in full");
            }
            return formatted.into_owned();
        }
    }
    tracing::warn!(key, "a message key has no translation");
    key.to_string()
}

/// A domain message in `lang`. A text without a key (`Message::verbatim`, English from a
/// library) is shown as it is in English and as "invalid value" in Chinese.
pub fn message(lang: Lang, message: &Message) -> String {
    if message.key == msg::VERBATIM && lang != Lang::En {
        return text(lang, msg::VALUE_INVALID.as_str(), &[]);
    }
    let args: Vec<(&str, &MessageArg)> = message.args.iter().map(|(name, value)| (*name, value)).collect();
    text(lang, message.key.as_str(), &args)
}

/// Words every serialized message in a JSON document (an import report, fresh or as a
/// job stored it): each `"message": {"key": …, "args": {…}}` becomes its text in `lang`.
pub fn word_messages(value: &mut serde_json::Value, lang: Lang) {
    match value {
        serde_json::Value::Array(items) => items.iter_mut().for_each(|item| word_messages(item, lang)),
        serde_json::Value::Object(object) => {
            if let Some(message) = object.get_mut("message")
                && let Some(worded) = json_message(message, lang)
            {
                *message = serde_json::Value::String(worded);
            }
            object.values_mut().for_each(|item| word_messages(item, lang));
        }
        _ => {}
    }
}

/// A message as serialized (`{"key": …, "args": {…}}`) in `lang`; `None` if it is not one.
pub fn json_message(message: &serde_json::Value, lang: Lang) -> Option<String> {
    let key = message.get("key")?.as_str()?;
    if key == msg::VERBATIM.as_str() && lang != Lang::En {
        return Some(text(lang, msg::VALUE_INVALID.as_str(), &[]));
    }
    let args: Vec<(String, MessageArg)> = message
        .get("args")
        .and_then(|args| args.as_object())
        .map(|args| args.iter().map(|(name, value)| (name.clone(), json_arg(value, lang))).collect())
        .unwrap_or_default();
    let args: Vec<(&str, &MessageArg)> = args.iter().map(|(name, value)| (name.as_str(), value)).collect();
    Some(text(lang, key, &args))
}

/// A message's argument; a bilingual one (a default milestone title, `签约后一次性支付 /
/// Payment in full on signing`) gives the half in the reader's language.
fn json_arg(value: &serde_json::Value, lang: Lang) -> MessageArg {
    match value {
        serde_json::Value::Number(number) => {
            number.as_i64().map_or_else(|| MessageArg::Text(number.to_string()), MessageArg::Number)
        }
        serde_json::Value::String(text) => MessageArg::Text(crate::notices::legacy_half(text, lang).to_string()),
        other => MessageArg::Text(other.to_string()),
    }
}

#[cfg(test)]
#[path = "locale_tests.rs"]
mod tests;
