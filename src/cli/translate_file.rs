//! `henkan translate-file INPUT --code-column C (--system S | --system-column C) --to T…`: every
//! row of a CSV, TSV or NDJSON file (or stdin) translated offline, from the data directory or from
//! an exported bundle (`--bundle DIR`, see `henkan export --format parquet`).

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use crate::bulk::{Encoding, Format, OnError, Options, SystemFrom};
use crate::translate::{Engine, Multi, Policy, ReviewFilter, Tables};
use crate::{Error, Service};

/// Arguments of `translate-file`.
#[derive(Debug, Args)]
pub struct TranslateFileArgs {
    /// Input file (CSV, TSV or NDJSON, optionally gzipped); `-` or nothing for stdin.
    input: Option<PathBuf>,
    /// Column (NDJSON: key) holding the code.
    #[arg(long)]
    code_column: String,
    /// The code system of every row (slug or URI).
    #[arg(long, conflicts_with = "system_column", required_unless_present = "system_column")]
    system: Option<String>,
    /// Column holding each row's code system (slug or URI).
    #[arg(long)]
    system_column: Option<String>,
    /// Column holding each row's date (YYYY-MM-DD): a code the pinned release does not hold is
    /// translated in the release in force on that date (`historical`).
    #[arg(long)]
    date_column: Option<String>,
    /// Target code system (slug or URI); repeat for several. Each row goes to the targets its
    /// system has a table for. Default: every target.
    #[arg(long = "to")]
    targets: Vec<String>,
    /// Release id to pin (default: the latest).
    #[arg(long)]
    release: Option<String>,
    /// Read an exported release bundle (a `henkan export --format parquet` directory) instead of
    /// the data directory.
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// Output file (default: stdout). Written under a temporary name and renamed when complete.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Input format (default: from the file name, else csv). The output has the same format.
    #[arg(long)]
    format: Option<Format>,
    /// Input encoding: auto (UTF-8 unless the start is not UTF-8, then Shift_JIS), utf-8 or
    /// shift_jis (CP932). The output is UTF-8.
    #[arg(long, default_value_t = Encoding::Auto)]
    encoding: Encoding,
    /// Add method, score, review state and evidence columns.
    #[arg(long)]
    provenance: bool,
    /// When several targets qualify: first, all (one row each) or ambiguous.
    #[arg(long, default_value_t = Multi::First)]
    multi: Multi,
    /// Which rows qualify: approved only, or any (approved and candidates).
    #[arg(long, default_value_t = ReviewFilter::Any)]
    review: ReviewFilter,
    /// Only rows with at least this score qualify.
    #[arg(long)]
    min_score: Option<f32>,
    /// Malformed rows: `fail` (stop; nothing at the output path) or `reject=FILE` (go on and
    /// write them to FILE).
    #[arg(long, default_value = "fail", value_parser = parse_on_error)]
    on_error: OnError,
    /// Also write the summary as JSON to this file.
    #[arg(long)]
    report: Option<PathBuf>,
}

fn parse_on_error(s: &str) -> Result<OnError, String> {
    match s.split_once('=') {
        None if s == "fail" => Ok(OnError::Fail),
        Some(("reject", file)) if !file.is_empty() => Ok(OnError::Reject(PathBuf::from(file))),
        _ => Err(format!("{s:?}: write fail or reject=FILE")),
    }
}

impl TranslateFileArgs {
    /// The bundle directory, if the job reads one instead of the data directory.
    pub(super) fn bundle(&self) -> Option<&std::path::Path> {
        self.bundle.as_deref()
    }
}

/// Runs the job over the data directory's tables.
pub(super) fn run(service: &Service, args: TranslateFileArgs, json: bool) -> Result<(), Error> {
    job(service.tables(), args, json)
}

/// Runs the job over an exported bundle.
pub(super) fn run_bundle(args: TranslateFileArgs, json: bool) -> Result<(), Error> {
    let dir = args.bundle.clone().expect("run_bundle is called with --bundle");
    job(Arc::new(crate::export::bundle::Bundle::open(&dir)?), args, json)
}

fn job(tables: Arc<dyn Tables>, args: TranslateFileArgs, json: bool) -> Result<(), Error> {
    let targets = crate::service::targets(&args.targets)?;
    let spinner = super::spinner("loading the mapping tables");
    let engine = Engine::new(tables, args.release.as_deref(), &targets)?;
    let system = match (args.system, args.system_column) {
        (Some(s), _) => SystemFrom::Fixed(s),
        (None, Some(c)) => SystemFrom::Column(c),
        (None, None) => unreachable!("clap requires one"),
    };
    let opts = Options {
        input: args.input.unwrap_or_else(|| PathBuf::from("-")),
        format: args.format,
        encoding: args.encoding,
        code_column: args.code_column,
        system,
        date_column: args.date_column,
        out: args.out,
        provenance: args.provenance,
        policy: Policy { multi: args.multi, review: args.review, min_score: args.min_score },
        on_error: args.on_error,
    };
    spinner.set_message("translating");
    let report = crate::bulk::job::run(&engine, &opts, &|rows| spinner.set_message(format!("{rows} rows")))?;
    spinner.finish_and_clear();
    if let Some(path) = &args.report {
        let text = serde_json::to_string_pretty(&report).expect("reports serialise");
        std::fs::write(path, text).map_err(|e| Error::Internal(format!("cannot write {}: {e}", path.display())))?;
    }
    if json {
        eprintln!("{}", serde_json::to_string_pretty(&report).expect("reports serialise"));
    } else {
        eprint!("{}", report.text());
    }
    Ok(())
}
