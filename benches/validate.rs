//! Read + map + validate throughput on 100,000 generated rows, as CSV and as
//! xlsx (shared strings, as Excel writes; inline strings, as openpyxl's
//! write-only mode writes): the dry run's pipeline alone (`check_rows`,
//! results counted), the whole `validate` command with its CSV report, and
//! with the xlsx results workbook.
//!
//! Run with `cargo bench --bench validate`; the README quotes the medians.
//! The generated files stay in `target/bench-data/` for the README's
//! commands (memory, and the openpyxl peer).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wa_bulk::commands::validate::{self, ValidateConfig};
use wa_bulk::input::{self, InputOptions};
use wa_bulk::report::{Format, Status};
use wa_bulk::validate::check_rows;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROWS: usize = 100_000;

const HEADER: [&str; 10] = [
    "WorkloadName",
    "Description",
    "Environment",
    "AccountIds",
    "AwsRegions",
    "PillarPriorities",
    "ReviewOwner",
    "IndustryType",
    "Lenses",
    "Tags",
];

/// A realistic row: every required member, lists, tags, an enum.
fn row(index: usize) -> [String; 10] {
    [
        format!("workload-{index:07}"),
        format!("Payments service number {index} for the web shop"),
        if index.is_multiple_of(3) { "PREPRODUCTION" } else { "PRODUCTION" }.to_owned(),
        format!("{:012}", 111_111_111_111 + index),
        "us-east-1;eu-west-1".to_owned(),
        "security;reliability".to_owned(),
        format!("team-{}@example.com", index % 50),
        "Retail & Wholesale".to_owned(),
        "wellarchitected;serverless".to_owned(),
        format!("team=t{}; env=prod", index % 50),
    ]
}

fn write_csv(path: &Path) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(HEADER).unwrap();
    for index in 0..ROWS {
        writer.write_record(row(index)).unwrap();
    }
    writer.flush().unwrap();
}

/// An xlsx of the rows: with a shared strings table as Excel writes it, or
/// with every text inline (rust_xlsxwriter's constant-memory mode) as
/// openpyxl's write-only mode writes it.
fn write_xlsx(path: &Path, inline: bool) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet =
        if inline { book.add_worksheet_with_constant_memory().unwrap() } else { book.add_worksheet() };
    for (column, header) in HEADER.iter().enumerate() {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    for index in 0..ROWS {
        for (column, cell) in row(index).iter().enumerate() {
            sheet.write_string(index as u32 + 1, column as u16, cell).unwrap();
        }
    }
    book.save(path).unwrap();
}

/// Reads, maps and checks every row; returns how many are valid.
fn pipeline(path: &Path) -> usize {
    let opened = input::open(&InputOptions { path: path.to_owned(), ..InputOptions::default() }).unwrap();
    let mut valid = 0;
    check_rows(
        opened,
        |checked| checked.is_valid(),
        |ok| {
            valid += usize::from(ok);
            Ok::<_, input::InputError>(())
        },
    )
    .unwrap();
    valid
}

fn command(path: &Path, report: PathBuf) -> u64 {
    let format = Format::for_path(&report).unwrap();
    let config = ValidateConfig {
        input: InputOptions { path: path.to_owned(), ..InputOptions::default() },
        report,
        format,
        failures: None,
    };
    validate::run(&config).unwrap().counts.get(Status::Valid)
}

fn benches(c: &mut Criterion) {
    wa_bulk::without_huge_pages();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let (csv, xlsx, inline) = (dir.join("rows.csv"), dir.join("rows.xlsx"), dir.join("rows-inline.xlsx"));
    write_csv(&csv);
    write_xlsx(&xlsx, false);
    write_xlsx(&inline, true);
    for file in [&csv, &xlsx, &inline] {
        assert_eq!(pipeline(file), ROWS, "every generated row is valid");
    }
    let report = |name: &str| {
        let path = dir.join(name);
        // A report of an earlier bench run, replaced as validate replaces its own.
        let _ = std::fs::remove_file(&path);
        path
    };

    let mut group = c.benchmark_group("validate_100k");
    group.sample_size(20).throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("csv_pipeline", |b| b.iter(|| black_box(pipeline(&csv))));
    group.bench_function("csv_command_with_report", |b| {
        b.iter(|| black_box(command(&csv, report("csv.report.csv"))))
    });
    group.bench_function("xlsx_pipeline", |b| b.iter(|| black_box(pipeline(&xlsx))));
    group.bench_function("xlsx_inline_pipeline", |b| b.iter(|| black_box(pipeline(&inline))));
    group.bench_function("xlsx_command_with_report", |b| {
        b.iter(|| black_box(command(&xlsx, report("xlsx.report.csv"))))
    });
    group.finish();

    // The results workbook: the input read again, every row written with
    // its own cells and its results, in constant memory.
    let mut group = c.benchmark_group("results_workbook_100k");
    group.sample_size(10).throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("csv_command_with_xlsx_report", |b| {
        b.iter(|| black_box(command(&csv, report("csv.results.xlsx"))))
    });
    group.bench_function("xlsx_command_with_xlsx_report", |b| {
        b.iter(|| black_box(command(&xlsx, report("xlsx.results.xlsx"))))
    });
    group.finish();
}

criterion_group!(validate_benches, benches);
criterion_main!(validate_benches);
