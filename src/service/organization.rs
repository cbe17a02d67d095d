//! The accounts of an organisation, for commands that reach all of it
//! (`--organization`, `--ou ID`): listed with AWS Organizations from the
//! base credentials (the management account or a delegated administrator),
//! every page. With an OU, its accounts and those of every OU below it.
//! Only active accounts are kept: a suspended one (or one being closed)
//! cannot be reached.

use aws_sdk_organizations::Client;
use aws_sdk_organizations::error::ProvideErrorMetadata;
use aws_sdk_organizations::types::{Account, AccountStatus};
use aws_types::SdkConfig;

/// The active accounts of the organisation, or of `ou` and the OUs below
/// it, in the order Organizations lists them, each once; or why not.
pub async fn active_accounts(base: &SdkConfig, ou: Option<&str>) -> Result<Vec<String>, String> {
    let client = Client::new(base);
    let listed = match ou {
        None => {
            let pages = client.list_accounts().into_paginator().send().try_collect().await;
            pages
                .map_err(told("ListAccounts"))?
                .into_iter()
                .flat_map(|page| page.accounts.unwrap_or_default())
                .collect()
        }
        Some(ou) => below(&client, ou).await?,
    };
    let mut accounts: Vec<String> = Vec::new();
    for account in listed.iter().filter(|account| account.status() == Some(&AccountStatus::Active)) {
        if let Some(id) = account.id().filter(|id| !accounts.iter().any(|kept| kept == id)) {
            accounts.push(id.to_owned());
        }
    }
    Ok(accounts)
}

/// The accounts of `ou` and of every OU below it.
async fn below(client: &Client, ou: &str) -> Result<Vec<Account>, String> {
    let mut accounts = Vec::new();
    let mut parents = vec![ou.to_owned()];
    while let Some(parent) = parents.pop() {
        let pages =
            client.list_accounts_for_parent().parent_id(&parent).into_paginator().send().try_collect();
        let pages = pages.await.map_err(told("ListAccountsForParent"))?;
        accounts.extend(pages.into_iter().flat_map(|page| page.accounts.unwrap_or_default()));
        let units = client.list_organizational_units_for_parent().parent_id(&parent).into_paginator().send();
        let pages = units.try_collect().await.map_err(told("ListOrganizationalUnitsForParent"))?;
        let units = pages.into_iter().flat_map(|page| page.organizational_units.unwrap_or_default());
        parents.extend(units.filter_map(|unit| unit.id));
    }
    Ok(accounts)
}

/// An Organizations error as one line: the operation, the code, the message.
fn told<E>(operation: &'static str) -> impl Fn(aws_sdk_organizations::error::SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    move |error| match error.code() {
        Some(code) => format!(
            "AWS Organizations {operation}: {code}: {} (the accounts of an organisation are listed with the \
             credentials of its management account or a delegated administrator)",
            error.message().unwrap_or("no message")
        ),
        None => format!("AWS Organizations {operation}: {}", crate::submit::retry::root_cause(&error)),
    }
}
