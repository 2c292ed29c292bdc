//! The fields of the search index.

use crate::analysis::INDEX_ANALYZER;
use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Handles to every field of the index.
#[derive(Debug, Clone)]
pub struct Fields {
    /// The entity's UUID (exact term: updates and deletions go through it).
    pub id: Field,
    /// The low 64 bits of the UUID: the last tie-breaker of every ordering.
    pub id_low: Field,
    /// `achievement` or `demand`.
    pub doc_type: Field,
    /// The titles (both languages): matches here weigh most.
    pub title: Field,
    /// The keywords: matches here weigh more than in running text.
    pub keywords: Field,
    /// Every searchable text of the entity (titles, summary, abstract, description,
    /// advantage, scenarios, keywords, inventors, owner names): a word must occur here.
    pub body: Field,
    /// IPC symbols, exact: the full symbol and its subclass.
    pub ipc: Field,
    /// The canonical application number, exact.
    pub patent: Field,
    pub kind: Field,
    pub field: Field,
    pub maturity: Field,
    pub mode: Field,
    pub region: Field,
    pub organization: Field,
    /// Asking price (achievements) or top of the budget (demands), minor units.
    pub price: Field,
    /// Publication time, microseconds since the epoch.
    pub published: Field,
    /// What a hit shows, as JSON (stored only).
    pub card: Field,
}

/// The text fields a word is scored in, with their boosts: every word must be in the
/// body; the title and the keywords add to the score when it is there too. One required
/// posting list per word keeps queries fast at a million documents.
pub fn text_fields(fields: &Fields) -> [(Field, f32); 3] {
    [(fields.body, 1.0), (fields.title, 3.0), (fields.keywords, 2.0)]
}

/// Builds the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(INDEX_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let facet = FacetOptions::default();
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED | FAST),
        id_low: builder.add_u64_field("id_low", FAST),
        doc_type: builder.add_text_field("doc_type", STRING | FAST),
        title: builder.add_text_field("title", text.clone()),
        keywords: builder.add_text_field("keywords", text.clone()),
        body: builder.add_text_field("body", text),
        ipc: builder.add_text_field("ipc", STRING),
        patent: builder.add_text_field("patent", STRING),
        kind: builder.add_facet_field("kind", facet.clone()),
        field: builder.add_facet_field("field", facet.clone()),
        maturity: builder.add_facet_field("maturity", facet.clone()),
        mode: builder.add_facet_field("mode", facet.clone()),
        region: builder.add_facet_field("region", facet.clone()),
        organization: builder.add_facet_field("organization", facet),
        price: builder.add_i64_field("price", INDEXED | FAST),
        published: builder.add_i64_field("published", INDEXED | FAST),
        card: builder.add_text_field("card", STORED),
    };
    (builder.build(), fields)
}

/// The facet dimensions, by the name used in the API and in the index.
pub const FACETS: [&str; 6] = ["kind", "field", "maturity", "mode", "region", "organization"];

impl Fields {
    /// The field of a facet dimension.
    pub fn facet(&self, name: &str) -> Option<Field> {
        match name {
            "kind" => Some(self.kind),
            "field" => Some(self.field),
            "maturity" => Some(self.maturity),
            "mode" => Some(self.mode),
            "region" => Some(self.region),
            "organization" => Some(self.organization),
            _ => None,
        }
    }
}
