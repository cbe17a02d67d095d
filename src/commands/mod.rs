//! One module per command. Each takes a plain config (never clap types) and
//! returns a summary whose exit code `main` passes on.

pub mod import;
pub mod validate;
