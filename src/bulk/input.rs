//! Reading a pipeline's input: a file or stdin, gzip detected by its magic bytes, CSV, TSV or
//! NDJSON, UTF-8 or Shift_JIS (CP932, detected or given). Each record comes with its 1-based
//! line and its bytes as they came (transcoded to UTF-8), so the output repeats the row.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

crate::vocabulary! {
    /// An input (and output) format.
    pub enum Format {
        /// Comma-separated values with a header row.
        Csv = "csv",
        /// Tab-separated values with a header row.
        Tsv = "tsv",
        /// One JSON object per line.
        Ndjson = "ndjson",
    }
}

crate::vocabulary! {
    /// The character encoding of the input.
    pub enum Encoding {
        /// Decide from the first 64 KiB: UTF-8 if they are valid UTF-8, else Shift_JIS.
        Auto = "auto",
        /// UTF-8 (a byte order mark is skipped).
        Utf8 = "utf-8",
        /// Shift_JIS as Windows writes it (CP932), the encoding of MHLW's and SSK's files.
        ShiftJis = "shift_jis",
    }
}

impl Format {
    /// The format a file name implies (`claims.csv.gz` → CSV), if any.
    pub fn of_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.')?.1;
        match ext {
            "csv" => Some(Format::Csv),
            "tsv" | "tab" | "txt" => Some(Format::Tsv),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }

    /// The field delimiter (CSV and TSV).
    pub fn delimiter(self) -> u8 {
        if self == Format::Tsv {
            b'\t'
        } else {
            b','
        }
    }
}

/// The input, opened: its name for messages, and its decompressed bytes.
pub(crate) struct Input {
    /// The file name, or `-` for stdin.
    pub(crate) name: String,
    reader: Box<dyn BufRead + Send>,
    encoding: Encoding,
    /// The next line's number.
    line: u64,
    /// Decoding buffer (Shift_JIS).
    decoded: Vec<u8>,
}

/// One record: where it starts, and its bytes (UTF-8, without the line ending).
pub(crate) struct Record<'a> {
    /// 1-based line the record starts on.
    pub(crate) line: u64,
    /// The record's bytes.
    pub(crate) bytes: &'a [u8],
}

impl Input {
    /// Opens `path` (`-` for stdin), gunzipping if it starts with the gzip magic bytes, and
    /// settles the encoding.
    pub(crate) fn open(path: &Path, encoding: Encoding) -> Result<Input> {
        let name = path.display().to_string();
        let raw: Box<dyn Read + Send> = if name == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(File::open(path).map_err(|e| Error::InputFile {
                file: name.clone(),
                line: 0,
                column: None,
                message: format!("cannot open it: {e}"),
            })?)
        };
        let mut buffered = BufReader::with_capacity(1 << 20, raw);
        let gz = buffered.fill_buf().map(|b| b.starts_with(&[0x1f, 0x8b])).unwrap_or(false);
        let mut reader: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::with_capacity(1 << 20, flate2::bufread::MultiGzDecoder::new(buffered)))
        } else {
            Box::new(buffered)
        };
        let head = reader.fill_buf().map_err(|e| io(&name, 0, e))?;
        let encoding = match encoding {
            Encoding::Auto => match std::str::from_utf8(head) {
                Ok(_) => Encoding::Utf8,
                // Valid up to a character cut at the end of the sample.
                Err(e) if e.error_len().is_none() => Encoding::Utf8,
                Err(_) => Encoding::ShiftJis,
            },
            e => e,
        };
        if encoding == Encoding::Utf8 && head.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
        }
        Ok(Input { name, reader, encoding, line: 1, decoded: Vec::new() })
    }

    /// The encoding read.
    pub(crate) fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Reads the next record into `buf` (CSV/TSV: a quoted field may span lines; NDJSON: one
    /// line). `None` at the end of the input. Bytes invalid in the encoding are an error naming
    /// the line and the 1-based byte column.
    pub(crate) fn next<'b>(&mut self, buf: &'b mut Vec<u8>, quoted_lines: bool) -> Result<Option<Record<'b>>> {
        buf.clear();
        let start = self.line;
        loop {
            let n = self.reader.read_until(b'\n', buf).map_err(|e| io(&self.name, self.line, e))?;
            if n == 0 {
                if buf.is_empty() {
                    return Ok(None);
                }
                break;
            }
            self.line += 1;
            if !quoted_lines || !super::delimited::open_quote(buf) {
                break;
            }
        }
        while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            buf.pop();
        }
        match self.encoding {
            Encoding::ShiftJis => {
                let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(buf);
                if had_errors {
                    let column = first_invalid_sjis(buf);
                    return Err(Error::InputFile {
                        file: self.name.clone(),
                        line: start,
                        column: Some(format!("byte {column}")),
                        message: "bytes that are not Shift_JIS (CP932): fix the line, or give the right --encoding"
                            .into(),
                    });
                }
                self.decoded.clear();
                self.decoded.extend_from_slice(text.as_bytes());
                std::mem::swap(buf, &mut self.decoded);
            }
            _ => {
                if let Err(e) = std::str::from_utf8(buf) {
                    return Err(Error::InputFile {
                        file: self.name.clone(),
                        line: start,
                        column: Some(format!("byte {}", e.valid_up_to() + 1)),
                        message: "bytes that are not UTF-8: give --encoding shift_jis for a Shift_JIS file".into(),
                    });
                }
            }
        }
        Ok(Some(Record { line: start, bytes: buf }))
    }
}

/// The 1-based byte column of the first byte a Shift_JIS decoder refuses.
fn first_invalid_sjis(bytes: &[u8]) -> usize {
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 3);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(len, _) => read.saturating_sub(usize::from(len)) + 1,
        _ => read + 1,
    }
}

fn io(file: &str, line: u64, e: std::io::Error) -> Error {
    Error::InputFile { file: file.to_owned(), line, column: None, message: format!("cannot read it: {e}") }
}
