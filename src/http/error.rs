//! `ApiError`: the only place where errors become an HTTP status and the JSON envelope
//! `{"error":{"code":"…","message":"…"}}`. Codes are stable; messages are for humans.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::error::ErrorKind;
use crate::Error;

/// An error answer: status, stable machine code, human message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    /// A 400 for a malformed request.
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code: "invalid_request", message: message.into(), retry_after: None }
    }
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

/// The status of each kind of error.
fn status(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::LimitExceeded => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UriTooLong => StatusCode::URI_TOO_LONG,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::TimedOut => StatusCode::REQUEST_TIMEOUT,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::IncompatibleData | ErrorKind::Tampered | ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let (status, code) = (status(e.kind()), e.code());
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            // Logged once, here; the client gets a generic message.
            tracing::error!(error = %e, "Request failed");
            return Self {
                status,
                code: "internal",
                message: "internal error; the server log has the details".into(),
                retry_after: None,
            };
        }
        Self { status, code, message: e.to_string(), retry_after: e.retry_after() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut answer =
            (self.status, Json(json!({"error": {"code": self.code, "message": self.message}}))).into_response();
        if let Some(secs) = self.retry_after {
            answer.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        answer
    }
}

/// Fallback for unknown paths.
pub(crate) async fn route_not_found() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: "route_not_found",
        message: "no such route; the API is described in api-spec/openapi.yaml".into(),
        retry_after: None,
    }
}

/// Fallback for a known path with another method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: "this route does not accept that method; see api-spec/openapi.yaml".into(),
        retry_after: None,
    }
}
