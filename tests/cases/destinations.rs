//! Rows that name where their workload lives: the `Target account` and
//! `Target Region` columns (not the workload's own AccountIds and
//! AwsRegions), `--regions` fan-out, and names unique per destination.

use wa_bulk::report::Status::{Invalid, Valid};

use super::support::{Fixture, statuses, wa_bulk};

const SHEET: &str = "\
Name,Description,Environment,AccountIds,Regions,Owner,Lenses,Target account,Target Region
Payments,The payments service,Production,333344445555,us-east-1,o@example.com,wellarchitected,111111111111,us-east-1
Payments,The payments service,Production,333344445555,us-east-1,o@example.com,wellarchitected,222222222222,us-east-1
Payments,The payments service,Production,333344445555,us-east-1,o@example.com,wellarchitected,111111111111,eu-west-1
payments,The payments service,Production,333344445555,us-east-1,o@example.com,wellarchitected,111111111111,us-east-1
Search,The search service,Production,333344445555,us-east-1,o@example.com,wellarchitected,1111,Ireland
Search,The search service,Production,333344445555,us-east-1,o@example.com,wellarchitected,,
";

#[test]
fn names_are_unique_per_account_and_region_and_target_cells_are_checked() {
    let fixture = Fixture::new();
    let input = fixture.write("targets.csv", SHEET);
    let ran = fixture.validate(&input, &[]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let records = fixture.records();
    assert_eq!(
        statuses(&records),
        [(2, Valid), (3, Valid), (4, Valid), (5, Invalid), (6, Invalid), (7, Valid)]
    );
    assert_eq!(records[4].error_code.as_deref(), Some("InvalidFormat"));
    assert!(records[3].message.contains("already the name of row 2 in the same account and Region"));
    assert!(
        ran.stderr.contains("row 6, column \"Target Region\": \"Ireland\" is not a Region code"),
        "{}",
        ran.stderr
    );
    assert_eq!(
        (records[1].account.as_deref(), records[1].region.as_deref()),
        (Some("222222222222"), Some("us-east-1"))
    );

    let csv = fixture.path("r.csv");
    assert_eq!(wa_bulk(&["validate", input.to_str().unwrap(), "--report", csv.to_str().unwrap()]).code, 1);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("row,account,region,workload_name,status,"), "{text}");
    assert!(text.contains("\n3,222222222222,us-east-1,Payments,valid,"), "{text}");
}

#[test]
fn regions_fan_out_rows_without_a_target_region_and_names_clash_in_each() {
    let fixture = Fixture::new();
    let sheet = "\
Name,Description,Environment,Regions,Owner,Lenses,Target Region
Shop,The web shop,Production,us-east-1,o@example.com,wellarchitected,
Shop,The web shop,Production,us-east-1,o@example.com,wellarchitected,ap-southeast-2
Shop,The web shop,Production,us-east-1,o@example.com,wellarchitected,eu-west-1
";
    let input = fixture.write("fan.csv", sheet);
    let ran = fixture.validate(&input, &["--regions", "us-east-1,eu-west-1"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(
        statuses(&fixture.records()),
        [(2, Valid), (3, Valid), (4, Invalid)],
        "eu-west-1 is taken by row 2"
    );
    let ran = fixture.validate(&input, &["--regions", "us-east-1,Ireland"]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("\"Ireland\" is not a Region code"), "{}", ran.stderr);
}

mod lanes {
    //! `import` across accounts and Regions against the emulator as an
    //! organisation: the run's own key is AKIDIMPORT (as `sending` signs),
    //! in account BASE; other accounts are reached through a role.

    use std::collections::BTreeMap;
    use std::time::Duration;

    use wa_bulk::emulator::{Emulator, EmulatorConfig, TestKey};
    use wa_bulk::report::{Record, Status};

    use super::super::import::{finish, import, journal_lines_reach, run, text};
    use super::super::support::Fixture;

    const BASE: &str = "999999999999";
    const ONE: &str = "111111111111";
    const TWO: &str = "222222222222";
    const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

    fn organisation() -> EmulatorConfig {
        EmulatorConfig {
            keys: vec![TestKey::new("AKIDIMPORT", "import-secret", BASE)],
            ..EmulatorConfig::default()
        }
    }

    /// `per_place` rows for each of the accounts in each Region.
    fn sheet(fixture: &Fixture, accounts: &[&str], per_place: usize) -> std::path::PathBuf {
        let mut text =
            String::from("Name,Description,Environment,Regions,Owner,Lenses,Target account,Target Region\n");
        for account in accounts {
            for region in REGIONS {
                for index in 0..per_place {
                    text.push_str(&format!(
                        "Workload {index},Kept in {account} {region},Production,us-east-1,o@example.com,wellarchitected,{account},{region}\n"
                    ));
                }
            }
        }
        fixture.write("org.csv", text)
    }

    /// The records of the report beside `file`.
    fn report(file: &std::path::Path) -> Vec<Record<'static>> {
        wa_bulk::report::read_records(&wa_bulk::report::default_path(file)).unwrap()
    }

    fn by_status(records: &[Record<'static>]) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        records.iter().for_each(|record| *counts.entry(record.status.as_str()).or_default() += 1);
        counts
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn three_accounts_in_two_regions_are_imported_once_each_in_its_place() {
        let emulator = Emulator::start(organisation()).await.unwrap();
        let fixture = Fixture::new();
        let file = sheet(&fixture, &[BASE, ONE, TWO], 2);
        let args = ["--role-name", "wa-bulk", "--output", "json"];
        let output = run(&mut import(&file, &emulator, &args)).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        for account in [BASE, ONE, TWO] {
            for region in REGIONS {
                let held = emulator.workloads_in(account, region);
                assert_eq!(held.len(), 2, "{account} {region}");
                let prefix = format!("arn:aws:wellarchitected:{region}:{account}:workload/");
                assert!(held.iter().all(|workload| workload.arn.starts_with(&prefix)), "{held:?}");
            }
        }
        let records = report(&file);
        assert_eq!(by_status(&records), BTreeMap::from([("created", 12)]));
        let record = &records[4];
        assert_eq!((record.account.as_deref(), record.region.as_deref()), (Some(ONE), Some("us-east-1")));
        assert!(record.workload_arn.as_deref().unwrap().contains(&format!(":us-east-1:{ONE}:")));
        let summary: serde_json::Value =
            serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim()).unwrap();
        let lanes = summary["lanes"].as_array().unwrap();
        assert_eq!(lanes.len(), 6, "{summary}");
        assert!(lanes.iter().all(|lane| lane["counts"]["created"] == 2 && lane["stopped"].is_null()));

        // Again: nothing is created twice, in any place.
        let writes = emulator.stats().writes;
        let again = run(&mut import(&file, &emulator, &["--role-name", "wa-bulk", "--force"])).await;
        assert_eq!(again.status.code(), Some(0), "{}", text(&again));
        assert_eq!(by_status(&report(&file)), BTreeMap::from([("exists", 12)]));
        assert_eq!(emulator.stats().writes, writes);
        assert_eq!(emulator.workloads().len(), 12);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_role_that_cannot_be_assumed_skips_its_account_and_the_others_go_on() {
        let config = EmulatorConfig { denied_accounts: vec![TWO.into()], ..organisation() };
        let emulator = Emulator::start(config).await.unwrap();
        let fixture = Fixture::new();
        let file = sheet(&fixture, &[ONE, TWO], 3);
        let output = run(&mut import(&file, &emulator, &["--role-name", "wa-bulk"])).await;
        assert_eq!(output.status.code(), Some(3), "{}", text(&output));
        let records = report(&file);
        for record in &records {
            let expected =
                if record.account.as_deref() == Some(TWO) { Status::Skipped } else { Status::Created };
            assert_eq!(record.status, expected, "{record:?}");
        }
        let skipped = records.iter().find(|record| record.status == Status::Skipped).unwrap();
        assert!(skipped.message.contains("AccessDenied"), "{}", skipped.message);
        assert_eq!(emulator.workloads_in(ONE, "eu-west-1").len(), 3);
        assert!(emulator.workloads_in(TWO, "us-east-1").is_empty());
        assert!(String::from_utf8_lossy(&output.stderr).contains(&format!("lane {TWO} us-east-1: ")));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn without_a_role_only_the_credentials_own_account_is_reached() {
        let emulator = Emulator::start(organisation()).await.unwrap();
        let fixture = Fixture::new();
        let file = sheet(&fixture, &[BASE, ONE], 1);
        let output = run(&mut import(&file, &emulator, &[])).await;
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        let records = report(&file);
        for record in &records {
            match record.account.as_deref() {
                Some(BASE) => assert_eq!(record.status, Status::Created),
                _ => {
                    assert_eq!(
                        (record.status, record.error_code.as_deref()),
                        (Status::Failed, Some("NoRoleForAccount"))
                    );
                    assert!(record.message.contains("--role-name"), "{}", record.message);
                }
            }
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_full_region_stops_only_its_own_lane() {
        let emulator = Emulator::start(EmulatorConfig { quota: 2, ..organisation() }).await.unwrap();
        let fixture = Fixture::new();
        let text_of = |region: &str, count: usize| {
            (0..count)
                .map(|index| format!("Workload {index},In {region},Production,us-east-1,o@example.com,wellarchitected,{region}\n"))
                .collect::<String>()
        };
        let sheet = format!(
            "Name,Description,Environment,Regions,Owner,Lenses,Target Region\n{}{}",
            text_of("us-east-1", 5),
            text_of("eu-west-1", 2)
        );
        let file = fixture.write("quota.csv", sheet);
        let output = run(&mut import(&file, &emulator, &["--concurrency", "1"])).await;
        assert_eq!(output.status.code(), Some(3), "{}", text(&output));
        let records = report(&file);
        let in_region = |region: &str, status| {
            records.iter().filter(|r| r.region.as_deref() == Some(region) && r.status == status).count()
        };
        assert_eq!(
            (in_region("us-east-1", Status::Created), in_region("us-east-1", Status::Skipped)),
            (2, 3)
        );
        assert_eq!(in_region("eu-west-1", Status::Created), 2, "the other Region's lane went on");
        assert!(String::from_utf8_lossy(&output.stderr).contains("ServiceQuotaExceededException"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn regions_fan_out_and_a_killed_run_resumes_across_lanes() {
        let config = EmulatorConfig { latency: Duration::from_millis(30), ..organisation() };
        let emulator = Emulator::start(config).await.unwrap();
        let fixture = Fixture::new();
        let mut text = String::from("Name,Description,Environment,Regions,Owner,Lenses,Target account\n");
        for index in 0..30 {
            let account = [BASE, ONE][index % 2];
            text.push_str(&format!(
                "Fanned {index},Everywhere,Production,us-east-1,o@example.com,wellarchitected,{account}\n"
            ));
        }
        let file = fixture.write("fan.csv", text);
        let args =
            ["--role-name", "wa-bulk", "--regions", "us-east-1,eu-west-1,ap-southeast-2", "--rate", "40"];
        let journal = file.with_file_name("fan.csv.report.csv.journal");
        let mut child = import(&file, &emulator, &args).spawn().unwrap();
        journal_lines_reach(&journal, 21).await;
        child.kill().unwrap();
        finish(child).await;
        assert!(emulator.workloads().len() < 90, "killed part way");

        let resumed = run(import(&file, &emulator, &args).arg("--resume")).await;
        assert_eq!(resumed.status.code(), Some(0), "{}", super::super::import::text(&resumed));
        let records = report(&file);
        assert_eq!(records.len(), 90, "each row once in each Region");
        assert!(records.iter().all(|r| matches!(r.status, Status::Created | Status::Exists)), "{records:?}");
        for account in [BASE, ONE] {
            for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
                assert_eq!(
                    emulator.workloads_in(account, region).len(),
                    15,
                    "{account} {region}: none twice"
                );
            }
        }
    }

    #[test]
    fn local_runs_reach_every_account_the_sheet_names_out_of_the_box() {
        let fixture = Fixture::new();
        let file = sheet(&fixture, &[ONE, TWO], 1);
        let ran = super::super::support::wa_bulk(&["import", file.to_str().unwrap(), "--local"]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let records = report(&file);
        assert_eq!(by_status(&records), BTreeMap::from([("created", 4)]));
        let arn = records.iter().find(|r| r.account.as_deref() == Some(TWO)).unwrap().workload_arn.clone();
        assert!(arn.unwrap().contains(&format!(":{TWO}:")));
    }

    /// The shares a workload has, as `with (PERMISSION)`.
    async fn shares_of(emulator: &Emulator, id: &str) -> Vec<String> {
        use aws_sdk_wellarchitected::config::Credentials;
        let credentials = Credentials::new("AKIDIMPORT", "import-secret", None, None, "test");
        let client = emulator.client_as(credentials, "us-east-1").await;
        let listed = client.list_workload_shares().workload_id(id).send().await.unwrap();
        let mut shares: Vec<String> = listed
            .workload_share_summaries()
            .iter()
            .map(|s| {
                format!("{} ({})", s.shared_with().unwrap_or_default(), s.permission_type().unwrap().as_str())
            })
            .collect();
        shares.sort();
        shares
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn shares_are_made_once_also_on_a_rerun_and_pruned_on_request() {
        let emulator = Emulator::start(organisation()).await.unwrap();
        let fixture = Fixture::new();
        let org = "arn:aws:organizations::111111111111:organization/o-abcdef1234";
        let sheet = |first: &str| {
            format!(
                "Name,Description,Environment,Regions,Owner,Lenses,Share with\n\
                 Shared,Seen by others,Production,us-east-1,o@example.com,wellarchitected,\"{first}\"\n\
                 Also shared,Seen by one,Production,us-east-1,o@example.com,wellarchitected,333333333333\n"
            )
        };
        let file = fixture.write("shares.csv", sheet(&format!("{TWO}:CONTRIBUTOR; {org}")));
        let output = run(&mut import(&file, &emulator, &[])).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        let records = report(&file);
        let id = records[0].workload_id.clone().unwrap();
        assert_eq!(
            shares_of(&emulator, &id).await,
            [format!("{TWO} (CONTRIBUTOR)"), format!("{org} (READONLY)")]
        );
        assert!(
            records[0].message.contains(&format!("shared with {TWO} (CONTRIBUTOR)")),
            "{}",
            records[0].message
        );
        assert_eq!(
            shares_of(&emulator, records[1].workload_id.as_deref().unwrap()).await,
            ["333333333333 (READONLY)"]
        );

        let writes = emulator.stats().writes;
        let again = run(&mut import(&file, &emulator, &["--force"])).await;
        assert_eq!(again.status.code(), Some(0), "{}", text(&again));
        assert_eq!(emulator.stats().writes, writes, "no share is made twice");
        assert!(report(&file).iter().all(|record| record.status == Status::Exists));

        std::fs::write(&file, sheet(&format!("{TWO}:READONLY"))).unwrap();
        let pruned = run(&mut import(&file, &emulator, &["--force", "--prune-shares"])).await;
        assert_eq!(pruned.status.code(), Some(0), "{}", text(&pruned));
        assert_eq!(shares_of(&emulator, &id).await, [format!("{TWO} (READONLY)")]);
        let message = &report(&file)[0].message;
        assert!(
            message.contains(&format!("share with {TWO} now READONLY"))
                && message.contains(&format!("unshared {org}")),
            "{message}"
        );
    }

    #[test]
    fn share_entries_are_checked_before_anything_is_sent() {
        let fixture = Fixture::new();
        let sheet = format!(
            "Name,Description,Environment,Regions,Owner,Lenses,Target account,Share with\n\
             Bad share,A workload,Production,us-east-1,o@example.com,wellarchitected,{ONE},{ONE}\n\
             Bad permission,A workload,Production,us-east-1,o@example.com,wellarchitected,{ONE},{TWO}:WRITE\n\
             Twice,A workload,Production,us-east-1,o@example.com,wellarchitected,{ONE},\"{TWO}; {TWO}:CONTRIBUTOR\"\n\
             Good,A workload,Production,us-east-1,o@example.com,wellarchitected,{ONE},{TWO}\n"
        );
        let file = fixture.write("bad-shares.csv", sheet);
        let ran = fixture.validate(&file, &[]);
        assert_eq!(ran.code, 1);
        let records = fixture.records();
        let statuses: Vec<&str> = records.iter().map(|record| record.status.as_str()).collect();
        assert_eq!(statuses, ["invalid", "invalid", "invalid", "valid"]);
        assert!(records[0].message.contains("which owns the workload"), "{}", records[0].message);
        assert!(records[1].message.contains("\"WRITE\" is not a permission"), "{}", records[1].message);
        assert!(records[2].message.contains("is listed twice"), "{}", records[2].message);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_plan_reads_each_lane_and_shows_the_shares_to_make() {
        let emulator = Emulator::start(organisation()).await.unwrap();
        let fixture = Fixture::new();
        let row = |account: &str, region: &str, share: &str| {
            format!(
                "Shop,The shop,Production,us-east-1,o@example.com,wellarchitected,{account},{region},{share}\n"
            )
        };
        let header =
            "Name,Description,Environment,Regions,Owner,Lenses,Target account,Target Region,Share with\n";
        let first = format!("{header}{}{}", row(BASE, "us-east-1", TWO), row(ONE, "eu-west-1", ""));
        let file = fixture.write("plan.csv", &first);
        let output = run(&mut import(&file, &emulator, &["--role-name", "wa-bulk"])).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));

        let second = format!(
            "{header}{}{}",
            row(BASE, "us-east-1", &format!("{TWO}:CONTRIBUTOR")),
            row(ONE, "eu-west-1", "")
        );
        std::fs::write(&file, second).unwrap();
        let endpoint = emulator.endpoint_url();
        let args = ["--role-name", "wa-bulk", "--detailed-exitcode"];
        let planned = run(&mut super::super::import::sending("plan", &file, Some(&endpoint), &args)).await;
        let stdout = String::from_utf8_lossy(&planned.stdout);
        assert_eq!(planned.status.code(), Some(2), "{}", text(&planned));
        assert!(stdout.contains(&format!("~ share     row 2 \"Shop\" in {BASE} us-east-1")), "{stdout}");
        assert!(stdout.contains(&format!("UpdateWorkloadShare: {TWO} READONLY → CONTRIBUTOR")), "{stdout}");
        assert!(stdout.contains(&format!("= keep      row 3 \"Shop\" in {ONE} eu-west-1")), "{stdout}");
        assert!(
            stdout.contains("Plan: 0 to create, 0 to update, 1 to share, 1 kept as they are."),
            "{stdout}"
        );

        // The JSON summary counts what the text line counts, and the
        // results workbook names every pruning asked for.
        let results = fixture.path("plan.xlsx");
        let args = ["--role-name", "wa-bulk", "--output", "json", "--prune-shares", "--report"];
        let args: Vec<&str> = args.into_iter().chain([results.to_str().unwrap()]).collect();
        let planned = run(&mut super::super::import::sending("plan", &file, Some(&endpoint), &args)).await;
        assert_eq!(planned.status.code(), Some(0), "{}", text(&planned));
        let stdout = String::from_utf8_lossy(&planned.stdout);
        let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        let counts = &summary["plan"];
        assert_eq!((counts["share"].as_u64(), counts["kept"].as_u64()), (Some(1), Some(1)), "{summary}");
        assert_eq!((counts["create"].as_u64(), counts["update"].as_u64()), (Some(0), Some(0)), "{summary}");
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&results).unwrap();
        let facts = calamine::Reader::worksheet_range(&mut book, "Summary").unwrap();
        let prune = facts.rows().find(|row| row[0] == "Prune").map(|row| row[1].to_string());
        assert_eq!(prune.as_deref(), Some("shares"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_row_sent_to_two_regions_has_a_line_each_with_its_cells_and_one_failure() {
        use calamine::{Reader, Xlsx, open_workbook};
        let emulator = Emulator::start(organisation()).await.unwrap();
        let fixture = Fixture::new();
        let sheet = "Name,Description,Environment,Regions,Owner,Lenses\n\
                     Twice,In two Regions,Production,us-east-1,o@example.com,wellarchitected\n";
        let file = fixture.write("two.csv", sheet);
        let fan_out = ["--regions", "us-east-1,eu-west-1"];
        assert_eq!(run(&mut import(&file, &emulator, &fan_out)).await.status.code(), Some(0));
        let (results, failures) = (fixture.path("results.xlsx"), fixture.path("failures.csv"));
        let mut args = vec!["--force", "--on-existing", "fail", "--report", results.to_str().unwrap()];
        args.extend(["--failures", failures.to_str().unwrap()]);
        args.extend(fan_out);
        let output = run(&mut import(&file, &emulator, &args)).await;
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));

        let mut book: Xlsx<_> = open_workbook(&results).unwrap();
        let rows: Vec<Vec<String>> = book
            .worksheet_range("Results")
            .unwrap()
            .rows()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect();
        assert_eq!(rows.len(), 3, "a line for each place");
        for line in &rows[1..] {
            assert_eq!(line[0], "Twice", "each line has the row's own cells: {line:?}");
            assert_eq!(line[6], "failed");
        }
        assert_eq!((rows[1][15].as_str(), rows[2][15].as_str()), ("eu-west-1", "us-east-1"));
        let failed = std::fs::read_to_string(&failures).unwrap();
        assert_eq!(failed.lines().count(), 2, "one failure for the row: {failed}");
        // The run's own account is not asked for when no row names one.
        assert!(
            failed.contains(",eu-west-1: a workload") && failed.contains("; us-east-1: a workload"),
            "{failed}"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_role_s_credentials_are_refreshed_before_they_expire_on_a_long_run() {
        // Sessions of two seconds, and a run of about four: the keys the
        // first AssumeRole gave expire (the emulator then refuses them)
        // long before the last row is sent.
        let config = EmulatorConfig { session_duration: Duration::from_secs(2), ..organisation() };
        let emulator = Emulator::start(config).await.unwrap();
        let fixture = Fixture::new();
        let mut sheet = String::from("Name,Description,Environment,Regions,Owner,Lenses,Target account\n");
        for index in 0..20 {
            sheet.push_str(&format!(
                "Long {index},A long run,Production,us-east-1,o@example.com,wellarchitected,{ONE}\n"
            ));
        }
        let file = fixture.write("long.csv", sheet);
        let started = std::time::Instant::now();
        let output = run(&mut import(&file, &emulator, &["--role-name", "wa-bulk", "--rate", "5"])).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        assert!(started.elapsed() > Duration::from_secs(3), "the run outlived the first credentials");
        assert_eq!(emulator.workloads_in(ONE, "us-east-1").len(), 20);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn each_account_assumes_its_role_once_however_many_lanes_it_has() {
        // 4 accounts × 20 Regions: 80 lanes, more than the SDK's default
        // credentials cache holds (64).
        const MANY: [&str; 20] = [
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "eu-central-1",
            "eu-north-1",
            "eu-south-1",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ca-central-1",
            "sa-east-1",
            "me-south-1",
            "af-south-1",
        ];
        let emulator = Emulator::start(organisation()).await.unwrap();
        let fixture = Fixture::new();
        let mut sheet =
            String::from("Name,Description,Environment,Regions,Owner,Lenses,Target account,Target Region\n");
        let accounts = ["111111111111", "222222222222", "333333333333", "444444444444"];
        for account in accounts {
            for region in MANY {
                sheet.push_str(&format!(
                    "Workload 1,Kept in {account} {region},Production,us-east-1,o@example.com,wellarchitected,{account},{region}\n"
                ));
            }
        }
        let file = fixture.write("many.csv", sheet);
        let output =
            run(&mut import(&file, &emulator, &["--role-name", "wa-bulk", "--max-lanes", "100"])).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        assert_eq!(emulator.workloads().len(), 80);
        let expected = 80 + 80 + accounts.len() as u64 + 1;
        assert_eq!(
            emulator.stats().requests,
            expected,
            "a CreateWorkload and a ListWorkloads a lane, an AssumeRole an account, a GetCallerIdentity"
        );
    }
}
