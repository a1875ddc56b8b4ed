//! `GET /fhir/metadata`: the CapabilityStatement, or with `?mode=terminology` the
//! TerminologyCapabilities listing every code system and version of the releases.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::{ok, release};
use crate::fhir::{FhirError, FhirParams, FhirState};

/// The operations served, as (resource, name, OperationDefinition).
const OPERATIONS: &[(&str, &str, &str)] = &[
    ("CodeSystem", "lookup", "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup"),
    ("CodeSystem", "validate-code", "http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code"),
    ("CodeSystem", "subsumes", "http://hl7.org/fhir/OperationDefinition/CodeSystem-subsumes"),
    ("ValueSet", "expand", "http://hl7.org/fhir/OperationDefinition/ValueSet-expand"),
    ("ValueSet", "validate-code", "http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code"),
    ("ConceptMap", "translate", "http://hl7.org/fhir/OperationDefinition/ConceptMap-translate"),
];

/// `GET /fhir/metadata`.
pub(crate) async fn metadata(
    State(state): State<FhirState>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    match p.str("mode").as_deref() {
        None | Some("full") | Some("normative") => {
            let served = release(&state, &headers)?;
            Ok(ok(&capability_statement(&served)))
        }
        Some("terminology") => terminology(&state, &headers),
        Some(other) => {
            Err(FhirError::invalid(format!("mode '{other}' is not known; use full, normative or terminology")))
        }
    }
}

fn capability_statement(served: &crate::model::Release) -> Value {
    let resources: Vec<Value> = ["CodeSystem", "ValueSet", "ConceptMap"]
        .iter()
        .map(|r| {
            let ops: Vec<Value> = OPERATIONS
                .iter()
                .filter(|(res, _, _)| res == r)
                .map(|(_, name, def)| json!({"name": name, "definition": def}))
                .collect();
            json!({
                "type": r,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": [
                    {"name": "url", "type": "uri"}, {"name": "version", "type": "token"}, {"name": "name", "type": "string"},
                ],
                "operation": ops,
            })
        })
        .collect();
    json!({
        "resourceType": "CapabilityStatement",
        "url": "https://henkan.dev/fhir/CapabilityStatement/henkan",
        "name": "HenkanTerminologyServer",
        "title": "henkan FHIR R4 terminology service",
        "status": "active",
        "date": served.created_at,
        "publisher": "henkan",
        "kind": "instance",
        "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
        "software": {"name": "henkan", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {"description": "henkan: Japanese healthcare code conversion master (the /fhir edge)"},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "JSON only (XML is not supported). The release is the latest unless the Henkan-Release header, a release id given as a version, or $lookup's date names another.",
            "resource": resources,
        }],
    })
}

fn terminology(state: &FhirState, headers: &axum::http::HeaderMap) -> Result<Response, FhirError> {
    let served = release(state, headers)?;
    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in state.service.releases()? {
        for s in &r.systems {
            let list = versions.entry(s.uri.clone()).or_default();
            if !list.contains(&s.version) {
                list.push(s.version.clone());
            }
        }
    }
    let code_systems: Vec<Value> = versions
        .into_iter()
        .map(|(uri, list)| {
            let default = served.systems.iter().find(|s| s.uri == uri).map(|s| s.version.clone());
            let versions: Vec<Value> =
                list.iter().map(|v| json!({"code": v, "isDefault": Some(v) == default.as_ref()})).collect();
            json!({"uri": uri, "version": versions})
        })
        .collect();
    Ok(ok(&json!({
        "resourceType": "TerminologyCapabilities",
        "url": "https://henkan.dev/fhir/TerminologyCapabilities/henkan",
        "name": "HenkanTerminologyCapabilities",
        "status": "active",
        "date": served.created_at,
        "kind": "instance",
        "software": {"name": "henkan", "version": env!("CARGO_PKG_VERSION")},
        "codeSystem": code_systems,
        "expansion": {"hierarchical": false, "paging": true, "textFilter": "henkan's Japanese-aware search on the release's code systems (kanji, kana, romaji, typos); word prefixes on code systems given in the request"},
        "validateCode": {"translations": false},
        "translation": {"needsMap": false},
    })))
}
