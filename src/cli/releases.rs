//! `henkan releases`: list releases, oldest first, and the draft.

use serde_json::json;

use super::print_json;
use crate::{Error, Service};

pub(super) fn run(service: &Service, json: bool) -> Result<(), Error> {
    let releases = service.releases()?;
    let draft = service.draft()?;
    if json {
        let draft: Vec<_> = draft.iter().map(|(s, v)| json!({"system": s, "version": v})).collect();
        print_json(&json!({"releases": releases, "draft": draft}));
        return Ok(());
    }
    if releases.is_empty() {
        println!("no releases yet");
    }
    for r in &releases {
        println!(
            "{}  {}  parent={}  by {}  sha256={}",
            r.id,
            r.created_at,
            r.parent.as_deref().unwrap_or("-"),
            r.publisher,
            &r.sha256[..16]
        );
        for s in &r.systems {
            println!("    {} {} ({} concepts)", s.system, s.version, s.concepts);
        }
    }
    if !draft.is_empty() {
        println!("draft:");
        for (s, v) in draft {
            println!("    {s} {v}");
        }
    }
    Ok(())
}
