//! The one bulk translation engine behind `translate-file`, `POST /v1/translate/batch` and
//! `POST /v1/translate/stream`. An [`Engine`] pins a release and holds its mapping tables in
//! memory ([`CodeTable`]), read from the store or from an exported bundle ([`Tables`]). Each item
//! (system, code, optional date and targets) becomes one answer per target its system has a
//! table to, each with a status from [`AnswerStatus`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::model::{resolve_system, CodeShape, CodeSystem, CODE_SYSTEMS};

use super::answer::{AnswerStatus, Outcome, Policy, UnmappedReason};
use super::table::{CodeTable, TargetRow};

/// Where an engine reads mapping tables: the store (a data directory) or an exported bundle.
pub trait Tables: Send + Sync {
    /// The newest release's id and content hash, or the given one's.
    fn release(&self, id: Option<&str>) -> Result<(String, String)>;
    /// The table of `release` from `source` to `target`, if the release has one.
    fn table(
        &self,
        release: &str,
        source: &'static CodeSystem,
        target: &'static CodeSystem,
    ) -> Result<Option<Arc<CodeTable>>>;
    /// The release in force on `date` (`YYYY-MM-DD`) for `system`, if the source knows one.
    fn release_on(&self, system: &'static CodeSystem, date: &str) -> Result<Option<String>>;
}

/// One code to translate.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    /// Code system (slug or URI).
    pub system: &'a str,
    /// The code.
    pub code: &'a str,
    /// The date of the row (`YYYY-MM-DD`), for codes the pinned release does not hold.
    pub date: Option<&'a str>,
    /// Targets for this item, instead of the engine's.
    pub target: Option<&'static CodeSystem>,
}

/// One answer: a target (absent when the system has no table to any target) and what was found.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    /// Target system.
    pub target: Option<&'static CodeSystem>,
    /// Status and reason.
    pub outcome: Outcome,
    /// The release that answered.
    pub release: &'a str,
    /// The target row.
    pub row: Option<&'a TargetRow>,
    /// The successor a retired code was forwarded to.
    pub forwarded_to: Option<&'a str>,
}

/// Why an item could not be translated at all (the item's error, not the job's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    /// The field at fault (`system`, `date`, `target`).
    pub field: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

/// (release, source slug, target slug).
type DatedKey = (String, &'static str, &'static str);

/// The pinned release's tables by source system, for the requested targets.
pub struct Engine {
    tables: Arc<dyn Tables>,
    release: String,
    release_sha256: String,
    targets: Vec<&'static CodeSystem>,
    /// Source slug → the pinned release's tables to each target, in target order.
    pinned: HashMap<&'static str, Vec<Arc<CodeTable>>>,
    /// (release, source, target) → table, for rows dated in another release.
    dated: Mutex<HashMap<DatedKey, Option<Arc<CodeTable>>>>,
}

impl Engine {
    /// An engine over `tables` pinned to `release` (default: the newest), translating into
    /// `targets` (default: every system some table reaches).
    pub fn new(tables: Arc<dyn Tables>, release: Option<&str>, targets: &[&'static CodeSystem]) -> Result<Engine> {
        let (release, release_sha256) = tables.release(release)?;
        let candidates: Vec<&'static CodeSystem> =
            if targets.is_empty() { CODE_SYSTEMS.iter().collect() } else { targets.to_vec() };
        let mut pinned: HashMap<&'static str, Vec<Arc<CodeTable>>> = HashMap::new();
        let mut reached = Vec::new();
        for source in CODE_SYSTEMS {
            for &target in &candidates {
                if let Some(t) = tables.table(&release, source, target)? {
                    pinned.entry(source.slug).or_default().push(t);
                    if !reached.contains(&target) {
                        reached.push(target);
                    }
                }
            }
        }
        let targets = if targets.is_empty() { reached } else { targets.to_vec() };
        Ok(Engine { tables, release, release_sha256, targets, pinned, dated: Mutex::new(HashMap::new()) })
    }

    /// A system by slug (the common case, found without a scan), URI or OID.
    fn system(&self, name: &str) -> Option<&'static CodeSystem> {
        match self.pinned.get_key_value(name) {
            Some((_, tables)) => tables.first().map(|t| t.source),
            None => resolve_system(name),
        }
    }

    /// The pinned release's id.
    pub fn release(&self) -> &str {
        &self.release
    }

    /// The pinned release's content hash.
    pub fn release_sha256(&self) -> &str {
        &self.release_sha256
    }

    /// The targets translated into.
    pub fn targets(&self) -> &[&'static CodeSystem] {
        &self.targets
    }

    /// Translates one item under `policy`, calling `emit` for each answer in order: one per
    /// target the item's system has a table to (several with `--multi all`), or one `no-table`
    /// answer when it has none.
    pub fn translate(
        &self,
        item: &Item<'_>,
        policy: &Policy,
        emit: &mut dyn FnMut(&Answer<'_>),
    ) -> std::result::Result<(), ItemError> {
        let source = self.system(item.system).ok_or_else(|| ItemError {
            field: "system",
            message: format!(
                "{:?} is not a code system henkan knows: give a slug (e.g. jp-receipt-disease) or its URI",
                item.system
            ),
        })?;
        if let Some(date) = item.date {
            check_date(date)?;
        }
        let code = item.code.trim();
        let tables: &[Arc<CodeTable>] = self.pinned.get(source.slug).map(Vec::as_slice).unwrap_or_default();
        let mut any = false;
        for table in tables.iter().filter(|t| item.target.is_none_or(|want| want.slug == t.target.slug)) {
            any = true;
            self.answer(table, source, code, item.date, policy, emit);
        }
        if !any {
            let shape = CodeShape::of(source.slug);
            let outcome = if shape.admits(code) {
                Outcome::unmapped(UnmappedReason::NoTable)
            } else {
                Outcome::of(AnswerStatus::InvalidCode)
            };
            emit(&Answer { target: item.target, outcome, release: &self.release, row: None, forwarded_to: None });
        }
        Ok(())
    }

    fn answer(
        &self,
        table: &CodeTable,
        source: &'static CodeSystem,
        code: &str,
        date: Option<&str>,
        policy: &Policy,
        emit: &mut dyn FnMut(&Answer<'_>),
    ) {
        let target = Some(table.target);
        let bare = |outcome, release: &str, emit: &mut dyn FnMut(&Answer<'_>)| {
            emit(&Answer { target, outcome, release, row: None, forwarded_to: None });
        };
        if !CodeShape::of(source.slug).admits(code) {
            return bare(Outcome::of(AnswerStatus::InvalidCode), &self.release, emit);
        }
        if let Some(found) = table.lookup(code, policy) {
            return write(found, &self.release, target, None, emit);
        }
        if let Some(dated) = date.and_then(|d| self.dated_table(table, source, d)) {
            if let Some(found) = dated.lookup(code, policy) {
                let historical = matches!(found.outcome.status, AnswerStatus::Mapped | AnswerStatus::Forwarded)
                    .then_some(AnswerStatus::Historical);
                return write(found, &dated.release, target, historical, emit);
            }
        }
        bare(Outcome::of(AnswerStatus::UnknownCode), &self.release, emit)
    }

    /// The table of the release in force on `date`, when that is not the pinned one.
    fn dated_table(&self, pinned: &CodeTable, source: &'static CodeSystem, date: &str) -> Option<Arc<CodeTable>> {
        let release = self.tables.release_on(source, date).ok().flatten()?;
        if release == self.release {
            return None;
        }
        let key = (release, source.slug, pinned.target.slug);
        let mut cache = self.dated.lock().ok()?;
        if let Some(t) = cache.get(&key) {
            return t.clone();
        }
        let t = self.tables.table(&key.0, source, pinned.target).ok().flatten();
        cache.insert(key, t.clone());
        t
    }
}

/// Emits a lookup's answers; `status` replaces the found status (for `historical`).
fn write(
    found: super::table::Lookup<'_>,
    release: &str,
    target: Option<&'static CodeSystem>,
    status: Option<AnswerStatus>,
    emit: &mut dyn FnMut(&Answer<'_>),
) {
    let outcome = status.map_or(found.outcome, Outcome::of);
    if found.targets.is_empty() {
        emit(&Answer { target, outcome, release, row: None, forwarded_to: found.forwarded_to });
    }
    for row in found.targets {
        emit(&Answer { target, outcome, release, row: Some(row), forwarded_to: found.forwarded_to });
    }
}

/// A date must be `YYYY-MM-DD`.
fn check_date(date: &str) -> std::result::Result<(), ItemError> {
    let ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if ok {
        Ok(())
    } else {
        Err(ItemError { field: "date", message: format!("{date:?} is not a date: write YYYY-MM-DD") })
    }
}

impl From<ItemError> for Error {
    fn from(e: ItemError) -> Error {
        Error::InvalidRequest { field: e.field.to_owned(), message: e.message }
    }
}
