//! Running a search: text, filters, facet counts, ordering, highlights and pages.

use crate::document::Card;
use crate::error::{Result, SearchError};
use crate::highlight::{Stemmed, highlight_ranges};
use crate::index::SearchIndex;
use crate::query::{Filters, Marks, Plan, RELAX_BELOW, build, floor, plan};
use crate::schema::FACETS;
use crate::synonyms::Synonyms;
use crate::syntax;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use tantivy::collector::{Count, FacetCollector, MultiCollector, TopDocs};
use tantivy::schema::Value;
use tantivy::{DocAddress, Score, SegmentReader, TantivyDocument};
use utoipa::ToSchema;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first (the default with a query; newest first without one).
    #[default]
    Relevance,
    Newest,
    /// Cheapest first; items without a price last.
    PriceAsc,
    /// Dearest first; items without a price last.
    PriceDesc,
}

impl Sort {
    pub fn parse(input: &str) -> Result<Sort> {
        match input.trim() {
            "" | "relevance" => Ok(Sort::Relevance),
            "newest" | "recent" => Ok(Sort::Newest),
            "price" | "price_asc" => Ok(Sort::PriceAsc),
            "price_desc" | "-price" => Ok(Sort::PriceDesc),
            other => Err(SearchError::parameter(
                "sort",
                techex_core::msg::VALUE_NOT_ONE_OF
                    .with("input", other)
                    .with("allowed", "relevance, newest, price_asc, price_desc"),
            )),
        }
    }
}

/// One search request.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// `zh` or `en`: which language's text the snippet prefers.
    pub lang: String,
    /// Keep the floor even when few documents reach it (saved-search alerts: a new
    /// listing that shares one word with a long search is not news).
    pub keep_floor: bool,
}

/// One hit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    #[serde(flatten)]
    pub card: Card,
    /// Relevance (BM25 with field boosts); 0 when ordered otherwise.
    pub score: f32,
    /// The title in the requested language (the other one when it has none), plain text.
    pub title: String,
    /// The title with the matched words in `<mark>`, HTML-escaped.
    pub title_highlighted: String,
    /// A passage of the abstract (or the summary) in the requested language with the
    /// matched words in `<mark>`, HTML-escaped.
    pub snippet: String,
    /// Why it matched: the query's terms (or the synonyms of them) found in the hit's
    /// title, summary, abstract or keywords, with those fields. Terms found only in the
    /// labels (field, region, kind, organization) are listed with no field.
    pub matched: Vec<MatchedTerm>,
}

/// One term of the query that a hit contains, and where.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct MatchedTerm {
    pub term: String,
    /// `title`, `summary`, `abstract`, `keywords`.
    pub fields: Vec<String>,
}

/// The count of one facet value.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// A page of results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResults {
    /// How many documents match in all (the same set the facets count and the pages
    /// walk through).
    pub total: u64,
    pub hits: Vec<Hit>,
    /// For each dimension (`kind`, `field`, `maturity`, `mode`, `region`, `organization`),
    /// the values among the matching documents with their counts, largest first.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The deepest a client may page.
pub const MAX_OFFSET: usize = 10_000;

/// Encodes the position of the next page.
pub fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o{offset}"))
}

/// Decodes a cursor into an offset.
pub fn decode_cursor(cursor: &str) -> Result<usize> {
    let invalid = || SearchError::parameter("cursor", techex_core::msg::CURSOR_INVALID);
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let offset = text.strip_prefix('o').and_then(|n| n.parse::<usize>().ok()).ok_or_else(invalid)?;
    if offset > MAX_OFFSET {
        return Err(invalid());
    }
    Ok(offset)
}

type SortKey = (f64, i64, u64);

/// Ranks by the requested order, always ending with publication time and id so that
/// equal keys come back in the same order every time.
fn collector(sort: Sort, count: usize) -> impl tantivy::collector::Collector<Fruit = Vec<(SortKey, DocAddress)>> {
    TopDocs::with_limit(count.max(1)).tweak_score(move |segment: &SegmentReader| {
        let fast = segment.fast_fields();
        let published = fast.i64("published").ok().map(|c| c.first_or_default_col(0));
        let id_low = fast.u64("id_low").ok().map(|c| c.first_or_default_col(0));
        let price = fast.i64("price").ok();
        move |doc: tantivy::DocId, score: Score| {
            let published = published.as_ref().map_or(0, |c| c.get_val(doc));
            let id = id_low.as_ref().map_or(0, |c| c.get_val(doc));
            let price = price.as_ref().and_then(|c| c.first(doc));
            let primary = match sort {
                Sort::Relevance => f64::from(score),
                Sort::Newest => 0.0,
                Sort::PriceAsc => price.map_or(f64::MIN, |p| -(p as f64)),
                Sort::PriceDesc => price.map_or(f64::MIN, |p| p as f64),
            };
            (primary, published, id)
        }
    })
}

/// How many of the first pass's best hits coordination reorders (see `coverage`).
pub const COORDINATED: usize = 100;

/// The share of the query's units that each document matches (its required clauses
/// always, its optional units where they match): a hit's score is
/// multiplied by it (the coordination factor of classic Lucene scoring), so a document
/// holding most of a long question's words outranks one repeating a few of them. BM25
/// alone sums the units, and a frequent pair of words (`neural networks`) with its
/// proximity bonus outweighed the rarer words that said what was asked (`reservoir
/// permeability`). Measured on the judged sets of `techex-bench search` (reordering the first
/// pass's top 100): English nDCG@10 0.880 → 0.894, Chinese up 0.000–0.003 on six seeds.
/// Only the given documents are looked at: each unit's scorer seeks to them in order.
fn coverage(searcher: &tantivy::Searcher, plan: &Plan, addresses: &[DocAddress]) -> Result<Vec<f64>> {
    use tantivy::DocSet;
    use tantivy::query::EnableScoring;
    let mut matched = vec![0usize; addresses.len()];
    let mut order: Vec<usize> = (0..addresses.len()).collect();
    order.sort_by_key(|&i| (addresses[i].segment_ord, addresses[i].doc_id));
    for unit in &plan.units {
        let weight = unit.query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
        for &i in &order {
            let address = addresses[i];
            if current.as_ref().is_none_or(|(segment, _)| *segment != address.segment_ord) {
                let reader = searcher.segment_reader(address.segment_ord);
                current = Some((address.segment_ord, weight.scorer(reader, 1.0)?));
            }
            if let Some((_, scorer)) = current.as_mut() {
                if scorer.doc() < address.doc_id {
                    scorer.seek(address.doc_id);
                }
                if scorer.doc() == address.doc_id {
                    matched[i] += 1;
                }
            }
        }
    }
    // Required clauses are matched by every hit: they count in both terms of the share.
    let required = plan.required.len();
    let clauses = (plan.units.len() + required).max(1) as f64;
    Ok(matched.into_iter().map(|m| (m + required) as f64 / clauses).collect())
}

/// The synonyms shipped with techex, for searches that are not given others.
static BUILTIN_SYNONYMS: std::sync::LazyLock<Synonyms> =
    std::sync::LazyLock::new(|| Synonyms::parse(crate::synonyms::DEFAULT_FILE));

/// The synonyms shipped with techex.
pub fn builtin_synonyms() -> &'static Synonyms {
    &BUILTIN_SYNONYMS
}

fn facet_counts(fruits: BTreeMap<&'static str, tantivy::collector::FacetCounts>) -> BTreeMap<String, Vec<FacetCount>> {
    let mut facets = BTreeMap::new();
    for (name, counts) in fruits {
        let prefix = format!("/{name}");
        let mut values: Vec<FacetCount> = counts
            .get(prefix.as_str())
            .map(|(facet, count)| FacetCount {
                value: facet.to_path().last().map(|s| s.to_string()).unwrap_or_default(),
                count,
            })
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        facets.insert(name.to_string(), values);
    }
    facets
}

impl SearchIndex {
    /// Runs a search with the synonyms shipped with techex.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        self.search_with(request, builtin_synonyms())
    }

    /// Runs a search: at the floor of the query's length, or with any one word when that
    /// finds fewer than `RELAX_BELOW` documents, so a query never comes back empty (or
    /// nearly) because of one word, while a query with plenty of good matches keeps the
    /// documents that share only one word with it off its pages.
    pub fn search_with(&self, request: &SearchRequest, synonyms: &Synonyms) -> Result<SearchResults> {
        let clauses = syntax::parse(&request.query).map_err(SearchError::Syntax)?;
        let plan = plan(&self.fields, &clauses, synonyms);
        if plan.nothing_searchable() {
            return Ok(SearchResults { total: 0, hits: Vec::new(), facets: BTreeMap::new(), next_cursor: None });
        }
        let sort = if request.sort == Sort::Relevance && !plan.ranks() { Sort::Newest } else { request.sort };
        let searcher = self.searcher();
        let plan = plan.prepare(&searcher)?;
        let first_floor = floor(plan.units.len());
        let coordinated = sort == Sort::Relevance && plan.units.len() > 1;
        let wanted = request.offset + request.limit;
        // Coordination reorders the first `COORDINATED` hits whatever the page, so every
        // page is cut from the same order.
        let depth = if coordinated { wanted.max(COORDINATED) } else { wanted };
        let (mut ranked, mut total, mut facets) = self.collect(&searcher, &plan, request, sort, first_floor, depth)?;
        if total < RELAX_BELOW && first_floor > 1 && !request.keep_floor {
            (ranked, total, facets) = self.collect(&searcher, &plan, request, sort, 1, depth)?;
        }
        if coordinated {
            let head = ranked.len().min(COORDINATED);
            let addresses: Vec<DocAddress> = ranked[..head].iter().map(|(_, address)| *address).collect();
            for (entry, share) in ranked[..head].iter_mut().zip(coverage(&searcher, &plan, &addresses)?) {
                entry.0.0 *= share;
            }
            ranked[..head].sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        }
        let page: Vec<&(SortKey, DocAddress)> = ranked.iter().skip(request.offset).take(request.limit).collect();
        let hits = self.hits(&searcher, &plan, &page, sort, &request.lang)?;
        let next_offset = request.offset + hits.len();
        let next_cursor = (next_offset < total as usize && next_offset <= MAX_OFFSET && !hits.is_empty())
            .then(|| encode_cursor(next_offset));
        Ok(SearchResults { total, hits, facets, next_cursor })
    }

    /// The ranked page addresses, the count and the facets of the query at a floor.
    #[allow(clippy::type_complexity)]
    fn collect(
        &self,
        searcher: &tantivy::Searcher,
        plan: &Plan,
        request: &SearchRequest,
        sort: Sort,
        floor: usize,
        wanted: usize,
    ) -> Result<(Vec<(SortKey, DocAddress)>, u64, BTreeMap<String, Vec<FacetCount>>)> {
        let query = build(&self.fields, plan, &request.filters, floor);
        let mut multi = MultiCollector::new();
        let top = multi.add_collector(collector(sort, wanted));
        let count = multi.add_collector(Count);
        let facet_handles: Vec<_> = FACETS
            .iter()
            .map(|name| {
                let mut facets = FacetCollector::for_field(*name);
                facets.add_facet(format!("/{name}").as_str());
                (*name, multi.add_collector(facets))
            })
            .collect();
        let mut fruits = searcher.search(&query, &multi)?;
        let ranked = top.extract(&mut fruits);
        let total = count.extract(&mut fruits) as u64;
        let counts = facet_handles.into_iter().map(|(name, handle)| (name, handle.extract(&mut fruits))).collect();
        Ok((ranked, total, facet_counts(counts)))
    }

    /// The ids of the top `limit` matches only: no count, facets or snippets (what a
    /// bare full-text engine answers; used to compare engines like for like).
    pub fn top_ids(&self, request: &SearchRequest) -> Result<Vec<String>> {
        let clauses = syntax::parse(&request.query).map_err(SearchError::Syntax)?;
        let plan = plan(&self.fields, &clauses, builtin_synonyms());
        if plan.nothing_searchable() {
            return Ok(Vec::new());
        }
        let searcher = self.searcher();
        let plan = plan.prepare(&searcher)?;
        let coordinated = plan.units.len() > 1;
        let depth = if coordinated { request.limit.max(COORDINATED) } else { request.limit };
        let limit = TopDocs::with_limit(depth.max(1)).order_by_score();
        let first_floor = floor(plan.units.len());
        let mut ranked = searcher.search(&build(&self.fields, &plan, &request.filters, first_floor), &limit)?;
        if (ranked.len() as u64) < RELAX_BELOW.min(request.limit as u64) && first_floor > 1 {
            ranked = searcher.search(&build(&self.fields, &plan, &request.filters, 1), &limit)?;
        }
        if coordinated {
            let head = ranked.len().min(COORDINATED);
            let addresses: Vec<DocAddress> = ranked[..head].iter().map(|(_, address)| *address).collect();
            for (entry, share) in ranked[..head].iter_mut().zip(coverage(&searcher, &plan, &addresses)?) {
                entry.0 = (f64::from(entry.0) * share) as Score;
            }
            // Stable: equal scores keep the first pass's order.
            ranked[..head].sort_by(|a, b| b.0.total_cmp(&a.0));
        }
        let mut ids = Vec::with_capacity(ranked.len());
        for (_, address) in ranked.into_iter().take(request.limit) {
            let document: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = document.get_first(self.fields.id).and_then(|v| v.as_str()) {
                ids.push(id.to_string());
            }
        }
        Ok(ids)
    }

    fn hits(
        &self,
        searcher: &tantivy::Searcher,
        plan: &Plan,
        page: &[&(SortKey, DocAddress)],
        sort: Sort,
        lang: &str,
    ) -> Result<Vec<Hit>> {
        let english = lang.starts_with("en");
        let marks = plan.marks();
        let mut hits = Vec::with_capacity(page.len());
        for ((score, _, _), address) in page {
            let document: TantivyDocument = searcher.doc(*address)?;
            let Some(mut card) = document
                .get_first(self.fields.card)
                .and_then(|v| v.as_str())
                .and_then(|json| serde_json::from_str::<Card>(json).ok())
            else {
                continue;
            };
            let title = if english {
                card.title_en.clone().or_else(|| card.title_zh.clone())
            } else {
                card.title_zh.clone().or_else(|| card.title_en.clone())
            }
            .unwrap_or_default();
            let mut stems = StemCache { marks: &marks, texts: HashMap::new() };
            let title_ranges = crate::highlight::matches_stemmed(&title, stems.of(&title), &marks);
            let title_highlighted = highlight_ranges(&title, &title_ranges, 300);
            let (snippet_source, snippet_ranges) = snippet_text(&card, english, &mut stems);
            let snippet = highlight_ranges(snippet_source, &snippet_ranges, 160);
            let matched = explain(&card, plan, &mut stems);
            // The snippet stands for the abstract in a hit; the page has the full text.
            card.abstract_zh = None;
            card.abstract_en = None;
            let score = if sort == Sort::Relevance { *score as f32 } else { 0.0 };
            hits.push(Hit { card, score, title, title_highlighted, snippet, matched });
        }
        Ok(hits)
    }
}

/// The stemmed Latin words of the texts of one hit, each text stemmed once (keyed by
/// where the text lies, as the hit's card does not change meanwhile).
struct StemCache<'m> {
    marks: &'m Marks,
    texts: HashMap<(usize, usize), Stemmed>,
}

impl StemCache<'_> {
    fn of(&mut self, text: &str) -> &Stemmed {
        let marks = self.marks;
        self.texts.entry((text.as_ptr() as usize, text.len())).or_insert_with(|| Stemmed::of(text, marks))
    }
}

/// The text a hit's snippet is cut from, with its matches: the abstract or the summary
/// in the requested language (the one with a match if only one has), else in the other
/// language.
fn snippet_text<'a>(card: &'a Card, english: bool, stems: &mut StemCache<'_>) -> (&'a str, Vec<Range<usize>>) {
    let (preferred, other) = if english {
        ([&card.abstract_en, &card.summary_en], [&card.abstract_zh, &card.summary_zh])
    } else {
        ([&card.abstract_zh, &card.summary_zh], [&card.abstract_en, &card.summary_en])
    };
    let present = |texts: [&'a Option<String>; 2]| -> Vec<&'a str> {
        texts.into_iter().flatten().map(String::as_str).filter(|t| !t.trim().is_empty()).collect()
    };
    let candidates = present(preferred);
    let candidates = if candidates.is_empty() { present(other) } else { candidates };
    let marks = stems.marks;
    let mut first: Option<(&'a str, Vec<Range<usize>>)> = None;
    for text in candidates {
        let ranges = crate::highlight::matches_stemmed(text, stems.of(text), marks);
        if !ranges.is_empty() {
            return (text, ranges);
        }
        first.get_or_insert((text, ranges));
    }
    first.unwrap_or(("", Vec::new()))
}

/// The terms of the query a hit contains and the fields they are in.
fn explain(card: &Card, plan: &Plan, stems: &mut StemCache<'_>) -> Vec<MatchedTerm> {
    let keywords = card.keywords.join(" ; ");
    let fields: [(&str, [Option<&str>; 2]); 4] = [
        ("title", [card.title_zh.as_deref(), card.title_en.as_deref()]),
        ("summary", [card.summary_zh.as_deref(), card.summary_en.as_deref()]),
        ("abstract", [card.abstract_zh.as_deref(), card.abstract_en.as_deref()]),
        ("keywords", [Some(keywords.as_str()), None]),
    ];
    let mut matched: Vec<MatchedTerm> = Vec::new();
    for alternative in plan.units.iter().chain(&plan.required).flat_map(|u| &u.alternatives) {
        let marks = &alternative.marks;
        if marks.is_empty() || matched.iter().any(|m| m.term == alternative.label) {
            continue;
        }
        let mut found: Vec<String> = Vec::new();
        for (name, values) in &fields {
            let hit = values.iter().flatten().filter(|v| !v.is_empty()).any(|value| {
                marks.han.iter().any(|h| value.contains(h.as_str()))
                    // Every English word of the alternative (one word, or all of a phrase's).
                    || (!marks.stems.is_empty() && {
                        let stemmed = stems.of(value);
                        marks.stems.iter().all(|stem| stemmed.contains(stem))
                    })
            });
            if hit {
                found.push(name.to_string());
            }
        }
        if !found.is_empty() {
            matched.push(MatchedTerm { term: alternative.label.clone(), fields: found });
        }
    }
    matched
}

pub use crate::highlight::html_escape;

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
