//! レセプト電算処理システム 修飾語マスター (`z_YYYYMMDD.txt`), published by 社会保険診療報酬支払基金.
//!
//! Layout: Shift_JIS (CP932), no header, CRLF, every field quoted, 19 fields per record
//! ([`LAYOUT`]). One record is one 修飾語コード (code system `jp-receipt-modifier`).
//!
//! Mapping onto [`ConceptRecord`]: display = 修飾語名称; designation 修飾語カナ名称 (kana);
//! properties `medis_key_number` (修飾語管理番号), `medis_exchange_code` (修飾語交換用コード),
//! `modifier_class` (修飾語区分), `listed_on`, `abolished_on`; bookkeeping `change_kind`
//! (変更区分), `changed_on` (変更年月日) and the 変更情報 flags. Status: retired when 廃止年月日 is
//! a date. Nothing is skipped; any malformed record aborts the file.

use std::collections::BTreeMap;

use crate::receipt_disease::is_digits;
use crate::record::{ConceptRecord, Designation, DesignationUse, Status};
use crate::sjis_csv::{first_field, first_width, for_each_row, SeenCodes};
use crate::{dated_name_version, Loaded, Loader, Result, SourceFile};

/// The published layout, field by field (0-based index → official name).
pub const LAYOUT: [&str; 19] = [
    "変更区分",
    "マスター種別",
    "修飾語コード",
    "予備1",
    "予備2",
    "修飾語名称桁数",
    "修飾語名称",
    "予備3",
    "修飾語カナ名称桁数",
    "修飾語カナ名称",
    "予備4",
    "修飾語名称（変更情報）",
    "修飾語カナ名称（変更情報）",
    "収載年月日",
    "変更年月日",
    "廃止年月日",
    "修飾語管理番号",
    "修飾語交換用コード",
    "修飾語区分",
];

const CHANGE_KIND: usize = 0;
const MASTER_KIND: usize = 1;
const CODE: usize = 2;
const NAME: usize = 6;
const KANA: usize = 9;
const NAME_CHANGED: usize = 11;
const KANA_CHANGED: usize = 12;
const LISTED_ON: usize = 13;
const CHANGED_ON: usize = 14;
const ABOLISHED_ON: usize = 15;
const MEDIS_KEY_NUMBER: usize = 16;
const EXCHANGE_CODE: usize = 17;
const MODIFIER_CLASS: usize = 18;

/// The receipt modifier master loader (format `receipt-modifier`).
pub struct ReceiptModifier;

impl Loader for ReceiptModifier {
    fn format(&self) -> &'static str {
        "receipt-modifier"
    }

    fn description(&self) -> &'static str {
        "レセプト電算処理システム 修飾語マスター z_YYYYMMDD.txt (Shift_JIS CSV, 19 fields)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        // The official name (`z_YYYYMMDD.txt`) or, under any name, the first record's shape.
        dated_name_version(file.name, "z_").is_some()
            || (first_width(file.bytes) == Some(LAYOUT.len())
                && first_field(file.bytes, MASTER_KIND).as_deref() == Some("Z"))
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut concepts = Vec::new();
        let mut seen = SeenCodes::default();
        for_each_row(file, &LAYOUT, LAYOUT.len(), |row| {
            row.check(MASTER_KIND, "\"Z\" (修飾語マスター)", |v| v == "Z")?;
            let code = row.required(CODE, "code")?;
            row.check(CODE, "a 4-digit 修飾語コード", is_digits(4))?;
            seen.insert(&row, CODE, code)?;
            let display = row.required(NAME, "name")?.to_owned();
            let listed_on = row.date(LISTED_ON)?;
            let changed_on = row.date(CHANGED_ON)?;
            let abolished_on = row.date(ABOLISHED_ON)?;

            let designations = row
                .opt(KANA)
                .map(|value| Designation { use_: DesignationUse::Kana, language: "ja-Kana".into(), value })
                .into_iter()
                .collect();

            let mut properties = BTreeMap::new();
            for (name, value) in [
                ("medis_key_number", row.opt(MEDIS_KEY_NUMBER)),
                ("medis_exchange_code", row.opt(EXCHANGE_CODE)),
                ("modifier_class", row.opt(MODIFIER_CLASS)),
                ("listed_on", listed_on),
                ("abolished_on", abolished_on.clone()),
            ] {
                if let Some(v) = value {
                    properties.insert(name.to_owned(), v);
                }
            }

            let mut bookkeeping = BTreeMap::new();
            if let Some(kind) = row.opt(CHANGE_KIND) {
                bookkeeping.insert("change_kind".to_owned(), kind);
            }
            if let Some(date) = changed_on {
                bookkeeping.insert("changed_on".to_owned(), date);
            }
            for i in [NAME_CHANGED, KANA_CHANGED] {
                let v = row.get(i);
                if !v.is_empty() && v != "0" {
                    bookkeeping.insert(LAYOUT[i].to_owned(), v.to_owned());
                }
            }

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
        Ok(Loaded::full("jp-receipt-modifier", dated_name_version(file.name, "z_"), concepts))
    }
}
