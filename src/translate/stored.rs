//! [`Tables`] over a data directory: a release's mapping table read from the store into a
//! [`CodeTable`] (its source concepts' heads and its rows), and the release in force on a date
//! from the [`AsOf`] index.

use std::sync::Arc;

use super::{AsOf, CodeTable, CodeTableBuilder, Tables};
use crate::error::{Error, Result};
use crate::model::CodeSystem;
use crate::store::Store;

/// The store's tables.
pub(crate) struct StoredTables {
    pub(crate) store: Arc<Store>,
    pub(crate) as_of: Arc<AsOf>,
}

impl Tables for StoredTables {
    fn release(&self, id: Option<&str>) -> Result<(String, String)> {
        let r = self.store.shared_release(id)?.ok_or_else(|| match id {
            Some(id) => Error::ReleaseNotFound(id.to_owned()),
            None => Error::NoReleases,
        })?;
        Ok((r.id.clone(), r.sha256.clone()))
    }

    fn table(
        &self,
        release: &str,
        source: &'static CodeSystem,
        target: &'static CodeSystem,
    ) -> Result<Option<Arc<CodeTable>>> {
        let r = self.store.shared_release(Some(release))?.ok_or_else(|| Error::ReleaseNotFound(release.to_owned()))?;
        let (Some(table), Some(version)) = (r.mapping(source.slug, target.slug), r.system(source.slug)) else {
            return Ok(None);
        };
        let mut b = CodeTableBuilder::new((&r.id, &r.sha256), source, target, &table.table);
        for head in self.store.concept_heads(version.version_id) {
            let head = head?;
            b.concept(&head.code, head.status, head.successor());
        }
        for item in self.store.all_mappings(table.version_id) {
            let (code, rows) = item?;
            b.rows(&code, &rows);
        }
        Ok(Some(Arc::new(b.build())))
    }

    fn release_on(&self, system: &'static CodeSystem, date: &str) -> Result<Option<String>> {
        match self.as_of.release_on(&self.store, system, date) {
            Ok(id) => Ok(Some(id)),
            Err(Error::NoReleaseOnDate { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
