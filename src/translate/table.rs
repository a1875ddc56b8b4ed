//! A mapping table of one release held in memory for bulk translation: every source code of the
//! release with its status, its successor (followed within the release) and its target rows,
//! ranked by the one rule ([`crate::model::ranked_targets`]). Built once from the store or from an
//! exported bundle, then read by every row of a job without I/O.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::model::{ranked_targets, CodeSystem, Mapping, Method, NoMapReason, Relationship, ReviewState, Status};

use super::answer::AnswerStatus;
use super::answer::{Multi, Outcome, Policy, ReviewFilter, UnmappedReason};

/// How many retired codes are followed to their successors at most.
const MAX_FORWARD: usize = 5;

/// One target row, as a bulk answer writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    /// Target code.
    pub code: Box<str>,
    /// Target display.
    pub display: Box<str>,
    /// Relationship source → target.
    pub relationship: Relationship,
    /// How the row was made.
    pub method: Method,
    /// Confidence.
    pub score: f32,
    /// Review state (never rejected).
    pub review: ReviewState,
    /// The evidence chain in one line.
    pub evidence: Box<str>,
}

/// One source code of the table.
#[derive(Debug, Default)]
struct Entry {
    /// Retired and followed to this successor (in the same release).
    forward: Option<Box<str>>,
    /// Target rows, best first.
    rows: Box<[TargetRow]>,
    /// The table's no-map reason, if it gives one.
    no_map: Option<NoMapReason>,
    /// Whether the table has any row for the code (rejected ones included).
    in_table: bool,
}

/// What a code translates to under a policy, before the answer is written.
#[derive(Debug)]
pub struct Lookup<'a> {
    /// Mapped, forwarded, ambiguous or unmapped (with its reason).
    pub outcome: Outcome,
    /// The successor the code was forwarded to.
    pub forwarded_to: Option<&'a str>,
    /// The qualifying targets (one with `first`, all with `all`, none when unmapped or ambiguous).
    pub targets: Vec<&'a TargetRow>,
}

/// A release's mapping table from one system to another, in memory.
#[derive(Debug)]
pub struct CodeTable {
    /// The release.
    pub release: Arc<str>,
    /// The release's content hash.
    pub release_sha256: Arc<str>,
    /// Source system.
    pub source: &'static CodeSystem,
    /// Target system.
    pub target: &'static CodeSystem,
    /// Table name.
    pub table: String,
    codes: FxHashMap<Box<str>, Entry>,
}

/// Builds a [`CodeTable`] from concepts and rows in any order.
pub struct CodeTableBuilder {
    table: CodeTable,
    successors: Vec<(Box<str>, Box<str>)>,
}

impl CodeTableBuilder {
    /// An empty table of `release` (id, content hash) from `source` to `target`.
    pub fn new(
        (release, release_sha256): (&str, &str),
        source: &'static CodeSystem,
        target: &'static CodeSystem,
        table: &str,
    ) -> CodeTableBuilder {
        CodeTableBuilder {
            table: CodeTable {
                release: release.into(),
                release_sha256: release_sha256.into(),
                source,
                target,
                table: table.to_owned(),
                codes: FxHashMap::default(),
            },
            successors: Vec::new(),
        }
    }

    /// A concept of the source system in the release.
    pub fn concept(&mut self, code: &str, status: Status, successor: Option<&str>) {
        self.table.codes.entry(code.into()).or_default();
        if let Some(next) = successor_of(code, status, successor) {
            self.successors.push((code.into(), next.into()));
        }
    }

    /// The rows of one source code (any order; they are ranked here).
    pub fn rows(&mut self, code: &str, rows: &[Mapping]) {
        let Some(entry) = self.table.codes.get_mut(code) else { return };
        entry.in_table = !rows.is_empty();
        entry.no_map = rows.iter().find_map(|m| m.no_map_reason);
        entry.rows = ranked_targets(rows)
            .into_iter()
            .filter_map(|m| {
                Some(TargetRow {
                    code: m.target_code.as_deref()?.into(),
                    display: m.target_display.as_deref().unwrap_or_default().into(),
                    relationship: m.relationship?,
                    method: m.method,
                    score: m.score,
                    review: m.review_state,
                    evidence: m.evidence_text.as_str().into(),
                })
            })
            .collect();
    }

    /// The table, with each retired code's successor chain followed (within the release, up to
    /// five steps) to the last code it reaches.
    pub fn build(mut self) -> CodeTable {
        let codes = &self.table.codes;
        let forwards = follow(self.successors.drain(..), |c| codes.contains_key(c));
        for (code, to) in forwards {
            if let Some(e) = self.table.codes.get_mut(&code) {
                e.forward = Some(to);
            }
        }
        self.table
    }
}

/// Each retired code's successor chain (`(code, successor)` pairs) followed up to five steps to
/// the last code it reaches, kept when `holds` that code.
pub(crate) fn follow(
    successors: impl Iterator<Item = (Box<str>, Box<str>)>,
    holds: impl Fn(&str) -> bool,
) -> HashMap<Box<str>, Box<str>> {
    let direct: HashMap<Box<str>, Box<str>> = successors.collect();
    let mut out = HashMap::new();
    for (code, first) in &direct {
        let mut next = first.clone();
        let mut steps = 1;
        while let Some(after) = direct.get(&next).filter(|_| steps < MAX_FORWARD) {
            next = after.clone();
            steps += 1;
        }
        if holds(&next) {
            out.insert(code.clone(), next);
        }
    }
    out
}

/// The successor a concept is followed to when it is retired (the first code its `successor`
/// property names, when that is another code).
pub(crate) fn successor_of<'a>(code: &str, status: Status, successor: Option<&'a str>) -> Option<&'a str> {
    if status != Status::Retired {
        return None;
    }
    successor.and_then(|s| s.split(' ').next()).filter(|s| !s.is_empty() && *s != code)
}

impl CodeTable {
    /// Whether the release holds the code.
    pub fn holds(&self, code: &str) -> bool {
        self.codes.contains_key(code)
    }

    /// The successor a retired code is forwarded to, if any.
    pub fn forward(&self, code: &str) -> Option<&str> {
        self.codes.get(code)?.forward.as_deref()
    }

    /// Translates a code the release holds (`None` if it does not).
    pub fn lookup(&self, code: &str, policy: &Policy) -> Option<Lookup<'_>> {
        let entry = self.codes.get(code)?;
        let (entry, forwarded_to) = match entry.forward.as_deref().and_then(|f| Some((self.codes.get(f)?, f))) {
            Some((next, to)) => (next, Some(to)),
            None => (entry, None),
        };
        let mut targets: Vec<&TargetRow> = entry
            .rows
            .iter()
            .filter(|r| {
                (policy.review == ReviewFilter::Any || r.review == ReviewState::Approved)
                    && policy.min_score.is_none_or(|s| r.score >= s)
            })
            .collect();
        let found = if forwarded_to.is_some() { AnswerStatus::Forwarded } else { AnswerStatus::Mapped };
        let outcome = match targets.len() {
            0 => Outcome::unmapped(match entry.no_map {
                Some(reason) if entry.rows.is_empty() => UnmappedReason::Table(reason),
                _ if entry.in_table => UnmappedReason::Filtered,
                _ => UnmappedReason::NotInTable,
            }),
            1 => Outcome::of(found),
            _ => match policy.multi {
                Multi::First => {
                    targets.truncate(1);
                    Outcome::of(found)
                }
                Multi::All => Outcome::of(found),
                Multi::Ambiguous => {
                    targets.clear();
                    Outcome::of(AnswerStatus::Ambiguous)
                }
            },
        };
        Some(Lookup { outcome, forwarded_to, targets })
    }

    /// Every source code with its successor and ranked target rows, in code order (for exports).
    pub fn codes(&self) -> impl Iterator<Item = (&str, Option<&str>, &[TargetRow])> {
        let mut codes: Vec<_> = self.codes.iter().collect();
        codes.sort_by(|a, b| a.0.cmp(b.0));
        codes.into_iter().map(|(c, e)| (c.as_ref(), e.forward.as_deref(), e.rows.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{resolve_system, slug, Hop, Made, Mapping};

    fn row(source: &str, target: &str) -> Mapping {
        let hop = Hop {
            from: format!("jp-receipt-disease|{source}"),
            to: format!("icd11-mms|{target}"),
            relationship: Relationship::Equivalent,
            source: "test".into(),
        };
        Mapping::through(source, vec![hop], None, Made { method: Method::DerivedCrosswalk, author: "t", at: "t" })
    }

    /// No staged master names a successor (移行先) for a code retired in a release, so the
    /// retirement here is made up; the codes are real (2028045 was removed in 2024-06, 8848176
    /// is in both masters).
    #[test]
    fn a_retired_code_is_forwarded_along_its_successor_chain_within_the_release() {
        let (disease, icd11) =
            (resolve_system(slug::JP_RECEIPT_DISEASE).unwrap(), resolve_system(slug::ICD11_MMS).unwrap());
        let mut b = CodeTableBuilder::new(("r", "h"), disease, icd11, "t");
        b.concept("2028045", Status::Retired, Some("8830001"));
        b.concept("8830001", Status::Retired, Some("8848176"));
        b.concept("8848176", Status::Active, None);
        b.concept("8841698", Status::Retired, Some("0000000"));
        b.rows("8848176", &[row("8848176", "5A71.01")]);
        b.rows("8841698", &[row("8841698", "5A11")]);
        let t = b.build();
        let found = t.lookup("2028045", &Policy::default()).unwrap();
        assert_eq!((found.outcome.to_string().as_str(), found.forwarded_to), ("forwarded", Some("8848176")));
        assert_eq!(&*found.targets[0].code, "5A71.01");
        // A successor the release does not hold: translated as itself.
        let own = t.lookup("8841698", &Policy::default()).unwrap();
        assert_eq!((own.outcome.to_string().as_str(), own.forwarded_to), ("mapped", None));
    }
}
