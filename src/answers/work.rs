//! The checked rows of an answers sheet gathered into work: by where they
//! go (their Account and Region cells, or the run's own), then by workload
//! and lens review, then by question, each question's rows becoming one
//! [`AnswerWanted`]. An item of work is what one write would change: a
//! question's answer, or a review's lens and pillar notes.

use std::collections::BTreeMap;

use super::diff::{AnswerWanted, ChoiceWanted};
use super::sheet::{AnswerLine, Kind};
use super::{ReviewKey, State};
use crate::destination::Destination;

/// One question of one review: the rows that give it, and what they ask.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionWork {
    /// The sheet rows, first one first.
    pub rows: Vec<u64>,
    pub wanted: AnswerWanted,
}

/// One workload's review of one lens, as the sheet asks it; with no
/// workload named, a baseline for the workloads a run targets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewWork {
    pub key: ReviewKey,
    /// The lens row's notes, and its row.
    pub lens_notes: Option<(u64, String)>,
    /// Each pillar row's notes, by pillar id.
    pub pillar_notes: BTreeMap<String, (u64, String)>,
    pub questions: BTreeMap<String, QuestionWork>,
}

impl ReviewWork {
    /// Whether the rows name no workload: a baseline.
    pub fn is_baseline(&self) -> bool {
        self.key.workload_id.is_empty()
            && self.key.workload_name.is_empty()
            && self.key.template_arn.is_empty()
    }

    /// The rows of the lens and pillar notes.
    pub fn notes_rows(&self) -> Vec<u64> {
        self.lens_notes
            .iter()
            .map(|(row, _)| *row)
            .chain(self.pillar_notes.values().map(|(row, _)| *row))
            .collect()
    }
}

/// The work of each destination (`None`: the run's own account and
/// Region), reviews in the order the sheet first names them. A row with no
/// Region goes to each of `fan_out` (`--accounts` × `--regions`), or to the
/// run's own account and Region without them.
pub fn gather(
    lines: Vec<AnswerLine>,
    fan_out: &[Destination],
) -> BTreeMap<Option<Destination>, Vec<ReviewWork>> {
    let mut work: BTreeMap<Option<Destination>, Vec<ReviewWork>> = BTreeMap::new();
    for line in lines {
        let destinations: Vec<Option<Destination>> = match (line.key.region.is_empty(), fan_out) {
            (false, _) => {
                vec![Some(Destination { account: line.key.account.clone(), region: line.key.region.clone() })]
            }
            (true, []) => vec![None],
            (true, fan_out) => fan_out.iter().cloned().map(Some).collect(),
        };
        for destination in destinations {
            let reviews = work.entry(destination).or_default();
            let review = match reviews.iter().position(|review| same_review(&review.key, &line.key)) {
                Some(index) => &mut reviews[index],
                None => {
                    reviews.push(ReviewWork { key: line.key.clone(), ..ReviewWork::default() });
                    reviews.last_mut().expect("pushed")
                }
            };
            add(review, line.clone());
        }
    }
    work
}

/// Rows of one review: the same workload (by id when both give one, else
/// by name) and the same lens.
fn same_review(a: &ReviewKey, b: &ReviewKey) -> bool {
    let workload = match (a.workload_id.is_empty(), b.workload_id.is_empty()) {
        (false, false) => a.workload_id == b.workload_id,
        _ => crate::model::name_key(&a.workload_name) == crate::model::name_key(&b.workload_name),
    };
    workload
        && a.template_arn == b.template_arn
        && a.lens == b.lens
        && a.account == b.account
        && a.region == b.region
}

fn add(review: &mut ReviewWork, line: AnswerLine) {
    let row = line.row;
    match line.kind {
        Kind::Lens => review.lens_notes = line.notes.map(|notes| (row, notes)),
        Kind::Pillar { pillar } => {
            if let Some(notes) = line.notes {
                review.pillar_notes.insert(pillar, (row, notes));
            }
        }
        Kind::Question { question } => {
            let work = review.questions.entry(question).or_default();
            work.rows.push(row);
            let applies = line.state != Some(State::NotApplicable);
            work.wanted.applicable = Some((applies, line.reason));
            work.wanted.notes = line.notes;
        }
        Kind::Choice { question, choice } => {
            let work = review.questions.entry(question).or_default();
            work.rows.push(row);
            let state = line.state.unwrap_or(State::Unselected);
            work.wanted.choices.push(ChoiceWanted {
                id: choice,
                state,
                reason: line.reason,
                notes: line.notes,
            });
        }
    }
}
