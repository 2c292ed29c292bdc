//! Unit tests of the parent module.

use super::*;
use crate::document::achievement_document;
use crate::fixtures::{test_owner, test_row};
use techex_listings::entities::StringList;

fn sample_index(dir: &std::path::Path) -> SearchIndex {
    let index = SearchIndex::open_or_create(dir).expect("index");
    let now = chrono::Utc::now();
    let owner = test_owner(now);
    let texts = [
        ("一种海水淡化膜材料的制备方法", "本发明对膜的亲水性能、透湿性能、吸湿保湿性能和抗菌性能进行了研究。"),
        ("基于深度学习的轴承故障诊断", "Convolutional networks recognise faults in vibration signals."),
        ("Reverse osmosis membrane", "A high-flux membrane for seawater desalination 海水淡化."),
    ];
    for (title, body) in texts {
        let mut row = test_row(owner.id, now);
        row.title_zh = Some(title.into());
        row.abstract_zh = Some(body.into());
        row.ipc_codes = StringList(vec!["C02F 1/44".into()]);
        index
            .upsert(
                &row.id.to_string(),
                achievement_document(&index.fields, &row, &owner, &crate::document::Labels::default()),
            )
            .expect("upsert");
    }
    index.commit(1).expect("commit");
    index
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    #[test]
    fn any_query_either_answers_or_is_a_syntax_error(query in "[-\"“” a-zA-Z0-9./海水淡化膜吸湿保湿性能的深度学习]{0,30}") {
        let dir = tempfile::tempdir().expect("dir");
        let index = sample_index(dir.path());
        let request = SearchRequest { query, filters: crate::query::Filters { doc_type: "achievement".into(), ..Default::default() }, limit: 10, lang: "zh".into(), ..Default::default() };
        match index.search(&request) {
            Ok(_) | Err(SearchError::Syntax(_)) => {}
            Err(other) => proptest::prop_assert!(false, "unexpected error {other}"),
        }
    }
}

#[test]
fn overlapping_matches_are_highlighted_once() {
    let dir = tempfile::tempdir().expect("dir");
    let index = sample_index(dir.path());
    let request = SearchRequest {
        query: "吸湿保湿 性能".into(),
        filters: crate::query::Filters { doc_type: "achievement".into(), ..Default::default() },
        limit: 10,
        lang: "zh".into(),
        ..Default::default()
    };
    let results = index.search(&request).expect("search");
    assert_eq!(results.total, 1);
    let snippet = &results.hits[0].snippet;
    assert!(snippet.contains("<mark>"), "{snippet}");
    assert!(
        !snippet.contains("<mark><mark>") && snippet.matches("<mark>").count() == snippet.matches("</mark>").count(),
        "{snippet}"
    );
}

#[test]
fn holding_several_names_of_one_thing_does_not_outrank_holding_more_of_the_query() {
    let dir = tempfile::tempdir().expect("dir");
    let titles = [
        "Lithium-ion battery, li-ion battery and lithium battery packs".to_string(),
        "Recycling of the lithium battery".to_string(),
        "Bearing fault diagnosis".to_string(),
        "Seawater desalination membranes".to_string(),
    ];
    let index = index_of(dir.path(), &titles);
    let synonyms = Synonyms::parse("锂电池, lithium-ion battery, lithium battery, li-ion battery\n");
    let request = english("lithium battery recycling");
    let results = index.search_with(&request, &synonyms).expect("search");
    let ranked: Vec<&str> = results.hits.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(ranked, [titles[1].as_str(), titles[0].as_str()]);
}

#[test]
fn a_hit_holding_more_of_a_question_outranks_one_repeating_a_common_pair() {
    let dir = tempfile::tempdir().expect("dir");
    let mut titles = vec![
        "Neural network ensembles: a neural network method of neural network learning".to_string(),
        "Forecasting reservoir permeability".to_string(),
    ];
    // Filler that makes the two rarer words of the question common.
    titles.extend((0..6).map(|i| format!("Reservoir permeability survey {i}")));
    let index = index_of(dir.path(), &titles);
    let request = english("forecasting reservoir permeability with neural networks");
    let results = index.search(&request).expect("search");
    assert_eq!(results.hits[0].title, titles[1]);
    let ids = index.top_ids(&request).expect("top ids");
    assert_eq!(ids[0], results.hits[0].card.id.to_string(), "bare ids rank alike");
}

fn index_of(dir: &std::path::Path, titles: &[String]) -> SearchIndex {
    let index = SearchIndex::open_or_create(dir).expect("index");
    let now = chrono::Utc::now();
    let owner = test_owner(now);
    for title in titles {
        let mut row = test_row(owner.id, now);
        row.title_en = Some(title.clone());
        let document = achievement_document(&index.fields, &row, &owner, &crate::document::Labels::default());
        index.upsert(&row.id.to_string(), document).expect("upsert");
    }
    index.commit(1).expect("commit");
    index
}

/// A search for achievements, the first ten on an English page.
fn english(query: &str) -> SearchRequest {
    let filters = crate::query::Filters { doc_type: "achievement".into(), ..Default::default() };
    SearchRequest { query: query.into(), filters, limit: 10, lang: "en".into(), ..Default::default() }
}

fn total_of(index: &SearchIndex, query: &str) -> u64 {
    index.search(&english(query)).expect("search").total
}

#[test]
fn the_floor_keeps_one_word_matches_out_unless_too_few_reach_it() {
    let mut titles: Vec<String> = (0..RELAX_BELOW + 20).map(|i| format!("heat conduction plate {i}")).collect();
    titles.extend((0..3).map(|i| format!("heat pump {i}")));
    let dir = tempfile::tempdir().expect("dir");
    let index = index_of(dir.path(), &titles);
    // Three words: two must match, and enough documents have two.
    assert_eq!(total_of(&index, "heat conduction composite"), RELAX_BELOW + 20);
    // One word alone still finds every document that holds it.
    assert_eq!(total_of(&index, "heat"), RELAX_BELOW + 23);
    let few = tempfile::tempdir().expect("dir");
    let small = index_of(few.path(), &["heat conduction plate".into(), "heat pump".into(), "solar cell".into()]);
    // Too few reach the floor: documents sharing one word follow.
    assert_eq!(total_of(&small, "heat conduction composite"), 2);
}

#[test]
fn cursors_round_trip_and_garbage_is_refused() {
    assert_eq!(decode_cursor(&encode_cursor(40)).ok(), Some(40));
    assert!(decode_cursor("nonsense!").is_err());
    assert!(decode_cursor(&encode_cursor(MAX_OFFSET + 1)).is_err());
}

#[test]
fn the_words_of_a_synonym_phrase_still_count_one_by_one() {
    let dir = tempfile::tempdir().expect("dir");
    let titles = [
        "Minimum-resistance hull form optimization".to_string(),
        "Ship hull welding robots".to_string(),
        "Bearing fault diagnosis".to_string(),
    ];
    let index = index_of(dir.path(), &titles);
    let synonyms = Synonyms::parse("船体, ship hull, vessel hull\n");
    let request = english("designing a ship hull with less drag");
    let results = index.search_with(&request, &synonyms).expect("search");
    let ranked: Vec<&str> = results.hits.iter().map(|h| h.title.as_str()).collect();
    // The phrase as written ranks first; a listing with one of its words is found too,
    // and told why.
    assert_eq!(ranked, [titles[1].as_str(), titles[0].as_str()]);
    let terms: Vec<&str> = results.hits[1].matched.iter().map(|m| m.term.as_str()).collect();
    assert!(terms.contains(&"hull"), "{terms:?}");
    assert!(results.hits[1].title_highlighted.contains("<mark>hull</mark>"), "{}", results.hits[1].title_highlighted);
}

#[test]
fn a_prepared_plan_scores_exactly_as_the_plan_it_was_made_from() {
    use tantivy::collector::TopDocs;
    let dir = tempfile::tempdir().expect("dir");
    let index = SearchIndex::open_or_create(dir.path()).expect("index");
    let now = chrono::Utc::now();
    let owner = test_owner(now);
    let texts = [
        ("一种海水淡化膜材料的制备方法", "本发明对膜的亲水性能、透湿性能进行了研究。Reverse osmosis membranes."),
        ("基于深度学习的轴承故障诊断", "Convolutional networks recognise bearing faults in vibration signals."),
        ("Reverse osmosis membrane", "A high-flux membrane for seawater desalination 海水淡化."),
        ("海水淡化反渗透膜的抗污染改性", "膜污染是反渗透海水淡化的主要问题，本文研究亲水改性。"),
    ];
    // One segment per commit, so the statistics span segments.
    for (position, (title, body)) in texts.iter().enumerate() {
        let mut row = test_row(owner.id, now);
        row.title_zh = Some((*title).into());
        row.abstract_zh = Some((*body).into());
        let document = achievement_document(&index.fields, &row, &owner, &crate::document::Labels::default());
        index.upsert(&row.id.to_string(), document).expect("upsert");
        index.commit(position as i64 + 1).expect("commit");
    }
    let searcher = index.searcher();
    assert!(searcher.segment_readers().len() > 1);
    let filters = crate::query::Filters { doc_type: "achievement".into(), ..Default::default() };
    let synonyms = Synonyms::parse("海水淡化, seawater desalination, desalination\n");
    for query in ["海水淡化 膜 改性", "reverse osmosis membrane fouling", "+膜 -轴承 海水", "深度学习 轴承 故障 诊断"]
    {
        let clauses = syntax::parse(query).expect("parses");
        let plain = plan(&index.fields, &clauses, &synonyms);
        let prepared = plan(&index.fields, &clauses, &synonyms).prepare(&searcher).expect("prepared");
        for level in [1, 2] {
            let top = TopDocs::with_limit(10).order_by_score();
            let expected = searcher.search(&build(&index.fields, &plain, &filters, level), &top).expect("search");
            let got = searcher.search(&build(&index.fields, &prepared, &filters, level), &top).expect("search");
            assert!(!expected.is_empty() || level > 1, "{query} finds something");
            assert_eq!(got, expected, "{query} at floor {level}");
        }
    }
}
