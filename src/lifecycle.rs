//! The release lifecycle over the store: publish a draft (with history), diff two releases,
//! answer a code's history. Pure orchestration of store reads and one store commit.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::{
    compare, resolve_system, Concept, ConceptSummary, FieldChange, HistoryEvent, HistoryKind, Release, ReleaseMapping,
    ReleaseSystem, RowChange, RowChangeKind, RowSummary, SystemDiff, TableDiff,
};
use crate::store::{self, ConceptHead, Store};

/// One difference between two versions of a code system.
/// An added or removed concept is only named (code, display, successor); a changed one is
/// decoded whole to compare its fields.
pub(crate) enum Change {
    Added(ConceptHead),
    Removed(ConceptHead),
    Changed(Concept, Vec<FieldChange>),
}

/// Walks two versions' concepts in code order and reports content differences.
pub(crate) fn diff_versions(
    store: &Store,
    old: Option<u64>,
    new: Option<u64>,
    mut f: impl FnMut(Change),
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let mut a = old.map(|id| store.concept_hashes(id)).into_iter().flatten().peekable();
    let mut b = new.map(|id| store.concept_hashes(id)).into_iter().flatten().peekable();
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => return Ok(()),
            (Some(Err(_)), _) => return Err(a.next().unwrap().unwrap_err().into()),
            (_, Some(Err(_))) => return Err(b.next().unwrap().unwrap_err().into()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(Ok((ka, _))), Some(Ok((kb, _)))) => ka.cmp(kb),
        };
        match order {
            Ordering::Less => {
                let (_, raw) = a.next().unwrap()?;
                f(Change::Removed(store.head(&raw)?));
            }
            Ordering::Greater => {
                let (_, raw) = b.next().unwrap()?;
                f(Change::Added(store.head(&raw)?));
            }
            Ordering::Equal => {
                let (_, ra) = a.next().unwrap()?;
                let (_, rb) = b.next().unwrap()?;
                if ra != rb {
                    let (ca, cb) = (store.body(&ra)?, store.body(&rb)?);
                    let changes = compare(&ca, &cb);
                    if !changes.is_empty() {
                        f(Change::Changed(cb, changes));
                    }
                }
            }
        }
    }
}

/// Validates a release id.
pub(crate) fn check_release_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id != "latest"
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidReleaseId(id.to_owned()))
    }
}

/// What a publish needs beyond the draft.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// Release id (e.g. `2024-06`).
    pub id: String,
    /// Who publishes.
    pub publisher: String,
    /// Release notes.
    pub notes: String,
}

/// Turns the draft into the next release on top of the latest one. Once the release's content
/// is settled (before its history is written and it is committed), `alongside` runs on it in
/// parallel with the commit (the search index is built this way); its result is returned
/// whether or not the commit succeeds, and is `None` when publishing failed before.
pub(crate) fn publish<R: Send>(
    store: &Store,
    req: &PublishRequest,
    now: &str,
    alongside: impl FnOnce(&Release) -> R + Send,
) -> (Result<Release>, Option<R>) {
    match prepare(store, req, now) {
        Ok((release, parent)) => {
            let (committed, other) =
                rayon::join(|| write_history_and_commit(store, req, &release, parent.as_ref()), || alongside(&release));
            (committed.map(|()| release), Some(other))
        }
        Err(e) => (Err(e), None),
    }
}

/// The next release (id, parent, systems, mappings, digest) from the draft, and its parent.
fn prepare(store: &Store, req: &PublishRequest, now: &str) -> Result<(Release, Option<Release>)> {
    check_release_id(&req.id)?;
    if store.release(&req.id)?.is_some() {
        return Err(store::StoreError::ReleaseExists(req.id.clone()).into());
    }
    let draft = store.draft()?;
    if draft.systems.is_empty() && draft.mappings.is_empty() {
        return Err(Error::NothingToPublish(
            "the draft is empty; import official files or derive a mapping table first".into(),
        ));
    }
    let parent = store.latest_release()?;
    let systems = release_systems(store, parent.as_ref(), &draft)?;
    let mappings = release_mappings(store, parent.as_ref(), &draft)?;
    if let Some(p) = &parent {
        let same = p.systems.len() == systems.len()
            && p.systems.iter().all(|s| systems.get(&s.system).is_some_and(|n| n.version_id == s.version_id))
            && p.mappings.len() == mappings.len()
            && p.mappings.iter().all(|m| mappings.get(&m.table).is_some_and(|n| n.version_id == m.version_id));
        if same {
            return Err(Error::NothingToPublish(format!("the draft holds exactly what release {} already has", p.id)));
        }
    }
    let systems: Vec<ReleaseSystem> = systems.into_values().collect();
    let mappings: Vec<ReleaseMapping> = mappings.into_values().collect();
    let release = Release {
        id: req.id.clone(),
        seq: store.next_seq()?,
        parent: parent.as_ref().map(|p| p.id.clone()),
        publisher: req.publisher.clone(),
        notes: req.notes.clone(),
        created_at: now.to_owned(),
        sha256: store::release_digest(&systems, &mappings),
        notices: notices(&systems),
        systems,
        mappings,
    };
    Ok((release, parent))
}

/// The parent's systems with the draft's versions in their place.
fn release_systems(
    store: &Store,
    parent: Option<&Release>,
    draft: &crate::model::Draft,
) -> Result<BTreeMap<String, ReleaseSystem>> {
    let mut systems: BTreeMap<String, ReleaseSystem> =
        parent.iter().flat_map(|p| p.systems.iter().map(|s| (s.system.clone(), s.clone()))).collect();
    for (slug, &version_id) in &draft.systems {
        let v = store.version(version_id)?.ok_or_else(|| {
            Error::Store(store::StoreError::Corrupt {
                tree: "versions",
                message: format!("draft names missing version {version_id}"),
            })
        })?;
        let uri = resolve_system(slug).map_or_else(|| slug.clone(), |cs| cs.uri.to_owned());
        systems.insert(
            slug.clone(),
            ReleaseSystem {
                system: slug.clone(),
                uri,
                version: v.version,
                version_id,
                digest: v.digest,
                concepts: v.concepts,
                files: v.files,
            },
        );
    }
    Ok(systems)
}

/// The parent's mapping tables with the draft's versions in their place.
fn release_mappings(
    store: &Store,
    parent: Option<&Release>,
    draft: &crate::model::Draft,
) -> Result<BTreeMap<String, ReleaseMapping>> {
    let mut mappings: BTreeMap<String, ReleaseMapping> =
        parent.iter().flat_map(|p| p.mappings.iter().map(|m| (m.table.clone(), m.clone()))).collect();
    for (table, &version_id) in &draft.mappings {
        let m = store.mapping_version(version_id)?.ok_or_else(|| {
            Error::Store(store::StoreError::Corrupt {
                tree: "mapping_versions",
                message: format!("draft names missing mapping version {version_id}"),
            })
        })?;
        mappings.insert(
            table.clone(),
            ReleaseMapping {
                table: table.clone(),
                version_id,
                source_system: m.source_system,
                source_version: m.source_version,
                target_system: m.target_system,
                target_version: m.target_version,
                mapped: m.mapped,
                no_map: m.no_map,
                digest: m.digest,
                generator: m.generator,
            },
        );
    }
    Ok(mappings)
}

/// Writes the history of every code that changed since the parent, then commits the release.
fn write_history_and_commit(
    store: &Store,
    req: &PublishRequest,
    release: &Release,
    parent: Option<&Release>,
) -> Result<()> {
    let systems = &release.systems;
    let mut slugs: Vec<&String> = systems
        .iter()
        .map(|s| &s.system)
        .chain(parent.iter().flat_map(|p| p.systems.iter().map(|s| &s.system)))
        .collect();
    slugs.sort_unstable();
    slugs.dedup();
    // Each code system's history is independent of the others': they are diffed in parallel.
    let per_system: Vec<Result<Vec<(String, String, HistoryEvent)>>> = {
        use rayon::prelude::*;
        slugs
            .par_iter()
            .map(|slug| {
                let old = parent.and_then(|p| p.system(slug));
                let new = systems.iter().find(|s| &s.system == *slug);
                let version = new.map(|s| s.version.clone());
                let mut events = Vec::new();
                diff_versions(store, old.map(|s| s.version_id), new.map(|s| s.version_id), |change| {
                    let (code, event) = match change {
                        Change::Added(c) => (
                            c.code.clone(),
                            event(req, HistoryKind::Added, &version, &c.display, c.successor(), vec![]),
                        ),
                        Change::Removed(c) => {
                            (c.code.clone(), event(req, HistoryKind::Removed, &None, &c.display, c.successor(), vec![]))
                        }
                        Change::Changed(c, changes) => {
                            let kind = HistoryKind::of_changes(&changes);
                            (c.code.clone(), event(req, kind, &version, &c.display, c.property("successor"), changes))
                        }
                    };
                    events.push(((*slug).clone(), code, event));
                })?;
                Ok(events)
            })
            .collect()
    };
    let mut history: Vec<(String, String, HistoryEvent)> = Vec::new();
    for events in per_system {
        history.extend(events?);
    }
    store.commit_release(release, &history)?;
    tracing::info!(release.id = %release.id, history = history.len(), sha256 = %release.sha256, "Published release {}", release.id);
    Ok(())
}

/// The distinct notices of the systems in a release, in slug order.
fn notices(systems: &[ReleaseSystem]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in systems {
        if let Some(n) = crate::model::notice(&s.system) {
            if !out.iter().any(|x| x == n) {
                out.push(n.to_owned());
            }
        }
    }
    out
}

fn event(
    req: &PublishRequest,
    kind: HistoryKind,
    version: &Option<String>,
    display: &str,
    successor: Option<&str>,
    changes: Vec<FieldChange>,
) -> HistoryEvent {
    HistoryEvent {
        release: req.id.clone(),
        kind,
        version: version.clone(),
        display: display.to_owned(),
        successor: successor.map(str::to_owned),
        changes,
    }
}

/// Differences between two releases, per code system (optionally one system only).
pub(crate) fn diff(store: &Store, from: &Release, to: &Release, only: Option<&str>) -> Result<Vec<SystemDiff>> {
    let mut slugs: Vec<&str> = from.systems.iter().chain(&to.systems).map(|s| s.system.as_str()).collect();
    slugs.sort_unstable();
    slugs.dedup();
    let mut out = Vec::new();
    for slug in slugs.into_iter().filter(|s| only.is_none_or(|o| o == *s)) {
        let (a, b) = (from.system(slug), to.system(slug));
        let mut d = SystemDiff {
            system: slug.to_owned(),
            from_version: a.map(|s| s.version.clone()),
            to_version: b.map(|s| s.version.clone()),
            added: vec![],
            removed: vec![],
            changed: vec![],
        };
        diff_versions(store, a.map(|s| s.version_id), b.map(|s| s.version_id), |change| match change {
            Change::Added(c) => d.added.push(ConceptSummary { code: c.code, display: c.display, changes: vec![] }),
            Change::Removed(c) => d.removed.push(ConceptSummary { code: c.code, display: c.display, changes: vec![] }),
            Change::Changed(c, changes) => d.changed.push(ConceptSummary { code: c.code, display: c.display, changes }),
        })?;
        out.push(d);
    }
    Ok(out)
}

/// Row changes of the mapping tables between two releases (optionally one table only): for
/// each source code, its chosen row (see [`RowSummary::of`]) before and after.
pub(crate) fn diff_tables(store: &Store, from: &Release, to: &Release, only: Option<&str>) -> Result<Vec<TableDiff>> {
    let mut names: Vec<&str> = from.mappings.iter().chain(&to.mappings).map(|m| m.table.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = Vec::new();
    for name in names.into_iter().filter(|n| only.is_none_or(|o| o == *n)) {
        let a = from.mappings.iter().find(|m| m.table == name);
        let b = to.mappings.iter().find(|m| m.table == name);
        let label = |m: &crate::model::ReleaseMapping| {
            format!("{} {} → {} {}", m.source_system, m.source_version, m.target_system, m.target_version)
        };
        let mut diff = TableDiff {
            table: name.to_owned(),
            from_version: a.map(label),
            to_version: b.map(label),
            changes: Vec::new(),
        };
        if a.map(|m| m.version_id) != b.map(|m| m.version_id) {
            let load = |m: Option<&crate::model::ReleaseMapping>| -> Result<BTreeMap<String, Option<RowSummary>>> {
                let Some(m) = m else { return Ok(BTreeMap::new()) };
                store
                    .all_mappings(m.version_id)
                    .map(|r| r.map(|(code, rows)| (code, RowSummary::of(&rows))))
                    .collect::<Result<_, _>>()
                    .map_err(Into::into)
            };
            let (before, after) = (load(a)?, load(b)?);
            let mut codes: Vec<&String> = before.keys().chain(after.keys()).collect();
            codes.sort();
            codes.dedup();
            for code in codes {
                let (x, y) = (before.get(code).cloned().flatten(), after.get(code).cloned().flatten());
                if let Some(kind) = RowChangeKind::between(x.as_ref(), y.as_ref()) {
                    diff.changes.push(RowChange { table: name.to_owned(), code: code.clone(), kind, from: x, to: y });
                }
            }
        }
        out.push(diff);
    }
    Ok(out)
}
