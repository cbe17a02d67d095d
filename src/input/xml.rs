//! A pull tokenizer for the XML parts of an xlsx workbook.
//!
//! The parts wa-bulk reads (a sheet, its shared strings, styles and the
//! workbook's list of sheets) are flat, machine-written XML, and a sheet of
//! 100,000 rows is tens of megabytes of it: a general XML reader spends more
//! time there than inflating and checking the rows together. This one finds
//! the next `<` with `memchr`, tells tags, texts and CDATA apart, skips
//! declarations, comments and processing instructions, and refuses a DTD
//! (workbooks never have one, and entities defined there are how XML
//! exhausts memory). Names are compared by their local part, so prefixed
//! (`x:c`) and strict-namespace parts read the same.
//!
//! It reads any `Read` through a buffer that holds only the token at hand:
//! a text or tag longer than [`TOKEN_LIMIT`] is refused, so memory is bounded
//! whatever the part's shape.

use std::borrow::Cow;
use std::io::{self, Read};

/// The longest text or tag read whole. Excel's own cells hold at most
/// 32,767 characters; a shared string is one text.
pub const TOKEN_LIMIT: usize = super::zip_limits::TEXT_LIMIT as usize;
/// Bytes asked of the source at a time.
const READ_BYTES: usize = 256 << 10;

/// What went wrong: the source failed, or the part is not XML wa-bulk reads.
#[derive(Debug)]
pub enum XmlError {
    Read(io::Error),
    Malformed(String),
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            XmlError::Read(error) => write!(f, "{error}"),
            XmlError::Malformed(detail) => f.write_str(detail),
        }
    }
}

fn malformed(detail: impl Into<String>) -> XmlError {
    XmlError::Malformed(detail.into())
}

/// One token; names are local names (no prefix), texts still escaped.
#[derive(Debug, PartialEq)]
pub enum Token<'a> {
    /// `<name …>` or, when `empty`, `<name …/>`.
    Open {
        name: &'a [u8],
        attributes: Attributes<'a>,
        empty: bool,
    },
    Close {
        name: &'a [u8],
    },
    /// Character data between tags, entities not yet replaced.
    Text(&'a [u8]),
    /// The inside of `<![CDATA[…]]>`, taken as it is.
    CData(&'a [u8]),
    End,
}

/// The raw attributes of a start tag.
#[derive(Debug, PartialEq, Clone, Copy)]
pub struct Attributes<'a>(&'a [u8]);

impl<'a> Attributes<'a> {
    /// The raw (still escaped) value of the attribute with this local name.
    pub fn get(&self, wanted: &[u8]) -> Option<&'a [u8]> {
        self.find(|name, _| name == wanted).map(|(_, value)| value)
    }

    /// The first attribute, in order, for which `wanted` holds: its local
    /// name and raw value. Every attribute passes by `wanted` until then.
    pub fn find(&self, mut wanted: impl FnMut(&[u8], &'a [u8]) -> bool) -> Option<(&'a [u8], &'a [u8])> {
        let mut rest = self.0;
        loop {
            let equals = rest.iter().position(|byte| *byte == b'=')?;
            let name = local(rest[..equals].trim_ascii());
            let after = rest[equals + 1..].trim_ascii_start();
            let quote = *after.first()?;
            if quote != b'"' && quote != b'\'' {
                return None;
            }
            let end = after[1..].iter().position(|byte| *byte == quote)?;
            let value = &after[1..1 + end];
            if wanted(name, value) {
                return Some((name, value));
            }
            rest = &after[end + 2..];
        }
    }

    /// The value of an attribute, its entities replaced.
    pub fn text(&self, wanted: &[u8]) -> Result<Option<String>, XmlError> {
        self.get(wanted).map(|raw| unescape(raw).map(Cow::into_owned)).transpose()
    }
}

/// The part of a name after its prefix (names are short: no vector search).
fn local(name: &[u8]) -> &[u8] {
    match name.iter().position(|byte| *byte == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

/// Reads tokens from a source.
pub struct Tokens<R> {
    source: R,
    /// Read bytes, up to `end`; the rest is room for the next read.
    buffer: Vec<u8>,
    end: usize,
    /// Where the next token starts in `buffer`.
    at: usize,
    /// The source said it has no more.
    drained: bool,
    /// Something was read from the source already.
    started: bool,
}

impl<R: Read> Tokens<R> {
    pub fn new(source: R) -> Self {
        Tokens { source, buffer: vec![0; READ_BYTES * 2], end: 0, at: 0, drained: false, started: false }
    }

    /// Reads more of the source after what is left; `false` at its end.
    fn fill(&mut self) -> Result<bool, XmlError> {
        if self.drained {
            return Ok(false);
        }
        if self.end - self.at > TOKEN_LIMIT {
            return Err(malformed(format!(
                "it holds a text or tag longer than {} MiB, more than wa-bulk reads (an Excel cell \
                 holds at most 32,767 characters)",
                TOKEN_LIMIT >> 20
            )));
        }
        self.buffer.copy_within(self.at..self.end, 0);
        let kept = self.end - self.at;
        (self.at, self.end) = (0, kept);
        if self.buffer.len() < kept + READ_BYTES {
            self.buffer.resize(kept + READ_BYTES, 0);
        }
        let read = loop {
            match self.source.read(&mut self.buffer[kept..]) {
                Ok(read) => break read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(XmlError::Read(error)),
            }
        };
        let first = !self.started;
        self.started = true;
        self.end += read;
        // Neither byte is ever in UTF-8: only a UTF-16 byte-order mark starts so.
        if first && read >= 2 && matches!(&self.buffer[..2], [0xFF, 0xFE] | [0xFE, 0xFF]) {
            return Err(malformed("it is UTF-16 XML; wa-bulk reads workbooks as Excel saves them (UTF-8)"));
        }
        self.drained = read == 0;
        Ok(read > 0)
    }

    /// The offset, from the token's start, at which `find` first matches
    /// what is after `skip` bytes; reads more of the source while it does not.
    fn find(
        &mut self,
        skip: usize,
        find: impl Fn(&[u8]) -> Option<usize>,
    ) -> Result<Option<usize>, XmlError> {
        loop {
            let token = &self.buffer[self.at..self.end];
            if token.len() > skip
                && let Some(found) = find(&token[skip..])
            {
                return Ok(Some(skip + found));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Like `find`, but the end of the input is an error here.
    fn expect(
        &mut self,
        skip: usize,
        what: &str,
        find: impl Fn(&[u8]) -> Option<usize>,
    ) -> Result<usize, XmlError> {
        self.find(skip, find)?.ok_or_else(|| malformed(format!("it ends inside {what}")))
    }

    /// The next token; [`Token::End`] at the end of the source.
    pub fn next(&mut self) -> Result<Token<'_>, XmlError> {
        loop {
            if self.at == self.end && !self.fill()? {
                return Ok(Token::End);
            }
            if self.buffer[self.at] != b'<' {
                return self.text();
            }
            // A tag's second byte says what it is.
            if self.end - self.at < 2 && !self.fill()? {
                return Err(malformed("it ends inside a tag"));
            }
            match self.buffer[self.at + 1] {
                b'?' => {
                    let end = self
                        .expect(2, "a processing instruction", |bytes| memchr::memmem::find(bytes, b"?>"))?;
                    self.at += end + 2;
                }
                b'!' => {
                    if let Some((start, end)) = self.markup()? {
                        return Ok(Token::CData(&self.buffer[start..end]));
                    }
                }
                b'/' => {
                    let end = self.expect(2, "an end tag", |bytes| memchr::memchr(b'>', bytes))?;
                    let start = self.at;
                    self.at += end + 1;
                    return Ok(Token::Close {
                        name: local(self.buffer[start + 2..start + end].trim_ascii()),
                    });
                }
                _ => return self.open_tag(),
            }
        }
    }

    /// The text up to the next tag, or the end.
    fn text(&mut self) -> Result<Token<'_>, XmlError> {
        let end = match self.find(0, |bytes| memchr::memchr(b'<', bytes))? {
            Some(end) => end,
            None => self.end - self.at,
        };
        let start = self.at;
        self.at += end;
        Ok(Token::Text(&self.buffer[start..start + end]))
    }

    /// A `<!` construct: a comment, skipped; a CDATA section, whose text's
    /// place in the buffer it gives; anything else (a DTD) is refused.
    fn markup(&mut self) -> Result<Option<(usize, usize)>, XmlError> {
        // Enough bytes to tell a comment, CDATA and a DTD apart.
        while self.end - self.at < 9 && self.fill()? {}
        let head = &self.buffer[self.at..self.end];
        if head.starts_with(b"<!--") {
            let end = self.expect(4, "a comment", |bytes| memchr::memmem::find(bytes, b"-->"))?;
            self.at += end + 3;
            return Ok(None);
        }
        if head.starts_with(b"<![CDATA[") {
            let end = self.expect(9, "a CDATA section", |bytes| memchr::memmem::find(bytes, b"]]>"))?;
            let start = self.at;
            self.at += end + 3;
            return Ok(Some((start + 9, start + end)));
        }
        Err(malformed("it declares a DTD or another <! construct, which workbooks never hold"))
    }

    /// A start tag, or an empty element's tag.
    fn open_tag(&mut self) -> Result<Token<'_>, XmlError> {
        let end = self.expect(1, "a tag", tag_end)?;
        let start = self.at;
        self.at += end + 1;
        let inside = &self.buffer[start + 1..start + end];
        let (inside, empty) = match inside.strip_suffix(b"/") {
            Some(inside) => (inside, true),
            None => (inside, false),
        };
        let name_end = inside.iter().position(u8::is_ascii_whitespace).unwrap_or(inside.len());
        Ok(Token::Open {
            name: local(&inside[..name_end]),
            attributes: Attributes(&inside[name_end..]),
            empty,
        })
    }

    /// The raw text of an element written the plainest way, `open`, a text,
    /// `close`, when that is what comes next and it is all in the buffer:
    /// a sheet's cells are nearly all so, and reading them at once costs a
    /// fraction of reading their tokens. None for anything else, which the
    /// tokens then read as usual.
    pub fn plain_text(&mut self, open: &[u8], close: &[u8]) -> Option<&[u8]> {
        let inner = self.buffer[self.at..self.end].strip_prefix(open)?;
        let length = inner.iter().position(|byte| *byte == b'<')?;
        if !inner[length..].starts_with(close) {
            return None;
        }
        let start = self.at + open.len();
        self.at = start + length + close.len();
        Some(&self.buffer[start..start + length])
    }

    /// The text of the element just opened, entities replaced, appended to
    /// `into`; reads up to and with its end tag. Of a string item (`<si>`,
    /// `<is>`) only the `<t>` elements count, and not a phonetic guide's
    /// (`<rPh>`): the whitespace between its runs is not its text.
    pub fn element_text(&mut self, into: &mut String, item: bool) -> Result<(), XmlError> {
        let mut depth = 0usize;
        // The depths at which the open `<t>` and `<rPh>` were opened.
        let (mut text_at, mut phonetic_at) = (None, None);
        loop {
            let counts = !item || (text_at.is_some() && phonetic_at.is_none());
            match self.next()? {
                Token::Text(raw) if counts => into.push_str(&unescape(raw)?),
                Token::CData(raw) if counts => into.push_str(&text_of(raw)),
                Token::Open { name, empty: false, .. } => {
                    match name {
                        b"t" if item => text_at = Some(depth),
                        b"rPh" if item && phonetic_at.is_none() => phonetic_at = Some(depth),
                        _ => {}
                    }
                    depth += 1;
                }
                Token::Close { .. } if depth == 0 => return Ok(()),
                Token::Close { .. } => {
                    depth -= 1;
                    if text_at == Some(depth) {
                        text_at = None;
                    }
                    if phonetic_at == Some(depth) {
                        phonetic_at = None;
                    }
                }
                Token::End => return Err(malformed("it ends inside an element")),
                _ => {}
            }
        }
    }

    /// Reads past the end tag of the element just opened.
    pub fn skip_element(&mut self) -> Result<(), XmlError> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Token::Open { empty: false, .. } => depth += 1,
                Token::Close { .. } if depth == 0 => return Ok(()),
                Token::Close { .. } => depth -= 1,
                Token::End => return Err(malformed("it ends inside an element")),
                _ => {}
            }
        }
    }
}

/// Where a start tag ends (its `>`), quotes in attribute values minded.
/// Tags are short: a plain loop beats setting up a vector search.
fn tag_end(bytes: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (at, byte) in bytes.iter().enumerate() {
        match (quote, *byte) {
            (None, b'>') => return Some(at),
            (None, b'"' | b'\'') => quote = Some(*byte),
            (Some(open), byte) if byte == open => quote = None,
            _ => {}
        }
    }
    None
}

/// Bytes as text: UTF-8 as it is, anything else with U+FFFD for what is not.
fn text_of(raw: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(raw) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(raw),
    }
}

/// Text with its entity and character references replaced, and line ends
/// normalised to `\n` as XML says; bytes that are not UTF-8 become U+FFFD.
pub fn unescape(raw: &[u8]) -> Result<Cow<'_, str>, XmlError> {
    // Most texts are a few bytes: a plain loop beats setting up a vector search.
    if !raw.iter().any(|byte| matches!(byte, b'&' | b'\r')) {
        return Ok(text_of(raw));
    }
    let mut text = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = memchr::memchr2(b'&', b'\r', rest) {
        text.push_str(&text_of(&rest[..at]));
        if rest[at] == b'\r' {
            text.push('\n');
            rest = &rest[at + 1..];
            if rest.first() == Some(&b'\n') {
                rest = &rest[1..];
            }
            continue;
        }
        let end = memchr::memchr(b';', &rest[at..]).filter(|end| *end <= 12).ok_or_else(|| {
            malformed(format!(
                "a '&' not followed by a reference: {}",
                String::from_utf8_lossy(&rest[at..(at + 12).min(rest.len())])
            ))
        })?;
        let name = &rest[at + 1..at + end];
        text.push(
            reference(name)
                .ok_or_else(|| malformed(format!("unknown reference &{};", String::from_utf8_lossy(name))))?,
        );
        rest = &rest[at + end + 1..];
    }
    text.push_str(&text_of(rest));
    Ok(Cow::Owned(text))
}

/// The character a reference (`amp`, `#38`, `#x26`) stands for.
fn reference(name: &[u8]) -> Option<char> {
    Some(match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"quot" => '"',
        b"apos" => '\'',
        [b'#', b'x' | b'X', hex @ ..] => {
            char::from_u32(u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?)?
        }
        [b'#', decimal @ ..] => char::from_u32(std::str::from_utf8(decimal).ok()?.parse().ok()?)?,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that gives one byte a read, so that every token spans reads.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else { return Ok(0) };
            into[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    fn tokens(xml: &[u8]) -> Vec<String> {
        let mut tokens = Tokens::new(Trickle(xml));
        let mut seen = Vec::new();
        loop {
            let token = tokens.next().unwrap();
            seen.push(match token {
                Token::Open { name, attributes, empty } => {
                    let r = attributes.get(b"r").map(|r| String::from_utf8_lossy(r).into_owned());
                    format!("open {} r={r:?} empty={empty}", String::from_utf8_lossy(name))
                }
                Token::Close { name } => format!("close {}", String::from_utf8_lossy(name)),
                Token::Text(text) => format!("text {}", unescape(text).unwrap()),
                Token::CData(text) => format!("cdata {}", String::from_utf8_lossy(text)),
                Token::End => break,
            });
        }
        seen
    }

    #[test]
    fn tags_texts_and_cdata_are_told_apart_across_reads() {
        let xml = br#"<?xml version="1.0"?><!-- a > comment --><x:row r='2' x:spans="1:2"><c r="A2" t="s" a=">"/><t>a &amp; b &#65;&#x42;</t><![CDATA[<raw>]]></x:row>"#;
        assert_eq!(
            tokens(xml),
            [
                "open row r=Some(\"2\") empty=false",
                "open c r=Some(\"A2\") empty=true",
                "open t r=None empty=false",
                "text a & b AB",
                "close t",
                "cdata <raw>",
                "close row",
            ]
        );
    }

    proptest::proptest! {
        /// Any bytes at all: tokens or a refusal, never a panic, and the
        /// reading ends.
        #[test]
        fn any_bytes_end_in_tokens_or_a_refusal(bytes in proptest::collection::vec(
            proptest::sample::select(b"<>/!?-[]CDATA\"'=&#x;amp rtvc".to_vec()), 0..400)) {
            let mut tokens = Tokens::new(Trickle(&bytes));
            for _ in 0..=bytes.len() {
                match tokens.next() {
                    Ok(Token::End) | Err(_) => break,
                    Ok(Token::Open { empty: false, .. }) => {
                        let mut text = String::new();
                        if tokens.element_text(&mut text, true).is_err() {
                            break;
                        }
                    }
                    Ok(Token::Text(raw)) => {
                        let _ = unescape(raw);
                    }
                    Ok(_) => {}
                }
            }
        }
    }

    #[test]
    fn a_utf16_part_is_refused_by_its_byte_order_mark() {
        let mut tokens = Tokens::new(&b"\xFF\xFE<\x00x\x00/\x00>\x00"[..]);
        assert!(tokens.next().unwrap_err().to_string().contains("UTF-16"));
    }

    #[test]
    fn a_plain_element_is_read_at_once_and_anything_else_left_to_the_tokens() {
        let mut tokens = Tokens::new(&b"<v>12</v></c><v><![CDATA[x]]></v></c>"[..]);
        tokens.fill().unwrap();
        assert_eq!(tokens.plain_text(b"<v>", b"</v></c>"), Some(&b"12"[..]));
        assert_eq!(tokens.plain_text(b"<v>", b"</v></c>"), None);
        assert!(matches!(tokens.next().unwrap(), Token::Open { name: b"v", .. }));
    }

    #[test]
    fn line_ends_are_normalised_and_unknown_references_refused() {
        assert_eq!(unescape(b"a\r\nb\rc").unwrap(), "a\nb\nc");
        assert!(unescape(b"a &bogus; b").unwrap_err().to_string().contains("unknown reference &bogus;"));
        assert!(unescape(b"AT&T").is_err());
    }

    #[test]
    fn a_dtd_is_refused_and_a_part_cut_short_is_an_error() {
        let mut dtd = Tokens::new(&b"<!DOCTYPE x [<!ENTITY a \"b\">]><x/>"[..]);
        assert!(dtd.next().unwrap_err().to_string().contains("DTD"));
        let mut cut = Tokens::new(&b"<row r=\"1\""[..]);
        assert!(cut.next().unwrap_err().to_string().contains("ends inside a tag"));
    }

    #[test]
    fn a_text_longer_than_the_limit_is_refused_without_holding_more() {
        let long = [b"<t>".as_slice(), &vec![b'x'; TOKEN_LIMIT + 2 * READ_BYTES]].concat();
        let mut tokens = Tokens::new(long.as_slice());
        assert!(matches!(tokens.next().unwrap(), Token::Open { .. }));
        let error = tokens.next().unwrap_err().to_string();
        assert!(error.contains("longer than 16 MiB"), "{error}");
        assert!(tokens.buffer.len() < TOKEN_LIMIT + 3 * READ_BYTES);
    }

    #[test]
    fn a_string_item_is_its_runs_texts_without_the_phonetic_guide() {
        let xml = b"<si>\n <r><rPr><b/></rPr><t>Ka</t></r>\n <r><t xml:space=\"preserve\"> ta </t></r><rPh><t>KATA</t></rPh></si><next/>";
        let mut tokens = Tokens::new(Trickle(xml));
        assert!(matches!(tokens.next().unwrap(), Token::Open { .. }));
        let mut text = String::new();
        tokens.element_text(&mut text, true).unwrap();
        assert_eq!(text, "Ka ta ");
        assert!(matches!(tokens.next().unwrap(), Token::Open { name: b"next", .. }));
    }
}
