//! Translation through a release's mapping table. A [`Translator`] is resolved once for a
//! (release, source system, target system): it holds the decoded release, the source version and
//! the table, so that each code costs one concept read and one row read. Releases never change,
//! so translators are kept ([`Translators`]) and shared by every edge (GET `/v1/translate`, the
//! CLI, batch and bulk translation). [`AsOf`] picks the release in effect on a date from a sorted
//! index of the releases' version dates.

pub mod answer;
pub mod engine;
pub(crate) mod stored;
pub mod table;

pub use answer::{AnswerStatus, Multi, Outcome, Policy, ReviewFilter, UnmappedReason};
pub use engine::{Answer, Engine, Item, ItemError, Tables};
pub use table::{CodeTable, CodeTableBuilder, TargetRow};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{
    into_ranked_targets, CodeSystem, Mapping, Release, ReleaseMapping, ReleaseSystem, ReviewState, Status,
};
use crate::service::{system_ref, SystemRef};
use crate::store::{ConceptHead, Store};

/// The answer of a translation.
#[derive(Debug, Clone, Serialize)]
pub struct Translation {
    /// Release used.
    pub release: String,
    /// The source concept.
    pub source: TranslationSource,
    /// The target code system and version.
    pub target: SystemRef,
    /// Mapping table used.
    pub table: String,
    /// Target rows, best first (after the filters); rejected rows are never among them.
    pub matches: Vec<Mapping>,
    /// Why there is no target, when the table says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_map: Option<Mapping>,
    /// Retired source codes followed to their successor (移行先), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub followed: Vec<String>,
}

/// The source of a translation.
#[derive(Debug, Clone, Serialize)]
pub struct TranslationSource {
    /// Code system.
    pub system: SystemRef,
    /// Code.
    pub code: String,
    /// Display in the release.
    pub display: String,
}

/// Filters of a translation.
#[derive(Debug, Clone, Default)]
pub struct TranslateFilter {
    /// Use the release in effect on this date (`YYYY-MM-DD`): the newest whose version of the
    /// source system took effect on or before it; a retired code is followed to its successor.
    pub as_of: Option<String>,
    /// Only rows in this review state (`approved` or `candidate`).
    pub review: Option<ReviewState>,
    /// Only rows with at least this score.
    pub min_score: Option<f32>,
}

/// How many retired codes a translation follows to their successors at most.
const MAX_FOLLOWED: usize = 5;

/// Translation of one release's codes of one system into another.
pub struct Translator {
    release: Arc<Release>,
    source: &'static CodeSystem,
    source_version: ReleaseSystem,
    target: &'static CodeSystem,
    table: ReleaseMapping,
}

impl Translator {
    /// The translator of `release` from `source` to `target`: the release must hold the source
    /// system and a table between the two.
    pub(crate) fn new(
        release: Arc<Release>,
        source: &'static CodeSystem,
        target: &'static CodeSystem,
    ) -> Result<Translator> {
        let source_version = release
            .system(source.slug)
            .cloned()
            .ok_or_else(|| Error::SystemNotInRelease { system: source.slug.to_owned(), release: release.id.clone() })?;
        let table = release.mapping(source.slug, target.slug).cloned().ok_or_else(|| Error::MappingTableNotFound {
            source_system: source.slug.to_owned(),
            target: target.slug.to_owned(),
            release: release.id.clone(),
        })?;
        Ok(Translator { release, source, source_version, target, table })
    }

    /// The release translated in.
    pub fn release(&self) -> &Release {
        &self.release
    }

    /// The mapping table used.
    pub fn table(&self) -> &ReleaseMapping {
        &self.table
    }

    /// Translates one code. With `follow`, a retired code with a successor (移行先) translates as
    /// its successor (up to five steps).
    pub(crate) fn translate(
        &self,
        store: &Store,
        code: &str,
        filter: &TranslateFilter,
        follow: bool,
    ) -> Result<Translation> {
        let mut concept = self.concept(store, code.trim())?;
        let mut followed = Vec::new();
        while follow && concept.status == Status::Retired && followed.len() < MAX_FOLLOWED {
            let Some(next) = concept.successor().and_then(|s| s.split(' ').next()).map(str::to_owned) else {
                break;
            };
            followed.push(format!("{} → {next}", concept.code));
            concept = self.concept(store, &next)?;
        }
        let rows = store.mappings_for(self.table.version_id, &concept.code)?;
        let no_map = rows.iter().find(|m| m.target_code.is_none()).cloned();
        let mut matches = into_ranked_targets(rows);
        matches.retain(|m| {
            filter.review.is_none_or(|r| m.review_state == r) && filter.min_score.is_none_or(|s| m.score >= s)
        });
        Ok(Translation {
            release: self.release.id.clone(),
            source: TranslationSource {
                system: system_ref(self.source, Some(self.source_version.version.clone())),
                code: concept.code,
                display: concept.display,
            },
            target: system_ref(self.target, Some(self.table.target_version.clone())),
            table: self.table.table.clone(),
            matches,
            no_map,
            followed,
        })
    }

    fn concept(&self, store: &Store, code: &str) -> Result<ConceptHead> {
        store.concept_head(self.source_version.version_id, code)?.ok_or_else(|| Error::ConceptNotFound {
            system: self.source.slug.to_owned(),
            code: code.to_owned(),
            release: self.release.id.clone(),
        })
    }
}

/// (release id, source slug, target slug).
type TranslatorKey = (String, &'static str, &'static str);

/// Translators by release and systems, resolved on first use.
#[derive(Default)]
pub(crate) struct Translators {
    cache: Mutex<HashMap<TranslatorKey, Arc<Translator>>>,
}

/// How many translators are kept; past that the cache starts over (each is cheap to resolve).
const MAX_TRANSLATORS: usize = 256;

impl Translators {
    /// The translator of a release between two systems.
    pub(crate) fn get(
        &self,
        release: Arc<Release>,
        source: &'static CodeSystem,
        target: &'static CodeSystem,
    ) -> Result<Arc<Translator>> {
        let key = (release.id.clone(), source.slug, target.slug);
        let cached = self.cache.lock().ok().and_then(|c| c.get(&key).cloned());
        crate::metrics::cache(crate::metrics::Cache::Translator, cached.is_some());
        if let Some(t) = cached {
            return Ok(t);
        }
        let t = Arc::new(Translator::new(release, source, target)?);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_TRANSLATORS {
                cache.clear();
            }
            cache.insert(key, t.clone());
        }
        Ok(t)
    }
}

/// For each code system, the releases by the date their version of it took effect (the version
/// label's `YYYY-MM-DD` prefix), oldest first; built for one newest release and rebuilt when a
/// newer one is published.
#[derive(Default)]
pub(crate) struct AsOf {
    index: Mutex<Option<Arc<AsOfIndex>>>,
}

struct AsOfIndex {
    /// Id of the newest release when built.
    newest: String,
    /// System slug → (effective date, release id), sorted by date then publication order.
    by_system: HashMap<String, Vec<(String, String)>>,
}

impl AsOf {
    /// The release in effect on `date` (`YYYY-MM-DD`) for `system`: the newest release whose
    /// version of it is dated on or before `date` (of equal dates, the later release).
    pub(crate) fn release_on(&self, store: &Store, system: &CodeSystem, date: &str) -> Result<String> {
        let valid = date.len() == 10
            && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        if !valid {
            return Err(Error::InvalidDate(date.to_owned()));
        }
        let index = self.index(store)?;
        let dated = index.by_system.get(system.slug).map(Vec::as_slice).unwrap_or_default();
        let in_effect = dated.partition_point(|(effective, _)| effective.as_str() <= date);
        match in_effect.checked_sub(1) {
            Some(i) => Ok(dated[i].1.clone()),
            None => Err(Error::NoReleaseOnDate { system: system.slug.to_owned(), date: date.to_owned() }),
        }
    }

    fn index(&self, store: &Store) -> Result<Arc<AsOfIndex>> {
        let newest = store.shared_release(None)?.ok_or(Error::NoReleases)?;
        let mut slot = self.index.lock().map_err(|_| Error::Internal("as-of index poisoned".into()))?;
        if let Some(index) = slot.as_ref().filter(|i| i.newest == newest.id) {
            return Ok(index.clone());
        }
        let mut by_system: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for r in store.releases()? {
            for s in &r.systems {
                let effective = s.version.get(..10).unwrap_or_default().to_owned();
                by_system.entry(s.system.clone()).or_default().push((effective, r.id.clone()));
            }
        }
        // A stable sort keeps publication order among equal dates: the later release wins.
        for dated in by_system.values_mut() {
            dated.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let index = Arc::new(AsOfIndex { newest: newest.id.clone(), by_system });
        *slot = Some(index.clone());
        Ok(index)
    }
}
