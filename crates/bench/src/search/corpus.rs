//! The benchmark's text: CSL records and the English texts of the demo achievements,
//! the rows and index documents made of them, and the query set of the speed runs.

use anyhow::Context;
use serde::Deserialize;
use std::path::Path;
use techex_listings::entities::{StringList, achievement, organization};
use techex_search::analysis::{self, analyze};
use uuid::Uuid;

/// One record of the CSL corpus.
#[derive(Debug, Clone, Deserialize)]
pub struct CslRecord {
    pub title: String,
    #[serde(default)]
    pub r#abstract: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
}

impl CslRecord {
    /// A record with an abstract and author keywords (one of the 2,000 judged ones).
    pub fn is_complete(&self) -> bool {
        self.r#abstract.as_deref().is_some_and(|a| !a.trim().is_empty()) && !self.keywords.is_empty()
    }
}

/// The English side of one demo achievement.
#[derive(Debug, Clone, Deserialize)]
pub struct DemoEnglish {
    pub source_id: String,
    pub title_en: String,
    #[serde(default)]
    pub abstract_en: Option<String>,
    #[serde(default)]
    pub summary_en: Option<String>,
    #[serde(default)]
    pub keywords_en: Vec<String>,
}

/// The demo achievements, as shipped with the binary.
pub fn demo_english() -> anyhow::Result<Vec<DemoEnglish>> {
    include_str!("../../../../demo/achievements.jsonl")
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).context("demo achievement line"))
        .collect()
}

/// Reads the CSL corpus.
pub fn load_csl(corpus: &Path) -> anyhow::Result<Vec<CslRecord>> {
    let text =
        std::fs::read_to_string(corpus).with_context(|| format!("cannot read the corpus {}", corpus.display()))?;
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).context("corpus line")).collect()
}

/// One base record that the scaled corpus repeats under new ids.
#[derive(Debug, Clone)]
pub struct Base {
    pub title: String,
    pub body: String,
    pub keywords: Vec<String>,
    pub english: bool,
    /// The record's text segmented by techex's index analyzer, space-joined: what
    /// PostgreSQL and FTS5 index, so that every engine sees the same words.
    pub segmented: String,
}

const FIELDS: [&str; 6] =
    ["new_materials", "new_energy", "biomedicine", "marine", "high_end_equipment", "new_generation_it"];
const KINDS: [&str; 3] = ["invention_patent", "technical_secret", "software_copyright"];
const MATURITIES: [&str; 3] = ["lab", "pilot", "mass_production"];
const REGIONS: [&str; 4] = ["370100", "370200", "370600", "370700"];

/// The base records of the speed runs: every CSL record (title, abstract, keywords)
/// and every demo achievement's English text.
pub fn speed_bases(records: &[CslRecord], demo: &[DemoEnglish]) -> Vec<Base> {
    let mut analyzer = analysis::index_analyzer();
    let mut bases = Vec::with_capacity(records.len() + demo.len());
    for record in records {
        let body = format!("{} {}", record.r#abstract.clone().unwrap_or_default(), record.keywords.join(" "));
        let segmented = segment(&mut analyzer, &format!("{} {body}", record.title));
        bases.push(Base {
            title: record.title.clone(),
            body,
            keywords: record.keywords.clone(),
            english: false,
            segmented,
        });
    }
    for listing in demo {
        let body = format!(
            "{} {} {}",
            listing.summary_en.clone().unwrap_or_default(),
            listing.abstract_en.clone().unwrap_or_default(),
            listing.keywords_en.join(" ")
        );
        let segmented = segment(&mut analyzer, &format!("{} {body}", listing.title_en));
        bases.push(Base {
            title: listing.title_en.clone(),
            body,
            keywords: listing.keywords_en.clone(),
            english: true,
            segmented,
        });
    }
    bases
}

/// A text segmented by one of techex's analyzers, the tokens joined by spaces.
pub fn segment(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> String {
    analyze(analyzer, text).into_iter().map(|t| t.text).collect::<Vec<_>>().join(" ")
}

/// The stable id of the i-th document of a benchmark index.
pub fn document_id(index: usize) -> Uuid {
    Uuid::from_u64_pair(0x0190_0000_0000_7000 | (index as u64 >> 32), 0x8000_0000_0000_0000 | index as u64)
}

/// The achievement row of the i-th document of the scaled corpus.
pub fn achievement_row(index: usize, base: &Base, org: Uuid, user: Uuid) -> achievement::Model {
    let (title_zh, title_en, abstract_zh, abstract_en) = if base.english {
        (None, Some(base.title.clone()), None, Some(base.body.clone()))
    } else {
        (Some(base.title.clone()), None, Some(base.body.clone()), None)
    };
    achievement::Model {
        title_zh,
        title_en,
        abstract_zh,
        abstract_en,
        kind: KINDS[index % KINDS.len()].into(),
        field_code: FIELDS[index % FIELDS.len()].into(),
        maturity: Some(MATURITIES[index % MATURITIES.len()].into()),
        asking_price_minor: Some(((index * 7919) % 500 + 1) as i64 * 1_000_000),
        keywords: StringList(base.keywords.clone()),
        region: REGIONS[index % REGIONS.len()].into(),
        ..techex::bootstrap::published_achievement(document_id(index), org, user, String::new())
    }
}

/// The owner of every benchmark document; `named` false gives it no name, so that
/// no word of the owner is indexed with the judged documents.
pub fn organization_model(id: Uuid, named: bool) -> organization::Model {
    let now = chrono::Utc::now();
    organization::Model {
        id,
        name: if named { "基准大学".into() } else { String::new() },
        name_en: named.then(|| "Benchmark University".into()),
        kind: "university".into(),
        credit_code: String::new(),
        region: "370100".into(),
        website: None,
        description: None,
        description_en: None,
        verified_at: Some(now),
        verified_by: None,
        rejection_reason: None,
        rejected_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// The query set of the speed runs, `count` queries in turn: a judged Chinese keyword,
/// a CSL title, two adjacent words of a CSL abstract, an English question.
pub fn speed_queries(bases: &[Base], chinese: &[String], english: &[String], count: usize) -> Vec<String> {
    let mut analyzer = analysis::query_analyzer();
    let titled: Vec<&Base> = bases.iter().filter(|b| !b.english && !b.body.trim().is_empty()).collect();
    let mut queries = Vec::with_capacity(count);
    let mut step = 0usize;
    while queries.len() < count && !titled.is_empty() && !chinese.is_empty() && !english.is_empty() {
        let base = titled[(step * 7919 + 3) % titled.len()];
        let query = match queries.len() % 4 {
            0 => chinese[step % chinese.len()].clone(),
            1 => base.title.clone(),
            2 => {
                let words: Vec<String> = analyze(&mut analyzer, &base.body)
                    .into_iter()
                    .map(|t| t.text)
                    .filter(|w| w.chars().count() >= 2)
                    .collect();
                if words.len() < 4 {
                    step += 1;
                    continue;
                }
                let start = (step * 31) % (words.len() - 2);
                format!("{}{}", words[start], words[start + 1])
            }
            _ => english[step % english.len()].clone(),
        };
        // Query syntax characters would make some engines' queries differ from others'.
        let cleaned: String = query.chars().filter(|c| !matches!(c, '"' | '“' | '”' | '-' | '+')).collect();
        if !cleaned.trim().is_empty() {
            queries.push(cleaned);
        }
        step += 1;
    }
    queries
}
