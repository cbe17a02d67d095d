//! The risk counts the service works out for a workload, a lens review or
//! a pillar (`RiskCounts`: how many questions are at high, medium or no
//! risk, unanswered, or not applicable), as `export` and the answers
//! commands read and show them.

use std::collections::HashMap;

use aws_sdk_wellarchitected::types::Risk;

/// The five counts, in the order the service lists them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Risks(pub [u64; 5]);

impl Risks {
    /// The risks in order, as the API names them and as people read them.
    pub const KINDS: [(Risk, &'static str); 5] = [
        (Risk::High, "high"),
        (Risk::Medium, "medium"),
        (Risk::None, "none"),
        (Risk::Unanswered, "unanswered"),
        (Risk::NotApplicable, "not applicable"),
    ];

    /// From the `RiskCounts` map of an answer; absent kinds count 0.
    pub fn of(counts: Option<&HashMap<Risk, i32>>) -> Risks {
        let mut risks = Risks::default();
        for (index, (kind, _)) in Risks::KINDS.iter().enumerate() {
            let count = counts.and_then(|counts| counts.get(kind)).copied().unwrap_or_default();
            risks.0[index] = u64::try_from(count).unwrap_or_default();
        }
        risks
    }

    pub fn high(&self) -> u64 {
        self.0[0]
    }

    pub fn medium(&self) -> u64 {
        self.0[1]
    }

    pub fn add(&mut self, other: &Risks) {
        self.0.iter_mut().zip(other.0).for_each(|(sum, count)| *sum += count);
    }

    /// `3 high, 2 medium, 10 none, 40 unanswered, 0 not applicable`.
    pub fn text(&self) -> String {
        let parts: Vec<String> =
            Risks::KINDS.iter().zip(self.0).map(|((_, word), count)| format!("{count} {word}")).collect();
        parts.join(", ")
    }

    /// `{"HIGH": 3, …}`, as the API names them.
    pub fn json(&self) -> serde_json::Value {
        let pairs = Risks::KINDS
            .iter()
            .zip(self.0)
            .map(|((kind, _), count)| (kind.as_str().to_owned(), count.into()));
        serde_json::Value::Object(pairs.collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_from_the_map_in_the_service_order_and_add_up() {
        let map: HashMap<Risk, i32> = [(Risk::High, 3), (Risk::NotApplicable, 1), (Risk::None, -2)].into();
        let mut risks = Risks::of(Some(&map));
        assert_eq!(risks, Risks([3, 0, 0, 0, 1]), "a negative count is none");
        risks.add(&Risks([1, 2, 3, 4, 5]));
        assert_eq!(risks.text(), "4 high, 2 medium, 3 none, 4 unanswered, 6 not applicable");
        assert_eq!(risks.json()["NOT_APPLICABLE"], 6);
        assert_eq!((risks.high(), risks.medium()), (4, 2));
    }
}
