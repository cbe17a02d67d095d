//! Carrying out a row's action: the only part of a run that writes to the
//! service. A CreateWorkload that meets a ConflictException (someone created
//! the workload meanwhile) re-plans that row against a fresh read of what the
//! service holds, and applies that decision instead.

use std::collections::HashMap;

use aws_sdk_wellarchitected::config::http::HttpResponse;
use aws_sdk_wellarchitected::error::{ProvideErrorMetadata, SdkError};

use super::client::{create_workload, update_workload};
use super::lane::{CallError, Lane, StopReason};
use super::plan::{Action, Calls, Policy, Snapshot, plan};
use super::read::{list_all, read_current};
use super::retry::{Failure, FailureKind, Verdict, classify};
use super::{OnExisting, ValidRow};
use crate::destination::Destination;
use crate::model::derived_token;
use crate::problem::{Problem, quoted};
use crate::report::{Record, Status};
use crate::share::{self, Held, Share, ShareCall};
use aws_sdk_wellarchitected::types::PermissionType;

/// Applies `action` to `row` through `lane`; the row's outcome.
pub async fn apply(lane: &Lane, row: &ValidRow, action: Action, policy: Policy) -> Record<'static> {
    let mut attempts = 0;
    if action != Action::Create {
        return apply_to_existing(lane, row, action, attempts).await;
    }
    let created =
        lane.call(&mut attempts, || create_workload(lane.client(), &row.request, &row.token).send()).await;
    match created {
        Ok(output) => {
            let (id, arn) =
                (output.workload_id().unwrap_or_default(), output.workload_arn().unwrap_or_default());
            with_workload(record(row, Status::Created, attempts), id, arn)
        }
        Err(CallError::Stopped(reason)) => skipped(row, attempts, &reason),
        Err(CallError::Failed(failure)) => match classify(&failure) {
            Verdict::Conflict => match replan(lane, row, policy, &mut attempts).await {
                Ok(Action::Create) => {
                    let mut record = record(row, Status::Failed, attempts);
                    record.error_code = Some("ConflictException".into());
                    record.message = "the service reports a workload of this name, but none is listed".into();
                    record
                }
                Ok(action) => apply_to_existing(lane, row, action, attempts).await,
                Err(CallError::Stopped(reason)) => skipped(row, attempts, &reason),
                Err(CallError::Failed(failure)) => failed(row, attempts, &failure),
            },
            // The row is fine; the lane cannot go on (it has stopped itself).
            Verdict::StopRun => Record { status: Status::Skipped, ..failed(row, attempts, &failure) },
            Verdict::Throttled | Verdict::Retry | Verdict::Fail => failed(row, attempts, &failure),
        },
    }
}

/// The row's action against a fresh read of what the service holds.
async fn replan(
    lane: &Lane,
    row: &ValidRow,
    policy: Policy,
    attempts: &mut u32,
) -> Result<Action, CallError> {
    let mut fresh: Snapshot = list_all(lane).await?;
    if policy.on_existing == OnExisting::Update
        && let Some(existing) = fresh.get_mut(row.request.name())
    {
        existing.current = Some(read_current(lane, &existing.id, attempts).await?);
    }
    Ok(plan(&row.request, &fresh, policy))
}

/// A workload with the row's name exists: report it, refuse, or update it.
async fn apply_to_existing(
    lane: &Lane,
    row: &ValidRow,
    action: Action,
    mut attempts: u32,
) -> Record<'static> {
    match action {
        Action::Create => unreachable!("a workload to create does not exist yet"),
        Action::Keep { id, arn } => with_workload(record(row, Status::Exists, attempts), &id, &arn),
        Action::Unchanged { id, arn } => with_workload(record(row, Status::Unchanged, attempts), &id, &arn),
        Action::Refuse { id, arn } => {
            let mut record = with_workload(record(row, Status::Failed, attempts), &id, &arn);
            record.error_code = Some("WorkloadExists".into());
            record.message = format!("a workload named like this exists ({id}) and --on-existing is fail");
            record
        }
        Action::Update { id, arn, calls } => {
            let mut done = Vec::new();
            let updated = update(lane, row, (&id, &arn), &calls, &mut attempts, &mut done).await;
            let mut record = with_workload(record(row, Status::Updated, attempts), &id, &arn);
            let done = done.join("; ");
            match updated {
                Ok(()) => record.message = done,
                Err(error) => {
                    record = match error {
                        CallError::Stopped(reason) => skipped(row, attempts, &reason),
                        CallError::Failed(failure) => failed(row, attempts, &failure),
                    };
                    if !done.is_empty() {
                        record.message = format!("{}; done before: {done}", record.message);
                    }
                }
            }
            record
        }
    }
}

/// Makes an update's calls in turn, each noted in `done` once it succeeded:
/// UpdateWorkload, tags, lenses, then profiles (the old one goes first, as a
/// workload holds one).
async fn update(
    lane: &Lane,
    row: &ValidRow,
    (id, arn): (&str, &str),
    calls: &Calls,
    attempts: &mut u32,
    done: &mut Vec<String>,
) -> Result<(), CallError> {
    let client = lane.client();
    if !calls.fields.is_empty() {
        let update = update_workload(client, id, &row.request);
        lane.call(attempts, || update.clone().send()).await?;
        let names: Vec<&str> = calls.fields.iter().map(|field| field.api_member()).collect();
        done.push(format!("updated {}", names.join(", ")));
    }
    if !calls.tag.is_empty() {
        let tags: HashMap<String, String> = calls.tag.iter().cloned().collect();
        let send = || client.tag_resource().workload_arn(arn).set_tags(Some(tags.clone())).send();
        lane.call(attempts, send).await?;
        done.push(format!("tagged {}", keys(calls.tag.iter().map(|(key, _)| key))));
    }
    list_call(lane, attempts, done, ("untagged", &calls.untag), |keys| {
        client.untag_resource().workload_arn(arn).set_tag_keys(keys).send()
    })
    .await?;
    list_call(lane, attempts, done, ("associated lenses", &calls.associate_lenses), |lenses| {
        client.associate_lenses().workload_id(id).set_lens_aliases(lenses).send()
    })
    .await?;
    list_call(lane, attempts, done, ("disassociated lenses", &calls.disassociate_lenses), |lenses| {
        client.disassociate_lenses().workload_id(id).set_lens_aliases(lenses).send()
    })
    .await?;
    list_call(lane, attempts, done, ("disassociated profile", &calls.disassociate_profiles), |profiles| {
        client.disassociate_profiles().workload_id(id).set_profile_arns(profiles).send()
    })
    .await?;
    list_call(lane, attempts, done, ("associated profile", &calls.associate_profiles), |profiles| {
        client.associate_profiles().workload_id(id).set_profile_arns(profiles).send()
    })
    .await?;
    Ok(())
}

/// One of an update's calls that takes a list (tag keys, lenses, profiles):
/// sent only when `items` holds some, then noted in `done` as `what items`.
async fn list_call<T, E, F, Fut>(
    lane: &Lane,
    attempts: &mut u32,
    done: &mut Vec<String>,
    (what, items): (&str, &[String]),
    send: F,
) -> Result<(), CallError>
where
    F: Fn(Option<Vec<String>>) -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if items.is_empty() {
        return Ok(());
    }
    lane.call(attempts, || send(Some(items.to_vec()))).await?;
    done.push(format!("{what} {}", keys(items)));
    Ok(())
}

/// `team, cost`.
fn keys<'k>(keys: impl IntoIterator<Item = &'k String>) -> String {
    keys.into_iter().map(String::as_str).collect::<Vec<_>>().join(", ")
}

/// Records milestone `name` on the workload of a row just created or
/// updated. Its token is derived from the workload and the name, so a rerun
/// (a replayed create, a resumed row) records it once.
pub async fn record_milestone(lane: &Lane, record: &mut Record<'static>, name: &str) {
    let Some(id) = record.workload_id.clone() else { return };
    let token = derived_token("wa-bulk-m-", &format!("{id}\n{name}"));
    let mut attempts = record.attempts;
    let create =
        lane.client().create_milestone().workload_id(&id).milestone_name(name).client_request_token(&token);
    let created = lane.call(&mut attempts, || create.clone().send()).await;
    record.attempts = attempts;
    let noted = match created {
        Ok(output) => {
            Ok(format!("milestone {} {}", output.milestone_number().unwrap_or_default(), quoted(name)))
        }
        Err(CallError::Failed(failure)) if failure.code() == "ConflictException" => {
            Ok(format!("milestone {} was there already", quoted(name)))
        }
        Err(error) => Err(error),
    };
    conclude(record, noted, &format!("the milestone {}", quoted(name)));
}

/// Adds what a call after the row's own made of it to the row's outcome:
/// its note, or the failure that makes the row `failed` (or `skipped`, if
/// its lane stopped). Either way a rerun sends the row again (its create
/// replays) and the call is made then.
fn conclude(record: &mut Record<'static>, noted: Result<String, CallError>, what: &str) {
    let (status, error_code, note) = match noted {
        Ok(note) => (record.status, None, note),
        Err(CallError::Failed(failure)) => {
            (Status::Failed, Some(failure.code().to_owned()), format!("{what} failed: {}", failure.message))
        }
        Err(CallError::Stopped(reason)) => {
            (Status::Skipped, Some(reason.code().to_owned()), format!("{what} was not done: {reason}"))
        }
    };
    let done = match record.status {
        Status::Created => "created".to_owned(),
        _ => record.message.clone(),
    };
    record.message = if done.is_empty() { note } else { format!("{done}; {note}") };
    record.status = status;
    record.error_code = error_code.or(record.error_code.take());
}

/// Shares the workload of a row in place as its `Share with` cell says:
/// creates the shares it lacks (each with a token derived from the
/// workload, the principal and the permission, so a rerun makes none
/// twice), sets the permission of those that differ, and with `prune`
/// deletes those the row does not list.
pub async fn share(lane: &Lane, record: &mut Record<'static>, wanted: &[Share], prune: bool) {
    let Some(id) = record.workload_id.clone() else { return };
    let mut attempts = record.attempts;
    let mut done = Vec::new();
    let shared =
        share_calls(lane, &id, wanted, prune, record.status == Status::Created, &mut attempts, &mut done)
            .await;
    record.attempts = attempts;
    let noted =
        shared.map(|()| if done.is_empty() { "shares unchanged".to_owned() } else { done.join("; ") });
    let what = if done.is_empty() { "sharing".to_owned() } else { format!("{}; sharing", done.join("; ")) };
    conclude(record, noted, &what);
}

async fn share_calls(
    lane: &Lane,
    id: &str,
    wanted: &[Share],
    prune: bool,
    new: bool,
    attempts: &mut u32,
    done: &mut Vec<String>,
) -> Result<(), CallError> {
    // A workload just created has no shares yet.
    let held = if new { Vec::new() } else { held_shares(lane, id, attempts).await? };
    let client = lane.client();
    for call in share::calls(wanted, &held, prune) {
        match call {
            ShareCall::Update { held, share } => {
                let update = client.update_workload_share().workload_id(id).share_id(&held.id);
                let update = update.permission_type(PermissionType::from(share.permission.as_str()));
                lane.call(attempts, || update.clone().send()).await?;
                done.push(format!("share with {} now {}", share.with, share.permission.as_str()));
            }
            ShareCall::Create(share) => {
                let text = format!("{id}\n{}\n{}", share.with, share.permission.as_str());
                let token = derived_token("wa-bulk-s-", &text);
                let create = client.create_workload_share().workload_id(id).shared_with(&share.with);
                let permission = PermissionType::from(share.permission.as_str());
                let create = create.permission_type(permission).client_request_token(token);
                match lane.call(attempts, || create.clone().send()).await {
                    Err(CallError::Failed(failure)) if failure.code() == "ConflictException" => {
                        done.push(format!("already shared with {}", share.with));
                    }
                    sent => {
                        sent?;
                        done.push(format!("shared with {share}"));
                    }
                }
            }
            ShareCall::Delete(held) => {
                let token = derived_token("wa-bulk-d-", &format!("{id}\n{}", held.id));
                let delete = client.delete_workload_share().workload_id(id).share_id(&held.id);
                let delete = delete.client_request_token(token);
                lane.call(attempts, || delete.clone().send()).await?;
                done.push(format!("unshared {}", held.with));
            }
        }
    }
    Ok(())
}

/// The shares a workload has.
pub(crate) async fn held_shares(lane: &Lane, id: &str, attempts: &mut u32) -> Result<Vec<Held>, CallError> {
    let mut held = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let list =
            lane.client().list_workload_shares().workload_id(id).max_results(50).set_next_token(next.clone());
        let page = lane.call(attempts, || list.clone().send()).await?;
        for summary in page.workload_share_summaries() {
            let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
            held.push(Held {
                id: text(summary.share_id()),
                with: text(summary.shared_with()),
                permission: text(summary.permission_type().map(|permission| permission.as_str())),
                status: text(summary.status().map(|status| status.as_str())),
            });
        }
        next = page.next_token().map(str::to_owned);
        if next.is_none() {
            return Ok(held);
        }
    }
}

fn record(row: &ValidRow, status: Status, attempts: u32) -> Record<'static> {
    Record {
        row: row.row,
        workload_name: row.request.name().to_owned().into(),
        account: row.destination.as_ref().and_then(Destination::account).map(str::to_owned),
        region: row.destination.as_ref().map(|destination| destination.region.clone()),
        status,
        workload_id: None,
        workload_arn: None,
        attempts,
        error_code: None,
        message: String::new(),
        problems: Vec::new(),
    }
}

fn with_workload(mut record: Record<'static>, id: &str, arn: &str) -> Record<'static> {
    record.workload_id = Some(id.to_owned());
    record.workload_arn = Some(arn.to_owned());
    record
}

fn failed(row: &ValidRow, attempts: u32, failure: &Failure) -> Record<'static> {
    let mut record = record(row, Status::Failed, attempts);
    record.error_code = Some(failure.code().to_owned());
    record.message = failure.message.clone();
    if failure.kind == FailureKind::Timeout {
        record.message.push_str(
            "; the service may have acted on the request all the same: run the import again \
             (or --resume) and the row's name and token find what it did",
        );
    }
    record
}

/// A row that cannot be sent where it goes, and why.
pub fn refused(row: &ValidRow, code: &str, why: &str) -> Record<'static> {
    let mut record = record(row, Status::Failed, 0);
    record.error_code = Some(code.to_owned());
    record.message = why.to_owned();
    record
}

/// A row found invalid where it goes (a lens, profile or review template
/// it names is not there): never sent.
pub fn invalid(row: &ValidRow, problems: Vec<Problem>) -> Record<'static> {
    Record { problems, ..record(row, Status::Invalid, 0) }
}

/// A row the stopped lane did not send (again).
pub fn skipped(row: &ValidRow, attempts: u32, reason: &StopReason) -> Record<'static> {
    let sent =
        if attempts == 0 { "not sent".to_owned() } else { format!("given up after {attempts} attempts") };
    let mut record = record(row, Status::Skipped, attempts);
    record.message = format!("{sent}: {reason}");
    record.error_code = Some(reason.code().to_owned());
    record
}
