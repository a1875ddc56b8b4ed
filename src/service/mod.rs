//! `Service`: the one API that the HTTP routes and the CLI use. It owns the store; the store,
//! import and lifecycle engines behind it are private.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::StoreConfig;
use crate::error::{Error, Result};
use crate::import::ImportError;
use crate::lifecycle;

mod curation;
mod mapping;

pub use crate::lifecycle::PublishRequest;
use crate::model::{resolve_system, CodeSystem, Concept, HistoryEvent, Release, SystemDiff};
use crate::store::Store;
pub use curation::{CandidateItem, CandidatePage, CandidateQuery, DecisionRequest};
pub use mapping::{ExplainAnswer, ImpactCode, ImpactItem, TranslateFilter, Translation, TranslationSource};

/// The facade over a data directory.
pub struct Service {
    store: Store,
    /// Where release search indexes live (`<data dir>/search/`), one directory per release hash.
    search_root: PathBuf,
    /// Search indexes by release id, built on first use.
    indexes: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<crate::search::SearchIndex>>>,
}

/// The answer of a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchAnswer {
    /// Release searched.
    pub release: String,
    /// Hits, best first.
    pub results: Vec<crate::search::Hit>,
    /// Time spent in the engine (ms).
    pub took_ms: f64,
}

/// One code system version staged by an import.
#[derive(Debug, Clone, Serialize)]
pub struct StagedVersion {
    /// Code system slug.
    pub system: String,
    /// Version label.
    pub version: String,
    /// Number of concepts.
    pub concepts: u64,
    /// Input files (name, format, SHA-256, size).
    pub files: Vec<crate::model::SourceFileInfo>,
    /// What the loaders' format rules did (e.g. repeated rows merged).
    pub notes: Vec<String>,
}

/// A concept as answered by a lookup.
#[derive(Debug, Clone, Serialize)]
pub struct Lookup {
    /// Release id used.
    pub release: String,
    /// The code system.
    pub system: SystemRef,
    /// The concept.
    pub concept: Concept,
}

/// A code system as named in answers.
#[derive(Debug, Clone, Serialize)]
pub struct SystemRef {
    /// Slug.
    pub slug: String,
    /// Canonical URI.
    pub uri: String,
    /// Version label in the release used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The differences between two releases.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// Older release id.
    pub from: String,
    /// Newer release id.
    pub to: String,
    /// Per code system.
    pub systems: Vec<SystemDiff>,
    /// Per mapping table: source codes whose chosen row was added, removed, retargeted or
    /// changed relationship.
    pub tables: Vec<crate::model::TableDiff>,
}

/// The history of one code.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// Latest release (the answer covers every release up to it).
    pub release: String,
    /// The code system.
    pub system: SystemRef,
    /// The code.
    pub code: String,
    /// Events, oldest first.
    pub events: Vec<HistoryEvent>,
}

/// The bundled default-data plan (`masters/default.toml`).
#[derive(Debug, Deserialize)]
struct MastersPlan {
    release: Vec<PlannedRelease>,
}

#[derive(Debug, Deserialize)]
struct PlannedRelease {
    id: String,
    notes: String,
    import: Vec<PlannedImport>,
    #[serde(default)]
    derive: Vec<PlannedDerive>,
}

/// One `henkan derive` of a planned release.
#[derive(Debug, Deserialize)]
struct PlannedDerive {
    generator: String,
    files: Vec<String>,
}

/// One `henkan import` of a planned release.
#[derive(Debug, Deserialize)]
struct PlannedImport {
    files: Vec<String>,
    version: Option<String>,
}

/// Publisher recorded on releases built from the bundled masters.
pub const BUNDLED_PUBLISHER: &str = "henkan (bundled official masters)";

pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 formatting of the current time")
}

/// The slug of an optional system argument (slug or canonical URI); unknown is an error.
pub(crate) fn system_slug(system: Option<&str>) -> Result<Option<&'static str>> {
    system.map(|s| resolve_system(s).map(|cs| cs.slug).ok_or_else(|| Error::UnknownSystem(s.to_owned()))).transpose()
}

pub(crate) fn system_ref(cs: &CodeSystem, version: Option<String>) -> SystemRef {
    SystemRef { slug: cs.slug.to_owned(), uri: cs.uri.to_owned(), version }
}

impl Service {
    /// Opens the data directory (creating it if needed).
    pub fn open(config: &StoreConfig) -> Result<Self> {
        let store = Store::open(&config.data_dir, config.failpoint.clone(), now())?;
        let search_root = config.data_dir.join("search");
        crate::search::SearchIndex::clean_unfinished(&search_root);
        Ok(Self { store, search_root, indexes: Default::default() })
    }

    /// Parses official files and stages them in the draft: all of them, or nothing.
    pub fn import(
        &self,
        paths: &[PathBuf],
        format: Option<&str>,
        version: Option<&str>,
        progress: impl Fn(&Path) + Sync,
    ) -> Result<Vec<StagedVersion>> {
        let parsed = crate::import::parse_all(paths, format, version, progress)?;
        self.check_jlac10_segments(&parsed)?;
        // A WHO 10→11 table becomes a mapping table onto ICD-11: refuse before writing anything
        // when no ICD-11 version is in this import, the draft or the latest release.
        let has_crosswalk = parsed.iter().any(|p| !p.crosswalks.is_empty());
        if has_crosswalk && !parsed.iter().any(|p| p.system == "icd11-mms") && self.base_version("icd11-mms")?.is_none()
        {
            return Err(Error::DeriveInput {
                generator: "who-icd10-icd11".into(),
                message: "a WHO 10→11 table maps onto ICD-11: import ICD-11 MMS (11To10MapToOneCategory.txt) first or in the same import".into(),
            });
        }
        let now = now();
        let mut crosswalks = Vec::new();
        // One chain per code system (its full version, then its change files in date order);
        // the chains are written in parallel, each version of a chain on the one before it.
        let mut chains: Vec<Vec<crate::import::ParsedVersion>> = Vec::new();
        for mut p in parsed {
            if !p.crosswalks.is_empty() {
                crosswalks.push((p.version.clone(), p.files.clone(), std::mem::take(&mut p.crosswalks)));
            }
            match chains.iter_mut().find(|c| c[0].system == p.system) {
                Some(chain) => chain.push(p),
                None => chains.push(vec![p]),
            }
        }
        let written: Vec<Result<Vec<(u64, StagedVersion)>>> = {
            use rayon::prelude::*;
            chains.into_par_iter().map(|chain| self.write_chain(chain, &now)).collect()
        };
        let (mut ids, mut out) = (Vec::new(), Vec::new());
        for chain in written {
            for (id, staged) in chain? {
                ids.push(id);
                out.push(staged);
            }
        }
        self.store.stage(&ids)?;
        for (version, files, tables) in crosswalks {
            self.stage_imported_crosswalk(&version, files, tables)?;
        }
        for s in &out {
            tracing::info!(system = %s.system, version = %s.version, concepts = s.concepts, "Staged {} {} in the draft", s.system, s.version);
        }
        Ok(out)
    }

    /// Writes the versions of one code system in order (not yet staged): a change file applies
    /// to the version before it in the chain, else to the draft's or the latest release's.
    fn write_chain(&self, chain: Vec<crate::import::ParsedVersion>, now: &str) -> Result<Vec<(u64, StagedVersion)>> {
        let mut out = Vec::new();
        let mut previous: Option<Vec<Concept>> = None;
        let mut hashes = crate::store::ConceptHashes::new();
        for p in chain {
            let system = p.system;
            let concepts = if p.patches.is_empty() {
                p.concepts
            } else {
                let base = match previous.take() {
                    Some(concepts) => concepts,
                    None => {
                        let file = p.files[0].name.clone();
                        let base = self
                            .base_version(system)?
                            .ok_or_else(|| ImportError::NoBase { file, system: system.to_owned() })?;
                        let (concepts, stored) = self.store.concepts_and_hashes(base)?;
                        hashes = stored;
                        concepts
                    }
                };
                // The codes no patch touches keep the content (and hash) they had in `base`.
                for patch in &p.patches {
                    hashes.remove(&patch.record.code);
                }
                henkan_loaders::patch::apply(base, p.patches).map_err(ImportError::from)?
            };
            let (id, written) =
                self.store.write_version(system, &p.version, p.files.clone(), &concepts, now, &hashes)?;
            hashes = written;
            out.push((
                id,
                StagedVersion {
                    system: system.to_owned(),
                    version: p.version,
                    concepts: concepts.len() as u64,
                    files: p.files,
                    notes: p.notes,
                },
            ));
            previous = Some(concepts);
        }
        Ok(out)
    }

    /// JLAC10 codes must use segments of the JSLM tables loaded in the same import, else in the
    /// draft or the latest release; when no tables are available they are checked for form only.
    fn check_jlac10_segments(&self, parsed: &[crate::import::ParsedVersion]) -> Result<()> {
        let Some(jlac10) = parsed.iter().find(|p| p.system == "jlac10") else { return Ok(()) };
        let mut tables = henkan_loaders::jlac10::SegmentTables::default();
        let mut used = Vec::new();
        for (system, set) in [
            ("jlac10-analyte", &mut tables.analyte),
            ("jlac10-identification", &mut tables.identification),
            ("jlac10-material", &mut tables.material),
            ("jlac10-method", &mut tables.method),
            ("jlac10-result", &mut tables.result),
            ("jlac10-result-specific", &mut tables.result_specific),
        ] {
            if let Some(p) = parsed.iter().find(|p| p.system == system) {
                set.extend(p.concepts.iter().map(|c| c.code.clone()));
                used.push(format!("{system} {}", p.version));
            } else if let Some(id) = self.base_version(system)? {
                for c in self.store.concepts(id) {
                    set.insert(c?.code);
                }
                used.push(format!("{system} {}", self.store.version(id)?.map(|v| v.version).unwrap_or_default()));
            } else {
                tracing::info!(system, "JLAC10 segment table not available: codes are checked for form only");
                return Ok(());
            }
        }
        for c in &jlac10.concepts {
            if let Err((segment, value)) = henkan_loaders::jlac10::check_jlac10_segments(&c.code, &tables) {
                return Err(ImportError::Jlac10Segment {
                    file: jlac10.files.first().map(|f| f.name.clone()).unwrap_or_default(),
                    code: c.code.clone(),
                    segment,
                    value,
                    tables: used.join(", "),
                }
                .into());
            }
        }
        Ok(())
    }

    /// The version a change file of `system` applies to: the draft's, else the latest release's.
    pub(crate) fn base_version(&self, system: &str) -> Result<Option<u64>> {
        if let Some(&id) = self.store.draft()?.systems.get(system) {
            return Ok(Some(id));
        }
        Ok(self.store.latest_release()?.and_then(|r| r.system(system).map(|s| s.version_id)))
    }

    /// What the draft holds (system → version label).
    pub fn draft(&self) -> Result<Vec<(String, String)>> {
        let draft = self.store.draft()?;
        let mut out = Vec::new();
        for (system, id) in draft.systems {
            let version = self.store.version(id)?.map(|v| v.version).unwrap_or_default();
            out.push((system, version));
        }
        Ok(out)
    }

    /// Empties the draft.
    pub fn discard_draft(&self) -> Result<()> {
        Ok(self.store.discard_draft()?)
    }

    /// Publishes the draft as a new immutable release on top of the latest one.
    pub fn publish(&self, req: &PublishRequest) -> Result<Release> {
        self.publish_indexed(req, true)
    }

    /// [`Service::publish`], building the release's search index alongside or (`index: false`)
    /// leaving it to be built when the release is first searched.
    fn publish_indexed(&self, req: &PublishRequest, index: bool) -> Result<Release> {
        // Review decisions recorded since the tables were written take effect in this release.
        self.materialize_decisions()?;
        // The search index is derived data, built while the history is written: a failure there
        // is logged and the index is built again when the release is first searched.
        let (release, index) = lifecycle::publish(&self.store, req, &now(), |rel| {
            if index {
                Some(self.search_index(rel).map(|_| rel.sha256.clone()))
            } else {
                None
            }
        });
        let index = index.flatten();
        let release = match release {
            Ok(release) => release,
            Err(e) => {
                if let Some(Ok(sha256)) = index {
                    self.forget_search_index(&req.id, &sha256);
                }
                return Err(e);
            }
        };
        if let Some(Err(e)) = index {
            tracing::warn!(release.id = %release.id, error = %e, "Could not build the search index of release {}", release.id);
        }
        self.store.audit(
            &release.created_at,
            &req.publisher,
            crate::model::AuditAction::Publish,
            &format!("release={} sha256={}", release.id, release.sha256),
        )?;
        Ok(release)
    }

    /// Every release, oldest first.
    pub fn releases(&self) -> Result<Vec<Release>> {
        Ok(self.store.releases()?)
    }

    /// A release (the latest for `None` or `latest`), shared rather than copied.
    pub(crate) fn shared_release(&self, id: Option<&str>) -> Result<std::sync::Arc<Release>> {
        match id {
            None | Some("latest") => self.store.shared_release(None)?.ok_or(Error::NoReleases),
            Some(id) => self.store.shared_release(Some(id))?.ok_or_else(|| Error::ReleaseNotFound(id.to_owned())),
        }
    }

    /// A release by id, or the latest one for `None` / `"latest"`.
    pub fn release(&self, id: Option<&str>) -> Result<Release> {
        Ok((*self.shared_release(id)?).clone())
    }

    /// One concept in a release (latest by default). `system` is a slug or canonical URI.
    pub fn lookup(&self, system: &str, code: &str, release: Option<&str>) -> Result<Lookup> {
        let cs = resolve_system(system).ok_or_else(|| Error::UnknownSystem(system.to_owned()))?;
        let rel = self.release(release)?;
        let rs = rel
            .system(cs.slug)
            .ok_or_else(|| Error::SystemNotInRelease { system: cs.slug.to_owned(), release: rel.id.clone() })?;
        let concept = self.store.concept(rs.version_id, code.trim())?.ok_or_else(|| Error::ConceptNotFound {
            system: cs.slug.to_owned(),
            code: code.to_owned(),
            release: rel.id.clone(),
        })?;
        Ok(Lookup { system: system_ref(cs, Some(rs.version.clone())), release: rel.id, concept })
    }

    /// Added, removed and changed concepts, and changed mapping rows, between two releases.
    /// `system` limits the concept diff to one code system, `table` the row diff to one mapping
    /// table; giving only one of them leaves the other side out.
    pub fn diff(&self, from: &str, to: &str, system: Option<&str>, table: Option<&str>) -> Result<DiffReport> {
        let only = system_slug(system)?;
        let (a, b) = (self.release(Some(from))?, self.release(Some(to))?);
        if let Some(t) = table {
            if a.mappings.iter().chain(&b.mappings).all(|m| m.table != t) {
                return Err(Error::MappingTableNotFound {
                    source_system: t.to_owned(),
                    target: "-".into(),
                    release: format!("{} or {}", a.id, b.id),
                });
            }
        }
        let systems =
            if table.is_some() && system.is_none() { Vec::new() } else { lifecycle::diff(&self.store, &a, &b, only)? };
        let tables = if system.is_some() && table.is_none() {
            Vec::new()
        } else {
            lifecycle::diff_tables(&self.store, &a, &b, table)?
        };
        Ok(DiffReport { from: a.id, to: b.id, systems, tables })
    }

    /// Finds concepts by what users type (kanji, kana, romaji, either width, typos, English).
    /// `system` limits to one code system (slug or URI).
    pub fn search(
        &self,
        q: &str,
        system: Option<&str>,
        release: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<SearchAnswer> {
        self.with_index(system, release, |index, slug| index.search(q, slug, limit.clamp(1, 100), offset))
    }

    /// Calls `f(system, code, status, kind, term)` for every designation (display first) of every
    /// concept of a release.
    pub fn for_each_designation(
        &self,
        release: Option<&str>,
        mut f: impl FnMut(&str, &str, &str, &str, &str) -> Result<()>,
    ) -> Result<()> {
        let rel = self.release(release)?;
        for s in &rel.systems {
            for c in self.store.concepts(s.version_id) {
                let c = c?;
                f(&s.system, &c.code, c.status.as_str(), "display", &c.display)?;
                for d in &c.designations {
                    f(&s.system, &c.code, c.status.as_str(), d.use_.as_str(), &d.value)?;
                }
            }
        }
        Ok(())
    }

    /// Completions of a prefix (autocomplete), best first.
    pub fn suggest(&self, q: &str, system: Option<&str>, release: Option<&str>, limit: usize) -> Result<SearchAnswer> {
        self.with_index(system, release, |index, slug| index.suggest(q, slug, limit.clamp(1, 50)))
    }

    /// Runs a query on a release's index (optionally limited to one system), timing only the engine.
    fn with_index(
        &self,
        system: Option<&str>,
        release: Option<&str>,
        run: impl FnOnce(&crate::search::SearchIndex, Option<&str>) -> crate::search::Result<Vec<crate::search::Hit>>,
    ) -> Result<SearchAnswer> {
        // took_ms covers everything the service does for the request: release, index, engine.
        let started = std::time::Instant::now();
        let rel = self.shared_release(release)?;
        let slug = system_slug(system)?;
        let index = self.search_index(&rel)?;
        let results = run(&index, slug)?;
        Ok(SearchAnswer { release: rel.id.clone(), results, took_ms: started.elapsed().as_secs_f64() * 1000.0 })
    }

    /// Builds the latest release's search index now (e.g. in the background when serving starts).
    pub fn warm_search(&self) -> Result<()> {
        let rel = self.release(None)?;
        self.search_index(&rel).map(|_| ())
    }

    /// Drops the index built for a release (id and hash) that then failed to commit, from memory
    /// and disk; an index cached under the same id for other content (a publish that won) stays.
    fn forget_search_index(&self, id: &str, sha256: &str) {
        let Ok(mut cache) = self.indexes.lock() else { return };
        if cache.get(id).is_some_and(|i| i.is_for(&self.search_root, sha256)) {
            if let Some(index) = cache.remove(id) {
                index.remove_files();
            }
        }
    }

    /// The search index of a release: opened from `<data dir>/search/` (read-only), else built
    /// there (at publish, or for a release whose index is missing or of another format).
    fn search_index(&self, rel: &Release) -> Result<std::sync::Arc<crate::search::SearchIndex>> {
        use crate::search::{IndexKey, SearchError, SearchIndex};
        let mut cache = self.indexes.lock().map_err(|_| Error::Internal("search index cache poisoned".into()))?;
        if let Some(i) = cache.get(&rel.id) {
            return Ok(i.clone());
        }
        let key = IndexKey { id: &rel.id, sha256: &rel.sha256 };
        let started = std::time::Instant::now();
        match SearchIndex::open(&self.search_root, &key) {
            Ok(index) => {
                tracing::info!(release.id = %rel.id, ms = started.elapsed().as_millis() as u64, "Opened the search index of release {}", rel.id);
                let index = std::sync::Arc::new(index);
                cache.insert(rel.id.clone(), index.clone());
                return Ok(index);
            }
            Err(SearchError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(release.id = %rel.id, error = %e, "Rebuilding the search index of release {}", rel.id)
            }
        }
        // English names reach Japanese concepts through the mapped target's name: each source
        // concept of a mapping table is also indexed under its chosen target's display.
        let mut via: std::collections::HashMap<(String, String), Vec<String>> = std::collections::HashMap::new();
        for m in &rel.mappings {
            for row in self.store.all_mappings(m.version_id) {
                let (code, rows) = row?;
                let chosen = rows
                    .iter()
                    .filter(|r| r.target_code.is_some() && r.review_state != crate::model::ReviewState::Rejected)
                    .max_by(|a, b| a.score.total_cmp(&b.score));
                if let Some(display) = chosen.and_then(|r| r.target_display.clone()) {
                    via.entry((m.source_system.clone(), code)).or_default().push(display);
                }
            }
        }
        // The systems' concepts are read (and decoded) in parallel, then kept in release order.
        let per_system: Vec<Result<Vec<(&str, Concept)>>> = {
            use rayon::prelude::*;
            rel.systems
                .par_iter()
                .map(|s| {
                    let mut out = Vec::with_capacity(s.concepts as usize);
                    for c in self.store.concepts(s.version_id) {
                        let mut c = c?;
                        if let Some(names) = via.get(&(s.system.clone(), c.code.clone())) {
                            for n in names {
                                c.designations.push(crate::model::Designation {
                                    use_: crate::model::DesignationUse::Mapped,
                                    language: "en".into(),
                                    value: n.clone(),
                                });
                            }
                        }
                        out.push((s.system.as_str(), c));
                    }
                    Ok(out)
                })
                .collect()
        };
        let mut concepts = Vec::new();
        for part in per_system {
            concepts.extend(part?);
        }
        // Index words are not concepts to find but names of the disease concepts they index.
        let (words, mut concepts): (Vec<_>, Vec<_>) =
            concepts.into_iter().partition(|(system, _)| *system == crate::search::index_terms::INDEX_SYSTEM);
        if !words.is_empty() {
            let words: Vec<Concept> = words.into_iter().map(|(_, c)| c).collect();
            let t = std::time::Instant::now();
            let added = crate::search::index_terms::attach(&words, &mut concepts);
            let ms = t.elapsed().as_millis() as u64;
            tracing::info!(release.id = %rel.id, words = words.len(), added, ms, "Gave index words to the disease names they index");
        }
        std::fs::create_dir_all(&self.search_root)
            .map_err(|e| SearchError::Io { path: self.search_root.clone(), source: e })?;
        let index = std::sync::Arc::new(SearchIndex::build_in(&self.search_root, &key, concepts)?);
        tracing::info!(release.id = %rel.id, ms = started.elapsed().as_millis() as u64, "Built the search index of release {}", rel.id);
        cache.insert(rel.id.clone(), index.clone());
        Ok(index)
    }

    /// What happened to a code, release by release.
    pub fn history(&self, system: &str, code: &str) -> Result<History> {
        let cs = resolve_system(system).ok_or_else(|| Error::UnknownSystem(system.to_owned()))?;
        let latest = self.release(None)?;
        let events = self.store.history(cs.slug, code.trim())?;
        if events.is_empty() {
            return Err(Error::CodeNeverSeen { system: cs.slug.to_owned(), code: code.to_owned() });
        }
        let version = latest.system(cs.slug).map(|s| s.version.clone());
        Ok(History { release: latest.id, system: system_ref(cs, version), code: code.trim().to_owned(), events })
    }

    /// Store counts (releases, versions, concepts, history entries).
    pub fn counts(&self) -> std::collections::BTreeMap<&'static str, usize> {
        self.store.counts()
    }

    /// On an empty data directory (or one whose bootstrap was interrupted), imports and
    /// publishes the bundled official masters as described by `masters/default.toml`.
    /// Returns the releases it published (none when the directory already had data).
    pub fn bootstrap(&self, masters_dir: &Path, mut progress: impl FnMut(&str)) -> Result<Vec<Release>> {
        let fresh = self.store.latest_release()?.is_none() && self.store.draft()?.systems.is_empty();
        if !fresh && !self.store.bootstrap_pending()? {
            return Ok(vec![]);
        }
        let plan_path = masters_dir.join("default.toml");
        let plan_err = |message: String| Error::MastersPlan { path: plan_path.display().to_string(), message };
        let text = std::fs::read_to_string(&plan_path)
            .map_err(|e| plan_err(format!("{e}; run from the repository root or pass --masters-dir")))?;
        let plan: MastersPlan = toml::from_str(&text).map_err(|e| plan_err(e.to_string()))?;
        self.store.set_bootstrap(true)?;
        self.store.discard_draft()?;
        // Curated decisions shipped beside the masters (mappings/<table>/decisions.tsv) apply when
        // the tables are derived below.
        if self.store.all_decisions().next().is_none() {
            if let Some(dir) = masters_dir.parent().map(|p| p.join("mappings")) {
                let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path().join("decisions.tsv"))
                    .filter(|p| p.is_file())
                    .collect();
                files.sort();
                for f in files {
                    let n = self.import_decisions(&f, "bootstrap")?;
                    tracing::info!(file = %f.display(), decisions = n, "Imported curated decisions");
                }
            }
        }
        let mut published = Vec::new();
        let last = plan.release.len().saturating_sub(1);
        for (n, planned) in plan.release.iter().enumerate() {
            if self.store.release(&planned.id)?.is_some() {
                continue;
            }
            progress(&planned.id);
            for group in &planned.import {
                let paths: Vec<PathBuf> = group.files.iter().map(|f| masters_dir.join(f)).collect();
                self.import(&paths, None, group.version.as_deref(), |_| {})?;
            }
            for d in &planned.derive {
                let paths: Vec<PathBuf> = d.files.iter().map(|f| masters_dir.join(f)).collect();
                self.derive(&d.generator, &paths)?;
            }
            // Only the latest release's index is built now; the others are searched less.
            let req = PublishRequest {
                id: planned.id.clone(),
                publisher: BUNDLED_PUBLISHER.to_owned(),
                notes: planned.notes.clone(),
            };
            published.push(self.publish_indexed(&req, n == last)?);
        }
        self.store.set_bootstrap(false)?;
        Ok(published)
    }
}
