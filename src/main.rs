//! The `wa-bulk` binary: parse the command line, run the command, print what
//! a person needs, and turn the outcome into the exit code.

use clap::Parser;
use std::process::{ExitCode, Termination};

use wa_bulk::cli::{
    AnswersArgs, AnswersCommand, AnswersExportArgs, Cli, Command, CompletionsArgs, EmulatorArgs, ExportArgs,
    ImportArgs, LogFormat, ManArgs, OutputArgs, PlanArgs, TemplateArgs, ValidateArgs,
};
use wa_bulk::commands::{
    Exit, Summary, Telling, answers_export, answers_import, answers_validate, export, finish, import, plan,
    template, validate,
};
use wa_bulk::{RunError, emulator, stderr};

/// Every row allocates a few dozen small strings on one thread and frees
/// them on another; mimalloc's thread-local free lists make that cheap
/// where the system allocator contends (measured in the README's benches).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    wa_bulk::without_huge_pages();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error).report(),
    };
    match cli.command {
        Command::Validate(args) => run_validate(&args),
        Command::Import(args) => run_import(&args),
        Command::Plan(args) => run_plan(&args),
        Command::Export(args) => run_export(&args),
        Command::Answers(AnswersArgs { command: AnswersCommand::Export(args) }) => run_answers_export(&args),
        Command::Answers(AnswersArgs { command: AnswersCommand::Validate(args) }) => {
            run(&args.output, args.telling(), args.config(), "answers validate", answers_validate::run)
        }
        Command::Answers(AnswersArgs { command: AnswersCommand::Plan(args) }) => {
            run(&args.output, args.telling(), args.config(), "answers plan", answers_import::plan)
        }
        Command::Answers(AnswersArgs { command: AnswersCommand::Import(args) }) => {
            run(&args.output, args.telling(), args.config(), "answers import", answers_import::import)
        }
        Command::Template(args) => run_template(&args),
        Command::Emulator(args) => run_emulator(&args).report(),
        Command::Completions(args) => completions(&args).report(),
        Command::Man(args) => man(&args).report(),
    }
}

fn run_validate(args: &ValidateArgs) -> ExitCode {
    let telling = args.output.telling(&args.input.file, false);
    run(&args.output, telling, args.config(), "validate", validate::run)
}

fn run_plan(args: &PlanArgs) -> ExitCode {
    run(&args.output, args.telling(), args.config(), "plan", plan::run)
}

fn run_export(args: &ExportArgs) -> ExitCode {
    run(&args.output, args.telling(), args.config(), "export", export::run)
}

fn run_answers_export(args: &AnswersExportArgs) -> ExitCode {
    run(&args.output, args.telling(), args.config(), "answers export", answers_export::run)
}

fn run_template(args: &TemplateArgs) -> ExitCode {
    run(&args.output, args.telling(), args.config(), "template", template::run)
}

fn run_import(args: &ImportArgs) -> ExitCode {
    let telling = args.output.telling(&args.input.file, args.dry_run);
    let send = if args.dry_run { import::dry_run } else { import::run };
    run(&args.output, telling, args.config(), "import", send)
}

/// Sets up logging, runs `command` on its config (or refuses the command
/// line it came from), tells the outcome and turns it into the exit code.
fn run<C>(
    output: &OutputArgs,
    telling: Telling,
    config: Result<C, String>,
    name: &'static str,
    command: fn(&C) -> Result<Summary, RunError>,
) -> ExitCode {
    stderr::init(output.log_format == LogFormat::Json);
    wa_bulk::commands::summary::show_problems(output.show_problems.0);
    let outcome = config.map_err(RunError::Usage).and_then(|config| command(&config));
    finish(outcome, &telling, name)
}

/// A command line clap cannot read: its message, as one JSON line when the
/// command line asked for JSON logs. Help and version are not errors.
fn usage_error(error: clap::Error) -> Exit {
    use clap::error::ErrorKind;
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) || !asked_for_json_logs() {
        let _ = error.print();
        return if error.use_stderr() { Exit::Unusable } else { Exit::Success };
    }
    stderr::init(true);
    stderr::error(error.render().to_string().trim());
    Exit::Unusable
}

fn asked_for_json_logs() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2).any(|pair| pair[0] == "--log-format" && pair[1] == "json")
        || args.iter().any(|arg| arg == "--log-format=json")
}

fn run_emulator(args: &EmulatorArgs) -> Exit {
    let served = tokio::runtime::Runtime::new()
        .and_then(|runtime| runtime.block_on(emulator::serve_until_interrupted(args.config())));
    match served {
        Ok(()) => Exit::Success,
        Err(error) => fail(&format!("emulator on {}: {error}", args.bind)),
    }
}

/// The completion script of a shell, on stdout.
fn completions(args: &CompletionsArgs) -> Exit {
    use clap::CommandFactory;
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "wa-bulk", &mut script);
    print(&script)
}

/// The man page of wa-bulk or of one of its commands, on stdout.
fn man(args: &ManArgs) -> Exit {
    use clap::CommandFactory;
    let cli = Cli::command();
    let page = match &args.command {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            Some(command) => command.clone().name(format!("wa-bulk-{name}")),
            None => {
                let names: Vec<&str> = cli.get_subcommands().map(|command| command.get_name()).collect();
                return fail(&format!("no command {name:?}: the commands are {}", names.join(", ")));
            }
        },
    };
    let mut roff = Vec::new();
    match clap_mangen::Man::new(page).render(&mut roff) {
        Ok(()) => print(&roff),
        Err(error) => fail(&format!("cannot render the man page: {error}")),
    }
}

/// Writes a generated text to stdout.
fn print(bytes: &[u8]) -> Exit {
    use std::io::Write;
    match std::io::stdout().lock().write_all(bytes) {
        Ok(()) => Exit::Success,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(error) => fail(&format!("cannot write to stdout: {error}")),
    }
}

/// Bad usage: nothing was read or sent.
fn fail(message: &str) -> Exit {
    stderr::error(message);
    Exit::Unusable
}
