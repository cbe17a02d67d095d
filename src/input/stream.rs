//! The bytes of a CSV-family input, read once from start to end: a file, a
//! FIFO or stdin (`-`), never sought, so a stream works as well as a file.
//!
//! Text that Excel writes comes in a few encodings. A byte order mark says
//! which (UTF-8, UTF-16 LE or BE: Excel's "Unicode Text"); `--encoding` names
//! another (windows-1252 is Excel's "CSV (Comma delimited)" on Windows).
//! UTF-8 is read as it is, so that a cell with bad bytes can be reported on
//! its own; every other encoding is decoded to UTF-8 as it streams by.

use std::fs::File;
use std::io::{self, Read};

use encoding_rs::{Encoding, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::{InputError, InputOptions, display};

/// The input as UTF-8 bytes (or as bytes that should be UTF-8).
pub(super) struct Source {
    pub reader: Box<dyn Read + Send>,
    /// The encoding the bytes were decoded from; `None` when they are read
    /// as they are (UTF-8), where a bad cell is found by its bytes.
    pub decoded_from: Option<&'static Encoding>,
}

/// Opens the input and decides its encoding: a byte order mark first, then
/// `--encoding`, then UTF-8.
pub(super) fn open(options: &InputOptions) -> Result<Source, InputError> {
    let file = display(&options.path);
    let io_error = |source| InputError::Io { file: file.clone(), source };
    let mut raw: Box<dyn Read + Send> = match options.file() {
        None => Box::new(io::stdin()),
        Some(path) => Box::new(File::open(path).map_err(io_error)?),
    };
    let mut head = Vec::with_capacity(3);
    (&mut raw).take(3).read_to_end(&mut head).map_err(io_error)?;
    let (encoding, mark) = match Encoding::for_bom(&head) {
        Some((encoding, length)) => (encoding, length),
        None => (options.encoding.unwrap_or(UTF_8), 0),
    };
    let rest = io::Cursor::new(head[mark..].to_vec()).chain(raw);
    if encoding == UTF_8 {
        return Ok(Source { reader: Box::new(rest), decoded_from: None });
    }
    let decoder = DecodeReaderBytesBuilder::new().encoding(Some(encoding)).bom_sniffing(false).build(rest);
    Ok(Source { reader: Box::new(decoder), decoded_from: Some(encoding) })
}

/// Reads a `--encoding` name: any label the WHATWG Encoding Standard knows.
pub fn parse_encoding(label: &str) -> Result<&'static Encoding, String> {
    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        format!("{label:?} is not an encoding wa-bulk knows; use e.g. utf-8, windows-1252, utf-16le, utf-16be, iso-8859-15")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], encoding: Option<&'static Encoding>) -> (String, Option<&'static str>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        let options = InputOptions { path, encoding, ..InputOptions::default() };
        let mut source = open(&options).unwrap();
        let mut text = String::new();
        source.reader.read_to_string(&mut text).unwrap();
        (text, source.decoded_from.map(Encoding::name))
    }

    #[test]
    fn byte_order_marks_choose_the_encoding_and_are_dropped() {
        assert_eq!(read(b"\xef\xbb\xbfName", None), ("Name".into(), None));
        assert_eq!(read(b"\xff\xfeN\0a\0", None), ("Na".into(), Some("UTF-16LE")));
        assert_eq!(read(b"\xfe\xff\0N\0a", None), ("Na".into(), Some("UTF-16BE")));
    }

    #[test]
    fn a_named_encoding_is_decoded_and_utf_8_is_read_as_it_is() {
        let windows = parse_encoding("windows-1252").unwrap();
        assert_eq!(read(b"caf\xe9", Some(windows)), ("café".into(), Some("windows-1252")));
        assert_eq!(read(b"ab", None), ("ab".into(), None));
        assert!(parse_encoding("klingon").is_err());
    }
}
