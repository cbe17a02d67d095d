//! Workbooks with one part swapped for hand-written XML, for the hostile
//! cases no spreadsheet program would write. Shared by the tests and by
//! `benches/hostile.rs`.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::Workbook;
use zip::write::SimpleFileOptions;

/// A workbook whose first sheet has `headers` in row 1, with the part
/// `member` replaced by what `content` writes (deflated).
pub fn workbook_with(
    path: &Path,
    headers: &[&str],
    member: &str,
    content: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    let plain = book.save_to_buffer().unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
    let mut out = zip::ZipWriter::new(File::create(path).unwrap());
    for index in 0..archive.len() {
        let file = archive.by_index(index).unwrap();
        if file.name().unwrap() != member {
            out.raw_copy_file(file).unwrap();
        }
    }
    out.start_file(member, SimpleFileOptions::default().large_file(true)).unwrap();
    content(&mut out).unwrap();
    out.finish().unwrap();
}

/// The start and end of a worksheet part, around its rows.
pub const SHEET_START: &[u8] =
    br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
pub const SHEET_END: &[u8] = b"</sheetData></worksheet>";
