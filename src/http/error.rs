//! `ApiError`: the only place where errors become an HTTP status and the JSON envelope
//! `{"error":{"code":"…","message":"…"}}`. Codes are stable; messages are for humans.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::store::StoreError;
use crate::Error;

/// An error answer: status, stable machine code, human message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    /// A 400 for a malformed request.
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code: "invalid_request", message: message.into() }
    }
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

/// Stable code and status for every service error.
fn classify(e: &Error) -> (StatusCode, &'static str) {
    use StatusCode as S;
    match e {
        Error::UnknownSystem(_) => (S::NOT_FOUND, "code_system_not_found"),
        Error::ReleaseNotFound(_) => (S::NOT_FOUND, "release_not_found"),
        Error::NoReleases => (S::SERVICE_UNAVAILABLE, "no_release_published"),
        Error::SystemNotInRelease { .. } => (S::NOT_FOUND, "code_system_not_in_release"),
        Error::ConceptNotFound { .. } | Error::CodeNeverSeen { .. } => (S::NOT_FOUND, "concept_not_found"),
        Error::InvalidReleaseId(_) | Error::InvalidDate(_) | Error::InvalidDecision(_) => {
            (S::BAD_REQUEST, "invalid_request")
        }
        Error::Unauthorized => (S::UNAUTHORIZED, "unauthorized"),
        Error::NoReleaseOnDate { .. } => (S::NOT_FOUND, "release_not_found"),
        Error::NothingToPublish(_) => (S::CONFLICT, "nothing_to_publish"),
        Error::MappingTableNotFound { .. } => (S::NOT_FOUND, "mapping_table_not_found"),
        Error::DeriveInput { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_input"),
        Error::Store(StoreError::ReleaseExists(_)) => (S::CONFLICT, "release_exists"),
        Error::Import(_) => (S::UNPROCESSABLE_ENTITY, "invalid_input"),
        Error::Store(_) | Error::Search(_) | Error::MastersPlan { .. } | Error::Internal(_) => {
            (S::INTERNAL_SERVER_ERROR, "internal")
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let (status, code) = classify(&e);
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            // Logged once, here; the client gets a generic message.
            tracing::error!(error = %e, "Request failed");
            return Self { status, code, message: "internal error; the server log has the details".into() };
        }
        Self { status, code, message: e.to_string() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({"error": {"code": self.code, "message": self.message}}))).into_response()
    }
}

/// Fallback for unknown paths.
pub(crate) async fn route_not_found() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: "route_not_found",
        message: "no such route; the API is described in api-spec/openapi.yaml".into(),
    }
}

/// Fallback for a known path with another method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: "this route does not accept that method; see api-spec/openapi.yaml".into(),
    }
}
