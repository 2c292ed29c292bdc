//! A query whose weight is computed once per searcher and shared.
//!
//! Turning a query into a weight looks up every term's document frequency in every
//! segment (BM25's statistics) and builds the tree of weights; a long question holds a
//! hundred term queries or more. One search used to do it up to four times for the same
//! units: the first pass, the relaxed pass at floor one, the coordination pass (each unit
//! alone) and the bonuses with each pass. A prepared plan computes each part's weight once
//! for the searcher and hands out that weight wherever the part is used, with the same
//! statistics, so scores are unchanged.

use std::fmt;
use std::sync::Arc;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, Score, Searcher, SeekDangerResult, SegmentReader};

/// A part of a query, prepared for one searcher.
#[derive(Clone)]
pub struct Prepared {
    weight: Arc<dyn Weight>,
}

impl Prepared {
    /// Computes `query`'s weight for `searcher`, scoring enabled.
    pub fn new(query: &dyn Query, searcher: &Searcher) -> tantivy::Result<Prepared> {
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        Ok(Prepared { weight: Arc::from(weight) })
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Prepared")
    }
}

impl Query for Prepared {
    /// The shared weight: only ever used with the searcher it was prepared for.
    fn weight(&self, _enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(Shared(self.weight.clone())))
    }
}

/// Every call goes to the shared weight, so its own fast paths (term scorers a union can
/// recognise, counting, pruning) stay.
struct Shared(Arc<dyn Weight>);

impl Weight for Shared {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.0.scorer(reader, boost)
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        self.0.scorer_danger(reader, target, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.0.count(reader)
    }

    fn for_each(&self, reader: &SegmentReader, callback: &mut dyn FnMut(DocId, Score)) -> tantivy::Result<()> {
        self.0.for_each(reader, callback)
    }

    fn for_each_no_score(&self, reader: &SegmentReader, callback: &mut dyn FnMut(&[DocId])) -> tantivy::Result<()> {
        self.0.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        self.0.for_each_pruning(threshold, reader, callback)
    }
}
