//! MHLW drug lists: 薬価基準収載品目リスト (jp-yj) and 一般名処方マスタ (jp-generic-name), on the
//! staged official Excel files.

mod common;

use common::shared;
use henkan_loaders::{by_format, detect, DesignationUse, SourceFile};

#[test]
fn price_lists_give_yj_codes_with_ingredient_strength_product_and_maker() {
    let mut total = 0;
    for (file, rows) in
        [("tp20250814-01_01.xlsx", 6_944), ("tp20250814-01_02.xlsx", 3_493), ("tp20250814-01_03.xlsx", 1_980)]
    {
        let bytes = shared(&format!("drug/{file}"));
        let f = SourceFile { name: file, bytes: &bytes };
        assert_eq!(detect(&f).unwrap().format(), "mhlw-price-list", "{file}");
        let l = by_format("mhlw-price-list").unwrap().load(&f).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((l.system, l.version.as_deref(), l.concepts.len()), ("jp-yj", Some("2025-08-14"), rows), "{file}");
        total += l.concepts.len();
        if file.ends_with("_01.xlsx") {
            let c = l.concepts.iter().find(|c| c.code == "1124001B1039").unwrap();
            assert_eq!(c.display, "ユーロジン散１％");
            assert_eq!(c.designation(DesignationUse::Generic), Some("エスタゾラム"));
            assert_eq!(
                (c.property("strength"), c.property("maker"), c.property("brand")),
                (Some("１％１ｇ"), Some("武田テバ薬品"), Some("先発品"))
            );
            assert_eq!(c.property("price"), Some("37.4"));
            let kyoku = l.concepts.iter().find(|c| c.code == "1121001X1018").unwrap();
            assert_eq!(kyoku.property("pharmacopoeia"), Some("局"), "the unheaded 局 column is read by position");
            let mado = l.concepts.iter().find(|c| c.code == "8219002F2020").unwrap();
            assert_eq!(mado.property("narcotic"), Some("麻"));
        }
    }
    assert_eq!(total, 12_417);
}

#[test]
fn generic_name_master_with_its_exception_table() {
    let bytes = shared("drug/ippanmeishohoumaster_250814.xlsx");
    let f = SourceFile { name: "ippanmeishohoumaster_250814.xlsx", bytes: &bytes };
    assert_eq!(detect(&f).unwrap().format(), "mhlw-generic-name");
    let l = by_format("mhlw-generic-name").unwrap().load(&f).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((l.system, l.version.as_deref(), l.concepts.len()), ("jp-generic-name", Some("2025-08-14"), 1_368));
    let c = l.concepts.iter().find(|c| c.code == "1124001F2ZZZ").unwrap();
    assert_eq!(
        (c.display.as_str(), c.property("ingredient"), c.property("strength")),
        ("【般】エスタゾラム錠２ｍｇ", Some("エスタゾラム"), Some("２ｍｇ１錠"))
    );
    let v = l.concepts.iter().find(|c| c.code == "1139004GAZZZ").unwrap();
    assert!(v.property("exception_yj_codes").unwrap().split(' ').any(|y| y == "1139004G2063"));
    assert_eq!(
        l.notes,
        ["82 products of the 例外コード品目対照表 attached to their 一般名コード as exception_yj_codes"]
    );
}

#[test]
fn hot_master_links_hot9_to_yj_and_receipt_codes() {
    let bytes = shared("drug/jp-medicine-master-data/hot9/20030228.csv");
    let f = SourceFile { name: "20030228.csv", bytes: &bytes };
    assert_eq!(detect(&f).unwrap().format(), "hot-master");
    let l = by_format("hot-master").unwrap().load(&f).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((l.system, l.concepts.len()), ("jp-hot", 18_614));
    assert_eq!(l.notes, ["944 rows repeat a HOT number with another code set and were merged into it"]);
    let c = l.concepts.iter().find(|c| c.code == "100323904").unwrap();
    assert_eq!(c.property("hot7"), Some("1003239"));
    assert_eq!(c.property("yj_codes"), Some("1121001X1018"));
    assert_eq!(c.property("receipt_codes"), Some("611120155 611120121"));
    assert_eq!(c.property("individual_codes"), Some("1121001X1107 1121001X1158"));
    assert_eq!(c.display, "ブロムワレリル尿素「ホエイ」");
}
