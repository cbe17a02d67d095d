//! A session: what a command needs to talk to the service, made once from
//! the AWS options (or `--local`). The configuration is checked when the
//! session opens, before the input is read, so an incomplete one is one
//! line before anything else. The connection comes later, when a command
//! first needs it: only then does `--local` start its in-process emulator,
//! and [`Session::close`] is the one way it stops. The base credentials'
//! account is asked of STS only when a command needs it (rows that name a
//! Target account). The [`fleet`](super::fleet) runs on the session's
//! runtime, with a client per destination from its [`Roles`].
//!
//! From the moment the session opens, Ctrl-C, SIGTERM and SIGHUP no longer
//! end the process: the first stops the session's [`Board`] (nothing more is
//! sent, requests in flight finish, the command writes its report and exits
//! 128 + the signal); a second ends the process at once, the journal holding
//! every outcome recorded.
//!
//! The rates the session's lanes learn are kept when it closes, for the
//! next run to start from ([`rates`](super::rates)).

use std::future::Future;
use std::sync::Arc;

use aws_types::SdkConfig;

use super::FleetConfig;
use super::board::Board;
use super::fleet::{self, Job, LaneOutcome};
use super::rates::{self, RateMemory};
use super::roles::Roles;
use crate::emulator::{Emulator, EmulatorConfig, local_credentials};
use crate::signal::Signals;
use crate::stderr::{self, Fields, Level};
use crate::submit::client::{AwsOptions, aws_config};
use crate::submit::{StopReason, SubmitConfig};

/// Where requests go.
#[derive(Debug, Clone)]
pub enum Service {
    /// The AWS API, through aws-config's default chain.
    Aws(AwsOptions),
    /// An emulator started in-process for this run.
    Local,
}

/// Why a session cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The AWS configuration lacks credentials or a Region, or the
    /// credentials' account cannot be told.
    #[error("AWS configuration: {0}")]
    Configuration(String),
    /// The async runtime or the built-in emulator cannot start.
    #[error("cannot start the sender: {0}")]
    Runtime(std::io::Error),
    /// The service refused the credentials (a wrong secret, a token that
    /// expired): nothing was sent.
    #[error(
        "the credentials were refused ({code}): {message}; check the access key, its secret and session token, \
         or the profile (nothing was sent)"
    )]
    Refused { code: String, message: String },
    /// The organisation's accounts cannot be listed (exit code 3).
    #[error("{0}")]
    Organization(String),
}

/// One command's hold on the service.
pub struct Session {
    runtime: tokio::runtime::Runtime,
    fleet: FleetConfig,
    /// The checked configuration; for `--local`, none until connected.
    base: Option<SdkConfig>,
    emulator: Option<Emulator>,
    /// The base credentials' account, once asked.
    base_account: Option<String>,
    /// The lanes of the session's runs, and the switch the signals throw.
    board: Arc<Board>,
    /// The rates earlier runs learned, and what this one learns.
    memory: Arc<RateMemory>,
    watch: tokio::task::JoinHandle<()>,
}

impl Session {
    /// Checks the configuration: for AWS, that the default chain gives
    /// credentials and a Region.
    pub fn open(service: &Service, fleet: &FleetConfig) -> Result<Session, SessionError> {
        let runtime = tokio::runtime::Runtime::new().map_err(SessionError::Runtime)?;
        let signals = runtime.block_on(async { Signals::catch() }).map_err(SessionError::Runtime)?;
        let board = Arc::new(Board::default());
        let watch = runtime.spawn(watch(signals, board.clone()));
        let (base, memory) = match service {
            Service::Aws(options) => {
                let base = runtime.block_on(aws_config(options)).map_err(SessionError::Configuration)?;
                (Some(base), RateMemory::load(rates::default_path()))
            }
            // The built-in emulator is new each run, at a port of its own.
            Service::Local => (None, RateMemory::load(None)),
        };
        memory.warnings.iter().for_each(|warning| stderr::warning(warning));
        let memory = Arc::new(memory);
        Ok(Session {
            runtime,
            fleet: fleet.clone(),
            base,
            emulator: None,
            base_account: None,
            board,
            memory,
            watch,
        })
    }

    /// The board of a run of `lanes` lanes.
    pub fn board(&self, lanes: usize) -> Arc<Board> {
        self.board.set_total(lanes);
        self.board.clone()
    }

    /// Why the session was interrupted, if a signal came.
    pub fn interrupted(&self) -> Option<StopReason> {
        self.board.interrupted()
    }

    /// The base configuration; for `--local`, that of an emulator started
    /// now, for this run.
    pub fn connect(&mut self) -> Result<&SdkConfig, SessionError> {
        if self.base.is_none() {
            let emulator = self
                .runtime
                .block_on(Emulator::start(EmulatorConfig::default()))
                .map_err(SessionError::Runtime)?;
            tracing::info!(endpoint = %emulator.endpoint_url(), "sending to the built-in emulator");
            self.base = Some(self.runtime.block_on(emulator.sdk_config(local_credentials(), "us-east-1")));
            self.emulator = Some(emulator);
        }
        Ok(self.base.as_ref().expect("set above"))
    }

    /// The Region of the base configuration, where rows that name none go.
    pub fn base_region(&mut self) -> Result<String, SessionError> {
        let region = self.connect()?.region().map_or("us-east-1", |region| region.as_ref());
        Ok(region.to_owned())
    }

    /// The account of the base credentials (STS GetCallerIdentity), asked once.
    pub fn base_account(&mut self) -> Result<String, SessionError> {
        if let Some(account) = &self.base_account {
            return Ok(account.clone());
        }
        let base = self.connect()?.clone();
        let account = self.runtime.block_on(caller_account(&base))?;
        Ok(self.base_account.insert(account).clone())
    }

    /// The active accounts of the organisation, or of `ou` and the OUs below it.
    pub fn organization_accounts(&mut self, ou: Option<&str>) -> Result<Vec<String>, SessionError> {
        let base = self.connect()?.clone();
        let listed = self.runtime.block_on(super::organization::active_accounts(&base, ou));
        listed.map_err(SessionError::Organization)
    }

    /// The clients of each destination, as far as the session knows the
    /// base account.
    pub fn roles(&mut self) -> Result<Roles, SessionError> {
        let base = self.connect()?.clone();
        Ok(Roles::new(&base, self.base_account.as_deref(), &self.fleet))
    }

    /// Runs `jobs` through the fleet, a lane each, on the session's board,
    /// until they are done or a signal stops them.
    pub fn run<J: Job>(
        &mut self,
        jobs: Vec<J>,
        config: &SubmitConfig,
    ) -> Result<Vec<LaneOutcome<J::Output>>, SessionError> {
        let roles = self.roles()?;
        let board = self.board(jobs.len());
        Ok(self.block_on(fleet::run(&roles, &self.memory, jobs, config, self.fleet.max_lanes, board)))
    }

    /// Runs a future on the session's runtime.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Ends the session. A built-in emulator that does not stop cleanly is
    /// a warning: what the run did matters more than how the emulator ends.
    pub fn close(mut self) {
        self.watch.abort();
        if let Err(error) = self.memory.save() {
            stderr::warning(&error);
        }
        if let Some(emulator) = self.emulator.take()
            && let Err(error) = self.runtime.block_on(emulator.stop())
        {
            tracing::warn!(%error, "the built-in emulator did not stop cleanly");
        }
    }
}

/// The account of the credentials of `base` (STS GetCallerIdentity); the
/// service's refusal in its own words, or what kept the request from it.
async fn caller_account(base: &SdkConfig) -> Result<String, SessionError> {
    use aws_sdk_sts::error::ProvideErrorMetadata;
    let identity = aws_sdk_sts::Client::new(base).get_caller_identity().send().await.map_err(|error| {
        match error.code() {
            Some(code) => SessionError::Refused {
                code: code.to_owned(),
                message: error.message().unwrap_or("no message").to_owned(),
            },
            None => SessionError::Configuration(format!(
                "cannot tell the account of the credentials (STS GetCallerIdentity): {}",
                crate::submit::retry::root_cause(&error)
            )),
        }
    })?;
    identity
        .account
        .ok_or_else(|| SessionError::Configuration("STS GetCallerIdentity named no account".into()))
}

/// The first signal stops the board; a second ends the process at once.
async fn watch(mut signals: Signals, board: Arc<Board>) {
    let first = signals.next().await;
    let text = format!(
        "{}: stopping; requests in flight finish, nothing more is sent (a second signal stops at once)",
        first.name()
    );
    let mut fields = Fields::new();
    fields.insert("signal".into(), first.name().into());
    stderr::event(Level::Warn, "signal", &text, fields.clone(), &text);
    board.interrupt(first);
    let second = signals.next().await;
    let text = format!(
        "{}: stopping at once; every outcome recorded is in the journal: run the same command again to continue",
        second.name()
    );
    fields.insert("signal".into(), second.name().into());
    stderr::event(Level::Error, "signal", &text, fields, &text);
    std::process::exit(i32::from(second.exit_code()));
}
