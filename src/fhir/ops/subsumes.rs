//! `CodeSystem/$subsumes`: how two codes of a hierarchical code system relate.

use axum::extract::State;
use axum::response::Response;

use super::lookup::{unknown_code, unknown_system};
use super::{ok_in, registry};
use crate::fhir::json::Out;
use crate::fhir::{FhirError, FhirParams, FhirState};

/// `GET|POST /fhir/CodeSystem/$subsumes`.
pub(crate) async fn subsumes(
    State(state): State<FhirState>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let reg = registry(&state, &p, &headers)?;
    let side = |n: &str| {
        let coding = p.coding(&format!("coding{n}"));
        let code = coding.and_then(|c| c["code"].as_str().map(str::to_owned)).or_else(|| p.str(&format!("code{n}")));
        let system = coding.and_then(|c| c["system"].as_str().map(str::to_owned)).or_else(|| p.str("system"));
        (code, system)
    };
    let ((a, sa), (b, sb)) = (side("A"), side("B"));
    let (Some(a), Some(b), Some(system)) = (a, b, sa.clone().or(sb.clone())) else {
        return Err(FhirError::invalid("$subsumes needs codeA and codeB (or codingA and codingB) and a system"));
    };
    if sa.is_some() && sb.is_some() && sa != sb {
        return Err(FhirError::invalid(
            "$subsumes compares two codes of one code system; codingA and codingB name different systems",
        ));
    }
    let version = p.str("version");
    let cs =
        reg.code_system(&system, version.as_deref())?.ok_or_else(|| unknown_system(&system, version.as_deref()))?;
    if !cs.hierarchical {
        return Err(FhirError::not_supported(format!(
            "{} has no hierarchy, so $subsumes cannot compare its codes",
            cs.url
        )));
    }
    let ia = cs.find_index(&a).ok_or_else(|| unknown_code(&cs, &a, &reg.release.id))?;
    let ib = cs.find_index(&b).ok_or_else(|| unknown_code(&cs, &b, &reg.release.id))?;
    let outcome = if ia == ib {
        "equivalent"
    } else if cs.is_a(ib, ia) {
        "subsumes"
    } else if cs.is_a(ia, ib) {
        "subsumed-by"
    } else {
        "not-subsumed"
    };
    let mut out = Out::default();
    out.add("outcome", "valueCode", outcome);
    Ok(ok_in(&out.build(), &reg.release))
}
