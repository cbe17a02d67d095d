//! `wa-bulk template OUT.xlsx`: a workbook to fill in, for people who live
//! in Excel. A "Workloads" sheet with a column per member under a header the
//! reader maps back (required ones marked `*`), a dropdown on every enum
//! column, account IDs as text, the rule of each column as the input message
//! of its header, and a "How to fill" sheet that says it all at length.
//! Dropdowns are a help, not a guarantee (pasted cells lose them), so the
//! validation stays complete.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, Formula, Workbook, XlsxError};

use super::Summary;
use crate::RunError;
use crate::model::{Field, INDUSTRY_TYPES};
use crate::report::ReportError;
use crate::report::files::PendingFile;
use crate::validate::rules::{describe, rule_for};

#[derive(Debug, Clone)]
pub struct TemplateConfig {
    pub out: PathBuf,
    /// Add a few filled rows.
    pub example: bool,
    /// Replace OUT if it exists.
    pub force: bool,
}

/// Rows the dropdowns and formats cover.
const ROWS: u32 = 5_000;
/// The tag column the template shows as an example of `Tag:<key>`.
const TAG_EXAMPLE: &str = "Tag:team";

/// Members with a column: all but the token (wa-bulk derives it) and Tags
/// (a `Tag:<key>` column a tag instead).
pub fn columns() -> impl Iterator<Item = Field> {
    Field::ALL.into_iter().filter(|field| !matches!(field, Field::ClientRequestToken | Field::Tags))
}

/// `Workload Name *` for a required member.
fn header(field: Field) -> String {
    let required = matches!(
        field,
        Field::WorkloadName | Field::Description | Field::Environment | Field::ReviewOwner | Field::Lenses
    );
    if required { format!("{} *", field.heading()) } else { field.heading() }
}

pub fn run(config: &TemplateConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    if std::fs::symlink_metadata(&config.out).is_ok() && !config.force {
        return Err(RunError::Usage(format!("{} exists: pass --force to replace it", config.out.display())));
    }
    let bytes = workbook(config.example).map_err(|error| xlsx_error(&config.out, error))?;
    let mut out = PendingFile::create(&config.out, b"")?;
    out.write(&bytes)?;
    out.finish(b"")?;
    let mut summary = Summary::new("template", &[], Some(config.out.clone()), Vec::new());
    let examples =
        if config.example { format!(", with {} example rows", EXAMPLES.len()) } else { String::new() };
    summary.said = Some(format!("template written to {}{examples}", config.out.display()));
    summary.rowless = true;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn xlsx_error(path: &Path, error: XlsxError) -> ReportError {
    ReportError::io(path, "write", std::io::Error::other(error.to_string()))
}

fn workbook(example: bool) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#DDEBF7");
    let fields: Vec<Field> = columns().collect();
    let extras = extra_columns();
    let last = write_workloads(&mut workbook, &fields, &extras, example, &bold)?;
    write_how_to_fill(&mut workbook, &fields, extras, last, &bold)?;
    // The industry types are too many for a list written into the rule.
    let lists = workbook.add_worksheet().set_name("Lists")?;
    for (row, industry) in INDUSTRY_TYPES.iter().enumerate() {
        lists.write_string(row as u32, 0, *industry)?;
    }
    lists.set_hidden(true);
    workbook.save_to_buffer()
}

/// The Workloads sheet: a column a member, then the extra columns, each
/// with its rule on its header and a dropdown where the member has values;
/// the examples with `--example`. Its last column.
fn write_workloads(
    workbook: &mut Workbook,
    fields: &[Field],
    extras: &[Extra],
    example: bool,
    bold: &Format,
) -> Result<u16, XlsxError> {
    let text = Format::new().set_num_format("@");
    let first_extra = fields.len() as u16; // the tag example column, then where and with whom
    let last = first_extra + extras.len() as u16 - 1;
    let sheet = workbook.add_worksheet().set_name("Workloads")?;
    let headed = fields.iter().map(|field| (header(*field), field.heading(), describe(*field), Some(*field)));
    let extra =
        extras.iter().map(|extra| (extra.header.clone(), extra.title.to_owned(), extra.rule.clone(), None));
    for (column, (header, title, rule, field)) in headed.chain(extra).enumerate() {
        let column = column as u16;
        let (least, width) = if field.is_some() { (12.0, title.len()) } else { (14.0, header.len()) };
        sheet.write_string_with_format(0, column, &header, bold)?;
        sheet.set_column_width(column, (width as f64 + 4.0).clamp(least, 40.0))?;
        // Every cell text, so 012345678901 stays twelve digits.
        sheet.set_column_format(column, &text)?;
        let title: String = title.chars().take(32).collect();
        let help = DataValidation::new()
            .allow_any_value()
            .set_input_title(title)?
            .set_input_message(shortened(&rule, 255))?;
        sheet.add_data_validation(0, column, 0, column, &help)?;
        if let Some(dropdown) = field.map(dropdown).transpose()?.flatten() {
            sheet.add_data_validation(1, column, ROWS, column, &dropdown)?;
        }
    }
    if example {
        for (row, values) in EXAMPLES.iter().enumerate() {
            for (column, field) in fields.iter().enumerate() {
                let value = values.iter().find(|(named, _)| named == field).map_or("", |(_, value)| value);
                if !value.is_empty() {
                    sheet.write_string(row as u32 + 1, column as u16, value)?;
                }
            }
            sheet.write_string(row as u32 + 1, first_extra, "platform")?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, ROWS, last)?;
    Ok(last)
}

/// The How to fill sheet: every column's member and rule, then notes
/// below the Workloads sheet's last column's row.
fn write_how_to_fill(
    workbook: &mut Workbook,
    fields: &[Field],
    extras: Vec<Extra>,
    last: u16,
    bold: &Format,
) -> Result<(), XlsxError> {
    let how = workbook.add_worksheet().set_name("How to fill")?;
    how.set_column_width(0, 34.0)?.set_column_width(1, 46.0)?.set_column_width(2, 110.0)?;
    for (column, title) in ["Column", "API member", "Rule"].iter().enumerate() {
        how.write_string_with_format(0, column as u16, *title, bold)?;
    }
    let rows = fields.iter().map(|field| (header(*field), field.api_member().to_owned(), describe(*field)));
    let extra_rows = extras.into_iter().map(|extra| (extra.header, extra.member.to_owned(), extra.rule));
    for (row, (column, member, rule)) in rows.chain(extra_rows).enumerate() {
        how.write_string(row as u32 + 1, 0, column)?;
        how.write_string(row as u32 + 1, 1, member)?;
        how.write_string(row as u32 + 1, 2, rule)?;
    }
    let notes = [
        "A * marks a required column; AwsRegions, NonAwsRegions or both are required too.",
        "List cells take several values separated by ; or , or line breaks.",
        "Add a Tag:<key> column for each tag, or one Tags column of key=value pairs separated by ;.",
        "Dropdowns help, but pasted cells lose them: run wa-bulk validate before wa-bulk import.",
    ];
    let first = u32::from(last) + 3;
    for (index, note) in notes.iter().enumerate() {
        how.write_string(first + index as u32, 0, *note)?;
    }
    Ok(())
}

/// A column after the members': a tag, or one that says where a workload
/// lives or whom it is shared with.
struct Extra {
    header: String,
    title: &'static str,
    /// What the How to fill sheet names in the API member's place.
    member: &'static str,
    rule: String,
}

fn extra_columns() -> Vec<Extra> {
    vec![
        Extra { header: TAG_EXAMPLE.to_owned(), title: "A tag", member: "Tags", rule: describe(Field::Tags) },
        Extra {
            header: crate::destination::ACCOUNT_HEADER.to_owned(),
            title: "Where: the account",
            member: "(not a member: where the workload is kept)",
            rule:
                "Optional. The 12-digit account the workload is kept in (AccountIds describes the workload; \
                   this says where it lives). Empty: the credentials' own. Another account is reached \
                   through the role --role-name names."
                    .to_owned(),
        },
        Extra {
            header: crate::destination::REGION_HEADER.to_owned(),
            title: "Where: the Region",
            member: "(not a member: where the workload is kept)",
            rule: "Optional. The Region the workload is kept in, like eu-west-1. Empty: --region, or each \
                   Region of --regions. Names must be unique in each account and Region."
                .to_owned(),
        },
        Extra {
            header: crate::share::HEADER.to_owned(),
            title: "Shared with",
            member: "CreateWorkloadShare",
            rule: "Optional. Account IDs, organization ARNs or OU ARNs to share the workload with, each \
                   optionally followed by :READONLY or :CONTRIBUTOR (READONLY if neither), separated by ;."
                .to_owned(),
        },
    ]
}

/// The dropdown of an enum column. A list member (WorkloadResourceDefinition)
/// only informs, so that a cell may still hold several values.
fn dropdown(field: Field) -> Result<Option<DataValidation>, XlsxError> {
    let rule = rule_for(field);
    let validation = if field == Field::IndustryType {
        let range = format!("=Lists!$A$1:$A${}", INDUSTRY_TYPES.len());
        DataValidation::new().allow_list_formula(Formula::new(range))
    } else if !rule.value.allowed.is_empty() {
        DataValidation::new().allow_list_strings(rule.value.allowed)?
    } else {
        return Ok(None);
    };
    let style =
        if field.is_list() { DataValidationErrorStyle::Information } else { DataValidationErrorStyle::Stop };
    Ok(Some(validation.set_error_style(style)))
}

/// At most `most` characters (Excel's limit on an input message).
fn shortened(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(most - 1).collect();
    kept.push('…');
    kept
}

/// The rows `--example` fills in: valid, and every kind of column shown.
const EXAMPLES: [&[(Field, &str)]; 3] = [
    &[
        (Field::WorkloadName, "Checkout API"),
        (Field::Description, "Card and wallet payments for the web shop"),
        (Field::Environment, "PRODUCTION"),
        (Field::AccountIds, "012345678901; 111122223333"),
        (Field::AwsRegions, "us-east-1; eu-west-1"),
        (Field::PillarPriorities, "security; reliability"),
        (Field::ReviewOwner, "payments-team@example.com"),
        (Field::IndustryType, "Retail & Wholesale"),
        (Field::Lenses, "wellarchitected; serverless"),
        (Field::TrustedAdvisorIntegrationStatus, "ENABLED"),
    ],
    &[
        (Field::WorkloadName, "Data lake"),
        (Field::Description, "Analytics for every team"),
        (Field::Environment, "PREPRODUCTION"),
        (Field::NonAwsRegions, "On premises"),
        (Field::ReviewOwner, "data@example.com"),
        (Field::Lenses, "wellarchitected"),
        (Field::Notes, "Reviewed every quarter"),
    ],
    &[
        (Field::WorkloadName, "Identity service"),
        (Field::Description, "Sign-in for customers and staff"),
        (Field::Environment, "PRODUCTION"),
        (Field::AwsRegions, "us-west-2"),
        (Field::ReviewOwner, "identity@example.com"),
        (Field::Lenses, "wellarchitected"),
        (Field::IssueManagementStatus, "ENABLED"),
        (Field::IssueManagementType, "MANUAL"),
        (Field::JiraProjectKey, "IDENT"),
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_maps_back_to_its_member_and_every_rule_fits_a_message() {
        for field in columns() {
            let target = crate::input::columns::target_for(&header(field));
            assert_eq!(target, Some(crate::input::columns::Target::Field(field)), "{}", header(field));
            assert!(!describe(field).is_empty());
        }
        assert_eq!(header(Field::WorkloadName), "Workload Name *");
        assert!(shortened(&"x".repeat(300), 255).chars().count() == 255);
    }
}
