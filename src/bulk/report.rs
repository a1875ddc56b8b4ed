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

/// An untranslated (system, code, outcome), looked up by borrowed parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Untranslated(&'static str, Box<str>, Outcome);

impl<'a> std::borrow::Borrow<dyn Key + 'a> for Untranslated {
    fn borrow(&self) -> &(dyn Key + 'a) {
        self
    }
}

/// The parts of an [`Untranslated`], owned or borrowed.
trait Key {
    fn parts(&self) -> (&str, &str, Outcome);
}

impl Key for Untranslated {
    fn parts(&self) -> (&str, &str, Outcome) {
        (self.0, &self.1, self.2)
    }
}

impl Key for (&'static str, &str, Outcome) {
    fn parts(&self) -> (&str, &str, Outcome) {
        (self.0, self.1, self.2)
    }
}

impl PartialEq for dyn Key + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn Key + '_ {}

impl std::hash::Hash for dyn Key + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
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
    by_outcome: Vec<(Outcome, u64)>,
    #[serde(skip)]
    untranslated: HashMap<Untranslated, u64>,
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
        match self.by_outcome.iter_mut().find(|(o, _)| *o == outcome) {
            Some((_, n)) => *n += 1,
            None => self.by_outcome.push((outcome, 1)),
        }
        let found = matches!(outcome.status, AnswerStatus::Mapped | AnswerStatus::Forwarded | AnswerStatus::Historical);
        if found {
            self.mapped += 1;
            return;
        }
        let room = self.untranslated.len() < MAX_TRACKED;
        match self.untranslated.get_mut(&(system, code, outcome) as &dyn Key) {
            Some(n) => *n += 1,
            None if room => {
                self.untranslated.insert(Untranslated(system, code.into(), outcome), 1);
            }
            None => {}
        }
    }

    /// Settles the counts for printing.
    pub(crate) fn finish(&mut self) {
        self.statuses = self.by_outcome.iter().map(|(o, n)| (o.to_string(), *n)).collect();
        let mut top: Vec<_> = self.untranslated.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0 .1.cmp(&b.0 .1)).then_with(|| a.0 .0.cmp(b.0 .0)));
        self.top_unmapped = top
            .into_iter()
            .take(TOP)
            .map(|(Untranslated(system, code, o), n)| CodeCount {
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
