//! The command line (clap derive), and its translation into the plain
//! configs the commands take. Nothing below `commands` sees these types.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

mod answers;
mod estate;
mod export;
pub use answers::{AnswersArgs, AnswersCommand, AnswersExportArgs, AnswersImportArgs, AnswersValidateArgs};
pub use export::ExportArgs;

use crate::commands::import::ImportConfig;
use crate::commands::plan::PlanConfig;
use crate::commands::template::TemplateConfig;
use crate::commands::validate::ValidateConfig;
use crate::commands::{Form, Telling};
use crate::emulator::{EmulatorConfig, TestKey};
use crate::input::columns::parse_override;
use crate::input::stream::parse_encoding;
use crate::input::{InputOptions, Target};
use crate::report::{self, Format};
use crate::service::{DEFAULT_MAX_LANES, FleetConfig, Service};
use crate::submit::client::AwsOptions;
use crate::submit::plan::Prune;
use crate::submit::rate::DEFAULT_MAX_RATE;
use crate::submit::{OnExisting, Rate, SubmitConfig};
use encoding_rs::Encoding;

#[derive(Debug, Parser)]
#[command(
    name = "wa-bulk",
    version,
    about = "Import spreadsheets of workloads into the AWS Well-Architected Tool"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every row against every rule of CreateWorkload and write a
    /// report; sends nothing. Exit 0: all valid, 1: some invalid, 2: unreadable.
    Validate(ValidateArgs),
    /// Validate every row, then create a workload for each valid one: paced, retried,
    /// idempotent, with a report. Exit 0: all in place, 1: some invalid or failed,
    /// 2: unreadable, 3: stopped by a run-wide fault, 4: report not written, 130 (Ctrl-C), 143 (SIGTERM),
    /// 129 (SIGHUP): stopped by a signal.
    Import(ImportArgs),
    /// Show what `import` would do to each row, member by member, writing nothing to the
    /// service. Exit 0: all valid, 1: some invalid, 2: unreadable (with --detailed-exitcode,
    /// as Terraform: 0 no changes, 2 changes, 1 error).
    Plan(PlanArgs),
    /// Write every workload of the account and Region (or of --regions, --accounts, --organization)
    /// to OUT (.csv, .tsv, .xlsx or .jsonl) in the layout `import` reads, with read-only risk columns.
    /// Exit 0: written, 2: unusable, 3: a place or the run stopped by a run-wide fault.
    Export(ExportArgs),
    /// The answers of lens reviews as a sheet: `answers export OUT`, `answers validate|plan|import FILE`.
    Answers(AnswersArgs),
    /// Write a workbook to fill in: a column per member, dropdowns on enum columns, account IDs
    /// as text, each column's rule on its header, and a "How to fill" sheet.
    Template(TemplateArgs),
    /// Run a local Well-Architected API emulator in the foreground until Ctrl-C or SIGTERM.
    Emulator(EmulatorArgs),
    /// Print the completion script of a shell, e.g. `wa-bulk completions bash > /etc/bash_completion.d/wa-bulk`.
    Completions(CompletionsArgs),
    /// Print the man page (roff) of wa-bulk, or of one of its commands, e.g. `wa-bulk man > wa-bulk.1`.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print [default: wa-bulk's own]
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Report path; .csv, .jsonl, .json or .xlsx (a results workbook) picks the format [default: <FILE name>.report.csv beside FILE]
    #[arg(long, value_name = "PATH", help_heading = "Report")]
    pub report: Option<PathBuf>,
    /// Continue an earlier run: rows it left created, exists, updated or unchanged are not sent again
    #[arg(long, help_heading = "Report")]
    pub resume: bool,
    /// Start over, replacing an earlier run's report and journal
    #[arg(long, help_heading = "Report", conflicts_with = "resume")]
    pub force: bool,
    /// Also write the invalid and failed rows, with their own columns and the error, to this CSV
    #[arg(long, value_name = "PATH.csv", help_heading = "Report")]
    pub failures: Option<PathBuf>,
    /// Validate and print each CreateWorkload request (JSON lines) without sending anything
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Apply exactly the plan `plan --out` saved here: refused if the sheet or a planned workload changed since
    #[arg(long, value_name = "PATH", conflicts_with_all = ["on_existing", "prune_tags", "prune_lenses", "prune_shares", "dry_run"])]
    pub plan: Option<PathBuf>,
    /// Record a milestone of this name (3 to 100 characters) on each workload created or updated
    #[arg(long, value_name = "NAME", help_heading = "Submission", value_parser = parse_milestone)]
    pub milestone: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub progress: ProgressArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Also write each row's verdict and planned action here (.csv, .jsonl, .json or .xlsx)
    #[arg(long, value_name = "PATH", help_heading = "Report")]
    pub report: Option<PathBuf>,
    /// Save the plan here (JSON), for `import FILE --plan PATH` to apply exactly
    #[arg(long, value_name = "PATH", help_heading = "Report")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Exit 0 when nothing would change, 2 when something would, 1 on any error (as Terraform)
    #[arg(long, help_heading = "Output")]
    pub detailed_exitcode: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl PlanArgs {
    pub fn config(&self) -> Result<PlanConfig, String> {
        let report = match &self.report {
            Some(path) => Some(report_path(Some(path), &self.input.file)?),
            None => None,
        };
        Ok(PlanConfig {
            input: self.input.options(),
            report,
            service: self.aws.service(),
            submit: self.policy.config(&self.pace),
            json: self.output.output == Form::Json,
            out: self.out.clone(),
            fleet: self.fleet.config(self.aws.local),
        })
    }

    pub fn telling(&self) -> Telling {
        Telling { detailed_exitcode: self.detailed_exitcode, ..self.output.telling(&self.input.file, false) }
    }
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Where to write the workbook (.xlsx)
    #[arg(value_name = "OUT.xlsx")]
    pub out: PathBuf,
    /// Add a few filled rows, as an example
    #[arg(long)]
    pub example: bool,
    /// Replace OUT if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl TemplateArgs {
    pub fn config(&self) -> Result<TemplateConfig, String> {
        let xlsx = self.out.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("xlsx"));
        if !xlsx {
            return Err(format!("{}: the template is an .xlsx workbook", self.out.display()));
        }
        Ok(TemplateConfig { out: self.out.clone(), example: self.example, force: self.force })
    }

    pub fn telling(&self) -> Telling {
        self.output.telling(&self.out, false)
    }
}

/// Where requests go and as whom, as the AWS CLI says it.
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// Send to a Well-Architected API emulator started for this run (no AWS account needed)
    #[arg(long, help_heading = "AWS", conflicts_with_all = ["profile", "region", "endpoint_url"])]
    pub local: bool,
    /// Named profile from the AWS config files
    #[arg(long, value_name = "NAME", help_heading = "AWS")]
    pub profile: Option<String>,
    /// AWS Region [default: from the environment or profile]
    #[arg(long, value_name = "REGION", help_heading = "AWS")]
    pub region: Option<String>,
    /// Endpoint to send to instead of the Region's (AWS_ENDPOINT_URL works too)
    #[arg(long, value_name = "URL", help_heading = "AWS")]
    pub endpoint_url: Option<String>,
}

impl AwsArgs {
    pub fn service(&self) -> Service {
        if self.local {
            return Service::Local;
        }
        Service::Aws(AwsOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        })
    }
}

/// How rows reach accounts other than the credentials' own, and how many
/// (account, Region) lanes send at once.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// Role to assume in each Target account that is not the credentials' own (arn:aws:iam::ACCOUNT:role/NAME)
    /// [default: none; with --local, OrganizationAccountAccessRole]
    #[arg(long, value_name = "NAME", help_heading = "Destinations")]
    pub role_name: Option<String>,
    /// ExternalId to give when assuming --role-name
    #[arg(long, value_name = "ID", help_heading = "Destinations", requires = "role_name")]
    pub external_id: Option<String>,
    /// (account, Region) lanes sending at once, 1 to 1000
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_LANES as u32, help_heading = "Destinations", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_lanes: u32,
}

/// The role `--local` assumes in other accounts when none is named: the one
/// AWS Organizations creates in every member account.
pub const LOCAL_ROLE: &str = "OrganizationAccountAccessRole";

impl FleetArgs {
    pub fn config(&self, local: bool) -> FleetConfig {
        let role_name = self.role_name.clone().or_else(|| local.then(|| LOCAL_ROLE.to_owned()));
        FleetConfig { role_name, external_id: self.external_id.clone(), max_lanes: self.max_lanes as usize }
    }
}

/// How requests are sent: pace, bounds and retries.
#[derive(Debug, Args)]
pub struct PaceArgs {
    /// Requests per second at most (above 0, up to 10000), from the start [default: found by discovery]
    #[arg(long, value_name = "N", help_heading = "Submission", value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// Without --rate, discovery never goes beyond this many requests per second
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_RATE, help_heading = "Submission", value_parser = parse_rate, conflicts_with = "rate")]
    pub max_rate: f64,
    /// Token bucket size, 1 to 10000 [default: the rate, or --max-rate]
    #[arg(long, value_name = "N", help_heading = "Submission", value_parser = burst_within(10_000))]
    pub burst: Option<NonZeroU32>,
    /// Requests in flight at most, 1 to 1024
    #[arg(long, value_name = "N", default_value_t = 8, help_heading = "Submission", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,
    /// Attempts per request before the row fails with the last error, 1 to 100
    #[arg(long, value_name = "N", env = "AWS_MAX_ATTEMPTS", default_value_t = 8, help_heading = "Submission", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: u32,
    /// Seconds each attempt may take, 0.01 to 3600
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, help_heading = "Submission", value_parser = parse_attempt_timeout)]
    pub attempt_timeout: f64,
}

impl PaceArgs {
    pub fn config(&self) -> SubmitConfig {
        SubmitConfig {
            rate: self.rate.map_or(Rate::Discover { max: self.max_rate }, Rate::Fixed),
            burst: self.burst,
            concurrency: usize::from(self.concurrency),
            max_attempts: self.max_attempts,
            attempt_timeout: Duration::from_secs_f64(self.attempt_timeout),
            ..SubmitConfig::default()
        }
    }
}

/// What to do with a workload that exists, and what an update removes.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// What to do with a row whose workload exists
    #[arg(long, value_name = "WHAT", value_enum, default_value_t = OnExisting::Skip, help_heading = "Submission")]
    pub on_existing: OnExisting,
    /// With --on-existing update, remove tag keys a row that gives tags does not give
    #[arg(long, help_heading = "Submission")]
    pub prune_tags: bool,
    /// With --on-existing update, disassociate lenses the row does not list (their review answers are lost)
    #[arg(long, help_heading = "Submission")]
    pub prune_lenses: bool,
    /// Delete the shares of a workload that its row's Share with cell does not list (on rows that give one)
    #[arg(long, help_heading = "Submission")]
    pub prune_shares: bool,
}

impl PolicyArgs {
    /// `pace` with this policy.
    pub fn config(&self, pace: &PaceArgs) -> SubmitConfig {
        SubmitConfig {
            on_existing: self.on_existing,
            prune: Prune { tags: self.prune_tags, lenses: self.prune_lenses, shares: self.prune_shares },
            ..pace.config()
        }
    }
}

/// What every command prints, and how.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// No progress and no problem list: warnings, errors and the summary only
    #[arg(long, short)]
    pub quiet: bool,
    /// The summary on stdout: a line of text, or one JSON object (counts, stop reason, report, duration, rate, exit code)
    #[arg(long, value_name = "FORM", value_enum, default_value_t = Form::Text)]
    pub output: Form,
    /// stderr as text, or as one JSON object a line (for log collectors); RUST_LOG sets the level of library logs
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// How many problems stderr tells (the report has them all): a number, or all
    #[arg(long, value_name = "N|all", default_value = "20", value_parser = parse_problems_shown)]
    pub show_problems: ProblemsShown,
}

/// How often progress is told when it is told as lines.
#[derive(Debug, Args)]
pub struct ProgressArgs {
    /// Without a terminal (or with --log-format json), a progress line this often, 0.1 to 3600
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0, help_heading = "Output", value_parser = parse_progress_every)]
    pub progress_every: f64,
}

impl ProgressArgs {
    /// How often a progress line comes; `None` under `--quiet`.
    pub fn every(&self, output: &OutputArgs) -> Option<Duration> {
        (!output.quiet).then(|| Duration::from_secs_f64(self.progress_every))
    }
}

/// How many problems stderr tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemsShown(pub Option<usize>);

fn parse_problems_shown(value: &str) -> Result<ProblemsShown, String> {
    match value.trim() {
        "all" => Ok(ProblemsShown(None)),
        number => {
            number.parse().map(|limit| ProblemsShown(Some(limit))).map_err(|_| "use a number, or all".into())
        }
    }
}

impl OutputArgs {
    /// How a command on `input` (or writing it) tells its outcome.
    pub fn telling(&self, input: &Path, stdout_is_json_lines: bool) -> Telling {
        Telling {
            input: input.to_owned(),
            summary: self.output,
            quiet: self.quiet,
            stdout_is_json_lines,
            detailed_exitcode: false,
        }
    }
}

impl ImportArgs {
    pub fn config(&self) -> Result<ImportConfig, String> {
        let (report, format) = report_path(self.report.as_ref(), &self.input.file)?;
        Ok(ImportConfig {
            input: self.input.options(),
            report,
            format,
            service: self.aws.service(),
            submit: SubmitConfig { milestone: self.milestone.clone(), ..self.policy.config(&self.pace) },
            resume: self.resume,
            force: self.force,
            progress: self.progress.every(&self.output),
            plan: self.plan.clone(),
            failures: self.failures.clone(),
            fleet: self.fleet.config(self.aws.local),
        })
    }
}

/// A number within `(above, up_to]`, or a message saying which are allowed.
fn number_within(value: &str, above: f64, up_to: f64) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(number) if number > above && number <= up_to => Ok(number),
        _ => Err(format!("use a number above {above} and at most {up_to}")),
    }
}

/// A token bucket size from 1 to `most`.
fn burst_within(most: u32) -> impl Fn(&str) -> Result<NonZeroU32, String> + Clone {
    move |value| match value.trim().parse::<u32>().ok().and_then(NonZeroU32::new) {
        Some(burst) if burst.get() <= most => Ok(burst),
        _ => Err(format!("use a whole number from 1 to {most}")),
    }
}

fn parse_rate(value: &str) -> Result<f64, String> {
    number_within(value, 0.0, 10_000.0)
}

pub(crate) fn parse_milestone(value: &str) -> Result<String, String> {
    match value.trim().chars().count() {
        3..=100 => Ok(value.trim().to_owned()),
        _ => Err("use a name of 3 to 100 characters".into()),
    }
}

fn parse_progress_every(value: &str) -> Result<f64, String> {
    number_within(value, 0.0, 3600.0)
        .and_then(|seconds| if seconds >= 0.1 { Ok(seconds) } else { Err("use at least 0.1 seconds".into()) })
}

fn parse_attempt_timeout(value: &str) -> Result<f64, String> {
    // 0.01 s and up: a shorter attempt never gets an answer.
    number_within(value, 0.0, 3600.0).and_then(|seconds| {
        if seconds >= 0.01 { Ok(seconds) } else { Err("use at least 0.01 seconds".into()) }
    })
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free one
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:4566")]
    pub bind: SocketAddr,
    /// Requests per second the server-side token bucket lets through (429 beyond); 0 = no limit
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub rate: u32,
    /// Token bucket size, 1 to 1000000 [default: the rate]
    #[arg(long, value_name = "N", value_parser = burst_within(1_000_000))]
    pub burst: Option<NonZeroU32>,
    /// Probability (0 to 1) of answering a request with a 500 InternalServerException
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_probability)]
    pub fail_rate: f64,
    /// Milliseconds added before every answer, up to 600000
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=600_000))]
    pub latency_ms: u64,
    /// Workloads the account may hold (402 ServiceQuotaExceededException beyond), up to 1000000
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub quota: u32,
    /// Seed for workload ids and injected faults [default: random, printed at start]
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// A test key, ACCESS_KEY:SECRET:ACCOUNT (repeatable): signatures are then checked, each key signs
    /// as its account, and other keys are refused (403) [default: any key, unchecked, as 123456789012]
    #[arg(long = "key", value_name = "KEY:SECRET:ACCOUNT", value_parser = parse_test_key)]
    pub keys: Vec<TestKey>,
    /// An account whose roles STS AssumeRole refuses (403 AccessDenied); repeatable
    #[arg(long = "deny-account", value_name = "ACCOUNT")]
    pub denied_accounts: Vec<String>,
    /// Play AWS Organizations too: the first --key's account manages, and every --key's account (and each
    /// --member) is an active account in the root
    #[arg(long)]
    pub organization: bool,
    /// With --organization: another account of the organisation, reached only through roles (repeatable)
    #[arg(long = "member", value_name = "ACCOUNT", requires = "organization")]
    pub members: Vec<String>,
}

impl EmulatorArgs {
    pub fn config(&self) -> EmulatorConfig {
        EmulatorConfig {
            bind: self.bind,
            rate: self.rate,
            burst: self.burst,
            fail_rate: self.fail_rate,
            latency: Duration::from_millis(self.latency_ms),
            quota: self.quota as usize,
            seed: self.seed,
            keys: self.keys.clone(),
            denied_accounts: self.denied_accounts.clone(),
            organization: self.organization.then(|| self.organization_config()),
            ..EmulatorConfig::default()
        }
    }

    /// The key table's accounts and the members, flat in the root.
    fn organization_config(&self) -> crate::emulator::organizations::Organization {
        let management = self
            .keys
            .first()
            .map_or(crate::emulator::EmulatorConfig::default().account, |key| key.account.clone());
        let mut accounts: Vec<&str> = vec![&management];
        for account in
            self.keys.iter().map(|key| key.account.as_str()).chain(self.members.iter().map(String::as_str))
        {
            if !accounts.contains(&account) {
                accounts.push(account);
            }
        }
        crate::emulator::organizations::Organization::flat(&management, &accounts)
    }
}

fn parse_test_key(value: &str) -> Result<TestKey, String> {
    let parts: Vec<&str> = value.splitn(3, ':').collect();
    match parts[..] {
        [key, secret, account]
            if !key.is_empty()
                && !secret.is_empty()
                && account.len() == 12
                && account.bytes().all(|byte| byte.is_ascii_digit()) =>
        {
            Ok(TestKey::new(key, secret, account))
        }
        _ => Err("use ACCESS_KEY:SECRET:ACCOUNT, the account 12 digits".into()),
    }
}

fn parse_probability(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err("use a probability from 0 to 1, like 0.05".into()),
    }
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// The spreadsheet: .csv .tsv .txt, or .xlsx .xlsm .xlsb .xls .ods; - reads CSV from stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The input's format where its name cannot say (stdin, a FIFO) [default: from the extension; csv for -]
    #[arg(long, value_name = "FORMAT", value_parser = clap::builder::PossibleValuesParser::new(crate::input::FORMATS))]
    pub format: Option<String>,
    /// Text encoding of a CSV without a byte order mark, e.g. windows-1252 [default: utf-8]
    #[arg(long, value_name = "NAME", value_parser = parse_encoding)]
    pub encoding: Option<&'static Encoding>,
    /// Sheet to read [default: the first sheet with a header row]
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// CSV delimiter: a character, or tab, comma, semicolon, pipe [default: sniffed from the header]
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Map a column to a member, e.g. --map "App=WorkloadName" or --map "CC=Tag:cost-center" (repeatable)
    #[arg(long = "map", value_name = "HEADER=FIELD", value_parser = parse_override)]
    pub maps: Vec<(String, Target)>,
    /// Refuse columns that name no member, instead of warning about them
    #[arg(long)]
    pub strict: bool,
    /// Send every row without a Target Region to each of these Regions, e.g. us-east-1,eu-west-1
    #[arg(long, value_name = "REGION,...", value_delimiter = ',', value_parser = parse_region, help_heading = "Destinations")]
    pub regions: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Report path; .csv, .jsonl, .json or .xlsx (a results workbook) picks the format [default: <FILE name>.report.csv beside FILE]
    #[arg(long, value_name = "PATH", help_heading = "Report")]
    pub report: Option<PathBuf>,
    /// Also write the invalid rows, with their own columns and the error, to this CSV
    #[arg(long, value_name = "PATH.csv", help_heading = "Report")]
    pub failures: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl InputArgs {
    pub fn options(&self) -> InputOptions {
        InputOptions {
            path: self.file.clone(),
            sheet: self.sheet.clone(),
            delimiter: self.delimiter,
            overrides: self.maps.clone(),
            strict: self.strict,
            encoding: self.encoding,
            format: self.format.clone(),
            fan_out: dedup_keeping_order(&self.regions),
            layout: crate::input::Layout::Workloads,
        }
    }
}

/// The Regions once each, in the order given.
fn dedup_keeping_order(regions: &[String]) -> Vec<String> {
    let mut seen = Vec::new();
    for region in regions {
        if !seen.contains(region) {
            seen.push(region.clone());
        }
    }
    seen
}

fn parse_region(value: &str) -> Result<String, String> {
    let region = value.trim();
    match crate::destination::region_problem(region) {
        Some(problem) => Err(problem),
        None => Ok(region.to_owned()),
    }
}

impl ValidateArgs {
    pub fn config(&self) -> Result<ValidateConfig, String> {
        let (report, format) = report_path(self.report.as_ref(), &self.input.file)?;
        Ok(ValidateConfig { input: self.input.options(), report, format, failures: self.failures.clone() })
    }
}

/// The report's path and format, from `--report` or the input's name.
fn report_path(given: Option<&PathBuf>, input: &std::path::Path) -> Result<(PathBuf, Format), String> {
    let path = given.cloned().unwrap_or_else(|| report::default_path(input));
    match Format::for_path(&path) {
        Some(format) => Ok((path, format)),
        None => Err(format!("--report {}: use a .csv, .jsonl, .json or .xlsx file name", path.display())),
    }
}

fn parse_delimiter(value: &str) -> Result<u8, String> {
    match value.to_ascii_lowercase().as_str() {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        "pipe" => Ok(b'|'),
        "\"" | "\n" | "\r" => Err("a quote or a line break cannot separate cells".into()),
        _ if value.len() == 1 && value.is_ascii() => Ok(value.as_bytes()[0]),
        _ => Err("use one ASCII character, or tab, comma, semicolon or pipe".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_by_character_or_name() {
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("TAB"), Ok(b'\t'));
        assert_eq!(parse_delimiter("pipe"), Ok(b'|'));
        assert!(parse_delimiter("ab").is_err());
        assert!(parse_delimiter("§").is_err());
    }

    #[test]
    fn fail_rates_are_probabilities() {
        assert_eq!(parse_probability("0.05"), Ok(0.05));
        assert!(parse_probability("1.5").is_err());
        assert!(parse_probability("-0.1").is_err());
        assert!(parse_probability("often").is_err());
    }

    #[test]
    fn the_report_defaults_beside_the_input_and_its_format_follows_the_extension() {
        let (path, format) = report_path(None, std::path::Path::new("in/sheet.xlsx")).unwrap();
        assert_eq!((path, format), (PathBuf::from("in/sheet.xlsx.report.csv"), Format::Csv));
        let given = PathBuf::from("out.jsonl");
        assert_eq!(report_path(Some(&given), std::path::Path::new("x.csv")).unwrap().1, Format::Jsonl);
        assert!(report_path(Some(&PathBuf::from("out.xml")), std::path::Path::new("x.csv")).is_err());
    }
}
