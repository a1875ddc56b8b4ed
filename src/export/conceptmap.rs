//! FHIR R4 ConceptMap JSON: one resource per mapping table, one group from the source to the
//! target system, one element per source code with its targets best first. R4 `equivalence`
//! comes from henkan's relationship (source-is-narrower-than-target → `wider`, the target being
//! wider; source-is-broader-than-target → `narrower`; related-to → `relatedto`; not-related-to
//! and rejected rows → `disjoint`; a no-map row → `unmatched` without a code). Every target carries
//! the provenance extension: method, score, review state, evidence and release.

use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{json, Value};

use super::{io, MappingRow, TableRows};
use crate::error::Result;
use crate::model::{resolve_system, Mapping, Relationship, Release, ReviewState};

/// The provenance extension's URL.
pub(crate) const PROVENANCE: &str = "https://henkan.dev/fhir/StructureDefinition/mapping-provenance";

/// The R4 equivalence of a row.
pub(crate) fn equivalence(relationship: Option<Relationship>, review: ReviewState) -> &'static str {
    if review == ReviewState::Rejected {
        return "disjoint";
    }
    match relationship {
        None => "unmatched",
        Some(Relationship::Equivalent) => "equivalent",
        Some(Relationship::SourceIsNarrowerThanTarget) => "wider",
        Some(Relationship::SourceIsBroaderThanTarget) => "narrower",
        Some(Relationship::RelatedTo) => "relatedto",
        Some(Relationship::NotRelatedTo) => "disjoint",
    }
}

fn uri(slug: &str) -> String {
    resolve_system(slug).map_or_else(|| format!("urn:henkan:{slug}"), |cs| cs.uri.to_owned())
}

/// The provenance extension of a row (method, score, review state, evidence, release and
/// reviewer): on every ConceptMap target and every `/fhir` `$translate` match.
pub(crate) fn provenance(m: &Mapping, release: &Release) -> Value {
    let mut parts = vec![
        json!({"url": "method", "valueCode": m.method.as_str()}),
        json!({"url": "score", "valueDecimal": (f64::from(m.score) * 10_000.0).round() / 10_000.0}),
        json!({"url": "reviewState", "valueCode": m.review_state.as_str()}),
        json!({"url": "evidence", "valueString": m.evidence_text}),
        json!({"url": "release", "valueString": release.id}),
    ];
    if let Some(reviewer) = &m.reviewer {
        parts.push(json!({"url": "reviewer", "valueString": reviewer}));
    }
    let mut ext = serde_json::Map::new();
    ext.insert("url".into(), PROVENANCE.into());
    ext.insert("extension".into(), Value::Array(parts));
    Value::Array(vec![Value::Object(ext)])
}

fn target(r: &MappingRow, release: &Release) -> Value {
    let m = &r.mapping;
    let mut t = json!({
        "equivalence": equivalence(m.relationship, m.review_state),
    });
    t["extension"] = provenance(m, release);
    if let Some(code) = &m.target_code {
        t["code"] = json!(code);
    }
    if let Some(display) = m.target_display.as_deref().filter(|d| !d.is_empty()) {
        t["display"] = json!(display);
    }
    match (m.no_map_reason, &m.comment) {
        (Some(reason), _) => t["comment"] = json!(format!("no map: {}", reason.as_str())),
        (None, Some(c)) => t["comment"] = json!(c),
        // R4 (cmd-1): a narrower map SHALL say why; the evidence chain does.
        _ if t["equivalence"] == "narrower" => t["comment"] = json!(m.evidence_text),
        _ => {}
    }
    t
}

/// The ConceptMap of one table.
pub(crate) fn resource(t: &TableRows, release: &Release) -> Value {
    let h = &t.header;
    let mut elements: Vec<Value> = Vec::new();
    let mut i = 0;
    while i < t.rows.len() {
        let code = &t.rows[i].mapping.source_code;
        let j = i + t.rows[i..].iter().take_while(|r| &r.mapping.source_code == code).count();
        let mut e =
            json!({"code": code, "target": t.rows[i..j].iter().map(|r| target(r, release)).collect::<Vec<_>>()});
        if !t.rows[i].source_display.is_empty() {
            e["display"] = json!(t.rows[i].source_display);
        }
        elements.push(e);
        i = j;
    }
    let name: String = h
        .table
        .split(['-', '.'])
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    json!({
        "resourceType": "ConceptMap",
        "id": h.table,
        "url": format!("urn:henkan:ConceptMap:{}", h.table),
        "version": release.id,
        "name": name,
        "title": format!("{} → {} (henkan {})", h.source_system, h.target_system, h.table),
        "status": "active",
        "experimental": false,
        "date": release.created_at,
        "publisher": release.publisher,
        "description": format!("{}. Release {} (sha256 {}).", h.generator, release.id, release.sha256),
        "copyright": release.notices.join(" "),
        "sourceUri": uri(&h.source_system),
        "targetUri": uri(&h.target_system),
        "group": [{
            "source": uri(&h.source_system),
            "sourceVersion": h.source_version,
            "target": uri(&h.target_system),
            "targetVersion": h.target_version,
            "element": elements,
        }],
    })
}

/// Writes one table; returns the source codes (elements) written.
pub(super) fn write(path: &Path, t: &TableRows, release: &Release) -> Result<u64> {
    let resource = resource(t, release);
    let n = resource["group"][0]["element"].as_array().map_or(0, Vec::len) as u64;
    let file = std::fs::File::create(path).map_err(|e| io(path, &e))?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer(&mut out, &resource).map_err(|e| io(path, &e))?;
    out.flush().map_err(|e| io(path, &e))?;
    Ok(n)
}
