//! `LoadError`: what went wrong in a file and exactly where.

use std::fmt;

/// Result of a loader.
pub type Result<T, E = LoadError> = std::result::Result<T, E>;

/// A field of a layout: its 0-based index and official name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRef {
    /// 0-based column index in the published layout.
    pub index: usize,
    /// The official field name (e.g. `傷病名コード`).
    pub name: String,
}

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The file name as given to the loader.
    pub file: String,
    /// 1-based line number of the start of the record (0 when unknown).
    pub line: u64,
    /// 1-based record number (0 when unknown).
    pub record: u64,
    /// The field, when the problem is in one.
    pub field: Option<FieldRef>,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// Bytes that are not valid in the file's encoding.
    #[error("bytes that are not valid {encoding}; the official file is {encoding}: re-download it or convert it back")]
    Encoding {
        /// The expected encoding.
        encoding: &'static str,
    },
    /// A record with the wrong number of fields.
    #[error("{found} fields where the published layout has {expected}: is this the right file or format?")]
    FieldCount {
        /// Fields in the published layout.
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A required field is empty.
    #[error("empty {what}: every record needs one")]
    Empty {
        /// What is missing (e.g. "code").
        what: &'static str,
    },
    /// A value that does not have the published form.
    #[error("invalid value {value:?}: expected {expected}")]
    Invalid {
        /// The value found.
        value: String,
        /// What the layout requires.
        expected: &'static str,
    },
    /// A date that is not a real calendar date.
    #[error("impossible date {value:?}: expected YYYYMMDD (or 99999999 for none)")]
    Date {
        /// The value found.
        value: String,
    },
    /// The same code twice in one file.
    #[error("duplicate code {code:?}, first seen on line {first_line}")]
    Duplicate {
        /// The repeated code.
        code: String,
        /// Line of the first occurrence.
        first_line: u64,
    },
    /// The file is not valid CSV (e.g. an unterminated quote).
    #[error("malformed CSV: {message}")]
    Csv {
        /// The CSV reader's description.
        message: String,
    },
    /// The file is not valid JSON, or not the JSON shape the format publishes.
    #[error("malformed JSON: {message}")]
    Json {
        /// The JSON reader's description (with line and column).
        message: String,
    },
    /// A change-file row that contradicts the version it applies to.
    #[error("code {code:?} {reason}: apply change files in date order on the version they follow")]
    PatchConflict {
        /// The code.
        code: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A header row without a column the format needs.
    #[error("no column {column:?} in the header row: is this the official layout?")]
    MissingColumn {
        /// The column name.
        column: String,
    },
    /// The file has no records at all.
    #[error("no records: the file is empty")]
    NoRecords,
    /// No loader recognises the file.
    #[error("unknown format: none of the known formats ({known}) recognises this file; pass --format")]
    UnknownFormat {
        /// The known format names.
        known: String,
    },
}

/// A problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    kind: LoadErrorKind,
    position: Option<Position>,
}

impl LoadError {
    /// An error at a position.
    pub fn at(kind: LoadErrorKind, position: Position) -> Self {
        Self { kind, position: Some(position) }
    }
    /// An error about a whole file.
    pub fn file(kind: LoadErrorKind, file: &str) -> Self {
        Self { kind, position: Some(Position { file: file.to_owned(), line: 0, record: 0, field: None }) }
    }
    /// What went wrong.
    pub fn kind(&self) -> &LoadErrorKind {
        &self.kind
    }
    /// Where, when known.
    pub fn position(&self) -> Option<&Position> {
        self.position.as_ref()
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.position {
            None => write!(f, "{}", self.kind),
            // Files without lines (JSON): the record and the path of the field, when known.
            Some(p) if p.line == 0 => {
                write!(f, "{}", p.file)?;
                if p.record > 0 {
                    write!(f, ": record {}", p.record)?;
                }
                if let Some(field) = &p.field {
                    write!(f, " (field \"{}\")", field.name)?;
                }
                write!(f, ": {}", self.kind)
            }
            Some(p) => {
                write!(f, "{}: record {} (line {}", p.file, p.record, p.line)?;
                if let Some(field) = &p.field {
                    write!(f, ", field {} \"{}\"", field.index + 1, field.name)?;
                }
                write!(f, "): {}", self.kind)
            }
        }
    }
}

impl std::error::Error for LoadError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_record_line_and_field() {
        let e = LoadError::at(
            LoadErrorKind::Empty { what: "code" },
            Position {
                file: "b_20240601.txt".into(),
                line: 18,
                record: 17,
                field: Some(FieldRef { index: 2, name: "傷病名コード".into() }),
            },
        );
        assert_eq!(
            e.to_string(),
            "b_20240601.txt: record 17 (line 18, field 3 \"傷病名コード\"): empty code: every record needs one"
        );
    }
}
