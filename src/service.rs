//! `Service`: the one API that the HTTP routes and the CLI use. It owns the store; the store,
//! import and lifecycle engines behind it are private.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::StoreConfig;
use crate::error::{Error, Result};
use crate::import::ImportError;
use crate::lifecycle;
pub use crate::lifecycle::PublishRequest;
use crate::model::{resolve_system, CodeSystem, Concept, HistoryEvent, Release, SystemDiff};
use crate::store::Store;

/// The facade over a data directory.
pub struct Service {
    store: Store,
}

/// One code system version staged by an import.
#[derive(Debug, Clone, Serialize)]
pub struct StagedVersion {
    /// Code system slug.
    pub system: String,
    /// Version label.
    pub version: String,
    /// Number of concepts.
    pub concepts: u64,
    /// Input files (name, format, SHA-256, size).
    pub files: Vec<crate::model::SourceFileInfo>,
    /// What the loaders' format rules did (e.g. repeated rows merged).
    pub notes: Vec<String>,
}

/// A concept as answered by a lookup.
#[derive(Debug, Clone, Serialize)]
pub struct Lookup {
    /// Release id used.
    pub release: String,
    /// The code system.
    pub system: SystemRef,
    /// The concept.
    pub concept: Concept,
}

/// A code system as named in answers.
#[derive(Debug, Clone, Serialize)]
pub struct SystemRef {
    /// Slug.
    pub slug: String,
    /// Canonical URI.
    pub uri: String,
    /// Version label in the release used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The differences between two releases.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// Older release id.
    pub from: String,
    /// Newer release id.
    pub to: String,
    /// Per code system.
    pub systems: Vec<SystemDiff>,
}

/// The history of one code.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// Latest release (the answer covers every release up to it).
    pub release: String,
    /// The code system.
    pub system: SystemRef,
    /// The code.
    pub code: String,
    /// Events, oldest first.
    pub events: Vec<HistoryEvent>,
}

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
    /// Only rows in this review state (`approved`, `candidate`, `rejected`).
    pub review: Option<crate::model::ReviewState>,
    /// Only rows with at least this score.
    pub min_score: Option<f32>,
}

/// The bundled default-data plan (`masters/default.toml`).
#[derive(Debug, Deserialize)]
struct MastersPlan {
    release: Vec<PlannedRelease>,
}

#[derive(Debug, Deserialize)]
struct PlannedRelease {
    id: String,
    notes: String,
    import: Vec<PlannedImport>,
    #[serde(default)]
    derive: Vec<PlannedDerive>,
}

/// One `henkan derive` of a planned release.
#[derive(Debug, Deserialize)]
struct PlannedDerive {
    generator: String,
    files: Vec<String>,
}

/// One `henkan import` of a planned release.
#[derive(Debug, Deserialize)]
struct PlannedImport {
    files: Vec<String>,
    version: Option<String>,
}

/// Publisher recorded on releases built from the bundled masters.
pub const BUNDLED_PUBLISHER: &str = "henkan (bundled official masters)";

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 formatting of the current time")
}

fn mapping_header(
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
    }
}

fn system_ref(cs: &CodeSystem, version: Option<String>) -> SystemRef {
    SystemRef { slug: cs.slug.to_owned(), uri: cs.uri.to_owned(), version }
}

impl Service {
    /// Opens the data directory (creating it if needed).
    pub fn open(config: &StoreConfig) -> Result<Self> {
        Ok(Self { store: Store::open(&config.data_dir, config.failpoint.clone(), now())? })
    }

    /// Parses official files and stages them in the draft: all of them, or nothing.
    pub fn import(
        &self,
        paths: &[PathBuf],
        format: Option<&str>,
        version: Option<&str>,
        progress: impl FnMut(&Path),
    ) -> Result<Vec<StagedVersion>> {
        let parsed = crate::import::parse_all(paths, format, version, progress)?;
        let now = now();
        let mut ids = Vec::new();
        let mut out = Vec::new();
        for p in parsed {
            let system = p.system;
            let concepts = if p.patches.is_empty() {
                p.concepts
            } else {
                let file = p.files[0].name.clone();
                let base = self
                    .base_version(system)?
                    .ok_or_else(|| ImportError::NoBase { file, system: system.to_owned() })?;
                let previous = self.store.concepts(base).collect::<Result<Vec<_>, _>>()?;
                henkan_loaders::patch::apply(previous, p.patches).map_err(ImportError::from)?
            };
            let id = self.store.write_version(system, &p.version, p.files.clone(), &concepts, &now)?;
            ids.push(id);
            out.push(StagedVersion {
                system: system.to_owned(),
                version: p.version,
                concepts: concepts.len() as u64,
                files: p.files,
                notes: p.notes,
            });
        }
        self.store.stage(&ids)?;
        for s in &out {
            tracing::info!(system = %s.system, version = %s.version, concepts = s.concepts, "Staged {} {} in the draft", s.system, s.version);
        }
        Ok(out)
    }

    /// The version a change file of `system` applies to: the draft's, else the latest release's.
    fn base_version(&self, system: &str) -> Result<Option<u64>> {
        if let Some(&id) = self.store.draft()?.systems.get(system) {
            return Ok(Some(id));
        }
        Ok(self.store.latest_release()?.and_then(|r| r.system(system).map(|s| s.version_id)))
    }

    /// Runs a mapping-table generator on the draft's (else the latest release's) versions of its
    /// systems and stages the table in the draft. Generators:
    /// - `disease-icd11`: files = WHO 10To11MapToOneCategory (and optionally
    ///   10To11MapToMultipleCategories) tables;
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
    fn stage_derived(
        &self,
        mut header: crate::model::MappingTableVersion,
        rows: &BTreeMap<String, Vec<crate::model::Mapping>>,
        mut report: crate::DeriveReport,
    ) -> Result<crate::DeriveReport> {
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
        for f in files {
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
        self.stage_derived(header, &rows, crate::DeriveReport::default())
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
        let rows =
            drug_rxnorm::derive(&concepts, &drug_rxnorm::ingredients(&rx), &drug_rxnorm::moieties(&moieties), &now);
        let header = mapping_header(
            drug_rxnorm::TABLE,
            &source,
            &target,
            "drug-rxnorm (成分名 phonetic key ~ RxNorm IN; every row a candidate)".into(),
            inputs,
            now,
        );
        self.stage_derived(header, &rows, crate::DeriveReport::default())
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
        self.stage_derived(header, &rows, crate::DeriveReport::default())
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
        let found = self.lookup(system, code, release)?;
        let tcs = resolve_system(target).ok_or_else(|| Error::UnknownSystem(target.to_owned()))?;
        let rel = self.release(Some(&found.release))?;
        let table = rel.mapping(&found.system.slug, tcs.slug).ok_or_else(|| Error::MappingTableNotFound {
            source_system: found.system.slug.clone(),
            target: tcs.slug.to_owned(),
            release: rel.id.clone(),
        })?;
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
        })
    }

    /// What the draft holds (system → version label).
    pub fn draft(&self) -> Result<Vec<(String, String)>> {
        let draft = self.store.draft()?;
        let mut out = Vec::new();
        for (system, id) in draft.systems {
            let version = self.store.version(id)?.map(|v| v.version).unwrap_or_default();
            out.push((system, version));
        }
        Ok(out)
    }

    /// Empties the draft.
    pub fn discard_draft(&self) -> Result<()> {
        Ok(self.store.discard_draft()?)
    }

    /// Publishes the draft as a new immutable release on top of the latest one.
    pub fn publish(&self, req: &PublishRequest) -> Result<Release> {
        lifecycle::publish(&self.store, req, &now())
    }

    /// Every release, oldest first.
    pub fn releases(&self) -> Result<Vec<Release>> {
        Ok(self.store.releases()?)
    }

    /// A release by id, or the latest one for `None` / `"latest"`.
    pub fn release(&self, id: Option<&str>) -> Result<Release> {
        match id {
            None | Some("latest") => self.store.latest_release()?.ok_or(Error::NoReleases),
            Some(id) => self.store.release(id)?.ok_or_else(|| Error::ReleaseNotFound(id.to_owned())),
        }
    }

    /// One concept in a release (latest by default). `system` is a slug or canonical URI.
    pub fn lookup(&self, system: &str, code: &str, release: Option<&str>) -> Result<Lookup> {
        let cs = resolve_system(system).ok_or_else(|| Error::UnknownSystem(system.to_owned()))?;
        let rel = self.release(release)?;
        let rs = rel
            .system(cs.slug)
            .ok_or_else(|| Error::SystemNotInRelease { system: cs.slug.to_owned(), release: rel.id.clone() })?;
        let concept = self.store.concept(rs.version_id, code.trim())?.ok_or_else(|| Error::ConceptNotFound {
            system: cs.slug.to_owned(),
            code: code.to_owned(),
            release: rel.id.clone(),
        })?;
        Ok(Lookup { system: system_ref(cs, Some(rs.version.clone())), release: rel.id, concept })
    }

    /// Added, removed and changed concepts between two releases.
    pub fn diff(&self, from: &str, to: &str, system: Option<&str>) -> Result<DiffReport> {
        let only = system
            .map(|s| resolve_system(s).map(|cs| cs.slug).ok_or_else(|| Error::UnknownSystem(s.to_owned())))
            .transpose()?;
        let (a, b) = (self.release(Some(from))?, self.release(Some(to))?);
        let systems = lifecycle::diff(&self.store, &a, &b, only)?;
        Ok(DiffReport { from: a.id, to: b.id, systems })
    }

    /// What happened to a code, release by release.
    pub fn history(&self, system: &str, code: &str) -> Result<History> {
        let cs = resolve_system(system).ok_or_else(|| Error::UnknownSystem(system.to_owned()))?;
        let latest = self.release(None)?;
        let events = self.store.history(cs.slug, code.trim())?;
        if events.is_empty() {
            return Err(Error::CodeNeverSeen { system: cs.slug.to_owned(), code: code.to_owned() });
        }
        let version = latest.system(cs.slug).map(|s| s.version.clone());
        Ok(History { release: latest.id, system: system_ref(cs, version), code: code.trim().to_owned(), events })
    }

    /// Store counts (releases, versions, concepts, history entries).
    pub fn counts(&self) -> std::collections::BTreeMap<&'static str, usize> {
        self.store.counts()
    }

    /// On an empty data directory (or one whose bootstrap was interrupted), imports and
    /// publishes the bundled official masters as described by `masters/default.toml`.
    /// Returns the releases it published (none when the directory already had data).
    pub fn bootstrap(&self, masters_dir: &Path, mut progress: impl FnMut(&str)) -> Result<Vec<Release>> {
        let fresh = self.store.latest_release()?.is_none() && self.store.draft()?.systems.is_empty();
        if !fresh && !self.store.bootstrap_pending()? {
            return Ok(vec![]);
        }
        let plan_path = masters_dir.join("default.toml");
        let plan_err = |message: String| Error::MastersPlan { path: plan_path.display().to_string(), message };
        let text = std::fs::read_to_string(&plan_path)
            .map_err(|e| plan_err(format!("{e}; run from the repository root or pass --masters-dir")))?;
        let plan: MastersPlan = toml::from_str(&text).map_err(|e| plan_err(e.to_string()))?;
        self.store.set_bootstrap(true)?;
        self.store.discard_draft()?;
        let mut published = Vec::new();
        for planned in &plan.release {
            if self.store.release(&planned.id)?.is_some() {
                continue;
            }
            progress(&planned.id);
            for group in &planned.import {
                let paths: Vec<PathBuf> = group.files.iter().map(|f| masters_dir.join(f)).collect();
                self.import(&paths, None, group.version.as_deref(), |_| {})?;
            }
            for d in &planned.derive {
                let paths: Vec<PathBuf> = d.files.iter().map(|f| masters_dir.join(f)).collect();
                self.derive(&d.generator, &paths)?;
            }
            published.push(self.publish(&PublishRequest {
                id: planned.id.clone(),
                publisher: BUNDLED_PUBLISHER.to_owned(),
                notes: planned.notes.clone(),
            })?);
        }
        self.store.set_bootstrap(false)?;
        Ok(published)
    }
}
