//! `henkan token create --name WHO --role curator`: make an API token (printed once, stored hashed).

use clap::{Args, Subcommand};

use super::print_json;
use crate::model::Role;
use crate::{Error, Service};

/// Arguments of `token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Make a token; it is shown once and only its SHA-256 is stored.
    Create {
        /// Who the token is for (recorded with every action made with it).
        #[arg(long)]
        name: String,
        /// Role: curator.
        #[arg(long, default_value = "curator")]
        role: Role,
    },
}

pub(super) fn run(service: &Service, args: TokenArgs, actor: &str, json: bool) -> Result<(), Error> {
    let TokenCommand::Create { name, role } = args.command;
    let token = service.create_token(&name, role, actor)?;
    if json {
        print_json(&serde_json::json!({"name": name, "token": token}));
    } else {
        println!("{token}");
        eprintln!("token for {name} (shown once; only its hash is stored): send it as `Authorization: Bearer <token>`");
    }
    Ok(())
}
