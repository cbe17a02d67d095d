//! Whom a workload is shared with: the `Share with` column. Each entry is an
//! account ID, an organization ARN or an OU ARN, with `:READONLY` or
//! `:CONTRIBUTOR` after it (READONLY when it says neither); entries are
//! separated as list cells are. The service's owner rules decide the rest:
//! a workload is shared from the account that owns it, each principal once.
//! Shares are made (CreateWorkloadShare, a token of its own) once the
//! workload exists; `--prune-shares` removes those the row does not list.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::problem::quoted;

/// The header of the column, as the template and messages spell it.
pub const HEADER: &str = "Share with";

/// The permission a share grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    ReadOnly,
    Contributor,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadOnly => "READONLY",
            Permission::Contributor => "CONTRIBUTOR",
        }
    }

    pub fn parse(text: &str) -> Option<Permission> {
        match text.trim().to_ascii_uppercase().as_str() {
            "READONLY" => Some(Permission::ReadOnly),
            "CONTRIBUTOR" => Some(Permission::Contributor),
            _ => None,
        }
    }
}

/// One share a row asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Share {
    /// An account ID, an organization ARN or an OU ARN.
    pub with: String,
    pub permission: Permission,
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.with, self.permission.as_str())
    }
}

/// A share a workload holds, as ListWorkloadShares names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub id: String,
    pub with: String,
    pub permission: String,
    /// `ACCEPTED`, `PENDING`, …: whether the other side took it.
    pub status: String,
}

/// One call that brings a workload's shares to what its row lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareCall<'a> {
    /// A share the workload lacks.
    Create(&'a Share),
    /// A share it holds at another permission.
    Update { held: &'a Held, share: &'a Share },
    /// With `--prune-shares`, a share the row does not list.
    Delete(&'a Held),
}

/// The calls that make `held` what `wanted` lists: the wanted shares in
/// their order, then (with `prune`) the unlisted ones. Both `import` and
/// `plan` decide with it.
pub fn calls<'a>(wanted: &'a [Share], held: &'a [Held], prune: bool) -> Vec<ShareCall<'a>> {
    let mut calls = Vec::new();
    for share in wanted {
        match held.iter().find(|held| held.with == share.with) {
            Some(held) if held.permission == share.permission.as_str() => {}
            Some(held) => calls.push(ShareCall::Update { held, share }),
            None => calls.push(ShareCall::Create(share)),
        }
    }
    if prune {
        let unlisted = held.iter().filter(|held| !wanted.iter().any(|share| share.with == held.with));
        calls.extend(unlisted.map(ShareCall::Delete));
    }
    calls
}

/// As a plan shows it: `CreateWorkloadShare: 111122223333 (READONLY)`.
impl fmt::Display for ShareCall<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareCall::Create(share) => write!(f, "CreateWorkloadShare: {share}"),
            ShareCall::Update { held, share } => write!(
                f,
                "UpdateWorkloadShare: {} {} → {}",
                share.with,
                held.permission,
                share.permission.as_str()
            ),
            ShareCall::Delete(held) => write!(f, "DeleteWorkloadShare: {}", held.with),
        }
    }
}

/// The lengths SharedWith may have.
const LENGTH: std::ops::RangeInclusive<usize> = 12..=2048;

/// An account ID; an organization's ID or ARN; an OU's ID or ARN.
static PRINCIPAL: LazyLock<Regex> = LazyLock::new(|| {
    let (organization_id, unit_id) = ("o-[a-z0-9]{10,32}", "ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
    let organization = format!(r"arn:aws[a-z-]*:organizations::\d{{12}}:organization/{organization_id}");
    let unit = format!(r"arn:aws[a-z-]*:organizations::\d{{12}}:ou/{organization_id}/{unit_id}");
    let pattern = format!(r"\A(?:\d{{12}}|{organization_id}|{unit_id}|{organization}|{unit})\z");
    Regex::new(&pattern).expect("the pattern is valid")
});

/// Whether `with` is one a share may be made with: an account ID, an
/// organization's ID or ARN, or an OU's ID or ARN (never an e-mail address).
pub fn is_principal(with: &str) -> bool {
    LENGTH.contains(&with.chars().count()) && PRINCIPAL.is_match(with)
}

/// An entry of a `Share with` cell, or what is wrong with it.
pub fn parse_entry(entry: &str) -> Result<Share, String> {
    let (with, permission) = match entry.rsplit_once(':') {
        Some((with, suffix)) if !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_alphabetic()) => {
            let permission = Permission::parse(suffix).ok_or_else(|| {
                format!(
                    "{} is not a permission: write READONLY or CONTRIBUTOR after the colon",
                    quoted(suffix)
                )
            })?;
            (with.trim(), permission)
        }
        _ => (entry.trim(), Permission::ReadOnly),
    };
    if !is_principal(with) {
        return Err(format!(
            "{} is not an account ID (12 digits), an organization ID (o-…) or ARN \
             (arn:aws:organizations::111122223333:organization/o-…), or an OU ID (ou-…) or ARN \
             (…:ou/o-…/ou-…), optionally followed by :READONLY or :CONTRIBUTOR",
            quoted(with)
        ));
    }
    Ok(Share { with: with.to_owned(), permission })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_name_a_principal_and_maybe_a_permission() {
        let share = |with: &str, permission| Ok(Share { with: with.into(), permission });
        assert_eq!(parse_entry("111122223333"), share("111122223333", Permission::ReadOnly));
        assert_eq!(parse_entry("111122223333:contributor"), share("111122223333", Permission::Contributor));
        let org = "arn:aws:organizations::111122223333:organization/o-abcdef1234";
        assert_eq!(parse_entry(org), share(org, Permission::ReadOnly));
        assert_eq!(parse_entry(&format!("{org}:READONLY")), share(org, Permission::ReadOnly));
        let unit = "arn:aws:organizations::111122223333:ou/o-abcdef1234/ou-ab12-cdef3456";
        assert_eq!(parse_entry(&format!("{unit}:CONTRIBUTOR")), share(unit, Permission::Contributor));
        assert!(parse_entry("111122223333:WRITE").unwrap_err().contains("not a permission"));
        assert!(parse_entry("11112222333").unwrap_err().contains("12 digits"));
        assert!(parse_entry("arn:aws:iam::111122223333:root").is_err());
    }

    #[test]
    fn calls_add_what_is_missing_set_what_differs_and_prune_on_request() {
        let share = |with: &str, permission| Share { with: with.into(), permission };
        let held = |id: &str, with: &str, permission: &str| Held {
            status: "ACCEPTED".into(),
            id: id.into(),
            with: with.into(),
            permission: permission.into(),
        };
        let wanted =
            [share("111122223333", Permission::ReadOnly), share("222233334444", Permission::Contributor)];
        let holds = [held("a", "222233334444", "READONLY"), held("b", "333344445555", "READONLY")];
        let shown = |prune| calls(&wanted, &holds, prune).iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(
            shown(false),
            [
                "CreateWorkloadShare: 111122223333 (READONLY)",
                "UpdateWorkloadShare: 222233334444 READONLY → CONTRIBUTOR"
            ]
        );
        assert_eq!(shown(true).last().map(String::as_str), Some("DeleteWorkloadShare: 333344445555"));
        assert!(calls(&wanted[..1], &[held("c", "111122223333", "READONLY")], true).is_empty());
    }
}
