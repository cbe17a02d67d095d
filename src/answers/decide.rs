//! Deciding, through a lane, what each item of an answers sheet changes,
//! and making the change. For each review the sheet names: its workload
//! found (by id, else by name, among those ListWorkloads gives), its lens
//! review found (ListLensReviews) at the version the sheet was exported
//! from, then each question read whole (GetAnswer, which has the notes;
//! the GetAnswer calls of a review go at once, within the lane's bounds)
//! and compared ([`update_for`]); the lens and pillar notes likewise
//! (GetLensReview). Applying sends one UpdateAnswer per question that
//! changes and one UpdateLensReview per review whose notes change: nothing
//! for what is already as the sheet says. A review template's review is
//! found by its ARN (GetReviewTemplateLensReview) and read and written with
//! the template operations ([`Target`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::diff::{AnswerUpdate, update_for};
use super::read::{HeldReview, lens_reviews};
use super::subject::{Subject, Target};
use super::work::{QuestionWork, ReviewWork};
use crate::model::name_key;
use crate::submit::Lane;
use crate::submit::lane::CallError;
use crate::submit::read::Listed;

/// What one item (a question, or a review's notes) comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The service holds something else: this update makes it as asked.
    Change(Change),
    /// Already as the sheet says.
    Unchanged,
    /// The sheet's ask cannot be sent: why.
    Invalid(String),
    /// Applied.
    Updated(Vec<String>),
    /// The service refused the update, or retries ran out.
    Failed { code: String, message: String },
    /// Not sent: the run stopped first (a signal, a run-wide fault).
    Skipped(String),
    /// Updated by the stopped run this one continues (its journal says
    /// so): not sent again.
    Carried,
}

/// A change to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Answer(AnswerUpdate),
    Notes {
        lens: Option<String>,
        pillars: BTreeMap<String, String>,
        shown: Vec<String>,
    },
    /// The workload lacks the lens (`--associate-lenses`): associate it,
    /// then decide and send the review's items.
    Associate {
        review: Box<ReviewWork>,
        shown: Vec<String>,
    },
}

impl Decided {
    /// What the item is: a question's id, `notes`, or `lens` (an
    /// association).
    pub fn label(&self) -> &str {
        match (&self.question, &self.outcome) {
            (Some(question), _) => question,
            (None, Outcome::Change(Change::Associate { .. })) => "lens",
            (None, _) => "notes",
        }
    }

    /// The workload's id (or the template's ARN), once found.
    pub fn workload_id(&self) -> &str {
        self.target.as_ref().map_or("", Target::id)
    }
}

impl Change {
    pub fn shown(&self) -> &[String] {
        match self {
            Change::Answer(update) => &update.shown,
            Change::Notes { shown, .. } | Change::Associate { shown, .. } => shown,
        }
    }
}

/// One item decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// The sheet rows that ask it, first one first.
    pub rows: Vec<u64>,
    /// The workload as the sheet names it.
    pub workload: String,
    pub lens: String,
    /// The question; `None` for the lens and pillar notes.
    pub question: Option<String>,
    pub outcome: Outcome,
    /// Where to send it, once found.
    target: Option<Target>,
}

/// How the items are decided.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Add the sheet's selections to each question's, never unselecting.
    pub merge: bool,
    /// The workloads a baseline (rows that name no workload) applies to.
    pub baseline: Option<Baseline>,
    /// Append each notes cell to the notes held, after this marker, once;
    /// `None`: the cell is the notes.
    pub append_notes: Option<String>,
    /// Associate a lens a workload lacks, then answer it.
    pub associate_lenses: bool,
}

/// The notes to hold: `asked` itself, or with `append` the held notes with
/// `marker` + `asked` added on a line of its own (once: notes that hold it
/// already stay; a blank cell adds nothing).
fn notes_after(held: &str, asked: &str, append: Option<&str>) -> String {
    let Some(marker) = append else { return asked.to_owned() };
    let added = format!("{marker}{asked}");
    if asked.is_empty() || held.contains(&added) {
        held.to_owned()
    } else if held.is_empty() {
        added
    } else {
        format!("{held}\n{added}")
    }
}

/// The workloads a baseline applies to, in each lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// Those whose names start with this, ignoring case.
    NamePrefix(String),
    /// Those named (ignoring spaces and case, as the service compares names).
    Named(Vec<String>),
    /// Those with this tag (key, value): ListTagsForResource of each.
    Tagged(String, String),
    /// Every workload.
    All,
}

impl Baseline {
    fn takes(&self, name: &str) -> bool {
        match self {
            Baseline::NamePrefix(prefix) => name.to_lowercase().starts_with(&prefix.to_lowercase()),
            Baseline::Named(names) => names.iter().any(|named| name_key(named) == name_key(name)),
            Baseline::Tagged(..) | Baseline::All => true,
        }
    }
}

/// What a lane has read of its workloads, each read once however many
/// reviews of the sheet need it: the listing (only when a row names a
/// workload or is a baseline), each workload's lens reviews, each one's tags.
#[derive(Default)]
struct Known {
    workloads: Option<Vec<Listed>>,
    /// Alias, ARN and version of each lens review, by workload id.
    reviews: HashMap<String, Vec<HeldReview>>,
    /// Each workload's tags, by ARN.
    tags: HashMap<String, HashMap<String, String>>,
}

impl Known {
    async fn workloads(&mut self, lane: &Lane) -> Result<&[Listed], CallError> {
        if self.workloads.is_none() {
            self.workloads = Some(crate::submit::read::list(lane, None).await?);
        }
        Ok(self.workloads.as_deref().unwrap_or_default())
    }

    async fn lens_reviews(&mut self, lane: &Lane, id: &str) -> Result<&[HeldReview], CallError> {
        if !self.reviews.contains_key(id) {
            let held = lens_reviews(lane, id).await?;
            self.reviews.insert(id.to_owned(), held);
        }
        Ok(&self.reviews[id])
    }

    /// Whether the workload `arn` has the tag `key` = `value`.
    async fn has_tag(&mut self, lane: &Lane, arn: &str, key: &str, value: &str) -> Result<bool, CallError> {
        if !self.tags.contains_key(arn) {
            let call = || lane.client().list_tags_for_resource().workload_arn(arn).send();
            let tags = lane.call(&mut 0, call).await?.tags.unwrap_or_default();
            self.tags.insert(arn.to_owned(), tags);
        }
        Ok(self.tags[arn].get(key).is_some_and(|held| held == value))
    }
}

/// Decides every item of `reviews`; a baseline's items once for each
/// workload it applies to.
pub async fn decide(
    lane: &Arc<Lane>,
    reviews: Vec<ReviewWork>,
    policy: &Policy,
) -> Result<Vec<Decided>, CallError> {
    let mut known = Known::default();
    let mut decided = Vec::new();
    for review in reviews {
        if !review.key.template_arn.is_empty() {
            decided.extend(decide_template(lane, review, policy).await?);
            continue;
        }
        if !review.is_baseline() {
            decided.extend(decide_review(lane, review, &mut known, policy).await?);
            continue;
        }
        let Some(baseline) = &policy.baseline else {
            let items = Items { workload: "(none named)".into(), lens: review.key.lens.clone() };
            let why = "the rows name no workload: give WorkloadName or WorkloadId, or apply them to many workloads \
                       with --name-prefix, --workloads, --tag or --all-workloads";
            decided.extend(items.all_invalid(&review, why.into()));
            continue;
        };
        let taken: Vec<Listed> = known
            .workloads(lane)
            .await?
            .iter()
            .filter(|workload| baseline.takes(&workload.name))
            .cloned()
            .collect();
        for workload in taken {
            if let Baseline::Tagged(key, value) = baseline
                && !known.has_tag(lane, &workload.arn, key, value).await?
            {
                continue;
            }
            let mut one = review.clone();
            (one.key.workload_id, one.key.workload_name) = (workload.id, workload.name);
            decided.extend(decide_review(lane, one, &mut known, policy).await?);
        }
    }
    Ok(decided)
}

/// Every item of one review, or all of them invalid for the same reason.
async fn decide_review(
    lane: &Arc<Lane>,
    review: ReviewWork,
    known: &mut Known,
    policy: &Policy,
) -> Result<Vec<Decided>, CallError> {
    let named =
        if review.key.workload_name.is_empty() { &review.key.workload_id } else { &review.key.workload_name };
    let items = Items { workload: named.clone(), lens: review.key.lens.clone() };
    let Some(id) = find_workload(&review, known.workloads(lane).await?) else {
        return Ok(items.all_invalid(
            &review,
            format!("no workload {} in this account and Region", crate::problem::quoted(named)),
        ));
    };
    let held = known.lens_reviews(lane, &id).await?;
    let found = held.iter().find(|held| held.alias == review.key.lens || held.arn == review.key.lens);
    let Some(HeldReview { alias, version, .. }) = found.cloned() else {
        if policy.associate_lenses {
            let mut rows = review.notes_rows();
            rows.extend(review.questions.values().flat_map(|work| work.rows.iter().copied()));
            rows.sort_unstable();
            let lens = review.key.lens.clone();
            let questions = crate::problem::count(review.questions.len() as u64, "question", "questions");
            let shown = vec![format!("associate the lens {lens}, then compare its {questions}")];
            let target = Target { subject: Subject::Workload(id), lens };
            let outcome = Outcome::Change(Change::Associate { review: Box::new(review), shown });
            return Ok(vec![items.decided(rows, None, outcome, Some(&target))]);
        }
        let why = format!(
            "the workload has no review of the lens {}: associate the lens first (or pass --associate-lenses)",
            review.key.lens
        );
        return Ok(items.all_invalid(&review, why));
    };
    let exported = &review.key.lens_version;
    if !exported.is_empty() && *exported != version {
        let why = format!(
            "the sheet is of version {exported} of the lens {}, the workload's review is at version {version}: export the review again",
            review.key.lens
        );
        return Ok(items.all_invalid(&review, why));
    }
    let target = Target { subject: Subject::Workload(id), lens: alias };
    decide_items(lane, review, target, policy, &items).await
}

/// Every item of a review template's review, or all of them invalid.
async fn decide_template(
    lane: &Arc<Lane>,
    review: ReviewWork,
    policy: &Policy,
) -> Result<Vec<Decided>, CallError> {
    let arn = review.key.template_arn.clone();
    let items = Items { workload: arn.clone(), lens: review.key.lens.clone() };
    let held = match super::templates::lens_review(lane, &arn, &review.key.lens).await {
        Err(CallError::Failed(failure)) if failure.code() == "ResourceNotFoundException" => {
            let why = format!(
                "no review template {arn} with the lens {} here: {}",
                review.key.lens, failure.message
            );
            return Ok(items.all_invalid(&review, why));
        }
        held => held?,
    };
    let version = held.lens_version().unwrap_or_default();
    let exported = &review.key.lens_version;
    if !exported.is_empty() && exported != version {
        let why = format!(
            "the sheet is of version {exported} of the lens {}, the template's review is at version {version}",
            review.key.lens
        );
        return Ok(items.all_invalid(&review, why));
    }
    let alias = held.lens_alias().unwrap_or(&review.key.lens).to_owned();
    let target = Target { subject: Subject::Template(arn), lens: alias };
    decide_items(lane, review, target, policy, &items).await
}

/// A found review's items: its notes, then each question read at once.
async fn decide_items(
    lane: &Arc<Lane>,
    review: ReviewWork,
    target: Target,
    policy: &Policy,
    items: &Items,
) -> Result<Vec<Decided>, CallError> {
    let mut decided = Vec::new();
    if review.lens_notes.is_some() || !review.pillar_notes.is_empty() {
        let outcome = notes_outcome(lane, &review, &target, policy.append_notes.as_deref()).await?;
        decided.push(items.decided(review.notes_rows(), None, outcome, Some(&target)));
    }
    let mut reads = tokio::task::JoinSet::new();
    for (index, (question, work)) in review.questions.into_iter().enumerate() {
        let (lane, target, policy) = (lane.clone(), target.clone(), policy.clone());
        reads.spawn(async move {
            let outcome = answer_outcome(&lane, &target, &question, &work, &policy).await;
            (index, question, work.rows, outcome)
        });
    }
    let mut answers = Vec::new();
    while let Some(joined) = reads.join_next().await {
        let (index, question, rows, outcome) = joined.expect("a read does not panic");
        answers.push((index, items.decided(rows, Some(question), outcome?, Some(&target))));
    }
    answers.sort_by_key(|(index, _)| *index);
    decided.extend(answers.into_iter().map(|(_, decided)| decided));
    Ok(decided)
}

/// The workload's id: the sheet's WorkloadId if the lane holds it, else the
/// workload whose name matches (ignoring spaces and case, as the service).
fn find_workload(review: &ReviewWork, workloads: &[Listed]) -> Option<String> {
    let key = &review.key;
    let found = match key.workload_id.is_empty() {
        false => workloads.iter().find(|workload| workload.id == key.workload_id),
        true if key.workload_name.is_empty() => None,
        true => workloads.iter().find(|workload| name_key(&workload.name) == name_key(&key.workload_name)),
    };
    found.map(|workload| workload.id.clone())
}

/// Names what a review's items are about.
struct Items {
    workload: String,
    lens: String,
}

impl Items {
    fn decided(
        &self,
        rows: Vec<u64>,
        question: Option<String>,
        outcome: Outcome,
        target: Option<&Target>,
    ) -> Decided {
        Decided {
            rows,
            workload: self.workload.clone(),
            lens: self.lens.clone(),
            question,
            outcome,
            target: target.cloned(),
        }
    }

    fn all_invalid(&self, review: &ReviewWork, why: String) -> Vec<Decided> {
        let notes = (!review.notes_rows().is_empty())
            .then(|| self.decided(review.notes_rows(), None, Outcome::Invalid(why.clone()), None));
        let questions = review.questions.iter().map(|(question, work)| {
            self.decided(work.rows.clone(), Some(question.clone()), Outcome::Invalid(why.clone()), None)
        });
        notes.into_iter().chain(questions).collect()
    }
}

/// A question: read whole, compared.
async fn answer_outcome(
    lane: &Lane,
    target: &Target,
    question: &str,
    work: &QuestionWork,
    policy: &Policy,
) -> Result<Outcome, CallError> {
    let Some(now) = target.answer(lane, question).await? else {
        let lens = &target.lens;
        return Ok(Outcome::Invalid(format!(
            "the lens {lens} has no question {question} in the review's version"
        )));
    };
    let mut wanted = work.wanted.clone();
    if let Some(asked) = &wanted.notes {
        wanted.notes = Some(notes_after(&now.notes, asked, policy.append_notes.as_deref()));
    }
    if let Some(too_long) = wanted.notes.as_ref().filter(|notes| notes.chars().count() > super::NOTES_LIMIT) {
        let length = too_long.chars().count();
        return Ok(Outcome::Invalid(format!(
            "the notes would hold {length} characters, more than {}",
            super::NOTES_LIMIT
        )));
    }
    Ok(match update_for(question, &now, &wanted, policy.merge) {
        Ok(Some(update)) => Outcome::Change(Change::Answer(update)),
        Ok(None) => Outcome::Unchanged,
        Err(why) => Outcome::Invalid(why),
    })
}

/// The lens and pillar notes: read, compared.
async fn notes_outcome(
    lane: &Lane,
    review: &ReviewWork,
    target: &Target,
    append: Option<&str>,
) -> Result<Outcome, CallError> {
    let held = target.notes(lane).await?;
    let mut shown = Vec::new();
    let lens = review
        .lens_notes
        .as_ref()
        .map(|(_, asked)| notes_after(&held.lens, asked, append))
        .filter(|notes| *notes != held.lens);
    if let Some(notes) = &lens {
        shown.push(format!("lens notes: {} → {}", quoted_notes(&held.lens), quoted_notes(notes)));
    }
    let mut pillars = BTreeMap::new();
    for (pillar, (_, asked)) in &review.pillar_notes {
        let Some(before) = held.pillars.get(pillar) else {
            return Ok(Outcome::Invalid(format!("the lens {} has no pillar {pillar}", target.lens)));
        };
        let notes = notes_after(before, asked, append);
        if *before != notes {
            shown.push(format!("{pillar} notes: {} → {}", quoted_notes(before), quoted_notes(&notes)));
            pillars.insert(pillar.clone(), notes);
        }
    }
    Ok(match shown.is_empty() {
        true => Outcome::Unchanged,
        false => Outcome::Change(Change::Notes { lens, pillars, shown }),
    })
}

fn quoted_notes(notes: &str) -> String {
    if notes.is_empty() { "(none)".to_owned() } else { crate::problem::quoted(notes) }
}

/// Told, while changes are applied, of the items found (a lens just
/// associated brings its review's) and of each item's final outcome, as
/// soon as it is known.
pub trait Watch {
    fn found(&self, items: usize);
    fn done(&self, item: &Decided);
}

/// Sends every change at once, within the lane's pace and bounds; each
/// item's outcome becomes `Updated` or `Failed`. A lane that stops fails
/// the rest.
pub async fn apply(lane: &Arc<Lane>, decided: &mut Vec<Decided>, policy: &Policy, watch: &impl Watch) {
    associate(lane, decided, policy, watch).await;
    let mut sends = tokio::task::JoinSet::new();
    for (index, item) in decided.iter().enumerate() {
        if let Outcome::Change(change) = &item.outcome {
            let (lane, item, change) = (lane.clone(), item.clone(), change.clone());
            sends.spawn(async move { (index, send(&lane, &item, &change).await) });
        }
    }
    while let Some(joined) = sends.join_next().await {
        let (index, outcome) = joined.expect("a send does not panic");
        decided[index].outcome = outcome;
        watch.done(&decided[index]);
    }
}

/// Associates each lens a workload lacks, then decides the review's items,
/// which join the rest to be sent. Stops at the first failure of its lane.
async fn associate(lane: &Arc<Lane>, decided: &mut Vec<Decided>, policy: &Policy, watch: &impl Watch) {
    for index in 0..decided.len() {
        let Outcome::Change(Change::Associate { review, shown }) = &decided[index].outcome else { continue };
        let (review, shown) = ((**review).clone(), shown.clone());
        let target = decided[index].target.clone().expect("an association has its workload");
        let items = Items { workload: decided[index].workload.clone(), lens: decided[index].lens.clone() };
        let associated = match target.associate(lane).await {
            Ok(()) => decide_items(lane, review, target, policy, &items).await,
            Err(error) => Err(error),
        };
        decided[index].outcome = match associated {
            Ok(more) => {
                watch.found(more.len());
                for item in more.iter().filter(|item| !matches!(item.outcome, Outcome::Change(_))) {
                    watch.done(item);
                }
                decided.extend(more);
                Outcome::Updated(shown)
            }
            Err(CallError::Failed(failure)) => {
                Outcome::Failed { code: failure.code().to_owned(), message: failure.message }
            }
            Err(CallError::Stopped(reason)) => Outcome::Skipped(reason.to_string()),
        };
        watch.done(&decided[index]);
    }
}

/// What recording a milestone on a workload came to: the workload as the
/// sheet names it, and the service's refusal if any.
pub type Recorded = (String, Result<(), (String, String)>);

/// Records milestone `name` on each workload the sheet's valid items are
/// about, after their answers are in; its token is derived from the
/// workload and the name, so a rerun records it once.
pub async fn record_milestones(lane: &Lane, decided: &[Decided], name: &str) -> Vec<Recorded> {
    let mut workloads: Vec<(&str, &str)> = decided
        .iter()
        .filter(|item| matches!(item.outcome, Outcome::Updated(_) | Outcome::Unchanged | Outcome::Carried))
        .filter_map(|item| match &item.target {
            Some(Target { subject: Subject::Workload(id), .. }) => {
                Some((id.as_str(), item.workload.as_str()))
            }
            _ => None,
        })
        .collect();
    workloads.sort_unstable();
    workloads.dedup_by_key(|(id, _)| *id);
    let mut recorded = Vec::new();
    for (id, workload) in workloads {
        let token = crate::model::derived_token("wa-bulk-m-", &format!("{id}\n{name}"));
        let create = lane
            .client()
            .create_milestone()
            .workload_id(id)
            .milestone_name(name)
            .client_request_token(&token);
        let outcome = match lane.call(&mut 0, || create.clone().send()).await {
            Ok(_) => Ok(()),
            Err(CallError::Failed(failure)) if failure.code() == "ConflictException" => Ok(()),
            Err(CallError::Failed(failure)) => Err((failure.code().to_owned(), failure.message)),
            Err(CallError::Stopped(reason)) => Err((reason.code().to_owned(), reason.to_string())),
        };
        recorded.push((workload.to_owned(), outcome));
    }
    recorded
}

/// One change sent: `Updated`, or `Failed` with why.
async fn send(lane: &Lane, item: &Decided, change: &Change) -> Outcome {
    let Some(target) = &item.target else { return Outcome::Invalid("nowhere to send it".into()) };
    let sent = match change {
        Change::Answer(update) => {
            target.update_answer(lane, item.question.as_deref().unwrap_or_default(), update).await
        }
        Change::Notes { lens, pillars, .. } => target.update_notes(lane, lens.as_ref(), pillars).await,
        // Associations are made before the other changes are sent.
        Change::Associate { .. } => return item.outcome.clone(),
    };
    match sent {
        Ok(()) => Outcome::Updated(change.shown().to_vec()),
        Err(CallError::Failed(failure)) => {
            Outcome::Failed { code: failure.code().to_owned(), message: failure.message }
        }
        Err(CallError::Stopped(reason)) => Outcome::Skipped(reason.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::notes_after;

    #[test]
    fn appended_notes_go_after_a_marker_once() {
        assert_eq!(notes_after("held", "asked", None), "asked");
        assert_eq!(notes_after("", "asked", Some("[baseline] ")), "[baseline] asked");
        assert_eq!(notes_after("held", "asked", Some("[baseline] ")), "held\n[baseline] asked");
        assert_eq!(
            notes_after("held\n[baseline] asked", "asked", Some("[baseline] ")),
            "held\n[baseline] asked"
        );
        assert_eq!(notes_after("held", "", Some("[baseline] ")), "held", "a blank cell adds nothing");
    }
}
