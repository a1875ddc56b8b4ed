//! レセプト電算処理システム 傷病名マスター (`b_YYYYMMDD.txt`), published by 社会保険診療報酬支払基金.
//!
//! Layout: Shift_JIS (CP932), no header, CRLF, every field quoted, 46 fields per record
//! ([`LAYOUT`]). One record is one 傷病名コード (code system `jp-receipt-disease`).
//!
//! Mapping onto [`ConceptRecord`]:
//! - display = 傷病名基本名称; designations: 傷病名省略名称 (short), 傷病名カナ名称 (kana),
//!   歯科傷病名省略名称 (dental short);
//! - properties: `icd10_1`, `icd10_2` (ICD-10-1/2 (2013)), `medis_key_number` (病名管理番号),
//!   `medis_exchange_code` (病名交換用コード), `adoption_class` (採択区分),
//!   `standalone_prohibited` (単独使用禁止区分), `non_claimable` (保険請求外区分),
//!   `specific_disease` (特定疾患等対象区分), `intractable_outpatient` (難病外来対象区分),
//!   `dental_specific_disease` (歯科特定疾患対象区分), `listed_on` (収載年月日),
//!   `abolished_on` (廃止年月日), `successor` (移行先コード, only when it names another code),
//!   `successor_medis_key_number` (移行先病名管理番号);
//! - bookkeeping (not content): `change_kind` (変更区分), `changed_on` (変更年月日) and every
//!   非ゼロ `*（変更情報）` flag.
//! - status: retired when 廃止年月日 holds a date (`99999999` means none).
//!
//! Nothing is skipped: a wrong field count, an encoding error, an empty or malformed code, a
//! duplicate code or an impossible date aborts the file with its line and field.

use std::collections::BTreeMap;

use crate::record::{ConceptRecord, Designation, DesignationUse, Status};
use crate::sjis_csv::{first_field, first_width, for_each_row, Row, SeenCodes};
use crate::{dated_name_version, Loaded, Loader, Result, SourceFile};

/// The published layout, field by field (0-based index → official name).
pub const LAYOUT: [&str; 46] = [
    "変更区分",
    "マスター種別",
    "傷病名コード",
    "移行先コード",
    "傷病名基本名称桁数",
    "傷病名基本名称",
    "傷病名省略名称桁数",
    "傷病名省略名称",
    "傷病名カナ名称桁数",
    "傷病名カナ名称",
    "病名管理番号",
    "採択区分",
    "病名交換用コード",
    "予備1",
    "予備2",
    "ICD-10-1(2013)",
    "ICD-10-2(2013)",
    "予備3",
    "単独使用禁止区分",
    "保険請求外区分",
    "特定疾患等対象区分",
    "収載年月日",
    "変更年月日",
    "廃止年月日",
    "傷病名基本名称（変更情報）",
    "傷病名省略名称（変更情報）",
    "傷病名カナ名称（変更情報）",
    "採択区分（変更情報）",
    "病名交換用コード（変更情報）",
    "予備4",
    "予備5",
    "歯科傷病名省略名称（変更情報）",
    "難病外来対象区分（変更情報）",
    "歯科特定疾患対象区分（変更情報）",
    "単独使用禁止区分（変更情報）",
    "保険請求外区分（変更情報）",
    "特定疾患等対象区分（変更情報）",
    "移行先病名管理番号",
    "歯科傷病名省略名称",
    "予備6",
    "予備7",
    "歯科傷病名省略名称桁数",
    "難病外来対象区分",
    "歯科特定疾患対象区分",
    "ICD-10-1(2013)（変更情報）",
    "ICD-10-2(2013)（変更情報）",
];

const CHANGE_KIND: usize = 0;
const MASTER_KIND: usize = 1;
const CODE: usize = 2;
const SUCCESSOR: usize = 3;
const NAME: usize = 5;
const SHORT_NAME: usize = 7;
const KANA: usize = 9;
const MEDIS_KEY_NUMBER: usize = 10;
const ADOPTION_CLASS: usize = 11;
const EXCHANGE_CODE: usize = 12;
const ICD10_1: usize = 15;
const ICD10_2: usize = 16;
const STANDALONE_PROHIBITED: usize = 18;
const NON_CLAIMABLE: usize = 19;
const SPECIFIC_DISEASE: usize = 20;
const LISTED_ON: usize = 21;
const CHANGED_ON: usize = 22;
const ABOLISHED_ON: usize = 23;
/// The `（変更情報）` flag fields (bookkeeping of what changed in this edition).
const CHANGE_FLAGS: [usize; 15] = [24, 25, 26, 27, 28, 31, 32, 33, 34, 35, 36, 44, 45, 29, 30];
const SUCCESSOR_MEDIS_KEY_NUMBER: usize = 37;
const DENTAL_SHORT_NAME: usize = 38;
const INTRACTABLE_OUTPATIENT: usize = 42;
const DENTAL_SPECIFIC_DISEASE: usize = 43;

/// The receipt disease master loader (format `receipt-disease`).
pub struct ReceiptDisease;

impl Loader for ReceiptDisease {
    fn format(&self) -> &'static str {
        "receipt-disease"
    }

    fn description(&self) -> &'static str {
        "レセプト電算処理システム 傷病名マスター b_YYYYMMDD.txt (Shift_JIS CSV, 46 fields)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        // The official name (`b_YYYYMMDD.txt`) or, under any name, the first record's shape.
        dated_name_version(file.name, "b_").is_some()
            || (first_width(file.bytes) == Some(LAYOUT.len())
                && first_field(file.bytes, MASTER_KIND).as_deref() == Some("B"))
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut concepts = Vec::new();
        let mut seen = SeenCodes::default();
        for_each_row(file, &LAYOUT, LAYOUT.len(), |row| {
            row.check(MASTER_KIND, "\"B\" (傷病名マスター)", |v| v == "B")?;
            let code = row.required(CODE, "code")?;
            row.check(CODE, "a 7-digit 傷病名コード", is_digits(7))?;
            seen.insert(&row, CODE, code)?;
            let display = row.required(NAME, "name")?.to_owned();
            let listed_on = row.date(LISTED_ON)?;
            let changed_on = row.date(CHANGED_ON)?;
            let abolished_on = row.date(ABOLISHED_ON)?;
            let successor = row.get(SUCCESSOR);
            if !successor.is_empty() {
                row.check(SUCCESSOR, "a 7-digit 傷病名コード", is_digits(7))?;
            }

            let designations = designations(&row);

            let mut properties = BTreeMap::new();
            let mut prop = |name: &str, value: Option<String>| {
                if let Some(v) = value {
                    properties.insert(name.to_owned(), v);
                }
            };
            prop("icd10_1", row.opt(ICD10_1));
            prop("icd10_2", row.opt(ICD10_2));
            prop("medis_key_number", row.opt(MEDIS_KEY_NUMBER));
            prop("medis_exchange_code", row.opt(EXCHANGE_CODE));
            prop("adoption_class", row.opt(ADOPTION_CLASS));
            prop("standalone_prohibited", row.opt(STANDALONE_PROHIBITED));
            prop("non_claimable", row.opt(NON_CLAIMABLE));
            prop("specific_disease", row.opt(SPECIFIC_DISEASE));
            prop("intractable_outpatient", row.opt(INTRACTABLE_OUTPATIENT));
            prop("dental_specific_disease", row.opt(DENTAL_SPECIFIC_DISEASE));
            prop("listed_on", listed_on);
            prop("abolished_on", abolished_on.clone());
            prop("successor", Some(successor).filter(|s| !s.is_empty() && *s != code).map(str::to_owned));
            prop("successor_medis_key_number", row.opt(SUCCESSOR_MEDIS_KEY_NUMBER));

            let bookkeeping = bookkeeping(&row, changed_on);

            concepts.push(ConceptRecord {
                code: code.to_owned(),
                status: if abolished_on.is_some() { Status::Retired } else { Status::Active },
                display,
                designations,
                properties,
                bookkeeping,
            });
            Ok(())
        })?;
        Ok(Loaded::full("jp-receipt-disease", dated_name_version(file.name, "b_"), concepts))
    }
}

/// The short, kana and dental short names of a row.
fn designations(row: &Row<'_>) -> Vec<Designation> {
    let mut designations = Vec::new();
    for (use_, language, index) in [
        (DesignationUse::Short, "ja", SHORT_NAME),
        (DesignationUse::Kana, "ja-Kana", KANA),
        (DesignationUse::DentalShort, "ja", DENTAL_SHORT_NAME),
    ] {
        if let Some(value) = row.opt(index) {
            designations.push(Designation { use_, language: language.to_owned(), value });
        }
    }
    designations
}

/// What a row says about its own change (kind, date, changed-field flags).
fn bookkeeping(row: &Row<'_>, changed_on: Option<String>) -> BTreeMap<String, String> {
    let mut bookkeeping = BTreeMap::new();
    if let Some(kind) = row.opt(CHANGE_KIND) {
        bookkeeping.insert("change_kind".to_owned(), kind);
    }
    if let Some(date) = changed_on {
        bookkeeping.insert("changed_on".to_owned(), date);
    }
    for i in CHANGE_FLAGS {
        let v = row.get(i);
        if !v.is_empty() && v != "0" {
            bookkeeping.insert(LAYOUT[i].to_owned(), v.to_owned());
        }
    }
    bookkeeping
}

pub(crate) fn is_digits(n: usize) -> impl Fn(&str) -> bool {
    move |v: &str| v.len() == n && v.bytes().all(|b| b.is_ascii_digit())
}
