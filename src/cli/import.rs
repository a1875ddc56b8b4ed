//! `henkan import FILE…`: parse official files and stage them in the draft.

use std::path::PathBuf;

use clap::Args;

use super::{print_json, spinner};
use crate::{Error, Service};

/// Arguments of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Official master files (plain or .gz), e.g. b_20240601.txt.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Format name, when detection from the file is not wanted (see `henkan import --help`).
    #[arg(long)]
    format: Option<String>,
    /// Version label, when the file name carries no date.
    #[arg(long)]
    version: Option<String>,
}

pub(super) fn run(service: &Service, actor: &str, args: ImportArgs, json: bool) -> Result<(), Error> {
    let pb = spinner("importing");
    let staged = service.import_as(actor, &args.files, args.format.as_deref(), args.version.as_deref(), |p| {
        pb.set_message(format!("parsing {}", p.display()));
    });
    pb.finish_and_clear();
    let staged = staged?;
    if json {
        print_json(&staged);
    } else {
        for s in &staged {
            let files: Vec<String> = s.files.iter().map(|f| format!("{} [{}]", f.name, f.format)).collect();
            println!("staged {} {} ({} concepts) from {}", s.system, s.version, s.concepts, files.join(", "));
            for note in &s.notes {
                println!("  note: {note}");
            }
        }
        println!("draft ready: `henkan publish --id <id>` makes it a release");
    }
    Ok(())
}
