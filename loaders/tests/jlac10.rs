//! JLAC10: JSLM's code table workbook and the JP-CLINS core lab master, on the staged files.

mod common;

use common::shared;
use henkan_loaders::jlac10::check_jlac10;
use henkan_loaders::{by_format, detect, DesignationUse, SourceFile, Status};

#[test]
fn jslm_workbook_gives_every_segment_table() {
    let bytes = shared("lab/136jlac10_1.xlsx");
    let file = SourceFile { name: "136jlac10_1.xlsx", bytes: &bytes };
    assert_eq!(detect(&file).unwrap().format(), "jlac10-tables");
    let l = by_format("jlac10-tables").unwrap().load(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((l.system, l.version.as_deref()), ("jlac10-analyte", Some("136")));
    let counts: Vec<_> = std::iter::once(&l).chain(&l.also).map(|p| (p.system, p.concepts.len())).collect();
    assert_eq!(
        counts,
        [
            ("jlac10-analyte", 2_855),
            ("jlac10-identification", 1_563),
            ("jlac10-material", 194),
            ("jlac10-method", 360),
            ("jlac10-result", 99),
            ("jlac10-result-specific", 4_565),
        ]
    );
    let hba1c = l.concepts.iter().find(|c| c.code == "3D045").unwrap();
    assert_eq!(hba1c.display, "グリコヘモグロビンA1c");
    assert_eq!(hba1c.designation(DesignationUse::English), Some("hemoglobin A1c"));
    assert_eq!(hba1c.property("category"), Some("3D"));
    // The 大分類 heading typed into the code column ("2C") sets the group of the rows below it.
    let hbf = l.concepts.iter().find(|c| c.code == "2C010").unwrap();
    assert_eq!((hbf.property("category"), hbf.display.as_str()), (Some("2C"), "ヘモグロビンF"));
    assert_eq!(l.concepts.iter().filter(|c| c.status == Status::Retired).count(), 18);
    // Codes Excel stored as numbers keep their width.
    let identification = &l.also[0];
    assert!(identification.concepts.iter().any(|c| c.code == "1000"));
    let material = &l.also[1];
    assert_eq!(material.concepts.iter().find(|c| c.code == "023").map(|c| c.display.as_str()), Some("血清"));
    let specific = &l.also[4];
    assert_eq!(specific.notes.len(), 1, "the exactly repeated EML4-ALK row is reported: {:?}", specific.notes);
    assert!(specific.notes[0].contains("8D102995759"));
}

#[test]
fn jp_clins_set_gives_the_national_jlac10_codes_with_jlac11_pairs() {
    let bytes = shared("lab/0930電子カルテ情報共有サービスマスター表(JLAC10+11)＿大江.xlsx");
    let name = "0930電子カルテ情報共有サービスマスター表(JLAC10+11)＿大江.xlsx";
    let file = SourceFile { name, bytes: &bytes };
    assert_eq!(detect(&file).unwrap().format(), "jp-clins-lab");
    let l = by_format("jp-clins-lab").unwrap().load(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.system, "jlac10");
    assert_eq!(l.concepts.len(), 868);
    assert_eq!(
        l.notes,
        ["7890 rows (reagent × specimen) give 868 JLAC10 codes; their JLAC11 codes are kept as property jlac11"]
    );
    let tp = l.concepts.iter().find(|c| c.code == "3A010000002329101").unwrap();
    assert_eq!(tp.display, "総蛋白(TP) / 血清 / 反射測光法(レフラクトメトリー)");
    assert_eq!(tp.property("analyte_code"), Some("3A010"));
    assert_eq!(tp.property("material_code"), Some("023"));
    assert!(tp.property("jlac11").unwrap().split(' ').any(|c| c == "C1002000025000155"));
    let jlac11_total: usize = l.concepts.iter().map(|c| c.property("jlac11").map_or(0, |j| j.split(' ').count())).sum();
    assert!(jlac11_total >= 7_870, "every distinct JLAC11 code is kept: {jlac11_total}");
}

#[test]
fn jlac10_codes_are_checked_segment_by_segment() {
    assert_eq!(check_jlac10("3A010000002329101"), Ok(()));
    assert_eq!(check_jlac10("3A01000000232910"), Err("17 characters"));
    assert_eq!(check_jlac10("3A010X00002329101"), Err("identification"));
    assert_eq!(check_jlac10("3A01000000A329101"), Err("material"));
    assert_eq!(check_jlac10("3A0100000023A9101"), Err("method"));
    assert_eq!(check_jlac10("3A01000000232910A"), Err("result"));
}

#[test]
fn every_jp_clins_code_uses_segments_of_the_jslm_tables() {
    use henkan_loaders::jlac10::{check_jlac10_segments, SegmentTables};
    let bytes = shared("lab/136jlac10_1.xlsx");
    let jslm =
        by_format("jlac10-tables").unwrap().load(&SourceFile { name: "136jlac10_1.xlsx", bytes: &bytes }).unwrap();
    let codes = |system: &str| -> std::collections::HashSet<String> {
        std::iter::once(&jslm)
            .chain(&jslm.also)
            .find(|l| l.system == system)
            .unwrap()
            .concepts
            .iter()
            .map(|c| c.code.clone())
            .collect()
    };
    let mut tables = SegmentTables {
        analyte: codes("jlac10-analyte"),
        identification: codes("jlac10-identification"),
        material: codes("jlac10-material"),
        method: codes("jlac10-method"),
        result: codes("jlac10-result"),
        result_specific: codes("jlac10-result-specific"),
    };
    let name = "0930電子カルテ情報共有サービスマスター表(JLAC10+11)＿大江.xlsx";
    let clins_bytes = shared(&format!("lab/{name}"));
    let clins = by_format("jp-clins-lab").unwrap().load(&SourceFile { name, bytes: &clins_bytes }).unwrap();
    for c in &clins.concepts {
        assert_eq!(check_jlac10_segments(&c.code, &tables), Ok(()), "{}", c.code);
    }
    // Without 血清 (023) in the material table, a serum code is refused with its segment.
    tables.material.remove("023");
    assert_eq!(check_jlac10_segments("3A010000002329101", &tables), Err(("material", "023".to_owned())));
}
