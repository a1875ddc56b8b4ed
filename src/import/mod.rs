//! Reading official files from disk: gzip, format detection, hashing, parsing.
//!
//! Everything here happens before anything is written: a set of files either parses completely
//! or the import fails with the first problem, naming file, line and field.

pub(crate) mod validate;

use std::io::Read;
use std::path::{Path, PathBuf};

use henkan_loaders::{ConceptRecord, LoadError, Loaded, Loader, Patch, SourceFile};
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
    /// Two files of one code system that cannot form one version.
    #[error("{first} and {second} are both {system} but cannot form one version ({why}): import (and publish) one version of a code system at a time, or pass --version if they belong together")]
    SameSystemTwice {
        /// Code system slug.
        system: String,
        /// First file.
        first: String,
        /// Second file.
        second: String,
        /// Why they cannot be combined.
        why: String,
    },
    /// A change file with no previous version to apply to.
    #[error("{file} is a change file of {system}, but neither the draft nor the latest release holds a version of {system} to apply it to: import the full master first")]
    NoBase {
        /// The change file.
        file: String,
        /// Code system slug.
        system: String,
    },
    /// A crosswalk that henkan does not import as a table (the 11→10 direction).
    #[error("{file} is the {table} crosswalk ({rows} rows): import it with its default format, which loads its ICD-11 entities; only the 10→11 tables import as a mapping table")]
    Crosswalk {
        /// The file.
        file: String,
        /// Crosswalk table name.
        table: String,
        /// Number of rows.
        rows: usize,
    },
    /// A file given as a crosswalk that is not one.
    #[error("{file} is not a WHO ICD-10 ↔ ICD-11 transition table (10To11MapTo*.txt)")]
    NotACrosswalk {
        /// The file.
        file: String,
    },
    /// A JLAC10 code with a segment missing from the JSLM tables of the same release.
    #[error("{file}: JLAC10 code {code}: {segment} {value:?} is not in the JSLM tables ({tables}); load the matching JSLM edition or correct the code")]
    Jlac10Segment {
        /// The file.
        file: String,
        /// The code.
        code: String,
        /// Which segment.
        segment: &'static str,
        /// Its value.
        value: String,
        /// Which tables were used.
        tables: String,
    },
    /// A relation whose end is not a concept of the version it is imported with.
    #[error("{file}: line {line}: {what} is not a concept of {version} in this import: import the relations file together with the concept file of the same version (e.g. RXNCONSO.RRF with RXNREL.RRF)")]
    RelationEnd {
        /// The relations file.
        file: String,
        /// Line in it.
        line: u64,
        /// Which end of which relation (`91348 (subject of consists_of)`).
        what: String,
        /// Code system and version (`rxnorm 2025-10-06`).
        version: String,
    },
    /// Nothing given.
    #[error("no files to import: name at least one official master file")]
    NoFiles,
}

/// One parsed input file.
#[derive(Debug)]
struct ParsedFile {
    info: SourceFileInfo,
    /// Version label from `--version`, else from the file.
    version: Option<String>,
    loaded: Loaded,
}

/// One code system version to write: one file, or several files of the same system and version
/// combined (the first file holding a code gives its record; later ones only add what it lacks),
/// or one change file, applied on the version before it (in this import, else the draft's or the
/// latest release's).
#[derive(Debug)]
pub(crate) struct ParsedVersion {
    pub(crate) system: &'static str,
    pub(crate) version: String,
    pub(crate) files: Vec<SourceFileInfo>,
    /// Complete concepts (empty for a change file).
    pub(crate) concepts: Vec<ConceptRecord>,
    /// For a change file: patches on the previous version.
    pub(crate) patches: Vec<Patch>,
    /// Notes of the loaders (format-defined merges, …).
    pub(crate) notes: Vec<String>,
    /// Crosswalk rows to store as an imported mapping table (WHO 10→11 tables).
    pub(crate) crosswalks: Vec<henkan_loaders::who_icd::Crosswalk>,
    /// Relations from relations files, with the file each came from (applied by `parse_all`).
    relations: Vec<(String, henkan_loaders::Relation)>,
}

impl ParsedVersion {
    /// Adds another file of the same full version: its concepts fill in (or add to) the ones
    /// read so far, by code.
    fn merge(&mut self, f: ParsedFile) {
        let mut index: std::collections::HashMap<String, usize> =
            self.concepts.iter().enumerate().map(|(i, c)| (c.code.clone(), i)).collect();
        for c in f.loaded.concepts {
            match index.get(&c.code) {
                Some(&i) => self.concepts[i].fill_from(c),
                None => {
                    index.insert(c.code.clone(), self.concepts.len());
                    self.concepts.push(c);
                }
            }
        }
        self.relations.extend(f.loaded.relations.into_iter().map(|r| (f.info.name.clone(), r)));
        self.files.push(f.info);
        self.notes.extend(f.loaded.notes);
        self.crosswalks.extend(f.loaded.crosswalk);
    }

    /// Applies the relations read with this version to its concepts (as set properties of the
    /// subject), checking that both ends are concepts of it.
    fn apply_relations(&mut self) -> Result<(), ImportError> {
        if self.relations.is_empty() {
            return Ok(());
        }
        let index: std::collections::HashMap<String, usize> =
            self.concepts.iter().enumerate().map(|(i, c)| (c.code.clone(), i)).collect();
        let mut sets = henkan_loaders::record::SetMembers::default();
        for (file, r) in std::mem::take(&mut self.relations) {
            let missing = |code: &str, end: &str| ImportError::RelationEnd {
                file: file.clone(),
                line: r.line,
                what: format!("{code} ({end} of {})", r.name),
                version: format!("{} {}", self.system, self.version),
            };
            let &i = index.get(&r.source).ok_or_else(|| missing(&r.source, "subject"))?;
            if !index.contains_key(&r.target) {
                return Err(missing(&r.target, "object"));
            }
            sets.add(&mut self.concepts[i], &r.name, &r.target);
        }
        Ok(())
    }
}

/// Reads a crosswalk file (e.g. a WHO 10→11 table): its rows, edition and provenance.
pub(crate) fn read_crosswalk(
    path: &Path,
) -> Result<(henkan_loaders::who_icd::Crosswalk, Option<String>, SourceFileInfo), ImportError> {
    let bytes = read_bytes(path)?;
    let display = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let name = display.strip_suffix(".gz").unwrap_or(&display).to_owned();
    let file = SourceFile { name: &name, bytes: &bytes };
    let loaded = henkan_loaders::who_icd::WhoIcdCrosswalk.load(&file)?;
    let crosswalk = loaded.crosswalk.ok_or_else(|| ImportError::NotACrosswalk { file: name.clone() })?;
    let info = SourceFileInfo {
        name,
        format: "who-icd-crosswalk".into(),
        sha256: hex::encode(Sha256::digest(&bytes)),
        bytes: bytes.len() as u64,
    };
    Ok((crosswalk, loaded.version, info))
}

/// Reads a data file a generator uses (decompressing `*.gz`), with its provenance.
pub(crate) fn read_source(path: &Path, format: &str) -> Result<(Vec<u8>, SourceFileInfo), ImportError> {
    let bytes = read_bytes(path)?;
    let display = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let name = display.strip_suffix(".gz").unwrap_or(&display).to_owned();
    let info = SourceFileInfo {
        name,
        format: format.into(),
        sha256: hex::encode(Sha256::digest(&bytes)),
        bytes: bytes.len() as u64,
    };
    Ok((bytes, info))
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
fn parse_file(path: &Path, format: Option<&str>, version: Option<&str>) -> Result<ParsedFile, ImportError> {
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
    // A 10→11 table imports as WHO ICD-10 concepts plus its rows (an imported mapping table);
    // the 11→10 table loads as ICD-11 entities through the icd11-who-table format instead.
    if let Some(c) = loaded.crosswalk.as_ref().filter(|c| c.from_system != "icd10-who") {
        return Err(ImportError::Crosswalk { file: name, table: c.table.clone(), rows: c.records.len() });
    }
    let version = version.map(str::to_owned).or_else(|| loaded.version.clone());
    tracing::info!(
        file = %name, format = loader.format(), system = loaded.system, version = ?version,
        concepts = loaded.concepts.len(), patches = loaded.patches.len(), ms = started.elapsed().as_millis() as u64,
        "Parsed {name}"
    );
    for note in &loaded.notes {
        tracing::info!(file = %name, "{note}");
    }
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

/// Parses every file on all cores; the first failing file (in the order given) is the one
/// reported. A file holding several code systems (every segment table of a JLAC10 workbook)
/// gives one parsed file per system.
fn parse_files(
    paths: &[PathBuf],
    format: Option<&str>,
    version: Option<&str>,
    progress: impl Fn(&Path) + Sync,
) -> Result<Vec<ParsedFile>, ImportError> {
    use rayon::prelude::*;
    if paths.is_empty() {
        return Err(ImportError::NoFiles);
    }
    let parsed: Vec<Result<ParsedFile, ImportError>> = paths
        .par_iter()
        .map(|path| {
            progress(path);
            parse_file(path, format, version)
        })
        .collect();
    let mut files = Vec::new();
    for f in parsed {
        let mut f = f?;
        let also = std::mem::take(&mut f.loaded.also);
        let info = f.info.clone();
        files.push(f);
        for loaded in also {
            let version = version.map(str::to_owned).or_else(|| loaded.version.clone());
            files.push(ParsedFile { info: info.clone(), version, loaded });
        }
    }
    Ok(files)
}

/// Parses every file (nothing is written) and groups them into one version per code system.
pub(crate) fn parse_all(
    paths: &[PathBuf],
    format: Option<&str>,
    version: Option<&str>,
    progress: impl Fn(&Path) + Sync,
) -> Result<Vec<ParsedVersion>, ImportError> {
    let files = parse_files(paths, format, version, progress)?;
    // One entry per version: a full version (several files may form it) or one change file.
    let mut out: Vec<(ParsedVersion, Option<String>, String)> = Vec::new();
    for f in files {
        let system = f.loaded.system;
        let change = f.loaded.is_change_file();
        let refuse = |first: &str, why: &str| ImportError::SameSystemTwice {
            system: system.to_owned(),
            first: first.to_owned(),
            second: f.info.name.clone(),
            why: why.to_owned(),
        };
        // Change files of one system form a chain, each applied on the version before it.
        if change {
            if let Some((_, _, first)) =
                out.iter().find(|(v, ver, _)| v.system == system && !v.patches.is_empty() && *ver == f.version)
            {
                return Err(refuse(first, "two change files of the same version"));
            }
        }
        let full = out.iter_mut().find(|(v, _, _)| v.system == system && v.patches.is_empty());
        let (Some((prev, prev_version, first)), false) = (full, change) else {
            let first = f.info.name.clone();
            let v = ParsedVersion {
                system,
                version: String::new(),
                files: vec![f.info],
                concepts: f.loaded.concepts,
                patches: f.loaded.patches,
                notes: f.loaded.notes,
                crosswalks: f.loaded.crosswalk.into_iter().collect(),
                relations: f.loaded.relations.into_iter().map(|r| (first.clone(), r)).collect(),
            };
            out.push((v, f.version, first));
            continue;
        };
        if *prev_version != f.version {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
            return Err(refuse(first, &format!("versions {} and {}", show(prev_version), show(&f.version))));
        }
        prev.merge(f);
    }
    // Per system: its full version first, then its change files in version (date) order.
    let systems: Vec<&'static str> = out.iter().map(|(v, _, _)| v.system).collect();
    let rank = |v: &ParsedVersion| systems.iter().position(|s| *s == v.system).unwrap_or(usize::MAX);
    out.sort_by(|(a, va, _), (b, vb, _)| {
        (rank(a), !a.patches.is_empty(), va).cmp(&(rank(b), !b.patches.is_empty(), vb))
    });
    out.into_iter()
        .map(|(mut v, version, first)| {
            v.version = version.ok_or_else(|| ImportError::NoVersion { path: PathBuf::from(first) })?;
            v.apply_relations()?;
            Ok(v)
        })
        .collect()
}
