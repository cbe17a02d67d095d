//! The xlsx and xlsm sheet reader of wa-bulk's own.
//!
//! calamine read a 100,000-row workbook one cell at a time on one thread,
//! inflating and parsing in turn, after a first pass that inflated every
//! member to count it: ten times openpyxl's speed where a sheet owner's
//! fix-and-run loop wants thirty. Here each part is inflated on a thread of
//! its own, counted against the zip-bomb limits as it inflates
//! ([`Archive`]), while this thread parses the part before it with the
//! small tokenizer of [`super::xml`]: the shared strings into one string
//! arena, then the sheet's cells, which go to [`super::sheet`]'s row
//! gathering as calamine's did. What a cell becomes follows calamine's
//! reading of it (numbers, dates by their number format, booleans, errors,
//! shared and inline strings, formula results), so both readers agree.

use std::path::Path;

use calamine::{Data, ExcelDateTime, ExcelDateTimeType};

use super::InputError;
use super::cell::{Kept, SheetCell};
use super::xml::{Attributes, Token, Tokens, XmlError, unescape};
use super::zip_limits::{Archive, Inflating};

/// How a number is shown, as its cell's number format says.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shown {
    Number,
    Date,
    Duration,
}

/// A workbook's parts, as far as reading its sheets needs them.
pub(super) struct Workbook {
    archive: Archive,
    /// Sheets in their order: name, and the member of a worksheet (none
    /// for a chart sheet or a dialog).
    sheets: Vec<(String, Option<String>)>,
    shared_strings_member: Option<String>,
    styles_member: Option<String>,
    is_1904: bool,
    /// Read on first use, then kept for every sheet.
    shared: Option<SharedStrings>,
    shown: Option<Vec<Shown>>,
}

/// The shared strings: one arena and where each string ends in it.
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<usize>,
}

impl SharedStrings {
    fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        Some(&self.text[start..end])
    }
}

/// A relationship of a part: what kind of part it points to, and which.
struct Relationship {
    id: String,
    kind: String,
    /// The member, resolved against the part's directory.
    target: String,
}

impl Workbook {
    pub(super) fn open(path: &Path, file: &str, extension: &str) -> Result<Workbook, InputError> {
        let archive = Archive::open(path, file, extension)?;
        let workbook_member = relationships(&archive, "_rels/.rels", "")?
            .into_iter()
            .find(|relationship| relationship.kind.ends_with("/officeDocument"))
            .map_or_else(|| "xl/workbook.xml".to_owned(), |relationship| relationship.target);
        let (directory, name) =
            workbook_member.split_at(workbook_member.rfind('/').map_or(0, |slash| slash + 1));
        let related = relationships(&archive, &format!("{directory}_rels/{name}.rels"), directory)?;
        let target_of = |kind: &str| {
            related.iter().find(|relationship| relationship.kind.ends_with(kind)).map(|r| r.target.clone())
        };
        let mut workbook = Workbook {
            sheets: Vec::new(),
            shared_strings_member: target_of("/sharedStrings"),
            styles_member: target_of("/styles"),
            is_1904: false,
            shared: None,
            shown: None,
            archive,
        };
        let archive = &workbook.archive;
        let fault = |error| part_error(archive, &workbook_member, error);
        let mut tokens = Tokens::new(member(archive, &workbook_member)?);
        loop {
            match tokens.next().map_err(fault)? {
                Token::Open { name: b"workbookPr", attributes, .. } => {
                    workbook.is_1904 = matches!(attributes.get(b"date1904"), Some(b"1" | b"true"));
                }
                Token::Open { name: b"sheet", attributes, .. } => {
                    let name = attributes.text(b"name").map_err(fault)?.unwrap_or_default();
                    let id = attributes.text(b"id").map_err(fault)?.unwrap_or_default();
                    let worksheet = related
                        .iter()
                        .find(|relationship| {
                            relationship.id == id && relationship.kind.ends_with("/worksheet")
                        })
                        .map(|relationship| relationship.target.clone());
                    workbook.sheets.push((name, worksheet));
                }
                Token::End => break,
                _ => {}
            }
        }
        Ok(workbook)
    }

    pub(super) fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(name, _)| name.clone()).collect()
    }

    /// The cells of a sheet, in the order the sheet holds them; none for a
    /// sheet that is not a worksheet.
    pub(super) fn cells(&mut self, sheet: &str) -> Result<Option<SheetCells<'_>>, InputError> {
        let Some((_, Some(sheet_member))) = self.sheets.iter().find(|(name, _)| name == sheet) else {
            return Ok(None);
        };
        let member_name = sheet_member.clone();
        // The sheet inflates while the shared strings and styles are read.
        let tokens = Tokens::new(member(&self.archive, &member_name)?);
        if self.shared.is_none() {
            self.shared = Some(match &self.shared_strings_member {
                Some(strings) => read_shared_strings(&self.archive, strings)?,
                None => SharedStrings::default(),
            });
        }
        if self.shown.is_none() {
            self.shown = Some(match &self.styles_member {
                Some(styles) => read_styles(&self.archive, styles)?,
                None => Vec::new(),
            });
        }
        Ok(Some(SheetCells {
            workbook: self,
            member: member_name,
            tokens,
            in_data: false,
            next_row: 0,
            row: 0,
            next_column: 0,
            value: String::new(),
        }))
    }
}

impl Workbook {
    /// The shared string at `index`, where the table holds it.
    fn shared_string(&self, index: usize) -> Result<Kept<'_>, CellError> {
        let shared = self.shared.as_ref().expect("read before the cells");
        match shared.get(index) {
            Some(found) => Ok(Kept::shared(found)),
            None => Err(CellError::Cell(format!(
                "a cell refers to shared string {index}, but the workbook has {}",
                shared.ends.len()
            ))),
        }
    }
}

/// A member being inflated, or the refusal of one the archive lacks.
fn member(archive: &Archive, name: &str) -> Result<Inflating, InputError> {
    match archive.find(name) {
        Some((member, _)) => Ok(archive.inflate(member)),
        None => Err(archive.not_a_workbook(name, "the workbook has no such part")),
    }
}

/// A part's fault as an error of the file.
fn part_error(archive: &Archive, member: &str, error: XmlError) -> InputError {
    match error {
        XmlError::Read(error) => match Inflating::input_error(error) {
            Ok(refused) => refused,
            Err(error) => archive.not_a_workbook(member, error),
        },
        XmlError::Malformed(detail) => archive.not_a_workbook(member, detail),
    }
}

/// The relationships a `.rels` part lists; targets resolved against
/// `directory`. A part without a `.rels` has none.
fn relationships(archive: &Archive, rels: &str, directory: &str) -> Result<Vec<Relationship>, InputError> {
    if archive.find(rels).is_none() {
        return Ok(Vec::new());
    }
    let fault = |error| part_error(archive, rels, error);
    let mut tokens = Tokens::new(member(archive, rels)?);
    let mut found = Vec::new();
    loop {
        match tokens.next().map_err(fault)? {
            Token::Open { name: b"Relationship", attributes, .. } => {
                if attributes.get(b"TargetMode") == Some(b"External") {
                    continue;
                }
                let target = attributes.text(b"Target").map_err(fault)?.unwrap_or_default();
                found.push(Relationship {
                    id: attributes.text(b"Id").map_err(fault)?.unwrap_or_default(),
                    kind: attributes.text(b"Type").map_err(fault)?.unwrap_or_default(),
                    target: resolve(directory, &target),
                });
            }
            Token::End => return Ok(found),
            _ => {}
        }
    }
}

/// A relationship's target as a member name: absolute (`/xl/…`) or
/// relative to the directory of the part, `..` followed.
fn resolve(directory: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("{directory}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// The shared strings part, read whole: every string item's text, rich
/// text runs joined, `_xHHHH_` escapes decoded.
fn read_shared_strings(archive: &Archive, strings: &str) -> Result<SharedStrings, InputError> {
    let fault = |error| part_error(archive, strings, error);
    let mut tokens = Tokens::new(member(archive, strings)?);
    let mut shared = SharedStrings::default();
    // Room for the texts at once (they are shorter than their XML), so
    // that the arena is not copied as it grows; only touched pages count.
    let declared = archive.find(strings).map_or(0, |(_, size)| size.min(super::MEMBER_LIMIT));
    shared.text.reserve(declared as usize);
    loop {
        let start = shared.text.len();
        // Most items are one plain text, read at once.
        if let Some(raw) = tokens.plain_text(b"<si><t>", b"</t></si>") {
            shared.text.push_str(&unescape(raw).map_err(fault)?);
        } else {
            match tokens.next().map_err(fault)? {
                Token::Open { name: b"si", empty: false, .. } => {
                    tokens.element_text(&mut shared.text, true).map_err(fault)?;
                }
                Token::Open { name: b"si", empty: true, .. } => {}
                Token::End => return Ok(shared),
                _ => continue,
            }
        }
        if let Some(decoded) = decode_escapes(&shared.text[start..]) {
            shared.text.truncate(start);
            shared.text.push_str(&decoded);
        }
        shared.ends.push(shared.text.len());
    }
}

/// How each cell style (`cellXfs`, by index) shows numbers.
fn read_styles(archive: &Archive, styles: &str) -> Result<Vec<Shown>, InputError> {
    let fault = |error| part_error(archive, styles, error);
    let mut tokens = Tokens::new(member(archive, styles)?);
    let mut custom: Vec<(u32, Shown)> = Vec::new();
    let mut shown = Vec::new();
    let mut in_cell_styles = false;
    loop {
        match tokens.next().map_err(fault)? {
            Token::Open { name: b"numFmt", attributes, .. } => {
                let id = number(attributes, b"numFmtId");
                let code = attributes.text(b"formatCode").map_err(fault)?.unwrap_or_default();
                custom.push((id, format_shows(&code)));
            }
            Token::Open { name: b"cellXfs", empty, .. } => in_cell_styles = !empty,
            Token::Close { name: b"cellXfs" } => in_cell_styles = false,
            Token::Open { name: b"xf", attributes, .. } if in_cell_styles => {
                let id = number(attributes, b"numFmtId");
                let own = custom.iter().rev().find(|(custom_id, _)| *custom_id == id);
                shown.push(own.map_or_else(|| builtin_shows(id), |(_, shows)| *shows));
            }
            Token::End => return Ok(shown),
            _ => {}
        }
    }
}

/// A whole-number attribute; 0 when absent or not a number.
fn number(attributes: Attributes<'_>, name: &[u8]) -> u32 {
    attributes.get(name).and_then(|raw| std::str::from_utf8(raw).ok()?.trim().parse().ok()).unwrap_or(0)
}

/// How Excel's built-in number formats show a number.
fn builtin_shows(id: u32) -> Shown {
    match id {
        14..=22 | 27..=36 | 45 | 47 | 50..=58 => Shown::Date,
        46 => Shown::Duration,
        _ => Shown::Number,
    }
}

/// How a format code shows a number: a date when its first section has a
/// day, month, year, hour or second outside quotes and brackets, a
/// duration when it has elapsed time (`[h]`, `[mm]`, `[ss]`).
fn format_shows(code: &str) -> Shown {
    let mut characters = code.chars();
    while let Some(character) = characters.next() {
        match character {
            ';' => break,
            '"' => {
                characters.by_ref().find(|c| *c == '"');
            }
            '\\' | '_' | '*' => {
                characters.next();
            }
            '[' => {
                let inside: String = characters.by_ref().take_while(|c| *c != ']').collect();
                let lower = inside.to_ascii_lowercase();
                if !lower.is_empty() && ['h', 'm', 's'].iter().any(|unit| lower.chars().all(|c| c == *unit)) {
                    return Shown::Duration;
                }
            }
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' => return Shown::Date,
            _ => {}
        }
    }
    Shown::Number
}

/// Text with Excel's `_xHHHH_` escapes (characters XML cannot hold, such as
/// a carriage return) decoded; none when it has none.
fn decode_escapes(text: &str) -> Option<String> {
    memchr::memchr(b'_', text.as_bytes())?;
    memchr::memmem::find(text.as_bytes(), b"_x")?;
    let mut decoded = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find("_x") {
        let escape = rest.get(at + 2..at + 7).filter(|e| e.ends_with('_'));
        match escape.and_then(|e| u32::from_str_radix(&e[..4], 16).ok()) {
            Some(code) => {
                decoded.push_str(&rest[..at]);
                decoded.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                rest = &rest[at + 7..];
                changed = true;
            }
            None => {
                decoded.push_str(&rest[..at + 2]);
                rest = &rest[at + 2..];
            }
        }
    }
    decoded.push_str(rest);
    changed.then_some(decoded)
}

/// The cells of one sheet as its XML lists them.
pub(super) struct SheetCells<'a> {
    workbook: &'a Workbook,
    member: String,
    tokens: Tokens<Inflating>,
    /// Inside `<sheetData>`.
    in_data: bool,
    /// The row being read, and the one a row without `r` would be.
    row: u32,
    next_row: u32,
    /// The column a cell without `r` would be in.
    next_column: u32,
    /// The text of the cell being read.
    value: String,
}

impl<'a> SheetCells<'a> {
    /// The next cell; none after `</sheetData>`.
    pub(super) fn next_cell(&mut self) -> Result<Option<SheetCell<'a>>, InputError> {
        match self.next_cell_of_sheet() {
            Ok(cell) => Ok(cell),
            Err(CellError::Xml(error)) => Err(part_error(&self.workbook.archive, &self.member, error)),
            Err(CellError::Cell(detail)) => Err(self.workbook.archive.not_a_workbook(&self.member, detail)),
        }
    }

    fn next_cell_of_sheet(&mut self) -> Result<Option<SheetCell<'a>>, CellError> {
        loop {
            match self.tokens.next()? {
                Token::Open { name: b"sheetData", empty, .. } => {
                    if empty {
                        return Ok(None);
                    }
                    self.in_data = true;
                }
                Token::Close { name: b"sheetData" } => return Ok(None),
                Token::Open { name: b"row", attributes, .. } if self.in_data => {
                    self.row = match attributes.get(b"r") {
                        Some(r) => row_number(r)?,
                        None => self.next_row,
                    };
                    self.next_row = self.row.saturating_add(1);
                    self.next_column = 0;
                }
                Token::Open { name: b"c", attributes, empty } if self.in_data => {
                    // One pass over the attributes for the three a cell has.
                    let (mut reference, mut type_, mut style) = (None, None, None);
                    attributes.find(|name, value| {
                        match name {
                            b"r" => reference = Some(value),
                            b"t" => type_ = Some(value),
                            b"s" => style = Some(value),
                            _ => {}
                        }
                        false
                    });
                    let (row, column) = match reference {
                        Some(reference) => cell_reference(reference)?,
                        None => (self.row, self.next_column),
                    };
                    self.next_column = column.saturating_add(1);
                    if empty {
                        return Ok(Some(((row, column), Kept::EMPTY)));
                    }
                    let cell_type = CellType::of(type_)?;
                    let style = style.and_then(digits).unwrap_or(0) as usize;
                    let value = self.cell_value(cell_type, style)?;
                    return Ok(Some(((row, column), value)));
                }
                Token::End => return Err(CellError::Cell("it ends before its </sheetData>".into())),
                _ => {}
            }
        }
    }

    /// Reads a cell's elements up to its end tag, and what the cell holds.
    fn cell_value(&mut self, cell_type: CellType, style: usize) -> Result<Kept<'a>, CellError> {
        self.value.clear();
        let plain = match cell_type {
            CellType::Inline => self.tokens.plain_text(b"<is><t>", b"</t></is></c>"),
            _ => self.tokens.plain_text(b"<v>", b"</v></c>"),
        };
        if let Some(raw) = plain {
            // A shared string's index is digits: no text to make of them.
            if cell_type == CellType::Shared
                && let Some(index) = digits(raw)
            {
                let workbook: &'a Workbook = self.workbook;
                return workbook.shared_string(index as usize);
            }
            self.value.push_str(&unescape(raw)?);
            return self.kept(cell_type, style);
        }
        let mut found = false;
        loop {
            match self.tokens.next()? {
                // An inline string's value is its `<is>`; a `<v>` beside it repeats it.
                Token::Open { name: b"v", empty: false, .. } if cell_type != CellType::Inline => {
                    self.tokens.element_text(&mut self.value, false)?;
                    found = true;
                }
                Token::Open { name: b"is", empty: false, .. } => {
                    self.tokens.element_text(&mut self.value, true)?;
                    found = true;
                }
                Token::Open { empty: false, .. } => self.tokens.skip_element()?,
                Token::Close { .. } => break,
                Token::End => return Err(CellError::Cell("it ends inside a cell".into())),
                _ => {}
            }
        }
        if !found {
            return Ok(Kept::EMPTY);
        }
        self.kept(cell_type, style)
    }

    /// What the cell just read holds, by its type and style.
    fn kept(&self, cell_type: CellType, style: usize) -> Result<Kept<'a>, CellError> {
        let workbook: &'a Workbook = self.workbook;
        let value = self.value.as_str();
        let text =
            || Kept::text(&decode_escapes(value).map_or(std::borrow::Cow::Borrowed(value), Into::into));
        Ok(match cell_type {
            CellType::Shared => match value.trim() {
                "" => Kept::EMPTY,
                index => match index.parse() {
                    Ok(index) => workbook.shared_string(index)?,
                    Err(_) => {
                        return Err(CellError::Cell(format!("a cell refers to shared string {index:?}")));
                    }
                },
            },
            CellType::Text | CellType::Inline => text(),
            CellType::Date => Kept::Value(Data::DateTimeIso(value.to_owned())),
            CellType::Error => Kept::Error(value.to_owned()),
            CellType::Bool => match value.trim() {
                "" => Kept::EMPTY,
                "0" | "false" => Kept::Value(Data::Bool(false)),
                "1" | "true" => Kept::Value(Data::Bool(true)),
                other => return Err(CellError::Cell(format!("a boolean cell holds {other:?}"))),
            },
            CellType::Number { typed } => {
                let trimmed = value.trim();
                if trimmed.is_empty() {
                    return Ok(Kept::EMPTY);
                }
                let Ok(number) = trimmed.parse::<f64>() else {
                    // Without a type, a value that is no number is its text.
                    if !typed {
                        return Ok(text());
                    }
                    return Err(CellError::Cell(format!("a number cell holds {value:?}")));
                };
                let shown = self.workbook.shown.as_ref().and_then(|shown| shown.get(style));
                let date_type = match shown.copied().unwrap_or(Shown::Number) {
                    Shown::Number => return Ok(Kept::Value(Data::Float(number))),
                    Shown::Date => ExcelDateTimeType::DateTime,
                    Shown::Duration => ExcelDateTimeType::TimeDelta,
                };
                Kept::Value(Data::DateTime(ExcelDateTime::new(number, date_type, self.workbook.is_1904)))
            }
        })
    }
}

/// A cell's `t` attribute.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CellType {
    /// `n`, or no type (`typed: false`).
    Number {
        typed: bool,
    },
    Shared,
    /// A formula's text result (`str`).
    Text,
    Inline,
    Date,
    Error,
    Bool,
}

impl CellType {
    fn of(attribute: Option<&[u8]>) -> Result<CellType, CellError> {
        Ok(match attribute {
            None => CellType::Number { typed: false },
            Some(b"n") => CellType::Number { typed: true },
            Some(b"s") => CellType::Shared,
            Some(b"str") => CellType::Text,
            Some(b"inlineStr") => CellType::Inline,
            Some(b"d") => CellType::Date,
            Some(b"e") => CellType::Error,
            Some(b"b") => CellType::Bool,
            Some(other) => {
                return Err(CellError::Cell(format!(
                    "a cell has the unknown type {:?}",
                    String::from_utf8_lossy(other)
                )));
            }
        })
    }
}

/// Why a sheet's cells could not be read.
enum CellError {
    Xml(XmlError),
    Cell(String),
}

impl From<XmlError> for CellError {
    fn from(error: XmlError) -> Self {
        CellError::Xml(error)
    }
}

/// A number written in ASCII digits, without sign or spaces.
fn digits(raw: &[u8]) -> Option<u32> {
    if raw.is_empty() || raw.len() > 10 {
        return None;
    }
    raw.iter().try_fold(0u32, |number, byte| {
        let digit = byte.checked_sub(b'0').filter(|digit| *digit < 10)?;
        number.checked_mul(10)?.checked_add(u32::from(digit))
    })
}

/// A row's `r`: its 1-based number, 0-based here.
fn row_number(raw: &[u8]) -> Result<u32, CellError> {
    digits(raw.trim_ascii())
        .filter(|number| *number > 0)
        .map(|number| number - 1)
        .ok_or_else(|| CellError::Cell(format!("a row's number is {:?}", String::from_utf8_lossy(raw))))
}

/// A cell's `r` (`B7`): its (row, column), 0-based.
fn cell_reference(raw: &[u8]) -> Result<(u32, u32), CellError> {
    let bad = || CellError::Cell(format!("a cell's reference is {:?}", String::from_utf8_lossy(raw)));
    let raw = raw.trim_ascii();
    let letters = raw.iter().take_while(|byte| byte.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return Err(bad());
    }
    let column = raw[..letters]
        .iter()
        .fold(0u32, |column, letter| column * 26 + u32::from(letter.to_ascii_uppercase() - b'A' + 1));
    let row = row_number(&raw[letters..]).map_err(|_| bad())?;
    Ok((row, column - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_targets_resolve() {
        assert_eq!(cell_reference(b"A1").ok(), Some((0, 0)));
        assert_eq!(cell_reference(b"xfd1048576").ok(), Some((1_048_575, 16_383)));
        assert!(cell_reference(b"1A").is_err());
        assert!(cell_reference(b"A0").is_err());
        assert_eq!(resolve("xl/", "worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(resolve("xl/", "/xl/worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(resolve("xl/worksheets/", "../sharedStrings.xml"), "xl/sharedStrings.xml");
    }

    #[test]
    fn number_formats_tell_dates_and_durations_from_numbers() {
        for date in ["yyyy-mm-dd", "d-mmm-yy", "[$-409]h:mm AM/PM", "dd/mm/yyyy;@"] {
            assert_eq!(format_shows(date), Shown::Date, "{date}");
        }
        for plain in
            ["General", "0.00", "#,##0 ;[Red](#,##0)", "\"days\" 0", "0.00E+00", "@", "[$€-2] #,##0.00"]
        {
            assert_eq!(format_shows(plain), Shown::Number, "{plain}");
        }
        assert_eq!(format_shows("[h]:mm:ss"), Shown::Duration);
        assert_eq!(format_shows("[mm]:ss"), Shown::Duration);
        assert_eq!(builtin_shows(14), Shown::Date);
        assert_eq!(builtin_shows(46), Shown::Duration);
        assert_eq!(builtin_shows(49), Shown::Number);
    }

    #[test]
    fn excel_escapes_decode_and_lookalikes_stay() {
        assert_eq!(decode_escapes("a_x000D_b").as_deref(), Some("a\rb"));
        assert_eq!(decode_escapes("x_x005F_x0041_").as_deref(), Some("x_x0041_"));
        assert_eq!(decode_escapes("_xyz_ and _x12_"), None);
    }
}
