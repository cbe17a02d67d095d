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

/// What `--on-existing update` removes that the row does not name: opt-in,
/// because it discards data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prune {
    /// Tag keys the row does not give (on rows that give tags).
    pub tags: bool,
    /// Lenses the row does not list, with their review answers.
    pub lenses: bool,
    /// Shares the row's Share with cell does not list (on rows that give one).
    pub shares: bool,
}

impl Prune {
    /// What is pruned, as the results workbook names it: `tags`, `lenses`, `shares`.
    pub fn names(self) -> Vec<&'static str> {
        [(self.tags, "tags"), (self.lenses, "lenses"), (self.shares, "shares")]
            .into_iter()
            .filter_map(|(pruned, name)| pruned.then_some(name))
            .collect()
    }
}

/// What to do with a workload that exists, and what an update removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub on_existing: OnExisting,
    pub prune: Prune,
}

impl From<OnExisting> for Policy {
    fn from(on_existing: OnExisting) -> Policy {
        Policy { on_existing, prune: Prune::default() }
    }
}

/// A value as a plan shows it: whole, in quotes (a plan is read to check
/// every character that would change).
fn quoted(value: &str) -> String {
    format!("\"{value}\"")
}

/// The lens every workload keeps: never disassociated.
pub const FRAMEWORK_LENS: &str = "wellarchitected";

/// Every call an update makes, each only when it changes something.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calls {
    /// UpdateWorkload, with these members.
    pub fields: Vec<Field>,
    /// TagResource: keys the workload lacks or holds with another value.
    pub tag: Vec<(String, String)>,
    /// UntagResource (`--prune-tags`).
    pub untag: Vec<String>,
    pub associate_lenses: Vec<String>,
    /// DisassociateLenses (`--prune-lenses`).
    pub disassociate_lenses: Vec<String>,
    pub associate_profiles: Vec<String>,
    /// The profile the row replaces (a workload has one at most).
    pub disassociate_profiles: Vec<String>,
}

impl Calls {
    pub fn is_empty(&self) -> bool {
        self == &Calls::default()
    }

    /// The calls besides UpdateWorkload, one line each, as a plan shows them.
    pub fn others(&self) -> Vec<String> {
        let listed =
            |values: &[String]| values.iter().map(|value| quoted(value)).collect::<Vec<_>>().join(", ");
        let tags: Vec<String> =
            self.tag.iter().map(|(key, value)| format!("{} = {}", quoted(key), quoted(value))).collect();
        let lines = [
            ("TagResource", tags.join(", ")),
            ("UntagResource", listed(&self.untag)),
            ("AssociateLenses", listed(&self.associate_lenses)),
            ("DisassociateLenses", listed(&self.disassociate_lenses) + " (their review answers are lost)"),
            ("AssociateProfiles", listed(&self.associate_profiles)),
            ("DisassociateProfiles", listed(&self.disassociate_profiles)),
        ];
        let given = [
            !self.tag.is_empty(),
            !self.untag.is_empty(),
            !self.associate_lenses.is_empty(),
            !self.disassociate_lenses.is_empty(),
            !self.associate_profiles.is_empty(),
            !self.disassociate_profiles.is_empty(),
        ];
        lines
            .into_iter()
            .zip(given)
            .filter(|(_, given)| *given)
            .map(|((call, what), _)| format!("{call}: {what}"))
            .collect()
    }
}

/// The calls that bring the workload to what the row says. `current` is
/// `None` when the workload could not be read: then every member the row
/// gives is sent, and nothing is removed.
pub fn calls(row: &WorkloadRequest<'_>, current: Option<&WorkloadRequest<'_>>, prune: Prune) -> Calls {
    let unread = WorkloadRequest::default();
    let read = current.is_some();
    let current = current.unwrap_or(&unread);
    let owned = |values: &[crate::model::Text<'_>]| -> Vec<String> {
        values.iter().map(ToString::to_string).collect()
    };
    let missing_from = |wanted: &[String], held: &[String]| -> Vec<String> {
        wanted.iter().filter(|value| !held.contains(value)).cloned().collect()
    };
    let tag = row
        .tags
        .iter()
        .filter(|(key, value)| {
            !current.tags.iter().any(|(held, held_value)| held == key && held_value == value)
        })
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    let untag = if prune.tags && read && !row.tags.is_empty() {
        current
            .tags
            .iter()
            .filter(|(held, _)| !row.tags.iter().any(|(key, _)| key == held))
            .map(|(held, _)| held.to_string())
            .collect()
    } else {
        Vec::new()
    };
    let (row_lenses, held_lenses) = (owned(&row.lenses), owned(&current.lenses));
    let disassociate_lenses = if prune.lenses && read {
        missing_from(&held_lenses, &row_lenses).into_iter().filter(|lens| lens != FRAMEWORK_LENS).collect()
    } else {
        Vec::new()
    };
    let (row_profiles, held_profiles) = (owned(&row.profile_arns), owned(&current.profile_arns));
    let disassociate_profiles =
        if row_profiles.is_empty() { Vec::new() } else { missing_from(&held_profiles, &row_profiles) };
    Calls {
        fields: differences(row, current),
        tag,
        untag,
        associate_lenses: missing_from(&row_lenses, &held_lenses),
        disassociate_lenses,
        associate_profiles: missing_from(&row_profiles, &held_profiles),
        disassociate_profiles,
    }
}

/// What a row's decision rested on: the workload it would act on as it
/// was read (its id and, where read, its members), or its absence. A saved
/// plan keeps it, and applying the plan refuses a row whose fingerprint has
/// changed since.
pub fn fingerprint(existing: Option<&Existing>) -> String {
    match existing {
        None => "absent".to_owned(),
        Some(existing) => {
            let members = existing.current.as_ref().map_or(String::new(), WorkloadRequest::canonical_json);
            crate::model::derived_token("", &format!("{}\n{members}", existing.id))
        }
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
    /// It exists and differs: these calls bring it to what the row says.
    Update { id: String, arn: String, calls: Calls },
    /// It exists with every updatable member the row gives already equal.
    Unchanged { id: String, arn: String },
}

/// The action a row needs, given what the service holds.
pub fn plan(row: &WorkloadRequest<'_>, snapshot: &Snapshot, policy: Policy) -> Action {
    let Some(existing) = snapshot.get(row.name()) else { return Action::Create };
    let (id, arn) = (existing.id.clone(), existing.arn.clone());
    match policy.on_existing {
        OnExisting::Skip => Action::Keep { id, arn },
        OnExisting::Fail => Action::Refuse { id, arn },
        OnExisting::Update => {
            let calls = calls(row, existing.current.as_ref(), policy.prune);
            if calls.is_empty() { Action::Unchanged { id, arn } } else { Action::Update { id, arn, calls } }
        }
    }
}

/// The updatable members the row gives that differ from the existing
/// workload (a member the row leaves blank is left as it is), and those it
/// empties (`(none)`) that hold something.
pub fn differences(row: &WorkloadRequest<'_>, existing: &WorkloadRequest<'_>) -> Vec<Field> {
    Field::ALL
        .into_iter()
        .filter(|field| field.is_updatable())
        .filter(|&field| {
            if row.cleared.contains(&field) {
                return existing.scalar(field).is_some() || !existing.list(field).is_empty();
            }
            if field.is_list() {
                let wanted = row.list(field);
                !wanted.is_empty() && wanted != existing.list(field)
            } else {
                row.scalar(field).is_some_and(|wanted| Some(wanted) != existing.scalar(field))
            }
        })
        .collect()
}

/// One updatable member that would change, as a plan shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: Field,
    /// What the service holds (a scalar is one value, or none).
    pub old: Vec<String>,
    /// What the row gives.
    pub new: Vec<String>,
}

/// Each updatable member the row gives that differs, with both values.
pub fn changes(row: &WorkloadRequest<'_>, existing: &WorkloadRequest<'_>) -> Vec<Change> {
    let values = |request: &WorkloadRequest<'_>, field: Field| -> Vec<String> {
        if field.is_list() {
            request.list(field).iter().map(ToString::to_string).collect()
        } else {
            request.scalar(field).map(str::to_owned).into_iter().collect()
        }
    };
    differences(row, existing)
        .into_iter()
        .map(|field| Change { field, old: values(existing, field), new: values(row, field) })
        .collect()
}

impl std::fmt::Display for Change {
    /// `Description: "old" → "new"`; a list by what it gains and loses,
    /// `AwsRegions: + "eu-west-1", - "us-east-1"`, or in full when only
    /// its order changes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let quoted = |values: &[String]| -> String {
            if values.is_empty() {
                return "(none)".to_owned();
            }
            values.iter().map(|value| quoted(value)).collect::<Vec<_>>().join(", ")
        };
        write!(f, "{}: ", self.field.api_member())?;
        if !self.field.is_list() || self.new.is_empty() {
            return write!(f, "{} → {}", quoted(&self.old), quoted(&self.new));
        }
        let added: Vec<String> = self.new.iter().filter(|value| !self.old.contains(value)).cloned().collect();
        let removed: Vec<String> =
            self.old.iter().filter(|value| !self.new.contains(value)).cloned().collect();
        if added.is_empty() && removed.is_empty() {
            return write!(f, "order {} → {}", quoted(&self.old), quoted(&self.new));
        }
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("+ {}", quoted(&added)));
        }
        if !removed.is_empty() {
            parts.push(format!("- {}", quoted(&removed)));
        }
        f.write_str(&parts.join(", "))
    }
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
    fn changes_read_as_old_to_new_and_lists_as_additions_and_removals() {
        let existing = request(&[
            (Field::Description, "old"),
            (Field::AwsRegions, "us-east-1"),
            (Field::AwsRegions, "eu-west-1"),
            (Field::PillarPriorities, "security"),
            (Field::PillarPriorities, "reliability"),
        ]);
        let row = request(&[
            (Field::Description, "new"),
            (Field::Notes, "first notes"),
            (Field::AwsRegions, "eu-west-1"),
            (Field::AwsRegions, "ap-south-1"),
            (Field::PillarPriorities, "reliability"),
            (Field::PillarPriorities, "security"),
        ]);
        let shown: Vec<String> = changes(&row, &existing).iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                r#"Description: "old" → "new""#,
                r#"AwsRegions: + "ap-south-1", - "us-east-1""#,
                r#"PillarPriorities: order "security", "reliability" → "reliability", "security""#,
                r#"Notes: (none) → "first notes""#,
            ]
        );
    }

    fn update((id, arn): (String, String), fields: Vec<Field>) -> Action {
        Action::Update { id, arn, calls: Calls { fields, ..Calls::default() } }
    }

    #[test]
    fn tags_lenses_and_profiles_are_added_and_removed_only_when_asked() {
        let mut held = request(&[(Field::Lenses, "wellarchitected"), (Field::Lenses, "iot")]);
        held.tags = vec![("team".into(), "a".into()), ("old".into(), "x".into())];
        held.profile_arns = vec!["arn:old".into()];
        let mut row = request(&[(Field::Lenses, "serverless")]);
        row.tags = vec![("team".into(), "b".into()), ("new".into(), "y".into())];
        row.profile_arns = vec!["arn:new".into()];
        let kept = calls(&row, Some(&held), Prune::default());
        assert_eq!(kept.tag, [("team".to_owned(), "b".to_owned()), ("new".to_owned(), "y".to_owned())]);
        assert!(kept.untag.is_empty() && kept.disassociate_lenses.is_empty(), "{kept:?}");
        assert_eq!(kept.associate_lenses, ["serverless"]);
        assert_eq!(
            (kept.associate_profiles.as_slice(), kept.disassociate_profiles.as_slice()),
            (&["arn:new".to_owned()][..], &["arn:old".to_owned()][..])
        );
        let pruned = calls(&row, Some(&held), Prune { tags: true, lenses: true, shares: false });
        assert_eq!(pruned.untag, ["old"]);
        assert_eq!(pruned.disassociate_lenses, ["iot"], "never the Framework lens");
        let unread = calls(&row, None, Prune { tags: true, lenses: true, shares: false });
        assert!(unread.untag.is_empty() && unread.disassociate_lenses.is_empty(), "nothing removed unread");
        assert_eq!(
            pruned.others(),
            [
                r#"TagResource: "team" = "b", "new" = "y""#,
                r#"UntagResource: "old""#,
                r#"AssociateLenses: "serverless""#,
                r#"DisassociateLenses: "iot" (their review answers are lost)"#,
                r#"AssociateProfiles: "arn:new""#,
                r#"DisassociateProfiles: "arn:old""#,
            ]
        );
        held.tags = row.tags.clone();
        held.lenses = row.lenses.clone();
        held.profile_arns = row.profile_arns.clone();
        assert!(calls(&row, Some(&held), Prune { tags: true, lenses: true, shares: false }).is_empty());
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
            (&respelt, OnExisting::Update, update(id(), vec![Field::WorkloadName])),
            (&changed, OnExisting::Update, update(id(), vec![Field::WorkloadName, Field::Description])),
            (
                &unread,
                OnExisting::Update,
                update(("w2".into(), "a2".into()), vec![Field::WorkloadName, Field::Notes]),
            ),
        ];
        for (row, policy, expected) in cases {
            assert_eq!(plan(row, &snapshot, policy.into()), expected, "{} with {policy:?}", row.name());
        }
    }
}
