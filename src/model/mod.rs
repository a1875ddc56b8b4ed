//! Domain types, no I/O: code systems, code system versions, releases, history and diffs.
//!
//! Concepts themselves are the loaders' neutral [`Concept`] records, re-exported here so that
//! the parsers and the rest of henkan share one definition.

mod code_system;
mod curation;
mod diff;
mod mapping;
mod release;

pub use code_system::{notice, resolve_system, slug, CodeShape, CodeSystem, CODE_SYSTEMS};
pub use curation::{AuditAction, AuditBreak, AuditEntry, AuditVerification, Decision, DecisionAction, Role, TokenInfo};
pub use diff::{compare, ConceptChange, ConceptSummary, FieldChange, HistoryEvent, HistoryKind, SystemDiff};
pub use henkan_loaders::{ConceptRecord as Concept, Designation, DesignationUse, Status};
pub use mapping::{
    chosen_row, evidence_text, into_ranked_targets, ranked_targets, row_order, Hop, Made, Mapping, MappingTableVersion,
    Method, NoMapReason, Relationship, ReleaseMapping, ReviewState, RowChange, RowChangeKind, RowSummary, TableDiff,
};
pub use release::{CodeSystemVersion, Draft, Release, ReleaseSystem, SourceFileInfo, VersionState};
