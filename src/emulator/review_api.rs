//! The HTTP binding of the review operations, from the model: a workload's
//! lens reviews (ListLensReviews, GetLensReview, UpdateLensReview) and
//! answers (ListAnswers, GetAnswer, UpdateAnswer), now or at a milestone,
//! and the same of a review template (GetReviewTemplateLensReview,
//! UpdateReviewTemplateLensReview, ListReviewTemplateAnswers,
//! GetReviewTemplateAnswer, UpdateReviewTemplateAnswer).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use super::error::ApiError;
use super::review::{AnswerUpdate, Holder, NotesUpdate, Review};
use super::store::now;
use super::wire::{Here, ok, page, paged, parse, wrote};

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/workloads/{id}/lensReviews", get(list_lens_reviews))
        .route("/workloads/{id}/lensReviews/{lens}", get(get_lens_review).patch(update_lens_review))
        .route("/workloads/{id}/lensReviews/{lens}/answers", get(list_answers))
        .route("/workloads/{id}/lensReviews/{lens}/answers/{question}", get(get_answer).patch(update_answer))
        .route(
            "/reviewTemplates/{arn}/lensReviews/{lens}",
            get(get_template_review).patch(update_template_review),
        )
        .route("/reviewTemplates/{arn}/lensReviews/{lens}/answers", get(list_template_answers))
        .route(
            "/reviewTemplates/{arn}/lensReviews/{lens}/answers/{question}",
            get(get_template_answer).patch(update_template_answer),
        )
}

/// The query of the reads: a milestone, a pillar, a page.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ReadQuery {
    milestone_number: Option<i64>,
    pillar_id: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
    question_priority: Option<String>,
}

impl ReadQuery {
    /// MilestoneNumber is 1 to 100 and QuestionPriority one of its values.
    fn checked(self) -> Result<ReadQuery, ApiError> {
        if let Some(number) = self.milestone_number
            && !(1..=100).contains(&number)
        {
            return Err(ApiError::invalid_field("MilestoneNumber", "must be 1 to 100".into()));
        }
        if let Some(priority) = self.question_priority.as_deref()
            && !["PRIORITIZED", "NONE"].contains(&priority)
        {
            return Err(ApiError::invalid_field("QuestionPriority", "must be PRIORITIZED | NONE".into()));
        }
        Ok(self)
    }

    /// The MilestoneNumber member of an answer, when one was asked for.
    fn milestone_into(&self, body: &mut Value) {
        if let Some(number) = self.milestone_number {
            body["MilestoneNumber"] = number.into();
        }
    }
}

/// ListLensReviews: a summary of each of the workload's reviews, with
/// their risks.
async fn list_lens_reviews(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path(id): Path<String>,
    Query(query): Query<ReadQuery>,
) -> Result<Response, ApiError> {
    let query = query.checked()?;
    let (start, size) = page(query.next_token.as_deref(), query.max_results)?;
    let store = here.store();
    let workload = store.get(&id)?;
    let reviews = match query.milestone_number {
        Some(number) => workload.milestone(number)?.reviews(),
        None => &workload.reviews,
    };
    let catalogue = shared.catalogue();
    let summaries: Vec<Value> = reviews
        .values()
        .skip(start)
        .take(size)
        .map(|review| review.summary(Holder::Workload, catalogue.status(here.tenant(), review)))
        .collect();
    let more = start + size < reviews.len();
    let mut body = paged("LensReviewSummaries", summaries, more.then(|| start + size));
    body["WorkloadId"] = id.into();
    query.milestone_into(&mut body);
    Ok(ok(body))
}

async fn get_lens_review(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path((id, lens)): Path<(String, String)>,
    Query(query): Query<ReadQuery>,
) -> Result<Response, ApiError> {
    let query = query.checked()?;
    let store = here.store();
    let review = store.review(&id, &lens, query.milestone_number)?;
    let status = shared.catalogue().status(here.tenant(), review);
    let mut body = json!({"WorkloadId": id, "LensReview": review.to_json(Holder::Workload, status)});
    query.milestone_into(&mut body);
    Ok(ok(body))
}

async fn update_lens_review(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path((id, lens)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let update: NotesUpdate = parse(&body)?;
    let mut store = here.store();
    let review = store.review_mut(&id, &lens)?;
    review.update_notes(update, now())?;
    let status = shared.catalogue().status(here.tenant(), review);
    let body = json!({"WorkloadId": id, "LensReview": review.to_json(Holder::Workload, status)});
    Ok(wrote("UpdateLensReview", body))
}

/// The `AnswerSummaries` page of `review`, and the token of the next.
fn answer_page(review: &Review, holder: Holder, query: &ReadQuery) -> Result<Value, ApiError> {
    let (start, size) = page(query.next_token.as_deref(), query.max_results)?;
    let mut questions = review.questions(query.pillar_id.as_deref())?.skip(start);
    let summaries: Vec<Value> = questions
        .by_ref()
        .take(size)
        .map(|(pillar, question)| review.render(pillar, question, holder, false))
        .collect();
    let more = questions.next().is_some();
    let mut body = paged("AnswerSummaries", summaries, more.then(|| start + size));
    body["LensAlias"] = review.lens.alias.clone().into();
    Ok(body)
}

/// ListAnswers: a page of answer summaries (no notes), of one pillar if asked.
async fn list_answers(
    here: Here,
    Path((id, lens)): Path<(String, String)>,
    Query(query): Query<ReadQuery>,
) -> Result<Response, ApiError> {
    let query = query.checked()?;
    let store = here.store();
    let review = store.review(&id, &lens, query.milestone_number)?;
    let mut body = answer_page(review, Holder::Workload, &query)?;
    body["WorkloadId"] = id.into();
    body["LensArn"] = review.lens.arn.clone().into();
    query.milestone_into(&mut body);
    Ok(ok(body))
}

/// The members GetAnswer and UpdateAnswer answer with.
fn answer_body(id: String, review: &Review, question: &str) -> Result<Value, ApiError> {
    Ok(json!({
        "WorkloadId": id,
        "LensAlias": review.lens.alias,
        "LensArn": review.lens.arn,
        "Answer": review.answer_json(question, Holder::Workload, true)?,
    }))
}

async fn get_answer(
    here: Here,
    Path((id, lens, question)): Path<(String, String, String)>,
    Query(query): Query<ReadQuery>,
) -> Result<Response, ApiError> {
    let query = query.checked()?;
    let store = here.store();
    let review = store.review(&id, &lens, query.milestone_number)?;
    let mut body = answer_body(id, review, &question)?;
    query.milestone_into(&mut body);
    Ok(ok(body))
}

async fn update_answer(
    here: Here,
    Path((id, lens, question)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let update: AnswerUpdate = parse(&body)?;
    let mut store = here.store();
    let review = store.review_mut(&id, &lens)?;
    review.update_answer(&question, update, now())?;
    Ok(wrote("UpdateAnswer", answer_body(id, review, &question)?))
}

async fn get_template_review(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path((arn, lens)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let catalogue = shared.catalogue();
    let review = catalogue.template_review(here.tenant(), &arn, &lens)?;
    let status = catalogue.status(here.tenant(), review);
    Ok(ok(json!({"TemplateArn": arn, "LensReview": review.to_json(Holder::Template, status)})))
}

async fn update_template_review(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path((arn, lens)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let update: NotesUpdate = parse(&body)?;
    let mut catalogue = shared.catalogue();
    catalogue.template_review_mut(here.tenant(), &arn, &lens)?.update_notes(update, now())?;
    let review = catalogue.template_review(here.tenant(), &arn, &lens)?;
    let status = catalogue.status(here.tenant(), review);
    let body = json!({"TemplateArn": arn, "LensReview": review.to_json(Holder::Template, status)});
    Ok(wrote("UpdateReviewTemplateLensReview", body))
}

async fn list_template_answers(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path((arn, lens)): Path<(String, String)>,
    Query(query): Query<ReadQuery>,
) -> Result<Response, ApiError> {
    let query = query.checked()?;
    let catalogue = shared.catalogue();
    let review = catalogue.template_review(here.tenant(), &arn, &lens)?;
    let mut body = answer_page(review, Holder::Template, &query)?;
    body["TemplateArn"] = arn.into();
    Ok(ok(body))
}

/// The members GetReviewTemplateAnswer and UpdateReviewTemplateAnswer answer with.
fn template_answer_body(arn: String, review: &Review, question: &str) -> Result<Value, ApiError> {
    Ok(json!({
        "TemplateArn": arn,
        "LensAlias": review.lens.alias,
        "Answer": review.answer_json(question, Holder::Template, true)?,
    }))
}

async fn get_template_answer(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path((arn, lens, question)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let catalogue = shared.catalogue();
    let review = catalogue.template_review(here.tenant(), &arn, &lens)?;
    Ok(ok(template_answer_body(arn, review, &question)?))
}

async fn update_template_answer(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path((arn, lens, question)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let update: AnswerUpdate = parse(&body)?;
    let mut catalogue = shared.catalogue();
    catalogue.template_review_mut(here.tenant(), &arn, &lens)?.update_answer(&question, update, now())?;
    let review = catalogue.template_review(here.tenant(), &arn, &lens)?;
    Ok(wrote("UpdateReviewTemplateAnswer", template_answer_body(arn, review, &question)?))
}
