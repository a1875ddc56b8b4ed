//! Writing one answer as an output line: the input row as it came, then the answer's columns
//! (CSV/TSV fields, or keys added to the NDJSON object).

use std::fmt::Write as _;

use super::delimited::push_field;
use crate::translate::Answer;

/// The answer's values in column order: target system, code, display, relationship, status,
/// release; then method, score, review state, evidence with `provenance`.
fn values(a: &Answer<'_>, provenance: bool, mut put: impl FnMut(&str, &str)) {
    let mut status = StatusText([0; 64], 0);
    let _ = a.outcome.write(&mut status);
    let status = status.as_str();
    put("target_system", a.target.map_or("", |t| t.slug));
    put("target_code", a.row.map_or("", |r| &r.code));
    put("target_display", a.row.map_or("", |r| &r.display));
    put("relationship", a.row.map_or("", |r| r.relationship.as_str()));
    put("status", status);
    put("release", a.release);
    if provenance {
        put("method", a.row.map_or("", |r| r.method.as_str()));
        let score = a.row.map(|r| r.score.to_string()).unwrap_or_default();
        put("score", &score);
        put("review_state", a.row.map_or("", |r| r.review.as_str()));
        put("evidence", a.row.map_or("", |r| &r.evidence));
    }
}

/// A CSV/TSV line: the row's bytes, then the answer's fields.
pub(crate) fn delimited_line(line: &mut Vec<u8>, row: &[u8], delimiter: u8, a: &Answer<'_>, provenance: bool) {
    line.extend_from_slice(row);
    values(a, provenance, |_, v| {
        line.push(delimiter);
        push_field(line, v.as_bytes(), delimiter);
    });
    line.push(b'\n');
}

/// An NDJSON line: the row's object with the answer's keys added before its closing brace.
pub(crate) fn json_line(line: &mut Vec<u8>, row: &[u8], a: &Answer<'_>, provenance: bool) {
    let trimmed = row.trim_ascii_end();
    let body = trimmed.strip_suffix(b"}").unwrap_or(trimmed);
    line.extend_from_slice(body);
    let mut empty = body.trim_ascii_end().ends_with(b"{");
    let mut text = String::new();
    values(a, provenance, |k, v| {
        text.clear();
        if !empty {
            text.push(',');
        }
        empty = false;
        let _ = write!(text, "{}:{}", serde_json::Value::from(k), serde_json::Value::from(v));
        line.extend_from_slice(text.as_bytes());
    });
    line.extend_from_slice(b"}\n");
}

/// A status written without allocating (the longest is `unmapped:` and a no-map reason).
struct StatusText([u8; 64], usize);

impl StatusText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0[..self.1]).unwrap_or_default()
    }
}

impl std::fmt::Write for StatusText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.1 + s.len();
        self.0.get_mut(self.1..end).ok_or(std::fmt::Error)?.copy_from_slice(s.as_bytes());
        self.1 = end;
        Ok(())
    }
}
