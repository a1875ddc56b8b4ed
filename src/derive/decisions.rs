//! Applying curators' review decisions to a mapping table's rows.
//!
//! A decision carries forward from release to release as long as the source concept's content is
//! the one the curator saw (same content hash) and the target still exists; otherwise it
//! resurfaces: the rows stay candidates and say which decision no longer applies and why.

use std::collections::BTreeMap;

use crate::model::{row_order, Decision, DecisionAction, Hop, Made, Mapping, Method, Relationship, ReviewState};

/// What applying decisions did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    /// Decisions applied.
    pub(crate) applied: u64,
    /// Decisions that no longer apply (source changed or target gone).
    pub(crate) resurfaced: u64,
    /// Highest decision sequence seen.
    pub(crate) through: u64,
}

/// Applies the latest decision per source code. `source_hash(code)` gives the content hash of
/// the source concept in the table's source version; `target(code)` the display of a target code
/// in its target version (None if it does not exist there).
pub(crate) fn apply(
    rows: &mut BTreeMap<String, Vec<Mapping>>,
    decisions: &BTreeMap<String, Decision>,
    source_system: &str,
    target_system: &str,
    source_hash: &dyn Fn(&str) -> Option<String>,
    target: &dyn Fn(&str) -> Option<String>,
) -> Applied {
    let mut result = Applied::default();
    for (code, d) in decisions {
        result.through = result.through.max(d.seq);
        let Some(list) = rows.get_mut(code) else {
            result.resurfaced += 1;
            continue;
        };
        let what = format!(
            "{} {} by {} on {}",
            action_name(d.action),
            d.target_code,
            d.author,
            d.decided_at.get(..10).unwrap_or(&d.decided_at)
        );
        if let Some(why) = stale(d, source_hash(code).as_deref(), target(&d.target_code).is_some()) {
            result.resurfaced += 1;
            for m in list.iter_mut().filter(|m| m.review_state == ReviewState::Candidate) {
                m.comment = Some(format!("resurfaced for review: {why} {what}"));
            }
            continue;
        }
        result.applied += 1;
        let existing = list.iter().position(|m| m.target_code.as_deref() == Some(d.target_code.as_str()));
        match d.action {
            DecisionAction::Reject => {
                if let Some(i) = existing {
                    decide(&mut list[i], ReviewState::Rejected, d);
                }
            }
            DecisionAction::Approve => match existing {
                Some(i) => decide(&mut list[i], ReviewState::Approved, d),
                None => list.push(manual_row(code, d, source_system, target_system, target(&d.target_code))),
            },
            DecisionAction::Retarget => {
                list.retain(|m| m.target_code.is_some() && m.method != Method::Manual);
                for m in list.iter_mut().filter(|m| m.review_state != ReviewState::Rejected) {
                    m.review_state = ReviewState::Rejected;
                    m.reviewer = Some(d.author.clone());
                    m.comment = Some(format!("superseded: retargeted to {} by {}", d.target_code, d.author));
                }
                list.retain(|m| m.target_code.as_deref() != Some(d.target_code.as_str()));
                list.push(manual_row(code, d, source_system, target_system, target(&d.target_code)));
            }
        }
        list.sort_by(row_order);
    }
    result
}

/// Why a decision no longer applies: the source concept changed since the curator saw it, or
/// the target it approves is gone.
fn stale(d: &Decision, source_hash: Option<&str>, target_exists: bool) -> Option<&'static str> {
    if source_hash != Some(d.source_hash.as_str()) {
        Some("the source concept changed since")
    } else if d.action != DecisionAction::Reject && !target_exists {
        Some("the target no longer exists since")
    } else {
        None
    }
}

fn action_name(a: DecisionAction) -> &'static str {
    match a {
        DecisionAction::Approve => "approval of",
        DecisionAction::Reject => "rejection of",
        DecisionAction::Retarget => "retarget to",
    }
}

fn decide(m: &mut Mapping, state: ReviewState, d: &Decision) {
    m.review_state = state;
    m.reviewer = Some(d.author.clone());
    m.comment = d.comment.clone();
}

fn manual_row(code: &str, d: &Decision, source_system: &str, target_system: &str, display: Option<String>) -> Mapping {
    let relationship = d.relationship.unwrap_or(Relationship::Equivalent);
    let hop = Hop {
        from: format!("{source_system}|{code}"),
        to: format!("{target_system}|{}", d.target_code),
        relationship,
        source: format!(
            "curator {} on {}{}",
            d.author,
            d.decided_at,
            d.comment.as_deref().map(|c| format!(": {c}")).unwrap_or_default()
        ),
    };
    let made = Made { method: Method::Manual, author: &d.author, at: &d.decided_at };
    Mapping {
        comment: d.comment.clone(),
        ..Mapping::through(code, vec![hop], display, made).scored(1.0).approved_by(d.author.clone())
    }
}
