//! One data row of a table by column name, whichever container it came in: a delimited text
//! file ([`crate::text_table`]) or an Excel sheet ([`crate::xlsx`]). A format that WHO or a
//! ministry publishes in both (WHO's ICD-11 tabulation as `.txt` and `.xlsx`) reads its rows
//! through this trait, so both containers get the same checks and the same records.

use std::borrow::Cow;

use crate::error::{LoadError, LoadErrorKind, Position, Result};
use crate::text_table::TableRow;
use crate::xlsx::SheetRow;

/// A data row: cells by column name, and where each cell is.
pub(crate) trait Row {
    /// A cell by column name, trimmed (empty when the column or cell is absent).
    fn text(&self, column: &str) -> Cow<'_, str>;
    /// Where a cell of this row is (file or sheet, line or Excel row, column).
    fn position(&self, column: &str) -> Position;
    /// The row's line (text) or Excel row number, for messages such as "first seen on line".
    fn number(&self) -> u64;

    /// A cell, or `None` when empty.
    fn value(&self, column: &str) -> Option<String> {
        let t = self.text(column);
        (!t.is_empty()).then(|| t.into_owned())
    }

    /// A cell that must not be empty.
    fn need(&self, column: &str, what: &'static str) -> Result<String> {
        self.value(column).ok_or_else(|| LoadError::at(LoadErrorKind::Empty { what }, self.position(column)))
    }

    /// Checks a cell against the published form.
    fn verify(&self, column: &str, expected: &'static str, ok: impl Fn(&str) -> bool) -> Result<()> {
        let v = self.text(column);
        if ok(&v) {
            Ok(())
        } else {
            Err(LoadError::at(LoadErrorKind::Invalid { value: v.into_owned(), expected }, self.position(column)))
        }
    }
}

impl Row for TableRow<'_> {
    fn text(&self, column: &str) -> Cow<'_, str> {
        Cow::Borrowed(if self.has(column) { self.get(column) } else { "" })
    }
    fn position(&self, column: &str) -> Position {
        self.pos(column)
    }
    fn number(&self) -> u64 {
        self.line()
    }
}

impl Row for SheetRow<'_> {
    fn text(&self, column: &str) -> Cow<'_, str> {
        Cow::Owned(self.get(column))
    }
    fn position(&self, column: &str) -> Position {
        self.pos(column)
    }
    fn number(&self) -> u64 {
        self.row()
    }
}
