//! `GET /v1/openapi.yaml` and `GET /v1/openapi.json`: the committed contract,
//! `api-spec/openapi.yaml`, as built into this binary (the JSON is the same document).

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The contract, as committed.
const SPEC_YAML: &str = include_str!("../../../api-spec/openapi.yaml");

pub(crate) async fn get_openapi_yaml() -> Response {
    ([(header::CONTENT_TYPE, "application/yaml; charset=utf-8")], SPEC_YAML).into_response()
}

pub(crate) async fn get_openapi_json() -> Response {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| {
        let doc: serde_json::Value =
            serde_yaml::from_str(SPEC_YAML).expect("the committed spec is valid YAML (tested)");
        serde_json::to_string(&doc).expect("JSON values serialise")
    });
    ([(header::CONTENT_TYPE, "application/json")], body.as_str()).into_response()
}
