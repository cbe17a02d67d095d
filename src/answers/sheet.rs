//! Reading the answers sheet back: the columns found by their headers
//! (in any order, any case; unknown ones left out with a warning), then
//! each row checked on its own (its kind, its state, its reason, the
//! lengths the API allows) and against the other rows of its question (a
//! row given twice, "None of these" selected beside another choice). Every
//! problem names the file's row and column, as a workload sheet's do.

use std::collections::{BTreeMap, HashMap};

use super::{CHOICE_NOTES_LIMIT, Column, HEADERS, NOTES_LIMIT, REASONS, ReviewKey, State};
use crate::input::columns::named_column;
use crate::input::mapping::{NamedColumns, issue_problem, trim_cell};
use crate::input::{InputError, InputOptions, Layout, RawRow, RowSource, open_sheet};
use crate::problem::{Code, Problem, Severity, quoted};

/// The answers sheet's layout, for the readers' header search.
pub const LAYOUT: Layout = Layout::Columns(&HEADERS);

/// The most characters an id may have: QuestionId and LensAlias 128,
/// PillarId and ChoiceId 64 (the model's lengths).
fn id_limit(column: Column) -> usize {
    match column {
        Column::QuestionId | Column::Lens => 128,
        _ => 64,
    }
}

/// Where each column of the layout is in the sheet read.
pub struct AnswerColumns {
    headers: Vec<String>,
    at: [Option<usize>; HEADERS.len()],
}

impl AnswerColumns {
    /// The columns of `headers`; Lens and QuestionId are required, two
    /// headers naming one column are refused. The unknown ones, to warn of.
    pub fn new(file: &str, headers: Vec<String>) -> Result<(AnswerColumns, Vec<String>), InputError> {
        let mut at: [Option<usize>; HEADERS.len()] = [None; HEADERS.len()];
        let mut unknown = Vec::new();
        // The columns `--failures` adds are left out without a word.
        let own = headers.len() - crate::added_columns::added_block(&headers);
        for (index, header) in headers.iter().enumerate().take(own) {
            match named_column(&HEADERS, header) {
                Some(column) if let Some(first) = at[column] => {
                    return Err(InputError::DuplicateColumn {
                        file: file.to_owned(),
                        first: headers[first].clone(),
                        second: header.clone(),
                    });
                }
                Some(column) => at[column] = Some(index),
                None if header.trim().is_empty() => {}
                None => unknown.push(quoted(header)),
            }
        }
        let columns = AnswerColumns { headers, at };
        let missing: Vec<&str> = [Column::Lens, Column::QuestionId]
            .into_iter()
            .filter(|column| !columns.has(*column))
            .map(Column::header)
            .collect();
        if !missing.is_empty() {
            return Err(InputError::MissingColumns {
                file: file.to_owned(),
                missing: missing.join(", "),
                found: columns.headers.join(", "),
                hint: "an answers sheet has the columns `wa-bulk answers export` writes",
            });
        }
        Ok((columns, unknown))
    }

    pub fn has(&self, column: Column) -> bool {
        self.at[column as usize].is_some()
    }

    /// The trimmed cell of `column` in `raw`; empty where the sheet has no
    /// such column.
    fn cell<'r>(&self, raw: &'r RawRow, column: Column) -> &'r str {
        self.at[column as usize].and_then(|index| raw.cells.get(index)).map_or("", trim_cell)
    }

    fn problem(&self, row: u64, column: Column, code: Code, detail: String) -> Problem {
        let index = self.at[column as usize].unwrap_or(usize::MAX);
        NamedColumns::cell_problem(self, row, index, code, detail)
    }
}

impl NamedColumns for AnswerColumns {
    fn cell_problem(&self, row: u64, column: usize, code: Code, detail: String) -> Problem {
        let column = self
            .headers
            .get(column)
            .map(|header| crate::problem::Column { index: column, header: header.clone() });
        Problem { row, column, member: None, code, severity: Severity::Error, detail }
    }

    fn width(&self) -> usize {
        self.headers.len()
    }

    fn key_names(&self) -> &'static str {
        "column of the answers sheet"
    }
}

/// What a row is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The lens notes.
    Lens,
    /// A pillar's notes.
    Pillar { pillar: String },
    /// Whether a question applies, why not, its notes.
    Question { question: String },
    /// A choice's state, reason and notes.
    Choice { question: String, choice: String },
}

/// One row, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerLine {
    pub row: u64,
    pub key: ReviewKey,
    pub pillar: String,
    pub kind: Kind,
    /// `None`: blank (APPLICABLE for a question, UNSELECTED for a choice).
    pub state: Option<State>,
    pub reason: Option<String>,
    /// `None` where the sheet has no Notes column.
    pub notes: Option<String>,
}

impl AnswerLine {
    /// The state the row asks for, a blank cell read as its default.
    pub fn state_or_default(&self) -> State {
        match (&self.kind, self.state) {
            (_, Some(state)) => state,
            (Kind::Choice { .. }, None) => State::Unselected,
            (_, None) => State::Applicable,
        }
    }
}

/// A sheet opened for reading.
pub struct AnswerSheet {
    pub columns: AnswerColumns,
    pub rows: Box<dyn RowSource>,
    pub warnings: Vec<String>,
}

/// Opens the answers sheet of `options` (its layout set here).
pub fn open(options: &InputOptions) -> Result<AnswerSheet, InputError> {
    let options = InputOptions { layout: LAYOUT, ..options.clone() };
    let file = options.path.display().to_string();
    let ((columns, unknown), rows) = open_sheet(&options, |headers| AnswerColumns::new(&file, headers))?;
    let mut warnings = Vec::new();
    if !unknown.is_empty() {
        warnings.push(format!("{file}: ignoring unknown columns {}", unknown.join(", ")));
    }
    if !columns.has(Column::Notes) {
        warnings.push(format!("{file}: no Notes column: every note is left as it is"));
    }
    Ok(AnswerSheet { columns, rows, warnings })
}

/// The problems of the rows that have some, by row.
pub type ProblemsByRow = BTreeMap<u64, Vec<Problem>>;

/// Every row read and checked: the valid lines, and the problems of the
/// others by row.
pub fn read_all(sheet: &mut AnswerSheet) -> Result<(Vec<AnswerLine>, ProblemsByRow), InputError> {
    let (mut lines, mut problems) = (Vec::new(), ProblemsByRow::new());
    while let Some(raw) = sheet.rows.next_row()? {
        if raw.is_blank() {
            continue;
        }
        match read_line(&sheet.columns, &raw) {
            Ok(line) => lines.push(line),
            Err(found) => {
                problems.insert(raw.row, found);
            }
        }
    }
    for (row, found) in check_across(&lines, &sheet.columns) {
        problems.entry(row).or_default().extend(found);
    }
    lines.retain(|line| !problems.contains_key(&line.row));
    Ok((lines, problems))
}

/// Reads and checks one row on its own.
pub fn read_line(columns: &AnswerColumns, raw: &RawRow) -> Result<AnswerLine, Vec<Problem>> {
    let mut problems: Vec<Problem> =
        raw.issues.iter().map(|issue| issue_problem(columns, raw, issue)).collect();
    problems.retain(Problem::is_error);
    if raw.issues.iter().any(|issue| issue.is_structural()) {
        return Err(problems);
    }
    let row = raw.row;
    let cell = |column| columns.cell(raw, column);
    check_ids(columns, raw, &mut problems);
    let names_a_workload = !cell(Column::WorkloadName).is_empty() || !cell(Column::WorkloadId).is_empty();
    if names_a_workload && !cell(Column::ReviewTemplateArn).is_empty() {
        let detail = "a row is of a workload or of a review template, not both: clear one".into();
        problems.push(columns.problem(row, Column::ReviewTemplateArn, Code::NotAllowedValue, detail));
    }
    let (question, choice) = (cell(Column::QuestionId).to_owned(), cell(Column::ChoiceId).to_owned());
    let kind = match (question.is_empty(), choice.is_empty(), cell(Column::PillarId)) {
        (true, false, _) => {
            let detail = "a choice row names its question: give the QuestionId".into();
            problems.push(columns.problem(row, Column::QuestionId, Code::MissingValue, detail));
            Kind::Lens
        }
        (false, false, _) => Kind::Choice { question, choice },
        (false, true, _) => Kind::Question { question },
        (true, true, "") => Kind::Lens,
        (true, true, pillar) => Kind::Pillar { pillar: pillar.to_owned() },
    };
    let state = read_state(columns, raw, &kind, &mut problems);
    let reason = read_reason(columns, raw, state, &mut problems);
    let notes = read_notes(columns, raw, &kind, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let key = ReviewKey {
        account: cell(Column::Account).to_owned(),
        region: cell(Column::Region).to_owned(),
        workload_name: cell(Column::WorkloadName).to_owned(),
        workload_id: cell(Column::WorkloadId).to_owned(),
        template_arn: cell(Column::ReviewTemplateArn).to_owned(),
        lens: cell(Column::Lens).to_owned(),
        lens_version: cell(Column::LensVersion).to_owned(),
    };
    Ok(AnswerLine { row, key, pillar: cell(Column::PillarId).to_owned(), kind, state, reason, notes })
}

/// The ids: a lens given, each within the model's length.
fn check_ids(columns: &AnswerColumns, raw: &RawRow, problems: &mut Vec<Problem>) {
    for column in [Column::Lens, Column::PillarId, Column::QuestionId, Column::ChoiceId] {
        let value = columns.cell(raw, column);
        let limit = if column == Column::Lens && value.starts_with("arn:") { 2048 } else { id_limit(column) };
        if value.chars().count() > limit {
            let detail = format!("is longer than {limit} characters");
            problems.push(columns.problem(raw.row, column, Code::TooLong, detail));
        }
    }
    if columns.cell(raw, Column::Lens).is_empty() {
        let detail = "names no lens: give its alias or ARN".into();
        problems.push(columns.problem(raw.row, Column::Lens, Code::MissingValue, detail));
    }
}

/// The Notes cell, within the length of the row's kind; `None` where the
/// sheet has no Notes column.
fn read_notes(
    columns: &AnswerColumns,
    raw: &RawRow,
    kind: &Kind,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let notes = columns.has(Column::Notes).then(|| columns.cell(raw, Column::Notes).to_owned())?;
    let limit = if matches!(kind, Kind::Choice { .. }) { CHOICE_NOTES_LIMIT } else { NOTES_LIMIT };
    let length = notes.chars().count();
    if length > limit {
        let detail = format!("holds {length} characters; notes here hold at most {limit}");
        problems.push(columns.problem(raw.row, Column::Notes, Code::TooLong, detail));
    }
    Some(notes)
}

/// The State cell, which must suit the row's kind.
fn read_state(
    columns: &AnswerColumns,
    raw: &RawRow,
    kind: &Kind,
    problems: &mut Vec<Problem>,
) -> Option<State> {
    let text = columns.cell(raw, Column::State);
    if text.is_empty() {
        return None;
    }
    let allowed: &[State] = match kind {
        Kind::Lens | Kind::Pillar { .. } => &[],
        Kind::Question { .. } => &[State::Applicable, State::NotApplicable],
        Kind::Choice { .. } => &[State::Selected, State::Unselected, State::NotApplicable],
    };
    let state = State::named(text).filter(|state| allowed.contains(state));
    if state.is_none() {
        let detail = match allowed {
            [] => {
                format!("{} on a lens or pillar row, which holds notes only: leave State blank", quoted(text))
            }
            allowed => {
                let names: Vec<&str> = allowed.iter().map(|state| state.as_str()).collect();
                format!("{} is not a state of this row: use {}", quoted(text), names.join(", "))
            }
        };
        problems.push(columns.problem(raw.row, Column::State, Code::NotAllowedValue, detail));
    }
    state
}

/// The Reason cell: one of the API's reasons, and only where the row does
/// not apply.
fn read_reason(
    columns: &AnswerColumns,
    raw: &RawRow,
    state: Option<State>,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let text = columns.cell(raw, Column::Reason);
    if text.is_empty() {
        return None;
    }
    let squashed: String =
        text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect();
    let Some(reason) = REASONS.iter().find(|reason| reason.replace('_', "") == squashed) else {
        let detail = format!("{} is not a reason: use {}", quoted(text), REASONS.join(", "));
        problems.push(columns.problem(raw.row, Column::Reason, Code::NotAllowedValue, detail));
        return None;
    };
    if state != Some(State::NotApplicable) {
        let detail = "a reason says why a question or choice is NOT_APPLICABLE: set State to NOT_APPLICABLE or leave Reason blank".into();
        problems.push(columns.problem(raw.row, Column::Reason, Code::NotAllowedValue, detail));
    }
    Some((*reason).to_owned())
}

/// The workload and lens review a line belongs to.
type ReviewOf = (String, String, String, String, String);

fn review_of(line: &AnswerLine) -> ReviewOf {
    let key = &line.key;
    (
        key.account.clone(),
        key.region.clone(),
        format!("{}\n{}", key.workload_id, key.template_arn),
        key.workload_name.clone(),
        key.lens.clone(),
    )
}

/// The checks across rows: a lens, pillar, question or choice given twice
/// for one workload; "None of these" (`{question}_no`) selected beside
/// another choice of its question. The problems, by row.
pub fn check_across(lines: &[AnswerLine], columns: &AnswerColumns) -> ProblemsByRow {
    let mut problems = ProblemsByRow::new();
    let mut seen: HashMap<(ReviewOf, Kind), u64> = HashMap::new();
    let mut selected: HashMap<(ReviewOf, String), Vec<&AnswerLine>> = HashMap::new();
    for line in lines {
        if let Some(first) = seen.insert((review_of(line), line.kind.clone()), line.row) {
            let detail = format!("gives again what row {first} gives (the same workload, lens and row ids)");
            let column =
                if matches!(line.kind, Kind::Choice { .. }) { Column::ChoiceId } else { Column::QuestionId };
            problems.entry(line.row).or_default().push(columns.problem(
                line.row,
                column,
                Code::DuplicateName,
                detail,
            ));
        }
        if let Kind::Choice { question, .. } = &line.kind
            && line.state == Some(State::Selected)
        {
            selected.entry((review_of(line), question.clone())).or_default().push(line);
        }
    }
    for ((_, question), chosen) in selected {
        let none = format!("{question}_no");
        let Some(none_row) =
            chosen.iter().find(|line| matches!(&line.kind, Kind::Choice { choice, .. } if *choice == none))
        else {
            continue;
        };
        if chosen.len() > 1 {
            let detail = format!(
                "{none} (None of these) is SELECTED beside other choices of {question}: choose one or the other"
            );
            problems.entry(none_row.row).or_default().push(columns.problem(
                none_row.row,
                Column::State,
                Code::NotAllowedValue,
                detail,
            ));
        }
    }
    problems
}
