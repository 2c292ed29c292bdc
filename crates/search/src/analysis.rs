//! Text analysis for Chinese, English and both mixed in one field.
//!
//! Documents are segmented with jieba in *search* mode, which emits the words of the
//! default segmentation plus the dictionary words inside longer ones (`北京大学` also
//! yields `北京` and `大学`), at their character positions. Queries are segmented in
//! *default* mode, so a query term becomes non-overlapping words whose character
//! positions line up with the document's: a phrase query with those offsets matches the
//! exact string. Latin words pass through jieba, are lower-cased and stemmed (English),
//! so `Membranes` finds `membrane`. Tokens with no letter or digit (spaces, punctuation)
//! are dropped.

use tantivy::tokenizer::{
    Language, LowerCaser, NgramTokenizer, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};
use tantivy_jieba::JiebaTokenizer;

/// The analyzer of indexed text.
pub const INDEX_ANALYZER: &str = "techex_index";
/// The analyzer of query text.
pub const QUERY_ANALYZER: &str = "techex_query";
/// Baseline analyzer for the relevance benchmark: overlapping character bigrams.
pub const BIGRAM_ANALYZER: &str = "techex_bigram";
/// Baseline analyzer for the relevance benchmark: single characters.
pub const UNIGRAM_ANALYZER: &str = "techex_unigram";

fn jieba(search_mode: bool) -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer::with_search_mode(search_mode))
        .filter(WordsOnly)
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The analyzer used for indexing documents.
pub fn index_analyzer() -> TextAnalyzer {
    jieba(true)
}

/// The analyzer used for query terms.
pub fn query_analyzer() -> TextAnalyzer {
    jieba(false)
}

fn ngram(size: usize) -> tantivy::Result<TextAnalyzer> {
    let tokenizer = NgramTokenizer::new(size, size, false)?;
    Ok(TextAnalyzer::builder(tokenizer).filter(WordsOnly).filter(LowerCaser).build())
}

/// Registers every techex analyzer on an index.
pub fn register(index: &tantivy::Index) -> tantivy::Result<()> {
    let manager = index.tokenizers();
    manager.register(INDEX_ANALYZER, index_analyzer());
    manager.register(QUERY_ANALYZER, query_analyzer());
    manager.register(BIGRAM_ANALYZER, ngram(2)?);
    manager.register(UNIGRAM_ANALYZER, ngram(1)?);
    Ok(())
}

/// One analyzed token: its text and its position (in characters from the start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyzed {
    pub text: String,
    pub position: usize,
}

/// Runs an analyzer over a text.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Analyzed> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        let token = stream.token();
        tokens.push(Analyzed { text: token.text.clone(), position: token.position });
    }
    tokens
}

/// Drops tokens that hold no letter or digit: spaces and punctuation from jieba.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordsOnly;

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer(tokenizer)
    }
}

#[derive(Clone)]
pub struct WordsOnlyTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream(self.0.token_stream(text))
    }
}

pub struct WordsOnlyStream<S>(S);

impl<S: TokenStream> TokenStream for WordsOnlyStream<S> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if self.0.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        analyze(analyzer, text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn chinese_is_segmented_and_english_stemmed_in_one_field() {
        let mut index = index_analyzer();
        let tokens = words(&mut index, "一种基于深度学习的海水淡化膜材料 Membranes for desalination");
        for expected in ["深度", "学习", "海水", "淡化", "膜", "材料", "membran", "desalin"] {
            assert!(tokens.iter().any(|t| t == expected), "{expected} missing from {tokens:?}");
        }
        assert!(!tokens.iter().any(|t| t.trim().is_empty() || t == "，"), "{tokens:?}");
    }

    #[test]
    fn query_segmentation_lines_up_with_document_positions() {
        let mut query = query_analyzer();
        let mut index = index_analyzer();
        let query_tokens = analyze(&mut query, "海水淡化");
        assert!(query_tokens.len() >= 2);
        let document = analyze(&mut index, "一种海水淡化膜材料的制备方法");
        let base = query_tokens[0].position;
        let start = document.iter().find(|t| t.text == query_tokens[0].text).map(|t| t.position);
        for token in &query_tokens {
            let expected = start.map(|s| s + token.position - base);
            assert!(
                document.iter().any(|d| d.text == token.text && Some(d.position) == expected),
                "{token:?} not at {expected:?} in {document:?}"
            );
        }
    }
}
