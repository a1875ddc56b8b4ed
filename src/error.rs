//! `Error`: everything the [`Service`](crate::Service) can fail with. Lower layers come in via
//! `#[from]`; the HTTP and CLI layers each map it in one place (status code / exit code).

use crate::import::ImportError;
use crate::store::StoreError;

/// Errors of the service layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Store failure (locked, incompatible, I/O, corrupt…).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Search engine failure.
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    /// Import failure (a bad file, an unknown format…).
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A system argument that is neither a known slug nor a canonical URI.
    #[error("unknown code system {0:?}: give a slug such as jp-receipt-disease or its canonical URI (see GET /v1/releases for what a release contains)")]
    UnknownSystem(String),
    /// No such release.
    #[error("no release {0:?}: list releases with `henkan releases` or GET /v1/releases")]
    ReleaseNotFound(String),
    /// Nothing published yet.
    #[error("nothing is published yet: import files and publish, or run `henkan serve` on an empty data directory to publish the bundled official masters")]
    NoReleases,
    /// The release does not contain the system.
    #[error("release {release} does not contain {system}: pick a release that does, or import it")]
    SystemNotInRelease {
        /// Code system slug.
        system: String,
        /// Release id.
        release: String,
    },
    /// The code is not in that release.
    #[error("{system} code {code:?} is not in release {release}: check the code, or ask its history (it may have been removed)")]
    ConceptNotFound {
        /// Code system slug.
        system: String,
        /// Code.
        code: String,
        /// Release id.
        release: String,
    },
    /// The code was never in any release.
    #[error("{system} code {code:?} has never been in any release: check the code")]
    CodeNeverSeen {
        /// Code system slug.
        system: String,
        /// Code.
        code: String,
    },
    /// A derivation lacks an input.
    #[error("cannot derive {generator}: {message}")]
    DeriveInput {
        /// Generator name.
        generator: String,
        /// What is missing and what to do.
        message: String,
    },
    /// No mapping table from one system to another in the release.
    #[error("release {release} has no mapping table from {source_system} to {target}: see GET /v1/releases/{release} for its tables")]
    MappingTableNotFound {
        /// Source system slug.
        source_system: String,
        /// Target system slug.
        target: String,
        /// Release id.
        release: String,
    },
    /// A review decision that cannot be recorded.
    #[error("invalid decision: {0}")]
    InvalidDecision(String),
    /// No or unknown credentials.
    #[error("this endpoint needs a curator token: send `Authorization: Bearer <token>` (tokens are made with `henkan token create --name <who> --role curator`)")]
    Unauthorized,
    /// A malformed date.
    #[error("invalid date {0:?}: use YYYY-MM-DD")]
    InvalidDate(String),
    /// No release has a version of the system in effect on the date.
    #[error("no release holds a version of {system} in effect on {date}: the oldest release starts later")]
    NoReleaseOnDate {
        /// Code system slug.
        system: String,
        /// The date.
        date: String,
    },
    /// Publish without changes.
    #[error("nothing to publish: {0}")]
    NothingToPublish(String),
    /// A malformed release id.
    #[error("invalid release id {0:?}: use 1-64 characters of A-Z a-z 0-9 . _ - (and not \"latest\")")]
    InvalidReleaseId(String),
    /// A bug or a failed background task.
    #[error("internal error: {0}")]
    Internal(String),
    /// The bundled default-data plan is unusable.
    #[error("cannot use the default data plan {path}: {message}")]
    MastersPlan {
        /// The plan file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Result of the service layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;
