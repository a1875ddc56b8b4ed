//! Pages of the long lists, read in key order from just after the last item of the previous
//! page: the concepts of a version, the rows of a mapping table, and the audit log (newest
//! first). A page costs its own length wherever it starts.

use std::ops::Bound;

use super::{decode, keys, Result, Store, StoreError, AUDIT, MAPPINGS};
use crate::model::{AuditEntry, Concept, Mapping};

/// The keys of one version's items strictly after `after` (from the first without it).
fn after_key(version_id: u64, after: Option<&str>) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let start = match after {
        Some(code) => Bound::Excluded(keys::concept(version_id, code)),
        None => Bound::Included(keys::id(version_id).to_vec()),
    };
    let end = match version_id.checked_add(1) {
        Some(next) => Bound::Excluded(keys::id(next).to_vec()),
        None => Bound::Unbounded,
    };
    (start, end)
}

impl Store {
    /// A version's concepts in code order, after the code `after`.
    pub(crate) fn concepts_after(
        &self,
        version_id: u64,
        after: Option<&str>,
    ) -> impl Iterator<Item = Result<Concept>> + '_ {
        self.concepts
            .range(after_key(version_id, after))
            .map(move |item| item.map_err(StoreError::from).and_then(|(_, hash)| self.body(&hash)))
    }

    /// A mapping table version's rows by source code, after the source code `after`.
    pub(crate) fn mappings_after(
        &self,
        version_id: u64,
        after: Option<&str>,
    ) -> impl Iterator<Item = Result<(String, Vec<Mapping>)>> + '_ {
        self.mappings.range(after_key(version_id, after)).map(|item| {
            let (k, v) = item?;
            Ok((String::from_utf8_lossy(keys::concept_code(&k)).into_owned(), decode(MAPPINGS, &v)?))
        })
    }

    /// Audit entries, newest first, older than the entry `before`.
    pub(crate) fn audit_before(&self, before: Option<u64>) -> impl Iterator<Item = Result<AuditEntry>> + '_ {
        let end = before.map_or(Bound::Unbounded, |seq| Bound::Excluded(keys::id(seq).to_vec()));
        self.audit.range((Bound::Unbounded, end)).rev().map(|item| decode(AUDIT, &item?.1))
    }
}
