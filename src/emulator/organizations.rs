//! AWS Organizations as the emulator plays it, for `export --organization`:
//! ListAccounts, ListAccountsForParent and ListOrganizationalUnitsForParent
//! in the JSON 1.1 protocol the SDK sends (`POST /`, `X-Amz-Target:
//! AWSOrganizationsV20161128.<Operation>`, signed for `organizations`), on
//! the same endpoint as everything else. The organisation is the one
//! [`EmulatorConfig::organization`](super::EmulatorConfig) describes: a root,
//! the OUs the test chooses, accounts in them, some suspended. Only its
//! management account may list; others get AccessDeniedException, and an
//! emulator without an organisation answers
//! AWSOrganizationsNotInUseException, as AWS does. Pages hold at most
//! `MaxResults` (1 to 20) items.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Caller;

/// The organisation's root.
pub const ROOT: &str = "r-wa00";
/// The organisation's id, in ARNs.
const ORGANIZATION_ID: &str = "o-wabulk0000";
/// The most items a page holds.
const MAX_RESULTS: usize = 20;

/// An organisation: who manages it, its units and its accounts.
#[derive(Debug, Clone, Default)]
pub struct Organization {
    /// The management account: the one that may list the others.
    pub management: String,
    pub units: Vec<Unit>,
    pub accounts: Vec<Member>,
}

/// An organisational unit under `parent` (the root or another unit).
#[derive(Debug, Clone)]
pub struct Unit {
    /// `ou-wa00-<8 or more letters and digits>`.
    pub id: String,
    pub name: String,
    pub parent: String,
}

/// An account and the root or unit it sits in.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub parent: String,
    /// Left out of exports: it cannot be reached.
    pub suspended: bool,
}

impl Organization {
    /// `management` and `accounts`, every one active in the root.
    pub fn flat(management: &str, accounts: &[&str]) -> Organization {
        let member = |id: &&str| Member { id: (*id).to_owned(), parent: ROOT.into(), suspended: false };
        Organization {
            management: management.into(),
            units: Vec::new(),
            accounts: accounts.iter().map(member).collect(),
        }
    }
}

/// Answers one Organizations request.
pub(super) fn answer(
    organization: Option<&Organization>,
    caller: &Caller,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let target = headers.get("x-amz-target").and_then(|value| value.to_str().ok()).unwrap_or_default();
    let Some(operation) = target.strip_prefix("AWSOrganizationsV20161128.") else {
        return refusal("UnknownOperationException", &format!("unknown target {target:?}"));
    };
    let Some(organization) = organization else {
        return refusal(
            "AWSOrganizationsNotInUseException",
            "Your account is not a member of an organization.",
        );
    };
    if caller.tenant.account != organization.management {
        return refusal("AccessDeniedException", "You don't have permissions to access this resource.");
    }
    let input: Input = match serde_json::from_slice(if body.is_empty() { b"{}" } else { body }) {
        Ok(input) => input,
        Err(error) => return refusal("InvalidInputException", &format!("the body does not read: {error}")),
    };
    let answered = match operation {
        "ListAccounts" => page(&input, organization.accounts.iter().collect(), "Accounts", account_json),
        "ListAccountsForParent" => parent(organization, &input).and_then(|parent| {
            let accounts = organization.accounts.iter().filter(|member| member.parent == parent).collect();
            page(&input, accounts, "Accounts", account_json)
        }),
        "ListOrganizationalUnitsForParent" => parent(organization, &input).and_then(|parent| {
            let units = organization.units.iter().filter(|unit| unit.parent == parent).collect();
            page(&input, units, "OrganizationalUnits", |unit| unit_json(&organization.management, unit))
        }),
        _ => Err(("UnknownOperationException", format!("The operation {operation} is not supported here"))),
    };
    match answered {
        Ok(body) => (StatusCode::OK, [("content-type", "application/x-amz-json-1.1")], body.to_string())
            .into_response(),
        Err((code, message)) => refusal(code, &message),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Input {
    parent_id: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

type Answered = Result<Value, (&'static str, String)>;

/// The parent a request names, which must exist.
fn parent<'o>(organization: &'o Organization, input: &Input) -> Result<&'o str, (&'static str, String)> {
    let Some(wanted) = input.parent_id.as_deref() else {
        return Err(("InvalidInputException", "ParentId is required".into()));
    };
    let well_formed = wanted.starts_with("r-") || wanted.starts_with("ou-");
    if !well_formed || wanted.len() > 100 {
        return Err(("InvalidInputException", format!("ParentId {wanted:?} is not a root or OU id")));
    }
    if wanted == ROOT {
        return Ok(ROOT);
    }
    organization.units.iter().find(|unit| unit.id == wanted).map(|unit| unit.id.as_str()).ok_or((
        "ParentNotFoundException",
        "We can't find a root or OU with the ParentId that you specified.".into(),
    ))
}

/// One page of `items` from the request's token.
fn page<T>(input: &Input, items: Vec<&T>, member: &str, shown: impl Fn(&T) -> Value) -> Answered {
    let size = match input.max_results {
        None => MAX_RESULTS,
        Some(wanted) if (1..=MAX_RESULTS as i64).contains(&wanted) => wanted as usize,
        Some(wanted) => {
            return Err((
                "InvalidInputException",
                format!("MaxResults {wanted} is not between 1 and {MAX_RESULTS}"),
            ));
        }
    };
    let start = match input.next_token.as_deref() {
        None => 0,
        Some(token) => token
            .strip_prefix("page-")
            .and_then(|index| index.parse::<usize>().ok())
            .filter(|index| *index <= items.len())
            .ok_or(("InvalidInputException", "The NextToken is not valid".to_owned()))?,
    };
    let end = (start + size).min(items.len());
    let mut body = json!({ member: items[start..end].iter().map(|item| shown(item)).collect::<Vec<_>>() });
    if end < items.len() {
        body["NextToken"] = json!(format!("page-{end}"));
    }
    Ok(body)
}

fn account_json(member: &Member) -> Value {
    let status = if member.suspended { "SUSPENDED" } else { "ACTIVE" };
    json!({
        "Id": member.id,
        "Arn": format!("arn:aws:organizations::{}:account/{ORGANIZATION_ID}/{}", member.id, member.id),
        "Email": format!("aws+{}@example.com", member.id),
        "Name": format!("Account {}", member.id),
        "Status": status,
        "State": status,
        "JoinedMethod": "CREATED",
        "JoinedTimestamp": 1_700_000_000,
    })
}

fn unit_json(management: &str, unit: &Unit) -> Value {
    json!({
        "Id": unit.id,
        "Arn": format!("arn:aws:organizations::{management}:ou/{ORGANIZATION_ID}/{}", unit.id),
        "Name": unit.name,
    })
}

/// A refusal in the JSON 1.1 error shape.
fn refusal(code: &str, message: &str) -> Response {
    let body = json!({"__type": code, "Message": message});
    (StatusCode::BAD_REQUEST, [("content-type", "application/x-amz-json-1.1")], body.to_string())
        .into_response()
}
