//! The curation side of the [`Service`]: review decisions, candidates, the decisions file.
//!
//! Decisions are recorded append-only and take effect in the next published release: publish
//! (and derive) writes a new version of each table with the pending decisions applied.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{now, Service};
use crate::derive::{decisions, decisions_tsv};
use crate::error::{Error, Result};
use crate::model::{AuditAction, Decision, DecisionAction, Mapping, MappingTableVersion, Relationship, ReviewState};
use crate::store::AuditEvent;

/// A decision as asked for by a curator.
#[derive(Debug, Clone, Deserialize)]
pub struct DecisionRequest {
    /// Mapping table.
    pub table: String,
    /// Source code.
    pub code: String,
    /// approve, reject or retarget.
    pub action: DecisionAction,
    /// The target code the decision is about (the new target for retarget).
    pub target: String,
    /// Relationship of a retarget (default equivalent).
    pub relationship: Option<Relationship>,
    /// Why.
    pub comment: Option<String>,
}

/// How to list review candidates.
#[derive(Debug, Clone, Default)]
pub struct CandidateQuery {
    /// Mapping table.
    pub table: String,
    /// Only source codes with a row in this state (default: candidate).
    pub state: Option<ReviewState>,
    /// Only rows with at least this score.
    pub min_score: Option<f32>,
    /// Source code → how often it occurs (orders by frequency when given, else by score).
    pub frequency: Option<HashMap<String, u64>>,
    /// Page size (default 50).
    pub limit: Option<usize>,
    /// Page start.
    pub offset: Option<usize>,
}

/// One source code to review.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateItem {
    /// Source code.
    pub code: String,
    /// Its display.
    pub display: String,
    /// Its frequency, when a frequency file was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<u64>,
    /// Its rows (pending decisions applied).
    pub rows: Vec<Mapping>,
}

/// A page of candidates.
#[derive(Debug, Clone, Serialize)]
pub struct CandidatePage {
    /// Table.
    pub table: String,
    /// Matching source codes in all.
    pub total: usize,
    /// This page.
    pub items: Vec<CandidateItem>,
}

impl Service {
    /// The current version of a table (the draft's, else the latest release's) and its source and
    /// target versions.
    pub(super) fn current_table(&self, table: &str) -> Result<(MappingTableVersion, u64, u64)> {
        let draft = self.store.draft()?;
        let id = match draft.mappings.get(table) {
            Some(&id) => Some(id),
            None => self
                .store
                .latest_release()?
                .and_then(|r| r.mappings.iter().find(|m| m.table == table).map(|m| m.version_id)),
        };
        let not_found =
            || Error::TableNotFound { table: table.to_owned(), release: "the draft or the latest release".into() };
        let header = self.store.mapping_version(id.ok_or_else(not_found)?)?.ok_or_else(not_found)?;
        let source = self.base_version(&header.source_system)?.ok_or_else(not_found)?;
        let target = self.base_version(&header.target_system)?.ok_or_else(not_found)?;
        Ok((header, source, target))
    }

    /// Records a review decision (it takes effect in the next published release).
    pub fn decide(&self, actor: &str, req: &DecisionRequest) -> Result<Decision> {
        let (header, source, target) = self.current_table(&req.table)?;
        let invalid = |m: String| Error::InvalidDecision(m);
        let source_hash = self
            .store
            .concept_hash(source, &req.code)?
            .ok_or_else(|| Error::NotInTable { system: header.source_system.clone(), code: req.code.clone() })?;
        if req.action != DecisionAction::Reject && self.store.concept(target, &req.target)?.is_none() {
            return Err(Error::NotInTable { system: header.target_system, code: req.target.clone() });
        }
        if req.action == DecisionAction::Retarget && req.relationship.is_none() {
            return Err(invalid(
                "a retarget needs a relationship (e.g. equivalent, source-is-narrower-than-target)".into(),
            ));
        }
        let replaced = self.store.latest_decision(&req.table, &req.code)?;
        let d = self.store.add_decision(Decision {
            seq: 0,
            table: req.table.clone(),
            source_code: req.code.clone(),
            action: req.action,
            target_code: req.target.clone(),
            relationship: req.relationship,
            author: actor.to_owned(),
            comment: req.comment.clone(),
            decided_at: now(),
            source_hash,
        })?;
        let detail = format!(
            "table={} code={} action={} target={} comment={:?}",
            d.table, d.source_code, d.action, d.target_code, d.comment
        );
        self.store.audit(AuditEvent {
            at: &d.decided_at,
            actor,
            action: AuditAction::Decision,
            detail,
            before: replaced.map(|r| serde_json::to_value(r).expect("decisions serialise")),
            after: Some(serde_json::to_value(&d).expect("decisions serialise")),
        })?;
        Ok(d)
    }

    /// Applies the table's decisions to rows of its current source/target versions.
    pub(crate) fn apply_decisions(
        &self,
        table: &str,
        source_system: &str,
        target_system: &str,
        source: u64,
        target: u64,
        rows: &mut BTreeMap<String, Vec<Mapping>>,
    ) -> Result<decisions::Applied> {
        let latest = self.store.latest_decisions(table)?;
        let hash = |code: &str| self.store.concept_hash(source, code).ok().flatten();
        let display = |code: &str| self.store.concept(target, code).ok().flatten().map(|c| c.display);
        Ok(decisions::apply(rows, &latest, source_system, target_system, &hash, &display))
    }

    /// Writes, for every current table with decisions newer than its version, a new version with
    /// them applied, and stages it in the draft. Called by publish.
    pub(crate) fn materialize_decisions(&self) -> Result<u64> {
        let mut tables: Vec<String> = self.store.draft()?.mappings.keys().cloned().collect();
        if let Some(r) = self.store.latest_release()? {
            tables.extend(r.mappings.into_iter().map(|m| m.table));
        }
        tables.sort();
        tables.dedup();
        let mut written = 0;
        for table in tables {
            let (header, source, target) = self.current_table(&table)?;
            let newest = self.store.latest_decisions(&table)?.values().map(|d| d.seq).max().unwrap_or(0);
            if newest <= header.decisions_through {
                continue;
            }
            let mut rows: BTreeMap<String, Vec<Mapping>> =
                self.store.all_mappings(header.id).collect::<Result<_, _>>()?;
            let applied =
                self.apply_decisions(&table, &header.source_system, &header.target_system, source, target, &mut rows)?;
            let mut next = header.clone();
            next.decisions_through = applied.through;
            next.created_at = now();
            let v = self.store.write_mapping_version(next, &rows)?;
            self.store.stage_mapping(&v)?;
            tracing::info!(table = %table, applied = applied.applied, resurfaced = applied.resurfaced, "Applied review decisions to {table}");
            written += 1;
        }
        Ok(written)
    }

    /// Source codes to review, from the current table with pending decisions applied.
    pub fn candidates(&self, q: &CandidateQuery) -> Result<CandidatePage> {
        let (header, source, target) = self.current_table(&q.table)?;
        let mut rows: BTreeMap<String, Vec<Mapping>> = self.store.all_mappings(header.id).collect::<Result<_, _>>()?;
        self.apply_decisions(&q.table, &header.source_system, &header.target_system, source, target, &mut rows)?;
        let state = q.state.unwrap_or(ReviewState::Candidate);
        let mut matching: Vec<(String, Vec<Mapping>, f32, Option<u64>)> = rows
            .into_iter()
            .filter(|(_, list)| {
                list.iter().any(|m| {
                    m.target_code.is_some() && m.review_state == state && q.min_score.is_none_or(|s| m.score >= s)
                })
            })
            .map(|(code, list)| {
                let best = list.iter().map(|m| m.score).fold(0.0f32, f32::max);
                let freq = q.frequency.as_ref().map(|f| f.get(&code).copied().unwrap_or(0));
                (code, list, best, freq)
            })
            .collect();
        match &q.frequency {
            Some(_) => matching.sort_by(|a, b| b.3.cmp(&a.3).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0))),
            None => matching.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0))),
        }
        let total = matching.len();
        let items = matching
            .into_iter()
            .skip(q.offset.unwrap_or(0))
            .take(q.limit.unwrap_or(50))
            .map(|(code, rows, _, frequency)| {
                let display = self.store.concept(source, &code).ok().flatten().map(|c| c.display).unwrap_or_default();
                CandidateItem { code, display, frequency, rows }
            })
            .collect();
        Ok(CandidatePage { table: q.table.clone(), total, items })
    }

    /// Every decision as TSV (the `mappings/<table>/decisions.tsv` layout), optionally one table.
    pub fn export_decisions(&self, table: Option<&str>) -> Result<String> {
        let decisions = self.store.all_decisions().collect::<Result<Vec<_>, _>>()?;
        Ok(decisions_tsv::write(decisions.iter().filter(|d| table.is_none_or(|t| t == d.table))))
    }

    /// Records the decisions of a `decisions.tsv` file (keeping their authors, times and source
    /// hashes, so they carry forward exactly as decided): all of them, or none when a line is
    /// bad. Returns how many.
    pub fn import_decisions(&self, path: &Path, actor: &str) -> Result<usize> {
        let text =
            std::fs::read_to_string(path).map_err(|source| crate::ImportError::Io { path: path.to_owned(), source })?;
        let decisions = decisions_tsv::parse(&text, &path.display().to_string())?;
        let n = decisions.len();
        for d in decisions {
            self.store.add_decision(d)?;
        }
        self.store.audit(AuditEvent {
            at: &now(),
            actor,
            action: AuditAction::DecisionsImport,
            detail: format!("{} decisions from {}", n, path.display()),
            before: None,
            after: Some(serde_json::json!({ "decisions": n, "file": path.display().to_string() })),
        })?;
        Ok(n)
    }
}
