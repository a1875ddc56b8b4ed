//! `henkan review …`: list mapping candidates and record approve / reject / retarget decisions
//! (they take effect in the next published release); export and import decisions as TSV.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::print_json;
use crate::model::{DecisionAction, Relationship, ReviewState};
use crate::{CandidateQuery, DecisionRequest, Error, Service};

/// Arguments of `review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    command: ReviewCommand,
}

#[derive(Debug, Subcommand)]
enum ReviewCommand {
    /// Source codes to review, best score first (or most frequent first with --frequency).
    List {
        /// Mapping table.
        #[arg(long)]
        table: String,
        /// Rows in this state: candidate, approved, rejected.
        #[arg(long, default_value = "candidate")]
        state: ReviewState,
        /// Only rows with at least this score.
        #[arg(long)]
        min_score: Option<f32>,
        /// TSV of `code<TAB>count` (how often each source code occurs in your data).
        #[arg(long)]
        frequency: Option<PathBuf>,
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// The target is right.
    Approve(DecideArgs),
    /// The target is wrong.
    Reject(DecideArgs),
    /// The right target is another one (needs --relationship).
    Retarget(DecideArgs),
    /// Print every decision as TSV (mappings/<table>/decisions.tsv layout).
    Export {
        /// Only this table.
        #[arg(long)]
        table: Option<String>,
    },
    /// Record the decisions of a decisions.tsv file.
    Import {
        /// The file.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
struct DecideArgs {
    /// Mapping table.
    #[arg(long)]
    table: String,
    /// Source code.
    #[arg(long)]
    code: String,
    /// Target code.
    #[arg(long)]
    target: String,
    /// Relationship (for retarget), e.g. equivalent.
    #[arg(long)]
    relationship: Option<Relationship>,
    /// Why.
    #[arg(long)]
    comment: Option<String>,
}

pub(super) fn run(service: &Service, args: ReviewArgs, actor: &str, json: bool) -> Result<(), Error> {
    let (action, d) = match args.command {
        ReviewCommand::List { table, state, min_score, frequency, limit } => {
            let frequency = frequency.map(|path| read_frequency(&path)).transpose()?;
            let query =
                CandidateQuery { table, state: Some(state), min_score, frequency, limit: Some(limit), offset: None };
            return list(service, &query, json);
        }
        ReviewCommand::Export { table } => {
            print!("{}", service.export_decisions(table.as_deref())?);
            return Ok(());
        }
        ReviewCommand::Import { file } => {
            let n = service.import_decisions(&file, actor)?;
            println!("recorded {n} decisions; they take effect in the next published release");
            return Ok(());
        }
        ReviewCommand::Approve(d) => (DecisionAction::Approve, d),
        ReviewCommand::Reject(d) => (DecisionAction::Reject, d),
        ReviewCommand::Retarget(d) => (DecisionAction::Retarget, d),
    };
    let relationship = d.relationship;
    let decision = service.decide(
        actor,
        &DecisionRequest { table: d.table, code: d.code, action, target: d.target, relationship, comment: d.comment },
    )?;
    if json {
        print_json(&decision);
    } else {
        println!(
            "recorded decision {} on {} {}; it takes effect in the next published release",
            decision.seq, decision.table, decision.source_code
        );
    }
    Ok(())
}

/// A `code<TAB>count` file of how often each source code occurs.
fn read_frequency(path: &std::path::Path) -> Result<HashMap<String, u64>, Error> {
    let text =
        std::fs::read_to_string(path).map_err(|source| crate::ImportError::Io { path: path.to_owned(), source })?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(c, n)| Some((c.trim().to_owned(), n.trim().parse().ok()?)))
        .collect())
}

/// Prints a page of candidates.
fn list(service: &Service, query: &CandidateQuery, json: bool) -> Result<(), Error> {
    let page = service.candidates(query)?;
    if json {
        print_json(&page);
        return Ok(());
    }
    println!("{}: {} source codes", page.table, page.total);
    for item in &page.items {
        let freq = item.frequency.map(|f| format!("  ×{f}")).unwrap_or_default();
        println!("{} {}{freq}", item.code, item.display);
        for m in item.rows.iter().filter(|m| m.target_code.is_some()) {
            println!(
                "    {} {}  [{:.2} {}]{}",
                m.target_code.as_deref().unwrap_or(""),
                m.target_display.as_deref().unwrap_or(""),
                m.score,
                m.review_state,
                m.comment.as_deref().map(|c| format!("  — {c}")).unwrap_or_default()
            );
        }
    }
    Ok(())
}
