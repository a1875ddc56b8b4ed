//! `henkan export --format csv|tsv|ndjson|parquet|sssom|fhir-conceptmap --out DIR [--release R]
//! [--only NAME…]`: a release's code systems and mapping tables with a manifest (the Parquet
//! export is the bundle `translate-file --bundle` reads); and `henkan export designations`: every
//! name of every concept as TSV (system, code, status, kind, term), the corpus the search
//! benchmark loads into its peers.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::print_json;
use crate::export::ExportFormat;
use crate::{Error, Service};

/// Arguments of `export`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExportArgs {
    #[command(subcommand)]
    what: Option<ExportWhat>,
    /// Release id (default: the latest).
    #[arg(long)]
    release: Option<String>,
    /// What to write.
    #[arg(long, required = true)]
    format: Option<ExportFormat>,
    /// A new (or empty) directory to write into; it appears only when the export is complete.
    #[arg(long, required = true)]
    out: Option<PathBuf>,
    /// Only these code systems (slug or URI) and mapping tables (name); repeat. Default: all.
    #[arg(long)]
    only: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum ExportWhat {
    /// Every designation of every concept (display, code, short names, kana, synonyms, English).
    Designations {
        /// Release id (default: the latest).
        #[arg(long)]
        release: Option<String>,
    },
}

pub(super) fn run(service: &Service, args: ExportArgs, json: bool) -> Result<(), Error> {
    match args.what {
        Some(ExportWhat::Designations { release }) => designations(service, release),
        None => {
            let (format, out) = (args.format.expect("clap requires it"), args.out.expect("clap requires it"));
            let spinner = super::spinner("exporting");
            let manifest = service.export(args.release.as_deref(), format, &out, &args.only)?;
            spinner.finish_and_clear();
            if json {
                print_json(&manifest);
            } else {
                println!(
                    "exported release {} (sha256 {}) as {format} to {}",
                    manifest.release,
                    manifest.release_sha256,
                    out.display()
                );
                for f in &manifest.files {
                    println!("  {}  {} rows  sha256 {}", f.path, f.rows, f.sha256);
                }
            }
            Ok(())
        }
    }
}

fn designations(service: &Service, release: Option<String>) -> Result<(), Error> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| Error::Internal(format!("cannot write the export: {e}"));
    writeln!(out, "system\tcode\tstatus\tkind\tterm").map_err(io)?;
    service.for_each_designation(release.as_deref(), |system, code, status, kind, term| {
        let clean = term.replace(['\t', '\n', '\r'], " ");
        writeln!(out, "{system}\t{code}\t{status}\t{kind}\t{clean}").map_err(io)
    })?;
    out.flush().map_err(io)
}
