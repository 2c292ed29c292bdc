//! The search box syntax, parsed into clauses with the position of every error.
//!
//! - words are required: `海水淡化 反渗透` finds documents with both;
//! - `"…"` is a phrase: the words in this order, next to each other;
//! - a leading `-` excludes a word or a phrase: `膜 -陶瓷`, `-"lab scale"`;
//! - patent application numbers (`202210123456.7`, `ZL 2022 1 0123456.7`) and IPC symbols
//!   (`C02F 1/44`, `G06N`) are recognised anywhere and matched exactly.

use techex_core::PatentNumber;
use techex_core::ipc::normalize_ipc;

/// One part of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// Free text (may segment into several words).
    Text { text: String, negated: bool },
    /// A quoted phrase.
    Phrase { text: String, negated: bool },
    /// A patent application number in canonical form.
    Patent { number: String, negated: bool },
    /// An IPC symbol in canonical form (subclass or full).
    Ipc { code: String, negated: bool },
}

impl Clause {
    pub fn negated(&self) -> bool {
        match self {
            Clause::Text { negated, .. }
            | Clause::Phrase { negated, .. }
            | Clause::Patent { negated, .. }
            | Clause::Ipc { negated, .. } => *negated,
        }
    }
}

/// A syntax error, with the character position where it was found (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub position: usize,
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position)
    }
}

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;

/// Parses a query string into clauses.
pub fn parse(input: &str) -> Result<Vec<Clause>, SyntaxError> {
    let chars: Vec<char> = input.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(SyntaxError {
            position: MAX_QUERY_CHARS,
            message: format!("the query is longer than {MAX_QUERY_CHARS} characters"),
        });
    }
    let mut clauses = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c.is_whitespace() {
            index += 1;
            continue;
        }
        let start = index;
        let negated = c == '-' || c == '－';
        if negated {
            index += 1;
            if index >= chars.len() || chars[index].is_whitespace() {
                return Err(SyntaxError {
                    position: start,
                    message: "`-` must be followed by a word or a phrase to exclude".into(),
                });
            }
        }
        if let Some((clause, next)) = exact_at(&chars, index, negated) {
            clauses.push(clause);
            index = next;
            continue;
        }
        let quote = chars[index];
        if quote == '"' || quote == '“' || quote == '”' {
            let closing: &[char] = &['"', '”', '“'];
            let body_start = index + 1;
            let Some(length) = chars[body_start..].iter().position(|c| closing.contains(c)) else {
                return Err(SyntaxError {
                    position: index,
                    message: "the quotation mark that opens this phrase is never closed".into(),
                });
            };
            let text: String = chars[body_start..body_start + length].iter().collect();
            if text.trim().is_empty() {
                return Err(SyntaxError { position: index, message: "the phrase is empty".into() });
            }
            clauses.push(Clause::Phrase { text: text.trim().to_string(), negated });
            index = body_start + length + 1;
            continue;
        }
        let word_start = index;
        while index < chars.len() && !chars[index].is_whitespace() && !['"', '“', '”'].contains(&chars[index]) {
            index += 1;
        }
        let text: String = chars[word_start..index].iter().collect();
        clauses.push(Clause::Text { text, negated });
    }
    if !clauses.is_empty() && clauses.iter().all(Clause::negated) {
        return Err(SyntaxError {
            position: 0,
            message: "a query of exclusions only matches nothing; add a word to search for".into(),
        });
    }
    Ok(clauses)
}

/// Recognises a patent number or an IPC symbol starting at `start` (it may span spaces,
/// as in `C02F 1/44` or `ZL 2022 1 0123456.7`); returns the clause and where it ends.
fn exact_at(chars: &[char], start: usize, negated: bool) -> Option<(Clause, usize)> {
    // Try the longest candidate first, up to 24 characters, ending at a word boundary.
    let limit = (start + 24).min(chars.len());
    for end in (start + 4..=limit).rev() {
        if end < chars.len() && !chars[end].is_whitespace() {
            continue;
        }
        let candidate: String = chars[start..end].iter().collect();
        let compact: String = candidate.chars().filter(|c| !c.is_whitespace()).collect();
        if looks_like_patent(&compact)
            && let Ok(number) = PatentNumber::parse(&candidate)
        {
            return Some((Clause::Patent { number: number.application_number(), negated }, end));
        }
        if looks_like_ipc(&compact)
            && let Ok(code) = normalize_ipc(&candidate)
        {
            return Some((Clause::Ipc { code, negated }, end));
        }
    }
    None
}

fn looks_like_patent(compact: &str) -> bool {
    let body = compact.trim_start_matches(['Z', 'L', 'z', 'l', 'C', 'N', 'c', 'n']);
    body.len() >= 9
        && body.chars().filter(|c| c.is_ascii_digit()).count() >= 8
        && body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == 'X' || c == 'x')
}

fn looks_like_ipc(compact: &str) -> bool {
    let bytes = compact.as_bytes();
    bytes.len() >= 4
        && bytes[0].is_ascii_alphabetic()
        && bytes[1].is_ascii_digit()
        && bytes[2].is_ascii_digit()
        && bytes[3].is_ascii_alphabetic()
        && (bytes.len() == 4 || compact.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Clause {
        Clause::Text { text: t.into(), negated: false }
    }

    #[test]
    fn words_phrases_and_exclusions() {
        let parsed = parse(r#"海水淡化 "reverse osmosis" -陶瓷 -"lab scale""#);
        assert_eq!(
            parsed,
            Ok(vec![
                text("海水淡化"),
                Clause::Phrase { text: "reverse osmosis".into(), negated: false },
                Clause::Text { text: "陶瓷".into(), negated: true },
                Clause::Phrase { text: "lab scale".into(), negated: true },
            ])
        );
    }

    #[test]
    fn patent_numbers_and_ipc_codes_are_exact_even_with_spaces() {
        assert_eq!(
            parse("ZL 2017 1 0601862.3 膜"),
            Ok(vec![Clause::Patent { number: "201710601862.3".into(), negated: false }, text("膜")])
        );
        assert_eq!(
            parse("201710601862.3"),
            Ok(vec![Clause::Patent { number: "201710601862.3".into(), negated: false }])
        );
        assert_eq!(
            parse("c02f 1/44 membrane"),
            Ok(vec![Clause::Ipc { code: "C02F 1/44".into(), negated: false }, text("membrane")])
        );
        assert_eq!(parse("G06N"), Ok(vec![Clause::Ipc { code: "G06N".into(), negated: false }]));
        // A wrong check digit is not a patent number; it is searched as text.
        assert_eq!(parse("201710601862.4"), Ok(vec![text("201710601862.4")]));
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(input in "\\PC{0,80}") {
            let _ = parse(&input);
        }

        #[test]
        fn parsing_never_panics_on_query_like_input(input in "[-\"“” ZLCNzlcn0-9./A-Ha-h海水淡化膜]{0,40}") {
            let _ = parse(&input);
        }
    }

    #[test]
    fn errors_carry_their_position() {
        assert_eq!(parse(r#"膜 "unclosed"#).map_err(|e| e.position), Err(2));
        assert_eq!(parse("膜 - 陶瓷").map_err(|e| e.position), Err(2));
        assert_eq!(parse(r#"a """#).map_err(|e| e.position), Err(2));
        assert!(parse("-only").is_err());
        assert!(parse(&"长".repeat(600)).is_err());
        assert_eq!(parse("   "), Ok(vec![]));
    }
}
