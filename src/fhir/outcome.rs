//! `FhirError`: the only place where `/fhir` errors become an HTTP status and an
//! `OperationOutcome`. Domain errors keep the message they have in `/v1`; their [`ErrorKind`]
//! chooses the status and the FHIR issue type.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::json::fhir_json;
use crate::error::ErrorKind;
use crate::Error;

crate::vocabulary! {
    /// FHIR `IssueType` codes that henkan answers with.
    pub enum IssueType {
        /// Content invalid against the specification or a profile.
        Invalid = "invalid",
        /// The reference (system, code, value set, resource) was not found.
        NotFound = "not-found",
        /// The operation or parameter is not supported.
        NotSupported = "not-supported",
        /// The code is not valid.
        CodeInvalid = "code-invalid",
        /// Authentication is needed.
        Login = "login",
        /// The caller may not do this.
        Forbidden = "forbidden",
        /// A conflict with the current state.
        Conflict = "conflict",
        /// Temporarily unavailable.
        Transient = "transient",
        /// The answer would be too large.
        TooCostly = "too-costly",
        /// The request is too large, too long, too frequent or took too long.
        TooLong = "too-long",
        /// Over the rate limit.
        Throttled = "throttled",
        /// The request timed out.
        Timeout = "timeout",
        /// An error of the server.
        Exception = "exception",
        /// A processing rule failed.
        Processing = "processing",
    }
}

/// An error answer of `/fhir`.
#[derive(Debug, Clone)]
pub struct FhirError {
    status: StatusCode,
    issue: IssueType,
    message: String,
    /// The tx-issue-type code (`not-found`, `invalid-code`, …) in `details.coding`.
    tx_code: Option<&'static str>,
}

/// The issue type and status of each kind of domain error.
fn classify(kind: ErrorKind) -> (StatusCode, IssueType) {
    match kind {
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, IssueType::NotFound),
        ErrorKind::InvalidInput => (StatusCode::BAD_REQUEST, IssueType::Invalid),
        ErrorKind::Conflict => (StatusCode::CONFLICT, IssueType::Conflict),
        ErrorKind::Unauthorized => (StatusCode::UNAUTHORIZED, IssueType::Login),
        ErrorKind::Forbidden => (StatusCode::FORBIDDEN, IssueType::Forbidden),
        ErrorKind::LimitExceeded => (StatusCode::UNPROCESSABLE_ENTITY, IssueType::TooCostly),
        ErrorKind::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, IssueType::TooLong),
        ErrorKind::UriTooLong => (StatusCode::URI_TOO_LONG, IssueType::TooLong),
        ErrorKind::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, IssueType::Throttled),
        ErrorKind::TimedOut => (StatusCode::REQUEST_TIMEOUT, IssueType::Timeout),
        ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, IssueType::Transient),
        ErrorKind::IncompatibleData | ErrorKind::Tampered | ErrorKind::Internal => {
            (StatusCode::INTERNAL_SERVER_ERROR, IssueType::Exception)
        }
    }
}

impl FhirError {
    /// A 400 `invalid` for a malformed request.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, issue: IssueType::Invalid, message: message.into(), tx_code: None }
    }
    /// A 404 `not-found` (an unknown value set, code system or resource).
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            issue: IssueType::NotFound,
            message: message.into(),
            tx_code: Some("not-found"),
        }
    }
    /// A 400 `not-supported`.
    pub(crate) fn not_supported(message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, issue: IssueType::NotSupported, message: message.into(), tx_code: None }
    }
    /// A 422 `too-costly`: the expansion would be larger than the server returns in one answer.
    pub(crate) fn too_costly(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            issue: IssueType::TooCostly,
            message: message.into(),
            tx_code: None,
        }
    }
    /// The same error with another status.
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
    /// The human message.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// The FHIR issue type.
    pub fn issue(&self) -> IssueType {
        self.issue
    }
    /// The `OperationOutcome` of this error.
    pub fn outcome(&self) -> Value {
        let mut issue = json!({"severity": "error", "code": self.issue.as_str()});
        let mut details = json!({"text": self.message});
        if let Some(code) = self.tx_code {
            details["coding"] = json!([{"system": TX_ISSUE_TYPE, "code": code}]);
        }
        issue["details"] = details;
        json!({"resourceType": "OperationOutcome", "issue": [issue]})
    }
}

/// HL7's code system of terminology issue types.
pub(crate) const TX_ISSUE_TYPE: &str = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type";

impl From<Error> for FhirError {
    fn from(e: Error) -> Self {
        let (status, issue) = classify(e.kind());
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "FHIR request failed");
            return Self {
                status,
                issue,
                message: "internal error; the server log has the details".into(),
                tx_code: None,
            };
        }
        let tx_code = (issue == IssueType::NotFound).then_some("not-found");
        Self { status, issue, message: e.to_string(), tx_code }
    }
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        fhir_json(self.status, &self.outcome())
    }
}

/// Fallback for a path under `/fhir` that is not served.
pub(crate) async fn route_not_found(uri: axum::http::Uri) -> FhirError {
    FhirError::not_found(format!(
        "no FHIR interaction at {}; GET /fhir/metadata lists what this server supports",
        uri.path()
    ))
}

/// Fallback for a served path with another method.
pub(crate) async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> FhirError {
    FhirError::not_supported(format!(
        "{method} is not supported on {}; GET /fhir/metadata lists the interactions",
        uri.path()
    ))
    .with_status(StatusCode::METHOD_NOT_ALLOWED)
}
