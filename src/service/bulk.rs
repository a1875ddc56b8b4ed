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
        if let Some(e) = self.engines.0.lock().ok().and_then(|m| m.get(&id).cloned()) {
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
