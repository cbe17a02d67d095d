//! The command line of `wa-bulk export`.

use std::path::PathBuf;

use clap::Args;

use super::estate::{EstateArgs, OrganizationArgs};
use super::{AwsArgs, FleetArgs, OutputArgs, PaceArgs, ProgressArgs};
use crate::commands::Telling;
use crate::commands::export::{Depth, ExportConfig};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Where to write: .csv, .tsv, .xlsx or .jsonl
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    /// Only workloads whose names start with this (ignoring case, as the service matches)
    #[arg(long, value_name = "PREFIX")]
    pub name_prefix: Option<String>,
    /// Replace OUT if it exists
    #[arg(long)]
    pub force: bool,
    /// Also each pillar's risks: a GetLensReview per lens of each workload
    #[arg(long)]
    pub pillar_risks: bool,
    /// Members only: no risk, milestone or share columns (and none of their three requests a workload)
    #[arg(long, conflicts_with = "pillar_risks")]
    pub no_risks: bool,
    #[command(flatten)]
    pub estate: EstateArgs,
    #[command(flatten)]
    pub organization: OrganizationArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub progress: ProgressArgs,
}

impl ExportArgs {
    pub fn config(&self) -> Result<ExportConfig, String> {
        let Some(format) = crate::report::SheetFormat::for_path(&self.out) else {
            return Err(format!("{}: use a .csv, .tsv, .xlsx or .jsonl file name", self.out.display()));
        };
        let depth = match (self.no_risks, self.pillar_risks) {
            (true, _) => Depth::Members,
            (false, true) => Depth::Pillars,
            (false, false) => Depth::Risks,
        };
        Ok(ExportConfig {
            out: self.out.clone(),
            format,
            name_prefix: self.name_prefix.clone(),
            estate: self.estate.estate(&self.organization)?,
            depth,
            service: self.aws.service(),
            fleet: self.fleet.config(self.aws.local),
            submit: self.pace.config(),
            force: self.force,
            progress: self.progress.every(&self.output),
        })
    }

    pub fn telling(&self) -> Telling {
        self.output.telling(&self.out, false)
    }
}
