//! The command line of `wa-bulk answers`: the lens reviews of many
//! workloads as a sheet.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::{AwsArgs, FleetArgs, OutputArgs, PaceArgs, parse_progress_every};
use crate::answers::read::Selection;
use crate::answers::write::SheetFormat;
use crate::commands::Telling;
use crate::commands::answers_export::AnswersExportConfig;
use crate::destination::{Destination, account_problem, region_problem};

#[derive(Debug, Args)]
pub struct AnswersArgs {
    #[command(subcommand)]
    pub command: AnswersCommand,
}

#[derive(Debug, Subcommand)]
pub enum AnswersCommand {
    /// Write the answers of the lens reviews of every workload (or those --name-prefix names) to OUT
    /// (.csv, .tsv, .xlsx or .jsonl): a row per lens, pillar, question and choice, with notes and
    /// risks. Exit 0: written, 2: unusable, 3: stopped by a run-wide fault.
    Export(AnswersExportArgs),
}

#[derive(Debug, Args)]
pub struct AnswersExportArgs {
    /// Where to write: .csv, .tsv, .xlsx or .jsonl
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    /// Only workloads whose names start with this (ignoring case, as the service matches)
    #[arg(long, value_name = "PREFIX")]
    pub name_prefix: Option<String>,
    /// Only the reviews of these lenses (aliases, or ARNs of custom lenses; repeat or separate with commas)
    #[arg(long, value_name = "ALIAS|ARN", value_delimiter = ',')]
    pub lens: Vec<String>,
    /// Leave notes out (no Notes column): one ListAnswers page per 50 questions instead of a GetAnswer each
    #[arg(long)]
    pub no_notes: bool,
    /// Read these accounts (12 digits, comma-separated), each through --role-name; needs --regions
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        requires = "regions",
        help_heading = "Destinations"
    )]
    pub accounts: Vec<String>,
    /// Read these Regions (comma-separated) [default: the Region of the credentials]
    #[arg(long, value_name = "REGIONS", value_delimiter = ',', help_heading = "Destinations")]
    pub regions: Vec<String>,
    /// Replace OUT if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Without a terminal (or with --log-format json), a progress line this often, 0.1 to 3600
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0, help_heading = "Output", value_parser = parse_progress_every)]
    pub progress_every: f64,
}

impl AnswersExportArgs {
    pub fn config(&self) -> Result<AnswersExportConfig, String> {
        let Some(format) = sheet_format(&self.out) else {
            return Err(format!("{}: use a .csv, .tsv, .xlsx or .jsonl file name", self.out.display()));
        };
        Ok(AnswersExportConfig {
            out: self.out.clone(),
            format,
            name_prefix: self.name_prefix.clone(),
            selection: Selection { lenses: self.lens.clone(), notes: !self.no_notes },
            destinations: destinations(&self.accounts, &self.regions)?,
            service: self.aws.service(),
            fleet: self.fleet.config(self.aws.local),
            submit: self.pace.config(),
            force: self.force,
            progress: (!self.output.quiet).then(|| Duration::from_secs_f64(self.progress_every)),
        })
    }

    pub fn telling(&self) -> Telling {
        self.output.telling(&self.out, false)
    }
}

fn sheet_format(path: &std::path::Path) -> Option<SheetFormat> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "csv" => Some(SheetFormat::Csv),
        "tsv" => Some(SheetFormat::Tsv),
        "xlsx" => Some(SheetFormat::Xlsx),
        "jsonl" => Some(SheetFormat::Jsonl),
        _ => None,
    }
}

/// Every (account, Region) of `--accounts` × `--regions`; the credentials'
/// own account in each Region without `--accounts`; none without either.
fn destinations(accounts: &[String], regions: &[String]) -> Result<Vec<Destination>, String> {
    if let Some(problem) = accounts.iter().find_map(|account| account_problem(account)) {
        return Err(format!("--accounts: {problem}"));
    }
    if let Some(problem) = regions.iter().find_map(|region| region_problem(region)) {
        return Err(format!("--regions: {problem}"));
    }
    let own = [String::new()];
    let accounts = if accounts.is_empty() { &own[..] } else { accounts };
    let mut destinations = Vec::new();
    for account in accounts {
        for region in regions {
            let destination = Destination { account: account.clone(), region: region.clone() };
            if !destinations.contains(&destination) {
                destinations.push(destination);
            }
        }
    }
    Ok(destinations)
}
