//! ICD-11 MMS entities and the WHO ICD-10 ↔ ICD-11 transition tables.

mod common;

use common::{load, load_err, shared};
use henkan_loaders::who_icd::{WhoIcdCrosswalk, WhoMatchType, WhoRelation};
use henkan_loaders::{by_format, detect, SourceFile};

const T11: &[u8] = include_bytes!("fixtures/11To10MapToOneCategory_head.txt");
const T10_ONE: &[u8] = include_bytes!("fixtures/10To11MapToOneCategory_head.txt");
const T10_MULTI: &[u8] = include_bytes!("fixtures/10To11MapToMultipleCategories_head.txt");

#[test]
fn icd11_entities_with_chapters_and_structural_parents() {
    let file = SourceFile { name: "11To10MapToOneCategory.txt", bytes: T11 };
    assert_eq!(detect(&file).unwrap().format(), "icd11-who-table");
    let l = by_format("icd11-who-table").unwrap().load(&file).unwrap();
    assert_eq!((l.system, l.version.as_deref()), ("icd11-mms", Some("2020-01-22")));
    let codes: Vec<_> = l.concepts.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["01", "5A11", "5A71", "5A71.0", "5A71.01"]);
    assert_eq!(l.concepts[1].property("foundation_id"), Some("119724091"));
    assert_eq!(l.notes, ["2 entities without a code (blocks and groupings) are not concepts"]);
    let t2dm = &l.concepts[1];
    assert_eq!(t2dm.display, "Type 2 diabetes mellitus");
    assert_eq!(t2dm.property("chapter"), Some("05"));
    assert_eq!(t2dm.property("entity_uri"), Some("http://id.who.int/icd/release/11/beta/mms/119724091"));
    assert_eq!(t2dm.property("parent"), None);
    assert_eq!(l.concepts[4].property("parent"), Some("5A71.0"));
    assert_eq!(l.concepts[3].property("parent"), Some("5A71"));
}

#[test]
fn transition_tables_become_crosswalk_records() {
    let one = SourceFile { name: "10To11MapToOneCategory.txt", bytes: T10_ONE };
    assert_eq!(detect(&one).unwrap().format(), "who-icd-crosswalk");
    let c = WhoIcdCrosswalk.crosswalk(&one).unwrap();
    assert_eq!(
        (c.table.as_str(), c.from_system, c.to_system),
        ("who-icd10-icd11-one-category", "icd10-who", "icd11-mms")
    );
    let e250 = c.records.iter().find(|r| r.from_code == "E25.0").unwrap();
    assert_eq!(e250.to_code.as_deref(), Some("5A71.01"));
    assert_eq!((e250.relation, e250.match_type), (Some(WhoRelation::Equivalent), Some(WhoMatchType::EquivalentMatch)));
    let grouping = c.records.iter().find(|r| r.from_code == "A00-A09").unwrap();
    assert_eq!(grouping.to_code, None);
    assert_eq!(grouping.match_type, Some(WhoMatchType::NoMappingDueToMaptoGroupingWithoutResidual));
    let multi =
        WhoIcdCrosswalk.crosswalk(&SourceFile { name: "10To11MapToMultipleCategories.txt", bytes: T10_MULTI }).unwrap();
    assert_eq!(multi.table, "who-icd10-icd11-multiple-categories");
    assert_eq!(multi.records.len(), 3);
    let back = WhoIcdCrosswalk.crosswalk(&SourceFile { name: "11To10MapToOneCategory.txt", bytes: T11 }).unwrap();
    assert_eq!((back.from_system, back.records.len()), ("icd11-mms", 7));
    // A relation or match type that is not WHO's is refused where it stands.
    let text = std::str::from_utf8(T10_ONE).unwrap();
    let odd = text.replacen("\tEquivalentMatch", "\tEquivalentMatc", 1);
    let e = load_err("who-icd-crosswalk", "10To11MapToOneCategory.txt", odd.as_bytes());
    assert!(
        e.to_string().contains("field 18 \"Match Type\"): invalid value \"EquivalentMatc\": expected a WHO match type"),
        "{e}"
    );
}

#[test]
fn full_who_tables_have_the_exact_counts() {
    let t11 = shared("icd11/11To10MapToOneCategory.txt");
    let l = by_format("icd11-who-table")
        .unwrap()
        .load(&SourceFile { name: "11To10MapToOneCategory.txt", bytes: &t11 })
        .unwrap();
    assert_eq!(l.concepts.len(), 17_061);
    assert_eq!(l.notes, ["670 entities without a code (blocks and groupings) are not concepts"]);
    for (file, rows) in [
        ("10To11MapToOneCategory.txt", 12_483),
        ("10To11MapToMultipleCategories.txt", 15_287),
        ("11To10MapToOneCategory.txt", 17_731),
    ] {
        let bytes = shared(&format!("icd11/{file}"));
        let c = WhoIcdCrosswalk.crosswalk(&SourceFile { name: file, bytes: &bytes }).unwrap();
        assert_eq!(c.records.len(), rows, "{file}");
    }
}

const TABULATION: &[u8] = include_bytes!("fixtures/LinearizationMiniOutput-MMS-en_head.txt");

#[test]
fn who_tabulation_gives_entities_with_parents_foundation_ids_and_chapters() {
    let f = SourceFile { name: "LinearizationMiniOutput-MMS-en.txt", bytes: TABULATION };
    assert_eq!(detect(&f).unwrap().format(), "icd11-simple-tabulation");
    let l = load("icd11-simple-tabulation", f.name, TABULATION);
    assert_eq!((l.system, l.version.as_deref()), ("icd11-mms", Some("2026-04-15")));
    let codes: Vec<&str> = l.concepts.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["01", "BlockL1-1A0", "BlockL2-1A0", "1A00", "1A03", "1A03.0", "1A03.Y"]);
    let get = |code: &str| l.concepts.iter().find(|c| c.code == code).unwrap();
    let cholera = get("1A00");
    assert_eq!(cholera.display, "Cholera");
    assert_eq!(
        (cholera.property("parent"), cholera.property("foundation_id"), cholera.property("chapter")),
        (Some("BlockL2-1A0"), Some("257068234"), Some("01"))
    );
    assert_eq!(cholera.property("leaf"), Some("true"));
    assert_eq!(get("BlockL2-1A0").property("parent"), Some("BlockL1-1A0"));
    assert_eq!(get("BlockL1-1A0").property("parent"), Some("01"));
    assert_eq!(get("01").property("parent"), None);
    assert_eq!(get("01").property("class_kind"), Some("chapter"));
    let residual = get("1A03.Y");
    assert_eq!(
        (residual.property("parent"), residual.property("residual"), residual.property("foundation_id")),
        (Some("1A03"), Some("other"), None)
    );
    assert_eq!(get("1A03.0").property("parent"), Some("1A03"));
}

#[test]
fn who_tabulation_of_the_2024_layout_and_its_errors() {
    let text = String::from_utf8(TABULATION.to_vec()).unwrap();
    // The SimpleTabulation edition names the URI column `Linearization URI` and drops two columns.
    let newer = text.replacen("Linearization (release) URI", "Linearization URI", 1);
    let l = load("icd11-simple-tabulation", "SimpleTabulation-ICD-11-MMS-en.txt", newer.as_bytes());
    assert_eq!(l.concepts.len(), 7);
    assert!(l.concepts[3].property("entity_uri").unwrap().ends_with("/257068234"));
    let skipped = text.replacen("\"- - - Cholera\"", "\"- - - - Cholera\"", 1);
    let e = load_err("icd11-simple-tabulation", "LinearizationMiniOutput-MMS-en.txt", skipped.as_bytes());
    assert_eq!(
        e.to_string(),
        "LinearizationMiniOutput-MMS-en.txt: record 4 (line 5, field 5 \"Title\"): invalid value \"- - - - Cholera\": expected one more depth marker (\"- \") than the entity above it (none for a chapter)"
    );
    // Not WHO's header, loaded with `--format icd11-simple-tabulation`: says what it expected.
    let other = text.replacen("Foundation URI", "Foundation", 1);
    let e = load_err("icd11-simple-tabulation", "tabulation.txt", other.as_bytes());
    assert_eq!(
        e.to_string(),
        "tabulation.txt: no column \"Foundation URI, Linearization URI (or Linearization (release) URI), Code, BlockId, Title as the first five; found Foundation, Linearization (release) URI, Code, BlockId, Title\" in the header row: is this the official layout?"
    );
    let twice = text.replacen("\t1A03.0\t", "\t1A00\t", 1);
    let e = load_err("icd11-simple-tabulation", "LinearizationMiniOutput-MMS-en.txt", twice.as_bytes());
    assert!(
        e.to_string().starts_with("LinearizationMiniOutput-MMS-en.txt: record 6 (line 7, field 3 \"Code\")"),
        "{e}"
    );
}

/// The fixture's table as WHO's `.xlsx` edition holds it: the same header and rows on the first
/// sheet, the browser link as a `=hyperlink(…)` formula (with its shown text), DepthInKind as a
/// number. Built here from the `.txt` fixture, cell for cell, since no WHO workbook is staged.
fn tabulation_workbook(txt: &str, edit: impl Fn(usize, usize, &str) -> String) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("LinearizationMiniOutput-MMS-en").unwrap();
    let mut rows = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .flexible(true)
        .from_reader(txt.trim_start_matches('\u{feff}').as_bytes());
    for (r, row) in rows.records().enumerate() {
        for (c, cell) in row.unwrap().iter().enumerate() {
            let cell = edit(r, c, cell);
            let (r, c) = (r as u32, c as u16);
            if let Some(formula) = cell.strip_prefix('=') {
                sheet.write_formula(r, c, rust_xlsxwriter::Formula::new(formula).set_result("browser")).unwrap();
            } else if r > 0 && c == 6 {
                sheet.write_number(r, c, cell.parse::<f64>().unwrap()).unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c, &cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn who_tabulation_workbook_gives_the_same_entities_as_its_text_table() {
    let text = String::from_utf8(TABULATION.to_vec()).unwrap();
    let xlsx = tabulation_workbook(&text, |_, _, cell| cell.to_owned());
    let name = "LinearizationMiniOutput-MMS-en.xlsx";
    assert_eq!(detect(&SourceFile { name, bytes: &xlsx }).unwrap().format(), "icd11-simple-tabulation");
    let from_xlsx = load("icd11-simple-tabulation", name, &xlsx);
    let from_txt = load("icd11-simple-tabulation", "LinearizationMiniOutput-MMS-en.txt", TABULATION);
    assert_eq!(from_xlsx.version.as_deref(), Some("2026-04-15"));
    assert_eq!(from_xlsx.concepts.len(), 7);
    assert_eq!(from_xlsx.concepts, from_txt.concepts, "both containers of WHO's table load alike");
    // SimpleTabulation's header, and a chapter number Excel holds as a number (1, not "01").
    let newer = tabulation_workbook(&text, |r, c, cell| match (r, c) {
        (0, 1) => "Linearization URI".into(),
        (1, 9) => "1".into(),
        _ => cell.to_owned(),
    });
    let l = load("icd11-simple-tabulation", "SimpleTabulation-ICD-11-MMS-en.xlsx", &newer);
    assert_eq!(l.concepts[0].code, "01");
    assert_eq!(l.concepts[1].property("parent"), Some("01"));
    assert!(l.concepts[3].property("entity_uri").unwrap().ends_with("/257068234"));
    // Errors name the sheet, the Excel row and the column.
    let twice = tabulation_workbook(&text, |r, c, cell| if (r, c) == (6, 2) { "1A00".into() } else { cell.to_owned() });
    let e = load_err("icd11-simple-tabulation", name, &twice);
    assert_eq!(
        e.to_string(),
        "LinearizationMiniOutput-MMS-en.xlsx[LinearizationMiniOutput-MMS-en]: record 7 (line 7, field 3 \"Code\"): duplicate code \"1A00\", first seen on line 5"
    );
    let not_who =
        tabulation_workbook(&text, |r, c, cell| if (r, c) == (0, 3) { "Block".into() } else { cell.to_owned() });
    let e = load_err("icd11-simple-tabulation", name, &not_who);
    assert!(e.to_string().contains("BlockId"), "{e}");
}
