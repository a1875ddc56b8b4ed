//! `henkan lookup SYSTEM CODE [--release R]`: show one concept.

use clap::Args;

use super::print_json;
use crate::{Error, Service};

/// Arguments of `lookup`.
#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Code system slug (e.g. jp-receipt-disease) or canonical URI.
    system: String,
    /// The code.
    code: String,
    /// Release id (default: the latest).
    #[arg(long)]
    release: Option<String>,
}

pub(super) fn run(service: &Service, args: LookupArgs, json: bool) -> Result<(), Error> {
    let found = service.lookup(&args.system, &args.code, args.release.as_deref())?;
    if json {
        print_json(&found);
        return Ok(());
    }
    let c = &found.concept;
    println!("{} {}  {}  [{}]", found.system.slug, c.code, c.display, c.status.as_str());
    println!("  release {}  version {}", found.release, found.system.version.as_deref().unwrap_or("-"));
    for d in &c.designations {
        println!("  {:<13} {}", d.use_.as_str(), d.value);
    }
    for (k, v) in &c.properties {
        println!("  {k:<13} {v}");
    }
    Ok(())
}
