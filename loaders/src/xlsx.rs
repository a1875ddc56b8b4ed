//! Reading official Excel workbooks (.xlsx) with calamine: find a sheet, find its header row
//! below the title lines, and read data rows by column name. Numbers that are codes are given
//! back as integers ("1000", not "1000.0"); dates as ISO dates. Positions name the sheet and the
//! Excel row number.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader, Sheets};

use crate::error::{FieldRef, LoadError, LoadErrorKind, Position, Result};
use crate::SourceFile;

/// An opened workbook.
pub(crate) struct Workbook<'a> {
    file: &'a str,
    sheets: Sheets<Cursor<&'a [u8]>>,
}

/// Whether the bytes are a zip container (xlsx).
pub(crate) fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

impl<'a> Workbook<'a> {
    pub(crate) fn open(file: &'a SourceFile<'a>) -> Result<Self> {
        let sheets = open_workbook_auto_from_rs(Cursor::new(file.bytes)).map_err(|e| {
            LoadError::file(
                LoadErrorKind::Invalid { value: e.to_string(), expected: "an Excel workbook (.xlsx)" },
                file.name,
            )
        })?;
        Ok(Self { file: file.name, sheets })
    }

    /// Sheet names, as published.
    pub(crate) fn sheet_names(&self) -> Vec<String> {
        self.sheets.sheet_names()
    }

    /// A sheet by name (ignoring surrounding spaces, as JSLM's `識別コード ` has one).
    pub(crate) fn sheet(&mut self, name: &str) -> Result<Sheet> {
        let actual = self.sheet_names().into_iter().find(|n| n.trim() == name.trim()).ok_or_else(|| {
            LoadError::file(LoadErrorKind::MissingColumn { column: format!("sheet {name}") }, self.file)
        })?;
        let range = self.sheets.worksheet_range(&actual).map_err(|e| {
            LoadError::file(LoadErrorKind::Invalid { value: e.to_string(), expected: "a readable sheet" }, self.file)
        })?;
        Ok(Sheet { file: format!("{}[{}]", self.file, actual.trim()), range })
    }
}

/// One sheet.
pub(crate) struct Sheet {
    file: String,
    range: Range<Data>,
}

/// A cell as text: strings trimmed, integral numbers without decimals, dates as YYYY-MM-DD.
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => serial_to_date(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

/// Excel's 1900 date system serial (days since 1899-12-30) → `YYYY-MM-DD`.
fn serial_to_date(serial: f64) -> String {
    // Civil-from-days (Howard Hinnant's algorithm), days relative to 1970-01-01.
    let z = serial.floor() as i64 - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A data row of a sheet with its header.
pub(crate) struct SheetRow<'a> {
    cells: &'a [Data],
    columns: &'a HashMap<String, usize>,
    header: &'a [String],
    file: &'a str,
    row: u64,
}

impl SheetRow<'_> {
    /// A cell by column name, as text (empty if absent).
    pub(crate) fn get(&self, column: &str) -> String {
        self.columns.get(column).and_then(|&i| self.cells.get(i)).map(cell_text).unwrap_or_default()
    }
    /// A cell or `None` when empty.
    pub(crate) fn opt(&self, column: &str) -> Option<String> {
        Some(self.get(column)).filter(|s| !s.is_empty())
    }
    /// Copies the non-empty cells of the given columns into properties: (column, property).
    pub(crate) fn copy_properties(
        &self,
        properties: &mut std::collections::BTreeMap<String, String>,
        columns: &[(&str, &str)],
    ) {
        for (col, prop) in columns {
            if let Some(v) = self.opt(col) {
                properties.insert((*prop).to_owned(), v);
            }
        }
    }
    /// A cell by position (for columns the publisher left without a header).
    pub(crate) fn at(&self, index: usize) -> String {
        self.cells.get(index).map(cell_text).unwrap_or_default()
    }
    /// A code cell, left-padded with zeros to `width` when Excel stored it as a number.
    pub(crate) fn code(&self, column: &str, width: usize) -> String {
        let v = self.get(column);
        let numeric = self
            .columns
            .get(column)
            .and_then(|&i| self.cells.get(i))
            .is_some_and(|c| matches!(c, Data::Int(_) | Data::Float(_)));
        if numeric && v.len() < width {
            format!("{v:0>width$}")
        } else {
            v
        }
    }
    /// Position of a cell.
    pub(crate) fn pos(&self, column: &str) -> Position {
        let index = self.columns.get(column).copied().unwrap_or(0);
        Position {
            file: self.file.to_owned(),
            line: self.row,
            record: self.row,
            field: Some(FieldRef { index, name: self.header.get(index).cloned().unwrap_or_default() }),
        }
    }
    /// The Excel row number.
    pub(crate) fn row(&self) -> u64 {
        self.row
    }
    /// Every cell as text (to compare rows).
    pub(crate) fn texts(&self) -> Vec<String> {
        self.cells.iter().map(cell_text).collect()
    }
    /// Whether every cell is empty.
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| cell_text(c).is_empty())
    }
}

impl Sheet {
    /// The header row (the first row holding every `required` column name, after title lines):
    /// its index among the sheet's rows, and its cells as text.
    fn header_row(&self, required: &[&str]) -> Result<(usize, Vec<String>)> {
        let header_at = self
            .range
            .rows()
            .position(|r| {
                let cells: Vec<String> = r.iter().map(cell_text).collect();
                required.iter().all(|c| cells.iter().any(|x| x == c))
            })
            .ok_or_else(|| LoadError::file(LoadErrorKind::MissingColumn { column: required.join(", ") }, &self.file))?;
        let row = self.range.rows().nth(header_at).unwrap_or_default();
        // 更新区分 is headed with its legend, e.g. 更新区分（T：登録、S：削除、H：変更）.
        let header = row
            .iter()
            .map(cell_text)
            .map(|h| if h.starts_with("更新区分") { "更新区分".to_owned() } else { h })
            .collect();
        Ok((header_at, header))
    }

    /// The header row's cells as text (see [`Sheet::for_each_row`] for how it is found).
    pub(crate) fn header(&self, required: &[&str]) -> Result<Vec<String>> {
        Ok(self.header_row(required)?.1)
    }

    /// Finds the header row (the first row holding every `required` column name, after title
    /// lines), then calls `each` for every non-blank row below it.
    pub(crate) fn for_each_row(
        &self,
        required: &[&str],
        mut each: impl FnMut(SheetRow<'_>) -> Result<()>,
    ) -> Result<()> {
        let start_row = u64::from(self.range.start().map_or(0, |(r, _)| r)) + 1;
        let rows: Vec<&[Data]> = self.range.rows().collect();
        let (header_at, header) = self.header_row(required)?;
        let mut columns = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            columns.entry(h.clone()).or_insert(i);
        }
        let mut data = 0;
        for (i, cells) in rows.iter().enumerate().skip(header_at + 1) {
            let row =
                SheetRow { cells, columns: &columns, header: &header, file: &self.file, row: start_row + i as u64 };
            if row.is_blank() {
                continue; // trailing or separating empty rows are layout, not data
            }
            data += 1;
            each(row)?;
        }
        if data == 0 {
            return Err(LoadError::file(LoadErrorKind::NoRecords, &self.file));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::serial_to_date;

    #[test]
    fn excel_serial_dates() {
        assert_eq!(serial_to_date(45_292.0), "2024-01-01");
        assert_eq!(serial_to_date(1.0), "1899-12-31");
        assert_eq!(serial_to_date(45_351.5), "2024-02-29");
    }
}
