//! One file per `/fhir` operation or resource; each reads its parameters, asks the registry or
//! the service, and builds the answer.

pub(super) mod expand;
pub(super) mod lookup;
pub(super) mod metadata;
pub(super) mod read;
pub(super) mod subsumes;
pub(super) mod translate;
pub(super) mod validate;

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::json::fhir_json;
use super::terminology::Registry;
use super::{FhirError, FhirState, Params};
use crate::model::Release;

/// The header that pins the release of a request.
pub(crate) const RELEASE_HEADER: &str = "henkan-release";

/// The release a request asks for: the `Henkan-Release` header, else the latest.
pub(super) fn release(state: &FhirState, headers: &HeaderMap) -> Result<Arc<Release>, FhirError> {
    let id = headers.get(RELEASE_HEADER).and_then(|v| v.to_str().ok()).map(str::trim).filter(|s| !s.is_empty());
    Ok(state.service.shared_release(id)?)
}

/// The registry of a request: its release, its `tx-resource`s and its version pins.
pub(super) fn registry<'a>(state: &'a FhirState, p: &Params, headers: &HeaderMap) -> Result<Registry<'a>, FhirError> {
    let mut reg = Registry::new(state, release(state, headers)?, &p.resources("tx-resource"))?;
    for v in p.strs("system-version") {
        reg.pin(&v, false);
    }
    for v in p.strs("force-system-version") {
        reg.pin(&v, true);
    }
    for v in p.strs("check-system-version") {
        reg.pin(&v, false);
    }
    for s in p.strs("useSupplement") {
        if !reg.has_supplement(&s) {
            return Err(FhirError::not_found(format!("Required supplement not found: {s}")));
        }
    }
    Ok(reg)
}

/// The `Accept-Language` header, as a display language.
pub(super) fn accept_language(headers: &HeaderMap) -> Option<String> {
    headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// A 200 answer.
pub(super) fn ok(body: &Value) -> Response {
    fhir_json(StatusCode::OK, body)
}

/// A 200 answer that names the release served.
pub(super) fn ok_in(body: &Value, release: &Release) -> Response {
    let mut res = ok(body);
    if let Ok(v) = axum::http::HeaderValue::from_str(&release.id) {
        res.headers_mut().insert(RELEASE_HEADER, v);
    }
    res
}
