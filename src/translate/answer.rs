//! What a pipeline gets back for one code: a status from a closed list, and the target row it
//! reached (if any). The same answer goes to `translate-file`, `POST /v1/translate/batch` and
//! `POST /v1/translate/stream`.

use serde::{Serialize, Serializer};

use crate::model::NoMapReason;

crate::vocabulary! {
    /// The status of one answer.
    pub enum AnswerStatus {
        /// Translated in the pinned release.
        Mapped = "mapped",
        /// Not translated; the reason says why.
        Unmapped = "unmapped",
        /// Not in the pinned release, but translated in the release in force on the row's date.
        Historical = "historical",
        /// A retired code translated as its 移行先 successor.
        Forwarded = "forwarded",
        /// Several targets qualify under the policy `--multi ambiguous`.
        Ambiguous = "ambiguous",
        /// The code is well formed but not a code of the system (in the release or on the date).
        UnknownCode = "unknown-code",
        /// The code is malformed for its system.
        InvalidCode = "invalid-code",
    }
}

/// Why an answer is `unmapped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnmappedReason {
    /// The table's explicit no-map row says why.
    Table(NoMapReason),
    /// The code is in the release, but the table has no row for it.
    NotInTable,
    /// The release has no table from the code's system to any requested target.
    NoTable,
    /// The table has target rows, but none passes the review and score filters (or every one
    /// was rejected).
    Filtered,
}

impl UnmappedReason {
    /// The reason's wire name (after `unmapped:`).
    pub fn as_str(self) -> &'static str {
        match self {
            UnmappedReason::Table(r) => r.as_str(),
            UnmappedReason::NotInTable => "not-in-table",
            UnmappedReason::NoTable => "no-table",
            UnmappedReason::Filtered => "filtered",
        }
    }
}

/// A status with its reason: `mapped`, `unmapped:not-in-table`, `historical`, ….
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Outcome {
    /// The status.
    pub status: AnswerStatus,
    /// Why, for `unmapped`.
    pub reason: Option<UnmappedReason>,
}

impl Outcome {
    /// An outcome without a reason.
    pub fn of(status: AnswerStatus) -> Outcome {
        Outcome { status, reason: None }
    }

    /// `unmapped:<reason>`.
    pub fn unmapped(reason: UnmappedReason) -> Outcome {
        Outcome { status: AnswerStatus::Unmapped, reason: Some(reason) }
    }

    /// Writes the wire form (`unmapped:<reason>` or the status).
    pub fn write(self, out: &mut impl std::fmt::Write) -> std::fmt::Result {
        out.write_str(self.status.as_str())?;
        if let Some(r) = self.reason {
            out.write_char(':')?;
            out.write_str(r.as_str())?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.write(f)
    }
}

impl Serialize for Outcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

crate::vocabulary! {
    /// What to answer when several targets qualify.
    pub enum Multi {
        /// The best one (rows are ranked by review state, then score).
        First = "first",
        /// One answer per qualifying target, best first.
        All = "all",
        /// One answer, `ambiguous`, without a target.
        Ambiguous = "ambiguous",
    }
}

crate::vocabulary! {
    /// Which rows qualify by review state.
    pub enum ReviewFilter {
        /// Only rows a curator (or the table's policy) approved.
        Approved = "approved",
        /// Approved rows and candidates (never rejected ones).
        Any = "any",
    }
}

/// The policy of a bulk translation.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// One-to-many rows.
    pub multi: Multi,
    /// Review filter.
    pub review: ReviewFilter,
    /// Only rows with at least this score.
    pub min_score: Option<f32>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { multi: Multi::First, review: ReviewFilter::Any, min_score: None }
    }
}
