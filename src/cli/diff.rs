//! `henkan diff FROM TO [--system S]`: added, removed and changed concepts.

use clap::Args;

use super::print_json;
use crate::{Error, Service};

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Older release id.
    from: String,
    /// Newer release id (or `latest`).
    to: String,
    /// Only this code system (slug or URI).
    #[arg(long)]
    system: Option<String>,
    /// Only this mapping table (e.g. jp-receipt-disease--icd11-mms).
    #[arg(long)]
    table: Option<String>,
}

pub(super) fn run(service: &Service, args: DiffArgs, json: bool) -> Result<(), Error> {
    let report = service.diff(&args.from, &args.to, args.system.as_deref(), args.table.as_deref())?;
    if json {
        print_json(&report);
        return Ok(());
    }
    println!("diff {} → {}", report.from, report.to);
    for s in &report.systems {
        println!(
            "{} {} → {}: {} added, {} removed, {} changed",
            s.system,
            s.from_version.as_deref().unwrap_or("-"),
            s.to_version.as_deref().unwrap_or("-"),
            s.added.len(),
            s.removed.len(),
            s.changed.len()
        );
        for c in &s.added {
            println!("  + {} {}", c.code, c.display);
        }
        for c in &s.removed {
            println!("  - {} {}", c.code, c.display);
        }
        for c in &s.changed {
            let fields: Vec<String> = c
                .changes
                .iter()
                .map(|f| {
                    format!("{}: {} → {}", f.field, f.from.as_deref().unwrap_or("∅"), f.to.as_deref().unwrap_or("∅"))
                })
                .collect();
            println!("  ~ {} {}  {}", c.code, c.display, fields.join("; "));
        }
    }
    for t in &report.tables {
        println!(
            "{} {} → {}: {} changed rows",
            t.table,
            t.from_version.as_deref().unwrap_or("-"),
            t.to_version.as_deref().unwrap_or("-"),
            t.changes.len()
        );
        for c in &t.changes {
            let show = |r: &Option<crate::model::RowSummary>| {
                r.as_ref().map_or("∅".to_owned(), |r| {
                    format!(
                        "{} {}",
                        r.target_code.as_deref().unwrap_or("no-map"),
                        r.relationship.map_or("", |x| x.as_str())
                    )
                })
            };
            println!("  {} {}: {} → {}", c.kind, c.code, show(&c.from), show(&c.to));
        }
    }
    Ok(())
}
