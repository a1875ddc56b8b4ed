//! The plan of the default data: `masters/default.toml` names, release by release, the bundled
//! official files to import and the tables to derive; `mappings/<table>/decisions.tsv` beside it
//! holds the curated decisions that apply to them. The service carries the plan out
//! ([`crate::Service::bootstrap`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::derive::Generator;
use crate::error::{Error, Result};

/// The bundled default-data plan.
#[derive(Debug, Deserialize)]
pub(crate) struct Plan {
    /// Releases to publish, oldest first.
    pub(crate) release: Vec<PlannedRelease>,
}

/// One release of the plan.
#[derive(Debug, Deserialize)]
pub(crate) struct PlannedRelease {
    /// Release id.
    pub(crate) id: String,
    /// Release notes.
    pub(crate) notes: String,
    /// Imports, in order.
    pub(crate) import: Vec<PlannedImport>,
    /// Derivations after the imports.
    #[serde(default)]
    pub(crate) derive: Vec<PlannedDerive>,
}

/// One `henkan derive` of a planned release.
#[derive(Debug, Deserialize)]
pub(crate) struct PlannedDerive {
    /// The generator.
    pub(crate) generator: Generator,
    /// Its files, relative to the masters directory.
    pub(crate) files: Vec<String>,
}

/// One `henkan import` of a planned release.
#[derive(Debug, Deserialize)]
pub(crate) struct PlannedImport {
    /// Files, relative to the masters directory.
    pub(crate) files: Vec<String>,
    /// Version label, when the file names do not carry it.
    pub(crate) version: Option<String>,
}

impl Plan {
    /// Reads `<masters_dir>/default.toml`.
    pub(crate) fn read(masters_dir: &Path) -> Result<Plan> {
        let path = masters_dir.join("default.toml");
        let plan_err = |message: String| Error::MastersPlan { path: path.display().to_string(), message };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| plan_err(format!("{e}; run from the repository root or pass --masters-dir")))?;
        toml::from_str(&text).map_err(|e| plan_err(e.to_string()))
    }
}

/// The curated decision files shipped beside the masters (`../mappings/<table>/decisions.tsv`),
/// in name order.
pub(crate) fn shipped_decisions(masters_dir: &Path) -> Vec<PathBuf> {
    let Some(dir) = masters_dir.parent().map(|p| p.join("mappings")) else { return Vec::new() };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("decisions.tsv"))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}
