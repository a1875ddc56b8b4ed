//! `henkan history SYSTEM CODE`: what happened to a code, release by release.

use clap::Args;

use super::print_json;
use crate::{Error, Service};

/// Arguments of `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Code system slug or canonical URI.
    system: String,
    /// The code.
    code: String,
}

pub(super) fn run(service: &Service, args: HistoryArgs, json: bool) -> Result<(), Error> {
    let h = service.history(&args.system, &args.code)?;
    if json {
        print_json(&h);
        return Ok(());
    }
    println!("{} {}", h.system.slug, h.code);
    for e in &h.events {
        print!("  {:<10} {:<9} {}", e.release, e.kind.as_str(), e.display);
        if let Some(s) = &e.successor {
            print!("  → {s}");
        }
        println!();
        for f in &e.changes {
            println!("      {}: {} → {}", f.field, f.from.as_deref().unwrap_or("∅"), f.to.as_deref().unwrap_or("∅"));
        }
    }
    Ok(())
}
