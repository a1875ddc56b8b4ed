//! `henkan bootstrap`: publish the bundled masters on an empty data directory (what `serve`
//! does first), then exit — for pipelines and CI that translate or export offline.

use std::path::PathBuf;

use clap::Args;

use crate::{Error, Service};

/// Arguments of `bootstrap`.
#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// Directory of the bundled masters (`default.toml` and the official files).
    #[arg(long, env = "HENKAN_MASTERS_DIR", default_value_os_t = crate::config::default_masters_dir())]
    masters_dir: PathBuf,
}

pub(super) fn run(service: &Service, args: BootstrapArgs, json: bool) -> Result<(), Error> {
    let pb = super::spinner("checking data directory");
    let published =
        service.bootstrap(&args.masters_dir, |id| pb.set_message(format!("publishing bundled release {id}")));
    pb.finish_and_clear();
    let published = published?;
    let ids: Vec<&str> = published.iter().map(|r| r.id.as_str()).collect();
    if json {
        super::print_json(&ids);
    } else if ids.is_empty() {
        println!("the data directory already holds releases: nothing published");
    } else {
        println!("published {} bundled releases: {}", ids.len(), ids.join(", "));
    }
    Ok(())
}
