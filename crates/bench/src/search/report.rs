//! Latency figures, the printed tables, and the closing list of the targets.

use super::relevance::SetReport;
use std::time::Duration;

/// Latencies of one measured run.
#[derive(Debug, Clone)]
pub struct Latencies {
    pub samples: Vec<Duration>,
    pub elapsed: Duration,
}

impl Latencies {
    pub fn quantile(&self, q: f64) -> Duration {
        let mut sorted = self.samples.clone();
        sorted.sort();
        sorted
            .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    }

    pub fn per_second(&self) -> f64 {
        self.samples.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn p50_ms(&self) -> f64 {
        ms(self.quantile(0.5))
    }

    pub fn p99_ms(&self) -> f64 {
        ms(self.quantile(0.99))
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One row of the latency table.
pub fn latency_row(label: &str, latencies: &Latencies, size: Option<u64>) {
    println!(
        "  {label:<52} {:>9.2} {:>9.2} {:>9.0} {:>9}",
        latencies.p50_ms(),
        latencies.p99_ms(),
        latencies.per_second(),
        size.map_or(String::new(), |s| format!("{:.1}", s as f64 / 1048576.0))
    );
}

pub fn latency_header() {
    println!("  {:<52} {:>9} {:>9} {:>9} {:>9}", "", "p50 ms", "p99 ms", "q/s", "size MiB");
}

/// Prints one judged set's table and its ratio to the target baseline.
pub fn print_relevance(report: &SetReport) {
    println!("\nrelevance: {} — {} queries over {} documents", report.name, report.queries, report.docs);
    println!("  {:<44} {:>8} {:>11} {:>9}", "engine", "nDCG@10", "Recall@100", "zero-hit");
    for engine in &report.engines {
        println!(
            "  {:<44} {:>8.4} {:>11.4} {:>8.1}%",
            engine.label,
            engine.scores.ndcg_at_10,
            engine.scores.recall_at_100,
            engine.scores.zero_hit_rate * 100.0
        );
    }
    let techex = &report.engines[0].scores;
    for baseline in &report.engines[1..] {
        println!(
            "  techex / {:<35} nDCG@10 × {:.3}",
            baseline.label,
            techex.ndcg_at_10 / baseline.scores.ndcg_at_10.max(1e-9)
        );
    }
    if !report.refused.is_empty() {
        println!(
            "  techex refused {} queries (syntax errors, counted as no hits), e.g. {:?}",
            report.refused.len(),
            report.refused.first()
        );
    }
}

/// The targets, filled in as the run measures them.
#[derive(Debug, Default)]
pub struct Targets {
    rows: Vec<(String, String, bool)>,
}

impl Targets {
    /// Records a measured figure against its target.
    pub fn add(&mut self, what: impl Into<String>, figure: impl Into<String>, met: bool) {
        self.rows.push((what.into(), figure.into(), met));
    }

    /// The ratio and zero-hit targets of one judged set.
    pub fn add_relevance(&mut self, report: &SetReport, language: &str) {
        let techex = report.engines[0].scores;
        let baseline = &report.engines[report.target];
        let ratio = techex.ndcg_at_10 / baseline.scores.ndcg_at_10.max(1e-9);
        self.add(
            format!("{language}: nDCG@10 techex / {} ≥ {:.2}", baseline.label, report.target_ratio),
            format!("{ratio:.3} ({:.4} / {:.4})", techex.ndcg_at_10, baseline.scores.ndcg_at_10),
            ratio >= report.target_ratio,
        );
        self.add(
            format!("{language}: techex zero-hit rate < 1%"),
            format!("{:.1}%", techex.zero_hit_rate * 100.0),
            techex.zero_hit_rate < 0.01,
        );
    }

    pub fn print(&self) {
        println!("\ntargets of issue 11 measured in this run:");
        for (what, figure, met) in &self.rows {
            println!("  [{}] {what:<64} {figure}", if *met { "met" } else { "NOT met" });
        }
        if self.rows.is_empty() {
            println!("  (none measured)");
        }
    }
}
