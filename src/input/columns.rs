//! Which sheet column fills which API member.
//!
//! Headers match ignoring case, spaces, `_`, `-` and `.` (so `Workload name`,
//! `workload_name`, `WorkloadName` and `JiraConfiguration.JiraProjectKey` all
//! work), a few aliases cover common spreadsheet words, `--map` covers the
//! rest, and `Tag:<key>` columns set one tag each. The same matching finds the
//! header row: the first row in which at least two cells name a member.

use std::collections::HashMap;

use crate::added_columns::{added_block, is_read_only};
use crate::input::InputError;
use crate::model::Field;
use crate::problem::{Code, Column, Problem, Severity, Violation};

/// What a column fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Field(Field),
    /// A `Tag:<key>` column: its cells are the values of tag `<key>`.
    Tag(String),
    /// `Target account`: the account the row's workload lives in.
    TargetAccount,
    /// `Target Region`: the Region the row's workload lives in.
    TargetRegion,
    /// `Share with`: whom the workload is shared with.
    ShareWith,
}

/// The words that name the columns that are not members (squashed).
const TARGET_NAMES: [(&str, Target); 9] = [
    ("sharewith", Target::ShareWith),
    ("sharedwith", Target::ShareWith),
    ("shares", Target::ShareWith),
    ("targetaccount", Target::TargetAccount),
    ("targetaccountid", Target::TargetAccount),
    ("destinationaccount", Target::TargetAccount),
    ("destinationaccountid", Target::TargetAccount),
    ("targetregion", Target::TargetRegion),
    ("destinationregion", Target::TargetRegion),
];

/// The words besides member names that headers may use.
const ALIASES: [(&str, Field); 7] = [
    ("name", Field::WorkloadName),
    ("owner", Field::ReviewOwner),
    ("regions", Field::AwsRegions),
    ("accounts", Field::AccountIds),
    ("accountid", Field::AccountIds),
    ("lens", Field::Lenses),
    ("pillars", Field::PillarPriorities),
];

/// Lower-cases and drops the characters header matching ignores (a `*`
/// too: the template marks required members so).
fn squash(header: &str) -> String {
    header
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '*') && !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The member a header names on its own (without `--map`), if any.
pub fn target_for(header: &str) -> Option<Target> {
    let header = header.trim();
    if let Some(key) = header.get(..4).filter(|p| p.eq_ignore_ascii_case("tag:")) {
        let key = header[key.len()..].trim();
        return (!key.is_empty()).then(|| Target::Tag(key.to_owned()));
    }
    let squashed = squash(header);
    if let Some((_, target)) = TARGET_NAMES.iter().find(|(name, _)| *name == squashed) {
        return Some(target.clone());
    }
    field_named(header).map(Target::Field)
}

/// A member by its name, its path (`DiscoveryConfig.…`) or an alias.
fn field_named(name: &str) -> Option<Field> {
    let squashed = squash(name);
    Field::ALL
        .into_iter()
        .find(|field| squash(field.name()) == squashed || squash(field.api_member()) == squashed)
        .or_else(|| ALIASES.iter().find(|(alias, _)| *alias == squashed).map(|(_, field)| *field))
}

/// Parses one `--map "Header=Field"` option.
pub fn parse_override(spec: &str) -> Result<(String, Target), String> {
    let (header, member) =
        spec.rsplit_once('=').ok_or_else(|| format!("--map {spec:?} needs the form \"Header=Field\""))?;
    let header = header.trim();
    if header.is_empty() {
        return Err(format!("--map {spec:?} names no header before '='"));
    }
    match target_for(member) {
        Some(target) => Ok((header.to_owned(), target)),
        None => {
            let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
            Err(format!(
                "--map {spec:?}: {member:?} is not a CreateWorkload member; use one of {} or Tag:<key>",
                names.join(", ")
            ))
        }
    }
}

/// What makes a row the header row: two or more cells that name columns
/// of the layout read (for workloads, members, `--map` headers included).
#[derive(Debug, Clone, Copy)]
pub struct HeaderRule<'a> {
    pub layout: Layout,
    pub overrides: &'a [(String, Target)],
}

impl HeaderRule<'static> {
    /// Workloads, with no `--map`.
    pub const WORKLOADS: HeaderRule<'static> = HeaderRule { layout: Layout::Workloads, overrides: &[] };
}

impl HeaderRule<'_> {
    /// How many cells of a candidate header row name a column.
    pub fn recognised_cells<'c>(&self, cells: impl IntoIterator<Item = &'c str>) -> usize {
        cells.into_iter().filter(|cell| self.names_a_column(cell)).count()
    }

    fn names_a_column(&self, header: &str) -> bool {
        match self.layout {
            Layout::Workloads => resolve(header, self.overrides).is_some(),
            Layout::Columns(names) => named_column(names, header).is_some(),
        }
    }

    /// Whether a row is taken for the header row.
    pub fn looks_like_header<'c>(&self, cells: impl IntoIterator<Item = &'c str>) -> bool {
        self.recognised_cells(cells) >= 2
    }
}

/// Which kind of sheet is read: workloads (a column per member), or a
/// layout of its own named columns (the answers sheet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    #[default]
    Workloads,
    Columns(&'static [&'static str]),
}

impl Layout {
    /// A few of the layout's headers, for a message about a header row.
    pub fn example(self) -> String {
        match self {
            Layout::Workloads => {
                "WorkloadName, Description, Environment, ReviewOwner, Lenses, AwsRegions".into()
            }
            Layout::Columns(names) => names.join(", "),
        }
    }
}

/// The index in `names` of the column `header` names, ignoring case,
/// spaces, underscores and dashes.
pub fn named_column(names: &[&str], header: &str) -> Option<usize> {
    let squashed = squash(header);
    names.iter().position(|name| squash(name) == squashed)
}

fn resolve(header: &str, overrides: &[(String, Target)]) -> Option<Target> {
    let squashed = squash(header);
    overrides
        .iter()
        .find(|(from, _)| squash(from) == squashed)
        .map(|(_, target)| target.clone())
        .or_else(|| target_for(header))
}

/// The columns of one input, resolved against its header row.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    headers: Vec<String>,
    targets: Vec<Option<Target>>,
    by_field: HashMap<Field, usize>,
    by_tag: HashMap<String, usize>,
    /// How many of the first columns are the sheet's own: all but the
    /// columns a wa-bulk report added after them.
    own_width: usize,
    target_account: Option<usize>,
    target_region: Option<usize>,
    share_with: Option<usize>,
}

/// Columns the input must have for any row to be valid.
const REQUIRED_COLUMNS: [Field; 5] =
    [Field::WorkloadName, Field::Description, Field::Environment, Field::ReviewOwner, Field::Lenses];

impl ColumnMap {
    /// Resolves every header. Returns the map and the headers nothing matched.
    pub fn new(
        file: &str,
        headers: Vec<String>,
        overrides: &[(String, Target)],
    ) -> Result<(ColumnMap, Vec<String>), InputError> {
        let mut map = ColumnMap {
            targets: Vec::with_capacity(headers.len()),
            by_field: HashMap::new(),
            by_tag: HashMap::new(),
            headers: Vec::new(),
            own_width: headers.len() - added_block(&headers),
            target_account: None,
            target_region: None,
            share_with: None,
        };
        let mut unknown = Vec::new();
        for (index, header) in headers.iter().enumerate() {
            let own = index < map.own_width;
            let target = if own { resolve(header, overrides) } else { None };
            if let Some(earlier) = map.place(index, target.as_ref()) {
                return Err(InputError::DuplicateColumn {
                    file: file.to_owned(),
                    first: headers[earlier].trim().to_owned(),
                    second: header.trim().to_owned(),
                });
            }
            if own && target.is_none() && !header.trim().is_empty() && !is_read_only(header) {
                unknown.push(header.trim().to_owned());
            }
            map.targets.push(target);
        }
        map.headers = headers.into_iter().map(|h| h.trim().to_owned()).collect();
        let missing = map.missing_required();
        if !missing.is_empty() {
            return Err(InputError::MissingColumns {
                file: file.to_owned(),
                missing: missing.join(", "),
                found: map.headers.join(", "),
                hint: "rename a column or use --map \"Header=Field\"",
            });
        }
        Ok((map, unknown))
    }

    /// Notes that column `index` fills `target`; the column that filled it
    /// already, if one did.
    fn place(&mut self, index: usize, target: Option<&Target>) -> Option<usize> {
        match target? {
            Target::Field(field) => self.by_field.insert(*field, index),
            Target::Tag(key) => self.by_tag.insert(key.clone(), index),
            Target::TargetAccount => self.target_account.replace(index),
            Target::TargetRegion => self.target_region.replace(index),
            Target::ShareWith => self.share_with.replace(index),
        }
    }

    /// The required members no column fills.
    fn missing_required(&self) -> Vec<&'static str> {
        let mut missing: Vec<&str> = REQUIRED_COLUMNS
            .iter()
            .filter(|field| !self.by_field.contains_key(field))
            .map(|field| field.name())
            .collect();
        if !self.by_field.contains_key(&Field::AwsRegions)
            && !self.by_field.contains_key(&Field::NonAwsRegions)
        {
            missing.push("AwsRegions or NonAwsRegions");
        }
        missing
    }

    /// How many columns the header row has.
    pub fn width(&self) -> usize {
        self.headers.len()
    }

    /// The sheet's own headers: without the columns a wa-bulk report added.
    pub fn own_headers(&self) -> &[String] {
        &self.headers[..self.own_width]
    }

    /// The header of a column as the sheet spells it.
    pub fn header(&self, column: usize) -> &str {
        self.headers.get(column).map_or("", String::as_str)
    }

    /// Every column with what it fills, in sheet order.
    pub fn targets(&self) -> impl Iterator<Item = (usize, &Target)> {
        self.targets.iter().enumerate().filter_map(|(column, target)| target.as_ref().map(|t| (column, t)))
    }

    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.by_field.get(&field).copied()
    }

    /// The `Share with` column, if the sheet has one.
    pub fn share_column(&self) -> Option<usize> {
        self.share_with
    }

    /// Whether the sheet has a target column: rows may name where they go.
    pub fn has_targets(&self) -> bool {
        self.target_account.is_some() || self.target_region.is_some()
    }

    /// A problem about one cell.
    pub fn cell_problem(&self, row: u64, column: usize, code: Code, detail: String) -> Problem {
        let member = match self.targets.get(column) {
            Some(Some(Target::Field(field))) => Some(field.api_member()),
            Some(Some(Target::Tag(_))) => Some("Tags"),
            _ => None,
        };
        Problem {
            row,
            column: Some(Column { index: column, header: self.header(column).to_owned() }),
            member,
            code,
            severity: Severity::Error,
            detail,
        }
    }

    /// Ties a rule's violation to the column its value came from.
    pub fn problem(&self, row: u64, violation: Violation) -> Problem {
        let column = violation
            .tag_key
            .as_ref()
            .and_then(|key| self.by_tag.get(key))
            .or_else(|| self.by_field.get(&violation.field))
            .map(|&column| Column { index: column, header: self.headers[column].clone() });
        Problem {
            row,
            column,
            member: Some(violation.field.api_member()),
            code: violation.code,
            severity: violation.severity,
            detail: violation.detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(header: &str) -> Option<Field> {
        match target_for(header)? {
            Target::Field(field) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn target_columns_are_not_members_and_two_of_one_are_refused() {
        assert_eq!(target_for("Target account"), Some(Target::TargetAccount));
        assert_eq!(target_for("target_region"), Some(Target::TargetRegion));
        assert_eq!(target_for("Destination Account ID"), Some(Target::TargetAccount));
        assert_eq!(field("Target account"), None, "not AccountIds");
        let mut names = COMPLETE.to_vec();
        names.extend(["Target Region", "Destination region"]);
        assert!(ColumnMap::new("f.csv", headers(&names), &[]).is_err());
        let mapped = [parse_override("Where=Target Region").unwrap()];
        assert_eq!(mapped[0].1, Target::TargetRegion);
    }

    #[test]
    fn headers_match_ignoring_case_spaces_underscores_and_dashes() {
        for header in ["Workload name", "workload_name", "WorkloadName", " WORKLOAD-NAME "] {
            assert_eq!(field(header), Some(Field::WorkloadName), "{header}");
        }
        assert_eq!(field("Non-AWS regions"), Some(Field::NonAwsRegions));
        assert_eq!(field("JiraConfiguration.JiraProjectKey"), Some(Field::JiraProjectKey));
        assert_eq!(field("Trusted Advisor integration status"), Some(Field::TrustedAdvisorIntegrationStatus));
        assert_eq!(field("Cost centre"), None);
    }

    #[test]
    fn aliases_name_their_members() {
        let expected = [
            ("Name", Field::WorkloadName),
            ("Owner", Field::ReviewOwner),
            ("Regions", Field::AwsRegions),
            ("Accounts", Field::AccountIds),
            ("Account IDs", Field::AccountIds),
            ("Lens", Field::Lenses),
            ("Pillars", Field::PillarPriorities),
        ];
        for (header, member) in expected {
            assert_eq!(field(header), Some(member), "{header}");
        }
    }

    #[test]
    fn tag_columns_keep_their_key() {
        assert_eq!(target_for("Tag:cost-center"), Some(Target::Tag("cost-center".into())));
        assert_eq!(target_for("tag: Team Name "), Some(Target::Tag("Team Name".into())));
        assert_eq!(target_for("Tag:"), None);
    }

    #[test]
    fn map_options_name_a_member_or_a_tag() {
        assert_eq!(
            parse_override("App=WorkloadName"),
            Ok(("App".into(), Target::Field(Field::WorkloadName)))
        );
        assert_eq!(parse_override("CC = Tag:cost"), Ok(("CC".into(), Target::Tag("cost".into()))));
        assert!(parse_override("App").unwrap_err().contains("Header=Field"));
        assert!(parse_override("App=Colour").unwrap_err().contains("not a CreateWorkload member"));
    }

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    const COMPLETE: [&str; 6] = ["Name", "Description", "Environment", "Owner", "Lenses", "Regions"];

    #[test]
    fn a_complete_header_resolves_and_reports_unknown_columns() {
        let mut names = COMPLETE.to_vec();
        names.extend(["Colour", "", "Tag:team"]);
        let (map, unknown) = ColumnMap::new("f.csv", headers(&names), &[]).unwrap();
        assert_eq!(unknown, ["Colour"]);
        assert_eq!(map.column_of(Field::Lenses), Some(4));
        assert_eq!(map.targets().count(), 7);
    }

    #[test]
    fn overrides_win_over_built_in_names() {
        let mut names = COMPLETE.to_vec();
        names.push("Cost Centre");
        let overrides = [parse_override("cost centre=Tag:CostCenter").unwrap()];
        let (map, unknown) = ColumnMap::new("f.csv", headers(&names), &overrides).unwrap();
        assert!(unknown.is_empty());
        assert_eq!(map.targets().last().unwrap().1, &Target::Tag("CostCenter".into()));
    }

    #[test]
    fn missing_required_columns_are_all_named() {
        let error = ColumnMap::new("f.csv", headers(&["Name", "Lenses"]), &[]).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("Description, Environment, ReviewOwner, AwsRegions or NonAwsRegions"),
            "{message}"
        );
        assert!(message.contains("f.csv"), "{message}");
    }

    #[test]
    fn two_columns_for_one_member_are_refused() {
        let mut names = COMPLETE.to_vec();
        names.push("Workload name");
        let error = ColumnMap::new("f.csv", headers(&names), &[]).unwrap_err();
        assert!(error.to_string().contains("\"Name\" and \"Workload name\""), "{error}");
    }

    #[test]
    fn header_rows_need_two_recognised_cells() {
        let workloads = HeaderRule::WORKLOADS;
        assert!(workloads.looks_like_header(["Name", "Owner", "x"]));
        assert!(!workloads.looks_like_header(["Workloads exported 2026-11-01", "", ""]));
        let answers =
            HeaderRule { layout: Layout::Columns(&["QuestionId", "ChoiceId", "State"]), overrides: &[] };
        assert!(answers.looks_like_header(["question_id", "Choice ID", "Name"]));
        assert!(!answers.looks_like_header(["Name", "Owner", "State"]));
    }
}
