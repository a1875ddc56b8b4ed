//! The mapping side of the [`Service`]: derive tables, translate, explain, table diffs, impact.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{now, Service};
use crate::derive::Generator;
use crate::error::{Error, Result};
use crate::model::{
    compare, resolve_system, ConceptChange, Mapping, ReleaseMapping, RowChange, RowChangeKind, RowSummary,
};
use crate::translate::{TranslateFilter, Translation, TranslationSource};

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

impl crate::derive::Source for Service {
    fn base(&self, system: &str) -> Result<Option<crate::model::CodeSystemVersion>> {
        match self.base_version(system)? {
            Some(id) => Ok(self.store.version(id)?),
            None => Ok(None),
        }
    }

    fn concepts(&self, version: u64) -> Result<Vec<crate::model::Concept>> {
        Ok(self.store.concepts(version).collect::<Result<Vec<_>, _>>()?)
    }

    fn table(&self, table: &str) -> Result<Option<crate::derive::TableRows>> {
        let header = match self.current_table(table) {
            Ok((header, _, _)) => header,
            Err(Error::TableNotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let rows = self.store.all_mappings(header.id).collect::<Result<Vec<_>, _>>()?;
        Ok(Some((header, rows)))
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
    pub fn derive(&self, generator: Generator, files: &[PathBuf]) -> Result<crate::DeriveReport> {
        let derived = crate::derive::run(generator, self, files, &now())?;
        self.stage_derived(derived)
    }

    /// Stores WHO's 10→11 tables as the imported table `icd10-who--icd11-mms` (see
    /// [`crate::derive::who_crosswalk`]) and stages it.
    pub(super) fn stage_imported_crosswalk(
        &self,
        version: &str,
        files: Vec<crate::model::SourceFileInfo>,
        tables: Vec<henkan_loaders::who_icd::Crosswalk>,
    ) -> Result<crate::DeriveReport> {
        let derived = crate::derive::who_crosswalk::run(self, version, files, &tables, &now())?;
        self.stage_derived(derived)
    }

    /// Applies curators' decisions to a derived table, writes it, stages it in the draft and
    /// reports on it.
    fn stage_derived(&self, derived: crate::derive::Derived) -> Result<crate::DeriveReport> {
        let crate::derive::Derived { mut header, versions: (source, target), mut rows } = derived;
        let mut report = crate::DeriveReport::default();
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

    /// Translates a code to a target system through the release's mapping table (see
    /// [`crate::translate`]); with `as_of` and no release, through the release in effect on
    /// that date, following a retired code to its successor.
    pub fn translate(
        &self,
        system: &str,
        code: &str,
        target: &str,
        release: Option<&str>,
        filter: &TranslateFilter,
    ) -> Result<Translation> {
        let translator = self.translator(system, target, release, filter.as_of.as_deref())?;
        translator.translate(&self.store, code, filter, filter.as_of.is_some())
    }

    /// Translates a code through a release already resolved (the FHIR edge holds it).
    pub fn translate_in(
        &self,
        release: &std::sync::Arc<crate::model::Release>,
        system: &str,
        code: &str,
        target: &str,
    ) -> Result<Translation> {
        let cs = resolve_system(system).ok_or_else(|| Error::UnknownSystem(system.to_owned()))?;
        let tcs = resolve_system(target).ok_or_else(|| Error::UnknownSystem(target.to_owned()))?;
        let translator = self.translators.get(std::sync::Arc::clone(release), cs, tcs)?;
        translator.translate(&self.store, code, &TranslateFilter::default(), false)
    }

    /// The translator of a release (else the one in effect on `as_of`, else the latest) from
    /// `system` to `target` (slugs or URIs).
    pub fn translator(
        &self,
        system: &str,
        target: &str,
        release: Option<&str>,
        as_of: Option<&str>,
    ) -> Result<std::sync::Arc<crate::translate::Translator>> {
        let cs = resolve_system(system).ok_or_else(|| Error::UnknownSystem(system.to_owned()))?;
        let tcs = resolve_system(target).ok_or_else(|| Error::UnknownSystem(target.to_owned()))?;
        let rel = match (as_of, release) {
            (Some(date), None) => self.shared_release(Some(&self.as_of.release_on(&self.store, cs, date)?))?,
            (_, r) => self.shared_release(r)?,
        };
        self.translators.get(rel, cs, tcs)
    }

    /// The release in effect on a date for a code system: the newest release whose version of the
    /// system is dated (version label `YYYY-MM-DD…`) on or before `date`.
    pub fn release_as_of(&self, system: &str, date: &str) -> Result<String> {
        let cs = resolve_system(system).ok_or_else(|| Error::UnknownSystem(system.to_owned()))?;
        self.as_of.release_on(&self.store, cs, date)
    }

    /// Every row of one source code in a table (chosen, alternatives, rejected), with the table's
    /// generator, policy and inputs.
    pub fn explain(&self, table: &str, code: &str, release: Option<&str>) -> Result<ExplainAnswer> {
        let rel = self.release(release)?;
        let t =
            rel.mappings.iter().find(|m| m.table == table).cloned().ok_or_else(|| Error::TableNotFound {
                table: table.to_owned(),
                release: format!("release {}", rel.id),
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
