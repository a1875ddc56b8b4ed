//! The `henkan` binary: parse the command line, set up logging, run, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use henkan::cli::{exit_code, run, Cli};
use henkan::config::LogFormat;

/// mimalloc rather than the system allocator: imports, publishes and index builds allocate and
/// free millions of small buffers (sled nodes, concept JSON, postings), where glibc's malloc
/// spent a quarter of the time (perf) and returned pages only to fault them in again. Built
/// without transparent huge pages (`no_thp`): zeroing fresh 2 MiB pages cost a publish ~3 s of
/// system time here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "henkan=info,tower_http=info".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match cli.global.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().with_current_span(true).with_span_list(false).init(),
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}
