//! A client for each destination. A lane in the base credentials' own
//! account sends with them; a lane in another account assumes
//! `arn:aws:iam::<account>:role/<--role-name>` through aws-config's STS role
//! provider (session `wa-bulk`, the ExternalId if given), whose credentials
//! the SDK refreshes before they expire. Without a role name, another
//! account cannot be reached, and its rows say why. A role that cannot be
//! assumed fails at its lane's first request, which stops that lane.
//!
//! The lanes of one account (one per Region) share its role's provider and
//! one credentials cache that holds every account of the run: the SDK's
//! default cache keeps 64 and, with more lanes than that, would assume the
//! role again for nearly every request.

use aws_config::sts::AssumeRoleProvider;
use aws_sdk_wellarchitected::Client;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use aws_sdk_wellarchitected::config::{
    IdentityCache, Region, SharedCredentialsProvider, SharedIdentityCache,
};
use aws_types::SdkConfig;

use super::FleetConfig;
use crate::destination::Destination;

/// The session name of every assumed role.
pub const SESSION_NAME: &str = "wa-bulk";

/// Where requests go when no destination is named, as messages say it.
pub const CONFIGURED_REGION: &str = "the Well-Architected API of the configured Region";

/// The credentials of each account: the base's own, or a role's.
#[derive(Clone)]
pub struct Roles {
    base: SdkConfig,
    base_account: Option<String>,
    fleet: FleetConfig,
    /// Each account's role, as its lanes share it.
    providers: Arc<Mutex<HashMap<String, SharedCredentialsProvider>>>,
    /// The credentials of every account reached.
    cache: SharedIdentityCache,
}

/// Accounts whose credentials the cache holds at once.
const CACHED_ACCOUNTS: usize = 100_000;

impl Roles {
    pub fn new(base: &SdkConfig, base_account: Option<&str>, fleet: &FleetConfig) -> Roles {
        Roles {
            base: base.clone(),
            base_account: base_account.map(str::to_owned),
            fleet: fleet.clone(),
            providers: Arc::default(),
            cache: IdentityCache::lazy().max_partitions(CACHED_ACCOUNTS).build(),
        }
    }

    /// Where the base configuration sends, as messages name it.
    pub fn base_name(&self) -> String {
        self.base.endpoint_url().map_or_else(|| CONFIGURED_REGION.to_owned(), str::to_owned)
    }

    /// The place of `destination`'s lane in the rate memory: the endpoint
    /// (`aws` for AWS's own), the account (`-` when the credentials' own
    /// is not known) and the Region.
    pub fn memory_key(&self, destination: Option<&Destination>) -> String {
        let endpoint = self.base.endpoint_url().unwrap_or("aws");
        let own = self.base_account.as_deref().unwrap_or_default();
        let (account, region) = match destination {
            Some(destination) => (destination.account().unwrap_or(own), destination.region.as_str()),
            None => (own, self.base.region().map_or("", |region| region.as_ref())),
        };
        super::rates::key(endpoint, account, region)
    }

    /// A client for `destination` and the lane's name for messages; or why
    /// it cannot be reached.
    pub fn client(
        &self,
        destination: Option<&Destination>,
    ) -> impl std::future::Future<Output = Result<(Client, String), String>> + Send + 'static {
        let roles = self.clone();
        let destination = destination.cloned();
        async move {
            let Some(destination) = destination else {
                return Ok((Client::new(&roles.base), roles.base_name()));
            };
            let mut config = aws_sdk_wellarchitected::config::Builder::from(&roles.base)
                .region(Region::new(destination.region.clone()));
            let own =
                destination.account.is_empty() || roles.base_account.as_deref() == Some(&destination.account);
            if !own {
                // Set as it is: `credentials_provider` would wrap it again, in
                // a cache partition of its own.
                config.set_credentials_provider(Some(roles.provider(&destination.account).await?));
                config = config.identity_cache(roles.cache.clone());
            }
            Ok((Client::from_conf(config.build()), destination.to_string()))
        }
    }

    /// The role of `account`, made once for all its lanes.
    async fn provider(&self, account: &str) -> Result<SharedCredentialsProvider, String> {
        let held = self.providers.lock().unwrap_or_else(PoisonError::into_inner).get(account).cloned();
        if let Some(provider) = held {
            return Ok(provider);
        }
        let made = SharedCredentialsProvider::new(self.assumed(account)?.configure(&self.base).build().await);
        let mut providers = self.providers.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(providers.entry(account.to_owned()).or_insert(made).clone())
    }

    /// The role provider for `account`, or why there is none.
    fn assumed(&self, account: &str) -> Result<aws_config::sts::AssumeRoleProviderBuilder, String> {
        let Some(role) = &self.fleet.role_name else {
            return Err(format!(
                "the row's Target account {account} is not the account of the credentials ({}), and no \
                 --role-name says which role to assume in it",
                self.base_account.as_deref().unwrap_or("unknown")
            ));
        };
        let arn = format!("arn:aws:iam::{account}:role/{role}");
        let mut provider = AssumeRoleProvider::builder(arn).session_name(SESSION_NAME);
        if let Some(id) = &self.fleet.external_id {
            provider = provider.external_id(id);
        }
        Ok(provider)
    }
}
