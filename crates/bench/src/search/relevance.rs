//! Relevance of techex's served search against the BM25 baselines on the judged sets.

use super::baselines::{Bm25, Tokenization};
use super::corpus::{document_id, organization_model};
use super::judged::{JudgedDoc, JudgedQuery, JudgedSet};
use super::metrics::{Scores, Tally};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use techex_listings::entities::achievement;
use techex_search::document::achievement_document;
use techex_search::query::Filters;
use techex_search::{SearchIndex, SearchRequest, Sort};
use uuid::Uuid;

/// How deep every engine ranks: Recall@100 needs the top 100.
pub const DEPTH: usize = 100;

/// One engine's figures on one set.
#[derive(Debug, Clone)]
pub struct EngineScores {
    pub label: String,
    pub scores: Scores,
    /// nDCG@10 of each query, in the set's order.
    pub per_query: Vec<f64>,
}

/// Every engine on one set; `engines[0]` is techex, `target` the baseline it is held to.
#[derive(Debug, Clone)]
pub struct SetReport {
    pub name: &'static str,
    pub docs: usize,
    pub queries: usize,
    pub engines: Vec<EngineScores>,
    pub target: usize,
    pub target_ratio: f64,
    /// Queries techex refused (a syntax error), counted as returning nothing.
    pub refused: Vec<String>,
}

/// The achievement row of a judged document: its text in the one language of the
/// set, and every other attribute the same for all documents (field, kind, region,
/// owner without a name), so that nothing but the text can tell documents apart.
fn judged_row(position: usize, doc: &JudgedDoc, english: bool, org: Uuid) -> achievement::Model {
    let mut row = techex::bootstrap::published_achievement(document_id(position), org, org, String::new());
    let text = |value: &str| (!value.trim().is_empty()).then(|| value.to_string());
    if english {
        row.title_zh = None;
        row.abstract_zh = None;
        row.title_en = text(&doc.title);
        row.summary_en = doc.summary.clone();
        row.abstract_en = text(&doc.body);
    } else {
        row.title_zh = text(&doc.title);
        row.abstract_zh = text(&doc.body);
    }
    row
}

/// A relevance request: the served request path, ranked by relevance, the top 100.
pub fn relevance_request(query: &str, english: bool) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        filters: Filters { doc_type: "achievement".into(), ..Filters::default() },
        sort: Sort::Relevance,
        offset: 0,
        limit: DEPTH,
        lang: if english { "en".into() } else { "zh".into() },
        keep_floor: false,
    }
}

/// techex as served (`SearchIndex::search`, documents built by `achievement_document`).
fn techex_scores(work: &Path, set: &JudgedSet, show: Option<&str>) -> anyhow::Result<(Tally, Vec<String>)> {
    let dir = work.join(format!("relevance-{}", if set.english { "en" } else { "zh" }));
    std::fs::remove_dir_all(&dir).ok();
    let index = SearchIndex::open_or_create(&dir)?;
    let org = Uuid::now_v7();
    let owner = organization_model(org, false);
    let mut position_of = HashMap::new();
    for (position, doc) in set.docs.iter().enumerate() {
        let row = judged_row(position, doc, set.english, org);
        position_of.insert(row.id, position);
        index.upsert(
            &row.id.to_string(),
            achievement_document(&index.fields, &(&row).into(), &owner, &Default::default()),
        )?;
    }
    index.commit(0)?;
    let mut tally = Tally::default();
    let mut refused = Vec::new();
    for query in &set.queries {
        let ranked: Vec<usize> = match index.search(&relevance_request(&query.text, set.english)) {
            Ok(results) => {
                if show.is_some_and(|text| query.text.contains(text)) {
                    show_hits(set, query, &results.hits, &position_of);
                }
                results.hits.iter().filter_map(|hit| position_of.get(&hit.card.id).copied()).collect()
            }
            Err(error) => {
                tracing::warn!(query = %query.text, %error, "techex refused a judged query");
                refused.push(query.text.clone());
                Vec::new()
            }
        };
        tally.add(&ranked, &query.relevant);
    }
    drop(index);
    std::fs::remove_dir_all(&dir).ok();
    Ok((tally, refused))
}

/// Prints techex's first hits for a judged query (`--show`), the relevant ones starred,
/// with the terms each matched, then the relevant documents: for reading why a query
/// ranks as it does while tuning.
fn show_hits(
    set: &JudgedSet,
    query: &JudgedQuery,
    hits: &[techex_search::search::Hit],
    position_of: &HashMap<Uuid, usize>,
) {
    println!("\n{} — relevant: {}", query.text, query.relevant.len());
    for hit in hits.iter().take(10) {
        let Some(&position) = position_of.get(&hit.card.id) else { continue };
        let star = if query.relevant.contains(&position) { "*" } else { " " };
        let terms: Vec<&str> = hit.matched.iter().map(|m| m.term.as_str()).collect();
        println!("  {star} {position:>5} {:>8.3}  {}  [{}]", hit.score, hit.title, terms.join(", "));
    }
    let mut relevant: Vec<usize> = query.relevant.iter().copied().collect();
    relevant.sort_unstable();
    for position in relevant {
        println!("  relevant {position:>5}  {}", set.docs[position].title);
    }
}

fn baseline_scores(set: &JudgedSet, tokenization: Tokenization) -> Tally {
    let texts: Vec<String> = set.docs.iter().map(JudgedDoc::text).collect();
    let mut index = Bm25::build(tokenization, texts.iter().map(String::as_str));
    let mut tally = Tally::default();
    for query in &set.queries {
        tally.add(&index.search(&query.text, DEPTH), &query.relevant);
    }
    tally
}

/// Runs techex and the baselines of the set's language over one judged set. The
/// target baseline is character bigrams for Chinese and, for English, the better of
/// plain and stemmed words.
pub fn evaluate(work: &Path, set: &JudgedSet, show: Option<&str>) -> anyhow::Result<SetReport> {
    tracing::info!(set = set.name, docs = set.docs.len(), queries = set.queries.len(), "relevance run");
    let (techex, refused) = techex_scores(work, set, show)?;
    let mut engines = vec![EngineScores {
        label: "techex (SearchIndex::search, as served)".into(),
        scores: techex.scores(),
        per_query: techex.per_query,
    }];
    let baselines: &[Tokenization] = if set.english {
        &[Tokenization::Words, Tokenization::StemmedWords]
    } else {
        &[Tokenization::CharBigrams, Tokenization::JiebaWords]
    };
    for &tokenization in baselines {
        let tally = baseline_scores(set, tokenization);
        engines.push(EngineScores {
            label: tokenization.label().into(),
            scores: tally.scores(),
            per_query: tally.per_query,
        });
    }
    let target =
        if set.english { if engines[2].scores.ndcg_at_10 > engines[1].scores.ndcg_at_10 { 2 } else { 1 } } else { 1 };
    let target_ratio = if set.english { 1.06 } else { 1.10 };
    Ok(SetReport {
        name: set.name,
        docs: set.docs.len(),
        queries: set.queries.len(),
        engines,
        target,
        target_ratio,
        refused,
    })
}

/// Appends one JSON line per query of the set: the query, its number of relevant
/// documents and each engine's nDCG@10 (to see which queries an engine loses).
pub fn write_per_query(out: &mut impl Write, set: &JudgedSet, report: &SetReport) -> anyhow::Result<()> {
    for (i, query) in set.queries.iter().enumerate() {
        let engines: serde_json::Map<String, serde_json::Value> = report
            .engines
            .iter()
            .map(|e| (e.label.clone(), serde_json::json!(e.per_query.get(i).copied().unwrap_or(0.0))))
            .collect();
        let line = serde_json::json!({
            "set": report.name,
            "query": query.text,
            "relevant": query.relevant.len(),
            "ndcg_at_10": engines,
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}
