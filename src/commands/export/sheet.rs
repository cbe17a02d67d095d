//! The export as a file: a row per workload in the layout `import` reads
//! (a column per member under a header the reader maps back, lists joined
//! with `; `, a `Tag:<key>` column per tag key, `Target account` and
//! `Target Region` when the run reached named places), then the read-only
//! columns of [`facts`](super::facts). In xlsx the Workloads sheet is
//! followed by the [Risks sheet](super::risks_sheet); JSON Lines carries
//! each workload whole with its facts.

use std::collections::BTreeSet;

use super::Exported;
use super::facts::Depth;
use crate::added_columns::READ_ONLY_COLUMNS;
use crate::destination::{ACCOUNT_HEADER, REGION_HEADER};
use crate::model::Field;

/// The members a sheet has a column for, in the member table's order.
pub fn columns() -> impl Iterator<Item = Field> {
    Field::ALL.into_iter().filter(|field| !matches!(field, Field::ClientRequestToken | Field::Tags))
}

/// A table: its headers, a row of cells a workload, and which columns hold
/// numbers.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub numbers: Vec<usize>,
}

/// The read-only columns a run of `depth` writes.
fn read_only(depth: Depth) -> Vec<&'static str> {
    match depth {
        Depth::Members => Vec::new(),
        Depth::Risks => READ_ONLY_COLUMNS.into_iter().filter(|column| *column != "Risks by pillar").collect(),
        Depth::Pillars => READ_ONLY_COLUMNS.to_vec(),
    }
}

/// The header row and a row of cells a workload.
pub fn table(workloads: &[Exported], depth: Depth, placed: bool) -> Table {
    let tag_keys: BTreeSet<&str> = workloads
        .iter()
        .flat_map(|workload| workload.request.tags.iter().map(|(key, _)| key.as_ref()))
        .collect();
    let mut headers: Vec<String> = Vec::new();
    if placed {
        headers.extend([ACCOUNT_HEADER.to_owned(), REGION_HEADER.to_owned()]);
    }
    headers.extend(columns().map(Field::heading));
    headers.extend(tag_keys.iter().map(|key| format!("Tag:{key}")));
    let first_read_only = headers.len();
    let read_only = read_only(depth);
    headers.extend(read_only.iter().map(|column| (*column).to_owned()));
    let rows = workloads
        .iter()
        .map(|workload| {
            let mut cells = Vec::new();
            if placed {
                let place = workload.place.as_ref();
                cells.push(place.map(|place| place.account.clone()).unwrap_or_default());
                cells.push(place.map(|place| place.region.clone()).unwrap_or_default());
            }
            cells.extend(member_cells(workload));
            cells.extend(tag_keys.iter().map(|key| {
                let value = workload.request.tags.iter().find(|(held, _)| held.as_ref() == *key);
                value.map_or(String::new(), |(_, value)| value.to_string())
            }));
            cells.extend(read_only.iter().map(|column| fact_cell(workload, column)));
            cells
        })
        .collect();
    let numbers = (first_read_only..first_read_only + 5).filter(|_| depth != Depth::Members).collect();
    Table { headers, rows, numbers }
}

fn member_cells(workload: &Exported) -> impl Iterator<Item = String> + '_ {
    let request = &workload.request;
    columns().map(|field| match field.is_list() {
        true => request.list(field).iter().map(|item| item.as_ref()).collect::<Vec<_>>().join("; "),
        false => request.scalar(field).unwrap_or_default().to_owned(),
    })
}

/// The cell of read-only `column`.
fn fact_cell(workload: &Exported, column: &str) -> String {
    let facts = &workload.facts;
    let risk = |index: usize| facts.risks.0[index].to_string();
    match column {
        "High risks" => risk(0),
        "Medium risks" => risk(1),
        "No risks" => risk(2),
        "Unanswered questions" => risk(3),
        "Not applicable questions" => risk(4),
        "Risks by lens" => facts.by_lens_text(),
        "Risks by pillar" => facts.by_pillar_text(),
        "Improvement status" => facts.improvement_status.clone(),
        "Updated at" => facts.updated_at.clone(),
        "Latest milestone" => facts.milestone_text(),
        "Current shares" => facts.shares_text(),
        _ => String::new(),
    }
}

/// List items the reader would split (a `,` or `;` inside one), named, so
/// the round trip's limit is said rather than found.
pub fn unsplittable(workloads: &[Exported]) -> Vec<String> {
    let mut warnings = Vec::new();
    for workload in workloads {
        for field in columns().filter(|field| field.is_list()) {
            for item in workload.request.list(field) {
                if item.contains([',', ';', '\n', '\r']) {
                    warnings.push(format!(
                        "workload {:?}: {} item {:?} holds a separator, so importing the export splits it",
                        workload.listed.name,
                        field.api_member(),
                        item.as_ref()
                    ));
                }
            }
        }
    }
    warnings
}

pub fn delimited(table: &Table, delimiter: u8) -> Vec<u8> {
    let mut writer = ::csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
    let written =
        std::iter::once(&table.headers).chain(table.rows.iter()).try_for_each(|row| writer.write_record(row));
    written.expect("writing to memory cannot fail");
    writer.into_inner().expect("writing to memory cannot fail")
}

/// Text cells (account IDs keep their leading zeros) but the risk counts;
/// with the facts, the Risks sheet after.
pub fn xlsx(
    table: &Table,
    workloads: &[Exported],
    depth: Depth,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Workloads")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (column, header) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, header, &bold)?;
    }
    for (row, cells) in table.rows.iter().enumerate() {
        for (column, cell) in cells.iter().enumerate().filter(|(_, cell)| !cell.is_empty()) {
            match cell.parse::<f64>() {
                Ok(number) if table.numbers.contains(&column) => {
                    sheet.write_number(row as u32 + 1, column as u16, number)?
                }
                _ => sheet.write_string(row as u32 + 1, column as u16, cell)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if depth != Depth::Members {
        let risks = workbook.add_worksheet().set_name(super::risks_sheet::SHEET)?;
        super::risks_sheet::write(risks, workloads)?;
    }
    workbook.save_to_buffer()
}

pub fn jsonl(workloads: &[Exported], depth: Depth) -> Vec<u8> {
    let mut out = Vec::new();
    for workload in workloads {
        let mut line = serde_json::json!({
            "WorkloadId": workload.listed.id,
            "WorkloadArn": workload.listed.arn,
            "Workload": workload.request,
        });
        if let Some(place) = &workload.place {
            line["TargetAccount"] = place.account.clone().into();
            line["TargetRegion"] = place.region.clone().into();
        }
        if depth != Depth::Members {
            line["Facts"] = workload.facts.json();
        }
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}
