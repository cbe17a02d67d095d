//! The emulator's workloads, in memory, with the rules the service keeps
//! between requests: names unique ignoring whitespace and case, idempotent
//! client request tokens, and the per-Region workloads quota. Rules about a
//! single request are the validator's, reused rather than written again.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

use super::auth::Tenant;
use super::error::ApiError;
use super::review::Review;
use crate::model::{Field, Text, WorkloadRequest, name_key};
use crate::validate::rules;

/// One stored workload.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredWorkload {
    pub id: String,
    pub arn: String,
    /// As created and updated; its `ClientRequestToken` is the creating one.
    pub request: WorkloadRequest<'static>,
    /// Seconds since the epoch.
    pub updated_at: f64,
    /// What UpdateWorkload last set (`NOT_APPLICABLE` at first).
    pub improvement_status: String,
    pub review_owner_update_acknowledged: bool,
    /// In the order they were recorded; number `n` is at index `n - 1`.
    pub milestones: Vec<Milestone>,
    /// In the order they were made.
    pub shares: Vec<Share>,
    /// A review of each lens, by the lens's alias (a custom lens's ARN).
    pub reviews: BTreeMap<String, Review>,
}

/// A share of a workload with an account, an organization or an OU.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub id: String,
    pub shared_with: String,
    /// `READONLY` or `CONTRIBUTOR`.
    pub permission: String,
    /// `PENDING` for an account (an invitation), `ASSOCIATED` for an
    /// organization or OU.
    pub status: String,
    token: String,
}

impl Share {
    pub fn summary(&self) -> Value {
        json!({
            "ShareId": self.id,
            "SharedWith": self.shared_with,
            "PermissionType": self.permission,
            "Status": self.status,
        })
    }
}

/// Shares a workload may have.
const SHARES: usize = 300;

/// A milestone: the workload as it was when it was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    pub name: String,
    /// Seconds since the epoch.
    pub recorded_at: f64,
    token: String,
    /// The workload's reviews as they were.
    reviews: BTreeMap<String, Review>,
}

impl Milestone {
    /// The workload's reviews when the milestone was recorded.
    pub fn reviews(&self) -> &BTreeMap<String, Review> {
        &self.reviews
    }
}

/// Milestones a workload may have (MilestoneNumber goes up to 100).
const MILESTONES: usize = 100;

/// The improvement statuses UpdateWorkload takes.
pub const IMPROVEMENT_STATUSES: &[&str] =
    &["NOT_APPLICABLE", "NOT_STARTED", "IN_PROGRESS", "COMPLETE", "RISK_ACKNOWLEDGED"];

/// The lens every workload keeps.
const FRAMEWORK_LENS: &str = "wellarchitected";

pub struct Store {
    owner: Tenant,
    quota: usize,
    /// Ids in creation order, which listing follows.
    order: Vec<String>,
    by_id: HashMap<String, StoredWorkload>,
    by_name: HashMap<Box<str>, String>,
    /// Token → (the request it came with, without the token; the id).
    by_token: HashMap<String, (String, String)>,
    ids: StdRng,
}

impl Store {
    pub fn new(owner: Tenant, quota: usize, seed: u64) -> Store {
        Store {
            owner,
            quota,
            order: Vec::new(),
            by_id: HashMap::new(),
            by_name: HashMap::new(),
            by_token: HashMap::new(),
            ids: StdRng::seed_from_u64(seed),
        }
    }

    pub fn owner(&self) -> &Tenant {
        &self.owner
    }

    /// CreateWorkload.
    pub fn create(&mut self, request: WorkloadRequest<'static>) -> Result<&StoredWorkload, ApiError> {
        validate(&request)?;
        let token = request
            .client_request_token
            .as_deref()
            .ok_or_else(|| ApiError::invalid_field("ClientRequestToken", "is required".into()))?
            .to_owned();
        let fingerprint = request.canonical_json();
        if let Some((first, id)) = self.by_token.get(&token) {
            if *first != fingerprint {
                return Err(ApiError::invalid_field(
                    "ClientRequestToken",
                    "was already used with different parameters".into(),
                ));
            }
            return Ok(&self.by_id[id]);
        }
        let key = name_key(request.name());
        if let Some(existing) = self.by_name.get(&key) {
            return Err(name_taken(request.name(), existing));
        }
        if self.by_id.len() >= self.quota {
            return Err(ApiError::QuotaExceeded {
                message: format!("The quota of {} workloads per account and Region is reached", self.quota),
            });
        }
        let id = format!("{:032x}", self.ids.random::<u128>());
        let arn =
            format!("arn:aws:wellarchitected:{}:{}:workload/{id}", self.owner.region, self.owner.account);
        self.by_token.insert(token, (fingerprint, id.clone()));
        self.by_name.insert(key, id.clone());
        self.order.push(id.clone());
        let workload = StoredWorkload {
            id: id.clone(),
            arn,
            request,
            updated_at: now(),
            improvement_status: "NOT_APPLICABLE".into(),
            review_owner_update_acknowledged: false,
            milestones: Vec::new(),
            shares: Vec::new(),
            reviews: BTreeMap::new(),
        };
        Ok(self.by_id.entry(id).or_insert(workload))
    }

    pub fn get(&self, id: &str) -> Result<&StoredWorkload, ApiError> {
        check_id(id)?;
        self.by_id.get(id).ok_or_else(|| not_found(id))
    }

    /// UpdateWorkload: the members `update` gives replace the stored ones,
    /// and so do its two members CreateWorkload lacks.
    pub fn update(
        &mut self,
        id: &str,
        update: WorkloadRequest<'static>,
        extras: UpdateExtras,
    ) -> Result<&StoredWorkload, ApiError> {
        if let Some(status) = extras.improvement_status.as_deref()
            && !IMPROVEMENT_STATUSES.contains(&status)
        {
            let allowed = IMPROVEMENT_STATUSES.join(" | ");
            return Err(ApiError::invalid_field("ImprovementStatus", format!("must be one of {allowed}")));
        }
        let stored = self.get(id)?;
        let mut merged = stored.request.clone();
        merge(&mut merged, update);
        validate(&merged)?;
        let (old_key, new_key) = (name_key(stored.request.name()), name_key(merged.name()));
        if old_key != new_key {
            if let Some(existing) = self.by_name.get(&new_key) {
                return Err(name_taken(merged.name(), existing));
            }
            self.by_name.remove(&old_key);
            self.by_name.insert(new_key, id.to_owned());
        }
        let stored = self.by_id.get_mut(id).expect("looked up above");
        stored.request = merged;
        stored.updated_at = now();
        if let Some(status) = extras.improvement_status {
            stored.improvement_status = status;
        }
        if let Some(acknowledged) = extras.review_owner_update_acknowledged {
            stored.review_owner_update_acknowledged = acknowledged;
        }
        Ok(stored)
    }

    /// A change to a workload's members that must leave it valid.
    fn modify(
        &mut self,
        id: &str,
        change: impl FnOnce(&mut WorkloadRequest<'static>),
    ) -> Result<(), ApiError> {
        let mut changed = self.get(id)?.request.clone();
        change(&mut changed);
        validate(&changed)?;
        let stored = self.by_id.get_mut(id).expect("looked up above");
        stored.request = changed;
        stored.updated_at = now();
        Ok(())
    }

    /// AssociateLenses: adds the lenses the workload lacks.
    pub fn associate_lenses(&mut self, id: &str, aliases: Vec<String>) -> Result<(), ApiError> {
        self.modify(id, |request| add_missing(&mut request.lenses, aliases))
    }

    /// DisassociateLenses: removes lenses, never the Framework's.
    pub fn disassociate_lenses(&mut self, id: &str, aliases: Vec<String>) -> Result<(), ApiError> {
        if aliases.iter().any(|alias| alias == FRAMEWORK_LENS) {
            return Err(ApiError::invalid_field(
                "LensAliases",
                format!("the {FRAMEWORK_LENS} lens cannot be disassociated from a workload"),
            ));
        }
        self.modify(id, |request| remove_all(&mut request.lenses, &aliases))?;
        let stored = self.by_id.get_mut(id).expect("modified above");
        stored.reviews.retain(|_, review| !aliases.iter().any(|alias| review.is_of(alias)));
        Ok(())
    }

    /// Keeps the reviews of lenses the workload has no review of yet.
    pub fn start_reviews(&mut self, id: &str, reviews: Vec<Review>) -> Result<(), ApiError> {
        self.get(id)?;
        let stored = self.by_id.get_mut(id).expect("looked up above");
        for review in reviews {
            stored.reviews.entry(review.lens.alias.clone()).or_insert(review);
        }
        Ok(())
    }

    /// The workload's review of `lens` (an alias or an ARN), now or as
    /// milestone `milestone` kept it.
    pub fn review(&self, id: &str, lens: &str, milestone: Option<i64>) -> Result<&Review, ApiError> {
        let workload = self.get(id)?;
        let reviews = match milestone {
            None => &workload.reviews,
            Some(number) => &workload.milestone(number)?.reviews,
        };
        reviews.values().find(|review| review.is_of(lens)).ok_or_else(|| no_review(id, lens))
    }

    /// The workload's review of `lens`, to change.
    pub fn review_mut(&mut self, id: &str, lens: &str) -> Result<&mut Review, ApiError> {
        self.get(id)?;
        let stored = self.by_id.get_mut(id).expect("looked up above");
        stored.reviews.values_mut().find(|review| review.is_of(lens)).ok_or_else(|| no_review(id, lens))
    }

    /// AssociateProfiles: adds the profiles the workload lacks.
    pub fn associate_profiles(&mut self, id: &str, arns: Vec<String>) -> Result<(), ApiError> {
        self.modify(id, |request| add_missing(&mut request.profile_arns, arns))
    }

    /// DisassociateProfiles.
    pub fn disassociate_profiles(&mut self, id: &str, arns: Vec<String>) -> Result<(), ApiError> {
        self.modify(id, |request| remove_all(&mut request.profile_arns, &arns))
    }

    /// CreateMilestone: its number, once per token; names are unique within
    /// the workload.
    pub fn create_milestone(&mut self, id: &str, name: String, token: String) -> Result<usize, ApiError> {
        let milestones = &self.get(id)?.milestones;
        if let Some(index) = milestones.iter().position(|milestone| milestone.token == token) {
            if milestones[index].name != name {
                return Err(ApiError::invalid_field(
                    "ClientRequestToken",
                    "was already used with different parameters".into(),
                ));
            }
            return Ok(index + 1);
        }
        if milestones.iter().any(|milestone| milestone.name == name) {
            return Err(ApiError::Conflict {
                message: format!("The workload already has a milestone named {name:?}"),
                resource_id: id.to_owned(),
            });
        }
        if milestones.len() >= MILESTONES {
            return Err(ApiError::QuotaExceeded {
                message: format!("A workload may have {MILESTONES} milestones"),
            });
        }
        let stored = self.by_id.get_mut(id).expect("looked up above");
        let reviews = stored.reviews.clone();
        stored.milestones.push(Milestone { name, recorded_at: now(), token, reviews });
        Ok(stored.milestones.len())
    }

    /// CreateWorkloadShare: the share's id. The same token with the same
    /// share gives the same id; a second share with the same principal is a
    /// conflict, as is sharing with the owner's own account.
    pub fn create_share(
        &mut self,
        id: &str,
        shared_with: String,
        permission: String,
        token: String,
    ) -> Result<String, ApiError> {
        let owner = self.owner.account.clone();
        let shares = &self.get(id)?.shares;
        if let Some(share) = shares.iter().find(|share| share.token == token) {
            if (&share.shared_with, &share.permission) != (&shared_with, &permission) {
                return Err(ApiError::invalid_field(
                    "ClientRequestToken",
                    "was already used with different parameters".into(),
                ));
            }
            return Ok(share.id.clone());
        }
        if shared_with == owner {
            return Err(ApiError::invalid_field(
                "SharedWith",
                "cannot be the workload owner's own account".into(),
            ));
        }
        if let Some(share) = shares.iter().find(|share| share.shared_with == shared_with) {
            return Err(ApiError::Conflict {
                message: format!("The workload is already shared with {shared_with} (share {})", share.id),
                resource_id: id.to_owned(),
            });
        }
        if shares.len() >= SHARES {
            return Err(ApiError::QuotaExceeded { message: format!("A workload may have {SHARES} shares") });
        }
        let share_id = format!("{:032x}", self.ids.random::<u128>());
        let status = if shared_with.starts_with("arn:") { "ASSOCIATED" } else { "PENDING" };
        let stored = self.by_id.get_mut(id).expect("looked up above");
        stored.shares.push(Share {
            id: share_id.clone(),
            shared_with,
            permission,
            status: status.into(),
            token,
        });
        Ok(share_id)
    }

    /// UpdateWorkloadShare: a share's new permission.
    pub fn update_share(&mut self, id: &str, share_id: &str, permission: String) -> Result<Share, ApiError> {
        let share = self.share_mut(id, share_id)?;
        share.permission = permission;
        Ok(share.clone())
    }

    /// DeleteWorkloadShare.
    pub fn delete_share(&mut self, id: &str, share_id: &str) -> Result<(), ApiError> {
        self.share_mut(id, share_id)?;
        let stored = self.by_id.get_mut(id).expect("found above");
        stored.shares.retain(|share| share.id != share_id);
        Ok(())
    }

    fn share_mut(&mut self, id: &str, share_id: &str) -> Result<&mut Share, ApiError> {
        self.get(id)?;
        let stored = self.by_id.get_mut(id).expect("looked up above");
        let missing = || {
            ApiError::not_found("WORKLOAD_SHARE", share_id, format!("The workload has no share {share_id}"))
        };
        stored.shares.iter_mut().find(|share| share.id == share_id).ok_or_else(missing)
    }

    pub fn delete(&mut self, id: &str) -> Result<(), ApiError> {
        self.get(id)?;
        let removed = self.by_id.remove(id).expect("looked up above");
        self.by_name.remove(&name_key(removed.request.name()));
        self.by_token.retain(|_, (_, token_id)| token_id != id);
        self.order.retain(|kept| kept != id);
        Ok(())
    }

    /// Workloads whose name starts with `prefix` (ignoring case), in creation order.
    pub fn list(&self, prefix: &str) -> impl Iterator<Item = &StoredWorkload> {
        let prefix = prefix.to_lowercase();
        self.order
            .iter()
            .map(|id| &self.by_id[id])
            .filter(move |workload| workload.request.name().to_lowercase().starts_with(&prefix))
    }

    pub fn by_arn(&self, arn: &str) -> Result<&StoredWorkload, ApiError> {
        let id = arn.rsplit_once("workload/").map_or("", |(_, id)| id);
        self.by_id.get(id).filter(|workload| workload.arn == arn).ok_or_else(|| not_found(arn))
    }

    /// TagResource: adds or replaces tags.
    pub fn tag(&mut self, arn: &str, tags: Vec<(String, String)>) -> Result<(), ApiError> {
        let id = self.by_arn(arn)?.id.clone();
        self.modify(&id, |request| {
            for (key, value) in tags {
                match request.tags.iter_mut().find(|(existing, _)| *existing == key) {
                    Some(tag) => tag.1 = value.into(),
                    None => request.tags.push((key.into(), value.into())),
                }
            }
        })
    }

    /// UntagResource: removes the tags with these keys.
    pub fn untag(&mut self, arn: &str, keys: Vec<String>) -> Result<(), ApiError> {
        if keys.is_empty() || keys.len() > 50 {
            return Err(ApiError::invalid_field("TagKeys", "give 1 to 50 tag keys".into()));
        }
        let id = self.by_arn(arn)?.id.clone();
        self.modify(&id, |request| request.tags.retain(|(key, _)| !keys.iter().any(|gone| key == gone)))
    }

    /// Every workload, in creation order.
    pub fn all(&self) -> Vec<StoredWorkload> {
        self.order.iter().map(|id| self.by_id[id].clone()).collect()
    }
}

/// Appends the items `list` lacks, in their order.
fn add_missing(list: &mut Vec<Text<'static>>, items: Vec<String>) {
    for item in items {
        if !list.iter().any(|held| *held == item) {
            list.push(item.into());
        }
    }
}

/// Removes every item of `list` that `items` names.
fn remove_all(list: &mut Vec<Text<'static>>, items: &[String]) {
    list.retain(|held| !items.iter().any(|item| held == item));
}

/// UpdateWorkload's members that CreateWorkload lacks.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateExtras {
    pub improvement_status: Option<String>,
    #[serde(rename = "IsReviewOwnerUpdateAcknowledged")]
    pub review_owner_update_acknowledged: Option<bool>,
}

/// The service's single-request rules, as a 400 naming every member at fault.
fn validate(request: &WorkloadRequest<'_>) -> Result<(), ApiError> {
    let mut violations = Vec::new();
    rules::check(request, &mut violations);
    let fields: Vec<(String, String)> = violations
        .into_iter()
        .filter(|v| v.severity == crate::problem::Severity::Error)
        .map(|v| (v.field.api_member().to_owned(), v.detail))
        .collect();
    if fields.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = fields.iter().map(|(name, message)| format!("{name}: {message}")).collect();
    Err(ApiError::Validation {
        message: format!("{} validation errors detected: {}", fields.len(), listed.join("; ")),
        reason: "FIELD_VALIDATION_FAILED",
        fields,
    })
}

/// Copies every member `update` gives onto `stored` (Lenses, Tags and the
/// token cannot be updated, as in UpdateWorkloadInput), and empties those
/// it gives empty.
fn merge(stored: &mut WorkloadRequest<'static>, update: WorkloadRequest<'static>) {
    for field in Field::ALL.into_iter().filter(|field| field.is_updatable()) {
        stored.copy_member(&update, field);
    }
    for field in &update.cleared {
        stored.clear(*field);
    }
}

fn check_id(id: &str) -> Result<(), ApiError> {
    let valid = id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_field("WorkloadId", "must be 32 lower-case hex digits".into()))
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(super::error::WORKLOAD, id, format!("No workload {id}"))
}

fn no_review(id: &str, lens: &str) -> ApiError {
    ApiError::not_found("LENS", lens, format!("The workload {id} has no review of the lens {lens}"))
}

fn name_taken(name: &str, existing: &str) -> ApiError {
    ApiError::Conflict {
        message: format!("A workload named like {name:?} already exists ({existing})"),
        resource_id: existing.to_owned(),
    }
}

pub(super) fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |elapsed| elapsed.as_secs_f64())
}

impl StoredWorkload {
    /// The `Workload` shape of GetWorkload and UpdateWorkload.
    pub fn to_json(&self, owner: &Tenant) -> Value {
        let mut value = serde_json::to_value(&self.request).expect("a request always serialises");
        let members = value.as_object_mut().expect("a request is an object");
        members.remove("ClientRequestToken");
        members.remove("ReviewTemplateArns");
        if let Some(profiles) = members.remove("ProfileArns") {
            let profiles: Vec<Value> =
                profiles.as_array().into_iter().flatten().map(|arn| json!({"ProfileArn": arn})).collect();
            members.insert("Profiles".into(), profiles.into());
        }
        members.insert("WorkloadId".into(), self.id.clone().into());
        members.insert("WorkloadArn".into(), self.arn.clone().into());
        members.insert("Owner".into(), owner.account.clone().into());
        members.insert("UpdatedAt".into(), self.last_change().into());
        members.insert("ImprovementStatus".into(), self.improvement_status.clone().into());
        members
            .insert("IsReviewOwnerUpdateAcknowledged".into(), self.review_owner_update_acknowledged.into());
        members.insert("RiskCounts".into(), json!(self.risk_counts()));
        value
    }

    /// Milestone `number`, or the 404 AWS gives.
    pub fn milestone(&self, number: i64) -> Result<&Milestone, ApiError> {
        let index = usize::try_from(number).ok().and_then(|number| number.checked_sub(1));
        index.and_then(|index| self.milestones.get(index)).ok_or_else(|| {
            ApiError::not_found("MILESTONE", &self.id, format!("The workload has no milestone {number}"))
        })
    }

    /// When the workload or one of its reviews last changed.
    fn last_change(&self) -> f64 {
        self.reviews.values().map(|review| review.updated_at).fold(self.updated_at, f64::max)
    }

    /// How many questions of all its reviews are at each risk.
    pub fn risk_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for (risk, count) in self.reviews.values().flat_map(|review| review.risk_counts(None)) {
            *counts.entry(risk).or_default() += count;
        }
        counts
    }

    /// The `WorkloadSummary` shape of ListWorkloads.
    pub fn summary(&self, owner: &Tenant) -> Value {
        json!({
            "WorkloadId": self.id,
            "WorkloadArn": self.arn,
            "WorkloadName": self.request.name(),
            "Owner": owner.account,
            "UpdatedAt": self.last_change(),
            "Lenses": self.request.lenses,
            "RiskCounts": self.risk_counts(),
            "ImprovementStatus": self.improvement_status,
        })
    }
}
