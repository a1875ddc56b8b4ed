//! `henkan search "<query>" [--system S] [--release R] [--limit N]`.

use clap::Args;

use super::print_json;
use crate::model::Status;
use crate::{Error, Service};

/// Arguments of `search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for: kanji, kana, romaji, a code, an English term.
    query: String,
    /// Only this code system (slug or URI).
    #[arg(long)]
    system: Option<String>,
    /// Release id (default: the latest).
    #[arg(long)]
    release: Option<String>,
    /// How many results.
    #[arg(long, default_value_t = 10)]
    limit: usize,
}

pub(super) fn run(service: &Service, args: SearchArgs, json: bool) -> Result<(), Error> {
    let a = service.search(&args.query, args.system.as_deref(), args.release.as_deref(), args.limit, 0)?;
    if json {
        print_json(&a);
        return Ok(());
    }
    for h in &a.results {
        let flag = if h.status == Status::Active { "" } else { "  [retired]" };
        println!("{:.3}  {:<22} {:<18} {}  ← {}{flag}", h.score, h.system, h.code, h.display, h.matched);
    }
    Ok(())
}
