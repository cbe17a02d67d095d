//! Property tests: random and mutated bytes through the CSV reader, the
//! Excel reader, the cell mapping and the journal reader. None panics, and
//! every row is either read or reported.

use std::path::Path;

use proptest::prelude::*;
use wa_bulk::input::{self, ColumnMap, InputOptions, RawRow};
use wa_bulk::report::identity::InputIdentity;
use wa_bulk::report::journal::{self, Journal};
use wa_bulk::report::{Record, Status};
use wa_bulk::validate::{check_row, check_rows};

use super::samples::sample;
use super::support::HEADER;

/// Each row read from `path`: its number and whether it is valid; or the
/// error that stopped the reading.
fn read_rows(path: &Path) -> Result<Vec<(u64, bool)>, String> {
    let options = InputOptions { path: path.to_owned(), ..InputOptions::default() };
    let opened = input::open(&options).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    check_rows(
        opened,
        |checked| (checked.row, checked.is_valid()),
        |row| {
            rows.push(row);
            Ok::<_, wa_bulk::input::InputError>(())
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(rows)
}

/// Bytes that CSV parsing cares about, and some that it should not.
fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    let interesting = prop_oneof![
        Just(b'"'),
        Just(b','),
        Just(b';'),
        Just(b'\t'),
        Just(b'\n'),
        Just(b'\r'),
        Just(0u8),
        Just(0xc3u8),
        Just(0xffu8),
        b'a'..=b'z',
        any::<u8>(),
    ];
    proptest::collection::vec(interesting, 0..1500)
}

fn in_temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_under_a_header_read_in_order_within_the_file(body in csv_bytes()) {
        let text = [format!("{HEADER}\n").into_bytes(), body.clone()].concat();
        let (_dir, path) = in_temp_file("random.csv", &text);
        let lines = 1 + body.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        if let Ok(rows) = read_rows(&path) {
            let numbers: Vec<u64> = rows.iter().map(|(row, _)| *row).collect();
            prop_assert!(numbers.windows(2).all(|pair| pair[0] < pair[1]), "{numbers:?}");
            prop_assert!(numbers.iter().all(|row| (2..=lines).contains(row)), "{numbers:?} of {lines}");
        }
    }

    #[test]
    fn without_quotes_every_line_with_content_is_a_row_at_its_own_number(
        cells in proptest::collection::vec(proptest::collection::vec("[a-z ]{0,6}", 7), 1..40)
    ) {
        let mut text = format!("{HEADER}\n");
        let mut expected = Vec::new();
        for (index, row) in cells.iter().enumerate() {
            text.push_str(&row.join(","));
            text.push('\n');
            if row.iter().any(|cell| !cell.trim().is_empty()) {
                expected.push(index as u64 + 2);
            }
        }
        let (_dir, path) = in_temp_file("plain.csv", text.as_bytes());
        match read_rows(&path) {
            Ok(rows) => prop_assert_eq!(rows.iter().map(|(row, _)| *row).collect::<Vec<_>>(), expected),
            Err(error) => prop_assert!(expected.is_empty() && error.contains("no data rows"), "{error}"),
        }
    }

    #[test]
    fn any_cell_text_maps_and_checks_without_panicking(
        cells in proptest::collection::vec(any::<String>(), 9),
        numeric in proptest::collection::vec(0usize..9, 0..3),
    ) {
        let headers: Vec<String> =
            [HEADER, "Tags,Tag:team"].join(",").split(',').map(str::to_owned).collect();
        let (columns, _) = ColumnMap::new("f.csv", headers, &[]).unwrap();
        let raw = RawRow { row: 2, cells: cells.iter().map(String::as_str).collect(), numeric, issues: Vec::new() };
        let checked = check_row(&columns, &raw);
        for problem in &checked.problems {
            prop_assert!(problem.column.as_ref().is_none_or(|c| c.index < 9 && columns.header(c.index) == c.header));
        }
    }

    #[test]
    fn mutated_workbooks_are_read_or_refused(
        member in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        // The XML inside is mutated, so that calamine itself meets it.
        let bytes = mutated_workbook(&std::fs::read(sample("workloads.xlsx")).unwrap(), member, &flips, cut);
        let (_dir, path) = in_temp_file("mutated.xlsx", &bytes);
        if let Ok(rows) = read_rows(&path) {
            prop_assert!(rows.windows(2).all(|pair| pair[0].0 < pair[1].0));
        }
    }

    #[test]
    fn a_journal_with_any_tail_or_damage_reads_back_or_is_refused(
        tail in proptest::collection::vec(any::<u8>(), 0..200),
        damage in proptest::option::of((any::<prop::sample::Index>(), any::<u8>())),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv.journal");
        let identity = InputIdentity { input: "/in.csv".into(), sha256: None };
        let mut writer = Journal::open(&path, &identity).unwrap();
        let written: Vec<Record<'static>> = (2..12).map(done).collect();
        for record in &written {
            writer.append(record).unwrap();
        }
        drop(writer);
        let mut bytes = std::fs::read(&path).unwrap();
        if let Some((at, value)) = damage {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        bytes.extend(&tail);
        std::fs::write(&path, &bytes).unwrap();
        let recovered = journal::recover::<Record<'static>>(&path, &identity);
        if damage.is_none() {
            // Only a tail was added: every record written reads back.
            prop_assert_eq!(&recovered.as_ref().unwrap().records, &written);
        }
        if let Ok(recovered) = recovered {
            // What reads back is what was written, in order, but for the
            // one record a flipped byte may have changed.
            let changed = recovered.records.iter().filter(|record| !written.contains(record)).count();
            prop_assert!(changed <= 1, "{:?}", recovered.records);
            // The journal is cut back to good lines: reading again finds no tail.
            let again = journal::recover::<Record<'static>>(&path, &identity).unwrap();
            prop_assert!(again.warnings.is_empty(), "{:?}", again.warnings);
            prop_assert_eq!(again.records, recovered.records);
        }
    }
}

/// The workbook with one member's inflated content flipped at some bytes
/// (and cut short), zipped again.
fn mutated_workbook(
    bytes: &[u8],
    member: prop::sample::Index,
    flips: &[(prop::sample::Index, u8)],
    cut: Option<prop::sample::Index>,
) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let chosen = member.index(archive.len());
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        if index == chosen && !content.is_empty() {
            for (at, value) in flips {
                let at = at.index(content.len());
                content[at] = *value;
            }
            if let Some(cut) = cut {
                content.truncate(cut.index(content.len()));
            }
        }
        out.start_file(file.name().unwrap().into_owned(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn done(row: u64) -> Record<'static> {
    Record {
        row,
        workload_name: format!("caf\u{e9} {row}").into(),
        account: None,
        region: None,
        status: Status::Created,
        workload_id: Some(format!("id-{row}")),
        workload_arn: None,
        attempts: 1,
        error_code: None,
        message: String::new(),
        problems: Vec::new(),
    }
}
