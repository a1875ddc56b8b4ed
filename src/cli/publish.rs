//! `henkan publish --id ID`: turn the draft into an immutable release.

use clap::Args;

use super::{print_json, spinner};
use crate::{Error, PublishRequest, Service};

/// Arguments of `publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Release id (1-64 of A-Z a-z 0-9 . _ -), e.g. 2024-06.
    #[arg(long)]
    id: String,
    /// Who publishes (recorded in the release).
    #[arg(long, env = "HENKAN_PUBLISHER", default_value = "henkan")]
    publisher: String,
    /// Release notes.
    #[arg(long, default_value = "")]
    notes: String,
}

pub(super) fn run(service: &Service, args: PublishArgs, json: bool) -> Result<(), Error> {
    let pb = spinner("publishing");
    let release = service.publish(&PublishRequest { id: args.id, publisher: args.publisher, notes: args.notes });
    pb.finish_and_clear();
    let release = release?;
    if json {
        print_json(&release);
    } else {
        println!("published release {} (parent {})", release.id, release.parent.as_deref().unwrap_or("none"));
        println!("sha256 {}", release.sha256);
        for s in &release.systems {
            println!("  {} {} ({} concepts)", s.system, s.version, s.concepts);
        }
    }
    Ok(())
}
