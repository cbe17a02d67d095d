//! The answers sheet: a lens review as rows a reviewer can sort, filter and
//! fill in Excel. Every row names where it belongs by ids (account, Region,
//! workload, lens, pillar, question, choice), so rows may be sorted or
//! moved and columns reordered or hidden; the titles beside the ids are for
//! people and are never read back. A row is one of four kinds, told by
//! which ids it has:
//!
//! - a **lens** row (no pillar): the lens notes;
//! - a **pillar** row (a pillar, no question): the pillar notes;
//! - a **question** row (a question, no choice): whether it applies
//!   (`State` APPLICABLE or NOT_APPLICABLE), why not (`Reason`), its notes,
//!   and the risk the service worked out (read only);
//! - a **choice** row: the choice's state (SELECTED, UNSELECTED,
//!   NOT_APPLICABLE), why it does not apply, and its notes.
//!
//! One file holds any number of workloads and lenses. A review template's
//! review has the same rows, its ARN in `ReviewTemplateArn` where a
//! workload's name and id would be.

pub mod decide;
pub mod diff;
pub mod journal;
pub mod read;
pub mod report;
pub mod sheet;
pub mod subject;
pub mod templates;
pub mod work;
pub mod write;

/// The columns of the answers sheet, in the order export writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Account,
    Region,
    WorkloadName,
    WorkloadId,
    ReviewTemplateArn,
    Lens,
    LensVersion,
    PillarId,
    QuestionId,
    QuestionTitle,
    ChoiceId,
    ChoiceTitle,
    State,
    Reason,
    Notes,
    Risk,
}

impl Column {
    pub const ALL: [Column; 16] = [
        Column::Account,
        Column::Region,
        Column::WorkloadName,
        Column::WorkloadId,
        Column::ReviewTemplateArn,
        Column::Lens,
        Column::LensVersion,
        Column::PillarId,
        Column::QuestionId,
        Column::QuestionTitle,
        Column::ChoiceId,
        Column::ChoiceTitle,
        Column::State,
        Column::Reason,
        Column::Notes,
        Column::Risk,
    ];

    /// The header, as export writes it.
    pub fn header(self) -> &'static str {
        HEADERS[self as usize]
    }
}

/// The headers of the columns, in [`Column::ALL`]'s order.
pub const HEADERS: [&str; 16] = [
    "Account",
    "Region",
    "WorkloadName",
    "WorkloadId",
    "ReviewTemplateArn",
    "Lens",
    "LensVersion",
    "PillarId",
    "QuestionId",
    "QuestionTitle",
    "ChoiceId",
    "ChoiceTitle",
    "State",
    "Reason",
    "Notes",
    "Risk",
];

/// A choice's state, or a question's applicability, as the `State` cell
/// holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Selected,
    Unselected,
    NotApplicable,
    /// A question that applies.
    Applicable,
}

impl State {
    pub const ALL: [State; 4] = [State::Selected, State::Unselected, State::NotApplicable, State::Applicable];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Selected => "SELECTED",
            State::Unselected => "UNSELECTED",
            State::NotApplicable => "NOT_APPLICABLE",
            State::Applicable => "APPLICABLE",
        }
    }

    /// The state a cell names: its API spelling, ignoring case, spaces,
    /// dashes and underscores (`Not applicable` too).
    pub fn named(cell: &str) -> Option<State> {
        let squashed: String =
            cell.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect();
        State::ALL.into_iter().find(|state| state.as_str().replace('_', "") == squashed)
    }

    /// The state a choice's status (as the API spells it) names.
    pub fn of_choice_status(status: &str) -> State {
        match status {
            "SELECTED" => State::Selected,
            "NOT_APPLICABLE" => State::NotApplicable,
            _ => State::Unselected,
        }
    }
}

/// The reasons a question or a choice may not apply (AnswerReason and
/// ChoiceReason have the same values).
pub const REASONS: [&str; 5] =
    ["OUT_OF_SCOPE", "BUSINESS_PRIORITIES", "ARCHITECTURE_CONSTRAINTS", "OTHER", "NONE"];

/// The most a question's, a lens's or a pillar's notes hold (Notes).
pub const NOTES_LIMIT: usize = 2084;
/// The most a choice's notes hold (ChoiceNotes).
pub const CHOICE_NOTES_LIMIT: usize = 250;

/// Which workload and lens review a row belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewKey {
    pub account: String,
    pub region: String,
    pub workload_name: String,
    pub workload_id: String,
    /// A review template's ARN, for a template's review (then no workload).
    pub template_arn: String,
    /// The alias of an official lens, the ARN of a custom one.
    pub lens: String,
    pub lens_version: String,
}

/// One row of the answers sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerRow {
    pub pillar_id: String,
    pub question_id: String,
    pub question_title: String,
    pub choice_id: String,
    pub choice_title: String,
    pub state: Option<State>,
    pub reason: String,
    /// `None` where notes were not read (`--no-notes`).
    pub notes: Option<String>,
    pub risk: String,
}

impl AnswerRow {
    /// The cell of `column`, with the review's own cells from `key`.
    pub fn cell<'a>(&'a self, key: &'a ReviewKey, column: Column) -> &'a str {
        match column {
            Column::Account => &key.account,
            Column::Region => &key.region,
            Column::WorkloadName => &key.workload_name,
            Column::WorkloadId => &key.workload_id,
            Column::ReviewTemplateArn => &key.template_arn,
            Column::Lens => &key.lens,
            Column::LensVersion => &key.lens_version,
            Column::PillarId => &self.pillar_id,
            Column::QuestionId => &self.question_id,
            Column::QuestionTitle => &self.question_title,
            Column::ChoiceId => &self.choice_id,
            Column::ChoiceTitle => &self.choice_title,
            Column::State => self.state.map_or("", State::as_str),
            Column::Reason => &self.reason,
            Column::Notes => self.notes.as_deref().unwrap_or(""),
            Column::Risk => &self.risk,
        }
    }
}

/// One lens review as rows: its lens row, pillar rows and question and
/// choice rows, in the lens's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRows {
    pub key: ReviewKey,
    pub rows: Vec<AnswerRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_its_own_header_and_states_their_api_names() {
        let mut headers: Vec<&str> = Column::ALL.iter().map(|column| column.header()).collect();
        headers.sort_unstable();
        headers.dedup();
        assert_eq!(headers.len(), Column::ALL.len());
        for state in [State::Selected, State::Unselected, State::NotApplicable] {
            assert_eq!(State::of_choice_status(state.as_str()), state);
        }
        assert_eq!(State::named("not applicable"), Some(State::NotApplicable));
        assert_eq!(State::named(" Selected "), Some(State::Selected));
        assert_eq!(State::named("chosen"), None);
        assert_eq!(Column::Risk.header(), "Risk");
    }
}
