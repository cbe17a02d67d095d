//! Which input a run read, by its path and its bytes: the journal names
//! it, a saved plan is tied to it, and reading the input again checks it.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::input::{InputError, InputOptions};

/// The input a journal belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputIdentity {
    /// The input's path, with links resolved; `-` for stdin.
    pub input: String,
    /// SHA-256 of the input's bytes, hex; none for a stream.
    pub sha256: Option<String>,
}

impl InputIdentity {
    /// Identifies the input at `path` (`None` for stdin) by its bytes.
    pub fn of(path: Option<&Path>) -> std::io::Result<InputIdentity> {
        let Some(path) = path else {
            return Ok(InputIdentity { input: "-".into(), sha256: None });
        };
        // A stream (a FIFO) is read once, by the reader, and never opened here.
        let sha256 = if std::fs::metadata(path)?.is_file() {
            let mut file = File::open(path)?;
            let mut hasher = Sha256::new();
            let mut buffer = vec![0; 1 << 16];
            loop {
                let read = file.read(&mut buffer)?;
                if read == 0 {
                    break;
                }
                hasher.update(&buffer[..read]);
            }
            Some(hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect())
        } else {
            None
        };
        let input = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        Ok(InputIdentity { input: input.display().to_string(), sha256 })
    }

    /// Identifies the input a command reads; an error names the file.
    pub fn of_input(input: &InputOptions) -> Result<InputIdentity, InputError> {
        InputIdentity::of(input.file())
            .map_err(|source| InputError::Io { file: input.path.display().to_string(), source })
    }
}
