//! The search box syntax, parsed into clauses with the position of every error.
//!
//! - words are ranked, not required: `heat conduction composite` finds documents with
//!   any of them, those with more of them (in the title, close together) first;
//! - `+word` and `"quoted words"` are required (a phrase: the words in this order, next
//!   to each other); `-word` and `-"phrase"` exclude;
//! - `OR` (upper case) or `|` between words makes one clause of them: either will do;
//! - patent application numbers (`202310123456.6`, `ZL 2023 1 0123456.6`) and IPC symbols
//!   (`C02F 1/44`, `G06N`) are recognised anywhere and matched exactly.

use techex_core::PatentNumber;
use techex_core::ipc::normalize_ipc;

/// What a clause looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// Free text (may segment into several words).
    Text(String),
    /// A quoted phrase.
    Phrase(String),
    /// A patent application number in canonical form.
    Patent(String),
    /// An IPC symbol in canonical form (subclass or full).
    Ipc(String),
}

impl Term {
    /// The text of the term as the query holds it.
    pub fn text(&self) -> &str {
        match self {
            Term::Text(text) | Term::Phrase(text) | Term::Patent(text) | Term::Ipc(text) => text,
        }
    }
}

/// How a clause takes part in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Ranks: the more optional clauses a document matches, the better.
    Optional,
    /// Must match (`+word`, `"phrase"`).
    Required,
    /// Must not match (`-word`).
    Excluded,
}

/// One part of a parsed query: one term, or several joined by `OR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub mode: Mode,
    /// The alternatives (one unless joined by `OR`).
    pub terms: Vec<Term>,
}

impl Clause {
    pub fn negated(&self) -> bool {
        self.mode == Mode::Excluded
    }
}

/// A syntax error, with the character position where it was found (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub position: usize,
    /// What is wrong, worded at the edge in the reader's language.
    pub message: techex_core::Message,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position)
    }
}

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;

/// One item of the query before `OR` groups are formed.
enum Item {
    Term { position: usize, mode: Mode, term: Term },
    Or { position: usize },
}

fn is_quote(c: char) -> bool {
    c == '"' || c == '“' || c == '”'
}

/// Splits the query into terms (with their marks) and `OR` operators.
fn items(chars: &[char]) -> Result<Vec<Item>, SyntaxError> {
    let mut items = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c.is_whitespace() {
            index += 1;
            continue;
        }
        let start = index;
        let word_end = |from: usize| {
            let mut end = from;
            while end < chars.len() && !chars[end].is_whitespace() && !is_quote(chars[end]) {
                end += 1;
            }
            end
        };
        let bare_end = word_end(index);
        let bare: String = chars[index..bare_end].iter().collect();
        if bare == "OR" || bare == "|" {
            items.push(Item::Or { position: start });
            index = bare_end;
            continue;
        }
        let mode = match c {
            '-' | '－' => Mode::Excluded,
            '+' | '＋' => Mode::Required,
            _ => Mode::Optional,
        };
        if mode != Mode::Optional {
            index += 1;
            if index >= chars.len() || chars[index].is_whitespace() {
                let alone = if mode == Mode::Excluded {
                    techex_core::msg::QUERY_EXCLUDE_ALONE
                } else {
                    techex_core::msg::QUERY_REQUIRE_ALONE
                };
                return Err(SyntaxError { position: start, message: alone.into() });
            }
        }
        if let Some((term, next)) = exact_at(chars, index) {
            items.push(Item::Term { position: start, mode, term });
            index = next;
            continue;
        }
        if is_quote(chars[index]) {
            let body_start = index + 1;
            let Some(length) = chars[body_start..].iter().position(|c| is_quote(*c)) else {
                return Err(SyntaxError { position: index, message: techex_core::msg::QUERY_PHRASE_UNCLOSED.into() });
            };
            let text: String = chars[body_start..body_start + length].iter().collect();
            if text.trim().is_empty() {
                return Err(SyntaxError { position: index, message: techex_core::msg::QUERY_PHRASE_EMPTY.into() });
            }
            // A quoted phrase is required unless it is excluded.
            let mode = if mode == Mode::Excluded { Mode::Excluded } else { Mode::Required };
            items.push(Item::Term { position: start, mode, term: Term::Phrase(text.trim().to_string()) });
            index = body_start + length + 1;
            continue;
        }
        let end = word_end(index);
        let text: String = chars[index..end].iter().collect();
        items.push(Item::Term { position: start, mode, term: Term::Text(text) });
        index = end;
    }
    Ok(items)
}

/// Parses a query string into clauses.
pub fn parse(input: &str) -> Result<Vec<Clause>, SyntaxError> {
    let chars: Vec<char> = input.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(SyntaxError {
            position: MAX_QUERY_CHARS,
            message: techex_core::msg::QUERY_TOO_LONG.with("max", MAX_QUERY_CHARS),
        });
    }
    let mut clauses: Vec<Clause> = Vec::new();
    let mut pending_or: Option<usize> = None;
    let misplaced_or = |position: usize| SyntaxError { position, message: techex_core::msg::QUERY_OR_MISPLACED.into() };
    for item in items(&chars)? {
        match item {
            Item::Or { position } => {
                if pending_or.is_some() || clauses.is_empty() {
                    return Err(misplaced_or(position));
                }
                pending_or = Some(position);
            }
            Item::Term { position, mode, term } => match pending_or.take() {
                Some(or_position) => {
                    let Some(previous) = clauses.last_mut() else { return Err(misplaced_or(or_position)) };
                    if mode == Mode::Excluded || previous.mode == Mode::Excluded {
                        return Err(SyntaxError { position, message: techex_core::msg::QUERY_OR_EXCLUSION.into() });
                    }
                    if mode == Mode::Required {
                        previous.mode = Mode::Required;
                    }
                    previous.terms.push(term);
                }
                None => clauses.push(Clause { mode, terms: vec![term] }),
            },
        }
    }
    if let Some(position) = pending_or {
        return Err(misplaced_or(position));
    }
    if !clauses.is_empty() && clauses.iter().all(Clause::negated) {
        return Err(SyntaxError { position: 0, message: techex_core::msg::QUERY_ONLY_EXCLUSIONS.into() });
    }
    Ok(clauses)
}

/// Recognises a patent number or an IPC symbol starting at `start` (it may span spaces,
/// as in `C02F 1/44` or `ZL 2023 1 0123456.6`); returns the clause and where it ends.
fn exact_at(chars: &[char], start: usize) -> Option<(Term, usize)> {
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
            return Some((Term::Patent(number.application_number()), end));
        }
        if looks_like_ipc(&compact)
            && let Ok(code) = normalize_ipc(&candidate)
        {
            return Some((Term::Ipc(code), end));
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

    fn clause(mode: Mode, term: Term) -> Clause {
        Clause { mode, terms: vec![term] }
    }

    fn text(t: &str) -> Clause {
        clause(Mode::Optional, Term::Text(t.into()))
    }

    #[test]
    fn words_phrases_requirements_and_exclusions() {
        let parsed = parse(r#"海水淡化 "reverse osmosis" +膜 -陶瓷 -"lab scale""#);
        assert_eq!(
            parsed,
            Ok(vec![
                text("海水淡化"),
                clause(Mode::Required, Term::Phrase("reverse osmosis".into())),
                clause(Mode::Required, Term::Text("膜".into())),
                clause(Mode::Excluded, Term::Text("陶瓷".into())),
                clause(Mode::Excluded, Term::Phrase("lab scale".into())),
            ])
        );
    }

    #[test]
    fn or_joins_its_neighbours_into_one_clause() {
        assert_eq!(
            parse("heat OR conduction slab"),
            Ok(vec![
                Clause {
                    mode: Mode::Optional,
                    terms: vec![Term::Text("heat".into()), Term::Text("conduction".into())]
                },
                text("slab"),
            ])
        );
        assert_eq!(
            parse("锂电池 | \"钠离子\" OR +储能"),
            Ok(vec![Clause {
                mode: Mode::Required,
                terms: vec![Term::Text("锂电池".into()), Term::Phrase("钠离子".into()), Term::Text("储能".into())],
            }])
        );
        // Lower-case `or` is a word (a stopword when searched).
        assert_eq!(parse("heat or cold").map(|c| c.len()), Ok(3));
        assert_eq!(parse("OR heat").map_err(|e| e.position), Err(0));
        assert_eq!(parse("heat OR").map_err(|e| e.position), Err(5));
        assert_eq!(parse("heat OR OR cold").map_err(|e| e.position), Err(8));
        assert!(parse("heat OR -cold").is_err());
    }

    #[test]
    fn patent_numbers_and_ipc_codes_are_exact_even_with_spaces() {
        assert_eq!(
            parse("ZL 2017 1 0601862.3 膜"),
            Ok(vec![clause(Mode::Optional, Term::Patent("201710601862.3".into())), text("膜")])
        );
        assert_eq!(parse("201710601862.3"), Ok(vec![clause(Mode::Optional, Term::Patent("201710601862.3".into()))]));
        assert_eq!(
            parse("c02f 1/44 membrane"),
            Ok(vec![clause(Mode::Optional, Term::Ipc("C02F 1/44".into())), text("membrane")])
        );
        assert_eq!(parse("G06N"), Ok(vec![clause(Mode::Optional, Term::Ipc("G06N".into()))]));
        // A wrong check digit is not a patent number; it is searched as text.
        assert_eq!(parse("201710601862.4"), Ok(vec![text("201710601862.4")]));
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(input in "\\PC{0,80}") {
            let _ = parse(&input);
        }

        #[test]
        fn parsing_never_panics_on_query_like_input(input in "[-+|\"“” ORZLCNzlcn0-9./A-Ha-h海水淡化膜]{0,40}") {
            let _ = parse(&input);
        }
    }

    #[test]
    fn errors_carry_their_position() {
        assert_eq!(parse(r#"膜 "unclosed"#).map_err(|e| e.position), Err(2));
        assert_eq!(parse("膜 - 陶瓷").map_err(|e| e.position), Err(2));
        assert_eq!(parse("膜 + 陶瓷").map_err(|e| e.position), Err(2));
        assert_eq!(parse(r#"a """#).map_err(|e| e.position), Err(2));
        assert!(parse("-only").is_err());
        assert!(parse(&"长".repeat(600)).is_err());
        assert_eq!(parse("   "), Ok(vec![]));
    }
}
