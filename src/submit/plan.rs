//! Decide, then act. What a row needs is decided by a pure function of the
//! row, a [`Snapshot`] of what the service holds (its workloads listed once,
//! and read where the policy needs their members), and the `--on-existing`
//! policy. The decision is an [`Action`]; only applying it writes to the
//! service, so the decisions are tested here without a server, and a plan
//! can be shown before anything is sent.

use std::collections::HashMap;

use super::OnExisting;
use crate::model::{Field, WorkloadRequest, name_key};

/// A workload the service holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub id: String,
    pub arn: String,
    /// Its members as GetWorkload read them, where the policy needs them.
    pub current: Option<WorkloadRequest<'static>>,
}

/// What the service holds, by normalised workload name.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    by_name: HashMap<Box<str>, Existing>,
}

impl Snapshot {
    pub fn insert(&mut self, name: &str, existing: Existing) {
        self.by_name.insert(name_key(name), existing);
    }

    /// The workload whose name equals `name` once whitespace and case are
    /// set aside (never the first prefix hit).
    pub fn get(&self, name: &str) -> Option<&Existing> {
        self.by_name.get(&name_key(name))
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Existing> {
        self.by_name.get_mut(&name_key(name))
    }
}

/// What one row needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// No workload has its name: CreateWorkload.
    Create,
    /// It exists and `--on-existing skip`: report `exists`.
    Keep { id: String, arn: String },
    /// It exists and `--on-existing fail`: report `failed`.
    Refuse { id: String, arn: String },
    /// It exists and differs in these updatable members: UpdateWorkload.
    Update { id: String, arn: String, fields: Vec<Field> },
    /// It exists with every updatable member the row gives already equal.
    Unchanged { id: String, arn: String },
}

/// The action a row needs, given what the service holds.
pub fn plan(row: &WorkloadRequest<'_>, snapshot: &Snapshot, policy: OnExisting) -> Action {
    let Some(existing) = snapshot.get(row.name()) else { return Action::Create };
    let (id, arn) = (existing.id.clone(), existing.arn.clone());
    match policy {
        OnExisting::Skip => Action::Keep { id, arn },
        OnExisting::Fail => Action::Refuse { id, arn },
        OnExisting::Update => {
            // Unread (its read failed): every updatable member the row gives.
            let fields = differences(row, existing.current.as_ref().unwrap_or(&WorkloadRequest::default()));
            if fields.is_empty() { Action::Unchanged { id, arn } } else { Action::Update { id, arn, fields } }
        }
    }
}

/// The updatable members the row gives that differ from the existing
/// workload (a member the row leaves blank is left as it is).
pub fn differences(row: &WorkloadRequest<'_>, existing: &WorkloadRequest<'_>) -> Vec<Field> {
    Field::ALL
        .into_iter()
        .filter(|field| field.is_updatable())
        .filter(|&field| {
            if field.is_list() {
                let wanted = row.list(field);
                !wanted.is_empty() && wanted != existing.list(field)
            } else {
                row.scalar(field).is_some_and(|wanted| Some(wanted) != existing.scalar(field))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pairs: &[(Field, &str)]) -> WorkloadRequest<'static> {
        let mut request = WorkloadRequest::default();
        for (field, value) in pairs {
            if field.is_list() {
                request.list_mut(*field).push(value.to_string().into());
            } else {
                request.set_scalar(*field, value.to_string());
            }
        }
        request
    }

    #[test]
    fn only_members_the_row_gives_and_that_differ_count() {
        let existing =
            request(&[(Field::Description, "old"), (Field::Notes, "kept"), (Field::AwsRegions, "us-east-1")]);
        let same = request(&[(Field::Description, "old"), (Field::AwsRegions, "us-east-1")]);
        assert_eq!(differences(&same, &existing), []);
        let changed =
            request(&[(Field::Description, "new"), (Field::AwsRegions, "eu-west-1"), (Field::Lenses, "x")]);
        assert_eq!(differences(&changed, &existing), [Field::Description, Field::AwsRegions]);
        let jira = request(&[(Field::JiraProjectKey, "OPS")]);
        assert_eq!(differences(&jira, &existing), [Field::JiraProjectKey]);
    }

    #[test]
    fn each_row_gets_the_action_its_case_and_policy_call_for() {
        let mut snapshot = Snapshot::default();
        let stored = request(&[(Field::WorkloadName, "Web Shop"), (Field::Description, "old")]);
        snapshot.insert("Web Shop", Existing { id: "w1".into(), arn: "a1".into(), current: Some(stored) });
        snapshot.insert("Unread", Existing { id: "w2".into(), arn: "a2".into(), current: None });
        let id = || ("w1".to_owned(), "a1".to_owned());
        let new = request(&[(Field::WorkloadName, "new one"), (Field::Description, "x")]);
        let same = request(&[(Field::WorkloadName, "Web Shop"), (Field::Description, "old")]);
        // The same workload by its normalised name; updating it takes the row's spelling.
        let respelt = request(&[(Field::WorkloadName, "webshop"), (Field::Description, "old")]);
        let changed = request(&[(Field::WorkloadName, " WEB  shop "), (Field::Description, "new")]);
        let prefix = request(&[(Field::WorkloadName, "Web"), (Field::Description, "old")]);
        let unread = request(&[(Field::WorkloadName, "unread"), (Field::Notes, "n")]);
        let cases = [
            (&new, OnExisting::Skip, Action::Create),
            (&new, OnExisting::Update, Action::Create),
            (&prefix, OnExisting::Update, Action::Create),
            (&same, OnExisting::Skip, Action::Keep { id: id().0, arn: id().1 }),
            (&same, OnExisting::Fail, Action::Refuse { id: id().0, arn: id().1 }),
            (&same, OnExisting::Update, Action::Unchanged { id: id().0, arn: id().1 }),
            (&changed, OnExisting::Skip, Action::Keep { id: id().0, arn: id().1 }),
            (&respelt, OnExisting::Skip, Action::Keep { id: id().0, arn: id().1 }),
            (
                &respelt,
                OnExisting::Update,
                Action::Update { id: id().0, arn: id().1, fields: vec![Field::WorkloadName] },
            ),
            (
                &changed,
                OnExisting::Update,
                Action::Update {
                    id: id().0,
                    arn: id().1,
                    fields: vec![Field::WorkloadName, Field::Description],
                },
            ),
            (
                &unread,
                OnExisting::Update,
                Action::Update {
                    id: "w2".into(),
                    arn: "a2".into(),
                    fields: vec![Field::WorkloadName, Field::Notes],
                },
            ),
        ];
        for (row, policy, expected) in cases {
            assert_eq!(plan(row, &snapshot, policy), expected, "{} with {policy:?}", row.name());
        }
    }
}
