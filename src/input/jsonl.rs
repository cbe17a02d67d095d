//! JSON Lines (`.jsonl`, `.ndjson`): one CreateWorkload-shaped object a
//! line, as `export` writes it (`{"WorkloadId": …, "Workload": {…}}`) or
//! bare (`{"WorkloadName": …, …}`), with `TargetAccount`, `TargetRegion`
//! and `ShareWith` beside the members where a row names where it goes. A
//! line is a row, numbered by its line; blank lines are skipped.
//!
//! Each line becomes the cells of a fixed header, a column per member (by
//! its API name), so that mapping, validation and reports treat it as they
//! treat a sheet's row. A list's items (and the tags, as `key=value`) are
//! each followed by U+0001 (a control character no sheet holds, and not
//! whitespace, which cells lose), which the mapping splits on alone, so an
//! item that holds a comma stays one item. A member of the wrong type, a line that is
//! not a JSON object, or a line longer than [`LINE_LIMIT`] is a problem of
//! that row; the other rows are still checked.

use std::io::{BufRead, BufReader};

use csv::StringRecord;
use serde_json::{Map, Value};

use super::stream::{self, Source};
use super::{InputError, InputOptions, JsonIssue, Layout, Opened, RawRow, ReadIssue, RowSource, display};
use crate::destination::{ACCOUNT_HEADER, REGION_HEADER};
use crate::model::Field;

/// The most a line may hold; a longer one is not read (its row says so).
pub const LINE_LIMIT: usize = 4 << 20;

/// What joins the items of a list in one cell: the mapping splits a cell
/// holding it on it alone.
pub const ITEM_SEPARATOR: char = '\u{1}';

/// The keys beside the members that say where a row goes, and their columns.
const PLACES: [(&str, &str); 3] =
    [("TargetAccount", ACCOUNT_HEADER), ("TargetRegion", REGION_HEADER), ("ShareWith", crate::share::HEADER)];

/// Keys an export writes that are no member (ids, and figures read back).
const READ_BACK: [&str; 3] = ["WorkloadId", "WorkloadArn", "Risks"];

/// The columns: every member by its API name (Tags as one), then the places.
fn headers() -> Vec<String> {
    let members = Field::ALL.into_iter().map(|field| field.api_member().to_owned());
    members.chain(PLACES.iter().map(|(_, header)| (*header).to_owned())).collect()
}

pub(super) fn open(options: &InputOptions) -> Result<Opened, InputError> {
    let file = display(&options.path);
    let Source { reader, decoded_from } = stream::open(options)?;
    let rows = JsonRows {
        file,
        lines: BufReader::with_capacity(1 << 16, reader),
        line: 0,
        decoded: decoded_from.is_some(),
        layout: options.layout,
    };
    let headers = match options.layout {
        Layout::Workloads => headers(),
        Layout::Columns(names) => names.iter().map(|name| (*name).to_owned()).collect(),
    };
    Ok(Opened { headers, header_location: String::new(), headerless: true, rows: Box::new(rows) })
}

struct JsonRows {
    file: String,
    lines: BufReader<Box<dyn std::io::Read + Send>>,
    /// The number of the last line read.
    line: u64,
    /// Whether the bytes were decoded from another encoding than UTF-8.
    decoded: bool,
    layout: Layout,
}

impl RowSource for JsonRows {
    fn next_row(&mut self) -> Result<Option<RawRow>, InputError> {
        loop {
            let Some((bytes, length)) = self.read_line()? else { return Ok(None) };
            self.line += 1;
            if length > LINE_LIMIT {
                let issue = ReadIssue::CellTooLarge { column: 0, bytes: length };
                return Ok(Some(row_of(self.line, Vec::new(), Vec::new(), vec![issue])));
            }
            let text = String::from_utf8_lossy(&bytes);
            if text.trim().is_empty() {
                continue;
            }
            let mut issues = Vec::new();
            if matches!(text, std::borrow::Cow::Owned(_)) {
                let encoding = if self.decoded { "the input's" } else { "UTF-8" };
                issues.push(ReadIssue::InvalidText { column: 0, encoding });
            }
            return Ok(Some(parse_line(self.line, &text, issues, self.layout)));
        }
    }
}

impl JsonRows {
    /// The next line's bytes (up to [`LINE_LIMIT`]) and its whole length;
    /// none at the end.
    fn read_line(&mut self) -> Result<Option<(Vec<u8>, usize)>, InputError> {
        let mut kept = Vec::new();
        let mut length = 0;
        loop {
            let buffer =
                self.lines.fill_buf().map_err(|source| InputError::Io { file: self.file.clone(), source })?;
            if buffer.is_empty() {
                return Ok((length > 0).then_some((kept, length)));
            }
            let (taken, ends) = match memchr::memchr(b'\n', buffer) {
                Some(at) => (at + 1, true),
                None => (buffer.len(), false),
            };
            if length + taken <= LINE_LIMIT + 1 {
                kept.extend_from_slice(&buffer[..taken]);
            }
            length += taken;
            self.lines.consume(taken);
            if ends {
                return Ok(Some((kept, length.saturating_sub(1))));
            }
        }
    }
}

/// One line's row: its members in their columns, or why it cannot be read.
fn parse_line(line: u64, text: &str, mut issues: Vec<ReadIssue>, layout: Layout) -> RawRow {
    let object = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => object,
        Ok(other) => {
            issues.push(ReadIssue::Json(JsonIssue::NotAnObject { found: kind(&other) }));
            return row_of(line, Vec::new(), Vec::new(), issues);
        }
        Err(error) => {
            issues.push(ReadIssue::Json(JsonIssue::NotJson { detail: error.to_string() }));
            return row_of(line, Vec::new(), Vec::new(), issues);
        }
    };
    if let Layout::Columns(names) = layout {
        return columns_row(line, &object, names, issues);
    }
    let (members, outer) = match object.get("Workload") {
        Some(Value::Object(members)) => (members.clone(), object),
        _ => (object, Map::new()),
    };
    let mut cells = vec![String::new(); headers().len()];
    let mut numeric = Vec::new();
    for (column, field) in Field::ALL.into_iter().enumerate() {
        let value = match field.api_member().split_once('.') {
            Some((part, member)) => members.get(part).and_then(|part| part.get(member)),
            None => members.get(field.api_member()),
        };
        if let Some(value) = value {
            cells[column] = cell_of(field, value, column, (&mut numeric, &mut issues));
        }
    }
    for (index, (key, _)) in PLACES.iter().enumerate() {
        let column = Field::ALL.len() + index;
        if let Some(value) = outer.get(*key).or_else(|| members.get(*key)) {
            cells[column] = list_cell(value, column, (&mut numeric, &mut issues));
        }
    }
    let known = |key: &str| {
        let parts = Field::ALL.iter().map(|field| field.api_member().split('.').next().unwrap_or_default());
        parts
            .chain(PLACES.iter().map(|(key, _)| *key))
            .chain(READ_BACK)
            .chain(["Workload"])
            .any(|known| known == key)
    };
    let unknown = members.keys().chain(outer.keys()).filter(|key| !known(key));
    issues.extend(unknown.map(|key| ReadIssue::Json(JsonIssue::UnknownMember { name: key.clone() })));
    row_of(line, cells, numeric, issues)
}

/// A line of a layout of named columns: each key a column, each value a
/// text (or a number).
fn columns_row(line: u64, object: &Map<String, Value>, names: &[&str], mut issues: Vec<ReadIssue>) -> RawRow {
    let mut cells = vec![String::new(); names.len()];
    let mut numeric = Vec::new();
    for (key, value) in object {
        match super::columns::named_column(names, key) {
            Some(column) => cells[column] = scalar_cell(value, column, (&mut numeric, &mut issues)),
            None => issues.push(ReadIssue::Json(JsonIssue::UnknownMember { name: key.clone() })),
        }
    }
    row_of(line, cells, numeric, issues)
}

/// A member's value as the text of its cell.
fn cell_of(
    field: Field,
    value: &Value,
    column: usize,
    found: (&mut Vec<usize>, &mut Vec<ReadIssue>),
) -> String {
    match (field, value) {
        (Field::Tags, Value::Object(tags)) => {
            let pairs =
                tags.iter().map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or_default()));
            joined(pairs)
        }
        (field, value) if field.is_list() => list_cell(value, column, found),
        (_, value) => scalar_cell(value, column, found),
    }
}

/// A list (or one text, a one-item list) as a cell of items.
fn list_cell(
    value: &Value,
    column: usize,
    (numeric, issues): (&mut Vec<usize>, &mut Vec<ReadIssue>),
) -> String {
    match value {
        Value::Array(items) => {
            joined(items.iter().map(|item| scalar_cell(item, column, (&mut *numeric, &mut *issues))))
        }
        other => joined([scalar_cell(other, column, (numeric, issues))]),
    }
}

/// A text (or a number, noted as one) as a cell; another type is a problem.
fn scalar_cell(
    value: &Value,
    column: usize,
    (numeric, issues): (&mut Vec<usize>, &mut Vec<ReadIssue>),
) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => {
            numeric.push(column);
            number.to_string()
        }
        Value::Null => String::new(),
        other => {
            issues.push(ReadIssue::Json(JsonIssue::WrongType { column, found: kind(other) }));
            String::new()
        }
    }
}

/// Items as one cell, each followed by the separator (so even one item is
/// split on it alone).
fn joined(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().map(|item| item + &ITEM_SEPARATOR.to_string()).collect()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn row_of(row: u64, cells: Vec<String>, numeric: Vec<usize>, issues: Vec<ReadIssue>) -> RawRow {
    RawRow { row, cells: StringRecord::from(cells), numeric, issues }
}
