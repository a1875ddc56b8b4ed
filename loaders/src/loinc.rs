//! LOINC: the official table `Loinc.csv` (format `loinc-table`) and the LOINC "Top 2000+ common
//! lab results" list (format `loinc-top2000`). Code system `loinc`.
//!
//! `Loinc.csv`: UTF-8 CSV, quoted, header row, columns found by name (LOINC_NUM, COMPONENT,
//! PROPERTY, TIME_ASPCT, SYSTEM, SCALE_TYP, METHOD_TYP, CLASS, CLASSTYPE, STATUS, SHORTNAME,
//! LONG_COMMON_NAME, and optional others). display = LONG_COMMON_NAME; designations SHORTNAME
//! (short), DisplayName and CONSUMER_NAME (synonyms, English); properties `component`,
//! `property`, `time_aspect`, `system`, `scale`, `method`, `class`, `class_type`,
//! `loinc_status`, `example_ucum_units`, `common_test_rank`, `order_obs`,
//! `version_first_released`, `version_last_changed`. Status: retired when STATUS is DEPRECATED
//! (DISCOURAGED and TRIAL stay active; `loinc_status` keeps the exact value).
//!
//! Top 2000 list: header `LOINC #,Long Common Name,Short Name,CLASS,Rank`. The published list
//! repeats a few codes with an older name (e.g. 5902-2 "Prothrombin time (PT)" beside its full
//! name): the first row gives the display, a differing later name becomes a synonym, the best
//! rank is kept, and the merge is reported in [`Loaded::notes`].
//!
//! Every release holding LOINC content must carry LOINC's licence notice (see `masters/`).

use std::collections::{BTreeMap, HashMap};

use crate::record::{ConceptRecord, Designation, DesignationUse, Status};
use crate::text_table::{for_each_row, header_starts_with, TableRow, CSV};
use crate::{base_name, LoadError, LoadErrorKind, Loaded, Loader, Result, SourceFile};

/// The short name and, when the file has them, the display and consumer names of a row.
fn designations(row: &TableRow<'_>, display: &str, optional: &[&str]) -> Vec<Designation> {
    let mut designations = Vec::new();
    if let Some(s) = row.opt("SHORTNAME") {
        designations.push(english(DesignationUse::Short, s));
    }
    for c in ["DisplayName", "CONSUMER_NAME"] {
        if optional.contains(&c) {
            if let Some(v) = row.opt(c).filter(|v| v != display && !designations.iter().any(|d| &d.value == v)) {
                designations.push(english(DesignationUse::Synonym, v));
            }
        }
    }
    designations
}

fn is_loinc_code(v: &str) -> bool {
    let Some((num, check)) = v.split_once('-') else { return false };
    !num.is_empty()
        && num.len() <= 7
        && num.bytes().all(|b| b.is_ascii_digit())
        && check.len() == 1
        && check.bytes().all(|b| b.is_ascii_digit())
}

fn english(use_: DesignationUse, value: String) -> Designation {
    Designation { use_, language: "en".into(), value }
}

/// Columns of `Loinc.csv` that become properties: (column, property).
const TABLE_PROPERTIES: [(&str, &str); 14] = [
    ("COMPONENT", "component"),
    ("PROPERTY", "property"),
    ("TIME_ASPCT", "time_aspect"),
    ("SYSTEM", "system"),
    ("SCALE_TYP", "scale"),
    ("METHOD_TYP", "method"),
    ("CLASS", "class"),
    ("CLASSTYPE", "class_type"),
    ("STATUS", "loinc_status"),
    ("EXAMPLE_UCUM_UNITS", "example_ucum_units"),
    ("COMMON_TEST_RANK", "common_test_rank"),
    ("ORDER_OBS", "order_obs"),
    ("VersionFirstReleased", "version_first_released"),
    ("VersionLastChanged", "version_last_changed"),
];

/// The official LOINC table (format `loinc-table`).
pub struct LoincTable;

impl Loader for LoincTable {
    fn format(&self) -> &'static str {
        "loinc-table"
    }

    fn description(&self) -> &'static str {
        "LOINC table Loinc.csv (official release layout, UTF-8 CSV with header)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        header_starts_with(file.bytes, CSV, &["LOINC_NUM", "COMPONENT", "PROPERTY"])
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let required = [
            "LOINC_NUM",
            "COMPONENT",
            "PROPERTY",
            "TIME_ASPCT",
            "SYSTEM",
            "SCALE_TYP",
            "METHOD_TYP",
            "CLASS",
            "STATUS",
            "LONG_COMMON_NAME",
            "SHORTNAME",
        ];
        let mut concepts = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut optional: Vec<&str> = Vec::new();
        for_each_row(file, CSV, &required, |row| {
            if optional.is_empty() {
                // Columns added in later LOINC versions are used when present.
                for (c, _) in TABLE_PROPERTIES.iter().chain(&[("DisplayName", ""), ("CONSUMER_NAME", "")]) {
                    if row.has(c) {
                        optional.push(c);
                    }
                }
            }
            let code = row.required("LOINC_NUM", "LOINC code")?;
            row.check("LOINC_NUM", "a LOINC code such as 2160-0", is_loinc_code)?;
            if let Some(first_line) = seen.insert(code.to_owned(), row.line()) {
                return Err(LoadError::at(
                    LoadErrorKind::Duplicate { code: code.to_owned(), first_line },
                    row.pos("LOINC_NUM"),
                ));
            }
            let display = row.opt("LONG_COMMON_NAME").unwrap_or_else(|| row.get("COMPONENT").to_owned());
            let designations = designations(&row, &display, &optional);
            let mut properties = BTreeMap::new();
            for (c, p) in TABLE_PROPERTIES.iter().filter(|(c, _)| optional.contains(c)) {
                if let Some(v) = row.opt(c) {
                    properties.insert((*p).to_owned(), v);
                }
            }
            let status = if row.get("STATUS") == "DEPRECATED" { Status::Retired } else { Status::Active };
            concepts.push(ConceptRecord {
                code: code.to_owned(),
                status,
                display,
                designations,
                properties,
                bookkeeping: BTreeMap::new(),
            });
            Ok(())
        })?;
        Ok(Loaded::full("loinc", None, concepts))
    }
}

/// The LOINC Top 2000+ common lab results list (format `loinc-top2000`).
pub struct LoincTop2000;

impl Loader for LoincTop2000 {
    fn format(&self) -> &'static str {
        "loinc-top2000"
    }

    fn description(&self) -> &'static str {
        "LOINC Top 2000+ common lab results list (LOINC #, Long Common Name, Short Name, CLASS, Rank)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        header_starts_with(file.bytes, CSV, &["LOINC #", "Long Common Name", "Short Name"])
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut concepts: Vec<ConceptRecord> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut merged = Vec::new();
        for_each_row(file, CSV, &["LOINC #", "Long Common Name", "Short Name", "CLASS", "Rank"], |row| {
            let code = row.required("LOINC #", "LOINC code")?;
            row.check("LOINC #", "a LOINC code such as 2160-0", is_loinc_code)?;
            let name = row.required("Long Common Name", "name")?.to_owned();
            let rank = row.get("Rank");
            row.check("Rank", "a whole number", |v| v.is_empty() || v.parse::<u32>().is_ok())?;
            if let Some(&i) = index.get(code) {
                // The list's own repetition of a code: merge, keep the best rank, report it.
                let c = &mut concepts[i];
                if c.display != name && !c.designations.iter().any(|d| d.value == name) {
                    c.designations.push(english(DesignationUse::Synonym, name));
                }
                if let Some(short) = row.opt("Short Name").filter(|s| !c.designations.iter().any(|d| &d.value == s)) {
                    c.designations.push(english(DesignationUse::Synonym, short));
                }
                let old_rank = c.property("top2000_rank").and_then(|r| r.parse::<u32>().ok());
                if let (Ok(new), Some(old)) = (rank.parse::<u32>(), old_rank) {
                    if new < old {
                        c.properties.insert("top2000_rank".into(), new.to_string());
                    }
                }
                merged.push(format!("{code} (line {})", row.line()));
                return Ok(());
            }
            let mut properties = BTreeMap::new();
            if let Some(class) = row.opt("CLASS") {
                properties.insert("class".to_owned(), class);
            }
            if !rank.is_empty() {
                properties.insert("top2000_rank".to_owned(), rank.to_owned());
            }
            let designations = row.opt("Short Name").map(|s| english(DesignationUse::Short, s)).into_iter().collect();
            index.insert(code.to_owned(), concepts.len());
            concepts.push(ConceptRecord {
                code: code.to_owned(),
                status: Status::Active,
                display: name,
                designations,
                properties,
                bookkeeping: BTreeMap::new(),
            });
            Ok(())
        })?;
        let mut loaded = Loaded::full("loinc", top2000_version(file.name), concepts);
        if !merged.is_empty() {
            loaded.notes.push(format!(
                "{} repeated codes merged into their first row: {}",
                merged.len(),
                merged.join(", ")
            ));
        }
        Ok(loaded)
    }
}

/// `LOINC_1.6_Top2000CommonLabResultsUS.csv` → `top2000-1.6`.
fn top2000_version(name: &str) -> Option<String> {
    let rest = base_name(name).strip_prefix("LOINC_")?;
    let (v, _) = rest.split_once('_')?;
    Some(format!("top2000-{v}"))
}
