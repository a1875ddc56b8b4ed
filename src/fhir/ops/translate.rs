//! `ConceptMap/$translate`: a code through a release's mapping table (by `url`, by `system` +
//! `targetsystem`, or by `source`/`target` value sets), forward or `reverse`, or through a
//! ConceptMap given as `tx-resource`. Every match of a release's table carries the provenance
//! extension (method, score, review state, evidence chain, release); R4 `equivalence` comes
//! from henkan's relationship by the table in `crate::export::conceptmap`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::{ok_in, registry};
use crate::export::conceptmap::{equivalence, provenance};
use crate::fhir::json::{obj, part, Out};
use crate::fhir::terminology::{split_canonical, Registry};
use crate::fhir::{FhirError, FhirParams, FhirState, Params};
use crate::model::{resolve_system, Mapping, Release, ReleaseMapping};

/// The URL of a release's mapping table as a ConceptMap.
pub(crate) fn table_url(table: &str) -> String {
    format!("urn:henkan:ConceptMap:{table}")
}

/// A table's rows by target code, for `reverse`.
pub(crate) struct Reverse(HashMap<String, Vec<Mapping>>);

/// What is asked: a code of `system`, to be translated into `other` (or from it, reversed).
struct Ask {
    code: String,
    system: String,
    other: Option<String>,
    reverse: bool,
    url: Option<String>,
}

/// The system of a value set URL (`{system}?fhir_vs`, or a value set with one include).
fn vs_system(reg: &Registry<'_>, url: &str) -> Option<String> {
    let vs = reg.value_set(url)?;
    let includes = vs["compose"]["include"].as_array()?;
    includes.first()?["system"].as_str().map(str::to_owned)
}

fn ask(reg: &Registry<'_>, p: &Params) -> Result<Ask, FhirError> {
    let coding = |name: &str| {
        p.coding(name).map(|c| (c["code"].as_str().map(str::to_owned), c["system"].as_str().map(str::to_owned)))
    };
    let cc = p.codeable_concept("codeableConcept").or_else(|| p.codeable_concept("sourceCodeableConcept"));
    let cc_first = cc
        .and_then(|c| c["coding"].get(0))
        .map(|c| (c["code"].as_str().map(str::to_owned), c["system"].as_str().map(str::to_owned)));
    let vs_sys = |name: &str| p.str(name).and_then(|u| vs_system(reg, &u));
    // R5 names a reverse translation by its target code.
    if let Some((code, system)) =
        p.str("targetCode").map(|c| (Some(c), p.str("targetSystem"))).or_else(|| coding("targetCoding"))
    {
        return Ok(Ask {
            code: code.unwrap_or_default(),
            system: system.or_else(|| vs_sys("targetScope")).unwrap_or_default(),
            other: p.str("sourceSystem").or_else(|| vs_sys("sourceScope")),
            reverse: true,
            url: p.str("url"),
        });
    }
    let (code, system) = coding("coding")
        .or_else(|| coding("sourceCoding"))
        .or(cc_first)
        .unwrap_or((p.str("code").or_else(|| p.str("sourceCode")), p.str("system").or_else(|| p.str("sourceSystem"))));
    let reverse = p.bool("reverse")?.unwrap_or(false);
    let code = code.ok_or_else(|| FhirError::invalid("$translate needs a code (code, coding or codeableConcept)"))?;
    let system = system
        .or_else(|| vs_sys("source"))
        .ok_or_else(|| FhirError::invalid("$translate needs the code's system (system, or a coding with one)"))?;
    let other = p
        .str("targetsystem")
        .or_else(|| p.str("targetSystem"))
        .or_else(|| vs_sys("target"))
        .or_else(|| vs_sys("targetScope"));
    Ok(Ask { code, system, other, reverse, url: p.str("url") })
}

/// `GET|POST /fhir/ConceptMap/$translate`.
pub(crate) async fn translate(
    State(state): State<FhirState>,
    FhirParams(p, headers): FhirParams,
) -> Result<Response, FhirError> {
    let reg = registry(&state, &p, &headers)?;
    let ask = ask(&reg, &p)?;
    let body = match given_maps(&reg, &ask) {
        Some(maps) => translate_given(&maps, &ask),
        None => translate_release(&state, &reg.release, &ask)?,
    };
    Ok(ok_in(&body, &reg.release))
}

/// The ConceptMaps of the request that apply, if the request gives any that do.
fn given_maps<'r>(reg: &'r Registry<'_>, ask: &Ask) -> Option<Vec<&'r Value>> {
    let maps: Vec<&Value> = reg
        .concept_maps
        .iter()
        .filter(|cm| match &ask.url {
            Some(u) => cm["url"].as_str() == Some(split_canonical(u).0),
            None => cm["group"].as_array().into_iter().flatten().any(|g| {
                let (from, to) = if ask.reverse { ("target", "source") } else { ("source", "target") };
                g[from].as_str() == Some(ask.system.as_str())
                    && ask.other.as_deref().is_none_or(|o| g[to].as_str() == Some(o))
            }),
        })
        .collect();
    (!maps.is_empty()).then_some(maps)
}

/// R4 equivalence of an R5 relationship (or an R4 equivalence as it is); reversed swaps wider and
/// narrower.
fn r4_equivalence(target: &Value, reverse: bool) -> &'static str {
    let e = match target["equivalence"].as_str().or(target["relationship"].as_str()).unwrap_or("relatedto") {
        "equivalent" | "equal" => "equivalent",
        "source-is-narrower-than-target" | "wider" | "subsumes" => "wider",
        "source-is-broader-than-target" | "narrower" | "specializes" => "narrower",
        "not-related-to" | "disjoint" => "disjoint",
        "unmatched" => "unmatched",
        "inexact" => "inexact",
        _ => "relatedto",
    };
    match (e, reverse) {
        ("wider", true) => "narrower",
        ("narrower", true) => "wider",
        _ => e,
    }
}

fn translate_given(maps: &[&Value], ask: &Ask) -> Value {
    let mut out = Out::default();
    let mut matches = 0;
    for cm in maps {
        let origin = match (cm["url"].as_str(), cm["version"].as_str()) {
            (Some(u), Some(v)) => format!("{u}|{v}"),
            (Some(u), None) => u.to_owned(),
            _ => String::new(),
        };
        for g in cm["group"].as_array().into_iter().flatten() {
            let (from, to) = if ask.reverse { ("target", "source") } else { ("source", "target") };
            if g[from].as_str() != Some(ask.system.as_str()) {
                continue;
            }
            let Some(result_system) = g[to].as_str() else { continue };
            if ask.other.as_deref().is_some_and(|o| o != result_system) {
                continue;
            }
            for e in g["element"].as_array().into_iter().flatten() {
                for t in e["target"].as_array().into_iter().flatten() {
                    let (hit, code, display) = if ask.reverse {
                        (t["code"].as_str() == Some(ask.code.as_str()), &e["code"], &e["display"])
                    } else {
                        (e["code"].as_str() == Some(ask.code.as_str()), &t["code"], &t["display"])
                    };
                    if !hit {
                        continue;
                    }
                    let mut concept = json!({"system": result_system, "code": code});
                    if display.is_string() {
                        concept["display"] = display.clone();
                    }
                    let equivalence = r4_equivalence(t, ask.reverse);
                    matches += usize::from(!matches!(equivalence, "unmatched" | "disjoint"));
                    out.part(
                        "match",
                        vec![
                            part("equivalence", "valueCode", equivalence),
                            part("concept", "valueCoding", concept),
                            part("source", "valueUri", origin.as_str()),
                        ],
                    );
                }
            }
        }
    }
    out.add("result", "valueBoolean", matches > 0);
    if matches == 0 {
        out.add(
            "message",
            "valueString",
            format!("No translation of {}#{} was found in the given concept maps", ask.system, ask.code),
        );
    }
    out.build()
}

/// The release's mapping table an ask uses.
fn table_for<'r>(release: &'r Release, ask: &Ask) -> Result<&'r ReleaseMapping, FhirError> {
    if let Some(url) = &ask.url {
        let name = split_canonical(url).0.strip_prefix("urn:henkan:ConceptMap:").unwrap_or(url);
        return release.mappings.iter().find(|m| m.table == name).ok_or_else(|| {
            FhirError::not_found(format!(
                "A definition for the ConceptMap '{url}' could not be found in release {}; GET /fhir/ConceptMap lists them",
                release.id
            ))
        });
    }
    let code_side = resolve_system(&ask.system).ok_or_else(|| crate::Error::UnknownSystem(ask.system.clone()))?;
    let other = ask.other.as_deref().ok_or_else(|| FhirError::invalid("$translate needs a url or a targetsystem"))?;
    let other_side = resolve_system(other).ok_or_else(|| crate::Error::UnknownSystem(other.to_owned()))?;
    let (source, target) = if ask.reverse { (other_side, code_side) } else { (code_side, other_side) };
    release.mapping(source.slug, target.slug).ok_or_else(|| {
        crate::Error::MappingTableNotFound {
            source_system: source.slug.to_owned(),
            target: target.slug.to_owned(),
            release: release.id.clone(),
        }
        .into()
    })
}

fn match_param(m: &Mapping, equivalence: &str, concept: Value, table: &ReleaseMapping, release: &Release) -> Value {
    let mut parts = vec![part("equivalence", "valueCode", equivalence)];
    if !concept.is_null() {
        parts.push(part("concept", "valueCoding", concept));
    }
    parts.push(part("source", "valueUri", table_url(&table.table)));
    obj([("name", Value::from("match")), ("extension", provenance(m, release)), ("part", Value::Array(parts))])
}

fn translate_release(state: &FhirState, release: &Arc<Release>, ask: &Ask) -> Result<Value, FhirError> {
    let table = table_for(release, ask)?;
    let target_side = if ask.reverse { &table.source_system } else { &table.target_system };
    let target_cs = resolve_system(target_side).ok_or_else(|| crate::Error::UnknownSystem(target_side.clone()))?;
    let target_version = if ask.reverse { &table.source_version } else { &table.target_version };
    let coding = |code: &str, display: Option<&str>| {
        let mut c = json!({"system": target_cs.uri, "version": target_version, "code": code});
        if let Some(d) = display.filter(|d| !d.is_empty()) {
            c["display"] = json!(d);
        }
        c
    };
    let mut out = Out::default();
    let mut found = 0;
    if ask.reverse {
        for m in reverse(state, release, table)?.0.get(ask.code.trim()).into_iter().flatten() {
            let e = match equivalence(m.relationship, m.review_state) {
                "wider" => "narrower",
                "narrower" => "wider",
                e => e,
            };
            out.push(match_param(m, e, coding(&m.source_code, None), table, release));
            found += 1;
        }
    } else {
        let t = state.service.translate_in(release, &table.source_system, &ask.code, &table.target_system)?;
        for m in &t.matches {
            let Some(code) = &m.target_code else { continue };
            out.push(match_param(
                m,
                equivalence(m.relationship, m.review_state),
                coding(code, m.target_display.as_deref()),
                table,
                release,
            ));
            found += 1;
        }
        if let Some(no_map) = t.no_map.as_ref().filter(|_| found == 0) {
            out.push(match_param(no_map, "unmatched", Value::Null, table, release));
            let reason = no_map.no_map_reason.map_or("no target", |r| r.as_str());
            out.add(
                "message",
                "valueString",
                format!(
                    "{}#{} has no target in {} (release {}): {reason}",
                    ask.system, ask.code, table.table, release.id
                ),
            );
        }
    }
    out.add("result", "valueBoolean", found > 0);
    if found == 0 && ask.reverse {
        out.add(
            "message",
            "valueString",
            format!("no source code of {} maps to {} (release {})", table.table, ask.code, release.id),
        );
    }
    Ok(out.build())
}

/// The rows of a table by target code, read once per release and table.
fn reverse(state: &FhirState, release: &Release, table: &ReleaseMapping) -> Result<Arc<Reverse>, FhirError> {
    let key = format!("{}|{}", release.sha256, table.table);
    state.reverse.get(&key, || {
        let mut by_target: HashMap<String, Vec<Mapping>> = HashMap::new();
        for (_, rows) in state.service.table_rows(&release.id, &table.table)? {
            for m in rows {
                if let Some(t) = m.target_code.clone().filter(|_| m.review_state != crate::model::ReviewState::Rejected)
                {
                    by_target.entry(t).or_default().push(m);
                }
            }
        }
        Ok(Reverse(by_target))
    })
}
