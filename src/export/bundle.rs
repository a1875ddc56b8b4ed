//! A release bundle (a Parquet export) read back as [`Tables`]: `translate-file --bundle DIR`
//! translates from it with no data directory and no server. A bundle holds one release, so a
//! row's date changes nothing (there is no other release to be in force).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::parquet::{read, Value};
use super::{ExportFormat, Manifest, MAPPING_COLUMNS, SYSTEM_COLUMNS};
use crate::error::{Error, Result};
use crate::model::{CodeSystem, Made, Mapping, Method, Status};
use crate::translate::{CodeTable, CodeTableBuilder, Tables};

/// An opened bundle: its directory and manifest.
#[derive(Debug)]
pub struct Bundle {
    dir: PathBuf,
    manifest: Manifest,
}

impl Bundle {
    /// Opens the bundle in `dir` (its `manifest.json` must say Parquet).
    pub fn open(dir: &Path) -> Result<Bundle> {
        let path = dir.join("manifest.json");
        let bad = |m: String| Error::InputFile { file: path.display().to_string(), line: 0, column: None, message: m };
        let text = std::fs::read(&path).map_err(|e| {
            bad(format!("cannot read it ({e}): is {} a `henkan export --format parquet` directory?", dir.display()))
        })?;
        let manifest: Manifest =
            serde_json::from_slice(&text).map_err(|e| bad(format!("not a henkan manifest: {e}")))?;
        if manifest.format != ExportFormat::Parquet {
            return Err(bad(format!("the export is {}, a bundle is a Parquet export", manifest.format)));
        }
        Ok(Bundle { dir: dir.to_owned(), manifest })
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }
}

fn text(v: &Value) -> &str {
    v.text().unwrap_or_default()
}

fn parse<T: std::str::FromStr>(v: &Value, file: &Path, column: &str) -> Result<T> {
    text(v).parse().map_err(|_| Error::InputFile {
        file: file.display().to_string(),
        line: 0,
        column: Some(column.to_owned()),
        message: format!("{:?} is not a value henkan knows", text(v)),
    })
}

fn opt<T: std::str::FromStr>(v: &Value, file: &Path, column: &str) -> Result<Option<T>> {
    match v {
        Value::Null => Ok(None),
        _ => parse(v, file, column).map(Some),
    }
}

impl Tables for Bundle {
    fn release(&self, id: Option<&str>) -> Result<(String, String)> {
        match id {
            Some(id) if id != self.manifest.release => Err(Error::ReleaseNotFound(format!(
                "{id} (the bundle {} holds release {})",
                self.dir.display(),
                self.manifest.release
            ))),
            _ => Ok((self.manifest.release.clone(), self.manifest.release_sha256.clone())),
        }
    }

    fn table(
        &self,
        _release: &str,
        source: &'static CodeSystem,
        target: &'static CodeSystem,
    ) -> Result<Option<Arc<CodeTable>>> {
        let m = &self.manifest;
        let Some(table) = m.tables.iter().find(|t| t.source_system == source.slug && t.target_system == target.slug)
        else {
            return Ok(None);
        };
        let Some(system) = m.systems.iter().find(|s| s.system == source.slug) else { return Ok(None) };
        let mut b = CodeTableBuilder::new((&m.release, &m.release_sha256), source, target, &table.table);
        let path = self.dir.join(&system.file.path);
        read(&path, &SYSTEM_COLUMNS, |r| {
            let status: Status = parse(&r[3], &path, "status")?;
            b.concept(text(&r[1]), status, r[4].text());
            Ok(())
        })?;
        let path = self.dir.join(&table.file.path);
        let mut rows: BTreeMap<String, Vec<Mapping>> = BTreeMap::new();
        read(&path, &MAPPING_COLUMNS, |r| {
            let method: Method = parse(&r[10], &path, "method")?;
            let made = Made { method, author: text(&r[13]), at: text(&r[17]) };
            let code = text(&r[2]);
            let mut m =
                Mapping::no_map(code, "", crate::model::NoMapReason::NoCandidateAboveThreshold, Vec::new(), "", made);
            m.no_map_reason = opt(&r[9], &path, "no_map_reason")?;
            m.target_code = r[6].text().map(str::to_owned);
            m.target_display = r[7].text().map(str::to_owned);
            m.relationship = opt(&r[8], &path, "relationship")?;
            m.score = if let Value::Float(s) = r[11] { s } else { 0.0 };
            m.review_state = parse(&r[12], &path, "review_state")?;
            m.reviewer = r[14].text().map(str::to_owned);
            m.comment = r[15].text().map(str::to_owned);
            m.evidence_text = text(&r[16]).to_owned();
            rows.entry(code.to_owned()).or_default().push(m);
            Ok(())
        })?;
        for (code, list) in &rows {
            b.rows(code, list);
        }
        Ok(Some(Arc::new(b.build())))
    }

    fn release_on(&self, _system: &'static CodeSystem, _date: &str) -> Result<Option<String>> {
        Ok(None)
    }
}
