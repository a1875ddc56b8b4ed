//! JLAC10 (臨床検査項目分類コード, 日本臨床検査医学会 JSLM) and the JP-CLINS core lab set.
//!
//! - `jlac10-tables`: JSLM's code table workbook (`136jlac10_1.xlsx`: 第136版). Each sheet is a
//!   segment of the 17-character JLAC10 code and becomes a code system of its own ([`SHEETS`]):
//!   `jlac10-analyte` (分析物, 5 characters, Japanese and English names), `jlac10-identification`
//!   (識別, 4 digits), `jlac10-material` (材料, 3 digits), `jlac10-method` (測定法, 3 digits),
//!   `jlac10-result` (結果識別 common codes, 2 digits) and `jlac10-result-specific` (analyte-specific
//!   result codes: analyte + identification + result, 11 characters). Codes Excel stored as
//!   numbers are zero-padded to the segment width; group columns (大分類…) written once per group
//!   are carried down; 更新区分 S (削除) makes a code retired. The version is JSLM's edition number
//!   from the file name. Title lines and blank rows are layout, not data.
//! - `jp-clins-lab`: the 電子カルテ情報共有サービス master table (JLAC11 + JLAC10), one row per
//!   reagent × specimen. Each distinct 17-character JLAC10 code becomes a concept of `jlac10`,
//!   validated segment by segment, with display composed from the set's names (項目 / 材料 /
//!   測定法), its segments as properties and every JLAC11 code that maps to it (`jlac11`).

use std::collections::BTreeMap;

use crate::record::{ConceptRecord, Designation, DesignationUse, Status};
use crate::xlsx::{is_xlsx, SheetRow, Workbook};
use crate::{base_name, LoadError, LoadErrorKind, Loaded, Loader, Result, SourceFile};

/// How one JSLM sheet maps onto a code system.
pub struct SegmentSheet {
    /// Sheet name in the workbook.
    pub sheet: &'static str,
    /// Code system slug.
    pub system: &'static str,
    /// Code columns, each with its width (concatenated to form the code).
    pub code: &'static [(&'static str, usize)],
    /// Japanese name columns: the first non-empty is the display, the others synonyms.
    pub names: &'static [&'static str],
    /// English name columns.
    pub english: &'static [&'static str],
    /// Group columns written once per group and carried down: (column, property).
    pub groups: &'static [(&'static str, &'static str)],
    /// A heading typed into the code column: a value of this width there (instead of the code's)
    /// is the first group's code, with its name in the first name column.
    pub heading_width: Option<usize>,
}

/// The JSLM sheets, in workbook order.
pub const SHEETS: [SegmentSheet; 6] = [
    SegmentSheet {
        sheet: "分析物コード",
        system: "jlac10-analyte",
        code: &[("分析物コード", 5)],
        names: &["分析物名(1)", "分析物名(2)"],
        english: &["分析物名(英名)"],
        groups: &[("大分類", "category"), ("大分類名称", "category_name")],
        heading_width: Some(2),
    },
    SegmentSheet {
        sheet: "識別コード",
        system: "jlac10-identification",
        code: &[("コード", 4)],
        names: &["識別名", "識別名(２)"],
        english: &["識別名(英名)", "識別名(英名2)"],
        groups: &[],
        heading_width: None,
    },
    SegmentSheet {
        sheet: "材料コード",
        system: "jlac10-material",
        code: &[("コード", 3)],
        names: &["材料名"],
        english: &["Materials"],
        groups: &[("List", "list"), ("大分類", "category"), ("中分類", "subcategory")],
        heading_width: None,
    },
    SegmentSheet {
        sheet: "測定法コード",
        system: "jlac10-method",
        code: &[("コード", 3)],
        names: &["測定法名", "測定法名(２)"],
        english: &["測定法名(英名)"],
        groups: &[("大分類", "category"), ("中分類", "subcategory")],
        heading_width: None,
    },
    SegmentSheet {
        sheet: "結果識別コード表（共通コード）",
        system: "jlac10-result",
        code: &[("コード", 2)],
        names: &["結果識別名"],
        english: &[],
        groups: &[("分類", "category")],
        heading_width: None,
    },
    SegmentSheet {
        sheet: "結果識別（固有コード）",
        system: "jlac10-result-specific",
        code: &[("分析物コード", 5), ("識別", 4), ("結果識別コード", 2)],
        names: &["結果名"],
        english: &["結果名(英名)"],
        groups: &[],
        heading_width: None,
    },
];

const UPDATE_FLAG: &str = "更新区分";

fn load_sheet(wb: &mut Workbook<'_>, spec: &SegmentSheet, version: &Option<String>) -> Result<Loaded> {
    let sheet = wb.sheet(spec.sheet)?;
    let mut required: Vec<&str> = spec.code.iter().map(|(c, _)| *c).collect();
    required.push(spec.names[0]);
    let mut concepts: Vec<ConceptRecord> = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut groups: Vec<String> = vec![String::new(); spec.groups.len()];
    let mut repeated = Vec::new();
    let mut first_cells: BTreeMap<String, Vec<String>> = BTreeMap::new();
    sheet.for_each_row(&required, |row| {
        let mut heading = false;
        for (i, (col, _)) in spec.groups.iter().enumerate() {
            if let Some(v) = row.opt(col) {
                groups[i] = v;
                heading = true;
            }
        }
        let first_code = row.get(spec.code[0].0);
        if spec.heading_width.is_some_and(|w| first_code.chars().count() == w) {
            // e.g. 分析物コード "2C" with 分析物名(1) "血液学的検査/血液化学検査": a 大分類 heading.
            groups[0] = first_code;
            if groups.len() > 1 {
                groups[1] = row.get(spec.names[0]);
            }
            return Ok(());
        }
        if heading && spec.code.iter().all(|(c, _)| row.get(c).is_empty()) {
            return Ok(()); // a group heading row without a code
        }
        let code = segment_code(&row, spec)?;
        let cells = row.texts();
        if let Some(first_line) = seen.get(&code).copied() {
            if first_cells.get(&code) == Some(&cells) {
                repeated.push(format!("{code} (row {}, as row {first_line})", row.row()));
                return Ok(());
            }
            let col = spec.code[0].0;
            return Err(LoadError::at(LoadErrorKind::Duplicate { code, first_line }, row.pos(col)));
        }
        seen.insert(code.clone(), row.row());
        first_cells.insert(code.clone(), cells);
        concepts.push(segment_record(&row, spec, code, &groups)?);
        Ok(())
    })?;
    let mut loaded = Loaded::full(spec.system, version.clone(), concepts);
    if !repeated.is_empty() {
        loaded.notes.push(format!(
            "{}: {} rows repeat an earlier row exactly and were read once: {}",
            spec.sheet,
            repeated.len(),
            repeated.join(", ")
        ));
    }
    Ok(loaded)
}

/// The code of a segment row: its code columns, each of the segment's width.
fn segment_code(row: &SheetRow<'_>, spec: &SegmentSheet) -> Result<String> {
    let mut code = String::new();
    for (col, width) in spec.code {
        let part = row.code(col, *width);
        let ok = part.len() == *width && part.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            let expected = "a code of the segment's width (letters and digits)";
            return Err(LoadError::at(LoadErrorKind::Invalid { value: part, expected }, row.pos(col)));
        }
        code.push_str(&part);
    }
    Ok(code)
}

/// The concept of a segment row under the group headings read so far.
fn segment_record(row: &SheetRow<'_>, spec: &SegmentSheet, code: String, groups: &[String]) -> Result<ConceptRecord> {
    let names: Vec<String> = spec.names.iter().filter_map(|c| row.opt(c)).collect();
    let Some(display) = names.first().cloned() else {
        return Err(LoadError::at(LoadErrorKind::Empty { what: "name" }, row.pos(spec.names[0])));
    };
    let mut designations: Vec<Designation> = names[1..]
        .iter()
        .map(|n| Designation { use_: DesignationUse::Synonym, language: "ja".into(), value: n.clone() })
        .collect();
    for c in spec.english {
        if let Some(v) = row.opt(c) {
            designations.push(Designation { use_: DesignationUse::English, language: "en".into(), value: v });
        }
    }
    let mut properties = BTreeMap::new();
    for (i, (_, prop)) in spec.groups.iter().enumerate() {
        if !groups[i].is_empty() {
            properties.insert((*prop).to_owned(), groups[i].clone());
        }
    }
    if let Some(note) = row.opt("備考") {
        properties.insert("note".into(), note);
    }
    let flag = row.get(UPDATE_FLAG);
    if !flag.is_empty() {
        properties.insert("update_flag".into(), flag.clone());
    }
    for col in ["更新日", "変更日"] {
        if let Some(d) = row.opt(col) {
            properties.insert("updated_on".into(), d);
        }
    }
    let status = if flag == "S" { Status::Retired } else { Status::Active };
    Ok(ConceptRecord { code, status, display, designations, properties, bookkeeping: BTreeMap::new() })
}

/// The concept of a JLAC10 code's first row in the JP-CLINS master table.
fn clins_concept(row: &SheetRow<'_>, code: &str) -> ConceptRecord {
    let item = row.get("FHIR項目名称");
    let display = format!("{item} / {} / {}", row.get("材料(JLAC10)"), row.get("検査方法(JLAC10-測定法)"));
    let mut properties = BTreeMap::from([
        ("analyte_code".to_owned(), code[0..5].to_owned()),
        ("identification_code".to_owned(), code[5..9].to_owned()),
        ("material_code".to_owned(), code[9..12].to_owned()),
        ("method_code".to_owned(), code[12..15].to_owned()),
        ("result_code".to_owned(), code[15..17].to_owned()),
    ]);
    row.copy_properties(
        &mut properties,
        &[
            ("区分名称", "category"),
            ("データ区分（感染症/検査）", "data_kind"),
            ("単位", "unit"),
            ("データタイプ", "data_type"),
            ("材料(JLAC10)", "material"),
            ("検査方法(JLAC10-測定法)", "method"),
            ("FHIR識別文字列", "fhir_id"),
        ],
    );
    let mut designations = vec![Designation { use_: DesignationUse::Synonym, language: "ja".into(), value: item }];
    if let Some(short) = row.opt("略称") {
        designations.push(Designation { use_: DesignationUse::Short, language: "ja".into(), value: short });
    }
    ConceptRecord {
        code: code.to_owned(),
        status: Status::Active,
        display,
        designations,
        properties,
        bookkeeping: BTreeMap::new(),
    }
}

/// `136jlac10_1.xlsx` → `136` (JSLM's edition number).
fn jslm_edition(name: &str) -> Option<String> {
    let digits: String = base_name(name).chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty() && base_name(name)[digits.len()..].starts_with("jlac10")).then_some(digits)
}

/// JSLM's JLAC10 code table workbook (format `jlac10-tables`).
pub struct Jlac10Tables;

impl Loader for Jlac10Tables {
    fn format(&self) -> &'static str {
        "jlac10-tables"
    }

    fn description(&self) -> &'static str {
        "JSLM JLAC10 code tables workbook (e.g. 136jlac10_1.xlsx): analyte, identification, material, method, result codes"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        is_xlsx(file.bytes) && jslm_edition(file.name).is_some()
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let version = jslm_edition(file.name);
        let mut wb = Workbook::open(file)?;
        let mut parts = Vec::new();
        for spec in &SHEETS {
            parts.push(load_sheet(&mut wb, spec, &version)?);
        }
        let mut first = parts.remove(0);
        first.also = parts;
        Ok(first)
    }
}

/// The JP-CLINS 電子カルテ情報共有サービス lab master (format `jp-clins-lab`).
pub struct JpClinsLab;

const CLINS_REQUIRED: [&str; 6] =
    ["JLAC10コード", "JLAC11コード", "FHIR項目名称", "材料(JLAC10)", "検査方法(JLAC10-測定法)", "区分名称"];

/// The JSLM segment tables a JLAC10 code is checked against.
#[derive(Debug, Default)]
pub struct SegmentTables {
    /// 分析物コード (5).
    pub analyte: std::collections::HashSet<String>,
    /// 識別コード (4); `0000` (none) is always allowed.
    pub identification: std::collections::HashSet<String>,
    /// 材料コード (3).
    pub material: std::collections::HashSet<String>,
    /// 測定法コード (3).
    pub method: std::collections::HashSet<String>,
    /// 結果識別 common codes (2); `00` is always allowed.
    pub result: std::collections::HashSet<String>,
    /// Analyte-specific result codes (analyte + identification + result, 11).
    pub result_specific: std::collections::HashSet<String>,
}

/// Checks that every segment of a (well-formed) JLAC10 code exists in the JSLM tables: analyte,
/// material and method in theirs; identification in its table or `0000`; result in the common
/// table, `00`, or the analyte's specific results. Returns the failing segment and its value.
pub fn check_jlac10_segments(code: &str, t: &SegmentTables) -> std::result::Result<(), (&'static str, String)> {
    let (analyte, ident, material, method, result) =
        (&code[0..5], &code[5..9], &code[9..12], &code[12..15], &code[15..17]);
    if !t.analyte.contains(analyte) {
        return Err(("analyte", analyte.to_owned()));
    }
    if ident != "0000" && !t.identification.contains(ident) {
        return Err(("identification", ident.to_owned()));
    }
    if !t.material.contains(material) {
        return Err(("material", material.to_owned()));
    }
    if !t.method.contains(method) {
        return Err(("method", method.to_owned()));
    }
    let specific = |i: &str| t.result_specific.contains(&format!("{analyte}{i}{result}"));
    if result != "00" && !t.result.contains(result) && !specific(ident) && !specific("0000") {
        return Err(("result", result.to_owned()));
    }
    Ok(())
}

/// Checks a 17-character JLAC10 code segment by segment; returns the failing segment's name.
pub fn check_jlac10(code: &str) -> std::result::Result<(), &'static str> {
    if code.len() != 17 || !code.is_ascii() {
        return Err("17 characters");
    }
    let segments = [
        ("analyte", 0..5, true),
        ("identification", 5..9, false),
        ("material", 9..12, false),
        ("method", 12..15, false),
        ("result", 15..17, false),
    ];
    for (name, range, letters) in segments {
        let part = &code[range];
        let ok = part.bytes().all(|b| b.is_ascii_digit() || (letters && b.is_ascii_uppercase()));
        if !ok {
            return Err(name);
        }
    }
    Ok(())
}

impl Loader for JpClinsLab {
    fn format(&self) -> &'static str {
        "jp-clins-lab"
    }

    fn description(&self) -> &'static str {
        "JP-CLINS 電子カルテ情報共有サービス lab master (JLAC11 + JLAC10), Excel"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        is_xlsx(file.bytes) && base_name(file.name).contains("電子カルテ情報共有サービス")
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut wb = Workbook::open(file)?;
        let name = wb.sheet_names().into_iter().find(|n| n.contains("マスター表")).ok_or_else(|| {
            LoadError::file(LoadErrorKind::MissingColumn { column: "sheet …マスター表".into() }, file.name)
        })?;
        let sheet = wb.sheet(&name)?;
        let mut by_code: BTreeMap<String, ConceptRecord> = BTreeMap::new();
        let mut rows = 0usize;
        sheet.for_each_row(&CLINS_REQUIRED, |row: SheetRow<'_>| {
            rows += 1;
            let code = row.get("JLAC10コード");
            if let Err(segment) = check_jlac10(&code) {
                let expected = match segment {
                    "17 characters" => "a 17-character JLAC10 code",
                    "analyte" => "a JLAC10 code whose analyte (characters 1-5) is digits or capital letters",
                    "identification" => "a JLAC10 code whose identification (characters 6-9) is digits",
                    "material" => "a JLAC10 code whose material (characters 10-12) is digits",
                    "method" => "a JLAC10 code whose method (characters 13-15) is digits",
                    _ => "a JLAC10 code whose result identification (characters 16-17) is digits",
                };
                return Err(LoadError::at(LoadErrorKind::Invalid { value: code, expected }, row.pos("JLAC10コード")));
            }
            let jlac11 = row.get("JLAC11コード");
            let c = by_code.entry(code.clone()).or_insert_with(|| clins_concept(&row, &code));
            if !jlac11.is_empty() {
                let list = c.properties.entry("jlac11".into()).or_default();
                if !list.split(' ').any(|x| x == jlac11) {
                    if !list.is_empty() {
                        list.push(' ');
                    }
                    list.push_str(&jlac11);
                }
            }
            Ok(())
        })?;
        let concepts: Vec<ConceptRecord> = by_code.into_values().collect();
        let mut loaded = Loaded::full("jlac10", None, concepts);
        loaded.notes.push(format!(
            "{rows} rows (reagent × specimen) give {} JLAC10 codes; their JLAC11 codes are kept as property jlac11",
            loaded.concepts.len()
        ));
        Ok(loaded)
    }
}
