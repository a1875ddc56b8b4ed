//! WHO's ICD-11 MMS tabulation as users download it from WHO (format `icd11-simple-tabulation`):
//! `SimpleTabulation-ICD-11-MMS-<lang>.zip` and the older `LinearizationMiniOutput-MMS-<lang>.zip`
//! each hold the same table twice, as `.txt` and as `.xlsx`; both load, with the same checks.
//! The `.txt` is tab-separated, UTF-8 with a BOM, quoted fields (the title, the `=hyperlink(…)`
//! browser link); the `.xlsx` has the table on its first sheet (the link a formula). Both have a
//! header row whose last cell is the edition (`Version:2024 Jan 21 - 22:30 UTC`). Columns are
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
//! one, an empty title. Positions are lines of the `.txt`, or sheet and row of the `.xlsx`.

use std::collections::{BTreeMap, HashMap};

use crate::record::{ConceptRecord, Status};
use crate::row::Row;
use crate::text_table::{for_each_row, header_cells, Dialect};
use crate::xlsx::{is_xlsx, Workbook};
use crate::{base_name, LoadError, LoadErrorKind, Loaded, Loader, Result, SourceFile};

/// Tab-separated with `"` quoting (titles and links are quoted).
const QUOTED_TSV: Dialect = Dialect { delimiter: b'\t', quoted: true };

/// The header cells every edition starts with; the second is the URI column, named
/// `Linearization URI` (SimpleTabulation) or `Linearization (release) URI` (older).
const URI_COLUMNS: [&str; 2] = ["Linearization URI", "Linearization (release) URI"];

/// The URI column of a header that starts as WHO's tabulation does.
fn uri_column(header: &[String]) -> Option<&'static str> {
    let starts = |uri: &str| {
        ["Foundation URI", uri, "Code", "BlockId", "Title"].iter().zip(header).filter(|(a, b)| a == b).count() == 5
    };
    URI_COLUMNS.into_iter().find(|uri| starts(uri))
}

/// The edition in the last header cell: `Version:2024 Jan 21 - 22:30 UTC` → `2024-01-21`.
fn edition(header: &[String]) -> Option<String> {
    let stamp = header.last()?.strip_prefix("Version:")?.to_owned();
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

/// WHO's name of the workbook: `SimpleTabulation-ICD-11-MMS-<lang>.xlsx` or
/// `LinearizationMiniOutput-MMS-<lang>.xlsx`.
fn is_tabulation_workbook_name(name: &str) -> bool {
    let base = base_name(name);
    (base.starts_with("SimpleTabulation-ICD-11-MMS") || base.starts_with("LinearizationMiniOutput-MMS"))
        && base.to_ascii_lowercase().ends_with(".xlsx")
}

/// The entities read so far, and the code of the latest entity at each level above the row.
struct Entities {
    uri: &'static str,
    concepts: Vec<ConceptRecord>,
    seen: HashMap<String, u64>,
    ancestors: Vec<String>,
}

impl Entities {
    fn new(uri: &'static str) -> Self {
        Self { uri, concepts: Vec::new(), seen: HashMap::new(), ancestors: Vec::new() }
    }

    fn required(&self) -> [&'static str; 9] {
        ["Foundation URI", self.uri, "Code", "BlockId", "Title", "ClassKind", "IsResidual", "ChapterNo", "isLeaf"]
    }

    /// One row of the table, in either container.
    fn add(&mut self, row: &impl Row) -> Result<()> {
        let kind = row.need("ClassKind", "class kind")?;
        let column = match kind.as_str() {
            "chapter" => "ChapterNo",
            "block" => "BlockId",
            "category" => "Code",
            _ => {
                let kind = LoadErrorKind::Invalid { value: kind, expected: "chapter, block or category" };
                return Err(LoadError::at(kind, row.position("ClassKind")));
            }
        };
        let mut code = row.need(column, "code")?;
        row.verify(column, "an ICD-11 code, block id or chapter number (letters, digits, dots, hyphens)", |v| {
            v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        })?;
        // Chapters are numbered 01…26 (then V, X); a workbook may hold the number as a number.
        let chapter = row.value("ChapterNo").map(|c| {
            if c.len() == 1 && c.as_bytes()[0].is_ascii_digit() {
                format!("0{c}")
            } else {
                c
            }
        });
        if kind == "chapter" {
            code = chapter.clone().unwrap_or(code);
        }
        if let Some(first_line) = self.seen.insert(code.clone(), row.number()) {
            return Err(LoadError::at(LoadErrorKind::Duplicate { code, first_line }, row.position(column)));
        }
        let raw_title = row.text("Title");
        let (level, title) = split_depth(&raw_title);
        if title.is_empty() {
            return Err(LoadError::at(LoadErrorKind::Empty { what: "title" }, row.position("Title")));
        }
        if level > self.ancestors.len() || (level == 0) != (kind == "chapter") {
            let kind = LoadErrorKind::Invalid {
                value: raw_title.clone().into_owned(),
                expected: "one more depth marker (\"- \") than the entity above it (none for a chapter)",
            };
            return Err(LoadError::at(kind, row.position("Title")));
        }
        self.ancestors.truncate(level);
        let mut properties = BTreeMap::from([("class_kind".to_owned(), kind)]);
        if let Some(parent) = self.ancestors.last() {
            properties.insert("parent".into(), parent.clone());
        }
        if let Some(chapter) = chapter {
            properties.insert("chapter".into(), chapter);
        }
        if let Some(uri) = row.value(self.uri) {
            properties.insert("entity_uri".into(), uri);
        }
        if let Some(f) = row.value("Foundation URI") {
            if let Some(id) = f.rsplit('/').next().filter(|id| id.bytes().all(|b| b.is_ascii_digit())) {
                properties.insert("foundation_id".into(), id.to_owned());
            }
            properties.insert("foundation_uri".into(), f);
        }
        if row.text("IsResidual").eq_ignore_ascii_case("true") {
            let uri = row.text(self.uri);
            let residual = uri.rsplit('/').next().filter(|t| *t == "other" || *t == "unspecified");
            properties.insert("residual".into(), residual.unwrap_or("true").to_owned());
        }
        if row.text("isLeaf").eq_ignore_ascii_case("true") {
            properties.insert("leaf".into(), "true".into());
        }
        self.ancestors.push(code.clone());
        self.concepts.push(ConceptRecord {
            code,
            status: Status::Active,
            display: title.to_owned(),
            designations: Vec::new(),
            properties,
            bookkeeping: BTreeMap::new(),
        });
        Ok(())
    }
}

/// WHO's ICD-11 SimpleTabulation / LinearizationMiniOutput (format `icd11-simple-tabulation`).
pub struct Icd11SimpleTabulation;

impl Loader for Icd11SimpleTabulation {
    fn format(&self) -> &'static str {
        "icd11-simple-tabulation"
    }

    fn description(&self) -> &'static str {
        "WHO ICD-11 MMS SimpleTabulation / LinearizationMiniOutput (.txt tab-separated or .xlsx, as downloaded from WHO)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        if is_xlsx(file.bytes) {
            is_tabulation_workbook_name(file.name)
        } else {
            uri_column(&header_cells(file.bytes, QUOTED_TSV)).is_some()
        }
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let missing = |header: &[String], at: &str| {
            let column = format!(
                "Foundation URI, Linearization URI (or Linearization (release) URI), Code, BlockId, Title as the first five; found {}",
                header.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            );
            LoadError::file(LoadErrorKind::MissingColumn { column }, at)
        };
        if is_xlsx(file.bytes) {
            let mut wb = Workbook::open(file)?;
            let first = wb.sheet_names().into_iter().next().unwrap_or_default();
            let sheet = wb.sheet(&first)?;
            let header = sheet.header(&["Foundation URI", "Code", "BlockId", "Title"])?;
            let uri = uri_column(&header).ok_or_else(|| missing(&header, file.name))?;
            let mut entities = Entities::new(uri);
            sheet.for_each_row(&entities.required(), |row| entities.add(&row))?;
            Ok(Loaded::full("icd11-mms", edition(&header), entities.concepts))
        } else {
            let header = header_cells(file.bytes, QUOTED_TSV);
            let uri = uri_column(&header).ok_or_else(|| missing(&header, file.name))?;
            let mut entities = Entities::new(uri);
            for_each_row(file, QUOTED_TSV, &entities.required(), |row| entities.add(&row))?;
            Ok(Loaded::full("icd11-mms", edition(&header), entities.concepts))
        }
    }
}
