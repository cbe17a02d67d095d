//! What a sheet asks of one question, against what the service holds: the
//! answer to send, or nothing when they agree. A pure function, so the plan
//! and the import decide alike and the tests need no service.
//!
//! The sheet is the answer for the questions it gives: a question row sets
//! whether it applies (blank: it does), why not, and its notes; the choice
//! rows set the selection (by default the choices marked SELECTED become
//! the whole selection; with `merge`, they are added to it) and each
//! choice's state, reason and notes. A question with no choice rows keeps
//! its selection; without a Notes column, notes are kept.

use super::State;

/// A choice as the service holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceNow {
    pub id: String,
    pub state: State,
    pub reason: Option<String>,
    pub notes: String,
}

/// A question's answer as the service holds it (GetAnswer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerNow {
    /// Every choice of the question, in the lens's order.
    pub choices: Vec<ChoiceNow>,
    pub is_applicable: bool,
    pub reason: Option<String>,
    pub notes: String,
}

/// A choice as a row of the sheet asks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceWanted {
    pub id: String,
    pub state: State,
    pub reason: Option<String>,
    /// `None`: keep the notes (no Notes column).
    pub notes: Option<String>,
}

/// What the sheet asks of one question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerWanted {
    /// From the question row: (applies, why not); `None` without one.
    pub applicable: Option<(bool, Option<String>)>,
    /// From the question row; `None`: keep them.
    pub notes: Option<String>,
    pub choices: Vec<ChoiceWanted>,
}

/// The UpdateAnswer that makes the service hold what the sheet asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerUpdate {
    /// The whole selection, when any choice changes.
    pub selected: Option<Vec<String>>,
    /// Each choice whose state, reason or notes change: its whole state.
    pub choice_updates: Vec<ChoiceWanted>,
    pub is_applicable: Option<bool>,
    pub reason: Option<String>,
    pub notes: Option<String>,
    /// What changes, in words: `+ ops_1_choice_2`, `Notes: "a" → "b"`.
    pub shown: Vec<String>,
}

/// The update that brings `now` to what `wanted` asks, `None` when nothing
/// changes; or why the sheet's answer cannot be (a choice the question
/// lacks, "None of these" beside another choice).
pub fn update_for(
    question: &str,
    now: &AnswerNow,
    wanted: &AnswerWanted,
    merge: bool,
) -> Result<Option<AnswerUpdate>, String> {
    if let Some(unknown) =
        wanted.choices.iter().find(|choice| !now.choices.iter().any(|held| held.id == choice.id))
    {
        let known: Vec<&str> = now.choices.iter().map(|choice| choice.id.as_str()).collect();
        return Err(format!("{question} has no choice {} (its choices: {})", unknown.id, known.join(", ")));
    }
    let mut update = AnswerUpdate {
        selected: None,
        choice_updates: Vec::new(),
        is_applicable: None,
        reason: None,
        notes: None,
        shown: Vec::new(),
    };
    let after = choices_after(now, wanted, merge);
    check_none_of_these(question, now, &after)?;
    for (held, (state, reason, notes)) in now.choices.iter().zip(&after) {
        let old_reason = if held.state == State::NotApplicable { held.reason.as_ref() } else { None };
        if (held.state, old_reason, &held.notes) == (*state, reason.as_ref(), notes) {
            continue;
        }
        update.shown.push(choice_change(held, *state, reason.as_deref(), notes));
        let notes = Some(notes.clone());
        update.choice_updates.push(ChoiceWanted {
            id: held.id.clone(),
            state: *state,
            reason: reason.clone(),
            notes,
        });
    }
    if !update.choice_updates.is_empty() {
        let selected = now.choices.iter().zip(&after).filter(|(_, (state, ..))| *state == State::Selected);
        update.selected = Some(selected.map(|(held, _)| held.id.clone()).collect());
    }
    if let Some((applies, reason)) = &wanted.applicable {
        let reason = if *applies { None } else { reason.clone() };
        if *applies != now.is_applicable || reason != now.reason {
            update.is_applicable = Some(*applies);
            update.reason = reason.clone();
            update.shown.push(match applies {
                true => "applicable".to_owned(),
                false => format!("not applicable ({})", reason.as_deref().unwrap_or("no reason")),
            });
        }
    }
    if let Some(notes) = wanted.notes.as_ref().filter(|notes| **notes != now.notes) {
        update.shown.push(format!("Notes: {} → {}", shown(&now.notes), shown(notes)));
        update.notes = Some(notes.clone());
    }
    Ok((!update.shown.is_empty()).then_some(update))
}

/// Each choice's (state, reason, notes) once the sheet is applied.
fn choices_after(
    now: &AnswerNow,
    wanted: &AnswerWanted,
    merge: bool,
) -> Vec<(State, Option<String>, String)> {
    let replaces = !merge && !wanted.choices.is_empty();
    now.choices
        .iter()
        .map(|held| match wanted.choices.iter().find(|choice| choice.id == held.id) {
            Some(choice) => {
                let state = match (merge, choice.state, held.state) {
                    // Merging adds selections and never takes one away.
                    (true, State::Unselected, State::Selected) => State::Selected,
                    (_, state, _) => state,
                };
                let reason = if state == State::NotApplicable { choice.reason.clone() } else { None };
                (state, reason, choice.notes.clone().unwrap_or_else(|| held.notes.clone()))
            }
            None if replaces && held.state == State::Selected => {
                (State::Unselected, None, held.notes.clone())
            }
            None => (held.state, held.reason.clone(), held.notes.clone()),
        })
        .collect()
}

/// How one choice changes, in words.
fn choice_change(held: &ChoiceNow, state: State, reason: Option<&str>, notes: &str) -> String {
    let mut parts = Vec::new();
    if held.state != state {
        parts.push(match state {
            State::Selected => format!("+ {}", held.id),
            _ if held.state == State::Selected => format!("- {}", held.id),
            _ => format!("{}: {} → {}", held.id, held.state.as_str(), state.as_str()),
        });
    } else {
        parts.push(held.id.clone());
    }
    if state == State::NotApplicable && held.reason.as_deref() != reason {
        parts.push(format!("reason {}", reason.unwrap_or("(none)")));
    }
    if held.notes != notes {
        parts.push(format!("notes {} → {}", shown(&held.notes), shown(notes)));
    }
    parts.join(", ")
}

/// "None of these" (`{question}_no`) would be selected beside another choice.
fn check_none_of_these(
    question: &str,
    now: &AnswerNow,
    after: &[(State, Option<String>, String)],
) -> Result<(), String> {
    let none = format!("{question}_no");
    let selected: Vec<&str> = now
        .choices
        .iter()
        .zip(after)
        .filter(|(_, (state, ..))| *state == State::Selected)
        .map(|(held, _)| held.id.as_str())
        .collect();
    if selected.len() > 1 && selected.contains(&none.as_str()) {
        let others: Vec<&str> = selected.into_iter().filter(|id| *id != none).collect();
        return Err(format!("{none} (None of these) would be selected beside {}", others.join(", ")));
    }
    Ok(())
}

fn shown(notes: &str) -> String {
    if notes.is_empty() { "(none)".to_owned() } else { crate::problem::quoted(notes) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now(states: &[(&str, State)]) -> AnswerNow {
        let choices = states
            .iter()
            .map(|(id, state)| ChoiceNow {
                id: (*id).into(),
                state: *state,
                reason: None,
                notes: String::new(),
            })
            .collect();
        AnswerNow { choices, is_applicable: true, reason: None, notes: String::new() }
    }

    fn wanted(choices: &[(&str, State)]) -> AnswerWanted {
        let choices = choices
            .iter()
            .map(|(id, state)| ChoiceWanted {
                id: (*id).into(),
                state: *state,
                reason: None,
                notes: Some(String::new()),
            })
            .collect();
        AnswerWanted { applicable: Some((true, None)), notes: Some(String::new()), choices }
    }

    use State::{NotApplicable, Selected, Unselected};

    #[test]
    fn the_same_answer_is_no_update() {
        let held = now(&[("q_a", Selected), ("q_b", Unselected), ("q_no", Unselected)]);
        let asked = wanted(&[("q_a", Selected), ("q_b", Unselected), ("q_no", Unselected)]);
        assert_eq!(update_for("q", &held, &asked, false), Ok(None));
        assert_eq!(
            update_for("q", &held, &AnswerWanted::default(), false),
            Ok(None),
            "a question row alone, blank"
        );
    }

    #[test]
    fn replacing_selects_and_unselects_and_merging_only_adds() {
        let held = now(&[("q_a", Selected), ("q_b", Unselected), ("q_c", Unselected), ("q_no", Unselected)]);
        let asked = wanted(&[("q_b", Selected)]);
        let update = update_for("q", &held, &asked, false).unwrap().unwrap();
        assert_eq!(update.selected, Some(vec!["q_b".to_owned()]));
        assert_eq!(update.shown, ["- q_a", "+ q_b"]);
        let merged = update_for("q", &held, &asked, true).unwrap().unwrap();
        assert_eq!(merged.selected, Some(vec!["q_a".to_owned(), "q_b".to_owned()]));
        assert_eq!(merged.shown, ["+ q_b"]);
        let unselect = wanted(&[("q_a", Unselected)]);
        assert_eq!(update_for("q", &held, &unselect, true), Ok(None), "merging never unselects");
        let update = update_for("q", &held, &unselect, false).unwrap().unwrap();
        assert_eq!(update.selected, Some(Vec::new()), "unselecting is real");
    }

    #[test]
    fn not_applicable_reasons_and_notes_are_changes_too() {
        let held = now(&[("q_a", Unselected), ("q_no", Unselected)]);
        let mut asked = wanted(&[("q_a", NotApplicable)]);
        asked.choices[0].reason = Some("OUT_OF_SCOPE".into());
        asked.applicable = Some((false, Some("OTHER".into())));
        asked.notes = Some("why".into());
        let update = update_for("q", &held, &asked, false).unwrap().unwrap();
        assert_eq!(update.choice_updates[0].state, NotApplicable);
        assert_eq!(update.choice_updates[0].reason.as_deref(), Some("OUT_OF_SCOPE"));
        assert_eq!((update.is_applicable, update.reason.as_deref()), (Some(false), Some("OTHER")));
        assert_eq!(update.notes.as_deref(), Some("why"));
        assert_eq!(
            update.shown,
            [
                "q_a: UNSELECTED → NOT_APPLICABLE, reason OUT_OF_SCOPE",
                "not applicable (OTHER)",
                "Notes: (none) → \"why\""
            ]
        );
    }

    #[test]
    fn a_choice_the_question_lacks_and_none_of_these_beside_another_are_refused() {
        let held = now(&[("q_a", Selected), ("q_no", Unselected)]);
        let unknown = update_for("q", &held, &wanted(&[("q_z", Selected)]), false).unwrap_err();
        assert!(unknown.contains("q has no choice q_z (its choices: q_a, q_no)"), "{unknown}");
        let none = update_for("q", &held, &wanted(&[("q_no", Selected)]), true).unwrap_err();
        assert!(none.contains("q_no (None of these) would be selected beside q_a"), "{none}");
        assert!(update_for("q", &held, &wanted(&[("q_no", Selected)]), false).is_ok(), "replacing: alone");
    }
}
