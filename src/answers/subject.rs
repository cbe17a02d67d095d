//! Where a lens review lives: a workload (by id) or a review template (by
//! ARN). The plan and the import read and write one review the same way
//! whichever it is; this is the one place that knows the two sets of
//! operations (GetAnswer and GetReviewTemplateAnswer, UpdateAnswer and
//! UpdateReviewTemplateAnswer, and their lens review counterparts), whose
//! shapes carry the same members.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_wellarchitected::types::{AnswerReason, ChoiceReason, ChoiceStatus, ChoiceUpdate, LensReview};

use super::State;
use super::diff::{AnswerNow, AnswerUpdate, ChoiceNow};
use crate::submit::Lane;
use crate::submit::lane::CallError;

/// Whose review it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A workload, by id.
    Workload(String),
    /// A review template, by ARN.
    Template(String),
}

/// One lens review: whose, and the lens's alias (or ARN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub subject: Subject,
    pub lens: String,
}

/// An answer as the service holds it, from either shape.
macro_rules! answer_now {
    ($answer:expr) => {{
        let answer = $answer;
        let choices = answer
            .choices()
            .iter()
            .map(|choice| {
                let id = choice.choice_id().unwrap_or_default();
                let held = answer.choice_answers().iter().find(|held| held.choice_id() == Some(id));
                let status = held.and_then(|held| held.status()).map_or("UNSELECTED", ChoiceStatus::as_str);
                let selected = answer.selected_choices().iter().any(|chosen| chosen == id);
                let state = if selected { State::Selected } else { State::of_choice_status(status) };
                ChoiceNow {
                    id: id.to_owned(),
                    state,
                    reason: held.and_then(|held| held.reason()).map(|reason| reason.as_str().to_owned()),
                    notes: held.and_then(|held| held.notes()).unwrap_or_default().to_owned(),
                }
            })
            .collect();
        AnswerNow {
            choices,
            is_applicable: answer.is_applicable().unwrap_or(true),
            reason: answer.reason().map(|reason| reason.as_str().to_owned()),
            notes: answer.notes().unwrap_or_default().to_owned(),
        }
    }};
}

/// An update's members on either operation's request.
macro_rules! with_update {
    ($call:expr, $update:expr) => {{
        let update = $update;
        let mut call = $call.set_selected_choices(update.selected.clone());
        for choice in &update.choice_updates {
            let status = ChoiceStatus::from(choice.state.as_str());
            let reason = choice.reason.as_deref().map(ChoiceReason::from);
            let built =
                ChoiceUpdate::builder().status(status).set_reason(reason).set_notes(choice.notes.clone());
            call = call.choice_updates(&choice.id, built.build());
        }
        if let Some(applies) = update.is_applicable {
            call = call.is_applicable(applies).set_reason(update.reason.as_deref().map(AnswerReason::from));
        }
        call.set_notes(update.notes.clone())
    }};
}

/// The notes of a `LensReview` or a `ReviewTemplateLensReview`.
macro_rules! notes_now {
    ($review:expr) => {{
        let review = $review;
        let pillars = review
            .pillar_review_summaries()
            .iter()
            .map(|summary| (text(summary.pillar_id()), text(summary.notes())));
        NotesNow { lens: text(review.notes()), pillars: pillars.collect() }
    }};
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

/// A review's notes: the lens's, and each pillar's by id.
pub struct NotesNow {
    pub lens: String,
    pub pillars: HashMap<String, String>,
}

impl Target {
    /// The workload's id or the template's ARN.
    pub fn id(&self) -> &str {
        match &self.subject {
            Subject::Workload(id) | Subject::Template(id) => id,
        }
    }

    /// A question's answer; `None` when the review's lens version has no
    /// such question.
    pub async fn answer(&self, lane: &Lane, question: &str) -> Result<Option<AnswerNow>, CallError> {
        let lens = &self.lens;
        let read = match &self.subject {
            Subject::Workload(id) => lane
                .call(&mut 0, || {
                    lane.client().get_answer().workload_id(id).lens_alias(lens).question_id(question).send()
                })
                .await
                .map(|output| output.answer.map(|answer| answer_now!(&answer))),
            Subject::Template(arn) => lane
                .call(&mut 0, || {
                    let get = lane.client().get_review_template_answer().template_arn(arn).lens_alias(lens);
                    get.question_id(question).send()
                })
                .await
                .map(|output| output.answer.map(|answer| answer_now!(&answer))),
        };
        match read {
            Err(CallError::Failed(failure)) if failure.code() == "ResourceNotFoundException" => Ok(None),
            read => Ok(Some(read?.unwrap_or(AnswerNow {
                choices: Vec::new(),
                is_applicable: true,
                reason: None,
                notes: String::new(),
            }))),
        }
    }

    /// The review's lens and pillar notes.
    pub async fn notes(&self, lane: &Lane) -> Result<NotesNow, CallError> {
        let lens = &self.lens;
        Ok(match &self.subject {
            Subject::Workload(id) => {
                let call = || lane.client().get_lens_review().workload_id(id).lens_alias(lens).send();
                let output = lane.call(&mut 0, call).await?;
                notes_now!(output.lens_review.unwrap_or_else(|| LensReview::builder().build()))
            }
            Subject::Template(arn) => notes_now!(super::templates::lens_review(lane, arn, lens).await?),
        })
    }

    /// UpdateAnswer (or UpdateReviewTemplateAnswer) of `update`: the whole
    /// selection, each changed choice's whole state, applicability, reason
    /// and notes where they change.
    pub async fn update_answer(
        &self,
        lane: &Lane,
        question: &str,
        update: &AnswerUpdate,
    ) -> Result<(), CallError> {
        let lens = &self.lens;
        match &self.subject {
            Subject::Workload(id) => lane
                .call(&mut 0, || {
                    let call =
                        lane.client().update_answer().workload_id(id).lens_alias(lens).question_id(question);
                    with_update!(call, update).send()
                })
                .await
                .map(drop),
            Subject::Template(arn) => lane
                .call(&mut 0, || {
                    let call =
                        lane.client().update_review_template_answer().template_arn(arn).lens_alias(lens);
                    with_update!(call.question_id(question), update).send()
                })
                .await
                .map(drop),
        }
    }

    /// AssociateLenses of the lens, to a workload (a template's lenses are
    /// fixed when it is made).
    pub async fn associate(&self, lane: &Lane) -> Result<(), CallError> {
        let Subject::Workload(id) = &self.subject else { return Ok(()) };
        let call = || lane.client().associate_lenses().workload_id(id).lens_aliases(&self.lens).send();
        lane.call(&mut 0, call).await.map(drop)
    }

    /// UpdateLensReview (or UpdateReviewTemplateLensReview) of the notes given.
    pub async fn update_notes(
        &self,
        lane: &Lane,
        notes: Option<&String>,
        pillars: &BTreeMap<String, String>,
    ) -> Result<(), CallError> {
        let lens = &self.lens;
        let pillars = (!pillars.is_empty()).then(|| pillars.clone().into_iter().collect::<HashMap<_, _>>());
        match &self.subject {
            Subject::Workload(id) => lane
                .call(&mut 0, || {
                    let call = lane.client().update_lens_review().workload_id(id).lens_alias(lens);
                    call.set_lens_notes(notes.cloned()).set_pillar_notes(pillars.clone()).send()
                })
                .await
                .map(drop),
            Subject::Template(arn) => lane
                .call(&mut 0, || {
                    let call =
                        lane.client().update_review_template_lens_review().template_arn(arn).lens_alias(lens);
                    call.set_lens_notes(notes.cloned()).set_pillar_notes(pillars.clone()).send()
                })
                .await
                .map(drop),
        }
    }
}
