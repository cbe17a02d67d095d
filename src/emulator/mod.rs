//! A local Well-Architected API: a real HTTP server (axum) that speaks the
//! rest-json protocol as `aws-sdk-wellarchitected` sends it, so tests,
//! benches and a first `import --local` exercise the real SDK, its SigV4
//! signing, serialisation and error parsing without an AWS account.
//!
//! It keeps workloads in memory and enforces what the service enforces
//! (every CreateWorkload rule, unique names, idempotent tokens, the quota),
//! and can misbehave on purpose: a token bucket that answers 429, injected
//! 500s and latency, reproducible with a seed.
//!
//! It is an organisation too: with test keys configured, a request's
//! signature is checked and its key names its account, its credential scope
//! its Region, and each (account, Region) has its own workloads, quota and
//! token bucket ([`auth`]); STS AssumeRole hands out keys in a role's
//! account ([`sts`]).

mod api;
pub mod auth;
mod catalogue;
mod catalogue_api;
mod condition;
pub(crate) mod error;
pub mod lens;
pub mod organizations;
mod review;
mod review_api;
pub(crate) mod store;
mod sts;
mod wire;

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::config::retry::RetryConfig;
use aws_sdk_wellarchitected::config::{BehaviorVersion, Credentials, Region};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::model::WorkloadRequest;
use crate::stdout::print_line;
use auth::Keys;
pub use auth::{Tenant, TestKey};
use catalogue::Catalogue;
pub use catalogue::{EXAMPLE_PROFILE, EXAMPLE_TEMPLATE};
use store::{Store, StoredWorkload};

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub bind: SocketAddr,
    /// Requests per second the token bucket lets through; 0 turns it off.
    pub rate: u32,
    /// Bucket size; default `rate`.
    pub burst: Option<NonZeroU32>,
    /// Probability (0 to 1) that a request is answered with a 500.
    pub fail_rate: f64,
    /// Added before every answer.
    pub latency: Duration,
    /// Workloads the account may hold.
    pub quota: usize,
    /// Seeds workload ids and injected faults; random when `None`.
    pub seed: Option<u64>,
    /// The account of every request while no keys are configured, and
    /// the Region of [`Emulator::preload`].
    pub account: String,
    pub region: String,
    /// The long-term keys the emulator knows, each an account's: a request
    /// signed with another key, or with the wrong secret, is refused (403).
    /// None: any signed request is taken, unchecked, as `account`'s.
    pub keys: Vec<TestKey>,
    /// Accounts whose roles STS AssumeRole refuses (403 AccessDenied).
    pub denied_accounts: Vec<String>,
    /// The ExternalId every AssumeRole must give, if any.
    pub external_id: Option<String>,
    /// How long the credentials STS hands out last, unless the request
    /// asks for less.
    pub session_duration: Duration,
    /// The AWS Organizations organisation the accounts are in, if any.
    pub organization: Option<organizations::Organization>,
}

impl EmulatorConfig {
    /// The configured account and Region: where workloads are preloaded and
    /// the example profile and review template are.
    pub fn home(&self) -> Tenant {
        Tenant { account: self.account.clone(), region: self.region.clone() }
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            rate: 0,
            burst: None,
            fail_rate: 0.0,
            latency: Duration::ZERO,
            quota: 1000,
            seed: None,
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            keys: Vec::new(),
            denied_accounts: Vec::new(),
            external_id: None,
            session_duration: Duration::from_secs(3600),
            organization: None,
        }
    }
}

/// What the emulator has answered so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub requests: u64,
    pub throttled: u64,
    pub faults: u64,
    /// Operations that changed something and succeeded (creates, updates,
    /// tags, lenses, profiles, milestones, answers, deletes).
    pub writes: u64,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    throttled: AtomicU64,
    faults: AtomicU64,
    /// Writes that succeeded, by operation.
    writes: Mutex<BTreeMap<&'static str, u64>>,
}

impl Counters {
    fn wrote(&self, operation: &'static str) {
        *self.writes.lock().unwrap_or_else(PoisonError::into_inner).entry(operation).or_default() += 1;
    }

    fn writes(&self) -> BTreeMap<&'static str, u64> {
        self.writes.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// One account and Region: its workloads and its token bucket.
struct Place {
    tenant: Tenant,
    store: Mutex<Store>,
    limiter: Option<DefaultDirectRateLimiter>,
}

impl Place {
    fn store(&self) -> MutexGuard<'_, Store> {
        // A handler that panicked left the store as consistent as any other.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// State every request handler sees.
struct Shared {
    config: EmulatorConfig,
    seed: u64,
    keys: Keys,
    places: Mutex<BTreeMap<Tenant, Arc<Place>>>,
    /// Custom lenses, profiles and review templates, of every account and Region.
    catalogue: Mutex<Catalogue>,
    faults: Mutex<StdRng>,
    counters: Counters,
}

impl Shared {
    /// The state of an account and Region, made on first use.
    fn place(&self, tenant: &Tenant) -> Arc<Place> {
        let mut places = self.places.lock().unwrap_or_else(PoisonError::into_inner);
        let place = places.entry(tenant.clone()).or_insert_with(|| {
            let config = &self.config;
            let limiter = NonZeroU32::new(config.rate).map(|rate| {
                let burst = config.burst.unwrap_or(rate);
                RateLimiter::direct(Quota::per_second(rate).allow_burst(burst))
            });
            // Each place draws its own workload ids from the run's seed.
            let mut hasher = std::hash::DefaultHasher::new();
            tenant.hash(&mut hasher);
            let seed = self.seed ^ hasher.finish();
            let store = Mutex::new(Store::new(tenant.clone(), config.quota, seed));
            Arc::new(Place { tenant: tenant.clone(), store, limiter })
        });
        place.clone()
    }

    /// Where [`Emulator::preload`] puts workloads: the configured account and Region.
    fn home(&self) -> Arc<Place> {
        self.place(&self.config.home())
    }

    fn catalogue(&self) -> MutexGuard<'_, Catalogue> {
        self.catalogue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn inject_fault(&self) -> bool {
        self.config.fail_rate > 0.0
            && self
                .faults
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .random_bool(self.config.fail_rate.min(1.0))
    }
}

/// A running emulator. Dropping it stops the server too; [`Emulator::stop`]
/// waits for it to finish.
pub struct Emulator {
    addr: SocketAddr,
    seed: u64,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<io::Result<()>>,
}

impl Emulator {
    /// Binds `config.bind` (port 0 picks a free one) and serves in the background.
    pub async fn start(config: EmulatorConfig) -> io::Result<Emulator> {
        let seed = config.seed.unwrap_or_else(rand::random);
        let catalogue = Catalogue::with_examples(seed, &config.home());
        let shared = Arc::new(Shared {
            seed,
            keys: Keys::new(&config.keys),
            places: Mutex::default(),
            catalogue: Mutex::new(catalogue),
            faults: Mutex::new(StdRng::seed_from_u64(seed.rotate_left(32))),
            counters: Counters::default(),
            config,
        });
        let listener = TcpListener::bind(shared.config.bind).await?;
        let addr = listener.local_addr()?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = api::router(shared.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // Stop on request, or when the handle is dropped.
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Emulator { addr, seed, shared, shutdown: Some(shutdown), server })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, for an SDK's endpoint URL.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// An SDK client for this emulator: static test credentials, SDK retries off.
    pub fn client(&self) -> Client {
        local_client(&self.endpoint_url())
    }

    /// What aws-config would load to reach this emulator as `credentials`
    /// in `region`: the base of a client, or of an STS role provider.
    pub async fn sdk_config(&self, credentials: Credentials, region: &str) -> aws_types::SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(self.endpoint_url())
            .region(Region::new(region.to_owned()))
            .credentials_provider(credentials)
            .retry_config(RetryConfig::disabled())
            .http_client(crate::submit::http::client(None))
            .load()
            .await
    }

    /// An SDK client for this emulator, signing as `credentials` in `region`.
    pub async fn client_as(&self, credentials: Credentials, region: &str) -> Client {
        Client::new(&self.sdk_config(credentials, region).await)
    }

    /// The seed in use, to run the same faults again.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Stores a workload as CreateWorkload would (its lens reviews
    /// started), without passing the gate (no latency, throttling or
    /// faults): a service that holds workloads already, for tests and
    /// benches. Its id.
    pub fn preload(&self, request: WorkloadRequest<'static>) -> Result<String, String> {
        self.preload_in(&self.shared.config.home(), request)
    }

    /// [`Emulator::preload`] into another account and Region.
    pub fn preload_in(
        &self,
        tenant: &Tenant,
        mut request: WorkloadRequest<'static>,
    ) -> Result<String, String> {
        let place = self.shared.place(tenant);
        let refused = |error: error::ApiError| format!("{error:?}");
        let reviews = api::start_reviews(&self.shared.catalogue(), tenant, &mut request).map_err(refused)?;
        let mut store = place.store();
        let id = store.create(request).map_err(refused)?.id.clone();
        store.start_reviews(&id, reviews).map_err(refused)?;
        Ok(id)
    }

    /// Deletes a stored workload as DeleteWorkload would, without passing
    /// the gate: a workload gone behind a client's back, for tests.
    pub fn remove(&self, id: &str) -> Result<(), String> {
        self.shared.home().store().delete(id).map_err(|error| format!("{error:?}"))
    }

    /// Every stored workload: by account and Region, then in creation order.
    pub fn workloads(&self) -> Vec<StoredWorkload> {
        let places: Vec<Arc<Place>> =
            self.shared.places.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect();
        places.iter().flat_map(|place| place.store().all()).collect()
    }

    /// The workloads of one account and Region, in creation order.
    pub fn workloads_in(&self, account: &str, region: &str) -> Vec<StoredWorkload> {
        let tenant = Tenant { account: account.to_owned(), region: region.to_owned() };
        let place = self.shared.places.lock().unwrap_or_else(PoisonError::into_inner).get(&tenant).cloned();
        place.map(|place| place.store().all()).unwrap_or_default()
    }

    pub fn stats(&self) -> Stats {
        let counters = &self.shared.counters;
        Stats {
            requests: counters.requests.load(Ordering::Relaxed),
            throttled: counters.throttled.load(Ordering::Relaxed),
            faults: counters.faults.load(Ordering::Relaxed),
            writes: counters.writes().values().sum(),
        }
    }

    /// How many times each operation has written, by its name in the model
    /// (`UpdateAnswer`, `CreateWorkload`, …); operations that never wrote
    /// are absent.
    pub fn writes_by_operation(&self) -> BTreeMap<&'static str, u64> {
        self.shared.counters.writes()
    }

    /// Stops accepting requests, lets those in flight finish, and waits.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        (&mut self.server).await.map_err(io::Error::other)?
    }
}

/// The credentials `--local` signs with: an open emulator takes any.
pub fn local_credentials() -> Credentials {
    Credentials::new("AKIDLOCAL", "local-secret", None, None, "wa-bulk-local")
}

/// An SDK client for an emulator at `endpoint_url`: any credentials pass its
/// signature check; the SDK's own retries are off, so every answer is seen.
pub fn local_client(endpoint_url: &str) -> Client {
    let config = aws_sdk_wellarchitected::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint_url)
        .region(Region::new("us-east-1"))
        .credentials_provider(local_credentials())
        .retry_config(RetryConfig::disabled())
        .http_client(crate::submit::http::client(None))
        .build();
    Client::from_conf(config)
}

/// `wa-bulk emulator`: serves until Ctrl-C, SIGTERM or SIGHUP, having
/// printed where; then lets requests in flight finish.
pub async fn serve_until_interrupted(config: EmulatorConfig) -> io::Result<()> {
    let mut signals = crate::signal::Signals::catch()?;
    let emulator = Emulator::start(config).await?;
    print_line(&format!(
        "wa-bulk emulator listening on {} (seed {})",
        emulator.endpoint_url(),
        emulator.seed()
    ));
    print_line(&format!(
        "point a client at it: aws wellarchitected list-workloads --endpoint-url {}",
        emulator.endpoint_url()
    ));
    let signal = signals.next().await;
    let stats = emulator.stats();
    eprintln!(
        "stopping on {}: {}; {} requests answered, {} throttled, {} faults injected, {} writes",
        signal.name(),
        crate::problem::count(emulator.workloads().len() as u64, "workload held", "workloads held"),
        stats.requests,
        stats.throttled,
        stats.faults,
        stats.writes
    );
    emulator.stop().await
}
