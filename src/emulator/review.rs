//! A lens review as the emulator keeps it, for a workload or a review
//! template: the answer to each question (its choices' states, whether it
//! applies and why not, its notes), the lens and pillar notes, and the risk
//! each answer gets from the question's risk rules. A review holds the lens
//! content of the version it was started at, so its answers, titles and
//! risks stay those of that version whatever the lens publishes later, and
//! a milestone keeps a review as it was by cloning it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::lens::{LensContent, Question};

/// The reasons a question or a choice may not apply (AnswerReason and
/// ChoiceReason have the same values).
pub const REASONS: [&str; 5] =
    ["OUT_OF_SCOPE", "BUSINESS_PRIORITIES", "ARCHITECTURE_CONSTRAINTS", "OTHER", "NONE"];

/// The most an answer's notes, a lens's or a pillar's may hold.
pub const NOTES: usize = 2084;
/// The most a choice's notes may hold.
pub const CHOICE_NOTES: usize = 250;

/// The five risks, in the order RiskCounts lists them.
const RISKS: [&str; 5] = ["UNANSWERED", "HIGH", "MEDIUM", "NONE", "NOT_APPLICABLE"];

/// Which lens a review is of, as its answers name it.
#[derive(Debug, Clone, PartialEq)]
pub struct LensRef {
    /// The alias of an official lens; the ARN of a custom one.
    pub alias: String,
    pub arn: String,
    pub name: String,
    pub version: String,
}

/// A choice's state in an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChoiceStatus {
    Selected,
    NotApplicable,
    Unselected,
}

impl ChoiceStatus {
    fn as_str(self) -> &'static str {
        match self {
            ChoiceStatus::Selected => "SELECTED",
            ChoiceStatus::NotApplicable => "NOT_APPLICABLE",
            ChoiceStatus::Unselected => "UNSELECTED",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct ChoiceState {
    status: ChoiceStatus,
    reason: Option<String>,
    notes: String,
}

/// One question's answer.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    /// Choices set to anything but unselected, or given notes; by id.
    choices: BTreeMap<String, ChoiceState>,
    is_applicable: bool,
    reason: Option<String>,
    notes: String,
    /// `HIGH`, `MEDIUM`, `NONE` from the risk rules, `UNANSWERED` or
    /// `NOT_APPLICABLE`, worked out when the answer changes.
    risk: &'static str,
}

impl Default for Answer {
    fn default() -> Answer {
        Answer {
            choices: BTreeMap::new(),
            is_applicable: true,
            reason: None,
            notes: String::new(),
            risk: "UNANSWERED",
        }
    }
}

/// A ChoiceUpdate of UpdateAnswer: the choice's whole state.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChoiceUpdate {
    status: Option<String>,
    reason: Option<String>,
    notes: Option<String>,
}

/// UpdateAnswer's body (and UpdateReviewTemplateAnswer's): the members it
/// gives change the answer, the others are left as they are.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AnswerUpdate {
    selected_choices: Option<Vec<String>>,
    choice_updates: Option<BTreeMap<String, ChoiceUpdate>>,
    notes: Option<String>,
    is_applicable: Option<bool>,
    reason: Option<String>,
}

/// UpdateLensReview's body (and UpdateReviewTemplateLensReview's).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NotesUpdate {
    lens_notes: Option<String>,
    pillar_notes: Option<BTreeMap<String, String>>,
}

/// Who holds a review: a workload's answers carry a risk, a template's
/// only whether they are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Workload,
    Template,
}

/// One lens's review.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub lens: LensRef,
    content: Arc<LensContent>,
    notes: String,
    pillar_notes: BTreeMap<String, String>,
    answers: HashMap<String, Answer>,
    pub updated_at: f64,
}

impl Review {
    /// A review with nothing answered, of `content` at `lens.version`,
    /// started at `now` (seconds since the epoch).
    pub fn new(lens: LensRef, content: Arc<LensContent>, now: f64) -> Review {
        Review {
            lens,
            content,
            notes: String::new(),
            pillar_notes: BTreeMap::new(),
            answers: HashMap::new(),
            updated_at: now,
        }
    }

    /// The question `id` with its pillar's id, or the 404 AWS gives.
    fn question(&self, id: &str) -> Result<(&str, &Question), ApiError> {
        self.content
            .pillars
            .iter()
            .find_map(|pillar| {
                let question = pillar.questions.iter().find(|question| question.id == id)?;
                Some((pillar.id.as_str(), question))
            })
            .ok_or_else(|| {
                ApiError::not_found(
                    "QUESTION",
                    id,
                    format!(
                        "The lens {} at version {} has no question {id}",
                        self.lens.alias, self.lens.version
                    ),
                )
            })
    }

    /// UpdateAnswer: the question's answer as `update` changes it, checked
    /// whole before it is kept.
    pub fn update_answer(
        &mut self,
        question_id: &str,
        update: AnswerUpdate,
        now: f64,
    ) -> Result<(), ApiError> {
        let (_, question) = self.question(question_id)?;
        let mut answer = self.answers.get(question_id).cloned().unwrap_or_default();
        answer.change(question, update)?;
        answer.risk = risk(question, &answer);
        self.answers.insert(question_id.to_owned(), answer);
        self.updated_at = now;
        Ok(())
    }

    /// UpdateLensReview: the lens's notes and the pillars' notes given.
    pub fn update_notes(&mut self, update: NotesUpdate, now: f64) -> Result<(), ApiError> {
        if let Some(notes) = &update.lens_notes {
            check_length("LensNotes", notes, NOTES)?;
        }
        for (pillar, notes) in update.pillar_notes.iter().flatten() {
            if !self.content.pillars.iter().any(|known| known.id == *pillar) {
                return Err(ApiError::invalid_field(
                    "PillarNotes",
                    format!("the lens {} has no pillar {pillar}", self.lens.alias),
                ));
            }
            check_length("PillarNotes", notes, NOTES)?;
        }
        if let Some(notes) = update.lens_notes {
            self.notes = notes;
        }
        self.pillar_notes.extend(update.pillar_notes.unwrap_or_default());
        self.updated_at = now;
        Ok(())
    }

    /// Every question, pillar by pillar, or those of one pillar.
    pub fn questions<'a>(
        &'a self,
        pillar: Option<&'a str>,
    ) -> Result<impl Iterator<Item = (&'a str, &'a Question)> + 'a, ApiError> {
        if let Some(pillar) = pillar
            && !self.content.pillars.iter().any(|known| known.id == pillar)
        {
            return Err(ApiError::invalid_field("PillarId", format!("the lens has no pillar {pillar}")));
        }
        Ok(self
            .content
            .pillars
            .iter()
            .filter(move |known| pillar.is_none_or(|wanted| known.id == wanted))
            .flat_map(|pillar| pillar.questions.iter().map(move |question| (pillar.id.as_str(), question))))
    }

    /// The `Answer` shape of GetAnswer and UpdateAnswer (`full`) or the
    /// `AnswerSummary` shape of ListAnswers, which carries no notes.
    pub fn answer_json(&self, question_id: &str, holder: Holder, full: bool) -> Result<Value, ApiError> {
        let (pillar, question) = self.question(question_id)?;
        Ok(self.render(pillar, question, holder, full))
    }

    /// [`Review::answer_json`] for a question already found.
    pub fn render(&self, pillar: &str, question: &Question, holder: Holder, full: bool) -> Value {
        let unanswered = Answer::default();
        let answer = self.answers.get(&question.id).unwrap_or(&unanswered);
        let choices: Vec<Value> = question
            .choices
            .iter()
            .map(|choice| {
                let description =
                    if choice.description.is_empty() { &choice.title } else { &choice.description };
                json!({"ChoiceId": choice.id, "Title": choice.title, "Description": description})
            })
            .collect();
        let selected: Vec<&String> = question
            .choices
            .iter()
            .map(|choice| &choice.id)
            .filter(|id| answer.status(id) == ChoiceStatus::Selected)
            .collect();
        let choice_answers: Vec<Value> = answer
            .choices
            .iter()
            .map(|(id, state)| {
                let mut shown = json!({"ChoiceId": id, "Status": state.status.as_str()});
                if let Some(reason) = &state.reason {
                    shown["Reason"] = reason.clone().into();
                }
                if full {
                    shown["Notes"] = state.notes.clone().into();
                }
                shown
            })
            .collect();
        let mut shown = json!({
            "QuestionId": question.id,
            "PillarId": pillar,
            "QuestionTitle": question.title,
            "Choices": choices,
            "SelectedChoices": selected,
            (if full { "ChoiceAnswers" } else { "ChoiceAnswerSummaries" }): choice_answers,
            "IsApplicable": answer.is_applicable,
        });
        match holder {
            Holder::Workload => shown["Risk"] = answer.risk.into(),
            Holder::Template => shown["AnswerStatus"] = template_status(answer).into(),
        }
        if holder == Holder::Workload && !full {
            shown["QuestionType"] = "NON_PRIORITIZED".into();
        }
        if let Some(reason) = &answer.reason {
            shown["Reason"] = reason.clone().into();
        }
        if full {
            shown["Notes"] = answer.notes.clone().into();
            if !question.description.is_empty() {
                shown["QuestionDescription"] = question.description.clone().into();
            }
        }
        shown
    }

    /// How many questions of `pillar` (of every pillar without one) are at
    /// each risk: all five risks, zeros included.
    pub fn risk_counts(&self, pillar: Option<&str>) -> BTreeMap<&'static str, usize> {
        let mut counts: BTreeMap<&'static str, usize> = RISKS.iter().map(|risk| (*risk, 0)).collect();
        let questions = self.questions(pillar).into_iter().flatten();
        for (_, question) in questions {
            let risk = self.answers.get(&question.id).map_or("UNANSWERED", |answer| answer.risk);
            *counts.entry(risk).or_default() += 1;
        }
        counts
    }

    /// How many questions are answered and unanswered, as a template counts.
    fn question_counts(&self, pillar: Option<&str>) -> Value {
        let answered = self
            .questions(pillar)
            .into_iter()
            .flatten()
            .filter(|(_, question)| {
                self.answers.get(&question.id).is_some_and(|answer| template_status(answer) == "ANSWERED")
            })
            .count();
        let total = self.questions(pillar).into_iter().flatten().count();
        json!({"ANSWERED": answered, "UNANSWERED": total - answered})
    }

    /// The `LensReview` shape of GetLensReview and UpdateLensReview (or a
    /// template's `ReviewTemplateLensReview`); `status` is `CURRENT` or
    /// `NOT_CURRENT`, as the lens's latest version compares.
    pub fn to_json(&self, holder: Holder, status: &str) -> Value {
        let pillars: Vec<Value> = self
            .content
            .pillars
            .iter()
            .map(|pillar| {
                let mut shown = json!({
                    "PillarId": pillar.id,
                    "PillarName": pillar.name,
                    "Notes": self.pillar_notes.get(&pillar.id).cloned().unwrap_or_default(),
                });
                self.counts_into(&mut shown, holder, Some(&pillar.id));
                shown
            })
            .collect();
        let mut shown = self.summary(holder, status);
        shown["PillarReviewSummaries"] = pillars.into();
        shown["Notes"] = self.notes.clone().into();
        shown
    }

    /// The `LensReviewSummary` shape of ListLensReviews.
    pub fn summary(&self, holder: Holder, status: &str) -> Value {
        let mut shown = json!({
            "LensAlias": self.lens.alias,
            "LensArn": self.lens.arn,
            "LensVersion": self.lens.version,
            "LensName": self.lens.name,
            "LensStatus": status,
            "UpdatedAt": self.updated_at,
        });
        self.counts_into(&mut shown, holder, None);
        shown
    }

    fn counts_into(&self, shown: &mut Value, holder: Holder, pillar: Option<&str>) {
        match holder {
            Holder::Workload => shown["RiskCounts"] = json!(self.risk_counts(pillar)),
            Holder::Template => shown["QuestionCounts"] = self.question_counts(pillar),
        }
    }

    /// Whether `lens` (an alias or an ARN) names this review's lens.
    pub fn is_of(&self, lens: &str) -> bool {
        self.lens.alias == lens || self.lens.arn == lens
    }
}

/// ANSWERED once any choice is set or the question is marked not applicable.
fn template_status(answer: &Answer) -> &'static str {
    if answer.is_answered() { "ANSWERED" } else { "UNANSWERED" }
}

impl Answer {
    fn status(&self, choice: &str) -> ChoiceStatus {
        self.choices.get(choice).map_or(ChoiceStatus::Unselected, |state| state.status)
    }

    fn is_answered(&self) -> bool {
        !self.is_applicable || self.choices.values().any(|state| state.status != ChoiceStatus::Unselected)
    }

    /// Applies `update`; the checks AWS makes of the answer it would leave.
    fn change(&mut self, question: &Question, update: AnswerUpdate) -> Result<(), ApiError> {
        let known = |id: &str| question.choices.iter().any(|choice| choice.id == id);
        let named = update
            .selected_choices
            .iter()
            .flatten()
            .chain(update.choice_updates.iter().flat_map(|m| m.keys()));
        if let Some(unknown) = named.clone().find(|id| !known(id)) {
            return Err(ApiError::invalid_field(
                "ChoiceId",
                format!("{unknown} is not a choice of question {}", question.id),
            ));
        }
        if let Some(selected) = &update.selected_choices {
            self.select(question, selected);
        }
        for (id, choice) in update.choice_updates.into_iter().flatten() {
            let state = choice_state(id.as_str(), choice)?;
            if let Some(selected) = &update.selected_choices
                && selected.contains(&id) != (state.status == ChoiceStatus::Selected)
            {
                return Err(ApiError::invalid_field(
                    "ChoiceUpdates",
                    format!(
                        "choice {id} is {} in ChoiceUpdates but not in SelectedChoices",
                        state.status.as_str()
                    ),
                ));
            }
            self.choices.insert(id, state);
        }
        self.choices.retain(|_, state| state.status != ChoiceStatus::Unselected || !state.notes.is_empty());
        if let Some(notes) = update.notes {
            check_length("Notes", &notes, NOTES)?;
            self.notes = notes;
        }
        if let Some(applicable) = update.is_applicable {
            self.is_applicable = applicable;
            if applicable {
                self.reason = None;
            }
        }
        if let Some(reason) = update.reason {
            check_reason("Reason", &reason)?;
            if self.is_applicable {
                return Err(ApiError::invalid_field(
                    "Reason",
                    "is given only for a question that is not applicable (IsApplicable false)".into(),
                ));
            }
            self.reason = Some(reason);
        }
        self.check_choices(question)
    }

    /// SelectedChoices: these choices selected, every other one that was
    /// selected unselected.
    fn select(&mut self, question: &Question, selected: &[String]) {
        for choice in &question.choices {
            let state = self.choices.entry(choice.id.clone()).or_insert_with(unselected);
            if selected.contains(&choice.id) {
                *state = ChoiceState { status: ChoiceStatus::Selected, reason: None, ..state.clone() };
            } else if state.status == ChoiceStatus::Selected {
                state.status = ChoiceStatus::Unselected;
            }
        }
    }

    /// "None of these" stands alone.
    fn check_choices(&self, question: &Question) -> Result<(), ApiError> {
        let none = question.none_of_these();
        let selected = self.choices.values().filter(|state| state.status == ChoiceStatus::Selected).count();
        if self.status(&none) == ChoiceStatus::Selected && selected > 1 {
            return Err(ApiError::invalid_field(
                "SelectedChoices",
                format!("{none} (None of these) cannot be selected with other choices of {}", question.id),
            ));
        }
        Ok(())
    }
}

fn unselected() -> ChoiceState {
    ChoiceState { status: ChoiceStatus::Unselected, reason: None, notes: String::new() }
}

/// A ChoiceUpdate, checked: a status, a reason only for a choice that does
/// not apply, notes of at most 250 characters.
fn choice_state(id: &str, update: ChoiceUpdate) -> Result<ChoiceState, ApiError> {
    let status = update.status.ok_or_else(|| {
        ApiError::invalid_field("ChoiceUpdates", format!("choice {id}: Status is required"))
    })?;
    let status: ChoiceStatus = serde_json::from_value(Value::String(status)).map_err(|_| {
        ApiError::invalid_field(
            "ChoiceUpdates",
            format!("choice {id}: Status must be one of SELECTED | NOT_APPLICABLE | UNSELECTED"),
        )
    })?;
    if let Some(reason) = &update.reason {
        check_reason("ChoiceUpdates", reason)?;
        if status != ChoiceStatus::NotApplicable {
            return Err(ApiError::invalid_field(
                "ChoiceUpdates",
                format!("choice {id}: a Reason is given only with the status NOT_APPLICABLE"),
            ));
        }
    }
    let notes = update.notes.unwrap_or_default();
    check_length("ChoiceUpdates", &notes, CHOICE_NOTES)?;
    Ok(ChoiceState { status, reason: update.reason, notes })
}

fn check_reason(member: &str, reason: &str) -> Result<(), ApiError> {
    if REASONS.contains(&reason) {
        Ok(())
    } else {
        Err(ApiError::invalid_field(member, format!("a reason is one of {}", REASONS.join(" | "))))
    }
}

fn check_length(member: &str, text: &str, most: usize) -> Result<(), ApiError> {
    if text.chars().count() > most {
        Err(ApiError::invalid_field(member, format!("must be at most {most} characters")))
    } else {
        Ok(())
    }
}

/// The risk the question's rules give the answer: the first rule whose
/// condition holds (a choice counts when it is selected or does not
/// apply); HIGH when none does.
fn risk(question: &Question, answer: &Answer) -> &'static str {
    if !answer.is_applicable {
        return "NOT_APPLICABLE";
    }
    if !answer.is_answered() {
        return "UNANSWERED";
    }
    let holds = |choice: &str| answer.status(choice) != ChoiceStatus::Unselected;
    let rule = question
        .risk_rules
        .iter()
        .find(|rule| rule.condition == "default" || super::condition::holds(&rule.condition, &holds));
    match rule.map(|rule| rule.risk.as_str()) {
        Some("NO_RISK") => "NONE",
        Some("MEDIUM_RISK") => "MEDIUM",
        _ => "HIGH",
    }
}
