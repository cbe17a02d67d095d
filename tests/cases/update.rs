//! `import --on-existing update` brings a workload to what its row says:
//! UpdateWorkload, then tags, lenses and the profile with their own calls;
//! removing what the row does not name only with `--prune-tags` and
//! `--prune-lenses`.

use wa_bulk::emulator::{Emulator, EmulatorConfig};
use wa_bulk::report::Status::{Unchanged, Updated};

use super::import::{count, import, plain, report, run, sheet, text};
use super::support::{Fixture, profile};

const HEADER: &str =
    "WorkloadName,Description,Environment,AwsRegions,ReviewOwner,Lenses,ProfileArns,Tag:team,Tag:cost";

fn row(description: &str, lenses: &str, profile: &str, team: &str, cost: &str) -> String {
    format!(
        "{HEADER}\nshop,{description},PRODUCTION,us-east-1,o@example.com,{lenses},{profile},{team},{cost}\n"
    )
}

/// The stored shop's tags (sorted), lenses and profiles.
fn shop(emulator: &Emulator) -> (Vec<(String, String)>, Vec<String>, Vec<String>) {
    let stored = emulator.workloads().into_iter().find(|workload| workload.request.name() == "shop").unwrap();
    let mut tags: Vec<(String, String)> =
        stored.request.tags.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect();
    tags.sort();
    let strings = |values: &[wa_bulk::model::Text<'_>]| values.iter().map(ToString::to_string).collect();
    (tags, strings(&stored.request.lenses), strings(&stored.request.profile_arns))
}

fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_sets_tags_lenses_and_the_profile_and_prunes_only_when_asked() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let (profile_a, profile_b) =
        (profile(&emulator, "Profile A").await, profile(&emulator, "Profile B").await);
    let (profile_a, profile_b) = (profile_a.as_str(), profile_b.as_str());
    let fixture = Fixture::new();
    let file = fixture.write("rows.csv", row("The shop", "wellarchitected;iot", profile_a, "web", "c1"));
    let output = run(&mut import(&file, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    // Another value for one tag, no value for the other, another lens and profile.
    std::fs::write(&file, row("The shop", "wellarchitected;serverless", profile_b, "payments", "")).unwrap();
    let output = run(&mut import(&file, &emulator, &["--force", "--on-existing", "update"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let records = report(&file);
    assert_eq!(count(&records, Updated), 1, "{records:?}");
    let message = &records[0].message;
    assert!(message.contains("tagged team") && message.contains("associated lenses serverless"), "{message}");
    let (held_tags, lenses, profiles) = shop(&emulator);
    assert_eq!(held_tags, tags(&[("cost", "c1"), ("team", "payments")]), "cost kept: no --prune-tags");
    assert_eq!(lenses, ["wellarchitected", "iot", "serverless"], "iot kept: no --prune-lenses");
    assert_eq!(profiles, [profile_b], "a workload holds one profile: the row's replaces the old");

    let pruning = ["--force", "--on-existing", "update", "--prune-tags", "--prune-lenses"];
    let output = run(&mut import(&file, &emulator, &pruning)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let message = &report(&file)[0].message;
    assert_eq!(message, "untagged cost; disassociated lenses iot");
    let (held_tags, lenses, _) = shop(&emulator);
    assert_eq!(held_tags, tags(&[("team", "payments")]));
    assert_eq!(lenses, ["wellarchitected", "serverless"]);

    // Now the workload is what the row says: nothing to send.
    let (requests, writes) = (emulator.stats().requests, emulator.stats().writes);
    let output = run(&mut import(&file, &emulator, &pruning)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(count(&report(&file), Unchanged), 1);
    assert_eq!(
        emulator.stats().requests - requests,
        3,
        "the profile the row names checked (GetProfile), one listing and one read"
    );
    assert_eq!(emulator.stats().writes, writes, "no write");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_milestone_is_recorded_once_on_each_workload_created_or_updated_even_on_reruns() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 3, plain);
    let output = run(&mut import(&file, &emulator, &["--milestone", "Imported"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let records = report(&file);
    assert!(records.iter().all(|r| r.message == "created; milestone 1 \"Imported\""), "{records:?}");
    let milestones = |emulator: &Emulator| -> Vec<usize> {
        emulator.workloads().iter().map(|workload| workload.milestones.len()).collect()
    };
    assert_eq!(milestones(&emulator), [1, 1, 1]);

    // A rerun that updates one row and finds the others unchanged.
    let edited = std::fs::read_to_string(&file).unwrap().replacen("A workload to import", "Now edited", 1);
    std::fs::write(&file, edited).unwrap();
    let args = ["--force", "--on-existing", "update", "--milestone", "Imported"];
    let output = run(&mut import(&file, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let records = report(&file);
    assert_eq!((count(&records, Updated), count(&records, Unchanged)), (1, 2));
    let updated = records.iter().find(|r| r.status == Updated).unwrap();
    assert_eq!(updated.message, "updated Description; milestone 1 \"Imported\"", "the same milestone again");
    assert_eq!(milestones(&emulator), [1, 1, 1], "nothing recorded twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_updatable_member_is_updated() {
    let fixture = Fixture::new();
    let emulator = super::support::service_with_the_sample(&fixture).await;
    // Checkout API with every member UpdateWorkload takes changed.
    let header = "WorkloadName,Description,Environment,AccountIds,AwsRegions,NonAwsRegions,PillarPriorities,\
                  ArchitecturalDesign,ReviewOwner,IndustryType,Industry,Lenses,Notes,TrustedAdvisorIntegrationStatus,\
                  WorkloadResourceDefinition,Applications,IssueManagementStatus,IssueManagementType,JiraProjectKey";
    let row = "CHECKOUT API,Every member changed,Preproduction,999988887777,eu-west-1,On premises,costOptimization,\
               https://wiki.example.com/arch/new,new-owner@example.com,InfoTech,Software,wellarchitected,New notes,\
               Disabled,App registry,arn:aws:servicecatalog:us-east-1:111122223333:/applications/9f8e7d6c5b4a,\
               Inherit,Manual,NEW";
    let file = fixture.write("rows.csv", format!("{header}\n{row}\n"));
    let output = run(&mut import(&file, &emulator, &["--on-existing", "update"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let records = report(&file);
    let updatable: Vec<&str> = wa_bulk::model::Field::ALL
        .into_iter()
        .filter(|field| field.is_updatable())
        .map(|field| field.api_member())
        .collect();
    assert_eq!(records[0].message, format!("updated {}", updatable.join(", ")));
    let stored = emulator.workloads().into_iter().find(|w| w.request.name() == "CHECKOUT API").unwrap();
    assert_eq!(stored.request.description.as_deref(), Some("Every member changed"));
    assert_eq!(stored.request.environment.as_deref(), Some("PREPRODUCTION"));
    assert_eq!(stored.request.account_ids, ["999988887777"]);
    assert_eq!(stored.request.non_aws_regions, ["On premises"]);
    assert_eq!(stored.request.notes.as_deref(), Some("New notes"));
    let jira = stored.request.jira_configuration.as_ref().unwrap();
    assert_eq!(jira.jira_project_key.as_deref(), Some("NEW"));
    assert_eq!(jira.issue_management_type.as_deref(), Some("MANUAL"));
}
