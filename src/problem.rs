//! What is wrong with a row, in words a spreadsheet owner understands.
//!
//! Readers, the mapping and the validator all speak of problems the same way:
//! the row, the source column, the API member, what is wrong and what is
//! allowed. Keeping one type means the report, the terminal and the emulator
//! phrase them alike.

use std::fmt;

use crate::model::Field;

/// Whether a problem makes the row invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    /// Reported, but the row stays valid (an unknown pillar, say).
    Warning,
}

/// The short code of a problem, written to the report's `error_code` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    MissingValue,
    TooShort,
    TooLong,
    InvalidFormat,
    NotAllowedValue,
    TooFewItems,
    TooManyItems,
    DuplicateName,
    InvalidRegion,
    UnknownPillar,
    ReservedTagKey,
    DuplicateTagKey,
    InvalidTag,
    DigitsLost,
    ExcelError,
    InvalidUtf8,
    InvalidEncoding,
    CellTooLarge,
    RaggedRow,
    UnclosedQuote,
    /// A lens, profile or review template that does not exist where the
    /// row goes (or, offline, that is no lens wa-bulk knows).
    UnknownReference,
    /// `(none)` in a member that cannot be emptied, or in a row that creates.
    CannotClear,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MissingValue => "MissingValue",
            Code::TooShort => "TooShort",
            Code::TooLong => "TooLong",
            Code::InvalidFormat => "InvalidFormat",
            Code::NotAllowedValue => "NotAllowedValue",
            Code::TooFewItems => "TooFewItems",
            Code::TooManyItems => "TooManyItems",
            Code::DuplicateName => "DuplicateName",
            Code::InvalidRegion => "InvalidRegion",
            Code::UnknownPillar => "UnknownPillar",
            Code::ReservedTagKey => "ReservedTagKey",
            Code::DuplicateTagKey => "DuplicateTagKey",
            Code::InvalidTag => "InvalidTag",
            Code::DigitsLost => "DigitsLost",
            Code::ExcelError => "ExcelError",
            Code::InvalidUtf8 => "InvalidUtf8",
            Code::InvalidEncoding => "InvalidEncoding",
            Code::CellTooLarge => "CellTooLarge",
            Code::RaggedRow => "RaggedRow",
            Code::UnclosedQuote => "UnclosedQuote",
            Code::UnknownReference => "UnknownReference",
            Code::CannotClear => "CannotClear",
        }
    }
}

/// A problem of one member, before it is tied to a row and a source column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: Field,
    /// For tag problems: which tag, so the right `Tag:<key>` column is named.
    pub tag_key: Option<String>,
    pub code: Code,
    pub severity: Severity,
    pub detail: String,
}

/// The sheet column a problem is in: where it stands, and its header as the
/// sheet spells it (a report sink may mark the cell, a message names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub index: usize,
    pub header: String,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: u64,
    /// The source column, when one applies.
    pub column: Option<Column>,
    /// The `CreateWorkloadInput` member, e.g. `JiraConfiguration.JiraProjectKey`.
    pub member: Option<&'static str>,
    pub code: Code,
    pub severity: Severity,
    /// What is wrong and what is allowed.
    pub detail: String,
}

impl Problem {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.row)?;
        match (self.column.as_ref().map(|column| &column.header), self.member) {
            (Some(column), Some(member)) => write!(f, ", column \"{column}\" ({member})")?,
            (Some(column), None) => write!(f, ", column \"{column}\"")?,
            (None, Some(member)) => write!(f, ", {member} (no column)")?,
            (None, None) => {}
        }
        if self.severity == Severity::Warning {
            f.write_str(": warning")?;
        }
        write!(f, ": {}", self.detail)
    }
}

/// Quotes a cell value for a message, shortening long ones.
pub fn quoted(value: &str) -> String {
    const SHOWN: usize = 40;
    if value.chars().count() <= SHOWN {
        format!("\"{value}\"")
    } else {
        let head: String = value.chars().take(SHOWN).collect();
        format!("\"{head}…\"")
    }
}

/// The candidate most like `wanted`, if one is close enough to be what was
/// meant (a typo, a letter missing, case), for a `did you mean …?`.
pub fn closest<'c>(wanted: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let wanted = wanted.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (strsim::normalized_damerau_levenshtein(&wanted, &candidate.to_lowercase()), candidate)
        })
        .filter(|(likeness, _)| *likeness >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// `1 row`, `2 rows`: a count and its noun, singular or plural.
pub fn count(number: u64, one: &str, many: &str) -> String {
    format!("{number} {}", if number == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_candidate_is_offered_only_when_it_is_close() {
        let lenses = ["wellarchitected", "serverless", "softwareasaservice"];
        assert_eq!(closest("wellarchitectd", lenses), Some("wellarchitected"));
        assert_eq!(closest("serverles", lenses), Some("serverless"));
        assert_eq!(closest("Serverless", lenses), Some("serverless"));
        assert_eq!(closest("genai", lenses), None);
        assert_eq!(count(1, "row", "rows"), "1 row");
        assert_eq!(count(2, "row", "rows"), "2 rows");
    }

    fn problem(column: Option<&str>, member: Option<&'static str>, severity: Severity) -> Problem {
        Problem {
            row: 14,
            column: column.map(|header| Column { index: 3, header: header.to_owned() }),
            member,
            code: Code::TooShort,
            severity,
            detail: "is too short".into(),
        }
    }

    #[test]
    fn names_row_column_and_member() {
        let shown = problem(Some("Account IDs"), Some("AccountIds"), Severity::Error).to_string();
        assert_eq!(shown, "row 14, column \"Account IDs\" (AccountIds): is too short");
        let missing = problem(None, Some("ReviewOwner"), Severity::Error).to_string();
        assert_eq!(missing, "row 14, ReviewOwner (no column): is too short");
        let warning = problem(Some("Pillars"), None, Severity::Warning).to_string();
        assert_eq!(warning, "row 14, column \"Pillars\": warning: is too short");
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        assert_eq!(quoted("abc"), "\"abc\"");
        let long = "x".repeat(100);
        assert_eq!(quoted(&long), format!("\"{}…\"", "x".repeat(40)));
    }
}
