//! The seams every command that talks to the Well-Architected service
//! builds on, so that a new command adds a job rather than a copy of the
//! plumbing:
//! - a [`Session`] turns the AWS options (or `--local`) into what a command
//!   needs: the configuration checked first, the in-process emulator
//!   started only when needed and stopped in one way, the base account when
//!   asked, and a client per destination, roles included ([`roles`]);
//! - the [`fleet`] runs a [`Job`] per (account, Region) lane, at most
//!   `--max-lanes` at once, under one bound on requests in flight, with the
//!   stop [`board`] that Ctrl-C halts; a destination that cannot be reached
//!   is the job's own outcome;
//! - a job is a command's work on one lane: import's sends, plan's and
//!   export's reads;
//! - each lane starts at the rate the last run learned for its endpoint,
//!   account and Region ([`rates`]).

pub mod board;
pub mod fleet;
pub mod organization;
pub mod rates;
pub mod roles;
pub mod session;

pub use board::Board;
pub use fleet::{Job, LaneOutcome};
pub use session::{Service, Session, SessionError};

/// Lanes at once unless `--max-lanes` says otherwise: an organisation's
/// usual spread of accounts and Regions, all at once.
pub const DEFAULT_MAX_LANES: usize = 64;

/// How a run reaches other accounts, and how many lanes it runs at once.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// Assumed in each target account that is not the base credentials' own.
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    pub max_lanes: usize,
}

impl Default for FleetConfig {
    fn default() -> Self {
        FleetConfig { role_name: None, external_id: None, max_lanes: DEFAULT_MAX_LANES }
    }
}
