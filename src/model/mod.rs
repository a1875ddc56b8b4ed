//! Domain types, no I/O: code systems, code system versions, releases, history and diffs.
//!
//! Concepts themselves are the loaders' neutral [`Concept`] records, re-exported here so that
//! the parsers and the rest of henkan share one definition.

mod code_system;
mod curation;
mod diff;
mod mapping;
mod release;

pub use code_system::{notice, resolve_system, CodeSystem, CODE_SYSTEMS};
pub use curation::{AuditEntry, Decision, DecisionAction, Role, TokenInfo};
pub use diff::{compare, ConceptSummary, FieldChange, HistoryEvent, HistoryKind, SystemDiff};
pub use henkan_loaders::{ConceptRecord as Concept, Designation, DesignationUse, Status};
pub use mapping::{
    row_change_kind, Hop, Mapping, MappingTableVersion, Method, NoMapReason, Relationship, ReleaseMapping, ReviewState,
    RowChange, RowSummary, TableDiff,
};
pub use release::{CodeSystemVersion, Draft, Release, ReleaseSystem, SourceFileInfo, VersionState};

/// The name an enum value has on the wire (its serde name, e.g. `source-is-narrower-than-target`,
/// `kana`, `approved`): one spelling for the API, the CLI and the search index.
pub fn wire_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
