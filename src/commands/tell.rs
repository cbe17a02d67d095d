//! Telling a command's outcome: what it found, row by row, and how its
//! requests went on stderr (for people, or JSON lines for a log collector);
//! its summary on stdout (a line, or one JSON object for a script); and the
//! exit code, which means one thing each.

use std::path::PathBuf;
use std::process::{ExitCode, Termination};

use super::summary::Summary;
use super::{Exit, print_line};
use crate::RunError;
use crate::stderr::{self, Fields, Level};

/// The form of the final summary on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Form {
    Text,
    Json,
}

/// How a command's outcome is told.
#[derive(Debug, Clone)]
pub struct Telling {
    pub input: PathBuf,
    pub summary: Form,
    /// Errors, warnings and the summary only.
    pub quiet: bool,
    /// stdout carries JSON lines only, so a text summary goes to stderr.
    pub stdout_is_json_lines: bool,
    /// Terraform's `--detailed-exitcode`: 0 nothing to change, 2 changes, 1 error.
    pub detailed_exitcode: bool,
}

/// Tells what a command found (stderr) and its summary (stdout), and turns
/// the outcome into the exit code.
pub fn finish(outcome: Result<Summary, RunError>, telling: &Telling, command: &'static str) -> ExitCode {
    let changes = outcome.as_ref().ok().and_then(|summary| summary.plan).map(|plan| plan.changes());
    let exit = match outcome {
        Ok(summary) => tell(&summary, telling),
        Err(error) => tell_error(&error, telling, command),
    };
    match (telling.detailed_exitcode, exit, changes) {
        (false, exit, _) => exit.report(),
        (true, Exit::Success, Some(true)) => ExitCode::from(2),
        (true, Exit::Success, _) => ExitCode::SUCCESS,
        (true, _, _) => ExitCode::FAILURE,
    }
}

/// A command that could not run: its error, and as JSON on stdout if asked.
fn tell_error(error: &RunError, telling: &Telling, command: &'static str) -> Exit {
    stderr::error(&error.to_string());
    let exit = error.exit();
    if telling.summary == Form::Json {
        let input = telling.input.display().to_string();
        let line = serde_json::json!({
            "command": command, "input": input, "error": error.to_string(), "exit_code": exit as u8,
        });
        print_line(&line.to_string());
    }
    exit
}

fn tell(summary: &Summary, telling: &Telling) -> Exit {
    for warning in &summary.warnings {
        stderr::warning(warning);
    }
    if !telling.quiet {
        tell_problems(summary, telling);
        tell_lanes(summary);
    }
    if let Some(reason) = &summary.stopped {
        let mut fields = Fields::new();
        fields.insert("code".into(), reason.code().into());
        let text = format!("stopped early: {reason}");
        stderr::event(Level::Error, "stopped", &reason.to_string(), fields, &text);
    }
    let rate = summary.traffic.as_ref().filter(|_| !telling.quiet);
    if let Some((traffic, line)) = rate.and_then(|traffic| Some((traffic, traffic.line()?))) {
        stderr::event(Level::Info, "rate", &line, traffic.fields(), &line);
    }
    match telling.summary {
        Form::Json => print_line(&summary.json(&telling.input).to_string()),
        Form::Text if telling.stdout_is_json_lines => stderr::line(&summary.line()),
        Form::Text => print_line(&summary.line()),
    }
    summary.exit()
}

/// The first problems, then how many more the report holds.
fn tell_problems(summary: &Summary, telling: &Telling) {
    for problem in &summary.first_problems {
        problem.log(&telling.input);
    }
    let more = summary.problems - summary.first_problems.len() as u64;
    if more > 0 {
        let mut fields = Fields::new();
        fields.insert("more".into(), more.into());
        let text = format!("… and {more} more problems in the report");
        stderr::event(Level::Info, "more_problems", &text, fields, &text);
    }
}

/// A line a lane, when there are several.
fn tell_lanes(summary: &Summary) {
    if summary.lanes.len() > 1 {
        for lane in &summary.lanes {
            let line = lane.line();
            stderr::event(Level::Info, "lane", &line, lane.fields(), &line);
        }
    }
}
