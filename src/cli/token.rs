//! `henkan token create|list|revoke`: API tokens (a new token is printed once; only the hash of
//! its secret is stored).

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
    /// Make a token; it is shown once.
    Create {
        /// Who the token is for (recorded with every action made with it).
        #[arg(long)]
        name: String,
        /// What it may do: reader (reads, when they are closed), curator (also review
        /// mappings), admin (also tokens, the audit log, import, derive, publish).
        #[arg(long, default_value = "curator")]
        role: Role,
    },
    /// List every token (id, holder, role, made, revoked).
    List,
    /// Revoke a token by its id (from `token list`): it is refused from then on.
    Revoke {
        /// The token's id.
        id: String,
    },
}

pub(super) fn run(service: &Service, args: TokenArgs, actor: &str, json: bool) -> Result<(), Error> {
    match args.command {
        TokenCommand::Create { name, role } => {
            let made = service.create_token(&name, role, actor)?;
            if json {
                print_json(&made);
            } else {
                println!("{}", made.token);
                eprintln!(
                    "{role} token {} for {} (shown once; only its hash is stored): send it as `Authorization: Bearer <token>`",
                    made.info.id, made.info.name
                );
            }
        }
        TokenCommand::List => {
            let list = service.tokens()?;
            if json {
                print_json(&list);
                return Ok(());
            }
            for t in list.tokens {
                let revoked = t.revoked_at.map(|at| format!("revoked {at}")).unwrap_or_default();
                println!("{}  {:<8} {:<24} {}  {revoked}", t.id, t.role, t.name, t.created_at);
            }
        }
        TokenCommand::Revoke { id } => {
            let info = service.revoke_token(&id, actor)?;
            if json {
                print_json(&info);
            } else {
                println!("revoked {} ({}, {})", info.id, info.name, info.role);
            }
        }
    }
    Ok(())
}
