//! Reading a workload's lens reviews through a lane, as rows of the answers
//! sheet. What it costs, per workload: one ListLensReviews page (a page
//! holds 50 lenses), then per lens one ListAnswers page per 50 questions;
//! with notes (the default), also one GetLensReview (the lens and pillar
//! notes) and one GetAnswer per question, since ListAnswers' summaries
//! carry no notes. The GetAnswer calls of a lens go in parallel, within the
//! lane's bounds.

use std::future::Future;
use std::sync::Arc;

use aws_sdk_wellarchitected::types::{
    Answer, AnswerSummary, Choice, ChoiceReason, ChoiceStatus, ReviewTemplateAnswer,
    ReviewTemplateAnswerSummary,
};

use super::{AnswerRow, ReviewKey, ReviewRows, State};
use crate::submit::Lane;
use crate::submit::lane::CallError;
use crate::submit::read::Listed;

/// What to read of each workload.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these lenses (aliases or ARNs); every lens when empty.
    pub lenses: Vec<String>,
    /// Read notes too (GetLensReview, GetAnswer per question).
    pub notes: bool,
}

/// Where the lane is, as the rows say it.
#[derive(Debug, Clone, Default)]
pub struct Place {
    pub account: String,
    pub region: String,
}

/// One question's answer, as ListAnswers or GetAnswer gives it (or their
/// review template counterparts, which carry no risk).
pub(super) struct Answered {
    pillar_id: String,
    question_id: String,
    title: String,
    choices: Vec<Choice>,
    /// (choice id, status, reason, notes) of the choices the answer names.
    states: Vec<(String, State, String, Option<String>)>,
    selected: Vec<String>,
    is_applicable: bool,
    reason: String,
    notes: Option<String>,
    risk: String,
}

/// Every review of `workload` the selection asks for, as rows.
pub async fn review_rows(
    lane: &Arc<Lane>,
    place: &Place,
    workload: &Listed,
    selection: &Selection,
) -> Result<Vec<ReviewRows>, CallError> {
    let mut reviews = Vec::new();
    for HeldReview { alias, arn, version, .. } in lens_reviews(lane, &workload.id).await? {
        let wanted =
            selection.lenses.is_empty() || selection.lenses.iter().any(|lens| *lens == alias || *lens == arn);
        if !wanted {
            continue;
        }
        let key = ReviewKey {
            account: place.account.clone(),
            region: place.region.clone(),
            workload_name: workload.name.clone(),
            workload_id: workload.id.clone(),
            template_arn: String::new(),
            lens: alias,
            lens_version: version,
        };
        let mut rows = Vec::new();
        if selection.notes {
            rows.extend(notes_rows(lane, &key).await?);
        }
        for answered in answers(lane, &key, selection.notes).await? {
            rows.extend(answered.rows());
        }
        reviews.push(ReviewRows { key, rows });
    }
    Ok(reviews)
}

/// A lens review as ListLensReviews sums it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldReview {
    /// The alias, or a custom lens's ARN.
    pub alias: String,
    pub arn: String,
    pub version: String,
    pub risks: crate::risks::Risks,
}

/// The workload's lens reviews.
pub(crate) async fn lens_reviews(lane: &Lane, id: &str) -> Result<Vec<HeldReview>, CallError> {
    let mut found = Vec::new();
    let mut next_token: Option<String> = None;
    let mut attempts = 0;
    loop {
        let page = lane
            .call(&mut attempts, || {
                let list = lane.client().list_lens_reviews().workload_id(id).max_results(50);
                list.set_next_token(next_token.clone()).send()
            })
            .await?;
        for summary in page.lens_review_summaries() {
            let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
            found.push(HeldReview {
                alias: text(summary.lens_alias().or(summary.lens_arn())),
                arn: text(summary.lens_arn()),
                version: text(summary.lens_version()),
                risks: crate::risks::Risks::of(summary.risk_counts()),
            });
        }
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            return Ok(found);
        }
    }
}

/// The lens row and a row per pillar, with their notes.
async fn notes_rows(lane: &Lane, key: &ReviewKey) -> Result<Vec<AnswerRow>, CallError> {
    let output = lane
        .call(&mut 0, || {
            lane.client().get_lens_review().workload_id(&key.workload_id).lens_alias(&key.lens).send()
        })
        .await?;
    let review =
        output.lens_review.unwrap_or_else(|| aws_sdk_wellarchitected::types::LensReview::builder().build());
    let mut rows = vec![AnswerRow {
        notes: Some(review.notes().unwrap_or_default().to_owned()),
        ..AnswerRow::default()
    }];
    for pillar in review.pillar_review_summaries() {
        rows.push(AnswerRow {
            pillar_id: pillar.pillar_id().unwrap_or_default().to_owned(),
            question_title: pillar.pillar_name().unwrap_or_default().to_owned(),
            notes: Some(pillar.notes().unwrap_or_default().to_owned()),
            ..AnswerRow::default()
        });
    }
    Ok(rows)
}

/// Every question's answer, in the lens's order: the summaries, then each
/// answer whole when notes are wanted.
async fn answers(lane: &Arc<Lane>, key: &ReviewKey, notes: bool) -> Result<Vec<Answered>, CallError> {
    let (id, lens) = (&key.workload_id, &key.lens);
    let page = |token: Option<String>| async move {
        let call = || {
            let list = lane.client().list_answers().workload_id(id).lens_alias(lens).max_results(50);
            list.set_next_token(token.clone()).send()
        };
        let page = lane.call(&mut 0, call).await?;
        let answered = page.answer_summaries().iter().map(Answered::of_summary).collect();
        Ok((answered, page.next_token().map(str::to_owned)))
    };
    let whole = |question: String| async move {
        let call =
            || lane.client().get_answer().workload_id(id).lens_alias(lens).question_id(&question).send();
        Ok(lane.call(&mut 0, call).await?.answer.as_ref().map(Answered::of_answer))
    };
    answers_with(page, whole, notes).await
}

/// Every question's answer in the lens's order: the summaries, page by
/// page, then, when notes are wanted, each answer whole (read at once,
/// within the lane's bounds) in its summary's place.
pub(super) async fn answers_with<P, PF, W, WF>(
    page: P,
    whole: W,
    notes: bool,
) -> Result<Vec<Answered>, CallError>
where
    P: Fn(Option<String>) -> PF,
    PF: Future<Output = Result<(Vec<Answered>, Option<String>), CallError>>,
    W: Fn(String) -> WF,
    WF: Future<Output = Result<Option<Answered>, CallError>>,
{
    let mut summaries = Vec::new();
    let mut next_token = None;
    loop {
        let (answered, next) = page(next_token).await?;
        summaries.extend(answered);
        next_token = next;
        if next_token.is_none() {
            break;
        }
    }
    if !notes {
        return Ok(summaries);
    }
    let reads = summaries.iter().map(|summary| whole(summary.question_id.clone()));
    let wholes = futures_util::future::try_join_all(reads).await?;
    Ok(summaries.into_iter().zip(wholes).map(|(summary, answer)| answer.unwrap_or(summary)).collect())
}

/// An [`Answered`] from a summary (ListAnswers, ListReviewTemplateAnswers:
/// no notes) or a whole answer (GetAnswer, GetReviewTemplateAnswer), whose
/// shapes have the same getters for what they carry; `$risk` is the
/// answer's risk (a template's answers have none).
macro_rules! answered {
    (summary $from:expr, $risk:expr) => {{
        let choices = $from.choice_answer_summaries().iter();
        let states = choices.map(|choice| choice_state(choice.choice_id(), choice.status(), choice.reason(), None));
        answered!(@build $from, states.collect(), None, $risk)
    }};
    (whole $from:expr, $risk:expr) => {{
        let states = $from.choice_answers().iter().map(|choice| {
            let notes = Some(choice.notes().unwrap_or_default().to_owned());
            choice_state(choice.choice_id(), choice.status(), choice.reason(), notes)
        });
        answered!(@build $from, states.collect(), Some($from.notes().unwrap_or_default().to_owned()), $risk)
    }};
    (@build $from:expr, $states:expr, $notes:expr, $risk:expr) => {
        Answered {
            pillar_id: text($from.pillar_id()),
            question_id: text($from.question_id()),
            title: text($from.question_title()),
            choices: $from.choices().to_vec(),
            states: $states,
            selected: $from.selected_choices().to_vec(),
            is_applicable: $from.is_applicable().unwrap_or(true),
            reason: $from.reason().map_or("", |reason| reason.as_str()).to_owned(),
            notes: $notes,
            risk: $risk,
        }
    };
}

/// A choice's (id, state, reason, notes) as the service gives them.
fn choice_state(
    id: Option<&str>,
    status: Option<&ChoiceStatus>,
    reason: Option<&ChoiceReason>,
    notes: Option<String>,
) -> (String, State, String, Option<String>) {
    let status = status.map_or("UNSELECTED", ChoiceStatus::as_str);
    (text(id), State::of_choice_status(status), reason.map_or("", ChoiceReason::as_str).to_owned(), notes)
}

/// A workload answer's risk, as its cell shows it.
fn risk(risk: Option<&aws_sdk_wellarchitected::types::Risk>) -> String {
    risk.map_or("", |risk| risk.as_str()).to_owned()
}

impl Answered {
    fn of_summary(summary: &AnswerSummary) -> Answered {
        answered!(summary summary, risk(summary.risk()))
    }

    fn of_answer(answer: &Answer) -> Answered {
        answered!(whole answer, risk(answer.risk()))
    }

    pub(super) fn of_template_summary(summary: &ReviewTemplateAnswerSummary) -> Answered {
        answered!(summary summary, String::new())
    }

    pub(super) fn of_template_answer(answer: &ReviewTemplateAnswer) -> Answered {
        answered!(whole answer, String::new())
    }

    /// The question row, then a row per choice.
    pub(super) fn rows(self) -> Vec<AnswerRow> {
        let applicable = if self.is_applicable { State::Applicable } else { State::NotApplicable };
        let mut rows = vec![AnswerRow {
            pillar_id: self.pillar_id.clone(),
            question_id: self.question_id.clone(),
            question_title: self.title.clone(),
            state: Some(applicable),
            reason: self.reason,
            notes: self.notes.clone(),
            risk: self.risk,
            ..AnswerRow::default()
        }];
        for choice in &self.choices {
            let id = text(choice.choice_id());
            let named = self.states.iter().find(|(choice, ..)| *choice == id);
            let (state, reason, notes) = match named {
                Some((_, state, reason, notes)) => (*state, reason.clone(), notes.clone()),
                None if self.selected.contains(&id) => (State::Selected, String::new(), None),
                None => (State::Unselected, String::new(), None),
            };
            rows.push(AnswerRow {
                pillar_id: self.pillar_id.clone(),
                question_id: self.question_id.clone(),
                question_title: self.title.clone(),
                choice_title: text(choice.title()),
                choice_id: id,
                state: Some(state),
                reason,
                notes: notes.or_else(|| self.notes.as_ref().map(|_| String::new())),
                risk: String::new(),
            });
        }
        rows
    }
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}
