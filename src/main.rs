//! The `hubmatch` command-line tool: generate synthetic districts, solve
//! districts or bare graphs exactly, and report the results.
//!
//! Exit codes: 0 success; 2 bad input (the typed error, naming the record and
//! field, on stderr); 1 anything else.

mod commands;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exact resource matching for community service hubs.
#[derive(Parser)]
#[command(name = "hubmatch", version, about, long_about = None)]
struct Cli {
    /// Print no progress bars or spinners.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

/// How to match a district.
#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    /// One district-wide network: the hub.
    Pooled,
    /// Each community on its own: no hub.
    PerCommunity,
}

/// Output format of `generate`.
#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    /// One JSON document.
    Json,
    /// A folder of CSV tables.
    Csv,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the 13-community reference district, solve it per community
    /// and pooled, print a report and write the full results.
    Demo {
        /// Output folder.
        #[arg(long, default_value = "hubmatch-demo")]
        out: PathBuf,
        /// Seed of the synthetic district.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Preset to generate.
        #[arg(long, default_value = "district-13")]
        preset: String,
    },
    /// Generate a synthetic district.
    Generate {
        /// Preset: small, district-13, district-13-x4, district-13-x16 or city-100.
        #[arg(long, default_value = "district-13")]
        preset: String,
        /// Seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Output file (JSON) or folder (CSV, city-100).
        #[arg(long)]
        out: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: FormatArg,
        /// Override: number of communities.
        #[arg(long)]
        communities: Option<usize>,
        /// Override: needs per community.
        #[arg(long)]
        needs_per_community: Option<usize>,
        /// Override: providers per community.
        #[arg(long)]
        providers_per_community: Option<usize>,
        /// Override: district-level providers.
        #[arg(long)]
        district_providers: Option<usize>,
        /// Override: edge density (0 to 1).
        #[arg(long)]
        edge_density: Option<f64>,
        /// Override: share of community providers reaching neighbouring communities (0 to 1).
        #[arg(long)]
        reach: Option<f64>,
        /// Override: shares of government, market, social-organization and volunteer providers.
        #[arg(long, value_delimiter = ',')]
        kind_mix: Option<Vec<f64>>,
    },
    /// Check a district (JSON file or CSV folder) and print its size.
    Validate {
        /// District JSON file or CSV folder.
        district: PathBuf,
    },
    /// Solve a district and write assignments.csv, unmet.csv, utilisation.csv and summary.json.
    Solve {
        /// District JSON file or CSV folder.
        district: PathBuf,
        /// Matching mode.
        #[arg(long, value_enum, default_value = "pooled")]
        mode: ModeArg,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Do not merge interchangeable needs (same optimum, for comparison).
        #[arg(long)]
        no_aggregate: bool,
    },
    /// Print the readable report of a results folder (from `solve` or `demo`).
    Report {
        /// Results folder.
        dir: PathBuf,
    },
    /// Solve a bare bipartite graph (needs, providers, weighted edges) exactly.
    SolveGraph {
        /// Graph JSON file.
        graph: PathBuf,
        /// Result JSON file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a district's eligibility graph in the `solve-graph` format.
    ExportGraph {
        /// District JSON file or CSV folder.
        district: PathBuf,
        /// Matching mode whose networks to export.
        #[arg(long, value_enum, default_value = "pooled")]
        mode: ModeArg,
        /// Graph JSON file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Solve a district and scenarios of it (a JSON list of scenarios:
    /// `[{"name": ..., "changes": [...]}]`), warm-started, and compare them.
    Sweep {
        /// District JSON file or CSV folder.
        district: PathBuf,
        /// Scenarios JSON file.
        #[arg(long)]
        scenarios: PathBuf,
        /// Matching mode.
        #[arg(long, value_enum, default_value = "pooled")]
        mode: ModeArg,
        /// Output folder: sweep.csv and, per scenario, a diff against the base.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the JSON Schema of district documents.
    Schema,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // No panic reaches the user as a backtrace: it becomes exit code 1.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("hubmatch: internal error: {info}");
    }));
    match std::panic::catch_unwind(|| commands::run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("hubmatch: {e}");
            ExitCode::from(if e.is_bad_input() { 2 } else { 1 })
        }
        Err(_) => ExitCode::from(1),
    }
}
