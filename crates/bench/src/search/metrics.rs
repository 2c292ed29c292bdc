//! Relevance metrics over binary judgments: nDCG@10, Recall@100, the zero-hit rate.

use std::collections::HashSet;

/// nDCG@k of one ranking (document positions, best first) against the relevant set,
/// with binary gains: DCG = Σ 1/log2(rank+1) over relevant hits in the top k, divided
/// by the DCG of a ranking that puts min(k, |relevant|) relevant documents first.
pub fn ndcg_at(ranked: &[usize], relevant: &HashSet<usize>, k: usize) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, doc)| relevant.contains(doc))
        .map(|(rank, _)| 1.0 / ((rank + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(k)).map(|rank| 1.0 / ((rank + 2) as f64).log2()).sum();
    if ideal > 0.0 { dcg / ideal } else { 0.0 }
}

/// The share of the relevant documents found in the top k.
pub fn recall_at(ranked: &[usize], relevant: &HashSet<usize>, k: usize) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    let found = ranked.iter().take(k).collect::<HashSet<_>>().into_iter().filter(|doc| relevant.contains(doc)).count();
    found as f64 / relevant.len() as f64
}

/// The means of one engine over one judged set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    pub ndcg_at_10: f64,
    pub recall_at_100: f64,
    /// The share of queries that returned nothing.
    pub zero_hit_rate: f64,
    pub queries: usize,
}

/// Accumulates per-query figures into `Scores`.
#[derive(Debug, Default)]
pub struct Tally {
    /// Each query's nDCG@10, in the order added.
    pub per_query: Vec<f64>,
    ndcg: f64,
    recall: f64,
    zero: usize,
    queries: usize,
}

impl Tally {
    /// Adds one query's ranking (at least its top 100).
    pub fn add(&mut self, ranked: &[usize], relevant: &HashSet<usize>) {
        let ndcg = ndcg_at(ranked, relevant, 10);
        self.per_query.push(ndcg);
        self.ndcg += ndcg;
        self.recall += recall_at(ranked, relevant, 100);
        self.zero += usize::from(ranked.is_empty());
        self.queries += 1;
    }

    pub fn scores(&self) -> Scores {
        let n = self.queries.max(1) as f64;
        Scores {
            ndcg_at_10: self.ndcg / n,
            recall_at_100: self.recall / n,
            zero_hit_rate: self.zero as f64 / n,
            queries: self.queries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_is_one_for_an_ideal_ranking_and_discounts_later_ranks() {
        let relevant = HashSet::from([7, 9]);
        assert!((ndcg_at(&[7, 9, 1], &relevant, 10) - 1.0).abs() < 1e-12);
        assert!((ndcg_at(&[9, 7], &relevant, 10) - 1.0).abs() < 1e-12);
        // One relevant document at rank 2 of two relevant: (1/log2 3) / (1 + 1/log2 3).
        let expected = (1.0 / 3f64.log2()) / (1.0 + 1.0 / 3f64.log2());
        assert!((ndcg_at(&[1, 7, 2], &relevant, 10) - expected).abs() < 1e-12);
        assert_eq!(ndcg_at(&[1, 2, 3], &relevant, 10), 0.0);
        assert_eq!(ndcg_at(&[], &relevant, 10), 0.0);
    }

    #[test]
    fn ndcg_only_counts_the_top_k_and_caps_the_ideal_at_k() {
        let relevant: HashSet<usize> = (100..120).collect();
        let ranked: Vec<usize> = (100..110).collect();
        assert!((ndcg_at(&ranked, &relevant, 10) - 1.0).abs() < 1e-12);
        let late: Vec<usize> = (0..10).chain(100..110).collect();
        assert_eq!(ndcg_at(&late, &relevant, 10), 0.0);
    }

    #[test]
    fn recall_counts_distinct_relevant_documents_in_the_top_k() {
        let relevant = HashSet::from([1, 2, 3, 4]);
        assert_eq!(recall_at(&[1, 1, 9, 2], &relevant, 100), 0.5);
        assert_eq!(recall_at(&[9, 1, 2], &relevant, 1), 0.0);
        assert_eq!(recall_at(&[4, 3, 2, 1], &relevant, 100), 1.0);
    }

    #[test]
    fn the_tally_counts_queries_that_return_nothing() {
        let mut tally = Tally::default();
        tally.add(&[], &HashSet::from([1]));
        tally.add(&[1], &HashSet::from([1]));
        let scores = tally.scores();
        assert_eq!(scores.queries, 2);
        assert_eq!(scores.zero_hit_rate, 0.5);
        assert!((scores.ndcg_at_10 - 0.5).abs() < 1e-12);
        assert!((scores.recall_at_100 - 0.5).abs() < 1e-12);
    }
}
