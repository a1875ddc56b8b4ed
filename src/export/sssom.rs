//! SSSOM TSV (the Simple Standard for Sharing Ontological Mappings): a `#`-prefixed YAML block
//! with the mapping set's metadata and CURIE map, then one row per mapping. henkan's provenance
//! goes in SSSOM's own fields: `predicate_id` from the relationship (SKOS), `mapping_justification`
//! from the method (semapv), `confidence` from the score, `author_label`, `reviewer_label` and
//! `comment`. A rejected row is written with `predicate_modifier: Not` (a curator said it is not a
//! match); a no-map row has `object_id: sssom:NoTermFound`.

use std::io::{BufWriter, Write};
use std::path::Path;

use super::{io, TableRows};
use crate::error::Result;
use crate::model::{resolve_system, Method, Relationship, Release, ReviewState};

const COLUMNS: [&str; 15] = [
    "subject_id",
    "subject_label",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "author_label",
    "reviewer_label",
    "comment",
    "mapping_date",
    "subject_source_version",
    "object_source_version",
    "see_also",
];

/// The CURIE prefix of a system (its slug, `-` → `_`, upper case) and its expansion.
fn prefix(slug: &str) -> (String, String) {
    let p = slug.replace('-', "_").to_ascii_uppercase();
    let uri = resolve_system(slug).map_or_else(|| format!("urn:henkan:{slug}"), |cs| cs.uri.to_owned());
    let expansion = if uri.starts_with("http") { format!("{uri}/") } else { format!("{uri}:") };
    (p, expansion)
}

fn predicate(r: Relationship) -> &'static str {
    match r {
        Relationship::Equivalent => "skos:exactMatch",
        // The source is narrower: the object is a broader match of the subject.
        Relationship::SourceIsNarrowerThanTarget => "skos:broadMatch",
        Relationship::SourceIsBroaderThanTarget => "skos:narrowMatch",
        Relationship::RelatedTo | Relationship::NotRelatedTo => "skos:relatedMatch",
    }
}

fn justification(m: Method) -> &'static str {
    match m {
        Method::Imported | Method::Manual => "semapv:ManualMappingCuration",
        Method::DerivedCrosswalk => "semapv:MappingChaining",
        Method::LexicalSuggestion => "semapv:LexicalMatching",
    }
}

/// YAML needs a scalar quoted when it could read as something else.
fn yaml(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// Writes one table; returns the mapping rows written.
pub(super) fn write(path: &Path, t: &TableRows, release: &Release) -> Result<u64> {
    let file = std::fs::File::create(path).map_err(|e| io(path, &e))?;
    let mut out = BufWriter::new(file);
    let h = &t.header;
    let (sp, se) = prefix(&h.source_system);
    let (tp, te) = prefix(&h.target_system);
    let mut meta = vec![
        "curie_map:".to_owned(),
        format!("  {sp}: {}", yaml(&se)),
        format!("  {tp}: {}", yaml(&te)),
        "  skos: \"http://www.w3.org/2004/02/skos/core#\"".to_owned(),
        "  semapv: \"https://w3id.org/semapv/vocab/\"".to_owned(),
        format!("mapping_set_id: {}", yaml(&format!("urn:henkan:mapping-set:{}:{}", release.id, h.table))),
        format!("mapping_set_version: {}", yaml(&release.id)),
        format!(
            "mapping_set_title: {}",
            yaml(&format!("henkan {} ({} → {})", h.table, h.source_system, h.target_system))
        ),
        format!(
            "mapping_set_description: {}",
            yaml(&format!("{}; release {} sha256 {}", h.generator, release.id, release.sha256))
        ),
        "license: \"https://creativecommons.org/licenses/by/4.0/\"".to_owned(),
        format!("subject_source_version: {}", yaml(&h.source_version)),
        format!("object_source_version: {}", yaml(&h.target_version)),
        format!("mapping_tool: {}", yaml(&format!("henkan {}", env!("CARGO_PKG_VERSION")))),
        format!("mapping_date: {}", yaml(release.created_at.get(..10).unwrap_or_default())),
    ];
    // A source is an entity reference: an http URI is one; a `urn:oid:` one would read as a
    // CURIE of an undeclared prefix `urn`, so it is left out (the curie_map names it).
    for (key, expansion) in [("subject_source", &se), ("object_source", &te)] {
        if expansion.starts_with("http") {
            meta.push(format!("{key}: {}", yaml(expansion.trim_end_matches('/'))));
        }
    }
    if !release.notices.is_empty() {
        meta.push(format!("comment: {}", yaml(&clean(&release.notices.join(" ")))));
    }
    for line in meta {
        writeln!(out, "#{line}").map_err(|e| io(path, &e))?;
    }
    writeln!(out, "{}", COLUMNS.join("\t")).map_err(|e| io(path, &e))?;
    let mut n = 0;
    for r in &t.rows {
        let m = &r.mapping;
        let (object, label, pred) = match (&m.target_code, m.relationship) {
            (Some(code), Some(rel)) => {
                (format!("{tp}:{code}"), m.target_display.clone().unwrap_or_default(), predicate(rel))
            }
            _ => ("sssom:NoTermFound".to_owned(), String::new(), "skos:exactMatch"),
        };
        let modifier = if m.review_state == ReviewState::Rejected || m.relationship == Some(Relationship::NotRelatedTo)
        {
            "Not"
        } else {
            ""
        };
        let reviewer = if m.review_state == ReviewState::Candidate { "" } else { m.reviewer.as_deref().unwrap_or("") };
        let comment = match (m.no_map_reason, &m.comment) {
            (Some(reason), _) => format!("no map: {}; {}", reason.as_str(), m.evidence_text),
            (None, Some(c)) => format!("{c}; {}", m.evidence_text),
            (None, None) => format!("{}; {}", m.review_state.as_str(), m.evidence_text),
        };
        let fields = [
            format!("{sp}:{}", m.source_code),
            r.source_display.clone(),
            pred.to_owned(),
            modifier.to_owned(),
            object,
            label,
            justification(m.method).to_owned(),
            format!("{:.4}", m.score),
            m.author.clone(),
            reviewer.to_owned(),
            comment,
            m.created_at.get(..10).unwrap_or_default().to_owned(),
            h.source_version.clone(),
            h.target_version.clone(),
            String::new(),
        ];
        let line: Vec<String> = fields.iter().map(|f| clean(f)).collect();
        writeln!(out, "{}", line.join("\t")).map_err(|e| io(path, &e))?;
        n += 1;
    }
    out.flush().map_err(|e| io(path, &e))?;
    Ok(n)
}
