//! Search over a release: a tantivy index of every designation of every concept, as character
//! n-grams of the normalised text and of the romaji of kana readings, re-ranked with string
//! similarity and field weights.
//!
//! Engine details stay here: the service asks for `SearchIndex::build(release concepts)` and
//! `search(query)`; nothing outside names tantivy.

pub(crate) mod cache;
pub(crate) mod corpus;
mod disk;
mod field;
pub(crate) mod index_terms;
pub mod normalize;
mod rank;
mod schema;
mod table;

use std::path::{Path, PathBuf};

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{doc, Index, IndexReader, Term};

use crate::model::{Concept, Status};
use field::{factor, Field};
use normalize::{is_kana, looks_like_romaji, normalize, romaji_key};
use schema::{english_words, fill, grams, register_tokenizers, schema, trigrams, Fields};

/// Errors of the search layer.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The engine failed.
    #[error("search index error: {0}")]
    Engine(#[from] tantivy::TantivyError),
    /// An index directory cannot be read or written.
    #[error("search index {path}: {source}; check the data directory's permissions and free space")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// An index directory of another format or release (it is rebuilt).
    #[error("search index {path} cannot be used: {why}")]
    Incompatible {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
}

pub(crate) use cache::IndexCache;
pub(crate) use disk::INDEX_FORMAT_VERSION;

/// Which release an on-disk index belongs to.
pub(crate) struct IndexKey<'a> {
    /// Release id (for the manifest and logs).
    pub(crate) id: &'a str,
    /// Release content hash (names the directory; checked on open).
    pub(crate) sha256: &'a str,
}

/// Result of the search layer.
pub(crate) type Result<T, E = SearchError> = std::result::Result<T, E>;

/// How many exact/prefix name matches (from the sorted arrays) are re-ranked besides the
/// engine's candidates.
const PREFIX_CANDIDATES: usize = 50;

/// How much engine work a query gets: how many engine candidates are re-ranked, and which of the
/// query's n-grams are looked up — the rarest (by document frequency) tell candidates apart,
/// common ones only slow the engine down: at least `min_grams`, more while their postings add up
/// to at most `budget`, never more than `max_grams` per field family.
#[derive(Clone, Copy)]
struct Effort {
    candidates: usize,
    min_grams: usize,
    max_grams: usize,
    budget: u64,
}

impl Effort {
    /// Half the effort, for a field family that only backs up another: half the terms and half
    /// the postings budget.
    fn lighter(self) -> Effort {
        Effort {
            min_grams: self.min_grams.div_ceil(2),
            max_grams: self.max_grams.div_ceil(2),
            budget: self.budget / 2,
            ..self
        }
    }
}

/// A query that neither spells a name nor starts several: the engine finds the candidates.
const FULL: Effort = Effort { candidates: 64, min_grams: 6, max_grams: 10, budget: 10_000 };
/// A query that spells a name or a reading exactly, or starts [`STEM_OF`] concepts' names: those
/// are already candidates (from the sorted arrays) and the engine only fills the rest of the
/// page with names that contain the query elsewhere, from its two rarest n-grams.
const FILL: Effort = Effort { candidates: 16, min_grams: 2, max_grams: 2, budget: 0 };
/// How many concepts' names a query must start for it to count as a name being typed (FILL).
const STEM_OF: usize = 3;
/// A suggestion that no name starts with (a typo, a fragment).
const SUGGEST_FUZZY: Effort = Effort { candidates: 40, ..FULL };

/// Keeps the rarest terms as `effort` says. Terms no document has are dropped.
fn rarest(searcher: &tantivy::Searcher, terms: Vec<Term>, effort: Effort) -> Result<Vec<Term>> {
    let mut with_df: Vec<(u64, Term)> = Vec::with_capacity(terms.len());
    for t in terms {
        let df = searcher.doc_freq(&t)?;
        if df > 0 {
            with_df.push((df, t));
        }
    }
    with_df.sort_by_key(|(df, _)| *df);
    let mut kept = Vec::new();
    let mut postings = 0u64;
    for (df, t) in with_df {
        if kept.len() >= effort.max_grams || (kept.len() >= effort.min_grams && postings + df > effort.budget) {
            break;
        }
        postings += df;
        kept.push(t);
    }
    Ok(kept)
}

/// One hit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    /// Code system slug.
    pub system: String,
    /// Code.
    pub code: String,
    /// Display.
    pub display: String,
    /// The designation that matched.
    pub matched: String,
    /// Relevance.
    pub score: f64,
    /// Active or retired.
    pub status: Status,
}

/// A concept of the index.
struct ConceptInfo {
    system: &'static str,
    code: String,
    display: String,
    active: bool,
}

/// The index of one release.
pub(crate) struct SearchIndex {
    /// Where the index lives (`<data dir>/search/<release hash>/`).
    dir: std::path::PathBuf,
    reader: IndexReader,
    /// The `id` fast field (designation number) of each segment, by segment ordinal.
    ids: Vec<tantivy::columnar::Column<u64>>,
    fields: Fields,
    docs: table::Designations,
    concepts: Vec<ConceptInfo>,
    /// Designations in the order of their normalised text, for exact and prefix matches.
    by_norm: Vec<u32>,
    /// Designations with a kana reading in the order of its romaji, likewise.
    by_romaji: Vec<u32>,
    /// The first doc of each concept (docs are in concept order), plus the end.
    first_doc: Vec<u32>,
}

/// Which sorted key of designations a prefix is looked up in.
#[derive(Clone, Copy)]
enum Key {
    /// The normalised text.
    Norm,
    /// The romaji of kana readings.
    Romaji,
}

/// How many prefix entries a suggestion looks at before ranking them.
const SUGGEST_SCAN: usize = 3000;

fn system_name(slug: &str) -> &'static str {
    crate::model::CODE_SYSTEMS.iter().find(|c| c.slug == slug).map_or("unknown", |c| c.slug)
}

impl SearchIndex {
    /// Builds the index of a release into `root/<release hash>/` (under a temporary name, renamed
    /// into place when complete) and opens it from there.
    pub(crate) fn build_in(root: &Path, key: &IndexKey<'_>, concepts: Vec<(&str, Concept)>) -> Result<Self> {
        let started = std::time::Instant::now();
        let dir = disk::index_dir(root, key.sha256);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let tmp = root.join(format!(".build-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&tmp).map_err(|e| SearchError::Io { path: tmp.clone(), source: e })?;
        let (schema, fields) = schema();
        let (docs, infos) = {
            let index = Index::create_in_dir(&tmp, schema)?;
            let (docs, infos) = fill(&index, &fields, concepts)?;
            disk::write_rerank(&tmp, &infos, &docs)?;
            (docs, infos)
        };
        let manifest = disk::IndexManifest {
            format_version: INDEX_FORMAT_VERSION,
            release_id: key.id.to_owned(),
            release_sha256: key.sha256.to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            concepts: infos.len(),
            designations: docs.len(),
            build_ms: started.elapsed().as_millis() as u64,
        };
        disk::write_manifest(&tmp, &manifest)?;
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| SearchError::Io { path: dir.clone(), source: e })?;
        }
        std::fs::rename(&tmp, &dir).map_err(|e| SearchError::Io { path: dir.clone(), source: e })?;
        // The re-ranker's data is already in memory: only the engine files are opened again.
        Self::from_parts(dir.clone(), &Index::open_in_dir(&dir)?, fields, docs, infos)
    }

    /// Opens the index of a release from `root/<release hash>/`, read-only; refuses a directory
    /// of another format version or release ([`SearchError::Incompatible`]).
    pub(crate) fn open(root: &Path, key: &IndexKey<'_>) -> Result<Self> {
        let dir = disk::index_dir(root, key.sha256);
        disk::check_manifest(&dir, key.sha256)?;
        let index = Index::open_in_dir(&dir)?;
        let (_, fields) = schema();
        if index.schema() != schema().0 {
            return Err(SearchError::Incompatible { path: dir, why: "another schema".into() });
        }
        let (infos, docs) = disk::read_rerank(&dir)?;
        Self::from_parts(dir, &index, fields, docs, infos)
    }

    /// Removes the temporary directories of builds that never finished (a crash mid-build).
    pub(crate) fn clean_unfinished(root: &Path) {
        let Ok(entries) = std::fs::read_dir(root) else { return };
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(".build-") {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }

    /// Whether this is the index of the release with this hash, under `root`.
    /// Designations indexed.
    pub(crate) fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub(crate) fn is_for(&self, root: &Path, sha256: &str) -> bool {
        self.dir == disk::index_dir(root, sha256)
    }

    /// Deletes the index's files (for a release that failed to commit after its index was built).
    pub(crate) fn remove_files(&self) {
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            tracing::warn!(dir = %self.dir.display(), error = %e, "Could not remove the search index of an unpublished release");
        }
    }

    fn from_parts(
        dir: std::path::PathBuf,
        index: &Index,
        fields: Fields,
        docs: table::Designations,
        infos: Vec<ConceptInfo>,
    ) -> Result<Self> {
        register_tokenizers(index)?;
        // The index never changes once built: no reload watcher; the id columns open once.
        let reader = index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?;
        let ids = reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().u64("id"))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut by_norm: Vec<u32> = (0..docs.len() as u32).collect();
        by_norm.sort_unstable_by(|&a, &b| docs.norm(a).cmp(docs.norm(b)).then(a.cmp(&b)));
        let mut by_romaji: Vec<u32> = (0..docs.len() as u32).filter(|&i| !docs.romaji(i).is_empty()).collect();
        by_romaji.sort_unstable_by(|&a, &b| docs.romaji(a).cmp(docs.romaji(b)).then(a.cmp(&b)));
        let mut first_doc = vec![docs.len() as u32; infos.len() + 1];
        for i in (0..docs.len() as u32).rev() {
            first_doc[docs.concept(i) as usize] = i;
        }
        for c in (0..infos.len()).rev() {
            first_doc[c] = first_doc[c].min(first_doc[c + 1]);
        }
        Ok(Self { dir, reader, ids, fields, docs, concepts: infos, by_norm, by_romaji, first_doc })
    }

    /// Completions of a prefix: names (or kana readings' romaji) starting with it, shortest and
    /// best-weighted first; the fuzzy [`SearchIndex::search`] when nothing starts with it.
    pub(crate) fn suggest(&self, q: &str, system: Option<&str>, limit: usize) -> Result<Vec<Hit>> {
        let norm = normalize(q);
        if norm.is_empty() {
            return Ok(Vec::new());
        }
        let mut found: Vec<(f64, u32)> = Vec::new();
        let mut scan = |key: Key, prefix: &str| {
            let prefix_chars = prefix.chars().count() as f64;
            for doc in self.starting_with(key, prefix).take(SUGGEST_SCAN) {
                let d = self.docs.get(doc);
                let c = &self.concepts[d.concept as usize];
                if system.is_some_and(|s| s != c.system) {
                    continue;
                }
                let chars = match key {
                    Key::Norm => d.norm_chars,
                    Key::Romaji => d.romaji_chars,
                };
                let closeness = prefix_chars / chars.max(1) as f64;
                let score = (1.0 + closeness) * d.kind.weight() * if c.active { 1.0 } else { 0.8 };
                found.push((score, doc));
            }
        };
        scan(Key::Norm, &norm);
        if q.is_ascii() {
            scan(Key::Romaji, &romaji_key(q));
        }
        found.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut hits: Vec<Hit> = Vec::new();
        for (score, doc) in found {
            let d = self.docs.get(doc);
            let c = &self.concepts[d.concept as usize];
            if hits.iter().any(|h| h.code == c.code && h.system == c.system) {
                continue;
            }
            hits.push(Hit {
                system: c.system.to_owned(),
                code: c.code.clone(),
                display: c.display.clone(),
                matched: d.term.to_owned(),
                score,
                status: if c.active { Status::Active } else { Status::Retired },
            });
            if hits.len() == limit {
                return Ok(hits);
            }
        }
        // No completion at all (a typo, a fragment): fall back to the fuzzy search.
        if hits.is_empty() {
            return self.search_with(q, system, limit, 0, Some(SUGGEST_FUZZY));
        }
        Ok(hits)
    }

    /// Whether a concept's names cover a mixed-script query: every kana run in its kana
    /// reading and every other run in one of its other names, each in query order
    /// (`ひふ炎`: ひふ in ひふえん, 炎 in 皮膚炎).
    fn covers_mixed(&self, concept: u32, runs: &[(bool, String)]) -> bool {
        let docs =
            || (self.first_doc[concept as usize]..self.first_doc[concept as usize + 1]).map(|i| self.docs.get(i));
        let in_order = |text: &str, kana: bool| {
            let mut rest = text;
            runs.iter().filter(|(k, _)| *k == kana).all(|(_, run)| match rest.find(run.as_str()) {
                Some(i) => {
                    rest = &rest[i + run.len()..];
                    true
                }
                None => false,
            })
        };
        let kana_ok = docs().any(|d| d.kind == Field::Kana && in_order(d.norm, true));
        kana_ok && docs().any(|d| d.kind != Field::Kana && in_order(d.norm, false))
    }

    /// How many concepts the designations `ids` belong to, counting up to `enough`.
    fn distinct_concepts(&self, ids: &[u32], enough: usize) -> usize {
        let mut seen: Vec<u32> = Vec::with_capacity(enough);
        for &id in ids {
            let c = self.docs.concept(id);
            if !seen.contains(&c) {
                seen.push(c);
                if seen.len() == enough {
                    break;
                }
            }
        }
        seen.len()
    }

    /// The designations whose key starts with `prefix`, in key order.
    fn starting_with<'a>(&'a self, key: Key, prefix: &'a str) -> impl Iterator<Item = u32> + 'a {
        let keys: &[u32] = match key {
            Key::Norm => &self.by_norm,
            Key::Romaji => &self.by_romaji,
        };
        let text = move |d: u32| match key {
            Key::Norm => self.docs.norm(d),
            Key::Romaji => self.docs.romaji(d),
        };
        let start = keys.partition_point(|&d| text(d) < prefix);
        keys[start..].iter().copied().take_while(move |&d| text(d).starts_with(prefix))
    }

    /// Adds up to [`PREFIX_CANDIDATES`] designations whose key starts with `prefix` (in `system`).
    fn prefixed(&self, key: Key, prefix: &str, system: Option<&str>, out: &mut Vec<u32>) {
        let in_system = self
            .starting_with(key, prefix)
            .filter(|&doc| system.is_none_or(|s| self.concepts[self.docs.concept(doc) as usize].system == s));
        out.extend(in_system.take(PREFIX_CANDIDATES));
    }

    /// The best concepts for a query (optionally in one system), best first.
    pub(crate) fn search(&self, q: &str, system: Option<&str>, limit: usize, offset: usize) -> Result<Vec<Hit>> {
        self.search_with(q, system, limit, offset, None)
    }

    /// The search; `effort` by default depends on whether the query spells a name exactly or
    /// starts several ([`FILL`]) or not ([`FULL`]).
    fn search_with(
        &self,
        q: &str,
        system: Option<&str>,
        limit: usize,
        offset: usize,
        effort: Option<Effort>,
    ) -> Result<Vec<Hit>> {
        let norm = normalize(q);
        if norm.is_empty() {
            return Ok(Vec::new());
        }
        let ascii_query = norm.is_ascii();
        let romaji = if ascii_query || is_kana(&norm) { romaji_key(q) } else { String::new() };
        // Names equal to or starting with the query, straight from the sorted arrays: the many
        // products that share a name reach the re-ranker without engine work.
        let mut ids: Vec<u32> = Vec::with_capacity(FULL.candidates + 2 * PREFIX_CANDIDATES);
        self.prefixed(Key::Norm, &norm, system, &mut ids);
        if ascii_query && !romaji.is_empty() {
            self.prefixed(Key::Romaji, &romaji, system, &mut ids);
        }
        // A query that spells a name (or reading) exactly, or the start of several, has its best
        // candidates already. (Decided by the query alone, so that every page of a query ranks
        // the same candidates.)
        let spelt = ids.iter().any(|&id| {
            let d = self.docs.get(id);
            d.norm == norm || (!romaji.is_empty() && d.romaji == romaji)
        }) || self.distinct_concepts(&ids, STEM_OF) >= STEM_OF;
        let effort = effort.unwrap_or(if spelt { FILL } else { FULL });
        self.engine_candidates(&norm, &romaji, q, system, effort, &mut ids)?;
        ids.sort_unstable();
        ids.dedup();
        let mixed = normalize::mixed_runs(&norm);
        let forms = rank::QueryForms::new(&norm, &romaji);
        // (concept, score, designation) of every candidate, then the best designation of each
        // concept; hits are made for the page only.
        let mut scored: Vec<(u32, f64, u32)> = Vec::with_capacity(ids.len());
        for id in ids {
            let d = self.docs.get(id);
            let mut sim = forms.similarity(d.norm, d.norm_chars, d.romaji, d.romaji_chars);
            if d.kind == Field::Generic {
                // An ingredient (一般名) equal to the query names a product of that ingredient, not
                // the product: it counts as a name that starts with the query, not as an equal one.
                sim = sim.min(1.0);
            }
            if let Some(runs) = mixed.as_deref() {
                // Shorter names first among those that cover the query.
                let closeness = (forms.norm_chars() as f64 / d.norm_chars.max(1) as f64).min(1.0);
                let covered = 0.85 + 0.07 * closeness;
                if sim < covered && self.covers_mixed(d.concept, runs) {
                    sim = covered;
                }
            }
            scored.push((d.concept, sim * d.factor, id));
        }
        scored.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        scored.dedup_by_key(|s| s.0);
        // Equal scores in concept order: the release's systems in order, codes in order within each.
        scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let hits = scored.into_iter().skip(offset).take(limit).map(|(concept, score, doc)| {
            let c = &self.concepts[concept as usize];
            Hit {
                system: c.system.to_owned(),
                code: c.code.clone(),
                display: c.display.clone(),
                matched: self.docs.get(doc).term.to_owned(),
                score,
                status: if c.active { Status::Active } else { Status::Retired },
            }
        });
        Ok(hits.collect())
    }

    /// Adds the engine's best candidates for a query to `ids`: Latin-letter queries (romaji,
    /// English, codes) by 3-grams of the Latin fields, romaji by the 3-grams of kana readings,
    /// English words stemmed; every other script by 2/3-grams of the normalised text (kana
    /// queries reach kana readings, normalised to hiragana, this way).
    fn engine_candidates(
        &self,
        norm: &str,
        romaji: &str,
        q: &str,
        system: Option<&str>,
        effort: Effort,
        ids: &mut Vec<u32>,
    ) -> Result<()> {
        let f = &self.fields;
        let ascii_query = norm.is_ascii();
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let term_query = |t: Term| -> Box<dyn Query> { Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) };
        let boosted = |t: Term, boost: f32| -> Box<dyn Query> { Box::new(BoostQuery::new(term_query(t), boost)) };
        let latin = ascii_query && norm.chars().count() >= 3;
        // Besides its 2/3-grams, a non-Latin query's characters: when a typo leaves few of its
        // longer grams in any name (腹舟腫瘍 for 腹膜腫瘍 keeps only 腫瘍), the characters around
        // the typo (腹) still tell the intended name from the many sharing the rest.
        let (field, own) = if latin {
            (f.latin, trigrams(norm))
        } else {
            let mut own = grams(norm);
            own.extend(norm.chars().map(String::from));
            own.sort();
            own.dedup();
            (f.norm, own)
        };
        let own = own.into_iter().map(|g| Term::from_field_text(field, &g)).collect();
        for t in rarest(&searcher, own, effort)? {
            clauses.push((Occur::Should, term_query(t)));
        }
        if !romaji.is_empty() && ascii_query {
            // Input that reads as romaji is looked for in the readings first.
            // Other Latin text (English, mostly) is looked for in the readings too, with less
            // effort: a romaji typo that no longer reads as romaji still finds its reading.
            let (boost, romaji_effort) = if looks_like_romaji(q) { (3.0, effort) } else { (1.0, effort.lighter()) };
            let romaji_grams = trigrams(romaji).into_iter().map(|g| Term::from_field_text(f.romaji, &g)).collect();
            for t in rarest(&searcher, romaji_grams, romaji_effort)? {
                clauses.push((Occur::Should, boosted(t, boost)));
            }
        }
        if ascii_query {
            let words = english_words(&normalize::width_folded(q))
                .into_iter()
                .map(|w| Term::from_field_text(f.words, &w))
                .collect();
            // Whole words are far more selective than 3-grams: a few of the rarest suffice.
            for t in rarest(&searcher, words, effort.lighter())? {
                clauses.push((Occur::Should, boosted(t, 2.0)));
            }
        }
        if clauses.is_empty() {
            return Ok(());
        }
        // Walking the whole union of these few rare terms (a boosted query is not pruned by
        // block-max WAND) costs fewer instructions than WAND does here: on the public query set
        // under callgrind (bench/latency), 1.2 M against 2.0 M per query.
        let mut query: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(BooleanQuery::new(clauses)), 1.0));
        if let Some(s) = system {
            query = Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.system, s), IndexRecordOption::Basic))),
            ]));
        }
        for (_, addr) in searcher.search(&query, &TopDocs::with_limit(effort.candidates))? {
            if let Some(id) = self.ids.get(addr.segment_ord as usize).and_then(|c| c.first(addr.doc_id)) {
                ids.push(id as u32);
            }
        }
        Ok(())
    }
}
