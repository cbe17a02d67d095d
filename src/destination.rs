//! Where a row's workload lives: an account and a Region. A row may name
//! them in its `Target account` and `Target Region` cells (not members of
//! CreateWorkload: `AccountIds` and `AwsRegions` describe the workload, these
//! say where it is kept); `--regions` sends every row without a Target Region
//! to each Region listed; a row without targets goes where the run's
//! credentials and `--region` point. The service's quota and names are per
//! account and Region, so a name must be unique within each destination,
//! and each destination is sent to through a lane of its own.

use std::fmt;

use crate::model::Text;
use crate::problem::quoted;
use crate::share::Share;

/// The headers of the target columns, as the template and messages spell them.
pub const ACCOUNT_HEADER: &str = "Target account";
pub const REGION_HEADER: &str = "Target Region";

/// The target cells of one row, as mapped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement<'a> {
    pub account: Option<Text<'a>>,
    pub region: Option<Text<'a>>,
    /// A target cell could not be read: where the row goes is unknown.
    pub unusable: bool,
    /// Whom the workload is shared with (the `Share with` cell).
    pub shares: Vec<Share>,
}

impl Placement<'_> {
    pub fn into_owned(self) -> Placement<'static> {
        Placement {
            account: self.account.map(|account| account.into_owned().into()),
            region: self.region.map(|region| region.into_owned().into()),
            unusable: self.unusable,
            shares: self.shares,
        }
    }

    /// The Regions the row goes to: its Target Region, else each of
    /// `--regions`; empty for the run's own Region.
    pub fn regions<'r>(&'r self, fan_out: &'r [String]) -> Vec<&'r str> {
        match &self.region {
            Some(region) => vec![region.as_ref()],
            None => fan_out.iter().map(String::as_str).collect(),
        }
    }
}

/// Why a target cell cannot be used.
pub fn account_problem(account: &str) -> Option<String> {
    let twelve_digits = account.len() == 12 && account.bytes().all(|byte| byte.is_ascii_digit());
    (!twelve_digits).then(|| format!("{} is not an AWS account ID: exactly 12 digits", quoted(account)))
}

pub fn region_problem(region: &str) -> Option<String> {
    (!is_region_code(region))
        .then(|| format!("{} is not a Region code: write it like us-east-1 or eu-central-2", quoted(region)))
}

/// A Region code such as `us-east-1`, `us-gov-west-1` or `ap-southeast-5`:
/// two letters, one or more words, a number of one or two digits.
pub fn is_region_code(value: &str) -> bool {
    let mut parts = value.split('-');
    let lower = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase());
    let country = parts.next().is_some_and(|part| part.len() == 2 && lower(part));
    let number = parts
        .next_back()
        .is_some_and(|part| (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()));
    let mut words = parts.peekable();
    let has_words = words.peek().is_some();
    country && number && has_words && words.all(lower)
}

/// One destination, resolved: the key of a lane. The account is empty for
/// the credentials' own when no row names an account (it is not asked for).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Destination {
    pub account: String,
    pub region: String,
}

/// Where a command that reads goes: which accounts, in which Regions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Estate {
    pub accounts: Accounts,
    /// None: the credentials' Region.
    pub regions: Vec<String>,
}

/// The accounts of an [`Estate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Accounts {
    /// The credentials' own.
    #[default]
    Own,
    /// These, each through the role of `--role-name` unless it is the
    /// credentials' own.
    Listed(Vec<String>),
    /// Every active account of the organisation, or of an OU and those below
    /// it, as AWS Organizations lists them.
    Organization { ou: Option<String> },
}

impl Destination {
    /// The account, unless it is the credentials' own, unasked.
    pub fn account(&self) -> Option<&str> {
        Some(self.account.as_str()).filter(|account| !account.is_empty())
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.account.as_str() {
            "" => f.write_str(&self.region),
            account => write!(f, "{account} {}", self.region),
        }
    }
}

/// The scopes a row's name must be unique in: one a Region it goes to,
/// in its target account (or the run's own, `""`).
pub fn name_scopes(placement: &Placement<'_>, fan_out: &[String], name_key: &str) -> Vec<Box<str>> {
    if name_key.is_empty() || placement.unusable {
        return Vec::new();
    }
    let account = placement.account.as_deref().unwrap_or_default();
    let regions = placement.regions(fan_out);
    if account.is_empty() && regions.is_empty() {
        return vec![name_key.into()];
    }
    let regions = if regions.is_empty() { vec![""] } else { regions };
    regions.into_iter().map(|region| format!("{account}\u{0}{region}\u{0}{name_key}").into()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_cells_are_an_account_id_and_a_region_code() {
        assert_eq!(account_problem("111122223333"), None);
        assert!(account_problem("11112222333").unwrap().contains("12 digits"));
        assert!(account_problem("11112222333a").is_some());
        assert_eq!(region_problem("eu-west-1"), None);
        assert!(region_problem("Ireland").unwrap().contains("Region code"));
    }

    #[test]
    fn names_are_scoped_by_account_and_each_region_a_row_goes_to() {
        let none = Placement::default();
        assert_eq!(name_scopes(&none, &[], "shop"), vec![Box::from("shop")]);
        let fan_out = ["us-east-1".to_owned(), "eu-west-1".to_owned()];
        assert_eq!(name_scopes(&none, &fan_out, "shop").len(), 2);
        let targeted = Placement {
            account: Some("111122223333".into()),
            region: Some("eu-west-1".into()),
            ..Placement::default()
        };
        let scoped = name_scopes(&targeted, &fan_out, "shop");
        assert_eq!(scoped, vec![Box::from("111122223333\u{0}eu-west-1\u{0}shop")]);
        let in_eu = Placement { region: Some("eu-west-1".into()), ..Placement::default() };
        assert_eq!(name_scopes(&in_eu, &fan_out, "shop")[0], name_scopes(&none, &fan_out, "shop")[1]);
        let unknown = Placement { unusable: true, ..Placement::default() };
        assert!(name_scopes(&unknown, &[], "shop").is_empty(), "a row whose place is unknown claims no name");
    }
}
