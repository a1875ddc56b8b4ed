//! Read and search of the release's resources: each code system version is a CodeSystem (its
//! concepts when small, `content: not-present` with paging through `ValueSet/$expand` when
//! big), each code system's implicit all-codes value set a ValueSet, and each mapping table a
//! ConceptMap. Search by `url`, `version` and `name`; `_summary=true` leaves out the content,
//! `_summary=count` gives the total only.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};

use super::translate::table_url;
use super::{ok_in, release};
use crate::fhir::terminology::codesystem::pascal;
use crate::fhir::{FhirError, FhirParams, FhirState, Params};
use crate::model::{resolve_system, Release, ReleaseSystem};

/// Code systems up to this size are served with their concepts.
const COMPLETE_UP_TO: u64 = 5_000;

fn code_system(state: &FhirState, rel: &Release, s: &ReleaseSystem, summary: bool) -> Result<Value, FhirError> {
    let cs = resolve_system(&s.system).ok_or_else(|| crate::Error::UnknownSystem(s.system.clone()))?;
    let complete = s.concepts <= COMPLETE_UP_TO;
    let mut r = json!({
        "resourceType": "CodeSystem", "id": cs.slug, "url": cs.uri, "version": s.version,
        "name": pascal(cs.slug), "title": cs.name, "status": "active", "experimental": false,
        "date": rel.created_at, "publisher": rel.publisher,
        "description": format!("{} in henkan release {} (sha256 {}).", cs.name, rel.id, rel.sha256),
        "caseSensitive": true, "valueSet": format!("{}?fhir_vs", cs.uri),
        "content": if complete { "complete" } else { "not-present" },
        "count": s.concepts,
    });
    if let Some(n) = cs.notice {
        r["copyright"] = json!(n);
    }
    if !complete {
        r["description"] = json!(format!(
            "{} in henkan release {} (sha256 {}). {} concepts: page them with ValueSet/$expand?url={}?fhir_vs&count=…&offset=…",
            cs.name, rel.id, rel.sha256, s.concepts, cs.uri
        ));
    }
    if complete && !summary {
        let def = state.henkan_code_system(rel, cs)?;
        let concepts: Vec<Value> = def
            .concepts
            .iter()
            .map(|c| {
                let mut j = json!({"code": c.code});
                if let Some(d) = &c.display {
                    j["display"] = json!(d);
                }
                let designations: Vec<Value> = c.designations.iter().map(|d| d.to_json()).collect();
                if !designations.is_empty() {
                    j["designation"] = json!(designations);
                }
                j
            })
            .collect();
        r["concept"] = json!(concepts);
    }
    Ok(r)
}

fn value_set(rel: &Release, s: &ReleaseSystem) -> Value {
    let cs = resolve_system(&s.system);
    let (uri, name) = cs.map_or((s.uri.as_str(), s.system.as_str()), |c| (c.uri, c.name));
    json!({
        "resourceType": "ValueSet", "id": s.system, "url": format!("{uri}?fhir_vs"), "version": rel.id,
        "name": format!("{}AllCodes", pascal(&s.system)), "title": format!("All codes of {name}"),
        "status": "active", "experimental": false, "date": rel.created_at, "publisher": rel.publisher,
        "compose": {"include": [{"system": uri, "version": s.version}]},
    })
}

fn concept_map_summary(rel: &Release, m: &crate::model::ReleaseMapping) -> Value {
    let uri = |slug: &str| resolve_system(slug).map_or_else(|| format!("urn:henkan:{slug}"), |c| c.uri.to_owned());
    json!({
        "resourceType": "ConceptMap", "id": m.table, "url": table_url(&m.table), "version": rel.id,
        "name": pascal(&m.table), "title": format!("{} → {} (henkan {})", m.source_system, m.target_system, m.table),
        "status": "active", "experimental": false, "date": rel.created_at, "publisher": rel.publisher,
        "description": format!("{} rows mapped, {} no-map; {}", m.mapped, m.no_map, m.generator),
        "sourceUri": uri(&m.source_system), "targetUri": uri(&m.target_system),
    })
}

/// A searchset Bundle of the resources that match `url`, `version` and `name`.
fn bundle(p: &Params, resources: Vec<Value>, kind: &str) -> Value {
    let matches = |r: &Value, key: &str, exact: bool| {
        p.str(key).is_none_or(|want| {
            let have = r[key].as_str().unwrap_or_default();
            if exact {
                have == want
            } else {
                have.to_lowercase().starts_with(&want.to_lowercase())
            }
        })
    };
    let found: Vec<Value> = resources
        .into_iter()
        .filter(|r| matches(r, "url", true) && matches(r, "version", true) && matches(r, "name", false))
        .collect();
    let total = found.len();
    let mut b = json!({"resourceType": "Bundle", "type": "searchset", "total": total});
    if p.str("_summary").as_deref() != Some("count") {
        let entries: Vec<Value> = found
            .into_iter()
            .map(|r| json!({"fullUrl": format!("{kind}/{}", r["id"].as_str().unwrap_or_default()), "resource": r, "search": {"mode": "match"}}))
            .collect();
        b["entry"] = json!(entries);
    }
    b
}

/// `GET /fhir/CodeSystem`.
pub(crate) async fn search_code_systems(
    State(state): State<FhirState>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let rel = release(&state, &headers)?;
    let all: Result<Vec<Value>, FhirError> = rel.systems.iter().map(|s| code_system(&state, &rel, s, true)).collect();
    Ok(ok_in(&bundle(&p, all?, "CodeSystem"), &rel))
}

/// `GET /fhir/CodeSystem/{id}`.
pub(crate) async fn read_code_system(
    State(state): State<FhirState>,
    Path(id): Path<String>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let rel = release(&state, &headers)?;
    let s = rel.systems.iter().find(|s| s.system == id).ok_or_else(|| not_found("CodeSystem", &id, &rel))?;
    let summary = p.str("_summary").is_some_and(|s| s != "false");
    Ok(ok_in(&code_system(&state, &rel, s, summary)?, &rel))
}

/// `GET /fhir/ValueSet`.
pub(crate) async fn search_value_sets(
    State(state): State<FhirState>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let rel = release(&state, &headers)?;
    let all = rel.systems.iter().map(|s| value_set(&rel, s)).collect();
    Ok(ok_in(&bundle(&p, all, "ValueSet"), &rel))
}

/// `GET /fhir/ValueSet/{id}`.
pub(crate) async fn read_value_set(
    State(state): State<FhirState>,
    Path(id): Path<String>,
    FhirParams(_, headers): FhirParams,
) -> Result<Response, FhirError> {
    let rel = release(&state, &headers)?;
    let s = rel.systems.iter().find(|s| s.system == id).ok_or_else(|| not_found("ValueSet", &id, &rel))?;
    Ok(ok_in(&value_set(&rel, s), &rel))
}

/// `GET /fhir/ConceptMap`.
pub(crate) async fn search_concept_maps(
    State(state): State<FhirState>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let rel = release(&state, &headers)?;
    let all = rel.mappings.iter().map(|m| concept_map_summary(&rel, m)).collect();
    Ok(ok_in(&bundle(&p, all, "ConceptMap"), &rel))
}

/// `GET /fhir/ConceptMap/{id}`.
pub(crate) async fn read_concept_map(
    State(state): State<FhirState>,
    Path(id): Path<String>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let rel = release(&state, &headers)?;
    let m = rel.mappings.iter().find(|m| m.table == id).ok_or_else(|| not_found("ConceptMap", &id, &rel))?;
    if p.str("_summary").is_some_and(|s| s != "false") {
        return Ok(ok_in(&concept_map_summary(&rel, m), &rel));
    }
    let mut cm = state.service.concept_map(Some(&rel.id), &m.table)?;
    cm["url"] = json!(table_url(&m.table));
    Ok(ok_in(&cm, &rel))
}

fn not_found(kind: &str, id: &str, rel: &Release) -> FhirError {
    FhirError::not_found(format!("{kind}/{id} is not in release {}; GET /fhir/{kind} lists them", rel.id))
}
