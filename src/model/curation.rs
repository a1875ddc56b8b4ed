//! Curation: review decisions on mapping rows, curator tokens and the audit log.

use serde::{Deserialize, Serialize};

use super::Relationship;

crate::vocabulary! {
    /// What a curator decided about a source code's row.
    pub enum DecisionAction {
        /// The target is right.
        Approve = "approve",
        /// The target is wrong.
        Reject = "reject",
        /// The right target is another one (given), replacing the candidates.
        Retarget = "retarget",
    }
}

/// One review decision. Decisions are append-only; the latest per (table, source code) counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Order of the decision (store sequence).
    pub seq: u64,
    /// Mapping table.
    pub table: String,
    /// Source code.
    pub source_code: String,
    /// Approve, reject or retarget.
    pub action: DecisionAction,
    /// Target code the decision is about (the new target for a retarget).
    pub target_code: String,
    /// Relationship (for a retarget; an approval keeps the row's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    /// Who decided.
    pub author: String,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When (RFC 3339).
    pub decided_at: String,
    /// SHA-256 (hex) of the source concept's content when decided: if the source changes, the
    /// decision resurfaces for review instead of carrying forward.
    pub source_hash: String,
}

crate::vocabulary! {
    /// A role a token grants.
    pub enum Role {
        /// May review mappings (curation endpoints).
        Curator = "curator",
    }
}

/// A stored API token (the token itself is never stored, only its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Who the token is for (recorded as the actor of every action made with it).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// When it was made.
    pub created_at: String,
}

crate::vocabulary! {
    /// What an audited action was.
    pub enum AuditAction {
        /// A review decision was recorded.
        Decision = "decision",
        /// Decisions were imported from a decisions.tsv file.
        DecisionsImport = "decisions.import",
        /// A token was made.
        TokenCreate = "token.create",
        /// A release was published.
        Publish = "publish",
    }
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Order (store sequence).
    pub seq: u64,
    /// When (RFC 3339).
    pub at: String,
    /// Who (token name, or `cli:<user>`).
    pub actor: String,
    /// What.
    pub action: AuditAction,
    /// Details.
    pub detail: String,
}
