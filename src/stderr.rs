//! Standard error is for people, or, with `--log-format json`, for a log
//! collector: then every line is one JSON object, whoever wrote it
//! (wa-bulk's own messages or the SDK's log events, both through tracing).
//! Every line goes through here, so that lines print above the progress bar
//! instead of through it, and colour is used only on a terminal without
//! `NO_COLOR`.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use indicatif::ProgressBar;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Whether lines are JSON.
static JSON: AtomicBool = AtomicBool::new(false);
/// The progress bar on screen, if any: lines go above it.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Sets up logging once, for every command. `RUST_LOG` sets the level: by
/// default warnings, but not aws-config's, which it logs while it looks for
/// credentials and a Region in places that are not set up (IMDS, say), with
/// Debug dumps; wa-bulk says in one line what is missing.
pub fn init(json: bool) {
    JSON.store(json, Ordering::Relaxed);
    let default = "warn,aws_config=error";
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(Lines).with_ansi(colour());
    let installed = if json {
        logs.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init()
    } else {
        logs.try_init()
    };
    // Set already (a test calling a command twice): the first one stands.
    drop(installed);
}

pub fn json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// Colour only for a person at a terminal who has not said `NO_COLOR`.
pub fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

/// Whether a person is watching: a bar, not periodic lines.
pub fn is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Lines written from now on go above `bar`.
pub fn show(bar: &ProgressBar) {
    *bar_slot() = Some(bar.clone());
}

/// Takes the bar off the screen.
pub fn hide() {
    if let Some(bar) = bar_slot().take() {
        bar.finish_and_clear();
    }
}

fn bar_slot() -> std::sync::MutexGuard<'static, Option<ProgressBar>> {
    BAR.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes `text` and a line break to stderr, above the bar if one shows.
pub fn line(text: &str) {
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(b'\n');
    emit(&bytes);
}

fn emit(bytes: &[u8]) {
    let bar = bar_slot().clone();
    // A stderr that cannot be written to has no one to tell.
    let write = || drop(std::io::stderr().lock().write_all(bytes));
    match bar {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

/// tracing's writer: each event is gathered, then written in one piece.
struct Lines;

impl<'a> MakeWriter<'a> for Lines {
    type Writer = Event;

    fn make_writer(&'a self) -> Event {
        Event(Vec::new())
    }
}

struct Event(Vec<u8>);

impl Write for Event {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            emit(&self.0);
        }
    }
}

/// A warning about the run (an unknown column, a torn journal tail).
pub fn warning(text: &str) {
    event(Level::Warn, "warning", text, Fields::new(), &format!("warning: {text}"));
}

/// An error that ends the command.
pub fn error(text: &str) {
    event(Level::Error, "error", text, Fields::new(), &format!("error: {text}"));
}

/// The fields of a JSON line besides its time, level, kind and message.
pub type Fields = serde_json::Map<String, serde_json::Value>;

#[derive(Debug, Clone, Copy)]
pub enum Level {
    Error,
    Warn,
    Info,
}

/// One of wa-bulk's own lines: as JSON, an object shaped like tracing's
/// (`timestamp`, `level`, `message`, then `kind` and `fields` flattened);
/// as text, `text`. RUST_LOG does not filter these: they are the run's
/// account, not diagnostics.
pub fn event(level: Level, kind: &str, message: &str, fields: Fields, text: &str) {
    if !json() {
        return line(text);
    }
    let mut object = Fields::new();
    object.insert("timestamp".into(), now().into());
    let level = match level {
        Level::Error => "ERROR",
        Level::Warn => "WARN",
        Level::Info => "INFO",
    };
    object.insert("level".into(), level.into());
    object.insert("kind".into(), kind.into());
    object.insert("message".into(), message.into());
    object.extend(fields);
    line(&serde_json::Value::Object(object).to_string());
}

/// The time as tracing's JSON lines give it (RFC 3339, UTC).
fn now() -> String {
    use tracing_subscriber::fmt::format::Writer;
    use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = SystemTime.format_time(&mut Writer::new(&mut text));
    text
}
