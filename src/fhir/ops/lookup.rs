//! `CodeSystem/$lookup`: display, designations and properties of a code, of a release's code
//! system (pinned by version, release id or `date`) or of one given as `tx-resource`.

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::{ok_in, registry};
use crate::fhir::json::{part, Out};
use crate::fhir::terminology::codesystem::{CodeSystemDef, CsConcept};
use crate::fhir::{FhirError, FhirParams, FhirState};
use crate::model::resolve_system;

/// `GET|POST /fhir/CodeSystem/$lookup`.
pub(crate) async fn lookup(
    State(state): State<FhirState>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let coding = p.coding("coding");
    let system = coding.and_then(|c| c["system"].as_str().map(str::to_owned)).or_else(|| p.str("system"));
    let code = coding.and_then(|c| c["code"].as_str().map(str::to_owned)).or_else(|| p.str("code"));
    let version = coding.and_then(|c| c["version"].as_str().map(str::to_owned)).or_else(|| p.str("version"));
    let (Some(system), Some(code)) = (system, code) else {
        return Err(FhirError::invalid("$lookup needs a code and a system (or a coding)"));
    };
    let mut reg = registry(&state, &p, &headers)?;
    if let (Some(date), Some(cs)) = (p.str("date"), resolve_system(&system)) {
        let id = state.service.release_as_of(cs.slug, &date)?;
        reg.release = state.service.shared_release(Some(&id))?;
    }
    let cs = reg
        .code_system_for(&system, version.as_deref(), &code)?
        .ok_or_else(|| unknown_system(&system, version.as_deref()))?;
    let Some(concept) = cs.find(&code) else {
        return Err(unknown_code(&cs, &code, &reg.release.id));
    };
    let wanted = p.strs("property");
    let body = answer(&cs, concept, &wanted, p.str("displayLanguage").as_deref());
    Ok(ok_in(&body, &reg.release))
}

/// A code system that is neither in the release nor in the request.
pub(crate) fn unknown_system(system: &str, version: Option<&str>) -> FhirError {
    match (resolve_system(system), version) {
        (None, _) => FhirError::not_found(format!("A definition for CodeSystem '{system}' could not be found")),
        (Some(_), Some(v)) => FhirError::not_found(format!(
            "A definition for CodeSystem '{system}' version '{v}' could not be found (give the upstream version or a release id)"
        )),
        (Some(cs), None) => crate::Error::UnknownSystem(cs.slug.to_owned()).into(),
    }
}

/// A code not in a code system: for a release's system, the same error as `/v1`.
pub(crate) fn unknown_code(cs: &CodeSystemDef, code: &str, release: &str) -> FhirError {
    match cs.henkan {
        Some(slug) => crate::Error::ConceptNotFound {
            system: slug.to_owned(),
            code: code.to_owned(),
            release: release.to_owned(),
        }
        .into(),
        None => FhirError::not_found(format!(
            "Unknown code '{code}' in the CodeSystem '{}' version '{}'",
            cs.url,
            cs.version.as_deref().unwrap_or("")
        )),
    }
}

/// Whether a `property` selection asks for a property (none given: all).
fn selected(wanted: &[String], code: &str) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| w == "*" || w == code)
}

/// The `Parameters` of a lookup.
fn answer(cs: &CodeSystemDef, c: &CsConcept, wanted: &[String], language: Option<&str>) -> Value {
    let mut out = Out::default();
    out.add("code", "valueCode", c.code.as_str()).add("system", "valueUri", cs.url.as_str());
    out.add("name", "valueString", cs.name.clone().or_else(|| cs.title.clone()).unwrap_or_else(|| cs.url.clone()));
    if let Some(v) = &cs.version {
        out.add("version", "valueString", v.as_str());
    }
    let display = language
        .and_then(|l| c.designations.iter().find(|d| d.language.as_deref() == Some(l)).map(|d| d.value.clone()))
        .or_else(|| c.display.clone());
    if let Some(d) = display {
        out.add("display", "valueString", d);
    }
    if let Some(d) = c.definition.as_deref().filter(|_| selected(wanted, "definition")) {
        out.add("definition", "valueString", d);
    }
    if c.abstract_ {
        out.add("abstract", "valueBoolean", true);
    }
    if selected(wanted, "designation") {
        for d in &c.designations {
            let mut parts = Vec::new();
            if let Some(l) = &d.language {
                parts.push(part("language", "valueCode", l.as_str()));
            }
            if let Some(u) = &d.use_ {
                parts.push(part("use", "valueCoding", u.clone()));
            }
            parts.push(part("value", "valueString", d.value.as_str()));
            out.part("designation", parts);
        }
    }
    for (code, value) in &c.properties {
        if selected(wanted, code) {
            let mut parts = vec![part("code", "valueCode", code.as_str())];
            if let Some((k, v)) = value.as_object().and_then(|o| o.iter().next()) {
                parts.push(part("value", k, v.clone()));
            }
            out.part("property", parts);
        }
    }
    for (name, list) in [("parent", &c.parents), ("child", &c.children)] {
        if !selected(wanted, name) {
            continue;
        }
        for &i in list.iter() {
            let other = &cs.concepts[i];
            let mut parts = vec![part("code", "valueCode", name), part("value", "valueCode", other.code.as_str())];
            if let Some(d) = &other.display {
                parts.push(part("description", "valueString", d.as_str()));
            }
            out.part("property", parts);
        }
    }
    if selected(wanted, "inactive") {
        out.part("property", vec![part("code", "valueCode", "inactive"), part("value", "valueBoolean", c.inactive)]);
    }
    out.build()
}
