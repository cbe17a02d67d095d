//! The Risks sheet of an xlsx export: an organisation's risks at a glance.
//! Three tables, each under a title, the first two with a column chart
//! beside them: high and medium risks by (account, Region), most first; by
//! lens and pillar (with `--pillar-risks`); and every workload, those with
//! the most high risks first.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Chart, ChartType, Format, Worksheet, XlsxError};

use super::Exported;
use crate::risks::Risks;

/// The sheet's name.
pub const SHEET: &str = "Risks";
/// Where the charts go: right of the widest table.
const CHART_COLUMN: u16 = 8;

/// Writes the three tables (and charts) to `sheet`.
pub fn write(sheet: &mut Worksheet, workloads: &[Exported]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let mut row = 0;
    let by_place = sorted(workloads.iter().map(|workload| (place(workload), &workload.facts.risks)));
    row = table(
        sheet,
        row,
        ("High and medium risks by account and Region", "Account and Region"),
        &by_place,
        &bold,
    )?;
    let pillars = workloads.iter().flat_map(|workload| {
        workload.facts.by_pillar.iter().map(|(lens, pillar, risks)| (format!("{lens} {pillar}"), risks))
    });
    let by_pillar = sorted(pillars);
    if !by_pillar.is_empty() {
        row = table(
            sheet,
            row,
            ("High and medium risks by lens and pillar", "Lens and pillar"),
            &by_pillar,
            &bold,
        )?;
    }
    sheet.write_string_with_format(row, 0, "Workloads, the most high risks first", &bold)?;
    let headers =
        ["Workload", "Workload Id", "Account and Region", "High risks", "Medium risks", "Improvement status"];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(row + 1, column as u16, *header, &bold)?;
    }
    let mut ranked: Vec<&Exported> = workloads.iter().collect();
    ranked.sort_by_key(|workload| {
        std::cmp::Reverse((workload.facts.risks.high(), workload.facts.risks.medium()))
    });
    for (index, workload) in ranked.iter().enumerate() {
        let at = row + 2 + index as u32;
        sheet.write_string(at, 0, &workload.listed.name)?;
        sheet.write_string(at, 1, &workload.listed.id)?;
        sheet.write_string(at, 2, place(workload))?;
        sheet.write_number(at, 3, workload.facts.risks.high() as f64)?;
        sheet.write_number(at, 4, workload.facts.risks.medium() as f64)?;
        sheet.write_string(at, 5, &workload.facts.improvement_status)?;
    }
    sheet.set_column_width(0, 36)?;
    sheet.set_column_width(1, 34)?;
    sheet.set_column_width(2, 26)?;
    Ok(())
}

/// `111122223333 eu-west-1`, or the run's own account and Region.
fn place(workload: &Exported) -> String {
    match &workload.place {
        Some(destination) if !destination.account.is_empty() => {
            format!("{} {}", destination.account, destination.region)
        }
        Some(destination) => format!("(own account) {}", destination.region),
        None => "(own account and Region)".to_owned(),
    }
}

/// (label, workloads, summed risks), the most high risks first.
fn sorted<'r>(items: impl Iterator<Item = (String, &'r Risks)>) -> Vec<(String, u64, Risks)> {
    let mut sums: BTreeMap<String, (u64, Risks)> = BTreeMap::new();
    for (label, risks) in items {
        let sum = sums.entry(label).or_default();
        sum.0 += 1;
        sum.1.add(risks);
    }
    let mut sorted: Vec<(String, u64, Risks)> =
        sums.into_iter().map(|(label, (count, risks))| (label, count, risks)).collect();
    sorted.sort_by_key(|(_, _, risks)| std::cmp::Reverse((risks.high(), risks.medium())));
    sorted
}

/// A titled table of `rows` from `row`, with a chart of its high and
/// medium columns; the row after it and a blank one.
fn table(
    sheet: &mut Worksheet,
    row: u32,
    (title, label): (&str, &str),
    rows: &[(String, u64, Risks)],
    bold: &Format,
) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(row, 0, title, bold)?;
    for (column, header) in [label, "Count", "High risks", "Medium risks"].iter().enumerate() {
        sheet.write_string_with_format(row + 1, column as u16, *header, bold)?;
    }
    for (index, (name, count, risks)) in rows.iter().enumerate() {
        let at = row + 2 + index as u32;
        sheet.write_string(at, 0, name)?;
        sheet.write_number(at, 1, *count as f64)?;
        sheet.write_number(at, 2, risks.high() as f64)?;
        sheet.write_number(at, 3, risks.medium() as f64)?;
    }
    let (first, last) = (row + 2, row + 1 + rows.len().max(1) as u32);
    let mut chart = Chart::new(ChartType::Column);
    chart.title().set_name(title);
    for (column, name) in [(2, "High risks"), (3, "Medium risks")] {
        chart
            .add_series()
            .set_name(name)
            .set_categories((SHEET, first, 0, last, 0))
            .set_values((SHEET, first, column, last, column));
    }
    sheet.insert_chart(row, CHART_COLUMN, &chart)?;
    // A chart is 15 rows high: the next table starts below both.
    Ok(row + 2 + (rows.len() as u32).max(16) + 1)
}
