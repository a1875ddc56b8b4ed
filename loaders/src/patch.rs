//! Change files (差分ファイル): patches to the previous version of a master, and applying them.
//!
//! The SSK masters publish monthly change files whose rows say what happens to one code:
//! a new code (full record), a change (only the changed fields filled; an empty field means
//! "unchanged"), or an abolition (廃止年月日 filled). [`apply`] turns the previous version's
//! concepts plus such patches into the next version, refusing patches that contradict it.

use std::collections::BTreeMap;

use crate::error::{LoadError, LoadErrorKind, Position, Result};
use crate::record::{ConceptRecord, Status};

/// What a patch does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchAction {
    /// A new code; the record is complete. The code must not exist yet.
    Add,
    /// Some fields change; the record holds only those (empty display = unchanged).
    Change,
    /// The code is abolished (status becomes retired); the record holds the changed fields.
    Abolish,
}

/// One row of a change file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    /// What to do.
    pub action: PatchAction,
    /// The (complete, for `Add`; partial otherwise) record.
    pub record: ConceptRecord,
    /// Where the row is, for errors found when applying.
    pub position: Position,
}

/// Overlays a partial record onto a full one: a non-empty display, any designation use present,
/// and any property present replace the old ones; bookkeeping is the new row's.
fn merge(base: &mut ConceptRecord, partial: ConceptRecord) {
    if !partial.display.is_empty() {
        base.display = partial.display;
    }
    let uses: Vec<_> = partial.designations.iter().map(|d| d.use_).collect();
    if !uses.is_empty() {
        base.designations.retain(|d| !uses.contains(&d.use_));
        base.designations.extend(partial.designations);
    }
    base.properties.extend(partial.properties);
    base.bookkeeping = partial.bookkeeping;
}

/// Applies patches in file order to the previous version's concepts, giving the next version's
/// concepts sorted by code. An `Add` of an existing code, or a `Change`/`Abolish` of a missing
/// one, is an error at the patch's row.
pub fn apply(previous: impl IntoIterator<Item = ConceptRecord>, patches: Vec<Patch>) -> Result<Vec<ConceptRecord>> {
    let mut concepts: BTreeMap<String, ConceptRecord> = previous.into_iter().map(|c| (c.code.clone(), c)).collect();
    for patch in patches {
        let code = patch.record.code.clone();
        let conflict = |reason: &'static str| {
            LoadError::at(LoadErrorKind::PatchConflict { code: code.clone(), reason }, patch.position.clone())
        };
        match patch.action {
            PatchAction::Add => {
                if concepts.contains_key(&code) {
                    return Err(conflict("is marked new (3) but already exists in the previous version"));
                }
                concepts.insert(code.clone(), patch.record);
            }
            PatchAction::Change | PatchAction::Abolish => {
                let Some(base) = concepts.get_mut(&code) else {
                    return Err(conflict("is changed or abolished but is not in the previous version"));
                };
                let retire = patch.action == PatchAction::Abolish || patch.record.status == Status::Retired;
                merge(base, patch.record);
                if retire {
                    base.status = Status::Retired;
                }
            }
        }
    }
    Ok(concepts.into_values().collect())
}
