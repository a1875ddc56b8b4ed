//! Exports of a release that other engines read: every code system and mapping table (or those
//! named) as CSV, TSV, NDJSON or Parquet, mapping tables as SSSOM TSV or FHIR R4 ConceptMap JSON,
//! each with a `manifest.json` (release, content hash, upstream versions, notices, and each file's
//! row count and SHA-256). The Parquet export is the release bundle `translate-file --bundle`
//! reads ([`bundle`]). One file per format: `delimited.rs`, `parquet.rs`, `sssom.rs`,
//! `conceptmap.rs`. An export is written into a temporary directory renamed into place when
//! complete.

pub mod bundle;
pub(crate) mod conceptmap;
mod delimited;
mod parquet;
mod sssom;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::{CodeShape, Mapping, Release, ReleaseMapping, Status};

crate::vocabulary! {
    /// What an export writes.
    pub enum ExportFormat {
        /// CSV with a header, one file per code system and mapping table.
        Csv = "csv",
        /// TSV with a header.
        Tsv = "tsv",
        /// One JSON object per line.
        Ndjson = "ndjson",
        /// Apache Parquet: the release bundle.
        Parquet = "parquet",
        /// SSSOM TSV with its metadata block, one file per mapping table.
        Sssom = "sssom",
        /// FHIR R4 ConceptMap JSON, one resource per mapping table.
        FhirConceptmap = "fhir-conceptmap",
    }
}

impl ExportFormat {
    /// Whether the format writes code systems too (SSSOM and ConceptMap hold mappings only).
    fn has_systems(self) -> bool {
        !matches!(self, ExportFormat::Sssom | ExportFormat::FhirConceptmap)
    }

    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Tsv => "tsv",
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Parquet => "parquet",
            ExportFormat::Sssom => "sssom.tsv",
            ExportFormat::FhirConceptmap => "json",
        }
    }
}

/// One concept of an exported code system.
#[derive(Debug, Clone)]
pub(crate) struct ConceptRow {
    pub(crate) code: String,
    pub(crate) display: String,
    pub(crate) status: Status,
    pub(crate) successor: Option<String>,
    /// The code a retired code translates as (its successor chain, followed in the release).
    pub(crate) forward_to: Option<String>,
}

/// An exported code system: its slug and concepts in code order.
pub(crate) struct SystemRows {
    pub(crate) system: String,
    pub(crate) rows: Vec<ConceptRow>,
}

/// One row of an exported mapping table: the row, the source's display, and its rank among the
/// source code's translatable targets (1 = the one translate answers).
#[derive(Debug, Clone)]
pub(crate) struct MappingRow {
    pub(crate) source_display: String,
    pub(crate) rank: Option<i32>,
    pub(crate) mapping: Mapping,
}

/// An exported mapping table.
pub(crate) struct TableRows {
    pub(crate) header: ReleaseMapping,
    pub(crate) rows: Vec<MappingRow>,
}

/// A column value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Str(&'a str),
    Null,
    Int(i32),
    Float(f32),
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(v: Option<&'a str>) -> Cell<'a> {
        v.map_or(Cell::Null, Cell::Str)
    }
}

/// The kind of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    OptText,
    OptInt,
    Float,
}

/// The columns of an exported code system.
pub(crate) const SYSTEM_COLUMNS: [(&str, Kind); 6] = [
    ("system", Kind::Text),
    ("code", Kind::Text),
    ("display", Kind::Text),
    ("status", Kind::Text),
    ("successor", Kind::OptText),
    ("forward_to", Kind::OptText),
];

/// The columns of an exported mapping table.
pub(crate) const MAPPING_COLUMNS: [(&str, Kind); 18] = [
    ("table", Kind::Text),
    ("source_system", Kind::Text),
    ("source_code", Kind::Text),
    ("source_display", Kind::Text),
    ("rank", Kind::OptInt),
    ("target_system", Kind::Text),
    ("target_code", Kind::OptText),
    ("target_display", Kind::OptText),
    ("relationship", Kind::OptText),
    ("no_map_reason", Kind::OptText),
    ("method", Kind::Text),
    ("score", Kind::Float),
    ("review_state", Kind::Text),
    ("author", Kind::Text),
    ("reviewer", Kind::OptText),
    ("comment", Kind::OptText),
    ("evidence", Kind::Text),
    ("created_at", Kind::Text),
];

impl SystemRows {
    pub(crate) fn cells<'a>(&'a self, r: &'a ConceptRow) -> [Cell<'a>; 6] {
        [
            Cell::Str(&self.system),
            Cell::Str(&r.code),
            Cell::Str(&r.display),
            Cell::Str(r.status.as_str()),
            r.successor.as_deref().into(),
            r.forward_to.as_deref().into(),
        ]
    }
}

impl TableRows {
    pub(crate) fn cells<'a>(&'a self, r: &'a MappingRow) -> [Cell<'a>; 18] {
        let m = &r.mapping;
        [
            Cell::Str(&self.header.table),
            Cell::Str(&self.header.source_system),
            Cell::Str(&m.source_code),
            Cell::Str(&r.source_display),
            r.rank.map_or(Cell::Null, Cell::Int),
            Cell::Str(&self.header.target_system),
            m.target_code.as_deref().into(),
            m.target_display.as_deref().into(),
            m.relationship.map(|x| x.as_str()).into(),
            m.no_map_reason.map(|x| x.as_str()).into(),
            Cell::Str(m.method.as_str()),
            Cell::Float(m.score),
            Cell::Str(m.review_state.as_str()),
            Cell::Str(&m.author),
            m.reviewer.as_deref().into(),
            m.comment.as_deref().into(),
            Cell::Str(&m.evidence_text),
            Cell::Str(&m.created_at),
        ]
    }
}

/// What the export read its rows from: the release and its content, one system or table at a
/// time.
pub(crate) trait Content {
    /// The release exported.
    fn release(&self) -> &Release;
    /// A code system's rows.
    fn system(&self, slug: &str) -> Result<SystemRows>;
    /// A mapping table's rows.
    fn table(&self, table: &ReleaseMapping) -> Result<TableRows>;
}

/// One exported file in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Path inside the export directory.
    pub path: String,
    /// Data rows.
    pub rows: u64,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// An exported code system in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SystemEntry {
    /// Slug.
    pub system: String,
    /// Canonical URI.
    pub uri: String,
    /// Version in the release.
    pub version: String,
    /// The shape of its codes as a regular expression (anything else is `invalid-code`).
    pub code_pattern: String,
    /// The file, its rows and hash.
    #[serde(flatten)]
    pub file: FileEntry,
}

/// An exported mapping table in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableEntry {
    /// Table name.
    pub table: String,
    /// Source system slug and version.
    pub source_system: String,
    /// Source version.
    pub source_version: String,
    /// Target system slug.
    pub target_system: String,
    /// Target version.
    pub target_version: String,
    /// Generator and policy.
    pub generator: String,
    /// The file, its rows and hash.
    #[serde(flatten)]
    pub file: FileEntry,
}

/// `manifest.json` of an export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Release id.
    pub release: String,
    /// The release's content hash.
    pub release_sha256: String,
    /// When the release was published.
    pub release_created_at: String,
    /// The export format.
    pub format: ExportFormat,
    /// Code systems exported.
    pub systems: Vec<SystemEntry>,
    /// Mapping tables exported.
    pub tables: Vec<TableEntry>,
    /// Attribution and licence notices that travel with the content.
    pub notices: Vec<String>,
    /// Every file with its rows and SHA-256.
    pub files: Vec<FileEntry>,
}

/// Exports `content` as `format` into `out` (which must not exist, or be an empty directory),
/// limited to the systems and tables named in `only` (slugs, URIs or table names; empty: all).
pub(crate) fn export(content: &dyn Content, format: ExportFormat, out: &Path, only: &[String]) -> Result<Manifest> {
    let release = content.release();
    let wanted =
        |name: &str, uri: Option<&str>| only.is_empty() || only.iter().any(|o| o == name || Some(o.as_str()) == uri);
    for o in only {
        let known = release.systems.iter().any(|s| &s.system == o || &s.uri == o)
            || release.mappings.iter().any(|m| &m.table == o);
        if !known {
            return Err(Error::InvalidRequest {
                field: "only".into(),
                message: format!("release {} has no code system or mapping table {o:?}", release.id),
            });
        }
    }
    if out.exists() && std::fs::read_dir(out).map_err(|e| io(out, &e))?.next().is_some() {
        return Err(Error::InvalidRequest {
            field: "out".into(),
            message: format!("{} exists and is not empty: give a new directory", out.display()),
        });
    }
    let tmp = staging_dir(out);
    let _ = std::fs::remove_dir_all(&tmp);
    let written = write_all(content, format, &tmp, &wanted);
    let manifest = match written {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    if out.exists() {
        std::fs::remove_dir(out).map_err(|e| io(out, &e))?;
    }
    std::fs::rename(&tmp, out).map_err(|e| io(out, &e))?;
    Ok(manifest)
}

fn staging_dir(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
    out.with_file_name(format!(".{name}.henkan-{}.tmp", std::process::id()))
}

fn write_all(
    content: &dyn Content,
    format: ExportFormat,
    dir: &Path,
    wanted: &dyn Fn(&str, Option<&str>) -> bool,
) -> Result<Manifest> {
    let release = content.release();
    std::fs::create_dir_all(dir.join("mappings")).map_err(|e| io(dir, &e))?;
    let mut manifest = Manifest {
        release: release.id.clone(),
        release_sha256: release.sha256.clone(),
        release_created_at: release.created_at.clone(),
        format,
        systems: Vec::new(),
        tables: Vec::new(),
        notices: release.notices.clone(),
        files: Vec::new(),
    };
    if format.has_systems() {
        std::fs::create_dir_all(dir.join("systems")).map_err(|e| io(dir, &e))?;
        for s in release.systems.iter().filter(|s| wanted(&s.system, Some(&s.uri))) {
            let rows = content.system(&s.system)?;
            let path = format!("systems/{}.{}", s.system, format.extension());
            let n = write_system(format, &dir.join(&path), &rows)?;
            let file = entry(dir, path, n)?;
            manifest.files.push(file.clone());
            manifest.systems.push(SystemEntry {
                system: s.system.clone(),
                uri: s.uri.clone(),
                version: s.version.clone(),
                code_pattern: CodeShape::of(&s.system).pattern(),
                file,
            });
        }
    }
    for m in release.mappings.iter().filter(|m| wanted(&m.table, None)) {
        let rows = content.table(m)?;
        let path = format!("mappings/{}.{}", m.table, format.extension());
        let n = write_table(format, &dir.join(&path), &rows, release)?;
        let file = entry(dir, path, n)?;
        manifest.files.push(file.clone());
        manifest.tables.push(TableEntry {
            table: m.table.clone(),
            source_system: m.source_system.clone(),
            source_version: m.source_version.clone(),
            target_system: m.target_system.clone(),
            target_version: m.target_version.clone(),
            generator: m.generator.clone(),
            file,
        });
    }
    let text = serde_json::to_vec_pretty(&manifest).expect("manifests serialise");
    std::fs::write(dir.join("manifest.json"), text).map_err(|e| io(dir, &e))?;
    Ok(manifest)
}

fn write_system(format: ExportFormat, path: &Path, rows: &SystemRows) -> Result<u64> {
    let cells = rows.rows.iter().map(|r| rows.cells(r).to_vec());
    match format {
        ExportFormat::Parquet => parquet::write(path, &SYSTEM_COLUMNS, cells),
        _ => delimited::write(format, path, &SYSTEM_COLUMNS, cells),
    }
}

fn write_table(format: ExportFormat, path: &Path, rows: &TableRows, release: &Release) -> Result<u64> {
    let cells = rows.rows.iter().map(|r| rows.cells(r).to_vec());
    match format {
        ExportFormat::Parquet => parquet::write(path, &MAPPING_COLUMNS, cells),
        ExportFormat::Sssom => sssom::write(path, rows, release),
        ExportFormat::FhirConceptmap => conceptmap::write(path, rows, release),
        _ => delimited::write(format, path, &MAPPING_COLUMNS, cells),
    }
}

fn entry(dir: &Path, path: String, rows: u64) -> Result<FileEntry> {
    let full = dir.join(&path);
    let mut hasher = Sha256::new();
    let mut f = std::fs::File::open(&full).map_err(|e| io(&full, &e))?;
    std::io::copy(&mut f, &mut hasher).map_err(|e| io(&full, &e))?;
    Ok(FileEntry { path, rows, sha256: hex::encode(hasher.finalize()) })
}

pub(crate) fn io(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::Internal(format!("cannot write {}: {e}", path.display()))
}
