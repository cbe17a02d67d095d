//! What a lens holds: pillars, their questions, each question's choices and
//! risk rules, as AWS documents the custom lens format (`schemaVersion`
//! 2021-11-01). ImportLens reads that JSON into a [`LensContent`], checked
//! against the format's rules; the AWS official lenses are built here with
//! content of wa-bulk's own making (the same structure, not AWS's text),
//! every question ending with a "None of these" choice.

use serde::{Deserialize, Serialize};

use crate::model::OFFICIAL_LENSES;

/// The custom lens format's version.
pub const SCHEMA_VERSION: &str = "2021-11-01";

/// A lens's content, as the custom lens JSON has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LensContent {
    pub schema_version: String,
    pub name: String,
    pub description: String,
    pub pillars: Vec<Pillar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pillar {
    pub id: String,
    pub name: String,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub risk_rules: Vec<RiskRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helpful_resource: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub improvement_plan: Option<serde_json::Value>,
}

/// `{"condition": "choice1 && choice2", "risk": "NO_RISK"}`; `default` is
/// the last rule's condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskRule {
    pub condition: String,
    pub risk: String,
}

/// The risks a rule may give.
pub const RISKS: [&str; 3] = ["HIGH_RISK", "MEDIUM_RISK", "NO_RISK"];

/// The most of each a lens may hold, as the custom lens format allows.
const PILLARS: usize = 10;
const QUESTIONS: usize = 20;
const CHOICES: usize = 15;
const ID_LENGTH: usize = 100;

impl LensContent {
    /// Reads a custom lens's JSON; what is wrong with it, for the 400.
    pub fn parse(json: &str) -> Result<LensContent, String> {
        let mut content: LensContent = serde_json::from_str(json)
            .map_err(|error| format!("not a custom lens in the documented format: {error}"))?;
        content.check()?;
        content.add_none_of_these();
        Ok(content)
    }

    fn check(&self) -> Result<(), String> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(format!("schemaVersion must be {SCHEMA_VERSION}"));
        }
        let length = |what: &str, text: &str, most: usize| {
            let count = text.chars().count();
            if count == 0 || count > most {
                Err(format!("{what} must be 1 to {most} characters"))
            } else {
                Ok(())
            }
        };
        length("name", &self.name, 128)?;
        length("description", &self.description, 2048)?;
        if self.pillars.is_empty() || self.pillars.len() > PILLARS {
            return Err(format!("a lens has 1 to {PILLARS} pillars"));
        }
        for pillar in &self.pillars {
            length("a pillar's id", &pillar.id, ID_LENGTH)?;
            length("a pillar's name", &pillar.name, 128)?;
            if pillar.questions.is_empty() || pillar.questions.len() > QUESTIONS {
                return Err(format!("pillar {}: a pillar has 1 to {QUESTIONS} questions", pillar.id));
            }
            for question in &pillar.questions {
                question.check()?;
            }
        }
        let mut ids: Vec<&str> = self.questions().map(|question| question.id.as_str()).collect();
        ids.extend(self.pillars.iter().map(|pillar| pillar.id.as_str()));
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(format!("the id {} is used twice", pair[0]));
        }
        Ok(())
    }

    /// Gives each question the "None of these" choice AWS adds to every
    /// question of a custom lens, `{question id}_no`, where it lacks one.
    fn add_none_of_these(&mut self) {
        for question in self.pillars.iter_mut().flat_map(|pillar| &mut pillar.questions) {
            let none = question.none_of_these();
            if !question.choices.iter().any(|choice| choice.id == none) {
                question.choices.push(Choice::new(&none, "None of these"));
            }
        }
    }

    /// Every question, pillar by pillar.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.pillars.iter().flat_map(|pillar| &pillar.questions)
    }
}

impl Question {
    /// The id of the question's "None of these" choice, as AWS gives it.
    pub fn none_of_these(&self) -> String {
        format!("{}_no", self.id)
    }

    fn check(&self) -> Result<(), String> {
        let id = &self.id;
        if id.is_empty() || id.chars().count() > ID_LENGTH {
            return Err(format!("question {id:?}: an id is 1 to {ID_LENGTH} characters"));
        }
        if self.title.is_empty() {
            return Err(format!("question {id}: a title is required"));
        }
        if self.choices.is_empty() || self.choices.len() > CHOICES {
            return Err(format!("question {id}: a question has 1 to {CHOICES} choices"));
        }
        let mut choices: Vec<&str> = self.choices.iter().map(|choice| choice.id.as_str()).collect();
        choices.sort_unstable();
        if choices.iter().any(|choice| choice.is_empty() || choice.len() > 64) {
            return Err(format!("question {id}: a choice's id is 1 to 64 characters"));
        }
        if let Some(pair) = choices.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(format!("question {id}: the choice {} is listed twice", pair[0]));
        }
        for rule in &self.risk_rules {
            if !RISKS.contains(&rule.risk.as_str()) {
                return Err(format!("question {id}: a rule's risk is one of {}", RISKS.join(", ")));
            }
            super::condition::check(&rule.condition, &choices)
                .map_err(|why| format!("question {id}: {why}"))?;
        }
        Ok(())
    }
}

/// The six pillars: id, name, the prefix of their questions' ids.
const SIX: &[(&str, &str, &str)] = &[
    ("operationalExcellence", "Operational Excellence", "ops"),
    ("security", "Security", "sec"),
    ("reliability", "Reliability", "rel"),
    ("performance", "Performance Efficiency", "perf"),
    ("costOptimization", "Cost Optimization", "cost"),
    ("sustainability", "Sustainability", "sus"),
];

/// How many questions a pillar of each official lens has.
fn questions_of(alias: &str) -> usize {
    match alias {
        "wellarchitected" => 3,
        "serverless" | "softwareasaservice" => 2,
        _ => 1,
    }
}

/// The version every official lens is at.
pub const OFFICIAL_VERSION: &str = "2025-06-01";

/// The aliases and names of the AWS official lenses.
pub fn official() -> impl Iterator<Item = (&'static str, &'static str)> {
    OFFICIAL_LENSES.into_iter()
}

/// The content of the official lens `alias`: a few questions a pillar,
/// each with four choices and "None of these", and the rules: all four no
/// risk, two or more medium, else high.
pub fn official_content(alias: &str) -> Option<LensContent> {
    let (alias, lens_name) = official().find(|(known, _)| *known == alias)?;
    let pillars = SIX.iter().map(|(id, name, prefix)| {
        let questions = (1..=questions_of(alias)).map(|number| {
            let id = format!("{prefix}_{number}");
            let mut choices: Vec<Choice> = (1..=4)
                .map(|choice| {
                    Choice::new(&format!("{id}_choice_{choice}"), &format!("Practice {choice} of {id}"))
                })
                .collect();
            choices.push(Choice::new(&format!("{id}_no"), "None of these"));
            let all = (1..=4).map(|choice| format!("{id}_choice_{choice}")).collect::<Vec<_>>().join(" && ");
            let two = format!("{id}_choice_1 && {id}_choice_2");
            Question {
                title: format!("{name}: question {number}"),
                description: format!("How does the workload meet practice {number} of {name}?"),
                choices,
                risk_rules: vec![
                    RiskRule { condition: all, risk: "NO_RISK".into() },
                    RiskRule { condition: two, risk: "MEDIUM_RISK".into() },
                    RiskRule { condition: "default".into(), risk: "HIGH_RISK".into() },
                ],
                id,
            }
        });
        Pillar { id: (*id).to_owned(), name: (*name).to_owned(), questions: questions.collect() }
    });
    Some(LensContent {
        schema_version: SCHEMA_VERSION.into(),
        name: lens_name.into(),
        description: format!("{lens_name} (the emulator's own content)"),
        pillars: pillars.collect(),
    })
}

impl Choice {
    fn new(id: &str, title: &str) -> Choice {
        Choice {
            id: id.into(),
            title: title.into(),
            description: String::new(),
            helpful_resource: None,
            improvement_plan: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_lenses_are_in_the_custom_lens_format_and_read_back() {
        for (alias, _) in official() {
            let content = official_content(alias).unwrap();
            let json = serde_json::to_string(&content).unwrap();
            assert_eq!(LensContent::parse(&json).unwrap(), content, "{alias}");
        }
        assert!(official_content("serverles").is_none());
    }

    #[test]
    fn a_custom_lens_breaking_the_format_is_refused_saying_why() {
        let mut content = official_content("iot").unwrap();
        content.schema_version = "2020-01-01".into();
        let refused = |content: &LensContent| LensContent::parse(&serde_json::to_string(content).unwrap());
        assert!(refused(&content).unwrap_err().contains("schemaVersion"));
        let mut content = official_content("iot").unwrap();
        content.pillars[0].questions[0].risk_rules[0].risk = "SOME_RISK".into();
        assert!(refused(&content).unwrap_err().contains("risk is one of"));
        let mut content = official_content("iot").unwrap();
        content.pillars[1].questions[0].id = content.pillars[0].questions[0].id.clone();
        assert!(refused(&content).unwrap_err().contains("used twice"));
        assert!(LensContent::parse("{\"name\": 1}").unwrap_err().contains("documented format"));
    }
}
