//! Plain BM25 baselines, written out here rather than through tantivy's `QueryParser`
//! (which turns unspaced Chinese into a phrase): one field, Okapi BM25 with k1 = 1.2
//! and b = 0.75 and Lucene's non-negative idf, ln(1 + (N − df + 0.5)/(df + 0.5)); OR
//! semantics: a document scores for every distinct query token it contains, and any
//! one token is enough to be returned. Ties go to the earlier document.

use std::collections::HashMap;
use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
use techex_search::analysis::{self, analyze};

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// How a baseline turns text into tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tokenization {
    /// Overlapping bigrams of each run of Han characters (a lone character stays a
    /// unigram); runs of other letters and digits are lower-cased words.
    CharBigrams,
    /// Lower-cased words (tantivy's `SimpleTokenizer`: runs of letters and digits),
    /// not stemmed, no stopwords.
    Words,
    /// The same words with the English Snowball (Porter 2) stemmer, no stopwords.
    StemmedWords,
    /// techex's own jieba analysis (default mode, documents and queries alike).
    JiebaWords,
}

impl Tokenization {
    pub fn label(self) -> &'static str {
        match self {
            Tokenization::CharBigrams => "BM25, character bigrams",
            Tokenization::Words => "BM25, lower-cased words",
            Tokenization::StemmedWords => "BM25, lower-cased stemmed words",
            Tokenization::JiebaWords => "BM25, techex's jieba words",
        }
    }
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Han bigrams and lower-cased words, in text order.
pub fn char_bigrams(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut han: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_han = |han: &mut Vec<char>, tokens: &mut Vec<String>| {
        match han.len() {
            0 => {}
            1 => tokens.push(han[0].to_string()),
            _ => tokens.extend(han.windows(2).map(|pair| pair.iter().collect::<String>())),
        }
        han.clear();
    };
    let flush_word = |word: &mut String, tokens: &mut Vec<String>| {
        if !word.is_empty() {
            tokens.push(std::mem::take(word));
        }
    };
    for c in text.chars() {
        if is_han(c) {
            flush_word(&mut word, &mut tokens);
            han.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut han, &mut tokens);
            word.extend(c.to_lowercase());
        } else {
            flush_han(&mut han, &mut tokens);
            flush_word(&mut word, &mut tokens);
        }
    }
    flush_han(&mut han, &mut tokens);
    flush_word(&mut word, &mut tokens);
    tokens
}

/// A tokenizer of one baseline: (documents, queries).
struct Analyzers {
    document: Option<TextAnalyzer>,
    query: Option<TextAnalyzer>,
}

impl Analyzers {
    fn new(tokenization: Tokenization) -> Analyzers {
        let words = || TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).build();
        let stemmed = || {
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(Stemmer::new(Language::English))
                .build()
        };
        let (document, query) = match tokenization {
            Tokenization::CharBigrams => (None, None),
            Tokenization::Words => (Some(words()), Some(words())),
            Tokenization::StemmedWords => (Some(stemmed()), Some(stemmed())),
            Tokenization::JiebaWords => (Some(analysis::index_analyzer()), Some(analysis::query_analyzer())),
        };
        Analyzers { document, query }
    }

    fn tokens(analyzer: Option<&mut TextAnalyzer>, text: &str) -> Vec<String> {
        match analyzer {
            Some(analyzer) => analyze(analyzer, text).into_iter().map(|t| t.text).collect(),
            None => char_bigrams(text),
        }
    }
}

/// An in-memory BM25 index over one field.
pub struct Bm25 {
    analyzers: Analyzers,
    /// token → (document, term frequency), documents ascending.
    postings: HashMap<String, Vec<(u32, u32)>>,
    lengths: Vec<u32>,
    average_length: f64,
}

impl Bm25 {
    /// Indexes the documents in order; a hit is a position in `documents`.
    pub fn build<'a>(tokenization: Tokenization, documents: impl IntoIterator<Item = &'a str>) -> Bm25 {
        let mut analyzers = Analyzers::new(tokenization);
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        let mut lengths = Vec::new();
        for (position, text) in documents.into_iter().enumerate() {
            let tokens = Analyzers::tokens(analyzers.document.as_mut(), text);
            lengths.push(tokens.len() as u32);
            let mut counts: HashMap<String, u32> = HashMap::new();
            for token in tokens {
                *counts.entry(token).or_default() += 1;
            }
            for (token, count) in counts {
                postings.entry(token).or_default().push((position as u32, count));
            }
        }
        let total: u64 = lengths.iter().map(|&l| u64::from(l)).sum();
        let average_length = total as f64 / lengths.len().max(1) as f64;
        Bm25 { analyzers, postings, lengths, average_length }
    }

    fn idf(&self, document_frequency: usize) -> f64 {
        let n = self.lengths.len() as f64;
        let df = document_frequency as f64;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// The top `k` documents for the query, best first; empty when no token occurs.
    pub fn search(&mut self, query: &str, k: usize) -> Vec<usize> {
        self.scored(query, k).into_iter().map(|(doc, _)| doc).collect()
    }

    /// The top `k` documents with their scores.
    pub fn scored(&mut self, query: &str, k: usize) -> Vec<(usize, f64)> {
        let mut tokens = Analyzers::tokens(self.analyzers.query.as_mut(), query);
        let mut seen = std::collections::HashSet::new();
        tokens.retain(|t| seen.insert(t.clone()));
        let mut scores: HashMap<u32, f64> = HashMap::new();
        for token in &tokens {
            let Some(list) = self.postings.get(token) else {
                continue;
            };
            let idf = self.idf(list.len());
            for &(doc, tf) in list {
                let tf = f64::from(tf);
                let length = f64::from(self.lengths[doc as usize]);
                let norm = K1 * (1.0 - B + B * length / self.average_length.max(1e-9));
                *scores.entry(doc).or_default() += idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
        let mut ranked: Vec<(u32, f64)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.into_iter().take(k).map(|(doc, score)| (doc as usize, score)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_bigrams_overlap_within_han_runs_and_keep_latin_words() {
        assert_eq!(char_bigrams("锂电池"), ["锂电", "电池"]);
        assert_eq!(char_bigrams("锂"), ["锂"]);
        assert_eq!(char_bigrams("PEMFC燃料电池, 2-D"), ["pemfc", "燃料", "料电", "电池", "2", "d"]);
        assert!(char_bigrams("，。 ").is_empty());
    }

    #[test]
    fn bm25_is_or_and_ranks_more_and_rarer_matches_first() {
        let docs = ["海水淡化膜材料", "锂离子电池正极材料", "锂电池隔膜", "深度学习图像识别"];
        let mut index = Bm25::build(Tokenization::CharBigrams, docs);
        let hits = index.search("锂电池材料", 10);
        // Doc 2 (short) holds 锂电 (in no other doc) and 电池; doc 1 电池 and 材料; doc 0 材料.
        assert_eq!(hits, [2, 1, 0]);
        assert!(index.search("量子", 10).is_empty());
    }

    #[test]
    fn bm25_matches_the_textbook_formula() {
        let mut index = Bm25::build(Tokenization::Words, ["heat conduction slab", "heat pump", "slab"]);
        // N = 3, df(conduction) = 1: idf = ln(1 + 2.5/1.5); doc 0 has length 3, avg 2.
        let idf = (1.0f64 + 2.5 / 1.5).ln();
        let norm = K1 * (1.0 - B + B * 3.0 / 2.0);
        let expected = idf * (K1 + 1.0) / (1.0 + norm);
        let hits = index.scored("Conduction conduction", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0, 0);
        assert!((hits[0].1 - expected).abs() < 1e-12, "a repeated query token counts once");
    }

    #[test]
    fn stemmed_words_match_plural_forms_and_plain_words_do_not() {
        let docs = ["lithium batteries for vehicles", "solar panel"];
        assert_eq!(Bm25::build(Tokenization::StemmedWords, docs).search("battery", 10), [0]);
        assert!(Bm25::build(Tokenization::Words, docs).search("battery", 10).is_empty());
    }
}
