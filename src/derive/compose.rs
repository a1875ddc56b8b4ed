//! Composed tables: a source system reaches a target through a system that already has a table
//! to it. Receipt 医薬品 codes reach RxNorm through the YJ code their master row names; HOT codes
//! through their YJ codes, else through their receipt codes; MEDIS 標準病名 through the receipt
//! 傷病名 whose row names the MEDIS 病名管理番号.
//!
//! One row per source code and reached target: the link hop (the master's own field: the same
//! product or disease, `equivalent`) followed by the whole evidence chain of the intermediate
//! row, so the relationship ([`Mapping::through`]) is never stronger than the weaker hop. Score,
//! method and review state are the intermediate row's: the link adds no doubt, and a curator's
//! approval of the intermediate row holds for every code that names it. Rejected intermediate
//! rows are not composed. A source code whose link leads nowhere gets a no-map row saying why.

use std::collections::{BTreeMap, HashMap};

use super::{input, Derived, Generator, Source};
use crate::error::{Error, Result};
use crate::model::{slug, Concept, Hop, Made, Mapping, MappingTableVersion, NoMapReason, Relationship, ReviewState};

/// How a source concept names its intermediate codes.
#[derive(Debug, Clone, Copy)]
enum Link {
    /// A property of the source concept holds the intermediate codes (space-separated).
    Property(&'static str),
    /// A property of the intermediate concept holds the source code.
    ReverseProperty(&'static str),
}

/// One way from the source to the target: the link, the intermediate system and its table.
#[derive(Debug, Clone, Copy)]
struct Path {
    link: Link,
    via: &'static str,
    via_table: &'static str,
    /// What the link is, for the hop's source text.
    what: &'static str,
}

/// A composed table: its name, systems, and the ways tried in order (the first that names an
/// intermediate code in its table wins).
struct Composition {
    table: &'static str,
    source: &'static str,
    target: &'static str,
    paths: &'static [Path],
}

const RECEIPT_DRUG_RXNORM: Composition = Composition {
    table: "jp-receipt-drug--rxnorm",
    source: slug::JP_RECEIPT_DRUG,
    target: slug::RXNORM,
    paths: &[Path {
        link: Link::Property("yj_code"),
        via: slug::JP_YJ,
        via_table: super::drug_rxnorm::TABLE,
        what: "医薬品マスター 薬価基準収載医薬品コード",
    }],
};

const HOT_RXNORM: Composition = Composition {
    table: "jp-hot--rxnorm",
    source: slug::JP_HOT,
    target: slug::RXNORM,
    paths: &[
        Path {
            link: Link::Property("yj_codes"),
            via: slug::JP_YJ,
            via_table: super::drug_rxnorm::TABLE,
            what: "HOT master 薬価基準収載医薬品コード",
        },
        Path {
            link: Link::Property("receipt_codes"),
            via: slug::JP_RECEIPT_DRUG,
            via_table: RECEIPT_DRUG_RXNORM.table,
            what: "HOT master レセプト電算処理システムコード",
        },
    ],
};

const MEDIS_ICD11: Composition = Composition {
    table: "jp-medis-disease--icd11-mms",
    source: slug::JP_MEDIS_DISEASE,
    target: slug::ICD11_MMS,
    paths: &[Path {
        link: Link::ReverseProperty("medis_key_number"),
        via: slug::JP_RECEIPT_DISEASE,
        via_table: super::disease_icd11::TABLE,
        what: "傷病名マスター 病名管理番号",
    }],
};

/// The composition a generator makes, if it is one.
fn composition(generator: Generator) -> Option<&'static Composition> {
    match generator {
        Generator::ReceiptDrugRxnorm => Some(&RECEIPT_DRUG_RXNORM),
        Generator::HotRxnorm => Some(&HOT_RXNORM),
        Generator::MedisIcd11 => Some(&MEDIS_ICD11),
        _ => None,
    }
}

/// One intermediate system read for a path: the rows of its table by code, and (for a reverse
/// link) the intermediate codes by the source code they name.
struct Via {
    table: MappingTableVersion,
    rows: HashMap<String, Vec<Mapping>>,
    reverse: HashMap<String, Vec<String>>,
}

/// Derives a composed table from the draft's (else the latest release's) source system and the
/// intermediate tables.
pub(crate) fn run(generator: Generator, source: &dyn Source, now: &str) -> Result<Derived> {
    let c = composition(generator).expect("run is only called for a composition");
    let g = generator.as_str();
    let (from, to) = (input(source, g, c.source)?, input(source, g, c.target)?);
    let vias = c.paths.iter().map(|p| via(source, g, p)).collect::<Result<Vec<_>>>()?;
    let author = format!("henkan derive {g}");
    let mut rows = BTreeMap::new();
    for concept in source.concepts(from.id)? {
        let list = compose_one(c, &vias, (&concept, &from.version), &author, now);
        rows.insert(concept.code, list);
    }
    let through: Vec<String> = vias.iter().map(|v| format!("{} {}", v.table.table, v.table.source_version)).collect();
    let generator =
        format!("{g} (composed through {}; relationship no stronger than the weaker hop)", through.join(", "));
    Ok(Derived::new(c.table, (&from, &to), generator, Vec::new(), now, rows))
}

/// Reads the intermediate table of a path (and the reverse link's index).
fn via(source: &dyn Source, generator: &str, path: &Path) -> Result<Via> {
    let missing = || Error::DeriveInput {
        generator: generator.to_owned(),
        message: format!(
            "neither the draft nor the latest release holds the table {}: derive it first",
            path.via_table
        ),
    };
    let (table, rows) = source.table(path.via_table)?.ok_or_else(missing)?;
    let version = input(source, generator, path.via)?;
    let mut reverse: HashMap<String, Vec<String>> = HashMap::new();
    if let Link::ReverseProperty(property) = path.link {
        for concept in source.concepts(version.id)? {
            if let Some(value) = concept.properties.get(property) {
                for code in value.split(' ').filter(|s| !s.is_empty()) {
                    reverse.entry(code.to_owned()).or_default().push(concept.code.clone());
                }
            }
        }
    }
    Ok(Via { table, rows: rows.into_iter().collect(), reverse })
}

/// The rows of one source concept: through the first path whose link names a code that its
/// table holds, else a no-map row saying what the links found.
fn compose_one(
    c: &Composition,
    vias: &[Via],
    (concept, version): (&Concept, &str),
    author: &str,
    now: &str,
) -> Vec<Mapping> {
    let from = format!("{}|{}", c.source, concept.code);
    let mut named_any = false;
    for (path, via) in c.paths.iter().zip(vias) {
        let codes: Vec<String> = match path.link {
            Link::Property(p) => concept
                .properties
                .get(p)
                .map(|v| v.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default(),
            Link::ReverseProperty(_) => via.reverse.get(&concept.code).cloned().unwrap_or_default(),
        };
        named_any |= !codes.is_empty();
        let mut out = Vec::new();
        let mut no_maps = Vec::new();
        for code in &codes {
            let link = Hop {
                from: from.clone(),
                to: format!("{}|{code}", path.via),
                relationship: Relationship::Equivalent,
                source: format!("{} {version} ({})", c.source, path.what),
            };
            for row in via.rows.get(code).into_iter().flatten() {
                if row.review_state == ReviewState::Rejected {
                    continue;
                }
                let mut hops = vec![link.clone()];
                hops.extend(row.evidence.iter().cloned());
                let made = Made { method: row.method, author, at: now };
                if row.target_code.is_some() {
                    let mut m =
                        Mapping::through(&concept.code, hops, row.target_display.clone(), made).scored(row.score);
                    if row.review_state == ReviewState::Approved {
                        let by = row.reviewer.clone().unwrap_or_else(|| row.author.clone());
                        m = m.approved_by(format!("{by} (on {})", via.table.table));
                    }
                    if !out.iter().any(|o: &Mapping| o.target_code == m.target_code) {
                        out.push(m);
                    }
                } else if let Some(reason) = row.no_map_reason {
                    let why = row.evidence_text.rsplit_once(": ").map_or("", |(_, w)| w);
                    no_maps.push(Mapping::no_map(&concept.code, &from, reason, hops, why, made));
                }
            }
        }
        if !out.is_empty() {
            return out;
        }
        if let Some(first) = no_maps.into_iter().next() {
            return vec![first];
        }
    }
    let made = Made { method: crate::model::Method::DerivedCrosswalk, author, at: now };
    let (reason, why) = if named_any {
        (NoMapReason::IntermediateNotMapped, "the codes its master row names have no row in the intermediate table")
    } else {
        (NoMapReason::NoIntermediateCode, "its master row names no code of a system with a table to the target")
    };
    vec![Mapping::no_map(&concept.code, &from, reason, Vec::new(), why, made)]
}
