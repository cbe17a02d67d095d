//! Zip bombs. The sizes an archive declares are not what its members
//! inflate to, so what they really inflate to is counted as they inflate:
//! a member past [`MEMBER_LIMIT`], or an archive past [`TOTAL_LIMIT`] or
//! [`MAX_MEMBERS`], is refused.
//!
//! wa-bulk's own xlsx reader inflates each member it reads through
//! [`Inflating`], on a thread of its own so that inflating one part and
//! parsing the one before it share the two cores, counting as it goes.
//! calamine (xlsb, ods, and the results workbooks read back) inflates some
//! members whole (the shared strings) and trusts the declared sizes, so
//! before it opens a file every member is inflated here once, counted and
//! thrown away ([`check`]), and an XML part with a text longer than
//! [`TEXT_LIMIT`] is refused too (calamine would hold it whole, a few
//! times over).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::InputError;

/// What one member may inflate to.
pub const MEMBER_LIMIT: u64 = 256 << 20;
/// What all members together may inflate to.
pub const TOTAL_LIMIT: u64 = 1 << 30;
/// Members an archive may have.
pub const MAX_MEMBERS: usize = 10_000;
/// The fewest bytes a shared string takes in XML: `<si><t/></si>`.
const SMALLEST_STRING: u64 = 13;
/// How much of a member's start is kept to read its declarations.
const HEAD_BYTES: usize = 4096;
/// The longest text an XML part may hold between two tags. calamine holds
/// a few copies of a text while it reads it; Excel's own cells hold at most
/// 32,767 characters.
pub const TEXT_LIMIT: u64 = 16 << 20;

/// Bytes inflated and handed over at a time.
const CHUNK_BYTES: usize = 256 << 10;
/// Chunks the inflating thread may be ahead of the reader.
const CHUNKS_AHEAD: usize = 32;

/// A zip archive whose members are read through [`Inflating`].
pub(super) struct Archive {
    path: PathBuf,
    file: String,
    extension: String,
    /// Its members: names and the sizes they declare (which may lie).
    members: Vec<(String, u64)>,
    /// What every member read so far inflated to.
    inflated: Arc<AtomicU64>,
}

impl Archive {
    /// Opens an archive of at most [`MAX_MEMBERS`] members.
    pub(super) fn open(path: &Path, file: &str, extension: &str) -> Result<Archive, InputError> {
        let mut archive = zip_archive(path, file, extension)?;
        let mut members = Vec::with_capacity(archive.len());
        for index in 0..archive.len() {
            let member =
                archive.by_index_raw(index).map_err(|e| InputError::not_a_workbook(file, extension, e))?;
            if let Ok(name) = member.name() {
                members.push((name.into_owned(), member.size()));
            }
        }
        Ok(Archive {
            path: path.to_owned(),
            file: file.to_owned(),
            extension: extension.to_owned(),
            members,
            inflated: Arc::default(),
        })
    }

    /// The member of this name (in any case), and the size it declares.
    pub(super) fn find(&self, name: &str) -> Option<(&str, u64)> {
        self.members
            .iter()
            .find(|(member, _)| member.eq_ignore_ascii_case(name))
            .map(|(m, size)| (m.as_str(), *size))
    }

    /// The refusal of a member that is not what it should be.
    pub(super) fn not_a_workbook(&self, member: &str, detail: impl std::fmt::Display) -> InputError {
        InputError::not_a_workbook(&self.file, &self.extension, format!("{member}: {detail}"))
    }

    /// Starts inflating a member on a thread of its own.
    pub(super) fn inflate(&self, member: &str) -> Inflating {
        let (sender, chunks) = sync_channel(CHUNKS_AHEAD);
        // Chunks read come back to be filled again: a fresh one each time
        // costs the kernel's zeroing of its pages more than the inflating.
        let (give_back, spare) = sync_channel::<Vec<u8>>(CHUNKS_AHEAD + 2);
        let (path, file, extension) = (self.path.clone(), self.file.clone(), self.extension.clone());
        let (member, inflated) = (member.to_owned(), Arc::clone(&self.inflated));
        std::thread::spawn(move || {
            let inflate = || -> Result<(), InputError> {
                let mut archive = zip_archive(&path, &file, &extension)?;
                let not_a_workbook =
                    |detail| InputError::not_a_workbook(&file, &extension, format!("{member}: {detail}"));
                let mut reader = archive.by_name(&member).map_err(|e| not_a_workbook(e.to_string()))?;
                let mut member_bytes = 0u64;
                loop {
                    let given_back = spare.try_recv().ok().filter(|chunk| chunk.len() == CHUNK_BYTES);
                    let mut chunk = given_back.unwrap_or_else(|| vec![0; CHUNK_BYTES]);
                    let read = match reader.read(&mut chunk) {
                        Ok(0) => return Ok(()),
                        Ok(read) => read,
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                        Err(error) => return Err(not_a_workbook(error.to_string())),
                    };
                    member_bytes += read as u64;
                    if member_bytes > MEMBER_LIMIT {
                        return Err(InputError::ZipBomb { file, member, limit: MEMBER_LIMIT >> 20 });
                    }
                    if inflated.fetch_add(read as u64, Ordering::Relaxed) + read as u64 > TOTAL_LIMIT {
                        return Err(InputError::ZipBomb {
                            file,
                            member: "the archive as a whole".into(),
                            limit: TOTAL_LIMIT >> 20,
                        });
                    }
                    if sender.send(Ok((chunk, read))).is_err() {
                        return Ok(());
                    }
                }
            };
            if let Err(error) = inflate() {
                let _ = sender.send(Err(error));
            }
        });
        Inflating { chunks, give_back, chunk: Vec::new(), filled: 0, at: 0 }
    }
}

/// One member of a zip, inflated on a thread of its own and read as it
/// comes; reading fails with an [`InputError`] inside the `io::Error` (see
/// [`Inflating::input_error`]) once the member or the archive as a whole
/// inflates past its limit.
pub(super) struct Inflating {
    /// Chunks, each with how many of its bytes were filled.
    chunks: Receiver<Result<(Vec<u8>, usize), InputError>>,
    give_back: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    filled: usize,
    at: usize,
}

impl Inflating {
    /// The refusal a read failed with, if it was one.
    pub(super) fn input_error(error: io::Error) -> Result<InputError, io::Error> {
        match error.get_ref().is_some_and(|inner| inner.is::<InputError>()) {
            true => Ok(*error
                .into_inner()
                .expect("checked above")
                .downcast::<InputError>()
                .expect("checked above")),
            false => Err(error),
        }
    }
}

impl Read for Inflating {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        while self.at == self.filled {
            match self.chunks.recv() {
                Ok(Ok((chunk, filled))) => {
                    let read = std::mem::replace(&mut self.chunk, chunk);
                    let _ = self.give_back.try_send(read);
                    (self.filled, self.at) = (filled, 0);
                }
                Ok(Err(error)) => return Err(io::Error::other(error)),
                Err(_) => return Ok(0),
            }
        }
        let count = into.len().min(self.filled - self.at);
        into[..count].copy_from_slice(&self.chunk[self.at..self.at + count]);
        self.at += count;
        Ok(count)
    }
}

/// What inflating a member found.
struct Inflated {
    bytes: u64,
    /// Its first bytes, to read its declarations.
    head: Vec<u8>,
    /// The longest run of bytes without a `<` (in XML, the longest text),
    /// exact from the size of one read up.
    longest_text: u64,
}

/// Inflates a member up to just past the limit.
fn inflate(member: &mut impl Read) -> io::Result<Inflated> {
    let mut found = Inflated { bytes: 0, head: Vec::with_capacity(HEAD_BYTES), longest_text: 0 };
    let mut buffer = vec![0; 1 << 16];
    let mut run = 0;
    while found.bytes <= MEMBER_LIMIT {
        let read = match member.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let room = HEAD_BYTES - found.head.len();
        found.head.extend_from_slice(&buffer[..read.min(room)]);
        found.bytes += read as u64;
        // Runs inside one read are shorter than a read, far below the
        // limit: only a run that spans reads needs measuring.
        let read_bytes = &buffer[..read];
        match (memchr::memchr(b'<', read_bytes), memchr::memrchr(b'<', read_bytes)) {
            (Some(first), Some(last)) => {
                found.longest_text = found.longest_text.max(run + first as u64);
                run = (read - last - 1) as u64;
            }
            _ => run += read as u64,
        }
    }
    found.longest_text = found.longest_text.max(run);
    Ok(found)
}

/// The `uniqueCount` a shared strings part declares.
fn declared_strings(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let after = &text[text.find("uniqueCount=")? + "uniqueCount=".len()..];
    let digits: String = after.chars().skip(1).take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Opens a zip archive of at most [`MAX_MEMBERS`] members.
fn zip_archive(
    path: &Path,
    file: &str,
    extension: &str,
) -> Result<zip::ZipArchive<BufReader<File>>, InputError> {
    let opened = File::open(path).map_err(|source| InputError::Io { file: file.to_owned(), source })?;
    let archive = zip::ZipArchive::new(BufReader::new(opened))
        .map_err(|e| InputError::not_a_workbook(file, extension, e))?;
    if archive.len() > MAX_MEMBERS {
        return Err(InputError::TooLarge {
            file: file.to_owned(),
            what: format!("the archive has {} members; wa-bulk reads at most {MAX_MEMBERS}", archive.len()),
        });
    }
    Ok(archive)
}

/// Refuses a workbook whose members inflate past the limits.
pub(super) fn check(path: &Path, file: &str, extension: &str) -> Result<(), InputError> {
    let not_a_workbook = |detail: String| InputError::not_a_workbook(file, extension, detail);
    let mut archive = zip_archive(path, file, extension)?;
    let mut total = 0;
    for index in 0..archive.len() {
        let mut member = archive.by_index(index).map_err(|e| not_a_workbook(e.to_string()))?;
        let name = member.name().map_or_else(|_| format!("member {index}"), |name| name.into_owned());
        let Inflated { bytes: inflated, head, longest_text } =
            inflate(&mut member).map_err(|e| not_a_workbook(format!("{name}: {e}")))?;
        if inflated > MEMBER_LIMIT {
            return Err(InputError::ZipBomb {
                file: file.to_owned(),
                member: name,
                limit: MEMBER_LIMIT >> 20,
            });
        }
        // calamine reserves room for as many shared strings as the file
        // declares: a count no content could hold would exhaust memory.
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml")
            && declared_strings(&head).is_some_and(|declared| declared > inflated / SMALLEST_STRING)
        {
            return Err(not_a_workbook(format!(
                "{name} declares more strings than its {inflated} bytes hold"
            )));
        }
        if name.to_ascii_lowercase().ends_with(".xml") && longest_text > TEXT_LIMIT {
            return Err(not_a_workbook(format!(
                "{name} holds a text of {longest_text} bytes between two tags, more than the {} MiB \
                 wa-bulk reads (an Excel cell holds at most 32,767 characters)",
                TEXT_LIMIT >> 20
            )));
        }
        total += inflated;
        if total > TOTAL_LIMIT {
            return Err(InputError::ZipBomb {
                file: file.to_owned(),
                member: "the archive as a whole".into(),
                limit: TOTAL_LIMIT >> 20,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(members: &[(&str, u64)]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut writer = zip::ZipWriter::new(file.reopen().unwrap());
        let options =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, size) in members {
            writer.start_file(*name, options).unwrap();
            let block = vec![b'a'; 1 << 20];
            let mut left = *size;
            while left > 0 {
                let part = left.min(block.len() as u64) as usize;
                writer.write_all(&block[..part]).unwrap();
                left -= part as u64;
            }
        }
        writer.finish().unwrap();
        file
    }

    #[test]
    fn a_member_that_inflates_past_the_limit_is_a_zip_bomb() {
        let bomb = zip_of(&[("xl/sharedStrings.xml", MEMBER_LIMIT + 1)]);
        let error = check(bomb.path(), "bomb.xlsx", "xlsx").unwrap_err();
        assert!(matches!(&error, InputError::ZipBomb { member, .. } if member == "xl/sharedStrings.xml"));
        assert!(error.to_string().contains("zip bomb"), "{error}");
        check(zip_of(&[("a.xml", 1000), ("b.xml", 2000)]).path(), "fine.xlsx", "xlsx").unwrap();
    }

    #[test]
    fn a_shared_strings_count_no_content_could_hold_is_refused() {
        assert_eq!(declared_strings(br#"<sst xmlns="x" count="3" uniqueCount="2">"#), Some(2));
        assert_eq!(declared_strings(b"<sst>"), None);
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut writer = zip::ZipWriter::new(file.reopen().unwrap());
        writer.start_file("xl/sharedStrings.xml", zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(br#"<sst uniqueCount="99999999999"><si><t>a</t></si></sst>"#).unwrap();
        writer.finish().unwrap();
        let error = check(file.path(), "f.xlsx", "xlsx").unwrap_err().to_string();
        assert!(error.contains("declares more strings than its"), "{error}");
    }

    #[test]
    fn the_longest_text_between_tags_is_measured_across_reads() {
        let xml = [b"<a>".as_slice(), &vec![b'x'; 100_000], b"</a><b>yy</b>", &vec![b'z'; 70_000]].concat();
        let found = inflate(&mut xml.as_slice()).unwrap();
        // The run counts the tag that opens the text too: `a>` and 100,000 bytes.
        assert_eq!((found.bytes, found.longest_text), (xml.len() as u64, 100_002));
        assert_eq!(found.head.len(), HEAD_BYTES);
    }

    #[test]
    fn what_is_not_a_zip_is_not_a_workbook() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "Name,Owner\nx,y\n").unwrap();
        assert!(matches!(check(file.path(), "f.xlsx", "xlsx"), Err(InputError::NotAWorkbook { .. })));
    }
}
