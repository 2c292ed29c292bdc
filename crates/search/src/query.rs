//! Turning parsed clauses and filters into a tantivy query.

use crate::analysis::{Analyzed, analyze, query_analyzer};
use crate::schema::{Fields, text_fields};
use crate::syntax::Clause;
use std::ops::Bound;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption};

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

/// An exact term of a text field (scored by frequency).
fn word_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

/// An exact term of a raw string field (ids, patent numbers, IPC symbols, types).
fn exact_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

/// A word that must occur in the body, scoring more in the title and keywords.
fn any_field(fields: &Fields, word: &str) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = text_fields(fields)
        .iter()
        .map(|(field, boost)| {
            let occur = if *field == fields.body { Occur::Must } else { Occur::Should };
            let query = word_query(*field, word);
            let boosted: Box<dyn Query> = if *boost == 1.0 { query } else { Box::new(BoostQuery::new(query, *boost)) };
            (occur, boosted)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// The words in this order and next to each other, in one field.
fn phrase_in(field: Field, tokens: &[Analyzed]) -> Box<dyn Query> {
    let base = tokens.first().map_or(0, |t| t.position);
    let terms: Vec<(usize, Term)> =
        tokens.iter().map(|t| (t.position - base, Term::from_field_text(field, &t.text))).collect();
    Box::new(PhraseQuery::new_with_offset(terms))
}

fn dedup_tokens(tokens: Vec<Analyzed>) -> Vec<Analyzed> {
    let mut seen: Vec<Analyzed> = Vec::with_capacity(tokens.len());
    for token in tokens {
        if !seen.iter().any(|t| t.text == token.text && t.position == token.position) {
            seen.push(token);
        }
    }
    seen
}

/// The query of one clause, or `None` when it holds no searchable word.
fn clause_query(
    fields: &Fields,
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    clause: &Clause,
) -> Option<Box<dyn Query>> {
    match clause {
        Clause::Patent { number, .. } => Some(exact_query(fields.patent, number)),
        Clause::Ipc { code, .. } => Some(exact_query(fields.ipc, code)),
        Clause::Text { text, .. } => {
            let tokens = dedup_tokens(analyze(analyzer, text));
            match tokens.len() {
                0 => None,
                1 => Some(any_field(fields, &tokens[0].text)),
                _ => {
                    // Every word somewhere, and a bonus when they stand together as typed.
                    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                    let mut words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
                    words.sort();
                    words.dedup();
                    for word in words {
                        clauses.push((Occur::Must, any_field(fields, word)));
                    }
                    clauses.push((Occur::Should, Box::new(BoostQuery::new(phrase_in(fields.body, &tokens), 2.0))));
                    clauses.push((Occur::Should, Box::new(BoostQuery::new(phrase_in(fields.title, &tokens), 3.0))));
                    Some(Box::new(BooleanQuery::new(clauses)))
                }
            }
        }
        Clause::Phrase { text, .. } => {
            let tokens = dedup_tokens(analyze(analyzer, text));
            match tokens.len() {
                0 => None,
                1 => Some(any_field(fields, &tokens[0].text)),
                _ => Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, phrase_in(fields.body, &tokens)),
                    (Occur::Should, Box::new(BoostQuery::new(phrase_in(fields.title, &tokens), 3.0))),
                ]))),
            }
        }
    }
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

/// The whole query: clauses (AND), exclusions (NOT), filters. Clauses without a
/// searchable word are ignored; with no positive clause, every document of the type
/// that passes the filters matches.
pub fn build(fields: &Fields, clauses: &[Clause], filters: &Filters) -> Box<dyn Query> {
    let mut analyzer = query_analyzer();
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    parts.push((Occur::Must, exact_query(fields.doc_type, &filters.doc_type)));
    for clause in clauses {
        if let Some(query) = clause_query(fields, &mut analyzer, clause) {
            parts.push((if clause.negated() { Occur::MustNot } else { Occur::Must }, query));
        }
    }
    for (dimension, values) in &filters.facets {
        if !values.is_empty()
            && let Some(query) = facet_filter(fields, dimension, values)
        {
            parts.push((Occur::Must, query));
        }
    }
    if filters.price_min.is_some() || filters.price_max.is_some() {
        let lower =
            filters.price_min.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(fields.price, v)));
        let upper =
            filters.price_max.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(fields.price, v)));
        parts.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
    }
    if let Some(ids) = &filters.ids {
        let any: Vec<(Occur, Box<dyn Query>)> =
            ids.iter().map(|id| (Occur::Should, exact_query(fields.id, id))).collect();
        parts.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    Box::new(BooleanQuery::new(parts))
}

/// Whether the clauses hold any word to rank by (otherwise results are listed by recency).
pub fn has_text(clauses: &[Clause]) -> bool {
    clauses.iter().any(|c| !c.negated())
}

/// The words to mark in hits: the analysed words of every positive clause.
pub fn highlight_terms(clauses: &[Clause]) -> Vec<String> {
    let mut analyzer = query_analyzer();
    let mut terms: Vec<String> = Vec::new();
    for clause in clauses.iter().filter(|c| !c.negated()) {
        let text = match clause {
            Clause::Text { text, .. } | Clause::Phrase { text, .. } => text,
            Clause::Patent { number, .. } => number,
            Clause::Ipc { code, .. } => code,
        };
        for token in analyze(&mut analyzer, text) {
            if !terms.contains(&token.text) {
                terms.push(token.text);
            }
        }
    }
    terms
}
