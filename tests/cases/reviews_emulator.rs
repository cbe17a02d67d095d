//! The emulator's lens reviews driven by the real SDK: answers updated and
//! read back (every member), risks worked out from the lens's risk rules,
//! milestones that keep the answers as they were, lens and pillar notes,
//! review templates whose answers a new workload starts from, a custom
//! lens's review kept at its version, and what AWS refuses, with writes
//! counted per operation.

use aws_sdk_wellarchitected::types::{AnswerReason, ChoiceReason, ChoiceStatus, ChoiceUpdate, Risk};
use wa_bulk::emulator::{Emulator, EmulatorConfig, lens};

use super::support::{review_template, workload};

fn choice(status: ChoiceStatus, reason: Option<ChoiceReason>, notes: &str) -> ChoiceUpdate {
    ChoiceUpdate::builder().status(status).set_reason(reason).notes(notes).build()
}

#[tokio::test]
async fn answers_are_kept_with_their_risks_and_a_milestone_keeps_them_as_they_were() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let id = workload(&client, "Reviewed", &["wellarchitected"], None).await;
    let update = || client.update_answer().workload_id(&id).lens_alias("wellarchitected");

    let all = ["ops_1_choice_1", "ops_1_choice_2", "ops_1_choice_3", "ops_1_choice_4"];
    let answered = update()
        .question_id("ops_1")
        .set_selected_choices(Some(all.map(String::from).to_vec()))
        .notes("All four");
    let answer = answered.send().await.unwrap().answer.unwrap();
    assert_eq!(answer.risk, Some(Risk::None));
    assert_eq!(answer.notes.as_deref(), Some("All four"));
    let two = update()
        .question_id("ops_2")
        .selected_choices("ops_2_choice_1")
        .selected_choices("ops_2_choice_2")
        .choice_updates(
            "ops_2_choice_3",
            choice(ChoiceStatus::NotApplicable, Some(ChoiceReason::OutOfScope), "n/a"),
        )
        .choice_updates("ops_2_choice_1", choice(ChoiceStatus::Selected, None, "we do this"));
    assert_eq!(two.send().await.unwrap().answer.unwrap().risk, Some(Risk::Medium));
    let not_applicable =
        update().question_id("ops_3").is_applicable(false).reason(AnswerReason::BusinessPriorities);
    assert_eq!(not_applicable.send().await.unwrap().answer.unwrap().risk, Some(Risk::NotApplicable));
    let none = update().question_id("sec_1").selected_choices("sec_1_no");
    assert_eq!(none.send().await.unwrap().answer.unwrap().risk, Some(Risk::High));

    // GetAnswer carries every member; ListAnswers pages summaries without notes.
    let got = client.get_answer().workload_id(&id).lens_alias("wellarchitected").question_id("ops_2");
    let answer = got.send().await.unwrap().answer.unwrap();
    assert_eq!(answer.selected_choices(), ["ops_2_choice_1", "ops_2_choice_2"]);
    let states: Vec<(String, ChoiceStatus, Option<ChoiceReason>, Option<String>)> = answer
        .choice_answers()
        .iter()
        .map(|c| {
            (c.choice_id().unwrap().into(), c.status().unwrap().clone(), c.reason().cloned(), c.notes.clone())
        })
        .collect();
    assert_eq!(
        states,
        [
            ("ops_2_choice_1".into(), ChoiceStatus::Selected, None, Some("we do this".into())),
            ("ops_2_choice_2".into(), ChoiceStatus::Selected, None, Some(String::new())),
            (
                "ops_2_choice_3".into(),
                ChoiceStatus::NotApplicable,
                Some(ChoiceReason::OutOfScope),
                Some("n/a".into())
            ),
        ]
    );
    assert_eq!(answer.choices().len(), 5, "four practices and None of these");
    let mut summaries = Vec::new();
    let mut pages = client
        .list_answers()
        .workload_id(&id)
        .lens_alias("wellarchitected")
        .pillar_id("operationalExcellence")
        .max_results(2)
        .into_paginator()
        .send();
    let mut requests = 0;
    while let Some(page) = pages.next().await {
        requests += 1;
        summaries.extend(page.unwrap().answer_summaries.unwrap_or_default());
    }
    assert_eq!((requests, summaries.len()), (2, 3), "three questions of the pillar, two a page");
    let risks: Vec<Option<Risk>> = summaries.iter().map(|s| s.risk.clone()).collect();
    assert_eq!(risks, [Some(Risk::None), Some(Risk::Medium), Some(Risk::NotApplicable)]);
    assert_eq!(summaries[2].reason, Some(AnswerReason::BusinessPriorities));

    // The risks, counted in the review, its pillars and the workload.
    let review =
        client.get_lens_review().workload_id(&id).lens_alias("wellarchitected").send().await.unwrap();
    let review = review.lens_review.unwrap();
    let counts = review.risk_counts.unwrap();
    assert_eq!(
        (counts[&Risk::None], counts[&Risk::Medium], counts[&Risk::High], counts[&Risk::NotApplicable]),
        (1, 1, 1, 1)
    );
    assert_eq!(counts[&Risk::Unanswered], 14, "18 questions, 4 answered");
    let listed = client.list_workloads().send().await.unwrap().workload_summaries.unwrap();
    assert_eq!(listed[0].risk_counts.as_ref().unwrap()[&Risk::High], 1);

    // A milestone keeps the answers; unselecting every choice is real.
    client
        .create_milestone()
        .workload_id(&id)
        .milestone_name("Before")
        .client_request_token("m1")
        .send()
        .await
        .unwrap();
    let cleared = update().question_id("ops_1").set_selected_choices(Some(Vec::new()));
    let answer = cleared.send().await.unwrap().answer.unwrap();
    assert!(answer.selected_choices().is_empty());
    assert_eq!(answer.risk, Some(Risk::Unanswered));
    let then = client.get_answer().workload_id(&id).lens_alias("wellarchitected").question_id("ops_1");
    let then = then.milestone_number(1).send().await.unwrap();
    assert_eq!(then.milestone_number, Some(1));
    assert_eq!(then.answer.unwrap().selected_choices().len(), 4, "the milestone kept the four");

    let writes = emulator.writes_by_operation();
    assert_eq!(writes.get("UpdateAnswer"), Some(&5));
    assert_eq!(writes.get("CreateMilestone"), Some(&1));
    emulator.stop().await.unwrap();
}

#[tokio::test]
async fn the_emulator_refuses_the_answers_aws_refuses_and_counts_no_write() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let id = workload(&client, "Refused", &["wellarchitected"], None).await;
    let update = |question: &str| {
        client.update_answer().workload_id(&id).lens_alias("wellarchitected").question_id(question)
    };
    let refusals = [
        (update("ops_1").selected_choices("ops_1_choice_9"), "is not a choice of question ops_1"),
        (
            update("ops_1").selected_choices("ops_1_no").selected_choices("ops_1_choice_1"),
            "cannot be selected with",
        ),
        (
            update("ops_1")
                .selected_choices("ops_1_choice_1")
                .choice_updates("ops_1_choice_1", choice(ChoiceStatus::NotApplicable, None, "")),
            "but not in SelectedChoices",
        ),
        (update("ops_1").reason(AnswerReason::Other), "not applicable"),
        (update("ops_1").notes("n".repeat(2085)), "at most 2084"),
        (
            update("ops_1")
                .choice_updates("ops_1_choice_1", choice(ChoiceStatus::Unselected, None, &"n".repeat(251))),
            "at most 250",
        ),
        (
            update("ops_1").choice_updates(
                "ops_1_choice_1",
                choice(ChoiceStatus::Selected, Some(ChoiceReason::Other), ""),
            ),
            "only with the status NOT_APPLICABLE",
        ),
        (update("ops_99").selected_choices("ops_1_choice_1"), "has no question ops_99"),
    ];
    for (request, expected) in refusals {
        let error = request.send().await.expect_err(expected).into_service_error();
        assert!(format!("{error:?}").contains(expected), "{expected}: {error:?}");
    }
    let other_lens = client.get_lens_review().workload_id(&id).lens_alias("serverless").send().await;
    assert!(other_lens.unwrap_err().into_service_error().is_resource_not_found_exception());
    let too_many = client.list_answers().workload_id(&id).lens_alias("wellarchitected").max_results(51);
    assert!(too_many.send().await.unwrap_err().into_service_error().is_validation_exception());
    let no_milestone =
        client.list_answers().workload_id(&id).lens_alias("wellarchitected").milestone_number(1);
    assert!(no_milestone.send().await.unwrap_err().into_service_error().is_resource_not_found_exception());
    let bad_pillar = client.update_lens_review().workload_id(&id).lens_alias("wellarchitected");
    let error = bad_pillar.pillar_notes("nonsense", "x").send().await.unwrap_err().into_service_error();
    assert!(format!("{error:?}").contains("has no pillar nonsense"), "{error:?}");
    assert_eq!(emulator.writes_by_operation().get("UpdateAnswer"), None);
    assert_eq!(emulator.stats().writes, 1, "only the CreateWorkload");
    emulator.stop().await.unwrap();
}

#[tokio::test]
async fn lens_and_pillar_notes_are_kept_and_read_back() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let id = workload(&client, "Noted", &["wellarchitected", "serverless"], None).await;
    let notes = client
        .update_lens_review()
        .workload_id(&id)
        .lens_alias("serverless")
        .lens_notes("Reviewed with the team")
        .pillar_notes("security", "Keys rotate monthly");
    notes.send().await.unwrap();
    let review = client.get_lens_review().workload_id(&id).lens_alias("serverless").send().await.unwrap();
    let review = review.lens_review.unwrap();
    assert_eq!(review.notes.as_deref(), Some("Reviewed with the team"));
    let pillars = review.pillar_review_summaries();
    let security = pillars.iter().find(|p| p.pillar_id() == Some("security")).unwrap();
    assert_eq!(security.notes.as_deref(), Some("Keys rotate monthly"));
    assert_eq!(pillars.len(), 6);
    let listed = client.list_lens_reviews().workload_id(&id).send().await.unwrap();
    let aliases: Vec<&str> = listed.lens_review_summaries().iter().filter_map(|s| s.lens_alias()).collect();
    assert_eq!(aliases, ["serverless", "wellarchitected"]);
    assert_eq!(emulator.writes_by_operation().get("UpdateLensReview"), Some(&1));
    emulator.stop().await.unwrap();
}

#[tokio::test]
async fn a_review_templates_answers_are_where_a_workload_created_from_it_starts() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let template = review_template(&client, "Landing zone").await;
    let answer = client
        .update_review_template_answer()
        .template_arn(&template)
        .lens_alias("wellarchitected")
        .question_id("sec_1")
        .selected_choices("sec_1_choice_1")
        .selected_choices("sec_1_choice_2")
        .notes("Inherited from the landing zone")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.answer.unwrap().answer_status.unwrap().as_str(), "ANSWERED");
    let notes =
        client.update_review_template_lens_review().template_arn(&template).lens_alias("wellarchitected");
    notes.lens_notes("Baseline").send().await.unwrap();
    let review =
        client.get_review_template_lens_review().template_arn(&template).lens_alias("wellarchitected");
    let review = review.send().await.unwrap().lens_review.unwrap();
    let counts = review.question_counts.unwrap();
    assert_eq!((counts[&"ANSWERED".into()], counts[&"UNANSWERED".into()]), (1, 17));

    let id = workload(&client, "From the template", &[], Some(&template)).await;
    let got = client.get_answer().workload_id(&id).lens_alias("wellarchitected").question_id("sec_1");
    let answer = got.send().await.unwrap().answer.unwrap();
    assert_eq!(answer.selected_choices(), ["sec_1_choice_1", "sec_1_choice_2"]);
    assert_eq!(answer.risk, Some(Risk::Medium));
    assert_eq!(answer.notes.as_deref(), Some("Inherited from the landing zone"));
    let workload = client.get_workload().workload_id(&id).send().await.unwrap().workload.unwrap();
    assert_eq!(workload.lenses(), ["wellarchitected"], "the template's lens came with it");
    let writes = emulator.writes_by_operation();
    assert_eq!(writes.get("UpdateReviewTemplateAnswer"), Some(&1));
    assert_eq!(writes.get("UpdateReviewTemplateLensReview"), Some(&1));
    emulator.stop().await.unwrap();
}

#[tokio::test]
async fn a_custom_lens_review_stays_at_the_version_it_started_at() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let mut content = lens::official_content("iot").unwrap();
    content.name = "House rules".into();
    content.pillars[0].questions[0].choices.pop();
    let json = serde_json::to_string(&content).unwrap();
    let arn = client.import_lens().json_string(json).client_request_token("import").send().await.unwrap();
    let arn = arn.lens_arn.unwrap();
    let publish = |version: &str| {
        client
            .create_lens_version()
            .lens_alias(&arn)
            .lens_version(version)
            .client_request_token(version)
            .send()
    };
    publish("1.0").await.unwrap();
    let id = workload(&client, "Custom", &["wellarchitected", &arn], None).await;
    content.pillars[0].questions[0].id = "ops_new".into();
    let json = serde_json::to_string(&content).unwrap();
    let draft = client.import_lens().json_string(json).lens_alias(&arn).client_request_token("again");
    draft.send().await.unwrap();
    publish("2.0").await.unwrap();

    let review = client.get_lens_review().workload_id(&id).lens_alias(&arn).send().await.unwrap();
    let review = review.lens_review.unwrap();
    assert_eq!(
        (review.lens_version(), review.lens_status().map(|s| s.as_str())),
        (Some("1.0"), Some("NOT_CURRENT"))
    );
    let answer =
        client.get_answer().workload_id(&id).lens_alias(&arn).question_id("ops_1").send().await.unwrap();
    let choices: Vec<&str> =
        answer.answer.as_ref().unwrap().choices().iter().filter_map(|c| c.choice_id()).collect();
    assert_eq!(choices.last(), Some(&"ops_1_no"), "ImportLens added the None of these choice");
    let newer = client.get_answer().workload_id(&id).lens_alias(&arn).question_id("ops_new").send().await;
    assert!(newer.unwrap_err().into_service_error().is_resource_not_found_exception());
    emulator.stop().await.unwrap();
}
