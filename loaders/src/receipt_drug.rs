//! レセプト電算処理システム 医薬品マスター: the full file `y_ALL*.csv` (format `receipt-drug`) and
//! the monthly change files `y_YYYYMMDD.csv` (format `receipt-drug-changes`), published by
//! 社会保険診療報酬支払基金.
//!
//! Layout: Shift_JIS (CP932), no header, CRLF, every field quoted; 40 fields up to the 2024-08
//! editions, 42 from 2024-09 on ([`LAYOUT`]; the last two are then empty). One record is one
//! 医薬品コード (code system `jp-receipt-drug`).
//!
//! Mapping onto [`ConceptRecord`]: display = 医薬品名・規格名漢字名称; designations カナ名称 (kana,
//! half-width as published), 基本漢字名称 (synonym, when it differs), 一般名処方の標準的な記載
//! (generic); properties `yj_code` (薬価基準収載医薬品コード), `generic_code` (一般名コード),
//! `unit_code`, `unit`, `price_kind`, `price`, `narcotic_class`, `nerve_destroying`,
//! `biological`, `generic_drug`, `dental_specific`, `contrast`, `injection_volume`,
//! `listing_kind`, `brand_related`, `dosage_form`, `publication_order`, `transitional_until`,
//! `price_listed_on`, `generic_rx_addition`, `anti_hiv`, `long_listed_related`,
//! `selective_treatment`, `abolished_on`; bookkeeping `change_kind` (変更区分), `changed_on`
//! (変更年月日), the previous price (旧金額種別, 旧金額) and the name change flags.
//! Status: retired when 廃止年月日 holds a date.
//!
//! Change files: 変更区分 3 = new code (full record), 5 = changed (only the changed fields are
//! filled), 9 = abolished. They become [`Patch`]es, applied in date order to the previous
//! version by the importer. Any other 変更区分 in a change file is an error. Nothing is skipped.

use std::collections::BTreeMap;

use crate::patch::{Patch, PatchAction};
use crate::receipt_disease::is_digits;
use crate::record::{ConceptRecord, Designation, DesignationUse, Status};
use crate::sjis_csv::{first_field, first_width, for_each_row, Row, SeenCodes};
use crate::{base_name, dated_name_version, LoadError, LoadErrorKind, Loaded, Loader, Result, SourceFile};

/// The published layout (0-based index → official name); 40-field editions stop at 抗ＨＩＶ薬区分.
pub const LAYOUT: [&str; 42] = [
    "変更区分",
    "マスター種別",
    "医薬品コード",
    "漢字有効桁数",
    "医薬品名・規格名漢字名称",
    "カナ有効桁数",
    "医薬品名・規格名カナ名称",
    "単位コード",
    "単位漢字有効桁数",
    "単位漢字名称",
    "金額種別",
    "新又は現金額",
    "予備1",
    "麻薬・毒薬・覚醒剤原料・向精神薬",
    "神経破壊剤",
    "生物学的製剤",
    "後発品",
    "予備2",
    "歯科特定薬剤",
    "造影（補助）剤",
    "注射容量",
    "収載方式等識別",
    "商品名等関連",
    "金額種別（旧金額）",
    "旧金額",
    "漢字名称変更区分",
    "カナ名称変更区分",
    "剤形",
    "予備3",
    "変更年月日",
    "廃止年月日",
    "薬価基準収載医薬品コード",
    "公表順序番号",
    "経過措置年月日又は商品名医薬品コード使用期限",
    "基本漢字名称",
    "薬価基準収載年月日",
    "一般名コード",
    "一般名処方の標準的な記載",
    "一般名処方加算対象区分",
    "抗ＨＩＶ薬区分",
    "長期収載品関連",
    "選定療養区分",
];

/// Fields of the 40-field editions.
const MIN_FIELDS: usize = 40;

const CHANGE_KIND: usize = 0;
const MASTER_KIND: usize = 1;
const CODE: usize = 2;
const NAME: usize = 4;
const KANA: usize = 6;
const CHANGED_ON: usize = 29;
const ABOLISHED_ON: usize = 30;
const BASIC_NAME: usize = 34;
const GENERIC_WORDING: usize = 37;

/// Plain content properties: (field, property name).
const PROPERTIES: [(usize, &str); 20] = [
    (7, "unit_code"),
    (9, "unit"),
    (10, "price_kind"),
    (11, "price"),
    (13, "narcotic_class"),
    (14, "nerve_destroying"),
    (15, "biological"),
    (16, "generic_drug"),
    (18, "dental_specific"),
    (19, "contrast"),
    (20, "injection_volume"),
    (21, "listing_kind"),
    (22, "brand_related"),
    (27, "dosage_form"),
    (31, "yj_code"),
    (32, "publication_order"),
    (36, "generic_code"),
    (38, "generic_rx_addition"),
    (39, "anti_hiv"),
    (40, "long_listed_related"),
];
/// More properties, kept apart to keep the table above readable.
const MORE_PROPERTIES: [(usize, &str); 1] = [(41, "selective_treatment")];
/// Date properties: (field, property name).
const DATES: [(usize, &str); 3] = [(ABOLISHED_ON, "abolished_on"), (33, "transitional_until"), (35, "price_listed_on")];
/// Bookkeeping fields: (field, name).
const BOOKKEEPING: [(usize, &str); 5] =
    [(0, "change_kind"), (23, "old_price_kind"), (24, "old_price"), (25, "name_changed"), (26, "kana_changed")];

/// Maps a row onto a record. With `partial`, empty fields (meaning "unchanged" in a change
/// file) are simply absent and the name may be empty.
fn concept(row: &Row<'_>, partial: bool) -> Result<ConceptRecord> {
    row.check(MASTER_KIND, "\"Y\" (医薬品マスター)", |v| v == "Y")?;
    let code = row.required(CODE, "code")?;
    row.check(CODE, "a 9-digit 医薬品コード", is_digits(9))?;
    let display = if partial { row.get(NAME).to_owned() } else { row.required(NAME, "name")?.to_owned() };

    let mut designations = Vec::new();
    let mut push = |use_, language: &str, value: Option<String>| {
        if let Some(value) = value {
            designations.push(Designation { use_, language: language.to_owned(), value });
        }
    };
    push(DesignationUse::Kana, "ja-Kana", row.opt(KANA));
    push(DesignationUse::Synonym, "ja", row.opt(BASIC_NAME).filter(|b| b != &display));
    push(DesignationUse::Generic, "ja", row.opt(GENERIC_WORDING));

    let mut properties = BTreeMap::new();
    for (i, name) in PROPERTIES.iter().chain(&MORE_PROPERTIES) {
        if let Some(v) = row.opt(*i) {
            properties.insert((*name).to_owned(), v);
        }
    }
    for (i, name) in DATES {
        if let Some(v) = row.date(i)? {
            properties.insert(name.to_owned(), v);
        }
    }
    let mut bookkeeping = BTreeMap::new();
    for (i, name) in BOOKKEEPING {
        if let Some(v) = row.opt(i) {
            bookkeeping.insert(name.to_owned(), v);
        }
    }
    if let Some(d) = row.date(CHANGED_ON)? {
        bookkeeping.insert("changed_on".to_owned(), d);
    }
    let status = if properties.contains_key("abolished_on") { Status::Retired } else { Status::Active };
    Ok(ConceptRecord { code: code.to_owned(), status, display, designations, properties, bookkeeping })
}

fn looks_like_drug_master(file: &SourceFile<'_>) -> bool {
    first_width(file.bytes).is_some_and(|w| (MIN_FIELDS..=LAYOUT.len()).contains(&w))
        && first_field(file.bytes, MASTER_KIND).as_deref() == Some("Y")
}

/// `y_YYYYMMDD.csv` (a change file) as opposed to `y_ALLYYYYMMDD.csv`.
fn is_change_file_name(name: &str) -> bool {
    dated_name_version(name, "y_").is_some()
}

/// The full receipt drug master (format `receipt-drug`).
pub struct ReceiptDrug;

impl Loader for ReceiptDrug {
    fn format(&self) -> &'static str {
        "receipt-drug"
    }

    fn description(&self) -> &'static str {
        "レセプト電算処理システム 医薬品マスター y_ALLYYYYMMDD.csv (Shift_JIS CSV, 40/42 fields)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        dated_name_version(file.name, "y_ALL").is_some()
            || (looks_like_drug_master(file) && !is_change_file_name(file.name))
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut concepts = Vec::new();
        let mut seen = SeenCodes::default();
        for_each_row(file, &LAYOUT, MIN_FIELDS, |row| {
            let c = concept(&row, false)?;
            seen.insert(&row, CODE, &c.code)?;
            concepts.push(c);
            Ok(())
        })?;
        Ok(Loaded::full("jp-receipt-drug", dated_name_version(file.name, "y_ALL"), concepts))
    }
}

/// A monthly change file of the receipt drug master (format `receipt-drug-changes`).
pub struct ReceiptDrugChanges;

impl Loader for ReceiptDrugChanges {
    fn format(&self) -> &'static str {
        "receipt-drug-changes"
    }

    fn description(&self) -> &'static str {
        "医薬品マスター change file y_YYYYMMDD.csv (変更区分 3 new / 5 changed / 9 abolished)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        is_change_file_name(base_name(file.name))
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut patches = Vec::new();
        let mut seen = SeenCodes::default();
        for_each_row(file, &LAYOUT, MIN_FIELDS, |row| {
            let action = match row.get(CHANGE_KIND) {
                "3" => PatchAction::Add,
                "5" => PatchAction::Change,
                "9" => PatchAction::Abolish,
                other => {
                    let kind = LoadErrorKind::Invalid {
                        value: other.to_owned(),
                        expected: "3 (new), 5 (changed) or 9 (abolished) in a change file",
                    };
                    return Err(LoadError::at(kind, row.pos(CHANGE_KIND)));
                }
            };
            let record = concept(&row, action != PatchAction::Add)?;
            seen.insert(&row, CODE, &record.code)?;
            patches.push(Patch { action, record, position: row.pos(CHANGE_KIND) });
            Ok(())
        })?;
        Ok(Loaded {
            system: "jp-receipt-drug",
            version: dated_name_version(file.name, "y_"),
            concepts: Vec::new(),
            patches,
            notes: Vec::new(),
            crosswalk: None,
            relations: Vec::new(),
            also: Vec::new(),
        })
    }
}
