//! Mapping tables: rows from a source code system version to a target one, each with a FHIR
//! ConceptMap relationship and its provenance (method, evidence chain, score, review).

use serde::{Deserialize, Serialize};

use super::SourceFileInfo;

/// FHIR ConceptMap relationship (R5 codes), from source to target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// Same meaning.
    Equivalent,
    /// The source is more specific than the target.
    SourceIsNarrowerThanTarget,
    /// The source is more general than the target.
    SourceIsBroaderThanTarget,
    /// Related, without a safe subsumption.
    RelatedTo,
    /// Explicitly unrelated.
    NotRelatedTo,
}

impl Relationship {
    /// The relationship of a chain A→B→C from A→B (`self`) and B→C (`next`). Composition never
    /// claims more than both hops support: narrower then broader (or the reverse) is only
    /// related-to.
    pub fn compose(self, next: Relationship) -> Relationship {
        use Relationship::*;
        match (self, next) {
            (NotRelatedTo, _) | (_, NotRelatedTo) => NotRelatedTo,
            (Equivalent, r) | (r, Equivalent) => r,
            (SourceIsNarrowerThanTarget, SourceIsNarrowerThanTarget) => SourceIsNarrowerThanTarget,
            (SourceIsBroaderThanTarget, SourceIsBroaderThanTarget) => SourceIsBroaderThanTarget,
            _ => RelatedTo,
        }
    }

    /// The FHIR code.
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Equivalent => "equivalent",
            Relationship::SourceIsNarrowerThanTarget => "source-is-narrower-than-target",
            Relationship::SourceIsBroaderThanTarget => "source-is-broader-than-target",
            Relationship::RelatedTo => "related-to",
            Relationship::NotRelatedTo => "not-related-to",
        }
    }
}

/// How a row was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Read from a published mapping.
    Imported,
    /// Composed through crosswalks (e.g. receipt ICD-10 column → WHO 10→11 table).
    DerivedCrosswalk,
    /// Suggested by name similarity.
    LexicalSuggestion,
    /// Made by a curator.
    Manual,
}

/// Review state of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    /// Proposed, not reviewed.
    Candidate,
    /// Accepted by a curator (or by the table's auto-accept policy).
    Approved,
    /// Rejected by a curator.
    Rejected,
}

/// Why a source code has no target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoMapReason {
    /// The source concept carries no ICD-10 code.
    NoIcd10OnSource,
    /// The ICD-10 code (and its parents) is not in the WHO table.
    Icd10NotInWhoTable,
    /// WHO maps the ICD-10 code to an ICD-11 grouping that has no residual code.
    WhoMapsToGroupingWithoutResidual,
    /// WHO states that the ICD-10 code has no ICD-11 mapping.
    WhoNoMapping,
    /// No candidate reached the generator's threshold.
    NoCandidateAboveThreshold,
    /// The source code is retired and names no successor.
    RetiredWithoutSuccessor,
}

/// One step of an evidence chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hop {
    /// `system|code` the step starts from.
    pub from: String,
    /// `system|code` the step reaches.
    pub to: String,
    /// Relationship of this step.
    pub relationship: Relationship,
    /// What supports the step (e.g. `receipt master 2024-06-01 ICD-10-1(2013)`,
    /// `WHO 10To11MapToOneCategory 2020-01-22 (Equivalent, EquivalentMatch)`).
    pub source: String,
}

/// One row of a mapping table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    /// Source code.
    pub source_code: String,
    /// Target code; absent for an explicit no-map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_code: Option<String>,
    /// Target display at derivation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_display: Option<String>,
    /// Why there is no target (for a no-map row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_map_reason: Option<NoMapReason>,
    /// Composed relationship source → target (absent for a no-map row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    /// How it was made.
    pub method: Method,
    /// The chain that produced it, hop by hop.
    pub evidence: Vec<Hop>,
    /// The chain in one line, e.g. `jp-receipt-disease|8848176 → icd10-who|E25.0 → icd11-mms|5A71.01`.
    pub evidence_text: String,
    /// Confidence in 0..=1.
    pub score: f32,
    /// Who or what made it.
    pub author: String,
    /// Review state.
    pub review_state: ReviewState,
    /// Who reviewed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// Curator comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

/// A stored mapping table version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingTableVersion {
    /// Store-internal id.
    pub id: u64,
    /// Table name, e.g. `jp-receipt-disease--icd11-mms`.
    pub table: String,
    /// Source code system slug and version.
    pub source_system: String,
    /// Source version label.
    pub source_version: String,
    /// Target code system slug.
    pub target_system: String,
    /// Target version label.
    pub target_version: String,
    /// Generator that made it and its parameters.
    pub generator: String,
    /// Files the derivation read (crosswalks), with their SHA-256.
    pub inputs: Vec<SourceFileInfo>,
    /// Number of source codes with at least one candidate target.
    pub mapped: u64,
    /// Number of source codes with a no-map row.
    pub no_map: u64,
    /// Number of rows.
    pub rows: u64,
    /// SHA-256 over the canonical rows.
    pub digest: String,
    /// When it was made.
    pub created_at: String,
    /// Sequence number of the last review decision applied to these rows (0: none).
    #[serde(default)]
    pub decisions_through: u64,
}

/// A mapping table as part of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseMapping {
    /// Table name.
    pub table: String,
    /// Mapping table version id in the store.
    pub version_id: u64,
    /// Source system and version, target system and version.
    pub source_system: String,
    /// Source version label.
    pub source_version: String,
    /// Target system slug.
    pub target_system: String,
    /// Target version label.
    pub target_version: String,
    /// Source codes with a candidate / with a no-map row.
    pub mapped: u64,
    /// Source codes with a no-map row.
    pub no_map: u64,
    /// Content digest.
    pub digest: String,
    /// Generator and auto-accept policy that made the table.
    #[serde(default)]
    pub generator: String,
}

#[cfg(test)]
mod tests {
    use super::Relationship::*;

    #[test]
    fn composition_never_claims_more_than_both_hops() {
        assert_eq!(SourceIsNarrowerThanTarget.compose(Equivalent), SourceIsNarrowerThanTarget);
        assert_eq!(Equivalent.compose(SourceIsBroaderThanTarget), SourceIsBroaderThanTarget);
        assert_eq!(SourceIsNarrowerThanTarget.compose(SourceIsNarrowerThanTarget), SourceIsNarrowerThanTarget);
        assert_eq!(SourceIsNarrowerThanTarget.compose(SourceIsBroaderThanTarget), RelatedTo);
        assert_eq!(SourceIsBroaderThanTarget.compose(SourceIsNarrowerThanTarget), RelatedTo);
        assert_eq!(RelatedTo.compose(Equivalent), RelatedTo);
        assert_eq!(Equivalent.compose(Equivalent), Equivalent);
        assert_eq!(NotRelatedTo.compose(Equivalent), NotRelatedTo);
    }
}

/// A source code's chosen row, as compared across releases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowSummary {
    /// Target code, or absent for a no-map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_code: Option<String>,
    /// Relationship of the row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    /// No-map reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_map_reason: Option<NoMapReason>,
    /// Review state.
    pub review_state: ReviewState,
    /// Score.
    pub score: f32,
}

impl RowSummary {
    /// The row a source code resolves to: its best non-rejected row with a target, else its
    /// no-map row.
    pub fn chosen(rows: &[Mapping]) -> Option<RowSummary> {
        let pick = rows
            .iter()
            .filter(|m| m.review_state != ReviewState::Rejected && m.target_code.is_some())
            .max_by(|a, b| {
                (a.review_state == ReviewState::Approved)
                    .cmp(&(b.review_state == ReviewState::Approved))
                    .then(a.score.total_cmp(&b.score))
            })
            .or_else(|| rows.iter().find(|m| m.target_code.is_none()))?;
        Some(RowSummary {
            target_code: pick.target_code.clone(),
            relationship: pick.relationship,
            no_map_reason: pick.no_map_reason,
            review_state: pick.review_state,
            score: pick.score,
        })
    }
}

/// How one source code's mapping changed between two releases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowChange {
    /// Mapping table.
    pub table: String,
    /// Source code.
    pub code: String,
    /// `added`, `removed`, `retargeted` or `relationship-changed`.
    pub kind: String,
    /// The chosen row before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<RowSummary>,
    /// The chosen row after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<RowSummary>,
}

/// Row changes of one mapping table between two releases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDiff {
    /// Table name.
    pub table: String,
    /// Table version (source → target versions) in the `from` release.
    pub from_version: Option<String>,
    /// Table version in the `to` release.
    pub to_version: Option<String>,
    /// Source codes whose chosen row appeared, disappeared, changed target or relationship.
    pub changes: Vec<RowChange>,
}

/// Classifies the change between two chosen rows; `None` when nothing that matters changed.
pub fn row_change_kind(from: Option<&RowSummary>, to: Option<&RowSummary>) -> Option<&'static str> {
    match (from, to) {
        (None, None) => None,
        (None, Some(_)) => Some("added"),
        (Some(_), None) => Some("removed"),
        (Some(a), Some(b)) if a.target_code != b.target_code => Some("retargeted"),
        (Some(a), Some(b)) if a.relationship != b.relationship => Some("relationship-changed"),
        _ => None,
    }
}
