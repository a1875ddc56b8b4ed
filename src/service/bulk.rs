//! The bulk side of the [`Service`]: translation engines over the store, for `translate-file`
//! (one per job) and for the batch and stream endpoints (one per release, shared).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Service;
use crate::error::{Error, Result};
use crate::model::{resolve_system, CodeSystem};
use crate::translate::stored::StoredTables;
use crate::translate::{Engine, Tables};

/// How many releases' engines the server keeps.
const MAX_ENGINES: usize = 4;

/// Shared engines by release id.
#[derive(Default)]
pub(super) struct Engines(Mutex<HashMap<String, Arc<Engine>>>);

/// Resolves target system names (slugs or URIs).
pub(crate) fn targets(names: &[String]) -> Result<Vec<&'static CodeSystem>> {
    names.iter().map(|t| resolve_system(t).ok_or_else(|| Error::UnknownSystem(t.clone()))).collect()
}

impl Service {
    /// The mapping tables of the store, for an [`Engine`].
    pub fn tables(&self) -> Arc<dyn Tables> {
        Arc::new(StoredTables { store: self.store.clone(), as_of: self.as_of.clone() })
    }

    /// A bulk engine pinned to `release` (default: the newest) translating into `targets`
    /// (slugs or URIs; default: every target some table reaches).
    pub fn engine(&self, release: Option<&str>, targets: &[String]) -> Result<Engine> {
        Engine::new(self.tables(), release, &self::targets(targets)?)
    }

    /// The shared engine of a release (every target), built on first use.
    pub fn shared_engine(&self, release: Option<&str>) -> Result<Arc<Engine>> {
        let (id, _) = self.tables().release(release)?;
        let cached = self.engines.0.lock().ok().and_then(|m| m.get(&id).cloned());
        crate::metrics::cache(crate::metrics::Cache::BulkEngine, cached.is_some());
        if let Some(e) = cached {
            return Ok(e);
        }
        let engine = Arc::new(Engine::new(self.tables(), Some(&id), &[])?);
        if let Ok(mut m) = self.engines.0.lock() {
            if m.len() >= MAX_ENGINES {
                m.clear();
            }
            m.insert(id, engine.clone());
        }
        Ok(engine)
    }
}

/// A release's content read from the store, for an export.
struct StoredContent<'a> {
    service: &'a Service,
    release: Arc<crate::model::Release>,
}

impl StoredContent<'_> {
    fn heads(&self, slug: &str) -> Result<Vec<crate::store::ConceptHead>> {
        let Some(version) = self.release.system(slug) else { return Ok(Vec::new()) };
        Ok(self.service.store.concept_heads(version.version_id).collect::<Result<Vec<_>, _>>()?)
    }
}

impl crate::export::Content for StoredContent<'_> {
    fn release(&self) -> &crate::model::Release {
        &self.release
    }

    fn system(&self, slug: &str) -> Result<crate::export::SystemRows> {
        let heads = self.heads(slug)?;
        let codes: std::collections::HashSet<&str> = heads.iter().map(|h| h.code.as_str()).collect();
        let successors = heads.iter().filter_map(|h| {
            crate::translate::table::successor_of(&h.code, h.status, h.successor())
                .map(|s| (h.code.as_str().into(), s.into()))
        });
        let forwards = crate::translate::table::follow(successors, |c| codes.contains(c));
        let rows = heads
            .iter()
            .map(|h| crate::export::ConceptRow {
                code: h.code.clone(),
                display: h.display.clone(),
                status: h.status,
                successor: h.successor().map(str::to_owned),
                forward_to: forwards.get(h.code.as_str()).map(|s| s.to_string()),
            })
            .collect();
        Ok(crate::export::SystemRows { system: slug.to_owned(), rows })
    }

    fn table(&self, table: &crate::model::ReleaseMapping) -> Result<crate::export::TableRows> {
        let displays: HashMap<String, String> =
            self.heads(&table.source_system)?.into_iter().map(|h| (h.code, h.display)).collect();
        let mut rows = Vec::new();
        for item in self.service.store.all_mappings(table.version_id) {
            let (code, mut list) = item?;
            list.sort_by(crate::model::row_order);
            let ranked = crate::model::ranked_targets(&list).len();
            let source_display = displays.get(&code).cloned().unwrap_or_default();
            for (i, m) in list.into_iter().enumerate() {
                let rank = (i < ranked).then(|| i32::try_from(i + 1).unwrap_or(i32::MAX));
                rows.push(crate::export::MappingRow { source_display: source_display.clone(), rank, mapping: m });
            }
        }
        Ok(crate::export::TableRows { header: table.clone(), rows })
    }
}

impl Service {
    /// Exports a release (default: the latest) as `format` into the new directory `out`: every
    /// code system and mapping table, or those named in `only`.
    pub fn export(
        &self,
        release: Option<&str>,
        format: crate::export::ExportFormat,
        out: &std::path::Path,
        only: &[String],
    ) -> Result<crate::export::Manifest> {
        let release = self.store.shared_release(release)?.ok_or_else(|| match release {
            Some(id) => Error::ReleaseNotFound(id.to_owned()),
            None => Error::NoReleases,
        })?;
        crate::export::export(&StoredContent { service: self, release }, format, out, only)
    }
}

impl Service {
    /// A mapping table of a release as a FHIR R4 ConceptMap (every row, with provenance).
    pub fn concept_map(&self, release: Option<&str>, table: &str) -> Result<serde_json::Value> {
        use crate::export::Content;
        let release = self.shared_release(release)?;
        let header = release.mappings.iter().find(|m| m.table == table).cloned().ok_or_else(|| {
            Error::TableNotFound { table: table.to_owned(), release: format!("release {}", release.id) }
        })?;
        let content = StoredContent { service: self, release };
        let rows = content.table(&header)?;
        Ok(crate::export::conceptmap::resource(&rows, content.release()))
    }
}
