//! The hub's value: the same district matched pooled (with the hub) and per
//! community (without it), compared.
//!
//! Pooled matching can do everything per-community matching does — the same
//! edges exist and no capacity is split — so the pooled optimum is never
//! lower; the difference is what founding the hub is worth under the policy.
//! Individual communities can still lose: the hub sends their providers'
//! capacity where it is worth more.
//!
//! Complexity: two district solves, then O(needs + assignments).

use serde::{Deserialize, Serialize};

use crate::analyze::coverage::{CoverageReport, coverage};
use crate::error::Result;
use crate::solve::{MatchOptions, MatchResult, Mode, match_district};
use crate::validate::DistrictIndex;

/// One community (or category) alone and with the hub.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityGain {
    /// Community (or category) index.
    pub index: u32,
    /// Units needed.
    pub needed: i64,
    /// Units served per community.
    pub served_alone: i64,
    /// Units served pooled.
    pub served_hub: i64,
    /// Weight served per community (thousandths of a point).
    pub weight_alone: i64,
    /// Weight served pooled (thousandths of a point).
    pub weight_hub: i64,
}

/// Capacity of a provider that the hub moved to another community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedCapacity {
    /// Provider index.
    pub provider: u32,
    /// Its home community.
    pub from: u32,
    /// The community served.
    pub to: u32,
    /// Units served there.
    pub units: i64,
}

/// Pooled against per-community matching of one district.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HubValue {
    /// The per-community (no hub) allocation.
    pub alone: MatchResult,
    /// The pooled (hub) allocation.
    pub hub: MatchResult,
    /// Objective gained by pooling (thousandths of a point, never negative).
    pub gain: i64,
    /// By community.
    pub communities: Vec<CommunityGain>,
    /// By category.
    pub categories: Vec<CommunityGain>,
    /// Capacity served outside its provider's home, by provider and community.
    pub moved: Vec<MovedCapacity>,
    /// Coverage without the hub.
    pub coverage_alone: CoverageReport,
    /// Coverage with the hub.
    pub coverage_hub: CoverageReport,
}

fn gains(
    ix: &DistrictIndex,
    alone: &MatchResult,
    hub: &MatchResult,
    by_category: bool,
) -> Vec<CommunityGain> {
    let key = |need: u32| {
        let n = &ix.needs[need as usize];
        if by_category { n.category } else { n.community }
    };
    let size = if by_category {
        ix.categories.len()
    } else {
        ix.communities.len()
    };
    let mut out: Vec<CommunityGain> = (0..size as u32)
        .map(|index| CommunityGain {
            index,
            ..CommunityGain::default()
        })
        .collect();
    for (i, n) in ix.needs.iter().enumerate() {
        let _ = n;
        out[key(i as u32)].needed += ix.needs[i].units;
    }
    for a in &alone.assignments {
        let g = &mut out[key(a.need)];
        g.served_alone += a.units;
        g.weight_alone += a.units * a.weight;
    }
    for a in &hub.assignments {
        let g = &mut out[key(a.need)];
        g.served_hub += a.units;
        g.weight_hub += a.units * a.weight;
    }
    out
}

/// Matches `ix` both ways and compares.
///
/// ```
/// use hubmatch::solve::MatchOptions;
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let v = hubmatch::analyze::hub_value(&d.validate().unwrap(), &MatchOptions::default()).unwrap();
/// assert_eq!(v.gain, 96_000); // 96 points on the example street
/// // c2 (index 1) is served only through the hub: 4 units instead of none.
/// assert_eq!((v.communities[1].served_alone, v.communities[1].served_hub), (0, 4));
/// ```
pub fn hub_value(ix: &DistrictIndex, options: &MatchOptions) -> Result<HubValue> {
    let alone = match_district(ix, Mode::PerCommunity, options, None)?;
    let hub = match_district(ix, Mode::Pooled, options, None)?;
    let mut moved: Vec<MovedCapacity> = Vec::new();
    for a in hub.assignments.iter().filter(|a| a.cross) {
        let Some(from) = ix.providers[a.provider as usize].home else {
            continue;
        };
        let to = ix.needs[a.need as usize].community as u32;
        match moved
            .iter_mut()
            .find(|m| m.provider == a.provider && m.to == to)
        {
            Some(m) => m.units += a.units,
            None => moved.push(MovedCapacity {
                provider: a.provider,
                from: from as u32,
                to,
                units: a.units,
            }),
        }
    }
    moved.sort_by_key(|m| (m.provider, m.to));
    Ok(HubValue {
        gain: hub.objective - alone.objective,
        communities: gains(ix, &alone, &hub, false),
        categories: gains(ix, &alone, &hub, true),
        moved,
        coverage_alone: coverage(ix, &alone),
        coverage_hub: coverage(ix, &hub),
        alone,
        hub,
    })
}
