//! Value set evaluation: a `ValueSet.compose` (include and exclude, each by code list, filters
//! and other value sets) computed into its members over the registry's code systems.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;

use super::codesystem::{CodeSystemDef, Designation};
use super::Registry;
use crate::fhir::outcome::FhirError;

/// One code of a value set.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) cs: Arc<CodeSystemDef>,
    pub(crate) idx: usize,
    /// The display the value set gives the code, when it gives one.
    pub(crate) display: Option<String>,
    /// Designations the value set adds.
    pub(crate) designations: Vec<Designation>,
}

impl Member {
    /// The code.
    pub(crate) fn code(&self) -> &str {
        &self.cs.concepts[self.idx].code
    }
}

/// The members of a value set, and the code system versions used.
#[derive(Debug, Default)]
pub(crate) struct Evaluated {
    pub(crate) members: Vec<Member>,
    pub(crate) used: Vec<String>,
    /// Code systems whose version came from a `system-version` or `check-system-version`
    /// parameter (the include named none).
    pub(crate) pinned: Vec<String>,
    /// Supplements applied (`url|version`).
    pub(crate) supplements: Vec<String>,
    /// Code systems that could not be found: (url, version).
    pub(crate) missing: Vec<(String, Option<String>)>,
    /// Whether the value set excludes inactive codes (`compose.inactive: false`).
    pub(crate) inactive_excluded: bool,
}

/// How deep value sets may import each other.
const MAX_DEPTH: usize = 8;

/// Evaluates a ValueSet's compose.
pub(crate) fn evaluate(reg: &Registry<'_>, vs: &Value) -> Result<Evaluated, FhirError> {
    evaluate_at(reg, vs, 0)
}

fn evaluate_at(reg: &Registry<'_>, vs: &Value, depth: usize) -> Result<Evaluated, FhirError> {
    if depth > MAX_DEPTH {
        return Err(FhirError::invalid("value sets import each other too deeply (a cycle?)"));
    }
    let compose = &vs["compose"];
    let mut out = Evaluated::default();
    if compose.is_null() {
        // An expansion given without a compose: its contains are the members.
        if let Some(contains) = vs["expansion"]["contains"].as_array() {
            for c in contains {
                let (Some(system), Some(code)) = (c["system"].as_str(), c["code"].as_str()) else { continue };
                if let Some(cs) = reg.code_system(system, c["version"].as_str())? {
                    if let Some(idx) = cs.find_index(code) {
                        out.members.push(Member { cs, idx, display: None, designations: Vec::new() });
                    }
                }
            }
        }
        return Ok(out);
    }
    out.inactive_excluded = compose["inactive"] == Value::Bool(false);
    let mut seen = HashSet::new();
    for inc in compose["include"].as_array().into_iter().flatten() {
        for m in include(reg, vs, inc, depth, &mut out)? {
            if seen.insert((m.cs.url.clone(), m.cs.version.clone(), m.code().to_owned())) {
                out.members.push(m);
            }
        }
    }
    let mut excluded = HashSet::new();
    for exc in compose["exclude"].as_array().into_iter().flatten() {
        let mut scratch = Evaluated::default();
        for m in include(reg, vs, exc, depth, &mut scratch)? {
            excluded.insert((m.cs.url.clone(), m.cs.version.clone(), m.code().to_owned()));
        }
    }
    if !excluded.is_empty() {
        // An exclude without a version removes the code in every version.
        out.members.retain(|m| !excluded.contains(&(m.cs.url.clone(), m.cs.version.clone(), m.code().to_owned())));
    }
    if out.inactive_excluded {
        out.members.retain(|m| !m.cs.concepts[m.idx].inactive);
    }
    Ok(out)
}

/// The members of one include (or exclude) element.
fn include(
    reg: &Registry<'_>,
    vs: &Value,
    inc: &Value,
    depth: usize,
    out: &mut Evaluated,
) -> Result<Vec<Member>, FhirError> {
    let from_sets = value_sets(reg, vs, inc, depth)?;
    let Some(system) = inc["system"].as_str() else {
        return match from_sets {
            Some(members) => Ok(members),
            None => Err(FhirError::invalid("a compose include has neither a system nor a valueSet")),
        };
    };
    let version = inc["version"].as_str();
    if version.is_none() && reg.wanted_version(system, None).is_some() && !out.pinned.iter().any(|p| p == system) {
        out.pinned.push(system.to_owned());
    }
    let Some(cs) = reg.code_system(system, version)? else {
        out.missing.push((system.to_owned(), reg.wanted_version(system, version)));
        return Ok(Vec::new());
    };
    let canonical = cs.canonical();
    if !out.used.contains(&canonical) {
        out.used.push(canonical);
    }
    for s in &cs.applied_supplements {
        if !out.supplements.contains(s) {
            out.supplements.push(s.clone());
        }
    }
    let mut members: Vec<Member> = match inc["concept"].as_array() {
        Some(list) => list
            .iter()
            .filter_map(|c| {
                let idx = cs.find_index(c["code"].as_str()?)?;
                Some(Member {
                    cs: Arc::clone(&cs),
                    idx,
                    display: c["display"].as_str().map(str::to_owned),
                    designations: c["designation"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|d| {
                            Some(Designation {
                                language: d["language"].as_str().map(str::to_owned),
                                use_: d.get("use").cloned(),
                                value: d["value"].as_str()?.to_owned(),
                            })
                        })
                        .collect(),
                })
            })
            .collect(),
        None => (0..cs.concepts.len())
            .map(|idx| Member { cs: Arc::clone(&cs), idx, display: None, designations: Vec::new() })
            .collect(),
    };
    for f in inc["filter"].as_array().into_iter().flatten() {
        let keep = filter(&cs, f)?;
        members.retain(|m| keep(m.idx));
    }
    if let Some(allowed) = from_sets {
        let codes: HashSet<(String, String)> =
            allowed.iter().map(|m| (m.cs.url.clone(), m.code().to_owned())).collect();
        members.retain(|m| codes.contains(&(m.cs.url.clone(), m.code().to_owned())));
    }
    Ok(members)
}

/// The intersection of the value sets an include names, if it names any.
fn value_sets(reg: &Registry<'_>, parent: &Value, inc: &Value, depth: usize) -> Result<Option<Vec<Member>>, FhirError> {
    let Some(urls) = inc["valueSet"].as_array().filter(|a| !a.is_empty()) else { return Ok(None) };
    let mut result: Option<Vec<Member>> = None;
    for url in urls.iter().filter_map(Value::as_str) {
        // `#id` names a value set contained in the one being evaluated.
        let contained = url
            .strip_prefix('#')
            .and_then(|id| parent["contained"].as_array()?.iter().find(|c| c["id"].as_str() == Some(id)).cloned());
        let vs = contained.or_else(|| reg.value_set(url)).ok_or_else(|| {
            FhirError::not_found(format!("A definition for the value Set '{url}' could not be found"))
        })?;
        let members = evaluate_at(reg, &vs, depth + 1)?.members;
        result = Some(match result {
            None => members,
            Some(prev) => {
                let codes: HashSet<(String, String)> =
                    members.iter().map(|m| (m.cs.url.clone(), m.code().to_owned())).collect();
                prev.into_iter().filter(|m| codes.contains(&(m.cs.url.clone(), m.code().to_owned()))).collect()
            }
        });
    }
    Ok(result)
}

/// A compose filter as a predicate over concept indexes.
fn filter<'c>(cs: &'c CodeSystemDef, f: &Value) -> Result<Box<dyn Fn(usize) -> bool + 'c>, FhirError> {
    let property = f["property"].as_str().unwrap_or_default().to_owned();
    let op = f["op"].as_str().unwrap_or_default().to_owned();
    let value = f["value"].as_str().unwrap_or_default().to_owned();
    let concept_target = || {
        cs.find_index(&value).ok_or_else(|| {
            FhirError::invalid(format!("filter {property} {op} {value}: the code '{value}' is not in {}", cs.url))
        })
    };
    let hierarchy = property == "concept" || property == "code";
    Ok(match (hierarchy, op.as_str()) {
        (true, "is-a") => {
            let set: HashSet<usize> =
                concept_target().map(|t| cs.descendants_or_self(t).into_iter().collect()).unwrap_or_default();
            Box::new(move |i| set.contains(&i))
        }
        (true, "descendent-of") => {
            let t = concept_target().ok();
            let set: HashSet<usize> = t.map(|t| cs.descendants_or_self(t).into_iter().collect()).unwrap_or_default();
            Box::new(move |i| Some(i) != t && set.contains(&i))
        }
        (true, "is-not-a") => {
            let set: HashSet<usize> =
                concept_target().map(|t| cs.descendants_or_self(t).into_iter().collect()).unwrap_or_default();
            Box::new(move |i| !set.contains(&i))
        }
        (true, "child-of") => {
            let t = concept_target().ok();
            Box::new(move |i| t.is_some_and(|t| cs.concepts[i].parents.contains(&t)))
        }
        (true, "generalizes") => {
            let t = concept_target().ok();
            Box::new(move |i| t.is_some_and(|t| cs.is_a(t, i)))
        }
        (true, "in") => {
            let set: HashSet<String> = value.split(',').map(|s| s.trim().to_owned()).collect();
            Box::new(move |i| set.contains(&cs.concepts[i].code))
        }
        (true, "not-in") => {
            let set: HashSet<String> = value.split(',').map(|s| s.trim().to_owned()).collect();
            Box::new(move |i| !set.contains(&cs.concepts[i].code))
        }
        (true, "=") => Box::new(move |i| cs.concepts[i].code == value),
        (true, "regex") => {
            let re = regex(&value)?;
            Box::new(move |i| re.is_match(&cs.concepts[i].code))
        }
        (false, "exists") => {
            let want = value == "true";
            Box::new(move |i| property_of(cs, i, &property).is_some() == want)
        }
        (false, "=") => Box::new(move |i| property_of(cs, i, &property).as_deref() == Some(value.as_str())),
        (false, "in") => {
            let set: HashSet<String> = value.split(',').map(|s| s.trim().to_owned()).collect();
            Box::new(move |i| property_of(cs, i, &property).is_some_and(|v| set.contains(&v)))
        }
        (false, "not-in") => {
            let set: HashSet<String> = value.split(',').map(|s| s.trim().to_owned()).collect();
            Box::new(move |i| !property_of(cs, i, &property).is_some_and(|v| set.contains(&v)))
        }
        (false, "regex") => {
            let re = regex(&value)?;
            Box::new(move |i| property_of(cs, i, &property).is_some_and(|v| re.is_match(&v)))
        }
        _ => {
            return Err(FhirError::not_supported(format!(
                "the filter '{property} {op} {value}' is not supported on {}",
                cs.url
            )))
        }
    })
}

/// A regex filter value, anchored to the whole value as FHIR's regex filters are.
fn regex(pattern: &str) -> Result<regex::Regex, FhirError> {
    regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
        FhirError::invalid(format!("the regex filter value '{pattern}' is not a valid regular expression: {e}"))
    })
}

/// A concept's property as text, `display` and the `status`/`inactive` properties included.
fn property_of(cs: &CodeSystemDef, i: usize, property: &str) -> Option<String> {
    let c = &cs.concepts[i];
    match property {
        "display" => c.display.clone(),
        "inactive" => Some(c.inactive.to_string()),
        "notSelectable" => c.property(property).or_else(|| c.abstract_.then(|| "true".into())),
        "parent" => c.parents.first().map(|&p| cs.concepts[p].code.clone()),
        _ => c.property(property),
    }
}
