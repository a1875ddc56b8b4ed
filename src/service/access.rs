//! The access side of the [`Service`]: API tokens (made, listed, revoked, checked) and the
//! hash-chained audit log (read in pages, verified).
//!
//! A token reads `hk_<id>_<secret>`: the id is public (it names the token in lists, in
//! revocation and in the audit log), the secret is random and only its SHA-256 is stored,
//! compared in constant time.

use serde::Serialize;
use subtle::ConstantTimeEq;

use super::{now, Service};
use crate::error::{Error, Result};
use crate::model::{AuditAction, AuditEntry, AuditVerification, Role, TokenInfo};
use crate::store::{AuditEvent, TokenRecord};

/// A page of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditList {
    /// Entries, newest first.
    pub entries: Vec<AuditEntry>,
}

/// A token just made: the token itself (shown this once) and what is listed of it.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Its id, holder, role and creation time.
    #[serde(flatten)]
    pub info: TokenInfo,
}

/// The tokens, by id.
#[derive(Debug, Clone, Serialize)]
pub struct TokenList {
    /// Every token, revoked ones included.
    pub tokens: Vec<TokenInfo>,
}

fn secret_hash(secret: &str) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(secret.as_bytes()))
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| Error::Internal(format!("no randomness for a token: {e}")))?;
    Ok(hex::encode(buf))
}

fn json(value: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).expect("domain types always serialise")
}

impl Service {
    /// Makes a new token (returned once; only the hash of its secret is stored) and audits it.
    pub fn create_token(&self, name: &str, role: Role, actor: &str) -> Result<NewToken> {
        // Spaces as JSON Schema's `\S` (ECMA-262) counts them, so that the API contract's pattern
        // and this check agree.
        let space = |c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}';
        let name = name.trim_matches(space);
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::InvalidRequest {
                field: "name".into(),
                message: "give who the token is for: 1-100 characters, not only spaces".into(),
            });
        }
        let (id, secret) = (random_hex(6)?, random_hex(32)?);
        let info = TokenInfo { id: id.clone(), name: name.to_owned(), role, created_at: now(), revoked_at: None };
        self.store.put_token(&TokenRecord { info: info.clone(), secret_sha256: secret_hash(&secret) })?;
        self.store.audit(AuditEvent {
            at: &info.created_at,
            actor,
            action: AuditAction::TokenCreate,
            detail: format!("id={id} name={name} role={role}"),
            before: None,
            after: Some(json(&info)),
        })?;
        Ok(NewToken { token: format!("hk_{id}_{secret}"), info })
    }

    /// Every token (revoked ones too), by id.
    pub fn tokens(&self) -> Result<TokenList> {
        Ok(TokenList { tokens: self.store.tokens()?.into_iter().map(|r| r.info).collect() })
    }

    /// Revokes a token: it is refused from now on. Revoking a revoked token changes nothing.
    pub fn revoke_token(&self, id: &str, actor: &str) -> Result<TokenInfo> {
        let mut record = self.store.token(id)?.ok_or_else(|| Error::TokenNotFound(id.to_owned()))?;
        if record.info.revoked_at.is_some() {
            return Ok(record.info);
        }
        let before = json(&record.info);
        let at = now();
        record.info.revoked_at = Some(at.clone());
        self.store.put_token(&record)?;
        self.store.audit(AuditEvent {
            at: &at,
            actor,
            action: AuditAction::TokenRevoke,
            detail: format!("id={id} name={} role={}", record.info.name, record.info.role),
            before: Some(before),
            after: Some(json(&record.info)),
        })?;
        Ok(record.info)
    }

    /// The holder of a token, if the token is known and not revoked.
    pub fn authenticate(&self, token: &str) -> Result<Option<TokenInfo>> {
        let Some((id, secret)) = token.trim().strip_prefix("hk_").and_then(|t| t.split_once('_')) else {
            return Ok(None);
        };
        let Some(record) = self.store.token(id)? else {
            return Ok(None);
        };
        let matches: bool = secret_hash(secret).as_bytes().ct_eq(record.secret_sha256.as_bytes()).into();
        Ok((matches && record.info.revoked_at.is_none()).then_some(record.info))
    }

    /// Records an action in the audit log (for actions the engines below do not audit).
    pub(crate) fn record(
        &self,
        actor: &str,
        action: AuditAction,
        detail: String,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<AuditEntry> {
        Ok(self.store.audit(AuditEvent { at: &now(), actor, action, detail, before, after })?)
    }

    /// [`Service::import`], audited as done by `actor`.
    pub fn import_as(
        &self,
        actor: &str,
        paths: &[std::path::PathBuf],
        format: Option<&str>,
        version: Option<&str>,
        progress: impl Fn(&std::path::Path) + Sync,
    ) -> Result<Vec<super::StagedVersion>> {
        let staged = self.import(paths, format, version, progress)?;
        let detail = staged.iter().map(|s| format!("{} {}", s.system, s.version)).collect::<Vec<_>>().join(", ");
        self.record(actor, AuditAction::Import, format!("staged {detail}"), None, Some(json(&staged)))?;
        Ok(staged)
    }

    /// [`Service::derive`], audited as done by `actor`.
    pub fn derive_as(
        &self,
        actor: &str,
        generator: crate::derive::Generator,
        files: &[std::path::PathBuf],
    ) -> Result<crate::DeriveReport> {
        let report = self.derive(generator, files)?;
        self.record(actor, AuditAction::Derive, format!("generator={generator}"), None, Some(json(&report)))?;
        Ok(report)
    }

    /// The newest audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        Ok(self.store.audit_log(limit)?)
    }

    /// A page of the audit log, newest first; a page's key is the sequence number of its last
    /// (oldest) entry.
    pub fn audit_page(&self, page: &super::PageRequest) -> Result<super::Page<AuditList>> {
        let before = match page.after.as_deref() {
            Some(k) => Some(k.parse::<u64>().map_err(|_| Error::InvalidRequest {
                field: "cursor".into(),
                message: "not a cursor of the audit log: drop it to start from the newest entry".into(),
            })?),
            None => None,
        };
        let (entries, after) =
            super::catalog::take_page(self.store.audit_before(before), |_| true, page.limit, |e| e.seq.to_string())?;
        Ok(super::Page { body: AuditList { entries }, after })
    }

    /// Checks the audit chain: how many entries and the head, or the first entry that does not
    /// check.
    pub fn verify_audit(&self) -> Result<AuditVerification> {
        Ok(self.store.verify_audit()?)
    }
}
