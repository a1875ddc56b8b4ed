//! Carrying out the plan of the default data ([`crate::bootstrap`]).

use std::path::{Path, PathBuf};

use super::{PublishRequest, Service, BUNDLED_PUBLISHER};
use crate::bootstrap::{shipped_decisions, Plan};
use crate::error::Result;
use crate::model::Release;

impl Service {
    /// On an empty data directory (or one whose bootstrap was interrupted), imports and
    /// publishes the bundled official masters as described by `masters/default.toml`.
    /// Returns the releases it published (none when the directory already had data).
    pub fn bootstrap(&self, masters_dir: &Path, mut progress: impl FnMut(&str)) -> Result<Vec<Release>> {
        let fresh = self.store.latest_release()?.is_none() && self.store.draft()?.systems.is_empty();
        if !fresh && !self.store.bootstrap_pending()? {
            return Ok(vec![]);
        }
        let plan = Plan::read(masters_dir)?;
        self.store.set_bootstrap(true)?;
        self.store.discard_draft()?;
        // Curated decisions apply when the tables are derived below.
        if self.store.all_decisions().next().is_none() {
            for f in shipped_decisions(masters_dir) {
                let n = self.import_decisions(&f, "bootstrap")?;
                tracing::info!(file = %f.display(), decisions = n, "Imported curated decisions");
            }
        }
        let mut published = Vec::new();
        let last = plan.release.len().saturating_sub(1);
        for (n, planned) in plan.release.iter().enumerate() {
            if self.store.release(&planned.id)?.is_some() {
                continue;
            }
            progress(&planned.id);
            for group in &planned.import {
                let paths: Vec<PathBuf> = group.files.iter().map(|f| masters_dir.join(f)).collect();
                self.import(&paths, None, group.version.as_deref(), |_| {})?;
            }
            for d in &planned.derive {
                let paths: Vec<PathBuf> = d.files.iter().map(|f| masters_dir.join(f)).collect();
                self.derive(d.generator, &paths)?;
            }
            // Only the latest release's index is built now; the others are searched less.
            let req = PublishRequest {
                id: planned.id.clone(),
                publisher: BUNDLED_PUBLISHER.to_owned(),
                notes: planned.notes.clone(),
            };
            published.push(self.publish_indexed(&req, n == last)?);
        }
        self.store.set_bootstrap(false)?;
        Ok(published)
    }
}
