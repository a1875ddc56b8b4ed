//! WHO's ICD-10 → ICD-11 transition tables as the imported table `icd10-who--icd11-mms`: rows as
//! WHO states them (relationship from the row, approved as published), and the reading of a WHO
//! row that the disease generator's last hop shares.

use std::collections::{BTreeMap, HashMap};

use henkan_loaders::who_icd::{Crosswalk, CrosswalkRecord, WhoMatchType, WhoRelation};

use super::{input, Derived, Source};
use crate::error::Result;
use crate::model::{slug, Hop, Made, Mapping, Method, NoMapReason, Relationship, SourceFileInfo};

/// The table's name.
pub(crate) const TABLE: &str = "icd10-who--icd11-mms";
/// The loader's name of WHO's 10→11 one-category table.
pub(crate) const ONE_CATEGORY: &str = "who-icd10-icd11-one-category";
/// The loader's name of WHO's 10→11 multiple-categories table.
pub(crate) const MULTIPLE_CATEGORIES: &str = "who-icd10-icd11-multiple-categories";
const GENERATOR: &str = "imported: WHO ICD-10 → ICD-11 transition tables, rows as published (approved)";

/// The relationship of a WHO row's hop: EquivalentMatch → equivalent, ToBroader… →
/// source-is-narrower-than-target, otherwise from its Relation.
pub(crate) fn hop_relationship(r: &CrosswalkRecord) -> Relationship {
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

/// What supports a WHO row's hop: `WHO 10To11MapToOneCategory 2020-01-22 (Equivalent, EquivalentMatch)`.
pub(crate) fn hop_source(r: &CrosswalkRecord, one_category: bool, edition: &str) -> String {
    let file = if one_category { "10To11MapToOneCategory" } else { "10To11MapToMultipleCategories" };
    format!(
        "WHO {file} {edition} ({}{})",
        r.relation.map_or("no relation", WhoRelation::as_str),
        r.match_type.map(|m| format!(", {m}")).unwrap_or_default()
    )
}

/// Why a WHO row without a coded target maps nowhere.
pub(crate) fn no_map_reason(r: &CrosswalkRecord) -> NoMapReason {
    if r.match_type == Some(WhoMatchType::NoMapping) {
        NoMapReason::WhoNoMapping
    } else {
        NoMapReason::WhoMapsToGroupingWithoutResidual
    }
}

/// The imported table from WHO's 10→11 tables (`edition`: their version label), against the
/// draft's (else the latest release's) ICD-10 and ICD-11 versions.
pub(crate) fn run(
    source: &dyn Source,
    edition: &str,
    files: Vec<SourceFileInfo>,
    tables: &[Crosswalk],
    now: &str,
) -> Result<Derived> {
    let g = "who-icd10-icd11";
    let (from, to) = (input(source, g, slug::ICD10_WHO)?, input(source, g, slug::ICD11_MMS)?);
    let icd11: HashMap<String, String> = source.concepts(to.id)?.into_iter().map(|c| (c.code, c.display)).collect();
    let rows = rows(tables, edition, &icd11, now);
    Ok(Derived::new(TABLE, (&from, &to), GENERATOR.into(), files, now, rows))
}

/// Every ICD-10 code's rows: the one-category table's first, then further coded targets of the
/// multiple-categories table; a code with no coded target gets WHO's no-map row.
fn rows(
    tables: &[Crosswalk],
    edition: &str,
    icd11: &HashMap<String, String>,
    now: &str,
) -> BTreeMap<String, Vec<Mapping>> {
    let made = Made { method: Method::Imported, author: "WHO", at: now };
    let mut rows: BTreeMap<String, Vec<Mapping>> = BTreeMap::new();
    let mut no_maps: BTreeMap<String, Mapping> = BTreeMap::new();
    let mut ordered: Vec<&Crosswalk> = tables.iter().collect();
    ordered.sort_by_key(|t| t.table != ONE_CATEGORY);
    for t in ordered {
        let one = t.table == ONE_CATEGORY;
        for r in &t.records {
            let from = format!("{}|{}", slug::ICD10_WHO, r.from_code);
            let source = hop_source(r, one, edition);
            let Some(code) = r.to_code.as_deref() else {
                no_maps
                    .entry(r.from_code.clone())
                    .or_insert_with(|| Mapping::no_map(&r.from_code, &from, no_map_reason(r), vec![], &source, made));
                continue;
            };
            let list = rows.entry(r.from_code.clone()).or_default();
            if list.iter().any(|m| m.target_code.as_deref() == Some(code)) {
                continue;
            }
            let hop =
                Hop { from, to: format!("{}|{code}", slug::ICD11_MMS), relationship: hop_relationship(r), source };
            let display = icd11.get(code).cloned().or_else(|| Some(r.to_title.clone()));
            list.push(
                Mapping::through(&r.from_code, vec![hop], display, made)
                    .scored(if one { 1.0 } else { 0.8 })
                    .approved_by("publisher: WHO".into()),
            );
        }
    }
    for (code, m) in no_maps {
        rows.entry(code).or_insert_with(|| vec![m]);
    }
    rows
}
