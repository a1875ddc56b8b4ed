//! Mapping-table generators: each turns the loaded masters (and crosswalks) into candidate rows
//! with provenance. A generator reads its inputs through [`Source`] (the draft's, else the latest
//! release's versions) and its data files, and returns a [`Derived`] table; the service applies
//! curators' decisions to it, tallies its [`DeriveReport`] and stages it.

pub(crate) mod compose;
pub(crate) mod decisions;
pub(crate) mod decisions_tsv;
pub(crate) mod disease_icd11;
pub(crate) mod drug_rxnorm;
pub(crate) mod lab_loinc;
pub(crate) mod who_crosswalk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{
    chosen_row, row_order, CodeSystemVersion, Concept, Mapping, MappingTableVersion, ReviewState, SourceFileInfo,
};

crate::vocabulary! {
    /// A mapping-table generator, by the name the CLI, the API and `masters/default.toml` use.
    pub enum Generator {
        /// Receipt 傷病名 → ICD-11 MMS through ICD-10 and WHO's transition tables.
        DiseaseIcd11 = "disease-icd11",
        /// JLAC10 → LOINC by matching axes.
        LabLoinc = "lab-loinc",
        /// YJ → RxNorm through a katakana → Latin phonetic key.
        DrugRxnorm = "drug-rxnorm",
        /// Receipt 医薬品 → RxNorm, composed through the YJ code and `drug-rxnorm`.
        ReceiptDrugRxnorm = "receipt-drug-rxnorm",
        /// HOT → RxNorm, composed through the YJ codes (else the receipt codes).
        HotRxnorm = "hot-rxnorm",
        /// MEDIS 標準病名 → ICD-11 MMS, composed through the receipt 傷病名 and `disease-icd11`.
        MedisIcd11 = "medis-icd11",
    }
}

/// What a generator reads from the store: the draft's (else the latest release's) version of a
/// code system, and a version's concepts.
pub(crate) trait Source {
    /// The draft's, else the latest release's, version of `system`, if any.
    fn base(&self, system: &str) -> Result<Option<CodeSystemVersion>>;
    /// Every concept of a stored version, in code order.
    fn concepts(&self, version: u64) -> Result<Vec<Concept>>;
    /// The draft's (else the latest release's) version of a mapping table and its rows by
    /// source code, if any.
    fn table(&self, table: &str) -> Result<Option<TableRows>>;
}

/// A stored mapping table version and its rows by source code.
pub(crate) type TableRows = (MappingTableVersion, Vec<(String, Vec<Mapping>)>);

/// A derived table before it is stored: its header, the ids of the versions it maps between,
/// and its rows by source code.
pub(crate) struct Derived {
    /// The table version's header (counts and digest are filled when it is written).
    pub(crate) header: MappingTableVersion,
    /// Store ids of the source and target versions.
    pub(crate) versions: (u64, u64),
    /// Rows by source code.
    pub(crate) rows: BTreeMap<String, Vec<Mapping>>,
}

impl Derived {
    /// A table from `source` to `target`, made by `generator` (its name and policy) from `inputs`.
    pub(crate) fn new(
        table: &str,
        (source, target): (&CodeSystemVersion, &CodeSystemVersion),
        generator: String,
        inputs: Vec<SourceFileInfo>,
        created_at: &str,
        mut rows: BTreeMap<String, Vec<Mapping>>,
    ) -> Derived {
        for list in rows.values_mut() {
            list.sort_by(row_order);
        }
        let header = MappingTableVersion {
            id: 0,
            table: table.to_owned(),
            source_system: source.system.clone(),
            source_version: source.version.clone(),
            target_system: target.system.clone(),
            target_version: target.version.clone(),
            generator,
            inputs,
            mapped: 0,
            no_map: 0,
            rows: 0,
            digest: String::new(),
            created_at: created_at.to_owned(),
            decisions_through: 0,
        };
        Derived { header, versions: (source.id, target.id), rows }
    }
}

/// Runs a generator on `files` (see [`crate::Service::derive`] for what each one takes).
pub(crate) fn run(generator: Generator, source: &dyn Source, files: &[PathBuf], now: &str) -> Result<Derived> {
    match generator {
        Generator::DiseaseIcd11 => disease_icd11::run(source, files, now),
        Generator::LabLoinc => lab_loinc::run(source, files, now),
        Generator::DrugRxnorm => drug_rxnorm::run(source, files, now),
        Generator::ReceiptDrugRxnorm | Generator::HotRxnorm | Generator::MedisIcd11 => {
            if !files.is_empty() {
                return Err(Error::DeriveInput {
                    generator: generator.to_string(),
                    message: "a composed table takes no data files".into(),
                });
            }
            compose::run(generator, source, now)
        }
    }
}

/// The version of `system` a generator reads, or an error saying to import it first.
pub(crate) fn input(source: &dyn Source, generator: &str, system: &str) -> Result<CodeSystemVersion> {
    source.base(system)?.ok_or_else(|| Error::DeriveInput {
        generator: generator.to_owned(),
        message: format!("neither the draft nor the latest release holds {system}: import it first"),
    })
}

/// An optional single data file given to a generator (its text and provenance), else its
/// shipped default.
pub(crate) fn data_file(
    generator: Generator,
    files: &[PathBuf],
    default: &str,
    format: &str,
) -> Result<(String, Vec<SourceFileInfo>)> {
    match files {
        [] => Ok((default.to_owned(), Vec::new())),
        [path] => {
            let (bytes, info) = crate::import::read_source(Path::new(path), format)?;
            Ok((String::from_utf8_lossy(&bytes).into_owned(), vec![info]))
        }
        _ => Err(Error::DeriveInput { generator: generator.to_string(), message: "give at most one data file".into() }),
    }
}

/// What a generator reports when it runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeriveReport {
    /// Mapping table name.
    pub table: String,
    /// Source version and target version used.
    pub source: String,
    /// Target system and version used.
    pub target: String,
    /// Source codes considered.
    pub sources: u64,
    /// Source codes with at least one candidate target.
    pub mapped: u64,
    /// Source codes with a no-map row.
    pub no_map: u64,
    /// `mapped / sources`.
    pub coverage: f64,
    /// No-map rows by reason.
    pub no_map_reasons: BTreeMap<String, u64>,
    /// Best candidate's relationship per mapped source code.
    pub relationships: BTreeMap<String, u64>,
    /// Best candidate's score per mapped source code, in buckets of 0.1 (`0.9` = 0.9..1.0).
    pub scores: BTreeMap<String, u64>,
    /// Rows auto-approved by the table's policy.
    pub auto_approved: u64,
    /// Curator decisions carried forward onto the new rows.
    pub decisions_applied: u64,
    /// Curator decisions that no longer apply (source changed or target gone) and resurfaced.
    pub decisions_resurfaced: u64,
}

impl DeriveReport {
    /// Fills the statistics from the rows: each source code counts by its chosen row
    /// ([`chosen_row`]).
    pub(crate) fn tally(&mut self, rows: &BTreeMap<String, Vec<Mapping>>) {
        self.sources = rows.len() as u64;
        for list in rows.values() {
            match chosen_row(list) {
                Some(m) if m.target_code.is_some() => {
                    self.mapped += 1;
                    let rel = m.relationship.map_or("-", crate::model::Relationship::as_str);
                    *self.relationships.entry(rel.to_owned()).or_default() += 1;
                    let bucket = format!("{:.1}", (f64::from(m.score) * 10.0).floor() / 10.0);
                    *self.scores.entry(bucket).or_default() += 1;
                }
                _ => {
                    self.no_map += 1;
                    if let Some(reason) = list.iter().find_map(|m| m.no_map_reason) {
                        *self.no_map_reasons.entry(reason.as_str().to_owned()).or_default() += 1;
                    }
                }
            }
            self.auto_approved += list.iter().filter(|m| m.review_state == ReviewState::Approved).count() as u64;
        }
        self.coverage = if self.sources == 0 { 0.0 } else { self.mapped as f64 / self.sources as f64 };
    }
}
