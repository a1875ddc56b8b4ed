//! Parquet export and reading (the release bundle), with the `parquet` crate's column writer:
//! UTF-8 strings, INT32 and FLOAT columns, NULLs as definition levels, row groups of 64 Ki rows.

use std::path::Path;
use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, FloatType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::SerializedFileReader;
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::parser::parse_message_type;

use super::{io, Cell, Kind};
use crate::error::{Error, Result};

/// Rows per row group.
const GROUP: usize = 65_536;

fn schema(columns: &[(&str, Kind)]) -> String {
    let fields: Vec<String> = columns
        .iter()
        .map(|(name, kind)| match kind {
            Kind::Text => format!("REQUIRED BYTE_ARRAY {name} (UTF8);"),
            Kind::OptText => format!("OPTIONAL BYTE_ARRAY {name} (UTF8);"),
            Kind::OptInt => format!("OPTIONAL INT32 {name};"),
            Kind::Float => format!("REQUIRED FLOAT {name};"),
        })
        .collect();
    format!("message row {{ {} }}", fields.join(" "))
}

/// Writes rows of `columns` to `path`; returns the rows written.
pub(super) fn write<'a>(
    path: &Path,
    columns: &[(&str, Kind)],
    rows: impl Iterator<Item = Vec<Cell<'a>>>,
) -> Result<u64> {
    let err = |e: parquet::errors::ParquetError| io(path, &e);
    let schema = Arc::new(parse_message_type(&schema(columns)).map_err(err)?);
    let file = std::fs::File::create(path).map_err(|e| io(path, &e))?;
    let props = Arc::new(WriterProperties::builder().build());
    let mut writer = SerializedFileWriter::new(file, schema, props).map_err(err)?;
    let mut n = 0u64;
    let mut group: Vec<Vec<Cell<'a>>> = Vec::with_capacity(GROUP);
    let mut rows = rows.peekable();
    while rows.peek().is_some() || n == 0 {
        group.clear();
        group.extend(rows.by_ref().take(GROUP));
        let mut rg = writer.next_row_group().map_err(err)?;
        let mut i = 0;
        while let Some(mut col) = rg.next_column().map_err(err)? {
            let kind = columns[i].1;
            let defs: Vec<i16> = group.iter().map(|r| i16::from(!matches!(r[i], Cell::Null))).collect();
            let defs = if matches!(kind, Kind::OptText | Kind::OptInt) { Some(defs.as_slice()) } else { None };
            match kind {
                Kind::Text | Kind::OptText => {
                    let values: Vec<ByteArray> = group
                        .iter()
                        .filter_map(|r| match r[i] {
                            Cell::Str(s) => Some(ByteArray::from(s)),
                            _ => None,
                        })
                        .collect();
                    col.typed::<ByteArrayType>().write_batch(&values, defs, None).map_err(err)?;
                }
                Kind::OptInt => {
                    let values: Vec<i32> =
                        group.iter().filter_map(|r| if let Cell::Int(v) = r[i] { Some(v) } else { None }).collect();
                    col.typed::<Int32Type>().write_batch(&values, defs, None).map_err(err)?;
                }
                Kind::Float => {
                    let values: Vec<f32> =
                        group.iter().map(|r| if let Cell::Float(v) = r[i] { v } else { 0.0 }).collect();
                    col.typed::<FloatType>().write_batch(&values, defs, None).map_err(err)?;
                }
            }
            col.close().map_err(err)?;
            i += 1;
        }
        rg.close().map_err(err)?;
        n += group.len() as u64;
        if group.is_empty() {
            break;
        }
    }
    writer.close().map_err(err)?;
    Ok(n)
}

/// A value read back: text, NULL, an integer or a float.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Null,
    Int(i32),
    Float(f32),
}

impl Value {
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// Reads every row of a Parquet file as (column name → value) in schema order, checking that the
/// file has `columns`.
pub(crate) fn read(path: &Path, columns: &[(&str, Kind)], mut each: impl FnMut(&[Value]) -> Result<()>) -> Result<()> {
    let bad = |m: String| Error::InputFile { file: path.display().to_string(), line: 0, column: None, message: m };
    let file = std::fs::File::open(path).map_err(|e| bad(format!("cannot open it: {e}")))?;
    let reader = SerializedFileReader::new(file).map_err(|e| bad(format!("not a Parquet file: {e}")))?;
    let mut values = Vec::with_capacity(columns.len());
    for (i, row) in reader.into_iter().enumerate() {
        let row = row.map_err(|e| bad(format!("row {}: {e}", i + 1)))?;
        values.clear();
        for (j, (name, field)) in row.get_column_iter().enumerate() {
            if columns.get(j).map(|c| c.0) != Some(name.as_str()) {
                return Err(bad(format!(
                    "column {} is {name:?}, expected {:?}: export the bundle again with this henkan",
                    j + 1,
                    columns.get(j).map_or("nothing", |c| c.0)
                )));
            }
            values.push(match field {
                Field::Str(s) => Value::Text(s.clone()),
                Field::Null => Value::Null,
                Field::Int(v) => Value::Int(*v),
                Field::Float(v) => Value::Float(*v),
                other => return Err(bad(format!("column {name:?} holds an unexpected value {other}"))),
            });
        }
        if values.len() != columns.len() {
            return Err(bad(format!("row {} has {} columns, expected {}", i + 1, values.len(), columns.len())));
        }
        each(&values)?;
    }
    Ok(())
}
