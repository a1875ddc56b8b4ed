//! Mapping-table generators: each turns the loaded masters (and crosswalks) into candidate rows
//! with provenance, and reports its coverage. Pure functions over domain types; the service
//! reads their inputs and stores their output.

pub(crate) mod decisions;
pub(crate) mod disease_icd11;
pub(crate) mod drug_rxnorm;
pub(crate) mod lab_loinc;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Mapping, Method, Relationship, ReviewState};

/// What a generator reports when it runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeriveReport {
    /// Mapping table name.
    pub table: String,
    /// Source version and target version used.
    pub source: String,
    /// Target system and version used.
    pub target: String,
    /// Source codes considered.
    pub sources: u64,
    /// Source codes with at least one candidate target.
    pub mapped: u64,
    /// Source codes with a no-map row.
    pub no_map: u64,
    /// `mapped / sources`.
    pub coverage: f64,
    /// No-map rows by reason.
    pub no_map_reasons: BTreeMap<String, u64>,
    /// Best candidate's relationship per mapped source code.
    pub relationships: BTreeMap<String, u64>,
    /// Best candidate's score per mapped source code, in buckets of 0.1 (`0.9` = 0.9..1.0).
    pub scores: BTreeMap<String, u64>,
    /// Rows auto-approved by the table's policy.
    pub auto_approved: u64,
    /// Curator decisions carried forward onto the new rows.
    pub decisions_applied: u64,
    /// Curator decisions that no longer apply (source changed or target gone) and resurfaced.
    pub decisions_resurfaced: u64,
}

impl DeriveReport {
    /// Fills the statistics from the rows.
    pub(crate) fn tally(&mut self, rows: &BTreeMap<String, Vec<Mapping>>) {
        self.sources = rows.len() as u64;
        for list in rows.values() {
            let best = list.iter().filter(|m| m.target_code.is_some()).max_by(|a, b| a.score.total_cmp(&b.score));
            match best {
                Some(m) => {
                    self.mapped += 1;
                    let rel = m.relationship.map_or("-", Relationship::as_str);
                    *self.relationships.entry(rel.to_owned()).or_default() += 1;
                    let bucket = format!("{:.1}", (f64::from(m.score) * 10.0).floor() / 10.0);
                    *self.scores.entry(bucket).or_default() += 1;
                }
                None => {
                    self.no_map += 1;
                    if let Some(reason) = list.iter().find_map(|m| m.no_map_reason) {
                        *self.no_map_reasons.entry(reason.as_str().to_owned()).or_default() += 1;
                    }
                }
            }
            self.auto_approved += list.iter().filter(|m| m.review_state == ReviewState::Approved).count() as u64;
        }
        self.coverage = if self.sources == 0 { 0.0 } else { self.mapped as f64 / self.sources as f64 };
    }
}

/// A row with only its source, method, author and time set: generators fill in the rest with
/// struct-update syntax (`Mapping { target_code: …, ..base_row(…) }`).
pub(crate) fn base_row(source_code: &str, method: Method, author: &str, now: &str) -> Mapping {
    Mapping {
        source_code: source_code.to_owned(),
        target_code: None,
        target_display: None,
        no_map_reason: None,
        relationship: None,
        method,
        evidence: Vec::new(),
        evidence_text: String::new(),
        score: 0.0,
        author: author.to_owned(),
        review_state: ReviewState::Candidate,
        reviewer: None,
        comment: None,
        created_at: now.to_owned(),
    }
}
