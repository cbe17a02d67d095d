//! The `wa-bulk` binary: parse the command line, run the command, print what
//! a person needs, and turn the outcome into the exit code.

use std::path::Path;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use wa_bulk::RunError;
use wa_bulk::cli::{Cli, Command, EmulatorArgs, ImportArgs, LogFormat, ValidateArgs};
use wa_bulk::commands::{Exit, Summary, import, print_line, validate};
use wa_bulk::emulator;

/// Every row allocates a few dozen small strings on one thread and frees
/// them on another; mimalloc's thread-local free lists make that cheap
/// where the system allocator contends (measured in the README's benches).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Exit {
    match Cli::parse().command {
        Command::Validate(args) => run_validate(&args),
        Command::Import(args) => run_import(&args),
        Command::Emulator(args) => run_emulator(&args),
    }
}

fn run_validate(args: &ValidateArgs) -> Exit {
    match args.config() {
        Ok(config) => finish(validate::run(&config), &config.input.path, args.quiet),
        Err(message) => fail(&message),
    }
}

fn run_import(args: &ImportArgs) -> Exit {
    let config = match args.config() {
        Ok(config) => config,
        Err(message) => return fail(&message),
    };
    init_logging(args.log_format == LogFormat::Json);
    let outcome = if args.dry_run { import::dry_run(&config) } else { import::run(&config) };
    finish(outcome, &config.input.path, args.quiet)
}

/// Prints what a command found (stderr) and its summary line (stdout).
fn finish(outcome: Result<Summary, RunError>, input: &Path, quiet: bool) -> Exit {
    let summary = match outcome {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!("error: {error}");
            return error.exit();
        }
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
        eprintln!("stopped early: {}", reason);
    }
    print_line(&summary.line());
    summary.exit()
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

fn run_emulator(args: &EmulatorArgs) -> Exit {
    let served = tokio::runtime::Runtime::new()
        .and_then(|runtime| runtime.block_on(emulator::serve_until_interrupted(args.config())));
    match served {
        Ok(()) => Exit::Success,
        Err(error) => fail(&format!("emulator on {}: {error}", args.bind)),
    }
}

/// Bad usage: nothing was read or sent.
fn fail(message: &str) -> Exit {
    eprintln!("error: {message}");
    Exit::Unusable
}
