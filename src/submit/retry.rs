//! What to do after a failed attempt, decided in one place.
//!
//! Every SDK error is first reduced to a [`Failure`] (what kind, which status
//! and error code, any `x-amz-retry-after`), so that [`classify`] is a pure
//! function the tests can hold to the design: throttling, internal errors,
//! 429, 5xx, timeouts and connection failures are retried; a conflict is
//! resolved against the existing workload; quota, access and credential
//! errors stop the whole run; anything else fails the row. Waits between
//! attempts are exponential with full jitter, or what the service asks.

use std::time::Duration;

use aws_sdk_wellarchitected::error::{ProvideErrorMetadata, SdkError};
use rand::{Rng, RngExt};

/// One failed attempt, whatever the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// The service's error code, e.g. `ThrottlingException`.
    pub code: Option<String>,
    pub message: String,
    /// What `x-amz-retry-after` asked for.
    pub retry_after: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// No answer in time (the SDK's timeout or the per-attempt one).
    Timeout,
    /// The connection failed or broke.
    Connection,
    /// The server's certificate is not trusted (or TLS failed otherwise):
    /// trying again gives the same answer.
    Untrusted,
    /// The request could not be built or signed: configuration or credentials.
    Setup,
    /// The service answered with this HTTP status.
    Answered(u16),
}

/// What the run does about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The service is pushing back: slow down, then try again after a wait.
    Throttled,
    /// Try the same request again after a wait.
    Retry,
    /// A workload with this name exists: resolve it, do not retry.
    Conflict,
    /// Nothing else will succeed either: stop sending.
    StopRun,
    /// This row fails; the run goes on.
    Fail,
}

/// Error codes after which no other row can succeed.
const RUN_WIDE: [&str; 8] = [
    "ServiceQuotaExceededException",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "ExpiredTokenException",
    "MissingAuthenticationTokenException",
];

pub fn classify(failure: &Failure) -> Verdict {
    let code = failure.code.as_deref().unwrap_or_default();
    match failure.kind {
        FailureKind::Timeout | FailureKind::Connection => Verdict::Retry,
        FailureKind::Untrusted => Verdict::Fail,
        FailureKind::Setup => Verdict::StopRun,
        FailureKind::Answered(_) if code == "ConflictException" => Verdict::Conflict,
        FailureKind::Answered(_) if RUN_WIDE.contains(&code) => Verdict::StopRun,
        FailureKind::Answered(429) => Verdict::Throttled,
        FailureKind::Answered(_) if code == "ThrottlingException" => Verdict::Throttled,
        FailureKind::Answered(_) if code == "InternalServerException" => Verdict::Retry,
        FailureKind::Answered(500..=599) => Verdict::Retry,
        FailureKind::Answered(401 | 403) => Verdict::StopRun,
        FailureKind::Answered(_) => Verdict::Fail,
    }
}

impl Failure {
    /// The service's error code, or what kind of failure it was.
    pub fn code(&self) -> &str {
        self.code.as_deref().unwrap_or(self.kind.name())
    }
}

impl FailureKind {
    /// The report's `error_code` when the service gave none.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Timeout => "Timeout",
            FailureKind::Connection | FailureKind::Untrusted => "ConnectionError",
            FailureKind::Setup => "RequestNotSent",
            FailureKind::Answered(_) => "HttpError",
        }
    }
}

impl Verdict {
    /// Whether the same request is sent again.
    pub fn retries(self) -> bool {
        matches!(self, Verdict::Throttled | Verdict::Retry)
    }
}

/// Exponential backoff with full jitter: attempt `n` (1-based) waits a
/// random time up to `min(cap, base × 2^(n-1))`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::from_millis(100), cap: Duration::from_secs(20) }
    }
}

impl Backoff {
    /// The most attempt `attempt` may wait.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let doubled = self.base.saturating_mul(1 << attempt.saturating_sub(1).min(30));
        doubled.min(self.cap)
    }

    /// How long to wait after failed attempt `attempt`: what the service
    /// asked for, or a full-jitter draw.
    pub fn delay(&self, attempt: u32, failure: &Failure, rng: &mut impl Rng) -> Duration {
        if let Some(asked) = failure.retry_after {
            return asked.min(self.cap);
        }
        let ceiling = self.ceiling(attempt).as_secs_f64();
        Duration::from_secs_f64(rng.random_range(0.0..=ceiling))
    }
}

impl Failure {
    /// The per-attempt timeout ran out.
    pub fn timed_out(after: Duration) -> Failure {
        Failure {
            kind: FailureKind::Timeout,
            code: None,
            message: format!("no answer within {} s", after.as_secs_f64()),
            retry_after: None,
        }
    }

    /// Reduces any SDK error to what [`classify`] needs.
    pub fn from_sdk<E>(error: &SdkError<E, aws_sdk_wellarchitected::config::http::HttpResponse>) -> Failure
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let text = aws_sdk_wellarchitected::error::DisplayErrorContext(error).to_string();
        let (kind, code, message) = match error {
            SdkError::TimeoutError(_) => (FailureKind::Timeout, None, text),
            SdkError::DispatchFailure(_) if is_tls(error) => {
                (FailureKind::Untrusted, None, root_cause(error))
            }
            SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => {
                (FailureKind::Connection, None, root_cause(error))
            }
            SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) => {
                (FailureKind::Setup, None, refused_credentials(error).unwrap_or(text))
            }
            SdkError::ServiceError(service) => {
                let status = service.raw().status().as_u16();
                let code = service.err().code().map(str::to_owned);
                let message = service.err().message().map_or(text, str::to_owned);
                (FailureKind::Answered(status), code, message)
            }
            SdkError::ResponseError(response) => {
                (FailureKind::Answered(response.raw().status().as_u16()), None, text)
            }
            _ => (FailureKind::Setup, None, text),
        };
        let retry_after = match error {
            SdkError::ServiceError(service) => retry_after(service.raw().headers().get("x-amz-retry-after")),
            _ => None,
        };
        Failure { kind, code, message, retry_after }
    }
}

/// A request that could not go because its credentials provider (a role
/// to assume, say) was refused: the refusal in the service's own words
/// rather than the whole chain of errors around it.
fn refused_credentials(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut chain = std::iter::successors(Some(error), |error| error.source());
    let refusal =
        chain.find_map(|error| error.downcast_ref::<aws_sdk_wellarchitected::error::ErrorMetadata>())?;
    Some(format!(
        "the credentials could not be loaded: {}: {}",
        refusal.code()?,
        refusal.message().unwrap_or("no message")
    ))
}

/// The innermost cause of an error: for a connection, what the operating
/// system or the TLS library said (`Connection refused (os error 111)`),
/// without the layers above it.
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// Whether TLS refused the connection (an untrusted certificate, say).
fn is_tls(error: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(error), |error| error.source()).any(|error| error.is::<rustls::Error>())
}

/// `x-amz-retry-after` is in milliseconds.
fn retry_after(header: Option<&str>) -> Option<Duration> {
    header?.trim().parse::<u64>().ok().map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    fn answered(status: u16, code: &str) -> Failure {
        Failure {
            kind: FailureKind::Answered(status),
            code: (!code.is_empty()).then(|| code.to_owned()),
            message: String::new(),
            retry_after: None,
        }
    }

    fn of_kind(kind: FailureKind) -> Failure {
        Failure { kind, code: None, message: String::new(), retry_after: None }
    }

    #[test]
    fn throttling_internal_errors_429_5xx_timeouts_and_connections_are_retried() {
        let throttled =
            [answered(429, "ThrottlingException"), answered(400, "ThrottlingException"), answered(429, "")];
        for failure in throttled {
            assert_eq!(classify(&failure), Verdict::Throttled, "{failure:?}");
            assert!(classify(&failure).retries());
        }
        let retried = [
            answered(500, "InternalServerException"),
            answered(500, ""),
            answered(502, ""),
            answered(503, "ServiceUnavailable"),
            answered(504, ""),
            of_kind(FailureKind::Timeout),
            of_kind(FailureKind::Connection),
        ];
        for failure in retried {
            assert_eq!(classify(&failure), Verdict::Retry, "{failure:?}");
        }
        assert_eq!(
            classify(&of_kind(FailureKind::Untrusted)),
            Verdict::Fail,
            "a certificate stays untrusted"
        );
    }

    #[test]
    fn quota_access_and_credential_errors_stop_the_run() {
        let stopping = [
            answered(402, "ServiceQuotaExceededException"),
            answered(403, "AccessDeniedException"),
            answered(403, "UnrecognizedClientException"),
            answered(403, "InvalidSignatureException"),
            answered(403, "ExpiredTokenException"),
            answered(403, ""),
            answered(401, ""),
            of_kind(FailureKind::Setup),
        ];
        for failure in stopping {
            assert_eq!(classify(&failure), Verdict::StopRun, "{failure:?}");
        }
    }

    #[test]
    fn conflicts_are_resolved_and_other_client_errors_fail_the_row() {
        assert_eq!(classify(&answered(409, "ConflictException")), Verdict::Conflict);
        for failure in [
            answered(400, "ValidationException"),
            answered(404, "ResourceNotFoundException"),
            answered(400, ""),
            answered(413, ""),
        ] {
            assert_eq!(classify(&failure), Verdict::Fail, "{failure:?}");
        }
    }

    #[test]
    fn backoff_ceilings_double_from_100_ms_up_to_20_s() {
        let backoff = Backoff::default();
        let ceilings: Vec<u128> = (1..=10).map(|attempt| backoff.ceiling(attempt).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000]);
        assert_eq!(backoff.ceiling(200), Duration::from_secs(20));
    }

    #[test]
    fn full_jitter_stays_within_the_ceiling_and_spreads_over_it() {
        let backoff = Backoff::default();
        let mut rng = StdRng::seed_from_u64(1);
        let failure = answered(500, "InternalServerException");
        for attempt in 1..=8 {
            let ceiling = backoff.ceiling(attempt);
            let draws: Vec<Duration> = (0..200).map(|_| backoff.delay(attempt, &failure, &mut rng)).collect();
            assert!(draws.iter().all(|d| *d <= ceiling), "attempt {attempt}");
            assert!(draws.iter().any(|d| *d < ceiling / 4), "attempt {attempt}: jitter reaches low");
            assert!(draws.iter().any(|d| *d > ceiling * 3 / 4), "attempt {attempt}: jitter reaches high");
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let backoff = Backoff::default();
        let mut rng = StdRng::seed_from_u64(1);
        let mut failure = answered(429, "ThrottlingException");
        failure.retry_after = retry_after(Some("1500"));
        assert_eq!(backoff.delay(1, &failure, &mut rng), Duration::from_millis(1500));
        failure.retry_after = retry_after(Some("3600000"));
        assert_eq!(backoff.delay(1, &failure, &mut rng), Duration::from_secs(20));
        assert_eq!(retry_after(Some("soon")), None);
    }
}
