//! Matching demands with achievements, explainably: the words that carry a demand (or
//! an achievement) are weighed by how rare they are in the index, the best of them are
//! searched for, and each match lists which of them it contains.

use crate::analysis::{analyze, index_analyzer, query_analyzer};
use crate::document::Card;
use crate::error::Result;
use crate::index::SearchIndex;
use crate::schema::text_fields;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};
use utoipa::ToSchema;
use uuid::Uuid;

/// One match with its reasons.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Match {
    #[serde(flatten)]
    pub card: Card,
    pub score: f32,
    /// The weighed words of the source that this match contains, most telling first.
    pub matched_terms: Vec<String>,
    /// Whether it is in the same industry field.
    pub same_field: bool,
}

/// Words too common in technical writing to say anything about a match.
const GENERIC: &[&str] = &[
    "的",
    "和",
    "与",
    "及",
    "其",
    "在",
    "对",
    "了",
    "是",
    "为",
    "中",
    "等",
    "一种",
    "方法",
    "基于",
    "研究",
    "技术",
    "应用",
    "系统",
    "装置",
    "制备",
    "分析",
    "设计",
    "我们",
    "公司",
    "需要",
    "需求",
    "进行",
    "通过",
    "提高",
    "实现",
    "问题",
    "the",
    "of",
    "and",
    "for",
    "a",
    "an",
    "in",
    "to",
    "with",
    "on",
    "by",
    "is",
    "are",
    "we",
    "our",
    "use",
    "method",
    "system",
    "studi",
    "base",
    "technolog",
];

/// What to match from.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub texts: Vec<&'a str>,
    pub field: Option<&'a str>,
    /// `achievement` or `demand`: the kind of documents to find.
    pub target_type: &'a str,
    /// Leave this id out (an achievement is not similar to itself).
    pub exclude: Option<Uuid>,
}

/// The most telling words of the source, with weights (tf × idf).
fn weighted_terms(index: &SearchIndex, texts: &[&str]) -> Vec<(String, f32)> {
    let mut analyzer = query_analyzer();
    let mut frequencies: BTreeMap<String, u32> = BTreeMap::new();
    for text in texts {
        for token in analyze(&mut analyzer, text) {
            if GENERIC.contains(&token.text.as_str()) || token.text.chars().count() < 2 && token.text.is_ascii() {
                continue;
            }
            *frequencies.entry(token.text).or_default() += 1;
        }
    }
    let searcher = index.searcher();
    let documents = searcher.num_docs().max(1) as f32;
    let mut weighted: Vec<(String, f32)> = frequencies
        .into_iter()
        .filter_map(|(word, tf)| {
            let df: u64 = [index.fields.body]
                .iter()
                .map(|f| searcher.doc_freq(&Term::from_field_text(*f, &word)).unwrap_or(0))
                .max()
                .unwrap_or(0);
            if df == 0 {
                return None;
            }
            let idf = ((documents + 1.0) / (df as f32 + 1.0)).ln() + 1.0;
            Some((word, tf as f32 * idf))
        })
        .collect();
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    weighted.truncate(16);
    weighted
}

/// Finds the best matches for a source.
pub fn find(index: &SearchIndex, source: &Source<'_>, limit: usize) -> Result<Vec<Match>> {
    let terms = weighted_terms(index, &source.texts);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let top = terms.first().map_or(1.0, |t| t.1).max(f32::EPSILON);
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (word, weight) in &terms {
        for (field, boost) in text_fields(&index.fields) {
            let term = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs);
            should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(term), boost * weight / top))));
        }
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, Box::new(BooleanQuery::new(should))),
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(index.fields.doc_type, source.target_type),
                IndexRecordOption::Basic,
            )),
        ),
    ];
    // The same industry field adds to a match; it never makes one alone.
    if let Some(field) = source.field {
        let term = Term::from_facet(index.fields.field, &Facet::from_path(["field", field]));
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(TermQuery::new(term, IndexRecordOption::Basic)), 1.5)),
        ));
    }
    if let Some(exclude) = source.exclude {
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(index.fields.id, &exclude.to_string()),
                IndexRecordOption::Basic,
            )),
        ));
    }
    let query = BooleanQuery::new(clauses);
    let searcher = index.searcher();
    let ranked = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
    let mut analyzer = index_analyzer();
    let mut matches = Vec::with_capacity(ranked.len());
    for (score, address) in ranked {
        let document: TantivyDocument = searcher.doc(address)?;
        let Some(card) = document
            .get_first(index.fields.card)
            .and_then(|v| v.as_str())
            .and_then(|j| serde_json::from_str::<Card>(j).ok())
        else {
            continue;
        };
        let text = [
            card.title_zh.as_deref(),
            card.title_en.as_deref(),
            card.summary_zh.as_deref(),
            card.summary_en.as_deref(),
            card.abstract_zh.as_deref(),
            card.abstract_en.as_deref(),
        ]
        .iter()
        .flatten()
        .copied()
        .chain(card.keywords.iter().map(String::as_str))
        .collect::<Vec<&str>>()
        .join("\n");
        let present: HashSet<String> = analyze(&mut analyzer, &text).into_iter().map(|t| t.text).collect();
        let matched_terms: Vec<String> =
            terms.iter().filter(|(w, _)| present.contains(w)).map(|(w, _)| w.clone()).collect();
        let same_field = source.field.is_some_and(|f| f == card.field);
        matches.push(Match { card, score, matched_terms, same_field });
    }
    Ok(matches)
}
