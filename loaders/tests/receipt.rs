//! The receipt disease (b_) and modifier (z_) loaders on real fragments, on the full official
//! files in ../shared/data, and on one corruption per failure kind.

mod common;

use common::shared;
use henkan_loaders::{by_format, detect, DesignationUse, LoadErrorKind, Loader, SourceFile, Status};

const B_HEAD: &[u8] = include_bytes!("fixtures/b_20240601_head.txt");
const Z_HEAD: &[u8] = include_bytes!("fixtures/z_20240601_head.txt");

fn disease() -> &'static dyn Loader {
    by_format("receipt-disease").unwrap()
}

#[test]
fn disease_fragment_maps_every_named_field() {
    let loaded = disease().load(&SourceFile { name: "b_20240601.txt", bytes: B_HEAD }).unwrap();
    assert_eq!(loaded.system, "jp-receipt-disease");
    assert_eq!(loaded.version.as_deref(), Some("2024-06-01"));
    assert_eq!(loaded.concepts.len(), 4);
    let c = &loaded.concepts[1];
    assert_eq!(c.code, "8848176");
    assert_eq!(c.display, "１１β－水酸化酵素欠損症");
    assert_eq!(c.status, Status::Active);
    assert_eq!(c.designation(DesignationUse::Kana), Some("１１ベータ－スイサンカコウソケッソンショウ"));
    assert_eq!(c.designation(DesignationUse::Short), Some("１１β－水酸化酵素欠損症"));
    assert_eq!(c.property("icd10_1"), Some("E250"));
    assert_eq!(c.property("icd10_2"), None);
    assert_eq!(c.property("medis_key_number"), Some("20100524"));
    assert_eq!(c.property("medis_exchange_code"), Some("QJ83"));
    assert_eq!(c.property("adoption_class"), Some("1"));
    assert_eq!(c.property("listed_on"), Some("2015-01-01"));
    // 廃止年月日 99999999 means "not abolished"; 移行先コード equal to the code is no successor.
    assert_eq!(c.property("abolished_on"), None);
    assert_eq!(c.property("successor"), None);
    assert_eq!(c.bookkeeping.get("change_kind").map(String::as_str), Some("0"));
    // A new row (変更区分 2) with an empty 移行先コード.
    let new = &loaded.concepts[3];
    assert_eq!((new.code.as_str(), new.display.as_str()), ("8832837", "クリプトスポリジウム症"));
    assert_eq!(new.property("successor"), None);
    assert_eq!(new.bookkeeping.get("change_kind").map(String::as_str), Some("2"));
}

#[test]
fn modifier_fragment_maps_every_named_field() {
    let l = by_format("receipt-modifier").unwrap();
    let loaded = l.load(&SourceFile { name: "z_20240601.txt", bytes: Z_HEAD }).unwrap();
    assert_eq!((loaded.system, loaded.version.as_deref()), ("jp-receipt-modifier", Some("2024-06-01")));
    let c = &loaded.concepts[0];
    assert_eq!((c.code.as_str(), c.display.as_str()), ("8282", "・高分化型"));
    assert_eq!(c.designation(DesignationUse::Kana), Some("・コウブンカガタ"));
    assert_eq!(c.property("medis_key_number"), Some("27002379"));
    assert_eq!(c.property("medis_exchange_code"), Some("5AH1"));
    assert_eq!(c.property("modifier_class"), Some("A8000000"));
    assert_eq!(c.property("listed_on"), Some("2024-06-01"));
}

#[test]
fn formats_are_detected_from_content_not_only_names() {
    let b = SourceFile { name: "whatever.csv", bytes: B_HEAD };
    let z = SourceFile { name: "whatever.csv", bytes: Z_HEAD };
    assert_eq!(detect(&b).map(|l| l.format()), Some("receipt-disease"));
    assert_eq!(detect(&z).map(|l| l.format()), Some("receipt-modifier"));
    assert!(detect(&SourceFile { name: "x.txt", bytes: b"hello,world\r\n" }).is_none());
}

#[test]
fn full_official_disease_masters_load_with_exact_counts() {
    for (file, rows) in [("b_20240101.txt", 27_384), ("b_20240601.txt", 27_437)] {
        let bytes = shared(&format!("disease/{file}"));
        let loaded = disease().load(&SourceFile { name: file, bytes: &bytes }).unwrap();
        assert_eq!(loaded.concepts.len(), rows, "{file}");
        // Every row but one (0000999, the placeholder for uncoded diseases) has a kana reading.
        let with_kana = loaded.concepts.iter().filter(|c| c.designation(DesignationUse::Kana).is_some()).count();
        assert_eq!(with_kana, rows, "{file}");
    }
    let bytes = shared("disease/b_20240601.txt");
    let loaded = disease().load(&SourceFile { name: "b_20240601.txt", bytes: &bytes }).unwrap();
    let with_icd = loaded.concepts.iter().filter(|c| c.property("icd10_1").is_some()).count();
    let with_exchange = loaded.concepts.iter().filter(|c| c.property("medis_exchange_code").is_some()).count();
    assert_eq!((with_icd, with_exchange), (27_415, 27_437));
}

#[test]
fn full_official_modifier_masters_load_with_exact_counts() {
    let l = by_format("receipt-modifier").unwrap();
    for (file, rows) in [("z_20240601.txt", 2_349), ("z_20250601.txt", 2_375)] {
        let bytes = shared(&format!("disease/{file}"));
        let loaded = l.load(&SourceFile { name: file, bytes: &bytes }).unwrap();
        assert_eq!(loaded.concepts.len(), rows, "{file}");
    }
}

// ---- one corruption per failure kind; each error must name file, line and field ----

/// The fragment's lines (without CRLF), to corrupt one of them.
fn lines() -> Vec<Vec<u8>> {
    B_HEAD
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .collect()
}

fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.iter().flat_map(|l| l.iter().copied().chain(*b"\r\n")).collect()
}

fn replace_field(line: &[u8], index: usize, value: &[u8]) -> Vec<u8> {
    let mut fields: Vec<Vec<u8>> = line.split(|&b| b == b',').map(<[u8]>::to_vec).collect();
    fields[index] = [b"\"".as_slice(), value, b"\""].concat();
    fields.join(&b',')
}

fn load_err(bytes: &[u8]) -> henkan_loaders::LoadError {
    disease().load(&SourceFile { name: "b_20240601.txt", bytes }).unwrap_err()
}

#[test]
fn bad_encoding_names_line_and_field() {
    let mut l = lines();
    // 0x81 0x20 is not a valid CP932 sequence; put it into 傷病名基本名称 of the third record.
    l[2] = replace_field(&l[2], 5, b"\x81\x20");
    let e = load_err(&join(&l));
    assert!(matches!(e.kind(), LoadErrorKind::Encoding { .. }));
    let p = e.position().unwrap();
    assert_eq!(
        (p.file.as_str(), p.line, p.field.as_ref().unwrap().name.as_str()),
        ("b_20240601.txt", 3, "傷病名基本名称")
    );
    assert!(e.to_string().starts_with("b_20240601.txt: record 3 (line 3, field 6 \"傷病名基本名称\")"), "{e}");
}

#[test]
fn wrong_field_count_names_line() {
    let mut l = lines();
    let cut = l[1].iter().rposition(|&b| b == b',').unwrap();
    l[1].truncate(cut);
    let e = load_err(&join(&l));
    assert_eq!(e.kind(), &LoadErrorKind::FieldCount { expected: 46, found: 45 });
    assert_eq!(e.position().unwrap().line, 2);
    assert!(e.to_string().contains("b_20240601.txt: record 2 (line 2)"), "{e}");
}

#[test]
fn empty_code_names_line_and_field() {
    let mut l = lines();
    l[3] = replace_field(&l[3], 2, b"");
    let e = load_err(&join(&l));
    assert_eq!(e.kind(), &LoadErrorKind::Empty { what: "code" });
    assert!(e.to_string().contains("record 4 (line 4, field 3 \"傷病名コード\"): empty code"), "{e}");
}

#[test]
fn duplicate_code_names_both_lines() {
    let mut l = lines();
    l.push(l[1].clone());
    let e = load_err(&join(&l));
    assert_eq!(e.kind(), &LoadErrorKind::Duplicate { code: "8848176".into(), first_line: 2 });
    assert!(
        e.to_string()
            .contains("record 5 (line 5, field 3 \"傷病名コード\"): duplicate code \"8848176\", first seen on line 2"),
        "{e}"
    );
}

#[test]
fn impossible_date_names_line_and_field() {
    let mut l = lines();
    l[1] = replace_field(&l[1], 21, b"20150231");
    let e = load_err(&join(&l));
    assert_eq!(e.kind(), &LoadErrorKind::Date { value: "20150231".into() });
    assert!(e.to_string().contains("record 2 (line 2, field 22 \"収載年月日\"): impossible date \"20150231\""), "{e}");
}

#[test]
fn malformed_code_and_empty_file_are_rejected() {
    let mut l = lines();
    l[1] = replace_field(&l[1], 2, b"88481");
    let e = load_err(&join(&l));
    assert!(matches!(e.kind(), LoadErrorKind::Invalid { .. }), "{e}");
    let e = load_err(b"");
    assert_eq!(e.kind(), &LoadErrorKind::NoRecords);
    assert_eq!(e.to_string(), "b_20240601.txt: no records: the file is empty");
}
