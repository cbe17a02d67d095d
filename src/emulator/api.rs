//! The HTTP binding of each operation, from the model: method, path, where
//! each member travels, and the JSON of each answer. Every request first
//! passes the gate: a SigV4 `Authorization` header, the configured latency,
//! the token bucket and the injected faults.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde::Deserialize;
use serde_json::{Value, json};

use std::sync::atomic::Ordering;

use super::auth::Tenant;
use super::catalogue::Catalogue;
use super::error::ApiError;
use super::review::Review;
use super::store::{Store, UpdateExtras};
use super::wire::{Here, Wrote, cannot_parse, ok, page, paged, parse, required_token, wrote};
use super::{Shared, catalogue_api};
use crate::model::WorkloadRequest;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/workloads", post(create_workload))
        .route("/workloadsSummaries", post(list_workloads))
        .route("/workloads/{id}", get(get_workload).patch(update_workload).delete(delete_workload))
        .route(
            "/workloads/{id}/associateLenses",
            list_route("AssociateLenses", "LensAliases", Some(lenses_associable), Store::associate_lenses),
        )
        .route(
            "/workloads/{id}/disassociateLenses",
            list_route("DisassociateLenses", "LensAliases", None, Store::disassociate_lenses),
        )
        .route(
            "/workloads/{id}/associateProfiles",
            list_route("AssociateProfiles", "ProfileArns", Some(profiles_exist), Store::associate_profiles),
        )
        .route(
            "/workloads/{id}/disassociateProfiles",
            list_route("DisassociateProfiles", "ProfileArns", None, Store::disassociate_profiles),
        )
        .route("/workloads/{id}/milestones", post(create_milestone))
        .route("/workloads/{id}/milestonesSummaries", post(list_milestones))
        .route("/workloads/{id}/shares", post(create_share).get(list_shares))
        .route("/workloads/{id}/shares/{share}", patch(update_share).delete(delete_share))
        .route("/tags/{arn}", get(list_tags).post(tag_resource).delete(untag_resource))
        .merge(catalogue_api::routes())
        .merge(super::review_api::routes())
        .fallback(unknown_operation)
        .method_not_allowed_fallback(unknown_operation)
        .layer(middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}

/// The most a request body may hold: far more than any operation takes.
const BODY_LIMIT: usize = 8 << 20;

/// Signature, latency, throttling and faults, in that order. A request
/// signed for STS goes to STS, one for Organizations to Organizations; every other one reaches its handler with its
/// [`Caller`] beside it, which names its account and Region.
async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    shared.counters.requests.fetch_add(1, Ordering::Relaxed);
    let (mut parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return cannot_parse("the body is larger than the emulator reads").into_response();
    };
    let caller = match shared.keys.check(&parts, &body, &shared.config.account) {
        Ok(caller) => caller,
        Err(refused) => match refused.as_sts().filter(|_| super::auth::is_for_sts(&parts, &body)) {
            Some((status, code, message)) => return super::sts::refusal(status, code, message),
            None => return refused.into_response(),
        },
    };
    if caller.service == "sts" {
        return super::sts::answer(&shared, &caller, &body);
    }
    if caller.service == "organizations" {
        return super::organizations::answer(
            shared.config.organization.as_ref(),
            &caller,
            &parts.headers,
            &body,
        );
    }
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let place = shared.place(&caller.tenant);
    if let Some(limiter) = &place.limiter
        && limiter.check().is_err()
    {
        shared.counters.throttled.fetch_add(1, Ordering::Relaxed);
        return ApiError::Throttling.into_response();
    }
    if shared.inject_fault() {
        shared.counters.faults.fetch_add(1, Ordering::Relaxed);
        return ApiError::InternalServer.into_response();
    }
    parts.extensions.insert(place);
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    if let Some(Wrote(operation)) = response.extensions().get::<Wrote>() {
        shared.counters.wrote(operation);
    }
    response
}

async fn create_workload(
    State(shared): State<Arc<Shared>>,
    here: Here,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut request: WorkloadRequest<'static> = parse(&body)?;
    let reviews = start_reviews(&shared.catalogue(), here.tenant(), &mut request)?;
    let mut store = here.store();
    let created = store.create(request)?;
    let body = json!({"WorkloadId": created.id, "WorkloadArn": created.arn});
    let id = created.id.clone();
    store.start_reviews(&id, reviews)?;
    Ok(wrote("CreateWorkload", body))
}

/// The reviews a new workload starts with: those of its review templates,
/// answers included (their lenses added to the workload's), then a new one
/// of each other lens. Everything the request names must exist.
pub(super) fn start_reviews(
    catalogue: &Catalogue,
    tenant: &Tenant,
    request: &mut WorkloadRequest<'static>,
) -> Result<Vec<Review>, ApiError> {
    let owned = |items: &[crate::model::Text<'_>]| items.iter().map(ToString::to_string).collect::<Vec<_>>();
    let named = (owned(&request.lenses), owned(&request.profile_arns), owned(&request.review_template_arns));
    catalogue.check_references(tenant, (&named.0, &named.1, &named.2))?;
    let mut reviews = catalogue.template_reviews(tenant, &named.2)?;
    for review in &reviews {
        if !request.lenses.iter().any(|lens| review.is_of(lens)) {
            request.lenses.push(review.lens.alias.clone().into());
        }
    }
    let fresh: Vec<String> =
        named.0.into_iter().filter(|lens| !reviews.iter().any(|review| review.is_of(lens))).collect();
    reviews.extend(catalogue.new_reviews(tenant, &fresh)?.into_values());
    Ok(reviews)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListWorkloadsInput {
    #[serde(default)]
    workload_name_prefix: String,
    next_token: Option<String>,
    max_results: Option<i64>,
}

async fn list_workloads(here: Here, body: Bytes) -> Result<Response, ApiError> {
    let input: ListWorkloadsInput = parse(&body)?;
    let (start, size) = page(input.next_token.as_deref(), input.max_results)?;
    let store = here.store();
    let owner = store.owner().clone();
    let mut matching = store.list(&input.workload_name_prefix).skip(start);
    let summaries: Vec<Value> =
        matching.by_ref().take(size).map(|workload| workload.summary(&owner)).collect();
    let more = matching.next().is_some();
    Ok(ok(paged("WorkloadSummaries", summaries, more.then(|| start + size))))
}

async fn get_workload(here: Here, Path(id): Path<String>) -> Result<Response, ApiError> {
    let store = here.store();
    let workload = store.get(&id)?;
    Ok(ok(json!({"Workload": workload.to_json(store.owner())})))
}

async fn update_workload(here: Here, Path(id): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    let mut update: WorkloadRequest<'static> = parse(&body)?;
    let extras: UpdateExtras = parse(&body)?;
    update.cleared = emptied(&parse(&body)?);
    let mut store = here.store();
    let owner = store.owner().clone();
    let updated = store.update(&id, update, extras)?;
    Ok(wrote("UpdateWorkload", json!({"Workload": updated.to_json(&owner)})))
}

/// The members an UpdateWorkload body gives as empty (`""`, `[]`), which
/// empty the stored ones.
fn emptied(body: &serde_json::Map<String, Value>) -> Vec<crate::model::Field> {
    let empty = |value: &Value| value.as_str() == Some("") || value.as_array().is_some_and(Vec::is_empty);
    crate::model::Field::ALL
        .into_iter()
        .filter(|field| field.is_updatable() && body.get(field.api_member()).is_some_and(empty))
        .collect()
}

#[derive(Deserialize)]
struct DeleteWorkloadQuery {
    #[serde(rename = "ClientRequestToken")]
    client_request_token: Option<String>,
}

async fn delete_workload(
    here: Here,
    Path(id): Path<String>,
    Query(query): Query<DeleteWorkloadQuery>,
) -> Result<Response, ApiError> {
    required_token(query.client_request_token)?;
    here.store().delete(&id)?;
    Ok(wrote("DeleteWorkload", json!({})))
}

/// A store change that takes a workload and a list (lens aliases, profile ARNs).
type ListChange = fn(&mut Store, &str, Vec<String>) -> Result<(), ApiError>;

/// What associated items must be: lenses that may be associated (whose
/// reviews the workload then starts), profiles that exist. Nothing is
/// asked of an item taken away.
type ItemCheck = Option<fn(&Catalogue, &Tenant, &[String]) -> Result<Vec<Review>, ApiError>>;

/// Associate/DisassociateLenses and Associate/DisassociateProfiles
/// (`operation`): a body of one list `member` with at least one item, the
/// items passing `check`, handed to `change`.
async fn change_list(
    (shared, here): (Arc<Shared>, Here),
    id: String,
    body: Bytes,
    (operation, member, check, change): (&'static str, &'static str, ItemCheck, ListChange),
) -> Result<Response, ApiError> {
    let mut input: serde_json::Map<String, Value> = parse(&body)?;
    let items = input.remove(member).ok_or_else(|| cannot_parse(format!("missing field `{member}`")))?;
    let items: Vec<String> = serde_json::from_value(items).map_err(cannot_parse)?;
    if items.is_empty() {
        return Err(ApiError::invalid_field(member, "give at least one".into()));
    }
    let reviews = match check {
        Some(check) => check(&shared.catalogue(), here.tenant(), &items)?,
        None => Vec::new(),
    };
    let mut store = here.store();
    change(&mut store, &id, items)?;
    store.start_reviews(&id, reviews)?;
    Ok(wrote(operation, json!({})))
}

/// The route of a [`change_list`] operation.
fn list_route(
    operation: &'static str,
    member: &'static str,
    check: ItemCheck,
    change: ListChange,
) -> axum::routing::MethodRouter<Arc<Shared>> {
    patch(move |State(shared): State<Arc<Shared>>, here: Here, Path(id): Path<String>, body: Bytes| {
        change_list((shared, here), id, body, (operation, member, check, change))
    })
}

/// Lenses must be ones the caller may associate; a review of each starts.
fn lenses_associable(
    catalogue: &Catalogue,
    tenant: &Tenant,
    aliases: &[String],
) -> Result<Vec<Review>, ApiError> {
    Ok(catalogue.new_reviews(tenant, aliases)?.into_values().collect())
}

/// Profiles must exist to be associated.
fn profiles_exist(catalogue: &Catalogue, tenant: &Tenant, arns: &[String]) -> Result<Vec<Review>, ApiError> {
    arns.iter().try_for_each(|arn| catalogue.profile(tenant, arn).map(drop))?;
    Ok(Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateMilestoneInput {
    #[serde(default)]
    milestone_name: String,
    client_request_token: Option<String>,
}

async fn create_milestone(here: Here, Path(id): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    let input: CreateMilestoneInput = parse(&body)?;
    let length = input.milestone_name.chars().count();
    if !(3..=100).contains(&length) {
        return Err(ApiError::invalid_field("MilestoneName", "must be 3 to 100 characters".into()));
    }
    let token = required_token(input.client_request_token)?;
    let number = here.store().create_milestone(&id, input.milestone_name, token)?;
    Ok(wrote("CreateMilestone", json!({"WorkloadId": id, "MilestoneNumber": number})))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListMilestonesInput {
    next_token: Option<String>,
    max_results: Option<i64>,
}

async fn list_milestones(here: Here, Path(id): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    let input: ListMilestonesInput = parse(&body)?;
    let (start, size) = page(input.next_token.as_deref(), input.max_results)?;
    let store = here.store();
    let workload = store.get(&id)?;
    let summaries: Vec<Value> = workload
        .milestones
        .iter()
        .enumerate()
        .skip(start)
        .take(size)
        .map(|(index, milestone)| {
            json!({
                "MilestoneNumber": index + 1,
                "MilestoneName": milestone.name,
                "RecordedAt": milestone.recorded_at,
                "WorkloadSummary": workload.summary(store.owner()),
            })
        })
        .collect();
    let more = start + size < workload.milestones.len();
    let mut body = paged("MilestoneSummaries", summaries, more.then(|| start + size));
    body["WorkloadId"] = id.into();
    Ok(ok(body))
}

/// The permissions a share grants.
const PERMISSIONS: [&str; 2] = ["READONLY", "CONTRIBUTOR"];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateShareInput {
    #[serde(default)]
    shared_with: String,
    #[serde(default)]
    permission_type: String,
    client_request_token: Option<String>,
}

/// SharedWith as the model describes it: 12 to 2048 characters, an
/// account ID, or an organization's or an OU's (ID or ARN).
pub(super) fn check_shared_with(with: &str) -> Result<(), ApiError> {
    if !(12..=2048).contains(&with.chars().count()) || !crate::share::is_principal(with) {
        return Err(ApiError::invalid_field(
            "SharedWith",
            "must be an AWS account ID, an organization ID or ARN, or an organizational unit ID or ARN"
                .into(),
        ));
    }
    Ok(())
}

fn check_permission(permission: &str) -> Result<(), ApiError> {
    if PERMISSIONS.contains(&permission) {
        return Ok(());
    }
    Err(ApiError::invalid_field("PermissionType", format!("must be one of {}", PERMISSIONS.join(" | "))))
}

async fn create_share(here: Here, Path(id): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    let input: CreateShareInput = parse(&body)?;
    check_shared_with(&input.shared_with)?;
    check_permission(&input.permission_type)?;
    let token = required_token(input.client_request_token)?;
    let share = here.store().create_share(&id, input.shared_with, input.permission_type, token)?;
    Ok(wrote("CreateWorkloadShare", json!({"WorkloadId": id, "ShareId": share})))
}

#[derive(Deserialize)]
struct ListSharesQuery {
    #[serde(rename = "SharedWithPrefix", default)]
    shared_with_prefix: String,
    #[serde(rename = "Status")]
    status: Option<String>,
    #[serde(rename = "NextToken")]
    next_token: Option<String>,
    #[serde(rename = "MaxResults")]
    max_results: Option<i64>,
}

async fn list_shares(
    here: Here,
    Path(id): Path<String>,
    Query(query): Query<ListSharesQuery>,
) -> Result<Response, ApiError> {
    let (start, size) = page(query.next_token.as_deref(), query.max_results)?;
    let store = here.store();
    let workload = store.get(&id)?;
    let mut matching = workload.shares.iter().filter(|share| {
        share.shared_with.starts_with(&query.shared_with_prefix)
            && query.status.as_ref().is_none_or(|status| *status == share.status)
    });
    let summaries: Vec<Value> =
        matching.by_ref().skip(start).take(size).map(|share| share.summary()).collect();
    let more = matching.next().is_some();
    let mut body = paged("WorkloadShareSummaries", summaries, more.then(|| start + size));
    body["WorkloadId"] = id.into();
    Ok(ok(body))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateShareInput {
    #[serde(default)]
    permission_type: String,
}

async fn update_share(
    here: Here,
    Path((id, share_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: UpdateShareInput = parse(&body)?;
    check_permission(&input.permission_type)?;
    let mut store = here.store();
    let mut share = store.update_share(&id, &share_id, input.permission_type)?.summary();
    share["SharedBy"] = store.owner().account.clone().into();
    share["WorkloadName"] = store.get(&id)?.request.name().into();
    share["WorkloadId"] = id.clone().into();
    Ok(wrote("UpdateWorkloadShare", json!({"WorkloadId": id, "WorkloadShare": share})))
}

async fn delete_share(
    here: Here,
    Path((id, share_id)): Path<(String, String)>,
    Query(query): Query<DeleteWorkloadQuery>,
) -> Result<Response, ApiError> {
    required_token(query.client_request_token)?;
    here.store().delete_share(&id, &share_id)?;
    Ok(wrote("DeleteWorkloadShare", json!({})))
}

#[derive(Deserialize)]
struct TagResourceInput {
    #[serde(rename = "Tags")]
    tags: std::collections::BTreeMap<String, String>,
}

async fn tag_resource(here: Here, Path(arn): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    let input: TagResourceInput = parse(&body)?;
    here.store().tag(&arn, input.tags.into_iter().collect())?;
    Ok(wrote("TagResource", json!({})))
}

/// UntagResource: `DELETE /tags/{WorkloadArn}?tagKeys=a&tagKeys=b`.
async fn untag_resource(
    here: Here,
    Path(arn): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let keys: Vec<String> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(name, _)| name == "tagKeys")
        .map(|(_, key)| key.into_owned())
        .collect();
    here.store().untag(&arn, keys)?;
    Ok(wrote("UntagResource", json!({})))
}

async fn list_tags(here: Here, Path(arn): Path<String>) -> Result<Response, ApiError> {
    let store = here.store();
    let workload = store.by_arn(&arn)?;
    let tags: serde_json::Map<String, Value> = workload
        .request
        .tags
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string().into()))
        .collect();
    Ok(ok(json!({"Tags": tags})))
}

async fn unknown_operation(request: Request) -> ApiError {
    ApiError::Validation {
        message: format!("The emulator has no operation at {} {}", request.method(), request.uri().path()),
        reason: "UNKNOWN_OPERATION",
        fields: Vec::new(),
    }
}
