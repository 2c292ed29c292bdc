//! Synonyms and abbreviations as data, applied when a query is read (so changing them
//! needs no reindex): a set of equivalent terms across both languages (`锂电池, 锂离子电池,
//! lithium-ion battery`) lets a query for any of them find the others, so an English query
//! finds a listing written only in Chinese for that vocabulary.
//!
//! The file has one set a line, terms separated by commas, `#` comments. techex ships
//! `data/synonyms.txt`; the center may point `TECHEX_SEARCH_SYNONYMS` (`search_synonyms`
//! in `techex.toml`) at its own file, which is read again when it changes.
//!
//! Terms are compared in a canonical form: Chinese characters as they are, Latin words
//! lower-cased and stemmed, everything else a single space. So `Lithium-ion Batteries`
//! and `lithium ion battery` are the same term, and a term is found inside a longer query
//! at word boundaries (`ai` is not found in `training`).

use crate::analysis::{is_han, latin_analyzer};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

/// The synonyms shipped with techex.
pub const DEFAULT_FILE: &str = include_str!("../data/synonyms.txt");

/// The most terms one set may hold, and the longest term: a file is data from outside.
const MAX_SET: usize = 32;
const MAX_TERM_CHARS: usize = 80;

/// Equivalence sets, looked up by canonical term.
#[derive(Debug, Default, Clone)]
pub struct Synonyms {
    /// Each set's terms as written.
    sets: Vec<Vec<String>>,
    /// Canonical term → its set.
    by_term: HashMap<String, usize>,
    /// Canonical terms, longest first (the order spans are matched in).
    terms: Vec<String>,
    /// The indexes in `terms` of the terms starting with each character: finding the sets
    /// in a query looks only at the terms that can start at each of its characters.
    by_first: HashMap<char, Vec<usize>>,
}

/// A text with each byte of its canonical form traced back to the original text.
pub struct Canonical {
    pub text: String,
    /// For each byte of `text`, the byte of the original it came from.
    origin: Vec<usize>,
    /// For each byte of `text`, the end (exclusive) in the original of what it came from.
    origin_end: Vec<usize>,
}

/// The canonical form of a text (see the module comment).
pub fn canonical(text: &str) -> Canonical {
    let mut out = Canonical { text: String::with_capacity(text.len()), origin: Vec::new(), origin_end: Vec::new() };
    let mut stemmer = latin_analyzer();
    let push = |out: &mut Canonical, piece: &str, from: usize, to: usize| {
        out.text.push_str(piece);
        for _ in 0..piece.len() {
            out.origin.push(from);
            out.origin_end.push(to);
        }
    };
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if is_han(c) {
            push(&mut out, c.encode_utf8(&mut [0u8; 4]), start, start + c.len_utf8());
        } else if c.is_alphanumeric() {
            let mut end = start + c.len_utf8();
            while let Some(&(next_start, next)) = chars.peek() {
                if next.is_alphanumeric() && !is_han(next) {
                    end = next_start + next.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &text[start..end];
            let stemmed = crate::analysis::analyze(&mut stemmer, word)
                .into_iter()
                .map(|t| t.text)
                .next()
                .unwrap_or_else(|| word.to_lowercase());
            if out.text.chars().next_back().is_some_and(|p| p.is_alphanumeric() && !is_han(p)) {
                push(&mut out, " ", start, start);
            }
            push(&mut out, &stemmed, start, end);
        } else if !out.text.is_empty() && !out.text.ends_with(' ') {
            push(&mut out, " ", start, start + c.len_utf8());
        }
    }
    while out.text.ends_with(' ') {
        out.text.pop();
        out.origin.pop();
        out.origin_end.pop();
    }
    out
}

fn latin_at(text: &str, byte: usize, before: bool) -> bool {
    let c = if before { text[..byte].chars().next_back() } else { text[byte..].chars().next() };
    c.is_some_and(|c| c.is_alphanumeric() && !is_han(c))
}

/// One place where a set's term occurs in a query text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The byte range of the original text.
    pub from: usize,
    pub to: usize,
    /// Every term of the set, as written in the file.
    pub terms: Vec<String>,
}

impl Synonyms {
    /// Reads a synonyms file; malformed lines are skipped with a warning.
    pub fn parse(source: &str) -> Synonyms {
        let mut synonyms = Synonyms::default();
        for (number, line) in source.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let terms: Vec<String> = line
                .split([',', '，'])
                .map(str::trim)
                .filter(|t| !t.is_empty() && t.chars().count() <= MAX_TERM_CHARS)
                .map(str::to_string)
                .take(MAX_SET)
                .collect();
            if terms.len() < 2 {
                tracing::warn!(line = number + 1, "a synonym line needs two or more terms; skipped");
                continue;
            }
            let set = synonyms.sets.len();
            let mut kept = Vec::new();
            for term in terms {
                let key = canonical(&term).text;
                if key.is_empty() {
                    continue;
                }
                if synonyms.by_term.contains_key(&key) {
                    tracing::warn!(line = number + 1, term = %term, "a synonym term stands in two sets; the first wins");
                    continue;
                }
                synonyms.by_term.insert(key.clone(), set);
                synonyms.terms.push(key);
                kept.push(term);
            }
            synonyms.sets.push(kept);
        }
        synonyms.terms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        for (index, term) in synonyms.terms.iter().enumerate() {
            if let Some(first) = term.chars().next() {
                synonyms.by_first.entry(first).or_default().push(index);
            }
        }
        synonyms
    }

    /// The number of sets.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The sets whose terms occur in `text`, longest first and never overlapping.
    pub fn find(&self, text: &str) -> Vec<Found> {
        if self.sets.is_empty() {
            return Vec::new();
        }
        let canonical = canonical(text);
        let haystack = canonical.text.as_str();
        // Every occurrence of a term, then the longest first (the order of `terms`).
        let mut occurrences: Vec<(usize, usize)> = Vec::new();
        for (start, first) in haystack.char_indices() {
            for &index in self.by_first.get(&first).map(Vec::as_slice).unwrap_or_default() {
                if haystack[start..].starts_with(self.terms[index].as_str()) {
                    occurrences.push((index, start));
                }
            }
        }
        occurrences.sort_unstable();
        let mut taken: Vec<(usize, usize)> = Vec::new();
        let mut found = Vec::new();
        for (index, start) in occurrences {
            let term = &self.terms[index];
            let end = start + term.len();
            let latin_start = term.chars().next().is_some_and(|c| !is_han(c));
            let latin_end = term.chars().next_back().is_some_and(|c| !is_han(c));
            if (latin_start && latin_at(haystack, start, true)) || (latin_end && latin_at(haystack, end, false)) {
                continue;
            }
            if taken.iter().any(|&(s, e)| start < e && s < end) {
                continue;
            }
            taken.push((start, end));
            let (Some(&from), Some(&to)) = (canonical.origin.get(start), canonical.origin_end.get(end - 1)) else {
                continue;
            };
            if let Some(set) = self.by_term.get(term) {
                found.push(Found { from, to, terms: self.sets[*set].clone() });
            }
        }
        found.sort_by_key(|f| f.from);
        found
    }
}

/// The synonyms a process uses: the shipped file, or a file of the center's that is read
/// again (at most every two seconds it is checked) when it changes.
#[derive(Clone)]
pub struct SynonymSource {
    path: Option<PathBuf>,
    current: Arc<RwLock<Arc<Synonyms>>>,
    checked: Arc<Mutex<(Instant, Option<SystemTime>)>>,
}

const CHECK_EVERY: Duration = Duration::from_secs(2);

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn read(path: &Path) -> Option<Synonyms> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let synonyms = Synonyms::parse(&text);
            tracing::info!(path = %path.display(), sets = synonyms.len(), "loaded the search synonyms");
            Some(synonyms)
        }
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "cannot read the search synonyms; keeping the ones in use");
            None
        }
    }
}

impl SynonymSource {
    /// The synonyms shipped with techex.
    pub fn builtin() -> SynonymSource {
        SynonymSource {
            path: None,
            current: Arc::new(RwLock::new(Arc::new(Synonyms::parse(DEFAULT_FILE)))),
            checked: Arc::new(Mutex::new((Instant::now(), None))),
        }
    }

    /// The synonyms of a file, followed as it changes.
    pub fn file(path: &Path) -> SynonymSource {
        let stamp = modified(path);
        let synonyms = read(path).unwrap_or_default();
        SynonymSource {
            path: Some(path.to_path_buf()),
            current: Arc::new(RwLock::new(Arc::new(synonyms))),
            checked: Arc::new(Mutex::new((Instant::now(), stamp))),
        }
    }

    /// The synonyms to apply now (re-reading the file if it changed).
    pub fn get(&self) -> Arc<Synonyms> {
        if let Some(path) = &self.path
            && let Ok(mut checked) = self.checked.try_lock()
            && checked.0.elapsed() >= CHECK_EVERY
        {
            checked.0 = Instant::now();
            let stamp = modified(path);
            if stamp != checked.1 {
                checked.1 = stamp;
                if let Some(synonyms) = read(path)
                    && let Ok(mut current) = self.current.write()
                {
                    *current = Arc::new(synonyms);
                }
            }
        }
        match self.current.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Checks the file now, without waiting for the interval (tests, reload commands).
    pub fn refresh(&self) {
        if let Ok(mut checked) = self.checked.lock() {
            checked.0 = Instant::now() - CHECK_EVERY;
        }
        let _ = self.get();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms_stem_english_and_keep_chinese() {
        assert_eq!(canonical("Lithium-ion Batteries").text, "lithium ion batteri");
        assert_eq!(canonical("  锂电池，储能 ").text, "锂电池 储能");
        assert_eq!(canonical("5G基站").text, "5g基站");
    }

    #[test]
    fn sets_are_found_at_word_boundaries_longest_first() {
        let synonyms =
            Synonyms::parse("# test\n锂电池, 锂离子电池, lithium-ion battery\nai, 人工智能\n电池, cell\nbad line\n");
        assert_eq!(synonyms.len(), 3);
        let found = synonyms.find("高能量密度锂离子电池 for AI");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(&"高能量密度锂离子电池 for AI"[found[0].from..found[0].to], "锂离子电池");
        assert!(found[0].terms.contains(&"lithium-ion battery".to_string()));
        assert_eq!(&"高能量密度锂离子电池 for AI"[found[1].from..found[1].to], "AI");
        assert!(synonyms.find("training rain").is_empty());
        let english = synonyms.find("cheap Lithium ion batteries");
        assert_eq!(english.len(), 1);
        assert!(english[0].terms.contains(&"锂电池".to_string()));
    }

    #[test]
    fn the_shipped_file_keeps_every_term_it_writes() {
        // A term written twice, or a line of one term, is silently lost at run time:
        // the shipped vocabulary must have none.
        let synonyms = Synonyms::parse(DEFAULT_FILE);
        let lines: Vec<&str> =
            DEFAULT_FILE.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
        assert_eq!(synonyms.len(), lines.len(), "every line is a set");
        assert!(synonyms.len() >= 1500, "the vocabulary of the province's key fields");
        let written: usize = lines.iter().map(|l| l.split([',', '，']).filter(|t| !t.trim().is_empty()).count()).sum();
        let kept: usize = synonyms.sets.iter().map(Vec::len).sum();
        assert_eq!(kept, written, "a term stands in two sets, or is too long");
        for (set, terms) in synonyms.sets.iter().enumerate() {
            assert!(terms.len() >= 2, "set {set} lost its terms: {terms:?}");
        }
        let charging = synonyms.find("wireless charging for phones");
        assert!(charging.iter().any(|f| f.terms.iter().any(|t| t == "无线充电")), "{charging:?}");
    }

    #[test]
    fn an_edited_file_is_read_again() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("synonyms.txt");
        std::fs::write(&path, "海水淡化, desalination\n").expect("write");
        let source = SynonymSource::file(&path);
        assert_eq!(source.get().find("desalination").len(), 1);
        assert!(source.get().find("graphene").is_empty());
        std::fs::write(&path, "海水淡化, desalination\n石墨烯, graphene\n# more\n").expect("write");
        // Make the change visible to a coarse file clock.
        let later = SystemTime::now() + Duration::from_secs(5);
        std::fs::File::options().write(true).open(&path).and_then(|f| f.set_modified(later)).expect("touch");
        source.refresh();
        assert_eq!(source.get().find("graphene").len(), 1);
    }
}
