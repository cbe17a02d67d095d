//! Review templates as the answers sheet's other subject: a template's lens
//! reviews read as rows (GetReviewTemplate for its lenses, then per lens
//! GetReviewTemplateLensReview, ListReviewTemplateAnswers pages and, with
//! notes, GetReviewTemplateAnswer a question), and the reads and writes the
//! plan and the import make of a template (GetReviewTemplateAnswer,
//! UpdateReviewTemplateAnswer, UpdateReviewTemplateLensReview). Workloads
//! created later with the template's ARN start from its answers.

use std::sync::Arc;

use aws_sdk_wellarchitected::types::{ReviewTemplateAnswer, ReviewTemplateLensReview};

use super::read::{Answered, Place, Selection, answers_with};
use super::{AnswerRow, ReviewKey, ReviewRows};
use crate::submit::Lane;
use crate::submit::lane::CallError;

/// Every lens review of template `arn` the selection asks for, as rows.
pub async fn template_rows(
    lane: &Arc<Lane>,
    place: &Place,
    arn: &str,
    selection: &Selection,
) -> Result<Vec<ReviewRows>, CallError> {
    let template = lane.call(&mut 0, || lane.client().get_review_template().template_arn(arn).send()).await?;
    let lenses =
        template.review_template.map(|template| template.lenses.unwrap_or_default()).unwrap_or_default();
    let mut reviews = Vec::new();
    for lens in lenses {
        let review = lens_review(lane, arn, &lens).await?;
        let alias = review.lens_alias().unwrap_or(&lens).to_owned();
        let wanted = selection.lenses.is_empty()
            || selection
                .lenses
                .iter()
                .any(|wanted| *wanted == alias || Some(wanted.as_str()) == review.lens_arn());
        if !wanted {
            continue;
        }
        let key = ReviewKey {
            account: place.account.clone(),
            region: place.region.clone(),
            template_arn: arn.to_owned(),
            lens: alias,
            lens_version: review.lens_version().unwrap_or_default().to_owned(),
            ..ReviewKey::default()
        };
        let mut rows = Vec::new();
        if selection.notes {
            rows.push(AnswerRow {
                notes: Some(review.notes().unwrap_or_default().to_owned()),
                ..AnswerRow::default()
            });
            rows.extend(review.pillar_review_summaries().iter().map(|pillar| AnswerRow {
                pillar_id: pillar.pillar_id().unwrap_or_default().to_owned(),
                question_title: pillar.pillar_name().unwrap_or_default().to_owned(),
                notes: Some(pillar.notes().unwrap_or_default().to_owned()),
                ..AnswerRow::default()
            }));
        }
        for answered in answers(lane, &key, selection.notes).await? {
            rows.extend(answered.rows());
        }
        reviews.push(ReviewRows { key, rows });
    }
    Ok(reviews)
}

/// The template's review of `lens`.
pub async fn lens_review(lane: &Lane, arn: &str, lens: &str) -> Result<ReviewTemplateLensReview, CallError> {
    let output = lane
        .call(&mut 0, || {
            lane.client().get_review_template_lens_review().template_arn(arn).lens_alias(lens).send()
        })
        .await?;
    Ok(output.lens_review.unwrap_or_else(|| ReviewTemplateLensReview::builder().build()))
}

/// A question of the template's review, whole.
pub async fn answer(
    lane: &Lane,
    arn: &str,
    lens: &str,
    question: &str,
) -> Result<ReviewTemplateAnswer, CallError> {
    let output = lane
        .call(&mut 0, || {
            let get = lane.client().get_review_template_answer().template_arn(arn).lens_alias(lens);
            get.question_id(question).send()
        })
        .await?;
    Ok(output.answer.unwrap_or_else(|| ReviewTemplateAnswer::builder().build()))
}

/// Every question's answer, in the lens's order.
async fn answers(lane: &Lane, key: &ReviewKey, notes: bool) -> Result<Vec<Answered>, CallError> {
    let (arn, lens) = (&key.template_arn, &key.lens);
    let page = |token: Option<String>| async move {
        let call = || {
            let list = lane.client().list_review_template_answers().template_arn(arn).lens_alias(lens);
            list.max_results(50).set_next_token(token.clone()).send()
        };
        let page = lane.call(&mut 0, call).await?;
        let answered = page.answer_summaries().iter().map(Answered::of_template_summary).collect();
        Ok((answered, page.next_token().map(str::to_owned)))
    };
    let whole = |question: String| async move {
        Ok(Some(Answered::of_template_answer(&answer(lane, arn, lens, &question).await?)))
    };
    answers_with(page, whole, notes).await
}
