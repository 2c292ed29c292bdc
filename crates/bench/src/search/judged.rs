//! The judged relevance sets, built from public data only.
//!
//! - **Chinese** (CSL): a query is an author keyword of the 2,000 records that have an
//!   abstract; the relevant documents are the records whose author keywords hold it.
//!   Only title and abstract are indexed, so the answer is not in the index. Keywords
//!   with 2..=30 relevant records are eligible; a seeded shuffle picks the queries.
//! - **English**: natural-language questions written by hand against the English texts
//!   of the demo achievements (`crates/bench/data/english_queries.jsonl`), each with the demo ids
//!   judged relevant. Title, summary and abstract are indexed, never the keywords.

use super::corpus::{CslRecord, DemoEnglish};
use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The checked-in English questions.
pub const ENGLISH_QUERIES: &str = include_str!("../../data/english_queries.jsonl");

/// A document of a judged set: what every engine indexes, and nothing else.
#[derive(Debug, Clone)]
pub struct JudgedDoc {
    pub title: String,
    /// The summary (English set only).
    pub summary: Option<String>,
    pub body: String,
}

impl JudgedDoc {
    /// The whole indexed text, for engines with a single field.
    pub fn text(&self) -> String {
        match &self.summary {
            Some(summary) => format!("{}\n{summary}\n{}", self.title, self.body),
            None => format!("{}\n{}", self.title, self.body),
        }
    }
}

/// A query with the positions (in `JudgedSet::docs`) of its relevant documents.
#[derive(Debug, Clone)]
pub struct JudgedQuery {
    pub text: String,
    pub relevant: HashSet<usize>,
}

/// Documents and judged queries in one language.
#[derive(Debug, Clone)]
pub struct JudgedSet {
    pub name: &'static str,
    pub english: bool,
    pub docs: Vec<JudgedDoc>,
    pub queries: Vec<JudgedQuery>,
}

/// The bounds on the number of relevant documents of a Chinese keyword query.
pub const MIN_RELEVANT: usize = 2;
pub const MAX_RELEVANT: usize = 30;

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c))
}

/// The Chinese set from the CSL corpus: `count` keyword queries picked with `seed`.
pub fn chinese_set(records: &[CslRecord], count: usize, seed: u64) -> JudgedSet {
    let docs: Vec<JudgedDoc> = records
        .iter()
        .filter(|r| r.is_complete())
        .map(|r| JudgedDoc { title: r.title.clone(), summary: None, body: r.r#abstract.clone().unwrap_or_default() })
        .collect();
    let mut by_keyword: BTreeMap<String, HashSet<usize>> = BTreeMap::new();
    for (position, record) in records.iter().filter(|r| r.is_complete()).enumerate() {
        for keyword in &record.keywords {
            let keyword = keyword.trim();
            if keyword.chars().count() >= 2 && has_han(keyword) {
                by_keyword.entry(keyword.to_string()).or_default().insert(position);
            }
        }
    }
    // Sorted by keyword (BTreeMap), then shuffled: the same seed gives the same set.
    let mut eligible: Vec<(String, HashSet<usize>)> = by_keyword
        .into_iter()
        .filter(|(_, relevant)| (MIN_RELEVANT..=MAX_RELEVANT).contains(&relevant.len()))
        .collect();
    shuffle(&mut eligible, seed);
    eligible.truncate(count);
    let queries = eligible.into_iter().map(|(text, relevant)| JudgedQuery { text, relevant }).collect();
    JudgedSet { name: "Chinese (CSL keywords → titles and abstracts)", english: false, docs, queries }
}

#[derive(Debug, Deserialize)]
struct EnglishLine {
    query: String,
    relevant: Vec<String>,
}

/// The English set: the demo achievements' English texts and the judged questions
/// (JSON lines `{"query": …, "relevant": [source_id, …]}`).
pub fn english_set(demo: &[DemoEnglish], questions: &str) -> anyhow::Result<JudgedSet> {
    let docs: Vec<JudgedDoc> = demo
        .iter()
        .map(|d| JudgedDoc {
            title: d.title_en.clone(),
            summary: d.summary_en.clone().filter(|s| !s.trim().is_empty()),
            body: d.abstract_en.clone().unwrap_or_default(),
        })
        .collect();
    let position: HashMap<&str, usize> = demo.iter().enumerate().map(|(i, d)| (d.source_id.as_str(), i)).collect();
    let mut queries = Vec::new();
    for (number, line) in questions.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let parsed: EnglishLine =
            serde_json::from_str(line).with_context(|| format!("english question on line {}", number + 1))?;
        let mut relevant = HashSet::new();
        for id in &parsed.relevant {
            let Some(&at) = position.get(id.as_str()) else {
                bail!("english question on line {} names {id}, which is not a demo achievement", number + 1);
            };
            relevant.insert(at);
        }
        if relevant.is_empty() {
            bail!("english question on line {} has no relevant achievement", number + 1);
        }
        queries.push(JudgedQuery { text: parsed.query, relevant });
    }
    Ok(JudgedSet { name: "English (questions → demo titles, summaries, abstracts)", english: true, docs, queries })
}

/// SplitMix64: a tiny seeded generator, so the selection needs no dependency and is
/// the same on every machine.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fisher–Yates with SplitMix64.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    for i in (1..items.len()).rev() {
        let j = (next(&mut state) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(title: &str, keywords: &[&str]) -> CslRecord {
        CslRecord {
            title: title.into(),
            r#abstract: Some(format!("{title}的摘要")),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
        }
    }

    #[test]
    fn chinese_queries_are_keywords_shared_by_two_to_thirty_records_and_the_seed_fixes_them() {
        let records = vec![
            record("甲", &["锂电池", "正极"]),
            record("乙", &["锂电池"]),
            record("丙", &["正极材料", "battery"]),
            CslRecord { title: "丁".into(), r#abstract: None, keywords: vec!["锂电池".into()] },
        ];
        let set = chinese_set(&records, 10, 7);
        assert_eq!(set.docs.len(), 3, "only records with an abstract and keywords are indexed");
        assert_eq!(set.queries.len(), 1);
        assert_eq!(set.queries[0].text, "锂电池");
        assert_eq!(set.queries[0].relevant, HashSet::from([0, 1]));
        let again = chinese_set(&records, 10, 7);
        assert_eq!(again.queries[0].text, set.queries[0].text);
    }

    #[test]
    fn the_checked_in_english_questions_name_only_demo_achievements() {
        let demo = super::super::corpus::demo_english().unwrap();
        let set = english_set(&demo, ENGLISH_QUERIES).unwrap();
        assert!(set.queries.len() >= 60);
        assert!(set.docs.iter().all(|d| !d.title.is_empty()));
    }
}
