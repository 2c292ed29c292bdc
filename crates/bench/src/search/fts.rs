//! PostgreSQL full-text search and SQLite FTS5 over the same documents, segmented by
//! techex's own analyzers (so every engine sees the same words), answering the same
//! queries with the same semantics as techex's ranked search: any query word matches
//! (OR), ranked by `ts_rank` and `bm25` respectively, top 20. The query's segmentation
//! runs inside the timer, as it does in techex's served path, and every query is run
//! once untimed first so that each engine is measured warm.

use super::corpus::{Base, segment};
use super::report::Latencies;
use crate::bar;
use sea_orm::{ConnectionTrait, Database};
use std::path::Path;
use std::time::Instant;
use techex::scratch::ScratchDatabase;
use techex_search::analysis;

/// A tsquery ORing the query's words; each word keeps its letters and digits only, so
/// nothing in it is tsquery syntax.
pub fn tsquery_any(words: &str) -> String {
    words
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// An FTS5 expression ORing the query's words, each a quoted string.
pub fn fts5_any(words: &str) -> String {
    words.split_whitespace().map(|w| format!("\"{}\"", w.replace('"', ""))).collect::<Vec<_>>().join(" OR ")
}

/// PostgreSQL: a GIN-indexed tsvector of the segmented text, `ts_rank`, OR.
pub async fn postgres_run(
    server: &str,
    bases: &[Base],
    n: usize,
    queries: &[String],
    rounds: usize,
) -> anyhow::Result<(Latencies, u64)> {
    let scratch = ScratchDatabase::postgres(server, "techex_fts").await?;
    let outcome = async {
        let db = Database::connect(scratch.url.as_str()).await?;
        db.execute_unprepared("CREATE TABLE docs (id bigint PRIMARY KEY, tsv tsvector NOT NULL)").await?;
        let pool = db.get_postgres_connection_pool().clone();
        let progress = bar(n as u64, "PostgreSQL: loading tsvectors");
        for start in (0..n).step_by(5000) {
            let end = (start + 5000).min(n);
            let ids: Vec<i64> = (start..end).map(|i| i as i64).collect();
            let texts: Vec<String> = (start..end).map(|i| bases[i % bases.len()].segmented.clone()).collect();
            sea_orm::sqlx::query("INSERT INTO docs (id, tsv) SELECT id, to_tsvector('simple', body) FROM unnest($1::bigint[], $2::text[]) AS t(id, body)")
                .bind(&ids)
                .bind(&texts)
                .execute(&pool)
                .await?;
            progress.set_position(end as u64);
        }
        progress.finish_and_clear();
        let spinner = bar(1, "PostgreSQL: building the GIN index");
        db.execute_unprepared("CREATE INDEX docs_tsv ON docs USING gin (tsv)").await?;
        db.execute_unprepared("VACUUM ANALYZE docs").await?;
        spinner.finish_and_clear();
        let size: i64 = sea_orm::sqlx::query_scalar("SELECT pg_total_relation_size('docs')").fetch_one(&pool).await?;
        let mut analyzer = analysis::query_analyzer();
        let mut samples = Vec::with_capacity(queries.len() * rounds);
        let progress = bar((queries.len() * (rounds + 1)) as u64, "PostgreSQL: querying (one warm-up round)");
        let mut started = Instant::now();
        for round in 0..=rounds {
            if round == 1 {
                started = Instant::now();
            }
            for query in queries {
                let began = Instant::now();
                let expression = tsquery_any(&segment(&mut analyzer, query));
                if !expression.is_empty() {
                    let rows: Vec<(i64,)> = sea_orm::sqlx::query_as(
                        "SELECT id FROM docs, to_tsquery('simple', $1) q WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20",
                    )
                    .bind(&expression)
                    .fetch_all(&pool)
                    .await?;
                    std::hint::black_box(rows);
                }
                if round > 0 {
                    samples.push(began.elapsed());
                }
                progress.inc(1);
            }
        }
        progress.finish_and_clear();
        db.close().await.ok();
        Ok::<_, anyhow::Error>((Latencies { samples, elapsed: started.elapsed() }, size as u64))
    }
    .await;
    scratch.drop_database().await.ok();
    outcome
}

/// SQLite FTS5 (`unicode61` over the segmented text), `bm25`, OR.
pub async fn sqlite_run(
    work: &Path,
    bases: &[Base],
    n: usize,
    queries: &[String],
    rounds: usize,
) -> anyhow::Result<(Latencies, u64)> {
    let path = work.join(format!("fts5-{n}.db"));
    std::fs::remove_file(&path).ok();
    let db = Database::connect(format!("sqlite://{}?mode=rwc", path.display())).await?;
    let pool = db.get_sqlite_connection_pool().clone();
    sea_orm::sqlx::query("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'unicode61')").execute(&pool).await?;
    let progress = bar(n as u64, "SQLite FTS5: loading");
    let mut connection = pool.acquire().await?;
    sea_orm::sqlx::query("BEGIN").execute(&mut *connection).await?;
    for i in 0..n {
        sea_orm::sqlx::query("INSERT INTO docs (rowid, body) VALUES (?, ?)")
            .bind(i as i64)
            .bind(&bases[i % bases.len()].segmented)
            .execute(&mut *connection)
            .await?;
        if i % 5000 == 0 {
            progress.set_position(i as u64);
        }
    }
    sea_orm::sqlx::query("COMMIT").execute(&mut *connection).await?;
    sea_orm::sqlx::query("INSERT INTO docs(docs) VALUES('optimize')").execute(&mut *connection).await?;
    drop(connection);
    progress.finish_and_clear();
    let mut analyzer = analysis::query_analyzer();
    let mut samples = Vec::with_capacity(queries.len() * rounds);
    let progress = bar((queries.len() * (rounds + 1)) as u64, "SQLite FTS5: querying (one warm-up round)");
    let mut started = Instant::now();
    for round in 0..=rounds {
        if round == 1 {
            started = Instant::now();
        }
        for query in queries {
            let began = Instant::now();
            let expression = fts5_any(&segment(&mut analyzer, query));
            if !expression.is_empty() {
                let rows: Vec<(i64,)> =
                    sea_orm::sqlx::query_as("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 20")
                        .bind(&expression)
                        .fetch_all(&pool)
                        .await?;
                std::hint::black_box(rows);
            }
            if round > 0 {
                samples.push(began.elapsed());
            }
            progress.inc(1);
        }
    }
    progress.finish_and_clear();
    db.close().await.ok();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok((Latencies { samples, elapsed: started.elapsed() }, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_expressions_or_the_words_and_strip_syntax() {
        assert_eq!(tsquery_any("锂 电池 it's"), "锂 | 电池 | its");
        assert_eq!(tsquery_any(" & | "), "");
        assert_eq!(fts5_any("heat \"conduct"), "\"heat\" OR \"conduct\"");
    }
}
