//! What a release holds, listed: its code systems and their concepts, its mapping tables and
//! their rows, and its manifest. The long lists come a page at a time in key order (code, or
//! source code then row), each page starting after the last key of the one before.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::{system_ref, Service, SystemRef};
use crate::error::{Error, Result};
use crate::model::{
    resolve_system, Concept, Mapping, NoMapReason, Relationship, Release, ReleaseMapping, ReleaseSystem, ReviewState,
    SourceFileInfo, Status,
};

/// One page of a long list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The page.
    pub body: T,
    /// The key of the page's last item, when more items follow it.
    pub after: Option<String>,
}

/// Where a page starts and how long it is.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// The last key of the previous page (none: the first page).
    pub after: Option<String>,
    /// The most items the page holds.
    pub limit: usize,
}

/// A code system or mapping table version as held by one release.
#[derive(Debug, Clone, Serialize)]
pub struct ReleasedVersion {
    /// Release id.
    pub release: String,
    /// Version label (for a table: `source version → target version`).
    pub version: String,
    /// Content digest of that version.
    pub digest: String,
}

/// A code system as a release holds it.
#[derive(Debug, Clone, Serialize)]
pub struct SystemInfo {
    /// Slug.
    pub slug: String,
    /// Canonical URI.
    pub uri: String,
    /// OID, where one is assigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    /// Human name.
    pub name: String,
    /// Version label in the release.
    pub version: String,
    /// Number of concepts.
    pub concepts: u64,
    /// Content digest of the version.
    pub digest: String,
    /// The input files (only for one system).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<SourceFileInfo>,
    /// Its version in every release that holds it, oldest first.
    pub versions: Vec<ReleasedVersion>,
}

/// The code systems of a release.
#[derive(Debug, Clone, Serialize)]
pub struct SystemList {
    /// Release id.
    pub release: String,
    /// Its code systems, by slug.
    pub systems: Vec<SystemInfo>,
}

/// One code system of a release.
#[derive(Debug, Clone, Serialize)]
pub struct SystemAnswer {
    /// Release id.
    pub release: String,
    /// The code system.
    pub system: SystemInfo,
}

/// Filters of a concept list.
#[derive(Debug, Clone, Default)]
pub struct ConceptFilter {
    /// Only concepts of this status.
    pub status: Option<Status>,
    /// Only concepts added or changed since this (older) release.
    pub changed_since: Option<String>,
}

/// A page of a code system's concepts.
#[derive(Debug, Clone, Serialize)]
pub struct ConceptList {
    /// Release id.
    pub release: String,
    /// The code system and its version.
    pub system: SystemRef,
    /// Concepts in code order.
    pub concepts: Vec<Concept>,
}

/// How many rows of a mapping table say what.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TableCounts {
    /// Rows.
    pub rows: u64,
    /// Source codes with at least one row.
    pub sources: u64,
    /// Rows by relationship (no-map rows have none).
    pub by_relationship: BTreeMap<Relationship, u64>,
    /// Rows by review state.
    pub by_review_state: BTreeMap<ReviewState, u64>,
    /// No-map rows by reason.
    pub by_no_map_reason: BTreeMap<NoMapReason, u64>,
}

/// A mapping table as a release holds it.
#[derive(Debug, Clone, Serialize)]
pub struct TableInfo {
    /// The table in the release (systems, versions, digest, generator).
    #[serde(flatten)]
    pub table: ReleaseMapping,
    /// Its rows, counted.
    pub counts: TableCounts,
    /// Its version in every release that holds it, oldest first.
    pub versions: Vec<ReleasedVersion>,
}

/// The mapping tables of a release.
#[derive(Debug, Clone, Serialize)]
pub struct TableList {
    /// Release id.
    pub release: String,
    /// Its tables, by name.
    pub mappings: Vec<TableInfo>,
}

/// One mapping table of a release.
#[derive(Debug, Clone, Serialize)]
pub struct TableAnswer {
    /// Release id.
    pub release: String,
    /// The table.
    pub mapping: TableInfo,
}

/// Filters of a row list.
#[derive(Debug, Clone, Default)]
pub struct RowFilter {
    /// Only rows in this review state.
    pub review_state: Option<ReviewState>,
    /// Only rows with this relationship.
    pub relationship: Option<Relationship>,
    /// Only rows scoring at least this.
    pub min_score: Option<f32>,
    /// Only no-map rows with this reason.
    pub no_map_reason: Option<NoMapReason>,
}

impl RowFilter {
    fn keeps(&self, m: &Mapping) -> bool {
        self.review_state.is_none_or(|s| m.review_state == s)
            && self.relationship.is_none_or(|r| m.relationship == Some(r))
            && self.min_score.is_none_or(|s| m.score >= s)
            && self.no_map_reason.is_none_or(|r| m.no_map_reason == Some(r))
    }
}

/// A page of a mapping table's rows.
#[derive(Debug, Clone, Serialize)]
pub struct RowList {
    /// Release id.
    pub release: String,
    /// Table name.
    pub table: String,
    /// Rows by source code, each source's rows in the table's order.
    pub rows: Vec<Mapping>,
}

/// What a release is made of, for a citation or an audit: the upstream versions and their input
/// files with hashes, the mapping tables, the content hash and the licence notices.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseManifest {
    /// Release id.
    pub release: String,
    /// SHA-256 over the release's content.
    pub sha256: String,
    /// When it was published, by whom, on what.
    pub created_at: String,
    /// Who published it.
    pub publisher: String,
    /// The release it was built on.
    pub parent: Option<String>,
    /// Every upstream code system version, with its input files and their SHA-256.
    pub systems: Vec<ReleaseSystem>,
    /// Every mapping table, with its source and target versions and its generator.
    pub mappings: Vec<ReleaseMapping>,
    /// Attribution and licence notices of the content.
    pub notices: Vec<String>,
    /// The henkan version serving the manifest.
    pub served_by: String,
}

/// Row counts by mapping table version (versions never change, so neither do their counts).
#[derive(Default)]
pub(super) struct CountCache(Mutex<HashMap<u64, Arc<TableCounts>>>);

impl Service {
    /// The code systems of a release (latest by default).
    pub fn systems(&self, release: Option<&str>) -> Result<SystemList> {
        let rel = self.shared_release(release)?;
        let all = self.releases()?;
        let systems = rel.systems.iter().map(|s| system_info(s, &all, false)).collect();
        Ok(SystemList { release: rel.id.clone(), systems })
    }

    /// One code system of a release, with its input files.
    pub fn system(&self, system: &str, release: Option<&str>) -> Result<SystemAnswer> {
        let rel = self.shared_release(release)?;
        let rs = release_system(&rel, system)?;
        Ok(SystemAnswer { release: rel.id.clone(), system: system_info(rs, &self.releases()?, true) })
    }

    /// A page of a code system's concepts in code order.
    pub fn concept_list(
        &self,
        system: &str,
        release: Option<&str>,
        filter: &ConceptFilter,
        page: &PageRequest,
    ) -> Result<Page<ConceptList>> {
        let rel = self.shared_release(release)?;
        let rs = release_system(&rel, system)?;
        let keep = |c: &Concept| filter.status.is_none_or(|s| c.status == s);
        let (concepts, after) = match &filter.changed_since {
            None => {
                take_page(self.store.concepts_after(rs.version_id, page.after.as_deref()), keep, page.limit, |c| {
                    c.code.clone()
                })?
            }
            Some(since) => {
                let codes = self.changed_codes(since, &rel, &rs.system)?;
                let from = page.after.clone();
                let found = codes
                    .into_iter()
                    .filter(move |c| from.as_ref().is_none_or(|f| c > f))
                    .filter_map(|code| self.store.concept(rs.version_id, &code).map_err(Error::from).transpose());
                take_page(found, keep, page.limit, |c| c.code.clone())?
            }
        };
        let cs = resolve_system(&rs.system).ok_or_else(|| Error::UnknownSystem(rs.system.clone()))?;
        let system = system_ref(cs, Some(rs.version.clone()));
        Ok(Page { body: ConceptList { release: rel.id.clone(), system, concepts }, after })
    }

    /// The codes of a system added or changed between an older release and `rel`.
    fn changed_codes(&self, since: &str, rel: &Release, slug: &str) -> Result<BTreeSet<String>> {
        let old = self.shared_release(Some(since))?;
        if old.seq > rel.seq {
            return Err(Error::InvalidRequest {
                field: "changed_since".into(),
                message: format!("release {} is newer than {}: give an older release", old.id, rel.id),
            });
        }
        let diffs = crate::lifecycle::diff(&self.store, &old, rel, Some(slug))?;
        Ok(diffs.into_iter().flat_map(|d| d.added.into_iter().chain(d.changed)).map(|c| c.code).collect())
    }

    /// The mapping tables of a release, each with its rows counted.
    pub fn mapping_tables(&self, release: Option<&str>) -> Result<TableList> {
        let rel = self.shared_release(release)?;
        let all = self.releases()?;
        let mappings = rel.mappings.iter().map(|t| self.table_info(t, &all)).collect::<Result<_>>()?;
        Ok(TableList { release: rel.id.clone(), mappings })
    }

    /// One mapping table of a release.
    pub fn mapping_table(&self, table: &str, release: Option<&str>) -> Result<TableAnswer> {
        let rel = self.shared_release(release)?;
        let t = release_table(&rel, table)?;
        Ok(TableAnswer { release: rel.id.clone(), mapping: self.table_info(t, &self.releases()?)? })
    }

    /// A page of a mapping table's rows, by source code. A page may end inside one source's
    /// rows: its key is then `code` and the row's place (`code\u{1}n`).
    pub fn mapping_rows(
        &self,
        table: &str,
        release: Option<&str>,
        filter: &RowFilter,
        page: &PageRequest,
    ) -> Result<Page<RowList>> {
        let rel = self.shared_release(release)?;
        let t = release_table(&rel, table)?;
        let (code, skip) = match page.after.as_deref().map(split_row_key).transpose()? {
            Some((code, n)) => (Some(code), n),
            None => (None, 0),
        };
        let first = match code {
            Some(c) if skip > 0 => vec![Ok((c.to_owned(), self.store.mappings_for(t.version_id, c)?))],
            _ => Vec::new(),
        };
        let rows = first.into_iter().chain(self.store.mappings_after(t.version_id, code)).flat_map(|item| {
            let (rows, err) = match item {
                Ok((_, rows)) => (rows, None),
                Err(e) => (Vec::new(), Some(Err(Error::from(e)))),
            };
            err.into_iter().chain(rows.into_iter().enumerate().map(Ok))
        });
        let rows = rows.skip(skip);
        let (rows, after) =
            take_page(rows, |(_, m)| filter.keeps(m), page.limit, |(n, m)| format!("{}\u{1}{}", m.source_code, n + 1))?;
        let rows = rows.into_iter().map(|(_, m)| m).collect();
        Ok(Page { body: RowList { release: rel.id.clone(), table: t.table.clone(), rows }, after })
    }

    /// The manifest of a release.
    pub fn manifest(&self, release: Option<&str>) -> Result<ReleaseManifest> {
        let r = self.shared_release(release)?;
        Ok(ReleaseManifest {
            release: r.id.clone(),
            sha256: r.sha256.clone(),
            created_at: r.created_at.clone(),
            publisher: r.publisher.clone(),
            parent: r.parent.clone(),
            systems: r.systems.clone(),
            mappings: r.mappings.clone(),
            notices: r.notices.clone(),
            served_by: format!("henkan {}", env!("CARGO_PKG_VERSION")),
        })
    }

    fn table_info(&self, t: &ReleaseMapping, all: &[Release]) -> Result<TableInfo> {
        let versions = all
            .iter()
            .filter_map(|r| r.mappings.iter().find(|m| m.table == t.table).map(|m| (r, m)))
            .map(|(r, m)| ReleasedVersion {
                release: r.id.clone(),
                version: format!("{} → {}", m.source_version, m.target_version),
                digest: m.digest.clone(),
            })
            .collect();
        Ok(TableInfo { table: t.clone(), counts: (*self.table_counts(t.version_id)?).clone(), versions })
    }

    /// The row counts of a table version, counted once.
    fn table_counts(&self, version_id: u64) -> Result<Arc<TableCounts>> {
        if let Some(c) = self.row_counts.0.lock().ok().and_then(|m| m.get(&version_id).cloned()) {
            return Ok(c);
        }
        let mut c = TableCounts::default();
        for item in self.store.mappings_after(version_id, None) {
            let (_, rows) = item?;
            c.sources += 1;
            for m in rows {
                c.rows += 1;
                *c.by_review_state.entry(m.review_state).or_default() += 1;
                if let Some(r) = m.relationship {
                    *c.by_relationship.entry(r).or_default() += 1;
                }
                if let Some(r) = m.no_map_reason {
                    *c.by_no_map_reason.entry(r).or_default() += 1;
                }
            }
        }
        let c = Arc::new(c);
        if let Ok(mut m) = self.row_counts.0.lock() {
            m.insert(version_id, Arc::clone(&c));
        }
        Ok(c)
    }
}

/// The first `limit` items that `keep` keeps, and the key of the last one when more follow.
pub(super) fn take_page<T, E: Into<Error>>(
    items: impl Iterator<Item = std::result::Result<T, E>>,
    keep: impl Fn(&T) -> bool,
    limit: usize,
    key: impl Fn(&T) -> String,
) -> Result<(Vec<T>, Option<String>)> {
    let mut page = Vec::new();
    for item in items {
        let item = item.map_err(Into::into)?;
        if !keep(&item) {
            continue;
        }
        if page.len() == limit {
            let after = page.last().map(&key);
            return Ok((page, after));
        }
        page.push(item);
    }
    Ok((page, None))
}

/// `code\u{1}n` → (`code`, n).
fn split_row_key(key: &str) -> Result<(&str, usize)> {
    key.rsplit_once('\u{1}').and_then(|(c, n)| Some((c, n.parse().ok()?))).ok_or_else(|| Error::InvalidRequest {
        field: "cursor".into(),
        message: "not a cursor of this list: drop it to start from the first page".into(),
    })
}

fn release_system<'a>(rel: &'a Release, system: &str) -> Result<&'a ReleaseSystem> {
    let cs = resolve_system(system).ok_or_else(|| Error::UnknownSystem(system.to_owned()))?;
    rel.system(cs.slug).ok_or_else(|| Error::SystemNotInRelease { system: cs.slug.to_owned(), release: rel.id.clone() })
}

fn release_table<'a>(rel: &'a Release, table: &str) -> Result<&'a ReleaseMapping> {
    rel.mappings
        .iter()
        .find(|m| m.table == table)
        .ok_or_else(|| Error::TableNotFound { table: table.to_owned(), release: format!("release {}", rel.id) })
}

fn system_info(s: &ReleaseSystem, all: &[Release], with_files: bool) -> SystemInfo {
    let cs = resolve_system(&s.system);
    let versions = all
        .iter()
        .filter_map(|r| r.system(&s.system).map(|v| (r, v)))
        .map(|(r, v)| ReleasedVersion { release: r.id.clone(), version: v.version.clone(), digest: v.digest.clone() })
        .collect();
    SystemInfo {
        slug: s.system.clone(),
        uri: s.uri.clone(),
        oid: cs.and_then(|c| c.oid).map(str::to_owned),
        name: cs.map_or_else(|| s.system.clone(), |c| c.name.to_owned()),
        version: s.version.clone(),
        concepts: s.concepts,
        digest: s.digest.clone(),
        files: if with_files { s.files.clone() } else { Vec::new() },
        versions,
    }
}
