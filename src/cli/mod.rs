//! The command line: one subcommand per file, each parsing its arguments, calling [`Service`]
//! and printing text (or JSON with `--json`).
//!
//! Exit codes (stable, for scripts): 0 success · 1 internal or I/O error · 2 usage error ·
//! 3 not found (release, code system, code, table; or nothing published yet) · 4 invalid input file or argument ·
//! 5 conflict (release id taken, nothing to publish, data directory in use) or a missing or
//! insufficient token ·
//! 6 incompatible data directory format · 7 the audit log's hash chain does not check.

mod audit;
mod bootstrap;
mod derive;
mod diff;
mod explain;
mod export;
mod history;
mod import;
mod lookup;
mod publish;
mod releases;
mod review;
mod search;
mod serve;
mod token;
mod translate;
mod translate_file;

use std::io::IsTerminal;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::config::{GlobalOpts, ServeOpts, StoreConfig};
use crate::error::ErrorKind;
use crate::{Error, Service};

/// henkan: versioned Japanese healthcare code masters, mappings and a terminology API.
#[derive(Debug, Parser)]
#[command(name = "henkan", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    /// Options every command takes.
    pub global: GlobalOpts,
    #[command(subcommand)]
    /// What to do.
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse official master files and stage them in the draft (all or nothing).
    Import(import::ImportArgs),
    /// Publish the draft as a new immutable release.
    Publish(publish::PublishArgs),
    /// List releases (and the draft).
    Releases,
    /// Show one concept.
    Lookup(lookup::LookupArgs),
    /// Added, removed and changed concepts between two releases.
    Diff(diff::DiffArgs),
    /// What happened to a code, release by release.
    History(history::HistoryArgs),
    /// Translate a code to another code system through the release's mapping table.
    Translate(translate::TranslateArgs),
    /// Translate every row of a CSV, TSV or NDJSON file (or stdin) offline.
    TranslateFile(translate_file::TranslateFileArgs),
    /// Every row of a source code in a mapping table, with evidence and who decided.
    Explain(explain::ExplainArgs),
    /// Derive a mapping table (e.g. disease-icd11) into the draft.
    Derive(derive::DeriveArgs),
    /// Review mapping candidates: list, approve, reject, retarget, export, import.
    Review(review::ReviewArgs),
    /// Export a release's content (e.g. every designation, as TSV).
    Export(export::ExportArgs),
    /// Find concepts by name, kana, romaji, code or English term.
    Search(search::SearchArgs),
    /// Make, list and revoke API tokens (roles reader, curator, admin).
    Token(token::TokenArgs),
    /// Show the audit log, or verify its hash chain.
    Audit(audit::AuditArgs),
    /// Publish the bundled masters on an empty data directory, then exit.
    Bootstrap(bootstrap::BootstrapArgs),
    /// Serve the HTTP API (publishing the bundled masters first on an empty data directory).
    Serve(ServeOpts),
}

/// Exit code for an error (see the module docs).
pub fn exit_code(e: &Error) -> u8 {
    match e.kind() {
        ErrorKind::Internal => 1,
        ErrorKind::NotFound | ErrorKind::Unavailable => 3,
        ErrorKind::InvalidInput
        | ErrorKind::LimitExceeded
        | ErrorKind::PayloadTooLarge
        | ErrorKind::UriTooLong
        | ErrorKind::TooManyRequests
        | ErrorKind::TimedOut => 4,
        ErrorKind::Conflict | ErrorKind::Unauthorized | ErrorKind::Forbidden => 5,
        ErrorKind::IncompatibleData => 6,
        ErrorKind::Tampered => 7,
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    let json = cli.global.json;
    if let Command::TranslateFile(args) = cli.command {
        if args.bundle().is_some() {
            return translate_file::run_bundle(args, json);
        }
        let service = Service::open(&StoreConfig::from(&cli.global))?;
        return translate_file::run(&service, args, json);
    }
    let service = Service::open(&StoreConfig::from(&cli.global))?;
    let actor = format!("cli:{}", cli.global.user);
    match cli.command {
        Command::Import(args) => import::run(&service, &actor, args, json),
        Command::Publish(args) => publish::run(&service, args, json),
        Command::Releases => releases::run(&service, json),
        Command::Lookup(args) => lookup::run(&service, args, json),
        Command::Diff(args) => diff::run(&service, args, json),
        Command::History(args) => history::run(&service, args, json),
        Command::Translate(args) => translate::run(&service, args, json),
        Command::Derive(args) => derive::run(&service, &actor, args, json),
        Command::Explain(args) => explain::run(&service, args, json),
        Command::Review(args) => review::run(&service, args, &actor, json),
        Command::Token(args) => token::run(&service, args, &actor, json),
        Command::Audit(args) => audit::run(&service, args, json),
        Command::Search(args) => search::run(&service, args, json),
        Command::Export(args) => export::run(&service, args, json),
        Command::Serve(opts) => serve::run(service, &opts),
        Command::Bootstrap(args) => bootstrap::run(&service, args, json),
        Command::TranslateFile(_) => unreachable!("handled above"),
    }
}

fn print_json(value: &impl Serialize) {
    println!("{}", serde_json::to_string_pretty(value).expect("answers always serialise"));
}

/// A spinner on stderr when it is a terminal; hidden otherwise (scripts, CI).
fn spinner(message: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}").expect("valid template"));
    pb.enable_steady_tick(std::time::Duration::from_millis(100));
    pb.set_message(message.to_owned());
    pb
}
