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
    /// A role a token grants. Each role may do what the ones before it may.
    pub enum Role {
        /// May read (needed only when reads are closed: `auth.read = "token"`).
        Reader = "reader",
        /// May also review mappings (the `/v1/curation/…` routes).
        Curator = "curator",
        /// May also manage tokens, read the audit log, import, derive and publish.
        Admin = "admin",
    }
}

impl Role {
    /// Whether this role may do what `needed` may.
    pub fn grants(self, needed: Role) -> bool {
        let rank = |r: Role| match r {
            Role::Reader => 0,
            Role::Curator => 1,
            Role::Admin => 2,
        };
        rank(self) >= rank(needed)
    }
}

/// An API token as listed (the token itself is shown once at creation and never stored; the
/// store keeps only the SHA-256 of its secret part).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Public id of the token (the part after `hk_` and before the secret), used to revoke it.
    pub id: String,
    /// Who the token is for (recorded as the actor of every action made with it).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was revoked (RFC 3339); a revoked token is refused like an unknown one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
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
        /// A token was revoked.
        TokenRevoke = "token.revoke",
        /// Official files were imported into the draft.
        Import = "import",
        /// A mapping table was derived into the draft.
        Derive = "derive",
        /// A release was published.
        Publish = "publish",
    }
}

/// One entry of the append-only, hash-chained audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Order (increasing with each entry).
    pub seq: u64,
    /// When (RFC 3339).
    pub at: String,
    /// Who (token name, or `cli:<user>`).
    pub actor: String,
    /// What.
    pub action: AuditAction,
    /// Details, for people.
    pub detail: String,
    /// The state before the action, when it changed one (e.g. the decision it replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    /// The state after the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
    /// SHA-256 (hex) of the entry before this one (64 zeros for the first).
    #[serde(default)]
    pub prev: String,
    /// SHA-256 (hex) of this entry's JSON with `hash` empty.
    #[serde(default)]
    pub hash: String,
}

impl AuditEntry {
    /// The `prev` of the first entry.
    pub const GENESIS: &'static str = "0000000000000000000000000000000000000000000000000000000000000000";

    /// The SHA-256 (hex) this entry should carry in `hash`: of its JSON with `hash` empty.
    pub fn content_hash(&self) -> String {
        let blank = AuditEntry { hash: String::new(), ..self.clone() };
        let bytes = serde_json::to_vec(&blank).expect("audit entries always serialise");
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes))
    }
}

/// What a check of the audit chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// Whether every entry checks, from the first to the head.
    pub intact: bool,
    /// Entries that checked (before the first bad one).
    pub entries: u64,
    /// Hash of the newest entry (the head of the chain), when intact and not empty.
    pub head: Option<String>,
    /// The first entry that does not check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad: Option<AuditBreak>,
}

/// One thing wrong with the audit chain: the first bad entry and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditBreak {
    /// Sequence number of the first entry that does not check.
    pub seq: u64,
    /// What is wrong.
    pub problem: String,
}
