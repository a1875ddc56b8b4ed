//! `henkan audit [--limit N]`: the newest entries of the audit log; `henkan audit verify`:
//! check its hash chain and name the first entry that does not check (exit code 7).

use clap::{Args, Subcommand};

use super::print_json;
use crate::{Error, Service};

/// Arguments of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: Option<AuditCommand>,
    /// How many entries, newest first.
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain from the first entry to the newest.
    Verify,
}

pub(super) fn run(service: &Service, args: AuditArgs, json: bool) -> Result<(), Error> {
    if let Some(AuditCommand::Verify) = args.command {
        let checked = service.verify_audit()?;
        if json {
            print_json(&checked);
        }
        if let Some(bad) = checked.first_bad {
            return Err(Error::AuditTampered { seq: bad.seq, problem: bad.problem });
        }
        if !json {
            println!(
                "audit log intact: {} entries, head {}",
                checked.entries,
                checked.head.as_deref().unwrap_or("(empty)")
            );
        }
        return Ok(());
    }
    let log = service.audit_log(args.limit)?;
    if json {
        print_json(&log);
        return Ok(());
    }
    for e in log {
        println!("{:>6}  {}  {:<24} {:<18} {}", e.seq, e.at, e.actor, e.action, e.detail);
    }
    Ok(())
}
