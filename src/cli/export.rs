//! `henkan export designations [--release R]`: every name of every concept of a release as TSV
//! (system, code, status, kind, term) — the corpus the search benchmark loads into its peers.

use std::io::Write;

use clap::{Args, Subcommand};

use crate::{Error, Service};

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    what: ExportWhat,
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

pub(super) fn run(service: &Service, args: ExportArgs) -> Result<(), Error> {
    let ExportWhat::Designations { release } = args.what;
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
