//! MHLW drug lists (Excel, as published on mhlw.go.jp):
//!
//! - `mhlw-price-list`: 薬価基準収載品目リスト (`tpYYYYMMDD-01_0{1,2,3}.xlsx`: 内用薬, 注射薬,
//!   外用薬; sheet `ＨＰ用`). One row per product: code system `jp-yj`, code =
//!   薬価基準収載医薬品コード (12 characters; the YJ code of almost every product), display = 品名,
//!   designation 成分名 (generic), properties `ingredient`, `strength` (規格), `maker`
//!   (メーカー名), `route_class` (区分), `price` (薬価), `pharmacopoeia` (局), `narcotic` (麻),
//!   `generic_eligible`, `brand`, `brand_with_generics`, `transitional_until`, `note`. The 局 / 麻 /
//!   業者名追記 columns have no header in the published sheet and are read by position. The three
//!   files of one date import together as one version (version from the file name).
//! - `mhlw-generic-name`: 一般名処方マスタ (`ippanmeishohoumaster_YYMMDD.xlsx`): code system
//!   `jp-generic-name`, code = 一般名コード (12 characters ending in ZZZ), display =
//!   一般名処方の標準的な記載, properties `ingredient`, `strength`, `route_class`,
//!   `rx_addition` (一般名処方加算対象), `exception_code` (例外コード), `lowest_price`, `note`; from
//!   the 例外コード品目対照表 sheet, `exception_yj_codes` lists the products an exception code
//!   covers (its 一般名コード is written once per group and carried down).

use std::collections::BTreeMap;

use crate::record::{ConceptRecord, Designation, DesignationUse, Status};
use crate::xlsx::{is_xlsx, Workbook};
use crate::{base_name, LoadError, LoadErrorKind, Loaded, Loader, Result, SourceFile};

fn is_drug_code(v: &str) -> bool {
    v.len() == 12 && v.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `tp20250814-01_01.xlsx` → `2025-08-14`.
fn price_list_version(name: &str) -> Option<String> {
    let d: String = base_name(name).strip_prefix("tp")?.chars().take(8).collect();
    (d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{}-{}-{}", &d[0..4], &d[4..6], &d[6..8]))
}

/// `ippanmeishohoumaster_250814.xlsx` → `2025-08-14`.
fn generic_master_version(name: &str) -> Option<String> {
    let d: String = base_name(name).strip_prefix("ippanmeishohoumaster_")?.chars().take(6).collect();
    (d.len() == 6 && d.bytes().all(|b| b.is_ascii_digit())).then(|| format!("20{}-{}-{}", &d[0..2], &d[2..4], &d[4..6]))
}

/// 薬価基準収載品目リスト (format `mhlw-price-list`).
pub struct MhlwPriceList;

impl Loader for MhlwPriceList {
    fn format(&self) -> &'static str {
        "mhlw-price-list"
    }

    fn description(&self) -> &'static str {
        "MHLW 薬価基準収載品目リスト tpYYYYMMDD-01_0N.xlsx (YJ code → product, ingredient, strength, maker)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        is_xlsx(file.bytes) && price_list_version(file.name).is_some()
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut wb = Workbook::open(file)?;
        let name = wb.sheet_names().into_iter().next().unwrap_or_default();
        let sheet = wb.sheet(&name)?;
        let mut concepts = Vec::new();
        let mut seen: BTreeMap<String, u64> = BTreeMap::new();
        sheet.for_each_row(
            &["区分", "薬価基準収載医薬品コード", "成分名", "規格", "品名", "薬価"],
            |row| {
                let code = row.get("薬価基準収載医薬品コード");
                if !is_drug_code(&code) {
                    let kind = LoadErrorKind::Invalid {
                        value: code,
                        expected: "a 12-character 薬価基準収載医薬品コード",
                    };
                    return Err(LoadError::at(kind, row.pos("薬価基準収載医薬品コード")));
                }
                if let Some(first_line) = seen.insert(code.clone(), row.row()) {
                    return Err(LoadError::at(
                        LoadErrorKind::Duplicate { code, first_line },
                        row.pos("薬価基準収載医薬品コード"),
                    ));
                }
                let Some(display) = row.opt("品名") else {
                    return Err(LoadError::at(LoadErrorKind::Empty { what: "name" }, row.pos("品名")));
                };
                let mut properties = BTreeMap::new();
                row.copy_properties(
                    &mut properties,
                    &[
                        ("成分名", "ingredient"),
                        ("規格", "strength"),
                        ("メーカー名", "maker"),
                        ("区分", "route_class"),
                        ("薬価", "price"),
                        ("診療報酬において加算等の算定対象となる後発医薬品", "generic_eligible"),
                        ("先発医薬品", "brand"),
                        ("同一剤形・規格の後発医薬品がある先発医薬品", "brand_with_generics"),
                        ("経過措置による使用期限", "transitional_until"),
                        ("備考", "note"),
                    ],
                );
                // The three columns after 規格 carry no header: 局, 麻, 業者名追記.
                for (i, prop) in [(4, "pharmacopoeia"), (5, "narcotic"), (6, "maker_note")] {
                    let v = row.at(i);
                    if !v.is_empty() {
                        properties.insert(prop.to_owned(), v);
                    }
                }
                concepts.push(with_ingredient(code, display, row.opt("成分名"), properties));
                Ok(())
            },
        )?;
        Ok(Loaded::full("jp-yj", price_list_version(file.name), concepts))
    }
}

/// 一般名処方マスタ (format `mhlw-generic-name`).
pub struct MhlwGenericName;

impl Loader for MhlwGenericName {
    fn format(&self) -> &'static str {
        "mhlw-generic-name"
    }

    fn description(&self) -> &'static str {
        "MHLW 一般名処方マスタ ippanmeishohoumaster_YYMMDD.xlsx (一般名コード → 一般名, exception codes)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        is_xlsx(file.bytes) && generic_master_version(file.name).is_some()
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let mut wb = Workbook::open(file)?;
        let names = wb.sheet_names();
        let main = names.iter().find(|n| n.contains("全体")).cloned().unwrap_or_else(|| names[0].clone());
        let mut concepts = generic_names(&wb.sheet(&main)?)?;
        let mut exceptions = 0usize;
        if let Some(ex) = names.iter().find(|n| n.contains("例外コード")) {
            exceptions = attach_exceptions(&wb.sheet(ex)?, &mut concepts)?;
        }
        let mut loaded = Loaded::full("jp-generic-name", generic_master_version(file.name), concepts);
        if exceptions > 0 {
            loaded.notes.push(format!("{exceptions} products of the 例外コード品目対照表 attached to their 一般名コード as exception_yj_codes"));
        }
        Ok(loaded)
    }
}

/// The 一般名コード of the generic-name master's main sheet, in sheet order.
fn generic_names(sheet: &crate::xlsx::Sheet) -> Result<Vec<ConceptRecord>> {
    let mut concepts: Vec<ConceptRecord> = Vec::new();
    let mut rows: BTreeMap<String, u64> = BTreeMap::new();
    sheet.for_each_row(
        &["一般名コード", "一般名処方の標準的な記載", "成分名", "規格"],
        |row| {
            let code = row.get("一般名コード");
            if !is_drug_code(&code) {
                let kind = LoadErrorKind::Invalid { value: code, expected: "a 12-character 一般名コード" };
                return Err(LoadError::at(kind, row.pos("一般名コード")));
            }
            if let Some(first_line) = rows.insert(code.clone(), row.row()) {
                return Err(LoadError::at(LoadErrorKind::Duplicate { code, first_line }, row.pos("一般名コード")));
            }
            let Some(display) = row.opt("一般名処方の標準的な記載") else {
                return Err(LoadError::at(LoadErrorKind::Empty { what: "name" }, row.pos("一般名処方の標準的な記載")));
            };
            let mut properties = BTreeMap::new();
            row.copy_properties(
                &mut properties,
                &[
                    ("成分名", "ingredient"),
                    ("規格", "strength"),
                    ("区分", "route_class"),
                    ("一般名処方加算対象", "rx_addition"),
                    ("例外コード", "exception_code"),
                    ("同一剤形・規格内の最低薬価", "lowest_price"),
                    ("備考", "note"),
                ],
            );
            concepts.push(with_ingredient(code, display, row.opt("成分名"), properties));
            Ok(())
        },
    )?;
    Ok(concepts)
}

/// Attaches the products of the 例外コード品目対照表 to their 一般名コード (`exception_yj_codes`);
/// returns how many. A row without a 一般名コード continues the one above it.
fn attach_exceptions(sheet: &crate::xlsx::Sheet, concepts: &mut [ConceptRecord]) -> Result<usize> {
    let index: BTreeMap<String, usize> = concepts.iter().enumerate().map(|(i, c)| (c.code.clone(), i)).collect();
    let mut exceptions = 0usize;
    let mut current: Option<String> = None;
    sheet.for_each_row(&["一般名コード", "薬価基準収載医薬品コード"], |row| {
        if let Some(code) = row.opt("一般名コード") {
            current = Some(code);
        }
        let yj = row.get("薬価基準収載医薬品コード");
        let Some(code) = current.clone() else {
            return Err(LoadError::at(LoadErrorKind::Empty { what: "一般名コード" }, row.pos("一般名コード")));
        };
        let Some(&i) = index.get(&code) else {
            let kind =
                LoadErrorKind::Invalid { value: code, expected: "a 一般名コード listed in the main sheet" };
            return Err(LoadError::at(kind, row.pos("一般名コード")));
        };
        if is_drug_code(&yj) {
            exceptions += 1;
            let list = concepts[i].properties.entry("exception_yj_codes".into()).or_default();
            if !list.is_empty() {
                list.push(' ');
            }
            list.push_str(&yj);
        }
        Ok(())
    })?;
    Ok(exceptions)
}

/// An active drug concept whose 成分名 (if any) is its generic designation.
fn with_ingredient(
    code: String,
    display: String,
    ingredient: Option<String>,
    properties: BTreeMap<String, String>,
) -> ConceptRecord {
    let designations = ingredient
        .map(|v| Designation { use_: DesignationUse::Generic, language: "ja".into(), value: v })
        .into_iter()
        .collect();
    ConceptRecord { code, status: Status::Active, display, designations, properties, bookkeeping: BTreeMap::new() }
}
