//! Where valid rows go: each row once for every Region it goes to (its
//! Target Region, else each of `--regions`, else the run's own), in its
//! Target account or the run's own; then grouped by place, a lane's worth
//! each, in the order each place first appears.

use std::collections::BTreeMap;

use super::ValidRow;
use crate::destination::Destination;

/// Rows going to one place.
pub struct Group {
    pub destination: Option<Destination>,
    pub rows: Vec<ValidRow>,
}

/// Each row once a Region it goes to: its targets, else `fan_out`, else
/// the base credentials' account and Region.
pub fn destined(
    rows: Vec<ValidRow>,
    fan_out: &[String],
    base_account: &str,
    base_region: &str,
) -> Vec<ValidRow> {
    let mut destined = Vec::with_capacity(rows.len());
    for row in rows {
        let account = row.placement.account.as_deref().unwrap_or(base_account).to_owned();
        let mut regions = row.placement.regions(fan_out);
        if regions.is_empty() {
            regions.push(base_region);
        }
        let regions: Vec<String> = regions.into_iter().map(str::to_owned).collect();
        for region in regions {
            let destination = Some(Destination { account: account.clone(), region });
            destined.push(ValidRow { destination, ..row.clone() });
        }
    }
    destined
}

/// Rows grouped by where they go, in the order each place first appears.
pub fn group(rows: Vec<ValidRow>) -> Vec<Group> {
    let mut order: Vec<Option<Destination>> = Vec::new();
    let mut by_place: BTreeMap<Option<Destination>, Vec<ValidRow>> = BTreeMap::new();
    for row in rows {
        if !by_place.contains_key(&row.destination) {
            order.push(row.destination.clone());
        }
        by_place.entry(row.destination.clone()).or_default().push(row);
    }
    order
        .into_iter()
        .map(|destination| {
            let rows = by_place.remove(&destination).unwrap_or_default();
            Group { destination, rows }
        })
        .collect()
}
