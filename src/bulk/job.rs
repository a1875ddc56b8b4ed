//! `translate-file`: every row of a CSV, TSV or NDJSON input translated by an [`Engine`], the row
//! repeated as it came plus the answer's columns. The output (and the reject file) is written
//! under a temporary name and renamed when the job completes, so a failed job leaves nothing at
//! the output path.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::delimited::{self, Field};
use super::input::{Encoding, Format, Input};
use super::report::Report;
use crate::error::{Error, Result};
use crate::model::{resolve_system, CodeSystem};
use crate::translate::{Answer, Engine, Item, Policy};

/// What to do with a malformed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnError {
    /// Stop; nothing appears at the output path.
    Fail,
    /// Go on, writing the row as it came to this file.
    Reject(PathBuf),
}

/// Where the system of each row comes from.
#[derive(Debug, Clone)]
pub enum SystemFrom {
    /// Every row is of this system (slug or URI).
    Fixed(String),
    /// A column names each row's system.
    Column(String),
}

/// A `translate-file` job.
#[derive(Debug, Clone)]
pub struct Options {
    /// Input file (`-` for stdin).
    pub input: PathBuf,
    /// Input format (default: from the file name, else CSV).
    pub format: Option<Format>,
    /// Input encoding.
    pub encoding: Encoding,
    /// Column (key, for NDJSON) of the code.
    pub code_column: String,
    /// The system of each row.
    pub system: SystemFrom,
    /// Column of the row's date (`YYYY-MM-DD`), for codes the pinned release does not hold.
    pub date_column: Option<String>,
    /// Output file (default: stdout).
    pub out: Option<PathBuf>,
    /// Add method, score, review state and evidence.
    pub provenance: bool,
    /// One-to-many and filter policy.
    pub policy: Policy,
    /// Malformed rows.
    pub on_error: OnError,
}

/// The columns added to each row.
const COLUMNS: [&str; 6] = ["target_system", "target_code", "target_display", "relationship", "status", "release"];
/// The columns added with `--provenance`.
const PROVENANCE: [&str; 4] = ["method", "score", "review_state", "evidence"];

/// A file written under a temporary name, renamed into place by [`Staged::commit`]; dropped
/// uncommitted, the temporary file is removed.
struct Staged {
    tmp: PathBuf,
    path: PathBuf,
    out: Option<BufWriter<File>>,
}

impl Staged {
    fn create(path: &Path) -> Result<Staged> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.henkan-{}.tmp", std::process::id()));
        let file = File::create(&tmp).map_err(|e| write_error(path, &e))?;
        Ok(Staged { tmp, path: path.to_owned(), out: Some(BufWriter::with_capacity(1 << 20, file)) })
    }

    fn commit(mut self) -> Result<()> {
        let out = self.out.take().expect("committed once");
        let file = out.into_inner().map_err(|e| write_error(&self.path, e.error()))?;
        file.sync_all().map_err(|e| write_error(&self.path, &e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| write_error(&self.path, &e))
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> Error {
    Error::Internal(format!("cannot write {}: {e}", path.display()))
}

/// The input's columns the job reads.
struct Columns {
    code: usize,
    system: Result<&'static CodeSystem, usize>,
    date: Option<usize>,
    count: usize,
}

/// Runs a job; `progress` is called with the rows read so far every 64 Ki rows.
pub fn run(engine: &Engine, opts: &Options, progress: &dyn Fn(u64)) -> Result<Report> {
    let mut input = Input::open(&opts.input, opts.encoding)?;
    let format = opts.format.or_else(|| Format::of_path(&opts.input)).unwrap_or(Format::Csv);
    let mut staged = opts.out.as_deref().map(Staged::create).transpose()?;
    let mut rejects = match &opts.on_error {
        OnError::Reject(path) => Some(Staged::create(path)?),
        OnError::Fail => None,
    };
    let mut report = Report::new(engine.release(), engine.release_sha256(), input.encoding().as_str());
    {
        let stdout = std::io::stdout();
        let mut out: Box<dyn Write> = match staged.as_mut().and_then(|s| s.out.as_mut()) {
            Some(w) => Box::new(w),
            None => Box::new(BufWriter::with_capacity(1 << 20, stdout.lock())),
        };
        let mut reject_out = rejects.as_mut().and_then(|s| s.out.as_mut());
        let mut job = Job { engine, opts, format, report: &mut report, line: Vec::with_capacity(1024) };
        job.rows(&mut input, &mut *out, &mut reject_out, progress)?;
        out.flush().map_err(|e| Error::Internal(format!("cannot write the output: {e}")))?;
    }
    report.finish();
    if let Some(s) = staged {
        s.commit()?;
    }
    if let Some(r) = rejects {
        r.commit()?;
    }
    Ok(report)
}

struct Job<'a> {
    engine: &'a Engine,
    opts: &'a Options,
    format: Format,
    report: &'a mut Report,
    /// The output line being built.
    line: Vec<u8>,
}

/// A row's fault: 1-based line, the column at fault, what is wrong.
type RowError = (Option<String>, String);

impl Job<'_> {
    fn rows(
        &mut self,
        input: &mut Input,
        out: &mut dyn Write,
        rejects: &mut Option<&mut BufWriter<File>>,
        progress: &dyn Fn(u64),
    ) -> Result<()> {
        let delimited = self.format != Format::Ndjson;
        let mut buf = Vec::with_capacity(4096);
        let mut fields: Vec<Field> = Vec::new();
        let columns = if delimited { Some(self.header(input, &mut buf, &mut fields, out)?) } else { None };
        let write_err = |e: std::io::Error| Error::Internal(format!("cannot write the output: {e}"));
        loop {
            let record = match input.next(&mut buf, delimited) {
                Ok(Some(r)) => r,
                Ok(None) => return Ok(()),
                Err(e @ Error::InputFile { .. }) if rejects.is_none() => return Err(e),
                Err(Error::InputFile { line, .. }) => {
                    // Bytes invalid in the encoding: the raw line is gone; note its number.
                    self.report.rejected += 1;
                    if let Some(r) = rejects.as_mut() {
                        writeln!(r, "# line {line}: bytes invalid in the encoding").map_err(write_err)?;
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            if record.bytes.is_empty() {
                continue;
            }
            self.report.rows += 1;
            if self.report.rows % 65_536 == 0 {
                progress(self.report.rows);
            }
            let (line, bytes) = (record.line, record.bytes);
            let result = match &columns {
                Some(c) => self.delimited_row(bytes, c, &mut fields, out),
                None => self.json_row(bytes, out),
            };
            match result {
                Ok(()) => {}
                Err((column, message)) => match rejects.as_mut() {
                    None => return Err(Error::InputFile { file: input.name.clone(), line, column, message }),
                    Some(r) => {
                        self.report.rows -= 1;
                        self.report.rejected += 1;
                        r.write_all(bytes).and_then(|()| r.write_all(b"\n")).map_err(write_err)?;
                    }
                },
            }
        }
    }

    /// Reads the header, finds the columns and writes the output header.
    fn header(
        &mut self,
        input: &mut Input,
        buf: &mut Vec<u8>,
        fields: &mut Vec<Field>,
        out: &mut dyn Write,
    ) -> Result<Columns> {
        let d = self.format.delimiter();
        let name = input.name.clone();
        let record = input.next(buf, true)?.ok_or_else(|| Error::InputFile {
            file: name.clone(),
            line: 1,
            column: None,
            message: "the input is empty: it needs a header row naming its columns".into(),
        })?;
        let bytes = record.bytes;
        delimited::split(bytes, d, fields).map_err(|e| Error::InputFile {
            file: name.clone(),
            line: 1,
            column: Some(e.column.to_string()),
            message: e.message,
        })?;
        let names: Vec<String> =
            fields.iter().map(|&f| String::from_utf8_lossy(&delimited::text(bytes, f)).trim().to_owned()).collect();
        let find = |col: &str| {
            names.iter().position(|n| n == col).ok_or_else(|| Error::InputFile {
                file: name.clone(),
                line: 1,
                column: Some(col.to_owned()),
                message: format!("the header has no column {col:?} (it has {}): name the right one", names.join(", ")),
            })
        };
        let system = match &self.opts.system {
            super::job::SystemFrom::Fixed(s) => Ok(resolve_system(s).ok_or_else(|| Error::UnknownSystem(s.clone()))?),
            super::job::SystemFrom::Column(c) => Err(find(c)?),
        };
        let columns = Columns {
            code: find(&self.opts.code_column)?,
            system,
            date: self.opts.date_column.as_deref().map(find).transpose()?,
            count: names.len(),
        };
        self.line.clear();
        self.line.extend_from_slice(bytes);
        let extra = COLUMNS.iter().chain(if self.opts.provenance { &PROVENANCE[..] } else { &[] });
        for c in extra {
            self.line.push(d);
            self.line.extend_from_slice(c.as_bytes());
        }
        self.line.push(b'\n');
        out.write_all(&self.line).map_err(|e| Error::Internal(format!("cannot write the output: {e}")))?;
        Ok(columns)
    }

    fn delimited_row(
        &mut self,
        bytes: &[u8],
        c: &Columns,
        fields: &mut Vec<Field>,
        out: &mut dyn Write,
    ) -> std::result::Result<(), RowError> {
        let d = self.format.delimiter();
        delimited::split(bytes, d, fields).map_err(|e| (Some(e.column.to_string()), e.message))?;
        if fields.len() != c.count {
            return Err((None, format!("the row has {} fields, the header has {}", fields.len(), c.count)));
        }
        let text = |i: usize| delimited::text(bytes, fields[i]);
        let code = text(c.code);
        let system_text;
        let system = match c.system {
            Ok(cs) => cs.slug,
            Err(i) => {
                system_text = text(i);
                std::str::from_utf8(&system_text).unwrap_or_default()
            }
        };
        let date = c.date.map(text);
        let date = date.as_deref().filter(|d| !d.is_empty()).map(|d| std::str::from_utf8(d).unwrap_or_default());
        let code = std::str::from_utf8(&code).unwrap_or_default();
        let item = Item { system, code, date, target: None };
        self.translate(&item, bytes, out).map_err(|(field, m)| {
            let column = match field {
                "system" => self.column_name(&c.system.err().map(|_| ())),
                _ => self.opts.date_column.clone(),
            };
            (column, m)
        })
    }

    fn column_name(&self, system_column: &Option<()>) -> Option<String> {
        match (&self.opts.system, system_column) {
            (SystemFrom::Column(c), Some(())) => Some(c.clone()),
            _ => None,
        }
    }

    fn json_row(&mut self, bytes: &[u8], out: &mut dyn Write) -> std::result::Result<(), RowError> {
        let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes)
            .map_err(|e| (Some(format!("byte {}", e.column())), format!("not a JSON object: {e}")))?;
        let get = |key: &str| -> std::result::Result<Option<String>, RowError> {
            match obj.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
                Some(_) => Err((Some(key.to_owned()), format!("{key:?} must be a string"))),
            }
        };
        let code = get(&self.opts.code_column)?.ok_or_else(|| {
            (Some(self.opts.code_column.clone()), format!("the object has no {:?}", self.opts.code_column))
        })?;
        let system = match &self.opts.system {
            SystemFrom::Fixed(s) => s.clone(),
            SystemFrom::Column(k) => get(k)?.ok_or_else(|| (Some(k.clone()), format!("the object has no {k:?}")))?,
        };
        let date = match &self.opts.date_column {
            Some(k) => get(k)?,
            None => None,
        };
        let item = Item { system: &system, code: &code, date: date.as_deref().filter(|d| !d.is_empty()), target: None };
        let system_key = match &self.opts.system {
            SystemFrom::Column(k) => Some(k.clone()),
            SystemFrom::Fixed(_) => None,
        };
        let date_key = self.opts.date_column.clone();
        self.translate(&item, bytes, out)
            .map_err(|(field, m)| (if field == "system" { system_key } else { date_key }, m))
    }

    /// Translates one item, writing one output line per answer.
    fn translate(
        &mut self,
        item: &Item<'_>,
        bytes: &[u8],
        out: &mut dyn Write,
    ) -> std::result::Result<(), (&'static str, String)> {
        let mut failed = None;
        let (format, provenance) = (self.format, self.opts.provenance);
        let line = &mut self.line;
        let report = &mut *self.report;
        let system = resolve_system(item.system).map_or("", |cs| cs.slug);
        self.engine
            .translate(item, &self.opts.policy, &mut |a: &Answer<'_>| {
                report.answer(system, item.code, a.outcome);
                line.clear();
                match format {
                    Format::Ndjson => super::output::json_line(line, bytes, a, provenance),
                    _ => super::output::delimited_line(line, bytes, format.delimiter(), a, provenance),
                }
                if let Err(e) = out.write_all(line) {
                    failed.get_or_insert(e);
                }
            })
            .map_err(|e| (e.field, e.message))?;
        if let Some(e) = failed {
            return Err(("output", format!("cannot write the output: {e}")));
        }
        Ok(())
    }
}
