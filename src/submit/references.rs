//! What rows name, checked where they go before anything is sent: each lens
//! (AWS official lenses, the account's own custom lenses and those shared
//! with it; only a published one can be associated), profile and review
//! template must exist in the destination, or the row is invalid, with the
//! likely intended value when one is close. Each distinct value is asked
//! once a lane: a ListLenses (every page) unless every lens named is an
//! official lens wa-bulk knows, a GetProfile and a GetReviewTemplate for
//! each profile and template named. Rows that name no profile or template
//! cost none of those requests.

use std::collections::{BTreeSet, HashMap};

use super::ValidRow;
use super::lane::{CallError, Lane};
use crate::model::{Field, OFFICIAL_LENSES, is_lens_arn};
use crate::problem::{Code, Column, Problem, Severity, closest, quoted};

/// The columns a row's references came from, to name them in a problem.
#[derive(Debug, Clone, Default)]
pub struct ReferenceColumns(pub HashMap<Field, Column>);

/// The fields whose values are references.
const REFERENCES: [Field; 3] = [Field::Lenses, Field::ProfileArns, Field::ReviewTemplateArns];

/// A lens as ListLenses names it.
struct Listed {
    alias: String,
    arn: String,
    published: bool,
}

/// The problems of each row (by row number) whose references do not all
/// exist where `lane` goes; none when the service cannot be asked (the
/// lane's own stop, or its requests, then say why).
pub async fn check(lane: &Lane, rows: &[ValidRow], columns: &ReferenceColumns) -> HashMap<u64, Vec<Problem>> {
    let named = |field: Field| -> BTreeSet<String> {
        rows.iter().flat_map(|row| row.request.list(field).iter().map(ToString::to_string)).collect()
    };
    let mut missing: HashMap<(Field, String), String> = HashMap::new();
    let lenses = named(Field::Lenses);
    let known = |lens: &String| OFFICIAL_LENSES.iter().any(|(alias, _)| alias == lens);
    if !lenses.iter().all(known) {
        let Ok(listed) = list_lenses(lane).await else { return HashMap::new() };
        for lens in lenses {
            if let Some(why) = lens_problem(&lens, &listed, lane.destination()) {
                missing.insert((Field::Lenses, lens), why);
            }
        }
    }
    for (field, kind) in [(Field::ProfileArns, "profile"), (Field::ReviewTemplateArns, "review template")] {
        for arn in named(field) {
            match exists(lane, field, &arn).await {
                Ok(true) => {}
                Ok(false) => {
                    let why = format!("{} is not a {kind} in {}", quoted(&arn), lane.destination());
                    missing.insert((field, arn), why);
                }
                Err(()) => return HashMap::new(),
            }
        }
    }
    problems(rows, &missing, columns)
}

/// Each row's problems, one a reference it names that is missing.
fn problems(
    rows: &[ValidRow],
    missing: &HashMap<(Field, String), String>,
    columns: &ReferenceColumns,
) -> HashMap<u64, Vec<Problem>> {
    let mut by_row: HashMap<u64, Vec<Problem>> = HashMap::new();
    for row in rows {
        for field in REFERENCES {
            for item in row.request.list(field) {
                let Some(why) = missing.get(&(field, item.to_string())) else { continue };
                by_row.entry(row.row).or_default().push(Problem {
                    row: row.row,
                    column: columns.0.get(&field).cloned(),
                    member: Some(field.api_member()),
                    code: Code::UnknownReference,
                    severity: Severity::Error,
                    detail: why.clone(),
                });
            }
        }
    }
    by_row
}

/// Why `lens` cannot be associated where the lane goes, if it cannot.
fn lens_problem(lens: &str, listed: &[Listed], destination: &str) -> Option<String> {
    let found = listed.iter().find(|known| known.alias == lens || known.arn == lens);
    match found {
        Some(known) if known.published => None,
        Some(_) => Some(format!(
            "{} has no published version in {destination}: publish it (CreateLensVersion) before a workload \
             can use it",
            quoted(lens)
        )),
        None => {
            let names = listed.iter().map(|known| if is_lens_arn(lens) { &known.arn } else { &known.alias });
            let hint = closest(lens, names.map(String::as_str))
                .map_or_else(String::new, |alias| format!(": did you mean {}?", quoted(alias)));
            Some(format!("{} is not a lens in {destination}{hint}", quoted(lens)))
        }
    }
}

/// Every lens the lane's account sees, every page.
async fn list_lenses(lane: &Lane) -> Result<Vec<Listed>, CallError> {
    let mut listed = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = lane
            .call(&mut 0, || lane.client().list_lenses().max_results(50).set_next_token(next.clone()).send())
            .await?;
        for summary in page.lens_summaries() {
            let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
            listed.push(Listed {
                alias: text(summary.lens_alias()),
                arn: text(summary.lens_arn()),
                published: summary.lens_version().is_some(),
            });
        }
        next = page.next_token().map(str::to_owned);
        if next.is_none() {
            return Ok(listed);
        }
    }
}

/// Whether the profile or review template `arn` exists; `Err` when the
/// service could not say.
async fn exists(lane: &Lane, field: Field, arn: &str) -> Result<bool, ()> {
    let answer = match field {
        Field::ProfileArns => {
            lane.call(&mut 0, || lane.client().get_profile().profile_arn(arn).send()).await.map(drop)
        }
        _ => {
            lane.call(&mut 0, || lane.client().get_review_template().template_arn(arn).send()).await.map(drop)
        }
    };
    match answer {
        Ok(()) => Ok(true),
        Err(CallError::Failed(failure)) if failure.code() == "ResourceNotFoundException" => Ok(false),
        Err(_) => Err(()),
    }
}
