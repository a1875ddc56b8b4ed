//! Pure parsers for the official files henkan loads: file bytes in, records out.
//!
//! This crate owns the published layouts (one module per format) and nothing else: it knows
//! nothing of sled, tantivy or axum, and it never writes anywhere. Adding a format is three
//! steps: a module implementing [`Loader`], one line in [`registry`], one fixture and test.
//!
//! Every problem in a file is a [`LoadError`] that names the file, the line (and record) and the
//! field; a file either loads whole or not at all.

mod date;
mod error;
pub mod hot;
pub mod icd11_tabulation;
pub mod ja_icd10;
pub mod jlac10;
mod lines;
pub mod loinc;
pub mod mhlw_drug;
pub mod patch;
pub mod receipt_disease;
pub mod receipt_drug;
pub mod receipt_modifier;
pub mod record;
mod row;
pub mod rxnorm;
pub mod rxnorm_json;
mod sjis_csv;
mod text_table;
pub mod vocabulary;
pub mod who_icd;
mod xlsx;

pub use error::{FieldRef, LoadError, LoadErrorKind, Position, Result};
pub use patch::{Patch, PatchAction};
pub use record::{ConceptRecord, Designation, DesignationUse, Relation, Status};

/// One input file as handed to a loader: its display name (used in every error) and bytes.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile<'a> {
    /// The name used in error messages (normally the file name or path as the user gave it).
    pub name: &'a str,
    /// The file content exactly as published (already decompressed if it was shipped gzipped).
    pub bytes: &'a [u8],
}

/// What one file yields.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// Slug of the code system these concepts belong to (e.g. `jp-receipt-disease`).
    pub system: &'static str,
    /// Version label taken from the file itself or its official name (e.g. `2024-06-01` from
    /// `b_20240601.txt`), when the format defines one.
    pub version: Option<String>,
    /// The concepts, in file order (empty for a change file).
    pub concepts: Vec<ConceptRecord>,
    /// For a change file: the patches to apply, in file order, to the previous version of the
    /// same code system (see [`patch::apply`]).
    pub patches: Vec<Patch>,
    /// What the format's own rules did that a curator should know (e.g. repeated rows merged),
    /// counted; never a silently dropped row.
    pub notes: Vec<String>,
    /// For a crosswalk file: its rows (the file holds no concepts of its own).
    pub crosswalk: Option<who_icd::Crosswalk>,
    /// For a relations file: relations between concepts of the same system and version, which
    /// must come from a concept file imported with it.
    pub relations: Vec<Relation>,
    /// Further code systems read from the same file (e.g. every segment table of a JLAC10
    /// workbook), each a complete `Loaded` of its own.
    pub also: Vec<Loaded>,
}

impl Loaded {
    /// A complete version (not a change file).
    pub(crate) fn full(system: &'static str, version: Option<String>, concepts: Vec<ConceptRecord>) -> Self {
        Self {
            system,
            version,
            concepts,
            patches: Vec::new(),
            notes: Vec::new(),
            crosswalk: None,
            relations: Vec::new(),
            also: Vec::new(),
        }
    }
    /// Whether this is a change file to apply on a previous version.
    pub fn is_change_file(&self) -> bool {
        !self.patches.is_empty()
    }
}

/// A parser for one official format.
pub trait Loader: Sync {
    /// Stable format name, accepted by `henkan import --format`.
    fn format(&self) -> &'static str;
    /// One line for humans: what file this reads.
    fn description(&self) -> &'static str;
    /// Whether this file looks like this format (by official file name and/or content).
    fn detect(&self, file: &SourceFile<'_>) -> bool;
    /// Parses the whole file, or fails with the first problem found.
    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded>;
}

/// Every known format, in detection order.
pub fn registry() -> &'static [&'static dyn Loader] {
    &[
        &receipt_disease::ReceiptDisease,
        &receipt_modifier::ReceiptModifier,
        &receipt_drug::ReceiptDrugChanges,
        &receipt_drug::ReceiptDrug,
        &loinc::LoincTable,
        &loinc::LoincTop2000,
        &icd11_tabulation::Icd11SimpleTabulation,
        &who_icd::Icd11WhoTable,
        &who_icd::WhoIcdCrosswalk,
        &rxnorm::RxNormConceptsTsv,
        &rxnorm::RxNormRrf,
        &rxnorm::RxNormCuiHistory,
        &rxnorm::RxNormRelRrf,
        &rxnorm::RxNormRelationsTsv,
        &rxnorm_json::RxNormPrescribeJson,
        &jlac10::Jlac10Tables,
        &jlac10::JpClinsLab,
        &mhlw_drug::MhlwPriceList,
        &mhlw_drug::MhlwGenericName,
        &hot::HotMaster,
        &ja_icd10::JaIcd10Byomei,
        &ja_icd10::JaIcd10Index,
    ]
}

/// The loader for a format name given by the user.
pub fn by_format(name: &str) -> Option<&'static dyn Loader> {
    registry().iter().copied().find(|l| l.format() == name)
}

/// The first loader that recognises this file.
pub fn detect(file: &SourceFile<'_>) -> Option<&'static dyn Loader> {
    registry().iter().copied().find(|l| l.detect(file))
}

/// The base name of a path-like file name (`masters/x/b_20240601.txt.gz` → `b_20240601.txt`),
/// with a trailing `.gz` removed, for detection by official file name.
pub(crate) fn base_name(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.strip_suffix(".gz").unwrap_or(base)
}

/// The longest first line that content detection looks at. A header or first record of every
/// known table is far shorter; a file whose first line is longer (a one-line JSON file of
/// several megabytes) is not a table, and is not read whole by every detector.
const FIRST_LINE_MAX: usize = 64 * 1024;

/// The first line of a file, with its line end, if it is at most [`FIRST_LINE_MAX`] bytes long
/// (all of a shorter file without a line end).
pub(crate) fn first_line(bytes: &[u8]) -> Option<&[u8]> {
    let head = &bytes[..bytes.len().min(FIRST_LINE_MAX)];
    match head.iter().position(|&b| b == b'\n') {
        Some(end) => Some(&head[..=end]),
        None if bytes.len() <= FIRST_LINE_MAX => Some(bytes),
        None => None,
    }
}

/// `b_20240601.txt` with prefix `b_` → `Some("2024-06-01")`.
pub(crate) fn dated_name_version(name: &str, prefix: &str) -> Option<String> {
    let base = base_name(name);
    let rest = base.strip_prefix(prefix)?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() != 8 {
        return None;
    }
    date::parse_yyyymmdd(&digits).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_comes_from_the_official_file_name() {
        assert_eq!(dated_name_version("b_20240601.txt", "b_").as_deref(), Some("2024-06-01"));
        assert_eq!(dated_name_version("masters/x/b_20240101.txt.gz", "b_").as_deref(), Some("2024-01-01"));
        assert_eq!(dated_name_version("b_2024.txt", "b_"), None);
        assert_eq!(dated_name_version("z_20240601.txt", "b_"), None);
        assert_eq!(dated_name_version("b_20241301.txt", "b_"), None);
    }

    #[test]
    fn detection_reads_only_a_bounded_first_line() {
        assert_eq!(first_line(b"a,b\r\nc,d\r\n"), Some(&b"a,b\r\n"[..]));
        assert_eq!(first_line(b"a,b"), Some(&b"a,b"[..]));
        let long = vec![b'x'; FIRST_LINE_MAX + 1];
        assert_eq!(first_line(&long), None, "a first line longer than any table header is no table");
    }

    #[test]
    fn formats_are_unique_and_findable() {
        for l in registry() {
            assert_eq!(by_format(l.format()).map(|x| x.format()), Some(l.format()));
        }
        assert!(by_format("nope").is_none());
    }
}
