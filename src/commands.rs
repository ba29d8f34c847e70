//! The subcommands. Each reads its input, calls the library, writes its
//! output; all matching logic lives in the `hubmatch` crate.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use hubmatch::io::graph_json::GraphDoc;
use hubmatch::io::results::{ResultTables, Summary};
use hubmatch::solve::{MatchOptions, Mode, match_district, solve_matching};
use hubmatch::synthetic::{Knobs, city, generate};
use hubmatch::{District, Error};
use indicatif::{ProgressBar, ProgressStyle};

use crate::report;
use crate::{Cli, Command, FormatArg, ModeArg};

/// An error of a command: a library error, and whether it is the user's input.
pub struct CliError {
    error: Error,
    bad_input: bool,
}

impl CliError {
    /// Whether the error is bad input (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        self.bad_input
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl From<Error> for CliError {
    fn from(error: Error) -> Self {
        let bad_input = matches!(
            error,
            Error::Invalid(_) | Error::Parse { .. } | Error::Format { .. }
        );
        CliError { error, bad_input }
    }
}

fn input_error(error: Error) -> CliError {
    // Failing to read what the user named (a missing file) is bad input too.
    CliError {
        error,
        bad_input: true,
    }
}

fn usage(message: String) -> CliError {
    input_error(Error::Parse {
        source_name: "arguments".into(),
        message,
    })
}

fn io_error(path: &Path, source: std::io::Error) -> CliError {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
    .into()
}

type Result<T> = std::result::Result<T, CliError>;

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Pooled => Mode::Pooled,
            ModeArg::PerCommunity => Mode::PerCommunity,
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Demo { out, seed, preset } => demo(&out, seed, &preset, quiet),
        Command::Generate {
            preset,
            seed,
            out,
            format,
            communities,
            needs_per_community,
            providers_per_community,
            district_providers,
            edge_density,
            reach,
            kind_mix,
        } => {
            let city_size = (preset == "city-100").then_some(100);
            let base = if city_size.is_some() {
                "district-13"
            } else {
                preset.as_str()
            };
            let mut knobs = Knobs::preset(base).ok_or_else(|| {
                usage(format!(
                    "unknown preset {preset:?}; expected one of {}, city-100",
                    Knobs::PRESETS.join(", ")
                ))
            })?;
            knobs.communities = communities.unwrap_or(knobs.communities);
            knobs.needs_per_community = needs_per_community.unwrap_or(knobs.needs_per_community);
            knobs.providers_per_community =
                providers_per_community.unwrap_or(knobs.providers_per_community);
            knobs.district_providers = district_providers.unwrap_or(knobs.district_providers);
            knobs.edge_density = edge_density.unwrap_or(knobs.edge_density);
            knobs.reach = reach.unwrap_or(knobs.reach);
            if let Some(mix) = kind_mix {
                if mix.iter().any(|x| !x.is_finite() || *x < 0.0) || mix.iter().sum::<f64>() <= 0.0
                {
                    return Err(usage(format!(
                        "--kind-mix must be four non-negative shares, got {mix:?}"
                    )));
                }
                knobs.kind_mix = [mix[0], mix[1], mix[2], mix[3]];
            }
            if !(0.0..=1.0).contains(&knobs.reach) {
                return Err(usage(format!(
                    "--reach must be between 0 and 1, got {}",
                    knobs.reach
                )));
            }
            if knobs.communities == 0 || knobs.cells_per_community == 0 {
                return Err(usage("--communities must be at least 1".into()));
            }
            if !(0.0..=1.0).contains(&knobs.edge_density) {
                return Err(usage(format!(
                    "--edge-density must be between 0 and 1, got {}",
                    knobs.edge_density
                )));
            }
            if let Some(n) = city_size {
                std::fs::create_dir_all(&out).map_err(|e| io_error(&out, e))?;
                for d in city(&knobs, seed, n) {
                    write_district(&d, &out.join(&d.id), format)?;
                }
                return Ok(());
            }
            write_district(&generate(&knobs, seed), &out, format)
        }
        Command::Validate { district } => {
            let d = load(&district)?;
            let ix = d.validate()?;
            let units: i64 = ix.needs.iter().map(|n| n.units).sum();
            let offers: usize = ix.providers.iter().map(|p| p.offers.len()).sum();
            println!(
                "{}: valid — {} communities, {} needs ({units} units), {} providers with {offers} offers",
                district.display(),
                ix.communities.len(),
                ix.needs.len(),
                ix.providers.len()
            );
            Ok(())
        }
        Command::Solve {
            district,
            mode,
            out,
            no_aggregate,
        } => {
            let d = load(&district)?;
            let options = MatchOptions {
                aggregate: !no_aggregate,
                ..MatchOptions::default()
            };
            let tables = solve(&d, mode.into(), &options, quiet, &out)?;
            println!("{}", report::single(&tables.summary));
            println!("Results written to {}", out.display());
            Ok(())
        }
        Command::Report { dir } => {
            let text = match (
                read_summary(&dir.join("pooled")),
                read_summary(&dir.join("per_community")),
            ) {
                (Ok(pooled), Ok(alone)) => report::comparison(&pooled, &alone),
                _ => report::single(&read_summary(&dir)?),
            };
            println!("{text}");
            Ok(())
        }
        Command::SolveGraph { graph, out } => {
            let doc = GraphDoc::read(&graph).map_err(input_error)?;
            let problem = doc.to_problem()?;
            let spinner = spinner(quiet, "solving graph");
            let solution = solve_matching(&problem, &MatchOptions::default(), None)?;
            spinner.finish_and_clear();
            solution
                .verify(&problem)
                .map_err(|e| Error::Infeasible(format!("certificate check failed: {e}")))?;
            let result = doc.result(&solution);
            write_json(&out, &result)?;
            println!(
                "objective {} — {} assignments, certificate verified; written to {}",
                result.objective,
                result.assignments.len(),
                out.display()
            );
            Ok(())
        }
        Command::ExportGraph {
            district,
            mode,
            out,
        } => {
            let d = load(&district)?;
            let ix = d.validate()?;
            let (_, parts) = hubmatch::solve::district::mode_parts(&ix, mode.into())?;
            let doc = GraphDoc::from_parts(&d, &ix, &parts);
            write_json(&out, &doc)?;
            println!(
                "{} needs, {} providers, {} edges written to {}",
                doc.needs.len(),
                doc.providers.len(),
                doc.edges.len(),
                out.display()
            );
            Ok(())
        }
        Command::Sweep {
            district,
            scenarios,
            mode,
            out,
        } => {
            let d = load(&district)?;
            let text = std::fs::read_to_string(&scenarios).map_err(|source| {
                input_error(Error::Io {
                    path: scenarios.display().to_string(),
                    source,
                })
            })?;
            let list: Vec<hubmatch::analyze::Scenario> =
                serde_json::from_str(&text).map_err(|e| {
                    input_error(Error::Parse {
                        source_name: scenarios.display().to_string(),
                        message: e.to_string(),
                    })
                })?;
            let bar = spinner(quiet, &format!("solving {} scenarios", list.len()));
            let sweep = hubmatch::analyze::sweep(
                &d,
                mode.into(),
                &list,
                &MatchOptions::default(),
                &|_| {},
            )?;
            bar.finish_and_clear();
            std::fs::create_dir_all(&out).map_err(|e| io_error(&out, e))?;
            let mut rows = vec![report::SweepRow::new("base", &d, &sweep.base, &sweep.base)];
            for (o, s) in sweep.outcomes.iter().zip(&list) {
                // One changed district at a time: outcomes hold none.
                let changed = s.apply(&d)?;
                rows.push(report::SweepRow::new(
                    &o.name,
                    &changed,
                    &o.result,
                    &sweep.base,
                ));
                let diff = hubmatch::analyze::diff(&d, &sweep.base, &changed, &o.result);
                let name: String = o
                    .name
                    .chars()
                    .map(|c| if c.is_alphanumeric() { c } else { '_' })
                    .collect();
                write_csv_rows(&out.join(format!("diff-{name}.csv")), &diff)?;
            }
            write_csv_rows(&out.join("sweep.csv"), &rows)?;
            println!("{}", report::sweep(&rows));
            println!("Written to {}/ (sweep.csv, diff-*.csv)", out.display());
            Ok(())
        }
        Command::Schema => {
            print!("{}", hubmatch::io::schema::district_schema());
            Ok(())
        }
    }
}

fn load(path: &Path) -> Result<District> {
    if path.is_dir() {
        hubmatch::io::csv::read_district_dir(path).map_err(input_error)
    } else {
        hubmatch::io::json::read_district(path).map_err(input_error)
    }
}

fn read_summary(dir: &Path) -> Result<Summary> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        input_error(Error::Io {
            path: path.display().to_string(),
            source: e,
        })
    })?;
    serde_json::from_str(&text).map_err(|e| {
        input_error(Error::Parse {
            source_name: path.display().to_string(),
            message: e.to_string(),
        })
    })
}

fn write_csv_rows<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    let err = |e: hubmatch::Error| -> CliError { e.into() };
    let mut w = csv_writer(path).map_err(err)?;
    for r in rows {
        w.serialize(r)
            .map_err(|e| io_error(path, std::io::Error::other(e)))?;
    }
    w.flush().map_err(|e| io_error(path, e))
}

fn csv_writer(path: &Path) -> hubmatch::Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    })
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
    std::fs::write(path, text).map_err(|e| io_error(path, e))
}

fn write_district(d: &District, out: &Path, format: FormatArg) -> Result<()> {
    match format {
        FormatArg::Json => {
            let path: PathBuf = if out.extension().is_some() {
                out.to_path_buf()
            } else {
                out.with_extension("json")
            };
            hubmatch::io::json::write_district(d, &path)?;
            println!(
                "{} needs, {} providers written to {}",
                d.needs.len(),
                d.providers.len(),
                path.display()
            );
        }
        FormatArg::Csv => {
            hubmatch::io::csv::write_district_dir(d, out)?;
            println!(
                "{} needs, {} providers written to {}/",
                d.needs.len(),
                d.providers.len(),
                out.display()
            );
        }
    }
    Ok(())
}

fn spinner(quiet: bool, message: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    // indicatif draws to stderr only when it is a terminal.
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}

/// Solves `d` and writes its results (tables, summary, explanations) into `out`.
fn solve(
    d: &District,
    mode: Mode,
    options: &MatchOptions,
    quiet: bool,
    out: &Path,
) -> Result<ResultTables> {
    let ix = d.validate()?;
    let bar = spinner(quiet, &format!("solving {}", mode.as_str()));
    let result = match_district(&ix, mode, options, None)?;
    bar.finish_and_clear();
    let tables = ResultTables::new(d, &result);
    tables.write_dir(out)?;
    hubmatch::io::results::write_explanations(
        out,
        d,
        &hubmatch::analyze::explain_unmet(d, &ix, &result),
    )?;
    Ok(tables)
}

fn demo(out: &Path, seed: u64, preset: &str, quiet: bool) -> Result<()> {
    let knobs = Knobs::preset(preset).ok_or_else(|| {
        usage(format!(
            "unknown preset {preset:?}; expected one of {}",
            Knobs::PRESETS.join(", ")
        ))
    })?;
    let start = Instant::now();
    let district = generate(&knobs, seed);
    let options = MatchOptions::default();
    std::fs::create_dir_all(out).map_err(|e| io_error(out, e))?;
    let alone = solve(
        &district,
        Mode::PerCommunity,
        &options,
        quiet,
        &out.join("per_community"),
    )?;
    let pooled = solve(
        &district,
        Mode::Pooled,
        &options,
        quiet,
        &out.join("pooled"),
    )?;
    let elapsed = start.elapsed();
    hubmatch::io::json::write_district(&district, out.join("district.json"))?;
    println!("{}", report::comparison(&pooled.summary, &alone.summary));
    println!(
        "Generated, solved and explained in {:.2} s. Full results (CSV and JSON) in {}/ \
         (district.json, pooled/, per_community/); `hubmatch report {}` prints this report again.",
        elapsed.as_secs_f64(),
        out.display(),
        out.display()
    );
    Ok(())
}
