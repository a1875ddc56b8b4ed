//! Comparing concepts: field-level changes, diffs between releases, and per-code history.

use serde::{Deserialize, Serialize};

use super::Concept;

/// One field that differs between two versions of a concept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `display`, `status`, `designations.<use>` or `properties.<name>`.
    pub field: String,
    /// Value before (absent: not set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Value after (absent: not set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// The content fields that differ between two versions of a concept, in a stable order.
/// Bookkeeping (変更区分, 変更情報 flags, 変更年月日) is not content and is ignored.
pub fn compare(before: &Concept, after: &Concept) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut push = |field: String, from: Option<String>, to: Option<String>| {
        if from != to {
            out.push(FieldChange { field, from, to });
        }
    };
    push("display".into(), Some(before.display.clone()), Some(after.display.clone()));
    push("status".into(), Some(before.status.as_str().into()), Some(after.status.as_str().into()));
    let designations = |c: &Concept, use_| {
        let v: Vec<&str> = c.designations.iter().filter(|d| d.use_ == use_).map(|d| d.value.as_str()).collect();
        (!v.is_empty()).then(|| v.join(" | "))
    };
    let mut uses: Vec<_> = before.designations.iter().chain(&after.designations).map(|d| d.use_).collect();
    uses.sort();
    uses.dedup();
    for use_ in uses {
        push(format!("designations.{use_}"), designations(before, use_), designations(after, use_));
    }
    let mut names: Vec<&String> = before.properties.keys().chain(after.properties.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        push(format!("properties.{name}"), before.properties.get(name).cloned(), after.properties.get(name).cloned());
    }
    out
}

/// A concept named in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConceptSummary {
    /// The code.
    pub code: String,
    /// Its display (in the release where it exists).
    pub display: String,
    /// Field changes (only for changed concepts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
}

/// The differences of one code system between two releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemDiff {
    /// Code system slug.
    pub system: String,
    /// Version in the `from` release (absent: not in it).
    pub from_version: Option<String>,
    /// Version in the `to` release (absent: not in it).
    pub to_version: Option<String>,
    /// Codes only in `to`.
    pub added: Vec<ConceptSummary>,
    /// Codes only in `from`.
    pub removed: Vec<ConceptSummary>,
    /// Codes in both whose content differs.
    pub changed: Vec<ConceptSummary>,
}

crate::vocabulary! {
    /// What happened to a code in a release.
    pub enum HistoryKind {
        /// First appeared.
        Added = "added",
        /// Content changed.
        Changed = "changed",
        /// Abolished (status became retired).
        Retired = "retired",
        /// A successor code (移行先) was named.
        Replaced = "replaced",
        /// Active again after being retired.
        Reactivated = "reactivated",
        /// No longer present in the master.
        Removed = "removed",
    }
}

impl HistoryKind {
    /// Classifies a change between two versions of a concept.
    pub fn of_changes(changes: &[FieldChange]) -> Self {
        let to = |f: &str| changes.iter().find(|c| c.field == f).map(|c| c.to.as_deref());
        match to("status") {
            Some(Some("retired")) => return HistoryKind::Retired,
            Some(Some("active")) => return HistoryKind::Reactivated,
            _ => {}
        }
        if let Some(Some(_)) = to("properties.successor") {
            return HistoryKind::Replaced;
        }
        HistoryKind::Changed
    }
}

crate::vocabulary! {
    /// What happened to a concept itself between two releases (an impact query's answer).
    pub enum ConceptChange {
        /// In neither release.
        Unknown = "unknown",
        /// Only in the newer release.
        Added = "added",
        /// Only in the older release.
        Removed = "removed",
        /// In both, with other content.
        Changed = "changed",
        /// In both, with the same content.
        Unchanged = "unchanged",
    }
}

/// One entry of a code's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    /// Release id in which it happened.
    pub release: String,
    /// What happened.
    pub kind: HistoryKind,
    /// Code system version in that release (absent for `removed`).
    pub version: Option<String>,
    /// Display at that point (the last known one for `removed`).
    pub display: String,
    /// Successor code, if the concept names one at that point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    /// Changed fields (for `changed`, `retired`, `replaced`, `reactivated`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::Status;

    fn concept(display: &str, props: &[(&str, &str)]) -> Concept {
        Concept {
            code: "2500014".into(),
            status: Status::Active,
            display: display.into(),
            designations: vec![],
            properties: props.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
            bookkeeping: BTreeMap::new(),
        }
    }

    #[test]
    fn compare_reports_content_fields_only() {
        let mut a = concept("１型糖尿病", &[("icd10_1", "E109"), ("specific_disease", "00")]);
        let mut b = concept("１型糖尿病", &[("icd10_1", "E109"), ("specific_disease", "05")]);
        a.bookkeeping.insert("change_kind".into(), "0".into());
        b.bookkeeping.insert("change_kind".into(), "5".into());
        assert_eq!(
            compare(&a, &b),
            vec![FieldChange {
                field: "properties.specific_disease".into(),
                from: Some("00".into()),
                to: Some("05".into())
            }]
        );
        assert!(compare(&a, &a).is_empty());
    }

    #[test]
    fn kinds_follow_the_most_important_change() {
        let mut a = concept("x", &[]);
        let mut b = concept("x", &[("successor", "8830000")]);
        assert_eq!(HistoryKind::of_changes(&compare(&a, &b)), HistoryKind::Replaced);
        b.status = Status::Retired;
        assert_eq!(HistoryKind::of_changes(&compare(&a, &b)), HistoryKind::Retired);
        a.status = Status::Retired;
        b = concept("x", &[]);
        assert_eq!(HistoryKind::of_changes(&compare(&a, &b)), HistoryKind::Reactivated);
    }
}
