//! Reading official files from disk: gzip, format detection, hashing, parsing.
//!
//! Everything here happens before anything is written: a set of files either parses completely
//! or the import fails with the first problem, naming file, line and field.

use std::io::Read;
use std::path::{Path, PathBuf};

use henkan_loaders::{LoadError, Loaded, Loader, SourceFile};
use sha2::{Digest, Sha256};

use crate::model::SourceFileInfo;

/// Errors of the import layer.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}; check the path and permissions")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A `.gz` file that does not decompress.
    #[error("{path} is not a valid gzip file ({source}); re-download it or give the uncompressed file")]
    Gzip {
        /// The file.
        path: PathBuf,
        /// The decoder error.
        source: std::io::Error,
    },
    /// A problem inside a file.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// `--format` names no loader.
    #[error("unknown format {given:?}; known formats: {known}")]
    UnknownFormatName {
        /// What was given.
        given: String,
        /// The known names.
        known: String,
    },
    /// No version label in the file name and none given.
    #[error("cannot tell the version of {path} from its name (official names carry a date, e.g. b_20240601.txt): pass --version")]
    NoVersion {
        /// The file.
        path: PathBuf,
    },
    /// Two files of the same code system in one import.
    #[error("{first} and {second} are both {system}: import (and publish) one version of a code system at a time")]
    SameSystemTwice {
        /// Code system slug.
        system: String,
        /// First file.
        first: String,
        /// Second file.
        second: String,
    },
    /// A change file with no previous version to apply to.
    #[error("{file} is a change file of {system}, but neither the draft nor the latest release holds a version of {system} to apply it to: import the full master first")]
    NoBase {
        /// The change file.
        file: String,
        /// Code system slug.
        system: String,
    },
    /// Nothing given.
    #[error("no files to import: name at least one official master file")]
    NoFiles,
}

/// One parsed input file.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    /// Provenance of the file.
    pub(crate) info: SourceFileInfo,
    /// Version label to store it under.
    pub(crate) version: String,
    /// What the loader produced.
    pub(crate) loaded: Loaded,
}

/// Reads a file, decompressing `*.gz`.
fn read_bytes(path: &Path) -> Result<Vec<u8>, ImportError> {
    let raw = std::fs::read(path).map_err(|source| ImportError::Io { path: path.to_owned(), source })?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::with_capacity(raw.len() * 4);
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|source| ImportError::Gzip { path: path.to_owned(), source })?;
        return Ok(out);
    }
    Ok(raw)
}

fn known_formats() -> String {
    henkan_loaders::registry().iter().map(|l| l.format()).collect::<Vec<_>>().join(", ")
}

/// Reads and parses one file with the given format, or the detected one.
pub(crate) fn parse_file(path: &Path, format: Option<&str>, version: Option<&str>) -> Result<ParsedFile, ImportError> {
    let bytes = read_bytes(path)?;
    let display = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let name = display.strip_suffix(".gz").unwrap_or(&display).to_owned();
    let file = SourceFile { name: &name, bytes: &bytes };
    let loader: &dyn Loader = match format {
        Some(f) => henkan_loaders::by_format(f)
            .ok_or_else(|| ImportError::UnknownFormatName { given: f.to_owned(), known: known_formats() })?,
        None => henkan_loaders::detect(&file).ok_or_else(|| {
            LoadError::file(henkan_loaders::LoadErrorKind::UnknownFormat { known: known_formats() }, &name)
        })?,
    };
    let started = std::time::Instant::now();
    let loaded = loader.load(&file)?;
    let version = version
        .map(str::to_owned)
        .or_else(|| loaded.version.clone())
        .ok_or_else(|| ImportError::NoVersion { path: path.to_owned() })?;
    tracing::info!(
        file = %name, format = loader.format(), system = loaded.system, version = %version,
        concepts = loaded.concepts.len(), ms = started.elapsed().as_millis() as u64,
        "Parsed {name}"
    );
    Ok(ParsedFile {
        info: SourceFileInfo {
            name,
            format: loader.format().to_owned(),
            sha256: hex::encode(Sha256::digest(&bytes)),
            bytes: bytes.len() as u64,
        },
        version,
        loaded,
    })
}

/// Parses every file (nothing is written), refusing two versions of one system at once.
pub(crate) fn parse_all(
    paths: &[PathBuf],
    format: Option<&str>,
    version: Option<&str>,
    mut progress: impl FnMut(&Path),
) -> Result<Vec<ParsedFile>, ImportError> {
    if paths.is_empty() {
        return Err(ImportError::NoFiles);
    }
    let mut out: Vec<ParsedFile> = Vec::new();
    for path in paths {
        progress(path);
        let parsed = parse_file(path, format, version)?;
        if let Some(prev) = out.iter().find(|p| p.loaded.system == parsed.loaded.system) {
            return Err(ImportError::SameSystemTwice {
                system: parsed.loaded.system.to_owned(),
                first: prev.info.name.clone(),
                second: parsed.info.name.clone(),
            });
        }
        out.push(parsed);
    }
    Ok(out)
}
