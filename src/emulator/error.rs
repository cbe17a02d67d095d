//! The API's errors, as the rest-json protocol carries them: the status code
//! the model gives each error shape, an `x-amzn-ErrorType` header naming the
//! shape, and a JSON body with `Message` and the shape's other members, so
//! the real SDK parses them into its typed errors.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// `ResourceType` of workloads in errors.
pub const WORKLOAD: &str = "WORKLOAD";

/// One error answer of the emulated API.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 400: the request breaks a rule; `fields` name the members.
    Validation { message: String, reason: &'static str, fields: Vec<(String, String)> },
    /// 409: a workload with the same normalised name exists.
    Conflict { message: String, resource_id: String },
    /// 402: the workloads quota is used up.
    QuotaExceeded { message: String },
    /// 429: the server-side token bucket is empty.
    Throttling,
    /// 404: no resource (a workload, lens, profile, review template, share)
    /// with this id or ARN.
    NotFound { message: String, resource_id: String, resource_type: &'static str },
    /// 403: the caller may not do this.
    AccessDenied { message: String },
    /// 403: the request carries no SigV4 signature.
    MissingAuthenticationToken,
    /// 403: the request's temporary credentials have expired.
    ExpiredToken,
    /// 403: the request is signed with an access key the emulator refuses.
    UnrecognizedClient,
    /// 403: the signature is not the one the key's secret makes.
    InvalidSignature,
    /// 500: an injected fault.
    InternalServer,
}

impl ApiError {
    /// The refusal as STS words it (its query protocol answers in XML): the
    /// error code and status of STS's own errors for the same fault.
    pub fn as_sts(&self) -> Option<(StatusCode, &'static str, &'static str)> {
        match self {
            ApiError::MissingAuthenticationToken => Some((
                StatusCode::FORBIDDEN,
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            )),
            ApiError::UnrecognizedClient => Some((
                StatusCode::FORBIDDEN,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            )),
            ApiError::InvalidSignature => Some((
                StatusCode::FORBIDDEN,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your \
                 AWS Secret Access Key and signing method.",
            )),
            ApiError::ExpiredToken => Some((
                StatusCode::BAD_REQUEST,
                "ExpiredToken",
                "The security token included in the request is expired",
            )),
            _ => None,
        }
    }

    /// A 404 for a resource of `kind` (`WORKLOAD`, `LENS`, …).
    pub fn not_found(kind: &'static str, id: &str, message: String) -> ApiError {
        ApiError::NotFound { message, resource_id: id.to_owned(), resource_type: kind }
    }

    /// A 400 for one member.
    pub fn invalid_field(name: &str, message: String) -> ApiError {
        ApiError::Validation {
            message: format!("1 validation error detected: {name}: {message}"),
            reason: "FIELD_VALIDATION_FAILED",
            fields: vec![(name.to_owned(), message)],
        }
    }

    /// The error type and message of a refusal of the request's credentials.
    fn credentials_refused(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::MissingAuthenticationToken => {
                ("MissingAuthenticationTokenException", "Missing Authentication Token")
            }
            ApiError::ExpiredToken => {
                ("ExpiredTokenException", "The security token included in the request is expired")
            }
            ApiError::InvalidSignature => (
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your \
                 AWS Secret Access Key and signing method.",
            ),
            _ => ("UnrecognizedClientException", "The security token included in the request is invalid."),
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, Value) {
        match self {
            ApiError::Validation { message, reason, fields } => {
                let fields: Vec<Value> =
                    fields.iter().map(|(name, message)| json!({"Name": name, "Message": message})).collect();
                let body = json!({"Message": message, "Reason": reason, "Fields": fields});
                (StatusCode::BAD_REQUEST, "ValidationException", body)
            }
            ApiError::Conflict { message, resource_id } => (
                StatusCode::CONFLICT,
                "ConflictException",
                json!({"Message": message, "ResourceId": resource_id, "ResourceType": WORKLOAD}),
            ),
            ApiError::QuotaExceeded { message } => (
                StatusCode::PAYMENT_REQUIRED,
                "ServiceQuotaExceededException",
                json!({
                    "Message": message,
                    "QuotaCode": "workloads-per-region",
                    "ServiceCode": "wellarchitected",
                    "ResourceType": WORKLOAD,
                }),
            ),
            ApiError::Throttling => (
                StatusCode::TOO_MANY_REQUESTS,
                "ThrottlingException",
                json!({"Message": "Rate exceeded", "ServiceCode": "wellarchitected"}),
            ),
            ApiError::NotFound { message, resource_id, resource_type } => (
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                json!({"Message": message, "ResourceId": resource_id, "ResourceType": resource_type}),
            ),
            ApiError::AccessDenied { message } => {
                (StatusCode::FORBIDDEN, "AccessDeniedException", json!({"Message": message}))
            }
            ApiError::MissingAuthenticationToken
            | ApiError::ExpiredToken
            | ApiError::UnrecognizedClient
            | ApiError::InvalidSignature => {
                let (error_type, message) = self.credentials_refused();
                (StatusCode::FORBIDDEN, error_type, json!({"Message": message}))
            }
            ApiError::InternalServer => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerException",
                json!({"Message": "Internal failure (injected by the emulator)"}),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error_type, body) = self.parts();
        let mut response = (status, axum::Json(body)).into_response();
        response.headers_mut().insert("x-amzn-ErrorType", HeaderValue::from_static(error_type));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_the_model_status_and_its_shape_name() {
        let cases = [
            (ApiError::invalid_field("WorkloadName", "too short".into()), 400, "ValidationException"),
            (ApiError::Conflict { message: "m".into(), resource_id: "id".into() }, 409, "ConflictException"),
            (ApiError::QuotaExceeded { message: "m".into() }, 402, "ServiceQuotaExceededException"),
            (ApiError::Throttling, 429, "ThrottlingException"),
            (ApiError::not_found(WORKLOAD, "id", "m".into()), 404, "ResourceNotFoundException"),
            (ApiError::AccessDenied { message: "m".into() }, 403, "AccessDeniedException"),
            (ApiError::MissingAuthenticationToken, 403, "MissingAuthenticationTokenException"),
            (ApiError::ExpiredToken, 403, "ExpiredTokenException"),
            (ApiError::UnrecognizedClient, 403, "UnrecognizedClientException"),
            (ApiError::InvalidSignature, 403, "InvalidSignatureException"),
            (ApiError::InternalServer, 500, "InternalServerException"),
        ];
        for (error, status, name) in cases {
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status, "{name}");
            assert_eq!(response.headers()["x-amzn-ErrorType"], name);
        }
    }
}
