//! Checks a set of parsed versions makes sense together with what the store already holds,
//! before anything is written.

use henkan_loaders::jlac10::{check_jlac10_segments, SegmentTables};

use super::{ImportError, ParsedVersion};
use crate::error::{Error, Result};
use crate::model::slug;

/// A code system version already held (in the draft or the latest release): its label and codes.
pub(crate) type Existing = (String, Vec<String>);

/// JLAC10 codes must use segments of the JSLM tables loaded in the same import, else those of
/// `existing(system)` (the draft's or the latest release's); when a table is in neither, codes
/// are checked for form only.
pub(crate) fn jlac10_segments(
    parsed: &[ParsedVersion],
    existing: &dyn Fn(&str) -> Result<Option<Existing>>,
) -> Result<()> {
    let Some(jlac10) = parsed.iter().find(|p| p.system == slug::JLAC10) else { return Ok(()) };
    let mut tables = SegmentTables::default();
    let mut used = Vec::new();
    for system in slug::JLAC10_SEGMENTS {
        let set = match system {
            slug::JLAC10_ANALYTE => &mut tables.analyte,
            slug::JLAC10_IDENTIFICATION => &mut tables.identification,
            slug::JLAC10_MATERIAL => &mut tables.material,
            slug::JLAC10_METHOD => &mut tables.method,
            slug::JLAC10_RESULT => &mut tables.result,
            _ => &mut tables.result_specific,
        };
        if let Some(p) = parsed.iter().find(|p| p.system == system) {
            set.extend(p.concepts.iter().map(|c| c.code.clone()));
            used.push(format!("{system} {}", p.version));
        } else if let Some((version, codes)) = existing(system)? {
            set.extend(codes);
            used.push(format!("{system} {version}"));
        } else {
            tracing::info!(system, "JLAC10 segment table not available: codes are checked for form only");
            return Ok(());
        }
    }
    for c in &jlac10.concepts {
        if let Err((segment, value)) = check_jlac10_segments(&c.code, &tables) {
            return Err(ImportError::Jlac10Segment {
                file: jlac10.files.first().map(|f| f.name.clone()).unwrap_or_default(),
                code: c.code.clone(),
                segment,
                value,
                tables: used.join(", "),
            }
            .into());
        }
    }
    Ok(())
}

/// A WHO 10→11 table becomes a mapping table onto ICD-11: it needs an ICD-11 version in the
/// same import, else one already held (`icd11_held`).
pub(crate) fn crosswalk_target(parsed: &[ParsedVersion], icd11_held: bool) -> Result<()> {
    let has_crosswalk = parsed.iter().any(|p| !p.crosswalks.is_empty());
    if has_crosswalk && !icd11_held && !parsed.iter().any(|p| p.system == slug::ICD11_MMS) {
        return Err(Error::DeriveInput {
            generator: "who-icd10-icd11".into(),
            message: "a WHO 10→11 table maps onto ICD-11: import ICD-11 MMS (11To10MapToOneCategory.txt) first or in the same import".into(),
        });
    }
    Ok(())
}
