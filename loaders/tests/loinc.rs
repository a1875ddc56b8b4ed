//! LOINC: the official Loinc.csv layout (HL7's real 322-term subset) and the Top 2000 list.

mod common;

use common::{load, shared};
use henkan_loaders::{by_format, detect, DesignationUse, LoadErrorKind, SourceFile, Status};

const TABLE: &[u8] = include_bytes!("fixtures/Loinc_head.csv");
const TOP: &[u8] = include_bytes!("fixtures/LOINC_1.6_Top2000CommonLabResultsUS_head.csv");

#[test]
fn official_table_layout_keeps_the_six_axes() {
    assert_eq!(detect(&SourceFile { name: "Loinc.csv", bytes: TABLE }).unwrap().format(), "loinc-table");
    let l = load("loinc-table", "Loinc.csv", TABLE);
    assert_eq!(l.system, "loinc");
    let c = l.concepts.iter().find(|c| c.code == "100906-7").unwrap();
    let axes: Vec<_> = ["component", "property", "time_aspect", "system", "scale", "method"]
        .iter()
        .map(|p| c.property(p).unwrap_or("-"))
        .collect();
    assert_eq!(axes, ["Bacteria", "NCnc", "Pt", "Urine", "Qn", "Culture"]);
    assert_eq!(c.property("class"), Some("MICRO"));
    assert_eq!(c.status, Status::Active);
    let deprecated = l.concepts.iter().find(|c| c.code == "10550-2").unwrap();
    assert_eq!((deprecated.status, deprecated.property("loinc_status")), (Status::Retired, Some("DEPRECATED")));
}

#[test]
fn top2000_list_merges_its_own_repeated_codes_and_says_so() {
    assert_eq!(detect(&SourceFile { name: "x.csv", bytes: TOP }).unwrap().format(), "loinc-top2000");
    let l = load("loinc-top2000", "LOINC_1.6_Top2000CommonLabResultsUS.csv", TOP);
    assert_eq!(l.version.as_deref(), Some("top2000-1.6"));
    assert_eq!(l.concepts.len(), 4);
    let pt = l.concepts.iter().find(|c| c.code == "5902-2").unwrap();
    assert_eq!(pt.display, "Prothrombin time (PT) in Platelet poor plasma by Coagulation assay");
    assert!(pt.designations.iter().any(|d| d.use_ == DesignationUse::Synonym && d.value == "Prothrombin time (PT)"));
    assert_eq!(pt.property("top2000_rank"), Some("47"));
    assert_eq!(l.notes, ["1 repeated codes merged into their first row: 5902-2 (line 6)"]);
    let creat = &l.concepts[0];
    assert_eq!((creat.code.as_str(), creat.designation(DesignationUse::Short)), ("2160-0", Some("Creat SerPl-mCnc")));
}

#[test]
fn a_file_without_the_official_columns_is_refused_by_name() {
    let bytes = b"LOINC_NUM,COMPONENT,PROPERTY\n2160-0,Creatinine,MCnc\n";
    let e = by_format("loinc-table").unwrap().load(&SourceFile { name: "Loinc.csv", bytes }).unwrap_err();
    assert!(matches!(e.kind(), LoadErrorKind::MissingColumn { .. }), "{e}");
    assert!(e.to_string().contains("no column \"TIME_ASPCT\""), "{e}");
    let bad = String::from_utf8(TOP.to_vec()).unwrap().replace("718-7,", "718_7,");
    let e =
        by_format("loinc-top2000").unwrap().load(&SourceFile { name: "top.csv", bytes: bad.as_bytes() }).unwrap_err();
    assert!(
        e.to_string().starts_with("top.csv: record 2 (line 3, field 1 \"LOINC #\"): invalid value \"718_7\""),
        "{e}"
    );
}

#[test]
fn full_staged_files_have_the_exact_counts() {
    let l = load("loinc-table", "Loinc.csv", &shared("loinc/hl7-tx-subset/Loinc.csv"));
    assert_eq!(l.concepts.len(), 322);
    assert_eq!(l.concepts.iter().filter(|c| c.status == Status::Retired).count(), 7);
    for (file, distinct, repeats) in
        [("LOINC_1.6_Top2000CommonLabResultsUS.csv", 2_177, 4), ("LOINC_1.6_Top2000CommonLabResultsSI.csv", 2_188, 6)]
    {
        let l = load("loinc-top2000", file, &shared(&format!("loinc/{file}")));
        assert_eq!(l.concepts.len(), distinct, "{file}");
        assert!(l.notes[0].starts_with(&format!("{repeats} repeated codes merged")), "{file}: {:?}", l.notes);
        let hba1c = l.concepts.iter().find(|c| c.code == "4548-4").unwrap();
        assert_eq!(hba1c.display, "Hemoglobin A1c/Hemoglobin.total in Blood");
    }
}
