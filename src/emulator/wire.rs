//! What every handler of the emulated API shares: where the request landed
//! ([`Here`]), reading a JSON body as the service does, answering, and
//! paging a list the way the SDK's paginators expect.

use std::sync::{Arc, MutexGuard};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::auth::Tenant;
use super::error::ApiError;
use super::store::Store;
use super::{Place, Shared};

/// Page size when a list request gives none, and the most it may ask for.
const MAX_RESULTS: usize = 50;

/// The account and Region a request landed in, as handlers take it: the
/// gate put its state beside the request.
pub(super) struct Here(Arc<Place>);

impl FromRequestParts<Arc<Shared>> for Here {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &Arc<Shared>) -> Result<Here, ApiError> {
        parts.extensions.get::<Arc<Place>>().cloned().map(Here).ok_or(ApiError::InternalServer)
    }
}

impl Here {
    pub(super) fn store(&self) -> MutexGuard<'_, Store> {
        self.0.store()
    }

    /// The account and Region.
    pub(super) fn tenant(&self) -> &Tenant {
        &self.0.tenant
    }
}

/// A JSON body, or the 400 the service answers for one it cannot parse.
pub(super) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.is_empty() { b"{}".as_slice() } else { body };
    serde_json::from_slice(body).map_err(cannot_parse)
}

/// The 400 for a body the service cannot read.
pub(super) fn cannot_parse(error: impl std::fmt::Display) -> ApiError {
    ApiError::Validation {
        message: format!("Cannot parse the request body: {error}"),
        reason: "CANNOT_PARSE",
        fields: Vec::new(),
    }
}

pub(super) fn ok(body: Value) -> Response {
    axum::Json(body).into_response()
}

/// The operation a write answered, which the gate counts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Wrote(pub &'static str);

/// The answer of a write that succeeded: `operation` changed what the
/// service holds.
pub(super) fn wrote(operation: &'static str, body: Value) -> Response {
    let mut response = ok(body);
    response.extensions_mut().insert(Wrote(operation));
    response
}

/// A ClientRequestToken the operation requires.
pub(super) fn required_token(token: Option<String>) -> Result<String, ApiError> {
    token
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::invalid_field("ClientRequestToken", "is required".into()))
}

/// Where a page starts and how long it is: NextToken is the offset.
pub(super) fn page(next_token: Option<&str>, max_results: Option<i64>) -> Result<(usize, usize), ApiError> {
    let size = match max_results {
        None => MAX_RESULTS,
        Some(size @ 1..=50) => size as usize,
        Some(_) => return Err(ApiError::invalid_field("MaxResults", "must be 1 to 50".into())),
    };
    let start = match next_token {
        None => 0,
        Some(token) => token
            .parse()
            .map_err(|_| ApiError::invalid_field("NextToken", "is not a token this emulator gave".into()))?,
    };
    Ok((start, size))
}

pub(super) fn paged(member: &str, items: Vec<Value>, next: Option<usize>) -> Value {
    let mut body = serde_json::Map::new();
    body.insert(member.to_owned(), items.into());
    if let Some(next) = next {
        body.insert("NextToken".to_owned(), next.to_string().into());
    }
    body.into()
}
