//! Turning parsed clauses and filters into a ranked tantivy query.
//!
//! Each word of the query is a *unit*: a document matches it when the word is among its
//! words (body ×1 — which holds the title too —, keywords ×1, title ×0.5 more, labels
//! ×0.6) or, for Chinese, when the word's characters stand together in its text however
//! jieba segmented them (character pairs in a row in the gram fields, weighed lower; the
//! pairs of a longer word scattered count for a little). A synonym set found in the query is one
//! unit whose alternatives are every term of the set. Optional units are ranked by
//! BM25; a floor that grows with the number of units (`floor`) keeps documents that match
//! too few of them out. Bonuses reward the query's Chinese text found verbatim and its
//! English words close together. `+word` and phrases are required, `-word` excluded.

use crate::analysis::{Analyzed, analyze, is_han, is_stopword, query_analyzer};
use crate::schema::{Fields, text_fields};
use crate::synonyms::Synonyms;
use crate::syntax::{Clause, Mode, Term as ClauseTerm};
use std::ops::Bound;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

/// Filters applied to a search besides the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// `achievement` or `demand`.
    pub doc_type: String,
    /// Facet dimension → accepted values (any of them).
    pub facets: Vec<(String, Vec<String>)>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    /// Restrict to these entity ids (used by saved-search alerts).
    pub ids: Option<Vec<String>>,
}

/// The weight of a Chinese word found through its characters rather than as a word.
const GRAM_WEIGHT: f32 = 0.6;
/// The weight of each character pair of a longer Chinese word found anywhere (partial
/// credit when the word itself is not there), shared among its pairs.
const LOOSE_PAIR_WEIGHT: f32 = 0.5;
/// A Chinese run of the query found verbatim: bonuses in the title and the body.
const VERBATIM_TITLE: f32 = 1.0;
const VERBATIM_BODY: f32 = 5.0;
/// English words of the query next to each other: bonuses in the title and the body.
const NEAR_TITLE: f32 = 2.0;
const NEAR_BODY: f32 = 1.0;
/// The weight of a synonym set's term relative to the word as typed.
const SYNONYM_WEIGHT: f32 = 0.9;
/// What each alternative of a unit after the best one adds, as a share of its score
/// (0.3 measured best of 0–0.5 on both judged sets, by a little).
const SYNONYM_TIE: f32 = 0.3;

/// What to mark in a hit's text for a unit: Chinese strings (found as substrings) and
/// English stems (found as the stems of the text's words).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    pub han: Vec<String>,
    pub stems: Vec<String>,
}

impl Marks {
    fn add(&mut self, token: &Analyzed, surface: &str) {
        if surface.chars().any(is_han) {
            if !self.han.iter().any(|h| h == surface) {
                self.han.push(surface.to_string());
            }
        } else if !self.stems.contains(&token.text) {
            self.stems.push(token.text.clone());
        }
    }

    fn extend(&mut self, other: &Marks) {
        for han in &other.han {
            if !self.han.contains(han) {
                self.han.push(han.clone());
            }
        }
        for stem in &other.stems {
            if !self.stems.contains(stem) {
                self.stems.push(stem.clone());
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.han.is_empty() && self.stems.is_empty()
    }
}

/// One way to satisfy a unit: the term as a user reads it and what to mark for it.
#[derive(Debug, Clone)]
pub struct Alternative {
    pub label: String,
    pub marks: Marks,
}

/// One ranked part of the query.
pub struct Unit {
    pub query: Box<dyn Query>,
    pub alternatives: Vec<Alternative>,
}

/// The query's text, compiled once and run at any floor.
#[derive(Default)]
pub struct Plan {
    /// Optional units (ranked; at least `floor` of them must match).
    pub units: Vec<Unit>,
    /// Required clauses (their alternatives are explained like units).
    pub required: Vec<Unit>,
    pub excluded: Vec<Box<dyn Query>>,
    /// Optional bonuses (verbatim text, words close together); they never match alone.
    pub bonus: Vec<Box<dyn Query>>,
    /// Whether the query held any positive text at all (even only stopwords, punctuation
    /// or a word too long to be indexed).
    pub has_text: bool,
}

impl Plan {
    /// Whether anything ranks the results (otherwise they are listed newest first).
    pub fn ranks(&self) -> bool {
        !self.units.is_empty() || !self.required.is_empty()
    }

    /// Whether the query asked for text but nothing in it can match (stopwords only,
    /// punctuation, a word longer than any indexed one): it finds nothing, rather than
    /// everything as a query without text would.
    pub fn nothing_searchable(&self) -> bool {
        self.has_text && !self.ranks()
    }

    /// The plan with each part's weight computed once for `searcher` (see `prepared`):
    /// every pass of one search over that searcher then shares them.
    pub fn prepare(mut self, searcher: &tantivy::Searcher) -> tantivy::Result<Plan> {
        let share = |query: &mut Box<dyn Query>| -> tantivy::Result<()> {
            *query = Box::new(crate::prepared::Prepared::new(query.as_ref(), searcher)?);
            Ok(())
        };
        for unit in self.units.iter_mut().chain(self.required.iter_mut()) {
            share(&mut unit.query)?;
        }
        for query in self.excluded.iter_mut().chain(self.bonus.iter_mut()) {
            share(query)?;
        }
        Ok(self)
    }

    /// What to mark in hits: every alternative of every positive unit.
    pub fn marks(&self) -> Marks {
        let mut marks = Marks::default();
        for unit in self.units.iter().chain(&self.required) {
            for alternative in &unit.alternatives {
                marks.extend(&alternative.marks);
            }
        }
        marks
    }
}

/// How many optional units a document must match when nothing is required: one of one
/// or two, then a third of them (at least two). When fewer than `RELAX_BELOW` documents
/// reach the floor, any one unit will do (see `SearchIndex::search_with`).
pub const RELAX_BELOW: u64 = 100;

pub fn floor(units: usize) -> usize {
    match units {
        0..=2 => 1,
        3..=4 => 2,
        n => n.div_ceil(3),
    }
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON { query } else { Box::new(BoostQuery::new(query, boost)) }
}

fn term_query(field: Field, text: &str, record: IndexRecordOption) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), record))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        let mut queries = queries;
        if let Some(only) = queries.pop() {
            return only;
        }
        return Box::new(BooleanQuery::new(Vec::new()));
    }
    Box::new(BooleanQuery::new(queries.into_iter().map(|q| (Occur::Should, q)).collect()))
}

/// Alternatives of one unit (a term and its synonyms): the best of them counts, the
/// others a little, so a document is not ranked up for holding several names of one
/// thing.
fn best_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        return any_of(queries);
    }
    Box::new(DisjunctionMaxQuery::with_tie_breaker(queries, SYNONYM_TIE))
}

/// Chinese characters standing together in a gram field: one character, one pair, or a
/// run of pairs at consecutive positions; `None` without two or more Chinese characters
/// in a row (or one alone).
fn gram_query(field: Field, han: &str) -> Option<(Box<dyn Query>, usize)> {
    let chars: Vec<char> = han.chars().collect();
    if chars.is_empty() || !chars.iter().all(|c| is_han(*c)) {
        return None;
    }
    match chars.len() {
        1 => Some((term_query(field, han, IndexRecordOption::WithFreqs), 1)),
        2 => Some((term_query(field, han, IndexRecordOption::WithFreqs), 1)),
        n => {
            let terms: Vec<(usize, Term)> = (0..n - 1)
                .map(|i| (i, Term::from_field_text(field, &chars[i..i + 2].iter().collect::<String>())))
                .collect();
            Some((Box::new(PhraseQuery::new_with_offset(terms)), n - 1))
        }
    }
}

/// One analysed word in every word field, and for Chinese its characters in the gram
/// fields; with `loose`, the pairs of a long Chinese word found scattered count a little
/// (never for a required or an excluded word, which must be there as written).
fn word_query(fields: &Fields, token: &Analyzed, surface: &str, loose: bool) -> Box<dyn Query> {
    let mut should: Vec<Box<dyn Query>> = text_fields(fields)
        .iter()
        .map(|(field, boost)| boosted(term_query(*field, &token.text, IndexRecordOption::WithFreqs), *boost))
        .collect();
    let chars: Vec<char> = surface.chars().collect();
    for field in [fields.title_gram, fields.body_gram] {
        if let Some((grams, pairs)) = gram_query(field, surface) {
            should.push(boosted(grams, GRAM_WEIGHT / pairs as f32));
        }
    }
    // Partial credit in the body (which holds the title too).
    if loose && chars.len() >= 3 && chars.iter().all(|c| is_han(*c)) {
        for pair in chars.windows(2) {
            let bigram: String = pair.iter().collect();
            let weight = LOOSE_PAIR_WEIGHT / (chars.len() - 1) as f32;
            should.push(boosted(term_query(fields.body_gram, &bigram, IndexRecordOption::WithFreqs), weight));
        }
    }
    any_of(should)
}

/// Analyses a text into its words (stopwords kept), without repeats at one position.
fn tokens_of(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Analyzed> {
    let mut tokens: Vec<Analyzed> = Vec::new();
    for token in analyze(analyzer, text) {
        if !tokens.iter().any(|t| t.text == token.text && t.position == token.position) {
            tokens.push(token);
        }
    }
    tokens
}

fn phrase_in(field: Field, tokens: &[Analyzed], slop: u32) -> Box<dyn Query> {
    let base = tokens.first().map_or(0, |t| t.position);
    let terms: Vec<(usize, Term)> =
        tokens.iter().map(|t| (t.position.saturating_sub(base), Term::from_field_text(field, &t.text))).collect();
    Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
}

/// A text as one thing to find: a single word as `word_query`, several words next to
/// each other (Chinese: its characters verbatim), with what to mark for it.
fn text_query(
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
    text: &str,
    loose: bool,
) -> Option<(Box<dyn Query>, Marks)> {
    let tokens = tokens_of(analyzer, text);
    let mut marks = Marks::default();
    match tokens.as_slice() {
        [] => None,
        [only] => {
            let surface = text.get(only.from..only.to).unwrap_or(&only.text);
            marks.add(only, surface);
            Some((word_query(fields, only, surface, loose), marks))
        }
        _ => {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let mut should: Vec<Box<dyn Query>> = Vec::new();
            if compact.chars().all(is_han) {
                marks.han.push(compact.clone());
                for (field, boost) in [(fields.title_gram, 3.0), (fields.body_gram, 1.0)] {
                    if let Some((grams, pairs)) = gram_query(field, &compact) {
                        should.push(boosted(grams, boost / pairs as f32));
                    }
                }
            } else {
                for token in &tokens {
                    marks.add(token, text.get(token.from..token.to).unwrap_or(&token.text));
                }
                for (field, boost) in [(fields.title, 3.0), (fields.keywords, 2.0), (fields.body, 1.0)] {
                    should.push(boosted(phrase_in(field, &tokens, 1), boost / tokens.len() as f32));
                }
            }
            Some((any_of(should), marks))
        }
    }
}

/// A term alone as a query over every text field, as a query for that term would
/// match it (a Chinese term verbatim, several words next to each other); `None` when it
/// has no words. Matching uses it for the synonyms of a source's telling words.
pub fn term_alone(fields: &Fields, text: &str) -> Option<Box<dyn Query>> {
    text_query(fields, &mut query_analyzer(), text, false).map(|(query, _)| query)
}

/// Context for compiling one query.
struct Compiler<'a> {
    fields: &'a Fields,
    synonyms: &'a Synonyms,
    analyzer: TextAnalyzer,
    plan: Plan,
}

impl Compiler<'_> {
    /// A term with the synonyms of its whole text (unless `exact`), as alternatives of
    /// one unit; `loose` for an optional one (see `word_query`).
    fn alternatives_unit(&mut self, terms: &[ClauseTerm], exact: bool, loose: bool) -> Option<Unit> {
        let mut queries: Vec<Box<dyn Query>> = Vec::new();
        let mut alternatives: Vec<Alternative> = Vec::new();
        for term in terms {
            match term {
                ClauseTerm::Patent(number) => {
                    queries.push(boosted(term_query(self.fields.patent, number, IndexRecordOption::Basic), 8.0));
                    alternatives.push(Alternative { label: number.clone(), marks: Marks::default() });
                }
                ClauseTerm::Ipc(code) => {
                    queries.push(boosted(term_query(self.fields.ipc, code, IndexRecordOption::Basic), 5.0));
                    alternatives.push(Alternative { label: code.clone(), marks: Marks::default() });
                }
                ClauseTerm::Text(text) | ClauseTerm::Phrase(text) => {
                    if let Some((query, marks)) = text_query(self.fields, &mut self.analyzer, text, loose) {
                        queries.push(query);
                        alternatives.push(Alternative { label: text.clone(), marks });
                    }
                    if exact {
                        continue;
                    }
                    let found = self.synonyms.find(text);
                    if let [whole] = found.as_slice()
                        && whole.from == 0
                        && whole.to >= text.trim_end().len()
                    {
                        for synonym in whole.terms.iter().filter(|s| *s != text) {
                            if let Some((query, marks)) = text_query(self.fields, &mut self.analyzer, synonym, loose) {
                                queries.push(boosted(query, SYNONYM_WEIGHT));
                                alternatives.push(Alternative { label: synonym.clone(), marks });
                            }
                        }
                    }
                }
            }
        }
        (!queries.is_empty()).then(|| Unit { query: best_of(queries), alternatives })
    }

    /// An optional free-text term: one unit per word, a synonym set's span as one unit,
    /// and a bonus for its Chinese text found verbatim.
    fn optional_text(&mut self, text: &str) {
        self.plan.has_text |= text.chars().any(|c| !c.is_whitespace());
        let tokens = tokens_of(&mut self.analyzer, text);
        if tokens.is_empty() {
            return;
        }
        let found = self.synonyms.find(text);
        let mut units_here = 0;
        for span in &found {
            let surface = &text[span.from..span.to];
            let mut queries: Vec<Box<dyn Query>> = Vec::new();
            let mut alternatives = Vec::new();
            let mut seen_surface = false;
            for synonym in span.terms.iter() {
                seen_surface |= synonym == surface;
                if let Some((query, marks)) = text_query(self.fields, &mut self.analyzer, synonym, true) {
                    let weight = if synonym == surface { 1.0 } else { SYNONYM_WEIGHT };
                    queries.push(boosted(query, weight));
                    alternatives.push(Alternative { label: synonym.clone(), marks });
                }
            }
            if !seen_surface && let Some((query, marks)) = text_query(self.fields, &mut self.analyzer, surface, true) {
                queries.push(query);
                alternatives.insert(0, Alternative { label: surface.to_string(), marks });
            }
            // The span's own words count as they would without the set, each where it is
            // found: a listing on a `hull form` is not lost to a query's `ship hull` because
            // the set holds that phrase (with all of them required, it scored nothing).
            let words: Vec<&Analyzed> = tokens
                .iter()
                .filter(|t| t.from >= span.from && t.to <= span.to)
                .filter(|t| !is_stopword(text.get(t.from..t.to).unwrap_or("")))
                .collect();
            if words.len() > 1 {
                let mut each: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for token in words {
                    let word = text.get(token.from..token.to).unwrap_or(&token.text);
                    each.push((Occur::Should, word_query(self.fields, token, word, true)));
                    let mut marks = Marks::default();
                    marks.add(token, word);
                    alternatives.push(Alternative { label: word.to_string(), marks });
                }
                queries.push(Box::new(BooleanQuery::new(each)));
            }
            if !queries.is_empty() {
                self.plan.units.push(Unit { query: best_of(queries), alternatives });
                units_here += 1;
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for token in &tokens {
            let surface = text.get(token.from..token.to).unwrap_or(&token.text);
            if is_stopword(surface)
                || found.iter().any(|f| token.from >= f.from && token.to <= f.to)
                || seen.contains(&token.text.as_str())
            {
                continue;
            }
            // A word asked twice (`battery … batteries`) is one unit.
            seen.push(&token.text);
            let mut marks = Marks::default();
            marks.add(token, surface);
            self.plan.units.push(Unit {
                query: word_query(self.fields, token, surface, true),
                alternatives: vec![Alternative { label: surface.to_string(), marks }],
            });
            units_here += 1;
        }
        // The Chinese runs of the term, verbatim, rank above their words scattered.
        if units_here > 1 || tokens.len() > 1 {
            for run in text.split(|c: char| !is_han(c)).filter(|r| r.chars().count() >= 3) {
                for (field, boost) in [(self.fields.title_gram, VERBATIM_TITLE), (self.fields.body_gram, VERBATIM_BODY)]
                {
                    if let Some((query, pairs)) = gram_query(field, run) {
                        self.plan.bonus.push(boosted(query, boost / pairs as f32));
                    }
                }
            }
        }
    }

    /// English words of the optional text next to each other (in order, a few
    /// characters apart at most) rank higher: one bonus per neighbouring pair.
    fn proximity(&mut self, optional_texts: &[&str]) {
        let joined = optional_texts.join(" ");
        let words: Vec<Analyzed> = tokens_of(&mut self.analyzer, &joined)
            .into_iter()
            .filter(|t| {
                let surface = joined.get(t.from..t.to).unwrap_or("");
                !surface.chars().any(is_han) && !is_stopword(surface) && t.text.chars().any(char::is_alphabetic)
            })
            .collect();
        for pair in words.windows(2).take(8) {
            if pair[0].text == pair[1].text {
                continue;
            }
            for (field, boost) in [(self.fields.title, NEAR_TITLE), (self.fields.body, NEAR_BODY)] {
                self.plan.bonus.push(boosted(phrase_in(field, pair, 8), boost));
            }
        }
    }
}

/// Compiles the clauses of a query.
pub fn plan(fields: &Fields, clauses: &[Clause], synonyms: &Synonyms) -> Plan {
    let mut compiler = Compiler { fields, synonyms, analyzer: query_analyzer(), plan: Plan::default() };
    let mut optional_texts: Vec<&str> = Vec::new();
    // Neighbouring free words are read as one text, so a synonym of several words
    // (`lithium-ion battery`) is found across them.
    let mut run: Vec<&str> = Vec::new();
    for clause in clauses {
        if let (Mode::Optional, [ClauseTerm::Text(text)]) = (clause.mode, clause.terms.as_slice()) {
            run.push(text);
            optional_texts.push(text);
            continue;
        }
        if !run.is_empty() {
            compiler.optional_text(&run.join(" "));
            run.clear();
        }
        match (clause.mode, clause.terms.as_slice()) {
            (Mode::Optional, terms) => {
                compiler.plan.has_text = true;
                if let Some(unit) = compiler.alternatives_unit(terms, false, true) {
                    compiler.plan.units.push(unit);
                }
            }
            (Mode::Required, terms) => {
                compiler.plan.has_text = true;
                let exact = terms.iter().all(|t| matches!(t, ClauseTerm::Phrase(_)));
                if let Some(unit) = compiler.alternatives_unit(terms, exact, false) {
                    compiler.plan.required.push(unit);
                }
            }
            (Mode::Excluded, terms) => {
                if let Some(unit) = compiler.alternatives_unit(terms, true, false) {
                    compiler.plan.excluded.push(unit.query);
                }
            }
        }
    }
    if !run.is_empty() {
        compiler.optional_text(&run.join(" "));
    }
    compiler.proximity(&optional_texts);
    compiler.plan
}

fn facet_filter(fields: &Fields, dimension: &str, values: &[String]) -> Option<Box<dyn Query>> {
    let field = fields.facet(dimension)?;
    let terms: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|value| {
            let term = Term::from_facet(field, &Facet::from_path([dimension, value.as_str()]));
            (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
        })
        .collect();
    Some(Box::new(BooleanQuery::new(terms)))
}

/// The filters as required clauses that do not score.
fn filter_clauses(fields: &Fields, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut filter = |query: Box<dyn Query>| parts.push((Occur::Must, Box::new(BoostQuery::new(query, 0.0))));
    filter(term_query(fields.doc_type, &filters.doc_type, IndexRecordOption::Basic));
    for (dimension, values) in &filters.facets {
        if !values.is_empty()
            && let Some(query) = facet_filter(fields, dimension, values)
        {
            filter(query);
        }
    }
    if filters.price_min.is_some() || filters.price_max.is_some() {
        let lower =
            filters.price_min.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(fields.price, v)));
        let upper =
            filters.price_max.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(fields.price, v)));
        filter(Box::new(RangeQuery::new(lower, upper)));
    }
    if let Some(ids) = &filters.ids {
        filter(any_of(ids.iter().map(|id| term_query(fields.id, id, IndexRecordOption::Basic)).collect()));
    }
    parts
}

/// The whole query at a floor: at least `floor` optional units, every required clause,
/// no excluded one, the filters; bonuses add to the score. With no text, every document
/// that passes the filters matches.
pub fn build(fields: &Fields, plan: &Plan, filters: &Filters, floor: usize) -> Box<dyn Query> {
    let mut parts = filter_clauses(fields, filters);
    if !plan.units.is_empty() {
        let units: Vec<(Occur, Box<dyn Query>)> =
            plan.units.iter().map(|u| (Occur::Should, u.query.box_clone())).collect();
        if plan.required.is_empty() {
            let minimum = floor.clamp(1, plan.units.len());
            parts.push((Occur::Must, Box::new(BooleanQuery::with_minimum_required_clauses(units, minimum))));
        } else {
            // Beside a required clause the other words only rank.
            parts.push((Occur::Should, Box::new(BooleanQuery::new(units))));
        }
    }
    for unit in &plan.required {
        parts.push((Occur::Must, unit.query.box_clone()));
    }
    for query in &plan.excluded {
        parts.push((Occur::MustNot, query.box_clone()));
    }
    if plan.ranks() {
        for query in &plan.bonus {
            parts.push((Occur::Should, query.box_clone()));
        }
    }
    Box::new(BooleanQuery::new(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(query: &str, synonyms: &Synonyms) -> Plan {
        let (_, fields) = crate::schema::build();
        let clauses = crate::syntax::parse(query).expect("parses");
        plan(&fields, &clauses, synonyms)
    }

    #[test]
    fn every_content_word_is_a_unit_and_stopwords_are_not() {
        let none = Synonyms::default();
        let english = plan_of("what problems of heat conduction in composite slabs have been solved so far", &none);
        let labels: Vec<String> = english.units.iter().map(|u| u.alternatives[0].label.to_lowercase()).collect();
        assert_eq!(labels, ["problems", "heat", "conduction", "composite", "slabs", "solved"]);
        assert!(!english.bonus.is_empty(), "neighbouring words earn a proximity bonus");
        assert!(plan_of("的 了", &none).nothing_searchable());
        assert!(!plan_of("", &none).has_text);
        // Punctuation, symbols and a word too long to be indexed ask for text that cannot
        // match: nothing is found (a query without text lists everything).
        for text in ["***", "。，、", "!!! ???", "😀", &"a".repeat(60), &"ZL".repeat(50)] {
            let plan = plan_of(text, &none);
            assert!(plan.nothing_searchable(), "{text:?}");
        }
        assert!(!plan_of(&format!("{} battery", "a".repeat(80)), &none).nothing_searchable());
    }

    #[test]
    fn a_synonym_span_is_one_unit_with_every_term_of_its_set() {
        let synonyms = Synonyms::parse("锂电池, 锂离子电池, lithium-ion battery\n");
        let plan = plan_of("lithium-ion batteries recycling", &synonyms);
        let all: Vec<&str> = plan.units.iter().map(|u| u.alternatives[0].label.as_str()).collect();
        assert_eq!(plan.units.len(), 2, "{all:?}");
        let labels: Vec<&str> = plan.units[0].alternatives.iter().map(|a| a.label.as_str()).collect();
        assert!(labels.contains(&"锂离子电池") && labels.contains(&"锂电池"), "{labels:?}");
        assert!(plan.marks().han.contains(&"锂离子电池".to_string()));
    }

    #[test]
    fn the_floor_grows_with_the_number_of_units() {
        assert_eq!((1..=9).map(floor).collect::<Vec<_>>(), [1, 1, 2, 2, 2, 2, 3, 3, 3]);
    }
}
