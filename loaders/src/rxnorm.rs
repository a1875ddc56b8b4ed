//! RxNorm (code system `rxnorm`), from NLM's official RRF files or the staged flat tables.
//!
//! - `rxnorm-concepts-tsv`: tab-separated `RXCUI TTY STR [UNII]` with a header row (the flat
//!   concept tables of RxNorm Current Prescribable Content and of the MedXN name dictionary).
//!   display = STR, properties `tty`, `unii`. A RXCUI listed again (another TTY or spelling) is
//!   merged into its first row (names become synonyms, TTYs are joined) and reported.
//! - `rxnorm-rrf` (`RXNCONSO.RRF`): pipe-delimited, no header, 18 fields and a trailing `|`
//!   (RXCUI|LAT|TS|LUI|STT|SUI|ISPREF|RXAUI|SAUI|SCUI|SDUI|SAB|TTY|CODE|STR|SRL|SUPPRESS|CVF).
//!   Only SAB=RXNORM atoms are RxNorm content; atoms of other sources are counted and left out.
//!   display = the name of the most specific term type (IN, PIN, MIN, SCD, SBD, BN, …); the other
//!   names are synonyms; a concept whose atoms are all suppressed (SUPPRESS O/Y/E) is retired.
//! - `rxnorm-cui-history` (`RXNCUI.RRF`): `CUI1|VER_START|VER_END|CARDINALITY|CUI2|`, RxNorm's
//!   record of retired RXCUIs: each CUI1 becomes a retired concept whose `successor` lists its
//!   CUI2s and `retired_in` the last release that had it. Imported together with a concept file
//!   of the same version, a RXCUI present in both keeps the concept file's record.
//!
//! - `rxnorm-rel-rrf` (`RXNREL.RRF`) and `rxnorm-relations-tsv` (`RXCUI1 RELA RXCUI2`): relations,
//!   applied at import as set properties of the concepts of the same version (see each loader).
//!   The ingredient-centred JSON is `rxnorm-prescribe-json` ([`crate::rxnorm_json`]).
//!
//! Every release holding RxNorm content carries NLM's attribution (see `masters/`).

use std::collections::{BTreeMap, HashMap};

use crate::error::{FieldRef, Position};
use crate::record::{ConceptRecord, Designation, DesignationUse, Relation, Status};
use crate::text_table::{for_each_row, header_starts_with, TSV};
use crate::{base_name, LoadError, LoadErrorKind, Loaded, Loader, Result, SourceFile};

fn is_rxcui(v: &str) -> bool {
    !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit())
}

/// `rxnorm_prescribe_20251006_concepts.tsv` → `2025-10-06`.
fn prescribe_version(name: &str) -> Option<String> {
    let digits: String = base_name(name).strip_prefix("rxnorm_prescribe_")?.chars().take(8).collect();
    (digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &digits[0..4], &digits[4..6], &digits[6..8]))
}

fn english(use_: DesignationUse, value: String) -> Designation {
    Designation { use_, language: "en".into(), value }
}

/// The flat concept table `RXCUI TTY STR [UNII]` (format `rxnorm-concepts-tsv`).
pub struct RxNormConceptsTsv;

impl Loader for RxNormConceptsTsv {
    fn format(&self) -> &'static str {
        "rxnorm-concepts-tsv"
    }

    fn description(&self) -> &'static str {
        "RxNorm concept table, tab-separated RXCUI TTY STR [UNII] with header"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        header_starts_with(file.bytes, TSV, &["RXCUI", "TTY", "STR"])
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut concepts: Vec<ConceptRecord> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut repeated = 0usize;
        let mut has_unii = None;
        for_each_row(file, TSV, &["RXCUI", "TTY", "STR"], |row| {
            let has_unii = *has_unii.get_or_insert_with(|| row.has("UNII"));
            let code = row.required("RXCUI", "RXCUI")?;
            row.check("RXCUI", "a numeric RXCUI", is_rxcui)?;
            let tty = row.required("TTY", "term type")?.to_owned();
            let name = row.required("STR", "name")?.to_owned();
            if let Some(&i) = index.get(code) {
                let c = &mut concepts[i];
                repeated += 1;
                if c.display != name && !c.designations.iter().any(|d| d.value == name) {
                    c.designations.push(english(DesignationUse::Synonym, name));
                }
                let ttys = c.properties.entry("tty".into()).or_default();
                if !ttys.split(' ').any(|t| t == tty) {
                    ttys.push(' ');
                    ttys.push_str(&tty);
                }
                return Ok(());
            }
            let mut properties = BTreeMap::from([("tty".to_owned(), tty)]);
            if has_unii {
                if let Some(u) = row.opt("UNII") {
                    properties.insert("unii".into(), u);
                }
            }
            index.insert(code.to_owned(), concepts.len());
            concepts.push(ConceptRecord {
                code: code.to_owned(),
                status: Status::Active,
                display: name,
                designations: Vec::new(),
                properties,
                bookkeeping: BTreeMap::new(),
            });
            Ok(())
        })?;
        let mut loaded = Loaded::full("rxnorm", prescribe_version(file.name), concepts);
        if repeated > 0 {
            loaded.notes.push(format!(
                "{repeated} rows repeat a RXCUI (another term type or spelling) and were merged into its first row"
            ));
        }
        Ok(loaded)
    }
}

/// The lines of a pipe-delimited RRF file as fields, with their line numbers; every line must
/// have the layout's field count (plus the trailing `|` every RRF line ends with).
fn rrf_rows<'a>(file: &SourceFile<'a>, layout: &'static [&'static str]) -> Result<Vec<(u64, Vec<&'a str>)>> {
    let text = std::str::from_utf8(file.bytes).map_err(|e| {
        let line = file.bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        LoadError::at(
            LoadErrorKind::Encoding { encoding: "UTF-8" },
            Position { file: file.name.to_owned(), line, record: line, field: None },
        )
    })?;
    let mut rows = Vec::new();
    for (i, l) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line = i as u64 + 1;
        let mut fields: Vec<&str> = l.trim_end_matches('\r').split('|').collect();
        if fields.last() == Some(&"") {
            fields.pop();
        }
        if fields.len() != layout.len() {
            let kind = LoadErrorKind::FieldCount { expected: layout.len(), found: fields.len() };
            return Err(LoadError::at(kind, Position { file: file.name.to_owned(), line, record: line, field: None }));
        }
        rows.push((line, fields));
    }
    if rows.is_empty() {
        return Err(LoadError::file(LoadErrorKind::NoRecords, file.name));
    }
    Ok(rows)
}

fn rrf_pos(file: &str, line: u64, layout: &[&str], index: usize) -> Position {
    Position {
        file: file.to_owned(),
        line,
        record: line,
        field: Some(FieldRef { index, name: layout[index].to_owned() }),
    }
}

/// The RXNCONSO.RRF layout.
pub const RXNCONSO: [&str; 18] = [
    "RXCUI", "LAT", "TS", "LUI", "STT", "SUI", "ISPREF", "RXAUI", "SAUI", "SCUI", "SDUI", "SAB", "TTY", "CODE", "STR",
    "SRL", "SUPPRESS", "CVF",
];

/// Term types in order of preference for the display name.
const TTY_ORDER: [&str; 20] = [
    "IN", "PIN", "MIN", "SCD", "SBD", "BN", "SCDC", "SBDC", "SCDF", "SBDF", "SCDG", "SBDG", "GPCK", "BPCK", "DF",
    "DFG", "PSN", "SY", "TMSY", "ET",
];

fn tty_rank(tty: &str) -> usize {
    TTY_ORDER.iter().position(|t| *t == tty).unwrap_or(TTY_ORDER.len())
}

/// The RXNORM atoms of one RXCUI.
#[derive(Default)]
struct Atoms {
    best_rank: usize,
    display: String,
    names: Vec<String>,
    some_unsuppressed: bool,
    ttys: Vec<String>,
}

/// NLM's RXNCONSO.RRF (format `rxnorm-rrf`).
pub struct RxNormRrf;

impl Loader for RxNormRrf {
    fn format(&self) -> &'static str {
        "rxnorm-rrf"
    }

    fn description(&self) -> &'static str {
        "RxNorm RXNCONSO.RRF (official NLM release layout, pipe-delimited)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        base_name(file.name).eq_ignore_ascii_case("RXNCONSO.RRF")
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut by_cui: BTreeMap<String, Atoms> = BTreeMap::new();
        let mut other_sources = 0usize;
        for (line, f) in rrf_rows(file, &RXNCONSO)? {
            if !is_rxcui(f[0]) {
                let kind = LoadErrorKind::Invalid { value: f[0].to_owned(), expected: "a numeric RXCUI" };
                return Err(LoadError::at(kind, rrf_pos(file.name, line, &RXNCONSO, 0)));
            }
            if f[11] != "RXNORM" {
                other_sources += 1;
                continue;
            }
            let (tty, name, suppressed) = (f[12], f[14], matches!(f[16], "O" | "Y" | "E"));
            if name.is_empty() {
                return Err(LoadError::at(
                    LoadErrorKind::Empty { what: "name" },
                    rrf_pos(file.name, line, &RXNCONSO, 14),
                ));
            }
            let e = by_cui.entry(f[0].to_owned()).or_default();
            if e.names.is_empty() || tty_rank(tty) < e.best_rank {
                e.best_rank = tty_rank(tty);
                e.display = name.to_owned();
            }
            if !e.names.iter().any(|n| n == name) {
                e.names.push(name.to_owned());
            }
            e.some_unsuppressed |= !suppressed;
            if !e.ttys.iter().any(|t| t == tty) {
                e.ttys.push(tty.to_owned());
            }
        }
        let concepts = by_cui
            .into_iter()
            .map(|(code, a)| ConceptRecord {
                designations: a
                    .names
                    .into_iter()
                    .filter(|n| n != &a.display)
                    .map(|n| english(DesignationUse::Synonym, n))
                    .collect(),
                code,
                status: if a.some_unsuppressed { Status::Active } else { Status::Retired },
                display: a.display,
                properties: BTreeMap::from([("tty".to_owned(), a.ttys.join(" "))]),
                bookkeeping: BTreeMap::new(),
            })
            .collect();
        let mut loaded = Loaded::full("rxnorm", None, concepts);
        if other_sources > 0 {
            loaded.notes.push(format!(
                "{other_sources} atoms of sources other than RXNORM are not RxNorm content and were left out"
            ));
        }
        Ok(loaded)
    }
}

/// The RXNCUI.RRF layout.
pub const RXNCUI: [&str; 5] = ["CUI1", "VER_START", "VER_END", "CARDINALITY", "CUI2"];

/// NLM's RXNCUI.RRF retired-RXCUI history (format `rxnorm-cui-history`).
pub struct RxNormCuiHistory;

impl Loader for RxNormCuiHistory {
    fn format(&self) -> &'static str {
        "rxnorm-cui-history"
    }

    fn description(&self) -> &'static str {
        "RxNorm RXNCUI.RRF (retired RXCUI → successor history, pipe-delimited)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        base_name(file.name).eq_ignore_ascii_case("RXNCUI.RRF")
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut retired: BTreeMap<String, (Vec<String>, String)> = BTreeMap::new();
        for (line, f) in rrf_rows(file, &RXNCUI)? {
            for i in [0, 4] {
                if !is_rxcui(f[i]) {
                    let kind = LoadErrorKind::Invalid { value: f[i].to_owned(), expected: "a numeric RXCUI" };
                    return Err(LoadError::at(kind, rrf_pos(file.name, line, &RXNCUI, i)));
                }
            }
            let e = retired.entry(f[0].to_owned()).or_insert_with(|| (Vec::new(), f[2].to_owned()));
            if f[4] != f[0] && !e.0.iter().any(|s| s == f[4]) {
                e.0.push(f[4].to_owned());
            }
        }
        let concepts = retired
            .into_iter()
            .map(|(code, (successors, ver_end))| {
                let mut properties = BTreeMap::from([("retired_in".to_owned(), ver_end)]);
                if !successors.is_empty() {
                    properties.insert("successor".into(), successors.join(" "));
                }
                ConceptRecord {
                    display: format!("RXCUI {code} (retired)"),
                    code,
                    status: Status::Retired,
                    designations: Vec::new(),
                    properties,
                    bookkeeping: BTreeMap::new(),
                }
            })
            .collect();
        Ok(Loaded::full("rxnorm", None, concepts))
    }
}

/// The RXNREL.RRF layout.
pub const RXNREL: [&str; 16] = [
    "RXCUI1", "RXAUI1", "STYPE1", "REL", "RXCUI2", "RXAUI2", "STYPE2", "RELA", "RUI", "SRUI", "SAB", "SL", "DIR", "RG",
    "SUPPRESS", "CVF",
];

/// NLM's RXNREL.RRF (format `rxnorm-rel-rrf`): relations between RXCUIs, applied at import to the
/// concepts of a `RXNCONSO.RRF` (or other RxNorm concept file) of the same version.
///
/// RRF states a relation from the second concept to the first: a row
/// `RXCUI1=6809 … RXCUI2=316255 … RELA=has_ingredient` says that 316255 (an SCDC) has_ingredient
/// 6809 (metformin), so the relation is stored on RXCUI2. RxNorm lists each relation in both
/// directions (`ingredient_of` on the other row), so both ends carry it. Only SAB=RXNORM rows
/// between two RXCUIs (STYPE `CUI`) with a RELA are RxNorm content; atom-level rows, rows of
/// other sources and rows without a RELA are counted in the notes and left out.
pub struct RxNormRelRrf;

impl Loader for RxNormRelRrf {
    fn format(&self) -> &'static str {
        "rxnorm-rel-rrf"
    }

    fn description(&self) -> &'static str {
        "RxNorm RXNREL.RRF (relations between RXCUIs, official NLM layout, pipe-delimited)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        base_name(file.name).eq_ignore_ascii_case("RXNREL.RRF")
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut relations = Vec::new();
        let mut left_out = 0usize;
        for (line, f) in rrf_rows(file, &RXNREL)? {
            if f[10] != "RXNORM" || f[7].is_empty() || f[0].is_empty() || f[4].is_empty() {
                left_out += 1;
                continue;
            }
            for i in [0, 4] {
                if !is_rxcui(f[i]) {
                    let kind = LoadErrorKind::Invalid { value: f[i].to_owned(), expected: "a numeric RXCUI" };
                    return Err(LoadError::at(kind, rrf_pos(file.name, line, &RXNREL, i)));
                }
            }
            relations.push(Relation { source: f[4].to_owned(), name: f[7].to_owned(), target: f[0].to_owned(), line });
        }
        let mut loaded = Loaded::full("rxnorm", None, Vec::new());
        loaded.relations = relations;
        if left_out > 0 {
            loaded.notes.push(format!(
                "{left_out} rows are not RxNorm relations between RXCUIs (other sources, atom-level, or no RELA) and were left out"
            ));
        }
        Ok(loaded)
    }
}

/// A flat relations table `RXCUI1 RELA RXCUI2` with a header row (format
/// `rxnorm-relations-tsv`), read as "RXCUI1 RELA RXCUI2" (the subject first, e.g.
/// `91348 consists_of 334501`), as in the table derived from RxNorm Current Prescribable Content.
/// Rows whose RELA starts with `extractor_` are the extractor's grouping, not RxNorm relations:
/// counted in the notes and left out.
pub struct RxNormRelationsTsv;

impl Loader for RxNormRelationsTsv {
    fn format(&self) -> &'static str {
        "rxnorm-relations-tsv"
    }

    fn description(&self) -> &'static str {
        "RxNorm relations table, tab-separated RXCUI1 RELA RXCUI2 with header"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        header_starts_with(file.bytes, TSV, &["RXCUI1", "RELA", "RXCUI2"])
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut relations = Vec::new();
        let mut left_out = 0usize;
        for_each_row(file, TSV, &["RXCUI1", "RELA", "RXCUI2"], |row| {
            for col in ["RXCUI1", "RXCUI2"] {
                row.check(col, "a numeric RXCUI", is_rxcui)?;
            }
            let name = row.required("RELA", "relation")?;
            if name.starts_with("extractor_") {
                left_out += 1;
                return Ok(());
            }
            relations.push(Relation {
                source: row.get("RXCUI1").to_owned(),
                name: name.to_owned(),
                target: row.get("RXCUI2").to_owned(),
                line: row.line(),
            });
            Ok(())
        })?;
        let mut loaded = Loaded::full("rxnorm", prescribe_version(file.name), Vec::new());
        loaded.relations = relations;
        if left_out > 0 {
            loaded.notes.push(format!(
                "{left_out} rows are the extractor's grouping (extractor_*), not RxNorm relations, and were left out"
            ));
        }
        Ok(loaded)
    }
}
