//! WHO ICD-10 ↔ ICD-11 MMS transition tables (tab-separated, UTF-8, header row whose last cell is
//! the edition stamp, e.g. `2020-Jan-22`; documented in WHO's `readme.txt`).
//!
//! - `11To10MapToOneCategory.txt` lists every ICD-11 MMS entity (chapter, block, category) with
//!   its code, English title, chapter and release URI: format `icd11-who-table` loads the coded
//!   entities as code system `icd11-mms`. Entities without a code (blocks and other groupings,
//!   `_NOCODEASSIGNED`) are not concepts; they are counted in [`Loaded::notes`]. A concept's
//!   `parent` comes from the code's own structure (5A71.01 → 5A71.0 → 5A71) where that code
//!   exists, its `chapter` from the table, its `foundation_id` from the release URI (none for
//!   residual categories).
//! - `10To11MapToOneCategory.txt`, `10To11MapToMultipleCategories.txt` and the same
//!   `11To10MapToOneCategory.txt` are crosswalks: format `who-icd-crosswalk` turns each row into
//!   a [`CrosswalkRecord`] (source code, target code or none, WHO relation and match type).

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::record::{ConceptRecord, Status};
use crate::text_table::{for_each_row, header_starts_with, TSV};
use crate::{LoadError, LoadErrorKind, Loaded, Loader, Result, SourceFile};

/// One row of a crosswalk table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrosswalkRecord {
    /// Source code (e.g. `E25.0`), or the source grouping's label (`A00-A09`, chapter `I`).
    pub from_code: String,
    /// Source class kind (`chapter`, `block`, `category`, `modifiedcategory`).
    pub from_kind: String,
    /// Source title.
    pub from_title: String,
    /// Target code; `None` when the target is a grouping without a code.
    pub to_code: Option<String>,
    /// Target release URI, when given.
    pub to_uri: Option<String>,
    /// Target title.
    pub to_title: String,
    /// WHO relation; `None` if blank.
    pub relation: Option<WhoRelation>,
    /// WHO match type, 10→11 one-category table only.
    pub match_type: Option<WhoMatchType>,
    /// Line in the file.
    pub line: u64,
}

crate::vocabulary! {
    /// WHO's `Relation` of a transition-table row: how the source category relates to the target.
    pub enum WhoRelation {
        /// Same meaning.
        Equivalent = "Equivalent",
        /// The source is a subclass of (narrower than) the target.
        Subclass = "Subclass",
        /// The source is a superclass of (broader than) the target.
        Superclass = "Superclass",
        /// The two overlap.
        InterSects = "InterSects",
        /// The two may overlap.
        PotentialIntersect = "PotentialIntersect",
    }
}

crate::vocabulary! {
    /// WHO's `Match Type` of a 10→11 one-category row.
    pub enum WhoMatchType {
        /// The target means the same.
        EquivalentMatch = "EquivalentMatch",
        /// The target is broader, within the same 3-character category.
        ToBroaderInTheSame3Char = "ToBroaderInTheSame3Char",
        /// The target is broader, within the same block.
        ToBroaderInTheSameBlock = "ToBroaderInTheSameBlock",
        /// The target is broader, within the same chapter.
        ToBroaderInTheSameChapter = "ToBroaderInTheSameChapter",
        /// The best match is elsewhere in the classification.
        MatchElseWhere = "MatchElseWhere",
        /// WHO states there is no mapping.
        NoMapping = "NoMapping",
        /// The target is a grouping without a residual category: no code to map to.
        NoMappingDueToMaptoGroupingWithoutResidual = "NoMappingDueToMaptoGroupingWithoutResidual",
    }
}

impl WhoMatchType {
    /// Whether the target is broader than the source within the classification's structure.
    pub fn is_to_broader(self) -> bool {
        matches!(
            self,
            WhoMatchType::ToBroaderInTheSame3Char
                | WhoMatchType::ToBroaderInTheSameBlock
                | WhoMatchType::ToBroaderInTheSameChapter
        )
    }
}

/// A cell holding one of a vocabulary's names, or empty.
fn vocabulary_cell<T: std::str::FromStr>(
    row: &crate::text_table::TableRow<'_>,
    column: &str,
    expected: &'static str,
) -> Result<Option<T>> {
    match row.opt(column) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| LoadError::at(LoadErrorKind::Invalid { value: v, expected }, row.pos(column))),
    }
}

const RELATIONS: &str = "a WHO relation: Equivalent, Subclass, Superclass, InterSects or PotentialIntersect";
const MATCH_TYPES: &str = "a WHO match type: EquivalentMatch, ToBroaderInTheSame3Char, ToBroaderInTheSameBlock, ToBroaderInTheSameChapter, MatchElseWhere, NoMapping or NoMappingDueToMaptoGroupingWithoutResidual";

/// A crosswalk file: which direction, which table, the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crosswalk {
    /// Table name (e.g. `who-icd10-icd11-one-category`).
    pub table: String,
    /// Source code system (e.g. `icd10-who`).
    pub from_system: &'static str,
    /// Target code system.
    pub to_system: &'static str,
    /// Rows in file order.
    pub records: Vec<CrosswalkRecord>,
}

/// The edition stamp of a WHO table (last header cell, e.g. `2020-Jan-22` → `2020-01-22`).
fn edition(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.split(|&b| b == b'\n').next()?;
    let stamp = String::from_utf8_lossy(first).trim_end().rsplit('\t').next()?.to_owned();
    let mut parts = stamp.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let m = months.iter().position(|x| *x == m)? + 1;
    (y.len() == 4 && d.len() == 2).then(|| format!("{y}-{m:02}-{d}"))
}

const URI_11: &str = "Linearization (release) URI";

fn is_11_to_10(bytes: &[u8]) -> bool {
    header_starts_with(bytes, TSV, &[URI_11, "icd11Code", "icd11Chapter", "icd11Title"])
}

fn is_10_to_11(bytes: &[u8]) -> bool {
    header_starts_with(bytes, TSV, &["10ClassKind"])
}

/// ICD-11 MMS entities from WHO's 11→10 table (format `icd11-who-table`).
pub struct Icd11WhoTable;

impl Loader for Icd11WhoTable {
    fn format(&self) -> &'static str {
        "icd11-who-table"
    }

    fn description(&self) -> &'static str {
        "ICD-11 MMS entities from WHO 11To10MapToOneCategory.txt (tab-separated)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        is_11_to_10(file.bytes)
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut concepts = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut uncoded = 0usize;
        for_each_row(file, TSV, &[URI_11, "icd11Code", "icd11Chapter", "icd11Title"], |row| {
            let code = row.get("icd11Code");
            if code.is_empty() || code == "_NOCODEASSIGNED" {
                uncoded += 1;
                return Ok(());
            }
            row.check("icd11Code", "an ICD-11 MMS code (letters, digits and dots)", |v| {
                v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
            })?;
            if let Some(first_line) = seen.insert(code.to_owned(), row.line()) {
                return Err(LoadError::at(
                    LoadErrorKind::Duplicate { code: code.to_owned(), first_line },
                    row.pos("icd11Code"),
                ));
            }
            let display = row.required("icd11Title", "title")?.to_owned();
            let mut properties = BTreeMap::new();
            if let Some(c) = row.opt("icd11Chapter") {
                properties.insert("chapter".to_owned(), c);
            }
            if let Some(u) = row.opt(URI_11) {
                // `…/mms/257068234` names Foundation entity 257068234; a residual
                // (`…/mms/344162786/other`) has no Foundation entity of its own.
                if let Some(id) = u.rsplit('/').next().filter(|id| id.bytes().all(|b| b.is_ascii_digit())) {
                    properties.insert("foundation_id".to_owned(), id.to_owned());
                }
                properties.insert("entity_uri".to_owned(), u);
            }
            concepts.push(ConceptRecord {
                code: code.to_owned(),
                status: Status::Active,
                display,
                designations: Vec::new(),
                properties,
                bookkeeping: BTreeMap::new(),
            });
            Ok(())
        })?;
        let codes: HashSet<String> = concepts.iter().map(|c| c.code.clone()).collect();
        for c in &mut concepts {
            if let Some(parent) = structural_parent(&c.code, &codes) {
                c.properties.insert("parent".to_owned(), parent);
            }
        }
        let mut loaded = Loaded::full("icd11-mms", edition(file.bytes), concepts);
        if uncoded > 0 {
            loaded.notes.push(format!("{uncoded} entities without a code (blocks and groupings) are not concepts"));
        }
        Ok(loaded)
    }
}

/// The nearest existing code obtained by dropping trailing characters after the dot:
/// `5A71.01` → `5A71.0` (if it exists) → `5A71`.
fn structural_parent(code: &str, codes: &HashSet<String>) -> Option<String> {
    let (stem, _) = code.split_once('.')?;
    let mut candidate = code.to_owned();
    while candidate.len() > stem.len() {
        candidate.pop();
        let trimmed = candidate.trim_end_matches('.');
        if codes.contains(trimmed) {
            return Some(trimmed.to_owned());
        }
    }
    None
}

/// WHO ICD-10 ↔ ICD-11 crosswalk tables (format `who-icd-crosswalk`).
pub struct WhoIcdCrosswalk;

impl WhoIcdCrosswalk {
    /// Parses a WHO transition table into crosswalk records.
    pub fn crosswalk(&self, file: &SourceFile<'_>) -> Result<Crosswalk> {
        let mut records = Vec::new();
        if is_11_to_10(file.bytes) {
            for_each_row(
                file,
                TSV,
                &[URI_11, "icd11Code", "icd11Title", "icd10Code", "icd10Title", "Relation"],
                |row| {
                    records.push(CrosswalkRecord {
                        from_code: row.get("icd11Code").to_owned(),
                        from_kind: String::new(),
                        from_title: row.get("icd11Title").to_owned(),
                        to_code: row.opt("icd10Code"),
                        to_uri: None,
                        to_title: row.get("icd10Title").to_owned(),
                        relation: vocabulary_cell(&row, "Relation", RELATIONS)?,
                        match_type: None,
                        line: row.line(),
                    });
                    Ok(())
                },
            )?;
            return Ok(Crosswalk {
                table: "who-icd11-icd10-one-category".into(),
                from_system: "icd11-mms",
                to_system: "icd10-who",
                records,
            });
        }
        // The two 10→11 tables name the URI column slightly differently.
        let multiple = header_starts_with(file.bytes, TSV, &["10ClassKind", "Depth"]);
        let uri = if multiple { "Linearization (release) URI" } else { "Linearization (releaseURI)" };
        let mut required = vec!["10ClassKind", "icd10Code", "icd10Title", uri, "icd11Code", "icd11Title", "Relation"];
        if !multiple {
            required.push("Match Type");
        }
        for_each_row(file, TSV, &required, |row| {
            let from_code = row.required("icd10Code", "ICD-10 code")?.to_owned();
            records.push(CrosswalkRecord {
                from_code,
                from_kind: row.get("10ClassKind").to_owned(),
                from_title: row.get("icd10Title").to_owned(),
                to_code: row.opt("icd11Code").filter(|c| c != "_NOCODEASSIGNED"),
                to_uri: row.opt(uri),
                to_title: row.get("icd11Title").to_owned(),
                relation: vocabulary_cell(&row, "Relation", RELATIONS)?,
                match_type: if multiple { None } else { vocabulary_cell(&row, "Match Type", MATCH_TYPES)? },
                line: row.line(),
            });
            Ok(())
        })?;
        let table = if multiple { "who-icd10-icd11-multiple-categories" } else { "who-icd10-icd11-one-category" };
        Ok(Crosswalk { table: table.into(), from_system: "icd10-who", to_system: "icd11-mms", records })
    }
}

impl Loader for WhoIcdCrosswalk {
    fn format(&self) -> &'static str {
        "who-icd-crosswalk"
    }

    fn description(&self) -> &'static str {
        "WHO ICD-10 ↔ ICD-11 transition tables 10To11MapTo*.txt / 11To10MapToOneCategory.txt (crosswalk)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        is_10_to_11(file.bytes)
    }

    /// A 10→11 table also yields the WHO ICD-10 entities it lists (code, English title, class
    /// kind) as concepts of `icd10-who`; the rows themselves are in [`Loaded::crosswalk`].
    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let crosswalk = self.crosswalk(file)?;
        let mut concepts: Vec<ConceptRecord> = Vec::new();
        if crosswalk.from_system == "icd10-who" {
            let mut seen = HashSet::new();
            for r in &crosswalk.records {
                if seen.insert(r.from_code.clone()) {
                    concepts.push(ConceptRecord {
                        code: r.from_code.clone(),
                        status: Status::Active,
                        display: r.from_title.clone(),
                        designations: Vec::new(),
                        properties: BTreeMap::from([("class_kind".to_owned(), r.from_kind.clone())]),
                        bookkeeping: BTreeMap::new(),
                    });
                }
            }
        }
        let mut loaded = Loaded::full(crosswalk.from_system, edition(file.bytes), concepts);
        loaded.crosswalk = Some(crosswalk);
        Ok(loaded)
    }
}
