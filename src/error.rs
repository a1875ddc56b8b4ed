//! `Error`: everything the [`Service`](crate::Service) can fail with. Lower layers come in via
//! `#[from]`. Each error has one [`ErrorKind`] and one stable machine code ([`Error::code`]);
//! the HTTP layer maps the kind to a status and the CLI to an exit code, nothing else.

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
    #[error("unknown code system {0:?}: give a slug such as jp-receipt-disease or its canonical URI (GET /v1/systems lists them)")]
    UnknownSystem(String),
    /// A request field that is wrong.
    #[error("{field}: {message}")]
    InvalidRequest {
        /// The field at fault.
        field: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A decision names a code that the table's current source or target version lacks.
    #[error("{system} has no code {code:?} in the version the table maps now: check the code (GET /v1/curation/candidates lists the table's source codes)")]
    NotInTable {
        /// Code system slug.
        system: String,
        /// The code.
        code: String,
    },
    /// A request over one of the server's limits (page size, batch size, …).
    #[error("{field}: {message}")]
    LimitExceeded {
        /// The request field over the limit.
        field: String,
        /// The limit, and what to do instead.
        message: String,
    },
    /// A request body over the server's limit.
    #[error("the request body is over {limit_bytes} bytes, the most this server accepts: send fewer items per request (or stream them to /v1/translate/stream)")]
    BodyTooLarge {
        /// The limit (`limits.body_bytes`).
        limit_bytes: usize,
    },
    /// A query string (or path) over the server's limit.
    #[error("the request target is {length} bytes, over the {limit_bytes} this server accepts: send long lists in a POST body instead")]
    UriTooLong {
        /// Its length.
        length: usize,
        /// The limit (`limits.uri_bytes`).
        limit_bytes: usize,
    },
    /// Over the per-token (or per-address) rate limit, or every request slot is busy.
    #[error("{message}: retry after {retry_after_secs} s")]
    TooManyRequests {
        /// Why.
        message: String,
        /// When a retry may succeed (the `Retry-After` header).
        retry_after_secs: u64,
    },
    /// A request that ran over the per-request time limit.
    #[error("the request took longer than {limit_ms} ms, the most this server allows: ask for less (a smaller page or batch)")]
    TimedOut {
        /// The limit (`limits.request_timeout_ms`).
        limit_ms: u64,
    },
    /// A line of an input file that cannot be read.
    #[error("{file}{}{}: {message}", if *line > 0 { format!(", line {line}") } else { String::new() }, column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
    InputFile {
        /// The file (`-` for stdin).
        file: String,
        /// 1-based line (0: the file as a whole).
        line: u64,
        /// The column (name or 1-based number), when one is at fault.
        column: Option<String>,
        /// What is wrong and what to do.
        message: String,
    },
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
    #[error("release {release} has no mapping table from {source_system} to {target}: GET /v1/mappings?release={release} lists its tables")]
    MappingTableNotFound {
        /// Source system slug.
        source_system: String,
        /// Target system slug.
        target: String,
        /// Release id.
        release: String,
    },
    /// No mapping table of that name.
    #[error("no mapping table {table:?} in {release}: GET /v1/mappings lists the tables of a release")]
    TableNotFound {
        /// The table name asked for.
        table: String,
        /// Where it was looked for (a release id, `draft`, or two release ids).
        release: String,
    },
    /// A review decision that cannot be recorded.
    #[error("invalid decision: {0}")]
    InvalidDecision(String),
    /// No or unknown credentials.
    #[error("this endpoint needs a token: send `Authorization: Bearer <token>` (an admin makes tokens with `henkan token create --name <who> --role <reader|curator|admin>`)")]
    Unauthorized,
    /// A valid token whose role may not do this.
    #[error("a {role} token may not do this: ask for a token with the role this endpoint needs")]
    Forbidden {
        /// The token's role.
        role: crate::model::Role,
    },
    /// No token with that id.
    #[error("no token with id {0:?}: `henkan token list` or GET /v1/admin/tokens lists them")]
    TokenNotFound(String),
    /// The audit log's hash chain does not check.
    #[error("the audit log does not check at entry {seq}: {problem}; restore the data directory from a backup and find out who had write access to it")]
    AuditTampered {
        /// The first entry that does not check.
        seq: u64,
        /// What is wrong.
        problem: String,
    },
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

crate::vocabulary! {
    /// What kind of failure an error is: it alone decides the HTTP status and the CLI exit code.
    pub enum ErrorKind {
        /// The release, code system, code or table asked for does not exist.
        NotFound = "not_found",
        /// A malformed argument, request or input file.
        InvalidInput = "invalid_input",
        /// The request conflicts with the current state (release id taken, nothing to publish,
        /// data directory in use).
        Conflict = "conflict",
        /// No or unknown credentials.
        Unauthorized = "unauthorized",
        /// Valid credentials that may not do this.
        Forbidden = "forbidden",
        /// The request is over one of the server's configured limits (page size, batch size).
        LimitExceeded = "limit_exceeded",
        /// The request body is over the configured size.
        PayloadTooLarge = "payload_too_large",
        /// The request target (path and query) is over the configured length.
        UriTooLong = "uri_too_long",
        /// Over the rate limit, or the server is at its concurrency limit: retry later.
        TooManyRequests = "too_many_requests",
        /// The request ran over the configured time.
        TimedOut = "timed_out",
        /// Nothing is published yet: the service cannot answer until something is.
        Unavailable = "unavailable",
        /// A data directory of another format.
        IncompatibleData = "incompatible_data",
        /// Stored data that was changed behind henkan's back (the audit chain does not check).
        Tampered = "tampered",
        /// A bug, an I/O failure or a failed background task.
        Internal = "internal",
    }
}

impl Error {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        use ErrorKind as K;
        match self {
            Error::UnknownSystem(_)
            | Error::ReleaseNotFound(_)
            | Error::SystemNotInRelease { .. }
            | Error::ConceptNotFound { .. }
            | Error::CodeNeverSeen { .. }
            | Error::MappingTableNotFound { .. }
            | Error::TableNotFound { .. }
            | Error::NotInTable { .. }
            | Error::TokenNotFound(_)
            | Error::NoReleaseOnDate { .. } => K::NotFound,
            Error::InvalidReleaseId(_)
            | Error::InvalidRequest { .. }
            | Error::InputFile { .. }
            | Error::InvalidDate(_)
            | Error::InvalidDecision(_)
            | Error::DeriveInput { .. }
            | Error::Import(_)
            | Error::MastersPlan { .. } => K::InvalidInput,
            Error::NothingToPublish(_) | Error::Store(StoreError::ReleaseExists(_) | StoreError::Locked { .. }) => {
                K::Conflict
            }
            Error::LimitExceeded { .. } => K::LimitExceeded,
            Error::BodyTooLarge { .. } => K::PayloadTooLarge,
            Error::UriTooLong { .. } => K::UriTooLong,
            Error::TooManyRequests { .. } => K::TooManyRequests,
            Error::TimedOut { .. } => K::TimedOut,
            Error::Unauthorized => K::Unauthorized,
            Error::Forbidden { .. } => K::Forbidden,
            Error::NoReleases => K::Unavailable,
            Error::AuditTampered { .. } => K::Tampered,
            Error::Store(StoreError::IncompatibleFormat { .. }) => K::IncompatibleData,
            Error::Store(_) | Error::Search(_) | Error::Internal(_) => K::Internal,
        }
    }

    /// Seconds after which a retry may succeed (for `Retry-After`), when the error says.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::TooManyRequests { retry_after_secs, .. } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The stable machine code of the error (the `code` of an API error answer).
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnknownSystem(_) => "code_system_not_found",
            Error::ReleaseNotFound(_) | Error::NoReleaseOnDate { .. } => "release_not_found",
            Error::SystemNotInRelease { .. } => "code_system_not_in_release",
            Error::ConceptNotFound { .. } | Error::CodeNeverSeen { .. } | Error::NotInTable { .. } => {
                "concept_not_found"
            }
            Error::MappingTableNotFound { .. } => "mapping_table_not_found",
            Error::TableNotFound { .. } => "table_not_found",
            Error::TokenNotFound(_) => "token_not_found",
            Error::AuditTampered { .. } => "audit_tampered",
            Error::InvalidReleaseId(_)
            | Error::InvalidDate(_)
            | Error::InvalidDecision(_)
            | Error::InvalidRequest { .. } => "invalid_request",
            Error::DeriveInput { .. } | Error::Import(_) | Error::MastersPlan { .. } | Error::InputFile { .. } => {
                "invalid_input"
            }
            Error::NothingToPublish(_) => "nothing_to_publish",
            Error::Store(StoreError::ReleaseExists(_)) => "release_exists",
            Error::Store(StoreError::Locked { .. }) => "data_directory_in_use",
            Error::Store(StoreError::IncompatibleFormat { .. }) => "incompatible_data",
            Error::NoReleases => "no_release_published",
            _ => self.kind().as_str(),
        }
    }
}

/// Result of the service layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;
