//! Mapping tables: rows from a source code system version to a target one, each with a FHIR
//! ConceptMap relationship and its provenance (method, evidence chain, score, review).

use serde::{Deserialize, Serialize};

use super::SourceFileInfo;

crate::vocabulary! {
    /// FHIR ConceptMap relationship (R5 codes), from source to target.
    pub enum Relationship {
        /// Same meaning.
        Equivalent = "equivalent",
        /// The source is more specific than the target.
        SourceIsNarrowerThanTarget = "source-is-narrower-than-target",
        /// The source is more general than the target.
        SourceIsBroaderThanTarget = "source-is-broader-than-target",
        /// Related, without a safe subsumption.
        RelatedTo = "related-to",
        /// Explicitly unrelated.
        NotRelatedTo = "not-related-to",
    }
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
}

crate::vocabulary! {
    /// How a row was made.
    pub enum Method {
        /// Read from a published mapping.
        Imported = "imported",
        /// Composed through crosswalks (e.g. receipt ICD-10 column → WHO 10→11 table).
        DerivedCrosswalk = "derived-crosswalk",
        /// Suggested by name similarity.
        LexicalSuggestion = "lexical-suggestion",
        /// Made by a curator.
        Manual = "manual",
    }
}

crate::vocabulary! {
    /// Review state of a row.
    pub enum ReviewState {
        /// Proposed, not reviewed.
        Candidate = "candidate",
        /// Accepted by a curator (or by the table's auto-accept policy).
        Approved = "approved",
        /// Rejected by a curator.
        Rejected = "rejected",
    }
}

crate::vocabulary! {
    /// Why a source code has no target.
    pub enum NoMapReason {
        /// The source concept carries no ICD-10 code.
        NoIcd10OnSource = "no-icd10-on-source",
        /// The ICD-10 code (and its parents) is not in the WHO table.
        Icd10NotInWhoTable = "icd10-not-in-who-table",
        /// WHO maps the ICD-10 code to an ICD-11 grouping that has no residual code.
        WhoMapsToGroupingWithoutResidual = "who-maps-to-grouping-without-residual",
        /// WHO states that the ICD-10 code has no ICD-11 mapping.
        WhoNoMapping = "who-no-mapping",
        /// No candidate reached the generator's threshold.
        NoCandidateAboveThreshold = "no-candidate-above-threshold",
        /// The source code is retired and names no successor.
        RetiredWithoutSuccessor = "retired-without-successor",
        /// The source's master row names no code of the intermediate system of a composed table.
        NoIntermediateCode = "no-intermediate-code",
        /// The intermediate codes the source names have no row in the intermediate table.
        IntermediateNotMapped = "intermediate-not-mapped",
    }
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

/// Who made a row, how and when: the provenance every row starts with.
#[derive(Debug, Clone, Copy)]
pub struct Made<'a> {
    /// How it was made.
    pub method: Method,
    /// Who or what made it (a generator, a publisher, a curator).
    pub author: &'a str,
    /// When (RFC 3339).
    pub at: &'a str,
}

impl Mapping {
    /// A row that reaches its target through `evidence`: the last hop reaches the target
    /// (`system|code`), the relationship is the hops' composition ([`Relationship::compose`]) and
    /// the evidence text is written from the hops ([`evidence_text`]). The row starts as an
    /// unscored candidate; see [`Mapping::scored`] and [`Mapping::approved_by`].
    ///
    /// # Panics
    /// If `evidence` is empty: a target is always reached by at least one hop.
    pub fn through(source_code: &str, evidence: Vec<Hop>, target_display: Option<String>, made: Made<'_>) -> Mapping {
        let last = evidence.last().expect("a mapped row has at least one hop");
        let target = last.to.split_once('|').map_or(last.to.as_str(), |(_, code)| code).to_owned();
        let relationship = evidence.iter().skip(1).fold(evidence[0].relationship, |acc, h| acc.compose(h.relationship));
        Mapping {
            target_code: Some(target),
            target_display,
            relationship: Some(relationship),
            evidence_text: evidence_text(&evidence[0].from, &evidence, None),
            evidence,
            ..Mapping::empty(source_code, made)
        }
    }

    /// An explicit no-map row: `from` (`system|code`) is where the chain starts, `evidence` the
    /// hops it followed before it stopped (possibly none), `why` what stopped it.
    pub fn no_map(
        source_code: &str,
        from: &str,
        reason: NoMapReason,
        evidence: Vec<Hop>,
        why: &str,
        made: Made<'_>,
    ) -> Mapping {
        Mapping {
            no_map_reason: Some(reason),
            evidence_text: evidence_text(from, &evidence, Some(why)),
            evidence,
            ..Mapping::empty(source_code, made)
        }
    }

    fn empty(source_code: &str, made: Made<'_>) -> Mapping {
        Mapping {
            source_code: source_code.to_owned(),
            target_code: None,
            target_display: None,
            no_map_reason: None,
            relationship: None,
            method: made.method,
            evidence: Vec::new(),
            evidence_text: String::new(),
            score: 0.0,
            author: made.author.to_owned(),
            review_state: ReviewState::Candidate,
            reviewer: None,
            comment: None,
            created_at: made.at.to_owned(),
        }
    }

    /// The row with this confidence.
    pub fn scored(self, score: f32) -> Mapping {
        Mapping { score, ..self }
    }

    /// The row approved, by `reviewer` (a curator, a publisher, or a table's policy).
    pub fn approved_by(self, reviewer: String) -> Mapping {
        Mapping { review_state: ReviewState::Approved, reviewer: Some(reviewer), ..self }
    }
}

/// The one-line form of an evidence chain: `from → to (source; relationship) → …`, and `: why`
/// when the chain stopped without a target, e.g.
/// `jp-receipt-disease|8848176 → icd10|E25.0 (receipt master 2024-06-01 ICD-10-1(2013);
/// source-is-narrower-than-target) → icd11-mms|5A71.01 (WHO 10To11MapToOneCategory …; equivalent)`.
pub fn evidence_text(from: &str, hops: &[Hop], why: Option<&str>) -> String {
    let mut s = from.to_owned();
    for h in hops {
        s.push_str(&format!(" → {} ({}; {})", h.to, h.source, h.relationship.as_str()));
    }
    if let Some(why) = why {
        s.push_str(": ");
        s.push_str(why);
    }
    s
}

/// The order of one source code's rows, best first: rows with a target before no-map rows,
/// rejected rows after every other row with a target, approved before candidates, then the
/// higher score, then the target code. The one rule by which translate, explain, search, diffs,
/// impact and the derive reports pick rows.
pub fn row_order(a: &Mapping, b: &Mapping) -> std::cmp::Ordering {
    let rank = |m: &Mapping| match (m.target_code.is_some(), m.review_state) {
        (true, ReviewState::Approved) => 0,
        (true, ReviewState::Candidate) => 1,
        (true, ReviewState::Rejected) => 2,
        (false, _) => 3,
    };
    rank(a).cmp(&rank(b)).then(b.score.total_cmp(&a.score)).then_with(|| a.target_code.cmp(&b.target_code))
}

/// The rows that translate a source code, best first ([`row_order`]): those with a target that
/// are not rejected.
pub fn ranked_targets(rows: &[Mapping]) -> Vec<&Mapping> {
    let mut out: Vec<&Mapping> = rows.iter().filter(|m| translates(m)).collect();
    out.sort_by(|a, b| row_order(a, b));
    out
}

/// [`ranked_targets`], taking the rows.
pub fn into_ranked_targets(rows: Vec<Mapping>) -> Vec<Mapping> {
    let mut out: Vec<Mapping> = rows.into_iter().filter(translates).collect();
    out.sort_by(row_order);
    out
}

/// Whether a row translates its source code: it has a target and is not rejected.
fn translates(m: &Mapping) -> bool {
    m.target_code.is_some() && m.review_state != ReviewState::Rejected
}

/// The row a source code resolves to: its best target ([`ranked_targets`]), else its no-map row.
pub fn chosen_row(rows: &[Mapping]) -> Option<&Mapping> {
    ranked_targets(rows).first().copied().or_else(|| rows.iter().find(|m| m.target_code.is_none()))
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
    /// The summary of the row a source code resolves to ([`chosen_row`]).
    pub fn of(rows: &[Mapping]) -> Option<RowSummary> {
        let pick = chosen_row(rows)?;
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
    /// What changed.
    pub kind: RowChangeKind,
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

crate::vocabulary! {
    /// How a source code's chosen row changed between two releases.
    pub enum RowChangeKind {
        /// The code has a row only in the newer release.
        Added = "added",
        /// The code has a row only in the older release.
        Removed = "removed",
        /// The chosen target (or no-map) differs.
        Retargeted = "retargeted",
        /// Same target, another relationship.
        RelationshipChanged = "relationship-changed",
    }
}

impl RowChangeKind {
    /// Classifies the change between two chosen rows; `None` when nothing that matters changed.
    pub fn between(from: Option<&RowSummary>, to: Option<&RowSummary>) -> Option<RowChangeKind> {
        match (from, to) {
            (None, None) => None,
            (None, Some(_)) => Some(RowChangeKind::Added),
            (Some(_), None) => Some(RowChangeKind::Removed),
            (Some(a), Some(b)) if a.target_code != b.target_code => Some(RowChangeKind::Retargeted),
            (Some(a), Some(b)) if a.relationship != b.relationship => Some(RowChangeKind::RelationshipChanged),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Relationship::*;
    use super::*;

    const MADE: Made<'static> = Made { method: Method::DerivedCrosswalk, author: "test", at: "2024-06-01T00:00:00Z" };

    fn hop(from: &str, to: &str, relationship: Relationship, source: &str) -> Hop {
        Hop { from: from.into(), to: to.into(), relationship, source: source.into() }
    }

    #[test]
    fn a_row_takes_target_relationship_and_text_from_its_hops() {
        // 8848176 １１β－水酸化酵素欠損症: receipt ICD-10 E250 → WHO E25.0 → 5A71.01.
        let m = Mapping::through(
            "8848176",
            vec![
                hop("jp-receipt-disease|8848176", "icd10|E25.0", SourceIsNarrowerThanTarget, "receipt master"),
                hop("icd10|E25.0", "icd11-mms|5A71.01", Equivalent, "WHO 10To11MapToOneCategory"),
            ],
            None,
            MADE,
        );
        assert_eq!((m.target_code.as_deref(), m.relationship), (Some("5A71.01"), Some(SourceIsNarrowerThanTarget)));
        assert_eq!(
            m.evidence_text,
            "jp-receipt-disease|8848176 → icd10|E25.0 (receipt master; source-is-narrower-than-target) \
             → icd11-mms|5A71.01 (WHO 10To11MapToOneCategory; equivalent)"
        );
        let n = Mapping::no_map(
            "8848176",
            "jp-receipt-disease|8848176",
            NoMapReason::NoIcd10OnSource,
            vec![],
            "no ICD-10",
            MADE,
        );
        assert_eq!((n.target_code, n.evidence_text.as_str()), (None, "jp-receipt-disease|8848176: no ICD-10"));
    }

    #[test]
    fn approved_rows_come_first_rejected_never() {
        let row = |target: &str, score: f32| {
            Mapping::through(
                "8849055",
                vec![hop("a|8849055", &format!("icd11-mms|{target}"), RelatedTo, "x")],
                None,
                MADE,
            )
            .scored(score)
        };
        let mut rejected = row("CB41.2Z", 0.9);
        rejected.review_state = ReviewState::Rejected;
        let rows = vec![rejected, row("CB41.0", 0.5), row("CB41.1", 0.5), row("CB40", 0.3).approved_by("alice".into())];
        let order: Vec<_> = ranked_targets(&rows).iter().map(|m| m.target_code.clone().unwrap()).collect();
        assert_eq!(order, ["CB40", "CB41.0", "CB41.1"], "approved, then by score, then by code; rejected never");
        assert_eq!(chosen_row(&rows).unwrap().target_code.as_deref(), Some("CB40"));
        let only_rejected = vec![rows[0].clone()];
        assert!(chosen_row(&only_rejected).is_none());
    }

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
