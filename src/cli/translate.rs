//! `henkan translate SYSTEM CODE --to TARGET`: a code's targets through the release's mapping table.

use clap::Args;

use super::print_json;
use crate::{Error, Service, TranslateFilter};

/// Arguments of `translate`.
#[derive(Debug, Args)]
pub struct TranslateArgs {
    /// Source code system (slug or URI).
    system: String,
    /// The code.
    code: String,
    /// Target code system (slug or URI).
    #[arg(long = "to")]
    target: String,
    /// Release id (default: the latest).
    #[arg(long)]
    release: Option<String>,
    /// Only rows with at least this score.
    #[arg(long)]
    min_score: Option<f32>,
    /// Use the release in effect on this date (YYYY-MM-DD), following successors of retired codes.
    #[arg(long)]
    as_of: Option<String>,
}

pub(super) fn run(service: &Service, args: TranslateArgs, json: bool) -> Result<(), Error> {
    let filter = TranslateFilter { review: None, min_score: args.min_score, as_of: args.as_of };
    let t = service.translate(&args.system, &args.code, &args.target, args.release.as_deref(), &filter)?;
    if json {
        print_json(&t);
        return Ok(());
    }
    println!(
        "{} {} {}  →  {} {}  (release {}, table {})",
        t.source.system.slug,
        t.source.code,
        t.source.display,
        t.target.slug,
        t.target.version.as_deref().unwrap_or("-"),
        t.release,
        t.table
    );
    for f in &t.followed {
        println!("  followed successor {f}");
    }
    for m in &t.matches {
        let rel = m.relationship.map_or("-", |r| r.as_str());
        println!(
            "  {} {}  [{rel}, score {:.2}, {}]",
            m.target_code.as_deref().unwrap_or("-"),
            m.target_display.as_deref().unwrap_or(""),
            m.score,
            m.review_state
        );
        println!("    {}", m.evidence_text);
    }
    if let Some(n) = &t.no_map {
        let reason = n.no_map_reason.map_or("", |r| r.as_str());
        println!("  no map: {reason}");
    }
    Ok(())
}
