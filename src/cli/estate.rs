//! The places a command reaches: `--accounts` (IDs, or files of them) ×
//! `--regions`, and for `export` the organisation itself (`--organization`,
//! `--ou`).

use std::path::Path;

use clap::Args;

use crate::destination::{Accounts, Destination, Estate, account_problem, region_problem};

/// The (account, Region) lanes of a run: `--accounts` × `--regions`.
#[derive(Debug, Args)]
pub struct EstateArgs {
    /// These accounts, each through --role-name; needs --regions. 12-digit IDs, or files of them (one or more a
    /// line, separated by commas or spaces, # comments), comma-separated
    #[arg(
        long,
        value_name = "IDS|FILE",
        value_delimiter = ',',
        requires = "regions",
        help_heading = "Destinations"
    )]
    pub accounts: Vec<String>,
    /// These Regions (comma-separated) [default: the Region of the credentials]
    #[arg(long, value_name = "REGIONS", value_delimiter = ',', help_heading = "Destinations")]
    pub regions: Vec<String>,
}

impl EstateArgs {
    /// Every (account, Region) of `--accounts` × `--regions`; the
    /// credentials' own account in each Region without `--accounts`; none
    /// without either.
    pub fn destinations(&self) -> Result<Vec<Destination>, String> {
        let accounts = accounts_of(&self.accounts)?;
        let regions = self.regions()?;
        let own = [String::new()];
        let accounts = if accounts.is_empty() { &own[..] } else { &accounts[..] };
        let mut destinations = Vec::new();
        for account in accounts {
            for region in &regions {
                let destination = Destination { account: account.clone(), region: region.clone() };
                if !destinations.contains(&destination) {
                    destinations.push(destination);
                }
            }
        }
        Ok(destinations)
    }

    /// The accounts and Regions, the organisation's if `organization` says so.
    pub fn estate(&self, organization: &OrganizationArgs) -> Result<Estate, String> {
        let accounts = match (organization.organization, accounts_of(&self.accounts)?) {
            (true, _) => Accounts::Organization { ou: organization.ou.clone() },
            (false, accounts) if accounts.is_empty() => Accounts::Own,
            (false, accounts) => Accounts::Listed(accounts),
        };
        Ok(Estate { accounts, regions: self.regions()? })
    }

    fn regions(&self) -> Result<Vec<String>, String> {
        if let Some(problem) = self.regions.iter().find_map(|region| region_problem(region)) {
            return Err(format!("--regions: {problem}"));
        }
        let mut regions: Vec<String> = Vec::new();
        for region in &self.regions {
            if !regions.contains(region) {
                regions.push(region.clone());
            }
        }
        Ok(regions)
    }
}

/// The whole organisation, or one of its OUs.
#[derive(Debug, Args)]
pub struct OrganizationArgs {
    /// Every active account of the organisation, listed with AWS Organizations from the credentials (the
    /// management account or a delegated administrator), each through --role-name [default Regions: the
    /// credentials']
    #[arg(long, conflicts_with = "accounts", help_heading = "Destinations")]
    pub organization: bool,
    /// With --organization: only the accounts of this OU (ou-…, or the root r-…) and of the OUs below it
    #[arg(long, value_name = "ID", requires = "organization", value_parser = parse_parent, help_heading = "Destinations")]
    pub ou: Option<String>,
}

/// An OU's id (`ou-` then two groups of letters and digits) or a root's (`r-…`).
fn parse_parent(text: &str) -> Result<String, String> {
    let part = |part: &str, range: std::ops::RangeInclusive<usize>| {
        range.contains(&part.len())
            && part.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
    };
    let well_formed = match text.split('-').collect::<Vec<_>>().as_slice() {
        ["ou", root, unit] => part(root, 4..=32) && part(unit, 8..=32),
        ["r", root] => part(root, 4..=32),
        _ => false,
    };
    if well_formed {
        Ok(text.to_owned())
    } else {
        Err("an OU id is ou-xxxx-xxxxxxxx (or a root, r-xxxx)".into())
    }
}

/// The account IDs of `values`: each an ID, or a file of IDs.
fn accounts_of(values: &[String]) -> Result<Vec<String>, String> {
    let mut accounts: Vec<String> = Vec::new();
    for value in values.iter().map(|value| value.trim()).filter(|value| !value.is_empty()) {
        let listed = if value.bytes().all(|byte| byte.is_ascii_digit()) {
            vec![value.to_owned()]
        } else {
            accounts_in(Path::new(value))?
        };
        if let Some(problem) = listed.iter().find_map(|account| account_problem(account)) {
            return Err(format!("--accounts: {problem}"));
        }
        for account in listed {
            if !accounts.contains(&account) {
                accounts.push(account);
            }
        }
    }
    Ok(accounts)
}

/// The IDs a file of accounts lists (at most 1 MiB of it).
fn accounts_in(path: &Path) -> Result<Vec<String>, String> {
    use std::io::Read;
    let mut text = String::new();
    let opened = std::fs::File::open(path).map_err(|error| {
        format!("--accounts: {} is neither a 12-digit account ID nor a file of them: {error}", path.display())
    })?;
    opened
        .take(1 << 20)
        .read_to_string(&mut text)
        .map_err(|error| format!("--accounts: {}: {error}", path.display()))?;
    let ids = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .flat_map(|line| line.split([',', ' ', '\t', ';']))
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    Ok(ids.collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_ids_or_files_of_them_each_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("accounts.txt");
        std::fs::write(&file, "# payments\n111122223333, 444455556666\n111122223333 # again\n\n").unwrap();
        let given = ["777788889999".to_owned(), file.display().to_string()];
        assert_eq!(accounts_of(&given).unwrap(), ["777788889999", "111122223333", "444455556666"]);
        std::fs::write(&file, "12345\n").unwrap();
        assert!(
            accounts_of(&[file.display().to_string()])
                .unwrap_err()
                .contains("\"12345\" is not an AWS account ID")
        );
        assert!(
            accounts_of(&["no-such-file".into()])
                .unwrap_err()
                .contains("neither a 12-digit account ID nor a file")
        );
    }

    #[test]
    fn an_ou_or_a_root_is_told_apart_from_anything_else() {
        assert!(parse_parent("ou-ab12-cd34ef56").is_ok() && parse_parent("r-ab12").is_ok());
        for bad in ["ou-ab12", "OU-ab12-cd34ef56", "r-a", "111122223333", "ou-ab12-cd34"] {
            assert!(parse_parent(bad).is_err(), "{bad}");
        }
    }
}
