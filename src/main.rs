//! The `wa-bulk` binary: parse the command line, run the command, print what
//! a person needs, and turn the outcome into the exit code.

use std::process::ExitCode;

use clap::Parser;
use wa_bulk::cli::{Cli, Command, EmulatorArgs, ValidateArgs};
use wa_bulk::commands::validate;
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
        Command::Emulator(args) => run_emulator(&args),
    }
}

fn run_validate(args: &ValidateArgs) -> ExitCode {
    let config = match args.config() {
        Ok(config) => config,
        Err(message) => return fail(&message),
    };
    let summary = match validate::run(&config) {
        Ok(summary) => summary,
        Err(error) => return fail(&error.to_string()),
    };
    let file = config.input.path.display();
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    if !args.quiet {
        for problem in &summary.first_problems {
            eprintln!("{file}: {problem}");
        }
        let more = summary.problem_count - summary.first_problems.len() as u64;
        if more > 0 {
            eprintln!("… and {more} more problems in the report");
        }
    }
    println!("{}; report: {}", summary.line(), summary.report.display());
    ExitCode::from(summary.exit_code())
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
