//! STS AssumeRole, as aws-config's role provider calls it, and
//! GetCallerIdentity: the query protocol (a form body, `Action=…`) on
//! `POST /`, signed for the `sts` service, answered in XML. The temporary keys it hands out sign as
//! the role's account until they expire. A role in a denied account, or an
//! ExternalId other than the configured one, is refused as STS refuses it
//! (403 AccessDenied).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_wellarchitected::config::Credentials;
use aws_sdk_wellarchitected::primitives::{DateTime, DateTimeFormat};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Shared;
use super::auth::Caller;

/// The shortest and longest sessions STS grants (DurationSeconds).
const DURATIONS: std::ops::RangeInclusive<u64> = 900..=43_200;

/// Answers one STS request.
pub(super) fn answer(shared: &Arc<Shared>, caller: &Caller, body: &[u8]) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    match form.get("Action").map(String::as_str).unwrap_or_default() {
        "GetCallerIdentity" => caller_identity(shared, caller),
        "AssumeRole" => assume_role(shared, caller, &form),
        action => {
            refusal(StatusCode::BAD_REQUEST, "InvalidAction", &format!("Could not find operation {action}"))
        }
    }
}

/// AssumeRole: temporary keys that sign as the role's account, or the
/// refusal STS gives.
fn assume_role(shared: &Shared, caller: &Caller, form: &HashMap<String, String>) -> Response {
    let value = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let role = value("RoleArn");
    let Some((account, role_name)) = role_parts(role) else {
        return refusal(StatusCode::BAD_REQUEST, "ValidationError", &format!("{role} is not a role ARN"));
    };
    let session = value("RoleSessionName");
    if !(2..=64).contains(&session.len()) {
        let message = "RoleSessionName must be 2 to 64 characters";
        return refusal(StatusCode::BAD_REQUEST, "ValidationError", message);
    }
    let config = &shared.config;
    let external_id_wrong = config.external_id.as_deref().is_some_and(|wanted| wanted != value("ExternalId"));
    if config.denied_accounts.iter().any(|denied| denied == account) || external_id_wrong {
        let message = format!(
            "User: arn:aws:iam::{}:user/wa-bulk is not authorized to perform: sts:AssumeRole on resource: {role}",
            caller.tenant.account
        );
        return refusal(StatusCode::FORBIDDEN, "AccessDenied", &message);
    }
    let seconds = match value("DurationSeconds").parse::<u64>().ok() {
        Some(seconds) if !DURATIONS.contains(&seconds) => {
            let message = "DurationSeconds must be 900 to 43200";
            return refusal(StatusCode::BAD_REQUEST, "ValidationError", message);
        }
        Some(seconds) => seconds.min(config.session_duration.as_secs()),
        None => config.session_duration.as_secs(),
    };
    let expires = SystemTime::now() + Duration::from_secs(seconds);
    let credentials = Credentials::new(
        format!("ASIA{:016X}", rand::random::<u64>()),
        format!("{:032x}", rand::random::<u128>()),
        Some(format!("{:064x}", rand::random::<u128>())),
        Some(expires),
        "sts",
    );
    shared.keys.issue(&credentials, account);
    assumed(&credentials, expires, account, role_name, session)
}

/// The answer of an AssumeRole that succeeded.
fn assumed(
    credentials: &Credentials,
    expires: SystemTime,
    account: &str,
    role: &str,
    session: &str,
) -> Response {
    let expiration = DateTime::from(expires).fmt(DateTimeFormat::DateTime).unwrap_or_default();
    let xml = format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
         <Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey>\
         <SessionToken>{}</SessionToken><Expiration>{expiration}</Expiration></Credentials>\
         <AssumedRoleUser><AssumedRoleId>AROA{:016X}:{}</AssumedRoleId>\
         <Arn>arn:aws:sts::{account}:assumed-role/{}/{}</Arn></AssumedRoleUser></AssumeRoleResult>\
         <ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></AssumeRoleResponse>",
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token().unwrap_or_default(),
        rand::random::<u64>(),
        escaped(session),
        escaped(role),
        escaped(session),
        request_id(),
    );
    xml_response(StatusCode::OK, xml)
}

/// GetCallerIdentity: the account the request's key signs as.
fn caller_identity(shared: &Shared, caller: &Caller) -> Response {
    let account = &caller.tenant.account;
    let arn = if shared.keys.is_issued(&caller.access_key) {
        format!("arn:aws:sts::{account}:assumed-role/wa-bulk/wa-bulk")
    } else {
        format!("arn:aws:iam::{account}:user/wa-bulk")
    };
    let xml = format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <GetCallerIdentityResult><Arn>{arn}</Arn><UserId>{}</UserId><Account>{account}</Account>\
         </GetCallerIdentityResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>\
         </GetCallerIdentityResponse>",
        escaped(&caller.access_key),
        request_id()
    );
    xml_response(StatusCode::OK, xml)
}

/// `arn:aws:iam::111122223333:role/NAME`: the account and the role's name.
fn role_parts(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, name) = rest.split_once(":role/")?;
    let twelve_digits = account.len() == 12 && account.bytes().all(|byte| byte.is_ascii_digit());
    (twelve_digits && !name.is_empty()).then_some((account, name))
}

/// An STS error answer.
pub(super) fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    let xml = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
         <Code>{code}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        escaped(message),
        request_id()
    );
    xml_response(status, xml)
}

fn xml_response(status: StatusCode, xml: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/xml")], xml).into_response()
}

fn request_id() -> String {
    let id = rand::random::<u128>();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        id >> 96,
        (id >> 80) & 0xffff,
        (id >> 64) & 0xffff,
        (id >> 48) & 0xffff,
        id & 0xffff_ffff_ffff
    )
}

/// Text as XML character data.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_name_an_account_and_a_role() {
        assert_eq!(role_parts("arn:aws:iam::111122223333:role/wa-bulk"), Some(("111122223333", "wa-bulk")));
        assert_eq!(role_parts("arn:aws:iam::1111:role/x"), None);
        assert_eq!(role_parts("arn:aws:iam::111122223333:user/x"), None);
        assert_eq!(escaped("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
    }
}
