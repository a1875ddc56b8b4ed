//! FHIR JSON answers: `application/fhir+json`, and small helpers for building resources.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The media type of every `/fhir` answer.
pub(crate) const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// A resource as an answer with the FHIR JSON media type.
pub(crate) fn fhir_json(status: StatusCode, body: &Value) -> Response {
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    res
}

/// A JSON object of owned values, moved in (`json!` would serialise each value again).
pub(crate) fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A `Parameters` resource being built.
#[derive(Debug, Default)]
pub(crate) struct Out(Vec<Value>);

impl Out {
    /// Adds `{"name": name, key: value}`.
    pub(crate) fn add(&mut self, name: &str, key: &str, value: impl Into<Value>) -> &mut Self {
        self.0.push(obj([("name", Value::from(name)), (key, value.into())]));
        self
    }
    /// Adds a parameter with parts.
    pub(crate) fn part(&mut self, name: &str, parts: Vec<Value>) -> &mut Self {
        self.0.push(obj([("name", Value::from(name)), ("part", Value::Array(parts))]));
        self
    }
    /// Adds a parameter holding a resource.
    pub(crate) fn resource(&mut self, name: &str, resource: Value) -> &mut Self {
        self.0.push(obj([("name", Value::from(name)), ("resource", resource)]));
        self
    }
    /// Adds a ready-made parameter.
    pub(crate) fn push(&mut self, p: Value) -> &mut Self {
        self.0.push(p);
        self
    }
    /// The resource.
    pub(crate) fn build(self) -> Value {
        obj([("resourceType", Value::from("Parameters")), ("parameter", Value::Array(self.0))])
    }
}

/// One part `{"name": name, key: value}`.
pub(crate) fn part(name: &str, key: &str, value: impl Into<Value>) -> Value {
    obj([("name", Value::from(name)), (key, value.into())])
}

/// A random (version 4) UUID as a `urn:uuid:` URI.
pub(crate) fn urn_uuid() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).unwrap_or_default();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("urn:uuid:{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Now, as a FHIR instant.
pub(crate) fn now() -> String {
    crate::service::now()
}
