//! `henkan explain TABLE CODE`: every row of a source code in a mapping table, with evidence and
//! who decided.

use clap::Args;

use super::print_json;
use crate::{Error, Service};

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Mapping table (e.g. jp-receipt-disease--icd11-mms).
    table: String,
    /// Source code.
    code: String,
    /// Release id (default: the latest).
    #[arg(long)]
    release: Option<String>,
}

pub(super) fn run(service: &Service, args: ExplainArgs, json: bool) -> Result<(), Error> {
    let e = service.explain(&args.table, &args.code, args.release.as_deref())?;
    if json {
        print_json(&e);
        return Ok(());
    }
    println!(
        "{} {} {}  (release {}, table {})",
        e.source.system.slug, e.source.code, e.source.display, e.release, e.table.table
    );
    println!("  generator: {}", e.generator);
    for m in &e.rows {
        match &m.target_code {
            Some(t) => println!(
                "  {t} {}  [{}, score {:.2}, {}{}]",
                m.target_display.as_deref().unwrap_or(""),
                m.relationship.map_or("-", |r| r.as_str()),
                m.score,
                m.review_state,
                m.reviewer.as_deref().map(|r| format!(" by {r}")).unwrap_or_default()
            ),
            None => println!("  no map: {}", m.no_map_reason.map_or("", |r| r.as_str())),
        }
        for h in &m.evidence {
            println!("      {} → {}  ({}; {})", h.from, h.to, h.source, h.relationship.as_str());
        }
    }
    Ok(())
}
