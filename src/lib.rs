//! henkan (変換): a national code conversion master for Japanese healthcare data.
//!
//! Layers, each depending only on the ones before it:
//! - `henkan-loaders` (crate `loaders/`): official file bytes → records, errors with file/line/field;
//! - [`model`]: domain types (code systems, versions, releases, history, diffs), no I/O;
//! - `import`: files on disk → parsed versions (nothing written);
//! - `store`: sled trees with a documented key layout and format version; crash-safe writes;
//! - `lifecycle`: publish (with history), diff;
//! - [`Service`]: the one facade used by [`http`] (axum, `/v1`) and [`cli`] (clap).
//!
//! See ARCHITECTURE.md for the data flow and the store's key layout.

pub(crate) mod bootstrap;
pub mod bulk;
pub mod cli;
pub mod config;
pub(crate) mod derive;
mod error;
pub mod export;
pub mod fhir;
pub mod http;
mod import;
mod lifecycle;
pub(crate) mod metrics;
pub mod model;
pub mod search;
mod service;
mod store;
pub mod translate;

pub use derive::{DeriveReport, Generator};
pub use error::{Error, ErrorKind, Result};
pub use import::ImportError;
pub use service::{
    AuditList, CandidateItem, CandidatePage, CandidateQuery, DecisionRequest, DiffReport, ExplainAnswer, History,
    ImpactCode, ImpactItem, Lookup, NewToken, PublishRequest, Readiness, SearchAnswer, Service, StagedVersion,
    SystemRef, TokenList, BUNDLED_PUBLISHER,
};
pub use service::{
    ConceptFilter, ConceptList, Page, PageRequest, ReleaseManifest, ReleasedVersion, RowFilter, RowList, SystemAnswer,
    SystemInfo, SystemList, TableAnswer, TableCounts, TableInfo, TableList,
};
pub use store::StoreError;
pub use translate::{TranslateFilter, Translation, TranslationSource, Translator};

/// Declares an enum of fixed meanings with one wire name per value (see `henkan_loaders::vocabulary`).
pub(crate) use henkan_loaders::vocabulary;
