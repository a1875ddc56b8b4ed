//! The audit log and the API tokens.
//!
//! The log is append-only and hash-chained: each entry carries the SHA-256 of its own JSON
//! (`hash`) and the `hash` of the entry before it (`prev`), and `META` keeps the newest entry's
//! seq and hash (`audit_head`). An edited entry no longer matches its hash, a deleted one breaks
//! the next entry's `prev`, and a deleted newest entry no longer matches the head.

use sled::transaction::ConflictableTransactionError;
use sled::Transactional;

use super::{decode, encode, keys, Result, Store, AUDIT, TOKENS};
use crate::model::{AuditAction, AuditBreak, AuditEntry, AuditVerification, TokenInfo};

const AUDIT_HEAD_KEY: &[u8] = b"audit_head";

/// The newest entry of the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Head {
    seq: u64,
    hash: String,
}

/// A stored token: what is listed, and the SHA-256 (hex) of its secret.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct TokenRecord {
    pub(crate) info: TokenInfo,
    pub(crate) secret_sha256: String,
}

/// What an audited action is: who did what, with the state before and after it.
pub(crate) struct AuditEvent<'a> {
    pub(crate) at: &'a str,
    pub(crate) actor: &'a str,
    pub(crate) action: AuditAction,
    pub(crate) detail: String,
    pub(crate) before: Option<serde_json::Value>,
    pub(crate) after: Option<serde_json::Value>,
}

impl Store {
    fn audit_head(&self) -> Result<Option<Head>> {
        self.meta.get(AUDIT_HEAD_KEY)?.map(|v| decode(super::META, &v)).transpose()
    }

    /// Appends an entry to the audit log, chained to the newest one; the entry and the new head
    /// are written in one transaction.
    pub(crate) fn audit(&self, event: AuditEvent<'_>) -> Result<AuditEntry> {
        let _one_at_a_time = self.audit_lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let head = self.audit_head()?;
        let mut e = AuditEntry {
            seq: head.as_ref().map_or(1, |h| h.seq + 1),
            at: event.at.to_owned(),
            actor: event.actor.to_owned(),
            action: event.action,
            detail: event.detail,
            before: event.before,
            after: event.after,
            prev: head.map_or_else(|| AuditEntry::GENESIS.to_owned(), |h| h.hash),
            hash: String::new(),
        };
        e.hash = e.content_hash();
        let new_head = encode(&Head { seq: e.seq, hash: e.hash.clone() });
        (&self.audit, &self.meta)
            .transaction(|(audit, meta)| {
                audit.insert(&keys::id(e.seq), encode(&e))?;
                meta.insert(AUDIT_HEAD_KEY, new_head.clone())?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                sled::transaction::TransactionError::Storage(s) => s,
                sled::transaction::TransactionError::Abort(()) => unreachable!("never aborted"),
            })?;
        self.db.flush()?;
        Ok(e)
    }

    /// Chains a log written before entries were chained (once, when such a directory is first
    /// opened): entries keep their order and content and get `prev` and `hash`.
    pub(super) fn chain_legacy_audit(&self) -> Result<()> {
        if self.audit_head()?.is_some() || self.audit.is_empty() {
            return Ok(());
        }
        let mut prev = AuditEntry::GENESIS.to_owned();
        let mut head = None;
        for item in self.audit.iter() {
            let (key, value) = item?;
            let mut e: AuditEntry = decode(AUDIT, &value)?;
            e.prev = prev;
            e.hash = e.content_hash();
            self.audit.insert(key, encode(&e))?;
            prev = e.hash.clone();
            head = Some(Head { seq: e.seq, hash: e.hash });
        }
        if let Some(head) = head {
            tracing::info!(entries = self.audit.len(), "Chained the audit log written by an earlier henkan");
            self.meta.insert(AUDIT_HEAD_KEY, encode(&head))?;
        }
        self.db.flush()?;
        Ok(())
    }

    /// Checks the chain from the first entry to the head: `Ok(Err(break))` names the first entry
    /// that does not check.
    pub(crate) fn verify_audit(&self) -> Result<AuditVerification> {
        let mut prev = AuditEntry::GENESIS.to_owned();
        let mut last: Option<AuditEntry> = None;
        let mut entries = 0;
        for item in self.audit.iter() {
            let (key, value) = item?;
            let seq = keys::decode_id(&key).unwrap_or(0);
            let bad = |problem: String| {
                Ok(AuditVerification {
                    intact: false,
                    entries,
                    head: None,
                    first_bad: Some(AuditBreak { seq, problem }),
                })
            };
            let e: AuditEntry = match serde_json::from_slice(&value) {
                Ok(e) => e,
                Err(err) => return bad(format!("entry {seq} is not a readable audit entry ({err}): it was edited")),
            };
            if e.seq != seq {
                return bad(format!("entry {seq} says it is entry {}: it was edited or moved", e.seq));
            }
            if e.hash != e.content_hash() {
                return bad(format!("entry {seq} does not match its own hash: it was edited after it was written"));
            }
            if e.prev != prev {
                let before = last.as_ref().map_or("the start of the log".to_owned(), |l| format!("entry {}", l.seq));
                return bad(format!(
                    "entry {seq} does not follow {before} (its prev hash differs): an entry between them was deleted, or {before} was rewritten"
                ));
            }
            prev = e.hash.clone();
            entries += 1;
            last = Some(e);
        }
        let head = self.audit_head()?;
        let broken = |b: AuditBreak| Ok(AuditVerification { intact: false, entries, head: None, first_bad: Some(b) });
        match (head, &last) {
            (None, None) => Ok(AuditVerification { intact: true, entries, head: None, first_bad: None }),
            (Some(h), Some(l)) if h.seq == l.seq && h.hash == l.hash => {
                Ok(AuditVerification { intact: true, entries, head: Some(h.hash), first_bad: None })
            }
            (Some(h), _) => broken(AuditBreak {
                seq: h.seq,
                problem: format!(
                    "the log ends at {} but its head records entry {}: the newest entries were deleted",
                    last.as_ref().map_or("no entry".to_owned(), |l| format!("entry {}", l.seq)),
                    h.seq
                ),
            }),
            (None, Some(l)) => broken(AuditBreak {
                seq: l.seq,
                problem: "the log has entries but no head: the head record was deleted".into(),
            }),
        }
    }

    /// Stores a new token.
    pub(crate) fn put_token(&self, record: &TokenRecord) -> Result<()> {
        self.tokens.insert(record.info.id.as_bytes(), encode(record))?;
        self.db.flush()?;
        Ok(())
    }

    /// The token with this public id.
    pub(crate) fn token(&self, id: &str) -> Result<Option<TokenRecord>> {
        self.tokens.get(id.as_bytes())?.map(|v| decode(TOKENS, &v)).transpose()
    }

    /// Every token, by id.
    pub(crate) fn tokens(&self) -> Result<Vec<TokenRecord>> {
        self.tokens.iter().values().map(|v| decode(TOKENS, &v?)).collect()
    }
}
