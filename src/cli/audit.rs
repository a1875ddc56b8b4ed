//! `henkan audit [--limit N]`: the newest entries of the append-only audit log.

use clap::Args;

use super::print_json;
use crate::{Error, Service};

/// Arguments of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// How many entries, newest first.
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

pub(super) fn run(service: &Service, args: AuditArgs, json: bool) -> Result<(), Error> {
    let log = service.audit_log(args.limit)?;
    if json {
        print_json(&log);
        return Ok(());
    }
    for e in log {
        println!("{}  {:<24} {:<18} {}", e.at, e.actor, e.action, e.detail);
    }
    Ok(())
}
