//! `Service`: the one API that the HTTP routes and the CLI use. It owns the store; the store,
//! import and lifecycle engines behind it are private.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::StoreConfig;
use crate::error::{Error, Result};
use crate::import::ImportError;
use crate::lifecycle;

mod access;
mod bootstrap;
mod bulk;
mod catalog;
pub(crate) use bulk::targets;
mod curation;
mod mapping;

pub use crate::lifecycle::PublishRequest;
use crate::model::{resolve_system, slug, CodeSystem, Concept, HistoryEvent, Release, SystemDiff};
use crate::store::Store;
pub use access::{AuditList, NewToken, TokenList};
pub use catalog::{
    ConceptFilter, ConceptList, Page, PageRequest, ReleaseManifest, ReleasedVersion, RowFilter, RowList, SystemAnswer,
    SystemInfo, SystemList, TableAnswer, TableCounts, TableInfo, TableList,
};
pub use curation::{CandidateItem, CandidatePage, CandidateQuery, DecisionRequest};
pub use mapping::{ExplainAnswer, ImpactCode, ImpactItem};

/// The facade over a data directory.
pub struct Service {
    store: std::sync::Arc<Store>,
    /// Search indexes by release id (`<data dir>/search/`), built on first use.
    indexes: crate::search::IndexCache,
    /// Translators by release and systems, resolved on first use.
    translators: crate::translate::Translators,
    /// Releases by the dates of their versions, for `as_of`.
    as_of: std::sync::Arc<crate::translate::AsOf>,
    /// Bulk translation engines by release, built on first use.
    engines: bulk::Engines,
    /// Row counts of mapping table versions, counted on first use.
    row_counts: catalog::CountCache,
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

/// Whether the service is ready to answer (see [`Service::readiness`]).
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    /// Ready: a release is published, no bootstrap is under way, its search index is loaded.
    pub ready: bool,
    /// The latest release, if any.
    pub release: Option<String>,
    /// The bundled masters are being published.
    pub bootstrapping: bool,
    /// The latest release's search index is loaded.
    pub search_index: bool,
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
        let store = Store::open(&config.data_dir, config.failpoint.clone(), now(), config.cache_mb << 20)?;
        let indexes = crate::search::IndexCache::new(config.data_dir.join("search"));
        Ok(Self {
            store: std::sync::Arc::new(store),
            indexes,
            translators: Default::default(),
            as_of: Default::default(),
            engines: Default::default(),
            row_counts: Default::default(),
        })
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
        crate::import::validate::jlac10_segments(&parsed, &|system| self.existing_codes(system))?;
        crate::import::validate::crosswalk_target(&parsed, self.base_version(slug::ICD11_MMS)?.is_some())?;
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

    /// The label and codes of the draft's (else the latest release's) version of a system.
    fn existing_codes(&self, system: &str) -> Result<Option<crate::import::validate::Existing>> {
        let Some(id) = self.base_version(system)? else { return Ok(None) };
        let label = self.store.version(id)?.map(|v| v.version).unwrap_or_default();
        let codes = self.store.concepts(id).map(|c| c.map(|c| c.code)).collect::<Result<Vec<_>, _>>()?;
        Ok(Some((label, codes)))
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
        let previous = self.store.latest_release()?;
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
                    self.indexes.forget(&req.id, &sha256);
                }
                return Err(e);
            }
        };
        if let Some(Err(e)) = index {
            tracing::warn!(release.id = %release.id, error = %e, "Could not build the search index of release {}", release.id);
        }
        self.store.audit(crate::store::AuditEvent {
            at: &release.created_at,
            actor: &req.publisher,
            action: crate::model::AuditAction::Publish,
            detail: format!("release={} sha256={}", release.id, release.sha256),
            before: previous.map(|p| serde_json::json!({ "release": p.id, "sha256": p.sha256 })),
            after: Some(serde_json::json!({ "release": release.id, "sha256": release.sha256 })),
        })?;
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
        let rel = self.shared_release(release)?;
        let rs = rel
            .system(cs.slug)
            .ok_or_else(|| Error::SystemNotInRelease { system: cs.slug.to_owned(), release: rel.id.clone() })?;
        let concept = self.store.concept(rs.version_id, code.trim())?.ok_or_else(|| Error::ConceptNotFound {
            system: cs.slug.to_owned(),
            code: code.to_owned(),
            release: rel.id.clone(),
        })?;
        Ok(Lookup { system: system_ref(cs, Some(rs.version.clone())), release: rel.id.clone(), concept })
    }

    /// Added, removed and changed concepts, and changed mapping rows, between two releases.
    /// `system` limits the concept diff to one code system, `table` the row diff to one mapping
    /// table; giving only one of them leaves the other side out.
    pub fn diff(&self, from: &str, to: &str, system: Option<&str>, table: Option<&str>) -> Result<DiffReport> {
        let only = system_slug(system)?;
        let (a, b) = (self.release(Some(from))?, self.release(Some(to))?);
        if let Some(t) = table {
            if a.mappings.iter().chain(&b.mappings).all(|m| m.table != t) {
                return Err(Error::TableNotFound {
                    table: t.to_owned(),
                    release: format!("release {} or {}", a.id, b.id),
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

    /// Every concept of one code system version of a release, in code order.
    pub fn concepts(&self, system: &str, release: &str) -> Result<Vec<Concept>> {
        let cs = resolve_system(system).ok_or_else(|| Error::UnknownSystem(system.to_owned()))?;
        let rel = self.shared_release(Some(release))?;
        let rs = rel
            .system(cs.slug)
            .ok_or_else(|| Error::SystemNotInRelease { system: cs.slug.to_owned(), release: rel.id.clone() })?;
        Ok(self.store.concepts(rs.version_id).collect::<std::result::Result<Vec<_>, _>>()?)
    }

    /// Every row of a mapping table of a release, by source code.
    pub fn table_rows(&self, release: &str, table: &str) -> Result<Vec<(String, Vec<crate::model::Mapping>)>> {
        let rel = self.shared_release(Some(release))?;
        let t = rel
            .mappings
            .iter()
            .find(|m| m.table == table)
            .ok_or_else(|| Error::TableNotFound { table: table.to_owned(), release: format!("release {}", rel.id) })?;
        Ok(self.store.all_mappings(t.version_id).collect::<std::result::Result<Vec<_>, _>>()?)
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

    /// The search index of a release: opened from `<data dir>/search/`, else built there from
    /// the release's corpus (at publish, or for a release whose index is missing or of another
    /// format).
    fn search_index(&self, rel: &Release) -> Result<std::sync::Arc<crate::search::SearchIndex>> {
        let key = crate::search::IndexKey { id: &rel.id, sha256: &rel.sha256 };
        self.indexes.get(&key, || crate::search::corpus::corpus(rel, &*self.store))
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

    /// Whether the service can answer as it should: the store is open (it is, while `self`
    /// exists), no bootstrap is under way, and the latest release's search index is loaded.
    pub fn readiness(&self) -> Result<Readiness> {
        let latest = match self.shared_release(None) {
            Ok(r) => Some(r),
            Err(Error::NoReleases) => None,
            Err(e) => return Err(e),
        };
        let bootstrapping = self.store.bootstrap_pending()?;
        let search_index = latest.as_ref().is_some_and(|r| self.indexes.loaded(&r.id));
        Ok(Readiness {
            ready: latest.is_some() && !bootstrapping && search_index,
            release: latest.map(|r| r.id.clone()),
            bootstrapping,
            search_index,
        })
    }

    /// Store counts (releases, versions, concepts, history entries).
    pub fn counts(&self) -> std::collections::BTreeMap<&'static str, usize> {
        self.store.counts()
    }
}

impl crate::search::corpus::Reader for Store {
    fn concepts(&self, version: u64) -> Result<Vec<Concept>> {
        Ok(Store::concepts(self, version).collect::<Result<Vec<_>, _>>()?)
    }

    fn rows(&self, table_version: u64, each: &mut dyn FnMut(String, Vec<crate::model::Mapping>)) -> Result<()> {
        for row in self.all_mappings(table_version) {
            let (code, rows) = row?;
            each(code, rows);
        }
        Ok(())
    }
}
