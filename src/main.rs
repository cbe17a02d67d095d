//! The `wa-bulk` binary: parse the command line, run the command, print what
//! a person needs, and turn the outcome into the exit code.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use wa_bulk::RunError;
use wa_bulk::cli::{Cli, Command, EmulatorArgs, ImportArgs, ValidateArgs};
use wa_bulk::commands::{Summary, import, validate};
use wa_bulk::emulator;

/// Every row allocates a few dozen small strings on one thread and frees
/// them on another; mimalloc's thread-local free lists make that cheap
/// where the system allocator contends (measured in the README's benches).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Bad usage or unreadable input.
const EXIT_UNUSABLE: u8 = 2;

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Validate(args) => run_validate(&args),
        Command::Import(args) => run_import(&args),
        Command::Emulator(args) => run_emulator(&args),
    }
}

fn run_validate(args: &ValidateArgs) -> ExitCode {
    match args.config() {
        Ok(config) => finish(validate::run(&config), &config.input.path, args.quiet),
        Err(message) => fail(&message),
    }
}

fn run_import(args: &ImportArgs) -> ExitCode {
    let config = match args.config() {
        Ok(config) => config,
        Err(message) => return fail(&message),
    };
    init_logging(args.log_format == "json");
    let outcome = if args.dry_run { import::dry_run(&config) } else { import::run(&config) };
    finish(outcome, &config.input.path, args.quiet)
}

/// Prints what a command found (stderr) and its summary line (stdout).
fn finish(outcome: Result<Summary, RunError>, input: &Path, quiet: bool) -> ExitCode {
    let summary = match outcome {
        Ok(summary) => summary,
        Err(error) => return fail(&error.to_string()),
    };
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    if !quiet {
        for problem in &summary.first_problems {
            eprintln!("{}: {problem}", input.display());
        }
        let more = summary.problems - summary.first_problems.len() as u64;
        if more > 0 {
            eprintln!("… and {more} more problems in the report");
        }
    }
    if let Some(reason) = &summary.stopped {
        eprintln!("stopped early: {}", reason.describe());
    }
    println!("{}", summary.line());
    ExitCode::from(summary.exit_code())
}

/// Log lines go to stderr; `RUST_LOG` sets the level, warn by default.
fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        logs.json().init();
    } else {
        logs.init();
    }
}

fn run_emulator(args: &EmulatorArgs) -> ExitCode {
    let served = tokio::runtime::Runtime::new()
        .and_then(|runtime| runtime.block_on(emulator::serve_until_interrupted(args.config())));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&format!("emulator on {}: {error}", args.bind)),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_UNUSABLE)
}
