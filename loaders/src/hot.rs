//! MEDIS 医薬品HOTコードマスター in the MEDIS standard 24-column layout (format `hot-master`):
//! code system `jp-hot`, one concept per HOT9 (基準番号（ＨＯＴ番号）).
//!
//! The master lists one row per HOT number × code set, so a HOT9 may appear on several rows
//! (e.g. the same product under two receipt codes): its concept gathers every 薬価基準収載医薬品コード
//! (`yj_codes`), 個別医薬品コード (`individual_codes`) and レセプト電算処理システムコード
//! (`receipt_codes`), space-separated, and the rows merged are reported. display = the most
//! product-specific name given (販売名, else レセプト電算処理システム医薬品名, else 告示名称); the other
//! names are synonyms; properties `hot7`,
//! `jan`, `strength` (規格単位), `route_class` (区分), `maker` (製造会社), `seller` (販売会社),
//! `update_kind` (更新区分), `updated_on`. Read from UTF-8 CSV with the MEDIS header row.

use std::collections::BTreeMap;

use crate::record::{ConceptRecord, Designation, DesignationUse, Status};
use crate::text_table::{for_each_row, header_starts_with, TableRow, CSV};
use crate::{LoadErrorKind, Loaded, Loader, Result, SourceFile};

const HOT: &str = "基準番号（ＨＯＴ番号）";

fn push_code(props: &mut BTreeMap<String, String>, key: &str, value: Option<String>) {
    let Some(v) = value else { return };
    let list = props.entry(key.to_owned()).or_default();
    if !list.split(' ').any(|x| x == v) {
        if !list.is_empty() {
            list.push(' ');
        }
        list.push_str(&v);
    }
}

/// The MEDIS HOT code master (format `hot-master`).
pub struct HotMaster;

impl Loader for HotMaster {
    fn format(&self) -> &'static str {
        "hot-master"
    }

    fn description(&self) -> &'static str {
        "MEDIS 医薬品HOTコードマスター (standard 24-column layout, CSV with header)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        header_starts_with(file.bytes, CSV, &[HOT, "処方用番号（ＨＯＴ７）"])
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut by_hot: BTreeMap<String, ConceptRecord> = BTreeMap::new();
        let mut merged = 0usize;
        let required = [
            HOT,
            "処方用番号（ＨＯＴ７）",
            "薬価基準収載医薬品コード",
            "個別医薬品コード",
            "告示名称",
            "販売名",
            "規格単位",
        ];
        for_each_row(file, CSV, &required, |row| {
            let hot = row.required(HOT, "HOT number")?.to_owned();
            row.check(HOT, "a 9-digit HOT number (or 13 for HOT13)", |v| {
                (v.len() == 9 || v.len() == 13) && v.bytes().all(|b| b.is_ascii_digit())
            })?;
            let names: Vec<String> =
                ["販売名", "レセプト電算処理システム医薬品名", "告示名称"].iter().filter_map(|c| row.opt(c)).collect();
            if names.is_empty() {
                return Err(crate::LoadError::at(LoadErrorKind::Empty { what: "name" }, row.pos("告示名称")));
            }
            let c = match by_hot.get_mut(&hot) {
                Some(c) => {
                    merged += 1;
                    c
                }
                None => by_hot.entry(hot.clone()).or_insert(new_concept(&row, &hot, &names[0])),
            };
            add_row(c, &row, &names);
            Ok(())
        })?;
        let concepts: Vec<ConceptRecord> = by_hot.into_values().collect();
        let mut loaded = Loaded::full("jp-hot", None, concepts);
        if merged > 0 {
            loaded
                .notes
                .push(format!("{merged} rows repeat a HOT number with another code set and were merged into it"));
        }
        Ok(loaded)
    }
}

/// The concept of a HOT number's first row.
fn new_concept(row: &TableRow<'_>, hot: &str, display: &str) -> ConceptRecord {
    let mut properties = BTreeMap::new();
    row.copy_properties(
        &mut properties,
        &[
            ("処方用番号（ＨＯＴ７）", "hot7"),
            ("ＪＡＮコード", "jan"),
            ("規格単位", "strength"),
            ("区分", "route_class"),
            ("製造会社", "maker"),
            ("販売会社", "seller"),
            ("更新区分", "update_kind"),
            ("更新年月日", "updated_on"),
        ],
    );
    ConceptRecord {
        code: hot.to_owned(),
        status: Status::Active,
        display: display.to_owned(),
        designations: Vec::new(),
        properties,
        bookkeeping: BTreeMap::new(),
    }
}

/// Adds a row's names and codes to its HOT number's concept.
fn add_row(c: &mut ConceptRecord, row: &TableRow<'_>, names: &[String]) {
    for n in names {
        if *n != c.display && !c.designations.iter().any(|d| &d.value == n) {
            c.designations.push(Designation { use_: DesignationUse::Synonym, language: "ja".into(), value: n.clone() });
        }
    }
    push_code(&mut c.properties, "yj_codes", row.opt("薬価基準収載医薬品コード"));
    push_code(&mut c.properties, "individual_codes", row.opt("個別医薬品コード"));
    for col in ["レセプト電算処理システムコード（１）", "レセプト電算処理システムコード（２）"]
    {
        if row.has(col) {
            push_code(&mut c.properties, "receipt_codes", row.opt(col));
        }
    }
}
