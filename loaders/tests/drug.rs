//! The receipt drug master (y_ALL) and its change files (y_YYYYMMDD): fragments, full files,
//! and all 20 staged change files applied in date order.

mod common;

use common::{load, shared};
use henkan_loaders::patch::apply;
use henkan_loaders::{by_format, detect, DesignationUse, LoadErrorKind, PatchAction, SourceFile, Status};

const Y_ALL: &[u8] = include_bytes!("fixtures/y_ALL20240531_head.csv");
const Y_0628: &[u8] = include_bytes!("fixtures/y_20240628_head.csv");
const Y_0925: &[u8] = include_bytes!("fixtures/y_20240925_head.csv");

#[test]
fn full_file_fragment_maps_the_named_fields() {
    let l = load("receipt-drug", "y_ALL20240531.csv", Y_ALL);
    assert_eq!((l.system, l.version.as_deref()), ("jp-receipt-drug", Some("2024-05-31")));
    let c = l.concepts.iter().find(|c| c.code == "620098801").unwrap();
    assert_eq!(c.display, "ロキソニン錠６０ｍｇ");
    assert_eq!(c.status, Status::Active);
    assert_eq!(c.designation(DesignationUse::Kana), Some("ﾛｷｿﾆﾝｼﾞｮｳ60MG"));
    assert_eq!(c.designation(DesignationUse::Generic), Some("【般】ロキソプロフェンＮａ錠６０ｍｇ"));
    assert_eq!(c.designation(DesignationUse::Synonym), None, "基本漢字名称 equals the name");
    assert_eq!(c.property("yj_code"), Some("1149019F1560"));
    assert_eq!(c.property("generic_code"), Some("1149019F1ZZZ"));
    assert_eq!(c.property("price"), Some("10.10"));
    assert_eq!(c.property("unit"), Some("錠"));
    assert_eq!(c.property("abolished_on"), None);
    assert_eq!(c.property("price_listed_on"), None, "\"0\" means no date");
    assert_eq!(c.bookkeeping.get("changed_on").map(String::as_str), Some("2024-04-01"));
}

#[test]
fn change_files_are_detected_by_name_and_become_patches() {
    let f = SourceFile { name: "y_20240925.csv", bytes: Y_0925 };
    assert_eq!(detect(&f).unwrap().format(), "receipt-drug-changes");
    assert_eq!(detect(&SourceFile { name: "y_ALL20240531.csv", bytes: Y_ALL }).unwrap().format(), "receipt-drug");
    let l = load("receipt-drug-changes", "y_20240925.csv", Y_0925);
    assert!(l.is_change_file());
    assert_eq!(l.version.as_deref(), Some("2024-09-25"));
    let actions: Vec<_> = l.patches.iter().map(|p| (p.action.clone(), p.record.code.as_str())).collect();
    assert_eq!(actions, [(PatchAction::Abolish, "610412126"), (PatchAction::Add, "670668803")]);
}

#[test]
fn patches_change_abolish_and_add_on_the_previous_version() {
    let base = load("receipt-drug", "y_ALL20240531.csv", Y_ALL).concepts;
    let v1 = apply(base, load("receipt-drug-changes", "y_20240628.csv", Y_0628).patches).unwrap();
    let t = v1.iter().find(|c| c.code == "610412126").unwrap();
    assert_eq!(t.display, "トリアゾラム錠０．１２５ｍｇ「ＥＭＥＣ」", "an empty name in a change row means unchanged");
    assert_eq!(t.property("transitional_until"), Some("2024-09-30"));
    assert_eq!(t.status, Status::Active);
    assert_eq!(t.property("yj_code"), Some("1124007F1011"), "untouched fields stay");
    let v2 = apply(v1, load("receipt-drug-changes", "y_20240925.csv", Y_0925).patches).unwrap();
    let t = v2.iter().find(|c| c.code == "610412126").unwrap();
    assert_eq!((t.status, t.property("abolished_on")), (Status::Retired, Some("2024-09-30")));
    assert_eq!(v2.iter().find(|c| c.code == "670668803").unwrap().display, "ユーパスタ軟膏（選）");
    assert_eq!(v2.len(), 6);
}

#[test]
fn patches_that_contradict_the_previous_version_are_errors_at_their_row() {
    let base = load("receipt-drug", "y_ALL20240531.csv", Y_ALL).concepts;
    // The abolition of a code the previous version does not have.
    let e = apply(Vec::new(), load("receipt-drug-changes", "y_20240925.csv", Y_0925).patches).unwrap_err();
    assert!(matches!(e.kind(), LoadErrorKind::PatchConflict { .. }));
    assert!(
        e.to_string().starts_with("y_20240925.csv: record 1 (line 1, field 1 \"変更区分\"): code \"610412126\""),
        "{e}"
    );
    // Adding a code twice.
    let twice = apply(base, load("receipt-drug-changes", "y_20240925.csv", Y_0925).patches).unwrap();
    let e = apply(twice, load("receipt-drug-changes", "y_20240925.csv", Y_0925).patches).unwrap_err();
    assert!(e.to_string().contains("is marked new (3) but already exists"), "{e}");
}

#[test]
fn unknown_change_kind_is_an_error() {
    let bad = [b"\"7\"".as_slice(), &Y_0628[3..]].concat();
    let e = by_format("receipt-drug-changes")
        .unwrap()
        .load(&SourceFile { name: "y_20240628.csv", bytes: &bad })
        .unwrap_err();
    assert!(e.to_string().contains("field 1 \"変更区分\"): invalid value \"7\""), "{e}");
}

#[test]
fn full_official_file_and_all_change_files_in_date_order() {
    let bytes = shared("drug/y_ALL20240531.csv");
    let mut concepts = load("receipt-drug", "y_ALL20240531.csv", &bytes).concepts;
    assert_eq!(concepts.len(), 19_748);
    let expected = [
        ("y_20240613.csv", 80),
        ("y_20240628.csv", 583),
        ("y_20240717.csv", 6),
        ("y_20240731.csv", 1),
        ("y_20240814.csv", 34),
        ("y_20240906.csv", 2_190),
        ("y_20240925.csv", 659),
        ("y_20241018.csv", 8),
        ("y_20241112.csv", 2),
        ("y_20241119.csv", 287),
        ("y_20241205.csv", 92),
        ("y_20250115.csv", 23),
        ("y_20250318.csv", 19),
        ("y_20250415.csv", 3),
        ("y_20250516.csv", 1),
        ("y_20250520.csv", 46),
        ("y_20250612.csv", 50),
        ("y_20250630.csv", 510),
        ("y_20250715.csv", 39),
        ("y_20250813.csv", 87),
    ];
    for (file, rows) in expected {
        let bytes = shared(&format!("drug/y_diffs/{file}"));
        let l = load("receipt-drug-changes", file, &bytes);
        assert_eq!(l.patches.len(), rows, "{file}");
        concepts = apply(concepts, l.patches).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(concepts.len(), 21_182);
    assert_eq!(concepts.iter().filter(|c| c.status == Status::Retired).count(), 659);
}
