//! Strict CSV/TSV records (RFC 4180): a field is either bare (no quote inside) or quoted, with
//! `""` for a quote, and a quoted field may span lines. Anything else is an error naming the
//! column, so a malformed line is never silently read as something else.

/// A field of a record: its byte range in the record and whether it was quoted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    start: usize,
    end: usize,
    quoted: bool,
}

/// What is wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordError {
    /// 1-based field number.
    pub(crate) column: usize,
    /// What is wrong.
    pub(crate) message: String,
}

/// Whether `line` (without its line ending) ends inside a quoted field, so the record goes on
/// on the next line.
pub(crate) fn open_quote(record: &[u8]) -> bool {
    record.iter().filter(|&&b| b == b'"').count() % 2 == 1
}

/// Splits a record into fields at `delimiter` (the record has no trailing line ending).
pub(crate) fn split(record: &[u8], delimiter: u8, out: &mut Vec<Field>) -> Result<(), RecordError> {
    out.clear();
    let mut i = 0;
    loop {
        let column = out.len() + 1;
        if record.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            loop {
                match record.get(j) {
                    None => {
                        return Err(RecordError { column, message: "a quoted field is not closed".into() });
                    }
                    Some(b'"') if record.get(j + 1) == Some(&b'"') => j += 2,
                    Some(b'"') => break,
                    Some(_) => j += 1,
                }
            }
            out.push(Field { start, end: j, quoted: true });
            i = j + 1;
            match record.get(i) {
                None => return Ok(()),
                Some(&b) if b == delimiter => i += 1,
                Some(_) => {
                    return Err(RecordError {
                        column,
                        message: "text follows the closing quote of a quoted field (write \"\" for a quote inside it)"
                            .into(),
                    })
                }
            }
        } else {
            let end = record[i..].iter().position(|&b| b == delimiter).map_or(record.len(), |p| i + p);
            if record[i..end].contains(&b'"') {
                return Err(RecordError {
                    column,
                    message: "a quote inside an unquoted field (quote the whole field and write \"\" for the quote)"
                        .into(),
                });
            }
            out.push(Field { start: i, end, quoted: false });
            if end == record.len() {
                return Ok(());
            }
            i = end + 1;
        }
    }
}

/// The text of a field, unescaped (`""` → `"` in a quoted field).
pub(crate) fn text<'a>(record: &'a [u8], f: Field) -> std::borrow::Cow<'a, [u8]> {
    let raw = &record[f.start..f.end];
    if f.quoted && raw.contains(&b'"') {
        let mut v = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            v.push(raw[i]);
            i += if raw[i] == b'"' { 2 } else { 1 };
        }
        std::borrow::Cow::Owned(v)
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}

/// Appends `value` to `out` as one field, quoted when it holds the delimiter, a quote or a line
/// break.
pub(crate) fn push_field(out: &mut Vec<u8>, value: &[u8], delimiter: u8) {
    if value.iter().any(|&b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r') {
        out.push(b'"');
        for &b in value {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(s: &str) -> Result<Vec<String>, RecordError> {
        let mut f = Vec::new();
        split(s.as_bytes(), b',', &mut f)?;
        Ok(f.iter().map(|&x| String::from_utf8(text(s.as_bytes(), x).into_owned()).unwrap()).collect())
    }

    #[test]
    fn quoted_fields_keep_delimiters_quotes_and_line_breaks() {
        assert_eq!(
            fields(
                r#"a,"b,c","say ""hi""","x
y",,"#
            )
            .unwrap(),
            ["a", "b,c", "say \"hi\"", "x\ny", "", ""]
        );
        assert!(open_quote(br#"a,"b"#));
        assert!(!open_quote(br#"a,"b""c""#));
    }

    #[test]
    fn a_stray_or_unclosed_quote_names_its_column() {
        assert_eq!(fields(r#"a,b"c,d"#).unwrap_err().column, 2);
        assert_eq!(fields(r#"a,"b"c,d"#).unwrap_err().column, 2);
        assert_eq!(fields(r#"a,b,"c"#).unwrap_err().column, 3);
    }

    #[test]
    fn written_fields_read_back() {
        let mut out = Vec::new();
        for (i, v) in ["plain", "with,comma", "with \"quote\""].iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_field(&mut out, v.as_bytes(), b',');
        }
        assert_eq!(fields(std::str::from_utf8(&out).unwrap()).unwrap(), ["plain", "with,comma", "with \"quote\""]);
    }
}
