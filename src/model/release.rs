//! Code system versions, the draft, and immutable releases.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One input file of a code system version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFileInfo {
    /// File name as imported (base name).
    pub name: String,
    /// Loader format that read it.
    pub format: String,
    /// SHA-256 (hex) of the file as published (after gzip decompression, if shipped gzipped).
    pub sha256: String,
    /// Size in bytes as published.
    pub bytes: u64,
}

crate::vocabulary! {
    /// Whether a version's concepts are completely written.
    pub enum VersionState {
        /// Being written; removed on open if a crash left it so.
        Loading = "loading",
        /// Complete and immutable.
        Loaded = "loaded",
    }
}

/// One loaded master file set: the concepts of one code system at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSystemVersion {
    /// Store-internal id (never reused).
    pub id: u64,
    /// Code system slug.
    pub system: String,
    /// Version label (e.g. `2024-06-01`).
    pub version: String,
    /// SHA-256 (hex) over the system, version and canonical content of every concept.
    pub digest: String,
    /// Number of concepts.
    pub concepts: u64,
    /// The input files.
    pub files: Vec<SourceFileInfo>,
    /// When it was imported (RFC 3339).
    pub loaded_at: String,
    /// Loading or loaded.
    pub state: VersionState,
}

/// What the next release will contain beyond its parent: code system slug → version id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Code system slug → code system version id, replacing the parent's version of that system.
    pub systems: BTreeMap<String, u64>,
    /// Mapping table name → mapping table version id, replacing the parent's version.
    #[serde(default)]
    pub mappings: BTreeMap<String, u64>,
}

/// A code system version as part of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseSystem {
    /// Code system slug.
    pub system: String,
    /// Canonical URI.
    pub uri: String,
    /// Version label.
    pub version: String,
    /// Code system version id in the store.
    pub version_id: u64,
    /// Content digest of that version.
    pub digest: String,
    /// Number of concepts.
    pub concepts: u64,
    /// Input files.
    pub files: Vec<SourceFileInfo>,
}

/// An immutable, published set of code system versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// Human id chosen at publish (e.g. `2024-06`).
    pub id: String,
    /// Publication order (store-internal, strictly increasing).
    pub seq: u64,
    /// The release this one was built on.
    pub parent: Option<String>,
    /// Who published it.
    pub publisher: String,
    /// Release notes.
    pub notes: String,
    /// When it was published (RFC 3339).
    pub created_at: String,
    /// SHA-256 (hex) over the canonical content: for each system in slug order, the line
    /// `system \t version \t version digest \n`. Metadata (id, time, publisher) is not content.
    pub sha256: String,
    /// The code system versions, in slug order.
    pub systems: Vec<ReleaseSystem>,
    /// The mapping tables, in name order.
    #[serde(default)]
    pub mappings: Vec<super::ReleaseMapping>,
    /// Attribution and licence notices of the content (LOINC, RxNorm, WHO, JSLM, …): they travel
    /// with the release wherever it is served or exported.
    #[serde(default)]
    pub notices: Vec<String>,
}

impl Release {
    /// The release's mapping table from one system to another, if any.
    pub fn mapping(&self, source: &str, target: &str) -> Option<&super::ReleaseMapping> {
        self.mappings.iter().find(|m| m.source_system == source && m.target_system == target)
    }

    /// The release's version of a code system.
    pub fn system(&self, slug: &str) -> Option<&ReleaseSystem> {
        self.systems.iter().find(|s| s.system == slug)
    }
}
