//! The index's schema: its fields, its tokenisers, how designations are cut into the grams and
//! words both the index and the queries use, and the writing of a release's designations.

use tantivy::schema::{Field as IndexField, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STRING};
use tantivy::tokenizer::NgramTokenizer;
use tantivy::{doc, Index};

use super::field::{factor, Field};
use super::normalize::{self, is_kana, normalize, romaji_key};
use super::{system_name, table, ConceptInfo, Result};
use crate::model::{Concept, Status};

pub(super) struct Fields {
    pub(super) system: IndexField,
    pub(super) id: IndexField,
    pub(super) norm: IndexField,
    pub(super) romaji: IndexField,
    /// English words, lower-cased and stemmed (Porter): `disorders` finds `disorder`.
    pub(super) words: IndexField,
    /// Character 3-grams of designations written in Latin letters (English names, codes): what
    /// Latin-letter queries are matched on, being far more selective than 2-grams of a
    /// 26-letter alphabet.
    pub(super) latin: IndexField,
}

/// The analyser of English words: split on non-alphanumerics, lower case, English stemmer.
pub(super) fn english_analyzer() -> tantivy::tokenizer::TextAnalyzer {
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
    TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(Stemmer::new(Language::English)).build()
}

/// The stemmed English words of a text (empty when it has none).
pub(super) fn english_words(text: &str) -> Vec<String> {
    let mut analyzer = english_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = &stream.token().text;
        if t.len() > 1 && t.bytes().any(|b| b.is_ascii_alphabetic()) && !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

pub(super) fn register_tokenizers(index: &Index) -> Result<()> {
    index.tokenizers().register("ngram", NgramTokenizer::new(1, 3, false)?);
    index.tokenizers().register("trigram", NgramTokenizer::new(3, 3, false)?);
    index.tokenizers().register("english", english_analyzer());
    Ok(())
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let ngram = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer("ngram").set_index_option(IndexRecordOption::WithFreqs),
    );
    let trigram = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer("trigram").set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        system: b.add_text_field("system", STRING),
        id: b.add_u64_field("id", FAST),
        norm: b.add_text_field("norm", ngram),
        romaji: b.add_text_field("romaji", trigram.clone()),
        latin: b.add_text_field("latin", trigram),
        words: b.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer("english").set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
    };
    (b.build(), fields)
}

/// Indexing memory, shared by the indexing threads: enough for the full shared data (≈ 705,000
/// designations) in one segment per thread.
const WRITER_HEAP: usize = 1_500_000_000;

/// Indexes every designation of the concepts into `index` (one segment) and returns what the
/// re-ranker keeps in memory.
pub(super) fn fill(
    index: &Index,
    fields: &Fields,
    concepts: Vec<(&str, Concept)>,
) -> Result<(table::Designations, Vec<ConceptInfo>)> {
    register_tokenizers(index)?;
    // Every designation's searchable forms, worked out on all cores first.
    let prepared: Vec<Vec<(Field, String, String, String)>> = {
        use rayon::prelude::*;
        concepts
            .par_iter()
            .map(|(_, c)| {
                let mut terms: Vec<(Field, &str)> = vec![(Field::Display, &c.display), (Field::Code, &c.code)];
                for d in &c.designations {
                    if d.value != c.display {
                        terms.push((Field::from(d.use_), &d.value));
                    }
                }
                terms
                    .into_iter()
                    .filter_map(|(kind, term)| {
                        let norm = normalize(term);
                        let romaji = if is_kana(&norm) { romaji_key(term) } else { String::new() };
                        (!norm.is_empty()).then(|| (kind, term.to_owned(), norm, romaji))
                    })
                    .collect()
            })
            .collect()
    };
    // Two indexing threads, with room for the whole corpus, write two segments, merged into one
    // below (fewer posting lists per query).
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(2, WRITER_HEAP)?;
    let mut docs = table::Designations::default();
    let mut infos: Vec<ConceptInfo> = Vec::with_capacity(concepts.len());
    for ((system, c), terms) in concepts.into_iter().zip(prepared) {
        let concept = infos.len() as u32;
        let active = c.status == Status::Active;
        for (kind, term, norm, romaji) in terms {
            // A code is found by its exact form and its prefixes (the sorted arrays), not by
            // n-grams; words and Latin 3-grams only where the text is written in Latin letters.
            let code = kind == Field::Code;
            let grams = if code { "" } else { norm.as_str() };
            let latin = if !code && (norm.is_ascii() || norm.bytes().any(|b| b.is_ascii_alphabetic())) {
                norm.as_str()
            } else {
                ""
            };
            // English words from the text as written (the normalised text has no spaces).
            let words = if latin.is_empty() { String::new() } else { normalize::width_folded(&term) };
            writer.add_document(doc!(
                fields.system => system, fields.id => docs.len() as u64,
                fields.norm => grams, fields.romaji => romaji.as_str(),
                fields.words => words, fields.latin => latin,
            ))?;
            docs.push(concept, kind, &term, &norm, &romaji, factor(kind, system, active));
        }
        infos.push(ConceptInfo { system: system_name(system), code: c.code, display: c.display, active });
    }
    writer.commit()?;
    // One segment: fewer posting lists to walk per query.
    let segments = index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.wait_merging_threads()?;
    Ok((docs, infos))
}

/// Character 3-grams of a string, as the `trigram` tokeniser makes them (the whole string when
/// shorter).
pub(super) fn trigrams(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 3 {
        return vec![s.to_owned()];
    }
    let mut out: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
    out.sort();
    out.dedup();
    out
}

/// Character n-grams of a normalised string as the index tokenises them: 2- and 3-grams (the
/// character itself for a single character).
pub(super) fn grams(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<String> = Vec::new();
    if chars.len() == 1 {
        out.push(chars[0].to_string());
    }
    for w in chars.windows(2) {
        out.push(w.iter().collect());
    }
    for w in chars.windows(3) {
        out.push(w.iter().collect());
    }
    out.sort();
    out.dedup();
    out
}
