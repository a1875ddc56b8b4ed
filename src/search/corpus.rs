//! The corpus of a release's index: every concept of its systems, each with the names it is
//! found by. A source concept of a mapping table is also found by its chosen target's name (so
//! that English names reach Japanese concepts), and MEDIS index words become names of the
//! disease concepts they index rather than concepts of their own.

use std::collections::HashMap;

use crate::error::Result;
use crate::model::{chosen_row, Concept, Designation, DesignationUse, Mapping, Release};

use super::index_terms;

/// What the corpus is read from: a stored version's concepts and a stored table's rows.
pub(crate) trait Reader: Sync {
    /// Every concept of a stored code system version, in code order.
    fn concepts(&self, version: u64) -> Result<Vec<Concept>>;
    /// Calls `each(source code, rows)` for every source code of a stored mapping table version.
    fn rows(&self, table_version: u64, each: &mut dyn FnMut(String, Vec<Mapping>)) -> Result<()>;
}

/// Every concept of the release, in release order of its systems, with its mapped names and the
/// index words of its disease names.
pub(crate) fn corpus<'r>(rel: &'r Release, reader: &dyn Reader) -> Result<Vec<(&'r str, Concept)>> {
    let mapped = mapped_names(rel, reader)?;
    // The systems' concepts are read (and decoded) in parallel, then kept in release order.
    let per_system: Vec<Result<Vec<(&str, Concept)>>> = {
        use rayon::prelude::*;
        rel.systems
            .par_iter()
            .map(|s| {
                let mut concepts = reader.concepts(s.version_id)?;
                let names = mapped.get(s.system.as_str());
                for c in &mut concepts {
                    for name in names.and_then(|n| n.get(&c.code)).into_iter().flatten() {
                        c.designations.push(Designation {
                            use_: DesignationUse::Mapped,
                            language: "en".into(),
                            value: name.clone(),
                        });
                    }
                }
                Ok(concepts.into_iter().map(|c| (s.system.as_str(), c)).collect())
            })
            .collect()
    };
    let mut concepts = Vec::new();
    for part in per_system {
        concepts.extend(part?);
    }
    let (words, mut concepts): (Vec<_>, Vec<_>) =
        concepts.into_iter().partition(|(system, _)| *system == index_terms::INDEX_SYSTEM);
    if !words.is_empty() {
        let words: Vec<Concept> = words.into_iter().map(|(_, c)| c).collect();
        let t = std::time::Instant::now();
        let added = index_terms::attach(&words, &mut concepts);
        let ms = t.elapsed().as_millis() as u64;
        tracing::info!(release.id = %rel.id, words = words.len(), added, ms, "Gave index words to the disease names they index");
    }
    Ok(concepts)
}

/// The chosen target's display ([`chosen_row`]) of every source code of the release's tables,
/// by source system and code.
fn mapped_names<'r>(rel: &'r Release, reader: &dyn Reader) -> Result<HashMap<&'r str, HashMap<String, Vec<String>>>> {
    let mut out: HashMap<&str, HashMap<String, Vec<String>>> = HashMap::new();
    for m in &rel.mappings {
        reader.rows(m.version_id, &mut |code, rows| {
            if let Some(display) = chosen_row(&rows).and_then(|r| r.target_display.clone()) {
                out.entry(m.source_system.as_str()).or_default().entry(code).or_default().push(display);
            }
        })?;
    }
    Ok(out)
}
