//! What `export` reads of a workload beyond the members `import` writes,
//! for people and dashboards: the risk counts the service works out
//! (overall and per lens, and per pillar with `--pillar-risks`), the
//! improvement status, when it last changed, its latest milestone and its
//! shares. The overall figures come with GetWorkload; per lens costs a
//! ListLensReviews, the milestone a ListMilestones and the shares a
//! ListWorkloadShares (a page each per 50), and per pillar a GetLensReview
//! per lens. Importing the sheet leaves these columns out.

use aws_sdk_wellarchitected::types::Workload;

use crate::answers::read::lens_reviews;
use crate::risks::Risks;
use crate::submit::Lane;
use crate::submit::apply::held_shares;
use crate::submit::lane::CallError;

/// Which of the facts a run reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Members only (`--no-risks`): GetWorkload alone.
    Members,
    /// The facts of every workload: three requests more each.
    Risks,
    /// And each lens review's pillars (`--pillar-risks`).
    Pillars,
}

/// A workload's facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub risks: Risks,
    pub improvement_status: String,
    /// RFC 3339.
    pub updated_at: String,
    /// (lens alias or ARN, its risks).
    pub by_lens: Vec<(String, Risks)>,
    /// (lens, pillar id, its risks), with `--pillar-risks`.
    pub by_pillar: Vec<(String, String, Risks)>,
    /// (number, name, when), the highest-numbered.
    pub latest_milestone: Option<(i32, String, String)>,
    /// (with whom, permission, status).
    pub shares: Vec<(String, String, String)>,
}

impl Facts {
    /// What GetWorkload says.
    pub fn of(workload: &Workload) -> Facts {
        Facts {
            risks: Risks::of(workload.risk_counts()),
            improvement_status: workload
                .improvement_status()
                .map(|status| status.as_str().to_owned())
                .unwrap_or_default(),
            updated_at: workload.updated_at().map(date_time).unwrap_or_default(),
            ..Facts::default()
        }
    }

    /// Reads what GetWorkload does not say, as deep as asked.
    pub async fn read_more(&mut self, lane: &Lane, id: &str, depth: Depth) -> Result<(), CallError> {
        if depth == Depth::Members {
            return Ok(());
        }
        for review in lens_reviews(lane, id).await? {
            if depth == Depth::Pillars {
                self.by_pillar.extend(pillar_risks(lane, id, &review.alias).await?);
            }
            self.by_lens.push((review.alias, review.risks));
        }
        self.latest_milestone = latest_milestone(lane, id).await?;
        let shares = held_shares(lane, id, &mut 0).await?;
        self.shares = shares.into_iter().map(|held| (held.with, held.permission, held.status)).collect();
        Ok(())
    }

    /// `wellarchitected: 3 high, 2 medium, …; serverless: …`.
    pub fn by_lens_text(&self) -> String {
        let lenses: Vec<String> =
            self.by_lens.iter().map(|(lens, risks)| format!("{lens}: {}", risks.text())).collect();
        lenses.join("; ")
    }

    /// `wellarchitected security: 2 high, 1 medium, …; …`.
    pub fn by_pillar_text(&self) -> String {
        let pillars: Vec<String> = self
            .by_pillar
            .iter()
            .map(|(lens, pillar, risks)| format!("{lens} {pillar}: {}", risks.text()))
            .collect();
        pillars.join("; ")
    }

    /// `3: Q4 review (2026-11-30T10:00:00Z)`.
    pub fn milestone_text(&self) -> String {
        self.latest_milestone
            .as_ref()
            .map_or_else(String::new, |(number, name, at)| format!("{number}: {name} ({at})"))
    }

    /// `111122223333 READONLY ACCEPTED; …`.
    pub fn shares_text(&self) -> String {
        let shares: Vec<String> = self
            .shares
            .iter()
            .map(|(with, permission, status)| format!("{with} {permission} {status}"))
            .collect();
        shares.join("; ")
    }

    /// The facts as JSON Lines carries them.
    pub fn json(&self) -> serde_json::Value {
        let by_lens: serde_json::Map<String, serde_json::Value> =
            self.by_lens.iter().map(|(lens, risks)| (lens.clone(), risks.json())).collect();
        let by_pillar: Vec<serde_json::Value> = self
            .by_pillar
            .iter()
            .map(|(lens, pillar, risks)| serde_json::json!({"Lens": lens, "PillarId": pillar, "RiskCounts": risks.json()}))
            .collect();
        let milestone = self.latest_milestone.as_ref().map(|(number, name, at)| {
            serde_json::json!({"MilestoneNumber": number, "MilestoneName": name, "RecordedAt": at})
        });
        let shares: Vec<serde_json::Value> = self
            .shares
            .iter()
            .map(|(with, permission, status)| serde_json::json!({"SharedWith": with, "PermissionType": permission, "Status": status}))
            .collect();
        serde_json::json!({
            "RiskCounts": self.risks.json(),
            "RiskCountsByLens": by_lens,
            "RiskCountsByPillar": by_pillar,
            "ImprovementStatus": self.improvement_status,
            "UpdatedAt": self.updated_at,
            "LatestMilestone": milestone,
            "Shares": shares,
        })
    }
}

fn date_time(at: &aws_sdk_wellarchitected::primitives::DateTime) -> String {
    at.fmt(aws_sdk_wellarchitected::primitives::DateTimeFormat::DateTime).unwrap_or_default()
}

/// Each pillar's risks in the workload's review of `lens`.
async fn pillar_risks(lane: &Lane, id: &str, lens: &str) -> Result<Vec<(String, String, Risks)>, CallError> {
    let call = || lane.client().get_lens_review().workload_id(id).lens_alias(lens).send();
    let review = lane.call(&mut 0, call).await?.lens_review;
    let pillars = review.map(|review| review.pillar_review_summaries.unwrap_or_default()).unwrap_or_default();
    Ok(pillars
        .into_iter()
        .map(|pillar| {
            (lens.to_owned(), pillar.pillar_id.unwrap_or_default(), Risks::of(pillar.risk_counts.as_ref()))
        })
        .collect())
}

/// The workload's highest-numbered milestone, every page read.
async fn latest_milestone(lane: &Lane, id: &str) -> Result<Option<(i32, String, String)>, CallError> {
    let mut latest: Option<(i32, String, String)> = None;
    let mut next_token: Option<String> = None;
    loop {
        let list = lane
            .client()
            .list_milestones()
            .workload_id(id)
            .max_results(50)
            .set_next_token(next_token.clone());
        let page = lane.call(&mut 0, || list.clone().send()).await?;
        for summary in page.milestone_summaries() {
            let number = summary.milestone_number().unwrap_or_default();
            if latest.as_ref().is_none_or(|(held, _, _)| number > *held) {
                let name = summary.milestone_name().unwrap_or_default().to_owned();
                latest = Some((number, name, summary.recorded_at().map(date_time).unwrap_or_default()));
            }
        }
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            return Ok(latest);
        }
    }
}
