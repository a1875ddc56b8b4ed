//! `CodeSystem/$validate-code` and `ValueSet/$validate-code`: whether a code (or a Coding, or
//! any Coding of a CodeableConcept) is in the code system or value set, with the display
//! checked, inactive codes flagged, and every problem as an issue and in `message`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::{accept_language, ok_in, registry};
use crate::fhir::json::{obj, Out};
use crate::fhir::outcome::TX_ISSUE_TYPE;
use crate::fhir::terminology::valueset::{evaluate, Evaluated};
use crate::fhir::terminology::{split_canonical, Registry};
use crate::fhir::{FhirError, FhirParams, FhirState, Params};

/// One problem found.
struct Issue {
    severity: &'static str,
    code: &'static str,
    tx: &'static str,
    text: String,
    expression: String,
}

impl Issue {
    fn error(code: &'static str, tx: &'static str, text: String, expression: String) -> Self {
        Self { severity: "error", code, tx, text, expression }
    }
    fn to_json(&self) -> Value {
        if self.expression.is_empty() {
            return json!({
                "severity": self.severity, "code": self.code,
                "details": {"coding": [{"system": TX_ISSUE_TYPE, "code": self.tx}], "text": self.text},
            });
        }
        let mut issue = json!({
            "severity": self.severity, "code": self.code,
            "details": {"coding": [{"system": TX_ISSUE_TYPE, "code": self.tx}], "text": self.text},
            "expression": [self.expression],
        });
        // `location` (deprecated in R5) is given for a code or Coding, as HL7's servers do.
        if !self.expression.starts_with("CodeableConcept") {
            issue["location"] = json!([self.expression]);
        }
        issue
    }
}

/// A coding to check, with the path of its fields in the request.
struct Input {
    system: Option<String>,
    version: Option<String>,
    code: String,
    display: Option<String>,
    path: String,
}

/// What checking one coding found.
#[derive(Default)]
struct Checked {
    ok: bool,
    system: Option<String>,
    version: Option<String>,
    code: String,
    display: Option<String>,
    inactive: bool,
    issues: Vec<Issue>,
    /// Whether the code is in the value set (or, without one, in the code system).
    member: bool,
    /// The code system that could not be found: (parameter name, canonical).
    unknown_system: Option<(&'static str, String)>,
}

/// The value set of a `ValueSet/$validate-code`, evaluated.
struct Vs {
    canonical: String,
    language: Option<String>,
    members: Evaluated,
}

/// `GET|POST /fhir/CodeSystem/$validate-code`.
pub(crate) async fn cs_validate(
    State(state): State<FhirState>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let reg = registry(&state, &p, &headers)?;
    let mut inputs = inputs(&p)?;
    if let Some(url) = p.str("url") {
        for i in &mut inputs {
            i.system.get_or_insert_with(|| url.clone());
        }
    }
    Ok(ok_in(&answer(&reg, None, &inputs, &p, accept_language(&headers))?, &reg.release))
}

/// `GET|POST /fhir/ValueSet/$validate-code`.
pub(crate) async fn vs_validate(
    State(state): State<FhirState>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let reg = registry(&state, &p, &headers)?;
    let vs = match (p.resources("valueSet").first(), p.str("url")) {
        (Some(r), _) => (*r).clone(),
        (None, Some(url)) => {
            let url = match p.str("valueSetVersion") {
                Some(v) => format!("{}|{v}", split_canonical(&url).0),
                None => url,
            };
            reg.value_set(&url).ok_or_else(|| {
                FhirError::not_found(format!("A definition for the value Set '{url}' could not be found"))
            })?
        }
        (None, None) => return Err(FhirError::invalid("ValueSet/$validate-code needs a url or a valueSet")),
    };
    let canonical = match (vs["url"].as_str(), vs["version"].as_str()) {
        (Some(u), Some(v)) => format!("{u}|{v}"),
        (Some(u), None) => u.to_owned(),
        _ => "(unidentified)".to_owned(),
    };
    let members = evaluate(&reg, &vs)?;
    let inputs = inputs(&p)?;
    Ok(ok_in(
        &answer(
            &reg,
            Some(&Vs { canonical, language: vs["language"].as_str().map(str::to_owned), members }),
            &inputs,
            &p,
            accept_language(&headers),
        )?,
        &reg.release,
    ))
}

/// The codings of the request: `code`+`system`, `coding`, or each coding of `codeableConcept`.
fn inputs(p: &Params) -> Result<Vec<Input>, FhirError> {
    let of = |c: &Value, path: String| Input {
        system: c["system"].as_str().map(str::to_owned),
        version: c["version"].as_str().map(str::to_owned),
        code: c["code"].as_str().unwrap_or_default().to_owned(),
        display: c["display"].as_str().map(str::to_owned),
        path,
    };
    if let Some(cc) = p.codeable_concept("codeableConcept") {
        let codings = cc["coding"].as_array().cloned().unwrap_or_default();
        return Ok(codings.iter().enumerate().map(|(i, c)| of(c, format!("CodeableConcept.coding[{i}]."))).collect());
    }
    if let Some(c) = p.coding("coding") {
        return Ok(vec![of(c, "Coding.".into())]);
    }
    let code = p
        .str("code")
        .ok_or_else(|| FhirError::invalid("$validate-code needs a code, a coding or a codeableConcept"))?;
    Ok(vec![Input {
        system: p.str("system"),
        version: p.str("systemVersion").or_else(|| p.str("version")),
        code,
        display: p.str("display"),
        path: String::new(),
    }])
}

/// The `Parameters` answer over every input coding.
fn answer(
    reg: &Registry<'_>,
    vs: Option<&Vs>,
    inputs: &[Input],
    p: &Params,
    header_language: Option<String>,
) -> Result<Value, FhirError> {
    let language = p.str("displayLanguage").or(header_language).or_else(|| vs.and_then(|v| v.language.clone()));
    let active_only = p.bool("activeOnly")?.unwrap_or(false);
    let lenient = p.bool("lenient-display-validation")?.unwrap_or(false);
    let mut checked: Vec<Checked> = Vec::new();
    for i in inputs {
        checked.push(check(reg, vs, i, language.as_deref(), (active_only, lenient))?);
    }
    let cc = p.codeable_concept("codeableConcept").is_some();
    let mut extra: Vec<Issue> = Vec::new();
    let (best, ok) = if cc {
        // In a CodeableConcept, one coding in the value set is enough; a coding that is not
        // in it is information, a coding that is wrong in its code system stays an error.
        for c in &mut checked {
            for i in &mut c.issues {
                if i.tx == "not-in-vs" {
                    i.severity = "information";
                    i.tx = "this-code-not-in-vs";
                }
            }
        }
        let member = checked.iter().position(|c| c.member);
        let coding_errors = checked.iter().flat_map(|c| &c.issues).any(|i| i.severity == "error");
        if member.is_none() && !coding_errors {
            if let Some(vs) = vs {
                extra.push(Issue {
                    severity: "error",
                    code: "code-invalid",
                    tx: "not-in-vs",
                    text: format!("No valid coding was found for the value set '{}'", vs.canonical),
                    expression: String::new(),
                });
            }
        }
        let errors = checked.iter().flat_map(|c| &c.issues).any(|i| i.severity == "error");
        (member.unwrap_or(0), member.is_some() && !errors && extra.is_empty())
    } else {
        (0, checked.first().is_some_and(|c| c.ok))
    };
    let issues: Vec<&Issue> = checked.iter().flat_map(|c| &c.issues).chain(&extra).collect();
    let mut out = Out::default();
    out.add("result", "valueBoolean", ok);
    if let Some(c) = checked.get(best).filter(|c| !cc || c.member) {
        if !c.code.is_empty() {
            out.add("code", "valueCode", c.code.as_str());
        }
        if let Some(s) = &c.system {
            out.add("system", "valueUri", s.as_str());
        }
        if let Some(v) = &c.version {
            out.add("version", "valueString", v.as_str());
        }
        if let Some(d) = &c.display {
            out.add("display", "valueString", d.as_str());
        }
        if c.inactive {
            out.add("inactive", "valueBoolean", true);
        }
    }
    for (name, canonical) in checked.iter().filter(|_| !ok).filter_map(|c| c.unknown_system.as_ref()) {
        out.add(name, "valueCanonical", canonical.as_str());
    }
    if let Some(cc) = p.codeable_concept("codeableConcept") {
        out.add("codeableConcept", "valueCodeableConcept", cc.clone());
    }
    if !issues.is_empty() {
        let mut texts: Vec<&str> =
            issues.iter().filter(|i| i.severity != "information").map(|i| i.text.as_str()).collect();
        texts.sort_unstable();
        texts.dedup();
        if !texts.is_empty() {
            out.add("message", "valueString", texts.join("; "));
        }
        let list: Vec<Value> = issues.iter().map(|i| i.to_json()).collect();
        out.resource("issues", obj([("resourceType", Value::from("OperationOutcome")), ("issue", Value::Array(list))]));
    }
    Ok(out.build())
}

/// Checks one coding against the code system and, when given, the value set.
fn check(
    reg: &Registry<'_>,
    vs: Option<&Vs>,
    i: &Input,
    language: Option<&str>,
    flags: (bool, bool),
) -> Result<Checked, FhirError> {
    let (active_only, lenient) = flags;
    let mut out = Checked { code: i.code.clone(), ..Checked::default() };
    let expr = |f: &str| format!("{}{f}", i.path);
    let system = match (&i.system, vs) {
        (Some(s), _) => s.clone(),
        (None, Some(vs)) if i.path.is_empty() => match implied_system(vs, &i.code) {
            Some(s) => s,
            None => {
                out.issues.push(Issue::error(
                    "code-invalid",
                    "not-in-vs",
                    format!("The provided code '#{}' was not found in the value set '{}'", i.code, vs.canonical),
                    expr("code"),
                ));
                out.issues.push(Issue::error(
                    "not-found",
                    "cannot-infer",
                    format!(
                        "The System URI could not be determined for the code '{}' in the ValueSet '{}'",
                        i.code, vs.canonical
                    ),
                    expr("code"),
                ));
                return Ok(out);
            }
        },
        (None, _) => {
            if let Some(vs) = vs {
                out.issues.push(Issue::error(
                    "code-invalid",
                    "not-in-vs",
                    format!("The provided code '#{}' was not found in the value set '{}'", i.code, vs.canonical),
                    expr("code"),
                ));
            }
            out.issues.push(Issue {
                severity: if vs.is_some() { "warning" } else { "error" },
                code: "invalid",
                tx: "invalid-data",
                text: "Coding has no system. A code with no system has no defined meaning, and it cannot be validated. A system should be provided".into(),
                expression: i.path.trim_end_matches('.').to_owned(),
            });
            return Ok(out);
        }
    };
    out.system = Some(system.clone());
    let shown = i.display.as_ref().map(|d| format!(" ('{d}')")).unwrap_or_default();
    let versioned = i.version.as_ref().map(|v| format!("|{v}")).unwrap_or_default();
    let not_in_vs = |out: &mut Checked| {
        if let Some(vs) = vs {
            out.issues.push(Issue::error(
                "code-invalid",
                "not-in-vs",
                format!(
                    "The provided code '{system}{versioned}#{}{shown}' was not found in the value set '{}'",
                    i.code, vs.canonical
                ),
                expr("code"),
            ));
        }
    };
    // A coding whose version is not the one the value set includes.
    if let (Some(vs), Some(given)) = (vs, &i.version) {
        let in_vs: Vec<&crate::fhir::terminology::valueset::Member> =
            vs.members.members.iter().filter(|m| m.cs.url == system && m.code() == i.code).collect();
        if !in_vs.is_empty() && in_vs.iter().all(|m| m.cs.version.as_deref() != Some(given.as_str())) {
            let m = in_vs[0];
            let concept = &m.cs.concepts[m.idx];
            out.version = m.cs.version.clone();
            out.display = concept.display.clone();
            out.issues.push(Issue {
                severity: "error",
                code: "invalid",
                tx: "vs-invalid",
                text: format!(
                    "The code system '{system}' version '{}' in the ValueSet include is different to the one in the value ('{given}')",
                    m.cs.version.as_deref().unwrap_or("")
                ),
                expression: expr("version"),
            });
            return Ok(out);
        }
    }
    // A coding without a version is read in the version the value set includes.
    let from_vs = vs.filter(|_| i.version.is_none()).and_then(|vs| {
        vs.members
            .members
            .iter()
            .find(|m| m.cs.url == system && m.code() == i.code)
            .map(|m| std::sync::Arc::clone(&m.cs))
    });
    let found = match from_vs {
        Some(cs) => Some(cs),
        None if vs.is_none() => reg.code_system_for(&system, i.version.as_deref(), &i.code)?,
        None => reg.code_system(&system, i.version.as_deref())?,
    };
    let Some(cs) = found else {
        out.version = reg.known_versions(&system).pop();
        match reg.wanted_version(&system, i.version.as_deref()) {
            Some(v) => {
                let text = format!(
                    "A definition for CodeSystem '{system}' version '{v}' could not be found, so the code cannot be validated. Valid versions: {}",
                    reg.known_versions(&system).join(" or ")
                );
                out.issues.push(Issue::error("not-found", "not-found", text, expr("system")));
                out.unknown_system = Some(("x-caused-by-unknown-system", format!("{system}|{v}")));
            }
            None => {
                let text =
                    format!("A definition for CodeSystem {system} could not be found, so the code cannot be validated");
                out.issues.push(Issue::error("not-found", "not-found", text, expr("system")));
                not_in_vs(&mut out);
                out.unknown_system = Some(("x-unknown-system", system.clone()));
            }
        }
        return Ok(out);
    };
    out.version = cs.version.clone();
    let Some(idx) = cs.find_index(&i.code) else {
        not_in_vs(&mut out);
        out.issues.push(Issue::error(
            "code-invalid",
            "invalid-code",
            format!(
                "Unknown code '{}' in the CodeSystem '{}' version '{}'",
                i.code,
                cs.url,
                cs.version.as_deref().unwrap_or("")
            ),
            expr("code"),
        ));
        return Ok(out);
    };
    let concept = &cs.concepts[idx];
    out.member = vs.is_none();
    out.code = concept.code.clone();
    out.display = concept.display.clone();
    out.inactive = concept.inactive;
    let mut ok = true;
    if let Some(vs) = vs {
        let member =
            vs.members.members.iter().any(|m| m.cs.url == cs.url && m.cs.version == cs.version && m.idx == idx);
        let inactive_refused = concept.inactive && (vs.members.inactive_excluded || active_only);
        out.member = member && !inactive_refused;
        if !member || inactive_refused {
            if inactive_refused {
                out.issues.push(Issue::error(
                    "business-rule",
                    "code-rule",
                    format!("The concept '{}' is valid but is not active", concept.code),
                    expr("code"),
                ));
            }
            not_in_vs(&mut out);
            ok = false;
        }
    }
    if concept.inactive {
        let status = concept.status.clone().unwrap_or_else(|| "inactive".into());
        out.issues.push(Issue {
            severity: "warning",
            code: "business-rule",
            tx: "code-comment",
            text: format!("The concept '{}' has a status of {status} and its use should be reviewed", concept.code),
            expression: i.path.trim_end_matches('.').to_owned(),
        });
    }
    let languages: Vec<&str> = language
        .map(|l| l.split(',').map(|x| x.split(';').next().unwrap_or("").trim()).filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    let lang_ok = |l: Option<&str>| match l {
        _ if languages.is_empty() => true,
        None => true,
        Some(have) => languages.iter().any(|want| {
            *want == "*"
                || have == *want
                || have.starts_with(&format!("{want}-"))
                || want.starts_with(&format!("{have}-"))
        }),
    };
    if let Some(given) = &i.display {
        let mut valid: Vec<&str> =
            concept.display.iter().filter(|_| lang_ok(cs.language.as_deref())).map(String::as_str).collect();
        valid.extend(concept.designations.iter().filter(|d| lang_ok(d.language.as_deref())).map(|d| d.value.as_str()));
        if valid.iter().any(|v| v == given) {
            out.display = Some(given.clone());
        } else {
            let choices = if valid.is_empty() {
                format!("'{}'", concept.display.as_deref().unwrap_or_default())
            } else if valid.len() == 1 {
                format!("'{}'", valid[0])
            } else {
                format!(
                    "one of {} choices: {}",
                    valid.len(),
                    valid.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(" or ")
                )
            };
            out.issues.push(Issue {
                severity: if lenient { "warning" } else { "error" },
                code: "invalid",
                tx: "invalid-display",
                text:
                format!(
                    "Wrong Display Name '{given}' for {system}#{}. Valid display is {choices} (for the language(s) '{}')",
                    concept.code,
                    language.unwrap_or("--")
                ),
                expression: expr("display"),
            });
            ok &= lenient;
        }
    }
    out.ok = ok;
    Ok(out)
}

/// The one system of a value set that has the code, when a coding gives none.
fn implied_system(vs: &Vs, code: &str) -> Option<String> {
    let mut systems: Vec<&str> =
        vs.members.members.iter().filter(|m| m.code() == code).map(|m| m.cs.url.as_str()).collect();
    systems.dedup();
    (systems.len() == 1).then(|| systems[0].to_owned())
}
