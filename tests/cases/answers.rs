//! `wa-bulk answers export`: the lens reviews of many workloads as a sheet,
//! read from the emulator through the real SDK: every lens, pillar,
//! question and choice a row, with states, reasons, notes and risks; the
//! requests it costs; without notes; a lens chosen; several Regions; the
//! reviewer's workbook (dropdowns, frozen header); a stopped run writes no
//! file; a custom lens by its ARN.

use std::path::Path;

use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::types::{AnswerReason, ChoiceReason, ChoiceStatus, ChoiceUpdate};
use wa_bulk::emulator::{Emulator, EmulatorConfig, local_credentials};

use super::import::{run, sending_words, text};
use super::support::{Fixture, review_template, workload};

/// Questions and choices of the emulator's Framework lens: 6 pillars of 3
/// questions, each with 4 practices and "None of these".
const FRAMEWORK_QUESTIONS: usize = 18;
const FRAMEWORK_ROWS: usize = 1 + 6 + FRAMEWORK_QUESTIONS * (1 + 5);

fn answers_export(out: &Path, emulator: &Emulator, args: &[&str]) -> std::process::Command {
    sending_words(&["answers", "export", out.to_str().unwrap()], Some(&emulator.endpoint_url()), args)
}

/// One workload reviewed a little: a question answered with notes, one not
/// applicable, a choice not applicable, lens and pillar notes.
async fn reviewed(client: &Client, name: &str) -> String {
    let id = workload(client, name, &["wellarchitected", "serverless"], None).await;
    let update = || client.update_answer().workload_id(&id).lens_alias("wellarchitected");
    let not_applicable = ChoiceUpdate::builder()
        .status(ChoiceStatus::NotApplicable)
        .reason(ChoiceReason::ArchitectureConstraints)
        .notes("no on-call team")
        .build();
    update()
        .question_id("ops_1")
        .selected_choices("ops_1_choice_1")
        .selected_choices("ops_1_choice_2")
        .choice_updates("ops_1_choice_3", not_applicable)
        .notes("Runbooks in the wiki, \"quoted\", with a comma")
        .send()
        .await
        .unwrap();
    update().question_id("sec_2").is_applicable(false).reason(AnswerReason::OutOfScope).send().await.unwrap();
    let notes = client.update_lens_review().workload_id(&id).lens_alias("wellarchitected");
    notes.lens_notes("Reviewed on 2026-12-01").pillar_notes("security", "Keys rotate").send().await.unwrap();
    id
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader.records().map(|record| record.unwrap().iter().map(str::to_owned).collect()).collect();
    (headers, rows)
}

/// The row whose `columns` hold `values`.
fn find<'r>(headers: &[String], rows: &'r [Vec<String>], wanted: &[(&str, &str)]) -> &'r Vec<String> {
    let at = |name: &str| headers.iter().position(|header| header == name).unwrap();
    let matching: Vec<&Vec<String>> =
        rows.iter().filter(|row| wanted.iter().all(|(column, value)| row[at(column)] == *value)).collect();
    assert_eq!(matching.len(), 1, "{wanted:?}: {matching:?}");
    matching[0]
}

fn cell<'r>(headers: &[String], row: &'r [String], name: &str) -> &'r str {
    &row[headers.iter().position(|header| header == name).unwrap()]
}

#[tokio::test(flavor = "multi_thread")]
async fn every_review_is_a_row_per_lens_pillar_question_and_choice_with_notes_and_risks() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let id = reviewed(&client, "Checkout").await;
    workload(&client, "Ledger", &["wellarchitected"], None).await;
    let fixture = Fixture::new();
    let out = fixture.path("answers.csv");
    let before = emulator.stats().requests;
    let output = run(&mut answers_export(&out, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("2 workloads exported: "),
        "{}",
        text(&output)
    );
    // STS once, one ListWorkloads page, and per workload: ListLensReviews,
    // then per lens GetLensReview, one ListAnswers page and a GetAnswer a question.
    let serverless_questions = 12;
    let per_lens = |questions: usize| 2 + questions as u64;
    let expected = 2 + 2 + per_lens(FRAMEWORK_QUESTIONS) * 2 + per_lens(serverless_questions);
    assert_eq!(emulator.stats().requests - before, expected, "the request count the README states");
    assert_eq!(emulator.stats().writes, 5, "the set-up's writes only");

    let (headers, rows) = csv_rows(&out);
    let workload_columns: Vec<&str> =
        wa_bulk::answers::HEADERS.into_iter().filter(|header| *header != "ReviewTemplateArn").collect();
    assert_eq!(headers, workload_columns, "the columns the README documents, in its order");
    let serverless_rows = 1 + 6 + serverless_questions * 6;
    assert_eq!(rows.len(), FRAMEWORK_ROWS * 2 + serverless_rows);
    let checkout = [("WorkloadId", id.as_str()), ("Lens", "wellarchitected")];
    let lens = find(&headers, &rows, &[checkout[0], checkout[1], ("PillarId", "")]);
    assert_eq!(cell(&headers, lens, "Notes"), "Reviewed on 2026-12-01");
    assert_eq!(cell(&headers, lens, "Account"), "123456789012");
    assert_eq!(cell(&headers, lens, "Region"), "us-east-1");
    assert_eq!(cell(&headers, lens, "LensVersion"), "2025-06-01");
    let pillar =
        find(&headers, &rows, &[checkout[0], checkout[1], ("PillarId", "security"), ("QuestionId", "")]);
    assert_eq!(cell(&headers, pillar, "Notes"), "Keys rotate");
    let question = [checkout[0], checkout[1], ("QuestionId", "ops_1")];
    let answered = find(&headers, &rows, &[question[0], question[1], question[2], ("ChoiceId", "")]);
    assert_eq!(
        [
            cell(&headers, answered, "State"),
            cell(&headers, answered, "Notes"),
            cell(&headers, answered, "Risk")
        ],
        ["APPLICABLE", "Runbooks in the wiki, \"quoted\", with a comma", "MEDIUM"]
    );
    let state = |choice: &str| {
        let row = find(&headers, &rows, &[question[0], question[1], question[2], ("ChoiceId", choice)]);
        (
            cell(&headers, row, "State").to_owned(),
            cell(&headers, row, "Reason").to_owned(),
            cell(&headers, row, "Notes").to_owned(),
        )
    };
    assert_eq!(state("ops_1_choice_1"), ("SELECTED".into(), String::new(), String::new()));
    assert_eq!(
        state("ops_1_choice_3"),
        ("NOT_APPLICABLE".into(), "ARCHITECTURE_CONSTRAINTS".into(), "no on-call team".into())
    );
    assert_eq!(state("ops_1_choice_4").0, "UNSELECTED");
    assert_eq!(state("ops_1_no").0, "UNSELECTED");
    let choice = find(&headers, &rows, &[question[0], question[1], question[2], ("ChoiceId", "ops_1_no")]);
    assert_eq!(cell(&headers, choice, "ChoiceTitle"), "None of these");
    let skipped =
        find(&headers, &rows, &[checkout[0], checkout[1], ("QuestionId", "sec_2"), ("ChoiceId", "")]);
    assert_eq!(
        [
            cell(&headers, skipped, "State"),
            cell(&headers, skipped, "Reason"),
            cell(&headers, skipped, "Risk")
        ],
        ["NOT_APPLICABLE", "OUT_OF_SCOPE", "NOT_APPLICABLE"]
    );
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn without_notes_an_export_costs_a_page_a_lens_and_has_no_notes_column() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    reviewed(&client, "Checkout").await;
    let fixture = Fixture::new();
    let out = fixture.path("answers.jsonl");
    let before = emulator.stats().requests;
    let output =
        run(&mut answers_export(&out, &emulator, &["--no-notes", "--lens", "wellarchitected"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        emulator.stats().requests - before,
        1 + 1 + 1 + 1,
        "STS, ListWorkloads, ListLensReviews, ListAnswers"
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), FRAMEWORK_QUESTIONS * 6, "no lens or pillar rows without notes");
    assert!(lines.iter().all(|line| line.get("Notes").is_none() && line["Lens"] == "wellarchitected"));
    let answered =
        lines.iter().find(|line| line["QuestionId"] == "ops_1" && line.get("ChoiceId").is_none()).unwrap();
    assert_eq!(answered["Risk"], "MEDIUM");
    let not_applicable = lines.iter().find(|line| line["ChoiceId"] == "ops_1_choice_3").unwrap();
    assert_eq!(
        (&not_applicable["State"], &not_applicable["Reason"]),
        (&"NOT_APPLICABLE".into(), &"ARCHITECTURE_CONSTRAINTS".into())
    );
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn regions_are_lanes_and_the_workbook_is_laid_out_for_a_reviewer() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let west = emulator.client_as(local_credentials(), "eu-west-1").await;
    workload(&emulator.client(), "East", &["wellarchitected"], None).await;
    workload(&west, "West", &["wellarchitected"], None).await;
    let fixture = Fixture::new();
    let out = fixture.path("answers.xlsx");
    let output = run(&mut answers_export(&out, &emulator, &["--regions", "us-east-1,eu-west-1"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let range = workbook.worksheet_range("Answers").unwrap();
    let rows: Vec<Vec<String>> =
        range.rows().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect();
    assert_eq!(rows.len(), 1 + FRAMEWORK_ROWS * 2);
    let places: std::collections::BTreeSet<(String, String)> =
        rows[1..].iter().map(|row| (row[1].clone(), row[2].clone())).collect();
    assert_eq!(places, [("eu-west-1".into(), "West".into()), ("us-east-1".into(), "East".into())].into());
    let sheet = zip_part(&out, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#),
        "{sheet}"
    );
    assert!(
        sheet.contains(r#"sqref="L2:L1048576"><formula1>"SELECTED,UNSELECTED,NOT_APPLICABLE,APPLICABLE"#),
        "the State dropdown: {sheet}"
    );
    assert!(sheet.contains("OUT_OF_SCOPE,BUSINESS_PRIORITIES"), "the Reason dropdown");
    assert!(sheet.contains("<autoFilter"), "a filter on the header");
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_that_cannot_read_writes_no_file_and_says_why() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    workload(&emulator.client(), "East", &["wellarchitected"], None).await;
    let fixture = Fixture::new();
    let out = fixture.path("answers.csv");
    // Another account, and no --role-name to reach it with.
    let output =
        run(&mut answers_export(&out, &emulator, &["--accounts", "999999999999", "--regions", "us-east-1"]))
            .await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(!out.exists() && !fixture.path("answers.csv.tmp").exists());
    let output = run(&mut answers_export(&fixture.path("answers.pdf"), &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("use a .csv, .tsv, .xlsx or .jsonl file name"), "{}", text(&output));
    emulator.stop().await.unwrap();
}

fn zip_part(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut part = archive.by_name(name).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut part, &mut text).unwrap();
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_in_each_format_validates_clean() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    reviewed(&emulator.client(), "Checkout").await;
    let fixture = Fixture::new();
    for name in ["answers.csv", "answers.xlsx", "answers.jsonl", "answers.tsv"] {
        let out = fixture.path(name);
        let output = run(&mut answers_export(&out, &emulator, &[])).await;
        assert_eq!(output.status.code(), Some(0), "{name}: {}", text(&output));
        let bytes = std::fs::read(&out).unwrap();
        let output = wa_bulk_answers(&["validate", out.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", text(&output));
        let rows = FRAMEWORK_ROWS + 1 + 6 + 12 * 6;
        assert!(
            String::from_utf8_lossy(&output.stdout)
                .starts_with(&format!("{rows} rows: {rows} valid, 0 invalid")),
            "{name}: {}",
            text(&output)
        );
        assert_eq!(std::fs::read(&out).unwrap(), bytes, "{name}: the input is never touched");
    }
    emulator.stop().await.unwrap();
}

#[test]
fn a_bad_answers_sheet_is_told_row_by_row_and_column_by_column() {
    let fixture = Fixture::new();
    let sheet = fixture.write(
        "answers.csv",
        format!(
            "Lens,QuestionId,ChoiceId,State,Reason,Notes,WorkloadName\n\
             wellarchitected,ops_1,,APPLICABLE,,fine,W\n\
             wellarchitected,ops_1,ops_1_choice_1,selected,,,W\n\
             wellarchitected,ops_1,ops_1_no,SELECTED,,,W\n\
             wellarchitected,ops_1,ops_1_choice_2,chosen,OTHER,,W\n\
             wellarchitected,ops_2,,NOT_APPLICABLE,out of scope,,W\n\
             wellarchitected,ops_1,ops_1_choice_1,selected,,,W\n\
             ,ops_3,,,,,W\n\
             wellarchitected,,,APPLICABLE,,lens notes,W\n\
             wellarchitected,ops_4,ops_4_choice_1,NOT_APPLICABLE,OTHER,{},W\n\
             wellarchitected,ops_5,,,,{},W\n",
            "n".repeat(251),
            "n".repeat(2085)
        ),
    );
    let output = wa_bulk_answers(&["validate", sheet.to_str().unwrap(), "--show-problems", "all"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let told = text(&output);
    for expected in [
        "row 4, column \"State\": ops_1_no (None of these) is SELECTED beside other choices of ops_1",
        "row 5, column \"State\": \"chosen\" is not a state of this row: use SELECTED, UNSELECTED, NOT_APPLICABLE",
        "row 5, column \"Reason\": a reason says why a question or choice is NOT_APPLICABLE",
        "row 7, column \"ChoiceId\": gives again what row 3 gives",
        "row 8, column \"Lens\": names no lens",
        "row 9, column \"State\": \"APPLICABLE\" on a lens or pillar row",
        "row 10, column \"Notes\": holds 251 characters; notes here hold at most 250",
        "row 11, column \"Notes\": holds 2085 characters; notes here hold at most 2084",
    ] {
        assert!(told.contains(expected), "{expected}\n{told}");
    }
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("10 rows: 3 valid, 7 invalid"), "{told}");
    assert!(!told.contains("row 6,"), "OUT OF SCOPE is the reason OUT_OF_SCOPE: {told}");

    let no_questions = fixture.write("columns.csv", "Lens,ChoiceId,State\nwellarchitected,x,SELECTED\n");
    let output = wa_bulk_answers(&["validate", no_questions.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("missing required columns: QuestionId"), "{}", text(&output));
    let workloads = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/workloads.csv");
    let output = wa_bulk_answers(&["validate", workloads]);
    assert_eq!(output.status.code(), Some(2), "a workload sheet is no answers sheet: {}", text(&output));
    assert!(
        text(&output).contains("an answers sheet has the columns `wa-bulk answers export` writes"),
        "{}",
        text(&output)
    );
}

fn wa_bulk_answers(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_wa-bulk")).arg("answers").args(args).output().unwrap()
}

fn answers_command(command: &str, file: &Path, emulator: &Emulator, args: &[&str]) -> std::process::Command {
    sending_words(&["answers", command, file.to_str().unwrap()], Some(&emulator.endpoint_url()), args)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_imports_back_with_no_write_and_edits_are_exactly_those_updates() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let id = reviewed(&client, "Checkout").await;
    workload(&client, "Ledger", &["wellarchitected"], None).await;
    let fixture = Fixture::new();
    for name in ["answers.csv", "answers.xlsx", "answers.jsonl"] {
        let out = fixture.path(name);
        let output = run(&mut answers_export(&out, &emulator, &[])).await;
        assert_eq!(output.status.code(), Some(0), "{name}: {}", text(&output));
        let writes = emulator.stats().writes;
        let output = run(&mut answers_command("plan", &out, &emulator, &["--detailed-exitcode"])).await;
        assert_eq!(output.status.code(), Some(0), "{name}: no changes: {}", text(&output));
        let questions = FRAMEWORK_QUESTIONS * 2 + 12;
        let said = format!("Plan: 0 to update, {} unchanged, 0 invalid.", questions + 3);
        assert!(String::from_utf8_lossy(&output.stdout).contains(&said), "{name}: {}", text(&output));
        let output = run(&mut answers_command("import", &out, &emulator, &[])).await;
        assert_eq!(output.status.code(), Some(0), "{name}: {}", text(&output));
        assert_eq!(emulator.stats().writes, writes, "{name}: an export imported back writes nothing");
    }

    // Edits: a choice unselected and another selected, a question not
    // applicable, notes changed, a pillar's notes, and a choice marked
    // not applicable with its reason.
    let out = fixture.path("answers.csv");
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let mut rows: Vec<Vec<String>> =
        reader.records().map(|record| record.unwrap().iter().map(str::to_owned).collect()).collect();
    let at = |name: &str| headers.iter().position(|header| header == name).unwrap();
    let mut edit = |question: &str, choice: &str, column: &str, value: &str, pillar: &str| {
        let row = rows
            .iter_mut()
            .find(|row| {
                row[at("WorkloadId")] == id
                    && row[at("Lens")] == "wellarchitected"
                    && row[at("QuestionId")] == question
                    && row[at("ChoiceId")] == choice
                    && (pillar.is_empty() || row[at("PillarId")] == pillar)
            })
            .unwrap();
        row[at(column)] = value.to_owned();
    };
    edit("ops_1", "ops_1_choice_1", "State", "UNSELECTED", "");
    edit("ops_1", "ops_1_choice_4", "State", "selected", "");
    edit("ops_2", "", "State", "not applicable", "");
    edit("ops_2", "", "Reason", "OUT_OF_SCOPE", "");
    edit("sec_1", "", "Notes", "Reviewed again", "");
    edit("rel_1", "rel_1_choice_2", "State", "NOT_APPLICABLE", "");
    edit("rel_1", "rel_1_choice_2", "Reason", "OTHER", "");
    edit("", "", "Notes", "Keys rotate weekly", "security");
    let mut writer = csv::Writer::from_path(fixture.path("edited.csv")).unwrap();
    writer.write_record(&headers).unwrap();
    rows.iter().for_each(|row| writer.write_record(row).unwrap());
    writer.flush().unwrap();
    let edited = fixture.path("edited.csv");

    let output = run(&mut answers_command("plan", &edited, &emulator, &["--detailed-exitcode"])).await;
    assert_eq!(output.status.code(), Some(2), "changes: {}", text(&output));
    let plan = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "~ update    \"Checkout\" wellarchitected ops_1",
        ": - ops_1_choice_1, + ops_1_choice_4",
        "ops_2 (rows",
        "not applicable (OUT_OF_SCOPE)",
        "Notes: (none) → \"Reviewed again\"",
        "rel_1_choice_2: UNSELECTED → NOT_APPLICABLE, reason OTHER",
        "security notes: \"Keys rotate\" → \"Keys rotate weekly\"",
        "Plan: 5 to update,",
    ] {
        assert!(plan.contains(expected), "{expected}\n{plan}");
    }
    let writes = emulator.writes_by_operation();
    let report = fixture.path("import.report.jsonl");
    let milestone =
        ["--output", "json", "--milestone", "After the edits", "--report", report.to_str().unwrap()];
    let output = run(&mut answers_command("import", &edited, &emulator, &milestone)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let after = emulator.writes_by_operation();
    let sent = |operation: &str| after.get(operation).unwrap_or(&0) - writes.get(operation).unwrap_or(&0);
    assert_eq!((sent("UpdateAnswer"), sent("UpdateLensReview")), (4, 1), "exactly the edits");
    assert_eq!(
        sent("CreateMilestone"),
        2,
        "a milestone on each workload of the sheet, once the answers are in"
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["counts"]["updated"], 5, "{summary}");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let updated: Vec<&serde_json::Value> = lines.iter().filter(|line| line["status"] == "updated").collect();
    assert_eq!(updated.len(), 5, "{lines:?}");
    assert!(
        updated.iter().all(|line| line["workload_id"] == id.as_str() && line["account"] == "123456789012")
    );
    let ops_1 = updated.iter().find(|line| line["question"] == "ops_1").unwrap();
    assert_eq!(ops_1["message"], "- ops_1_choice_1, + ops_1_choice_4");
    assert_eq!(lines.len(), FRAMEWORK_QUESTIONS * 2 + 12 + 3, "a line per item");

    // The service holds them.
    let get = |question: &str| {
        client.get_answer().workload_id(&id).lens_alias("wellarchitected").question_id(question).send()
    };
    let ops_1 = get("ops_1").await.unwrap().answer.unwrap();
    assert_eq!(ops_1.selected_choices(), ["ops_1_choice_2", "ops_1_choice_4"], "unselecting is real");
    let ops_2 = get("ops_2").await.unwrap().answer.unwrap();
    assert_eq!(
        (ops_2.is_applicable, ops_2.reason.as_ref().map(|r| r.as_str())),
        (Some(false), Some("OUT_OF_SCOPE"))
    );
    assert_eq!(get("sec_1").await.unwrap().answer.unwrap().notes.as_deref(), Some("Reviewed again"));
    let rel_1 = get("rel_1").await.unwrap().answer.unwrap();
    let choice = rel_1.choice_answers().iter().find(|c| c.choice_id() == Some("rel_1_choice_2")).unwrap();
    assert_eq!(
        (choice.status().unwrap().as_str(), choice.reason().unwrap().as_str()),
        ("NOT_APPLICABLE", "OTHER")
    );
    let kept = client.get_answer().workload_id(&id).lens_alias("wellarchitected").question_id("ops_1");
    let kept = kept.milestone_number(1).send().await.unwrap().answer.unwrap();
    assert_eq!(
        kept.selected_choices(),
        ops_1.selected_choices(),
        "the milestone holds the answers as imported"
    );
    let ops_1_choice_3 =
        ops_1.choice_answers().iter().find(|c| c.choice_id() == Some("ops_1_choice_3")).unwrap();
    assert_eq!(ops_1_choice_3.notes(), Some("no on-call team"), "an untouched choice keeps its notes");

    // The same sheet again: nothing to send.
    let writes = emulator.stats().writes;
    let output = run(&mut answers_command("import", &edited, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(emulator.stats().writes, writes, "imported twice, written once");
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sheet_of_another_lens_version_or_workload_is_refused_naming_why() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    reviewed(&emulator.client(), "Checkout").await;
    let fixture = Fixture::new();
    let sheet = fixture.write(
        "answers.csv",
        "WorkloadName,Lens,LensVersion,QuestionId,ChoiceId,State\n\
         Checkout,wellarchitected,2020-01-01,ops_1,ops_1_choice_1,SELECTED\n\
         Nowhere,wellarchitected,,ops_1,ops_1_choice_1,SELECTED\n\
         Checkout,serverless,,ops_9,,APPLICABLE\n\
         Checkout,serverless,,ops_2,ops_2_choice_9,SELECTED\n",
    );
    let writes = emulator.stats().writes;
    let report = fixture.path("answers.report.csv");
    let failures = fixture.path("failures.csv");
    let args = [
        "--show-problems",
        "all",
        "--report",
        report.to_str().unwrap(),
        "--failures",
        failures.to_str().unwrap(),
    ];
    let output = run(&mut answers_command("import", &sheet, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let told = text(&output);
    for expected in [
        "the sheet is of version 2020-01-01 of the lens wellarchitected, the workload's review is at version 2025-06-01",
        "no workload \"Nowhere\" in this account and Region",
        "the lens serverless has no question ops_9",
        "ops_2 has no choice ops_2_choice_9",
    ] {
        assert!(told.contains(expected), "{expected}\n{told}");
    }
    assert_eq!(emulator.stats().writes, writes, "nothing sent for invalid rows");
    let (headers, lines) = csv_rows(&report);
    assert_eq!(headers, wa_bulk::answers::report::HEADER);
    let statuses: Vec<(&str, &str, &str)> =
        lines.iter().map(|line| (line[0].as_str(), line[6].as_str(), line[7].as_str())).collect();
    assert_eq!(
        statuses,
        [
            ("2", "ops_1", "invalid"),
            ("3", "ops_1", "invalid"),
            ("4", "ops_9", "invalid"),
            ("5", "ops_2", "invalid")
        ],
        "{lines:?}"
    );
    assert!(lines[1][9].contains("no workload \"Nowhere\""), "{lines:?}");
    let (headers, rows) = csv_rows(&failures);
    let own = ["WorkloadName", "Lens", "LensVersion", "QuestionId", "ChoiceId", "State"];
    assert_eq!(
        headers,
        [&own[..], &["status", "error_code", "message"]].concat(),
        "the sheet's own columns, then why"
    );
    assert_eq!(rows.len(), 4, "every refused row, with its own cells: {rows:?}");
    assert_eq!((rows[1][0].as_str(), rows[1][6].as_str()), ("Nowhere", "invalid"));
    assert!(rows[1][8].contains("no workload \"Nowhere\""), "{rows:?}");
    // Read again, its added columns are left out without a word.
    let output = run(&mut answers_command("plan", &failures, &emulator, &[])).await;
    assert!(!text(&output).contains("unknown columns"), "{}", text(&output));
    assert!(text(&output).contains("Plan: 0 to update, 0 unchanged, 4 invalid."), "{}", text(&output));

    // The report is never the input.
    let bytes = std::fs::read(&sheet).unwrap();
    let output =
        run(&mut answers_command("plan", &sheet, &emulator, &["--report", sheet.to_str().unwrap()])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert_eq!(std::fs::read(&sheet).unwrap(), bytes, "the input is untouched");
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_baseline_applies_to_the_chosen_workloads_of_every_account_and_region_merged_or_replaced() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let places = [
        ("111111111111", "us-east-1"),
        ("111111111111", "eu-west-1"),
        ("222222222222", "us-east-1"),
        ("222222222222", "eu-west-1"),
    ];
    for (account, region) in places {
        let tenant = wa_bulk::emulator::Tenant { account: account.into(), region: region.into() };
        for name in ["app-a", "app-b", "zzz-other"] {
            let request = serde_json::from_value(serde_json::json!({
                "WorkloadName": name, "Description": "A workload of the estate", "Environment": "PRODUCTION",
                "AwsRegions": [region], "ReviewOwner": "owner@example.com", "Lenses": ["wellarchitected"],
                "ClientRequestToken": format!("{account}-{region}-{name}"),
            }))
            .unwrap();
            emulator.preload_in(&tenant, request).unwrap();
        }
    }
    let fixture = Fixture::new();
    let baseline = fixture.write(
        "baseline.csv",
        "Lens,QuestionId,ChoiceId,State,Reason\n\
         wellarchitected,ops_1,ops_1_choice_1,SELECTED,\n\
         wellarchitected,ops_1,ops_1_choice_2,SELECTED,\n\
         wellarchitected,sec_1,,NOT_APPLICABLE,OUT_OF_SCOPE\n",
    );
    let estate = [
        "--accounts",
        "111111111111,222222222222",
        "--regions",
        "us-east-1,eu-west-1",
        "--role-name",
        "Auditor",
    ];
    let with = |extra: &[&'static str]| [&estate[..], extra].concat();

    // Without a selector, rows that name no workload are refused.
    let output = run(&mut answers_command("plan", &baseline, &emulator, &estate)).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("the rows name no workload"), "{}", text(&output));

    let output =
        run(&mut answers_command("plan", &baseline, &emulator, &with(&["--name-prefix", "APP-"]))).await;
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("Plan: 16 to update, 0 unchanged, 0 invalid."),
        "{}",
        text(&output)
    );
    let output =
        run(&mut answers_command("import", &baseline, &emulator, &with(&["--name-prefix", "app-"]))).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        emulator.writes_by_operation().get("UpdateAnswer"),
        Some(&16),
        "2 questions × 2 workloads × 4 lanes"
    );
    let output = run(&mut answers_command("plan", &baseline, &emulator, &with(&["--all-workloads"]))).await;
    let plan = String::from_utf8_lossy(&output.stdout);
    assert!(plan.contains("Plan: 8 to update, 16 unchanged, 0 invalid."), "only zzz-other is left: {plan}");
    assert!(
        plan.lines().filter(|line| line.starts_with("~ update")).all(|line| line.contains("\"zzz-other\"")),
        "{plan}"
    );

    // Merged, a baseline adds its choice; replacing, it is the whole selection.
    let third = fixture.write(
        "third.csv",
        "Lens,QuestionId,ChoiceId,State\nwellarchitected,ops_1,ops_1_choice_3,SELECTED\n",
    );
    let output =
        run(&mut answers_command("plan", &third, &emulator, &with(&["--name-prefix", "app-", "--merge"])))
            .await;
    let plan = String::from_utf8_lossy(&output.stdout);
    assert!(plan.contains("\"app-a\" wellarchitected ops_1 (row 2): + ops_1_choice_3\n"), "{plan}");
    let output =
        run(&mut answers_command("plan", &third, &emulator, &with(&["--name-prefix", "app-"]))).await;
    let plan = String::from_utf8_lossy(&output.stdout);
    assert!(plan.contains("ops_1 (row 2): - ops_1_choice_1, - ops_1_choice_2, + ops_1_choice_3\n"), "{plan}");
    let output =
        run(&mut answers_command("import", &third, &emulator, &with(&["--name-prefix", "app-", "--merge"])))
            .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output =
        run(&mut answers_command("plan", &baseline, &emulator, &with(&["--name-prefix", "app-"]))).await;
    let plan = String::from_utf8_lossy(&output.stdout);
    let kept = "\"app-a\" wellarchitected ops_1 (rows 2–3): - ops_1_choice_3\n";
    assert!(plan.contains(kept), "the merge kept 1 and 2 and added 3: {plan}");
    assert!(plan.contains("Plan: 8 to update, 8 unchanged, 0 invalid."), "{plan}");
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_import_run_again_sends_each_question_once() {
    // SIGTERM stops it well (exit 143); kill -9 stops it at once.
    for (signal, code) in [("-TERM", Some(143)), ("-KILL", None)] {
        stopped_then_run_again(signal, code).await;
    }
}

async fn stopped_then_run_again(signal: &str, code: Option<i32>) {
    let config =
        EmulatorConfig { latency: std::time::Duration::from_millis(20), ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.unwrap();
    for index in 0..40 {
        let request = serde_json::from_value(serde_json::json!({
            "WorkloadName": format!("svc-{index:02}"), "Description": "A workload of the estate",
            "Environment": "PRODUCTION", "AwsRegions": ["us-east-1"], "ReviewOwner": "owner@example.com",
            "Lenses": ["wellarchitected"], "ClientRequestToken": format!("token-{index}"),
        }))
        .unwrap();
        emulator.preload(request).unwrap();
    }
    let fixture = Fixture::new();
    let baseline = fixture.write(
        "baseline.csv",
        "Lens,QuestionId,ChoiceId,State\n\
         wellarchitected,ops_1,ops_1_choice_1,SELECTED\n\
         wellarchitected,sec_1,sec_1_choice_1,SELECTED\n\
         wellarchitected,rel_1,rel_1_choice_1,SELECTED\n",
    );
    let args = ["--all-workloads", "--rate", "40", "--progress-every", "0.1"];
    let child = answers_command("import", &baseline, &emulator, &args).spawn().unwrap();
    let sent = || emulator.writes_by_operation().get("UpdateAnswer").copied().unwrap_or_default();
    let started = std::time::Instant::now();
    while sent() < 5 {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the import never got to sending");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    std::process::Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    let output = super::import::finish(child).await;
    assert_eq!(output.status.code(), code, "{signal}: {}", text(&output));
    let first = sent();
    assert!(first < 120, "stopped before the end: {first}");
    let journal = fixture.path("baseline.csv.answers.journal");
    let journaled =
        std::fs::read_to_string(&journal).expect("a stopped run keeps its journal").lines().count() - 1;
    assert!(journaled >= 1 && journaled <= first as usize, "{signal}: {journaled} journaled, {first} sent");
    if signal == "-TERM" {
        assert_eq!(journaled, first as usize, "the requests in flight finished and were journaled");
    }

    let mut args = args.to_vec();
    if signal == "-KILL" {
        // Edited since: the same command refuses; --resume continues all the same.
        let mut edited = std::fs::read_to_string(&baseline).unwrap();
        edited.push_str("wellarchitected,ops_2,ops_2_choice_1,SELECTED\n");
        std::fs::write(&baseline, edited).unwrap();
        let output = run(&mut answers_command("import", &baseline, &emulator, &args)).await;
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(text(&output).contains("--resume"), "{}", text(&output));
        assert_eq!(sent(), first, "nothing sent");
        args.push("--resume");
    }
    let output = run(&mut answers_command("import", &baseline, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (total, more) = if signal == "-KILL" { (160, 40) } else { (120, 0) };
    assert_eq!(sent(), total, "{signal}: each question sent once across both runs");
    let said = String::from_utf8_lossy(&output.stdout);
    let updated = total - first + journaled as u64;
    let unchanged = first - journaled as u64;
    assert!(
        said.contains(&format!("{} items: {updated} updated, {unchanged} unchanged", 120 + more)),
        "{said}"
    );
    assert!(said.contains(&format!("({journaled} carried over from the earlier run)")), "{said}");
    assert!(!journal.exists(), "a finished run's journal goes");
    let progress = String::from_utf8_lossy(&output.stderr);
    assert!(progress.contains("continuing the run"), "{progress}");
    assert!(
        progress.contains("progress: ") && progress.contains(&format!("/{} items", 120 + more)),
        "a progress line in items: {progress}"
    );
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_appended_after_a_marker_are_added_once() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let id = reviewed(&client, "Checkout").await;
    let fixture = Fixture::new();
    let sheet = fixture.write(
        "notes.csv",
        "WorkloadName,Lens,PillarId,QuestionId,Notes\n\
         Checkout,wellarchitected,,ops_1,Checked by the landing zone\n\
         Checkout,wellarchitected,security,,Landing zone keys\n",
    );
    let args = ["--append-notes", "[lz] "];
    let output = run(&mut answers_command("import", &sheet, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let answer = client.get_answer().workload_id(&id).lens_alias("wellarchitected").question_id("ops_1");
    let notes = answer.send().await.unwrap().answer.unwrap().notes.unwrap();
    assert_eq!(notes, "Runbooks in the wiki, \"quoted\", with a comma\n[lz] Checked by the landing zone");
    let review =
        client.get_lens_review().workload_id(&id).lens_alias("wellarchitected").send().await.unwrap();
    let pillars = review.lens_review.unwrap().pillar_review_summaries;
    let security = pillars.unwrap().into_iter().find(|p| p.pillar_id() == Some("security")).unwrap();
    assert_eq!(security.notes.as_deref(), Some("Keys rotate\n[lz] Landing zone keys"));
    let answer = client.get_answer().workload_id(&id).lens_alias("wellarchitected").question_id("ops_1");
    let selected = answer.send().await.unwrap().answer.unwrap().selected_choices;
    assert_eq!(selected.map(|s| s.len()), Some(2), "a question row alone keeps its selection");

    let writes = emulator.stats().writes;
    let output = run(&mut answers_command("import", &sheet, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(emulator.stats().writes, writes, "appended once: run again, nothing is written");
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_review_template_is_written_from_a_sheet_exported_back_and_used_by_new_workloads() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let arn = review_template(&client, "Landing zone").await;
    let fixture = Fixture::new();
    let sheet = fixture.write(
        "template.csv",
        format!(
            "ReviewTemplateArn,Lens,PillarId,QuestionId,ChoiceId,State,Notes\n\
             {arn},wellarchitected,,,,,Inherited from the landing zone\n\
             {arn},wellarchitected,security,sec_1,,,Keys in KMS\n\
             {arn},wellarchitected,security,sec_1,sec_1_choice_1,SELECTED,\n\
             {arn},wellarchitected,security,sec_1,sec_1_choice_2,SELECTED,\n"
        ),
    );
    let output = run(&mut answers_command("plan", &sheet, &emulator, &[])).await;
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("Plan: 2 to update, 0 unchanged, 0 invalid."),
        "{}",
        text(&output)
    );
    let output = run(&mut answers_command("import", &sheet, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let writes = emulator.writes_by_operation();
    assert_eq!(
        (
            writes.get("UpdateReviewTemplateAnswer"),
            writes.get("UpdateReviewTemplateLensReview"),
            writes.get("UpdateAnswer")
        ),
        (Some(&1), Some(&1), None)
    );

    // A workload created from the template starts from its answers.
    let id = workload(&client, "Born reviewed", &[], Some(&arn)).await;
    let answer = client.get_answer().workload_id(&id).lens_alias("wellarchitected").question_id("sec_1");
    let answer = answer.send().await.unwrap().answer.unwrap();
    assert_eq!(answer.selected_choices(), ["sec_1_choice_1", "sec_1_choice_2"]);
    assert_eq!(answer.notes.as_deref(), Some("Keys in KMS"));

    // Exported from the template and imported back: no write.
    let out = fixture.path("exported.csv");
    let output = run(&mut answers_export(&out, &emulator, &["--template", &arn])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (headers, rows) = csv_rows(&out);
    assert!(
        headers.contains(&"ReviewTemplateArn".to_owned()) && !headers.contains(&"WorkloadName".to_owned())
    );
    assert_eq!(rows.len(), FRAMEWORK_ROWS);
    let selected = find(&headers, &rows, &[("QuestionId", "sec_1"), ("ChoiceId", "sec_1_choice_2")]);
    assert_eq!(cell(&headers, selected, "State"), "SELECTED");
    let before = emulator.stats().writes;
    let output = run(&mut answers_command("import", &out, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(emulator.stats().writes, before, "the template's export imported back writes nothing");
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lens_the_workload_lacks_is_associated_only_when_asked_then_answered() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let id = workload(&client, "Checkout", &["wellarchitected"], None).await;
    let fixture = Fixture::new();
    let sheet = fixture.write(
        "serverless.csv",
        "WorkloadName,Lens,QuestionId,ChoiceId,State\nCheckout,serverless,ops_1,ops_1_choice_1,SELECTED\n",
    );
    let output = run(&mut answers_command("plan", &sheet, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("associate the lens first (or pass --associate-lenses)"),
        "{}",
        text(&output)
    );
    let output = run(&mut answers_command("plan", &sheet, &emulator, &["--associate-lenses"])).await;
    let plan = String::from_utf8_lossy(&output.stdout);
    let expected = "~ update    \"Checkout\" serverless lens (row 2): associate the lens serverless, then compare its 1 question\n";
    assert!(plan.contains(expected), "{plan}");
    assert_eq!(emulator.stats().writes, 1, "a plan writes nothing");

    let output = run(&mut answers_command("import", &sheet, &emulator, &["--associate-lenses"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let writes = emulator.writes_by_operation();
    assert_eq!((writes.get("AssociateLenses"), writes.get("UpdateAnswer")), (Some(&1), Some(&1)));
    let answer = client.get_answer().workload_id(&id).lens_alias("serverless").question_id("ops_1");
    assert_eq!(answer.send().await.unwrap().answer.unwrap().selected_choices(), ["ops_1_choice_1"]);
    let output = run(&mut answers_command("import", &sheet, &emulator, &["--associate-lenses"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(emulator.writes_by_operation().get("UpdateAnswer"), Some(&1), "run again: nothing more");
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sample_baseline_validates_and_applies_to_every_workload_chosen() {
    let sample = super::samples::sample("answers-baseline.csv");
    let output = wa_bulk_answers(&["validate", sample.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    for name in ["shop-api", "shop-web"] {
        workload(&client, name, &["wellarchitected"], None).await;
    }
    let output = run(&mut answers_command("plan", &sample, &emulator, &["--workloads", "SHOP-API"])).await;
    let plan = String::from_utf8_lossy(&output.stdout);
    assert!(
        plan.contains("Plan: 3 to update, 0 unchanged, 0 invalid.") && !plan.contains("shop-web"),
        "{plan}"
    );
    let tagged = client
        .create_workload()
        .workload_name("billing")
        .description("A tagged workload")
        .environment(aws_sdk_wellarchitected::types::WorkloadEnvironment::Production)
        .review_owner("owner@example.com")
        .aws_regions("us-east-1")
        .lenses("wellarchitected")
        .tags("team", "payments")
        .client_request_token("token-billing")
        .send();
    tagged.await.unwrap();
    let output = run(&mut answers_command("plan", &sample, &emulator, &["--tag", "team=payments"])).await;
    let plan = String::from_utf8_lossy(&output.stdout);
    assert!(plan.contains("Plan: 3 to update, 0 unchanged, 0 invalid."), "{plan}");
    assert!(
        plan.lines().filter(|line| line.starts_with('~')).all(|line| line.contains("\"billing\"")),
        "{plan}"
    );
    let output = run(&mut answers_command("import", &sample, &emulator, &["--name-prefix", "shop-"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("6 items: 6 updated, 0 unchanged"),
        "{}",
        text(&output)
    );
    assert_eq!(emulator.writes_by_operation().get("UpdateAnswer"), Some(&6), "3 questions × 2 workloads");
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blank_form_of_each_lens_is_filled_and_applied_as_a_baseline() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    reviewed(&client, "Checkout").await;
    workload(&client, "Ledger", &["wellarchitected"], None).await;
    let fixture = Fixture::new();
    let form = fixture.path("form.csv");
    let output = run(&mut answers_export(&form, &emulator, &["--form"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (headers, rows) = csv_rows(&form);
    let dropped = ["Account", "Region", "WorkloadName", "WorkloadId", "ReviewTemplateArn", "Risk"];
    let expected: Vec<&str> =
        wa_bulk::answers::HEADERS.into_iter().filter(|header| !dropped.contains(header)).collect();
    assert_eq!(headers, expected, "no workload, no risk");
    assert_eq!(rows.len(), FRAMEWORK_ROWS + 1 + 6 + 12 * 6, "each lens once");
    assert!(
        rows.iter().all(|row| row[7].is_empty() && row[8].is_empty() && row[9].is_empty()),
        "nothing answered"
    );

    // Filled in: one choice selected, applied to every workload.
    let mut filled = csv::Writer::from_path(fixture.path("filled.csv")).unwrap();
    filled.write_record(&headers).unwrap();
    for row in &rows {
        let mut row = row.clone();
        if row[0] == "wellarchitected" && row[5] == "cost_1_choice_1" {
            row[7] = "SELECTED".into();
        }
        if row[0] == "wellarchitected" && row[3] == "cost_1" {
            filled.write_record(&row).unwrap();
        }
    }
    filled.flush().unwrap();
    let output =
        run(&mut answers_command("import", &fixture.path("filled.csv"), &emulator, &["--all-workloads"]))
            .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        emulator.writes_by_operation().get("UpdateAnswer").copied(),
        Some(2 + 2),
        "the set-up's two, then cost_1 of each workload"
    );
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_lens_is_exported_and_imported_by_its_arn() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let content = wa_bulk::emulator::lens::official_content("iot").unwrap();
    let question = content.pillars[0].questions[0].clone();
    let json = serde_json::to_string(&wa_bulk::emulator::lens::LensContent {
        name: "House rules".into(),
        ..content
    })
    .unwrap();
    let imported =
        client.import_lens().json_string(json).client_request_token("import").send().await.unwrap();
    let arn = imported.lens_arn().unwrap().to_owned();
    let publish = client.create_lens_version().lens_alias(&arn).lens_version("1.0");
    publish.client_request_token("publish").send().await.unwrap();
    let id = workload(&client, "Custom", &["wellarchitected", &arn], None).await;

    let fixture = Fixture::new();
    let out = fixture.path("custom.csv");
    let output = run(&mut answers_export(&out, &emulator, &["--lens", &arn])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (headers, mut rows) = csv_rows(&out);
    assert!(rows.iter().all(|row| cell(&headers, row, "Lens") == arn), "only the custom lens's rows");
    let choice = &question.choices[0].id;
    let wanted = [("QuestionId", question.id.as_str()), ("ChoiceId", choice.as_str())];
    assert_eq!(cell(&headers, find(&headers, &rows, &wanted), "State"), "UNSELECTED");

    let state = headers.iter().position(|header| header == "State").unwrap();
    let (question_at, choice_at) = (
        headers.iter().position(|header| header == "QuestionId").unwrap(),
        headers.iter().position(|header| header == "ChoiceId").unwrap(),
    );
    let row =
        rows.iter_mut().find(|row| row[question_at] == question.id && row[choice_at] == *choice).unwrap();
    row[state] = "SELECTED".into();
    let mut writer = csv::Writer::from_path(fixture.path("edited.csv")).unwrap();
    writer.write_record(&headers).unwrap();
    rows.iter().for_each(|row| writer.write_record(row).unwrap());
    writer.flush().unwrap();
    let output = run(&mut answers_command("import", &fixture.path("edited.csv"), &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(emulator.writes_by_operation().get("UpdateAnswer"), Some(&1), "{}", text(&output));
    let answer = client.get_answer().workload_id(&id).lens_alias(&arn).question_id(&question.id).send().await;
    let selected = answer.unwrap().answer.unwrap().selected_choices;
    assert_eq!(selected.unwrap_or_default(), std::slice::from_ref(choice), "the service holds the choice");
    emulator.stop().await.unwrap();
}
