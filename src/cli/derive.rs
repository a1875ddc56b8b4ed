//! `henkan derive GENERATOR FILE…`: build a mapping table into the draft and report its coverage.

use std::path::PathBuf;

use clap::Args;

use super::{print_json, spinner};
use crate::{Error, Generator, Service};

/// Arguments of `derive`.
#[derive(Debug, Args)]
pub struct DeriveArgs {
    /// Generator: disease-icd11, lab-loinc or drug-rxnorm.
    generator: Generator,
    /// Its input files (disease-icd11: WHO 10To11MapToOneCategory.txt and 10To11MapToMultipleCategories.txt;
    /// lab-loinc: optionally a vocabulary TSV; drug-rxnorm: optionally a moiety TSV).
    files: Vec<PathBuf>,
}

pub(super) fn run(service: &Service, actor: &str, args: DeriveArgs, json: bool) -> Result<(), Error> {
    let pb = spinner(&format!("deriving {}", args.generator));
    let report = service.derive_as(actor, args.generator, &args.files);
    pb.finish_and_clear();
    let r = report?;
    if json {
        print_json(&r);
        return Ok(());
    }
    println!("{}: {} → {}", r.table, r.source, r.target);
    println!(
        "  {} source codes: {} mapped ({:.2}%), {} no-map, {} auto-approved",
        r.sources,
        r.mapped,
        r.coverage * 100.0,
        r.no_map,
        r.auto_approved
    );
    for (reason, n) in &r.no_map_reasons {
        println!("  no-map {reason}: {n}");
    }
    for (rel, n) in &r.relationships {
        println!("  best relationship {rel}: {n}");
    }
    for (bucket, n) in &r.scores {
        println!("  best score {bucket}: {n}");
    }
    println!("staged in the draft: `henkan publish --id <id>` makes it part of a release");
    Ok(())
}
