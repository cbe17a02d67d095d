//! From the cells of one row to a [`WorkloadRequest`].
//!
//! Cells are trimmed and blank ones leave their member out. List cells split
//! on `,` `;` or newlines; the Tags cell takes `key=value` pairs; enum cells
//! accept friendly spellings (`Pre-production`); IndustryType takes its
//! canonical spelling in any case; an account ID that Excel stored as a
//! number gets its leading zeros back. What cannot be mapped is reported as a
//! problem of the row, and so is every issue the reader found.

use crate::destination::{Placement, account_problem, region_problem};
use crate::input::{ColumnMap, JsonIssue, RawRow, ReadIssue, Target, jsonl};
use crate::model::{CLEAR, INDUSTRY_TYPES};
use crate::model::{Field, Text, WorkloadRequest};
use crate::problem::{Code, Problem, Severity, quoted};
use crate::share::parse_entry;

const ACCOUNT_ID_DIGITS: usize = 12;

/// Maps one row: its request and where it goes. Problems of the row's cells
/// are appended to `problems`.
pub fn map_row<'a>(
    columns: &'a ColumnMap,
    raw: &'a RawRow,
    problems: &mut Vec<Problem>,
) -> (WorkloadRequest<'a>, Placement<'a>) {
    problems.extend(raw.issues.iter().map(|issue| issue_problem(columns, raw, issue)));
    let structural = raw.issues.iter().any(ReadIssue::is_structural);
    let mut request = WorkloadRequest::default();
    let mut placement = Placement::default();
    for (column, target) in columns.targets() {
        let cell = trim_cell(raw.cells.get(column).unwrap_or_default());
        if cell.is_empty() {
            continue;
        }
        // A row whose cells may sit in the wrong columns is only named.
        if structural && *target != Target::Field(Field::WorkloadName) {
            continue;
        }
        let problem = |code, detail| columns.cell_problem(raw.row, column, code, detail);
        if cell.eq_ignore_ascii_case(CLEAR) {
            map_clear(target, &mut request, problems, problem);
            continue;
        }
        let typed_as_number = raw.numeric.contains(&column);
        match target {
            Target::Tag(key) => request.tags.push((key.as_str().into(), cell.into())),
            Target::Field(Field::Tags) => map_tags(cell, &mut request, problems, problem),
            Target::Field(Field::AccountIds) => map_account_ids(cell, typed_as_number, &mut request),
            Target::Field(field) if field.is_list() => {
                let items = split_list(cell).map(|item| friendly(*field, item));
                request.list_mut(*field).extend(items);
            }
            Target::Field(field) => request.set_scalar(*field, friendly(*field, cell)),
            Target::TargetAccount => {
                map_target_account(cell, typed_as_number, &mut placement, problems, problem);
            }
            Target::TargetRegion => map_target_region(cell, &mut placement, problems, problem),
            Target::ShareWith => map_shares(cell, &mut placement, problems, problem),
        }
    }
    refuse_sharing_with_owner(columns, raw.row, &placement, problems);
    (request, placement)
}

/// A `(none)` cell: the member is emptied on an update, if UpdateWorkload
/// can empty it.
fn map_clear(
    target: &Target,
    request: &mut WorkloadRequest<'_>,
    problems: &mut Vec<Problem>,
    problem: impl Fn(Code, String) -> Problem,
) {
    match target {
        Target::Field(field) if field.is_clearable() => request.cleared.push(*field),
        _ => {
            let clearable: Vec<&str> =
                Field::ALL.iter().filter(|field| field.is_clearable()).map(|field| field.name()).collect();
            problems.push(problem(
                Code::CannotClear,
                format!(
                    "{CLEAR} empties a member on an update, and this one cannot be emptied (UpdateWorkload \
                     empties only {}): leave the cell blank to keep it as it is",
                    clearable.join(", ")
                ),
            ));
        }
    }
}

/// A `Target account` cell: twelve digits, or the row's place is unknown.
fn map_target_account<'a>(
    cell: &'a str,
    typed_as_number: bool,
    placement: &mut Placement<'a>,
    problems: &mut Vec<Problem>,
    problem: impl Fn(Code, String) -> Problem,
) {
    let account = padded_account(cell, typed_as_number);
    match account_problem(&account) {
        Some(detail) => {
            problems.push(problem(Code::InvalidFormat, detail));
            placement.unusable = true;
        }
        None => placement.account = Some(account),
    }
}

/// A `Target Region` cell: a Region code, or the row's place is unknown.
fn map_target_region<'a>(
    cell: &'a str,
    placement: &mut Placement<'a>,
    problems: &mut Vec<Problem>,
    problem: impl Fn(Code, String) -> Problem,
) {
    match region_problem(cell) {
        Some(detail) => {
            problems.push(problem(Code::InvalidRegion, detail));
            placement.unusable = true;
        }
        None => placement.region = Some(cell.into()),
    }
}

/// A workload is shared from the account that owns it, never with it.
fn refuse_sharing_with_owner(
    columns: &ColumnMap,
    row: u64,
    placement: &Placement<'_>,
    problems: &mut Vec<Problem>,
) {
    if let (Some(account), Some(column)) = (&placement.account, columns.share_column())
        && placement.shares.iter().any(|share| share.with == **account)
    {
        let detail = format!(
            "{} is the row's Target account, which owns the workload: a workload is not shared with its owner",
            quoted(account)
        );
        problems.push(columns.cell_problem(row, column, Code::InvalidFormat, detail));
    }
}

/// A `Share with` cell: entries, each a principal once.
fn map_shares(
    cell: &str,
    placement: &mut Placement<'_>,
    problems: &mut Vec<Problem>,
    problem: impl Fn(Code, String) -> Problem,
) {
    for entry in split_list(cell) {
        match parse_entry(entry) {
            Err(detail) => problems.push(problem(Code::InvalidFormat, detail)),
            Ok(share) if placement.shares.iter().any(|seen| seen.with == share.with) => {
                problems.push(problem(
                    Code::InvalidFormat,
                    format!("{} is listed twice: share with each principal once", quoted(&share.with)),
                ))
            }
            Ok(share) => placement.shares.push(share),
        }
    }
}

/// An account ID that Excel stored as a number, with its leading zeros back.
fn padded_account(item: &str, typed_as_number: bool) -> Text<'_> {
    if typed_as_number && item.len() < ACCOUNT_ID_DIGITS && item.bytes().all(|b| b.is_ascii_digit()) {
        Text::Owned(format!("{item:0>ACCOUNT_ID_DIGITS$}"))
    } else {
        Text::Borrowed(item)
    }
}

/// A Tags cell: `key=value` pairs.
fn map_tags<'a>(
    cell: &'a str,
    request: &mut WorkloadRequest<'a>,
    problems: &mut Vec<Problem>,
    problem: impl Fn(Code, String) -> Problem,
) {
    for pair in split_tags(cell) {
        match pair.split_once('=') {
            Some((key, value)) => request.tags.push((key.trim().into(), value.trim().into())),
            None => problems.push(problem(
                Code::InvalidTag,
                format!("{} is not a key=value pair: write tags like team=payments; env=prod", quoted(pair)),
            )),
        }
    }
}

/// An AccountIds cell. An ID that Excel stored as a number gets its leading
/// zeros back (one in scientific notation has lost its digits, which the
/// rules say).
fn map_account_ids<'a>(cell: &'a str, typed_as_number: bool, request: &mut WorkloadRequest<'a>) {
    request.account_ids.extend(split_list(cell).map(|item| padded_account(item, typed_as_number)));
}

/// An enum value from a friendly spelling (`Pre-production` → `PREPRODUCTION`),
/// IndustryType in its canonical spelling; anything else as written.
fn friendly(field: Field, value: &str) -> Text<'_> {
    let canonical = if field == Field::IndustryType {
        INDUSTRY_TYPES.iter().find(|known| known.eq_ignore_ascii_case(value))
    } else {
        field.enum_values().iter().find(|known| same_enum_value(known, value))
    };
    Text::Borrowed(canonical.map_or(value, |known| known))
}

/// Whether two spellings match ignoring case, spaces, `-` and `_`.
fn same_enum_value(known: &str, written: &str) -> bool {
    let squashed = |text: &str| -> Vec<char> {
        text.chars().filter(|c| !matches!(c, ' ' | '-' | '_')).flat_map(char::to_uppercase).collect()
    };
    known == written || squashed(known) == squashed(written)
}

/// `str::trim`, with a shortcut for the usual cell that starts and ends with
/// a visible ASCII character.
pub fn trim_cell(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// Splits `text` at each byte `ends_here` picks (always an ASCII byte, so
/// the pieces stay valid UTF-8); pieces are trimmed, empty ones dropped.
fn pieces<'a>(text: &'a str, ends_here: impl Fn(&'a str, usize) -> bool) -> impl Iterator<Item = &'a str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        loop {
            let text = rest?;
            let end = text.bytes().enumerate().position(|(at, _)| ends_here(text, at));
            let piece = match end {
                Some(at) => {
                    rest = Some(&text[at + 1..]);
                    &text[..at]
                }
                None => {
                    rest = None;
                    text
                }
            };
            let piece = trim_cell(piece);
            if !piece.is_empty() {
                return Some(piece);
            }
        }
    })
}

/// Items of a list cell: split on `,` `;` or newlines, trimmed, empties
/// dropped; a cell of JSON Lines items, on their separator alone.
pub fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    let joined = joined_items(cell);
    pieces(cell, move |text, at| match text.as_bytes()[at] {
        ITEM_SEPARATOR_BYTE => true,
        b',' | b';' | b'\n' | b'\r' => !joined,
        _ => false,
    })
}

/// The pairs of a Tags cell. Pairs split on `;` and newlines, and on a `,`
/// when what follows it reads `key=` (so `note=a, b` stays one pair); the
/// pairs of a JSON Lines row, on their separator alone.
pub fn split_tags(cell: &str) -> impl Iterator<Item = &str> {
    let joined = joined_items(cell);
    pieces(cell, move |text, at| match text.as_bytes()[at] {
        ITEM_SEPARATOR_BYTE => true,
        b';' | b'\n' | b'\r' => !joined,
        b',' => !joined && starts_a_pair(&text[at + 1..]),
        _ => false,
    })
}

/// The separator of items the JSON Lines reader joins, as a byte.
const ITEM_SEPARATOR_BYTE: u8 = jsonl::ITEM_SEPARATOR as u8;

/// Whether a cell holds items the JSON Lines reader joined.
fn joined_items(cell: &str) -> bool {
    cell.as_bytes().contains(&ITEM_SEPARATOR_BYTE)
}

/// Whether a pair's `key=` comes before the next separator.
fn starts_a_pair(rest: &str) -> bool {
    match rest.find(['=', ',', ';', '\n', '\r']) {
        Some(at) if rest.as_bytes()[at] == b'=' => !rest[..at].trim().is_empty(),
        _ => false,
    }
}

/// The columns of a layout, as problems of a row name them.
pub(crate) trait NamedColumns {
    /// A problem of the cell of `column` in `row`.
    fn cell_problem(&self, row: u64, column: usize, code: Code, detail: String) -> Problem;
    /// How many columns the header row has.
    fn width(&self) -> usize;
    /// What a JSON Lines key must name: `member`, `column`.
    fn key_names(&self) -> &'static str;
}

impl NamedColumns for ColumnMap {
    fn cell_problem(&self, row: u64, column: usize, code: Code, detail: String) -> Problem {
        ColumnMap::cell_problem(self, row, column, code, detail)
    }

    fn width(&self) -> usize {
        ColumnMap::width(self)
    }

    fn key_names(&self) -> &'static str {
        "member"
    }
}

/// The problem a reader found in a row, in its column.
pub(crate) fn issue_problem(columns: &impl NamedColumns, raw: &RawRow, issue: &ReadIssue) -> Problem {
    let row = raw.row;
    match issue {
        ReadIssue::InvalidText { column, encoding: "UTF-8" } => columns.cell_problem(
            row,
            *column,
            Code::InvalidUtf8,
            "is not valid UTF-8 text (the bad bytes show as �): save the sheet as \"CSV UTF-8\", or, if \
             Excel on Windows saved it as \"CSV (Comma delimited)\", read it with --encoding windows-1252"
                .into(),
        ),
        ReadIssue::InvalidText { column, encoding } => columns.cell_problem(
            row,
            *column,
            Code::InvalidEncoding,
            format!(
                "is not valid {encoding} text (the bad bytes show as �): pass the --encoding the file was \
                 saved in (utf-8, windows-1252, utf-16le, …)"
            ),
        ),
        ReadIssue::CellTooLarge { column, bytes } => columns.cell_problem(
            row,
            *column,
            Code::CellTooLarge,
            format!(
                "holds {bytes} bytes, more than the {} MiB a cell may hold (the largest member the API \
                 takes is a few KB); the cell was not read",
                crate::input::CELL_LIMIT >> 20
            ),
        ),
        ReadIssue::ExcelError { column, error } => columns.cell_problem(
            row,
            *column,
            Code::ExcelError,
            format!("holds the Excel error {error}: fix the formula or type the value"),
        ),
        ReadIssue::UnclosedQuote { column, last_line } => columns.cell_problem(
            row,
            *column,
            Code::UnclosedQuote,
            format!(
                "a quote opened in this cell is never closed, so lines {row} to {last_line} were read as one \
                 cell; the lines after line {row} were read again as rows. Close the quote, or write a quote \
                 inside a cell as \"\""
            ),
        ),
        ReadIssue::Json(issue) => json_problem(columns, row, issue),
        ReadIssue::Ragged { cells } => row_problem(
            row,
            Code::RaggedRow,
            format!(
                "has {cells} cells but the header has {}: a cell may hold an unquoted delimiter, or one is missing",
                columns.width()
            ),
        ),
    }
}

/// The problem a JSON Lines line has.
fn json_problem(columns: &impl NamedColumns, row: u64, issue: &JsonIssue) -> Problem {
    match issue {
        JsonIssue::NotJson { detail } => {
            row_problem(row, Code::InvalidFormat, format!("the line is not JSON: {detail}"))
        }
        JsonIssue::NotAnObject { found } => row_problem(
            row,
            Code::InvalidFormat,
            format!("the line is {found}, not an object: write one object a line"),
        ),
        JsonIssue::WrongType { column, found } => columns.cell_problem(
            row,
            *column,
            Code::InvalidFormat,
            format!("is {found}: give a text, or a list of texts"),
        ),
        JsonIssue::UnknownMember { name } => Problem {
            severity: Severity::Warning,
            ..row_problem(
                row,
                Code::InvalidFormat,
                format!("the key {} names no {}: it is left out", quoted(name), columns.key_names()),
            )
        },
    }
}

/// A problem of a whole row (no column).
fn row_problem(row: u64, code: Code, detail: String) -> Problem {
    Problem { row, column: None, member: None, code, severity: Severity::Error, detail }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::columns::parse_override;

    fn columns(headers: &[&str]) -> ColumnMap {
        let headers = headers.iter().map(|h| h.to_string()).collect();
        let overrides = [parse_override("Region=AwsRegions").unwrap()];
        ColumnMap::new("t.csv", headers, &overrides).unwrap().0
    }

    const HEADERS: [&str; 6] = ["Name", "Description", "Environment", "Owner", "Lenses", "Region"];

    fn row(cells: &[&str], numeric: Vec<usize>) -> RawRow {
        RawRow { row: 7, cells: cells.into(), numeric, issues: Vec::new() }
    }

    fn map(
        extra_headers: &[&str],
        extra_cells: &[&str],
        numeric: Vec<usize>,
    ) -> (WorkloadRequest<'static>, Vec<Problem>) {
        let headers: Vec<&str> = HEADERS.iter().chain(extra_headers).copied().collect();
        let base = ["shop", "The shop", "prod", "me", "wellarchitected", "us-east-1"];
        let cells: Vec<&str> = base.iter().chain(extra_cells).copied().collect();
        let mut problems = Vec::new();
        let (columns, raw) = (columns(&headers), row(&cells, numeric));
        let (request, _) = map_row(&columns, &raw, &mut problems);
        (request.into_owned(), problems)
    }

    #[test]
    fn lists_split_on_commas_semicolons_and_newlines() {
        let items: Vec<&str> = split_list(" us-east-1, eu-west-1;\nap-south-1 ,, ").collect();
        assert_eq!(items, ["us-east-1", "eu-west-1", "ap-south-1"]);
        assert_eq!(split_list("é ,\u{a0}ü\u{a0}").collect::<Vec<_>>(), ["é", "ü"]);
        assert_eq!(split_list(" , ;").count(), 0);
    }

    #[test]
    fn tags_split_on_commas_only_before_a_key() {
        let pairs = |cell| split_tags(cell).collect::<Vec<_>>();
        assert_eq!(pairs("team=a, env=prod"), ["team=a", "env=prod"]);
        assert_eq!(pairs("note=a, b"), ["note=a, b"]);
        assert_eq!(pairs("a=1, b; c=2"), ["a=1, b", "c=2"]);
        assert_eq!(pairs("a=1;b=2\nc=3;;"), ["a=1", "b=2", "c=3"]);
        assert_eq!(pairs("url=x=y, n=1"), ["url=x=y", "n=1"]);
        assert_eq!(pairs("k=é, ü=ß"), ["k=é", "ü=ß"]);
    }

    #[test]
    fn the_first_equals_sign_splits_key_from_value() {
        let (request, problems) = map(&["Tags"], &["url=a=b; team = core ; empty="], vec![]);
        assert_eq!(problems, []);
        let tags: Vec<(&str, &str)> = request.tags.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
        assert_eq!(tags, [("url", "a=b"), ("team", "core"), ("empty", "")]);
    }

    #[test]
    fn a_pair_without_equals_is_a_problem_of_the_tags_column() {
        let (_, problems) = map(&["Tags"], &["team=a; oops"], vec![]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, Code::InvalidTag);
        assert_eq!(problems[0].column.as_ref().map(|c| c.header.as_str()), Some("Tags"));
    }

    #[test]
    fn tag_columns_set_their_key() {
        let (request, _) = map(&["Tag:cost-center", "Tag:empty"], &["CC-1", " "], vec![]);
        assert_eq!(request.tags, [("cost-center".into(), "CC-1".into())]);
    }

    #[test]
    fn friendly_enum_values_become_canonical() {
        assert_eq!(friendly(Field::Environment, "Pre-production"), "PREPRODUCTION");
        assert_eq!(friendly(Field::Environment, "production"), "PRODUCTION");
        assert_eq!(friendly(Field::WorkloadResourceDefinition, "App Registry"), "APP_REGISTRY");
        assert_eq!(friendly(Field::WorkloadResourceDefinition, "workload_metadata"), "WORKLOAD_METADATA");
        assert_eq!(friendly(Field::IssueManagementType, "auto"), "AUTO");
        assert_eq!(friendly(Field::Environment, "Staging"), "Staging");
        assert_eq!(friendly(Field::IndustryType, "media & ENTERTAINMENT"), "Media & Entertainment");
        assert_eq!(friendly(Field::IndustryType, "Media and Entertainment"), "Media and Entertainment");
        assert_eq!(friendly(Field::Notes, "prod"), "prod");
    }

    #[test]
    fn account_ids_typed_as_numbers_get_their_zeros_back() {
        let (request, problems) = map(&["Account IDs"], &["12345678901"], vec![6]);
        assert_eq!(problems, []);
        assert_eq!(request.account_ids, ["012345678901"]);
        let (request, _) = map(&["Account IDs"], &["12345678901"], vec![]);
        assert_eq!(request.account_ids, ["12345678901"], "text is never guessed at");
    }

    #[test]
    fn scientific_notation_account_ids_are_kept_as_written_for_the_rules_to_name() {
        let (request, problems) = map(&["Account IDs"], &["1.23457E+11, 123456789012"], vec![]);
        assert_eq!(request.account_ids, ["1.23457E+11", "123456789012"]);
        assert_eq!(problems, []);
    }

    #[test]
    fn nested_members_fill_discovery_and_jira_configuration() {
        let (request, _) = map(
            &["Trusted Advisor integration status", "Workload resource definition", "Jira project key"],
            &["enabled", "Workload metadata; App registry", "OPS"],
            vec![],
        );
        let discovery = request.discovery_config.unwrap();
        assert_eq!(discovery.trusted_advisor_integration_status.as_deref(), Some("ENABLED"));
        assert_eq!(discovery.workload_resource_definition, ["WORKLOAD_METADATA", "APP_REGISTRY"]);
        assert_eq!(request.jira_configuration.unwrap().jira_project_key.as_deref(), Some("OPS"));
    }

    #[test]
    fn blank_cells_leave_members_out() {
        let (request, _) = map(&["Notes", "Industry"], &["  ", ""], vec![]);
        assert_eq!((request.notes, request.industry), (None, None));
    }

    #[test]
    fn a_ragged_row_is_named_but_its_cells_are_not_mapped() {
        let headers = columns(&HEADERS);
        let mut raw = row(&["shop", "The shop", "prod"], vec![]);
        raw.issues.push(ReadIssue::Ragged { cells: 3 });
        let mut problems = Vec::new();
        let (request, _) = map_row(&headers, &raw, &mut problems);
        assert_eq!(request.name(), "shop");
        assert_eq!(request.description, None);
        assert_eq!(
            problems[0].to_string(),
            "row 7: has 3 cells but the header has 6: a cell may hold an unquoted delimiter, or one is missing"
        );
    }
}
