//! CSV, TSV and NDJSON exports: a header (CSV/TSV) and one line per row; a NULL is an empty
//! field in CSV/TSV and `null` in NDJSON.

use std::io::{BufWriter, Write};
use std::path::Path;

use super::{io, Cell, ExportFormat, Kind};
use crate::error::Result;

/// Writes rows of `columns` to `path`; returns the rows written.
pub(super) fn write<'a>(
    format: ExportFormat,
    path: &Path,
    columns: &[(&str, Kind)],
    rows: impl Iterator<Item = Vec<Cell<'a>>>,
) -> Result<u64> {
    let file = std::fs::File::create(path).map_err(|e| io(path, &e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut line = Vec::with_capacity(1024);
    let d = if format == ExportFormat::Tsv { b'\t' } else { b',' };
    if format != ExportFormat::Ndjson {
        let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
        writeln!(out, "{}", names.join(if d == b'\t' { "\t" } else { "," })).map_err(|e| io(path, &e))?;
    }
    let mut n = 0;
    for row in rows {
        line.clear();
        if format == ExportFormat::Ndjson {
            let obj: serde_json::Map<String, serde_json::Value> =
                columns.iter().zip(&row).map(|((name, _), cell)| ((*name).to_owned(), json(*cell))).collect();
            serde_json::to_writer(&mut line, &obj).expect("rows serialise");
        } else {
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push(d);
                }
                let text = text(*cell);
                // A TSV field cannot hold a tab or a line break: they become spaces.
                if d == b'\t' {
                    line.extend(text.bytes().map(|b| if b == b'\t' || b == b'\n' || b == b'\r' { b' ' } else { b }));
                } else {
                    crate::bulk::delimited::push_field(&mut line, text.as_bytes(), d);
                }
            }
        }
        line.push(b'\n');
        out.write_all(&line).map_err(|e| io(path, &e))?;
        n += 1;
    }
    out.flush().map_err(|e| io(path, &e))?;
    Ok(n)
}

fn text(c: Cell<'_>) -> std::borrow::Cow<'_, str> {
    match c {
        Cell::Str(s) => s.into(),
        Cell::Null => "".into(),
        Cell::Int(i) => i.to_string().into(),
        Cell::Float(f) => f.to_string().into(),
    }
}

fn json(c: Cell<'_>) -> serde_json::Value {
    match c {
        Cell::Str(s) => s.into(),
        Cell::Null => serde_json::Value::Null,
        Cell::Int(i) => i.into(),
        Cell::Float(f) => serde_json::Number::from_f64(f64::from(f)).map_or(serde_json::Value::Null, Into::into),
    }
}
