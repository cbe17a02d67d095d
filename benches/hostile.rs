//! Hostile files, full size: each is written under `target/hostile/` and
//! validated by the release binary under `/usr/bin/time -v`, and a table of
//! exit codes, peak memory and time is printed (the README's table comes
//! from here). Targets: exit 0, 1 or 2, never a panic; at most 512 MB and
//! 30 s each. Run with `cargo bench --bench hostile`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use rust_xlsxwriter::Workbook;

#[path = "../tests/cases/workbooks.rs"]
mod workbooks;
use workbooks::{SHEET_END, SHEET_START, workbook_with};

const HEADER: &str = "WorkloadName,Description,Environment,AccountIds,AwsRegions,ReviewOwner,Lenses";

fn good_row(name: &str) -> String {
    format!("{name},A good workload,Production,111122223333,us-east-1,owner@example.com,wellarchitected")
}

/// Writes `path` through a buffered writer.
fn write_with(path: &Path, fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) {
    let mut out = BufWriter::new(File::create(path).unwrap());
    fill(&mut out).unwrap();
    out.flush().unwrap();
}

fn rows(out: &mut impl Write, count: usize) -> std::io::Result<()> {
    (0..count).try_for_each(|index| writeln!(out, "{}", good_row(&format!("workload {index:06}"))))
}

fn cases(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut cases = Vec::new();
    let mut add = |name: &'static str, file: &str| {
        let path = dir.join(file);
        cases.push((name, path.clone()));
        path
    };

    let path = add("unclosed quote on row 2 of 100,000 rows", "unclosed.csv");
    write_with(&path, |out| {
        writeln!(out, "{HEADER}\n{}", good_row("broken").replace("A good", "\"A good"))?;
        rows(out, 100_000)
    });
    let path = add("a 1 MB cell, then 5,000 short rows", "big-cell.csv");
    write_with(&path, |out| {
        writeln!(out, "{HEADER}\n{}", good_row("big").replace("A good workload", &"x".repeat(1_000_000)))?;
        rows(out, 5_000)
    });
    let path = add("a 50 MB cell, then 5,000 short rows", "huge-cell.csv");
    write_with(&path, |out| {
        writeln!(out, "{HEADER}\n{}", good_row("big").replace("A good workload", &"x".repeat(50 << 20)))?;
        rows(out, 5_000)
    });
    let path = add("a header of 100,000 columns", "wide-header.csv");
    write_with(&path, |out| writeln!(out, "{HEADER}{}\n{}", ",extra".repeat(100_000), good_row("shop")));
    let path = add("1,000 rows of 100,000 cells", "wide-rows.csv");
    write_with(&path, |out| {
        writeln!(out, "{HEADER}")?;
        (0..1000).try_for_each(|index| {
            writeln!(out, "{}{}", good_row(&format!("w{index:04}")), ",y".repeat(100_000))
        })
    });
    let path = add("a 50 MB line with no newline", "one-line.csv");
    write_with(&path, |out| out.write_all(&vec![b'a'; 50 << 20]));
    let path = add("10 MB of NUL bytes under a header", "nul.csv");
    write_with(&path, |out| {
        writeln!(out, "{HEADER}")?;
        out.write_all(&vec![0; 10 << 20])
    });
    let path = add("10 MB of quotes only", "quotes.csv");
    write_with(&path, |out| out.write_all(&vec![b'"'; 10 << 20]));
    let path = add("10 MB of quotes under a header", "header-quotes.csv");
    write_with(&path, |out| {
        writeln!(out, "{HEADER}")?;
        out.write_all(&vec![b'"'; 10 << 20])
    });
    let path = add("the header repeated mid-file, 100,000 rows", "header-again.csv");
    write_with(&path, |out| {
        writeln!(out, "{HEADER}")?;
        rows(out, 50_000)?;
        writeln!(out, "{HEADER}")?;
        rows(out, 50_000)
    });

    let path = add("xlsx: one cell at XFD1048576", "far-cell.xlsx");
    let mut book = Workbook::new();
    book.add_worksheet().write_string(1_048_575, 16_383, "far").unwrap();
    book.save(&path).unwrap();
    let path = add("xlsx: a shared string inflating to 1 GiB", "string-bomb.xlsx");
    let headers: Vec<&str> = HEADER.split(',').collect();
    workbook_with(&path, &headers, "xl/sharedStrings.xml", |out| {
        out.write_all(br#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#)?;
        let block = vec![b'a'; 1 << 20];
        (0..1024).try_for_each(|_| out.write_all(&block))?;
        out.write_all(b"</t></si></sst>")
    });
    let path = add("xlsx: 20 M cells in one row", "long-row.xlsx");
    workbook_with(&path, &headers, "xl/worksheets/sheet1.xml", |out| {
        out.write_all(SHEET_START)?;
        out.write_all(br#"<row r="1">"#)?;
        let cells = b"<c/>".repeat(100_000);
        (0..200).try_for_each(|_| out.write_all(&cells))?;
        out.write_all(b"</row>")?;
        out.write_all(SHEET_END)
    });
    let path = add("xlsx: a 200 MB inline string under a header", "inline-string.xlsx");
    workbook_with(&path, &headers, "xl/worksheets/sheet1.xml", |out| {
        out.write_all(SHEET_START)?;
        write!(out, "<row r=\"1\">")?;
        for (column, header) in HEADER.split(',').enumerate() {
            write!(
                out,
                "<c r=\"{}1\" t=\"inlineStr\"><is><t>{header}</t></is></c>",
                char::from(b'A' + column as u8)
            )?;
        }
        out.write_all(br#"</row><row r="2"><c r="A2" t="inlineStr"><is><t>"#)?;
        let block = vec![b'x'; 1 << 20];
        (0..200).try_for_each(|_| out.write_all(&block))?;
        out.write_all(b"</t></is></c></row>")?;
        out.write_all(SHEET_END)
    });
    let sample = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/workloads.xlsx")).unwrap();
    let path = add("xlsx: truncated zip", "truncated.xlsx");
    std::fs::write(&path, &sample[..sample.len() / 2]).unwrap();
    let csv = format!("{HEADER}\n{}\n", good_row("renamed"));
    for (name, file) in [
        ("a CSV renamed .xlsx", "renamed.xlsx"),
        ("a CSV renamed .xls", "renamed.xls"),
        ("a CSV renamed .ods", "renamed.ods"),
        ("a CSV renamed .xlsb", "renamed.xlsb"),
    ] {
        std::fs::write(add(name, file), &csv).unwrap();
    }
    cases
}

/// `(exit code, peak RSS in MB, wall seconds)` of validating `path`.
fn measure(path: &Path) -> (i32, f64, f64) {
    let report = path.with_extension("report.jsonl");
    let _ = std::fs::remove_file(&report);
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_wa-bulk"))
        .args(["validate", path.to_str().unwrap(), "--quiet", "--report", report.to_str().unwrap()])
        .output()
        .expect("/usr/bin/time runs (apt-get install time)");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{}: {stderr}", path.display());
    let field =
        |name: &str| stderr.lines().find_map(|line| line.trim().strip_prefix(name)).unwrap_or("").trim();
    let rss_kb: f64 = field("Maximum resident set size (kbytes):").parse().unwrap_or(f64::NAN);
    let code: i32 = field("Exit status:").parse().unwrap_or(-1);
    let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss):");
    let seconds = wall.rsplit(':').next().and_then(|s| s.parse::<f64>().ok()).unwrap_or(f64::NAN)
        + wall.split(':').rev().nth(1).and_then(|m| m.parse::<f64>().ok()).unwrap_or(0.0) * 60.0;
    (code, rss_kb / 1024.0, seconds)
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/hostile");
    std::fs::create_dir_all(&dir).unwrap();
    println!("| hostile file | size | exit | peak RSS | time |");
    println!("|---|---:|---:|---:|---:|");
    for (name, path) in cases(&dir) {
        let size = std::fs::metadata(&path).unwrap().len() as f64;
        let (code, rss, seconds) = measure(&path);
        let size =
            if size >= 1e6 { format!("{:.1} MB", size / 1e6) } else { format!("{:.1} KB", size / 1e3) };
        println!("| {name} | {size} | {code} | {rss:.0} MB | {seconds:.2} s |");
    }
}
