//! The pages' template filters and the text helpers behind them: money, hundredths,
//! due days, control characters dropped, Chinese marked on English pages.

use crate::i18n::Lang;

/// Drops control characters (NUL and the rest of C0 except tab, line feed and carriage
/// return; DEL; C1) from a rendered page, wherever they came from (a query echoed into a
/// form, a stored title): they are never meant to be seen, and NUL in HTML is a parse
/// error. Every page goes through here.
pub fn without_control_characters(text: String) -> String {
    let dropped = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.chars().any(dropped) {
        return text;
    }
    text.chars().filter(|c| !dropped(*c)).collect()
}

/// A file's size for a reader: `512 B`, `1.5 KiB`, `2.3 MiB` (never `0.0 KiB` for a small
/// file).
pub(crate) fn file_size(bytes: i64) -> String {
    const KIB: f64 = 1024.0;
    let size = bytes.max(0) as f64;
    if size < KIB {
        format!("{} B", bytes.max(0))
    } else if size < KIB * KIB {
        format!("{:.1} KiB", size / KIB)
    } else {
        format!("{:.1} MiB", size / (KIB * KIB))
    }
}

/// `12345678` fen → `123,456.78`; whole yuan amounts drop the decimals.
pub(crate) fn format_money(minor: i64) -> String {
    // A loss (a royalty report's profit) is the only negative amount a page shows.
    let sign = if minor < 0 { "-" } else { "" };
    let yuan = minor.unsigned_abs() / 100;
    let fen = minor.unsigned_abs() % 100;
    let digits = yuan.to_string();
    let mut grouped = String::new();
    for (index, c) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if fen == 0 { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{fen:02}") }
}

/// An amount with its currency's sign: `¥123,456.78`, `US$500`, `€5`, `HK$1,000`. A
/// record without a currency (older data, totals across records) is in renminbi.
pub(crate) fn format_price(minor: i64, currency: Option<&str>) -> String {
    let sign = match currency.unwrap_or("CNY") {
        "CNY" | "" => "¥",
        "USD" => "US$",
        "EUR" => "€",
        "HKD" => "HK$",
        other => return format!("{other} {}", format_money(minor)),
    };
    format!("{sign}{}", format_money(minor))
}

/// Whether a text holds Chinese characters (CJK ideographs or full-width punctuation).
pub(crate) fn has_chinese(text: &str) -> bool {
    text.chars().any(is_chinese)
}

pub(crate) fn is_chinese(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
}

/// A value with its language marked when it holds Chinese on an English page: each run
/// of Chinese (with what lies between its characters when that holds no Latin letter:
/// `谭振、尹明远`, `签约首付 30%`) goes in `<span lang="zh-CN">`, so that a notification
/// "Milestone due: 签约首付" marks only the title it quotes. The text is escaped;
/// anything else is returned as it came (and escaped as usual when shown).
pub(crate) fn marked(lang: Lang, value: minijinja::Value) -> minijinja::Value {
    let Some(text) = value.as_str() else { return value };
    if lang != Lang::En || !has_chinese(text) {
        return value;
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(start) = rest.find(is_chinese) {
        escape_into(&mut out, &rest[..start]);
        // The run ends at its last Chinese character before a Latin letter (or the end).
        let tail = &rest[start..];
        let stop = tail.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(tail.len());
        let end =
            tail[..stop].rfind(is_chinese).map_or(stop, |i| i + tail[i..].chars().next().map_or(1, char::len_utf8));
        out.push_str("<span lang=\"zh-CN\">");
        escape_into(&mut out, &tail[..end]);
        out.push_str("</span>");
        rest = &tail[end..];
    }
    escape_into(&mut out, rest);
    minijinja::Value::from_safe_string(out)
}

/// The language of the page being rendered (its `lang` variable).
pub(crate) fn page_language(state: &minijinja::State) -> Lang {
    state.lookup("lang").and_then(|value| value.as_str().and_then(Lang::parse)).unwrap_or(Lang::Zh)
}

/// When a payment falls due, in words: "签约时" / "on signing", "签约后 90 天" /
/// "90 days after signing" (and "1 day").
pub(crate) fn due_days_words(lang: Lang, days: i64) -> String {
    if days == 0 {
        return counted(lang, "due_on_signing", days);
    }
    counted(lang, "due_days_after", days)
}

/// A dictionary word with `{n}` replaced by a number, in the number's plural form
/// (the translation files choose it: "1 day", "2 days"; Chinese has one form).
pub(crate) fn counted(lang: Lang, key: &str, n: i64) -> String {
    crate::locale::counted(lang, key, n)
}

/// An integer count of hundredths as a plain decimal without trailing zeros or grouping:
/// `88000000` → `880000`, `12345` → `123.45`, `550` → `5.5`, `-5` → `-0.05`.
pub(crate) fn hundredths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    let (whole, part) = (magnitude / 100, magnitude % 100);
    match part {
        0 => format!("{sign}{whole}"),
        p if p % 10 == 0 => format!("{sign}{whole}.{}", p / 10),
        p => format!("{sign}{whole}.{p:02}"),
    }
}

#[cfg(test)]
mod file_size_tests {
    use super::file_size;

    #[test]
    fn small_files_show_their_bytes_and_larger_ones_one_decimal() {
        assert_eq!(file_size(0), "0 B");
        assert_eq!(file_size(37), "37 B");
        assert_eq!(file_size(1023), "1023 B");
        assert_eq!(file_size(1536), "1.5 KiB");
        assert_eq!(file_size(5 * 1024 * 1024 / 2), "2.5 MiB");
        assert_eq!(file_size(-4), "0 B");
    }
}
