//! The Excel family (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`): which reader
//! reads which format, on which thread. xlsx and xlsm go through wa-bulk's
//! own sheet reader ([`super::xlsx`]), the others through calamine; both
//! give cells ([`super::cell`]) that become rows in [`super::sheet`]. Without
//! `--sheet`, the first sheet with a header row is read.
//!
//! xlsx, xlsm and xlsb sheets are streamed cell by cell. `.xls` and `.ods`
//! have no cell reader in calamine and are read whole. An xlsb or ods
//! workbook is checked for zip bombs before calamine opens it; xlsx and
//! xlsm are counted as they inflate.
//!
//! The cell readers borrow the workbook, so the reading runs on a thread of
//! its own that hands rows over ([`super::handover`]).

use calamine::{Cell, Data, DataRef, Reader, Sheets, open_workbook_auto};

use super::cell::{Kept, SheetCell};
use super::handover::{Handover, Message, RowBatch, SheetRows};
use super::sheet::SheetStream;
use super::{HEADER_SEARCH_ROWS, InputError, InputOptions, Opened, display, xlsx, zip_limits};

pub(super) fn open(options: &InputOptions, extension: &str) -> Result<Opened, InputError> {
    let file = display(&options.path);
    let not_a_file = || InputError::WorkbookNotAFile { file: file.clone(), extension: extension.to_owned() };
    let path = options.file().ok_or_else(not_a_file)?;
    let metadata = std::fs::metadata(path).map_err(|source| InputError::Io { file: file.clone(), source })?;
    if !metadata.is_file() {
        return Err(not_a_file());
    }
    if metadata.len() == 0 {
        return Err(InputError::Empty { file });
    }
    if matches!(extension, "xlsb" | "ods") {
        zip_limits::check(path, &file, extension)?;
    }
    let (handover, receiver, give_back) = Handover::new();
    let (options, extension) = (options.clone(), extension.to_owned());
    let reading = extension.clone();
    let reader = std::thread::spawn(move || {
        if let Err(error) = read_workbook(&options, &reading, &handover) {
            let _ = handover.rows.send(Message::Failed(error));
        }
    });
    let batch = RowBatch::default();
    let mut rows = SheetRows { file, extension, receiver, give_back, reader: Some(reader), batch, next: 0 };
    match rows.receive()? {
        Some(Message::Header { headers, location }) => {
            Ok(Opened { headers, header_location: location, headerless: false, rows: Box::new(rows) })
        }
        _ => Err(rows.stopped()),
    }
}

/// Reads the chosen sheet (or the first with a header row) into `out`.
fn read_workbook(options: &InputOptions, extension: &str, out: &Handover) -> Result<(), InputError> {
    let file = display(&options.path);
    let workbook = match extension {
        "xlsx" | "xlsm" => Book::Own(xlsx::Workbook::open(&options.path, &file, extension)?),
        _ => Book::Calamine(
            open_workbook_auto(&options.path).map_err(|e| InputError::not_a_workbook(&file, extension, e))?,
        ),
    };
    read_book(workbook, options, extension, out)
}

/// Reads the chosen sheet of an open workbook into `out`.
fn read_book(
    mut workbook: Book,
    options: &InputOptions,
    extension: &str,
    out: &Handover,
) -> Result<(), InputError> {
    let file = display(&options.path);
    let not_a_workbook = |detail: String| InputError::not_a_workbook(&file, extension, detail);
    let sheets = workbook.sheet_names();
    let chosen: Vec<String> = match &options.sheet {
        Some(sheet) if !sheets.contains(sheet) => {
            return Err(InputError::NoSuchSheet { file, sheet: sheet.clone(), sheets: sheets.join(", ") });
        }
        Some(sheet) => vec![sheet.clone()],
        None => sheets.clone(),
    };
    for sheet in &chosen {
        let in_sheet = |detail: String| not_a_workbook(format!("sheet \"{sheet}\": {detail}"));
        let mut stream = SheetStream {
            file: &file,
            extension,
            sheet,
            header: options.header_rule(),
            out,
            batch: RowBatch::default(),
            cells_read: 0,
            exhausted: false,
        };
        if stream_sheet(&mut workbook, &mut stream, &in_sheet)? {
            return Ok(());
        }
    }
    let where_ = match &options.sheet {
        Some(sheet) => format!(" of sheet \"{sheet}\""),
        None if sheets.is_empty() => " (the workbook has no sheets)".to_owned(),
        None => format!(" of any sheet ({})", sheets.join(", ")),
    };
    Err(InputError::NoHeader {
        file,
        searched: HEADER_SEARCH_ROWS,
        where_,
        example: options.layout.example(),
    })
}

/// A workbook open for reading: xlsx and xlsm by wa-bulk's own reader,
/// the rest by calamine.
enum Book {
    Own(xlsx::Workbook),
    Calamine(Sheets<std::io::BufReader<std::fs::File>>),
}

impl Book {
    fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::Own(workbook) => workbook.sheet_names(),
            Book::Calamine(workbook) => workbook.sheet_names(),
        }
    }
}

/// Streams one sheet, cell by cell where the reader can; `false` when it
/// has no header row.
fn stream_sheet(
    workbook: &mut Book,
    stream: &mut SheetStream<'_>,
    in_sheet: &impl Fn(String) -> InputError,
) -> Result<bool, InputError> {
    let sheet = stream.sheet;
    match workbook {
        Book::Own(workbook) => match workbook.cells(sheet)? {
            Some(mut cells) => stream.read(|| cells.next_cell()),
            None => Ok(false),
        },
        Book::Calamine(Sheets::Xlsx(xlsx)) => {
            let mut cells = xlsx.worksheet_cells_reader(sheet).map_err(|e| in_sheet(e.to_string()))?;
            stream.read(|| kept_cell(cells.next_cell(), in_sheet))
        }
        Book::Calamine(Sheets::Xlsb(xlsb)) => {
            let mut cells = xlsb.worksheet_cells_reader(sheet).map_err(|e| in_sheet(e.to_string()))?;
            stream.read(|| kept_cell(cells.next_cell(), in_sheet))
        }
        Book::Calamine(whole) => {
            let range = whole.worksheet_range(sheet).map_err(|e| in_sheet(e.to_string()))?;
            let (top, left) = range.start().unwrap_or_default();
            let mut cells = range.used_cells();
            stream.read(|| {
                Ok(cells.next().map(|(row, column, value)| {
                    let kept = match value {
                        Data::Error(error) => Kept::Error(error.to_string()),
                        value => Kept::Value(value.clone()),
                    };
                    ((top + row as u32, left + column as u32), kept)
                }))
            })
        }
    }
}

/// What a cell reader (xlsx or xlsb) gave, as the stream takes it.
fn kept_cell<E: ToString>(
    cell: Result<Option<Cell<DataRef<'_>>>, E>,
    in_sheet: &impl Fn(String) -> InputError,
) -> Result<Option<SheetCell<'static>>, InputError> {
    let cell = cell.map_err(|e| in_sheet(e.to_string()))?;
    Ok(cell.map(|cell| (cell.get_position(), Kept::from_ref(cell.get_value()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a reader makes of a workbook: the header, then each row's
    /// number, cells, numeric columns and issues.
    fn rows_read_by(book: Book, path: &std::path::Path) -> Vec<String> {
        let options = InputOptions { path: path.to_owned(), ..InputOptions::default() };
        let (handover, receiver, _give_back) = Handover::new();
        let reading = std::thread::spawn(move || read_book(book, &options, "xlsx", &handover).unwrap());
        let messages: Vec<Message> = receiver.iter().collect();
        reading.join().unwrap();
        messages
            .into_iter()
            .flat_map(|message| match message {
                Message::Header { headers, location } => vec![format!("{location}: {headers:?}")],
                Message::Rows(mut batch) => (0..batch.rows.len())
                    .map(|index| batch.take(index))
                    .map(|row| format!("{} {:?} {:?} {:?}", row.row, row.cells, row.numeric, row.issues))
                    .collect(),
                Message::Failed(error) => vec![error.to_string()],
            })
            .collect()
    }

    /// Both readers of xlsx, ours and calamine's, see the same rows.
    fn assert_readers_agree(path: &std::path::Path) -> Vec<String> {
        let own = Book::Own(xlsx::Workbook::open(path, "t.xlsx", "xlsx").unwrap());
        let calamine = Book::Calamine(open_workbook_auto(path).unwrap());
        let (own, calamine) = (rows_read_by(own, path), rows_read_by(calamine, path));
        assert_eq!(own, calamine);
        own
    }

    #[test]
    fn the_own_reader_reads_every_kind_of_cell_as_calamine_does() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
        let file = tempfile::Builder::new().suffix(".xlsx").tempfile().unwrap();
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet().set_name("Kinds").unwrap();
        let headers =
            ["WorkloadName", "Description", "Number", "Date", "Stamp", "Elapsed", "Flag", "Formula", "Error"];
        for (column, header) in headers.iter().enumerate() {
            sheet.write_string(1, column as u16, *header).unwrap();
        }
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let stamp = Format::new().set_num_format("dd/mm/yyyy hh:mm");
        let elapsed = Format::new().set_num_format("[h]:mm:ss");
        let day = ExcelDateTime::from_ymd(2024, 12, 1).unwrap();
        sheet.write_string(2, 0, "a & b <c> \"d\"").unwrap();
        sheet.write_string(2, 1, "line one\r\nline two_x000D_ stays").unwrap();
        sheet.write_number(2, 2, 123456789012.0).unwrap();
        sheet.write_datetime_with_format(2, 3, &day, &date).unwrap();
        sheet.write_number_with_format(2, 4, 45_627.75, &stamp).unwrap();
        sheet.write_number_with_format(2, 5, 1.5, &elapsed).unwrap();
        sheet.write_boolean(2, 6, true).unwrap();
        sheet.write_formula(2, 7, Formula::new("=\"x\"&\"y\"").set_result("xy")).unwrap();
        sheet.write_formula(2, 8, Formula::new("=NA()").set_result("#N/A")).unwrap();
        sheet.write_number(3, 0, 0.1).unwrap();
        sheet.write_string(3, 5, "Ünïcödé ✓").unwrap();
        sheet.write_boolean(3, 6, false).unwrap();
        sheet.write_number(3, 2, -3.0).unwrap();
        sheet.write_string(5, 0, "after a blank row").unwrap();
        workbook.save(file.path()).unwrap();
        let rows = assert_readers_agree(file.path());
        assert_eq!(rows.len(), 4, "{rows:#?}");
        assert!(rows[1].contains("123456789012"), "{}", rows[1]);
        assert!(rows[1].contains("2024-12-01"), "{}", rows[1]);
        assert!(rows[1].contains("ExcelError { column: 8, error: \"#N/A\" }"), "{}", rows[1]);
    }

    #[test]
    fn the_own_reader_reads_hand_written_xml_as_calamine_does() {
        use std::io::Write;
        let file = tempfile::Builder::new().suffix(".xlsx").tempfile().unwrap();
        let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
        let mut part = |name: &str, xml: &str| {
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(xml.as_bytes()).unwrap();
        };
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        part(
            "_rels/.rels",
            &format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{relationships}/officeDocument" Target="/xl/workbook.xml"/></Relationships>"#
            ),
        );
        part(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="{relationships}/worksheet" Target="worksheets/data.xml"/><Relationship Id="rId8" Type="{relationships}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId9" Type="{relationships}/styles" Target="styles.xml"/></Relationships>"#
            ),
        );
        part(
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><x:workbook xmlns:x="{main}" xmlns:r="{relationships}"><x:workbookPr date1904="1"/><x:sheets><x:sheet name="Data &amp; more" sheetId="1" r:id="rId7"/></x:sheets></x:workbook>"#
            ),
        );
        part(
            "xl/styles.xml",
            &format!(
                r#"<styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="170" formatCode="d\ mmmm\ yyyy"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="170" applyNumberFormat="1"><alignment wrapText="1"/></xf><xf numFmtId="46"/></cellXfs></styleSheet>"#
            ),
        );
        part(
            "xl/sharedStrings.xml",
            &format!(
                r#"<sst xmlns="{main}" count="4" uniqueCount="4"><si><t>WorkloadName</t></si><si><r><rPr><b/></rPr><t>Descr</t></r>
 <r><t xml:space="preserve">iption </t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si><si><t>tab_x0009_bed &#x263A;</t></si><si/></sst>"#
            ),
        );
        part(
            "xl/worksheets/data.xml",
            &format!(
                r#"<?xml version="1.0"?><!-- written by hand --><x:worksheet xmlns:x="{main}"><x:sheetData>
<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c><x:v>1</x:v></x:c><x:c t="inlineStr"><x:is><x:t>Extra</x:t></x:is></x:c></x:row>
<x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="B3" t="inlineStr"><x:is><x:r><x:t>in</x:t></x:r><x:r><x:t>line</x:t></x:r></x:is></x:c><x:c r="C3" s="1"><x:v>45000</x:v></x:c><x:c r="D3" s="2"><x:v>0.25</x:v></x:c></x:row>
<x:row><x:c t="str"><x:f>A1</x:f><x:v>formula &amp; text</x:v></x:c><x:c t="b"><x:v>0</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c><x:c t="d"><x:v>2024-02-29T00:00:00</x:v></x:c></x:row>
</x:sheetData></x:worksheet>"#
            ),
        );
        zip.finish().unwrap();
        let rows = assert_readers_agree(file.path());
        assert_eq!(rows.len(), 3, "{rows:#?}");
        assert!(rows[0].contains("\"Description \""), "{}", rows[0]);
        assert!(
            rows[1].starts_with("3 ") && rows[1].contains("tab\\tbed ☺") && rows[1].contains("inline"),
            "{}",
            rows[1]
        );
        assert!(rows[1].contains("\"0.25\""), "an elapsed time is its number: {}", rows[1]);
        assert!(rows[2].starts_with("4 ") && rows[2].contains("formula & text"), "{}", rows[2]);
        assert!(rows[2].contains("2024-02-29T00:00:00"), "{}", rows[2]);
    }
}
