//! The search indexes of releases, each opened or built once on first use. Each release has its
//! own once-cell: building one release's index (seconds) blocks only the searches of that
//! release, never those of another.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use once_cell::sync::OnceCell;

use super::{IndexKey, SearchError, SearchIndex};
use crate::error::{Error, Result};
use crate::model::Concept;

type Cell = Arc<OnceCell<Arc<SearchIndex>>>;

/// Indexes by release id, under `<data dir>/search/`.
pub(crate) struct IndexCache {
    root: PathBuf,
    cells: Mutex<HashMap<String, Cell>>,
}

impl IndexCache {
    /// The cache of indexes under `root`; directories left by an interrupted build are removed.
    pub(crate) fn new(root: PathBuf) -> IndexCache {
        SearchIndex::clean_unfinished(&root);
        IndexCache { root, cells: Mutex::default() }
    }

    fn cell(&self, id: &str) -> Result<Cell> {
        let mut cells = self.cells.lock().map_err(|_| Error::Internal("search index cache poisoned".into()))?;
        Ok(cells.entry(id.to_owned()).or_default().clone())
    }

    /// The index of a release: cached, else opened from disk, else built from `corpus()` (which
    /// is called only then). Concurrent callers for the same release wait for one build; a
    /// failed build is not cached.
    pub(crate) fn get<'r>(
        &self,
        key: &IndexKey<'_>,
        corpus: impl FnOnce() -> Result<Vec<(&'r str, Concept)>>,
    ) -> Result<Arc<SearchIndex>> {
        let cell = self.cell(key.id)?;
        crate::metrics::cache(crate::metrics::Cache::SearchIndex, cell.get().is_some());
        cell.get_or_try_init(|| self.open_or_build(key, corpus)).cloned()
    }

    /// Whether the index of a release is loaded (opened or built) in memory.
    pub(crate) fn loaded(&self, id: &str) -> bool {
        self.cells.lock().ok().is_some_and(|c| c.get(id).is_some_and(|cell| cell.get().is_some()))
    }

    fn open_or_build<'r>(
        &self,
        key: &IndexKey<'_>,
        corpus: impl FnOnce() -> Result<Vec<(&'r str, Concept)>>,
    ) -> Result<Arc<SearchIndex>> {
        let started = std::time::Instant::now();
        match SearchIndex::open(&self.root, key) {
            Ok(index) => {
                tracing::info!(release.id = %key.id, ms = started.elapsed().as_millis() as u64, "Opened the search index of release {}", key.id);
                crate::metrics::index_loaded(key.id, index.documents(), started.elapsed().as_secs_f64());
                return Ok(Arc::new(index));
            }
            Err(SearchError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(release.id = %key.id, error = %e, "Rebuilding the search index of release {}", key.id)
            }
        }
        let concepts = corpus()?;
        std::fs::create_dir_all(&self.root).map_err(|e| SearchError::Io { path: self.root.clone(), source: e })?;
        let index = SearchIndex::build_in(&self.root, key, concepts)?;
        tracing::info!(release.id = %key.id, ms = started.elapsed().as_millis() as u64, "Built the search index of release {}", key.id);
        crate::metrics::index_loaded(key.id, index.documents(), started.elapsed().as_secs_f64());
        Ok(Arc::new(index))
    }

    /// Drops the index built for a release (id and hash) that then failed to commit, from memory
    /// and disk; an index cached under the same id for other content (a publish that won) stays.
    pub(crate) fn forget(&self, id: &str, sha256: &str) {
        let Ok(mut cells) = self.cells.lock() else { return };
        let built_for_it = cells.get(id).and_then(|c| c.get()).is_some_and(|i| i.is_for(&self.root, sha256));
        if built_for_it {
            if let Some(index) = cells.remove(id).and_then(|c| c.get().cloned()) {
                index.remove_files();
            }
        }
    }
}
