//! Matching demands with achievements, explainably: the words that carry a demand (or
//! an achievement) are weighed by how rare they are in the index, the best of them are
//! searched for, and each match lists which of them it contains. The center's synonyms
//! of those words are searched for too, a little below them, so a demand written in
//! English finds an achievement written only in Chinese for that vocabulary.

use crate::analysis::{analyze, index_analyzer, query_analyzer};
use crate::document::Card;
use crate::error::Result;
use crate::index::SearchIndex;
use crate::query::term_alone;
use crate::schema::text_fields;
use crate::synonyms::{Synonyms, canonical};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
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

/// The words of the source with weights (tf × idf), most telling first, each with how
/// many documents of the index hold it (words no document holds weigh the most).
fn weighed_words(index: &SearchIndex, texts: &[&str]) -> Vec<(String, f32, u64)> {
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
    let mut weighed: Vec<(String, f32, u64)> = frequencies
        .into_iter()
        .map(|(word, tf)| {
            let df = searcher.doc_freq(&Term::from_field_text(index.fields.body, &word)).unwrap_or(0);
            let idf = ((documents + 1.0) / (df as f32 + 1.0)).ln() + 1.0;
            (word, tf as f32 * idf, df)
        })
        .collect();
    weighed.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    weighed
}

/// The most telling words of the source that some document holds, with their weights.
fn telling(words: &[(String, f32, u64)]) -> Vec<(String, f32)> {
    words.iter().filter(|(_, _, df)| *df > 0).take(16).map(|(word, weight, _)| (word.clone(), *weight)).collect()
}

/// A synonym counts for half the word of the source it stands for: a match in the
/// source's own words ranks above one through the vocabulary file, which still finds a
/// listing written only in the other language.
const SYNONYM_WEIGHT: f32 = 0.5;

/// The most synonyms one source searches for.
const MAX_EXPANSIONS: usize = 24;

/// The other terms of a synonym set found in the source, with the weight of the word
/// they stand for. A set counts once however many of its terms a match holds.
#[derive(Debug, Clone, PartialEq)]
struct Expansion {
    terms: Vec<String>,
    weight: f32,
}

/// The synonyms of the source's words: for each set found in a text, the set's other
/// terms, together, weighed as the best of the words its occurrence holds (at most `top`, the
/// weight of the most telling word searched for). A word no document holds still counts
/// here: it is how an English demand finds a listing written only in Chinese.
fn expansions(texts: &[&str], words: &[(String, f32, u64)], top: f32, synonyms: &Synonyms) -> Vec<Expansion> {
    let mut analyzer = query_analyzer();
    let mut found: Vec<Expansion> = Vec::new();
    for text in texts {
        for set in synonyms.find(text) {
            let Some(surface) = text.get(set.from..set.to) else { continue };
            let weight = analyze(&mut analyzer, surface)
                .iter()
                .filter_map(|token| words.iter().find(|(word, _, _)| *word == token.text).map(|(_, w, _)| *w))
                .fold(0.0_f32, f32::max)
                .min(top);
            if weight <= 0.0 {
                continue;
            }
            let surface_form = canonical(surface).text;
            let terms: Vec<String> = set.terms.into_iter().filter(|t| canonical(t).text != surface_form).collect();
            if terms.is_empty() {
                continue;
            }
            match found.iter_mut().find(|e| e.terms == terms) {
                Some(known) => known.weight = known.weight.max(weight * SYNONYM_WEIGHT),
                None => found.push(Expansion { terms, weight: weight * SYNONYM_WEIGHT }),
            }
        }
    }
    found.sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.terms.cmp(&b.terms)));
    found.truncate(MAX_EXPANSIONS);
    found
}

/// Finds the best matches for a source, with the synonyms of its telling words.
pub fn find(index: &SearchIndex, source: &Source<'_>, synonyms: &Synonyms, limit: usize) -> Result<Vec<Match>> {
    let words = weighed_words(index, &source.texts);
    let terms = telling(&words);
    let top = terms.first().map_or_else(|| words.first().map_or(1.0, |w| w.1), |t| t.1).max(f32::EPSILON);
    let expanded = expansions(&source.texts, &words, top, synonyms);
    if terms.is_empty() && expanded.is_empty() {
        return Ok(Vec::new());
    }
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (word, weight) in &terms {
        for (field, boost) in text_fields(&index.fields) {
            let term = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs);
            should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(term), boost * weight / top))));
        }
    }
    for expansion in &expanded {
        let alternatives: Vec<Box<dyn Query>> =
            expansion.terms.iter().filter_map(|term| term_alone(&index.fields, term)).collect();
        if !alternatives.is_empty() {
            let best = Box::new(DisjunctionMaxQuery::new(alternatives));
            should.push((Occur::Should, Box::new(BoostQuery::new(best, expansion.weight / top))));
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
        let mut matched_terms: Vec<String> =
            terms.iter().filter(|(w, _)| present.contains(w)).map(|(w, _)| w.clone()).collect();
        // The synonyms it holds, found as a query's are (whole words, canonical form).
        if !expanded.is_empty() {
            for found in synonyms.find(&text) {
                let Some(surface) = text.get(found.from..found.to) else { continue };
                let form = canonical(surface).text;
                for term in expanded.iter().flat_map(|e| &e.terms) {
                    if canonical(term).text == form && !matched_terms.contains(term) {
                        matched_terms.push(term.clone());
                    }
                }
            }
        }
        let same_field = source.field.is_some_and(|f| f == card.field);
        matches.push(Match { card, score, matched_terms, same_field });
    }
    Ok(matches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Labels, achievement_document};
    use crate::fixtures::{test_owner, test_row};

    /// Two achievements written only in Chinese: a battery-recycling one and a bearing one.
    fn chinese_index(dir: &std::path::Path) -> (SearchIndex, Uuid) {
        let index = SearchIndex::open_or_create(dir).expect("index");
        let now = chrono::Utc::now();
        let owner = test_owner(now);
        let mut battery = Uuid::nil();
        for (title, body) in [
            ("废旧锂离子电池正极材料回收方法", "从废旧锂离子电池中回收钴、镍和锂，回收率高。"),
            ("高速轴承故障诊断方法", "通过振动信号识别轴承的早期故障。"),
        ] {
            let mut row = test_row(owner.id, now);
            row.title_zh = Some(title.into());
            row.abstract_zh = Some(body.into());
            if battery.is_nil() {
                battery = row.id;
            }
            let document = achievement_document(&index.fields, &row, &owner, &Labels::default());
            index.upsert(&row.id.to_string(), document).expect("upsert");
        }
        index.commit(1).expect("commit");
        (index, battery)
    }

    fn source<'a>(texts: Vec<&'a str>) -> Source<'a> {
        Source { texts, field: None, target_type: "achievement", exclude: None }
    }

    #[test]
    fn an_english_demand_finds_a_chinese_listing_through_the_synonyms() {
        let dir = tempfile::tempdir().expect("dir");
        let (index, battery) = chinese_index(dir.path());
        let synonyms = Synonyms::parse("锂电池, 锂离子电池, lithium-ion battery, lithium battery\n");
        let demand = source(vec!["Recycling of spent lithium-ion batteries"]);

        let without = find(&index, &demand, &Synonyms::default(), 10).expect("find");
        assert!(without.is_empty(), "no word of the demand is in the index: {without:?}");

        let matches = find(&index, &demand, &synonyms, 10).expect("find");
        assert_eq!(matches.len(), 1, "{matches:?}");
        assert_eq!(matches[0].card.id, battery);
        assert!(matches[0].matched_terms.contains(&"锂离子电池".to_string()), "{:?}", matches[0].matched_terms);
    }

    #[test]
    fn a_synonym_counts_below_the_word_it_stands_for() {
        let dir = tempfile::tempdir().expect("dir");
        let (index, _) = chinese_index(dir.path());
        let synonyms = Synonyms::parse("轴承, bearing\n");
        let texts = ["轴承故障"];
        let words = weighed_words(&index, &texts);
        let top = telling(&words)[0].1;
        let expanded = expansions(&texts, &words, top, &synonyms);
        let bearing = words.iter().find(|(w, _, _)| w == "轴承").map(|w| w.1).expect("轴承 is weighed");
        assert_eq!(
            expanded,
            vec![Expansion { terms: vec!["bearing".into()], weight: bearing.min(top) * SYNONYM_WEIGHT }]
        );
    }

    #[test]
    fn a_chinese_demand_names_the_english_synonym_a_listing_holds() {
        let dir = tempfile::tempdir().expect("dir");
        let index = SearchIndex::open_or_create(dir.path()).expect("index");
        let now = chrono::Utc::now();
        let owner = test_owner(now);
        let mut row = test_row(owner.id, now);
        row.title_en = Some("Training-free recycling of spent Lithium-ion batteries".into());
        let document = achievement_document(&index.fields, &row, &owner, &Labels::default());
        index.upsert(&row.id.to_string(), document).expect("upsert");
        index.commit(1).expect("commit");
        let synonyms = Synonyms::parse("锂电池, lithium-ion battery, lithium battery\nai, 人工智能\n");
        let matches = find(&index, &source(vec!["锂电池回收", "人工智能"]), &synonyms, 10).expect("find");
        assert_eq!(matches.len(), 1, "{matches:?}");
        assert_eq!(matches[0].matched_terms, ["lithium-ion battery"], "whole words only: no `ai` in `training`");
    }
}
