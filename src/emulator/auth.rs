//! Who sends a request, and where it lands. The SigV4 signature is checked
//! for real: aws-sigv4 computes what the signature must be, from the secret
//! of the request's access key and the request's own date, credential scope,
//! signed headers and body, and it must be the one sent. The key names the
//! account; the credential scope names the Region. Long-term keys come from
//! the configuration, each an account's; STS AssumeRole adds temporary ones
//! (with their session token) in the role's account.
//!
//! With no keys configured the emulator is open: any signed request with a
//! key it did not issue is taken, unchecked, as the configured account's
//! (what `--local`, the tests of one account and a user's own `aws` CLI
//! need).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use aws_sdk_wellarchitected::config::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_smithy_runtime_api::client::identity::Identity;
use axum::http::request::Parts;

use super::error::ApiError;

/// A long-term access key the emulator knows, and the account it signs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestKey {
    pub access_key: String,
    pub secret: String,
    pub account: String,
}

impl TestKey {
    pub fn new(access_key: &str, secret: &str, account: &str) -> TestKey {
        TestKey { access_key: access_key.to_owned(), secret: secret.to_owned(), account: account.to_owned() }
    }
}

/// Where a request lands: an account and a Region, each with its own
/// workloads, names, tokens, quota and token bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tenant {
    pub account: String,
    pub region: String,
}

/// What a key signs with.
#[derive(Debug, Clone)]
struct Secret {
    secret: String,
    account: String,
    session_token: Option<String>,
    expires: Option<SystemTime>,
}

/// The keys the emulator knows: the configured ones, and those STS issued.
#[derive(Debug, Default)]
pub struct Keys {
    fixed: HashMap<String, Secret>,
    issued: Mutex<HashMap<String, Secret>>,
}

/// A checked request: where it lands and the service it was signed for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: Tenant,
    pub service: String,
    pub access_key: String,
}

impl Keys {
    pub fn new(keys: &[TestKey]) -> Keys {
        let fixed = keys
            .iter()
            .map(|key| {
                let secret = Secret {
                    secret: key.secret.clone(),
                    account: key.account.clone(),
                    session_token: None,
                    expires: None,
                };
                (key.access_key.clone(), secret)
            })
            .collect();
        Keys { fixed, issued: Mutex::default() }
    }

    /// Whether signatures are checked at all.
    pub fn is_open(&self) -> bool {
        self.fixed.is_empty()
    }

    /// Whether STS issued this key.
    pub fn is_issued(&self, access_key: &str) -> bool {
        self.issued.lock().unwrap_or_else(PoisonError::into_inner).contains_key(access_key)
    }

    /// Registers temporary credentials STS issued.
    pub fn issue(&self, credentials: &Credentials, account: &str) {
        let secret = Secret {
            secret: credentials.secret_access_key().to_owned(),
            account: account.to_owned(),
            session_token: credentials.session_token().map(str::to_owned),
            expires: credentials.expiry(),
        };
        self.issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(credentials.access_key_id().to_owned(), secret);
    }

    fn secret_of(&self, access_key: &str) -> Option<Secret> {
        self.fixed
            .get(access_key)
            .cloned()
            .or_else(|| self.issued.lock().unwrap_or_else(PoisonError::into_inner).get(access_key).cloned())
    }

    /// Checks the request's signature; where it lands. In an open emulator
    /// any signed request is `open_account`'s.
    pub fn check(&self, parts: &Parts, body: &[u8], open_account: &str) -> Result<Caller, ApiError> {
        let header = |name: &str| parts.headers.get(name).and_then(|value| value.to_str().ok());
        let Some(signed) = header("authorization").and_then(Signed::parse) else {
            return Err(ApiError::MissingAuthenticationToken);
        };
        let caller = |account: String| Caller {
            tenant: Tenant { account, region: signed.region.to_owned() },
            service: signed.service.to_owned(),
            access_key: signed.access_key.to_owned(),
        };
        // Keys STS issued are checked even in an open emulator: they name
        // the role's account.
        let secret = match self.secret_of(signed.access_key) {
            Some(secret) => secret,
            None if self.is_open() => return Ok(caller(open_account.to_owned())),
            None => return Err(ApiError::UnrecognizedClient),
        };
        if secret.session_token.as_deref() != header("x-amz-security-token") {
            return Err(ApiError::UnrecognizedClient);
        }
        if secret.expires.is_some_and(|expires| expires < SystemTime::now()) {
            return Err(ApiError::ExpiredToken);
        }
        let time = header("x-amz-date").and_then(parse_amz_date).ok_or_else(bad_signature)?;
        if signed.date != header("x-amz-date").map_or("", |date| &date[..8.min(date.len())]) {
            return Err(bad_signature());
        }
        let credentials = Credentials::new(
            signed.access_key,
            &secret.secret,
            secret.session_token.clone(),
            None,
            "emulator",
        );
        let expected = expected_signature(parts, body, &signed, credentials.into(), time)?;
        if expected != signed.signature {
            return Err(bad_signature());
        }
        Ok(caller(secret.account))
    }
}

/// Whether a request is for STS: signed for `sts`, or, unsigned, a form
/// naming an STS action (the query protocol's).
pub fn is_for_sts(parts: &Parts, body: &[u8]) -> bool {
    let authorization = parts.headers.get("authorization").and_then(|value| value.to_str().ok());
    match authorization.and_then(Signed::parse) {
        Some(signed) => signed.service == "sts",
        None => parts.uri.path() == "/" && body.starts_with(b"Action="),
    }
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
struct Signed<'a> {
    access_key: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

impl<'a> Signed<'a> {
    fn parse(header: &'a str) -> Option<Signed<'a>> {
        let rest = header.strip_prefix("AWS4-HMAC-SHA256 ")?;
        let part = |name: &str| rest.split(',').map(str::trim).find_map(|part| part.strip_prefix(name));
        let mut scope = part("Credential=")?.split('/');
        let (access_key, date, region, service) =
            (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
        (scope.next()? == "aws4_request").then_some(())?;
        Some(Signed {
            access_key,
            date,
            region,
            service,
            signed_headers: part("SignedHeaders=")?.split(';').collect(),
            signature: part("Signature=")?,
        })
    }
}

fn bad_signature() -> ApiError {
    ApiError::InvalidSignature
}

/// What the signature of the request must be, signed as `identity` at `time`.
fn expected_signature(
    parts: &Parts,
    body: &[u8],
    signed: &Signed<'_>,
    identity: Identity,
    time: SystemTime,
) -> Result<String, ApiError> {
    let host = parts.headers.get("host").and_then(|value| value.to_str().ok()).unwrap_or("localhost");
    let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
    let uri = format!("http://{host}{path}");
    // The signer adds the date and the session token itself.
    let headers = parts.headers.iter().filter_map(|(name, value)| {
        let name = name.as_str();
        let signed_here = signed.signed_headers.contains(&name);
        let added = matches!(name, "x-amz-date" | "x-amz-security-token");
        (signed_here && !added).then_some((name, value.to_str().ok()?))
    });
    let request = SignableRequest::new(parts.method.as_str(), uri, headers, SignableBody::Bytes(body))
        .map_err(|_| bad_signature())?;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(signed.region)
        .name(signed.service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|_| bad_signature())?
        .into();
    let (_, signature) = sign(request, &params).map_err(|_| bad_signature())?.into_parts();
    Ok(signature)
}

/// `20261128T075959Z` as a time.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let digits = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    if text.len() != 16 || text.as_bytes()[8] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).ok()?))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_read_as_their_time() {
        let at = parse_amz_date("20261128T075959Z").unwrap();
        let seconds = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(seconds, 1_795_852_799);
        assert_eq!(parse_amz_date("19700101T000000Z"), Some(SystemTime::UNIX_EPOCH));
        assert_eq!(parse_amz_date("2026-11-28T07:59:59Z"), None);
    }

    #[test]
    fn authorization_headers_give_their_parts() {
        let header = "AWS4-HMAC-SHA256 Credential=AKID/20261128/eu-west-1/wellarchitected/aws4_request, \
                      SignedHeaders=content-type;host;x-amz-date, Signature=abc123";
        let signed = Signed::parse(header).unwrap();
        assert_eq!((signed.access_key, signed.date, signed.region), ("AKID", "20261128", "eu-west-1"));
        assert_eq!(signed.service, "wellarchitected");
        assert_eq!(signed.signed_headers, ["content-type", "host", "x-amz-date"]);
        assert_eq!(signed.signature, "abc123");
        assert!(Signed::parse("Bearer x").is_none());
    }
}
