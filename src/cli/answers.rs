//! The command line of `wa-bulk answers`: the lens reviews of many
//! workloads as a sheet.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::estate::EstateArgs;
use super::{AwsArgs, FleetArgs, OutputArgs, PaceArgs, ProgressArgs};
use crate::answers::decide::{Baseline, Policy};
use crate::answers::read::Selection;
use crate::commands::Telling;
use crate::commands::answers_export::AnswersExportConfig;
use crate::commands::answers_import::AnswersImportConfig;
use crate::commands::answers_validate::AnswersValidateConfig;
use crate::input::InputOptions;
use crate::report::SheetFormat;

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
    Export(Box<AnswersExportArgs>),
    /// Check every row of an answers sheet offline: its kind, states, reasons, the lengths the API
    /// allows, rows given twice, "None of these" beside other choices. Sends nothing, writes nothing.
    /// Exit 0: all valid, 1: some invalid, 2: unreadable.
    Validate(AnswersValidateArgs),
    /// Show what importing an answers sheet would change, question by question (`+` selected,
    /// `-` unselected, applicability, notes `old → new`), reading the service and writing nothing.
    /// Exit 0: all valid, 1: some invalid, 2: unreadable (with --detailed-exitcode: 0 no changes,
    /// 2 changes, 1 error), 3: stopped by a run-wide fault.
    Plan(AnswersImportArgs),
    /// Make the service hold what an answers sheet says: one UpdateAnswer per question that changes,
    /// one UpdateLensReview per review whose notes change, nothing for the rest. Exit 0: all in
    /// place, 1: some invalid or failed, 2: unreadable, 3: stopped by a run-wide fault, 130/143/129:
    /// stopped by a signal.
    Import(AnswersImportArgs),
}

#[derive(Debug, Args)]
pub struct AnswersImportArgs {
    #[command(flatten)]
    pub input: AnswersInputArgs,
    #[command(flatten)]
    pub progress: ProgressArgs,
    /// Add the sheet's selections to what each question has, rather than making them its whole selection
    #[arg(long)]
    pub merge: bool,
    /// Append each notes cell to the notes the service holds, on a line of its own after MARKER (e.g.
    /// "[baseline] "), once; blank cells leave notes as they are [default: the cell is the notes]
    #[arg(long, value_name = "MARKER")]
    pub append_notes: Option<String>,
    /// Associate a lens a workload lacks (AssociateLenses), then answer it [default: such rows are invalid]
    #[arg(long)]
    pub associate_lenses: bool,
    /// Apply rows that name no workload (a baseline) to every workload whose name starts with this
    #[arg(long, value_name = "PREFIX", conflicts_with_all = ["all_workloads", "workloads"])]
    pub name_prefix: Option<String>,
    /// Apply rows that name no workload (a baseline) to these workloads (names, comma-separated)
    #[arg(long, value_name = "NAMES", value_delimiter = ',', conflicts_with = "all_workloads")]
    pub workloads: Vec<String>,
    /// Apply rows that name no workload (a baseline) to the workloads with this tag (one ListTagsForResource each)
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_tag, conflicts_with_all = ["all_workloads", "workloads", "name_prefix"])]
    pub tag: Option<(String, String)>,
    /// Apply rows that name no workload (a baseline) to every workload of each account and Region
    #[arg(long)]
    pub all_workloads: bool,
    /// Where rows with no Account and Region go
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Also write the sheet's invalid and failed rows, with their own cells and why, to this CSV
    #[arg(long, value_name = "PATH.csv", help_heading = "Report")]
    pub failures: Option<PathBuf>,
    /// Write a line per item (its rows, workload, lens, question, status, message) here: .csv or .jsonl
    #[arg(long, value_name = "PATH", help_heading = "Report")]
    pub report: Option<PathBuf>,
    /// Continue a stopped run even though the sheet changed since: items its journal holds are not sent again (import only)
    #[arg(long, help_heading = "Report")]
    pub resume: bool,
    /// Start over, removing a stopped run's journal (import only)
    #[arg(long, help_heading = "Report", conflicts_with = "resume")]
    pub force: bool,
    /// Record this milestone on each workload once its answers are in (import only; 3 to 100 characters)
    #[arg(long, value_name = "NAME", value_parser = crate::cli::parse_milestone)]
    pub milestone: Option<String>,
    /// As Terraform: exit 0 with no changes, 2 with changes, 1 on error (plan only)
    #[arg(long)]
    pub detailed_exitcode: bool,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl AnswersImportArgs {
    pub fn config(&self) -> Result<AnswersImportConfig, String> {
        let baseline = match (&self.name_prefix, self.workloads.as_slice(), self.all_workloads) {
            (Some(prefix), _, _) => Some(Baseline::NamePrefix(prefix.clone())),
            (None, [_, ..], _) => Some(Baseline::Named(self.workloads.clone())),
            (None, [], true) => Some(Baseline::All),
            (None, [], false) => self.tag.clone().map(|(key, value)| Baseline::Tagged(key, value)),
        };
        if let Some(report) = &self.report
            && !matches!(SheetFormat::for_path(report), Some(SheetFormat::Csv | SheetFormat::Jsonl))
        {
            return Err(format!("--report {}: use a .csv or .jsonl file name", report.display()));
        }
        Ok(AnswersImportConfig {
            input: self.input.options(),
            policy: Policy {
                merge: self.merge,
                baseline,
                append_notes: self.append_notes.clone(),
                associate_lenses: self.associate_lenses,
            },
            destinations: self.estate.destinations()?,
            milestone: self.milestone.clone(),
            report: self.report.clone(),
            progress: self.progress.every(&self.output),
            failures: self.failures.clone(),
            resume: self.resume,
            force: self.force,
            service: self.aws.service(),
            fleet: self.fleet.config(self.aws.local),
            submit: self.pace.config(),
        })
    }

    pub fn telling(&self) -> Telling {
        Telling { detailed_exitcode: self.detailed_exitcode, ..self.output.telling(&self.input.file, false) }
    }
}

#[derive(Debug, Args)]
pub struct AnswersInputArgs {
    /// The answers sheet: .csv .tsv .txt, .xlsx .xlsm .xlsb .xls .ods, or .jsonl; - reads CSV from stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The input's format where its name cannot say (stdin, a FIFO) [default: from the extension; csv for -]
    #[arg(long, value_name = "FORMAT", value_parser = clap::builder::PossibleValuesParser::new(crate::input::FORMATS))]
    pub format: Option<String>,
    /// Text encoding of a CSV without a byte order mark, e.g. windows-1252 [default: utf-8]
    #[arg(long, value_name = "NAME", value_parser = crate::input::stream::parse_encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Sheet to read [default: the first sheet with a header row]
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

impl AnswersInputArgs {
    fn options(&self) -> InputOptions {
        InputOptions {
            path: self.file.clone(),
            sheet: self.sheet.clone(),
            encoding: self.encoding,
            format: self.format.clone(),
            ..InputOptions::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct AnswersValidateArgs {
    #[command(flatten)]
    pub input: AnswersInputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl AnswersValidateArgs {
    pub fn config(&self) -> Result<AnswersValidateConfig, String> {
        Ok(AnswersValidateConfig { input: self.input.options() })
    }

    pub fn telling(&self) -> Telling {
        self.output.telling(&self.input.file, false)
    }
}

#[derive(Debug, Args)]
pub struct AnswersExportArgs {
    /// Where to write: .csv, .tsv, .xlsx or .jsonl
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    /// Only workloads whose names start with this (ignoring case, as the service matches)
    #[arg(long, value_name = "PREFIX")]
    pub name_prefix: Option<String>,
    /// Write a blank form instead: each lens once (from the first review of it read), its questions and
    /// choices, nothing answered and no workload, to fill and import as a baseline
    #[arg(long)]
    pub form: bool,
    /// Export these review templates (ARNs; repeat or separate with commas) instead of workloads
    #[arg(long = "template", value_name = "ARN", value_delimiter = ',', conflicts_with = "name_prefix")]
    pub templates: Vec<String>,
    /// Only the reviews of these lenses (aliases, or ARNs of custom lenses; repeat or separate with commas)
    #[arg(long, value_name = "ALIAS|ARN", value_delimiter = ',')]
    pub lens: Vec<String>,
    /// Leave notes out (no Notes column): one ListAnswers page per 50 questions instead of a GetAnswer each
    #[arg(long)]
    pub no_notes: bool,
    #[command(flatten)]
    pub estate: EstateArgs,
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
    #[command(flatten)]
    pub progress: ProgressArgs,
}

impl AnswersExportArgs {
    pub fn config(&self) -> Result<AnswersExportConfig, String> {
        let Some(format) = SheetFormat::for_path(&self.out) else {
            return Err(format!("{}: use a .csv, .tsv, .xlsx or .jsonl file name", self.out.display()));
        };
        Ok(AnswersExportConfig {
            out: self.out.clone(),
            format,
            name_prefix: self.name_prefix.clone(),
            templates: self.templates.clone(),
            form: self.form,
            selection: Selection { lenses: self.lens.clone(), notes: !self.no_notes },
            destinations: self.estate.destinations()?,
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

/// `key=value`.
fn parse_tag(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.trim().to_owned(), value.trim().to_owned())),
        _ => Err("give the tag as KEY=VALUE, e.g. team=payments".into()),
    }
}
