//! Reading UTF-8 delimited tables with a header row (CSV with quotes, or tab / pipe separated):
//! LOINC, WHO ICD tables, RxNorm files. Columns are found by header name, so an error can name
//! the missing column; a UTF-8 BOM is ignored.

use std::collections::HashMap;

use crate::error::{FieldRef, LoadError, LoadErrorKind, Position, Result};
use crate::lines::LineCounter;
use crate::SourceFile;

/// How a table is delimited.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialect {
    pub(crate) delimiter: u8,
    /// Whether `"` quotes fields (CSV) or is an ordinary character (tab files).
    pub(crate) quoted: bool,
}

pub(crate) const CSV: Dialect = Dialect { delimiter: b',', quoted: true };
pub(crate) const TSV: Dialect = Dialect { delimiter: b'\t', quoted: false };

/// One data row with access by column name.
pub(crate) struct TableRow<'a> {
    fields: csv::StringRecord,
    columns: &'a HashMap<String, usize>,
    header: &'a [String],
    file: &'a str,
    line: u64,
    record: u64,
}

impl TableRow<'_> {
    fn index(&self, column: &str) -> usize {
        self.columns[column]
    }
    /// Whether the header has this column.
    pub(crate) fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }
    /// Position of a column in this row.
    pub(crate) fn pos(&self, column: &str) -> Position {
        let index = self.index(column);
        Position {
            file: self.file.to_owned(),
            line: self.line,
            record: self.record,
            field: Some(FieldRef { index, name: self.header[index].clone() }),
        }
    }
    /// A field, trimmed; empty if the row is short.
    pub(crate) fn get(&self, column: &str) -> &str {
        self.fields.get(self.index(column)).unwrap_or("").trim()
    }
    /// A field or `None` when empty.
    pub(crate) fn opt(&self, column: &str) -> Option<String> {
        Some(self.get(column)).filter(|s| !s.is_empty()).map(str::to_owned)
    }
    /// Copies the non-empty fields of the given columns (those the header has) into properties.
    pub(crate) fn copy_properties(
        &self,
        properties: &mut std::collections::BTreeMap<String, String>,
        columns: &[(&str, &str)],
    ) {
        for (col, prop) in columns {
            if self.has(col) {
                if let Some(v) = self.opt(col) {
                    properties.insert((*prop).to_owned(), v);
                }
            }
        }
    }
    /// A field that must not be empty.
    pub(crate) fn required(&self, column: &str, what: &'static str) -> Result<&str> {
        let v = self.get(column);
        if v.is_empty() {
            return Err(LoadError::at(LoadErrorKind::Empty { what }, self.pos(column)));
        }
        Ok(v)
    }
    /// Checks a field against the published form.
    pub(crate) fn check(&self, column: &str, expected: &'static str, ok: impl Fn(&str) -> bool) -> Result<()> {
        let v = self.get(column);
        if ok(v) {
            Ok(())
        } else {
            Err(LoadError::at(LoadErrorKind::Invalid { value: v.to_owned(), expected }, self.pos(column)))
        }
    }
    /// The line the row starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }
}

/// The cells of a file's first line (BOM stripped, quotes and spaces trimmed); empty when the
/// first line is longer than any table header (see [`crate::first_line`]).
pub(crate) fn header_cells(bytes: &[u8], dialect: Dialect) -> Vec<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Some(first) = crate::first_line(bytes) else { return Vec::new() };
    String::from_utf8_lossy(first)
        .trim_end_matches(['\r', '\n'])
        .split(dialect.delimiter as char)
        .map(|c| c.trim().trim_matches('"').to_owned())
        .collect()
}

/// Whether the first line of a file (BOM stripped) starts with these header cells.
pub(crate) fn header_starts_with(bytes: &[u8], dialect: Dialect, cells: &[&str]) -> bool {
    let got = header_cells(bytes, dialect);
    cells.len() <= got.len() && cells.iter().zip(&got).all(|(a, b)| a == b)
}

/// Reads a table, requiring the named columns, calling `each` for every data row.
pub(crate) fn for_each_row(
    file: &SourceFile<'_>,
    dialect: Dialect,
    required_columns: &[&str],
    mut each: impl FnMut(TableRow<'_>) -> Result<()>,
) -> Result<()> {
    let bytes = file.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(file.bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(dialect.delimiter)
        .quoting(dialect.quoted)
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    let mut records = reader.records();
    let at_line = |line: u64, record: u64| Position { file: file.name.to_owned(), line, record, field: None };
    let header: Vec<String> = match records.next() {
        None => return Err(LoadError::file(LoadErrorKind::NoRecords, file.name)),
        Some(Err(e)) => return Err(text_error(file.name, &e)),
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_owned()).collect(),
    };
    let columns: HashMap<String, usize> = header.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
    for column in required_columns {
        if !columns.contains_key(*column) {
            return Err(LoadError::at(LoadErrorKind::MissingColumn { column: (*column).to_owned() }, at_line(1, 0)));
        }
    }
    let mut record = 0u64;
    let mut lines = LineCounter::new(bytes);
    for row in records {
        let fields = row.map_err(|e| text_error(file.name, &e))?;
        record += 1;
        let line = fields.position().map_or(0, |p| lines.line_at(p.byte()));
        // A blank line, or a lone ^Z (0x1A): an MS-DOS end-of-file marker, not a record.
        if fields.iter().all(|f| f.trim().is_empty() || f == "\u{1a}") {
            continue;
        }
        each(TableRow { fields, columns: &columns, header: &header, file: file.name, line, record })?;
    }
    if record == 0 {
        return Err(LoadError::file(LoadErrorKind::NoRecords, file.name));
    }
    Ok(())
}

fn text_error(file: &str, e: &csv::Error) -> LoadError {
    let (line, record) = e.position().map_or((0, 0), |p| (p.line(), p.record()));
    let kind = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => LoadErrorKind::Encoding { encoding: "UTF-8" },
        _ => LoadErrorKind::Csv { message: e.to_string() },
    };
    LoadError::at(kind, Position { file: file.to_owned(), line, record, field: None })
}
