//! JLAC10 (the JP-CLINS core lab set) → LOINC, by matching axes.
//!
//! Source axes come from the JSLM segment tables of the same release: the analyte's English name
//! (component), the material's English name (system), and the result type (数値型 → Qn, else
//! Ord), and the unit (mg/dL → Mass/volume, mmol/L → Moles/volume, U/L → Enzymatic
//! activity/volume, …) for the LOINC property. Target axes come from the LOINC concept: its COMPONENT / SYSTEM / SCALE_TYP properties
//! when the official table was loaded, else parsed from the Long Common Name
//! (`Creatinine [Mass/volume] in Serum or Plasma` → component Creatinine, property Mass/volume,
//! system Serum or Plasma, scale Qn).
//!
//! Component similarity: the JSLM name is rewritten by the naming-convention vocabulary
//! (`mappings/jlac10--loinc/vocabulary.tsv`), normalised (case, punctuation, plurals), and scored
//! against the LOINC component as the better of token overlap and Jaro-Winkler. Score =
//! 0.60 × component + 0.25 × system + 0.10 × scale + 0.05 × property, less 0.001 for a LOINC term
//! that fixes a method, so that among otherwise equal terms a method-less one comes first (the
//! JLAC10 method is not yet mapped to LOINC methods). The five best with component ≥ 0.6 become
//! candidates (lexical suggestions for review). A JLAC10 code also fixes the method, which a
//! method-less LOINC term does not: an exact component and system match is therefore
//! source-is-narrower-than-target; anything weaker is related-to.

use std::collections::{BTreeMap, HashMap};

use std::path::PathBuf;

use super::{data_file, input, Derived, Generator, Source};
use crate::error::Result;
use crate::model::{slug, Concept, DesignationUse, Hop, Made, Mapping, Method, NoMapReason, Relationship};

/// The table's name.
pub(crate) const TABLE: &str = "jlac10--loinc";
/// The vocabulary shipped with henkan.
pub(crate) const VOCABULARY: &str = include_str!("../../mappings/jlac10--loinc/vocabulary.tsv");
const AUTHOR: &str = "henkan derive lab-loinc";
const MIN_COMPONENT: f64 = 0.6;

/// Derives the table; `files` optionally holds a vocabulary TSV replacing the shipped one.
pub(crate) fn run(source: &dyn Source, files: &[PathBuf], now: &str) -> Result<Derived> {
    let g = Generator::LabLoinc;
    let (vocabulary_text, inputs) = data_file(g, files, VOCABULARY, "vocabulary-tsv")?;
    let (from, to) = (input(source, g.as_str(), slug::JLAC10)?, input(source, g.as_str(), slug::LOINC)?);
    let english = |system: &str| -> Result<HashMap<String, Vec<String>>> {
        let v = input(source, g.as_str(), system)?;
        Ok(source.concepts(v.id)?.into_iter().map(|c| (c.code.clone(), english_names(&c))).collect())
    };
    let (analytes, materials) = (english(slug::JLAC10_ANALYTE)?, english(slug::JLAC10_MATERIAL)?);
    let concepts = source.concepts(from.id)?;
    let sources: Vec<Jlac10Axes<'_>> = concepts.iter().map(|c| Jlac10Axes::of(c, &analytes, &materials)).collect();
    let targets: Vec<LoincAxes> = source.concepts(to.id)?.iter().map(loinc_axes).collect();
    let rows = derive(&sources, &targets, &vocabulary(&vocabulary_text), now);
    let generator = format!("{g} (axes + vocabulary + strsim; every row a candidate)");
    Ok(Derived::new(TABLE, (&from, &to), generator, inputs, now, rows))
}

/// A segment concept's English names, else its display.
fn english_names(c: &Concept) -> Vec<String> {
    let names: Vec<String> =
        c.designations.iter().filter(|d| d.use_ == DesignationUse::English).map(|d| d.value.clone()).collect();
    if names.is_empty() {
        vec![c.display.clone()]
    } else {
        names
    }
}

/// LOINC axes of one term.
#[derive(Debug, Clone)]
pub(crate) struct LoincAxes {
    code: String,
    display: String,
    component: String,
    property: String,
    system: String,
    scale: String,
    methodless: bool,
}

/// Axes of a LOINC concept, from its properties or parsed from its long common name.
pub(crate) fn loinc_axes(c: &Concept) -> LoincAxes {
    let name = c.display.as_str();
    let head = name.split_once(" by ").map_or(name, |(h, _)| h);
    let methodless = c.property("method").is_none() && !name.contains(" by ");
    let (comp_prop, system) = match head.rsplit_once(" in ") {
        Some((c, s)) => (c, s),
        None => (head, ""),
    };
    let (component, property) = match comp_prop.split_once(" [") {
        Some((c, p)) => (c, p.trim_end_matches(']')),
        None => (comp_prop, ""),
    };
    let scale_from_name =
        if property.contains("Presence") || property.contains("Titer") || property.contains("Interpretation") {
            "Ord"
        } else if property.is_empty()
            && !c
                .designation(DesignationUse::Short)
                .is_some_and(|s| s.contains("Cnc") || s.contains("MFr") || s.contains("Time") || s.contains('#'))
        {
            "Nom"
        } else {
            "Qn"
        };
    LoincAxes {
        code: c.code.clone(),
        display: c.display.clone(),
        component: c.property("component").unwrap_or(component).to_owned(),
        property: property.to_owned(),
        methodless,
        system: c.property("system").map_or_else(|| system.to_owned(), expand_system),
        scale: c.property("scale").unwrap_or(scale_from_name).to_owned(),
    }
}

/// LOINC table abbreviations of systems, spelled out as in long common names.
fn expand_system(s: &str) -> String {
    match s {
        "Ser/Plas" => "Serum or Plasma".into(),
        "Ser" => "Serum".into(),
        "Plas" => "Plasma".into(),
        "Bld" => "Blood".into(),
        "PPP" => "Platelet poor plasma".into(),
        other => other.to_owned(),
    }
}

/// Lowercase, punctuation to spaces, simple plurals folded.
pub(crate) fn normalise(s: &str) -> String {
    let spaced: String = s.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect();
    spaced
        .split_whitespace()
        .map(|w| {
            if w.len() > 4 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("sis") {
                &w[..w.len() - 1]
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The vocabulary as normalised (JSLM → LOINC) pairs.
pub(crate) fn vocabulary(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((normalise(f.next()?), normalise(f.next()?)))
        })
        .collect()
}

/// The distinct words of a normalised name, sorted.
fn words(s: &str) -> Vec<&str> {
    let mut w: Vec<&str> = s.split(' ').collect();
    w.sort_unstable();
    w.dedup();
    w
}

/// Word overlap (Jaccard), or Jaro–Winkler × 0.9 where that is higher, of two normalised names
/// with their [`words`].
fn component_similarity(a: &str, wa: &[&str], b: &str, wb: &[&str]) -> f64 {
    if a == b {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < wa.len() && j < wb.len() {
        match wa[i].cmp(wb[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let jaccard = common as f64 / (wa.len() + wb.len() - common).max(1) as f64;
    jaccard.max(strsim::jaro_winkler(a, b) * 0.9)
}

/// How well a JLAC10 material (English name) fits a LOINC system.
fn system_fit(material: &str, system: &str) -> f64 {
    let m = material.to_lowercase();
    let s = system.to_lowercase();
    let kind = if m.contains("serum") {
        "serum"
    } else if m.contains("plasma") {
        "plasma"
    } else if m.contains("whole blood") || m == "blood" {
        "blood"
    } else if m.contains("urine") {
        "urine"
    } else {
        return if s.contains(&m) { 0.5 } else { 0.0 };
    };
    match (kind, s.as_str()) {
        ("serum", "serum or plasma" | "serum") | ("plasma", "serum or plasma" | "plasma") | ("blood", "blood") => 1.0,
        ("plasma", "platelet poor plasma") => 0.8,
        ("urine", s) if s.starts_with("urine") => 1.0,
        ("serum" | "plasma", "blood") | ("blood", "serum or plasma" | "serum" | "plasma") => 0.3,
        _ => 0.0,
    }
}

/// The LOINC property a reporting unit implies (`None` when the unit says nothing).
fn unit_property(unit: &str) -> Option<&'static str> {
    let u = unit.trim().to_lowercase();
    Some(match u.as_str() {
        "mg/dl" | "g/dl" | "g/l" | "mg/l" | "μg/ml" | "ug/ml" | "ng/ml" | "pg/ml" | "μg/dl" | "ug/dl" => {
            "Mass/volume"
        }
        "mmol/l" | "μmol/l" | "umol/l" | "meq/l" => "Moles/volume",
        "u/l" | "iu/l" => "Enzymatic activity/volume",
        "s" | "sec" | "秒" => "Time",
        "%" => return None,
        _ => return None,
    })
}

/// Source axes of one JLAC10 code.
pub(crate) struct Jlac10Axes<'a> {
    /// The code's concept.
    pub(crate) concept: &'a Concept,
    /// English names of its analyte.
    pub(crate) analyte: Vec<String>,
    /// English name of its material.
    pub(crate) material: String,
    /// Qn for numeric results, Ord otherwise.
    pub(crate) scale: &'static str,
    /// Reporting unit, if given.
    pub(crate) unit: String,
}

impl<'a> Jlac10Axes<'a> {
    /// The axes of a JLAC10 code from the English names of its analyte and material segments.
    fn of(
        c: &'a Concept,
        analytes: &HashMap<String, Vec<String>>,
        materials: &HashMap<String, Vec<String>>,
    ) -> Jlac10Axes<'a> {
        Jlac10Axes {
            concept: c,
            analyte: c.property("analyte_code").and_then(|a| analytes.get(a)).cloned().unwrap_or_default(),
            material: c
                .property("material_code")
                .and_then(|m| materials.get(m))
                .and_then(|n| n.first().cloned())
                .unwrap_or_default(),
            scale: if c.property("data_type") == Some("数値型") { "Qn" } else { "Ord" },
            unit: c.property("unit").unwrap_or_default().to_owned(),
        }
    }
}

/// Derives candidate rows for every JLAC10 code.
pub(crate) fn derive(
    sources: &[Jlac10Axes<'_>],
    targets: &[LoincAxes],
    vocabulary: &[(String, String)],
    now: &str,
) -> BTreeMap<String, Vec<Mapping>> {
    let components: Vec<String> = targets.iter().map(|t| normalise(&t.component)).collect();
    let prepared: Vec<(&str, Vec<&str>, &LoincAxes)> =
        components.iter().zip(targets).map(|(c, t)| (c.as_str(), words(c), t)).collect();
    let vocab: HashMap<&str, &str> = vocabulary.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    // Each JLAC10 code is scored against every LOINC term independently: on all cores.
    use rayon::prelude::*;
    sources.par_iter().map(|s| (s.concept.code.clone(), rows_for(s, &prepared, &vocab, now))).collect()
}

/// One LOINC term scored against a JLAC10 code: the total and each axis' fit.
struct Fit<'t> {
    score: f64,
    component: f64,
    system: f64,
    scale: f64,
    term: &'t LoincAxes,
}

/// The five best LOINC terms for one JLAC10 code, best first.
fn best_fits<'t>(
    s: &Jlac10Axes<'_>,
    prepared: &[(&str, Vec<&str>, &'t LoincAxes)],
    vocab: &HashMap<&str, &str>,
) -> Vec<Fit<'t>> {
    let names: Vec<String> = s
        .analyte
        .iter()
        .map(|n| normalise(n))
        .map(|n| vocab.get(n.as_str()).map_or(n.clone(), |v| (*v).to_owned()))
        .collect();
    let name_words: Vec<Vec<&str>> = names.iter().map(|n| words(n)).collect();
    let expected_property = unit_property(&s.unit);
    let mut fits: Vec<Fit<'t>> = Vec::new();
    for (comp, comp_words, t) in prepared {
        let component = names
            .iter()
            .zip(&name_words)
            .map(|(n, w)| component_similarity(n, w, comp, comp_words))
            .fold(0.0, f64::max);
        if component < MIN_COMPONENT {
            continue;
        }
        let system = system_fit(&s.material, &t.system);
        let scale = if t.scale == s.scale { 1.0 } else { 0.0 };
        let property = match expected_property {
            Some(p) if t.property == p => 1.0,
            Some(_) => 0.0,
            None => 0.5,
        };
        let method_penalty = if t.methodless { 0.0 } else { 0.001 };
        let score = 0.60 * component + 0.25 * system + 0.10 * scale + 0.05 * property - method_penalty;
        fits.push(Fit { score, component, system, scale, term: t });
    }
    fits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.term.code.cmp(&b.term.code)));
    fits.truncate(5);
    fits
}

/// The candidate rows of one JLAC10 code (or its no-map row).
fn rows_for(
    s: &Jlac10Axes<'_>,
    prepared: &[(&str, Vec<&str>, &LoincAxes)],
    vocab: &HashMap<&str, &str>,
    now: &str,
) -> Vec<Mapping> {
    let from = format!("{}|{}", slug::JLAC10, s.concept.code);
    let made = Made { method: Method::LexicalSuggestion, author: AUTHOR, at: now };
    let fits = best_fits(s, prepared, vocab);
    if fits.is_empty() {
        let why = format!("no LOINC component within {MIN_COMPONENT} of {:?}", s.analyte);
        let reason = NoMapReason::NoCandidateAboveThreshold;
        return vec![Mapping::no_map(&s.concept.code, &from, reason, vec![], &why, made)];
    }
    fits.into_iter()
        .map(|f| {
            let t = f.term;
            let exact = f.component >= 0.999 && f.system >= 0.999 && f.scale >= 0.999;
            let relationship = if exact { Relationship::SourceIsNarrowerThanTarget } else { Relationship::RelatedTo };
            let hop = Hop {
                from: from.clone(),
                to: format!("{}|{}", slug::LOINC, t.code),
                relationship,
                source: format!(
                    "axes: component {:?} ~ {:?} ({:.2}), material {:?} ~ system {:?} ({:.2}), scale {} ~ {} ({:.0})",
                    s.analyte.first().map_or("", String::as_str),
                    t.component,
                    f.component,
                    s.material,
                    t.system,
                    f.system,
                    s.scale,
                    t.scale,
                    f.scale
                ),
            };
            Mapping::through(&s.concept.code, vec![hop], Some(t.display.clone()), made).scored(f.score as f32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_case_punctuation_and_plurals() {
        assert_eq!(normalise("Bilirubins, total"), "bilirubin total");
        assert_eq!(normalise("HDL-cholesterol"), "hdl cholesterol");
        assert_eq!(normalise("Hemoglobin A1c/Hemoglobin.total"), "hemoglobin a1c hemoglobin total");
        assert_eq!(normalise("Glucose"), "glucose");
    }

    #[test]
    fn materials_fit_loinc_systems() {
        assert_eq!(system_fit("serum", "Serum or Plasma"), 1.0);
        assert_eq!(system_fit("plasma", "Platelet poor plasma"), 0.8);
        assert_eq!(system_fit("whole blood(with additive)", "Blood"), 1.0);
        assert_eq!(system_fit("urine(including others)", "Urine"), 1.0);
        assert_eq!(system_fit("serum", "Urine"), 0.0);
    }

    #[test]
    fn the_shipped_vocabulary_parses() {
        let v = vocabulary(VOCABULARY);
        assert!(v.len() >= 10);
        assert!(v.contains(&("uric acid".to_owned(), "urate".to_owned())));
    }
}
