//! `wa-bulk export OUT`: the way back from the service to a sheet. Every
//! workload the account holds in the Region (all pages, or those whose
//! names start with `--name-prefix`) is read with GetWorkload, through a
//! lane as `import` sends, and written in the layout `import` reads: a
//! column per member (nested ones included) under a header the reader maps
//! back, lists joined with `; `, a `Tag:<key>` column per tag key. So
//! `export`, then `import --on-existing update` of that file, sends no write.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::progress::Progress;
use super::summary::{Summary, Traffic};
use crate::RunError;
use crate::destination::Destination;
use crate::model::{Field, WorkloadRequest};
use crate::report::files::PendingFile;
use crate::report::{Counts, ReportError, SheetFormat, Status};
use crate::service::{Board, FleetConfig, Job, Service, Session};
use crate::submit::lane::CallError;
use crate::submit::read::{Listed, list, read_current};
use crate::submit::{Lane, StopReason, SubmitConfig};

#[derive(Debug, Clone)]
pub struct ExportConfig {
    pub out: PathBuf,
    pub format: SheetFormat,
    pub name_prefix: Option<String>,
    pub service: Service,
    pub submit: SubmitConfig,
    /// Replace OUT if it exists.
    pub force: bool,
    pub progress: Option<Duration>,
}

/// One workload read back.
struct Exported {
    listed: Listed,
    request: WorkloadRequest<'static>,
}

pub fn run(config: &ExportConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    if std::fs::symlink_metadata(&config.out).is_ok() && !config.force {
        return Err(RunError::Usage(format!("{} exists: pass --force to replace it", config.out.display())));
    }
    let mut session = Session::open(&config.service, &FleetConfig::default())?;
    let board = session.board(1);
    let job =
        ReadAll { name_prefix: config.name_prefix.clone(), progress: config.progress, board: board.clone() };
    let lane = session.run(vec![job], &config.submit)?.into_iter().next().expect("one job, one lane");
    let mut summary = Summary::new("export", &[Status::Exists], Some(config.out.clone()), Vec::new());
    summary.traffic =
        Some(lane.lane.as_ref().map(|lane| Traffic::of(lane, &config.submit)).unwrap_or_default());
    let read = lane.output.and_then(|read| session.interrupted().map_or(Ok(read), Err));
    session.close();
    let (workloads, gone) = match read {
        Ok(read) => read,
        Err(reason) => {
            summary.report = None;
            summary.stopped = Some(reason);
            return Ok(summary);
        }
    };
    summary.warnings = gone;
    // JSON Lines keeps each item whole; a sheet's cell splits on separators.
    if config.format != SheetFormat::Jsonl {
        summary.warnings.extend(unsplittable(&workloads));
    }
    write(config, &workloads)?;
    workloads.iter().for_each(|_| summary.counts.add(Status::Exists));
    summary.elapsed = started.elapsed();
    let seconds = summary.elapsed.as_secs_f64();
    summary.said =
        Some(format!("{} workloads exported to {} in {seconds:.2} s", workloads.len(), config.out.display()));
    Ok(summary)
}

/// Writes the workloads to OUT, in its format.
fn write(config: &ExportConfig, workloads: &[Exported]) -> Result<(), RunError> {
    let (headers, rows) = table(workloads);
    let bytes = match config.format {
        SheetFormat::Csv => delimited(&headers, &rows, b','),
        SheetFormat::Tsv => delimited(&headers, &rows, b'\t'),
        SheetFormat::Xlsx => xlsx(&headers, &rows).map_err(|error| {
            ReportError::io(&config.out, "write", std::io::Error::other(error.to_string()))
        })?,
        SheetFormat::Jsonl => jsonl(workloads),
    };
    let mut out = PendingFile::create(&config.out, b"")?;
    out.write(&bytes)?;
    out.finish(b"")?;
    Ok(())
}

/// What export reads on its lane: every workload, and what it could not read.
type Read = Result<(Vec<Exported>, Vec<String>), StopReason>;

/// Export's job: list the workloads, then read each.
struct ReadAll {
    name_prefix: Option<String>,
    progress: Option<Duration>,
    board: Arc<Board>,
}

impl Job for ReadAll {
    type Output = Read;

    fn destination(&self) -> Option<&Destination> {
        None
    }

    async fn run(self, lane: Arc<Lane>) -> Read {
        read_all(&lane, self.name_prefix.as_deref(), self.progress, self.board).await
    }

    fn unreachable(self, why: String) -> Read {
        Err(StopReason::RunWide { code: "NoRoleForAccount".into(), detail: why })
    }

    fn not_started(self, reason: StopReason) -> Read {
        Err(reason)
    }
}

/// Lists, then reads each workload (in parallel within the lane's bounds),
/// in the listing's order, with a warning for each one deleted between the
/// listing and its read (it is not exported); or why the lane stopped.
async fn read_all(
    lane: &Arc<Lane>,
    name_prefix: Option<&str>,
    progress: Option<Duration>,
    board: Arc<Board>,
) -> Read {
    let stopped = CallError::into_stop;
    let listed = list(lane, name_prefix).await.map_err(stopped)?;
    let mut progress = Progress::new(progress, listed.len() as u64, board);
    let mut reads = tokio::task::JoinSet::new();
    for (index, listed) in listed.into_iter().enumerate() {
        let lane = lane.clone();
        reads.spawn(async move {
            let read = read_current(&lane, &listed.id, &mut 0).await;
            (index, listed, read)
        });
    }
    let (mut workloads, mut counts, mut gone) = (Vec::new(), Counts::default(), Vec::new());
    while let Some(joined) = reads.join_next().await {
        let (index, listed, read) = joined.expect("a read does not panic");
        let request = match read {
            Err(CallError::Failed(failure)) if failure.code() == "ResourceNotFoundException" => {
                gone.push(format!(
                    "workload {} ({}) was deleted between the listing and its read: not exported",
                    crate::problem::quoted(&listed.name),
                    listed.id
                ));
                continue;
            }
            read => read.map_err(stopped)?,
        };
        counts.add(Status::Exists);
        progress.row_done(&counts);
        workloads.push((index, Exported { listed, request }));
    }
    progress.finish();
    workloads.sort_by_key(|(index, _)| *index);
    Ok((workloads.into_iter().map(|(_, exported)| exported).collect(), gone))
}

/// The members a sheet has a column for, in the member table's order.
fn columns() -> impl Iterator<Item = Field> {
    Field::ALL.into_iter().filter(|field| !matches!(field, Field::ClientRequestToken | Field::Tags))
}

/// The header row and a row of cells a workload.
fn table(workloads: &[Exported]) -> (Vec<String>, Vec<Vec<String>>) {
    let tag_keys: BTreeSet<&str> = workloads
        .iter()
        .flat_map(|workload| workload.request.tags.iter().map(|(key, _)| key.as_ref()))
        .collect();
    let mut headers: Vec<String> = columns().map(Field::heading).collect();
    headers.extend(tag_keys.iter().map(|key| format!("Tag:{key}")));
    let rows = workloads
        .iter()
        .map(|workload| {
            let request = &workload.request;
            let mut cells: Vec<String> = columns()
                .map(|field| match field.is_list() {
                    true => {
                        request.list(field).iter().map(|item| item.as_ref()).collect::<Vec<_>>().join("; ")
                    }
                    false => request.scalar(field).unwrap_or_default().to_owned(),
                })
                .collect();
            cells.extend(tag_keys.iter().map(|key| {
                let value = request.tags.iter().find(|(held, _)| held.as_ref() == *key);
                value.map_or(String::new(), |(_, value)| value.to_string())
            }));
            cells
        })
        .collect();
    (headers, rows)
}

/// List items the reader would split (a `,` or `;` inside one), named, so
/// the round trip's limit is said rather than found.
fn unsplittable(workloads: &[Exported]) -> Vec<String> {
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

fn delimited(headers: &[String], rows: &[Vec<String>], delimiter: u8) -> Vec<u8> {
    let mut writer = ::csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
    let written = std::iter::once(headers)
        .chain(rows.iter().map(Vec::as_slice))
        .try_for_each(|row| writer.write_record(row));
    written.expect("writing to memory cannot fail");
    writer.into_inner().expect("writing to memory cannot fail")
}

/// Every cell a text cell: account IDs keep their leading zeros.
fn xlsx(headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Workloads")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, header, &bold)?;
    }
    for (row, cells) in rows.iter().enumerate() {
        for (column, cell) in cells.iter().enumerate().filter(|(_, cell)| !cell.is_empty()) {
            sheet.write_string(row as u32 + 1, column as u16, cell)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

fn jsonl(workloads: &[Exported]) -> Vec<u8> {
    let mut out = Vec::new();
    for workload in workloads {
        let line = serde_json::json!({
            "WorkloadId": workload.listed.id,
            "WorkloadArn": workload.listed.arn,
            "Workload": workload.request,
        });
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_read_as_words_and_map_back_to_their_members() {
        for field in columns() {
            let header = field.heading();
            let target = crate::input::columns::target_for(&header);
            assert_eq!(target, Some(crate::input::columns::Target::Field(field)), "{header}");
        }
        assert_eq!(Field::AccountIds.heading(), "Account Ids");
        assert_eq!(Field::JiraProjectKey.heading(), "Jira Project Key");
    }
}
