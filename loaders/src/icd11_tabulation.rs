//! WHO's ICD-11 MMS tabulation as users download it from WHO (format `icd11-simple-tabulation`):
//! `SimpleTabulation-ICD-11-MMS-<lang>.txt` and the older `LinearizationMiniOutput-MMS-<lang>.txt`.
//! Tab-separated, UTF-8 with a BOM, quoted fields (the title, the `=hyperlink(…)` browser link),
//! a header row whose last cell is the edition (`Version:2024 Jan 21 - 22:30 UTC`). Columns are
//! found by name, so both editions of the layout load: `Foundation URI`, `Linearization URI`
//! (older: `Linearization (release) URI`), `Code`, `BlockId`, `Title`, `ClassKind`, `DepthInKind`,
//! `IsResidual`, `ChapterNo`, `isLeaf`, then edition-specific columns that are not needed.
//!
//! Every row is an entity of code system `icd11-mms`: a category by its `Code`, a block by its
//! `BlockId`, a chapter by its `ChapterNo` (as in WHO's 10↔11 tables, where a chapter's code is
//! its number). The title loses the depth markers WHO prefixes (`- - - Cholera` → `Cholera`); the
//! number of markers is the entity's level, so each entity's `parent` is the nearest entity above
//! it one level up. Properties: `class_kind`, `chapter`, `entity_uri` (linearization URI),
//! `foundation_uri` and `foundation_id` (empty for residual categories, which have no Foundation
//! entity), `residual` (`other` / `unspecified`), `leaf`.
//!
//! Aborts the file on: a missing column, a row without its code (`Code`, `BlockId` or `ChapterNo`
//! as its class kind requires), an unknown class kind, a code listed twice, a level that skips
//! one, an empty title.

use std::collections::{BTreeMap, HashMap};

use crate::record::{ConceptRecord, Status};
use crate::text_table::{for_each_row, header_starts_with, Dialect};
use crate::{LoadError, LoadErrorKind, Loaded, Loader, Result, SourceFile};

/// Tab-separated with `"` quoting (titles and links are quoted).
const QUOTED_TSV: Dialect = Dialect { delimiter: b'\t', quoted: true };

/// The edition in the last header cell: `Version:2024 Jan 21 - 22:30 UTC` → `2024-01-21`.
fn edition(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = String::from_utf8_lossy(bytes.split(|&b| b == b'\n').next()?).into_owned();
    let stamp = first.trim_end().rsplit('\t').next()?.trim_matches('"').strip_prefix("Version:")?.to_owned();
    let mut parts = stamp.split_whitespace();
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let m = months.iter().position(|x| *x == m)? + 1;
    let d: u32 = d.parse().ok()?;
    (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) && (1..=31).contains(&d))
        .then(|| format!("{y}-{m:02}-{d:02}"))
}

/// `- - - Cholera` → (3, `Cholera`).
fn split_depth(title: &str) -> (usize, &str) {
    let mut rest = title;
    let mut level = 0;
    while let Some(r) = rest.strip_prefix("- ") {
        rest = r;
        level += 1;
    }
    (level, rest.trim())
}

/// WHO's ICD-11 SimpleTabulation / LinearizationMiniOutput (format `icd11-simple-tabulation`).
pub struct Icd11SimpleTabulation;

impl Loader for Icd11SimpleTabulation {
    fn format(&self) -> &'static str {
        "icd11-simple-tabulation"
    }

    fn description(&self) -> &'static str {
        "WHO ICD-11 MMS SimpleTabulation / LinearizationMiniOutput (tab-separated, as downloaded from WHO)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        header_starts_with(file.bytes, QUOTED_TSV, &["Foundation URI", "Linearization URI", "Code", "BlockId", "Title"])
            || header_starts_with(
                file.bytes,
                QUOTED_TSV,
                &["Foundation URI", "Linearization (release) URI", "Code", "BlockId", "Title"],
            )
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let uri = if header_starts_with(file.bytes, QUOTED_TSV, &["Foundation URI", "Linearization URI"]) {
            "Linearization URI"
        } else {
            "Linearization (release) URI"
        };
        let required =
            ["Foundation URI", uri, "Code", "BlockId", "Title", "ClassKind", "IsResidual", "ChapterNo", "isLeaf"];
        let mut concepts: Vec<ConceptRecord> = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        // The code of the latest entity at each level above the current row.
        let mut ancestors: Vec<String> = Vec::new();
        for_each_row(file, QUOTED_TSV, &required, |row| {
            let kind = row.required("ClassKind", "class kind")?;
            let column = match kind {
                "chapter" => "ChapterNo",
                "block" => "BlockId",
                "category" => "Code",
                _ => {
                    let kind =
                        LoadErrorKind::Invalid { value: kind.to_owned(), expected: "chapter, block or category" };
                    return Err(LoadError::at(kind, row.pos("ClassKind")));
                }
            };
            let code = row.required(column, "code")?.to_owned();
            row.check(column, "an ICD-11 code, block id or chapter number (letters, digits, dots, hyphens)", |v| {
                v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            })?;
            if let Some(first_line) = seen.insert(code.clone(), row.line()) {
                return Err(LoadError::at(LoadErrorKind::Duplicate { code, first_line }, row.pos(column)));
            }
            let (level, title) = split_depth(row.get("Title"));
            if title.is_empty() {
                return Err(LoadError::at(LoadErrorKind::Empty { what: "title" }, row.pos("Title")));
            }
            if level > ancestors.len() || (level == 0) != (kind == "chapter") {
                let kind = LoadErrorKind::Invalid {
                    value: row.get("Title").to_owned(),
                    expected: "one more depth marker (\"- \") than the entity above it (none for a chapter)",
                };
                return Err(LoadError::at(kind, row.pos("Title")));
            }
            ancestors.truncate(level);
            let mut properties = BTreeMap::from([("class_kind".to_owned(), kind.to_owned())]);
            if let Some(parent) = ancestors.last() {
                properties.insert("parent".into(), parent.clone());
            }
            row.copy_properties(&mut properties, &[("ChapterNo", "chapter"), (uri, "entity_uri")]);
            if let Some(f) = row.opt("Foundation URI") {
                if let Some(id) = f.rsplit('/').next().filter(|id| id.bytes().all(|b| b.is_ascii_digit())) {
                    properties.insert("foundation_id".into(), id.to_owned());
                }
                properties.insert("foundation_uri".into(), f);
            }
            if row.get("IsResidual").eq_ignore_ascii_case("true") {
                let residual = row.get(uri).rsplit('/').next().filter(|t| *t == "other" || *t == "unspecified");
                properties.insert("residual".into(), residual.unwrap_or("true").to_owned());
            }
            if row.get("isLeaf").eq_ignore_ascii_case("true") {
                properties.insert("leaf".into(), "true".into());
            }
            ancestors.push(code.clone());
            concepts.push(ConceptRecord {
                code,
                status: Status::Active,
                display: title.to_owned(),
                designations: Vec::new(),
                properties,
                bookkeeping: BTreeMap::new(),
            });
            Ok(())
        })?;
        Ok(Loaded::full("icd11-mms", edition(file.bytes), concepts))
    }
}
