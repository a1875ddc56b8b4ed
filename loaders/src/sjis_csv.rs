//! Reading the Japanese masters' CSV: Shift_JIS (CP932), no header, CRLF, quoted fields.
//!
//! Records are split on raw bytes (CP932 trail bytes never equal `"`, `,`, CR or LF, so that is
//! safe), then each field is decoded on its own, so an encoding error names its field.

use std::collections::HashMap;

use crate::date;
use crate::error::{FieldRef, LoadError, LoadErrorKind, Position, Result};
use crate::lines::LineCounter;
use crate::SourceFile;

/// One record, decoded, with what is needed to point at any of its fields.
pub(crate) struct Row<'a> {
    fields: Vec<String>,
    file: &'a str,
    layout: &'static [&'static str],
    line: u64,
    record: u64,
}

impl Row<'_> {
    /// The position of a field of this row.
    pub(crate) fn pos(&self, index: usize) -> Position {
        Position {
            file: self.file.to_owned(),
            line: self.line,
            record: self.record,
            field: Some(FieldRef { index, name: self.layout[index].to_owned() }),
        }
    }
    /// The line this record starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }
    /// A field as published (trimmed of surrounding ASCII spaces); empty when the record is a
    /// shorter, older edition of the layout.
    pub(crate) fn get(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", |f| f.trim_matches(' '))
    }
    /// A field as an owned string, `None` when empty.
    pub(crate) fn opt(&self, index: usize) -> Option<String> {
        Some(self.get(index)).filter(|s| !s.is_empty()).map(str::to_owned)
    }
    /// A field that must not be empty.
    pub(crate) fn required(&self, index: usize, what: &'static str) -> Result<&str> {
        let v = self.get(index);
        if v.is_empty() {
            return Err(LoadError::at(LoadErrorKind::Empty { what }, self.pos(index)));
        }
        Ok(v)
    }
    /// A `YYYYMMDD` date field (`99999999` or empty: none) as ISO `YYYY-MM-DD`.
    pub(crate) fn date(&self, index: usize) -> Result<Option<String>> {
        let v = self.get(index);
        date::parse_yyyymmdd(v)
            .map_err(|()| LoadError::at(LoadErrorKind::Date { value: v.to_owned() }, self.pos(index)))
    }
    /// Checks a field against a predicate describing the published form.
    pub(crate) fn check(&self, index: usize, expected: &'static str, ok: impl Fn(&str) -> bool) -> Result<()> {
        let v = self.get(index);
        if ok(v) {
            Ok(())
        } else {
            Err(LoadError::at(LoadErrorKind::Invalid { value: v.to_owned(), expected }, self.pos(index)))
        }
    }
}

/// Reads every record of a CP932 CSV file with a fixed layout, calling `each` on every row.
/// Records may have from `min_fields` to `layout.len()` fields (older editions of a layout lack
/// the newest trailing fields). Stops at the first error. Fails on an empty file.
pub(crate) fn for_each_row(
    file: &SourceFile<'_>,
    layout: &'static [&'static str],
    min_fields: usize,
    mut each: impl FnMut(Row<'_>) -> Result<()>,
) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(file.bytes);
    let mut raw = csv::ByteRecord::new();
    let mut record = 0u64;
    let mut lines = LineCounter::new(file.bytes);
    loop {
        let more = reader.read_byte_record(&mut raw).map_err(|e| csv_error(file.name, record + 1, &e, &mut lines))?;
        if !more {
            break;
        }
        record += 1;
        let line = raw.position().map_or(0, |p| lines.line_at(p.byte()));
        let at = |index: Option<usize>| Position {
            file: file.name.to_owned(),
            line,
            record,
            field: index
                .map(|i| FieldRef { index: i, name: layout.get(i).copied().unwrap_or("(beyond layout)").to_owned() }),
        };
        // A lone ^Z (0x1A) at the very end is an old MS-DOS end-of-file marker, not a record.
        if raw.len() == 1 && raw[0] == [0x1a] {
            continue;
        }
        if raw.len() < min_fields || raw.len() > layout.len() {
            return Err(LoadError::at(
                LoadErrorKind::FieldCount { expected: layout.len(), found: raw.len() },
                at(None),
            ));
        }
        let mut fields = Vec::with_capacity(raw.len());
        for (i, bytes) in raw.iter().enumerate() {
            let text = encoding_rs::SHIFT_JIS
                .decode_without_bom_handling_and_without_replacement(bytes)
                .ok_or_else(|| LoadError::at(LoadErrorKind::Encoding { encoding: "Shift_JIS (CP932)" }, at(Some(i))))?;
            fields.push(text.into_owned());
        }
        each(Row { fields, file: file.name, layout, line, record })?;
    }
    if record == 0 {
        return Err(LoadError::file(LoadErrorKind::NoRecords, file.name));
    }
    Ok(())
}

fn csv_error(file: &str, record: u64, e: &csv::Error, lines: &mut LineCounter<'_>) -> LoadError {
    let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
    LoadError::at(
        LoadErrorKind::Csv { message: e.to_string() },
        Position { file: file.to_owned(), line, record, field: None },
    )
}

/// Remembers the line of every code seen, to reject duplicates with both places named.
#[derive(Default)]
pub(crate) struct SeenCodes(HashMap<String, u64>);

impl SeenCodes {
    pub(crate) fn insert(&mut self, row: &Row<'_>, index: usize, code: &str) -> Result<()> {
        if let Some(&first_line) = self.0.get(code) {
            return Err(LoadError::at(LoadErrorKind::Duplicate { code: code.to_owned(), first_line }, row.pos(index)));
        }
        self.0.insert(code.to_owned(), row.line());
        Ok(())
    }
}

/// The first record's field at `index`, decoded, for content sniffing (`None` if unreadable).
pub(crate) fn first_field(bytes: &[u8], index: usize) -> Option<String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(crate::first_line(bytes)?);
    let mut raw = csv::ByteRecord::new();
    reader.read_byte_record(&mut raw).ok()?;
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(raw.get(index)?);
    (!bad).then(|| text.into_owned())
}

/// Number of fields of the first record.
pub(crate) fn first_width(bytes: &[u8]) -> Option<usize> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(crate::first_line(bytes)?);
    let mut raw = csv::ByteRecord::new();
    reader.read_byte_record(&mut raw).ok()?;
    Some(raw.len())
}
