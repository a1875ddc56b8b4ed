//! `ValueSet/$expand`: the codes of a value set (given by url, as a resource, or the implicit
//! `{system}?fhir_vs` of a code system), with `filter` run by henkan's Japanese-aware search on
//! the release's code systems (kana, romaji and typos work), paging, `activeOnly` and
//! `displayLanguage`.

use std::collections::{HashMap, HashSet};

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::{accept_language, ok_in, registry};
use crate::fhir::json::{now, obj, urn_uuid};
use crate::fhir::terminology::codesystem::CodeSystemDef;
use crate::fhir::terminology::valueset::{evaluate, Member};
use crate::fhir::terminology::{split_canonical, Registry};
use crate::fhir::{FhirError, FhirParams, FhirState, Params};
use crate::model::resolve_system;

/// The most codes one answer holds without `count`.
const MAX_EXPANSION: usize = 10_000;
/// The most search hits a `filter` on a release's code system reads.
const MAX_SEARCH_HITS: usize = 100;

/// The expansion parameters echoed in `expansion.parameter`, with their FHIR types.
const ECHOED: &[(&str, &str)] = &[
    ("filter", "valueString"),
    ("count", "valueInteger"),
    ("offset", "valueInteger"),
    ("activeOnly", "valueBoolean"),
    ("excludeNested", "valueBoolean"),
    ("excludeNotForUI", "valueBoolean"),
    ("includeDesignations", "valueBoolean"),
    ("includeDefinition", "valueBoolean"),
    ("displayLanguage", "valueCode"),
    ("force-system-version", "valueUri"),
    ("designation", "valueString"),
];

/// The codes of an answer; the code systems and supplements used (`url|version`, the
/// `expansion.parameter` name); the systems whose version a parameter chose; their languages.
type Expanded = (Vec<Row>, Vec<(String, &'static str)>, Vec<String>);

/// One code of the answer.
struct Row {
    system: String,
    /// The code system version, given when the value set names it.
    version: Option<String>,
    code: String,
    display: Option<String>,
    inactive: bool,
    abstract_: bool,
    designations: Vec<Value>,
}

/// `GET|POST /fhir/ValueSet/$expand`.
pub(crate) async fn expand(
    State(state): State<FhirState>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let reg = registry(&state, &p, &headers)?;
    let vs = value_set(&reg, &p)?;
    let filter = p.str("filter").map(|f| f.trim().to_owned()).filter(|f| !f.is_empty());
    let active_only = p.bool("activeOnly")?.unwrap_or(false);
    let (rows, used, pinned) = match searchable(&reg, &vs, filter.as_deref()) {
        Some((slug, q)) => search(&reg, slug, &q)?,
        None => members(&reg, &vs, filter.as_deref(), &p, accept_language(&headers))?,
    };
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| !(active_only && r.inactive))
        .filter(|r| !(p.bool("excludeNotForUI").ok().flatten() == Some(true) && r.abstract_))
        .collect();
    let total = rows.len();
    let offset = p.usize("offset")?.unwrap_or(0);
    let count = p.usize("count")?;
    if count.is_none() && total > MAX_EXPANSION {
        return Err(FhirError::too_costly(format!(
            "the expansion of {} has {total} codes, more than the {MAX_EXPANSION} one answer holds; page it with count and offset, or narrow it with filter",
            vs["url"].as_str().unwrap_or("the value set")
        )));
    }
    let page: Vec<Value> = rows
        .iter()
        .skip(offset)
        .take(count.unwrap_or(usize::MAX))
        .map(|r| contains(r, p.bool("includeDesignations").ok().flatten() == Some(true)))
        .collect();
    let mut parameters: Vec<Value> = ECHOED
        .iter()
        .filter_map(|(name, ty)| {
            let v = p.str(name)?;
            let value = match *ty {
                "valueBoolean" => json!(v == "true"),
                "valueInteger" => json!(v.parse::<u64>().ok()?),
                _ => json!(v),
            };
            Some(json!({"name": name, *ty: value}))
        })
        .collect();
    // A display language from the header or the value set is echoed as if it were asked for.
    if p.str("displayLanguage").is_none() {
        if let Some(l) = accept_language(&headers).or_else(|| vs_language(&vs)) {
            parameters.push(json!({"name": "displayLanguage", "valueCode": l}));
        }
    }
    // A default or checked version is echoed when it chose the version of an include.
    for name in ["system-version", "check-system-version"] {
        for pin in p.strs(name) {
            if pinned.iter().any(|u| u == split_canonical(&pin).0) {
                parameters.push(json!({"name": name, "valueUri": pin}));
            }
        }
    }
    parameters.extend(used.iter().map(|(u, name)| json!({"name": name, "valueUri": u})));
    let mut out = vs.clone();
    if let Some(o) = out.as_object_mut() {
        o.remove("text");
        o.remove("expansion");
        o.remove("compose");
    }
    let empty = page.is_empty();
    let mut expansion = obj([
        ("identifier", Value::from(urn_uuid())),
        ("timestamp", Value::from(now())),
        ("total", Value::from(total)),
        ("parameter", Value::Array(parameters)),
        ("contains", Value::Array(page)),
    ]);
    if p.str("offset").is_some() {
        expansion["offset"] = json!(offset);
    }
    if empty {
        expansion.as_object_mut().map(|e| e.remove("contains"));
    }
    out["expansion"] = expansion;
    Ok(ok_in(&out, &reg.release))
}

/// The display language a value set asks for: its `language`, or a `displayLanguage`
/// expansion parameter of its compose (the `valueset-expansion-parameter` extension).
fn vs_language(vs: &Value) -> Option<String> {
    let from_compose = vs["compose"]["extension"].as_array().into_iter().flatten().find_map(|e| {
        let parts = e["extension"].as_array()?;
        let name = parts.iter().find(|p| p["url"] == "name")?["valueCode"].as_str()?;
        let value = parts.iter().find(|p| p["url"] == "value")?;
        (e["url"] == "http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter"
            && name == "displayLanguage")
            .then(|| value["valueCode"].as_str().or(value["valueString"].as_str()).map(str::to_owned))
            .flatten()
    });
    from_compose.or_else(|| vs["language"].as_str().map(str::to_owned))
}

/// The value set asked for.
fn value_set(reg: &Registry<'_>, p: &Params) -> Result<Value, FhirError> {
    if let Some(r) = p.resources("valueSet").first() {
        return Ok((*r).clone());
    }
    let url = p.str("url").ok_or_else(|| FhirError::invalid("$expand needs a url or a valueSet"))?;
    let url = match p.str("valueSetVersion") {
        Some(v) => format!("{}|{v}", split_canonical(&url).0),
        None => url,
    };
    reg.value_set(&url)
        .ok_or_else(|| FhirError::not_found(format!("A definition for the value Set '{url}' could not be found")))
}

/// A filter over the whole of one of the release's code systems: answered by the search
/// index alone, without reading the code system.
fn searchable(reg: &Registry<'_>, vs: &Value, filter: Option<&str>) -> Option<(&'static str, String)> {
    let q = filter?;
    let includes = vs["compose"]["include"].as_array()?;
    let [inc] = includes.as_slice() else { return None };
    if vs["compose"]["exclude"].as_array().is_some_and(|e| !e.is_empty())
        || inc.get("concept").is_some()
        || inc.get("filter").is_some()
        || inc.get("valueSet").is_some()
    {
        return None;
    }
    let system = inc["system"].as_str()?;
    let cs = resolve_system(system).filter(|cs| cs.uri == system)?;
    let version = inc["version"].as_str();
    let rs = reg.release.system(cs.slug)?;
    if version.is_some_and(|v| v != rs.version) || reg.given_code_systems().iter().any(|c| c.url == system) {
        return None;
    }
    Some((cs.slug, q.to_owned()))
}

/// The search hits of a filter on one of the release's code systems, best first.
fn search(reg: &Registry<'_>, slug: &'static str, q: &str) -> Result<Expanded, FhirError> {
    let answer = reg.state.service.search(q, Some(slug), Some(&reg.release.id), MAX_SEARCH_HITS, 0)?;
    let cs = resolve_system(slug).expect("a slug from resolve_system");
    let version = reg.release.system(slug).map(|s| s.version.clone()).unwrap_or_default();
    let rows = answer
        .results
        .into_iter()
        .map(|h| Row {
            system: cs.uri.to_owned(),
            version: None,
            code: h.code,
            display: Some(h.display),
            inactive: h.status == crate::model::Status::Retired,
            abstract_: false,
            designations: Vec::new(),
        })
        .collect();
    Ok((rows, vec![(format!("{}|{version}", cs.uri), "used-codesystem")], Vec::new()))
}

/// The members of the value set, filtered by `filter` (search ranking on the release's code
/// systems, word prefixes on the others).
fn members(
    reg: &Registry<'_>,
    vs: &Value,
    filter: Option<&str>,
    p: &Params,
    header_language: Option<String>,
) -> Result<Expanded, FhirError> {
    let evaluated = evaluate(reg, vs)?;
    if let Some((url, version)) = evaluated.missing.first() {
        let text = match version {
            Some(v) => format!("A definition for CodeSystem '{url}' version '{v}' could not be found, so the value set cannot be expanded"),
            None => format!("A definition for CodeSystem '{url}' could not be found, so the value set cannot be expanded"),
        };
        return Err(FhirError::not_found(text));
    }
    let mut members = evaluated.members;
    if let Some(q) = filter {
        members = filtered(reg, members, q)?;
    }
    let language = p
        .str("displayLanguage")
        .or_else(|| header_language.clone())
        .or_else(|| vs["language"].as_str().map(str::to_owned));
    let languages: Vec<String> = language
        .iter()
        .flat_map(|l| l.split(','))
        .filter(|x| !x.contains("q=0") || x.contains("q=0."))
        .map(|x| x.split(';').next().unwrap_or("").trim().to_owned())
        .filter(|x| !x.is_empty() && x != "*")
        .collect();
    let mut rows: Vec<Row> = members.iter().map(|m| row(m, &languages)).collect();
    // A code's version is given when the expansion holds its system in more than one version.
    let mut versions: HashMap<&str, HashSet<&str>> = HashMap::new();
    for m in &members {
        versions.entry(m.cs.url.as_str()).or_default().insert(m.cs.version.as_deref().unwrap_or(""));
    }
    for r in &mut rows {
        if versions.get(r.system.as_str()).is_none_or(|v| v.len() < 2) {
            r.version = None;
        }
    }
    let mut used: Vec<(String, &'static str)> = evaluated.used.into_iter().map(|u| (u, "used-codesystem")).collect();
    used.extend(evaluated.supplements.into_iter().map(|u| (u, "used-supplement")));
    Ok((rows, used, evaluated.pinned))
}

fn filtered(reg: &Registry<'_>, members: Vec<Member>, q: &str) -> Result<Vec<Member>, FhirError> {
    let mut rank: HashMap<(String, String), usize> = HashMap::new();
    let henkan: Vec<&'static str> = {
        let mut v: Vec<&'static str> = members.iter().filter_map(|m| m.cs.henkan).collect();
        v.dedup();
        v
    };
    for slug in henkan {
        let hits = reg.state.service.search(q, Some(slug), Some(&reg.release.id), MAX_SEARCH_HITS, 0)?;
        let uri = resolve_system(slug).map(|c| c.uri).unwrap_or_default();
        for (i, h) in hits.results.into_iter().enumerate() {
            rank.entry((uri.to_owned(), h.code)).or_insert(i);
        }
    }
    let words: Vec<String> = q.to_lowercase().split_whitespace().map(str::to_owned).collect();
    let mut kept: Vec<(usize, Member)> = members
        .into_iter()
        .filter_map(|m| {
            if m.cs.henkan.is_some() {
                return rank.get(&(m.cs.url.clone(), m.code().to_owned())).map(|&r| (r, m));
            }
            text_matches(&m.cs, &m, &words).then_some((usize::MAX, m))
        })
        .collect();
    kept.sort_by_key(|(r, _)| *r);
    Ok(kept.into_iter().map(|(_, m)| m).collect())
}

/// Whether every word of the filter starts a word of the display or a designation.
fn text_matches(cs: &CodeSystemDef, m: &Member, words: &[String]) -> bool {
    let c = &cs.concepts[m.idx];
    let texts = c.display.iter().chain(m.display.iter()).chain(c.designations.iter().map(|d| &d.value));
    let haystack: Vec<String> = texts.map(|t| t.to_lowercase()).collect();
    words.iter().all(|w| {
        haystack.iter().any(|h| {
            h.split(|ch: char| !ch.is_alphanumeric()).any(|t| t.starts_with(w.as_str())) || h.starts_with(w.as_str())
        })
    })
}

fn row(m: &Member, languages: &[String]) -> Row {
    let c = &m.cs.concepts[m.idx];
    let matches = |have: Option<&str>, want: &str| {
        have.is_some_and(|h| h == want || h.starts_with(&format!("{want}-")) || want.starts_with(&format!("{h}-")))
    };
    let cs_language = m.cs.language.as_deref();
    let mut display = None;
    for want in languages {
        if matches(cs_language, want) || cs_language.is_none() {
            break;
        }
        if let Some(d) = m.designations.iter().chain(&c.designations).find(|d| matches(d.language.as_deref(), want)) {
            display = Some(d.value.clone());
            break;
        }
    }
    let display = display.or_else(|| m.display.clone()).or_else(|| c.display.clone());
    let designations = m.designations.iter().chain(&c.designations).map(|d| d.to_json()).collect();
    Row {
        system: m.cs.url.clone(),
        version: m.cs.version.clone(),
        code: c.code.clone(),
        display,
        inactive: c.inactive,
        abstract_: c.abstract_,
        designations,
    }
}

fn contains(r: &Row, designations: bool) -> Value {
    let mut c = json!({"system": r.system, "code": r.code});
    if let Some(v) = &r.version {
        c["version"] = json!(v);
    }
    if let Some(d) = &r.display {
        c["display"] = json!(d);
    }
    if r.abstract_ {
        c["abstract"] = json!(true);
    }
    if r.inactive {
        c["inactive"] = json!(true);
    }
    if designations && !r.designations.is_empty() {
        c["designation"] = json!(r.designations);
    }
    c
}
