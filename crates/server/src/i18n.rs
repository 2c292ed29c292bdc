//! The two languages of the pages and their words.

use std::collections::BTreeMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(input: &str) -> Option<Lang> {
        let lower = input.trim().to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Lang::Zh)
        } else if lower.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first of Chinese or English in an `Accept-Language` header by preference;
    /// Chinese when the browser names neither.
    pub fn from_accept_language(header: &str) -> Lang {
        Lang::preferred(header).unwrap_or(Lang::Zh)
    }

    /// The language an `Accept-Language` header prefers among Chinese (`zh`, `zh-CN`,
    /// `zh-Hans`, …) and English, by q-value (`q=0` refuses); `None` when it names neither.
    pub fn preferred(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let quality =
                pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag)
                && quality > 0.0
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// The words of the pages in both languages, each message with its values left as
/// `{name}` for the page to fill in (a count in its `other` form; [`counted`] gives the
/// form a number takes). Read once from the Fluent files.
///
/// [`counted`]: crate::locale::counted
static WORDS: LazyLock<[BTreeMap<String, String>; 2]> =
    LazyLock::new(|| [crate::locale::page_words(Lang::Zh), crate::locale::page_words(Lang::En)]);

/// The words of one language, keyed by name.
pub fn dictionary(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    let words = match lang {
        Lang::Zh => &WORDS[0],
        Lang::En => &WORDS[1],
    };
    words.iter().map(|(key, word)| (key.as_str(), word.as_str())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_known_language() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("fr-FR,en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
    }
}
