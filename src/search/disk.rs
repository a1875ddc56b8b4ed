//! The on-disk form of a release's search index: one directory per release content hash under
//! `<data dir>/search/`, holding the tantivy index, `rerank.bin` (what the re-ranker keeps in
//! memory: every concept and every indexed designation with its normalised forms) and
//! `manifest.json` (`format_version`, release id and SHA-256, counts).
//!
//! A directory is built beside the others under a temporary name and renamed into place when
//! complete, so a crash leaves either no index or a whole one. Opening checks the manifest's
//! [`INDEX_FORMAT_VERSION`] and release hash and refuses anything else; bump the constant with
//! any change of the schema, the tokeniser, the normaliser or `rerank.bin`'s layout.

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{factor, table::Designations, ConceptInfo, Field, SearchError};

/// Version of the on-disk index layout (schema, tokeniser, normaliser, `rerank.bin`).
pub(crate) const INDEX_FORMAT_VERSION: u32 = 6;

const MAGIC: &[u8; 4] = b"HKSR";

/// `manifest.json` of an index directory.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct IndexManifest {
    pub(crate) format_version: u32,
    pub(crate) release_id: String,
    pub(crate) release_sha256: String,
    pub(crate) tool_version: String,
    pub(crate) concepts: usize,
    pub(crate) designations: usize,
    pub(crate) build_ms: u64,
}

/// The directory of a release's index (by content hash: releases with the same content share it).
pub(crate) fn index_dir(root: &Path, release_sha256: &str) -> PathBuf {
    root.join(&release_sha256[..release_sha256.len().min(32)])
}

fn io(path: &Path, e: std::io::Error) -> SearchError {
    SearchError::Io { path: path.to_owned(), source: e }
}

/// Reads and checks the manifest of an index directory.
pub(crate) fn check_manifest(dir: &Path, release_sha256: &str) -> Result<IndexManifest, SearchError> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    let m: IndexManifest = serde_json::from_str(&text)
        .map_err(|e| SearchError::Incompatible { path: path.clone(), why: format!("unreadable manifest ({e})") })?;
    if m.format_version != INDEX_FORMAT_VERSION {
        return Err(SearchError::Incompatible {
            path,
            why: format!("index format {} where this henkan reads {INDEX_FORMAT_VERSION}", m.format_version),
        });
    }
    if m.release_sha256 != release_sha256 {
        return Err(SearchError::Incompatible { path, why: "built for another release".into() });
    }
    Ok(m)
}

pub(crate) fn write_manifest(dir: &Path, m: &IndexManifest) -> Result<(), SearchError> {
    let path = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(m).expect("manifest serialises");
    std::fs::write(&path, text).map_err(|e| io(&path, e))
}

fn put_str(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    w.write_all(&(s.len() as u32).to_le_bytes())?;
    w.write_all(s.as_bytes())
}

/// Writes the re-ranker's data.
pub(crate) fn write_rerank(dir: &Path, concepts: &[ConceptInfo], docs: &Designations) -> Result<(), SearchError> {
    let path = dir.join("rerank.bin");
    let write = || -> std::io::Result<()> {
        let mut w = BufWriter::new(std::fs::File::create(&path)?);
        w.write_all(MAGIC)?;
        w.write_all(&INDEX_FORMAT_VERSION.to_le_bytes())?;
        w.write_all(&(concepts.len() as u32).to_le_bytes())?;
        for c in concepts {
            put_str(&mut w, c.system)?;
            put_str(&mut w, &c.code)?;
            put_str(&mut w, &c.display)?;
            w.write_all(&[u8::from(c.active)])?;
        }
        w.write_all(&(docs.len() as u32).to_le_bytes())?;
        for d in docs.iter() {
            w.write_all(&d.concept.to_le_bytes())?;
            put_str(&mut w, d.kind.as_str())?;
            put_str(&mut w, d.term)?;
            put_str(&mut w, d.norm)?;
            put_str(&mut w, d.romaji)?;
        }
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    };
    write().map_err(|e| io(&path, e))
}

/// A cursor over `rerank.bin`.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at + n)?;
        self.at += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

/// Reads the re-ranker's data written by [`write_rerank`].
pub(crate) fn read_rerank(dir: &Path) -> Result<(Vec<ConceptInfo>, Designations), SearchError> {
    let path = dir.join("rerank.bin");
    let mut bytes = Vec::new();
    std::fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(|e| io(&path, e))?;
    let corrupt = || SearchError::Incompatible { path: path.clone(), why: "truncated or corrupt rerank.bin".into() };
    let mut c = Cursor { bytes: &bytes, at: 0 };
    if c.take(4) != Some(MAGIC.as_slice()) || c.u32() != Some(INDEX_FORMAT_VERSION) {
        return Err(corrupt());
    }
    let n = c.u32().ok_or_else(corrupt)? as usize;
    let mut concepts = Vec::with_capacity(n);
    for _ in 0..n {
        let system = super::system_name(c.str().ok_or_else(corrupt)?);
        let code = c.str().ok_or_else(corrupt)?.to_owned();
        let display = c.str().ok_or_else(corrupt)?.to_owned();
        let active = c.take(1).ok_or_else(corrupt)?[0] == 1;
        concepts.push(ConceptInfo { system, code, display, active });
    }
    let n = c.u32().ok_or_else(corrupt)? as usize;
    let mut docs = Designations::default();
    for _ in 0..n {
        let concept = c.u32().ok_or_else(corrupt)?;
        if concept as usize >= concepts.len() {
            return Err(corrupt());
        }
        let kind: Field = c.str().and_then(|k| k.parse().ok()).ok_or_else(corrupt)?;
        let term = c.str().ok_or_else(corrupt)?;
        let norm = c.str().ok_or_else(corrupt)?;
        let romaji = c.str().ok_or_else(corrupt)?;
        let of = &concepts[concept as usize];
        docs.push(concept, kind, term, norm, romaji, factor(kind, of.system, of.active));
    }
    if c.at != bytes.len() {
        return Err(corrupt());
    }
    Ok((concepts, docs))
}
