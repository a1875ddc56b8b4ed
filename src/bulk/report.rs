//! The summary of a bulk job: rows, answers by status (and unmapped reason), the commonest codes
//! that did not translate, and the release with its content hash.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::translate::{AnswerStatus, Outcome};

/// How many distinct untranslated codes are counted (past that, only those already seen).
const MAX_TRACKED: usize = 200_000;
/// How many of the commonest untranslated codes the report lists.
const TOP: usize = 20;

/// One of the commonest untranslated codes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CodeCount {
    /// Source system slug.
    pub system: String,
    /// The code.
    pub code: String,
    /// Its status (`unmapped:<reason>`, `unknown-code`, …).
    pub status: String,
    /// Answers with it.
    pub count: u64,
}

/// The summary of a job.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Report {
    /// Release translated in.
    pub release: String,
    /// Its content hash.
    pub release_sha256: String,
    /// The input's encoding (as given or detected).
    pub encoding: String,
    /// Input rows read.
    pub rows: u64,
    /// Output rows written.
    pub answers: u64,
    /// Answers with a target (mapped, forwarded, historical).
    pub mapped: u64,
    /// Rows refused as malformed (written to the reject file).
    pub rejected: u64,
    /// Answers by status (`unmapped:<reason>` counted per reason).
    pub statuses: BTreeMap<String, u64>,
    /// The commonest codes without a target, most frequent first.
    pub top_unmapped: Vec<CodeCount>,
    #[serde(skip)]
    by_outcome: HashMap<Outcome, u64>,
    #[serde(skip)]
    untranslated: HashMap<(&'static str, Box<str>, Outcome), u64>,
}

impl Report {
    /// An empty report of a job in `release` (id, content hash) reading `encoding`.
    pub(crate) fn new(release: &str, release_sha256: &str, encoding: &str) -> Report {
        Report {
            release: release.to_owned(),
            release_sha256: release_sha256.to_owned(),
            encoding: encoding.to_owned(),
            ..Report::default()
        }
    }

    /// Counts one answer.
    pub(crate) fn answer(&mut self, system: &'static str, code: &str, outcome: Outcome) {
        self.answers += 1;
        *self.by_outcome.entry(outcome).or_default() += 1;
        let found = matches!(outcome.status, AnswerStatus::Mapped | AnswerStatus::Forwarded | AnswerStatus::Historical);
        if found {
            self.mapped += 1;
            return;
        }
        let key = (system, Box::<str>::from(code), outcome);
        let room = self.untranslated.len() < MAX_TRACKED;
        match self.untranslated.get_mut(&key) {
            Some(n) => *n += 1,
            None if room => {
                self.untranslated.insert(key, 1);
            }
            None => {}
        }
    }

    /// Settles the counts for printing.
    pub(crate) fn finish(&mut self) {
        self.statuses = self.by_outcome.iter().map(|(o, n)| (o.to_string(), *n)).collect();
        let mut top: Vec<_> = self.untranslated.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0 .1.cmp(&b.0 .1)));
        self.top_unmapped = top
            .into_iter()
            .take(TOP)
            .map(|((system, code, o), n)| CodeCount {
                system: (*system).to_owned(),
                code: code.to_string(),
                status: o.to_string(),
                count: *n,
            })
            .collect();
    }

    /// The summary as lines of text (for stderr).
    pub fn text(&self) -> String {
        let mut s = format!(
            "translated {} rows ({}) into {} answers in release {} (sha256 {}): {} with a target, {} rows rejected\n",
            self.rows, self.encoding, self.answers, self.release, self.release_sha256, self.mapped, self.rejected
        );
        for (status, n) in &self.statuses {
            s.push_str(&format!("  {status}: {n}\n"));
        }
        if !self.top_unmapped.is_empty() {
            s.push_str("  commonest codes without a target:\n");
            for c in &self.top_unmapped {
                s.push_str(&format!("    {}|{} {} ×{}\n", c.system, c.code, c.status, c.count));
            }
        }
        s
    }
}
