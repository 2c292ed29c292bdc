//! Highlighting with the query's own analysis: Chinese words (and synonyms) are found in
//! the hit's text as substrings, which needs no segmentation; English words are found by
//! stemming the text's Latin words with the stemmer of the index, so `battery` marks
//! `batteries`. Overlapping matches merge, and the passage with the most matches is
//! kept. Segmenting every hit again with jieba, as a generic snippet generator does,
//! costs more than the search itself.

use crate::analysis::{analyze, latin_analyzer};
use crate::query::Marks;

/// Escapes text for HTML.
pub fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// The Latin words of a text with their stems, computed once per text of a hit.
pub struct Stemmed {
    words: Vec<(std::ops::Range<usize>, String)>,
}

impl Stemmed {
    /// Stems the text's Latin words, only when the query has English words to find.
    pub fn of(text: &str, marks: &Marks) -> Stemmed {
        let words = if !marks.stems.is_empty() && text.bytes().any(|b| b.is_ascii_alphanumeric()) {
            analyze(&mut latin_analyzer(), text).into_iter().map(|t| (t.from..t.to, t.text)).collect()
        } else {
            Vec::new()
        };
        Stemmed { words }
    }

    /// Whether the text holds a word of this stem.
    pub fn contains(&self, stem: &str) -> bool {
        self.words.iter().any(|(_, s)| s == stem)
    }
}

/// Byte ranges of the matches of `marks` in `text`, merged and sorted.
pub fn matches(text: &str, marks: &Marks) -> Vec<std::ops::Range<usize>> {
    matches_stemmed(text, &Stemmed::of(text, marks), marks)
}

/// The same, with the text's words already stemmed.
pub fn matches_stemmed(text: &str, stemmed: &Stemmed, marks: &Marks) -> Vec<std::ops::Range<usize>> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for han in marks.han.iter().filter(|t| !t.is_empty()) {
        for (start, found) in text.match_indices(han.as_str()) {
            ranges.push(start..start + found.len());
        }
    }
    for (range, stem) in &stemmed.words {
        if marks.stems.contains(stem) {
            ranges.push(range.clone());
        }
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// The text (or the passage of at most `max_chars` characters with the most matches)
/// as escaped HTML with `<mark>` around the matches.
pub fn highlight(text: &str, marks: &Marks, max_chars: usize) -> String {
    highlight_ranges(text, &matches(text, marks), max_chars)
}

/// The same, with the matches already found.
pub fn highlight_ranges(text: &str, ranges: &[std::ops::Range<usize>], max_chars: usize) -> String {
    let total_chars = text.chars().count();
    let (from, to) = if total_chars <= max_chars { (0, text.len()) } else { passage(text, ranges, max_chars) };
    let mut html = String::with_capacity(to - from + ranges.len() * 13 + 6);
    if from > 0 {
        html.push('…');
    }
    let mut at = from;
    for range in ranges.iter().filter(|r| r.start >= from && r.end <= to) {
        html.push_str(&html_escape(&text[at..range.start]));
        html.push_str("<mark>");
        html.push_str(&html_escape(&text[range.start..range.end]));
        html.push_str("</mark>");
        at = range.end;
    }
    html.push_str(&html_escape(&text[at..to]));
    if to < text.len() {
        html.push('…');
    }
    html
}

/// The byte span of the window of `max_chars` characters holding the most matches,
/// starting a little before the first of them.
fn passage(text: &str, ranges: &[std::ops::Range<usize>], max_chars: usize) -> (usize, usize) {
    let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
    let char_at = |byte: usize| boundaries.partition_point(|&b| b < byte);
    let mut best = (0usize, 0usize);
    for (index, range) in ranges.iter().enumerate() {
        let start_char = char_at(range.start);
        let covered = ranges[index..].iter().take_while(|r| char_at(r.end) <= start_char + max_chars).count();
        if covered > best.1 {
            best = (start_char, covered);
        }
    }
    let lead = if ranges.is_empty() { 0 } else { max_chars / 8 };
    let start_char = best.0.saturating_sub(lead).min(boundaries.len().saturating_sub(1).saturating_sub(max_chars));
    let end_char = (start_char + max_chars).min(boundaries.len() - 1);
    (boundaries[start_char], boundaries[end_char])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(han: &[&str], stems: &[&str]) -> Marks {
        Marks { han: han.iter().map(|s| s.to_string()).collect(), stems: stems.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn chinese_words_and_english_stems_are_marked() {
        let html = highlight("Membranes for 海水淡化 & <reuse>", &marks(&["海水", "淡化"], &["membran"]), 100);
        assert_eq!(html, "<mark>Membranes</mark> for <mark>海水淡化</mark> &amp; &lt;reuse&gt;");
    }

    #[test]
    fn an_english_word_marks_its_other_forms() {
        assert_eq!(
            highlight("Batteries and a battery", &marks(&[], &["batteri"]), 100),
            "<mark>Batteries</mark> and a <mark>battery</mark>"
        );
    }

    #[test]
    fn english_words_match_whole_words_only() {
        assert_eq!(highlight("training in rain", &marks(&[], &["rain"]), 100), "training in <mark>rain</mark>");
    }

    #[test]
    fn long_texts_are_cut_around_the_most_matches() {
        let text = format!("{}海水淡化膜{}", "前".repeat(300), "后".repeat(300));
        let html = highlight(&text, &marks(&["海水", "淡化"], &[]), 40);
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>海水淡化</mark>"));
        assert!(html.chars().filter(|c| *c == '前' || *c == '后').count() <= 40);
    }

    #[test]
    fn odd_input_never_panics() {
        for text in ["", "İİİ membrane", "🦀🦀", "a"] {
            for limit in [0, 1, 5] {
                let _ = highlight(text, &marks(&["", "🦀"], &["i", "membran", ""]), limit);
            }
        }
    }
}
