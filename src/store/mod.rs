//! The store: releases, code system versions, concepts and history on sled.
//!
//! Domain-shaped, not a generic key-value wrapper: every method names what it reads or writes.
//! One process owns a data directory (sled locks it); the serving process is that owner.
//!
//! ## Trees and key layout
//! | tree | key | value |
//! |---|---|---|
//! | `META` | `"manifest"` / `"draft"` / `"publishing"` / `"bootstrap"` | [`Manifest`] / [`Draft`] / u64 seq of a publish under way / marker |
//! | `VERSIONS` | version_id (u64 BE) | [`CodeSystemVersion`] (JSON) |
//! | `VERSION_DIGESTS` | digest (hex) | version_id (u64 BE): re-importing identical content reuses the version |
//! | `CONCEPTS` | version_id (u64 BE) \| code | SHA-256 of the concept's JSON (32 bytes) |
//! | `BODIES` | SHA-256 (32 bytes) | [`Concept`] (JSON): each distinct concept content stored once, shared by versions |
//! | `RELEASES` | seq (u64 BE) | [`Release`] (JSON) |
//! | `RELEASE_IDS` | release id (UTF-8) | seq (u64 BE) |
//! | `MAPPING_VERSIONS` | mapping version id (u64 BE) | [`MappingTableVersion`] (JSON) |
//! | `MAPPINGS` | mapping version id (u64 BE) \| source code | every [`Mapping`] row of that source code (JSON array) |
//! | `DECISIONS` | table \| 0x00 \| source code \| 0x00 \| seq (u64 BE) | [`Decision`] (JSON), append-only |
//! | `AUDIT` | seq (u64 BE) | [`AuditEntry`] (JSON), append-only and hash-chained (head in `META` `"audit_head"`) |
//! | `TOKENS` | public token id | token info and the SHA-256 of its secret (JSON) |
//! | `HISTORY` | system \| 0x00 \| code \| 0x00 \| seq (u64 BE) | [`HistoryEvent`] (JSON) |
//!
//! ## Crash safety
//! Every change is written first where nothing published refers to it, then made visible by
//! one atomic step: a version's concepts are written under a fresh id in state `loading` and
//! become part of the draft in one transaction; a publish writes its history entries under a
//! fresh, never reused sequence number (`publishing` marker set first) and becomes visible in
//! one transaction that inserts the release and clears the draft. [`Store::open`] removes what
//! an interrupted import or publish left behind. Readers only ever follow `RELEASES`.

mod audit;
pub(crate) mod keys;
mod manifest;
mod pages;

pub(crate) use audit::{AuditEvent, TokenRecord};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

use crate::model::{
    AuditEntry, CodeSystemVersion, Concept, Decision, Draft, HistoryEvent, Mapping, MappingTableVersion, Release,
    SourceFileInfo, VersionState,
};
use manifest::{Manifest, FORMAT_VERSION};

const META: &str = "meta";
const VERSIONS: &str = "versions";
const VERSION_DIGESTS: &str = "version_digests";
const CONCEPTS: &str = "concepts";
const BODIES: &str = "bodies";
const RELEASES: &str = "releases";
const RELEASE_IDS: &str = "release_ids";
const HISTORY: &str = "history";
const MAPPING_VERSIONS: &str = "mapping_versions";
const MAPPINGS: &str = "mappings";
const DECISIONS: &str = "decisions";
const AUDIT: &str = "audit";
const TOKENS: &str = "api_tokens";

const MANIFEST_KEY: &[u8] = b"manifest";
const DRAFT_KEY: &[u8] = b"draft";
const PUBLISHING_KEY: &[u8] = b"publishing";
const BOOTSTRAP_KEY: &[u8] = b"bootstrap";

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the directory.
    #[error("the data directory {path} is in use by another henkan process (a running `henkan serve`?): stop it first, or make the change through its API; `translate-file` can read an exported bundle instead (`henkan export --format parquet`, then `--bundle DIR`)")]
    Locked {
        /// The directory.
        path: PathBuf,
    },
    /// The directory was written by an incompatible henkan.
    #[error("the data directory {path} uses store format {found}, but this henkan reads format {expected}: use the henkan version that wrote it, or start from an empty directory and publish again")]
    IncompatibleFormat {
        /// The directory.
        path: PathBuf,
        /// Format found on disk.
        found: String,
        /// Format this build reads.
        expected: u32,
    },
    /// A stored value that cannot be decoded.
    #[error("corrupt value in the store (tree {tree}): {message}; restore the data directory from a backup or publish again into an empty one")]
    Corrupt {
        /// Tree name.
        tree: &'static str,
        /// Decoder message.
        message: String,
    },
    /// The release id is taken.
    #[error("a release with id {0:?} already exists and releases never change: choose another --id")]
    ReleaseExists(String),
    /// An error from sled.
    #[error("data directory I/O error: {0}")]
    Sled(#[from] sled::Error),
}

/// Content hash (SHA-256 of the stored JSON) of each concept of a version, by code.
pub(crate) type ConceptHashes = std::collections::HashMap<String, [u8; 32]>;

/// A concept of a version being written: code, content hash, and its body when not yet known
/// to be stored.
type NewEntry<'a> = (&'a str, [u8; 32], Option<Vec<u8>>);

/// What history, diffs and translation need of a concept: its code, display, status and
/// successor, decoded from the stored JSON without its names and other properties.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ConceptHead {
    /// The code.
    pub(crate) code: String,
    /// The preferred name.
    pub(crate) display: String,
    /// Active or retired.
    pub(crate) status: crate::model::Status,
    #[serde(default)]
    properties: HeadProperties,
}

/// The one property a [`ConceptHead`] keeps.
#[derive(Debug, Default, serde::Deserialize)]
struct HeadProperties {
    successor: Option<String>,
}

impl ConceptHead {
    /// The `successor` property, if set.
    pub(crate) fn successor(&self) -> Option<&str> {
        self.properties.successor.as_deref()
    }
}

/// Result of the store layer.
pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Where a test or operator may stop a publish to prove it is crash-safe
/// (`HENKAN_FAILPOINT=<stage>` aborts the process there).
pub(crate) const FAILPOINTS: &[&str] = &["publish-after-history", "publish-before-commit", "publish-after-commit"];

/// The store of one data directory.
pub(crate) struct Store {
    path: PathBuf,
    db: sled::Db,
    meta: sled::Tree,
    versions: sled::Tree,
    version_digests: sled::Tree,
    concepts: sled::Tree,
    bodies: sled::Tree,
    releases: sled::Tree,
    release_ids: sled::Tree,
    history: sled::Tree,
    mapping_versions: sled::Tree,
    mappings: sled::Tree,
    decisions: sled::Tree,
    audit: sled::Tree,
    tokens: sled::Tree,
    /// Audit appends one at a time (each chains to the one before).
    audit_lock: std::sync::Mutex<()>,
    failpoint: Option<String>,
    /// Releases decoded so far, by sequence number (releases are immutable).
    decoded_releases: std::sync::Mutex<std::collections::HashMap<u64, std::sync::Arc<Release>>>,
}

fn decode<T: DeserializeOwned>(tree: &'static str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt { tree, message: e.to_string() })
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("domain types always serialise")
}

impl Store {
    /// Opens (or creates) the store in `path`, checks its format and repairs what an
    /// interrupted import or publish left behind. `cache_bytes` bounds sled's page cache.
    pub(crate) fn open(path: &Path, failpoint: Option<String>, now: String, cache_bytes: u64) -> Result<Self> {
        if let Some(stage) = failpoint.as_deref().filter(|s| !FAILPOINTS.contains(s)) {
            tracing::warn!(stage, known = ?FAILPOINTS, "Unknown failpoint ignored");
        }
        std::fs::create_dir_all(path).map_err(|e| StoreError::Sled(e.into()))?;
        // A process that is just closing the directory (its flusher thread still holding the
        // lock) is given a moment to let go before the directory counts as in use.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        let db = loop {
            match sled::Config::new().path(path).cache_capacity(cache_bytes).open() {
                Ok(db) => break db,
                Err(sled::Error::Io(ref io))
                    if io.to_string().contains("lock") || io.kind() == std::io::ErrorKind::WouldBlock =>
                {
                    if std::time::Instant::now() >= deadline {
                        return Err(StoreError::Locked { path: path.to_owned() });
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(other) => return Err(StoreError::Sled(other)),
            }
        };
        let store = Self {
            path: path.to_owned(),
            meta: db.open_tree(META)?,
            versions: db.open_tree(VERSIONS)?,
            version_digests: db.open_tree(VERSION_DIGESTS)?,
            concepts: db.open_tree(CONCEPTS)?,
            bodies: db.open_tree(BODIES)?,
            releases: db.open_tree(RELEASES)?,
            release_ids: db.open_tree(RELEASE_IDS)?,
            history: db.open_tree(HISTORY)?,
            mapping_versions: db.open_tree(MAPPING_VERSIONS)?,
            mappings: db.open_tree(MAPPINGS)?,
            decisions: db.open_tree(DECISIONS)?,
            audit: db.open_tree(AUDIT)?,
            tokens: db.open_tree(TOKENS)?,
            audit_lock: std::sync::Mutex::new(()),
            db,
            failpoint,
            decoded_releases: Default::default(),
        };
        store.check_manifest(now)?;
        store.recover()?;
        store.chain_legacy_audit()?;
        Ok(store)
    }

    fn check_manifest(&self, now: String) -> Result<()> {
        match self.meta.get(MANIFEST_KEY)? {
            Some(bytes) => {
                let found = serde_json::from_slice::<Manifest>(&bytes)
                    .map(|m| m.format_version.to_string())
                    .unwrap_or_else(|_| "unreadable".into());
                if found != FORMAT_VERSION.to_string() {
                    return Err(StoreError::IncompatibleFormat {
                        path: self.path.clone(),
                        found,
                        expected: FORMAT_VERSION,
                    });
                }
            }
            None if self.versions.is_empty() && self.releases.is_empty() => {
                self.meta.insert(MANIFEST_KEY, encode(&Manifest::new(now)))?;
                self.db.flush()?;
            }
            None => {
                return Err(StoreError::IncompatibleFormat {
                    path: self.path.clone(),
                    found: "none (no manifest)".into(),
                    expected: FORMAT_VERSION,
                })
            }
        }
        Ok(())
    }

    /// Removes what an interrupted import (versions still `loading`) or publish (history under
    /// a sequence number that never became a release) left behind.
    fn recover(&self) -> Result<()> {
        let mut repaired = false;
        for item in self.versions.iter() {
            let (key, value) = item?;
            let v: CodeSystemVersion = decode(VERSIONS, &value)?;
            if v.state == VersionState::Loading {
                tracing::warn!(version.id = v.id, system = %v.system, "Removing code system version left half-written by an interrupted import");
                self.remove_concepts(v.id)?;
                self.versions.remove(key)?;
                repaired = true;
            }
        }
        if let Some(seq) = self.meta.get(PUBLISHING_KEY)?.as_deref().and_then(keys::decode_id) {
            if !self.releases.contains_key(keys::id(seq))? {
                tracing::warn!(release.seq = seq, "Removing history of a publish that did not complete");
                let mut stale = Vec::new();
                for item in self.history.iter() {
                    let (key, _) = item?;
                    if keys::history_seq(&key) == Some(seq) {
                        stale.push(key);
                    }
                }
                remove_all(&self.history, stale)?;
            }
            self.meta.remove(PUBLISHING_KEY)?;
            repaired = true;
        }
        if repaired {
            self.db.flush()?;
        }
        Ok(())
    }

    fn remove_concepts(&self, version_id: u64) -> Result<()> {
        let keys = self.concepts.scan_prefix(keys::id(version_id)).keys().collect::<Result<Vec<_>, _>>()?;
        remove_all(&self.concepts, keys)
    }

    fn failpoint(&self, stage: &str) {
        if self.failpoint.as_deref() == Some(stage) {
            tracing::error!(stage, "Failpoint reached: aborting the process");
            std::process::abort();
        }
    }

    // ---- reads ----

    /// Every release, oldest first.
    pub(crate) fn releases(&self) -> Result<Vec<Release>> {
        self.releases.iter().values().map(|v| decode(RELEASES, &v?)).collect()
    }

    /// The newest release.
    pub(crate) fn latest_release(&self) -> Result<Option<Release>> {
        Ok(self.shared_release(None)?.map(|r| (*r).clone()))
    }

    /// A release by id.
    pub(crate) fn release(&self, id: &str) -> Result<Option<Release>> {
        Ok(self.shared_release(Some(id))?.map(|r| (*r).clone()))
    }

    /// A release by id (the latest for `None`), decoded once and then shared: releases never
    /// change, so the hot read paths (search, translate) skip decoding it again.
    pub(crate) fn shared_release(&self, id: Option<&str>) -> Result<Option<std::sync::Arc<Release>>> {
        let (key, value) = match id {
            None => match self.releases.last()? {
                Some((k, v)) => (k, Some(v)),
                None => return Ok(None),
            },
            Some(id) => match self.release_ids.get(id.as_bytes())? {
                Some(seq) => (seq, None),
                None => return Ok(None),
            },
        };
        let seq = keys::decode_id(&key).ok_or(StoreError::Corrupt { tree: RELEASE_IDS, message: "bad seq".into() })?;
        if let Some(r) = self.decoded_releases.lock().ok().and_then(|c| c.get(&seq).cloned()) {
            return Ok(Some(r));
        }
        let value = match value {
            Some(v) => v,
            None => match self.releases.get(keys::id(seq))? {
                Some(v) => v,
                None => return Ok(None),
            },
        };
        let release = std::sync::Arc::new(decode::<Release>(RELEASES, &value)?);
        if let Ok(mut cache) = self.decoded_releases.lock() {
            cache.insert(seq, release.clone());
        }
        Ok(Some(release))
    }

    /// A code system version by id.
    pub(crate) fn version(&self, id: u64) -> Result<Option<CodeSystemVersion>> {
        self.versions.get(keys::id(id))?.map(|v| decode(VERSIONS, &v)).transpose()
    }

    /// One concept of a code system version.
    pub(crate) fn concept(&self, version_id: u64, code: &str) -> Result<Option<Concept>> {
        self.concepts.get(keys::concept(version_id, code))?.map(|hash| self.body(&hash)).transpose()
    }

    /// All concepts of a version as (code, content hash), in code order: equal hashes mean
    /// equal content, so diffs decode only what differs.
    pub(crate) fn concept_hashes(&self, version_id: u64) -> impl Iterator<Item = Result<(Vec<u8>, sled::IVec)>> + '_ {
        self.concepts
            .scan_prefix(keys::id(version_id))
            .map(|item| item.map(|(k, v)| (keys::concept_code(&k).to_vec(), v)).map_err(StoreError::from))
    }

    /// Every concept of a version in code order, with its content hash by code (what
    /// [`Store::write_version`] takes as `unchanged`).
    pub(crate) fn concepts_and_hashes(&self, version_id: u64) -> Result<(Vec<Concept>, ConceptHashes)> {
        let (mut concepts, mut hashes) = (Vec::new(), ConceptHashes::new());
        for item in self.concept_hashes(version_id) {
            let (_, raw) = item?;
            let c = self.body(&raw)?;
            let hash = <[u8; 32]>::try_from(raw.as_ref()).map_err(|_| StoreError::Corrupt {
                tree: CONCEPTS,
                message: format!("bad content hash of {}", c.code),
            })?;
            hashes.insert(c.code.clone(), hash);
            concepts.push(c);
        }
        Ok((concepts, hashes))
    }

    /// Every concept of a version, in code order.
    pub(crate) fn concepts(&self, version_id: u64) -> impl Iterator<Item = Result<Concept>> + '_ {
        self.concept_hashes(version_id).map(|item| item.and_then(|(_, hash)| self.body(&hash)))
    }

    /// The concept stored under a content hash.
    pub(crate) fn body(&self, hash: &[u8]) -> Result<Concept> {
        decode(BODIES, &self.stored_body(hash)?)
    }

    fn stored_body(&self, hash: &[u8]) -> Result<sled::IVec> {
        self.bodies
            .get(hash)?
            .ok_or_else(|| StoreError::Corrupt { tree: BODIES, message: format!("missing body {}", hex::encode(hash)) })
    }

    /// The code, display and successor of a stored concept, decoded without the rest (history
    /// and diffs of added and removed concepts need no more).
    pub(crate) fn head(&self, hash: &[u8]) -> Result<ConceptHead> {
        decode(BODIES, &self.stored_body(hash)?)
    }

    /// The [`ConceptHead`] of every concept of a version, in code order.
    pub(crate) fn concept_heads(&self, version_id: u64) -> impl Iterator<Item = Result<ConceptHead>> + '_ {
        self.concept_hashes(version_id).map(|item| item.and_then(|(_, hash)| self.head(&hash)))
    }

    /// The [`ConceptHead`] of one code of a version.
    pub(crate) fn concept_head(&self, version_id: u64, code: &str) -> Result<Option<ConceptHead>> {
        self.concepts.get(keys::concept(version_id, code))?.map(|hash| self.head(&hash)).transpose()
    }

    /// The history of one code, oldest first, only from published releases.
    pub(crate) fn history(&self, system: &str, code: &str) -> Result<Vec<HistoryEvent>> {
        let mut out = Vec::new();
        for item in self.history.scan_prefix(keys::history_prefix(system, code)) {
            let (key, value) = item?;
            let Some(seq) = keys::history_seq(&key) else {
                continue;
            };
            if self.releases.contains_key(keys::id(seq))? {
                out.push(decode(HISTORY, &value)?);
            }
        }
        Ok(out)
    }

    /// The draft (what the next publish adds to its parent).
    pub(crate) fn draft(&self) -> Result<Draft> {
        Ok(self.meta.get(DRAFT_KEY)?.map(|v| decode(META, &v)).transpose()?.unwrap_or_default())
    }

    /// Whether a default-data bootstrap was started and not finished.
    pub(crate) fn bootstrap_pending(&self) -> Result<bool> {
        Ok(self.meta.contains_key(BOOTSTRAP_KEY)?)
    }

    // ---- writes (import, publish) ----

    /// Writes a code system version's concepts (not yet visible) and returns its id (or the id
    /// of an identical version already stored) with each concept's content hash. `unchanged`
    /// holds the hashes of concepts known to equal a stored body (e.g. the codes a change file
    /// did not touch): they are neither encoded nor written again. Visible only after
    /// [`Store::stage`].
    pub(crate) fn write_version(
        &self,
        system: &str,
        version: &str,
        files: Vec<SourceFileInfo>,
        concepts: &[Concept],
        now: &str,
        unchanged: &ConceptHashes,
    ) -> Result<(u64, ConceptHashes)> {
        let mut entries: Vec<NewEntry<'_>> = concepts
            .iter()
            .map(|c| match unchanged.get(&c.code) {
                Some(hash) => (c.code.as_str(), *hash, None),
                None => {
                    let bytes = encode(c);
                    (c.code.as_str(), Sha256::digest(&bytes).into(), Some(bytes))
                }
            })
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        // The version's digest covers its label and every (code, content hash) in code order.
        let mut hasher = Sha256::new();
        hasher.update(format!("{system}\t{version}\n"));
        for (code, hash, _) in &entries {
            hasher.update(code.as_bytes());
            hasher.update(b"\t");
            hasher.update(hash);
        }
        let digest = hex::encode(hasher.finalize());
        let hashes: ConceptHashes = entries.iter().map(|(code, hash, _)| ((*code).to_owned(), *hash)).collect();
        if let Some(id) = self.version_digests.get(digest.as_bytes())?.as_deref().and_then(keys::decode_id) {
            if self.version(id)?.is_some_and(|v| v.state == VersionState::Loaded) {
                tracing::info!(system, version, version.id = id, "Identical content already stored; reusing it");
                return Ok((id, hashes));
            }
        }
        let id = self.db.generate_id()?;
        let record = CodeSystemVersion {
            id,
            system: system.to_owned(),
            version: version.to_owned(),
            digest,
            concepts: entries.len() as u64,
            files,
            loaded_at: now.to_owned(),
            state: VersionState::Loading,
        };
        self.versions.insert(keys::id(id), encode(&record))?;
        let mut concept_keys = Vec::with_capacity(entries.len());
        let mut bodies = Vec::new();
        for (code, hash, bytes) in entries {
            concept_keys.push((keys::concept(id, code), hash.to_vec()));
            if let Some(bytes) = bytes {
                if !self.bodies.contains_key(hash)? {
                    bodies.push((hash, bytes));
                }
            }
        }
        // Both trees at once: nothing reads the keys of a `loading` version, so they may be
        // written before their bodies; the version becomes visible in `stage`, after both.
        let (bodies, keys) =
            rayon::join(|| write_all(&self.bodies, bodies), || write_all(&self.concepts, concept_keys));
        bodies?;
        keys?;
        Ok((id, hashes))
    }

    /// Makes written versions part of the draft, atomically: all of them or none.
    pub(crate) fn stage(&self, version_ids: &[u64]) -> Result<Draft> {
        let mut versions = Vec::new();
        for &id in version_ids {
            let mut v = self
                .version(id)?
                .ok_or(StoreError::Corrupt { tree: VERSIONS, message: format!("version {id} vanished") })?;
            v.state = VersionState::Loaded;
            versions.push(v);
        }
        let mut draft = self.draft()?;
        for v in &versions {
            draft.systems.insert(v.system.clone(), v.id);
        }
        (&self.meta, &self.versions, &self.version_digests)
            .transaction(|(meta, vs, digests)| {
                for v in &versions {
                    vs.insert(&keys::id(v.id), encode(v))?;
                    digests.insert(v.digest.as_bytes(), &keys::id(v.id))?;
                }
                meta.insert(DRAFT_KEY, encode(&draft))?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(tx_error)?;
        self.db.flush()?;
        Ok(draft)
    }

    /// Writes a mapping table version (rows grouped by source code, in code order) and returns it
    /// with its id and digest. Visible only after [`Store::stage_mapping`].
    pub(crate) fn write_mapping_version(
        &self,
        mut header: MappingTableVersion,
        rows: &BTreeMap<String, Vec<Mapping>>,
    ) -> Result<MappingTableVersion> {
        let mut hasher = Sha256::new();
        hasher.update(format!(
            "{}\t{}\t{}\t{}\t{}\n",
            header.table, header.source_system, header.source_version, header.target_system, header.target_version
        ));
        let id = self.db.generate_id()?;
        let mut written = Vec::with_capacity(rows.len());
        for (code, list) in rows {
            let bytes = encode(list);
            hasher.update(&bytes);
            hasher.update(b"\n");
            written.push((keys::concept(id, code), bytes));
        }
        header.id = id;
        header.digest = hex::encode(hasher.finalize());
        header.rows = rows.values().map(|l| l.len() as u64).sum();
        write_all(&self.mappings, written)?;
        self.mapping_versions.insert(keys::id(id), encode(&header))?;
        Ok(header)
    }

    /// Makes a written mapping table version part of the draft.
    pub(crate) fn stage_mapping(&self, version: &MappingTableVersion) -> Result<Draft> {
        let mut draft = self.draft()?;
        draft.mappings.insert(version.table.clone(), version.id);
        self.meta.insert(DRAFT_KEY, encode(&draft))?;
        self.db.flush()?;
        Ok(draft)
    }

    /// A mapping table version by id.
    pub(crate) fn mapping_version(&self, id: u64) -> Result<Option<MappingTableVersion>> {
        self.mapping_versions.get(keys::id(id))?.map(|v| decode(MAPPING_VERSIONS, &v)).transpose()
    }

    /// Every row of one source code in a mapping table version.
    pub(crate) fn mappings_for(&self, version_id: u64, code: &str) -> Result<Vec<Mapping>> {
        Ok(self
            .mappings
            .get(keys::concept(version_id, code))?
            .map(|v| decode(MAPPINGS, &v))
            .transpose()?
            .unwrap_or_default())
    }

    /// SHA-256 (hex) of a concept's content in a version, if the code is there.
    pub(crate) fn concept_hash(&self, version_id: u64, code: &str) -> Result<Option<String>> {
        Ok(self.concepts.get(keys::concept(version_id, code))?.map(|h| hex::encode(&h)))
    }

    /// Appends a review decision; returns it with its sequence number.
    pub(crate) fn add_decision(&self, mut d: Decision) -> Result<Decision> {
        d.seq = self.db.generate_id()? + 1;
        let key = [keys::history_prefix(&d.table, &d.source_code), keys::id(d.seq).to_vec()].concat();
        self.decisions.insert(key, encode(&d))?;
        self.db.flush()?;
        Ok(d)
    }

    /// The latest decision on one source code of a table.
    pub(crate) fn latest_decision(&self, table: &str, code: &str) -> Result<Option<Decision>> {
        match self.decisions.scan_prefix(keys::history_prefix(table, code)).next_back() {
            Some(item) => Ok(Some(decode(DECISIONS, &item?.1)?)),
            None => Ok(None),
        }
    }

    /// The latest decision per source code of a table.
    pub(crate) fn latest_decisions(&self, table: &str) -> Result<BTreeMap<String, Decision>> {
        let mut prefix = table.as_bytes().to_vec();
        prefix.push(0);
        let mut out: BTreeMap<String, Decision> = BTreeMap::new();
        for item in self.decisions.scan_prefix(prefix) {
            let d: Decision = decode(DECISIONS, &item?.1)?;
            if out.get(&d.source_code).is_none_or(|x| x.seq < d.seq) {
                out.insert(d.source_code.clone(), d);
            }
        }
        Ok(out)
    }

    /// Every decision, in key order (table, code, seq).
    pub(crate) fn all_decisions(&self) -> impl Iterator<Item = Result<Decision>> + '_ {
        self.decisions.iter().values().map(|v| decode(DECISIONS, &v?))
    }

    /// The newest audit entries, newest first (the first page of [`Store::audit_before`]).
    pub(crate) fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        self.audit_before(None).take(limit).collect()
    }

    /// Every source code of a mapping table version with its rows, in code order.
    pub(crate) fn all_mappings(&self, version_id: u64) -> impl Iterator<Item = Result<(String, Vec<Mapping>)>> + '_ {
        self.mappings.scan_prefix(keys::id(version_id)).map(|item| {
            let (k, v) = item?;
            Ok((String::from_utf8_lossy(keys::concept_code(&k)).into_owned(), decode(MAPPINGS, &v)?))
        })
    }

    /// Empties the draft (the versions stay stored for reuse).
    pub(crate) fn discard_draft(&self) -> Result<()> {
        self.meta.remove(DRAFT_KEY)?;
        self.db.flush()?;
        Ok(())
    }

    /// A fresh, never reused sequence number for the next release.
    pub(crate) fn next_seq(&self) -> Result<u64> {
        // generate_id may return 0 on a fresh db; keep seqs ≥ 1 for readability.
        Ok(self.db.generate_id()? + 1)
    }

    /// Publishes: history entries first (invisible), then the release and the cleared draft in
    /// one transaction, then a flush. `release.seq` must come from [`Store::next_seq`].
    pub(crate) fn commit_release(&self, release: &Release, history: &[(String, String, HistoryEvent)]) -> Result<()> {
        if self.release_ids.contains_key(release.id.as_bytes())? {
            return Err(StoreError::ReleaseExists(release.id.clone()));
        }
        let seq = release.seq;
        self.meta.insert(PUBLISHING_KEY, &keys::id(seq))?;
        write_all(
            &self.history,
            history.iter().map(|(system, code, event)| (keys::history(system, code, seq), encode(event))),
        )?;
        self.failpoint("publish-after-history");
        self.db.flush()?;
        self.failpoint("publish-before-commit");
        let id = release.id.clone();
        (&self.meta, &self.releases, &self.release_ids)
            .transaction(|(meta, releases, ids)| {
                if ids.get(id.as_bytes())?.is_some() {
                    return Err(ConflictableTransactionError::Abort(()));
                }
                releases.insert(&keys::id(seq), encode(release))?;
                ids.insert(id.as_bytes(), &keys::id(seq))?;
                meta.remove(DRAFT_KEY)?;
                meta.remove(PUBLISHING_KEY)?;
                Ok(())
            })
            .map_err(|e| match e {
                TransactionError::Abort(()) => StoreError::ReleaseExists(release.id.clone()),
                TransactionError::Storage(e) => StoreError::Sled(e),
            })?;
        self.failpoint("publish-after-commit");
        self.db.flush()?;
        Ok(())
    }

    /// Marks the start (`true`) or end (`false`) of a default-data bootstrap.
    pub(crate) fn set_bootstrap(&self, pending: bool) -> Result<()> {
        if pending {
            self.meta.insert(BOOTSTRAP_KEY, b"1".as_slice())?;
        } else {
            self.meta.remove(BOOTSTRAP_KEY)?;
        }
        self.db.flush()?;
        Ok(())
    }

    /// Counts of stored things, for status output and tests.
    pub(crate) fn counts(&self) -> BTreeMap<&'static str, usize> {
        BTreeMap::from([
            ("releases", self.releases.len()),
            ("versions", self.versions.len()),
            ("concepts", self.concepts.len()),
            ("bodies", self.bodies.len()),
            ("history", self.history.len()),
        ])
    }
}

/// Keys per sled batch. sled 0.34 applies one large batch much more slowly than the same keys
/// in small ones (measured here: 400,000 keys in one batch 16–27 µs a key, in batches of 2,048
/// 7–12 µs), so bulk writes go in chunks of this size.
const CHUNK: usize = 2048;

/// Inserts many keys into one tree, in chunks. Not atomic: callers write only where nothing
/// published refers to it yet (see "Crash safety" above), and make the result visible afterwards.
fn write_all<K: AsRef<[u8]>, V: Into<sled::IVec>>(
    tree: &sled::Tree,
    items: impl IntoIterator<Item = (K, V)>,
) -> Result<()> {
    let mut batch = sled::Batch::default();
    let mut n = 0;
    for (key, value) in items {
        batch.insert(key.as_ref(), value);
        n += 1;
        if n % CHUNK == 0 {
            tree.apply_batch(std::mem::take(&mut batch))?;
        }
    }
    tree.apply_batch(batch)?;
    Ok(())
}

/// Removes many keys from one tree, in chunks (see [`write_all`]).
fn remove_all(tree: &sled::Tree, keys: Vec<sled::IVec>) -> Result<()> {
    for chunk in keys.chunks(CHUNK) {
        let mut batch = sled::Batch::default();
        for key in chunk {
            batch.remove(key);
        }
        tree.apply_batch(batch)?;
    }
    Ok(())
}

fn tx_error(e: TransactionError<()>) -> StoreError {
    match e {
        TransactionError::Abort(()) => StoreError::Corrupt { tree: META, message: "transaction aborted".into() },
        TransactionError::Storage(e) => StoreError::Sled(e),
    }
}

/// SHA-256 (hex) over a release's canonical content: `system \t version \t digest \n` per
/// system in slug order, then `mapping \t table \t digest \n` per mapping table in name order.
pub(crate) fn release_digest(
    systems: &[crate::model::ReleaseSystem],
    mappings: &[crate::model::ReleaseMapping],
) -> String {
    let mut sorted: Vec<_> = systems.iter().collect();
    sorted.sort_by(|a, b| a.system.cmp(&b.system));
    let mut hasher = Sha256::new();
    for s in sorted {
        hasher.update(format!("{}\t{}\t{}\n", s.system, s.version, s.digest));
    }
    let mut maps: Vec<_> = mappings.iter().collect();
    maps.sort_by(|a, b| a.table.cmp(&b.table));
    for m in maps {
        hasher.update(format!("mapping\t{}\t{}\n", m.table, m.digest));
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(dir: &Path) -> Result<Store> {
        Store::open(dir, None, "2026-01-01T00:00:00Z".into(), 64 << 20)
    }

    #[test]
    fn a_store_of_another_format_is_refused_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        drop(open(dir.path()).unwrap());
        {
            let db = sled::open(dir.path()).unwrap();
            let mut m = Manifest::new("x".into());
            m.format_version = FORMAT_VERSION + 1;
            db.open_tree(META).unwrap().insert(MANIFEST_KEY, encode(&m)).unwrap();
            db.flush().unwrap();
        }
        let err = open(dir.path()).err().expect("must refuse");
        assert!(matches!(err, StoreError::IncompatibleFormat { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(&format!("uses store format {}", FORMAT_VERSION + 1)), "{msg}");
        assert!(msg.contains(&format!("this henkan reads format {FORMAT_VERSION}")), "{msg}");
    }

    #[test]
    fn a_whole_master_is_written_in_chunks_and_reads_back_complete() {
        use std::io::Read;
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("masters/jp-receipt-disease/b_20240601.txt.gz");
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap()).read_to_end(&mut bytes).unwrap();
        let file = henkan_loaders::SourceFile { name: "b_20240601.txt", bytes: &bytes };
        let concepts = henkan_loaders::by_format("receipt-disease").unwrap().load(&file).unwrap().concepts;
        assert!(concepts.len() > 10 * CHUNK && concepts.len() % CHUNK != 0, "whole chunks and a remainder");
        let dir = tempfile::tempdir().unwrap();
        let s = open(dir.path()).unwrap();
        let (id, _) =
            s.write_version("jp-receipt-disease", "2024-06-01", vec![], &concepts, "t", &ConceptHashes::new()).unwrap();
        assert_eq!(s.counts()["concepts"], concepts.len());
        assert_eq!(s.counts()["bodies"], concepts.len());
        let mut expected: Vec<&Concept> = concepts.iter().collect();
        expected.sort_by(|a, b| a.code.cmp(&b.code));
        let back: Vec<Concept> = s.concepts(id).map(|c| c.unwrap()).collect();
        assert!(back.iter().eq(expected.iter().copied()), "every concept reads back, in code order");
        // An interrupted import's version (still `loading`) is removed whole on the next open.
        drop(s);
        let s = open(dir.path()).unwrap();
        assert_eq!(s.counts()["concepts"], 0);
    }

    #[test]
    fn identical_content_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let s = open(dir.path()).unwrap();
        let c = Concept {
            code: "0000999".into(),
            status: crate::model::Status::Active,
            display: "＊＊　未コード化傷病名　＊＊".into(),
            designations: vec![],
            properties: BTreeMap::new(),
            bookkeeping: BTreeMap::new(),
        };
        let none = ConceptHashes::new();
        let (a, hashes) =
            s.write_version("jp-receipt-disease", "v1", vec![], std::slice::from_ref(&c), "t", &none).unwrap();
        let (b, _) = s.write_version("jp-receipt-disease", "v2", vec![], std::slice::from_ref(&c), "t", &none).unwrap();
        assert_ne!(a, b, "different version labels are different versions");
        s.stage(&[b]).unwrap();
        let (c2, _) =
            s.write_version("jp-receipt-disease", "v2", vec![], std::slice::from_ref(&c), "t", &hashes).unwrap();
        assert_eq!(b, c2, "identical content reuses the stored version, whether encoded again or known unchanged");
        assert_eq!(s.counts()["concepts"], 2);
        assert_eq!(s.counts()["bodies"], 1, "the same concept content is stored once");
        assert_eq!(s.concepts(b).map(|c| c.unwrap().display).collect::<Vec<_>>(), [c.display]);
    }
}
